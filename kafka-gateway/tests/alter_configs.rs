//! AlterConfigs and IncrementalAlterConfigs take effect at once and survive a restart: a
//! topic's max.message.bytes, the cluster-wide default every topic inherits, and log levels.
//! (Kafka's answers to the same requests are compared in tests/oracle/configs.rs.)

mod common;

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{DescribeConfigsRequest, IncrementalAlterConfigsRequest};
use kafka_protocol::protocol::StrBytes;
use rskafka::client::partition::{Compression, UnknownTopicHandling};
use rskafka::record::Record;

use common::KpClient;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
const LOGGER: i8 = 8;

fn str_of(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// Set (`Some`) or delete (`None`) configs of one resource; the resource's error code.
async fn alter(c: &mut KpClient, kind: i8, name: &str, edits: &[(&str, Option<&str>)]) -> i16 {
    let req = IncrementalAlterConfigsRequest::default().with_resources(vec![
        AlterConfigsResource::default()
            .with_resource_type(kind)
            .with_resource_name(str_of(name))
            .with_configs(
                edits
                    .iter()
                    .map(|(k, v)| {
                        AlterableConfig::default()
                            .with_name(str_of(k))
                            .with_config_operation(if v.is_some() { 0 } else { 1 })
                            .with_value(v.map(str_of))
                    })
                    .collect(),
            ),
    ]);
    c.call(1, req).await.responses[0].error_code
}

/// name → (value, source) of a resource's configs.
async fn describe(c: &mut KpClient, kind: i8, name: &str) -> BTreeMap<String, (String, i8)> {
    let req =
        DescribeConfigsRequest::default().with_resources(vec![DescribeConfigsResource::default()
            .with_resource_type(kind)
            .with_resource_name(str_of(name))]);
    let r = c.call(4, req).await;
    assert_eq!(r.results[0].error_code, 0);
    r.results[0]
        .configs
        .iter()
        .map(|e| {
            (
                e.name.to_string(),
                (
                    e.value.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                    e.config_source,
                ),
            )
        })
        .collect()
}

/// Produce one record of `size` bytes of value; the error, if any.
async fn produce(client: &rskafka::client::Client, topic: &str, size: usize) -> Option<String> {
    let p = client
        .partition_client(topic, 0, UnknownTopicHandling::Retry)
        .await
        .unwrap();
    let record = Record {
        key: None,
        value: Some(vec![b'x'; size]),
        headers: BTreeMap::new(),
        timestamp: chrono::Utc::now(),
    };
    p.produce(vec![record], Compression::NoCompression)
        .await
        .err()
        .map(|e| e.to_string())
}

#[tokio::test]
async fn topic_and_broker_configs_apply_live_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let gw = common::start(Some(dir.path())).await;
    let client = common::rskafka_with_topic(gw.addr, "sized", 1).await;
    let mut c = KpClient::connect(gw.addr).await;
    assert_eq!(produce(&client, "sized", 2000).await, None);

    assert_eq!(
        alter(
            &mut c,
            TOPIC,
            "sized",
            &[("max.message.bytes", Some("1024"))]
        )
        .await,
        0
    );
    let refused = produce(&client, "sized", 2000).await.expect("refused now");
    assert!(refused.contains("MessageTooLarge"), "{refused}");
    assert_eq!(produce(&client, "sized", 100).await, None);

    // A cluster-wide default reaches topics without their own value, at once.
    client
        .controller_client()
        .unwrap()
        .create_topic("inherits", 1, 1, 5_000)
        .await
        .unwrap();
    assert_eq!(produce(&client, "inherits", 2000).await, None);
    assert_eq!(
        alter(&mut c, BROKER, "", &[("message.max.bytes", Some("1500"))]).await,
        0
    );
    assert!(produce(&client, "inherits", 2000).await.is_some());
    assert_eq!(
        describe(&mut c, TOPIC, "inherits").await["max.message.bytes"],
        ("1500".to_string(), 3),
        "DYNAMIC_DEFAULT_BROKER_CONFIG"
    );
    // The broker's own layer wins over the cluster default.
    assert_eq!(
        alter(&mut c, BROKER, "0", &[("message.max.bytes", Some("4000"))]).await,
        0
    );
    assert_eq!(produce(&client, "inherits", 2000).await, None);
    assert_eq!(
        describe(&mut c, BROKER, "0").await["message.max.bytes"],
        ("4000".to_string(), 2),
        "DYNAMIC_BROKER_CONFIG"
    );
    gw.stop().await;

    // After a restart everything is still in force.
    let gw = common::start(Some(dir.path())).await;
    let mut c = KpClient::connect(gw.addr).await;
    let client = rskafka::client::ClientBuilder::new(vec![gw.addr.to_string()])
        .build()
        .await
        .unwrap();
    assert_eq!(
        describe(&mut c, TOPIC, "sized").await["max.message.bytes"],
        ("1024".to_string(), 1),
        "TOPIC_CONFIG"
    );
    assert!(produce(&client, "sized", 2000).await.is_some());
    assert_eq!(
        describe(&mut c, TOPIC, "inherits").await["max.message.bytes"],
        ("4000".to_string(), 2)
    );
    assert_eq!(
        describe(&mut c, BROKER, "").await["message.max.bytes"],
        ("1500".to_string(), 3)
    );
    // Deleting the broker's own value falls back to the cluster default.
    assert_eq!(
        alter(&mut c, BROKER, "0", &[("message.max.bytes", None)]).await,
        0
    );
    assert!(produce(&client, "inherits", 2000).await.is_some());
    gw.stop().await;
}

#[tokio::test]
async fn logger_levels_are_reported_and_changed() {
    let gw = common::start(None).await;
    let mut c = KpClient::connect(gw.addr).await;
    assert_eq!(
        alter(
            &mut c,
            LOGGER,
            "0",
            &[("kafka_gateway::dispatch", Some("DEBUG"))]
        )
        .await,
        0
    );
    let levels = describe(&mut c, LOGGER, "0").await;
    assert_eq!(
        levels["kafka_gateway::dispatch"],
        ("DEBUG".to_string(), 6),
        "DYNAMIC_BROKER_LOGGER_CONFIG"
    );
    assert!(levels.contains_key("root"));
    assert_eq!(
        alter(&mut c, LOGGER, "0", &[("kafka_gateway::dispatch", None)]).await,
        0
    );
    let levels = describe(&mut c, LOGGER, "0").await;
    assert_eq!(
        levels["kafka_gateway::dispatch"].0, levels["root"].0,
        "back to the root level"
    );
    gw.stop().await;
}
