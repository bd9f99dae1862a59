//! Whole frames: the 4-byte size prefix, and header + body encode/decode.
//!
//! Splitting a byte stream into frames is two steps (as in mini-redis): [`frame_size`] says
//! whether a whole frame is buffered — "not yet" is a normal answer, not an error — and only
//! then is the frame parsed. The size is checked against the caller's cap before any buffer is
//! reserved for it.

use bytes::Bytes;

use crate::error::WireError;
use crate::header::{
    request_header_version, response_header_version, RequestHeader, ResponseHeader,
};
use crate::messages::{ApiKey, RequestBody, ResponseBody};
use crate::writer::Writer;

/// Why a stream cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The size prefix is negative.
    #[error("negative frame size {0}")]
    Negative(i32),
    /// The size prefix exceeds the cap.
    #[error("frame of {size} bytes exceeds the cap of {max}")]
    TooLarge {
        /// Declared size.
        size: usize,
        /// The cap.
        max: usize,
    },
}

/// If `buf` starts with a whole frame, the size of its body (without the 4-byte prefix);
/// `Ok(None)` when more bytes are needed.
pub fn frame_size(buf: &[u8], max: usize) -> Result<Option<usize>, FrameError> {
    let Some(prefix) = buf.get(..4).and_then(|p| <[u8; 4]>::try_from(p).ok()) else {
        return Ok(None);
    };
    let size = i32::from_be_bytes(prefix);
    let size = usize::try_from(size).map_err(|_| FrameError::Negative(size))?;
    if size > max {
        return Err(FrameError::TooLarge { size, max });
    }
    Ok((buf.len() >= 4 + size).then_some(size))
}

/// A decoded request: header and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The request header.
    pub header: RequestHeader,
    /// The request body.
    pub body: RequestBody,
}

impl Request {
    /// Decode a request frame (no size prefix).
    pub fn decode(frame: &Bytes) -> Result<Self, WireError> {
        let (header, body) = RequestHeader::split(frame)?;
        let api =
            ApiKey::from_i16(header.api_key).ok_or(WireError::UnknownApiKey(header.api_key))?;
        let body = RequestBody::decode(api, header.api_version, &body)?;
        Ok(Request { header, body })
    }

    /// Encode the frame (no size prefix); the header's API key is taken from the body.
    pub fn encode(&self, w: &mut Writer) -> Result<(), WireError> {
        let v = self.header.api_version;
        let header = RequestHeader {
            api_key: self.body.api_key() as i16,
            ..self.header.clone()
        };
        header.write(w, request_header_version(header.api_key, v))?;
        self.body.encode(w, v)
    }

    /// The frame as one buffer (no size prefix).
    pub fn to_bytes(&self) -> Result<Bytes, WireError> {
        let mut w = Writer::new();
        self.encode(&mut w)?;
        Ok(w.into_bytes())
    }
}

/// A decoded response: header and body (the API and version come from the request).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The response header.
    pub header: ResponseHeader,
    /// The response body.
    pub body: ResponseBody,
}

impl Response {
    /// Decode a response frame (no size prefix) to a request of `api` at `version`.
    pub fn decode(frame: &Bytes, api: ApiKey, version: i16) -> Result<Self, WireError> {
        let cx = crate::Cx::with_src(version, true, frame);
        let hv = response_header_version(api, version);
        let (rest, header) = crate::error::finish(ResponseHeader::parse(frame, hv, &cx))?;
        let body = frame.slice(frame.len() - rest.len()..);
        let body = ResponseBody::decode(api, version, &body)?;
        Ok(Response { header, body })
    }

    /// Encode the frame (no size prefix) at `version`.
    pub fn encode(&self, w: &mut Writer, version: i16) -> Result<(), WireError> {
        let hv = response_header_version(self.body.api_key(), version);
        self.header.write(w, hv)?;
        self.body.encode(w, version)
    }

    /// Encoded size of the frame (no size prefix) at `version`.
    pub fn size(&self, version: i16) -> usize {
        self.header
            .size(response_header_version(self.body.api_key(), version))
            + self.body.size(version)
    }

    /// The frame as one buffer (no size prefix).
    pub fn to_bytes(&self, version: i16) -> Result<Bytes, WireError> {
        let mut w = Writer::with_capacity(self.size(version));
        self.encode(&mut w, version)?;
        Ok(w.into_bytes())
    }
}
