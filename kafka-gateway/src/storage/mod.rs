//! The storage seam: what the gateway needs from a log store, in domain terms (topics,
//! partitions, offsets, record batches as `Bytes`) — never wire structs, so a backend such as
//! Apache Iggy never learns about Kafka versions.
//!
//! [`LocalStorage`] implements [`Storage`] for the embedded stores; it owns the topic registry,
//! idempotent-producer state and append notifications, and delegates bytes to a
//! [`PartitionLog`](log::PartitionLog): [`memory`] for tests, [`file`] for durable segments.

pub mod config;
pub mod file;
pub mod iggy;
pub mod local;
pub mod log;
pub mod memory;
pub mod offsets;
pub mod producers;

use async_trait::async_trait;
use bytes::Bytes;
use kafka_wire::primitives::Uuid;
use tokio::sync::watch;

pub use config::{Inherited, TopicConfig};
pub use local::LocalStorage;

/// Why a storage operation failed, mapped to a Kafka error code by the handlers.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The topic or partition does not exist.
    #[error("unknown topic or partition {0}")]
    UnknownTopicOrPartition(String),
    /// A topic with this name exists already.
    #[error("topic {0} already exists")]
    TopicExists(String),
    /// The requested offset lies outside the log.
    #[error("offset {offset} is outside [{log_start}, {high_watermark}]")]
    OffsetOutOfRange {
        /// Offset asked for.
        offset: i64,
        /// First offset kept.
        log_start: i64,
        /// Next offset to be written.
        high_watermark: i64,
    },
    /// A produced batch reuses sequence numbers out of order.
    #[error("out of order sequence: expected {expected}, got {got}")]
    OutOfOrderSequence {
        /// The next sequence expected.
        expected: i32,
        /// The sequence received.
        got: i32,
    },
    /// A produced batch has an older producer epoch than one already seen.
    #[error("producer epoch {got} is older than {current}")]
    InvalidProducerEpoch {
        /// Epoch received.
        got: i16,
        /// Current epoch.
        current: i16,
    },
    /// The requested change is not valid (e.g. fewer partitions).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A configuration is invalid; for topic configs the text is Kafka's own, sent as it is.
    #[error("{0}")]
    InvalidConfig(String),
    /// A record cannot be stored as it is (e.g. over a backend's header limits).
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    /// The backend cannot be reached or failed; the client should retry.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Disk or backend I/O failed.
    #[error("storage I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// A topic and partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: i32,
}

/// What a topic is: name, id, partition count and configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicMeta {
    /// Topic name.
    pub name: String,
    /// Topic id (stable across restarts).
    pub id: Uuid,
    /// Number of partitions.
    pub partitions: i32,
    /// Configuration.
    pub config: TopicConfig,
}

/// One batch to append: a validated v2 record batch, as received.
#[derive(Debug, Clone)]
pub struct BatchIn {
    /// The whole batch; its base offset and leader epoch are rewritten on append.
    pub bytes: Bytes,
    /// Offset delta of its last record (record count - 1).
    pub last_offset_delta: i32,
    /// Largest record timestamp in the batch.
    pub max_timestamp: i64,
    /// Producer id, or -1.
    pub producer_id: i64,
    /// Producer epoch, or -1.
    pub producer_epoch: i16,
    /// Base sequence, or -1.
    pub base_sequence: i32,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Log start offset after the append.
    pub log_start: i64,
    /// True when the batch was a retried duplicate and was not written again.
    pub duplicate: bool,
}

/// Record data read from a partition, plus its offsets.
#[derive(Debug, Clone, Default)]
pub struct ReadOut {
    /// Whole batches, in offset order, back to back.
    pub records: Bytes,
    /// The next offset to be written.
    pub high_watermark: i64,
    /// The first offset kept.
    pub log_start: i64,
}

impl ReadOut {
    /// Bytes of record data read.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// A partition's offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offsets {
    /// First offset kept.
    pub log_start: i64,
    /// Next offset to be written.
    pub high_watermark: i64,
}

