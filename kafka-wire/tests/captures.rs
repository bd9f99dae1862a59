//! Frames captured from real clients (`scripts/capture-clients.sh`): kcat (librdkafka 2.0.2)
//! with every codec, confluent-kafka, kafka-python (including the magic 0 and 1 formats it
//! writes when pinned to old brokers), aiokafka and kafkajs. Every frame decodes and
//! re-encodes byte-exactly; every record batch passes its CRC, inflates, and holds exactly the
//! records the client was told to send; a flipped bit fails the CRC.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use kafka_wire::frame::Request;
use kafka_wire::records::{self, Batch, Compression};
use kafka_wire::{RequestBody, WireError};

const CAP: usize = 16 << 20;

fn captures() -> Vec<(String, Bytes)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/captures/produce");
    let mut out: Vec<(String, Bytes)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                Bytes::from(std::fs::read(&p).unwrap()),
            )
        })
        .collect();
    out.sort();
    out
}

/// `kafka-python-gzip-005-Produce-v9.bin` → `kafka-python-gzip`.
fn run_name(file: &str) -> &str {
    let cut = file
        .match_indices('-')
        .map(|(i, _)| i)
        .find(|&i| file[i + 1..].chars().take(3).all(|c| c.is_ascii_digit()));
    &file[..cut.unwrap()]
}

fn codec_of(run: &str) -> Compression {
    match run.rsplit('-').next().unwrap() {
        "gzip" => Compression::Gzip,
        "snappy" => Compression::Snappy,
        "lz4" => Compression::Lz4,
        "zstd" => Compression::Zstd,
        _ => Compression::None,
    }
}

/// (key, value) of every record in some record data, whatever its format.
fn records_of(data: &Bytes, run: &str) -> Vec<(Option<Bytes>, Option<Bytes>)> {
    match records::magic(data) {
        Some(2) => records::batches(data)
            .flat_map(|b| {
                let b = b.unwrap();
                b.verify_crc().unwrap();
                assert_eq!(
                    b.header.attributes.compression(),
                    Some(codec_of(run)),
                    "{run}"
                );
                b.records(CAP)
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.key, r.value))
                    .collect::<Vec<_>>()
            })
            .collect(),
        Some(m) => {
            assert!(run.contains(&format!("magic{m}")), "{run} wrote magic {m}");
            records::decode_message_set(data, CAP)
                .unwrap()
                .into_iter()
                .map(|m| (m.key, m.value))
                .collect()
        }
        None => Vec::new(),
    }
}

#[test]
fn real_client_frames_decode_reencode_and_carry_the_records_sent() {
    let mut per_run: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut frames = 0;
    for (file, frame) in captures() {
        let req = Request::decode(&frame).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(req.to_bytes().unwrap(), frame, "{file}: re-encode differs");
        frames += 1;
        let run = run_name(&file).to_string();
        if let RequestBody::Produce(p) = req.body {
            for t in &p.topic_data {
                for part in &t.partition_data {
                    let data = &part.records.as_ref().unwrap().0;
                    for (k, v) in records_of(data, &run) {
                        let s = |b: Option<Bytes>| String::from_utf8(b.unwrap().to_vec()).unwrap();
                        per_run.entry(run.clone()).or_default().push((s(k), s(v)));
                    }
                }
            }
        }
    }
    assert!(frames >= 70, "{frames} frames");
    assert!(per_run.len() >= 18, "{:?}", per_run.keys());
    for (run, mut got) in per_run {
        got.sort_by_key(|(k, _)| k.trim_start_matches("key-").parse::<u32>().unwrap());
        let want: Vec<(String, String)> = (0..20)
            .map(|i| (format!("key-{i}"), format!("{run}-{i}")))
            .collect();
        assert_eq!(got, want, "{run}");
    }
}

#[test]
fn java_style_xerial_snappy_from_kafka_python_is_what_we_decoded() {
    let (file, frame) = captures()
        .into_iter()
        .find(|(f, _)| f.starts_with("kafka-python-snappy") && f.contains("-Produce-"))
        .unwrap();
    let RequestBody::Produce(p) = Request::decode(&frame).unwrap().body else {
        panic!("{file}")
    };
    let data = &p.topic_data[0].partition_data[0]
        .records
        .as_ref()
        .unwrap()
        .0;
    let (batch, _) = Batch::parse(data).unwrap();
    assert!(
        batch.payload().starts_with(b"\x82SNAPPY\x00"),
        "{file}: expected xerial framing"
    );
}

#[test]
fn a_flipped_bit_in_any_captured_batch_fails_its_crc() {
    let mut checked = 0;
    for (file, frame) in captures()
        .into_iter()
        .filter(|(f, _)| f.contains("-Produce-"))
    {
        let RequestBody::Produce(p) = Request::decode(&frame).unwrap().body else {
            panic!("{file}")
        };
        for t in &p.topic_data {
            for part in &t.partition_data {
                let data = &part.records.as_ref().unwrap().0;
                let mut bad = data.to_vec();
                let at = bad.len() - 3;
                bad[at] ^= 0x10;
                let bad = Bytes::from(bad);
                let err = match records::magic(data) {
                    Some(2) => Batch::parse(&bad).unwrap().0.verify_crc().unwrap_err(),
                    _ => records::decode_message_set(&bad, CAP).unwrap_err(),
                };
                assert!(matches!(err, WireError::BadCrc { .. }), "{file}: {err}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 18);
}
