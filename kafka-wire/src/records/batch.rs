//! RecordBatch v2 (magic 2): the unit producers send and brokers store.
//!
//! | offset | field                  | type  |
//! |-------:|------------------------|-------|
//! |      0 | base_offset            | int64 |
//! |      8 | batch_length           | int32 (bytes after this field) |
//! |     12 | partition_leader_epoch | int32 |
//! |     16 | magic (2)              | int8  |
//! |     17 | crc (CRC-32C of 21..end) | uint32 |
//! |     21 | attributes             | int16 |
//! |     23 | last_offset_delta      | int32 |
//! |     27 | base_timestamp         | int64 |
//! |     35 | max_timestamp          | int64 |
//! |     43 | producer_id            | int64 |
//! |     51 | producer_epoch         | int16 |
//! |     53 | base_sequence          | int32 |
//! |     57 | records_count          | int32 |
//! |     61 | records (maybe compressed) |   |
//!
//! The CRC starts at the attributes, so a broker can rewrite the base offset and leader epoch
//! without recomputing it. Batches stay as [`Bytes`] views; records are decoded only on request.

use bytes::{BufMut, Bytes, BytesMut};

use super::compression::Compression;
use super::record::Record;
use crate::error::{finish, WireError};

/// Bytes before the records section.
pub const HEADER_SIZE: usize = 61;
/// Bytes of the batch counted before `batch_length` (base offset and the length itself).
pub const LOG_OVERHEAD: usize = 12;
/// Where the CRC-covered region begins.
const CRC_START: usize = 21;

/// Attribute bits of a v2 batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributes(pub i16);

impl Attributes {
    /// Compression codec (bits 0-2); `None` if the bits name no codec.
    pub fn compression(self) -> Option<Compression> {
        Compression::from_attributes(self.0)
    }
    /// Bit 3: timestamps are LogAppendTime rather than CreateTime.
    pub fn log_append_time(self) -> bool {
        self.0 & 0x08 != 0
    }
    /// Bit 4: part of a transaction.
    pub fn transactional(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// Bit 5: a control batch (transaction markers).
    pub fn control(self) -> bool {
        self.0 & 0x20 != 0
    }
    /// Bit 6: the base timestamp is a delete horizon (compaction).
    pub fn delete_horizon(self) -> bool {
        self.0 & 0x40 != 0
    }
}

/// The fixed header of a v2 batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Bytes after this field.
    pub batch_length: i32,
    /// Leader epoch at append.
    pub partition_leader_epoch: i32,
    /// Format version (2).
    pub magic: i8,
    /// CRC-32C of everything from the attributes on.
    pub crc: u32,
    /// Attribute bits.
    pub attributes: Attributes,
    /// Offset delta of the last record.
    pub last_offset_delta: i32,
    /// Timestamp of the first record (or delete horizon).
    pub base_timestamp: i64,
    /// Largest timestamp in the batch.
    pub max_timestamp: i64,
    /// Idempotent/transactional producer id, or -1.
    pub producer_id: i64,
    /// Producer epoch, or -1.
    pub producer_epoch: i16,
    /// Sequence of the first record, or -1.
    pub base_sequence: i32,
    /// Number of records.
    pub records_count: i32,
}

fn be<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    b.get(at..at + N)
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .unwrap_or([0; N])
}

impl BatchHeader {
    /// Read the header from the first [`HEADER_SIZE`] bytes of `b` (caller checks the length).
    fn read(b: &[u8]) -> Self {
        BatchHeader {
            base_offset: i64::from_be_bytes(be(b, 0)),
            batch_length: i32::from_be_bytes(be(b, 8)),
            partition_leader_epoch: i32::from_be_bytes(be(b, 12)),
            magic: i8::from_be_bytes(be(b, 16)),
            crc: u32::from_be_bytes(be(b, 17)),
            attributes: Attributes(i16::from_be_bytes(be(b, 21))),
            last_offset_delta: i32::from_be_bytes(be(b, 23)),
            base_timestamp: i64::from_be_bytes(be(b, 27)),
            max_timestamp: i64::from_be_bytes(be(b, 35)),
            producer_id: i64::from_be_bytes(be(b, 43)),
            producer_epoch: i16::from_be_bytes(be(b, 51)),
            base_sequence: i32::from_be_bytes(be(b, 53)),
            records_count: i32::from_be_bytes(be(b, 57)),
        }
    }

