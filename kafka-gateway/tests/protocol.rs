//! The server at the wire level, over raw TCP: the version firewall, hostile frames, acks=0,
//! pipelining order, and long polls woken by appends.

mod common;

use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use kafka_wire::frame::{Request, Response};
use kafka_wire::header::RequestHeader;
use kafka_wire::messages::{create_topics, fetch, metadata, produce};
use kafka_wire::primitives::Records;
use kafka_wire::records::{build_batch, BatchSpec, Record};
use kafka_wire::{ApiKey, ErrorCode, RequestBody, ResponseBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn send_raw(s: &mut TcpStream, frame: &[u8]) {
    s.write_all(&(frame.len() as i32).to_be_bytes())
        .await
        .unwrap();
    s.write_all(frame).await.unwrap();
}

async fn send(s: &mut TcpStream, body: RequestBody, version: i16, correlation_id: i32) {
    let header = RequestHeader {
        api_key: body.api_key() as i16,
        api_version: version,
        correlation_id,
        client_id: Some("t".into()),
        ..Default::default()
    };
    send_raw(s, &Request { header, body }.to_bytes().unwrap()).await;
}

/// Read one response frame; `None` if the server closed the connection.
async fn read_frame(s: &mut TcpStream) -> Option<Bytes> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.ok()?;
    let mut buf = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut buf).await.ok()?;
    Some(Bytes::from(buf))
}

async fn call(s: &mut TcpStream, body: RequestBody, version: i16) -> ResponseBody {
    let api = body.api_key();
    send(s, body, version, 9).await;
    Response::decode(&read_frame(s).await.unwrap(), api, version)
        .unwrap()
        .body
}

fn correlation(frame: &[u8]) -> i32 {
    i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]])
}

async fn create(s: &mut TcpStream, name: &str) {
    let req = RequestBody::CreateTopics(create_topics::CreateTopicsRequest {
        topics: vec![create_topics::CreatableTopic {
            name: name.into(),
            num_partitions: 1,
            replication_factor: 1,
            ..Default::default()
        }],
        timeout_ms: 1000,
        ..Default::default()
    });
    let ResponseBody::CreateTopics(r) = call(s, req, 7).await else {
        panic!()
    };
    assert_eq!(r.topics[0].error_code, 0);
}

fn produce_req(topic: &str, acks: i16, value: &str) -> RequestBody {
    // A current timestamp: the retention task would rightly expire a 1970 one at once.
    let spec = BatchSpec {
        base_timestamp: kafka_gateway::storage::file::now_ms(),
        ..Default::default()
    };
    let batch = build_batch(
        &spec,
        &[Record {
            value: Some(Bytes::from(value.to_string())),
            ..Default::default()
        }],
    )
    .unwrap();
    produce_batch(topic, acks, batch)
}

