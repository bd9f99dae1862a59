//! Metadata (3): this node as the only broker, controller and leader of every partition;
//! topics by name (or id, v10+), all of them when asked, auto-created when allowed.

use kafka_wire::messages::metadata::{
    MetadataRequest, MetadataResponse, MetadataResponseBroker, MetadataResponsePartition,
    MetadataResponseTopic,
};
use kafka_wire::primitives::Uuid;
use kafka_wire::ErrorCode;

use super::{error_code, topic_config, valid_topic_name};
use crate::server::Ctx;
use crate::storage::{StorageError, TopicMeta};

/// The topic entry for a known topic.
pub fn topic_entry(ctx: &Ctx, t: &TopicMeta) -> MetadataResponseTopic {
    let node = ctx.config.node_id;
    MetadataResponseTopic {
        name: Some(t.name.clone()),
        topic_id: t.id,
        partitions: (0..t.partitions)
            .map(|p| MetadataResponsePartition {
                partition_index: p,
                leader_id: node,
                leader_epoch: 0,
                replica_nodes: vec![node],
                isr_nodes: vec![node],
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn error_entry(name: Option<String>, id: Uuid, code: ErrorCode) -> MetadataResponseTopic {
    MetadataResponseTopic {
        error_code: code.0,
        name,
        topic_id: id,
        ..Default::default()
    }
}

/// Look a topic up, creating it when `create` and the gateway allow.
pub async fn find_or_create(ctx: &Ctx, name: &str, create: bool) -> Result<TopicMeta, ErrorCode> {
    if !valid_topic_name(name) {
        return Err(ErrorCode::INVALID_TOPIC_EXCEPTION);
    }
    if let Some(t) = ctx.storage.topic(name).await {
        return Ok(t);
    }
    if !(create && ctx.config.auto_create_topics) {
        return Err(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION);
    }
    let config = topic_config(&ctx.config.topic_defaults, []).map_err(|e| error_code(&e))?;
    match ctx
        .storage
        .create_topic(name, ctx.config.default_partitions, config)
        .await
    {
        Ok(t) => {
            tracing::info!(
                topic = name,
                partitions = t.partitions,
                "auto-created topic"
            );
            Ok(t)
        }
        Err(StorageError::TopicExists(_)) => ctx
            .storage
            .topic(name)
            .await
            .ok_or(ErrorCode::UNKNOWN_TOPIC_OR_PARTITION),
        Err(e) => Err(error_code(&e)),
    }
}

/// Answer a Metadata request.
pub async fn handle(
    ctx: &Ctx,
    req: MetadataRequest,
    v: i16,
    advertised: &(String, u16),
) -> MetadataResponse {
    let (host, port) = advertised.clone();
    let create = v < 4 || req.allow_auto_topic_creation;
    let all = match &req.topics {
        None => true,
        Some(t) => t.is_empty() && v == 0,
    };
    let topics = if all {
        ctx.storage
            .topics()
            .await
            .iter()
            .map(|t| topic_entry(ctx, t))
            .collect()
    } else {
        let mut out = Vec::new();
        let known = ctx.storage.topics().await;
        for t in req.topics.iter().flatten() {
            let entry = match (&t.name, t.topic_id) {
                (Some(name), _) => match find_or_create(ctx, name, create).await {
                    Ok(meta) => topic_entry(ctx, &meta),
                    Err(code) => error_entry(Some(name.clone()), Uuid::ZERO, code),
                },
                (None, id) => match known.iter().find(|k| k.id == id) {
                    Some(meta) => topic_entry(ctx, meta),
                    None => error_entry(None, id, ErrorCode::UNKNOWN_TOPIC_ID),
                },
            };
            out.push(entry);
        }
        out
    };
    MetadataResponse {
        brokers: vec![MetadataResponseBroker {
            node_id: ctx.config.node_id,
            host,
            port: i32::from(port),
            rack: None,
            ..Default::default()
        }],
        cluster_id: Some(ctx.storage.cluster_id()),
        controller_id: ctx.config.node_id,
        topics,
        ..Default::default()
    }
}
