//! Record batches and message sets, checked against kafka-protocol's independent record codec
//! (both directions, every codec, magic 0, 1 and 2), plus CRC, cap and rewrite behaviour.

use bytes::{Bytes, BytesMut};
use kafka_protocol::indexmap::IndexMap;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records as kpr;
use kafka_wire::records::{self, Batch, BatchSpec, Compression, Record, RecordHeader};

const CAP: usize = 16 << 20;

/// Records with null keys and values, headers, and (if `null_headers`) null header values.
/// kafka-protocol 0.15.1 cannot decode a null header value (it writes -1 but reads only -2 as
/// null), so the oracle tests leave those out; Kafka's `DefaultRecord` reads any negative as null.
fn sample_records_with(n: i32, null_headers: bool) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            attributes: 0,
            timestamp_delta: i64::from(i) * 3,
            offset_delta: i,
            key: (i % 5 != 0).then(|| Bytes::from(format!("key-{i}"))),
            value: (i % 7 != 3)
                .then(|| Bytes::from(format!("value-{i}-{}", "x".repeat(i as usize % 40)))),
            headers: (0..i % 3)
                .map(|h| RecordHeader {
                    key: format!("h{h}"),
                    value: (h != 1 || !null_headers).then(|| Bytes::from(vec![h as u8; 3])),
                })
                .collect(),
        })
        .collect()
}

fn sample_records(n: i32) -> Vec<Record> {
    sample_records_with(n, true)
}

const CODECS: [Compression; 5] = [
    Compression::None,
    Compression::Gzip,
    Compression::Snappy,
    Compression::Lz4,
    Compression::Zstd,
];

fn kp_codec(c: Compression) -> kpr::Compression {
    match c {
        Compression::None => kpr::Compression::None,
        Compression::Gzip => kpr::Compression::Gzip,
        Compression::Snappy => kpr::Compression::Snappy,
        Compression::Lz4 => kpr::Compression::Lz4,
        Compression::Zstd => kpr::Compression::Zstd,
    }
}

#[test]
fn our_batches_decode_with_kafka_protocol() {
    let recs = sample_records_with(50, false);
    // kafka-protocol reads raw snappy only; our snappy is the xerial framing Java uses, which
    // is checked against real client bytes in `captures.rs`.
    for c in CODECS.into_iter().filter(|c| *c != Compression::Snappy) {
        let spec = BatchSpec {
            base_offset: 1000,
            base_timestamp: 1_700_000_000_000,
            compression: c,
            producer_id: 9,
            producer_epoch: 2,
            base_sequence: 40,
            ..Default::default()
        };
        let mut bytes = records::build_batch(&spec, &recs).unwrap();
        let set =
            kpr::RecordBatchDecoder::decode(&mut bytes).unwrap_or_else(|e| panic!("{c:?}: {e:#}"));
        assert!(bytes.is_empty());
        assert_eq!(set.records.len(), recs.len(), "{c:?}");
        for (k, r) in set.records.iter().zip(&recs) {
            assert_eq!(k.offset, 1000 + i64::from(r.offset_delta));
            assert_eq!(k.timestamp, 1_700_000_000_000 + r.timestamp_delta);
            assert_eq!(
                (k.producer_id, k.producer_epoch, k.sequence),
                (9, 2, 40 + r.offset_delta)
            );
            assert_eq!((&k.key, &k.value), (&r.key, &r.value));
            let headers: Vec<(String, Option<Bytes>)> = k
                .headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.clone()))
                .collect();
            let ours: Vec<(String, Option<Bytes>)> = r
                .headers
                .iter()
                .map(|h| (h.key.clone(), h.value.clone()))
                .collect();
            assert_eq!(headers, ours);
        }
    }
}

