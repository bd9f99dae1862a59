//! A real client's consumer group end to end (librdkafka, through the `rdkafka` crate): a group
//! reads every record exactly once and commits; a second run of the same group reads nothing
//! new; after a gateway restart the group still starts from its committed offsets. Shared by
//! the embedded store's test and the Iggy backend's.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;

use crate::common::Running;

const N: usize = 400;

fn config(addr: std::net::SocketAddr) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", addr.to_string());
    c
}

/// Consume with the group until `want` records or `idle` without any; commit; return the keys.
fn consume(addr: std::net::SocketAddr, want: usize, idle: Duration) -> Vec<String> {
    let c: BaseConsumer = config(addr)
        .set("group.id", "rd-group")
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    c.subscribe(&["rd"]).unwrap();
    let mut keys = Vec::new();
    let mut last = Instant::now();
    while keys.len() < want && last.elapsed() < idle {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            keys.push(String::from_utf8(m.key().unwrap().to_vec()).unwrap());
            last = Instant::now();
        }
    }
    if !keys.is_empty() {
        c.commit_consumer_state(CommitMode::Sync).unwrap();
    }
    keys
}

async fn produce(addr: std::net::SocketAddr, keys: std::ops::Range<usize>) {
    let producer: FutureProducer = config(addr).set("acks", "all").create().unwrap();
    for i in keys {
        let key = format!("key-{i}");
        producer
            .send(
                FutureRecord::to("rd").key(&key).payload("v"),
                Duration::from_secs(10),
            )
            .await
            .unwrap();
    }
}

/// The scenario: `start` brings up a gateway on the same storage each time it is called.
pub async fn reads_once_commits_and_resumes_after_restart<F, Fut>(start: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Running>,
{
    let gw = start().await;
    let admin: AdminClient<DefaultClientContext> = config(gw.addr).create().unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new("rd", 4, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    assert!(created.iter().all(|r| r.is_ok()), "{created:?}");
    produce(gw.addr, 0..N).await;
    let addr = gw.addr;
    let first = tokio::task::spawn_blocking(move || consume(addr, N, Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(first.len(), N, "every record once");
    assert_eq!(
        first.iter().collect::<HashSet<_>>().len(),
        N,
        "no duplicates"
    );
    let again = tokio::task::spawn_blocking(move || consume(addr, 1, Duration::from_secs(4)))
        .await
        .unwrap();
    assert!(
        again.is_empty(),
        "a second run of the group reads nothing new, got {}",
        again.len()
    );
    gw.stop().await;

    let gw = start().await;
    produce(gw.addr, N..N + 50).await;
    let addr = gw.addr;
    let resumed = tokio::task::spawn_blocking(move || consume(addr, 50, Duration::from_secs(20)))
        .await
        .unwrap();
    let want: HashSet<String> = (N..N + 50).map(|i| format!("key-{i}")).collect();
    assert_eq!(
        resumed.into_iter().collect::<HashSet<_>>(),
        want,
        "after the restart the group resumes from its commits"
    );
    gw.stop().await;
}
