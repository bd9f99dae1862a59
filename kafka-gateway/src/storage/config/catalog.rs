//! Every topic config Apache Kafka 4.x defines: its type, default, the check Kafka applies to a
//! value, the broker config it falls back to, and what it does here.
//!
//! The table follows what a Kafka 4.4 broker reports and enforces (DescribeConfigs v4 with
//! synonyms, and the answers to out-of-range values); the descriptions are our own. A config
//! that has no effect on the gateway is still accepted, validated and reported, because tools
//! and clients set them freely and Kafka never refuses them.

/// A config's value type, as DescribeConfigs v3+ reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`.
    Boolean,
    /// Free text.
    String,
    /// 32-bit integer.
    Int,
    /// 64-bit integer.
    Long,
    /// Floating point.
    Double,
    /// Comma-separated list.
    List,
}

impl Kind {
    /// The wire code (DescribeConfigs `config_type`).
    pub fn code(self) -> i8 {
        match self {
            Kind::Boolean => 1,
            Kind::String => 2,
            Kind::Int => 3,
            Kind::Long => 5,
            Kind::Double => 6,
            Kind::List => 7,
        }
    }

    /// Kafka's name for the type, as its parse errors spell it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Boolean => "BOOLEAN",
            Kind::String => "STRING",
            Kind::Int => "INT",
            Kind::Long => "LONG",
            Kind::Double => "DOUBLE",
            Kind::List => "LIST",
        }
    }
}

/// The check a value must pass beyond its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// Any value of the type.
    Any,
    /// A number at least this.
    AtLeast(f64),
    /// A number in this closed range.
    Between(f64, f64),
    /// A number in this range, or exactly the given sentinel (gzip's -1).
    BetweenOr(f64, f64, f64),
    /// One of these strings (case-sensitive, as Kafka compares).
    OneOf(&'static [&'static str]),
    /// A list whose every item is one of these.
    ListOf(&'static [&'static str]),
    /// `*`, or `partition:broker` pairs (the replication throttle lists).
    Replicas,
}

/// What setting the config changes on the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The store acts on it.
    Applied,
    /// Accepted and reported; meaningless on one node or for this store (replication, remote
    /// tiers, file-system tuning).
    NoEffect,
    /// Kafka acts on it and the gateway does not yet: accepted and reported, said so in
    /// docs/COMPATIBILITY.md.
    NotYet,
}

/// One topic config.
#[derive(Debug, Clone, Copy)]
pub struct Def {
    /// The topic config's name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Kafka's default, as DescribeConfigs reports it.
    pub default: &'static str,
    /// The check on values.
    pub check: Check,
    /// The broker config a topic without its own value falls back to, as Kafka names it in
    /// synonyms (`None` where Kafka reports no synonym).
    pub broker: Option<&'static str>,
    /// What it does here.
    pub effect: Effect,
    /// One line on what it means.
    pub doc: &'static str,
}

const fn def(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    check: Check,
    broker: Option<&'static str>,
    effect: Effect,
    doc: &'static str,
) -> Def {
    Def {
        name,
        kind,
        default,
        check,
        broker,
        effect,
        doc,
    }
}

use Check::*;
use Effect::{Applied, NoEffect, NotYet};
use Kind::*;

const I64_MAX: &str = "9223372036854775807";