    /// Read a header from the start of `b`; `None` if `b` is shorter than [`HEADER_SIZE`].
    pub fn read_from(b: &[u8]) -> Option<Self> {
        (b.len() >= HEADER_SIZE).then(|| Self::read(b))
    }

    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }
}

/// One v2 batch: its header and the whole batch as a view of the buffer it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The parsed header.
    pub header: BatchHeader,
    /// The whole batch, header included.
    pub raw: Bytes,
}

impl Batch {
    /// Parse the batch at the start of `data`; returns it and the bytes after it.
    pub fn parse(data: &Bytes) -> Result<(Batch, Bytes), WireError> {
        let invalid = |reason: String| WireError::InvalidRecords {
            field: "RecordBatch",
            reason,
        };
        if data.len() < HEADER_SIZE {
            return Err(WireError::Truncated {
                field: "RecordBatch",
                needed: HEADER_SIZE,
                remaining: data.len(),
            });
        }
        let header = BatchHeader::read(data);
        if header.magic != 2 {
            return Err(invalid(format!("magic {} is not 2", header.magic)));
        }
        let total = usize::try_from(header.batch_length)
            .ok()
            .and_then(|l| l.checked_add(LOG_OVERHEAD))
            .filter(|t| *t >= HEADER_SIZE)
            .ok_or_else(|| invalid(format!("batch_length {} is too small", header.batch_length)))?;
        if data.len() < total {
            return Err(WireError::Truncated {
                field: "RecordBatch",
                needed: total,
                remaining: data.len(),
            });
        }
        if header.records_count < 0 {
            return Err(invalid(format!(
                "records_count {} is negative",
                header.records_count
            )));
        }
        Ok((
            Batch {
                header,
                raw: data.slice(..total),
            },
            data.slice(total..),
        ))
    }

    /// The records section (compressed if the attributes say so).
    pub fn payload(&self) -> Bytes {
        self.raw.slice(HEADER_SIZE.min(self.raw.len())..)
    }

    /// Check the CRC-32C over attributes..end.
    pub fn verify_crc(&self) -> Result<(), WireError> {
        let computed = crc32c::crc32c(self.raw.get(CRC_START..).unwrap_or_default());
        if computed != self.header.crc {
            return Err(WireError::BadCrc {
                field: "RecordBatch.crc",
                expected: self.header.crc,
                computed,
            });
        }
        Ok(())
    }

    /// Decode the records, inflating at most `max_decompressed` bytes.
    pub fn records(&self, max_decompressed: usize) -> Result<Vec<Record>, WireError> {
        let codec =
            self.header
                .attributes
                .compression()
                .ok_or_else(|| WireError::InvalidRecords {
                    field: "RecordBatch.attributes",
                    reason: format!("unknown compression bits {}", self.header.attributes.0 & 7),
                })?;
        let payload = match codec {
            Compression::None => self.payload(),
            c => Bytes::from(c.decompress(&self.payload(), max_decompressed)?),
        };
        let count = self.header.records_count as usize;
        // A record takes at least 7 bytes (length, attributes, three varints, header count).
        if count.saturating_mul(7) > payload.len() {
            return Err(WireError::CountTooLarge {
                field: "RecordBatch.records_count",
                count: count as u64,
                needed: count as u64 * 7,
                remaining: payload.len(),
            });
        }
        let mut out = Vec::with_capacity(count);
        let mut i: &[u8] = &payload;
        for _ in 0..count {
            let (rest, r) = finish(Record::parse(i, &payload))?;
            out.push(r);
            i = rest;
        }
        if !i.is_empty() {
            return Err(WireError::TrailingBytes {
                what: "RecordBatch records",
                trailing: i.len(),
            });
        }
        Ok(out)
    }
}

/// Iterate over the v2 batches in record data. Stops at the first malformed batch (yielding its
/// error). A trailing partial batch — which Fetch responses may legally end with — is reported
/// as a `Truncated` error.
pub fn batches(data: &Bytes) -> impl Iterator<Item = Result<Batch, WireError>> + '_ {
    let mut rest = data.clone();
    let mut failed = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || failed {
            return None;
        }
        match Batch::parse(&rest) {
            Ok((b, r)) => {
                rest = r;
                Some(Ok(b))
            }
            Err(e) => {
                failed = true;
                Some(Err(e))
            }
        }
    })
}

