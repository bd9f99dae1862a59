//! CreatePartitions (37): grow a topic's partition count.

use kafka_wire::messages::create_partitions::{
    CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitionsTopicResult,
};
use kafka_wire::ErrorCode;

use super::error_code;
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a CreatePartitions request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: CreatePartitionsRequest,
) -> CreatePartitionsResponse {
    let mut results = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let alter = access.topic(Operation::Alter, &t.name);
        let found = match alter {
            true => ctx.storage.topic(&t.name).await,
            false => None,
        };
        let outcome = match found {
            None if !alter => Err((
                ErrorCode::TOPIC_AUTHORIZATION_FAILED,
                Some("ALTER on the topic is needed".into()),
            )),
            // Kafka's messages: none for an unknown topic, its own for no change and a decrease.
            None => Err((ErrorCode::UNKNOWN_TOPIC_OR_PARTITION, None)),
            Some(meta) if t.count == meta.partitions => Err((
                ErrorCode::INVALID_PARTITIONS,
                Some(format!(
                    "Topic already has {} partition(s).",
                    meta.partitions
                )),
            )),
            Some(meta) if t.count < meta.partitions => Err((
                ErrorCode::INVALID_PARTITIONS,
                Some(format!(
                    "The topic {} currently has {} partition(s); {} would not be an increase.",
                    t.name, meta.partitions, t.count
                )),
            )),
            Some(_)
                if t.assignments
                    .iter()
                    .flatten()
                    .any(|a| a.broker_ids != [ctx.config.node_id]) =>
            {
                Err((
                    ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                    Some("replicas must be this broker".into()),
                ))
            }
            Some(_) if req.validate_only => Ok(()),
            Some(_) => ctx
                .storage
                .create_partitions(&t.name, t.count)
                .await
                .map_err(|e| (error_code(&e), Some(e.to_string()))),
        };
        results.push(match outcome {
            Ok(()) => CreatePartitionsTopicResult {
                name: t.name.clone(),
                ..Default::default()
            },
            Err((code, msg)) => CreatePartitionsTopicResult {
                name: t.name.clone(),
                error_code: code.0,
                error_message: msg,
                ..Default::default()
            },
        });
    }
    CreatePartitionsResponse {
        results,
        ..Default::default()
    }
}