/// Every topic config of Kafka 4.x, by name.
pub const TOPIC_CONFIGS: &[Def] = &[
    def("cleanup.policy", List, "delete", ListOf(&["compact", "delete"]), Some("log.cleanup.policy"), Applied,
        "How old data goes: delete removes whole segments past retention; compact keeps the newest record per key."),
    def("compression.gzip.level", Int, "-1", BetweenOr(1.0, 9.0, -1.0), Some("compression.gzip.level"), NotYet,
        "Level used when the topic recompresses with gzip (-1: the codec's default)."),
    def("compression.lz4.level", Int, "9", Between(1.0, 17.0), Some("compression.lz4.level"), NotYet,
        "Level used when the topic recompresses with lz4."),
    def("compression.type", String, "producer", OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]), Some("compression.type"), NotYet,
        "Codec batches are stored with; producer keeps whatever the producer sent."),
    def("compression.zstd.level", Int, "3", Between(-131072.0, 22.0), Some("compression.zstd.level"), NotYet,
        "Level used when the topic recompresses with zstd."),
    def("delete.retention.ms", Long, "86400000", AtLeast(0.0), Some("log.cleaner.delete.retention.ms"), NotYet,
        "How long a tombstone stays readable on a compacted topic after cleaning."),
    def("errors.deadletterqueue.group.enable", Boolean, "false", Any, None, NoEffect,
        "Whether share groups may use the topic as a dead-letter queue."),
    def("file.delete.delay.ms", Long, "60000", AtLeast(0.0), Some("log.segment.delete.delay.ms"), NoEffect,
        "Grace period before a removed segment's file is deleted from disk."),
    def("flush.messages", Long, I64_MAX, AtLeast(1.0), Some("log.flush.interval.messages"), NoEffect,
        "Force an fsync after this many records (the gateway's --flush governs syncing)."),
    def("flush.ms", Long, I64_MAX, AtLeast(0.0), None, NoEffect,
        "Force an fsync after this much time (the gateway's --flush governs syncing)."),
    def("follower.replication.throttled.replicas", List, "", Replicas, None, NoEffect,
        "Replicas whose follower-side replication is throttled; one node has no followers."),
    def("index.interval.bytes", Int, "4096", AtLeast(0.0), Some("log.index.interval.bytes"), NoEffect,
        "Bytes between offset index entries."),
    def("leader.replication.throttled.replicas", List, "", Replicas, None, NoEffect,
        "Replicas whose leader-side replication is throttled; one node has no followers."),
    def("local.retention.bytes", Long, "-2", AtLeast(-2.0), Some("log.local.retention.bytes"), NoEffect,
        "Local bytes kept when tiered storage is on (-2: same as retention.bytes)."),
    def("local.retention.ms", Long, "-2", AtLeast(-2.0), Some("log.local.retention.ms"), NoEffect,
        "Local time kept when tiered storage is on (-2: same as retention.ms)."),
    def("max.compaction.lag.ms", Long, I64_MAX, AtLeast(1.0), Some("log.cleaner.max.compaction.lag.ms"), NotYet,
        "Longest a record may stay uncompacted on a compacted topic."),
    def("max.decompressed.message.bytes", Int, "2147483639", AtLeast(1.0), Some("max.decompressed.message.bytes"), NoEffect,
        "Largest a batch may grow to when decompressed for validation."),
    def("max.message.bytes", Int, "1048588", AtLeast(0.0), Some("message.max.bytes"), Applied,
        "Largest record batch the topic accepts; larger ones get MESSAGE_TOO_LARGE."),
    def("message.timestamp.after.max.ms", Long, "3600000", AtLeast(0.0), Some("log.message.timestamp.after.max.ms"), Applied,
        "How far in the future a CreateTime timestamp may be."),
    def("message.timestamp.before.max.ms", Long, I64_MAX, AtLeast(0.0), Some("log.message.timestamp.before.max.ms"), Applied,
        "How far in the past a CreateTime timestamp may be."),
    def("message.timestamp.type", String, "CreateTime", OneOf(&["CreateTime", "LogAppendTime"]), Some("log.message.timestamp.type"), Applied,
        "Whether record timestamps are the producer's or the broker's append time."),
    def("min.cleanable.dirty.ratio", Double, "0.5", Between(0.0, 1.0), Some("log.cleaner.min.cleanable.ratio"), NotYet,
        "Share of uncleaned log that makes a compacted topic eligible for cleaning."),
    def("min.compaction.lag.ms", Long, "0", AtLeast(0.0), Some("log.cleaner.min.compaction.lag.ms"), NotYet,
        "Shortest a record stays uncompacted on a compacted topic."),
    def("min.insync.replicas", Int, "1", AtLeast(1.0), Some("min.insync.replicas"), NoEffect,
        "Replicas that must hold a write for acks=all; one node is always its own ISR."),
    def("preallocate", Boolean, "false", Any, Some("log.preallocate"), NoEffect,
        "Whether segment files are preallocated on disk."),
    def("remote.copy.lag.bytes", Long, "-1", AtLeast(-1.0), Some("log.remote.copy.lag.bytes"), NoEffect,
        "Bytes of closed segments that may wait before upload to tiered storage."),
    def("remote.copy.lag.ms", Long, "0", AtLeast(-1.0), Some("log.remote.copy.lag.ms"), NoEffect,
        "Time closed segments may wait before upload to tiered storage."),
    def("remote.log.copy.disable", Boolean, "false", Any, None, NoEffect,
        "Stop copying segments to tiered storage."),
    def("remote.log.delete.on.disable", Boolean, "false", Any, None, NoEffect,
        "Delete tiered data when tiered storage is turned off for the topic."),
    def("remote.storage.enable", Boolean, "false", Any, None, NoEffect,
        "Tiered storage for the topic; the gateway keeps all data in its own store."),
    def("retention.bytes", Long, "-1", Any, Some("log.retention.bytes"), Applied,
        "Bytes kept per partition before the oldest segments go (-1: no limit)."),
    def("retention.ms", Long, "604800000", AtLeast(-1.0), None, Applied,
        "Time records are kept before their segment goes (-1: forever)."),
    def("segment.bytes", Int, "1073741824", AtLeast(1048576.0), Some("log.segment.bytes"), Applied,
        "Size at which a partition's active segment is closed and a new one begun."),
    def("segment.index.bytes", Int, "10485760", AtLeast(4.0), Some("log.index.size.max.bytes"), NoEffect,
        "Size of a segment's offset index."),
    def("segment.jitter.ms", Long, "0", AtLeast(0.0), None, NoEffect,
        "Random time taken off segment.ms so segments do not all roll at once."),
    def("segment.ms", Long, "604800000", AtLeast(1.0), None, Applied,
        "Age at which a partition's active segment is closed even if not full."),
    def("unclean.leader.election.enable", Boolean, "false", Any, Some("unclean.leader.election.enable"), NoEffect,
        "Whether an out-of-sync replica may become leader; one node is always in sync."),
];

