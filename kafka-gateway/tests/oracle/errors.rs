//! The error paths of the data and group APIs against Kafka: unknown topics and partitions,
//! out-of-range offsets, bad partition counts, unknown groups and members, stale generations.
//! The same topic (two partitions, three records in partition 0) is set up on both; each
//! answer's error codes (and messages where the API has them) must agree.

use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::delete_records_request::{
    DeleteRecordsPartition, DeleteRecordsTopic,
};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::{
    CreatePartitionsRequest, DeleteGroupsRequest, DeleteRecordsRequest, DeleteTopicsRequest,
    DescribeGroupsRequest, FetchRequest, GroupId, HeartbeatRequest, ListOffsetsRequest,
    MetadataRequest, OffsetCommitRequest, SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::{common, create_req, gateway, oracle, unique, KpClient};

fn name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.to_string()))
}

fn group(s: &str) -> GroupId {
    GroupId(StrBytes::from_string(s.to_string()))
}

const NONE: &str = "no-such-topic-e";

/// Differences docs/COMPATIBILITY.md explains (each a case name prefix).
const KNOWN: &[&str] = &["SyncGroup unknown member:"];

async fn set_up(c: &mut KpClient, topic: &str) {
    let mut req = create_req(topic, &[], false);
    req.topics[0].num_partitions = 2;
    assert_eq!(c.call(7, req).await.topics[0].error_code, 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = c
            .call(
                9,
                common::produce_request(topic, 0, &[b"a", b"b", b"c"], None, 1_700_000_000_000),
            )
            .await;
        let code = r.responses[0].partition_responses[0].error_code;
        if code == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "produce: {code}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn answers(c: &mut KpClient, topic: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();

    for (t, p, ts) in [
        (topic, 0, -1i64),
        (topic, 0, -2),
        (topic, 0, -3),
        (topic, 0, 1_700_000_000_000),
        (topic, 0, 1_900_000_000_000),
        (topic, 1, -1),
        (topic, 9, -1),
        (NONE, 0, -1),
    ] {
        for v in [1, 5, 7] {
            let req = ListOffsetsRequest::default()
                .with_replica_id(kafka_protocol::messages::BrokerId(-1))
                .with_topics(vec![ListOffsetsTopic::default()
                    .with_name(name(t))
                    .with_partitions(vec![ListOffsetsPartition::default()
                        .with_partition_index(p)
                        .with_timestamp(ts)])]);
            let r = c.call(v, req).await;
            let x = &r.topics[0].partitions[0];
            out.push((
                format!("ListOffsets v{v} {t} {p} {ts}"),
                format!("{} offset={}", x.error_code, x.offset),
            ));
        }
    }

    for (t, p, offset) in [
        (topic, 0, 0i64),
        (topic, 0, 3),
        (topic, 0, 10),
        (topic, 0, -5),
        (topic, 5, 0),
        (NONE, 0, 0),
    ] {
        let req = FetchRequest::default()
            .with_max_wait_ms(0)
            .with_min_bytes(1)
            .with_max_bytes(1 << 20)
            .with_topics(vec![FetchTopic::default()
                .with_topic(name(t))
                .with_partitions(vec![FetchPartition::default()
                    .with_partition(p)
                    .with_fetch_offset(offset)
                    .with_partition_max_bytes(1 << 20)])]);
        let r = c.call(11, req).await;
        let x = &r.responses[0].partitions[0];
        out.push((
            format!("Fetch v11 {t} {p} {offset}"),
            format!(
                "{} hw={} records={}",
                x.error_code,
                x.high_watermark,
                x.records.as_ref().is_some_and(|r| !r.is_empty())
            ),
        ));
    }

    for (t, p, offset) in [(topic, 0, 10i64), (topic, 5, 0), (NONE, 0, 0)] {
        let req = DeleteRecordsRequest::default()
            .with_timeout_ms(5000)
            .with_topics(vec![DeleteRecordsTopic::default()
                .with_name(name(t))
                .with_partitions(vec![DeleteRecordsPartition::default()
                    .with_partition_index(p)
                    .with_offset(offset)])]);
        let r = c.call(2, req).await;
        let x = &r.topics[0].partitions[0];
        out.push((
            format!("DeleteRecords {t} {p} {offset}"),
            format!("{}", x.error_code),
        ));
    }

    for (t, count) in [(topic, 1), (topic, 2), (NONE, 4)] {
        let req = CreatePartitionsRequest::default()
            .with_timeout_ms(5000)
            .with_validate_only(true)
            .with_topics(vec![CreatePartitionsTopic::default()
                .with_name(name(t))
                .with_count(count)]);
        let r = c.call(3, req).await;
        let x = &r.results[0];
        out.push((
            format!("CreatePartitions {t} {count}"),
            format!("{} {:?}", x.error_code, x.error_message),
        ));
    }

    let r = c
        .call(
            5,
            DeleteTopicsRequest::default()
                .with_timeout_ms(5000)
                .with_topic_names(vec![name(NONE)]),
        )
        .await;
    out.push((
        "DeleteTopics unknown".into(),
        format!(
            "{} {:?}",
            r.responses[0].error_code, r.responses[0].error_message
        ),
    ));

    let topics = Some(vec![
        MetadataRequestTopic::default().with_name(Some(name(NONE)))
    ]);
    let r = c
        .call(
            12,
            MetadataRequest::default()
                .with_topics(topics)
                .with_allow_auto_topic_creation(false),
        )
        .await;
    out.push((
        "Metadata unknown, no auto-create".into(),
        format!("{}", r.topics[0].error_code),
    ));

    let g = unique("nogroup");
    // Kafka answers NOT_COORDINATOR until its offsets topic exists: find the coordinator first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = c
            .call(
                3,
                kafka_protocol::messages::FindCoordinatorRequest::default()
                    .with_key(StrBytes::from_string(g.clone())),
            )
            .await;
        if r.error_code == 0 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let r = c
        .call(
            5,
            DescribeGroupsRequest::default().with_groups(vec![group(&g)]),
        )
        .await;
    out.push((
        "DescribeGroups unknown".into(),
        format!(
            "{} state={}",
            r.groups[0].error_code, r.groups[0].group_state
        ),
    ));
    let r = c
        .call(
            2,
            DeleteGroupsRequest::default().with_groups_names(vec![group(&g)]),
        )
        .await;
    out.push((
        "DeleteGroups unknown".into(),
        format!("{}", r.results[0].error_code),
    ));
    let r = c
        .call(
            4,
            HeartbeatRequest::default()
                .with_group_id(group(&g))
                .with_generation_id(1)
                .with_member_id(StrBytes::from_static_str("m-1")),
        )
        .await;
    out.push((
        "Heartbeat unknown member".into(),
        format!("{}", r.error_code),
    ));
    let r = c
        .call(
            5,
            SyncGroupRequest::default()
                .with_group_id(group(&g))
                .with_generation_id(1)
                .with_member_id(StrBytes::from_static_str("m-1")),
        )
        .await;
    out.push((
        "SyncGroup unknown member".into(),
        format!("{}", r.error_code),
    ));

    for (generation, member, t, p) in [
        (-1, "", topic, 0),
        (-1, "", topic, 9),
        (-1, "", NONE, 0),
        (3, "m-1", topic, 0),
    ] {
        let req = OffsetCommitRequest::default()
            .with_group_id(group(&g))
            .with_generation_id_or_member_epoch(generation)
            .with_member_id(StrBytes::from_string(member.to_string()))
            .with_topics(vec![OffsetCommitRequestTopic::default()
                .with_name(name(t))
                .with_partitions(vec![OffsetCommitRequestPartition::default()
                    .with_partition_index(p)
                    .with_committed_offset(1)])]);
        let r = c.call(8, req).await;
        out.push((
            format!("OffsetCommit gen {generation} {member} {t} {p}"),
            format!("{}", r.topics[0].partitions[0].error_code),
        ));
    }
    for (_, a) in &mut out {
        *a = a.replace(topic, "$T");
    }
    out
}

#[tokio::test]
async fn data_and_group_errors_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let topic = unique("errors");
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    set_up(&mut k, &topic).await;
    set_up(&mut g, &topic).await;
    let want = answers(&mut k, &topic).await;
    let got = answers(&mut g, &topic).await;
    let mut differ = Vec::new();
    for ((what, gv), (_, kv)) in got.iter().zip(&want) {
        if gv != kv {
            differ.push(format!("{what}: gateway {gv}, Kafka {kv}"));
        }
    }
    // Listed in docs/COMPATIBILITY.md with their reasons.
    let unexplained: Vec<&String> = differ
        .iter()
        .filter(|d| !KNOWN.iter().any(|k| d.starts_with(k)))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences: {unexplained:#?}",
        unexplained.len()
    );
    println!(
        "oracle: {} data and group error cases, {} agree, {} known differences",
        want.len(),
        want.len() - differ.len(),
        differ.len()
    );
    gw.stop().await;
}
