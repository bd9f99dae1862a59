//! DeleteTopics (20): by name (v1-5) or by name or topic id (v6).

use kafka_wire::messages::delete_topics::{
    DeletableTopicResult, DeleteTopicsRequest, DeleteTopicsResponse,
};
use kafka_wire::primitives::Uuid;
use kafka_wire::ErrorCode;

use super::error_code;
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DeleteTopics request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DeleteTopicsRequest,
    v: i16,
) -> DeleteTopicsResponse {
    let known = ctx.storage.topics().await;
    let wanted: Vec<(Option<String>, Uuid)> = if v >= 6 {
        req.topics
            .iter()
            .map(|t| (t.name.clone(), t.topic_id))
            .collect()
    } else {
        req.topic_names
            .iter()
            .map(|n| (Some(n.clone()), Uuid::ZERO))
            .collect()
    };
    let mut responses = Vec::with_capacity(wanted.len());
    for (name, id) in wanted {
        let found = match &name {
            Some(n) => known.iter().find(|k| &k.name == n),
            None => known.iter().find(|k| k.id == id),
        };
        let r = match found {
            None => DeletableTopicResult {
                name: name.clone(),
                topic_id: id,
                error_code: if name.is_some() {
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION.0
                } else {
                    ErrorCode::UNKNOWN_TOPIC_ID.0
                },
                // Kafka sends the error's own text (v5+ carry a message).
                error_message: Some(if name.is_some() {
                    "This server does not host this topic-partition.".into()
                } else {
                    "This server does not host this topic ID.".into()
                }),
                ..Default::default()
            },
            Some(meta) if !access.topic(Operation::Delete, &meta.name) => DeletableTopicResult {
                name: Some(meta.name.clone()),
                topic_id: meta.id,
                error_code: ErrorCode::TOPIC_AUTHORIZATION_FAILED.0,
                ..Default::default()
            },
            Some(meta) => match ctx.storage.delete_topic(&meta.name).await {
                Ok(()) => {
                    tracing::info!(topic = %meta.name, "deleted topic");
                    DeletableTopicResult {
                        name: Some(meta.name.clone()),
                        topic_id: meta.id,
                        ..Default::default()
                    }
                }
                Err(e) => DeletableTopicResult {
                    name: Some(meta.name.clone()),
                    topic_id: meta.id,
                    error_code: error_code(&e).0,
                    error_message: Some(e.to_string()),
                    ..Default::default()
                },
            },
        };
        responses.push(r);
    }
    DeleteTopicsResponse {
        responses,
        ..Default::default()
    }
}
