//! ListOffsets (2): earliest (-2), latest (-1), max timestamp (-3), or the first record at or
//! after a timestamp (found through the time index, then inside the batch).

use kafka_wire::messages::list_offsets::{
    ListOffsetsPartitionResponse, ListOffsetsRequest, ListOffsetsResponse, ListOffsetsTopicResponse,
};
use kafka_wire::records::{Batch, DEFAULT_MAX_DECOMPRESSED};

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::{StorageError, TopicPartition};
use kafka_wire::ErrorCode;

const EARLIEST: i64 = -2;
const LATEST: i64 = -1;
const MAX_TIMESTAMP: i64 = -3;

/// (offset, timestamp) of the record a timestamp query finds in `batch`.
fn in_batch(
    batch: &bytes::Bytes,
    pick: impl Fn(&[(i64, i64)]) -> Option<(i64, i64)>,
) -> Result<Option<(i64, i64)>, StorageError> {
    let (b, _) = Batch::parse(batch).map_err(|e| StorageError::Invalid(e.to_string()))?;
    let recs = b
        .records(DEFAULT_MAX_DECOMPRESSED)
        .map_err(|e| StorageError::Invalid(e.to_string()))?;
    let h = b.header;
    let pairs: Vec<(i64, i64)> = recs
        .iter()
        .map(|r| {
            let ts = if h.attributes.log_append_time() {
                h.max_timestamp
            } else {
                h.base_timestamp + r.timestamp_delta
            };
            (h.base_offset + i64::from(r.offset_delta), ts)
        })
        .collect();
    Ok(pick(&pairs))
}

async fn lookup(ctx: &Ctx, tp: &TopicPartition, ts: i64) -> Result<(i64, i64), StorageError> {
    let o = ctx.storage.offsets(tp).await?;
    match ts {
        EARLIEST => Ok((o.log_start, -1)),
        LATEST => Ok((o.high_watermark, -1)),
        MAX_TIMESTAMP => {
            let Some(batch) = ctx.storage.batch_with_max_timestamp(tp).await? else {
                return Ok((-1, -1));
            };
            let found = in_batch(&batch, |p| {
                let max = p.iter().map(|x| x.1).max()?;
                p.iter().find(|x| x.1 == max).copied()
            })?;
            Ok(found.unwrap_or((-1, -1)))
        }
        ts => {
            let Some(batch) = ctx.storage.batch_at_timestamp(tp, ts).await? else {
                return Ok((-1, -1));
            };
            let found = in_batch(&batch, |p| {
                p.iter().find(|x| x.1 >= ts && x.0 >= o.log_start).copied()
            })?;
            Ok(found.unwrap_or((-1, -1)))
        }
    }
}

/// Answer a ListOffsets request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: ListOffsetsRequest,
    v: i16,
) -> ListOffsetsResponse {
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let allowed = access.topic(Operation::Describe, &t.name);
        let mut partitions = Vec::with_capacity(t.partitions.len());
        for p in &t.partitions {
            let found = match allowed {
                // The max-timestamp lookup came with v7 (KIP-734); Kafka refuses it before.
                true if p.timestamp == MAX_TIMESTAMP && v < 7 => {
                    Err(ErrorCode::UNSUPPORTED_VERSION)
                }
                true => lookup(ctx, &tp(&t.name, p.partition_index), p.timestamp)
                    .await
                    .map_err(|e| error_code(&e)),
                false => Err(ErrorCode::TOPIC_AUTHORIZATION_FAILED),
            };
            let r = match found {
                Ok((offset, timestamp)) => ListOffsetsPartitionResponse {
                    partition_index: p.partition_index,
                    offset,
                    timestamp,
                    leader_epoch: 0,
                    ..Default::default()
                },
                Err(code) => ListOffsetsPartitionResponse {
                    partition_index: p.partition_index,
                    error_code: code.0,
                    offset: -1,
                    timestamp: -1,
                    ..Default::default()
                },
            };
            partitions.push(r);
        }
        topics.push(ListOffsetsTopicResponse {
            name: t.name.clone(),
            partitions,
            ..Default::default()
        });
    }
    ListOffsetsResponse {
        topics,
        ..Default::default()
    }
}
