//! Mapping tests: records through messages and back, limits, and the SDK's own encoder as
//! the reference for header bytes.

use super::*;
use iggy::prelude::{HeaderKey, HeaderValue};
use kafka_wire::records::Batch;
use proptest::prelude::*;

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
        let m = stored(
            to_message(r, 1_700_000_000_123, i as u128 + 1, &mut BytesMut::new()).unwrap(),
            42,
        );
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
    let m = to_message(
        &rec(Some("id-7"), None, &[("trace", Some("t1"))]),
        5,
        9,
        &mut BytesMut::new(),
    )
    .unwrap();
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
            matches!(
                to_message(r, 0, 1, &mut BytesMut::new()),
                Err(MappingError::TooLong { .. })
            ),
            "{r:?}"
        );
    }
    let dup = rec(None, Some("v"), &[("h", Some("1")), ("h", None)]);
    assert_eq!(
        to_message(&dup, 0, 1, &mut BytesMut::new()).unwrap_err(),
        MappingError::DuplicateHeader("h".into())
    );
    let ok = "y".repeat(255);
    assert!(to_message(&rec(Some(&ok), Some("v"), &[]), 0, 1, &mut BytesMut::new()).is_ok());
}

/// The SDK's own encoder, given the agreed header names as a map, writes the same bytes.
#[test]
fn headers_encode_as_the_sdk_does() {
    use std::collections::BTreeMap;
    let k = |s: &str| HeaderKey::try_from(s).unwrap();
    let raw = |b: &str| HeaderValue::try_from(b.as_bytes()).unwrap();
    let text = |b: &str| HeaderValue::try_from(b).unwrap();
    let version = || (k("kafka.v"), HeaderValue::from(1u8));
    let cases: Vec<(Record, Vec<(HeaderKey, HeaderValue)>)> = vec![
        (
            rec(Some("k"), Some("v"), &[]),
            vec![version(), (k("kafka.key"), raw("k"))],
        ),
        (
            rec(
                Some(""),
                None,
                &[("b", Some("2")), ("a", Some("")), ("c", None)],
            ),
            vec![
                version(),
                (k("kafka.key.empty"), true.into()),
                (k("kafka.value"), text("null")),
                (k("kafka.h.b"), raw("2")),
                (k("kafka.he.a"), true.into()),
                (k("kafka.hn.c"), true.into()),
            ],
        ),
        (
            rec(None, Some(""), &[]),
            vec![version(), (k("kafka.value"), text("empty"))],
        ),
    ];
    // One buffer for every message, as a batch uses it.
    let mut buf = BytesMut::new();
    let ours: Vec<IggyMessage> = cases
        .iter()
        .enumerate()
        .map(|(i, (r, _))| to_message(r, 7, i as u128, &mut buf).unwrap())
        .collect();
    for ((_, want), m) in cases.iter().zip(&ours) {
        let map: BTreeMap<_, _> = want.iter().cloned().collect();
        let sdk = IggyMessage::builder()
            .payload(m.payload.clone())
            .user_headers(map)
            .build()
            .unwrap();
        assert_eq!(m.user_headers, sdk.user_headers);
        assert_eq!(m.header.user_headers_length, sdk.header.user_headers_length);
        assert_eq!(m.header.payload_length, sdk.header.payload_length);
    }
}

#[test]
fn headers_over_iggys_total_limit_are_refused() {
    let value = "x".repeat(255);
    let names: Vec<String> = (0..400).map(|i| format!("h{i}")).collect();
    let headers: Vec<(&str, Option<&str>)> = names
        .iter()
        .map(|n| (n.as_str(), Some(value.as_str())))
        .collect();
    let r = rec(None, Some("v"), &headers);
    let got = to_message(&r, 0, 1, &mut BytesMut::new());
    assert!(matches!(got, Err(MappingError::Refused(_))), "{got:?}");
}

