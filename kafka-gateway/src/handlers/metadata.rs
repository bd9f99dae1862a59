//! Metadata (3): this node as the only broker, controller and leader of every partition;
//! topics by name (or id, v10+), all of them when asked, auto-created when allowed.

use kafka_wire::messages::metadata::{
    MetadataRequest, MetadataResponse, MetadataResponseBroker, MetadataResponsePartition,
    MetadataResponseTopic,
};
use kafka_wire::primitives::Uuid;
use kafka_wire::ErrorCode;

use super::{error_code, topic_config, valid_topic_name};
use crate::acl::model::CLUSTER_NAME;
use crate::acl::{Access, Operation, ResourceType};
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
    let config = topic_config([]).map_err(|e| error_code(&e))?;
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
    access: &Access<'_>,
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
    let describable = |name: &str| access.topic(Operation::Describe, name);
    let mut topics: Vec<MetadataResponseTopic> = if all {
        // Topics the principal may not describe are left out, as if they did not exist.
        ctx.storage
            .topics()
            .await
            .iter()
            .filter(|t| describable(&t.name))
            .map(|t| topic_entry(ctx, t))
            .collect()
    } else {
        let mut out = Vec::new();
        let known = ctx.storage.topics().await;
        for t in req.topics.iter().flatten() {
            let entry = match (&t.name, t.topic_id) {
                (Some(name), _) if !describable(name) => error_entry(
                    Some(name.clone()),
                    Uuid::ZERO,
                    ErrorCode::TOPIC_AUTHORIZATION_FAILED,
                ),
                (Some(name), _) => {
                    let exists = known.iter().any(|k| &k.name == name);
                    let may_create = || {
                        access.cluster(Operation::Create) || access.topic(Operation::Create, name)
                    };
                    if !exists && create && ctx.config.auto_create_topics && !may_create() {
                        error_entry(
                            Some(name.clone()),
                            Uuid::ZERO,
                            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
                        )
                    } else {
                        match find_or_create(ctx, name, create).await {
                            Ok(meta) => topic_entry(ctx, &meta),
                            Err(code) => error_entry(Some(name.clone()), Uuid::ZERO, code),
                        }
                    }
                }
                (None, id) => match known.iter().find(|k| k.id == id) {
                    Some(meta) if describable(&meta.name) => topic_entry(ctx, meta),
                    Some(_) => error_entry(None, id, ErrorCode::TOPIC_AUTHORIZATION_FAILED),
                    None => error_entry(None, id, ErrorCode::UNKNOWN_TOPIC_ID),
                },
            };
            out.push(entry);
        }
        out
    };
    if req.include_topic_authorized_operations {
        for t in topics.iter_mut().filter(|t| t.error_code == 0) {
            let name = t.name.as_deref().unwrap_or_default();
            t.topic_authorized_operations = access.authorized_operations(ResourceType::Topic, name);
        }
    }
    let cluster_authorized_operations = if req.include_cluster_authorized_operations {
        access.authorized_operations(ResourceType::Cluster, CLUSTER_NAME)
    } else {
        i32::MIN
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
        cluster_authorized_operations,
        ..Default::default()
    }
}
