//! Client quotas end to end, with requests encoded by the `kafka-protocol` crate: a client id
//! over its produce byte rate is told `throttle_time_ms`; at Produce v9 (KIP-219) the answer
//! comes at once and the connection's next request waits out the throttle, at Produce v5 the
//! answer itself is held back; another client id is not throttled; the metrics count it.

mod common;

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use kafka_gateway::config::{Config, StorageKind};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{MetadataRequest, ProduceRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

/// A Produce of one record of `size` bytes to partition 0 of `topic`.
fn produce(topic: &str, size: usize) -> ProduceRequest {
    let record = Record {
        transactional: false,
        control: false,
        partition_leader_epoch: 0,
        producer_id: -1,
        producer_epoch: -1,
        timestamp_type: TimestampType::Creation,
        offset: 0,
        sequence: -1,
        timestamp: 0,
        key: None,
        value: Some(Bytes::from(vec![b'x'; size])),
        headers: Default::default(),
    };
    let mut records = BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut records, [&record], &options).unwrap();
    ProduceRequest::default()
        .with_acks(1)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_string(topic.into())))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(0)
                .with_records(Some(records.freeze()))])])
}

#[tokio::test]
async fn a_client_over_its_produce_rate_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let quotas = dir.path().join("quotas.toml");
    // 10 kB/s for client id "kp-test" (what KpClient sends); nothing for anyone else.
    std::fs::write(
        &quotas,
        "[[quota]]\nclient_id = \"kp-test\"\nproducer_byte_rate = 10000\n",
    )
    .unwrap();
    let gw = common::start_config(Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::Memory,
        quotas: Some(quotas),
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Config::default()
    })
    .await;
    let mut c = common::KpClient::connect(gw.addr).await;
    let topic = kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
        .with_name(Some(TopicName(StrBytes::from_static_str("q"))));
    let meta = c
        .call(
            9,
            MetadataRequest::default()
                .with_topics(Some(vec![topic]))
                .with_allow_auto_topic_creation(true),
        )
        .await;
    assert_eq!(meta.topics[0].error_code, 0, "q is auto-created");
    // Two 40 kB requests stay under 10 kB/s measured over Kafka's 10 s minimum span; the third
    // brings it to 12 kB/s, which takes 2 s of waiting to undo.
    let mut throttle = 0;
    for _ in 0..3 {
        let r = c.call(9, produce("q", 40_000)).await;
        assert_eq!(r.responses[0].partition_responses[0].error_code, 0);
        throttle = r.throttle_time_ms;
    }
    assert!((1900..=2100).contains(&throttle), "throttle {throttle} ms");
    // KIP-219: the answer came at once; the connection's next request waits the throttle out.
    let started = Instant::now();
    let r = c.call(9, produce("q", 10)).await;
    assert!(started.elapsed() >= Duration::from_millis(throttle as u64 - 50));
    assert!(r.throttle_time_ms > 0, "still over quota");
    // Before KIP-219 (v5) the answer itself is held back.
    let mut old = common::KpClient::connect(gw.addr).await;
    let started = Instant::now();
    let r = old.call(5, produce("q", 10)).await;
    assert!(r.throttle_time_ms > 0);
    assert!(started.elapsed() >= Duration::from_millis(r.throttle_time_ms as u64 - 50));

    let (_, text) = common::http_get(gw.metrics_addr.unwrap(), "/metrics").await;
    let throttled: f64 = text
        .lines()
        .filter(|l| l.starts_with("kafka_gateway_throttle_seconds_total{api=\"Produce\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert!(throttled >= 2.0, "{throttled} s throttled in\n{text}");
    gw.stop().await;
}