#[test]
fn truncated_headers_are_unreadable_not_a_panic() {
    let whole = to_message(&rec(Some("k"), Some("v"), &[]), 0, 1, &mut BytesMut::new())
        .unwrap()
        .user_headers
        .unwrap();
    // Entries are sorted: `kafka.key` = "k" ends where `kafka.v` starts, a valid cut.
    let first_entry = (5 + "kafka.key".len()) + (5 + 1);
    for cut in (1..whole.len()).filter(|&c| c != first_entry) {
        let mut m = stored(
            to_message(&rec(None, Some("v"), &[]), 0, 1, &mut BytesMut::new()).unwrap(),
            9,
        );
        m.user_headers = Some(whole.slice(..cut));
        let got = from_message(&m);
        assert!(
            matches!(got, Err(MappingError::Unreadable { offset: 9, .. })),
            "cut at {cut}: {got:?}"
        );
    }
}

fn bytes_up_to(max: usize) -> impl Strategy<Value = Option<Bytes>> {
    proptest::option::of(proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from))
}

fn any_record() -> impl Strategy<Value = Record> {
    let headers = proptest::collection::btree_map("[a-z.]{0,12}", bytes_up_to(40), 0..5);
    (bytes_up_to(40), bytes_up_to(300), headers).prop_map(|(key, value, headers)| Record {
        key,
        value,
        headers: headers
            .into_iter()
            .map(|(key, value)| RecordHeader { key, value })
            .collect(),
        ..Record::default()
    })
}

/// The agreed header set of a record, as a map for the SDK's own encoder.
fn agreed_headers(r: &Record) -> std::collections::BTreeMap<HeaderKey, HeaderValue> {
    let k = |s: String| HeaderKey::try_from(s.as_str()).unwrap();
    let mut h = std::collections::BTreeMap::new();
    h.insert(k("kafka.v".into()), HeaderValue::from(1u8));
    match &r.key {
        None => {}
        Some(b) if b.is_empty() => {
            h.insert(k("kafka.key.empty".into()), true.into());
        }
        Some(b) => {
            h.insert(
                k("kafka.key".into()),
                HeaderValue::try_from(&b[..]).unwrap(),
            );
        }
    }
    match &r.value {
        None => h.insert(k("kafka.value".into()), "null".try_into().unwrap()),
        Some(v) if v.is_empty() => h.insert(k("kafka.value".into()), "empty".try_into().unwrap()),
        Some(_) => None,
    };
    for rh in &r.headers {
        let (name, value) = match &rh.value {
            None => (format!("kafka.hn.{}", rh.key), true.into()),
            Some(v) if v.is_empty() => (format!("kafka.he.{}", rh.key), true.into()),
            Some(v) => (
                format!("kafka.h.{}", rh.key),
                HeaderValue::try_from(&v[..]).unwrap(),
            ),
        };
        h.insert(k(name), value);
    }
    h
}

proptest! {
    /// Any record survives the trip through a message, and its headers are the bytes the
    /// SDK's encoder writes for the agreed names.
    #[test]
    fn any_record_round_trips_and_encodes_as_the_sdk_does(r in any_record()) {
        let m = stored(to_message(&r, 1_000, 5, &mut BytesMut::new()).unwrap(), 3);
        let sdk = IggyMessage::builder()
            .payload(m.payload.clone())
            .user_headers(agreed_headers(&r))
            .build()
            .unwrap();
        prop_assert_eq!(&m.user_headers, &sdk.user_headers);
        let (_, _, back) = from_message(&m).unwrap();
        let mut want = r.clone();
        want.headers.sort_by(|a, b| a.key.cmp(&b.key));
        prop_assert_eq!(back, want);
    }
}

#[test]
fn a_rebuilt_batch_has_a_valid_crc_and_the_records() {
    let msgs: Vec<IggyMessage> = (0..3)
        .map(|i| {
            let r = rec(Some(&format!("k{i}")), Some(&format!("v{i}")), &[]);
            stored(
                to_message(&r, 1000 + i, i as u128 + 1, &mut BytesMut::new()).unwrap(),
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