/// Kafka's internal topic configs: accepted, reported only where a topic sets them.
pub const INTERNAL_CONFIGS: &[Def] = &[def(
    "internal.segment.bytes",
    Int,
    "",
    AtLeast(14.0),
    None,
    Applied,
    "For tests: a segment size below segment.bytes' 1 MiB floor; wins over segment.bytes when set.",
)];

/// The definition of topic config `name`.
pub fn lookup(name: &str) -> Option<&'static Def> {
    TOPIC_CONFIGS
        .iter()
        .chain(INTERNAL_CONFIGS)
        .find(|d| d.name == name)
}

/// The definition of `name` when `value` is one Kafka accepts for it; otherwise why it was
/// refused, in Kafka's words (INVALID_CONFIG's message).
pub fn validate(name: &str, value: &str) -> Result<&'static Def, std::string::String> {
    let Some(d) = lookup(name) else {
        return Err(format!("Unknown topic config name: {name}"));
    };
    check(d, name, value).map(|()| d)
}

/// Whether `value` passes `d`'s type and check, reported under `name` (the topic config's own
/// name, or the broker config that stands for it).
pub fn check(d: &Def, name: &str, value: &str) -> Result<(), std::string::String> {
    let trimmed = value.trim();
    // Kafka prints the parsed value: a double 2 as 2.0.
    let shown = match (d.kind, trimmed.parse::<f64>()) {
        (Double, Ok(x)) if x.is_finite() && x.fract() == 0.0 => format!("{x:.1}"),
        _ => value.to_string(),
    };
    let invalid =
        |why: std::string::String| format!("Invalid value {shown} for configuration {name}: {why}");
    let not_a_number = || invalid(format!("Not a number of type {}", d.kind.name()));
    let number: Option<f64> = match d.kind {
        Boolean => {
            if !trimmed.eq_ignore_ascii_case("true") && !trimmed.eq_ignore_ascii_case("false") {
                return Err(invalid("Expected value to be either true or false".into()));
            }
            None
        }
        Int => Some(trimmed.parse::<i32>().map_err(|_| not_a_number())? as f64),
        Long => Some(trimmed.parse::<i64>().map_err(|_| not_a_number())? as f64),
        Double => Some(
            trimmed
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(not_a_number)?,
        ),
        String | List => None,
    };
    let verdict = match (d.check, number) {
        (AtLeast(min), Some(x)) if x < min => {
            Err(invalid(format!("Value must be at least {}", show(min))))
        }
        (Between(lo, _), Some(x)) if x < lo => {
            Err(invalid(format!("Value must be at least {}", show(lo))))
        }
        (Between(_, hi), Some(x)) if x > hi => {
            Err(invalid(format!("Value must be no more than {}", show(hi))))
        }
        (BetweenOr(lo, hi, or), Some(x)) if x != or && (x < lo || x > hi) => Err(invalid(format!(
            "Value must be between {} and {} or equal to {}",
            show(lo),
            show(hi),
            show(or)
        ))),
        (OneOf(allowed), _) if !allowed.contains(&trimmed) => Err(invalid(format!(
            "String must be one of: {}",
            allowed.join(", ")
        ))),
        (ListOf(_), _) if !trimmed.is_empty() && trimmed.split(',').any(|i| i.trim().is_empty()) => {
            Err(format!("Configuration '{name}' values must not be empty."))
        }
        (ListOf(allowed), _) => match items(trimmed).find(|i| !allowed.contains(i)) {
            Some(_) => Err(invalid(format!(
                "String must be one of: {}",
                allowed.join(", ")
            ))),
            None => Ok(()),
        },
        (Replicas, _) if !replicas_ok(trimmed) => Err(format!(
            "Invalid value [{trimmed}] for configuration {name}: {name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."
        )),
        _ => Ok(()),
    };
    verdict
}

