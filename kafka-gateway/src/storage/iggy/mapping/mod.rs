//! Kafka records ↔ Iggy messages, the mapping shared with the upstream Iggy project so both
//! sides read the same data:
//!
//! | Kafka                    | Iggy message                                              |
//! |--------------------------|-----------------------------------------------------------|
//! | value                    | payload                                                   |
//! | null / empty value       | payload `0x00` + header `kafka.value` = `null` / `empty`  |
//! | key                      | header `kafka.key` (raw); empty key: `kafka.key.empty`    |
//! | header `N` = V           | header `kafka.h.N` (raw V); empty V: `kafka.he.N`; null V: `kafka.hn.N` |
//! | timestamp (ms)           | origin timestamp (µs)                                     |
//! | (mapping version)        | header `kafka.v` = 1                                      |
//!
//! Iggy header keys and values hold 1–255 bytes and a message's headers at most
//! `MAX_USER_HEADERS_SIZE`; anything over a limit is refused with a [`MappingError`] (a Kafka
//! INVALID_RECORD), never truncated. A message without `kafka.v` was written natively: it
//! reads as a record with a null key, its payload as value, no headers.

use bytes::{Bytes, BytesMut};
use iggy::prelude::{IggyMessage, IggyMessageHeader, MAX_PAYLOAD_SIZE, MAX_USER_HEADERS_SIZE};
use iggy_binary_protocol::primitives::user_headers::{
    encode_user_headers, user_headers_encoded_size,
};
use kafka_wire::records::{build_batch, BatchSpec, Record, RecordHeader};

/// The mapping version written in `kafka.v`.
pub const MAPPING_VERSION: u8 = 1;

const V: &str = "kafka.v";
const KEY: &str = "kafka.key";
const KEY_EMPTY: &str = "kafka.key.empty";
const VALUE: &str = "kafka.value";
const HEADER: &str = "kafka.h.";
const HEADER_EMPTY: &str = "kafka.he.";
const HEADER_NULL: &str = "kafka.hn.";
/// The payload standing in for a null or empty value (Iggy refuses empty payloads).
const PLACEHOLDER: &[u8] = &[0];

/// Iggy's header kind codes (`HeaderKind::as_code`) for what the mapping writes.
const KIND_RAW: u8 = 1;
const KIND_STRING: u8 = 2;
const KIND_BOOL: u8 = 3;
const KIND_UINT8: u8 = 9;
/// A boolean `true` header value.
const TRUE: &[u8] = &[1];
/// The most bytes an Iggy header key or value holds.
const MAX_FIELD: usize = 255;

/// Why a record cannot become an Iggy message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A key, header name or header value is longer than an Iggy header allows.
    #[error("{what} is {len} bytes; Iggy headers hold at most 255")]
    TooLong {
        /// Which part of the record.
        what: String,
        /// Its length.
        len: usize,
    },
    /// The same header name twice: Iggy headers are a map.
    #[error("header {0:?} appears more than once; Iggy headers are unique by name")]
    DuplicateHeader(String),
    /// Iggy refused the message (payload or total header size over its limits).
    #[error("Iggy refuses the message: {0}")]
    Refused(String),
    /// A polled message could not be turned back into a record.
    #[error("message at offset {offset}: {reason}")]
    Unreadable {
        /// Iggy offset.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
}

fn too_long(what: String, len: usize) -> MappingError {
    MappingError::TooLong { what, len }
}

/// The name and value a Kafka header is stored under, checked against Iggy's limits.
fn kafka_header(rh: &RecordHeader) -> Result<(String, u8, &[u8]), MappingError> {
    let (prefix, kind, value) = match &rh.value {
        None => (HEADER_NULL, KIND_BOOL, TRUE),
        Some(v) if v.is_empty() => (HEADER_EMPTY, KIND_BOOL, TRUE),
        Some(v) if v.len() > MAX_FIELD => {
            let what = format!("the value of header {:?}", rh.key);
            return Err(too_long(what, v.len()));
        }
        Some(v) => (HEADER, KIND_RAW, &v[..]),
    };
    let name = format!("{prefix}{}", rh.key);
    if name.len() > MAX_FIELD {
        let len = name.len();
        return Err(too_long(format!("header name {name:?}"), len));
    }
    Ok((name, kind, value))
}

