//! A readable, version-aware tree of a decoded message: only the fields the version carries,
//! in wire order. The CLI's tree and JSON output and the fixture snapshots render this.

use std::fmt::Write as _;

use bytes::Bytes;

use crate::primitives::Uuid;

/// One node of a decoded message.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A null string, bytes, array or struct.
    Null,
    /// A boolean.
    Bool(bool),
    /// Any integer type.
    Int(i64),
    /// A float64.
    Float(f64),
    /// A string.
    Str(String),
    /// Opaque bytes.
    Bytes(Bytes),
    /// Record data (batches), shown by size unless expanded.
    Records(Bytes),
    /// A UUID.
    Uuid(Uuid),
    /// An array.
    Array(Vec<Value>),
    /// A struct: named fields in wire order.
    Struct(Vec<(&'static str, Value)>),
}

const SHOWN_BYTES: usize = 32;

/// Lowercase hex of `b`.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

impl Value {
    /// One-line rendering of a leaf; `None` for arrays and structs.
    pub fn leaf(&self) -> Option<String> {
        Some(match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => format!("{s:?}"),
            Value::Uuid(u) => u.to_string(),
            Value::Bytes(b) if b.len() <= SHOWN_BYTES => format!("0x{}", hex(b)),
            Value::Bytes(b) => format!(
                "0x{}… ({} bytes)",
                hex(b.get(..SHOWN_BYTES).unwrap_or(b)),
                b.len()
            ),
            Value::Records(b) => format!("<records: {} bytes>", b.len()),
            Value::Array(_) | Value::Struct(_) => return None,
        })
    }

    /// Render as an indented tree (two spaces a level; array items marked with `-`).
    pub fn to_tree(&self) -> String {
        let mut out = String::new();
        self.write_tree(&mut out, 0);
        out
    }

    fn write_tree(&self, out: &mut String, depth: usize) {
        match self {
            Value::Struct(fields) => {
                for (name, v) in fields {
                    pad(out, depth);
                    out.push_str(name);
                    v.write_child(out, depth);
                }
            }
            Value::Array(items) => {
                for item in items {
                    pad(out, depth);
                    out.push('-');
                    item.write_child(out, depth);
                }
            }
            leaf => {
                pad(out, depth);
                out.push_str(&leaf.leaf().unwrap_or_default());
                out.push('\n');
            }
        }
    }

    fn write_child(&self, out: &mut String, depth: usize) {
        match self {
            Value::Array(items) => {
                let _ = writeln!(out, ": [{}]", items.len());
                self.write_tree(out, depth + 1);
            }
            Value::Struct(_) => {
                out.push_str(":\n");
                self.write_tree(out, depth + 1);
            }
            leaf => {
                let _ = writeln!(out, ": {}", leaf.leaf().unwrap_or_default());
            }
        }
    }
}

fn pad(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}
