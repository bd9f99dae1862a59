//! Appending Kafka batches to Iggy partitions and reading them back as rebuilt batches.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use iggy::prelude::{
    Consumer, Identifier, IggyClient, IggyMessage, MessageClient, Partitioning, PolledMessages,
    PollingStrategy,
};
use kafka_wire::records::{Batch, DEFAULT_MAX_DECOMPRESSED};

use super::{lock, mapping, micros, partition_id, timed, IggyStorage};
use crate::storage::producers::Check;
use crate::storage::{Appended, BatchIn, Offsets, ReadOut, Storage, StorageError, TopicPartition};

/// Messages asked for per poll when scanning a partition.
const SCAN_CHUNK: u32 = 1000;
/// Header bytes set aside per record before a batch is mapped (a version and a short key).
const HEADER_BYTES_GUESS: usize = 64;
/// The most messages one fetch polls (Iggy polls by count, not bytes).
const MAX_POLL: i64 = 10_000;

/// A poll that owns what it needs, so it can also run as a read-ahead task.
pub(super) async fn poll_with(
    client: &IggyClient,
    stream: Identifier,
    topic: Identifier,
    partition: u32,
    strategy: PollingStrategy,
    count: u32,
) -> Result<PolledMessages, StorageError> {
    let consumer = Consumer::new(Identifier::numeric(0).map_err(super::iggy_err)?);
    let call = client.poll_messages(
        &stream,
        &topic,
        Some(partition),
        &consumer,
        &strategy,
        count,
        false,
    );
    timed(call).await
}

fn unreadable(e: mapping::MappingError) -> StorageError {
    StorageError::Invalid(e.to_string())
}

/// What this gateway tracks of one partition it writes to.
#[derive(Default)]
pub(super) struct Partition {
    /// Held while sending, so this gateway's appends reach Iggy in the order they came.
    gate: tokio::sync::Mutex<()>,
    /// The offset this gateway expects its next message to get (`None`: ask Iggy).
    next: Mutex<Option<i64>>,
    /// The log start last seen.
    log_start: AtomicI64,
    /// What the next sequential fetch will want.
    pub(super) ahead: Mutex<super::readahead::Queue>,
}

impl Partition {
    /// Remember offsets read from Iggy.
    pub(super) fn seen(&self, o: Offsets) {
        self.log_start.store(o.log_start, Ordering::Relaxed);
    }

    fn expect(&self) -> Option<i64> {
        *super::lock(&self.next)
    }

    fn set_next(&self, next: Option<i64>) {
        *super::lock(&self.next) = next;
    }
}

/// A batch's messages, ready to send.
struct Prepared {
    msgs: Vec<IggyMessage>,
    ids: Vec<u128>,
}

/// Messages sent in one call, waiting to learn their base offset.
struct Sent {
    ids: Vec<u128>,
    /// Where this gateway expects them, if it knows.
    expected: Option<i64>,
}

impl IggyStorage {
    pub(super) fn partition(&self, tp: &TopicPartition) -> Arc<Partition> {
        lock(&self.partitions)
            .entry(tp.clone())
            .or_default()
            .clone()
    }

