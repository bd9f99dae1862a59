//! The Iggy backend against a real Iggy server (0.8.0), run when `KAFKA_GATEWAY_TEST_IGGY` is
//! `HOST:PORT` of one whose root user is `iggy`/`iggy` (or a whole `iggy://USER:PASS@HOST:PORT`):
//! the storage behaviour suite, and interop with native Iggy clients — records produced by a
//! Kafka client through the gateway are seen by the `iggy` SDK as the agreed mapping, messages
//! sent by the SDK are consumed through the gateway, and a librdkafka group resumes from its
//! commits (stored in Iggy) after a gateway restart.
//!
//! Without the variable the binary says it did not run and runs nothing (never a vacuous
//! pass). Every test works in a stream of its own, deleted afterwards.

mod common;
mod rd_group;
mod suite;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{TimeZone, Utc};
use iggy::prelude::{
    Client, Consumer, HeaderKey, Identifier, IggyClient, IggyMessage, MessageClient, Partitioning,
    PollingStrategy, StreamClient, TopicClient,
};
use iggy::prelude::{CompressionAlgorithm, IggyExpiry, MaxTopicSize};
use kafka_gateway::config::StorageKind;
use kafka_gateway::storage::iggy::{IggySettings, IggyStorage};
use kafka_gateway::storage::{Storage, StorageError, TopicConfig};
use rskafka::client::partition::{Compression, UnknownTopicHandling};
use rskafka::client::ClientBuilder;
use rskafka::record::Record;
use suite::{tp, Traits};

/// What Iggy keeps differently from the embedded log.
const IGGY: Traits = Traits {
    keeps_batches: false,
    keeps_commit_details: false,
};

fn url() -> Option<String> {
    let v = std::env::var("KAFKA_GATEWAY_TEST_IGGY").ok()?;
    Some(if v.starts_with("iggy://") {
        v
    } else {
        format!("iggy://iggy:iggy@{v}")
    })
}

/// Settings for a stream no other test (or earlier run) uses.
fn settings(url: &str, test: &str) -> IggySettings {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    IggySettings {
        url: url.to_string(),
        stream: format!("kgtest-{}-{nanos}-{test}", std::process::id()),
        topic_map: BTreeMap::new(),
    }
}

async fn sdk(url: &str) -> IggyClient {
    let c = IggyClient::from_connection_string(url).unwrap();
    c.connect().await.unwrap();
    c
}

async fn drop_stream(url: &str, stream: &str) {
    let _ = sdk(url)
        .await
        .delete_stream(&Identifier::named(stream).unwrap())
        .await;
}

type Case = Pin<Box<dyn Future<Output = ()> + Send>>;

macro_rules! suite_case {
    ($url:expr, $name:ident) => {{
        let url = $url.clone();
        let case: Case = Box::pin(async move {
            let s = settings(&url, stringify!($name));
            let storage = Arc::new(IggyStorage::connect(s.clone()).await.unwrap());
            storage.spawn_watcher();
            suite::$name(storage, IGGY).await;
            drop_stream(&url, &s.stream).await;
        });
        (stringify!($name), case)
    }};
}

