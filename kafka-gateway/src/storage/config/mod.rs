//! Per-topic configuration: every Kafka topic config ([`catalog`]), which of them were set
//! explicitly (reported as their source by DescribeConfigs), and the ones the store acts on.

pub mod catalog;
pub mod ops;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::StorageError;

/// The broker-level layer a topic inherits a value from (Kafka's config sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Set dynamically for this broker (`kafka-configs --entity-name 0`).
    DynamicBroker,
    /// Set dynamically as the cluster-wide default (`--entity-default`).
    DynamicDefault,
    /// From the gateway's own settings (its flags).
    StaticBroker,
}

/// Broker-level values every topic inherits where it sets nothing, keyed by topic config name.
pub type Inherited = Arc<BTreeMap<String, (String, Layer)>>;

/// Where a topic's effective value of a config comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Set on the topic itself.
    Topic,
    /// Inherited from a broker-level setting.
    Broker(Layer),
    /// Kafka's default.
    Default,
}

/// A topic's configuration: explicit overrides over the broker-level values it inherits, over
/// the defaults in [`catalog::TOPIC_CONFIGS`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicConfig {
    /// Keys set explicitly for this topic (what is persisted).
    pub overrides: BTreeMap<String, String>,
    /// Broker-level values in force, refreshed when the broker's dynamic configs change.
    pub inherited: Inherited,
}

/// A value as Kafka stores and reports it once parsed: list items joined by commas without
/// spaces, booleans in lower case, numbers without surrounding blanks.
fn normalize(def: &catalog::Def, value: &str) -> String {
    match def.kind {
        catalog::Kind::List => catalog::items(value).collect::<Vec<_>>().join(","),
        catalog::Kind::Boolean => value.trim().to_ascii_lowercase(),
        catalog::Kind::String => value.to_string(),
        _ => value.trim().to_string(),
    }
}

impl TopicConfig {
    /// Validate and build from explicit settings, as Kafka validates topic configs; the error
    /// carries Kafka's INVALID_CONFIG message.
    pub fn new(overrides: BTreeMap<String, String>) -> Result<Self, StorageError> {
        let mut normalized = BTreeMap::new();
        for (k, v) in overrides {
            let def = catalog::validate(&k, &v).map_err(StorageError::InvalidConfig)?;
            let v = normalize(def, &v);
            if k == "cleanup.policy" && catalog::items(&v).any(|p| p == "compact") {
                return Err(StorageError::InvalidConfig(format!(
                    "cleanup.policy={v}: compaction is not available yet on the gateway; use delete"
                )));
            }
            normalized.insert(k, v);
        }
        if let (Some(min), Some(max)) = (
            normalized
                .get("min.compaction.lag.ms")
                .and_then(|v| v.parse::<i64>().ok()),
            normalized
                .get("max.compaction.lag.ms")
                .and_then(|v| v.parse::<i64>().ok()),
        ) {
            if min > max {
                return Err(StorageError::InvalidConfig(format!(
                    "conflict topic config setting min.compaction.lag.ms ({min}) > max.compaction.lag.ms ({max})"
                )));
            }
        }
        Ok(Self {
            overrides: normalized,
            inherited: Inherited::default(),
        })
    }

    /// The same overrides over another broker-level layer.
    pub fn with_inherited(self, inherited: Inherited) -> Self {
        Self { inherited, ..self }
    }

    /// The value of `key`: explicit, inherited or default.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.overrides
            .get(key)
            .or_else(|| self.inherited.get(key).map(|(v, _)| v))
            .map(String::as_str)
            .or_else(|| catalog::lookup(key).map(|d| d.default))
    }

    /// Where the value of `key` comes from.
    pub fn source(&self, key: &str) -> Source {
        if self.overrides.contains_key(key) {
            Source::Topic
        } else if let Some((_, layer)) = self.inherited.get(key) {
            Source::Broker(*layer)
        } else {
            Source::Default
        }
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
    /// `segment.bytes`, or `internal.segment.bytes` where a topic sets it (as Kafka 4.1+ lets
    /// tests roll segments below the 1 MiB floor).
    pub fn segment_bytes(&self) -> u64 {
        let n = match self.overrides.get("internal.segment.bytes") {
            Some(v) => v.parse().unwrap_or(-1),
            None => self.num("segment.bytes"),
        };
        n.max(14) as u64
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
