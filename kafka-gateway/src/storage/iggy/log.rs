//! Appending Kafka batches to Iggy partitions and reading them back as rebuilt batches.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use iggy::prelude::{
    Consumer, Identifier, IggyMessage, MessageClient, Partitioning, PolledMessages, PollingStrategy,
};
use kafka_wire::records::{Batch, DEFAULT_MAX_DECOMPRESSED};

use super::{lock, mapping, micros, partition_id, timed, IggyStorage};
use crate::storage::producers::Check;
use crate::storage::{Appended, BatchIn, ReadOut, Storage, StorageError, TopicPartition};

/// Messages asked for per poll when scanning a partition.
const SCAN_CHUNK: u32 = 1000;
/// The most messages one fetch polls (Iggy polls by count, not bytes).
const MAX_POLL: i64 = 10_000;

fn unreadable(e: mapping::MappingError) -> StorageError {
    StorageError::Invalid(e.to_string())
}

impl IggyStorage {
    fn message_id(&self) -> u128 {
        (u128::from(self.id_prefix) << 64)
            | u128::from(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Poll one partition without touching any stored consumer offset.
    pub(super) async fn poll(
        &self,
        tp: &TopicPartition,
        strategy: PollingStrategy,
        count: u32,
    ) -> Result<PolledMessages, StorageError> {
        let (s, t) = self.place(&tp.topic)?;
        let consumer = Consumer::new(Identifier::numeric(0).map_err(super::iggy_err)?);
        let p = Some(partition_id(tp)?);
        let call = self
            .client
            .poll_messages(&s, &t, p, &consumer, &strategy, count, false);
        timed(call).await
    }

    /// The offset Iggy gave the first of `ids` (sent together, so stored contiguously).
    async fn locate(&self, tp: &TopicPartition, ids: &[u128]) -> Result<i64, StorageError> {
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
            return Err(StorageError::Invalid("empty append".into()));
        };
        let n = ids.len() as u64;
        let tail = self.poll(tp, PollingStrategy::last(), 1).await?;
        let Some(m) = tail.messages.first() else {
            return Err(StorageError::Unavailable(
                "appended messages not found".into(),
            ));
        };
        if m.header.id == last {
            return Ok(m.header.offset.saturating_sub(n - 1) as i64);
        }
        // Another writer appended after us: search backwards for our first message.
        let mut end = m.header.offset;
        for _ in 0..100 {
            let start = end.saturating_sub(u64::from(SCAN_CHUNK) - 1);
            let count = (end - start + 1) as u32;
            let window = self.poll(tp, PollingStrategy::offset(start), count).await?;
            if let Some(ours) = window.messages.iter().find(|m| m.header.id == first) {
                return Ok(ours.header.offset as i64);
            }
            if start == 0 {
                break;
            }
            end = start - 1;
        }
        Err(StorageError::Unavailable(
            "could not find the offset of appended messages".into(),
        ))
    }

    /// One Kafka batch → one `send_messages` call; returns the base offset.
    async fn send(&self, tp: &TopicPartition, b: &BatchIn) -> Result<i64, StorageError> {
        let invalid = |e: String| StorageError::InvalidRecord(e);
        let (batch, _) = Batch::parse(&b.bytes).map_err(|e| invalid(e.to_string()))?;
        let records = batch
            .records(DEFAULT_MAX_DECOMPRESSED)
            .map_err(|e| invalid(e.to_string()))?;
        let base_ts = batch.header.base_timestamp;
        let mut ids = Vec::with_capacity(records.len());
        let mut msgs: Vec<IggyMessage> = Vec::with_capacity(records.len());
        for r in &records {
            let id = self.message_id();
            ids.push(id);
            let m = mapping::to_message(r, base_ts + r.timestamp_delta, id)
                .map_err(|e| invalid(e.to_string()))?;
            msgs.push(m);
        }
        let (s, t) = self.place(&tp.topic)?;
        let to = Partitioning::partition_id(partition_id(tp)?);
        timed(self.client.send_messages(&s, &t, &to, &mut msgs)).await?;
        self.locate(tp, &ids).await
    }

    /// Append batches in order, answering idempotent retries from the producer table.
    pub(super) async fn append_batches(
        &self,
        tp: &TopicPartition,
        batches: Vec<BatchIn>,
    ) -> Result<Appended, StorageError> {
        let gate = lock(&self.append_locks)
            .entry(tp.clone())
            .or_default()
            .clone();
        let _serialised = gate.lock().await;
        let mut first: Option<i64> = None;
        let mut duplicate = false;
        for b in &batches {
            let idempotent = b.producer_id >= 0 && b.base_sequence >= 0;
            let seq = (b.producer_id, b.producer_epoch, b.base_sequence);
            if idempotent {
                let check = lock(&self.producers).entry(tp.clone()).or_default().check(
                    seq.0,
                    seq.1,
                    seq.2,
                    b.last_offset_delta,
                )?;
                if let Check::Duplicate(base) = check {
                    first.get_or_insert(base);
                    duplicate = true;
                    continue;
                }
            }
            let base = self.send(tp, b).await?;
            if idempotent {
                lock(&self.producers).entry(tp.clone()).or_default().record(
                    seq.0,
                    seq.1,
                    seq.2,
                    b.last_offset_delta,
                    base,
                );
            }
            first.get_or_insert(base);
        }
        let o = self.offsets(tp).await?;
        self.notify(tp, o.high_watermark);
        Ok(Appended {
            base_offset: first.unwrap_or(o.high_watermark),
            log_start: o.log_start,
            duplicate,
        })
    }

    /// Messages from `offset` rebuilt as one batch of at most `max_bytes` (at least one record).
    pub(super) async fn read_from(
        &self,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<ReadOut, StorageError> {
        let o = self.offsets(tp).await?;
        if offset < o.log_start || offset > o.high_watermark {
            return Err(StorageError::OffsetOutOfRange {
                offset,
                log_start: o.log_start,
                high_watermark: o.high_watermark,
            });
        }
        let mut out = ReadOut {
            records: Bytes::new(),
            high_watermark: o.high_watermark,
            log_start: o.log_start,
        };
        let available = o.high_watermark - offset;
        if available == 0 {
            return Ok(out);
        }
        // Iggy polls by count: ask for what the byte budget could hold at 64 bytes a record,
        // then cut the rebuilt batch to the budget (always keeping at least one record).
        let want = available.min((max_bytes / 64).clamp(1, MAX_POLL as usize) as i64) as u32;
        let polled = self
            .poll(tp, PollingStrategy::offset(offset as u64), want)
            .await?;
        let mut msgs = polled.messages;
        while let Some(batch) = mapping::rebuild_batch(&msgs).map_err(unreadable)? {
            if batch.len() <= max_bytes || msgs.len() == 1 {
                out.records = batch;
                break;
            }
            let keep = (msgs.len() * max_bytes / batch.len()).clamp(1, msgs.len() - 1);
            msgs.truncate(keep);
        }
        Ok(out)
    }

    /// The first message whose record timestamp (Iggy's origin timestamp) is ≥ `ts`, as a
    /// batch. Iggy's own timestamp poll goes by append time, which is never earlier than the
    /// record's own timestamp from a producer with a sane clock: every message before the
    /// one it finds is older, so the scan for the record timestamp starts there.
    pub(super) async fn first_at_timestamp(
        &self,
        tp: &TopicPartition,
        ts: i64,
    ) -> Result<Option<Bytes>, StorageError> {
        let hw = self.offsets(tp).await?.high_watermark;
        let at = self
            .poll(tp, PollingStrategy::timestamp(micros(ts)), 1)
            .await?;
        let Some(mut next) = at.messages.first().map(|m| m.header.offset) else {
            return Ok(None);
        };
        let want = micros(ts).as_micros();
        while (next as i64) < hw {
            let chunk = self
                .poll(tp, PollingStrategy::offset(next), SCAN_CHUNK)
                .await?;
            let Some(last) = chunk.messages.last().map(|m| m.header.offset) else {
                break;
            };
            if let Some(i) = chunk
                .messages
                .iter()
                .position(|m| mapping::record_time_us(m) >= want)
            {
                return mapping::rebuild_batch(&chunk.messages[i..i + 1]).map_err(unreadable);
            }
            next = last + 1;
        }
        Ok(None)
    }
}
