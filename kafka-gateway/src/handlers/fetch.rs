//! Fetch (1): whole batches from the one holding each fetch offset, within partition_max_bytes
//! and max_bytes (but always at least one batch, so a large batch never stalls a consumer);
//! long-polls up to max_wait_ms until min_bytes are available, woken by appends (no sleeping
//! loop). Sessionless: session id 0 is always answered, which clients treat as "no session".

use std::time::{Duration, Instant};

use futures::future::select_all;
use kafka_wire::messages::fetch::{
    FetchRequest, FetchResponse, FetchableTopicResponse, PartitionData,
};
use kafka_wire::primitives::Records;
use kafka_wire::ErrorCode;
use tokio::sync::watch;

use super::{error_code, tp};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::TopicPartition;

struct Want {
    topic_index: usize,
    tp: TopicPartition,
    offset: i64,
    max_bytes: usize,
}

/// Answer a Fetch request.
pub async fn handle(ctx: &Ctx, access: &Access<'_>, req: FetchRequest, v: i16) -> FetchResponse {
    let deadline = Instant::now() + Duration::from_millis(req.max_wait_ms.max(0) as u64);
    // Only topic-id fetches (v13+) need the topic list; don't clone it on every older fetch.
    let known = if v >= 13 {
        ctx.storage.topics().await
    } else {
        Vec::new()
    };
    let mut topics: Vec<FetchableTopicResponse> = Vec::new();
    let mut wants = Vec::new();
    let mut errors: Vec<(usize, PartitionData)> = Vec::new();
    for t in &req.topics {
        let name = if v >= 13 {
            known
                .iter()
                .find(|k| k.id == t.topic_id)
                .map(|k| k.name.clone())
        } else {
            Some(t.topic.clone())
        };
        let readable = name
            .as_deref()
            .is_none_or(|n| access.topic(Operation::Read, n));
        let topic_index = topics.len();
        topics.push(FetchableTopicResponse {
            topic: t.topic.clone(),
            topic_id: t.topic_id,
            partitions: Vec::new(),
            ..Default::default()
        });
        for p in &t.partitions {
            match &name {
                Some(_) if !readable => errors.push((
                    topic_index,
                    failed(p.partition, ErrorCode::TOPIC_AUTHORIZATION_FAILED),
                )),
                Some(name) => wants.push(Want {
                    topic_index,
                    tp: tp(name, p.partition),
                    offset: p.fetch_offset,
                    max_bytes: p.partition_max_bytes.max(0) as usize,
                }),
                None => errors.push((
                    topic_index,
                    failed(p.partition, ErrorCode::UNKNOWN_TOPIC_ID),
                )),
            }
        }
    }
    let max_bytes = if v >= 3 {
        req.max_bytes.max(0) as usize
    } else {
        usize::MAX
    };
    loop {
        // Subscribe before reading, so an append between the read and the wait still wakes us.
        let mut rxs = subscribe(ctx, &wants).await;
        let (parts, total, any_error) = read_all(ctx, &wants, max_bytes).await;
        let now = Instant::now();
        if total >= req.min_bytes.max(0) as usize
            || any_error
            || now >= deadline
            || wants.is_empty()
        {
            count_records(ctx, &wants, &parts);
            for (i, p) in errors.into_iter().chain(parts) {
                if let Some(t) = topics.get_mut(i) {
                    t.partitions.push(p);
                }
            }
            return FetchResponse {
                responses: topics,
                ..Default::default()
            };
        }
        wait_for_append(&mut rxs, deadline - now).await;
    }
}

/// Count the records going out, per topic, for the metrics (`parts` follow `wants`).
fn count_records(ctx: &Ctx, wants: &[Want], parts: &[(usize, PartitionData)]) {
    for (w, (_, p)) in wants.iter().zip(parts) {
        let Some(records) = &p.records else { continue };
        let n: u64 = kafka_wire::records::batches(&records.0)
            .map_while(Result::ok)
            .map(|b| u64::try_from(b.header.records_count).unwrap_or(0))
            .sum();
        if n > 0 {
            ctx.metrics.fetched(&w.tp.topic, n);
        }
    }
}

fn failed(partition: i32, code: ErrorCode) -> PartitionData {
    PartitionData {
        partition_index: partition,
        error_code: code.0,
        high_watermark: -1,
        last_stable_offset: -1,
        log_start_offset: -1,
        records: Some(Records::default()),
        aborted_transactions: Some(Vec::new()),
        ..Default::default()
    }
}

async fn read_all(
    ctx: &Ctx,
    wants: &[Want],
    max_bytes: usize,
) -> (Vec<(usize, PartitionData)>, usize, bool) {
    let mut out = Vec::with_capacity(wants.len());
    let mut total = 0usize;
    let mut any_error = false;
    for w in wants {
        // After the first data, stay within max_bytes; the first batch always goes out.
        let budget = if total == 0 {
            w.max_bytes
        } else {
            w.max_bytes.min(max_bytes.saturating_sub(total))
        };
        let part = if budget == 0 && total > 0 {
            match ctx.storage.offsets(&w.tp).await {
                Ok(o) => PartitionData {
                    partition_index: w.tp.partition,
                    high_watermark: o.high_watermark,
                    last_stable_offset: o.high_watermark,
                    log_start_offset: o.log_start,
                    records: Some(Records::default()),
                    aborted_transactions: Some(Vec::new()),
                    ..Default::default()
                },
                Err(e) => failed(w.tp.partition, error_code(&e)),
            }
        } else {
            match ctx.storage.read(&w.tp, w.offset, budget).await {
                Ok(r) => {
                    total += r.len();
                    PartitionData {
                        partition_index: w.tp.partition,
                        high_watermark: r.high_watermark,
                        last_stable_offset: r.high_watermark,
                        log_start_offset: r.log_start,
                        aborted_transactions: Some(Vec::new()),
                        records: Some(Records(r.records)),
                        ..Default::default()
                    }
                }
                Err(e) => {
                    any_error = true;
                    failed(w.tp.partition, error_code(&e))
                }
            }
        };
        out.push((w.topic_index, part));
    }
    (out, total, any_error)
}

async fn subscribe(ctx: &Ctx, wants: &[Want]) -> Vec<watch::Receiver<i64>> {
    let mut rxs = Vec::with_capacity(wants.len());
    for w in wants {
        if let Some(mut rx) = ctx.storage.watch(&w.tp).await {
            rx.mark_unchanged();
            rxs.push(rx);
        }
    }
    rxs
}

async fn wait_for_append(rxs: &mut [watch::Receiver<i64>], timeout: Duration) {
    if rxs.is_empty() {
        tokio::time::sleep(timeout).await;
        return;
    }
    let changed = select_all(rxs.iter_mut().map(|rx| Box::pin(rx.changed())));
    let _ = tokio::time::timeout(timeout, changed).await;
}
