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

use std::collections::BTreeMap;

use bytes::Bytes;
use iggy::prelude::{HeaderKey, HeaderValue, IggyMessage};
use iggy_binary_protocol::primitives::user_headers::WireUserHeaders;
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

fn key(s: &str) -> Result<HeaderKey, MappingError> {
    HeaderKey::try_from(s).map_err(|_| MappingError::TooLong {
        what: format!("header name {s:?}"),
        len: s.len(),
    })
}

fn raw(what: impl Fn() -> String, b: &[u8]) -> Result<HeaderValue, MappingError> {
    HeaderValue::try_from(b).map_err(|_| MappingError::TooLong {
        what: what(),
        len: b.len(),
    })
}

fn flag(s: &str) -> Result<HeaderValue, MappingError> {
    HeaderValue::try_from(s).map_err(|e| MappingError::Refused(e.to_string()))
}

/// The Iggy message for a record with timestamp `ts_ms`, carrying message id `id`.
pub fn to_message(r: &Record, ts_ms: i64, id: u128) -> Result<IggyMessage, MappingError> {
    let mut h: BTreeMap<HeaderKey, HeaderValue> = BTreeMap::new();
    h.insert(key(V)?, HeaderValue::from(MAPPING_VERSION));
    match &r.key {
        None => {}
        Some(k) if k.is_empty() => {
            h.insert(key(KEY_EMPTY)?, HeaderValue::from(true));
        }
        Some(k) => {
            h.insert(key(KEY)?, raw(|| "the key".into(), k)?);
        }
    }
    let payload = match &r.value {
        None => {
            h.insert(key(VALUE)?, flag("null")?);
            Bytes::from_static(PLACEHOLDER)
        }
        Some(v) if v.is_empty() => {
            h.insert(key(VALUE)?, flag("empty")?);
            Bytes::from_static(PLACEHOLDER)
        }
        Some(v) => v.clone(),
    };
    for rh in &r.headers {
        let (prefix, value) = match &rh.value {
            None => (HEADER_NULL, HeaderValue::from(true)),
            Some(v) if v.is_empty() => (HEADER_EMPTY, HeaderValue::from(true)),
            Some(v) => (
                HEADER,
                raw(|| format!("the value of header {:?}", rh.key), v)?,
            ),
        };
        let name = key(&format!("{prefix}{}", rh.key))?;
        let taken = [HEADER, HEADER_EMPTY, HEADER_NULL]
            .iter()
            .any(|p| key(&format!("{p}{}", rh.key)).is_ok_and(|k| h.contains_key(&k)));
        if taken {
            return Err(MappingError::DuplicateHeader(rh.key.clone()));
        }
        h.insert(name, value);
    }
    let mut m = IggyMessage::builder()
        .id(id)
        .payload(payload)
        .user_headers(h)
        .build()
        .map_err(|e| MappingError::Refused(e.to_string()))?;
    m.header.origin_timestamp = u64::try_from(ts_ms).unwrap_or(0).saturating_mul(1000);
    Ok(m)
}

