//! The operations endpoint end to end: after rskafka produces and fetches, `/metrics` reports
//! the requests by API, the records in and out, the partition's offsets and size, the bytes and
//! the open connection; the health checks answer.

mod common;

use std::collections::HashMap;

use kafka_gateway::config::{Config, StorageKind};

/// Sample lines as `name{labels}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// A gateway on memory storage serving the operations endpoint.
async fn metered_gateway() -> common::Running {
    common::start_config(Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::Memory,
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn metrics_follow_traffic_and_health_answers() {
    let gw = metered_gateway().await;
    let ops = gw.metrics_addr.expect("the endpoint is bound");
    assert_eq!(common::http_get(ops, "/health/live").await.0, 200);
    assert_eq!(common::http_get(ops, "/health/ready").await.0, 200);

    let client = rskafka::client::ClientBuilder::new(vec![gw.addr.to_string()])
        .build()
        .await
        .unwrap();
    let partition = common::round_trip(&client, "metered").await;
    let hw = partition
        .get_offset(rskafka::client::partition::OffsetAt::Latest)
        .await
        .unwrap();

    let (status, text) = common::http_get(ops, "/metrics").await;
    assert_eq!(status, 200);
    let s = samples(&text);
    let value = |k: &str| *s.get(k).unwrap_or_else(|| panic!("no {k} in\n{text}"));
    let produce: f64 = s
        .iter()
        .filter(|(k, _)| k.starts_with("kafka_gateway_requests_total{api=\"Produce\""))
        .map(|(_, v)| v)
        .sum();
    assert!(produce >= 1.0, "{text}");
    assert_eq!(
        value("kafka_gateway_produced_records_total{topic=\"metered\"}"),
        hw as f64
    );
    assert!(value("kafka_gateway_fetched_records_total{topic=\"metered\"}") >= hw as f64);
    assert_eq!(
        value("kafka_gateway_partition_high_watermark{topic=\"metered\",partition=\"0\"}"),
        hw as f64
    );
    assert!(
        value("kafka_gateway_partition_log_size_bytes{topic=\"metered\",partition=\"0\"}") > 0.0
    );
    assert!(value("kafka_gateway_received_bytes_total{listener=\"PLAINTEXT\"}") > 0.0);
    assert!(value("kafka_gateway_sent_bytes_total{listener=\"PLAINTEXT\"}") > 0.0);
    assert!(
        value("kafka_gateway_connections{listener=\"PLAINTEXT\",auth=\"not_required\"}") >= 1.0
    );
    gw.stop().await;
}

/// librdkafka 2.12+ sends its all-topics Metadata v12 with 3 bytes after the body. Kafka's
/// parser reads the body and ignores the rest of the frame, so the gateway answers too, and
/// counts what it ignored.
#[tokio::test]
async fn bytes_after_a_request_body_are_ignored_and_counted() {
    use bytes::{BufMut, BytesMut};
    use kafka_protocol::messages::{MetadataRequest, RequestHeader};
    use kafka_protocol::protocol::{Encodable, HeaderVersion, StrBytes};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let gw = metered_gateway().await;
    let mut body = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(3)
        .with_request_api_version(12)
        .with_correlation_id(77)
        .with_client_id(Some(StrBytes::from_static_str("rdkafka")))
        .encode(&mut body, MetadataRequest::header_version(12))
        .unwrap();
    MetadataRequest::default() // topics: null, all topics
        .encode(&mut body, 12)
        .unwrap();
    body.put_slice(&[0, 0, 0]);
    let mut sock = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    for _ in 0..2 {
        sock.write_all(&(body.len() as i32).to_be_bytes())
            .await
            .unwrap();
        sock.write_all(&body).await.unwrap();
        let size = sock.read_i32().await.expect("answered, not closed");
        let mut resp = vec![0; size as usize];
        sock.read_exact(&mut resp).await.unwrap();
        assert_eq!(&resp[..4], &77i32.to_be_bytes(), "the correlation id");
    }
    let (_, text) = common::http_get(gw.metrics_addr.unwrap(), "/metrics").await;
    assert_eq!(
        samples(&text)
            .get("kafka_gateway_request_trailing_bytes_total{api=\"Metadata\",version=\"12\"}"),
        Some(&6.0),
        "{text}"
    );
    gw.stop().await;
}
