//! CreateTopics (19): name and config validation, -1 defaults, replication factor 1 (or -1),
//! manual assignments onto this node, validate_only.

use kafka_wire::messages::create_topics::{
    CreatableTopic, CreatableTopicConfigs, CreatableTopicResult, CreateTopicsRequest,
    CreateTopicsResponse,
};
use kafka_wire::primitives::Uuid;
use kafka_wire::ErrorCode;

use super::{error_code, topic_config, valid_topic_name};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::config::{Layer, Source};
use crate::storage::{TopicConfig, TopicMeta};

/// DescribeConfigs/CreateTopics config source: set on the topic.
pub const SOURCE_TOPIC: i8 = 1;
/// Config source: set dynamically for this broker.
pub const SOURCE_DYNAMIC_BROKER: i8 = 2;
/// Config source: set dynamically as the cluster default.
pub const SOURCE_DYNAMIC_DEFAULT: i8 = 3;
/// Config source: the broker's static settings.
pub const SOURCE_STATIC_BROKER: i8 = 4;
/// Config source: a default.
pub const SOURCE_DEFAULT: i8 = 5;

/// The wire code of a broker-level layer.
pub fn layer_code(layer: Layer) -> i8 {
    match layer {
        Layer::DynamicBroker => SOURCE_DYNAMIC_BROKER,
        Layer::DynamicDefault => SOURCE_DYNAMIC_DEFAULT,
        Layer::StaticBroker => SOURCE_STATIC_BROKER,
    }
}

/// The configs reported for a topic: every Kafka topic config with its value and source.
pub fn config_entries(config: &TopicConfig) -> Vec<(String, String, i8)> {
    use crate::storage::config::catalog::{INTERNAL_CONFIGS, TOPIC_CONFIGS};
    let internal = INTERNAL_CONFIGS
        .iter()
        .filter(|d| config.overrides.contains_key(d.name));
    TOPIC_CONFIGS
        .iter()
        .chain(internal)
        .map(|d| {
            let source = match config.source(d.name) {
                Source::Topic => SOURCE_TOPIC,
                Source::Broker(layer) => layer_code(layer),
                Source::Default => SOURCE_DEFAULT,
            };
            (
                d.name.to_string(),
                config.get(d.name).unwrap_or_default().to_string(),
                source,
            )
        })
        .collect()
}

fn result(name: &str, code: ErrorCode, message: Option<String>) -> CreatableTopicResult {
    CreatableTopicResult {
        name: name.into(),
        error_code: code.0,
        error_message: message,
        num_partitions: -1,
        replication_factor: -1,
        configs: None,
        topic_id: Uuid::ZERO,
        ..Default::default()
    }
}

async fn create_one(
    ctx: &Ctx,
    t: &CreatableTopic,
    validate_only: bool,
) -> Result<TopicMeta, (ErrorCode, String)> {
    if !valid_topic_name(&t.name) {
        return Err((
            ErrorCode::INVALID_TOPIC_EXCEPTION,
            format!("illegal topic name {:?}", t.name),
        ));
    }
    if ctx.storage.topic(&t.name).await.is_some() {
        return Err((
            ErrorCode::TOPIC_ALREADY_EXISTS,
            format!("topic {} already exists", t.name),
        ));
    }
    if !matches!(t.replication_factor, -1 | 1) {
        return Err((
            ErrorCode::INVALID_REPLICATION_FACTOR,
            format!(
                "replication factor {} exceeds the 1 broker",
                t.replication_factor
            ),
        ));
    }
    let partitions = if !t.assignments.is_empty() {
        if t.assignments
            .iter()
            .any(|a| a.broker_ids != [ctx.config.node_id])
        {
            return Err((
                ErrorCode::INVALID_REPLICA_ASSIGNMENT,
                "replicas must be this broker".into(),
            ));
        }
        t.assignments.len() as i32
    } else if t.num_partitions == -1 {
        ctx.config.default_partitions
    } else {
        t.num_partitions
    };
    if partitions < 1 {
        return Err((
            ErrorCode::INVALID_PARTITIONS,
            format!("{partitions} partitions"),
        ));
    }
    let explicit = t
        .configs
        .iter()
        .filter_map(|c| Some((c.name.clone(), c.value.clone()?)));
    let config = topic_config(explicit).map_err(|e| (error_code(&e), e.to_string()))?;
    if validate_only {
        return Ok(TopicMeta {
            name: t.name.clone(),
            id: Uuid::ZERO,
            partitions,
            config,
        });
    }
    ctx.storage
        .create_topic(&t.name, partitions, config)
        .await
        .map_err(|e| (error_code(&e), e.to_string()))
}

/// Answer a CreateTopics request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: CreateTopicsRequest,
    _v: i16,
) -> CreateTopicsResponse {
    let cluster_create = access.cluster(Operation::Create);
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let outcome = if cluster_create || access.topic(Operation::Create, &t.name) {
            create_one(ctx, t, req.validate_only).await
        } else {
            Err((
                ErrorCode::TOPIC_AUTHORIZATION_FAILED,
                "CREATE on the cluster or the topic is needed".into(),
            ))
        };
        topics.push(match outcome {
            Ok(meta) => {
                tracing::info!(topic = %meta.name, partitions = meta.partitions, validate_only = req.validate_only, "create topic");
                CreatableTopicResult {
                    name: meta.name.clone(),
                    topic_id: meta.id,
                    num_partitions: meta.partitions,
                    replication_factor: 1,
                    error_message: None, // Kafka sends null on success
                    configs: Some(
                        config_entries(&meta.config)
                            .into_iter()
                            .map(|(name, value, config_source)| CreatableTopicConfigs { name, value: Some(value), config_source, ..Default::default() })
                            .collect(),
                    ),
                    ..Default::default()
                }
            }
            Err((code, message)) => result(&t.name, code, Some(message)),
        });
    }
    CreateTopicsResponse {
        topics,
        ..Default::default()
    }
}
