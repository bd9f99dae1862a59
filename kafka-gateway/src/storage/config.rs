//! Per-topic configuration: the Kafka topic configs the store acts on, with Kafka's defaults,
//! and which of them were set explicitly (reported as their source by DescribeConfigs).

use std::collections::BTreeMap;

use super::StorageError;

/// Topic configuration keys the store understands, with Kafka's defaults.
pub const KNOWN: &[(&str, &str)] = &[
    ("cleanup.policy", "delete"),
    ("compression.type", "producer"),
    ("max.message.bytes", "1048588"),
    ("message.timestamp.type", "CreateTime"),
    ("retention.bytes", "-1"),
    ("retention.ms", "604800000"),
    ("segment.bytes", "1073741824"),
    ("segment.ms", "604800000"),
    ("segment.index.bytes", "10485760"),
    ("min.insync.replicas", "1"),
];

/// A topic's configuration: explicit overrides over the defaults in [`KNOWN`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicConfig {
    /// Keys set explicitly for this topic.
    pub overrides: BTreeMap<String, String>,
}

fn parse_i64(key: &str, v: &str) -> Result<i64, StorageError> {
    v.parse()
        .map_err(|_| StorageError::InvalidConfig(format!("{key}={v} is not a number")))
}

impl TopicConfig {
    /// Validate and build from explicit settings.
    pub fn new(overrides: BTreeMap<String, String>) -> Result<Self, StorageError> {
        for (k, v) in &overrides {
            if !KNOWN.iter().any(|(n, _)| n == k) {
                return Err(StorageError::InvalidConfig(format!(
                    "unknown topic config {k}"
                )));
            }
            match k.as_str() {
                "message.timestamp.type" if v != "CreateTime" && v != "LogAppendTime" => {
                    return Err(StorageError::InvalidConfig(format!("{k}={v}")))
                }
                "cleanup.policy" if v != "delete" => {
                    return Err(StorageError::InvalidConfig(format!(
                        "{k}={v}: only delete is supported"
                    )))
                }
                "compression.type" => {}
                "cleanup.policy" | "message.timestamp.type" => {}
                _ => {
                    parse_i64(k, v)?;
                }
            }
        }
        Ok(Self { overrides })
    }

    /// The value of `key`, explicit or default.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.overrides
            .get(key)
            .map(String::as_str)
            .or_else(|| KNOWN.iter().find(|(k, _)| *k == key).map(|(_, v)| *v))
    }

    fn num(&self, key: &str) -> i64 {
        self.get(key).and_then(|v| v.parse().ok()).unwrap_or(-1)
    }

    /// `retention.ms` (-1: keep forever).
    pub fn retention_ms(&self) -> i64 {
        self.num("retention.ms")
    }
    /// `retention.bytes` (-1: no size limit).
    pub fn retention_bytes(&self) -> i64 {
        self.num("retention.bytes")
    }
    /// `segment.bytes`.
    pub fn segment_bytes(&self) -> u64 {
        self.num("segment.bytes").max(1024) as u64
    }
    /// `segment.ms`.
    pub fn segment_ms(&self) -> i64 {
        self.num("segment.ms")
    }
    /// `max.message.bytes`: the largest batch accepted.
    pub fn max_message_bytes(&self) -> usize {
        self.num("max.message.bytes").max(0) as usize
    }
    /// Whether the broker stamps batches with its own time.
    pub fn log_append_time(&self) -> bool {
        self.get("message.timestamp.type") == Some("LogAppendTime")
    }
}
