//! Log levels changed at runtime through BROKER_LOGGER resources (IncrementalAlterConfigs),
//! as `kafka-configs --entity-type broker-loggers` does with Kafka's log4j loggers. A logger
//! here is a `tracing` target (`kafka_gateway::dispatch`, `kafka_wire`, …); `root` is the
//! level of everything else.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

/// Applies a `tracing` filter (EnvFilter directive syntax) to the running subscriber.
pub type Apply = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

static APPLY: OnceLock<Apply> = OnceLock::new();

/// Give the running binary's filter to the log-level controls (called once by `main`).
pub fn install(apply: Apply) {
    let _ = APPLY.set(apply);
}

/// Kafka's log levels, most severe first.
pub const LEVELS: &[&str] = &["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

/// The name of the logger every other one falls back to.
pub const ROOT: &str = "root";

/// Loggers reported even when nothing set them: the gateway's own parts.
const KNOWN: &[&str] = &[
    "kafka_gateway",
    "kafka_gateway::connection",
    "kafka_gateway::dispatch",
    "kafka_gateway::groups",
    "kafka_gateway::server",
    "kafka_gateway::storage",
    "kafka_wire",
];

/// Why a log-level change was refused, with Kafka's error class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoggerError {
    /// The request is wrong (INVALID_REQUEST).
    #[error("{0}")]
    InvalidRequest(String),
    /// The value is not a level (INVALID_CONFIG).
    #[error("{0}")]
    InvalidConfig(String),
}

/// The levels set at runtime over the level the gateway started with.
#[derive(Debug)]
pub struct LogLevels {
    root: Mutex<String>,
    set: Mutex<BTreeMap<String, String>>,
}

fn tracing_level(kafka: &str) -> &'static str {
    match kafka {
        "FATAL" | "ERROR" => "error",
        "WARN" => "warn",
        "INFO" => "info",
        "DEBUG" => "debug",
        _ => "trace",
    }
}

/// A logger name `tracing` can filter on.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split("::").all(|seg| {
            !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

impl LogLevels {
    /// Controls starting from the filter the process started with (`RUST_LOG`, or `info`): its
    /// plain level becomes the root level.
    pub fn new(start: &str) -> Self {
        let root = LEVELS
            .iter()
            .find(|l| l.eq_ignore_ascii_case(start.trim()))
            .map_or("INFO", |l| l);
        Self {
            root: Mutex::new(root.to_string()),
            set: Mutex::new(BTreeMap::new()),
        }
    }

    /// Every logger and its level (unset ones report the root level).
    pub fn describe(&self) -> Vec<(String, String)> {
        let root = self.root.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let set = self.set.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut out = BTreeMap::new();
        out.insert(ROOT.to_string(), root.clone());
        for k in KNOWN {
            out.insert(k.to_string(), root.clone());
        }
        out.extend(set);
        out.into_iter().collect()
    }

    /// Check a set of changes (`Some(level)`: set, `None`: back to the root level) as Kafka
    /// checks them, without applying them.
    pub fn check(&self, changes: &[(String, Option<String>)]) -> Result<(), LoggerError> {
        // Kafka lists the valid levels in alphabetical order.
        let mut sorted = LEVELS.to_vec();
        sorted.sort_unstable();
        for (name, level) in changes {
            match level {
                None if name == ROOT => {
                    return Err(LoggerError::InvalidRequest(
                        "Removing the log level of the root logger is not allowed".into(),
                    ))
                }
                None => {}
                Some(l) if !LEVELS.contains(&l.as_str()) => {
                    return Err(LoggerError::InvalidConfig(format!(
                        "Cannot set the log level of {name} to {l} as it is not a supported log level. Valid log levels are {}",
                        sorted.join(", ")
                    )))
                }
                Some(_) if !valid_name(name) && name != ROOT => {
                    return Err(LoggerError::InvalidConfig(format!(
                        "Logger {name} does not exist!"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Apply checked changes and hand the resulting filter to the running subscriber.
    pub fn apply(&self, changes: &[(String, Option<String>)]) -> Result<(), LoggerError> {
        self.check(changes)?;
        let mut root = self.root.lock().unwrap_or_else(|e| e.into_inner());
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        for (name, level) in changes {
            match level {
                Some(l) if name == ROOT => *root = l.clone(),
                Some(l) => {
                    set.insert(name.clone(), l.clone());
                }
                None => {
                    set.remove(name);
                }
            }
        }
        let filter = self.filter(&root, &set);
        if let Some(apply) = APPLY.get() {
            apply(&filter).map_err(LoggerError::InvalidConfig)?;
        }
        Ok(())
    }

    /// The `tracing` filter for a root level and per-logger levels.
    fn filter(&self, root: &str, set: &BTreeMap<String, String>) -> String {
        std::iter::once(tracing_level(root).to_string())
            .chain(
                set.iter()
                    .map(|(name, l)| format!("{name}={}", tracing_level(l))),
            )
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_reset_levels() {
        let l = LogLevels::new("info");
        l.apply(&[
            ("kafka_gateway::dispatch".into(), Some("DEBUG".into())),
            (ROOT.into(), Some("WARN".into())),
        ])
        .unwrap();
        let d: BTreeMap<_, _> = l.describe().into_iter().collect();
        assert_eq!(d["kafka_gateway::dispatch"], "DEBUG");
        assert_eq!(d[ROOT], "WARN");
        assert_eq!(d["kafka_wire"], "WARN");
        assert_eq!(
            l.filter(
                "WARN",
                &BTreeMap::from([("a::b".to_string(), "FATAL".to_string())])
            ),
            "warn,a::b=error"
        );
        l.apply(&[("kafka_gateway::dispatch".into(), None)])
            .unwrap();
        let d: BTreeMap<_, _> = l.describe().into_iter().collect();
        assert_eq!(d["kafka_gateway::dispatch"], "WARN");
    }

    #[test]
    fn refusals() {
        let l = LogLevels::new("info");
        assert!(matches!(
            l.check(&[(ROOT.into(), None)]),
            Err(LoggerError::InvalidRequest(_))
        ));
        assert!(matches!(
            l.check(&[("kafka_wire".into(), Some("debug".into()))]),
            Err(LoggerError::InvalidConfig(m)) if m.contains("Valid log levels are DEBUG, ERROR, FATAL")
        ));
        assert!(matches!(
            l.check(&[("no such logger!".into(), Some("INFO".into()))]),
            Err(LoggerError::InvalidConfig(_))
        ));
    }
}
