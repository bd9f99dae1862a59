//! One partition's record log, synchronous and in domain terms: ordered whole batches with
//! dense offsets. [`LocalStorage`](super::LocalStorage) serialises access with a mutex that is
//! never held across an `.await`.

use bytes::Bytes;
use kafka_wire::records::BatchHeader;

use super::{StorageError, TopicConfig};

/// A batch's placement, computed before it is written.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Offset assigned to its first record.
    pub base_offset: i64,
    /// Offset of its last record.
    pub last_offset: i64,
    /// Its largest timestamp.
    pub max_timestamp: i64,
}

/// A partition's record log.
pub trait PartitionLog: Send {
    /// First offset kept.
    fn log_start(&self) -> i64;
    /// Next offset to be written (the high watermark on a single node).
    fn next_offset(&self) -> i64;
    /// Bytes of record data kept.
    fn size_bytes(&self) -> u64;
    /// Append one batch, given as consecutive byte regions whose concatenation is the batch with
    /// its base offset already set to `at.base_offset`.
    fn append(
        &mut self,
        parts: &[&[u8]],
        at: Placement,
        now_ms: i64,
        config: &TopicConfig,
    ) -> Result<(), StorageError>;
    /// Whole batches, back to back, from the one holding `offset`: at most `max_bytes` but at
    /// least one batch.
    fn read(&self, offset: i64, max_bytes: usize) -> Result<Bytes, StorageError>;
    /// The first batch whose max timestamp is ≥ `timestamp`.
    fn batch_at_timestamp(&self, timestamp: i64) -> Result<Option<Bytes>, StorageError>;
    /// The batch holding the largest timestamp.
    fn batch_with_max_timestamp(&self) -> Result<Option<Bytes>, StorageError>;
    /// Move the log start forward to `offset` (dropping whole segments below it).
    fn advance_log_start(&mut self, offset: i64) -> Result<(), StorageError>;
    /// Delete what retention says is expired or over size.
    fn enforce_retention(&mut self, now_ms: i64, config: &TopicConfig) -> Result<(), StorageError>;
    /// Make appended data durable.
    fn flush(&mut self) -> Result<(), StorageError>;
    /// Duplicated handles of the files a flush must sync, so a background flush can fsync
    /// without holding the partition's lock (appends go on meanwhile).
    fn sync_handles(&mut self) -> Result<Vec<std::fs::File>, StorageError>;
    /// Headers of the batches still stored, oldest first (rebuilds producer state on start).
    fn batch_headers(&self) -> Result<Vec<BatchHeader>, StorageError>;
    /// Remove the log's data for good.
    fn destroy(self: Box<Self>) -> Result<(), StorageError>;
}

/// Opens (or creates) partition logs; one per backend.
pub trait LogFactory: Send + Sync + 'static {
    /// Open the log of `topic`/`partition`, creating it if absent.
    fn open(&self, topic: &str, partition: i32) -> Result<Box<dyn PartitionLog>, StorageError>;
}
