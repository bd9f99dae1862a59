//! Dynamic broker configuration: what `kafka-configs --entity-type brokers` changes at runtime.
//!
//! Kafka keeps broker configs in layers: per broker (`--entity-name 0`, source
//! DYNAMIC_BROKER_CONFIG), cluster default (`--entity-default`, DYNAMIC_DEFAULT_BROKER_CONFIG),
//! the static settings (the gateway's flags, STATIC_BROKER_CONFIG) and Kafka's defaults. The
//! broker configs that stand for topic configs (`log.retention.ms` for `retention.ms`, …) are
//! what topics without their own value inherit, live. Both dynamic layers are persisted in
//! `<data-dir>/broker-configs.toml`.

pub mod alter;
pub mod loggers;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::storage::config::{catalog, ops, Inherited, Layer};

/// Which dynamic layer a change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One broker, by node id (Kafka keeps configs for any id, for brokers yet to join).
    Broker(i32),
    /// The cluster-wide default (resource name "").
    Cluster,
}

/// Where a reported broker config's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A dynamic or static layer.
    Layer(Layer),
    /// Kafka's default.
    Default,
}

/// Why a broker config store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BrokerConfigError {
    /// Reading or writing the file failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// The file is not valid TOML of the expected shape.
    #[error("{0}: {1}")]
    Parse(PathBuf, String),
    /// A static setting is not a valid value.
    #[error("{0}")]
    Invalid(String),
}

/// The broker settings the gateway fixes at start; Kafka refuses to change them dynamically.
pub const READ_ONLY: &[&str] = &[
    "auto.create.topics.enable",
    "broker.id",
    "default.replication.factor",
    "node.id",
    "num.partitions",
    "socket.request.max.bytes",
];

