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

#[tokio::test]
async fn metrics_follow_traffic_and_health_answers() {
    let gw = common::start_config(Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::Memory,
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Config::default()
    })
    .await;
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
