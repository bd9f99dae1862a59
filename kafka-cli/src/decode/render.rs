//! Output of `decode`: an indented tree (default) or one JSON object per frame per line.

use std::fmt::Write as _;

use kafka_wire::value::hex;
use kafka_wire::{ApiKey, Value};
use serde_json::{json, Map, Value as Json};

use super::frames::Frame;

fn api_name(key: Option<i16>) -> Option<&'static str> {
    key.and_then(ApiKey::from_i16).map(ApiKey::name)
}

fn time(us: i64) -> String {
    format!(
        "{}.{:06}",
        us.div_euclid(1_000_000),
        us.rem_euclid(1_000_000)
    )
}

/// The frame as a header line and an indented body tree.
pub fn tree(f: &Frame) -> String {
    let mut out = String::new();
    out.push_str(f.direction.map_or("frame", |d| d.name()));
    match (api_name(f.api_key), f.api_key) {
        (Some(name), _) => {
            let _ = write!(out, " {name}");
        }
        (None, Some(k)) => {
            let _ = write!(out, " api_key={k}");
        }
        _ => {}
    }
    if let Some(v) = f.api_version {
        let _ = write!(out, " v{v}");
    }
    if let Some(c) = f.correlation_id {
        let _ = write!(out, " correlation_id={c}");
    }
    if let Some(c) = &f.client_id {
        let _ = write!(out, " client_id={c:?}");
    }
    let _ = write!(out, " ({} bytes)", f.size);
    if let Some(ts) = f.ts_us {
        let _ = write!(out, " t={}", time(ts));
    }
    if let (Some(s), Some(d)) = (f.src, f.dst) {
        let _ = write!(out, " {s} -> {d}");
    }
    out.push('\n');
    if let Some(body) = &f.body {
        for line in body.to_tree().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(e) = &f.error {
        let _ = writeln!(out, "  error: {e}");
    }
    out
}

/// The frame as one JSON object: `direction`, `api_key`, `api_name`, `api_version`,
/// `correlation_id`, `client_id` (requests), `size`, `ts_us`/`src`/`dst` (captures), `body`,
/// and `error` only when it failed to decode.
pub fn json(f: &Frame) -> Json {
    let mut m = Map::new();
    m.insert("direction".into(), json!(f.direction.map(|d| d.name())));
    m.insert("api_key".into(), json!(f.api_key));
    m.insert("api_name".into(), json!(api_name(f.api_key)));
    m.insert("api_version".into(), json!(f.api_version));
    m.insert("correlation_id".into(), json!(f.correlation_id));
    if f.client_id.is_some() {
        m.insert("client_id".into(), json!(f.client_id));
    }
    m.insert("size".into(), json!(f.size));
    if let Some(ts) = f.ts_us {
        m.insert("ts_us".into(), json!(ts));
    }
    if let (Some(s), Some(d)) = (f.src, f.dst) {
        m.insert("src".into(), json!(s.to_string()));
        m.insert("dst".into(), json!(d.to_string()));
    }
    m.insert("body".into(), f.body.as_ref().map_or(Json::Null, value));
    if let Some(e) = &f.error {
        m.insert("error".into(), json!(e));
    }
    Json::Object(m)
}

/// A decoded value as JSON: structs keep wire order, bytes are hex, unexpanded record data is
/// `{"record_bytes": N}`.
pub fn value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(n) => json!(n),
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Str(s) => json!(s),
        Value::Bytes(b) => json!(hex(b)),
        Value::Records(b) => json!({ "record_bytes": b.len() }),
        Value::Uuid(u) => json!(u.to_string()),
        Value::Array(items) => Json::Array(items.iter().map(value).collect()),
        Value::Struct(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), value(v)))
                .collect(),
        ),
    }
}