/// Encode a record's key, value flag and Kafka headers as Iggy user headers at the end of
/// `buf`, in key order as Iggy's own map-based encoder writes them; returns their size.
fn encode_headers(r: &Record, buf: &mut BytesMut) -> Result<usize, MappingError> {
    if let Some(k) = r.key.as_ref().filter(|k| k.len() > MAX_FIELD) {
        return Err(too_long("the key".into(), k.len()));
    }
    let kafka = r
        .headers
        .iter()
        .map(kafka_header)
        .collect::<Result<Vec<_>, _>>()?;
    if r.headers.len() > 1 {
        let mut names: Vec<&str> = r.headers.iter().map(|h| h.key.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(MappingError::DuplicateHeader(w[0].to_string()));
        }
    }
    // (key kind, key, value kind, value); every key is a string.
    let mut entries: Vec<(u8, &[u8], u8, &[u8])> = Vec::with_capacity(3 + kafka.len());
    entries.push((KIND_STRING, V.as_bytes(), KIND_UINT8, &[MAPPING_VERSION]));
    match &r.key {
        None => {}
        Some(k) if k.is_empty() => {
            entries.push((KIND_STRING, KEY_EMPTY.as_bytes(), KIND_BOOL, TRUE))
        }
        Some(k) => entries.push((KIND_STRING, KEY.as_bytes(), KIND_RAW, k)),
    }
    match &r.value {
        None => entries.push((KIND_STRING, VALUE.as_bytes(), KIND_STRING, b"null")),
        Some(v) if v.is_empty() => {
            entries.push((KIND_STRING, VALUE.as_bytes(), KIND_STRING, b"empty"));
        }
        Some(_) => {}
    }
    entries.extend(
        kafka
            .iter()
            .map(|(n, kind, v)| (KIND_STRING, n.as_bytes(), *kind, *v)),
    );
    entries.sort_unstable_by(|a, b| a.1.cmp(b.1));
    let size = user_headers_encoded_size(&entries);
    if size > MAX_USER_HEADERS_SIZE as usize {
        let limit = MAX_USER_HEADERS_SIZE;
        return Err(MappingError::Refused(format!(
            "{size} bytes of headers, over Iggy's {limit}"
        )));
    }
    buf.reserve(size);
    encode_user_headers(&entries, buf);
    Ok(size)
}

/// The Iggy message for a record with timestamp `ts_ms`, carrying message id `id`. Its
/// headers are encoded into `buf` and split off it, so one buffer serves a whole batch.
pub fn to_message(
    r: &Record,
    ts_ms: i64,
    id: u128,
    buf: &mut BytesMut,
) -> Result<IggyMessage, MappingError> {
    let payload = match &r.value {
        Some(v) if !v.is_empty() => v.clone(),
        _ => Bytes::from_static(PLACEHOLDER),
    };
    if payload.len() > MAX_PAYLOAD_SIZE as usize {
        let (len, limit) = (payload.len(), MAX_PAYLOAD_SIZE);
        return Err(MappingError::Refused(format!(
            "a {len}-byte value, over Iggy's {limit}"
        )));
    }
    let size = encode_headers(r, buf)?;
    let header = IggyMessageHeader {
        checksum: 0,
        id,
        offset: 0,
        timestamp: 0,
        origin_timestamp: u64::try_from(ts_ms).unwrap_or(0).saturating_mul(1000),
        user_headers_length: size as u32,
        payload_length: payload.len() as u32,
        reserved: 0,
    };
    Ok(IggyMessage {
        header,
        payload,
        user_headers: Some(buf.split().freeze()),
    })
}

/// A message's record timestamp in µs: the origin timestamp its producer set, else the time
/// Iggy stored it.
pub fn record_time_us(m: &IggyMessage) -> u64 {
    match m.header.origin_timestamp {
        0 => m.header.timestamp,
        t => t,
    }
}

