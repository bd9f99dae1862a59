//! OffsetCommit (8): generation and member checks (generation -1 for consumers that assign
//! partitions themselves), then the offsets stored durably through the storage trait.

use kafka_wire::messages::offset_commit::{
    OffsetCommitRequest, OffsetCommitResponse, OffsetCommitResponsePartition,
    OffsetCommitResponseTopic,
};
use kafka_wire::ErrorCode;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::file::now_ms;
use crate::storage::offsets::Committed;

/// Kafka's default `offset.metadata.max.bytes`.
const MAX_METADATA: usize = 4096;

/// Answer an OffsetCommit request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: OffsetCommitRequest,
) -> OffsetCommitResponse {
    let group_code = if req.group_id.is_empty() {
        ErrorCode::INVALID_GROUP_ID
    } else if !access.group(Operation::Read, &req.group_id) {
        ErrorCode::GROUP_AUTHORIZATION_FAILED
    } else {
        ctx.groups.with(|c| {
            c.check_commit(
                &req.group_id,
                &req.member_id,
                req.generation_id_or_member_epoch,
            )
        })
    };
    let now = now_ms();
    let mut to_store = Vec::new();
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let known = ctx.storage.topic(&t.name).await;
        let readable = access.topic(Operation::Read, &t.name);
        let mut partitions = Vec::with_capacity(t.partitions.len());
        for p in &t.partitions {
            let code = if !group_code.is_ok() {
                group_code
            } else if !readable {
                ErrorCode::TOPIC_AUTHORIZATION_FAILED
            } else if known
                .as_ref()
                .is_none_or(|k| p.partition_index < 0 || p.partition_index >= k.partitions)
            {
                ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
            } else if p
                .committed_metadata
                .as_ref()
                .is_some_and(|m| m.len() > MAX_METADATA)
            {
                ErrorCode::OFFSET_METADATA_TOO_LARGE
            } else {
                to_store.push((
                    tp(&t.name, p.partition_index),
                    Committed {
                        offset: p.committed_offset,
                        leader_epoch: p.committed_leader_epoch,
                        metadata: p.committed_metadata.clone(),
                        commit_ms: now,
                    },
                ));
                ErrorCode::NONE
            };
            partitions.push(OffsetCommitResponsePartition {
                partition_index: p.partition_index,
                error_code: code.0,
                ..Default::default()
            });
        }
        topics.push(OffsetCommitResponseTopic {
            name: t.name.clone(),
            partitions,
            ..Default::default()
        });
    }
    if !to_store.is_empty() {
        if let Err(e) = ctx.storage.commit_offsets(&req.group_id, to_store).await {
            let code = error_code(&e).0;
            for t in &mut topics {
                for p in &mut t.partitions {
                    if p.error_code == 0 {
                        p.error_code = code;
                    }
                }
            }
        }
    }
    OffsetCommitResponse {
        topics,
        ..Default::default()
    }
}
