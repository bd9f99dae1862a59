//! One resource of an AlterConfigs or IncrementalAlterConfigs request, checked in Kafka's order
//! (authorization, the request's shape, the values, the resource's existence) and applied:
//! topic configs to the store, broker configs to their dynamic layer (and every topic that
//! inherits them), logger levels to the running subscriber.

use std::collections::BTreeMap;

use kafka_wire::ErrorCode;

use super::Scope;
use crate::acl::{Access, Operation};
use crate::server::Ctx;
use crate::storage::config::catalog;
use crate::storage::config::ops::{self, Op, OpError, OpKind};
use crate::storage::{StorageError, TopicConfig};

/// Resource type codes of the config APIs.
pub const TOPIC: i8 = 2;
/// A broker (name: its id) or the cluster default (name "").
pub const BROKER: i8 = 4;
/// A broker's loggers.
pub const BROKER_LOGGER: i8 = 8;

/// The requested change of one resource.
#[derive(Debug, Clone)]
pub enum Edit {
    /// IncrementalAlterConfigs: operations on single keys.
    Incremental(Vec<Op>),
    /// AlterConfigs: the complete new set of explicit configs.
    Replace(Vec<(String, Option<String>)>),
}

/// A refusal: the error code and Kafka's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// The message, where Kafka sends one.
    pub message: Option<String>,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal::new(code, message)
}

impl Refusal {
    /// A refusal with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: Some(message.into()),
        }
    }

    /// What Kafka answers for every copy of a resource named twice in one request.
    pub fn duplicate() -> Self {
        Self::new(
            ErrorCode::INVALID_REQUEST,
            "Each resource must appear at most once.",
        )
    }

    /// The error code and message of an outcome, for a response entry.
    pub fn split(outcome: Result<(), Refusal>) -> (i16, Option<String>) {
        match outcome {
            Ok(()) => (ErrorCode::NONE.0, None),
            Err(r) => (r.code.0, r.message),
        }
    }
}

impl From<OpError> for Refusal {
    fn from(e: OpError) -> Self {
        match e {
            OpError::InvalidRequest(m) => refuse(ErrorCode::INVALID_REQUEST, m),
            OpError::InvalidConfig(m) => refuse(ErrorCode::INVALID_CONFIG, m),
        }
    }
}

impl From<super::loggers::LoggerError> for Refusal {
    fn from(e: super::loggers::LoggerError) -> Self {
        use super::loggers::LoggerError as L;
        match e {
            L::InvalidRequest(m) => refuse(ErrorCode::INVALID_REQUEST, m),
            L::InvalidConfig(m) => refuse(ErrorCode::INVALID_CONFIG, m),
        }
    }
}

/// Whether the resource types of a request may be altered by `principal` at all; the error
/// Kafka answers with when not.
fn authorize(access: &Access<'_>, kind: i8, name: &str) -> Result<(), Refusal> {
    let denied = |code: ErrorCode| Refusal {
        code,
        message: None,
    };
    match kind {
        TOPIC if !access.topic(Operation::AlterConfigs, name) => {
            Err(denied(ErrorCode::TOPIC_AUTHORIZATION_FAILED))
        }
        BROKER | BROKER_LOGGER if !access.cluster(Operation::AlterConfigs) => {
            Err(denied(ErrorCode::CLUSTER_AUTHORIZATION_FAILED))
        }
        _ => Ok(()),
    }
}

/// The dynamic layer a BROKER resource name stands for: "" the cluster default, this
/// broker's id its own layer; a broker only takes configs meant for itself.
fn broker_scope(ctx: &Ctx, name: &str) -> Result<Scope, Refusal> {
    if name.is_empty() {
        return Ok(Scope::Cluster);
    }
    let Ok(id) = name.parse::<i32>() else {
        return Err(refuse(
            ErrorCode::INVALID_REQUEST,
            format!("Node id must be an integer, but it is: {name}"),
        ));
    };
    if id != ctx.config.node_id {
        return Err(refuse(
            ErrorCode::INVALID_REQUEST,
            format!(
                "Unexpected broker id, expected {}, but received {id}",
                ctx.config.node_id
            ),
        ));
    }
    Ok(Scope::Broker(id))
}

/// Check and (unless `validate_only`) apply one resource's edit.
pub async fn alter(
    ctx: &Ctx,
    access: &Access<'_>,
    kind: i8,
    name: &str,
    edit: Edit,
    validate_only: bool,
) -> Result<(), Refusal> {
    authorize(access, kind, name)?;
    match (kind, edit) {
        (TOPIC, edit) => alter_topic(ctx, name, edit, validate_only).await,
        (BROKER, edit) => alter_broker(ctx, name, edit, validate_only).await,
        (BROKER_LOGGER, Edit::Incremental(ops)) => alter_loggers(ctx, name, &ops, validate_only),
        (other, _) => Err(refuse(
            ErrorCode::INVALID_REQUEST,
            format!("Unknown resource type {other}"),
        )),
    }
}

/// One resource's outcome: type, name, error code and message.
pub type Outcome = (i8, String, i16, Option<String>);

