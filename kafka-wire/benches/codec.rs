//! Codec throughput on the hot paths: decoding a Produce v9 request carrying 1 MiB of records
//! (with and without the batch CRC check the broker does), and encoding a Fetch v12 response of
//! the same size (as chunks for a vectored write, and as one contiguous buffer).
//!
//! Run: cargo bench -p kafka-wire --bench codec

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kafka_wire::frame::{Request, Response};
use kafka_wire::header::{RequestHeader, ResponseHeader};
use kafka_wire::messages::{fetch, produce};
use kafka_wire::primitives::Records;
use kafka_wire::records::{self, BatchSpec, Record};
use kafka_wire::{RequestBody, ResponseBody, Writer};

/// One batch of 1024 records of 1 KiB: 1 MiB of record data.
fn mib_batch() -> Bytes {
    let recs: Vec<Record> = (0..1024)
        .map(|i| Record {
            offset_delta: i,
            value: Some(Bytes::from(vec![(i % 251) as u8; 1024])),
            ..Default::default()
        })
        .collect();
    records::build_batch(&BatchSpec::default(), &recs).unwrap()
}

fn produce_frame(batch: &Bytes) -> Bytes {
    let body = produce::ProduceRequest {
        acks: -1,
        timeout_ms: 30_000,
        topic_data: vec![produce::TopicProduceData {
            name: "bench".into(),
            partition_data: vec![produce::PartitionProduceData {
                index: 0,
                records: Some(Records(batch.clone())),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let header = RequestHeader {
        api_key: 0,
        api_version: 9,
        correlation_id: 1,
        client_id: Some("bench".into()),
        ..Default::default()
    };
    Request {
        header,
        body: RequestBody::Produce(body),
    }
    .to_bytes()
    .unwrap()
}

fn fetch_response(batch: &Bytes) -> Response {
    let body = fetch::FetchResponse {
        responses: vec![fetch::FetchableTopicResponse {
            topic: "bench".into(),
            partitions: vec![fetch::PartitionData {
                partition_index: 0,
                high_watermark: 1024,
                last_stable_offset: 1024,
                log_start_offset: 0,
                records: Some(Records(batch.clone())),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    Response {
        header: ResponseHeader {
            correlation_id: 1,
            ..Default::default()
        },
        body: ResponseBody::Fetch(body),
    }
}

fn benches(c: &mut Criterion) {
    let batch = mib_batch();
    let frame = produce_frame(&batch);
    let mut g = c.benchmark_group("produce_v9_1mib");
    g.throughput(Throughput::Bytes(frame.len() as u64));
    g.bench_function("decode", |b| b.iter(|| Request::decode(&frame).unwrap()));
    g.bench_function("decode_and_verify_crc", |b| {
        b.iter(|| {
            let req = Request::decode(&frame).unwrap();
            let RequestBody::Produce(p) = req.body else {
                unreachable!()
            };
            for t in &p.topic_data {
                for part in &t.partition_data {
                    for batch in records::batches(&part.records.as_ref().unwrap().0) {
                        batch.unwrap().verify_crc().unwrap();
                    }
                }
            }
        })
    });
    g.finish();

    let resp = fetch_response(&batch);
    let mut g = c.benchmark_group("fetch_v12_1mib");
    g.throughput(Throughput::Bytes(resp.size(12) as u64));
    g.bench_function("encode_chunks", |b| {
        b.iter(|| {
            let mut w = Writer::with_capacity(256);
            resp.encode(&mut w, 12).unwrap();
            w.into_chunks()
        })
    });
    g.bench_function("encode_contiguous", |b| {
        b.iter(|| resp.to_bytes(12).unwrap())
    });
    g.finish();
}

criterion_group!(codec, benches);
criterion_main!(codec);