fn produce_batch(topic: &str, acks: i16, batch: Bytes) -> RequestBody {
    RequestBody::Produce(produce::ProduceRequest {
        acks,
        timeout_ms: 1000,
        topic_data: vec![produce::TopicProduceData {
            name: topic.into(),
            partition_data: vec![produce::PartitionProduceData {
                index: 0,
                records: Some(Records(batch)),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    })
}

fn fetch_req(topic: &str, offset: i64, max_wait_ms: i32) -> RequestBody {
    RequestBody::Fetch(fetch::FetchRequest {
        replica_id: -1,
        max_wait_ms,
        min_bytes: 1,
        max_bytes: 1 << 20,
        session_epoch: -1,
        topics: vec![fetch::FetchTopic {
            topic: topic.into(),
            partitions: vec![fetch::FetchPartition {
                partition: 0,
                fetch_offset: offset,
                partition_max_bytes: 1 << 20,
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    })
}

#[tokio::test]
async fn api_versions_advertises_the_served_table_and_answers_unknown_versions_with_v0() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    let ResponseBody::ApiVersions(r) =
        call(&mut s, RequestBody::ApiVersions(Default::default()), 3).await
    else {
        panic!()
    };
    let advertised: Vec<(i16, i16, i16)> = r
        .api_keys
        .iter()
        .map(|k| (k.api_key, k.min_version, k.max_version))
        .collect();
    let table: Vec<(i16, i16, i16)> = kafka_wire::api::SUPPORTED
        .iter()
        .map(|s| (s.api as i16, s.min, s.max))
        .collect();
    assert_eq!(advertised, table);
    assert!(
        advertised.iter().all(|k| k.0 != 71),
        "telemetry must not be advertised"
    );

    // KIP-511: ApiVersions v99 (flexible, so request header v2) gets a v0 body with
    // UNSUPPORTED_VERSION and the table, under response header v0.
    let header = RequestHeader {
        api_key: 18,
        api_version: 99,
        correlation_id: 5,
        client_id: Some("t".into()),
        ..Default::default()
    };
    let mut w = kafka_wire::Writer::new();
    header.write(&mut w, 2).unwrap();
    w.put_slice(&[0]); // an empty v99 body: just its tagged-field section
    send_raw(&mut s, &w.into_bytes()).await;
    let frame = read_frame(&mut s).await.unwrap();
    let resp = Response::decode(&frame, ApiKey::ApiVersions, 0).unwrap();
    assert_eq!(resp.header.correlation_id, 5);
    let ResponseBody::ApiVersions(r) = resp.body else {
        panic!()
    };
    assert_eq!(r.error_code, ErrorCode::UNSUPPORTED_VERSION.0);
    assert!(r
        .api_keys
        .iter()
        .any(|k| k.api_key == 18 && k.max_version == 4));
    gw.stop().await;
}

#[tokio::test]
async fn unknown_apis_and_unserved_versions_get_errors_and_the_connection_stays_open() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    // Unknown API key 999: correlation id + UNSUPPORTED_VERSION.
    let mut b = BytesMut::new();
    b.put_i16(999);
    b.put_i16(0);
    b.put_i32(77);
    b.put_i16(-1);
    send_raw(&mut s, &b).await;
    let frame = read_frame(&mut s).await.unwrap();
    assert_eq!(&frame[..], &[0, 0, 0, 77, 0, 35]);
    // A listener without SASL answers a handshake as Kafka's PLAINTEXT listener does.
    let ResponseBody::SaslHandshake(r) =
        call(&mut s, RequestBody::sample(ApiKey::SaslHandshake, 1), 1).await
    else {
        panic!()
    };
    assert_eq!(r.error_code, ErrorCode::ILLEGAL_SASL_STATE.0);
    assert!(r.mechanisms.is_empty());
    // Still usable afterwards.
    assert!(matches!(
        call(
            &mut s,
            RequestBody::Metadata(metadata::MetadataRequest {
                topics: Some(vec![]),
                ..Default::default()
            }),
            9
        )
        .await,
        ResponseBody::Metadata(_)
    ));
    gw.stop().await;
}

#[tokio::test]
async fn oversized_and_malformed_frames_close_only_their_connection() {
    let gw = common::start(None).await;
    let mut good = TcpStream::connect(gw.addr).await.unwrap();
    let mut big = TcpStream::connect(gw.addr).await.unwrap();
    big.write_all(&i32::MAX.to_be_bytes()).await.unwrap(); // 2 GiB announced, over the 100 MiB cap
    assert!(
        read_frame(&mut big).await.is_none(),
        "an oversized frame closes the connection"
    );
    let mut garbage = TcpStream::connect(gw.addr).await.unwrap();
    send_raw(
        &mut garbage,
        &[0, 3, 0, 9, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff],
    )
    .await; // Metadata v9, truncated body
    assert!(
        read_frame(&mut garbage).await.is_none(),
        "a malformed body closes the connection"
    );
    assert!(matches!(
        call(&mut good, RequestBody::ApiVersions(Default::default()), 3).await,
        ResponseBody::ApiVersions(_)
    ));
    gw.stop().await;
}

#[tokio::test]
async fn acks_zero_gets_no_response_and_pipelined_requests_are_answered_in_order() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    create(&mut s, "p").await;
    send(&mut s, produce_req("p", 0, "fire-and-forget"), 9, 100).await;
    for id in 101..=110 {
        send(&mut s, RequestBody::ApiVersions(Default::default()), 3, id).await;
    }
    for id in 101..=110 {
        assert_eq!(
            correlation(&read_frame(&mut s).await.unwrap()),
            id,
            "no response for acks=0, then in order"
        );
    }
    let ResponseBody::Fetch(f) = call(&mut s, fetch_req("p", 0, 0), 12).await else {
        panic!()
    };
    assert_eq!(
        f.responses[0].partitions[0].high_watermark, 1,
        "the acks=0 record was stored"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_long_poll_returns_when_data_arrives_not_at_its_timeout() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    create(&mut s, "lp").await;
    let start = Instant::now();
    send(&mut s, fetch_req("lp", 0, 30_000), 12, 1).await;
    let mut producer = TcpStream::connect(gw.addr).await.unwrap();
    let ResponseBody::Produce(p) = call(&mut producer, produce_req("lp", -1, "wake up"), 9).await
    else {
        panic!()
    };
    assert_eq!(p.responses[0].partition_responses[0].error_code, 0);
    let frame = tokio::time::timeout(Duration::from_secs(20), read_frame(&mut s))
        .await
        .expect("the fetch was not woken")
        .unwrap();
    let ResponseBody::Fetch(f) = Response::decode(&frame, ApiKey::Fetch, 12).unwrap().body else {
        panic!()
    };
    let p = &f.responses[0].partitions[0];
    assert!(
        !p.records.as_ref().unwrap().0.is_empty(),
        "woken without data: {p:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    gw.stop().await;
}

#[tokio::test]
async fn produce_validation_errors_are_per_partition() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    create(&mut s, "v").await;
    // A flipped bit in the batch: CORRUPT_MESSAGE, nothing stored.
    let RequestBody::Produce(mut req) = produce_req("v", -1, "x") else {
        panic!()
    };
    let mut bad = req.topic_data[0].partition_data[0]
        .records
        .take()
        .unwrap()
        .0
        .to_vec();
    let n = bad.len();
    bad[n - 2] ^= 1;
    req.topic_data[0].partition_data[0].records = Some(Records(Bytes::from(bad)));
    let ResponseBody::Produce(r) = call(&mut s, RequestBody::Produce(req), 9).await else {
        panic!()
    };
    assert_eq!(
        r.responses[0].partition_responses[0].error_code,
        ErrorCode::CORRUPT_MESSAGE.0
    );
    // Unknown topic, and bad acks.
    let ResponseBody::Produce(r) = call(&mut s, produce_req("nope", -1, "x"), 9).await else {
        panic!()
    };
    assert_eq!(
        r.responses[0].partition_responses[0].error_code,
        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0
    );
    let ResponseBody::Produce(r) = call(&mut s, produce_req("v", 2, "x"), 9).await else {
        panic!()
    };
    assert_eq!(
        r.responses[0].partition_responses[0].error_code,
        ErrorCode::INVALID_REQUIRED_ACKS.0
    );
    let ResponseBody::Fetch(f) = call(&mut s, fetch_req("v", 0, 0), 12).await else {
        panic!()
    };
    assert_eq!(f.responses[0].partitions[0].high_watermark, 0);
    gw.stop().await;
}

fn list_offsets(topic: &str, timestamp: i64) -> RequestBody {
    use kafka_wire::messages::list_offsets::{
        ListOffsetsPartition, ListOffsetsRequest, ListOffsetsTopic,
    };
    RequestBody::ListOffsets(ListOffsetsRequest {
        replica_id: -1,
        topics: vec![ListOffsetsTopic {
            name: topic.into(),
            partitions: vec![ListOffsetsPartition {
                partition_index: 0,
                timestamp,
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    })
}

async fn offset_at(s: &mut TcpStream, topic: &str, timestamp: i64) -> (i64, i64) {
    let ResponseBody::ListOffsets(r) = call(s, list_offsets(topic, timestamp), 9).await else {
        panic!()
    };
    let p = &r.topics[0].partitions[0];
    assert_eq!(p.error_code, 0);
    (p.offset, p.timestamp)
}

#[tokio::test]
async fn list_offsets_by_timestamp_max_timestamp_earliest_and_latest() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    create(&mut s, "lo").await;
    let now = kafka_gateway::storage::file::now_ms();
    // Three batches of two records; the middle batch holds the largest timestamp.
    for (base, deltas) in [
        (now - 3000, [0, 10]),
        (now - 1000, [0, 500]),
        (now - 2000, [0, 5]),
    ] {
        let recs: Vec<Record> = deltas
            .iter()
            .enumerate()
            .map(|(i, d)| Record {
                offset_delta: i as i32,
                timestamp_delta: *d,
                value: Some(Bytes::from_static(b"v")),
                ..Default::default()
            })
            .collect();
        let batch = build_batch(
            &BatchSpec {
                base_timestamp: base,
                ..Default::default()
            },
            &recs,
        )
        .unwrap();
        call(&mut s, produce_batch("lo", -1, batch), 9).await;
    }
    assert_eq!(offset_at(&mut s, "lo", -2).await.0, 0);
    assert_eq!(offset_at(&mut s, "lo", -1).await.0, 6);
    assert_eq!(
        offset_at(&mut s, "lo", -3).await,
        (3, now - 500),
        "the record with the max timestamp"
    );
    assert_eq!(
        offset_at(&mut s, "lo", now - 2995).await,
        (1, now - 2990),
        "first record at or after the time"
    );
    assert_eq!(offset_at(&mut s, "lo", now - 600).await, (3, now - 500));
    assert_eq!(offset_at(&mut s, "lo", now + 1).await, (-1, -1));
    gw.stop().await;
}

#[tokio::test]
async fn log_append_time_topics_stamp_batches_with_the_broker_clock() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    let req = RequestBody::CreateTopics(create_topics::CreateTopicsRequest {
        topics: vec![create_topics::CreatableTopic {
            name: "lat".into(),
            num_partitions: 1,
            replication_factor: 1,
            configs: vec![create_topics::CreatableTopicConfig {
                name: "message.timestamp.type".into(),
                value: Some("LogAppendTime".into()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        timeout_ms: 1000,
        ..Default::default()
    });
    call(&mut s, req, 7).await;
    let before = kafka_gateway::storage::file::now_ms();
    let ResponseBody::Produce(r) = call(&mut s, produce_req("lat", -1, "x"), 9).await else {
        panic!()
    };
    let stamped = r.responses[0].partition_responses[0].log_append_time_ms;
    assert!(stamped >= before, "log_append_time_ms {stamped}");
    let ResponseBody::Fetch(f) = call(&mut s, fetch_req("lat", 0, 0), 12).await else {
        panic!()
    };
    let data = &f.responses[0].partitions[0].records.as_ref().unwrap().0;
    let (b, _) = kafka_wire::records::Batch::parse(data).unwrap();
    b.verify_crc().unwrap();
    assert!(b.header.attributes.log_append_time());
    assert!(b.header.max_timestamp >= before);
    gw.stop().await;
}

#[tokio::test]
async fn a_real_kafka_python_magic_1_message_set_is_up_converted_and_served_as_v2() {
    let gw = common::start(None).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    create(&mut s, "cap").await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/captures/produce/kafka-python-magic1-gzip-003-Produce-v2.bin");
    let frame = std::fs::read(path).unwrap();
    send_raw(&mut s, &frame).await;
    let ResponseBody::Produce(r) =
        Response::decode(&read_frame(&mut s).await.unwrap(), ApiKey::Produce, 2)
            .unwrap()
            .body
    else {
        panic!()
    };
    let produced: Vec<i32> = r.responses[0]
        .partition_responses
        .iter()
        .filter(|p| p.error_code == 0)
        .map(|p| p.index)
        .collect();
    assert!(produced.contains(&0), "{r:?}");
    let ResponseBody::Fetch(f) = call(&mut s, fetch_req("cap", 0, 0), 12).await else {
        panic!()
    };
    let data = &f.responses[0].partitions[0].records.as_ref().unwrap().0;
    let (b, _) = kafka_wire::records::Batch::parse(data).unwrap();
    b.verify_crc().unwrap();
    assert_eq!(b.header.magic, 2);
    let values: Vec<String> = b
        .records(1 << 20)
        .unwrap()
        .iter()
        .map(|r| String::from_utf8(r.value.clone().unwrap().to_vec()).unwrap())
        .collect();
    assert!(
        !values.is_empty()
            && values
                .iter()
                .all(|v| v.starts_with("kafka-python-magic1-gzip-")),
        "{values:?}"
    );
    gw.stop().await;
}
