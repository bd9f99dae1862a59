//! End to end with a third-party client (rskafka): create a topic, produce 10,000 records across
//! four partitions with every codec, read them back byte-exact, list offsets, restart on the
//! same data directory and read them all again.

mod common;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use rskafka::client::partition::{Compression, OffsetAt, UnknownTopicHandling};
use rskafka::client::ClientBuilder;
use rskafka::record::Record;

const PARTITIONS: i32 = 4;
const PER_PARTITION: usize = 2500;
const BATCH: usize = 250;

fn record(p: i32, i: usize) -> Record {
    let mut headers = BTreeMap::new();
    if i.is_multiple_of(3) {
        headers.insert("trace".to_string(), vec![p as u8, (i % 256) as u8]);
    }
    Record {
        key: (!i.is_multiple_of(5)).then(|| format!("key-{p}-{i}").into_bytes()),
        // Binary values of varying size, including every byte value.
        value: Some((0..(i % 700)).map(|b| ((b * 31 + i) % 256) as u8).collect()),
        headers,
        timestamp: Utc
            .timestamp_millis_opt(1_700_000_000_000 + i as i64)
            .unwrap(),
    }
}

fn codec(n: usize) -> Compression {
    [
        Compression::NoCompression,
        Compression::Gzip,
        Compression::Lz4,
        Compression::Snappy,
        Compression::Zstd,
    ][n % 5]
}

async fn read_all(addr: std::net::SocketAddr) -> Vec<Vec<(i64, Record)>> {
    let client = ClientBuilder::new(vec![addr.to_string()])
        .build()
        .await
        .unwrap();
    let mut out = Vec::new();
    for p in 0..PARTITIONS {
        let pc = client
            .partition_client("e2e", p, UnknownTopicHandling::Error)
            .await
            .unwrap();
        assert_eq!(pc.get_offset(OffsetAt::Earliest).await.unwrap(), 0);
        assert_eq!(
            pc.get_offset(OffsetAt::Latest).await.unwrap(),
            PER_PARTITION as i64
        );
        let mut got = Vec::new();
        let mut offset = 0;
        while offset < PER_PARTITION as i64 {
            let (recs, hw) = pc.fetch_records(offset, 1..1_000_000, 1_000).await.unwrap();
            assert_eq!(hw, PER_PARTITION as i64);
            assert!(!recs.is_empty(), "no progress at offset {offset}");
            for r in recs {
                // Whole batches come back: skip records before the offset asked for.
                if r.offset >= offset {
                    offset = r.offset + 1;
                    got.push((r.offset, r.record));
                }
            }
        }
        out.push(got);
    }
    out
}

fn check(partitions: &[Vec<(i64, Record)>]) {
    for (p, got) in partitions.iter().enumerate() {
        assert_eq!(got.len(), PER_PARTITION, "partition {p}");
        for (i, (offset, rec)) in got.iter().enumerate() {
            assert_eq!(*offset, i as i64, "offsets are dense");
            assert_eq!(rec, &record(p as i32, i), "partition {p} record {i}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produce_consume_restart_with_rskafka() {
    let dir = tempfile::tempdir().unwrap();
    let gw = common::start(Some(dir.path())).await;
    let client = common::rskafka_with_topic(gw.addr, "e2e", PARTITIONS).await;
    for p in 0..PARTITIONS {
        let pc = client
            .partition_client("e2e", p, UnknownTopicHandling::Retry)
            .await
            .unwrap();
        for (n, chunk) in (0..PER_PARTITION)
            .collect::<Vec<_>>()
            .chunks(BATCH)
            .enumerate()
        {
            let recs = chunk.iter().map(|&i| record(p, i)).collect();
            let offsets = pc.produce(recs, codec(n + p as usize)).await.unwrap();
            let want: Vec<i64> = chunk.iter().map(|&i| i as i64).collect();
            assert_eq!(offsets, want, "partition {p} batch {n}");
        }
    }
    check(&read_all(gw.addr).await);
    gw.stop().await;

    let gw = common::start(Some(dir.path())).await;
    check(&read_all(gw.addr).await);
    gw.stop().await;
}

#[tokio::test]
async fn unknown_topics_and_out_of_range_offsets_are_reported() {
    let gw = common::start(None).await;
    let client = common::rskafka_with_topic(gw.addr, "small", 1).await;
    let pc = client
        .partition_client("small", 0, UnknownTopicHandling::Error)
        .await
        .unwrap();
    pc.produce(vec![record(0, 1)], Compression::NoCompression)
        .await
        .unwrap();
    let err = pc.fetch_records(5, 1..1_000_000, 10).await.unwrap_err();
    assert!(format!("{err:?}").contains("OffsetOutOfRange"), "{err:?}");
    let err = client
        .controller_client()
        .unwrap()
        .create_topic("small", 1, 1, 5_000)
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("TopicAlreadyExists"), "{err:?}");
    gw.stop().await;
}
