//! Kafka frames out of a byte stream, each decoded as a request or as the response to one.
//!
//! A response carries only its correlation id, so its API and version come from the request
//! it answers ([`Pairing`]) or from the user (`--api-key`, `--api-version`).

use std::collections::HashMap;
use std::net::SocketAddr;

use bytes::Bytes;
use kafka_wire::frame::{frame_size, Request, Response};
use kafka_wire::header::RequestHeader;
use kafka_wire::{ApiKey, Value, WireError};

/// Largest frame `decode` accepts (Kafka's own default `socket.request.max.bytes` is 100 MiB).
pub const MAX_FRAME: usize = 1 << 30;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to broker.
    Request,
    /// Broker to client.
    Response,
}

impl Direction {
    /// `"request"` or `"response"`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// One decoded (or undecodable) frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Request or response, when known.
    pub direction: Option<Direction>,
    /// API key, when known.
    pub api_key: Option<i16>,
    /// API version, when known.
    pub api_version: Option<i16>,
    /// Correlation id, when the header could be read.
    pub correlation_id: Option<i32>,
    /// Request header client id.
    pub client_id: Option<String>,
    /// Frame size, without the 4-byte size prefix.
    pub size: usize,
    /// The decoded body.
    pub body: Option<Value>,
    /// Why it did not decode.
    pub error: Option<String>,
    /// Capture time in microseconds (pcap and pasted packets).
    pub ts_us: Option<i64>,
    /// Sender (pcap and pasted packets).
    pub src: Option<SocketAddr>,
    /// Receiver (pcap and pasted packets).
    pub dst: Option<SocketAddr>,
}

/// A decode error with the byte offset of the failing field, counted from the start of the
/// frame after its 4-byte size.
pub fn describe(e: &WireError, frame_len: usize) -> String {
    match e.offset_in(frame_len) {
        Some(at) => format!("at byte {at} of the frame: {}", e.cause()),
        None => e.to_string(),
    }
}

/// Decode `frame` (no size prefix) as a request.
pub fn decode_request(frame: &Bytes) -> Frame {
    let mut f = Frame {
        direction: Some(Direction::Request),
        size: frame.len(),
        ..Frame::default()
    };
    match RequestHeader::split(frame) {
        Ok((h, _)) => {
            f.api_key = Some(h.api_key);
            f.api_version = Some(h.api_version);
            f.correlation_id = Some(h.correlation_id);
            f.client_id = h.client_id;
        }
        Err(e) => {
            f.error = Some(describe(&e, frame.len()));
            return f;
        }
    }
    match Request::decode(frame) {
        Ok(r) => f.body = Some(r.body.value(r.header.api_version)),
        Err(e) => f.error = Some(describe(&e, frame.len())),
    }
    f
}

/// Decode `frame` (no size prefix) as the response to `api_key` at `version`.
pub fn decode_response(frame: &Bytes, api_key: i16, version: i16) -> Frame {
    let mut f = Frame {
        direction: Some(Direction::Response),
        api_key: Some(api_key),
        api_version: Some(version),
        correlation_id: correlation_id(frame),
        size: frame.len(),
        ..Frame::default()
    };
    let Some(api) = ApiKey::from_i16(api_key) else {
        f.error = Some(WireError::UnknownApiKey(api_key).to_string());
        return f;
    };
    match Response::decode(frame, api, version) {
        Ok(r) => f.body = Some(r.body.value(version)),
        Err(e) => f.error = Some(describe(&e, frame.len())),
    }
    f
}

/// The first four bytes: a response's correlation id.
pub fn correlation_id(frame: &[u8]) -> Option<i32> {
    frame
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_be_bytes)
}

/// Frames of a stream: whole size-prefixed frames, then the bytes of an incomplete last one.
pub fn split_stream(data: &Bytes) -> (Vec<Bytes>, Result<(), String>) {
    let mut frames = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let rest = data.slice(pos..);
        match frame_size(&rest, MAX_FRAME) {
            Ok(Some(size)) => {
                frames.push(rest.slice(4..4 + size));
                pos += 4 + size;
            }
            Ok(None) => {
                return (
                    frames,
                    Err(format!(
                        "the stream ends {} bytes into a frame at byte {pos}",
                        rest.len()
                    )),
                )
            }
            Err(e) => return (frames, Err(format!("at byte {pos}: {e}"))),
        }
    }
    (frames, Ok(()))
}

/// Frames of a pasted blob: size-prefixed frames when the sizes chain exactly to its end,
/// else the whole blob as one frame without its size.
pub fn split_blob(data: &Bytes) -> Vec<Bytes> {
    match split_stream(data) {
        (frames, Ok(())) if !frames.is_empty() => frames,
        _ => vec![data.clone()],
    }
}

/// What the user told us about frames that cannot be auto-detected.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints {
    /// `--request` / `--response`.
    pub direction: Option<Direction>,
    /// `--api-key`.
    pub api_key: Option<i16>,
    /// `--api-version`.
    pub api_version: Option<i16>,
}

/// Requests seen and not yet answered, by correlation id, so responses decode.
#[derive(Debug, Default)]
pub struct Pairing {
    pending: HashMap<i32, (i16, i16)>,
}

impl Pairing {
    /// Remember a decoded request.
    pub fn note(&mut self, f: &Frame) {
        if let (Some(Direction::Request), Some(k), Some(v), Some(c)) =
            (f.direction, f.api_key, f.api_version, f.correlation_id)
        {
            self.pending.insert(c, (k, v));
        }
    }

    /// Decode a frame known to be a response.
    pub fn response(&mut self, frame: &Bytes, hints: &Hints) -> Frame {
        let paired = correlation_id(frame).and_then(|c| self.pending.remove(&c));
        match paired.or(hints.api_key.zip(hints.api_version)) {
            Some((k, v)) => decode_response(frame, k, v),
            None => Frame {
                direction: Some(Direction::Response),
                correlation_id: correlation_id(frame),
                size: frame.len(),
                error: Some(
                    "response to a request not in the input: pass --api-key and --api-version"
                        .into(),
                ),
                ..Frame::default()
            },
        }
    }

    /// Decode a frame whose direction is given by `hints` or found out: the response to an
    /// earlier request with its correlation id, else a request, else a response with the
    /// hinted API and version.
    pub fn auto(&mut self, frame: &Bytes, hints: &Hints) -> Frame {
        match hints.direction {
            Some(Direction::Request) => {
                let f = decode_request(frame);
                self.note(&f);
                return f;
            }
            Some(Direction::Response) => return self.response(frame, hints),
            None => {}
        }
        let cid = correlation_id(frame);
        if let Some(&(k, v)) = cid.and_then(|c| self.pending.get(&c)) {
            let f = decode_response(frame, k, v);
            if f.error.is_none() {
                cid.map(|c| self.pending.remove(&c));
                return f;
            }
        }
        let req = decode_request(frame);
        if req.error.is_none() {
            self.note(&req);
            return req;
        }
        if let Some((k, v)) = hints.api_key.zip(hints.api_version) {
            return decode_response(frame, k, v);
        }
        let known_header = req
            .api_key
            .and_then(ApiKey::from_i16)
            .zip(req.api_version)
            .is_some_and(|(api, v)| {
                let (lo, hi) = api.codec_versions();
                (lo..=hi).contains(&v)
            });
        if known_header {
            return req;
        }
        Frame {
            direction: None,
            size: frame.len(),
            error: Some(format!(
                "neither a request nor the response to one in the input ({}); for a response pass --response --api-key K --api-version V",
                req.error.unwrap_or_default()
            )),
            ..Frame::default()
        }
    }
}
