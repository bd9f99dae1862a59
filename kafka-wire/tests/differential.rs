//! Differential tests against an implementation we did not write: the `kafka-protocol` crate
//! (0.15.1, generated from the same Kafka 3.9 definitions as our shared spec; 0.18.0, from
//! Kafka 4.x, for the few versions 0.15.1 predates, such as ListOffsets v10).
//!
//! For every API, every version the codec knows, requests and responses:
//! 1. our sample (a non-default value in every field the version carries, plus an unknown
//!    tagged field in flexible versions) → our bytes, whose length equals our computed size;
//! 2. kafka-protocol decodes those bytes, consuming all of them, and re-encodes them
//!    byte-identically — so it read every field where we wrote it;
//! 3. we decode kafka-protocol's bytes back to a value equal to the sample, and re-encode them
//!    byte-identically.

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages as kp;
use kafka_wire::{ApiKey, Message as _, RequestBody, ResponseBody, Writer};

#[derive(Debug, Clone, Copy)]
enum Dir {
    Request,
    Response,
}

fn ours_bytes(api: ApiKey, v: i16, dir: Dir) -> (Bytes, usize) {
    let mut w = Writer::new();
    let size = match dir {
        Dir::Request => {
            let m = RequestBody::sample(api, v);
            m.encode(&mut w, v)
                .unwrap_or_else(|e| panic!("{api:?} v{v} request: {e}"));
            m.size(v)
        }
        Dir::Response => {
            let m = ResponseBody::sample(api, v);
            m.encode(&mut w, v)
                .unwrap_or_else(|e| panic!("{api:?} v{v} response: {e}"));
            m.size(v)
        }
    };
    (w.into_bytes(), size)
}

macro_rules! oracle {
    ($name:ident, $kp:path) => {
        /// This kafka-protocol version decodes `bytes` and re-encodes them; returns its bytes.
        fn $name(api: ApiKey, v: i16, dir: Dir, bytes: &Bytes) -> Result<Bytes, String> {
            use $kp as kp;
            let key = kp::ApiKey::try_from(api as i16).map_err(|_| "no such api".to_string())?;
            let mut input = bytes.clone();
            let mut out = BytesMut::new();
            match dir {
                Dir::Request => {
                    let m = kp::RequestKind::decode(key, &mut input, v)
                        .map_err(|e| format!("decode: {e:#}"))?;
                    m.encode(&mut out, v)
                        .map_err(|e| format!("encode: {e:#}"))?;
                }
                Dir::Response => {
                    let m = kp::ResponseKind::decode(key, &mut input, v)
                        .map_err(|e| format!("decode: {e:#}"))?;
                    m.encode(&mut out, v)
                        .map_err(|e| format!("encode: {e:#}"))?;
                }
            }
            if !input.is_empty() {
                return Err(format!("left {} bytes unread", input.len()));
            }
            Ok(out.freeze())
        }
    };
}
oracle!(kp_3_9, kafka_protocol::messages);
oracle!(kp_4_x, kafka_protocol_next::messages);

/// Whether kafka-protocol 0.15.1 (Kafka 3.9) knows this version.
fn kp_3_9_knows(api: ApiKey, v: i16) -> bool {
    use kafka_protocol::protocol::Message;
    !(api == ApiKey::ListOffsets && v > kp::ListOffsetsRequest::VERSIONS.max)
}

fn through_kafka_protocol(api: ApiKey, v: i16, dir: Dir, bytes: &Bytes) -> Result<Bytes, String> {
    if kp_3_9_knows(api, v) {
        kp_3_9(api, v, dir, bytes).map_err(|e| format!("0.15.1 {e}"))
    } else {
        kp_4_x(api, v, dir, bytes).map_err(|e| format!("0.18.0 {e}"))
    }
}

fn ours_roundtrip(api: ApiKey, v: i16, dir: Dir, bytes: &Bytes) -> Result<Bytes, String> {
    let mut w = Writer::new();
    match dir {
        Dir::Request => {
            let m = RequestBody::decode(api, v, bytes).map_err(|e| e.to_string())?;
            if m != RequestBody::sample(api, v) {
                return Err("decoded request differs from the sample".into());
            }
            m.encode(&mut w, v).map_err(|e| e.to_string())?;
        }
        Dir::Response => {
            let m = ResponseBody::decode(api, v, bytes).map_err(|e| e.to_string())?;
            if m != ResponseBody::sample(api, v) {
                return Err("decoded response differs from the sample".into());
            }
            m.encode(&mut w, v).map_err(|e| e.to_string())?;
        }
    }
    Ok(w.into_bytes())
}

#[test]
fn every_api_version_and_direction_agrees_with_kafka_protocol() {
    let mut cases = 0;
    let mut failures = Vec::new();
    for &api in ApiKey::ALL {
        let (lo, hi) = api.codec_versions();
        for v in lo..=hi {
            for dir in [Dir::Request, Dir::Response] {
                cases += 1;
                let (ours, size) = ours_bytes(api, v, dir);
                if size != ours.len() {
                    failures.push(format!(
                        "{api:?} v{v} {dir:?}: size {size} but wrote {}",
                        ours.len()
                    ));
                    continue;
                }
                let theirs = match through_kafka_protocol(api, v, dir, &ours) {
                    Ok(b) => b,
                    Err(e) => {
                        failures.push(format!("{api:?} v{v} {dir:?}: kafka-protocol {e}"));
                        continue;
                    }
                };
                if theirs != ours {
                    failures.push(format!(
                        "{api:?} v{v} {dir:?}: kafka-protocol re-encoded differently\n ours:   {}\n theirs: {}",
                        kafka_wire::value::hex(&ours),
                        kafka_wire::value::hex(&theirs)
                    ));
                    continue;
                }
                match ours_roundtrip(api, v, dir, &theirs) {
                    Ok(again) if again == theirs => {}
                    Ok(_) => failures.push(format!("{api:?} v{v} {dir:?}: our re-encode differs")),
                    Err(e) => failures.push(format!("{api:?} v{v} {dir:?}: ours {e}")),
                }
            }
        }
    }
    println!(
        "differential cases covered: {cases} (api, version, direction), {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        cases >= 350,
        "expected every version of every API, got {cases}"
    );
}

#[test]
fn codec_knows_every_version_kafka_protocol_knows() {
    use kafka_protocol::protocol::Message;
    let ranges = [
        (ApiKey::Produce, kp::ProduceRequest::VERSIONS),
        (ApiKey::Fetch, kp::FetchRequest::VERSIONS),
        (ApiKey::Metadata, kp::MetadataRequest::VERSIONS),
        (ApiKey::ApiVersions, kp::ApiVersionsRequest::VERSIONS),
        (
            ApiKey::DescribeTopicPartitions,
            kp::DescribeTopicPartitionsRequest::VERSIONS,
        ),
    ];
    for (api, r) in ranges {
        assert_eq!(api.codec_versions(), (r.min, r.max), "{api:?}");
    }
    assert_eq!(kafka_wire::messages::ProduceRequest::MAX_VERSION, 11);
}