/// Check and apply every resource of a request, in order. A resource named twice is refused
/// every time it appears (as Kafka does); `edit` is `Err` where the request's own content
/// could not be read as an edit.
pub async fn alter_all(
    ctx: &Ctx,
    access: &Access<'_>,
    resources: Vec<(i8, String, Result<Edit, Refusal>)>,
    validate_only: bool,
) -> Vec<Outcome> {
    let keys: Vec<(i8, &String)> = resources.iter().map(|(k, n, _)| (*k, n)).collect();
    let twice: Vec<bool> = keys
        .iter()
        .map(|k| keys.iter().filter(|o| *o == k).count() > 1)
        .collect();
    let mut out = Vec::with_capacity(resources.len());
    for ((kind, name, edit), twice) in resources.into_iter().zip(twice) {
        let outcome = match edit {
            _ if twice => Err(Refusal::duplicate()),
            Ok(edit) => alter(ctx, access, kind, &name, edit, validate_only).await,
            Err(refusal) => Err(refusal),
        };
        let (code, message) = Refusal::split(outcome);
        out.push((kind, name, code, message));
    }
    out
}

/// The ops of a legacy AlterConfigs, as a replacement of everything explicit.
fn replacement(configs: &[(String, Option<String>)]) -> Result<BTreeMap<String, String>, OpError> {
    let as_ops: Vec<Op> = configs
        .iter()
        .map(|(name, value)| Op {
            name: name.clone(),
            kind: OpKind::Set,
            value: value.clone(),
        })
        .collect();
    ops::check_request(&as_ops)?;
    Ok(configs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect())
}

async fn alter_topic(
    ctx: &Ctx,
    name: &str,
    edit: Edit,
    validate_only: bool,
) -> Result<(), Refusal> {
    if name.is_empty() {
        return Err(refuse(
            ErrorCode::INVALID_REQUEST,
            "Default topic resources are not allowed.",
        ));
    }
    // The request's shape and each given value first, as Kafka checks them before it looks
    // the topic up.
    match &edit {
        Edit::Incremental(ops) => {
            ops::check_request(ops)?;
            for op in ops.iter().filter(|o| o.kind != OpKind::Delete) {
                let value = op.value.as_deref().unwrap_or_default();
                let def = catalog::validate(&op.name, value).map_err(OpError::InvalidConfig)?;
                if op.kind != OpKind::Set && def.kind != catalog::Kind::List {
                    return Err(OpError::InvalidConfig(format!(
                        "Can't {} to key {} because its type is not LIST.",
                        op.kind.name(),
                        op.name
                    ))
                    .into());
                }
            }
        }
        Edit::Replace(configs) => {
            replacement(configs)?;
        }
    }
    let Some(topic) = ctx.storage.topic(name).await else {
        return Err(refuse(
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            format!("The topic '{name}' does not exist."),
        ));
    };
    let next = match edit {
        Edit::Incremental(ops) => ops::apply(&topic.config.overrides, &ops, |n| {
            catalog::lookup(n)
                .filter(|d| d.kind == catalog::Kind::List)
                .map(|d| d.default.to_string())
        })?,
        Edit::Replace(configs) => replacement(&configs)?,
    };
    let config = TopicConfig::new(next).map_err(|e| match e {
        StorageError::InvalidConfig(m) => refuse(ErrorCode::INVALID_CONFIG, m),
        other => refuse(crate::handlers::error_code(&other), other.to_string()),
    })?;
    if validate_only {
        return Ok(());
    }
    ctx.storage
        .alter_topic_config(name, config)
        .await
        .map_err(|e| refuse(crate::handlers::error_code(&e), e.to_string()))
}

async fn alter_broker(
    ctx: &Ctx,
    name: &str,
    edit: Edit,
    validate_only: bool,
) -> Result<(), Refusal> {
    let scope = broker_scope(ctx, name)?;
    let next = match edit {
        Edit::Incremental(ops) => ctx.brokers.prepare(scope, &ops)?,
        Edit::Replace(configs) => {
            let next = replacement(&configs)?;
            super::validate(&next)?;
            next
        }
    };
    if validate_only {
        return Ok(());
    }
    ctx.brokers
        .replace(scope, next)
        .map_err(|e| refuse(ErrorCode::KAFKA_STORAGE_ERROR, e.to_string()))?;
    ctx.storage.set_inherited(ctx.brokers.inherited()).await;
    Ok(())
}

fn alter_loggers(ctx: &Ctx, name: &str, ops: &[Op], validate_only: bool) -> Result<(), Refusal> {
    if broker_scope(ctx, name)? == Scope::Cluster {
        return Err(refuse(
            ErrorCode::INVALID_REQUEST,
            "Node id must be an integer, but it is: ",
        ));
    }
    ops::check_request(ops)?;
    let mut changes = Vec::with_capacity(ops.len());
    for op in ops {
        match op.kind {
            OpKind::Set => changes.push((op.name.clone(), op.value.clone())),
            OpKind::Delete => changes.push((op.name.clone(), None)),
            other => {
                return Err(refuse(
                    ErrorCode::INVALID_REQUEST,
                    format!(
                        "{} operation is not allowed for the BROKER_LOGGER resource",
                        other.name()
                    ),
                ))
            }
        }
    }
    if validate_only {
        ctx.loggers.check(&changes)?;
    } else {
        ctx.loggers.apply(&changes)?;
    }
    Ok(())
}
