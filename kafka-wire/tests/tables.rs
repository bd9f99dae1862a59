//! The error-code table against kafka-protocol's, the served-versions table against the codec,
//! and headers and framing against hand-checked byte layouts.

use bytes::Bytes;
use kafka_protocol::error::ResponseError;
use kafka_wire::api::{self, SUPPORTED};
use kafka_wire::frame::{frame_size, FrameError};
use kafka_wire::header::{request_header_version, response_header_version, RequestHeader};
use kafka_wire::{ApiKey, ErrorCode};

fn snake_upper(debug: &str) -> String {
    let mut s = String::new();
    for (n, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && n > 0 {
            s.push('_');
        }
        s.push(c.to_ascii_uppercase());
    }
    s
}

#[test]
fn error_codes_agree_with_kafka_protocol_on_names_and_retriability() {
    let mut checked = 0;
    let mut diffs = Vec::new();
    for &code in ErrorCode::ALL {
        if code.is_ok() {
            continue;
        }
        let Some(theirs) = ResponseError::try_from_code(code.0) else {
            continue;
        };
        if let ResponseError::Unknown(_) = theirs {
            continue;
        }
        assert_eq!(theirs.code(), code.0);
        if theirs.is_retriable() != code.is_retriable() {
            diffs.push(format!(
                "{code:?}: retriable {} here, {} in kafka-protocol",
                code.is_retriable(),
                theirs.is_retriable()
            ));
        }
        let name = snake_upper(&format!("{theirs:?}"));
        // kafka-protocol names INVALID_TOPIC_EXCEPTION "InvalidTopicException" and spells a few
        // differently; compare without underscores so e.g. KAFKA_STORAGE_ERROR matches.
        if name.replace('_', "") != code.name().replace('_', "") {
            diffs.push(format!("{code:?}: named {name} in kafka-protocol"));
        }
        checked += 1;
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert!(checked >= 100, "only {checked} codes compared");
    assert_eq!(ErrorCode::UNSUPPORTED_VERSION.0, 35);
    assert_eq!(ErrorCode(999).name(), "UNKNOWN");
}

#[test]
fn every_served_range_lies_within_what_the_codec_knows() {
    for s in SUPPORTED {
        let (lo, hi) = s.api.codec_versions();
        assert!(lo <= s.min && s.max <= hi && s.min <= s.max, "{:?}", s);
    }
    let keys: Vec<i16> = SUPPORTED.iter().map(|s| s.api as i16).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "one line per API, in key order");
    assert!(
        api::is_served(0, 0),
        "librdkafka < 2.11.1 needs Produce v0 advertised to compress"
    );
    assert!(!api::is_served(1, 3) && api::is_served(1, 4));
    assert!(
        !api::is_served(71, 0),
        "GetTelemetrySubscriptions must not be advertised"
    );
}

#[test]
fn header_versions_follow_the_flexible_boundary_except_api_versions_responses() {
    assert_eq!(request_header_version(ApiKey::Fetch as i16, 11), 1);
    assert_eq!(request_header_version(ApiKey::Fetch as i16, 12), 2);
    assert_eq!(request_header_version(ApiKey::ApiVersions as i16, 3), 2);
    assert_eq!(request_header_version(9999, 3), 1);
    assert_eq!(response_header_version(ApiKey::Metadata, 9), 1);
    assert_eq!(response_header_version(ApiKey::ApiVersions, 3), 0);
}

#[test]
fn a_flexible_request_header_keeps_client_id_as_a_classic_string() {
    // ApiVersions v3: key 18, version 3, correlation 7, client id "ab" (i16 length), no tags.
    let frame = Bytes::from_static(&[
        0, 18, 0, 3, 0, 0, 0, 7, 0, 2, b'a', b'b', 0, 3, b'c', b'l', 1, 0,
    ]);
    let (h, body) = RequestHeader::split(&frame).unwrap();
    assert_eq!((h.api_key, h.api_version, h.correlation_id), (18, 3, 7));
    assert_eq!(h.client_id.as_deref(), Some("ab"));
    assert_eq!(&body[..], &[3, b'c', b'l', 1, 0]);
}

#[test]
fn framing_waits_for_whole_frames_and_checks_the_cap_first() {
    assert_eq!(frame_size(&[0, 0], 100), Ok(None));
    assert_eq!(frame_size(&[0, 0, 0, 3, 1, 2], 100), Ok(None));
    assert_eq!(frame_size(&[0, 0, 0, 3, 1, 2, 3], 100), Ok(Some(3)));
    assert_eq!(
        frame_size(&[0x7f, 0xff, 0xff, 0xff], 100),
        Err(FrameError::TooLarge {
            size: 0x7fff_ffff,
            max: 100
        })
    );
    assert_eq!(
        frame_size(&[0xff, 0xff, 0xff, 0xff], 100),
        Err(FrameError::Negative(-1))
    );
}
