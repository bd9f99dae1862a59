//! DescribeConfigs (32): topic configs (explicit or default, with their source) and the broker
//! settings that matter to clients.

use kafka_wire::messages::describe_configs::{
    DescribeConfigsRequest, DescribeConfigsResourceResult, DescribeConfigsResponse,
    DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_wire::ErrorCode;

use super::create_topics::{config_entries, layer_code, SOURCE_DEFAULT, SOURCE_TOPIC};
use crate::acl::{Access, Operation};
use crate::dynamic::alter::{BROKER, BROKER_LOGGER, TOPIC};
use crate::dynamic::{Origin, Scope};
use crate::server::Ctx;
use crate::storage::config::catalog::{self, Kind};
use crate::storage::config::Layer;

/// Config source: a logger level (BROKER_LOGGER resources).
const SOURCE_LOGGER: i8 = 6;

/// A resource's configs (name, value, source), or the error to answer with.
type Entries = Result<Vec<(String, Option<String>, i8)>, (ErrorCode, String)>;

/// Type codes (v3+) of the broker configs reported here.
fn broker_config_type(name: &str) -> i8 {
    match catalog::by_broker_name(name) {
        Some(d) => d.kind.code(),
        None if name == "auto.create.topics.enable" => Kind::Boolean.code(),
        None => Kind::Int.code(),
    }
}

/// The synonyms of broker config `broker`, highest precedence first: the layers that set it,
/// then Kafka's default where it has one.
fn broker_synonyms(ctx: &Ctx, broker: &str) -> Vec<DescribeConfigsSynonym> {
    let synonym = |value: String, source: i8| DescribeConfigsSynonym {
        name: broker.to_string(),
        value: Some(value),
        source,
        ..Default::default()
    };
    let mut out = Vec::new();
    for (scope, layer) in [
        (Scope::Broker(ctx.config.node_id), Layer::DynamicBroker),
        (Scope::Cluster, Layer::DynamicDefault),
    ] {
        if let Some(v) = ctx.brokers.dynamic(scope).get(broker) {
            out.push(synonym(v.clone(), layer_code(layer)));
        }
    }
    if let Some(v) = ctx.brokers.static_value(broker) {
        out.push(synonym(v, layer_code(Layer::StaticBroker)));
    }
    if let Some(d) = catalog::by_broker_name(broker).filter(|d| d.broker == Some(broker)) {
        out.push(synonym(d.default.to_string(), SOURCE_DEFAULT));
    }
    out
}

/// One reported config, with its type, documentation and synonyms: for a topic config its
/// own value first, then the broker config it falls back to (Kafka lists only the broker
/// config it names as the topic config's synonym).
fn entry(
    ctx: &Ctx,
    kind: i8,
    (name, value, source): (String, Option<String>, i8),
    req: &DescribeConfigsRequest,
) -> DescribeConfigsResourceResult {
    let def = match kind {
        TOPIC => catalog::lookup(&name),
        _ => catalog::by_broker_name(&name),
    };
    let read_only = kind == BROKER && crate::dynamic::READ_ONLY.contains(&name.as_str());
    let mut synonyms = Vec::new();
    if req.include_synonyms {
        match kind {
            TOPIC => {
                if source == SOURCE_TOPIC || def.is_none() {
                    synonyms.push(DescribeConfigsSynonym {
                        name: name.clone(),
                        value: value.clone(),
                        source,
                        ..Default::default()
                    });
                }
                if let Some(broker) = def.and_then(catalog::broker_config) {
                    synonyms.extend(broker_synonyms(ctx, broker));
                }
            }
            BROKER if source != SOURCE_DEFAULT || def.is_some() => {
                synonyms = broker_synonyms(ctx, &name);
            }
            _ => synonyms.push(DescribeConfigsSynonym {
                name: name.clone(),
                value: value.clone(),
                source,
                ..Default::default()
            }),
        }
    }
    DescribeConfigsResourceResult {
        config_type: match kind {
            TOPIC => def.map_or(Kind::String.code(), |d| d.kind.code()),
            BROKER => broker_config_type(&name),
            _ => Kind::String.code(),
        },
        documentation: if req.include_documentation {
            def.map(|d| d.doc.to_string())
        } else {
            None
        },
        is_default: source == SOURCE_DEFAULT,
        synonyms,
        name,
        value,
        read_only,
        config_source: source,
        ..Default::default()
    }
}

/// A broker's configs: every one with its effective value for this broker, or only the
/// dynamic cluster defaults for the default resource (name "").
fn broker_entries(ctx: &Ctx, name: &str) -> Entries {
    if name.is_empty() {
        return Ok(ctx
            .brokers
            .dynamic(Scope::Cluster)
            .into_iter()
            .map(|(k, v)| (k, Some(v), layer_code(Layer::DynamicDefault)))
            .collect());
    }
    if name != ctx.config.node_id.to_string() {
        return Err((
            ErrorCode::INVALID_REQUEST,
            format!(
                "Unexpected broker id, expected {}, but received {name}",
                ctx.config.node_id
            ),
        ));
    }
    Ok(ctx
        .brokers
        .names()
        .into_iter()
        .filter_map(|n| match ctx.brokers.resolve(&n) {
            Some((v, Origin::Layer(l))) => Some((n, Some(v), layer_code(l))),
            Some((v, Origin::Default)) => Some((n, Some(v), SOURCE_DEFAULT)),
            // A broker config with no default of its own (log.retention.ms: the hours one
            // carries it) is reported as Kafka does, without a value.
            None => catalog::by_broker_name(&n).map(|_| (n, None, SOURCE_DEFAULT)),
        })
        .collect())
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
            BROKER_LOGGER if !access.cluster(Operation::DescribeConfigs) => Err((
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                "DESCRIBE_CONFIGS on the cluster is needed".into(),
            )),
            TOPIC => match ctx.storage.topic(&r.resource_name).await {
                Some(t) => Ok(config_entries(&t.config)
                    .into_iter()
                    .map(|(k, v, s)| (k, Some(v), s))
                    .collect()),
                None => Err((
                    ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                    format!("unknown topic {}", r.resource_name),
                )),
            },
            BROKER => broker_entries(ctx, &r.resource_name),
            BROKER_LOGGER if r.resource_name == ctx.config.node_id.to_string() => Ok(ctx
                .loggers
                .describe()
                .into_iter()
                .map(|(k, v)| (k, Some(v), SOURCE_LOGGER))
                .collect()),
            BROKER_LOGGER => Err((
                ErrorCode::INVALID_REQUEST,
                format!(
                    "Unexpected broker id, expected {}, but received {}",
                    ctx.config.node_id, r.resource_name
                ),
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
                    .map(|e| entry(ctx, r.resource_type, e, &req))
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
