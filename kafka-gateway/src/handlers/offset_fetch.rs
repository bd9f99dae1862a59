//! OffsetFetch (9): committed offsets of one group (v1-7) or of several (v8+); every partition
//! of every topic the group committed when no topics are named. Without transactions every
//! committed offset is stable, so require_stable needs no waiting.

use kafka_wire::messages::offset_fetch::{
    OffsetFetchRequest, OffsetFetchResponse, OffsetFetchResponseGroup,
    OffsetFetchResponsePartition, OffsetFetchResponsePartitions, OffsetFetchResponseTopic,
    OffsetFetchResponseTopics,
};

use crate::server::Ctx;
use crate::storage::offsets::Committed;

type Found = Vec<(String, Vec<(i32, Option<Committed>)>)>;

async fn lookup(ctx: &Ctx, group: &str, topics: Option<Vec<(String, Vec<i32>)>>) -> Found {
    let committed = ctx.storage.committed_offsets(group).await;
    match topics {
        Some(topics) => topics
            .into_iter()
            .map(|(name, parts)| {
                let found = parts
                    .into_iter()
                    .map(|p| {
                        (
                            p,
                            committed
                                .iter()
                                .find(|(tp, _)| tp.topic == name && tp.partition == p)
                                .map(|(_, c)| c.clone()),
                        )
                    })
                    .collect();
                (name, found)
            })
            .collect(),
        None => {
            let mut out: Found = Vec::new();
            for (tp, c) in committed {
                match out.iter_mut().find(|(n, _)| *n == tp.topic) {
                    Some((_, parts)) => parts.push((tp.partition, Some(c))),
                    None => out.push((tp.topic, vec![(tp.partition, Some(c))])),
                }
            }
            out
        }
    }
}

/// The response topics for `found`, in either version family's types (v1-7 and v8+ carry the
/// same fields under different names).
macro_rules! response_topics {
    ($found:expr, $topic:ident, $partition:ident) => {
        $found
            .into_iter()
            .map(|(name, parts)| $topic {
                name,
                partitions: parts
                    .into_iter()
                    .map(|(partition_index, c)| {
                        let (committed_offset, committed_leader_epoch, metadata) = match c {
                            Some(c) => (
                                c.offset,
                                c.leader_epoch,
                                Some(c.metadata.unwrap_or_default()),
                            ),
                            None => (-1, -1, Some(String::new())),
                        };
                        $partition {
                            partition_index,
                            committed_offset,
                            committed_leader_epoch,
                            metadata,
                            ..Default::default()
                        }
                    })
                    .collect(),
                ..Default::default()
            })
            .collect()
    };
}

/// Answer an OffsetFetch request.
pub async fn handle(ctx: &Ctx, req: OffsetFetchRequest, v: i16) -> OffsetFetchResponse {
    if v >= 8 {
        let mut groups = Vec::with_capacity(req.groups.len());
        for g in req.groups {
            let topics: Option<Vec<(String, Vec<i32>)>> = g.topics.map(|ts| {
                ts.into_iter()
                    .map(|t| (t.name, t.partition_indexes))
                    .collect()
            });
            let found = lookup(ctx, &g.group_id, topics).await;
            let topics = response_topics!(
                found,
                OffsetFetchResponseTopics,
                OffsetFetchResponsePartitions
            );
            groups.push(OffsetFetchResponseGroup {
                group_id: g.group_id,
                topics,
                ..Default::default()
            });
        }
        return OffsetFetchResponse {
            groups,
            ..Default::default()
        };
    }
    let topics: Option<Vec<(String, Vec<i32>)>> = req.topics.map(|ts| {
        ts.into_iter()
            .map(|t| (t.name, t.partition_indexes))
            .collect()
    });
    let found = lookup(ctx, &req.group_id, topics).await;
    OffsetFetchResponse {
        topics: response_topics!(
            found,
            OffsetFetchResponseTopic,
            OffsetFetchResponsePartition
        ),
        ..Default::default()
    }
}
