//! Golden wire fixtures: one request and one response frame (header + body, no size prefix)
//! for every (API, version) the codec knows, each carrying a non-default value in every field
//! the version has. Pure and deterministic; `kafka-cli generate` writes them to disk.
//!
//! Layout: `wire/<key>-<Name>/v<N>-request.bin` and `v<N>-response.bin`, plus `wire/MANIFEST`
//! listing every file with its API, version, direction, size and CRC-32C.

use std::fmt::Write as _;

use bytes::Bytes;

use crate::error::WireError;
use crate::frame::{Request, Response};
use crate::header::{RequestHeader, ResponseHeader};
use crate::messages::{ApiKey, RequestBody, ResponseBody};

/// One fixture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Path relative to the fixtures root.
    pub path: String,
    /// The API.
    pub api: ApiKey,
    /// The version.
    pub version: i16,
    /// Whether this is the response frame.
    pub response: bool,
    /// The frame.
    pub bytes: Bytes,
}

/// The client id written into every fixture request header.
pub const CLIENT_ID: &str = "kafka-wire-golden";

/// The correlation id of the fixture for `api` at `version`: distinct per frame.
pub fn correlation_id(api: ApiKey, version: i16) -> i32 {
    i32::from(api as i16) * 1000 + i32::from(version)
}

/// Folder of an API's fixtures: `wire/<key>-<Name>`.
pub fn api_dir(api: ApiKey) -> String {
    format!("wire/{}-{}", api as i16, api.name())
}

/// Every fixture, in (API, version, request-then-response) order.
pub fn fixtures() -> Result<Vec<Fixture>, WireError> {
    let mut out = Vec::new();
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        for version in lo..=hi {
            let correlation_id = correlation_id(api, version);
            let header = RequestHeader {
                api_key: api as i16,
                api_version: version,
                correlation_id,
                client_id: Some(CLIENT_ID.into()),
                ..RequestHeader::default()
            };
            let request = Request {
                header,
                body: RequestBody::sample(api, version),
            };
            let response = Response {
                header: ResponseHeader {
                    correlation_id,
                    ..ResponseHeader::default()
                },
                body: ResponseBody::sample(api, version),
            };
            let dir = api_dir(api);
            out.push(Fixture {
                path: format!("{dir}/v{version}-request.bin"),
                api,
                version,
                response: false,
                bytes: request.to_bytes()?,
            });
            out.push(Fixture {
                path: format!("{dir}/v{version}-response.bin"),
                api,
                version,
                response: true,
                bytes: response.to_bytes(version)?,
            });
        }
    }
    Ok(out)
}

/// The MANIFEST text for `fixtures`: one line per file.
pub fn manifest(fixtures: &[Fixture]) -> String {
    let mut s = String::from("# path api_key api_name version direction bytes crc32c\n");
    for f in fixtures {
        let dir = if f.response { "response" } else { "request" };
        let _ = writeln!(
            s,
            "{} {} {} {} {dir} {} {:08x}",
            f.path,
            f.api as i16,
            f.api.name(),
            f.version,
            f.bytes.len(),
            crc32c::crc32c(&f.bytes)
        );
    }
    s
}
