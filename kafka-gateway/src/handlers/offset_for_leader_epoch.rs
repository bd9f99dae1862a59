//! OffsetForLeaderEpoch (23): a single node stays at leader epoch 0, so every epoch at or above
//! 0 ends at the high watermark; a newer epoch than ours is unknown.

use kafka_wire::messages::offset_for_leader_epoch::{
    EpochEndOffset, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse,
    OffsetForLeaderTopicResult,
};
use kafka_wire::ErrorCode;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer an OffsetForLeaderEpoch request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: OffsetForLeaderEpochRequest,
) -> OffsetForLeaderEpochResponse {
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let describable = access.topic(Operation::Describe, &t.topic);
        let mut partitions = Vec::with_capacity(t.partitions.len());
        for p in &t.partitions {
            let fail = |code: ErrorCode| EpochEndOffset {
                error_code: code.0,
                partition: p.partition,
                leader_epoch: -1,
                end_offset: -1,
                ..Default::default()
            };
            partitions.push(if !describable {
                fail(ErrorCode::TOPIC_AUTHORIZATION_FAILED)
            } else if p.current_leader_epoch > 0 {
                fail(ErrorCode::UNKNOWN_LEADER_EPOCH)
            } else {
                match ctx.storage.offsets(&tp(&t.topic, p.partition)).await {
                    Ok(o) if p.leader_epoch >= 0 => EpochEndOffset {
                        partition: p.partition,
                        leader_epoch: 0,
                        end_offset: o.high_watermark,
                        ..Default::default()
                    },
                    Ok(_) => fail(ErrorCode::NONE),
                    Err(e) => fail(error_code(&e)),
                }
            });
        }
        topics.push(OffsetForLeaderTopicResult {
            topic: t.topic.clone(),
            partitions,
            ..Default::default()
        });
    }
    OffsetForLeaderEpochResponse {
        topics,
        ..Default::default()
    }
}