/// Records for kafka-protocol to encode; legacy formats have no headers.
fn kp_records(n: i64, legacy: bool) -> Vec<kpr::Record> {
    (0..n)
        .map(|i| kpr::Record {
            transactional: false,
            control: false,
            partition_leader_epoch: 5,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: kpr::TimestampType::Creation,
            offset: i,
            sequence: -1,
            timestamp: 1_600_000_000_000 + i,
            key: Some(Bytes::from(format!("k{i}"))),
            value: Some(Bytes::from(format!(
                "payload {i} {}",
                "y".repeat(i as usize)
            ))),
            headers: if i % 2 == 0 || legacy {
                IndexMap::new()
            } else {
                [(
                    StrBytes::from_static_str("trace"),
                    Some(Bytes::from_static(b"1")),
                )]
                .into_iter()
                .collect()
            },
        })
        .collect()
}

fn kp_encode(version: i8, c: Compression, recs: &[kpr::Record]) -> Bytes {
    let mut buf = BytesMut::new();
    kpr::RecordBatchEncoder::encode(
        &mut buf,
        recs,
        &kpr::RecordEncodeOptions {
            version,
            compression: kp_codec(c),
        },
    )
    .unwrap();
    buf.freeze()
}

#[test]
fn kafka_protocol_batches_decode_with_ours() {
    let recs = kp_records(30, false);
    for c in CODECS {
        let bytes = kp_encode(2, c, &recs);
        let mut n = 0;
        for b in records::batches(&bytes) {
            let b = b.unwrap();
            b.verify_crc().unwrap();
            for r in b.records(CAP).unwrap() {
                let k = &recs[n];
                assert_eq!(
                    b.header.base_offset + i64::from(r.offset_delta),
                    k.offset,
                    "{c:?}"
                );
                assert_eq!(b.header.base_timestamp + r.timestamp_delta, k.timestamp);
                assert_eq!((&r.key, &r.value), (&k.key, &k.value));
                assert_eq!(r.headers.len(), k.headers.len());
                n += 1;
            }
        }
        assert_eq!(n, recs.len(), "{c:?}");
    }
}

#[test]
fn legacy_message_sets_decode_and_up_convert() {
    let recs = kp_records(12, true);
    for version in [0i8, 1] {
        for c in [
            Compression::None,
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
        ] {
            if version == 0 && c == Compression::Lz4 {
                continue; // kafka-protocol refuses LZ4 with magic 0 (its frame checksum was broken)
            }
            let bytes = kp_encode(version, c, &recs);
            assert_eq!(records::magic(&bytes), Some(version));
            let msgs = records::decode_message_set(&bytes, CAP)
                .unwrap_or_else(|e| panic!("magic {version} {c:?}: {e}"));
            assert_eq!(msgs.len(), recs.len(), "magic {version} {c:?}");
            for (m, k) in msgs.iter().zip(&recs) {
                assert_eq!((&m.key, &m.value), (&k.key, &k.value));
                if version == 1 {
                    assert_eq!(m.timestamp, k.timestamp);
                }
            }
            let v2 = records::up_convert(&bytes, CAP).unwrap();
            let (batch, rest) = Batch::parse(&v2).unwrap();
            assert!(rest.is_empty());
            batch.verify_crc().unwrap();
            assert_eq!(batch.header.attributes.compression(), Some(c));
            let up = batch.records(CAP).unwrap();
            assert_eq!(up.len(), recs.len());
            for (r, k) in up.iter().zip(&recs) {
                assert_eq!((&r.key, &r.value), (&k.key, &k.value));
            }
        }
    }
}

#[test]
fn every_codec_round_trips_our_own_batches_including_null_header_values() {
    let recs = sample_records(40);
    for c in CODECS {
        let spec = BatchSpec {
            compression: c,
            ..Default::default()
        };
        let bytes = records::build_batch(&spec, &recs).unwrap();
        let (batch, rest) = Batch::parse(&bytes).unwrap();
        assert!(rest.is_empty());
        batch.verify_crc().unwrap();
        assert_eq!(batch.records(CAP).unwrap(), recs, "{c:?}");
    }
}

#[test]
fn a_flipped_bit_anywhere_under_the_crc_fails_it() {
    let batch = records::build_batch(&BatchSpec::default(), &sample_records(5)).unwrap();
    for at in 21..batch.len() {
        for bit in [0, 3, 7] {
            let mut b = batch.to_vec();
            b[at] ^= 1 << bit;
            let b = Bytes::from(b);
            // A header field the parser itself rejects (e.g. a negative count) also refuses it.
            let refused = Batch::parse(&b).map_or(true, |(parsed, _)| {
                matches!(
                    parsed.verify_crc(),
                    Err(kafka_wire::WireError::BadCrc { .. })
                )
            });
            assert!(refused, "byte {at} bit {bit} went unnoticed");
        }
    }
}

