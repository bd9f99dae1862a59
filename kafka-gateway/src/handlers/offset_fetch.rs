//! OffsetFetch (9): committed offsets of one group (v1-7) or of several (v8+); every partition
//! of every topic the group committed when no topics are named. Without transactions every
//! committed offset is stable, so require_stable needs no waiting.

use kafka_wire::messages::offset_fetch::{
    OffsetFetchRequest, OffsetFetchResponse, OffsetFetchResponseGroup,
    OffsetFetchResponsePartition, OffsetFetchResponsePartitions, OffsetFetchResponseTopic,
    OffsetFetchResponseTopics,
};

use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::offsets::Committed;

type Found = Vec<(String, Vec<(i32, Option<Committed>)>)>;
/// Found offsets with each topic's error code.
type Visible = Vec<(String, Vec<(i32, Option<Committed>)>, ErrorCode)>;

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
            .map(|(name, parts, code): (String, _, ErrorCode)| $topic {
                name,
                partitions: parts
                    .into_iter()
                    .map(|(partition_index, c)| {
                        let (committed_offset, committed_leader_epoch, metadata) = match c {
                            Some(c) if code.is_ok() => (
                                c.offset,
                                c.leader_epoch,
                                Some(c.metadata.unwrap_or_default()),
                            ),
                            _ => (-1, -1, Some(String::new())),
                        };
                        $partition {
                            partition_index,
                            error_code: code.0,
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

/// What the principal may see of `found`: topics named explicitly that it may not describe
/// answer TOPIC_AUTHORIZATION_FAILED; when all topics were asked for, they are left out.
fn authorized(access: &Access<'_>, found: Found, explicit: bool) -> Visible {
    found
        .into_iter()
        .filter_map(
            |(name, parts)| match (access.topic(Operation::Describe, &name), explicit) {
                (true, _) => Some((name, parts, ErrorCode::NONE)),
                (false, true) => Some((name, parts, ErrorCode::TOPIC_AUTHORIZATION_FAILED)),
                (false, false) => None,
            },
        )
        .collect()
}

/// The offsets of one group the principal may see, or the group's error.
async fn group_offsets(
    ctx: &Ctx,
    access: &Access<'_>,
    group: &str,
    topics: Option<Vec<(String, Vec<i32>)>>,
) -> (Visible, ErrorCode) {
    if !access.group(Operation::Describe, group) {
        return (Vec::new(), ErrorCode::GROUP_AUTHORIZATION_FAILED);
    }
    let explicit = topics.is_some();
    let found = lookup(ctx, group, topics).await;
    (authorized(access, found, explicit), ErrorCode::NONE)
}

/// Answer an OffsetFetch request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: OffsetFetchRequest,
    v: i16,
) -> OffsetFetchResponse {
    if v >= 8 {
        let mut groups = Vec::with_capacity(req.groups.len());
        for g in req.groups {
            let topics: Option<Vec<(String, Vec<i32>)>> = g.topics.map(|ts| {
                ts.into_iter()
                    .map(|t| (t.name, t.partition_indexes))
                    .collect()
            });
            let (found, code) = group_offsets(ctx, access, &g.group_id, topics).await;
            let topics = response_topics!(
                found,
                OffsetFetchResponseTopics,
                OffsetFetchResponsePartitions
            );
            groups.push(OffsetFetchResponseGroup {
                group_id: g.group_id,
                error_code: code.0,
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
    let (found, code) = group_offsets(ctx, access, &req.group_id, topics).await;
    OffsetFetchResponse {
        error_code: code.0,
        topics: response_topics!(
            found,
            OffsetFetchResponseTopic,
            OffsetFetchResponsePartition
        ),
        ..Default::default()
    }
}