/// Iggy's user-header encoding read in place, one field (a key or a value) at a time: each is
/// a kind byte, a little-endian `u32` length and that many bytes. Kinds are not needed: the
/// mapping goes by header name. Read once per fetched record, so nothing is validated twice
/// (the SDK's own iterator needs its validation pass first: it panics on bytes it has not checked).
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    /// The next field's bytes; `None` when it runs past the end.
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&[_kind, l0, l1, l2, l3], rest) = self.0.split_first_chunk::<5>()?;
        let len = usize::try_from(u32::from_le_bytes([l0, l1, l2, l3])).ok()?;
        let (data, rest) = rest.split_at_checked(len)?;
        self.0 = rest;
        Some(data)
    }
}

/// A polled message as a Kafka record: `(offset, timestamp ms, record)`; the record's deltas
/// are left at zero for the batch builder to fill. Headers are read in place from Iggy's wire
/// form (no map is built): this runs for every record a consumer fetches.
pub fn from_message(m: &IggyMessage) -> Result<(i64, i64, Record), MappingError> {
    let offset = m.header.offset;
    let bad = |reason: String| MappingError::Unreadable { offset, reason };
    let ts_ms = i64::try_from(record_time_us(m) / 1000).unwrap_or(i64::MAX);
    let off = i64::try_from(offset).map_err(|_| bad("offset beyond i64".into()))?;
    let raw = m.user_headers.clone().unwrap_or_default();
    let (mut mapped, mut key, mut value_flag) = (false, None, None);
    let mut headers = Vec::new();
    let mut fields = Fields(&raw);
    while !fields.0.is_empty() {
        let (Some(name), Some(value)) = (fields.next(), fields.next()) else {
            return Err(bad("user headers end inside an entry".into()));
        };
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        let bytes = || raw.slice_ref(value);
        match name {
            V => mapped = true,
            KEY => key = Some(bytes()),
            KEY_EMPTY => key = key.or(Some(Bytes::new())),
            VALUE => value_flag = Some(value),
            _ => {
                let (hk, hv) = if let Some(n) = name.strip_prefix(HEADER) {
                    (n, Some(bytes()))
                } else if let Some(n) = name.strip_prefix(HEADER_EMPTY) {
                    (n, Some(Bytes::new()))
                } else if let Some(n) = name.strip_prefix(HEADER_NULL) {
                    (n, None)
                } else {
                    continue;
                };
                headers.push(RecordHeader {
                    key: hk.to_string(),
                    value: hv,
                });
            }
        }
    }
    if !mapped {
        let rec = Record {
            value: Some(m.payload.clone()),
            ..Record::default()
        };
        return Ok((off, ts_ms, rec));
    }
    let value = match value_flag {
        Some(b"null") => None,
        Some(b"empty") => Some(Bytes::new()),
        Some(other) => {
            let shown = String::from_utf8_lossy(other);
            return Err(bad(format!("kafka.value = {shown:?}")));
        }
        None => Some(m.payload.clone()),
    };
    headers.sort_by(|a, b| a.key.cmp(&b.key));
    let rec = Record {
        key,
        value,
        headers,
        ..Record::default()
    };
    Ok((off, ts_ms, rec))
}

/// Rebuild one v2 record batch from contiguous polled messages (producer id -1, CRC
/// computed by the builder). `None` when `messages` is empty.
pub fn rebuild_batch(messages: &[IggyMessage]) -> Result<Option<Bytes>, MappingError> {
    let Some(first) = messages.first() else {
        return Ok(None);
    };
    let rows = messages
        .iter()
        .map(from_message)
        .collect::<Result<Vec<_>, _>>()?;
    let (base_offset, base_ts) = rows
        .first()
        .map(|(o, t, _)| (*o, *t))
        .unwrap_or((first.header.offset as i64, 0));
    let records: Vec<Record> = rows
        .into_iter()
        .map(|(o, t, r)| Record {
            offset_delta: i32::try_from(o - base_offset).unwrap_or(i32::MAX),
            timestamp_delta: t - base_ts,
            ..r
        })
        .collect();
    let spec = BatchSpec {
        base_offset,
        partition_leader_epoch: 0,
        base_timestamp: base_ts,
        ..BatchSpec::default()
    };
    build_batch(&spec, &records)
        .map(Some)
        .map_err(|e| MappingError::Refused(e.to_string()))
}

#[cfg(test)]
mod tests;