fn main() {
    let Some(url) = url() else {
        println!(
            "iggy: 0 tests run — set KAFKA_GATEWAY_TEST_IGGY=HOST:PORT (an Iggy 0.8 server) to run them"
        );
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cases: Vec<(&str, Case)> = vec![
        suite_case!(url, topics_are_created_listed_grown_and_deleted),
        suite_case!(
            url,
            appends_get_dense_offsets_and_reads_return_whole_batches
        ),
        suite_case!(url, sequential_reads_see_every_record_once),
        suite_case!(url, idempotent_retries_are_answered_not_rewritten),
        suite_case!(url, timestamps_find_batches),
        suite_case!(url, appends_wake_watchers),
        suite_case!(url, committed_offsets_are_kept_per_group_and_deleted),
        (
            "limits_and_unsupported_operations_are_refused",
            Box::pin(limits_and_unsupported_operations_are_refused(url.clone())),
        ),
        (
            "offsets_stay_right_when_native_producers_write_too",
            Box::pin(offsets_stay_right_when_native_producers_write_too(
                url.clone(),
            )),
        ),
        (
            "kafka_records_are_iggy_messages_with_the_agreed_headers",
            Box::pin(kafka_records_are_iggy_messages_with_the_agreed_headers(
                url.clone(),
            )),
        ),
        (
            "native_iggy_messages_are_consumed_through_the_gateway",
            Box::pin(native_iggy_messages_are_consumed_through_the_gateway(
                url.clone(),
            )),
        ),
        (
            "a_librdkafka_group_resumes_from_iggy_after_a_gateway_restart",
            Box::pin(a_librdkafka_group_resumes_from_iggy_after_a_gateway_restart(url.clone())),
        ),
    ];
    let total = cases.len();
    let mut failed = Vec::new();
    for (name, case) in cases {
        match rt.block_on(async { tokio::spawn(case).await }) {
            Ok(()) => println!("test iggy::{name} ... ok"),
            Err(e) => {
                println!("test iggy::{name} ... FAILED: {e}");
                failed.push(name);
            }
        }
    }
    println!(
        "iggy: {} passed; {} failed (against {})",
        total - failed.len(),
        failed.len(),
        kafka_gateway::storage::iggy::redact(&url)
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

async fn limits_and_unsupported_operations_are_refused(url: String) {
    let s = settings(&url, "limits");
    let storage = IggyStorage::connect(s.clone()).await.unwrap();
    storage
        .create_topic("l", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("l", 0);
    let long_key = kafka_wire::records::Record {
        key: Some(Bytes::from(vec![b'k'; 256])),
        value: Some(Bytes::from_static(b"v")),
        ..Default::default()
    };
    let bytes =
        kafka_wire::records::build_batch(&Default::default(), std::slice::from_ref(&long_key))
            .unwrap();
    let batch = kafka_gateway::storage::BatchIn {
        bytes,
        last_offset_delta: 0,
        max_timestamp: 0,
        producer_id: -1,
        producer_epoch: -1,
        base_sequence: -1,
    };
    assert!(matches!(
        storage.append(&p, vec![batch]).await,
        Err(StorageError::InvalidRecord(_))
    ));
    assert_eq!(
        storage.offsets(&p).await.unwrap().high_watermark,
        0,
        "nothing stored"
    );
    assert!(matches!(
        storage.delete_records(&p, 0).await,
        Err(StorageError::Invalid(_))
    ));
    drop_stream(&url, &s.stream).await;
}

async fn offsets_stay_right_when_native_producers_write_too(url: String) {
    let s = settings(&url, "shared");
    let storage = IggyStorage::connect(s.clone()).await.unwrap();
    storage
        .create_topic("shared", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("shared", 0);
    let native = sdk(&url).await;
    let mut expected = 0;
    for round in 0..4 {
        let a = storage
            .append(&p, vec![suite::batch(2, "gw", 0, None)])
            .await
            .unwrap();
        assert_eq!(a.base_offset, expected, "round {round}");
        let mut msgs: Vec<IggyMessage> = (0..3)
            .map(|_| {
                IggyMessage::builder()
                    .payload(Bytes::from_static(b"native"))
                    .build()
                    .unwrap()
            })
            .collect();
        native
            .send_messages(
                &Identifier::named(&s.stream).unwrap(),
                &Identifier::named("shared").unwrap(),
                &Partitioning::partition_id(0),
                &mut msgs,
            )
            .await
            .unwrap();
        expected += 5;
    }
    let all = storage.read(&p, 0, 1 << 20).await.unwrap();
    assert_eq!(all.high_watermark, 20);
    let values: Vec<String> = suite::values(&all.records)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values.iter().filter(|v| v.starts_with("gw-")).count(), 8);
    assert_eq!(values.iter().filter(|v| *v == "native").count(), 12);
    drop_stream(&url, &s.stream).await;
}

fn record(i: usize) -> Record {
    let mut headers = BTreeMap::new();
    if i.is_multiple_of(2) {
        headers.insert("trace".to_string(), format!("t{i}").into_bytes());
    }
    if i.is_multiple_of(3) {
        headers.insert("empty".to_string(), Vec::new());
    }
    Record {
        key: (!i.is_multiple_of(4)).then(|| format!("key-{i}").into_bytes()),
        value: match i % 5 {
            0 => None,
            1 => Some(Vec::new()),
            _ => Some(format!("value-{i}").into_bytes()),
        },
        headers,
        timestamp: Utc
            .timestamp_millis_opt(1_700_000_000_000 + i as i64)
            .unwrap(),
    }
}

async fn gateway(s: &IggySettings) -> common::Running {
    common::start_with(StorageKind::Iggy(s.clone()), Default::default()).await
}

async fn kafka_records_are_iggy_messages_with_the_agreed_headers(url: String) {
    let s = settings(&url, "to-iggy");
    let gw = gateway(&s).await;
    let client = common::rskafka_with_topic(gw.addr, "orders", 2).await;
    let pc = client
        .partition_client("orders", 1, UnknownTopicHandling::Retry)
        .await
        .unwrap();
    let sent: Vec<Record> = (0..50).map(record).collect();
    let offsets = pc
        .produce(sent[..20].to_vec(), Compression::NoCompression)
        .await
        .unwrap();
    assert_eq!(offsets, (0..20).collect::<Vec<i64>>());
    let offsets = pc
        .produce(sent[20..].to_vec(), Compression::Zstd)
        .await
        .unwrap();
    assert_eq!(offsets, (20..50).collect::<Vec<i64>>());

    // The native SDK sees one message per record, in partition 1 of stream/orders.
    let native = sdk(&url).await;
    let polled = native
        .poll_messages(
            &Identifier::named(&s.stream).unwrap(),
            &Identifier::named("orders").unwrap(),
            Some(1),
            &Consumer::new(Identifier::named("native-reader").unwrap()),
            &PollingStrategy::offset(0),
            100,
            false,
        )
        .await
        .unwrap();
    assert_eq!(polled.messages.len(), 50);
    for (i, m) in polled.messages.iter().enumerate() {
        let want = &sent[i];
        assert_eq!(m.header.offset, i as u64);
        assert_eq!(
            m.header.origin_timestamp,
            want.timestamp.timestamp_millis() as u64 * 1000
        );
        let h = m.user_headers_map().unwrap().unwrap_or_default();
        let get = |k: &str| {
            h.get(&HeaderKey::try_from(k).unwrap())
                .map(|v| v.as_bytes().to_vec())
        };
        assert_eq!(get("kafka.v"), Some(vec![1]));
        assert_eq!(get("kafka.key"), want.key.clone(), "message {i}");
        match &want.value {
            None => {
                assert_eq!(get("kafka.value"), Some(b"null".to_vec()));
                assert_eq!(m.payload.as_ref(), [0]);
            }
            Some(v) if v.is_empty() => {
                assert_eq!(get("kafka.value"), Some(b"empty".to_vec()));
                assert_eq!(m.payload.as_ref(), [0]);
            }
            Some(v) => {
                assert_eq!(get("kafka.value"), None);
                assert_eq!(m.payload.as_ref(), v.as_slice());
            }
        }
        assert_eq!(get("kafka.h.trace"), want.headers.get("trace").cloned());
        assert_eq!(
            get("kafka.he.empty").is_some(),
            want.headers.contains_key("empty")
        );
    }

    // And the gateway gives the records back exactly.
    let (got, hw) = pc.fetch_records(0, 1..10_000_000, 1_000).await.unwrap();
    assert_eq!(hw, 50);
    let got: Vec<Record> = got.into_iter().map(|r| r.record).collect();
    assert_eq!(got, sent);
    gw.stop().await;
    drop_stream(&url, &s.stream).await;
}

async fn native_iggy_messages_are_consumed_through_the_gateway(url: String) {
    let s = settings(&url, "from-iggy");
    let native = sdk(&url).await;
    let stream = Identifier::named(&s.stream).unwrap();
    native.create_stream(&s.stream).await.unwrap();
    native
        .create_topic(
            &stream,
            "sensors",
            1,
            CompressionAlgorithm::None,
            None,
            IggyExpiry::ServerDefault,
            MaxTopicSize::ServerDefault,
        )
        .await
        .unwrap();
    let mut msgs: Vec<IggyMessage> = (0..10)
        .map(|i| {
            IggyMessage::builder()
                .payload(Bytes::from(format!("reading-{i}")))
                .build()
                .unwrap()
        })
        .collect();
    native
        .send_messages(
            &stream,
            &Identifier::named("sensors").unwrap(),
            &Partitioning::partition_id(0),
            &mut msgs,
        )
        .await
        .unwrap();

    let gw = gateway(&s).await;
    let client = ClientBuilder::new(vec![gw.addr.to_string()])
        .build()
        .await
        .unwrap();
    let pc = client
        .partition_client("sensors", 0, UnknownTopicHandling::Error)
        .await
        .unwrap();
    let (got, hw) = pc.fetch_records(3, 1..1_000_000, 1_000).await.unwrap();
    assert_eq!(hw, 10);
    type Row = (i64, Option<Vec<u8>>, Option<Vec<u8>>);
    let values: Vec<Row> = got
        .iter()
        .map(|r| (r.offset, r.record.key.clone(), r.record.value.clone()))
        .collect();
    let want: Vec<_> = (3..10)
        .map(|i| (i, None, Some(format!("reading-{i}").into_bytes())))
        .collect();
    assert_eq!(values, want);
    let now = Utc::now().timestamp_millis();
    for r in &got {
        let ts = r.record.timestamp.timestamp_millis();
        assert!((now - 60_000..=now).contains(&ts), "Iggy's timestamp {ts}");
    }
    gw.stop().await;
    drop_stream(&url, &s.stream).await;
}

async fn a_librdkafka_group_resumes_from_iggy_after_a_gateway_restart(url: String) {
    let s = settings(&url, "group");
    rd_group::reads_once_commits_and_resumes_after_restart(|| gateway(&s)).await;
    drop_stream(&url, &s.stream).await;
}
