//! DescribeTopicPartitions (75): topics (named, or all) with their partitions, paged by
//! `response_partition_limit` with a cursor.

use kafka_wire::messages::describe_topic_partitions::{
    Cursor, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse,
    DescribeTopicPartitionsResponsePartition, DescribeTopicPartitionsResponseTopic,
};
use kafka_wire::primitives::Uuid;
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DescribeTopicPartitions request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeTopicPartitionsRequest,
) -> DescribeTopicPartitionsResponse {
    let node = ctx.config.node_id;
    let known = ctx.storage.topics().await;
    let describable = |name: &str| access.topic(Operation::Describe, name);
    let mut names: Vec<String> = if req.topics.is_empty() {
        // Topics the principal may not describe are left out of a listing.
        known
            .iter()
            .filter(|t| describable(&t.name))
            .map(|t| t.name.clone())
            .collect()
    } else {
        req.topics.iter().map(|t| t.name.clone()).collect()
    };
    names.sort();
    let (start_topic, start_partition) = req.cursor.as_ref().map_or((String::new(), 0), |c| {
        (c.topic_name.clone(), c.partition_index)
    });
    let mut budget = req.response_partition_limit.max(1) as usize;
    let mut topics = Vec::new();
    let mut next_cursor = None;
    for name in names.into_iter().filter(|n| *n >= start_topic) {
        let found = match describable(&name) {
            true => known
                .iter()
                .find(|t| t.name == name)
                .ok_or(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION),
            false => Err(ErrorCode::TOPIC_AUTHORIZATION_FAILED),
        };
        let meta = match found {
            Ok(meta) => meta,
            Err(code) => {
                topics.push(DescribeTopicPartitionsResponseTopic {
                    error_code: code.0,
                    name: Some(name),
                    topic_id: Uuid::ZERO,
                    ..Default::default()
                });
                continue;
            }
        };
        if budget == 0 {
            next_cursor = Some(Cursor {
                topic_name: name,
                partition_index: 0,
                ..Default::default()
            });
            break;
        }
        let first = if name == start_topic {
            start_partition
        } else {
            0
        };
        let mut partitions = Vec::new();
        for p in first..meta.partitions {
            if budget == 0 {
                next_cursor = Some(Cursor {
                    topic_name: name.clone(),
                    partition_index: p,
                    ..Default::default()
                });
                break;
            }
            budget -= 1;
            partitions.push(DescribeTopicPartitionsResponsePartition {
                partition_index: p,
                leader_id: node,
                leader_epoch: 0,
                replica_nodes: vec![node],
                isr_nodes: vec![node],
                eligible_leader_replicas: Some(Vec::new()),
                last_known_elr: Some(Vec::new()),
                ..Default::default()
            });
        }
        topics.push(DescribeTopicPartitionsResponseTopic {
            name: Some(name),
            topic_id: meta.id,
            partitions,
            ..Default::default()
        });
        if next_cursor.is_some() {
            break;
        }
    }
    DescribeTopicPartitionsResponse {
        topics,
        next_cursor,
        ..Default::default()
    }
}
