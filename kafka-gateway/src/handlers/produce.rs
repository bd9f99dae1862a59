//! Produce (0): validate each partition's record data (format, CRC, counts, size) without
//! decoding records, up-convert legacy message sets, append through storage (idempotent
//! duplicates answered with their original offsets), and answer per partition. acks=0 gets no
//! response at all.

use bytes::Bytes;
use kafka_wire::messages::produce::{
    PartitionProduceResponse, ProduceRequest, ProduceResponse, TopicProduceResponse,
};
use kafka_wire::records::{self, Batch};
use kafka_wire::ErrorCode;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::file::now_ms;
use crate::storage::{BatchIn, TopicConfig};

/// Validate record data into batches to append, or the error code to answer with.
pub fn validate(data: &Bytes, config: &TopicConfig) -> Result<Vec<BatchIn>, ErrorCode> {
    let data = match records::magic(data) {
        Some(2) => data.clone(),
        Some(0 | 1) => records::up_convert(data, records::DEFAULT_MAX_DECOMPRESSED)
            .map_err(|_| ErrorCode::CORRUPT_MESSAGE)?,
        _ => return Err(ErrorCode::CORRUPT_MESSAGE),
    };
    let mut out = Vec::new();
    for b in records::batches(&data) {
        let b: Batch = b.map_err(|_| ErrorCode::CORRUPT_MESSAGE)?;
        b.verify_crc().map_err(|_| ErrorCode::CORRUPT_MESSAGE)?;
        let h = &b.header;
        if h.records_count < 1 || h.last_offset_delta != h.records_count - 1 {
            return Err(ErrorCode::INVALID_RECORD);
        }
        if h.attributes.compression().is_none() {
            return Err(ErrorCode::UNSUPPORTED_COMPRESSION_TYPE);
        }
        if h.attributes.control() {
            return Err(ErrorCode::INVALID_RECORD);
        }
        if h.attributes.transactional() {
            // No transaction coordinator: the transactional APIs are not advertised.
            return Err(ErrorCode::INVALID_TXN_STATE);
        }
        if b.raw.len() > config.max_message_bytes() {
            return Err(ErrorCode::MESSAGE_TOO_LARGE);
        }
        out.push(BatchIn {
            last_offset_delta: h.last_offset_delta,
            max_timestamp: h.max_timestamp,
            producer_id: h.producer_id,
            producer_epoch: h.producer_epoch,
            base_sequence: h.base_sequence,
            bytes: b.raw,
        });
    }
    if out.is_empty() {
        return Err(ErrorCode::CORRUPT_MESSAGE);
    }
    Ok(out)
}

async fn produce_partition(
    ctx: &Ctx,
    topic: &str,
    partition: i32,
    data: Option<&Bytes>,
) -> PartitionProduceResponse {
    let fail = |code: ErrorCode| PartitionProduceResponse {
        index: partition,
        error_code: code.0,
        base_offset: -1,
        ..Default::default()
    };
    let Some(meta) = ctx.storage.topic(topic).await else {
        return fail(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    };
    if partition < 0 || partition >= meta.partitions {
        return fail(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    }
    let Some(data) = data else {
        return fail(ErrorCode::CORRUPT_MESSAGE);
    };
    let batches = match validate(data, &meta.config) {
        Ok(b) => b,
        Err(code) => {
            tracing::warn!(topic, partition, error = ?code, "produce rejected");
            return fail(code);
        }
    };
    let records: u64 = batches
        .iter()
        .map(|b| u64::try_from(b.last_offset_delta).unwrap_or(0) + 1)
        .sum();
    let started = std::time::Instant::now();
    let appended = ctx.storage.append(&tp(topic, partition), batches).await;
    ctx.metrics.appended(started.elapsed());
    if appended.is_ok() {
        ctx.metrics.produced(topic, records);
    }
    match appended {
        Ok(a) => PartitionProduceResponse {
            index: partition,
            base_offset: a.base_offset,
            log_append_time_ms: if meta.config.log_append_time() {
                now_ms()
            } else {
                -1
            },
            log_start_offset: a.log_start,
            ..Default::default()
        },
        Err(e) => {
            tracing::warn!(topic, partition, error = %e, "append failed");
            fail(error_code(&e))
        }
    }
}

/// Answer a Produce request (`None` for acks=0).
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: ProduceRequest,
    _v: i16,
) -> Option<ProduceResponse> {
    let bad_acks = !(-1..=1).contains(&req.acks);
    let mut responses = Vec::with_capacity(req.topic_data.len());
    for t in &req.topic_data {
        let refused = if bad_acks {
            Some(ErrorCode::INVALID_REQUIRED_ACKS)
        } else if !access.topic(Operation::Write, &t.name) {
            Some(ErrorCode::TOPIC_AUTHORIZATION_FAILED)
        } else {
            None
        };
        let mut partition_responses = Vec::with_capacity(t.partition_data.len());
        for p in &t.partition_data {
            partition_responses.push(match refused {
                Some(code) => PartitionProduceResponse {
                    index: p.index,
                    error_code: code.0,
                    base_offset: -1,
                    ..Default::default()
                },
                None => {
                    produce_partition(ctx, &t.name, p.index, p.records.as_ref().map(|r| &r.0)).await
                }
            });
        }
        responses.push(TopicProduceResponse {
            name: t.name.clone(),
            partition_responses,
            ..Default::default()
        });
    }
    (req.acks != 0).then(|| ProduceResponse {
        responses,
        ..Default::default()
    })
}
