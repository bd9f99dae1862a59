//! DeleteRecords (21): advance a partition's log start offset (-1: to the high watermark).

use kafka_wire::messages::delete_records::{
    DeleteRecordsPartitionResult, DeleteRecordsRequest, DeleteRecordsResponse,
    DeleteRecordsTopicResult,
};

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use kafka_wire::ErrorCode;

use crate::server::Ctx;

/// Answer a DeleteRecords request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DeleteRecordsRequest,
) -> DeleteRecordsResponse {
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let allowed = access.topic(Operation::Delete, &t.name);
        let mut partitions = Vec::with_capacity(t.partitions.len());
        for p in &t.partitions {
            if !allowed {
                partitions.push(DeleteRecordsPartitionResult {
                    partition_index: p.partition_index,
                    low_watermark: -1,
                    error_code: ErrorCode::TOPIC_AUTHORIZATION_FAILED.0,
                    ..Default::default()
                });
                continue;
            }
            partitions.push(
                match ctx
                    .storage
                    .delete_records(&tp(&t.name, p.partition_index), p.offset)
                    .await
                {
                    Ok(low) => DeleteRecordsPartitionResult {
                        partition_index: p.partition_index,
                        low_watermark: low,
                        ..Default::default()
                    },
                    Err(e) => DeleteRecordsPartitionResult {
                        partition_index: p.partition_index,
                        low_watermark: -1,
                        error_code: error_code(&e).0,
                        ..Default::default()
                    },
                },
            );
        }
        topics.push(DeleteRecordsTopicResult {
            name: t.name.clone(),
            partitions,
            ..Default::default()
        });
    }
    DeleteRecordsResponse {
        topics,
        ..Default::default()
    }
}
