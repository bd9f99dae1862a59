//! OffsetDelete (47): remove committed offsets of partitions a group no longer consumes. While
//! the group has members, topics it is subscribed to are refused (GROUP_SUBSCRIBED_TO_TOPIC);
//! the subscription is read from the consumer protocol's member metadata.

use kafka_wire::messages::offset_delete::{
    OffsetDeleteRequest, OffsetDeleteResponse, OffsetDeleteResponsePartition,
    OffsetDeleteResponseTopic,
};
use kafka_wire::ErrorCode;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Topic names in a consumer-protocol subscription (version, then an array of strings).
fn subscribed_topics(metadata: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(count) = metadata
        .get(2..6)
        .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    else {
        return out;
    };
    let mut pos = 6usize;
    for _ in 0..count.max(0) {
        let Some(len) = metadata
            .get(pos..pos + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
        else {
            break;
        };
        let Some(name) = metadata.get(pos + 2..pos + 2 + len.max(0) as usize) else {
            break;
        };
        out.push(String::from_utf8_lossy(name).into_owned());
        pos += 2 + len.max(0) as usize;
    }
    out
}

/// Answer an OffsetDelete request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: OffsetDeleteRequest,
) -> OffsetDeleteResponse {
    if !access.group(Operation::Delete, &req.group_id) {
        return OffsetDeleteResponse {
            error_code: ErrorCode::GROUP_AUTHORIZATION_FAILED.0,
            ..Default::default()
        };
    }
    let known = ctx.storage.offset_groups().await.contains(&req.group_id)
        || ctx.groups.with(|c| c.group(&req.group_id).is_some());
    if !known {
        return OffsetDeleteResponse {
            error_code: ErrorCode::GROUP_ID_NOT_FOUND.0,
            ..Default::default()
        };
    }
    let subscribed: Vec<String> = ctx.groups.with(|c| {
        c.group(&req.group_id)
            .filter(|g| g.protocol_type.as_deref() == Some("consumer"))
            .map(|g| {
                let protocol = g.protocol.clone().unwrap_or_default();
                g.members()
                    .flat_map(|m| subscribed_topics(&m.metadata(&protocol)))
                    .collect()
            })
            .unwrap_or_default()
    });
    let mut topics = Vec::new();
    let mut delete = Vec::new();
    for t in &req.topics {
        let code = if !access.topic(Operation::Read, &t.name) {
            ErrorCode::TOPIC_AUTHORIZATION_FAILED
        } else if subscribed.contains(&t.name) {
            ErrorCode::GROUP_SUBSCRIBED_TO_TOPIC
        } else {
            ErrorCode::NONE
        };
        if code.is_ok() {
            delete.extend(t.partitions.iter().map(|p| tp(&t.name, p.partition_index)));
        }
        topics.push(OffsetDeleteResponseTopic {
            name: t.name.clone(),
            partitions: t
                .partitions
                .iter()
                .map(|p| OffsetDeleteResponsePartition {
                    partition_index: p.partition_index,
                    error_code: code.0,
                })
                .collect(),
        });
    }
    let mut code = ErrorCode::NONE;
    if !delete.is_empty() {
        if let Err(e) = ctx
            .storage
            .delete_offsets(&req.group_id, Some(delete))
            .await
        {
            code = error_code(&e);
        }
    }
    OffsetDeleteResponse {
        error_code: code.0,
        topics,
        ..Default::default()
    }
}