/// A log store the gateway can serve Kafka clients from.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Create a topic.
    async fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        config: TopicConfig,
    ) -> Result<TopicMeta, StorageError>;
    /// Delete a topic and its data.
    async fn delete_topic(&self, name: &str) -> Result<(), StorageError>;
    /// Grow a topic to `total` partitions.
    async fn create_partitions(&self, name: &str, total: i32) -> Result<(), StorageError>;
    /// Replace a topic's explicit configs (AlterConfigs): persisted, and in force for its
    /// partitions from the next append or retention pass.
    async fn alter_topic_config(&self, name: &str, config: TopicConfig)
        -> Result<(), StorageError>;
    /// The idempotent producers that wrote to a partition (DescribeProducers).
    async fn producer_states(
        &self,
        tp: &TopicPartition,
    ) -> Result<Vec<producers::ProducerSnapshot>, StorageError>;
    /// The broker-level values every topic inherits where it sets nothing (the gateway's
    /// settings and the dynamic broker configs); topics created later inherit them too.
    async fn set_inherited(&self, inherited: Inherited);
    /// Every topic.
    async fn topics(&self) -> Vec<TopicMeta>;
    /// One topic, by name.
    async fn topic(&self, name: &str) -> Option<TopicMeta>;
    /// Append batches to a partition; idempotent duplicates are answered, not rewritten.
    async fn append(
        &self,
        tp: &TopicPartition,
        batches: Vec<BatchIn>,
    ) -> Result<Appended, StorageError>;
    /// Read whole batches from the one holding `offset`, up to `max_bytes` (at least one batch).
    async fn read(
        &self,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<ReadOut, StorageError>;
    /// A partition's offsets.
    async fn offsets(&self, tp: &TopicPartition) -> Result<Offsets, StorageError>;
    /// The first batch holding a record with timestamp ≥ `timestamp`.
    async fn batch_at_timestamp(
        &self,
        tp: &TopicPartition,
        timestamp: i64,
    ) -> Result<Option<Bytes>, StorageError>;
    /// The batch holding the largest timestamp, if any.
    async fn batch_with_max_timestamp(
        &self,
        tp: &TopicPartition,
    ) -> Result<Option<Bytes>, StorageError>;
    /// Advance the log start to `offset` (DeleteRecords); returns the new log start.
    async fn delete_records(&self, tp: &TopicPartition, offset: i64) -> Result<i64, StorageError>;
    /// A new idempotent producer id.
    async fn next_producer_id(&self) -> Result<i64, StorageError>;
    /// A channel that changes whenever the partition's high watermark moves.
    async fn watch(&self, tp: &TopicPartition) -> Option<watch::Receiver<i64>>;
    /// The stable cluster id.
    fn cluster_id(&self) -> String;
    /// Make everything written durable.
    async fn flush(&self) -> Result<(), StorageError>;
    /// Apply retention (time and size) to every partition.
    async fn enforce_retention(&self, now_ms: i64) -> Result<(), StorageError>;
    /// Store committed offsets of a consumer group (durable before returning).
    async fn commit_offsets(
        &self,
        group: &str,
        offsets: Vec<(TopicPartition, offsets::Committed)>,
    ) -> Result<(), StorageError>;
    /// A group's committed offsets.
    async fn committed_offsets(&self, group: &str) -> Vec<(TopicPartition, offsets::Committed)>;
    /// Delete some (or, with `None`, all) of a group's committed offsets.
    async fn delete_offsets(
        &self,
        group: &str,
        which: Option<Vec<TopicPartition>>,
    ) -> Result<(), StorageError>;
    /// Groups that have committed offsets.
    async fn offset_groups(&self) -> Vec<String>;
    /// Bytes a partition's log holds, where the backend knows it (for metrics).
    async fn log_size(&self, _tp: &TopicPartition) -> Option<u64> {
        None
    }
    /// Whether the backend can serve requests now (readiness): recovered, and connected where
    /// it has something to connect to.
    fn ready(&self) -> bool {
        true
    }
}
