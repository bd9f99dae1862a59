//! DescribeLogDirs (35): the one data directory, the size of each partition's log in it, and
//! (v4+) the file system's total and usable bytes.

use kafka_wire::messages::describe_log_dirs::{
    DescribeLogDirsPartition, DescribeLogDirsRequest, DescribeLogDirsResponse,
    DescribeLogDirsResult, DescribeLogDirsTopic,
};
use kafka_wire::ErrorCode;

use super::tp;
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DescribeLogDirs request (`topics` null: every partition).
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeLogDirsRequest,
) -> DescribeLogDirsResponse {
    if !access.cluster(Operation::Describe) {
        return DescribeLogDirsResponse {
            error_code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0,
            ..Default::default()
        };
    }
    let all = ctx.storage.topics().await;
    let wanted: Vec<(String, Vec<i32>)> = match req.topics {
        None => all
            .iter()
            .map(|t| (t.name.clone(), (0..t.partitions).collect()))
            .collect(),
        // Unknown topics and partitions are left out, as Kafka does.
        Some(asked) => asked
            .into_iter()
            .filter_map(|a| {
                let t = all.iter().find(|t| t.name == a.topic)?;
                let parts: Vec<i32> = a
                    .partitions
                    .into_iter()
                    .filter(|p| (0..t.partitions).contains(p))
                    .collect();
                (!parts.is_empty()).then_some((a.topic, parts))
            })
            .collect(),
    };
    let mut topics = Vec::with_capacity(wanted.len());
    for (name, parts) in wanted {
        let mut partitions = Vec::with_capacity(parts.len());
        for p in parts {
            let size = ctx.storage.log_size(&tp(&name, p)).await.unwrap_or(0);
            partitions.push(DescribeLogDirsPartition {
                partition_index: p,
                partition_size: i64::try_from(size).unwrap_or(i64::MAX),
                ..Default::default()
            });
        }
        topics.push(DescribeLogDirsTopic {
            name,
            partitions,
            ..Default::default()
        });
    }
    let dir = std::path::absolute(&ctx.config.data_dir).unwrap_or(ctx.config.data_dir.clone());
    // The file system the directory is (or, for the memory store, would be) on.
    let on = dir.ancestors().find(|d| d.exists()).unwrap_or(&dir);
    let space = |f: fn(&std::path::Path) -> std::io::Result<u64>| {
        f(on).map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
    };
    DescribeLogDirsResponse {
        results: vec![DescribeLogDirsResult {
            log_dir: dir.display().to_string(),
            topics,
            total_bytes: space(|d| fs4::total_space(d)),
            usable_bytes: space(|d| fs4::available_space(d)),
            ..Default::default()
        }],
        ..Default::default()
    }
}
