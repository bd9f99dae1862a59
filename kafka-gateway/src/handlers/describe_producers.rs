//! DescribeProducers (61): the idempotent producers that wrote to each partition, their epoch,
//! last sequence and last timestamp (no transactions yet: no coordinator epoch, no open
//! transaction). Checked per topic in Kafka's order: name, READ, existence.

use kafka_wire::messages::describe_producers::{
    DescribeProducersRequest, DescribeProducersResponse, PartitionResponse, ProducerState,
    TopicResponse,
};
use kafka_wire::ErrorCode;

use super::{error_code, topic_name_error, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::StorageError;

/// Why a whole topic is refused, as Kafka words it.
fn topic_error(exists: bool, access: &Access<'_>, name: &str) -> Option<(ErrorCode, String)> {
    if let Some(why) = topic_name_error(name) {
        return Some((ErrorCode::INVALID_TOPIC_EXCEPTION, why));
    }
    if !access.topic(Operation::Read, name) {
        return Some((
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            "Topic authorization failed.".into(),
        ));
    }
    (!exists).then(|| {
        (
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            "This server does not host this topic-partition.".into(),
        )
    })
}

/// Answer a DescribeProducers request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeProducersRequest,
) -> DescribeProducersResponse {
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in req.topics {
        let exists = ctx.storage.topic(&t.name).await.is_some();
        let refused = topic_error(exists, access, &t.name);
        let mut partitions = Vec::with_capacity(t.partition_indexes.len());
        for p in t.partition_indexes {
            let mut out = PartitionResponse {
                partition_index: p,
                ..Default::default()
            };
            match &refused {
                Some((code, message)) => {
                    out.error_code = code.0;
                    out.error_message = Some(message.clone());
                }
                None => match ctx.storage.producer_states(&tp(&t.name, p)).await {
                    Ok(states) => {
                        out.active_producers = states
                            .into_iter()
                            .map(|s| ProducerState {
                                producer_id: s.producer_id,
                                producer_epoch: i32::from(s.epoch),
                                last_sequence: s.last_sequence,
                                last_timestamp: s.last_timestamp,
                                coordinator_epoch: -1,
                                current_txn_start_offset: -1,
                                ..Default::default()
                            })
                            .collect();
                    }
                    // Kafka sends no message for a partition it does not have.
                    Err(e @ StorageError::UnknownTopicOrPartition(_)) => {
                        out.error_code = error_code(&e).0;
                    }
                    Err(e) => {
                        out.error_code = error_code(&e).0;
                        out.error_message = Some(e.to_string());
                    }
                },
            }
            partitions.push(out);
        }
        topics.push(TopicResponse {
            name: t.name,
            partitions,
            ..Default::default()
        });
    }
    DescribeProducersResponse {
        topics,
        ..Default::default()
    }
}