/// Rewrite a stored batch's base offset and leader epoch in place (the CRC does not cover them).
pub fn set_base_offset(batch: &mut [u8], base_offset: i64, leader_epoch: i32) {
    if let Some(b) = batch.get_mut(0..8) {
        b.copy_from_slice(&base_offset.to_be_bytes());
    }
    if let Some(b) = batch.get_mut(12..16) {
        b.copy_from_slice(&leader_epoch.to_be_bytes());
    }
}

/// A copy of `batch` stamped with the broker's time: attribute bit 3 (LogAppendTime) set, the
/// max timestamp replaced by `now_ms`, and the CRC recomputed (both fields lie under it).
pub fn with_log_append_time(batch: &[u8], now_ms: i64) -> Bytes {
    let mut b = BytesMut::from(batch);
    if b.len() < HEADER_SIZE {
        return b.freeze();
    }
    let attrs = i16::from_be_bytes(be(&b, 21)) | 0x08;
    if let Some(slot) = b.get_mut(21..23) {
        slot.copy_from_slice(&attrs.to_be_bytes());
    }
    if let Some(slot) = b.get_mut(35..43) {
        slot.copy_from_slice(&now_ms.to_be_bytes());
    }
    let crc = crc32c::crc32c(b.get(CRC_START..).unwrap_or_default());
    if let Some(slot) = b.get_mut(17..21) {
        slot.copy_from_slice(&crc.to_be_bytes());
    }
    b.freeze()
}

/// What to put in a batch header when building one; counts, deltas and the CRC are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSpec {
    /// Base offset to write.
    pub base_offset: i64,
    /// Leader epoch to write.
    pub partition_leader_epoch: i32,
    /// Compression codec.
    pub compression: Compression,
    /// Attribute bits other than the codec (timestamp type, transactional, control).
    pub flags: i16,
    /// Base timestamp.
    pub base_timestamp: i64,
    /// Producer id, or -1.
    pub producer_id: i64,
    /// Producer epoch, or -1.
    pub producer_epoch: i16,
    /// Base sequence, or -1.
    pub base_sequence: i32,
}

impl Default for BatchSpec {
    fn default() -> Self {
        BatchSpec {
            base_offset: 0,
            partition_leader_epoch: -1,
            compression: Compression::None,
            flags: 0,
            base_timestamp: 0,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
        }
    }
}

/// Build a v2 batch holding `records`, compressed as `spec` says, with its CRC computed.
pub fn build_batch(spec: &BatchSpec, records: &[Record]) -> Result<Bytes, WireError> {
    // One buffer, sized up front: the header is filled in once the records are written.
    let hint: usize = records.iter().map(Record::size_hint).sum();
    let mut b = BytesMut::with_capacity(HEADER_SIZE + hint);
    b.put_bytes(0, HEADER_SIZE);
    match spec.compression {
        Compression::None => records.iter().for_each(|r| r.write(&mut b)),
        c => {
            let mut body = BytesMut::with_capacity(hint);
            records.iter().for_each(|r| r.write(&mut body));
            b.put_slice(&c.compress(&body)?);
        }
    }
    let payload_len = b.len() - HEADER_SIZE;
    let last_offset_delta = records.iter().map(|r| r.offset_delta).max().unwrap_or(0);
    let max_delta = records.iter().map(|r| r.timestamp_delta).max().unwrap_or(0);
    let mut h = b.get_mut(..HEADER_SIZE).unwrap_or_default();
    h.put_i64(spec.base_offset);
    h.put_i32((HEADER_SIZE - LOG_OVERHEAD + payload_len) as i32);
    h.put_i32(spec.partition_leader_epoch);
    h.put_i8(2);
    h.put_u32(0);
    h.put_i16((spec.flags & !0x07) | spec.compression.bits());
    h.put_i32(last_offset_delta);
    h.put_i64(spec.base_timestamp);
    h.put_i64(spec.base_timestamp + max_delta);
    h.put_i64(spec.producer_id);
    h.put_i16(spec.producer_epoch);
    h.put_i32(spec.base_sequence);
    h.put_i32(records.len() as i32);
    let crc = crc32c::crc32c(b.get(CRC_START..).unwrap_or_default());
    if let Some(slot) = b.get_mut(17..21) {
        slot.copy_from_slice(&crc.to_be_bytes());
    }
    Ok(b.freeze())
}
