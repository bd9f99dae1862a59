//! Request and response headers.
//!
//! Request header v1 (`api_key`, `api_version`, `correlation_id`, `client_id`) is used by
//! classic versions of every API we serve and v2 (v1 plus tagged fields) by flexible ones;
//! `client_id` stays a classic nullable string even in v2. Response header v0 is the
//! correlation id alone, v1 adds tagged fields, and ApiVersions responses always use v0 so a
//! client can read the error of a version it guessed wrong.

use bytes::Bytes;

use crate::codec::{Cx, Wire};
use crate::error::{field, finish, WireError, WireResult};
use crate::messages::ApiKey;
use crate::primitives::{decode_tags, section_size, TagsOut, UnknownTags};
use crate::value::Value;
use crate::writer::Writer;

/// The header that starts every request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestHeader {
    /// Which API the body belongs to (raw, so unknown keys can still be answered).
    pub api_key: i16,
    /// The body's version.
    pub api_version: i16,
    /// Echoed in the response so the client can pair them.
    pub correlation_id: i32,
    /// The client's self-reported id (header v1+).
    pub client_id: Option<String>,
    /// Tagged fields (header v2), kept as received.
    pub unknown_tagged_fields: UnknownTags,
}

/// Request header version for `version` of `api_key`: 2 when flexible, else 1. Unknown APIs
/// are read as v1, which is enough to answer them with their correlation id.
pub fn request_header_version(api_key: i16, version: i16) -> i16 {
    match ApiKey::from_i16(api_key) {
        Some(api) if api.is_flexible(version) => 2,
        _ => 1,
    }
}

/// Response header version for `version` of `api`: 1 when flexible, except ApiVersions (0).
pub fn response_header_version(api: ApiKey, version: i16) -> i16 {
    if api != ApiKey::ApiVersions && api.is_flexible(version) {
        1
    } else {
        0
    }
}

impl RequestHeader {
    /// Parse a header at header version `hv` (0, 1 or 2).
    pub fn parse<'a>(i: &'a [u8], hv: i16, cx: &Cx<'_>) -> WireResult<'a, Self> {
        let classic = cx.flex(false);
        let (i, api_key) = field("RequestHeader.api_key", i, i16::decode(i, &classic))?;
        let (i, api_version) = field("RequestHeader.api_version", i, i16::decode(i, &classic))?;
        let (mut i, correlation_id) =
            field("RequestHeader.correlation_id", i, i32::decode(i, &classic))?;
        let mut h = RequestHeader {
            api_key,
            api_version,
            correlation_id,
            ..Self::default()
        };
        if hv >= 1 {
            let (rest, c) = field(
                "RequestHeader.client_id",
                i,
                <Option<String>>::decode(i, &classic),
            )?;
            h.client_id = c;
            i = rest;
        }
        if hv >= 2 {
            let (rest, ()) = field(
                "RequestHeader._tagged_fields",
                i,
                decode_tags(i, cx, &mut h.unknown_tagged_fields, |_, _| Ok(false)),
            )?;
            i = rest;
        }
        Ok((i, h))
    }

    /// Parse the header at the start of a request frame (no length prefix), choosing its
    /// version from the API key and version it carries. Returns the header and the body.
    pub fn split(frame: &Bytes) -> Result<(Self, Bytes), WireError> {
        let cx = Cx::with_src(0, true, frame);
        let (_, (key, version)) = finish(peek_key_version(frame))?;
        let hv = request_header_version(key, version);
        let (rest, h) = finish(Self::parse(frame, hv, &cx))?;
        let body = frame.slice(frame.len() - rest.len()..);
        Ok((h, body))
    }

    /// Write the header at header version `hv`.
    pub fn write(&self, w: &mut Writer, hv: i16) -> Result<(), WireError> {
        let classic = Cx::new(0, false);
        self.api_key.encode(w, &classic)?;
        self.api_version.encode(w, &classic)?;
        self.correlation_id.encode(w, &classic)?;
        if hv >= 1 {
            self.client_id.encode(w, &classic)?;
        }
        if hv >= 2 {
            TagsOut::start(w, 0, &self.unknown_tagged_fields).finish(w);
        }
        Ok(())
    }

    /// Encoded size at header version `hv`.
    pub fn size(&self, hv: i16) -> usize {
        let classic = Cx::new(0, false);
        let mut n = 8;
        if hv >= 1 {
            n += self.client_id.size(&classic);
        }
        if hv >= 2 {
            n += section_size(0, 0, &self.unknown_tagged_fields);
        }
        n
    }

    /// The header as a readable tree.
    pub fn value(&self) -> Value {
        let cx = Cx::new(0, false);
        Value::Struct(vec![
            ("api_key", Value::Int(i64::from(self.api_key))),
            ("api_version", Value::Int(i64::from(self.api_version))),
            ("correlation_id", Value::Int(i64::from(self.correlation_id))),
            ("client_id", self.client_id.to_value(&cx)),
        ])
    }
}

fn peek_key_version(i: &[u8]) -> WireResult<'_, (i16, i16)> {
    let cx = Cx::new(0, false);
    let (i, key) = field("RequestHeader.api_key", i, i16::decode(i, &cx))?;
    let (i, version) = field("RequestHeader.api_version", i, i16::decode(i, &cx))?;
    Ok((i, (key, version)))
}

/// The header that starts every response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseHeader {
    /// The correlation id of the request answered.
    pub correlation_id: i32,
    /// Tagged fields (header v1), kept as received.
    pub unknown_tagged_fields: UnknownTags,
}

impl ResponseHeader {
    /// Parse a header at header version `hv` (0 or 1).
    pub fn parse<'a>(i: &'a [u8], hv: i16, cx: &Cx<'_>) -> WireResult<'a, Self> {
        let (mut i, correlation_id) = field(
            "ResponseHeader.correlation_id",
            i,
            i32::decode(i, &cx.flex(false)),
        )?;
        let mut h = ResponseHeader {
            correlation_id,
            ..Self::default()
        };
        if hv >= 1 {
            let (rest, ()) = field(
                "ResponseHeader._tagged_fields",
                i,
                decode_tags(i, cx, &mut h.unknown_tagged_fields, |_, _| Ok(false)),
            )?;
            i = rest;
        }
        Ok((i, h))
    }

    /// Write the header at header version `hv`.
    pub fn write(&self, w: &mut Writer, hv: i16) -> Result<(), WireError> {
        self.correlation_id.encode(w, &Cx::new(0, false))?;
        if hv >= 1 {
            TagsOut::start(w, 0, &self.unknown_tagged_fields).finish(w);
        }
        Ok(())
    }

    /// Encoded size at header version `hv`.
    pub fn size(&self, hv: i16) -> usize {
        4 + if hv >= 1 {
            section_size(0, 0, &self.unknown_tagged_fields)
        } else {
            0
        }
    }
}
