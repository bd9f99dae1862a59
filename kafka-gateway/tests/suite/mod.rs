//! The storage behaviour suite, shared by every backend's test binary: the embedded stores
//! (`storage_suite.rs`) and Apache Iggy (`iggy.rs`). What a backend cannot do the Kafka way is
//! stated in its [`Traits`] and checked for what it does instead.

#![allow(dead_code)] // each test binary runs the part its backends support

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use kafka_gateway::storage::file::now_ms;
use kafka_gateway::storage::offsets::Committed;
use kafka_gateway::storage::{BatchIn, Storage, StorageError, TopicConfig, TopicPartition};
use kafka_wire::records::{self, Batch, BatchSpec, Record};

/// How a backend differs from the embedded log where Kafka leaves room.
#[derive(Clone, Copy)]
pub struct Traits {
    /// Reads return the stored batches whole (a read from inside one starts at its base);
    /// a message store rebuilds batches starting exactly at the offset asked for.
    pub keeps_batches: bool,
    /// A commit keeps its metadata string and leader epoch.
    pub keeps_commit_details: bool,
}

/// The embedded stores (memory and file).
pub const LOCAL: Traits = Traits {
    keeps_batches: true,
    keeps_commit_details: true,
};

pub fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition {
        topic: t.into(),
        partition: p,
    }
}

/// A batch of `n` records with values tagged `tag`, timestamps from `ts`.
pub fn batch(n: i32, tag: &str, ts: i64, producer: Option<(i64, i16, i32)>) -> BatchIn {
    let recs: Vec<Record> = (0..n)
        .map(|i| Record {
            offset_delta: i,
            timestamp_delta: i64::from(i),
            value: Some(Bytes::from(format!("{tag}-{i}"))),
            ..Default::default()
        })
        .collect();
    let (producer_id, producer_epoch, base_sequence) = producer.unwrap_or((-1, -1, -1));
    let spec = BatchSpec {
        base_timestamp: ts,
        producer_id,
        producer_epoch,
        base_sequence,
        ..Default::default()
    };
    let bytes = records::build_batch(&spec, &recs).unwrap();
    BatchIn {
        bytes,
        last_offset_delta: n - 1,
        max_timestamp: ts + i64::from(n - 1),
        producer_id,
        producer_epoch,
        base_sequence,
    }
}

pub fn values(data: &Bytes) -> Vec<(i64, String)> {
    records::batches(data)
        .flat_map(|b| {
            let b = b.unwrap();
            b.verify_crc().unwrap();
            let base = b.header.base_offset;
            b.records(1 << 20).unwrap().into_iter().map(move |r| {
                (
                    base + i64::from(r.offset_delta),
                    String::from_utf8(r.value.unwrap().to_vec()).unwrap(),
                )
            })
        })
        .collect()
}

