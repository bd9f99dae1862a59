//! Prometheus metrics: what the connection loop, dispatch and handlers count as they go, plus
//! gauges read from storage and the group coordinator when `/metrics` is scraped. Served with the
//! health checks by [`http`] on `--metrics-listen`.

pub mod http;

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use kafka_wire::{ApiKey, ErrorCode, ResponseBody};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use crate::server::Ctx;

/// Labels of per-API series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabels {
    api: &'static str,
    version: i16,
}

/// Labels of the error counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    api: &'static str,
    error: &'static str,
}

/// Labels of per-listener series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ListenerLabels {
    listener: &'static str,
}

/// Labels of the connection gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    listener: &'static str,
    auth: &'static str,
}

/// Labels of per-topic series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TopicLabels {
    topic: String,
}

/// Labels of per-partition series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PartitionLabels {
    topic: String,
    partition: i32,
}

/// Labels of the group gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupLabels {
    state: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 50 µs to ~105 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 22))
}

/// Every series the gateway exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<ApiLabels, Counter>,
    latency: HistogramFamily<ApiLabels>,
    errors: Family<ErrorLabels, Counter>,
    bytes_in: Family<ListenerLabels, Counter>,
    bytes_out: Family<ListenerLabels, Counter>,
    connections: Family<ConnectionLabels, Gauge>,
    connections_opened: Family<ListenerLabels, Counter>,
    produced: Family<TopicLabels, Counter>,
    fetched: Family<TopicLabels, Counter>,
    throttle: Family<ApiLabels, Counter<f64, AtomicU64>>,
    trailing: Family<ApiLabels, Counter>,
    log_start: Family<PartitionLabels, Gauge>,
    high_watermark: Family<PartitionLabels, Gauge>,
    log_size: Family<PartitionLabels, Gauge>,
    groups: Family<GroupLabels, Gauge>,
    flush: Histogram,
    append: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every series registered (and none observed yet).
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("kafka_gateway");
        let m = Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            errors: Family::default(),
            bytes_in: Family::default(),
            bytes_out: Family::default(),
            connections: Family::default(),
            connections_opened: Family::default(),
            produced: Family::default(),
            fetched: Family::default(),
            throttle: Family::default(),
            trailing: Family::default(),
            log_start: Family::default(),
            high_watermark: Family::default(),
            log_size: Family::default(),
            groups: Family::default(),
            flush: latency_histogram(),
            append: latency_histogram(),
            registry: Registry::default(),
        };
        r.register(
            "requests",
            "Requests answered, by API and version",
            m.requests.clone(),
        );
        r.register_with_unit(
            "request_duration",
            "Time from a decoded request to its encoded response, by API and version",
            Unit::Seconds,
            m.latency.clone(),
        );
        r.register(
            "errors",
            "Error codes in responses, by API and error",
            m.errors.clone(),
        );
        r.register_with_unit(
            "received",
            "Request bytes received (frames with their size prefix), by listener",
            Unit::Bytes,
            m.bytes_in.clone(),
        );
        r.register_with_unit(
            "sent",
            "Response bytes sent (frames with their size prefix), by listener",
            Unit::Bytes,
            m.bytes_out.clone(),
        );
        r.register(
            "connections",
            "Open connections, by listener and authentication state",
            m.connections.clone(),
        );
        r.register(
            "connections_opened",
            "Connections accepted, by listener",
            m.connections_opened.clone(),
        );
        r.register(
            "produced_records",
            "Records appended, by topic",
            m.produced.clone(),
        );
        r.register(
            "fetched_records",
            "Records sent to consumers, by topic",
            m.fetched.clone(),
        );
        r.register_with_unit(
            "throttle",
            "Time responses were delayed by client quotas, by API and version",
            Unit::Seconds,
            m.throttle.clone(),
        );
        r.register(
            "request_trailing_bytes",
            "Bytes found after a complete request body and ignored, as Kafka ignores them, by API and version",
            m.trailing.clone(),
        );
        r.register(
            "partition_log_start_offset",
            "First offset kept, by partition",
            m.log_start.clone(),
        );
        r.register(
            "partition_high_watermark",
            "Next offset to be written, by partition",
            m.high_watermark.clone(),
        );
        r.register_with_unit(
            "partition_log_size",
            "Record data kept, by partition (file and memory stores)",
            Unit::Bytes,
            m.log_size.clone(),
        );
        r.register("groups", "Consumer groups, by state", m.groups.clone());
        r.register_with_unit(
            "storage_flush_duration",
            "Time of each periodic fsync of the store (--flush interval)",
            Unit::Seconds,
            m.flush.clone(),
        );
        r.register_with_unit(
            "storage_append_duration",
            "Time to append one partition's batches (fsync included with --flush every-batch)",
            Unit::Seconds,
            m.append.clone(),
        );
        Metrics { registry: r, ..m }
    }

    /// One request answered: count it, its latency and every error code in its response.
    pub fn request(&self, api: ApiKey, version: i16, took: Duration, resp: Option<&ResponseBody>) {
        let labels = ApiLabels {
            api: api.name(),
            version,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
        let Some(resp) = resp else { return };
        resp.error_codes(&mut |code| {
            if code != 0 {
                let error = ErrorCode(code).name();
                self.errors
                    .get_or_create(&ErrorLabels {
                        api: api.name(),
                        error,
                    })
                    .inc();
            }
        });
    }

    /// Bytes of one request frame received on `listener`.
    pub fn received(&self, listener: &'static str, bytes: usize) {
        let l = ListenerLabels { listener };
        self.bytes_in.get_or_create(&l).inc_by(bytes as u64);
    }

    /// Bytes of one response frame sent on `listener`.
    pub fn sent(&self, listener: &'static str, bytes: usize) {
        let l = ListenerLabels { listener };
        self.bytes_out.get_or_create(&l).inc_by(bytes as u64);
    }

    /// A connection opened on `listener` in authentication state `auth`.
    pub fn connection_opened(&self, listener: &'static str, auth: &'static str) {
        self.connections_opened
            .get_or_create(&ListenerLabels { listener })
            .inc();
        self.connection_state(listener, None, Some(auth));
    }

    /// A connection moved from one authentication state to another (`None`: opened / closed).
    pub fn connection_state(
        &self,
        listener: &'static str,
        from: Option<&'static str>,
        to: Option<&'static str>,
    ) {
        if let Some(auth) = from {
            let l = ConnectionLabels { listener, auth };
            self.connections.get_or_create(&l).dec();
        }
        if let Some(auth) = to {
            let l = ConnectionLabels { listener, auth };
            self.connections.get_or_create(&l).inc();
        }
    }

    /// `records` appended to `topic`.
    pub fn produced(&self, topic: &str, records: u64) {
        let l = TopicLabels {
            topic: topic.to_string(),
        };
        self.produced.get_or_create(&l).inc_by(records);
    }

    /// `records` of `topic` sent to a consumer.
    pub fn fetched(&self, topic: &str, records: u64) {
        let l = TopicLabels {
            topic: topic.to_string(),
        };
        self.fetched.get_or_create(&l).inc_by(records);
    }

    /// `bytes` left after a complete request body of `api`, ignored as Kafka ignores them.
    pub fn trailing_bytes(&self, api: ApiKey, version: i16, bytes: usize) {
        let labels = ApiLabels {
            api: api.name(),
            version,
        };
        self.trailing.get_or_create(&labels).inc_by(bytes as u64);
    }

    /// A response of `api` delayed by a quota.
    pub fn throttled(&self, api: ApiKey, version: i16, delay: Duration) {
        let labels = ApiLabels {
            api: api.name(),
            version,
        };
        self.throttle
            .get_or_create(&labels)
            .inc_by(delay.as_secs_f64());
    }

    /// One periodic flush took `took`.
    pub fn flushed(&self, took: Duration) {
        self.flush.observe(took.as_secs_f64());
    }

    /// One partition append took `took`.
    pub fn appended(&self, took: Duration) {
        self.append.observe(took.as_secs_f64());
    }

    /// The exposition text: counters as they stand, gauges read now from storage and groups.
    pub async fn render(&self, ctx: &Ctx) -> String {
        self.log_start.clear();
        self.high_watermark.clear();
        self.log_size.clear();
        for t in ctx.storage.topics().await {
            for partition in 0..t.partitions {
                let tp = crate::handlers::tp(&t.name, partition);
                let l = PartitionLabels {
                    topic: t.name.clone(),
                    partition,
                };
                if let Ok(o) = ctx.storage.offsets(&tp).await {
                    self.log_start.get_or_create(&l).set(o.log_start);
                    self.high_watermark.get_or_create(&l).set(o.high_watermark);
                }
                if let Some(size) = ctx.storage.log_size(&tp).await {
                    self.log_size.get_or_create(&l).set(size as i64);
                }
            }
        }
        self.groups.clear();
        let states: Vec<&'static str> = ctx
            .groups
            .with(|c| c.groups().map(|g| g.state.name()).collect());
        for state in states {
            self.groups.get_or_create(&GroupLabels { state }).inc();
        }
        self.encode()
    }

    /// The same exposition in Prometheus' classic text format (0.0.4), for scrapers that do not
    /// ask for OpenMetrics (`curl`, `promtool check metrics`).
    pub fn classic(openmetrics: &str) -> String {
        to_classic(openmetrics)
    }

    /// The exposition text of what is registered, as it stands.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// OpenMetrics → classic text: counters' HELP and TYPE lines name the `_total` series, and the
/// `# UNIT` and `# EOF` lines, which the classic format lacks, are dropped.
fn to_classic(text: &str) -> String {
    let counters: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|p| line.strip_prefix(p).map(|rest| (p, rest)));
        match meta.and_then(|(p, rest)| rest.split_once(' ').map(|(name, tail)| (p, name, tail))) {
            Some((p, name, tail)) if counters.contains(name) => {
                out.push_str(&format!("{p}{name}_total {tail}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_format_names_counters_by_their_series() {
        let m = Metrics::new();
        m.produced("t", 3);
        m.flushed(Duration::from_millis(2));
        let text = Metrics::classic(&m.encode());
        assert!(text.contains("# HELP kafka_gateway_produced_records_total Records appended"));
        assert!(text.contains("# TYPE kafka_gateway_produced_records_total counter"));
        assert!(text.contains("kafka_gateway_produced_records_total{topic=\"t\"} 3"));
        assert!(text.contains("# TYPE kafka_gateway_storage_flush_duration_seconds histogram"));
        assert!(
            !text.contains("# UNIT") && !text.contains("# EOF"),
            "{text}"
        );
    }
}