/// A message's record timestamp in µs: the origin timestamp its producer set, else the time
/// Iggy stored it.
pub fn record_time_us(m: &IggyMessage) -> u64 {
    match m.header.origin_timestamp {
        0 => m.header.timestamp,
        t => t,
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
    let wire = WireUserHeaders::from_bytes(raw.clone()).map_err(|e| bad(e.to_string()))?;
    let (mut mapped, mut key, mut value_flag) = (false, None, None);
    let mut headers = Vec::new();
    for entry in wire.iter() {
        let Ok(name) = std::str::from_utf8(entry.key) else {
            continue;
        };
        let bytes = || raw.slice_ref(entry.value);
        match name {
            V => mapped = true,
            KEY => key = Some(bytes()),
            KEY_EMPTY => key = key.or(Some(Bytes::new())),
            VALUE => value_flag = Some(entry.value),
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
mod tests {
    use super::*;
    use kafka_wire::records::Batch;

    fn rec(key: Option<&str>, value: Option<&str>, headers: &[(&str, Option<&str>)]) -> Record {
        Record {
            key: key.map(|k| Bytes::copy_from_slice(k.as_bytes())),
            value: value.map(|v| Bytes::copy_from_slice(v.as_bytes())),
            headers: headers
                .iter()
                .map(|(k, v)| RecordHeader {
                    key: (*k).to_string(),
                    value: v.map(|v| Bytes::copy_from_slice(v.as_bytes())),
                })
                .collect(),
            ..Record::default()
        }
    }

    /// What the server does on append: it assigns the offset.
    fn stored(mut m: IggyMessage, offset: u64) -> IggyMessage {
        m.header.offset = offset;
        m
    }

    #[test]
    fn records_round_trip_through_messages() {
        let cases = [
            rec(Some("k"), Some("v"), &[]),
            rec(None, Some("v"), &[("trace", Some("abc")), ("a", Some("1"))]),
            rec(Some(""), None, &[]),
            rec(None, Some(""), &[("empty", Some("")), ("null", None)]),
        ];
        for (i, r) in cases.iter().enumerate() {
            let m = stored(to_message(r, 1_700_000_000_123, i as u128 + 1).unwrap(), 42);
            assert_eq!(m.header.origin_timestamp, 1_700_000_000_123_000);
            assert!(!m.payload.is_empty(), "Iggy refuses empty payloads");
            let (off, ts, back) = from_message(&m).unwrap();
            assert_eq!((off, ts), (42, 1_700_000_000_123));
            let mut want = r.clone();
            want.headers.sort_by(|a, b| a.key.cmp(&b.key));
            assert_eq!(back, want, "case {i}");
        }
    }

    #[test]
    fn headers_use_the_agreed_names() {
        let m = to_message(&rec(Some("id-7"), None, &[("trace", Some("t1"))]), 5, 9).unwrap();
        let h = m.user_headers_map().unwrap().unwrap();
        let text = |k: &str| {
            h.get(&HeaderKey::try_from(k).unwrap())
                .map(|v| v.as_bytes().to_vec())
        };
        assert_eq!(text("kafka.key"), Some(b"id-7".to_vec()));
        assert_eq!(text("kafka.value"), Some(b"null".to_vec()));
        assert_eq!(text("kafka.h.trace"), Some(b"t1".to_vec()));
        assert_eq!(text("kafka.v"), Some(vec![MAPPING_VERSION]));
        assert_eq!(m.payload.as_ref(), PLACEHOLDER);
        assert_eq!(m.header.id, 9);
    }

    #[test]
    fn a_native_message_reads_as_a_keyless_record() {
        let m = IggyMessage::builder()
            .payload(Bytes::from_static(b"native"))
            .build()
            .unwrap();
        let mut m = stored(m, 3);
        m.header.origin_timestamp = 2_000_000;
        let (off, ts, r) = from_message(&m).unwrap();
        assert_eq!((off, ts), (3, 2000));
        assert_eq!(r.key, None);
        assert_eq!(r.value.as_deref(), Some(&b"native"[..]));
        assert!(r.headers.is_empty());
    }

    #[test]
    fn limits_are_refused_not_truncated() {
        let long = "x".repeat(256);
        let too_long = [
            rec(Some(&long), Some("v"), &[]),
            rec(None, Some("v"), &[("h", Some(&long))]),
            rec(None, Some("v"), &[(&long, Some("v"))]),
        ];
        for r in &too_long {
            assert!(
                matches!(to_message(r, 0, 1), Err(MappingError::TooLong { .. })),
                "{r:?}"
            );
        }
        let dup = rec(None, Some("v"), &[("h", Some("1")), ("h", None)]);
        assert_eq!(
            to_message(&dup, 0, 1).unwrap_err(),
            MappingError::DuplicateHeader("h".into())
        );
        let ok = "y".repeat(255);
        assert!(to_message(&rec(Some(&ok), Some("v"), &[]), 0, 1).is_ok());
    }

    #[test]
    fn a_rebuilt_batch_has_a_valid_crc_and_the_records() {
        let msgs: Vec<IggyMessage> = (0..3)
            .map(|i| {
                let r = rec(Some(&format!("k{i}")), Some(&format!("v{i}")), &[]);
                stored(
                    to_message(&r, 1000 + i, i as u128 + 1).unwrap(),
                    10 + i as u64,
                )
            })
            .collect();
        let bytes = rebuild_batch(&msgs).unwrap().unwrap();
        let (b, rest) = Batch::parse(&bytes).unwrap();
        assert!(rest.is_empty());
        b.verify_crc().unwrap();
        assert_eq!(b.header.base_offset, 10);
        assert_eq!(b.header.last_offset(), 12);
        assert_eq!(b.header.producer_id, -1);
        assert_eq!(b.header.max_timestamp, 1002);
        let recs = b.records(1 << 20).unwrap();
        let values: Vec<_> = recs.iter().map(|r| r.value.clone().unwrap()).collect();
        assert_eq!(values, [&b"v0"[..], b"v1", b"v2"].map(Bytes::from_static));
        assert_eq!(recs[2].timestamp_delta, 2);
        assert!(rebuild_batch(&[]).unwrap().is_none());
    }
}
