//! `--records`: record data expanded in place into batches and records (decompressed), for
//! both the v2 batch format and legacy message sets.
//!
//! Keys, values and header values that are valid UTF-8 are shown as strings, anything else as
//! hex bytes. A malformed batch becomes an `error` entry and the frame still decodes.

use bytes::Bytes;
use kafka_wire::records::{self, decode_message_set, Batch, Record, DEFAULT_MAX_DECOMPRESSED};
use kafka_wire::Value;

/// `v` with every record-data node expanded.
pub fn expand(v: Value) -> Value {
    match v {
        Value::Records(b) => records_value(&b),
        Value::Array(items) => Value::Array(items.into_iter().map(expand).collect()),
        Value::Struct(fields) => {
            Value::Struct(fields.into_iter().map(|(n, v)| (n, expand(v))).collect())
        }
        other => other,
    }
}

fn error(e: impl std::fmt::Display) -> Value {
    Value::Struct(vec![("error", Value::Str(e.to_string()))])
}

/// A key, value or header value: text when it is UTF-8, else bytes.
fn payload(b: &Option<Bytes>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => Value::Str(s.to_string()),
            Err(_) => Value::Bytes(b.clone()),
        },
    }
}

fn records_value(data: &Bytes) -> Value {
    if data.is_empty() {
        return Value::Array(Vec::new());
    }
    match records::magic(data) {
        Some(0 | 1) => legacy(data),
        _ => Value::Array(records::batches(data).map(batch_value).collect()),
    }
}

fn legacy(data: &Bytes) -> Value {
    match decode_message_set(data, DEFAULT_MAX_DECOMPRESSED) {
        Err(e) => Value::Array(vec![error(e)]),
        Ok(msgs) => Value::Array(
            msgs.iter()
                .map(|m| {
                    Value::Struct(vec![
                        ("offset", Value::Int(m.offset)),
                        ("magic", Value::Int(m.magic.into())),
                        ("attributes", Value::Int(m.attributes.into())),
                        ("timestamp", Value::Int(m.timestamp)),
                        ("key", payload(&m.key)),
                        ("value", payload(&m.value)),
                    ])
                })
                .collect(),
        ),
    }
}

fn batch_value(b: Result<Batch, kafka_wire::WireError>) -> Value {
    let b = match b {
        Ok(b) => b,
        Err(e) => return error(e),
    };
    let h = &b.header;
    let a = h.attributes;
    let records = match b.records(DEFAULT_MAX_DECOMPRESSED) {
        Ok(rs) => Value::Array(rs.iter().map(|r| record_value(h, r)).collect()),
        Err(e) => error(e),
    };
    Value::Struct(vec![
        ("base_offset", Value::Int(h.base_offset)),
        ("batch_length", Value::Int(h.batch_length.into())),
        (
            "partition_leader_epoch",
            Value::Int(h.partition_leader_epoch.into()),
        ),
        ("magic", Value::Int(h.magic.into())),
        ("crc", Value::Int(h.crc.into())),
        ("crc_valid", Value::Bool(b.verify_crc().is_ok())),
        ("attributes", Value::Int(a.0.into())),
        (
            "compression",
            Value::Str(a.compression().map_or("unknown", |c| c.name()).into()),
        ),
        (
            "timestamp_type",
            Value::Str(
                if a.log_append_time() {
                    "LogAppendTime"
                } else {
                    "CreateTime"
                }
                .into(),
            ),
        ),
        ("transactional", Value::Bool(a.transactional())),
        ("control", Value::Bool(a.control())),
        ("last_offset_delta", Value::Int(h.last_offset_delta.into())),
        ("base_timestamp", Value::Int(h.base_timestamp)),
        ("max_timestamp", Value::Int(h.max_timestamp)),
        ("producer_id", Value::Int(h.producer_id)),
        ("producer_epoch", Value::Int(h.producer_epoch.into())),
        ("base_sequence", Value::Int(h.base_sequence.into())),
        ("records_count", Value::Int(h.records_count.into())),
        ("records", records),
    ])
}

fn record_value(h: &records::BatchHeader, r: &Record) -> Value {
    let headers = r
        .headers
        .iter()
        .map(|hd| {
            Value::Struct(vec![
                ("key", Value::Str(hd.key.clone())),
                ("value", payload(&hd.value)),
            ])
        })
        .collect();
    Value::Struct(vec![
        (
            "offset",
            Value::Int(h.base_offset + i64::from(r.offset_delta)),
        ),
        (
            "timestamp",
            Value::Int(h.base_timestamp + r.timestamp_delta),
        ),
        ("key", payload(&r.key)),
        ("value", payload(&r.value)),
        ("headers", Value::Array(headers)),
    ])
}
