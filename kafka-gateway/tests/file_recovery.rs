//! File-store recovery: the active segment cut at every byte position of its last batches (a
//! torn write) or corrupted reopens with every whole batch before the damage, dense offsets,
//! and appends continuing; index lookups across many index intervals and segments after a
//! reopen; idempotent-producer state rebuilt from the log.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use kafka_gateway::storage::local::FlushPolicy;
use kafka_gateway::storage::{BatchIn, LocalStorage, Storage, TopicConfig, TopicPartition};
use kafka_wire::records::{self, BatchSpec, Record};

fn tp() -> TopicPartition {
    TopicPartition {
        topic: "t".into(),
        partition: 0,
    }
}

fn batch(n: i32, tag: &str, ts: i64, seq: Option<i32>) -> BatchIn {
    let recs: Vec<Record> = (0..n)
        .map(|i| Record {
            offset_delta: i,
            value: Some(Bytes::from(format!("{tag}-{i}"))),
            ..Default::default()
        })
        .collect();
    let (pid, epoch, base_sequence) = seq.map_or((-1, -1, -1), |s| (42, 0, s));
    let spec = BatchSpec {
        base_timestamp: ts,
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence,
        ..Default::default()
    };
    BatchIn {
        bytes: records::build_batch(&spec, &recs).unwrap(),
        last_offset_delta: n - 1,
        max_timestamp: ts,
        producer_id: pid,
        producer_epoch: epoch,
        base_sequence,
    }
}

fn open(dir: &Path) -> LocalStorage {
    LocalStorage::open_dir(dir, FlushPolicy::Never).unwrap()
}

fn offsets_in(data: &Bytes) -> Vec<i64> {
    records::batches(data)
        .flat_map(|b| {
            let b = b.unwrap();
            b.header.base_offset..=b.header.last_offset()
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target)
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_torn_tail_at_any_byte_is_truncated_and_writes_continue() {
    let base = tempfile::tempdir().unwrap();
    let sizes = [3, 1, 4, 2, 5];
    let mut ends = Vec::new(); // (byte end of batch, records so far)
    {
        let s = open(base.path());
        s.create_topic("t", 1, TopicConfig::default())
            .await
            .unwrap();
        for (n, size) in sizes.iter().enumerate() {
            s.append(&tp(), vec![batch(*size, &format!("b{n}"), 0, None)])
                .await
                .unwrap();
            let len = std::fs::metadata(base.path().join("t-0/00000000000000000000.log"))
                .unwrap()
                .len();
            ends.push((len, sizes[..=n].iter().sum::<i32>() as i64));
        }
    }
    let full = ends.last().unwrap().0;
    let from = ends[2].0; // cut anywhere in the last two batches
    for cut in from..full {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let log = dir.path().join("t-0/00000000000000000000.log");
        std::fs::OpenOptions::new()
            .write(true)
            .open(&log)
            .unwrap()
            .set_len(cut)
            .unwrap();
        let kept = ends
            .iter()
            .rfind(|(end, _)| *end <= cut)
            .map(|(_, n)| *n)
            .unwrap_or(0);
        let s = open(dir.path());
        assert_eq!(
            s.offsets(&tp()).await.unwrap().high_watermark,
            kept,
            "cut at {cut}"
        );
        let a = s
            .append(&tp(), vec![batch(2, "after", 0, None)])
            .await
            .unwrap();
        assert_eq!(
            a.base_offset, kept,
            "cut at {cut}: dense offsets after recovery"
        );
        let all = s.read(&tp(), 0, 1 << 20).await.unwrap();
        assert_eq!(
            offsets_in(&all.records),
            (0..kept + 2).collect::<Vec<_>>(),
            "cut at {cut}"
        );
    }
}

#[tokio::test]
async fn a_corrupt_batch_in_the_active_segment_is_cut_off_with_what_follows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        s.create_topic("t", 1, TopicConfig::default())
            .await
            .unwrap();
        for n in 0..4 {
            s.append(&tp(), vec![batch(2, &format!("b{n}"), 0, None)])
                .await
                .unwrap();
        }
    }
    let log = dir.path().join("t-0/00000000000000000000.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let batch_len = bytes.len() / 4;
    bytes[2 * batch_len + 70] ^= 0x01; // inside the third batch's records
    std::fs::write(&log, &bytes).unwrap();
    let s = open(dir.path());
    assert_eq!(s.offsets(&tp()).await.unwrap().high_watermark, 4);
}

#[tokio::test]
async fn index_lookups_across_many_intervals_and_segments_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = TopicConfig::new(BTreeMap::from([(
        "internal.segment.bytes".to_string(),
        "65536".to_string(),
    )]))
    .unwrap();
    {
        let s = open(dir.path());
        s.create_topic("t", 1, cfg).await.unwrap();
        for n in 0..1500 {
            s.append(
                &tp(),
                vec![batch(
                    1 + n % 3,
                    &format!("{n:04}-{}", "p".repeat(n as usize % 90)),
                    1_000 + i64::from(n),
                    None,
                )],
            )
            .await
            .unwrap();
        }
    }
    let segments = std::fs::read_dir(dir.path().join("t-0"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "log")
        .count();
    assert!(segments > 3, "{segments} segments");
    let s = open(dir.path());
    let hw = s.offsets(&tp()).await.unwrap().high_watermark;
    assert_eq!(hw, (0..1500).map(|n| i64::from(1 + n % 3)).sum::<i64>());
    for offset in (0..hw).step_by(7) {
        let got = offsets_in(&s.read(&tp(), offset, 1).await.unwrap().records);
        assert!(
            got.contains(&offset),
            "offset {offset} not in the batch returned: {got:?}"
        );
    }
    let b = s
        .batch_at_timestamp(&tp(), 1_000 + 900)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        records::Batch::parse(&b).unwrap().0.header.base_timestamp,
        1_900
    );
}

