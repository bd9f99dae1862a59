//! The in-memory log: batches in a vector. For tests and throwaway runs; nothing survives a
//! restart.

use bytes::Bytes;
use kafka_wire::records::{Batch, BatchHeader};

use super::log::{LogFactory, PartitionLog, Placement};
use super::{StorageError, TopicConfig};

#[derive(Debug, Clone)]
struct Stored {
    base: i64,
    last: i64,
    max_ts: i64,
    bytes: Bytes,
}

/// A partition log held in memory.
#[derive(Debug, Default)]
pub struct MemoryLog {
    batches: Vec<Stored>,
    log_start: i64,
    next: i64,
}

/// Opens [`MemoryLog`]s.
#[derive(Debug, Default)]
pub struct MemoryFactory;

impl LogFactory for MemoryFactory {
    fn open(&self, _topic: &str, _partition: i32) -> Result<Box<dyn PartitionLog>, StorageError> {
        Ok(Box::new(MemoryLog::default()))
    }
}

impl MemoryLog {
    fn first_holding(&self, offset: i64) -> usize {
        self.batches.partition_point(|b| b.last < offset)
    }
}

impl PartitionLog for MemoryLog {
    fn log_start(&self) -> i64 {
        self.log_start
    }

    fn size_bytes(&self) -> u64 {
        self.batches.iter().map(|b| b.bytes.len() as u64).sum()
    }

    fn next_offset(&self) -> i64 {
        self.next
    }

    fn append(
        &mut self,
        parts: &[&[u8]],
        at: Placement,
        _now_ms: i64,
        _: &TopicConfig,
    ) -> Result<(), StorageError> {
        let bytes = Bytes::from(parts.concat());
        self.batches.push(Stored {
            base: at.base_offset,
            last: at.last_offset,
            max_ts: at.max_timestamp,
            bytes,
        });
        self.next = at.last_offset + 1;
        Ok(())
    }

    fn read(&self, offset: i64, max_bytes: usize) -> Result<Bytes, StorageError> {
        let mut out: Vec<&Bytes> = Vec::new();
        let mut total = 0;
        for b in self
            .batches
            .get(self.first_holding(offset)..)
            .unwrap_or_default()
        {
            if !out.is_empty() && total + b.bytes.len() > max_bytes {
                break;
            }
            total += b.bytes.len();
            out.push(&b.bytes);
        }
        Ok(match out.as_slice() {
            [one] => (*one).clone(),
            many => Bytes::from(
                many.iter()
                    .flat_map(|b| b.iter().copied())
                    .collect::<Vec<u8>>(),
            ),
        })
    }

    fn batch_at_timestamp(&self, timestamp: i64) -> Result<Option<Bytes>, StorageError> {
        let start = self.first_holding(self.log_start);
        Ok(self
            .batches
            .get(start..)
            .unwrap_or_default()
            .iter()
            .find(|b| b.max_ts >= timestamp)
            .map(|b| b.bytes.clone()))
    }

    fn batch_with_max_timestamp(&self) -> Result<Option<Bytes>, StorageError> {
        let start = self.first_holding(self.log_start);
        let live = self.batches.get(start..).unwrap_or_default();
        // The first batch holding the maximum, as Kafka reports the earliest such offset.
        let max = live.iter().map(|b| b.max_ts).max();
        Ok(max
            .and_then(|m| live.iter().find(|b| b.max_ts == m))
            .map(|b| b.bytes.clone()))
    }

    fn advance_log_start(&mut self, offset: i64) -> Result<(), StorageError> {
        self.log_start = self.log_start.max(offset.min(self.next));
        let keep = self.batches.partition_point(|b| b.last < self.log_start);
        self.batches.drain(..keep);
        Ok(())
    }

    fn enforce_retention(&mut self, now_ms: i64, config: &TopicConfig) -> Result<(), StorageError> {
        let ms = config.retention_ms();
        if ms >= 0 {
            let expired = self.batches.partition_point(|b| b.max_ts < now_ms - ms);
            if let Some(b) = self.batches.get(expired) {
                let start = b.base;
                self.advance_log_start(start)?;
            } else if expired > 0 {
                let next = self.next;
                self.advance_log_start(next)?;
            }
        }
        let limit = config.retention_bytes();
        if limit >= 0 {
            let mut total: usize = self.batches.iter().map(|b| b.bytes.len()).sum();
            let mut drop_to = None;
            for b in &self.batches {
                if total as i64 <= limit {
                    break;
                }
                total -= b.bytes.len();
                drop_to = Some(b.last + 1);
            }
            if let Some(o) = drop_to {
                self.advance_log_start(o)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StorageError> {
        Ok(())
    }

    fn sync_handles(&mut self) -> Result<Vec<std::fs::File>, StorageError> {
        Ok(Vec::new())
    }

    fn batch_headers(&self) -> Result<Vec<BatchHeader>, StorageError> {
        Ok(self
            .batches
            .iter()
            .filter_map(|b| Batch::parse(&b.bytes).ok())
            .map(|(b, _)| b.header)
            .collect())
    }

    fn destroy(self: Box<Self>) -> Result<(), StorageError> {
        Ok(())
    }
}
