//! Records inside a v2 batch: every field a varint or varint-prefixed region.
//!
//! | field            | type                      |
//! |------------------|---------------------------|
//! | length           | varint (bytes after this) |
//! | attributes       | int8 (unused, 0)          |
//! | timestamp_delta  | varlong                   |
//! | offset_delta     | varint                    |
//! | key              | varint length (-1 null) + bytes |
//! | value            | varint length (-1 null) + bytes |
//! | headers          | varint count, each: varint key length + key, varint value length + value |

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::{fail, field, WireError, WireResult};
use crate::primitives::take;
use crate::primitives::varint::{
    decode_varint, decode_varlong, put_varint, put_varlong, varint_size, varlong_size,
};

/// One record header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHeader {
    /// Header key.
    pub key: String,
    /// Header value (may be null).
    pub value: Option<Bytes>,
}

/// One record of a batch; offsets and timestamps are deltas from the batch's base values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Record attributes (unused by Kafka, kept).
    pub attributes: i8,
    /// Milliseconds after the batch's base timestamp.
    pub timestamp_delta: i64,
    /// Offset after the batch's base offset.
    pub offset_delta: i32,
    /// The key, null for none.
    pub key: Option<Bytes>,
    /// The value, null for a tombstone.
    pub value: Option<Bytes>,
    /// Headers, in order.
    pub headers: Vec<RecordHeader>,
}

fn region<'a>(i: &'a [u8], src: &Bytes) -> WireResult<'a, Option<Bytes>> {
    let (i, len) = decode_varint(i)?;
    if len == -1 {
        return Ok((i, None));
    }
    let Ok(len) = usize::try_from(len) else {
        return fail(WireError::InvalidLength {
            field: "",
            length: i64::from(len),
        });
    };
    let (i, b) = take(i, len)?;
    Ok((i, Some(crate::Cx::with_src(0, false, src).bytes_of(b))))
}

impl Record {
    /// Parse one record; byte regions are views of `src` when `i` lies in it.
    pub fn parse<'a>(i: &'a [u8], src: &Bytes) -> WireResult<'a, Self> {
        let (i, len) = field("Record.length", i, decode_varint(i))?;
        let Ok(len) = usize::try_from(len) else {
            return fail(WireError::InvalidLength {
                field: "Record.length",
                length: i64::from(len),
            });
        };
        let (rest, body) = field("Record.length", i, take(i, len))?;
        let (b, attributes) = field(
            "Record.attributes",
            body,
            nom::number::complete::be_i8(body),
        )?;
        let (b, timestamp_delta) = field("Record.timestamp_delta", b, decode_varlong(b))?;
        let (b, offset_delta) = field("Record.offset_delta", b, decode_varint(b))?;
        let (b, key) = field("Record.key", b, region(b, src))?;
        let (b, value) = field("Record.value", b, region(b, src))?;
        let (mut b, count) = field("Record.headers", b, decode_varint(b))?;
        let Ok(count) = usize::try_from(count) else {
            return fail(WireError::InvalidLength {
                field: "Record.headers",
                length: i64::from(count),
            });
        };
        if count.saturating_mul(2) > b.len() {
            return fail(WireError::CountTooLarge {
                field: "Record.headers",
                count: count as u64,
                needed: count as u64 * 2,
                remaining: b.len(),
            });
        }
        let mut headers = Vec::with_capacity(count);
        for _ in 0..count {
            let (r, key) = field("RecordHeader.key", b, region(b, src))?;
            let Some(key) = key else {
                return fail(WireError::NullNotAllowed {
                    field: "RecordHeader.key",
                    version: 2,
                });
            };
            let Ok(key) = String::from_utf8(key.to_vec()) else {
                return fail(WireError::InvalidUtf8 {
                    field: "RecordHeader.key",
                });
            };
            let (r, value) = field("RecordHeader.value", r, region(r, src))?;
            headers.push(RecordHeader { key, value });
            b = r;
        }
        if !b.is_empty() {
            return fail(WireError::TrailingBytes {
                what: "Record",
                trailing: b.len(),
            });
        }
        Ok((
            rest,
            Record {
                attributes,
                timestamp_delta,
                offset_delta,
                key,
                value,
                headers,
            },
        ))
    }

    fn body_size(&self) -> usize {
        let region = |r: &Option<Bytes>| {
            r.as_ref()
                .map_or(varint_size(-1), |b| varint_size(b.len() as i32) + b.len())
        };
        1 + varlong_size(self.timestamp_delta)
            + varint_size(self.offset_delta)
            + region(&self.key)
            + region(&self.value)
            + varint_size(self.headers.len() as i32)
            + self
                .headers
                .iter()
                .map(|h| varint_size(h.key.len() as i32) + h.key.len() + region(&h.value))
                .sum::<usize>()
    }

    /// Bytes [`Record::write`] appends (length prefix and body), to size buffers up front.
    pub fn size_hint(&self) -> usize {
        let n = self.body_size();
        varint_size(n as i32) + n
    }

    /// Append the record's encoding.
    pub fn write(&self, buf: &mut BytesMut) {
        fn region(buf: &mut BytesMut, r: &Option<Bytes>) {
            match r {
                None => put_varint(buf, -1),
                Some(b) => {
                    put_varint(buf, b.len() as i32);
                    buf.put_slice(b);
                }
            }
        }
        put_varint(buf, self.body_size() as i32);
        buf.put_i8(self.attributes);
        put_varlong(buf, self.timestamp_delta);
        put_varint(buf, self.offset_delta);
        region(buf, &self.key);
        region(buf, &self.value);
        put_varint(buf, self.headers.len() as i32);
        for h in &self.headers {
            put_varint(buf, h.key.len() as i32);
            buf.put_slice(h.key.as_bytes());
            region(buf, &h.value);
        }
    }
}

/// The key of a control record (in a batch with the control attribute): what it marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlType {
    /// Transaction abort marker.
    Abort,
    /// Transaction commit marker.
    Commit,
    /// Another control type (kept by number).
    Other(i16),
}

/// Read a control record's key: version (i16) and type (i16).
pub fn control_type(key: &[u8]) -> Result<ControlType, WireError> {
    let bad = || WireError::InvalidRecords {
        field: "ControlRecord.key",
        reason: format!("{} bytes, need 4", key.len()),
    };
    let (_, rest) = key.split_first_chunk::<2>().ok_or_else(bad)?;
    let (ty, _) = rest.split_first_chunk::<2>().ok_or_else(bad)?;
    Ok(match i16::from_be_bytes(*ty) {
        0 => ControlType::Abort,
        1 => ControlType::Commit,
        n => ControlType::Other(n),
    })
}