/// Kafka's defaults of the broker settings the gateway has (besides the broker configs that
/// stand for topic configs, whose defaults the catalogue holds).
pub const KAFKA_DEFAULTS: &[(&str, &str)] = &[
    ("auto.create.topics.enable", "true"),
    ("default.replication.factor", "1"),
    ("log.retention.hours", "168"),
    ("log.roll.hours", "168"),
    ("num.partitions", "1"),
    ("socket.request.max.bytes", "104857600"),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Layers {
    #[serde(default)]
    cluster: BTreeMap<String, String>,
    /// Per broker, by node id.
    #[serde(default)]
    brokers: BTreeMap<String, BTreeMap<String, String>>,
}

impl Layers {
    fn of(&self, scope: Scope) -> BTreeMap<String, String> {
        match scope {
            Scope::Broker(id) => self
                .brokers
                .get(&id.to_string())
                .cloned()
                .unwrap_or_default(),
            Scope::Cluster => self.cluster.clone(),
        }
    }
}

/// The broker's configs: static settings and the two dynamic layers.
#[derive(Debug)]
pub struct BrokerConfigs {
    /// This broker's node id.
    node_id: i32,
    /// Static settings by broker config name (from the gateway's flags).
    statics: BTreeMap<String, String>,
    dynamic: RwLock<Layers>,
    path: Option<PathBuf>,
}

impl BrokerConfigs {
    /// The configs of a broker started with `statics` (broker config names and values; those
    /// equal to Kafka's default are reported as defaults, as Kafka does for unset ones),
    /// keeping its dynamic layers in `path` (`None`: in memory only).
    pub fn open(
        node_id: i32,
        statics: BTreeMap<String, String>,
        path: Option<PathBuf>,
    ) -> Result<Self, BrokerConfigError> {
        let statics: BTreeMap<String, String> = statics
            .into_iter()
            .filter(|(n, v)| !KAFKA_DEFAULTS.contains(&(n.as_str(), v.as_str())))
            .collect();
        for (name, value) in &statics {
            if let Some(d) = catalog::by_broker_name(name) {
                catalog::check(d, name, value).map_err(BrokerConfigError::Invalid)?;
            }
        }
        let dynamic = match &path {
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => toml::from_str(&text)
                    .map_err(|e| BrokerConfigError::Parse(p.clone(), e.to_string()))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Layers::default(),
                Err(e) => return Err(BrokerConfigError::Io(p.clone(), e)),
            },
            None => Layers::default(),
        };
        Ok(Self {
            node_id,
            statics,
            dynamic: RwLock::new(dynamic),
            path,
        })
    }

    fn layers(&self) -> Layers {
        self.dynamic
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The explicit dynamic configs of one layer.
    pub fn dynamic(&self, scope: Scope) -> BTreeMap<String, String> {
        self.layers().of(scope)
    }

    /// The value the gateway's own settings give broker config `name`.
    pub fn static_value(&self, name: &str) -> Option<String> {
        self.statics.get(name).cloned()
    }

    /// The effective value of broker config `name` and where it comes from.
    pub fn resolve(&self, name: &str) -> Option<(String, Origin)> {
        let layers = self.layers();
        if let Some(v) = layers.of(Scope::Broker(self.node_id)).get(name) {
            return Some((v.clone(), Origin::Layer(Layer::DynamicBroker)));
        }
        if let Some(v) = layers.cluster.get(name) {
            return Some((v.clone(), Origin::Layer(Layer::DynamicDefault)));
        }
        if let Some(v) = self.statics.get(name) {
            return Some((v.clone(), Origin::Layer(Layer::StaticBroker)));
        }
        let default = KAFKA_DEFAULTS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .or_else(|| {
                catalog::by_broker_name(name)
                    .filter(|d| d.broker == Some(name))
                    .map(|d| d.default)
            });
        default.map(|v| (v.to_string(), Origin::Default))
    }

    /// Every broker config this broker reports: its static settings, the broker configs that
    /// stand for topic configs, and whatever was set dynamically.
    pub fn names(&self) -> Vec<String> {
        let layers = self.layers();
        let mut names: Vec<String> = self
            .statics
            .keys()
            .cloned()
            .chain(KAFKA_DEFAULTS.iter().map(|(n, _)| n.to_string()))
            .chain(
                catalog::TOPIC_CONFIGS
                    .iter()
                    .filter_map(|d| catalog::broker_config(d).map(Into::into)),
            )
            .chain(layers.of(Scope::Broker(self.node_id)).into_keys())
            .chain(layers.cluster.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// What topics inherit: for each topic config with a broker synonym set in some layer,
    /// the value and its layer.
    pub fn inherited(&self) -> Inherited {
        let map = catalog::TOPIC_CONFIGS
            .iter()
            .filter_map(|d| {
                let broker = catalog::broker_config(d)?;
                match self.resolve(broker)? {
                    (v, Origin::Layer(layer)) => Some((d.name.to_string(), (v, layer))),
                    (_, Origin::Default) => None,
                }
            })
            .collect();
        Arc::new(map)
    }

    /// Check `ops` against one layer as Kafka does and return the layer they would leave.
    pub fn prepare(
        &self,
        scope: Scope,
        ops: &[ops::Op],
    ) -> Result<BTreeMap<String, String>, ops::OpError> {
        let current = self.dynamic(scope);
        let next = ops::apply(&current, ops, |name| {
            catalog::by_broker_name(name)
                .filter(|d| d.kind == catalog::Kind::List)
                .map(|d| d.default.to_string())
        })?;
        validate(&next)?;
        Ok(next)
    }

    /// Replace one dynamic layer with `configs` (already validated), persisting it first.
    pub fn replace(
        &self,
        scope: Scope,
        configs: BTreeMap<String, String>,
    ) -> Result<(), BrokerConfigError> {
        let mut layers = self.dynamic.write().unwrap_or_else(|e| e.into_inner());
        let mut next = layers.clone();
        match scope {
            Scope::Broker(id) if configs.is_empty() => {
                next.brokers.remove(&id.to_string());
            }
            Scope::Broker(id) => {
                next.brokers.insert(id.to_string(), configs);
            }
            Scope::Cluster => next.cluster = configs,
        }
        if let Some(p) = &self.path {
            let text = toml::to_string(&next)
                .map_err(|e| BrokerConfigError::Parse(p.clone(), e.to_string()))?;
            crate::persist::write_atomic(p, &text)
                .map_err(|e| BrokerConfigError::Io(p.clone(), e))?;
        }
        *layers = next;
        Ok(())
    }
}

/// Kafka's checks on a dynamic layer: settings fixed at start refused as a whole request, and
/// values of broker configs that stand for topic configs checked as those are.
pub fn validate(configs: &BTreeMap<String, String>) -> Result<(), ops::OpError> {
    let fixed: Vec<&str> = configs
        .keys()
        .map(String::as_str)
        .filter(|k| READ_ONLY.contains(k))
        .collect();
    if !fixed.is_empty() {
        return Err(ops::OpError::InvalidRequest(format!(
            "Cannot update these configs dynamically: [{}]",
            fixed.join(", ")
        )));
    }
    for (name, value) in configs {
        if let Some(d) = catalog::by_broker_name(name) {
            catalog::check(d, name, value).map_err(ops::OpError::InvalidConfig)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::config::ops::{Op, OpKind};

    fn set(name: &str, value: &str) -> Op {
        Op {
            name: name.into(),
            kind: OpKind::Set,
            value: Some(value.into()),
        }
    }

    #[test]
    fn layers_resolve_broker_over_cluster_over_static() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker-configs.toml");
        let statics = BTreeMap::from([("log.retention.ms".to_string(), "1000".to_string())]);
        let b = BrokerConfigs::open(0, statics.clone(), Some(path.clone())).unwrap();
        assert_eq!(
            b.inherited().get("retention.ms"),
            Some(&("1000".to_string(), Layer::StaticBroker))
        );
        let next = b
            .prepare(Scope::Cluster, &[set("log.retention.ms", "2000")])
            .unwrap();
        b.replace(Scope::Cluster, next).unwrap();
        assert_eq!(
            b.inherited().get("retention.ms"),
            Some(&("2000".to_string(), Layer::DynamicDefault))
        );
        let next = b
            .prepare(Scope::Broker(0), &[set("log.retention.ms", "3000")])
            .unwrap();
        b.replace(Scope::Broker(0), next).unwrap();
        assert_eq!(
            b.resolve("log.retention.ms"),
            Some(("3000".to_string(), Origin::Layer(Layer::DynamicBroker)))
        );
        // Persisted: a fresh open sees both layers.
        let again = BrokerConfigs::open(0, statics, Some(path)).unwrap();
        assert_eq!(again.dynamic(Scope::Cluster)["log.retention.ms"], "2000");
        assert_eq!(again.dynamic(Scope::Broker(0))["log.retention.ms"], "3000");
        // Unset broker configs report Kafka's default and are not inherited.
        assert_eq!(
            again.resolve("log.segment.bytes").map(|(_, o)| o),
            Some(Origin::Default)
        );
        assert!(!again.inherited().contains_key("segment.bytes"));
    }

    #[test]
    fn fixed_settings_and_bad_values_are_refused() {
        let b = BrokerConfigs::open(0, BTreeMap::new(), None).unwrap();
        assert_eq!(
            b.prepare(
                Scope::Broker(0),
                &[set("num.partitions", "3"), set("log.retention.ms", "5")]
            ),
            Err(ops::OpError::InvalidRequest(
                "Cannot update these configs dynamically: [num.partitions]".into()
            ))
        );
        assert!(matches!(
            b.prepare(Scope::Broker(0), &[set("log.retention.ms", "soon")]),
            Err(ops::OpError::InvalidConfig(m)) if m.contains("log.retention.ms")
        ));
        assert!(b.dynamic(Scope::Broker(0)).is_empty());
    }
}
