//! Legacy message sets (magic 0 and 1), which old producers still send, and their
//! up-conversion to a v2 batch so the rest of the system sees one format.
//!
//! | field        | type  | magic |
//! |--------------|-------|-------|
//! | offset       | int64 | 0, 1  |
//! | message_size | int32 | 0, 1  |
//! | crc          | uint32 (CRC-32 of magic..end) | 0, 1 |
//! | magic        | int8  | 0, 1  |
//! | attributes   | int8 (bits 0-2 codec, bit 3 LogAppendTime) | 0, 1 |
//! | timestamp    | int64 | 1     |
//! | key          | bytes (int32 length, -1 null) | 0, 1 |
//! | value        | bytes (int32 length, -1 null) | 0, 1 |
//!
//! A compressed message's value is itself a message set (the "wrapper" holds the inner
//! messages); with magic 1 the inner offsets are relative and the wrapper carries the last.

use bytes::Bytes;

use super::batch::{build_batch, BatchSpec};
use super::compression::Compression;
use super::record::Record;
use crate::error::WireError;

/// One legacy message, with compressed wrappers already expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyMessage {
    /// Offset as written (relative inside a magic-1 wrapper).
    pub offset: i64,
    /// Format version, 0 or 1.
    pub magic: i8,
    /// Attribute bits.
    pub attributes: i8,
    /// Timestamp (magic 1), else -1.
    pub timestamp: i64,
    /// Key.
    pub key: Option<Bytes>,
    /// Value.
    pub value: Option<Bytes>,
}

fn invalid(reason: impl Into<String>) -> WireError {
    WireError::InvalidRecords {
        field: "MessageSet",
        reason: reason.into(),
    }
}

struct Cursor<'a> {
    data: &'a Bytes,
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<Bytes, WireError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len());
        let end = end.ok_or_else(|| WireError::Truncated {
            field: "MessageSet",
            needed: n,
            remaining: self.data.len() - self.pos,
        })?;
        let out = self.data.slice(self.pos..end);
        self.pos = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let b = self.take(N)?;
        <[u8; N]>::try_from(&b[..]).map_err(|_| invalid("short read"))
    }
    fn bytes(&mut self) -> Result<Option<Bytes>, WireError> {
        let len = i32::from_be_bytes(self.array()?);
        match len {
            -1 => Ok(None),
            n if n < 0 => Err(invalid(format!("length {n}"))),
            n => self.take(n as usize).map(Some),
        }
    }
}

/// Decode a legacy message set, verifying CRCs and expanding compressed wrappers (inflating at
/// most `cap` bytes per wrapper). A trailing partial message is ignored, as Kafka does.
pub fn decode_message_set(data: &Bytes, cap: usize) -> Result<Vec<LegacyMessage>, WireError> {
    decode_level(data, cap, 0)
}

fn decode_level(data: &Bytes, cap: usize, depth: u8) -> Result<Vec<LegacyMessage>, WireError> {
    let mut out = Vec::new();
    let mut c = Cursor { data, pos: 0 };
    while data.len() - c.pos >= 12 {
        let offset = i64::from_be_bytes(c.array()?);
        let size = i32::from_be_bytes(c.array()?);
        let size = usize::try_from(size).map_err(|_| invalid(format!("message_size {size}")))?;
        if data.len() - c.pos < size {
            break;
        }
        let msg = c.take(size)?;
        let mut m = Cursor { data: &msg, pos: 0 };
        let crc = u32::from_be_bytes(m.array()?);
        let computed = crc32fast::hash(msg.get(4..).unwrap_or_default());
        if crc != computed {
            return Err(WireError::BadCrc {
                field: "Message.crc",
                expected: crc,
                computed,
            });
        }
        let [magic] = m.array::<1>()?;
        let magic = magic as i8;
        if !(0..=1).contains(&magic) {
            return Err(invalid(format!("magic {magic} in a legacy message set")));
        }
        let [attributes] = m.array::<1>()?;
        let attributes = attributes as i8;
        let timestamp = if magic == 1 {
            i64::from_be_bytes(m.array()?)
        } else {
            -1
        };
        let key = m.bytes()?;
        let value = m.bytes()?;
        let codec = Compression::from_attributes(i16::from(attributes))
            .filter(|c| *c != Compression::Zstd)
            .ok_or_else(|| invalid(format!("compression bits {}", attributes & 7)))?;
        if codec == Compression::None {
            out.push(LegacyMessage {
                offset,
                magic,
                attributes,
                timestamp,
                key,
                value,
            });
            continue;
        }
        if depth > 0 {
            return Err(invalid("nested compressed wrapper"));
        }
        let inner = Bytes::from(codec.decompress(value.as_deref().unwrap_or_default(), cap)?);
        let mut inner = decode_level(&inner, cap, depth + 1)?;
        if magic == 1 {
            // Inner offsets are relative; the wrapper holds the absolute offset of the last.
            let last = inner.last().map_or(0, |m| m.offset);
            for m in &mut inner {
                m.offset += offset - last;
                if attributes & 0x08 != 0 {
                    m.timestamp = timestamp;
                }
            }
        }
        out.extend(inner);
    }
    Ok(out)
}

/// Up-convert a legacy message set to one v2 batch (same codec; offsets rebased to 0).
pub fn up_convert(data: &Bytes, cap: usize) -> Result<Bytes, WireError> {
    let msgs = decode_message_set(data, cap)?;
    let codec = msgs
        .first()
        .and_then(|_| Compression::from_attributes(i16::from(first_wrapper_attributes(data))))
        .unwrap_or_default();
    let base_ts = msgs
        .iter()
        .map(|m| m.timestamp)
        .find(|t| *t >= 0)
        .unwrap_or(-1);
    let records: Vec<Record> = msgs
        .iter()
        .enumerate()
        .map(|(n, m)| Record {
            attributes: 0,
            timestamp_delta: if base_ts >= 0 && m.timestamp >= 0 {
                m.timestamp - base_ts
            } else {
                0
            },
            offset_delta: n as i32,
            key: m.key.clone(),
            value: m.value.clone(),
            headers: Vec::new(),
        })
        .collect();
    let spec = BatchSpec {
        compression: codec,
        base_timestamp: base_ts,
        ..BatchSpec::default()
    };
    build_batch(&spec, &records)
}

fn first_wrapper_attributes(data: &Bytes) -> i8 {
    // offset (8) + message_size (4) + crc (4) + magic (1)
    data.get(17).map_or(0, |b| *b as i8)
}
