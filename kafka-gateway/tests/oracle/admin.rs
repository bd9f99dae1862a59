//! The one-broker admin APIs against Kafka: DescribeLogDirs, DescribeProducers,
//! List/AlterPartitionReassignments and ElectLeaders. The same topic (two partitions, one
//! idempotent batch of three records in partition 0) is set up on both; then every case's
//! decoded answer must agree, with only the log directory's path and byte counts normalised.

use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::describe_producers_request::TopicRequest;
use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::list_partition_reassignments_request::ListPartitionReassignmentsTopics;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, DescribeLogDirsRequest, DescribeProducersRequest,
    ElectLeadersRequest, InitProducerIdRequest, ListPartitionReassignmentsRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::{common, create_req, gateway, oracle, unique, KpClient};

fn name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.to_string()))
}

/// Two partitions, and three records from an idempotent producer in partition 0.
async fn set_up(c: &mut KpClient, topic: &str) {
    use std::time::{Duration, Instant};
    let mut req = create_req(topic, &[], false);
    req.topics[0].num_partitions = 2;
    assert_eq!(c.call(7, req).await.topics[0].error_code, 0);
    // Kafka creates a new topic's logs in the background: wait until both are there.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let req = DescribeLogDirsRequest::default().with_topics(Some(vec![
            DescribableLogDirTopic::default()
                .with_topic(name(topic))
                .with_partitions(vec![0, 1]),
        ]));
        let r = c.call(1, req).await;
        let n: usize = r
            .results
            .iter()
            .flat_map(|d| &d.topics)
            .map(|t| t.partitions.len())
            .sum();
        if n == 2 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its producer-id block is ready.
    let pid = loop {
        let pid = c
            .call(
                4,
                InitProducerIdRequest::default()
                    .with_transactional_id(None)
                    .with_transaction_timeout_ms(60_000)
                    .with_producer_id(kafka_protocol::messages::ProducerId(-1))
                    .with_producer_epoch(-1),
            )
            .await;
        if pid.error_code != 14 || Instant::now() > deadline {
            break pid;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(pid.error_code, 0);
    let produce = common::produce_request(
        topic,
        0,
        &[b"a", b"b", b"c"],
        Some((pid.producer_id.0, pid.producer_epoch, 0)),
        1_700_000_000_123,
    );
    let r = c.call(9, produce).await;
    assert_eq!(
        r.responses[0].partition_responses[0].error_code, 0,
        "{topic} produce"
    );
}

/// Run every case on one broker; each answer as normalised text.
async fn answers(c: &mut KpClient, topic: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |what: String, answer: String| out.push((what, answer.replace(topic, "$T")));

    for v in 1..=4 {
        for topics in [
            Some(vec![(topic, vec![0, 1, 7]), ("no-such-topic-x", vec![0])]),
            Some(vec![]),
        ] {
            let req = DescribeLogDirsRequest::default().with_topics(topics.clone().map(|ts| {
                ts.into_iter()
                    .map(|(t, ps)| {
                        DescribableLogDirTopic::default()
                            .with_topic(name(t))
                            .with_partitions(ps)
                    })
                    .collect()
            }));
            let r = c.call(v, req).await;
            let dirs: Vec<String> = r
                .results
                .iter()
                .map(|d| {
                    // Kafka lists partitions in hash order: compare them sorted.
                    let mut parts: Vec<String> = d
                        .topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions.iter().map(move |p| {
                                format!(
                                    "{}-{} written={} lag={} future={}",
                                    t.name.0,
                                    p.partition_index,
                                    p.partition_size > 0,
                                    p.offset_lag,
                                    p.is_future_key
                                )
                            })
                        })
                        .collect();
                    parts.sort();
                    format!(
                        "error={} total>0={} usable>0={} {parts:?}",
                        d.error_code,
                        d.total_bytes > 0,
                        d.usable_bytes > 0
                    )
                })
                .collect();
            push(
                format!("DescribeLogDirs v{v} {topics:?}"),
                format!("error={} {dirs:?}", r.error_code),
            );
        }
    }

    for (t, parts) in [
        (topic, vec![0, 1, 9]),
        ("no-such-topic-x", vec![0]),
        ("bad name!", vec![0]),
    ] {
        let req = DescribeProducersRequest::default().with_topics(vec![TopicRequest::default()
            .with_name(name(t))
            .with_partition_indexes(parts.clone())]);
        let r = c.call(0, req).await;
        let got: Vec<String> = r.topics[0]
            .partitions
            .iter()
            .map(|p| {
                let producers: Vec<String> = p
                    .active_producers
                    .iter()
                    .map(|s| {
                        format!(
                            "epoch={} last_seq={} ts={} coord={} txn={}",
                            s.producer_epoch,
                            s.last_sequence,
                            s.last_timestamp,
                            s.coordinator_epoch,
                            s.current_txn_start_offset
                        )
                    })
                    .collect();
                format!(
                    "{} {} {:?} {producers:?}",
                    p.partition_index, p.error_code, p.error_message
                )
            })
            .collect();
        push(
            format!("DescribeProducers {t} {parts:?}"),
            format!("{got:?}"),
        );
    }

    for topics in [None, Some(vec![(topic, vec![0, 1])])] {
        let req = ListPartitionReassignmentsRequest::default()
            .with_timeout_ms(5000)
            .with_topics(topics.clone().map(|ts| {
                ts.into_iter()
                    .map(|(t, ps)| {
                        ListPartitionReassignmentsTopics::default()
                            .with_name(name(t))
                            .with_partition_indexes(ps)
                    })
                    .collect()
            }));
        let r = c.call(0, req).await;
        push(
            format!("ListPartitionReassignments {topics:?}"),
            format!("{} {:?} {}", r.error_code, r.error_message, r.topics.len()),
        );
    }

    let reassign: Vec<(&str, i32, Option<Vec<i32>>)> = vec![
        (topic, 0, Some(vec![0])),
        (topic, 1, Some(vec![1])),
        (topic, 0, None),
        (topic, 0, Some(vec![])),
        (topic, 0, Some(vec![0, 0])),
        (topic, 0, Some(vec![3, 0])),
        (topic, 5, Some(vec![0])),
        ("no-such-topic-x", 0, Some(vec![0])),
    ];
    for (t, p, replicas) in reassign {
        let req = AlterPartitionReassignmentsRequest::default()
            .with_timeout_ms(5000)
            .with_topics(vec![ReassignableTopic::default()
                .with_name(name(t))
                .with_partitions(vec![ReassignablePartition::default()
                    .with_partition_index(p)
                    .with_replicas(replicas.clone().map(|r| {
                        r.into_iter()
                            .map(kafka_protocol::messages::BrokerId)
                            .collect()
                    }))])]);
        let r = c.call(0, req).await;
        let parts: Vec<String> = r
            .responses
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| format!("{} {:?}", p.error_code, p.error_message))
            })
            .collect();
        push(
            format!("AlterPartitionReassignments {t} {p} {replicas:?}"),
            format!("{} {:?} {parts:?}", r.error_code, r.error_message),
        );
    }
    let empty = c
        .call(0, AlterPartitionReassignmentsRequest::default())
        .await;
    push(
        "AlterPartitionReassignments empty".into(),
        format!("{} {:?}", empty.error_code, empty.error_message),
    );

    for v in 0..=2 {
        for election in [0i8, 1, 5] {
            if v == 0 && election != 0 {
                continue;
            }
            for parts in [
                Some(vec![(topic, vec![0, 1, 4]), ("no-such-topic-x", vec![0])]),
                None,
            ] {
                let req = ElectLeadersRequest::default()
                    .with_election_type(election)
                    .with_timeout_ms(5000)
                    .with_topic_partitions(parts.clone().map(|ts| {
                        ts.into_iter()
                            .map(|(t, ps)| {
                                TopicPartitions::default()
                                    .with_topic(name(t))
                                    .with_partitions(ps)
                            })
                            .collect()
                    }));
                let r = c.call(v, req).await;
                // With every partition asked for, Kafka lists all its topics: keep ours.
                let results: Vec<String> = r
                    .replica_election_results
                    .iter()
                    .filter(|t| parts.is_some() || t.topic.0.as_str() == topic)
                    .map(|t| {
                        let ps: Vec<String> = t
                            .partition_result
                            .iter()
                            .map(|p| {
                                format!("{} {} {:?}", p.partition_id, p.error_code, p.error_message)
                            })
                            .collect();
                        format!("{} {ps:?}", t.topic.0)
                    })
                    .collect();
                push(
                    format!("ElectLeaders v{v} type {election} {parts:?}"),
                    format!("{} {results:?}", r.error_code),
                );
            }
        }
    }
    out
}

#[tokio::test]
async fn one_broker_admin_apis_as_kafka_does() {
    let Some(kafka) = oracle() else { return };
    let gw = gateway().await;
    let topic = unique("admin");
    let mut k = KpClient::connect(kafka).await;
    let mut g = KpClient::connect(gw.addr).await;
    set_up(&mut k, &topic).await;
    set_up(&mut g, &topic).await;
    let want = answers(&mut k, &topic).await;
    let got = answers(&mut g, &topic).await;
    assert_eq!(got.len(), want.len());
    for ((what, g), (_, w)) in got.iter().zip(&want) {
        assert_eq!(g, w, "{what}");
    }
    println!("oracle: {} one-broker admin cases agree", want.len());
    gw.stop().await;
}
