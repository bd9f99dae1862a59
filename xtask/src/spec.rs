//! Reading Apache Kafka's JSON message definitions (JSON with `//` comments).

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// A version range from the spec: "3+", "0-4", "5", or "none" (empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub lo: i16,
    pub hi: i16,
}

impl Versions {
    pub const NONE: Versions = Versions { lo: 1, hi: 0 };

    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s == "none" {
            return Ok(Self::NONE);
        }
        if let Some(lo) = s.strip_suffix('+') {
            return Ok(Versions {
                lo: lo.parse()?,
                hi: i16::MAX,
            });
        }
        if let Some((lo, hi)) = s.split_once('-') {
            return Ok(Versions {
                lo: lo.parse()?,
                hi: hi.parse()?,
            });
        }
        let v = s.parse()?;
        Ok(Versions { lo: v, hi: v })
    }

    pub fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    pub fn intersect(&self, o: &Versions) -> Versions {
        Versions {
            lo: self.lo.max(o.lo),
            hi: self.hi.min(o.hi),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: String,
    pub versions: Versions,
    pub nullable: Versions,
    pub tagged: Option<(u32, Versions)>,
    pub ignorable: bool,
    pub default: Option<String>,
    pub about: String,
    pub fields: Option<Vec<Field>>,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub api_key: i16,
    pub kind: String,
    pub name: String,
    pub valid: Versions,
    pub flexible: Versions,
    pub fields: Vec<Field>,
    pub common: Vec<(String, Vec<Field>)>,
}

/// Remove `//` comments outside string literals.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            for n in chars.by_ref() {
                if n == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else {
            if c == '"' {
                in_str = true;
            }
            out.push(c);
        }
    }
    out
}

fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_fields(v: &Value) -> Result<Vec<Field>> {
    let arr = v
        .as_array()
        .ok_or_else(|| anyhow!("fields is not an array"))?;
    arr.iter().map(parse_field).collect()
}

fn parse_field(v: &Value) -> Result<Field> {
    let name = string(v, "name").ok_or_else(|| anyhow!("field without name"))?;
    let ty = string(v, "type").ok_or_else(|| anyhow!("{name}: no type"))?;
    let versions = Versions::parse(&string(v, "versions").unwrap_or_else(|| "none".into()))?;
    let nullable = match string(v, "nullableVersions") {
        Some(s) => Versions::parse(&s)?,
        None => Versions::NONE,
    };
    let tagged = match (v.get("tag"), string(v, "taggedVersions")) {
        (Some(t), Some(tv)) => {
            let tag = t.as_u64().ok_or_else(|| anyhow!("{name}: bad tag"))? as u32;
            Some((tag, Versions::parse(&tv)?))
        }
        (None, None) => None,
        _ => bail!("{name}: tag without taggedVersions or the reverse"),
    };
    let fields = match v.get("fields") {
        Some(f) => Some(parse_fields(f).with_context(|| name.clone())?),
        None => None,
    };
    Ok(Field {
        name,
        ty,
        versions,
        nullable,
        tagged,
        ignorable: v.get("ignorable").and_then(Value::as_bool).unwrap_or(false),
        default: string(v, "default"),
        about: string(v, "about").unwrap_or_default(),
        fields,
    })
}

pub fn load(path: &std::path::Path) -> Result<Message> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let v: Value =
        serde_json::from_str(&strip_comments(&text)).with_context(|| path.display().to_string())?;
    let mut common = Vec::new();
    if let Some(cs) = v.get("commonStructs").and_then(Value::as_array) {
        for c in cs {
            let name = string(c, "name").ok_or_else(|| anyhow!("common struct without name"))?;
            common.push((name, parse_fields(c.get("fields").unwrap_or(&Value::Null))?));
        }
    }
    Ok(Message {
        api_key: v
            .get("apiKey")
            .and_then(Value::as_i64)
            .ok_or_else(|| anyhow!("no apiKey"))? as i16,
        kind: string(&v, "type").unwrap_or_default(),
        name: string(&v, "name").unwrap_or_default(),
        valid: Versions::parse(&string(&v, "validVersions").unwrap_or_default())?,
        flexible: Versions::parse(
            &string(&v, "flexibleVersions").unwrap_or_else(|| "none".into()),
        )?,
        fields: parse_fields(v.get("fields").unwrap_or(&Value::Null))?,
        common,
    })
}
