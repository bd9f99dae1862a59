//! DescribeConfigs (32): topic configs (explicit or default, with their source) and the broker
//! settings that matter to clients.

use kafka_wire::messages::describe_configs::{
    DescribeConfigsRequest, DescribeConfigsResourceResult, DescribeConfigsResponse,
    DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_wire::ErrorCode;

use super::create_topics::{config_entries, SOURCE_DEFAULT};
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::config::catalog::{self, Kind};

const TOPIC: i8 = 2;
const BROKER: i8 = 4;
/// Config source: set in the broker's static configuration.
const SOURCE_STATIC_BROKER: i8 = 4;

/// A resource's configs (name, value, source), or the error to answer with.
type Entries = Result<Vec<(String, String, i8)>, (ErrorCode, String)>;

/// Type codes (v3+) of the broker configs reported here.
fn broker_config_type(name: &str) -> i8 {
    match name {
        "auto.create.topics.enable" => Kind::Boolean.code(),
        _ => Kind::Int.code(),
    }
}

/// One reported config. Topic configs carry their type, documentation and synonyms from the
/// catalogue: the topic's own value first, then the broker default it falls back to (Kafka
/// lists only the broker configs it names as the topic config's synonym).
fn entry(
    name: String,
    value: String,
    source: i8,
    req: &DescribeConfigsRequest,
) -> DescribeConfigsResourceResult {
    let def = catalog::lookup(&name);
    let mut synonyms = Vec::new();
    if req.include_synonyms {
        if source != SOURCE_DEFAULT || def.is_none() {
            synonyms.push(DescribeConfigsSynonym {
                name: name.clone(),
                value: Some(value.clone()),
                source,
                ..Default::default()
            });
        }
        if let Some((broker, default)) = def.and_then(|d| Some((d.broker?, d.default))) {
            synonyms.push(DescribeConfigsSynonym {
                name: broker.into(),
                value: Some(default.into()),
                source: SOURCE_DEFAULT,
                ..Default::default()
            });
        }
    }
    DescribeConfigsResourceResult {
        config_type: def.map_or_else(|| broker_config_type(&name), |d| d.kind.code()),
        documentation: if req.include_documentation {
            def.map(|d| d.doc.to_string())
        } else {
            None
        },
        is_default: source == SOURCE_DEFAULT,
        synonyms,
        name,
        value: Some(value),
        read_only: false,
        config_source: source,
        ..Default::default()
    }
}

/// Answer a DescribeConfigs request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeConfigsRequest,
    _v: i16,
) -> DescribeConfigsResponse {
    let mut results = Vec::with_capacity(req.resources.len());
    for r in &req.resources {
        let entries: Entries = match r.resource_type {
            TOPIC if !access.topic(Operation::DescribeConfigs, &r.resource_name) => Err((
                ErrorCode::TOPIC_AUTHORIZATION_FAILED,
                "DESCRIBE_CONFIGS on the topic is needed".into(),
            )),
            BROKER if !access.cluster(Operation::DescribeConfigs) => Err((
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                "DESCRIBE_CONFIGS on the cluster is needed".into(),
            )),
            TOPIC => match ctx.storage.topic(&r.resource_name).await {
                Some(t) => Ok(config_entries(&t.config)),
                None => Err((
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                    format!("unknown topic {}", r.resource_name),
                )),
            },
            BROKER
                if r.resource_name.is_empty()
                    || r.resource_name == ctx.config.node_id.to_string() =>
            {
                Ok(vec![
                    (
                        "auto.create.topics.enable".into(),
                        ctx.config.auto_create_topics.to_string(),
                        SOURCE_STATIC_BROKER,
                    ),
                    (
                        "num.partitions".into(),
                        ctx.config.default_partitions.to_string(),
                        SOURCE_STATIC_BROKER,
                    ),
                    ("message.max.bytes".into(), "1048588".into(), SOURCE_DEFAULT),
                    (
                        "socket.request.max.bytes".into(),
                        ctx.config.max_frame_bytes.to_string(),
                        SOURCE_STATIC_BROKER,
                    ),
                    (
                        "default.replication.factor".into(),
                        "1".into(),
                        SOURCE_DEFAULT,
                    ),
                    ("min.insync.replicas".into(), "1".into(), SOURCE_DEFAULT),
                ])
            }
            BROKER => Err((
                ErrorCode::INVALID_REQUEST,
                format!("unknown broker {}", r.resource_name),
            )),
            other => Err((
                ErrorCode::INVALID_REQUEST,
                format!("resource type {other} is not supported"),
            )),
        };
        results.push(match entries {
            Ok(list) => DescribeConfigsResult {
                resource_type: r.resource_type,
                resource_name: r.resource_name.clone(),
                configs: list
                    .into_iter()
                    .filter(|(n, _, _)| {
                        r.configuration_keys
                            .as_ref()
                            .is_none_or(|keys| keys.is_empty() || keys.contains(n))
                    })
                    .map(|(n, v, s)| entry(n, v, s, &req))
                    .collect(),
                ..Default::default()
            },
            Err((code, msg)) => DescribeConfigsResult {
                error_code: code.0,
                error_message: Some(msg),
                resource_type: r.resource_type,
                resource_name: r.resource_name.clone(),
                ..Default::default()
            },
        });
    }
    DescribeConfigsResponse {
        results,
        ..Default::default()
    }
}