    fn message_id(&self) -> u128 {
        (u128::from(self.id_prefix) << 64)
            | u128::from(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Poll one partition (on the reader connection) without touching stored consumer offsets.
    pub(super) async fn poll(
        &self,
        tp: &TopicPartition,
        strategy: PollingStrategy,
        count: u32,
    ) -> Result<PolledMessages, StorageError> {
        let (s, t) = self.place(&tp.topic)?;
        poll_with(&self.reader, s, t, partition_id(tp)?, strategy, count).await
    }

    /// The offset Iggy gave the first of `sent` (sent together, so stored contiguously): where
    /// this gateway expected it if the message there carries its id (one small poll), else
    /// searched from the end of the partition.
    async fn locate(&self, tp: &TopicPartition, sent: &Sent) -> Result<i64, StorageError> {
        let (Some(&first), Some(&last)) = (sent.ids.first(), sent.ids.last()) else {
            return Err(StorageError::Invalid("empty append".into()));
        };
        if let Some(e) = sent.expected {
            let at = self.poll(tp, PollingStrategy::offset(e as u64), 1).await?;
            if at.messages.first().is_some_and(|m| m.header.id == first) {
                return Ok(e);
            }
            // Someone else writes here too: stop guessing until offsets are read again.
            self.partition(tp).set_next(None);
        }
        let n = sent.ids.len() as u64;
        let tail = self.poll(tp, PollingStrategy::last(), 1).await?;
        let Some(m) = tail.messages.first() else {
            return Err(StorageError::Unavailable(
                "appended messages not found".into(),
            ));
        };
        if m.header.id == last {
            return Ok(m.header.offset.saturating_sub(n - 1) as i64);
        }
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

    /// A Kafka batch's records as Iggy messages, each with a fresh id (done before taking the
    /// partition's gate, so this work overlaps other requests' sends).
    fn prepare(&self, b: &BatchIn) -> Result<Prepared, StorageError> {
        let invalid = |e: String| StorageError::InvalidRecord(e);
        let (batch, _) = Batch::parse(&b.bytes).map_err(|e| invalid(e.to_string()))?;
        let records = batch
            .records(DEFAULT_MAX_DECOMPRESSED)
            .map_err(|e| invalid(e.to_string()))?;
        let base_ts = batch.header.base_timestamp;
        let mut ids = Vec::with_capacity(records.len());
        let mut msgs: Vec<IggyMessage> = Vec::with_capacity(records.len());
        // Every message's headers are split off one buffer: one allocation for the batch.
        let mut headers = BytesMut::with_capacity(records.len() * HEADER_BYTES_GUESS);
        for r in &records {
            let id = self.message_id();
            ids.push(id);
            let m = mapping::to_message(r, base_ts + r.timestamp_delta, id, &mut headers)
                .map_err(|e| invalid(e.to_string()))?;
            msgs.push(m);
        }
        Ok(Prepared { msgs, ids })
    }

    /// One Kafka batch → one `send_messages` call (the caller holds the partition's gate).
    async fn send(
        &self,
        tp: &TopicPartition,
        part: &Partition,
        prepared: Prepared,
    ) -> Result<Sent, StorageError> {
        let Prepared { mut msgs, ids } = prepared;
        let expected = match part.expect() {
            Some(next) => Some(next),
            None => Some(self.offsets(tp).await?.high_watermark),
        };
        let (s, t) = self.place(&tp.topic)?;
        let to = Partitioning::partition_id(partition_id(tp)?);
        if let Err(e) = timed(self.client.send_messages(&s, &t, &to, &mut msgs)).await {
            part.set_next(None);
            return Err(e);
        }
        part.set_next(expected.map(|e| e + ids.len() as i64));
        Ok(Sent { ids, expected })
    }

    /// Append batches in order. Sends are serialised per partition; plain batches learn their
    /// offsets after the gate is released, so the next request's send overlaps this check.
    /// Idempotent batches are checked and recorded under the gate, answering retries from
    /// the producer table.
    pub(super) async fn append_batches(
        &self,
        tp: &TopicPartition,
        batches: Vec<BatchIn>,
    ) -> Result<Appended, StorageError> {
        let part = self.partition(tp);
        let mut bases: Vec<i64> = Vec::new();
        let mut pending: Vec<Sent> = Vec::new();
        let mut duplicate = false;
        let prepared = batches
            .iter()
            .map(|b| self.prepare(b))
            .collect::<Result<Vec<_>, _>>()?;
        {
            let _gate = part.gate.lock().await;
            for (b, prepared) in batches.iter().zip(prepared) {
                let seq = (b.producer_id, b.producer_epoch, b.base_sequence);
                if !(seq.0 >= 0 && seq.2 >= 0) {
                    pending.push(self.send(tp, &part, prepared).await?);
                    continue;
                }
                let check = lock(&self.producers).entry(tp.clone()).or_default().check(
                    seq.0,
                    seq.1,
                    seq.2,
                    b.last_offset_delta,
                )?;
                if let Check::Duplicate(base) = check {
                    bases.push(base);
                    duplicate = true;
                    continue;
                }
                let sent = self.send(tp, &part, prepared).await?;
                let base = self.locate(tp, &sent).await?;
                lock(&self.producers).entry(tp.clone()).or_default().record(
                    seq.0,
                    seq.1,
                    seq.2,
                    b.last_offset_delta,
                    base,
                    b.max_timestamp,
                );
                bases.push(base);
            }
        }
        let mut end = None;
        for sent in &pending {
            let base = self.locate(tp, sent).await?;
            bases.push(base);
            end = Some(base + sent.ids.len() as i64);
        }
        if let Some(hw) = end {
            self.notify(tp, hw);
        }
        let Some(&base_offset) = bases.iter().min() else {
            return Err(StorageError::Invalid("empty append".into()));
        };
        Ok(Appended {
            base_offset,
            log_start: part.log_start.load(Ordering::Relaxed),
            duplicate,
        })
    }

    /// Messages from `offset` rebuilt as one batch of at most `max_bytes` (at least one
    /// record), in one poll: the partition's end comes with the answer.
    pub(super) async fn read_from(
        &self,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<ReadOut, StorageError> {
        let log_start = self.partition(tp).log_start.load(Ordering::Relaxed);
        if offset < 0 || offset < log_start {
            return Err(self.out_of_range(tp, offset).await);
        }
        // Iggy polls by count: ask for what the byte budget could hold at 64 bytes a record,
        // then cut the rebuilt batch to the budget (always keeping at least one record).
        let want = (max_bytes / 64).clamp(1, MAX_POLL as usize) as u32;
        let (polled, built) = self.messages_from(tp, offset, want).await?;
        let msgs = &polled.messages;
        let Some(first) = msgs.first().map(|m| m.header.offset as i64) else {
            // Nothing there: at the end of the log, or outside it.
            let o = self.offsets(tp).await?;
            if offset > o.high_watermark || offset < o.log_start {
                return Err(self.out_of_range(tp, offset).await);
            }
            return Ok(ReadOut {
                records: Bytes::new(),
                high_watermark: o.high_watermark,
                log_start: o.log_start,
            });
        };
        if first != offset {
            // Iggy skipped ahead: the offset was removed by retention.
            return Err(self.out_of_range(tp, offset).await);
        }
        let last = msgs.last().map_or(first, |m| m.header.offset as i64);
        let mut out = ReadOut {
            records: Bytes::new(),
            high_watermark: (polled.current_offset as i64).max(last) + 1,
            log_start,
        };
        let mut keep = msgs.len();
        if let Some(batch) = built.filter(|b| b.len() <= max_bytes) {
            out.records = batch;
            self.read_ahead(tp, polled, keep, want);
            return Ok(out);
        }
        while let Some(batch) = mapping::rebuild_batch(&msgs[..keep]).map_err(unreadable)? {
            if batch.len() <= max_bytes || keep == 1 {
                out.records = batch;
                break;
            }
            keep = (keep * max_bytes / batch.len()).clamp(1, keep - 1);
        }
        self.read_ahead(tp, polled, keep, want);
        Ok(out)
    }

    async fn out_of_range(&self, tp: &TopicPartition, offset: i64) -> StorageError {
        match self.offsets(tp).await {
            Ok(o) => StorageError::OffsetOutOfRange {
                offset,
                log_start: o.log_start,
                high_watermark: o.high_watermark,
            },
            Err(e) => e,
        }
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