pub fn config(pairs: &[(&str, &str)]) -> TopicConfig {
    TopicConfig::new(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap()
}

pub async fn topics_are_created_listed_grown_and_deleted(s: Arc<dyn Storage>, _: Traits) {
    let t = s
        .create_topic("a", 2, TopicConfig::default())
        .await
        .unwrap();
    assert_eq!(t.partitions, 2);
    assert!(matches!(
        s.create_topic("a", 1, TopicConfig::default()).await,
        Err(StorageError::TopicExists(_))
    ));
    s.create_partitions("a", 3).await.unwrap();
    assert!(matches!(
        s.create_partitions("a", 2).await,
        Err(StorageError::Invalid(_))
    ));
    assert_eq!(s.topic("a").await.unwrap().partitions, 3);
    assert_eq!(s.topic("a").await.unwrap().id, t.id);
    s.append(&tp("a", 2), vec![batch(1, "x", 0, None)])
        .await
        .unwrap();
    s.delete_topic("a").await.unwrap();
    assert!(s.topics().await.is_empty());
    assert!(matches!(
        s.read(&tp("a", 0), 0, 100).await,
        Err(StorageError::UnknownTopicOrPartition(_))
    ));
}

pub async fn appends_get_dense_offsets_and_reads_return_whole_batches(
    s: Arc<dyn Storage>,
    t: Traits,
) {
    s.create_topic("t", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("t", 0);
    for (n, size) in [3, 1, 5, 2].into_iter().enumerate() {
        let a = s
            .append(&p, vec![batch(size, &format!("b{n}"), 1000, None)])
            .await
            .unwrap();
        assert_eq!(a.base_offset, [0, 3, 4, 9][n]);
    }
    let all = s.read(&p, 0, 1 << 20).await.unwrap();
    assert_eq!(all.high_watermark, 11);
    assert_eq!(
        values(&all.records).iter().map(|v| v.0).collect::<Vec<_>>(),
        (0..11).collect::<Vec<_>>()
    );
    // Reading from inside a batch returns that whole batch first (or starts right there).
    let mid = s.read(&p, 6, 1 << 20).await.unwrap();
    let from = if t.keeps_batches { 4 } else { 6 };
    assert_eq!(values(&mid.records).first().unwrap().0, from);
    // max_bytes: at least one batch (one record when batches are rebuilt), and never more.
    let one = s.read(&p, 0, 1).await.unwrap();
    assert_eq!(
        values(&one.records).len(),
        if t.keeps_batches { 3 } else { 1 }
    );
    let some = s.read(&p, 0, 200).await.unwrap();
    assert!(some.records.len() <= 200 || values(&some.records).len() == 1);
    assert!(s.read(&p, 11, 100).await.unwrap().is_empty());
    assert!(matches!(
        s.read(&p, 12, 100).await,
        Err(StorageError::OffsetOutOfRange { .. })
    ));
}

/// A consumer reading from the start with small budgets sees every record once, in order
/// (exercises batch cutting, and a backend's read-ahead and leftovers).
pub async fn sequential_reads_see_every_record_once(s: Arc<dyn Storage>, _: Traits) {
    s.create_topic("seq", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("seq", 0);
    // Values of ~100 bytes: more than a byte budget's estimate of records, so batches get cut.
    let tag = |n: i32| format!("b{n}-{}", "v".repeat(96));
    for n in 0..6 {
        s.append(&p, vec![batch(500, &tag(n), 1000, None)])
            .await
            .unwrap();
    }
    for budget in [2_000, 32_000, 1 << 20] {
        let (mut next, mut seen) = (0, Vec::new());
        while next < 3000 {
            let r = s.read(&p, next, budget).await.unwrap();
            let got = values(&r.records);
            assert!(
                !got.is_empty(),
                "no progress at {next} with budget {budget}"
            );
            assert_eq!(r.high_watermark, 3000);
            let from = next;
            for (offset, v) in got.into_iter().filter(|(o, _)| *o >= from) {
                assert_eq!(offset, next, "dense offsets, budget {budget}");
                seen.push(v);
                next += 1;
            }
        }
        let want: Vec<String> = (0..6)
            .flat_map(|n| (0..500).map(move |i| format!("{}-{i}", tag(n))))
            .collect();
        assert_eq!(seen, want, "budget {budget}");
    }
}

pub async fn idempotent_retries_are_answered_not_rewritten(s: Arc<dyn Storage>, _: Traits) {
    s.create_topic("i", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("i", 0);
    let first = s
        .append(&p, vec![batch(4, "a", 0, Some((7, 0, 0)))])
        .await
        .unwrap();
    let second = s
        .append(&p, vec![batch(2, "b", 0, Some((7, 0, 4)))])
        .await
        .unwrap();
    let retry = s
        .append(&p, vec![batch(4, "a", 0, Some((7, 0, 0)))])
        .await
        .unwrap();
    assert_eq!(
        (
            first.base_offset,
            second.base_offset,
            retry.base_offset,
            retry.duplicate
        ),
        (0, 4, 0, true)
    );
    assert_eq!(s.offsets(&p).await.unwrap().high_watermark, 6);
    assert!(matches!(
        s.append(&p, vec![batch(1, "c", 0, Some((7, 0, 9)))]).await,
        Err(StorageError::OutOfOrderSequence {
            expected: 6,
            got: 9
        })
    ));
}

pub async fn timestamps_find_batches(s: Arc<dyn Storage>, t: Traits) {
    s.create_topic("ts", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("ts", 0);
    for (n, ts) in [100, 200, 150, 300].into_iter().enumerate() {
        s.append(&p, vec![batch(2, &format!("b{n}"), ts, None)])
            .await
            .unwrap();
    }
    let at = |b: Option<Bytes>| b.map(|b| Batch::parse(&b).unwrap().0.header.base_offset);
    assert_eq!(at(s.batch_at_timestamp(&p, 150).await.unwrap()), Some(2));
    let last = if t.keeps_batches { 6 } else { 7 };
    assert_eq!(at(s.batch_at_timestamp(&p, 301).await.unwrap()), Some(last));
    assert_eq!(at(s.batch_at_timestamp(&p, 302).await.unwrap()), None);
    assert_eq!(
        at(s.batch_with_max_timestamp(&p).await.unwrap()),
        Some(last)
    );
}

pub async fn delete_records_moves_the_log_start(s: Arc<dyn Storage>, _: Traits) {
    s.create_topic("d", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("d", 0);
    for _ in 0..4 {
        s.append(&p, vec![batch(5, "x", 0, None)]).await.unwrap();
    }
    assert_eq!(s.delete_records(&p, 7).await.unwrap(), 7);
    assert!(matches!(
        s.read(&p, 3, 100).await,
        Err(StorageError::OffsetOutOfRange { log_start: 7, .. })
    ));
    assert_eq!(s.offsets(&p).await.unwrap().log_start, 7);
    assert!(matches!(
        s.delete_records(&p, 99).await,
        Err(StorageError::OffsetOutOfRange { .. })
    ));
    assert_eq!(s.delete_records(&p, -1).await.unwrap(), 20);
}

pub async fn retention_by_bytes_and_time_drops_the_oldest_data(s: Arc<dyn Storage>, _: Traits) {
    let cfg = config(&[
        ("internal.segment.bytes", "1024"),
        ("retention.bytes", "3000"),
    ]);
    s.create_topic("r", 1, cfg).await.unwrap();
    let p = tp("r", 0);
    for n in 0..40 {
        s.append(
            &p,
            vec![batch(3, &format!("{n}-{}", "v".repeat(60)), now_ms(), None)],
        )
        .await
        .unwrap();
    }
    s.enforce_retention(now_ms()).await.unwrap();
    let o = s.offsets(&p).await.unwrap();
    assert!(o.log_start > 0 && o.high_watermark == 120, "{o:?}");
    let kept = s.read(&p, o.log_start, 1 << 20).await.unwrap();
    assert_eq!(values(&kept.records).first().unwrap().0, o.log_start);

    s.create_topic(
        "old",
        1,
        config(&[("internal.segment.bytes", "1024"), ("retention.ms", "1000")]),
    )
    .await
    .unwrap();
    let q = tp("old", 0);
    for _ in 0..30 {
        s.append(&q, vec![batch(3, &"o".repeat(60), 1_000, None)])
            .await
            .unwrap();
    }
    s.append(&q, vec![batch(1, "new", now_ms(), None)])
        .await
        .unwrap();
    s.enforce_retention(now_ms()).await.unwrap();
    assert!(
        s.offsets(&q).await.unwrap().log_start >= 60,
        "old segments expire by their max timestamp"
    );
}

pub async fn appends_wake_watchers(s: Arc<dyn Storage>, _: Traits) {
    s.create_topic("w", 1, TopicConfig::default())
        .await
        .unwrap();
    let p = tp("w", 0);
    let mut rx = s.watch(&p).await.unwrap();
    rx.mark_unchanged();
    s.append(&p, vec![batch(2, "x", 0, None)]).await.unwrap();
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow(), 2);
}

pub async fn committed_offsets_are_kept_per_group_and_deleted(s: Arc<dyn Storage>, t: Traits) {
    let c = |offset, meta: Option<&str>| Committed {
        offset,
        leader_epoch: 0,
        metadata: meta.map(Into::into),
        commit_ms: 5,
    };
    // Offsets inside the log, which every backend accepts (Iggy checks them).
    s.create_topic("a", 2, TopicConfig::default())
        .await
        .unwrap();
    for p in 0..2 {
        s.append(&tp("a", p), vec![batch(25, "c", 0, None)])
            .await
            .unwrap();
    }
    let offsets = |v: Vec<(TopicPartition, Committed)>| {
        v.into_iter()
            .map(|(tp, c)| (tp, c.offset))
            .collect::<Vec<_>>()
    };
    s.commit_offsets(
        "g1",
        vec![(tp("a", 0), c(10, Some("m\tx"))), (tp("a", 1), c(20, None))],
    )
    .await
    .unwrap();
    s.commit_offsets("g2", vec![(tp("a", 0), c(1, None))])
        .await
        .unwrap();
    s.commit_offsets("g1", vec![(tp("a", 0), c(11, None))])
        .await
        .unwrap();
    let g1 = s.committed_offsets("g1").await;
    if t.keeps_commit_details {
        assert_eq!(
            g1,
            vec![(tp("a", 0), c(11, None)), (tp("a", 1), c(20, None))]
        );
    }
    assert_eq!(offsets(g1), vec![(tp("a", 0), 11), (tp("a", 1), 20)]);
    // Nothing consumed yet is a commit too.
    s.commit_offsets("g3", vec![(tp("a", 1), c(0, None))])
        .await
        .unwrap();
    assert_eq!(
        offsets(s.committed_offsets("g3").await),
        vec![(tp("a", 1), 0)]
    );
    assert_eq!(
        s.offset_groups().await,
        vec!["g1".to_string(), "g2".to_string(), "g3".to_string()]
    );
    s.delete_offsets("g1", Some(vec![tp("a", 1)]))
        .await
        .unwrap();
    assert_eq!(s.committed_offsets("g1").await.len(), 1);
    s.delete_offsets("g2", None).await.unwrap();
    assert!(s.committed_offsets("g2").await.is_empty());
    assert!(s.committed_offsets("nobody").await.is_empty());
}