#[test]
fn rewriting_base_offset_and_epoch_keeps_the_crc_valid() {
    let mut b = records::build_batch(&BatchSpec::default(), &sample_records(3))
        .unwrap()
        .to_vec();
    records::set_base_offset(&mut b, 123_456, 7);
    let b = Bytes::from(b);
    let (batch, _) = Batch::parse(&b).unwrap();
    batch.verify_crc().unwrap();
    assert_eq!(
        (
            batch.header.base_offset,
            batch.header.partition_leader_epoch
        ),
        (123_456, 7)
    );
    assert_eq!(batch.header.last_offset(), 123_458);
}

#[test]
fn decompression_is_capped_for_every_codec() {
    let big = vec![0u8; 4 << 20];
    for c in CODECS.into_iter().skip(1) {
        let packed = c.compress(&big).unwrap();
        assert!(packed.len() < big.len() / 10, "{c:?} should compress zeros");
        assert_eq!(c.decompress(&packed, big.len()).unwrap(), big);
        let err = c.decompress(&packed, 1 << 20).unwrap_err();
        assert!(
            matches!(err, kafka_wire::WireError::DecompressedTooLarge { limit, .. } if limit == 1 << 20),
            "{c:?}: {err}"
        );
    }
}

#[test]
fn raw_and_xerial_snappy_both_decode() {
    let data = b"hello snappy hello snappy hello snappy".repeat(100);
    let raw = snap::raw::Encoder::new().compress_vec(&data).unwrap();
    assert_eq!(Compression::Snappy.decompress(&raw, CAP).unwrap(), data);
    let xerial = Compression::Snappy.compress(&data).unwrap();
    assert_eq!(&xerial[..8], b"\x82SNAPPY\x00");
    assert_eq!(Compression::Snappy.decompress(&xerial, CAP).unwrap(), data);
}

#[test]
fn control_batches_are_flagged_and_their_type_read() {
    let marker = Record {
        key: Some(Bytes::from_static(&[0, 0, 0, 1])),
        value: Some(Bytes::from_static(&[0, 0, 0, 0, 0, 0])),
        ..Default::default()
    };
    let b = records::build_batch(
        &BatchSpec {
            flags: 0x30,
            producer_id: 5,
            ..Default::default()
        },
        &[marker],
    )
    .unwrap();
    let (batch, _) = Batch::parse(&b).unwrap();
    assert!(batch.header.attributes.control() && batch.header.attributes.transactional());
    let r = batch.records(CAP).unwrap();
    assert_eq!(
        records::control_type(r[0].key.as_ref().unwrap()).unwrap(),
        records::ControlType::Commit
    );
}

#[test]
fn produce_requests_keep_records_as_views_of_the_frame() {
    use kafka_wire::frame::Request;
    use kafka_wire::RequestBody;
    let frame = kafka_wire::golden::fixtures()
        .unwrap()
        .into_iter()
        .find(|f| f.api == kafka_wire::ApiKey::Produce && f.version == 9 && !f.response)
        .unwrap()
        .bytes;
    let req = Request::decode(&frame).unwrap();
    let RequestBody::Produce(p) = req.body else {
        panic!("not produce")
    };
    let range = frame.as_ptr_range();
    let mut seen = 0;
    for t in &p.topic_data {
        for part in &t.partition_data {
            let r = &part.records.as_ref().unwrap().0;
            assert!(
                range.contains(&r.as_ptr()) && r.as_ptr_range().end <= range.end,
                "records were copied"
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn an_unlimited_cap_does_not_overflow() {
    // Found by the record_batch fuzz target: `cap + 1` overflowed for usize::MAX.
    for c in CODECS {
        let packed = c.compress(b"abc").unwrap();
        assert_eq!(c.decompress(&packed, usize::MAX).unwrap(), b"abc");
    }
}
