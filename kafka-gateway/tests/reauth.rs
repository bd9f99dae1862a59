//! KIP-368 with a real client: the gateway grants SASL logins for one second; librdkafka
//! (through the `rdkafka` crate) re-authenticates on its open connections before they run out,
//! so producing for several lifetimes needs no new connection. The metrics endpoint shows it:
//! more SaslAuthenticate requests than connections opened.

mod common;

use std::time::Duration;

use kafka_gateway::auth::scram::{Credential, Mechanism};
use kafka_gateway::auth::session::SaslMechanism;
use kafka_gateway::auth::users::Users;
use kafka_gateway::config::{Config, StorageKind};
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};

/// The sum of a metric's samples (classic text format).
async fn metric(addr: std::net::SocketAddr, prefix: &str) -> f64 {
    let (_, text) = common::http_get(addr, "/metrics").await;
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librdkafka_re_authenticates_before_its_session_expires() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    let mut u = Users::default();
    u.set(
        "alice",
        Credential::generate(Mechanism::Sha256, "alice-pw", 4096),
    );
    u.save(&users).unwrap();
    let gw = common::start_config(Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        storage: StorageKind::Memory,
        sasl_mechanisms: vec![SaslMechanism::Plain],
        users: Some(users),
        sasl_session_lifetime: Some(Duration::from_millis(1000)),
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Config::default()
    })
    .await;
    let ops = gw.metrics_addr.unwrap();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", gw.addr.to_string())
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "PLAIN")
        .set("sasl.username", "alice")
        .set("sasl.password", "alice-pw")
        .create()
        .unwrap();
    // Paced sends spanning about four session lifetimes.
    for i in 0..20 {
        producer
            .send(
                FutureRecord::to("reauth")
                    .key("k")
                    .payload(&format!("v{i}")),
                Duration::from_secs(10),
            )
            .await
            .unwrap_or_else(|(e, _)| panic!("send {i}: {e}"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let opened = metric(ops, "kafka_gateway_connections_opened_total").await;
    let logins = metric(ops, "kafka_gateway_requests_total{api=\"SaslAuthenticate\"").await;
    assert!(opened >= 1.0);
    assert!(
        logins >= opened + 2.0,
        "{logins} logins on {opened} connections: no re-authentication"
    );
    drop(producer);
    gw.stop().await;
}