#[tokio::test]
async fn idempotent_producer_state_is_rebuilt_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        s.create_topic("t", 1, TopicConfig::default())
            .await
            .unwrap();
        s.append(&tp(), vec![batch(3, "a", 0, Some(0))])
            .await
            .unwrap();
        s.append(&tp(), vec![batch(3, "b", 0, Some(3))])
            .await
            .unwrap();
    }
    let s = open(dir.path());
    let retry = s
        .append(&tp(), vec![batch(3, "b", 0, Some(3))])
        .await
        .unwrap();
    assert!(retry.duplicate);
    assert_eq!(retry.base_offset, 3);
    assert_eq!(s.offsets(&tp()).await.unwrap().high_watermark, 6);
    let id_a = s.next_producer_id().await.unwrap();
    let cluster = s.cluster_id();
    drop(s);
    let s = open(dir.path());
    assert_eq!(
        s.cluster_id(),
        cluster,
        "the cluster id is stable across restarts"
    );
    assert!(
        s.next_producer_id().await.unwrap() > id_a,
        "producer ids are never reused across restarts"
    );
}

#[tokio::test]
async fn committed_offsets_survive_a_restart_and_a_torn_last_line() {
    use kafka_gateway::storage::offsets::Committed;
    let dir = tempfile::tempdir().unwrap();
    let c = |offset| Committed {
        offset,
        leader_epoch: 3,
        metadata: Some("any\ttext\n".into()),
        commit_ms: 9,
    };
    {
        let s = open(dir.path());
        s.commit_offsets("group one", vec![(tp(), c(5))])
            .await
            .unwrap();
        s.commit_offsets("group one", vec![(tp(), c(7))])
            .await
            .unwrap();
        s.commit_offsets("g2", vec![(tp(), c(1))]).await.unwrap();
        s.delete_offsets("g2", None).await.unwrap();
    }
    let path = dir.path().join("__consumer_offsets.log");
    let mut torn = std::fs::read(&path).unwrap();
    torn.extend_from_slice(b"C\t6767\tt\t0\t99");
    std::fs::write(&path, torn).unwrap();
    let s = open(dir.path());
    assert_eq!(s.committed_offsets("group one").await, vec![(tp(), c(7))]);
    assert!(s.committed_offsets("g2").await.is_empty());
    assert_eq!(s.offset_groups().await, vec!["group one".to_string()]);
}