/// Broker configs topics inherit from although Kafka reports no default synonym for them
/// (their broker default is unset; a coarser unit, hours, carries it).
const UNSET_SYNONYMS: &[(&str, &str)] = &[
    ("flush.ms", "log.flush.interval.ms"),
    ("retention.ms", "log.retention.ms"),
    ("segment.jitter.ms", "log.roll.jitter.ms"),
    ("segment.ms", "log.roll.ms"),
];

/// The broker config a topic without its own value of `d` inherits from.
pub fn broker_config(d: &Def) -> Option<&'static str> {
    d.broker.or_else(|| {
        UNSET_SYNONYMS
            .iter()
            .find(|(topic, _)| *topic == d.name)
            .map(|(_, broker)| *broker)
    })
}

/// The topic config a broker config stands for (`log.retention.ms` for `retention.ms`).
pub fn by_broker_name(broker: &str) -> Option<&'static Def> {
    TOPIC_CONFIGS
        .iter()
        .find(|d| broker_config(d) == Some(broker))
}

/// The items of a list value (blank items dropped, as Kafka's list parser does).
pub fn items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn replicas_ok(value: &str) -> bool {
    if value == "*" {
        return true;
    }
    items(value).all(|i| {
        i.split_once(':').is_some_and(|(p, b)| {
            p.trim().parse::<u32>().is_ok() && b.trim().parse::<u32>().is_ok()
        })
    })
}

/// A bound as Kafka prints it (integers without a fraction).
fn show(x: f64) -> std::string::String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages and verdicts observed from a Kafka 4.4 broker answering AlterConfigs with
    /// each value (scripts/kafka.sh, kafka-configs --alter).
    #[test]
    fn verdicts_match_kafka() {
        let refused = [
            ("max.decompressed.message.bytes", "-1", "Invalid value -1 for configuration max.decompressed.message.bytes: Value must be at least 1"),
            ("remote.copy.lag.bytes", "-2", "Invalid value -2 for configuration remote.copy.lag.bytes: Value must be at least -1"),
            ("segment.bytes", "1000", "Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576"),
            ("segment.index.bytes", "3", "Invalid value 3 for configuration segment.index.bytes: Value must be at least 4"),
            ("flush.messages", "0", "Invalid value 0 for configuration flush.messages: Value must be at least 1"),
            ("cleanup.policy", "foo", "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete"),
            ("compression.gzip.level", "0", "Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1"),
            ("compression.lz4.level", "18", "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17"),
            ("compression.zstd.level", "23", "Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22"),
            ("max.message.bytes", "-1", "Invalid value -1 for configuration max.message.bytes: Value must be at least 0"),
            ("retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1"),
            ("segment.ms", "0", "Invalid value 0 for configuration segment.ms: Value must be at least 1"),
            ("index.interval.bytes", "-1", "Invalid value -1 for configuration index.interval.bytes: Value must be at least 0"),
            ("leader.replication.throttled.replicas", "x", "Invalid value [x] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."),
            ("min.insync.replicas", "0", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"),
            ("retention.bytes", "abc", "Invalid value abc for configuration retention.bytes: Not a number of type LONG"),
            ("nosuch.config", "1", "Unknown topic config name: nosuch.config"),
            ("min.cleanable.dirty.ratio", "2", "Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"),
            ("cleanup.policy", "compact,", "Configuration 'cleanup.policy' values must not be empty."),
        ];
        for (name, value, message) in refused {
            assert_eq!(
                validate(name, value).map(|d| d.name),
                Err(message.to_string()),
                "{name}={value}"
            );
        }
        for (name, value) in [
            ("remote.copy.lag.ms", "-1"),
            ("cleanup.policy", ""),
            ("cleanup.policy", "compact,delete"),
            ("leader.replication.throttled.replicas", "0:1,1:1"),
            ("follower.replication.throttled.replicas", "*"),
            ("compression.gzip.level", "-1"),
            ("min.cleanable.dirty.ratio", "0.1"),
            ("preallocate", "TRUE"),
        ] {
            assert_eq!(
                validate(name, value).map(|d| d.name),
                Ok(name),
                "{name}={value}"
            );
        }
    }

    /// The 37 topic configs a Kafka 4.4 broker lists, each once, with a default its own
    /// check accepts.
    #[test]
    fn every_default_passes_its_own_check() {
        assert_eq!(TOPIC_CONFIGS.len(), 37);
        for d in TOPIC_CONFIGS {
            assert_eq!(
                validate(d.name, d.default).map(|d| d.name),
                Ok(d.name),
                "{}",
                d.name
            );
            assert_eq!(TOPIC_CONFIGS.iter().filter(|o| o.name == d.name).count(), 1);
        }
    }
}
