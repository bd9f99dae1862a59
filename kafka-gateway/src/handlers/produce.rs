//! Produce (0): validate each partition's record data (format, CRC, counts, size) without
//! decoding records, up-convert legacy message sets, append through storage (idempotent
//! duplicates answered with their original offsets), and answer per partition. acks=0 gets no
//! response at all.

use bytes::Bytes;
use kafka_wire::messages::produce::{
    BatchIndexAndErrorMessage, PartitionProduceResponse, ProduceRequest, ProduceResponse,
    TopicProduceResponse,
};
use kafka_wire::records::{self, Batch};
use kafka_wire::ErrorCode;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::file::now_ms;
use crate::storage::{BatchIn, TopicConfig};

/// Why a partition's records were refused: the error, and for errors about single records
/// (Produce v8+, KIP-467) a message and each offending record's index in its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The partition's error code.
    pub code: ErrorCode,
    /// The partition's error message.
    pub message: Option<String>,
    /// (index in the batch, why) of each refused record.
    pub record_errors: Vec<(i32, String)>,
}

impl From<ErrorCode> for Rejected {
    fn from(code: ErrorCode) -> Self {
        Rejected {
            code,
            message: None,
            record_errors: Vec::new(),
        }
    }
}

/// Kafka's bounds on CreateTime timestamps (`message.timestamp.before.max.ms` and
/// `after.max.ms`, KIP-937): every record outside them is listed, and the batch refused with
/// INVALID_TIMESTAMP.
fn check_timestamps(b: &Batch, config: &TopicConfig, now: i64) -> Result<(), Rejected> {
    if config.log_append_time() {
        return Ok(());
    }
    let bound = |key: &str| {
        config
            .get(key)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(i64::MAX)
    };
    let (lo, hi) = (
        now.saturating_sub(bound("message.timestamp.before.max.ms")),
        now.saturating_add(bound("message.timestamp.after.max.ms")),
    );
    let h = &b.header;
    // A batch's records lie between its first timestamp (clients never write negative deltas)
    // and its max: only a batch crossing a bound is decoded to find which records do.
    if h.base_timestamp >= lo && h.max_timestamp <= hi {
        return Ok(());
    }
    let records = b
        .records(records::DEFAULT_MAX_DECOMPRESSED)
        .map_err(|_| Rejected::from(ErrorCode::CORRUPT_MESSAGE))?;
    let record_errors: Vec<(i32, String)> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let ts = h.base_timestamp.saturating_add(r.timestamp_delta);
            let offset = h.base_offset + i64::from(r.offset_delta);
            (ts < lo || ts > hi).then(|| {
                (
                    i32::try_from(i).unwrap_or(i32::MAX),
                    format!(
                        "Timestamp {ts} of message with offset {offset} is out of range. The timestamp should be within [{lo}, {hi}]"
                    ),
                )
            })
        })
        .collect();
    if record_errors.is_empty() {
        return Ok(());
    }
    Err(Rejected {
        code: ErrorCode::INVALID_TIMESTAMP,
        message: Some("One or more records have been rejected due to invalid timestamp".into()),
        record_errors,
    })
}

/// Validate record data into batches to append, or why they are refused. From Produce v3
/// (`one_batch`) Kafka takes exactly one batch per partition and refuses more as INVALID_RECORD.
pub fn validate(
    data: &Bytes,
    config: &TopicConfig,
    one_batch: bool,
) -> Result<Vec<BatchIn>, Rejected> {
    let data = match records::magic(data) {
        Some(2) => data.clone(),
        Some(0 | 1) => records::up_convert(data, records::DEFAULT_MAX_DECOMPRESSED)
            .map_err(|_| Rejected::from(ErrorCode::CORRUPT_MESSAGE))?,
        _ => return Err(ErrorCode::CORRUPT_MESSAGE.into()),
    };
    let mut out = Vec::new();
    for b in records::batches(&data) {
        let b: Batch = b.map_err(|_| Rejected::from(ErrorCode::CORRUPT_MESSAGE))?;
        b.verify_crc()
            .map_err(|_| Rejected::from(ErrorCode::CORRUPT_MESSAGE))?;
        let h = &b.header;
        if h.records_count < 1 || h.last_offset_delta != h.records_count - 1 {
            return Err(ErrorCode::INVALID_RECORD.into());
        }
        if h.attributes.compression().is_none() {
            return Err(ErrorCode::UNSUPPORTED_COMPRESSION_TYPE.into());
        }
        if h.attributes.control() {
            return Err(ErrorCode::INVALID_RECORD.into());
        }
        if h.attributes.transactional() {
            // No transaction coordinator: the transactional APIs are not advertised.
            return Err(ErrorCode::INVALID_TXN_STATE.into());
        }
        if b.raw.len() > config.max_message_bytes() {
            return Err(ErrorCode::MESSAGE_TOO_LARGE.into());
        }
        check_timestamps(&b, config, now_ms())?;
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
        return Err(ErrorCode::CORRUPT_MESSAGE.into());
    }
    if one_batch && out.len() > 1 {
        return Err(ErrorCode::INVALID_RECORD.into());
    }
    Ok(out)
}

async fn produce_partition(
    ctx: &Ctx,
    topic: &str,
    partition: i32,
    data: Option<&Bytes>,
    v: i16,
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
    let batches = match validate(data, &meta.config, v >= 3) {
        Ok(b) => b,
        Err(r) => {
            tracing::warn!(topic, partition, error = ?r.code, "produce rejected");
            return PartitionProduceResponse {
                error_message: r.message,
                record_errors: r
                    .record_errors
                    .into_iter()
                    .map(|(batch_index, why)| BatchIndexAndErrorMessage {
                        batch_index,
                        batch_index_error_message: Some(why),
                        ..Default::default()
                    })
                    .collect(),
                ..fail(r.code)
            };
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
    v: i16,
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
                    produce_partition(ctx, &t.name, p.index, p.records.as_ref().map(|r| &r.0), v)
                        .await
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
