//! IncrementalAlterConfigs' edits (SET, DELETE, APPEND, SUBTRACT) to a set of explicit configs,
//! checked and applied as Kafka applies them. Sans-IO: the caller validates the result and
//! stores it.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog;

/// One of IncrementalAlterConfigs' operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Set the value.
    Set,
    /// Remove the explicit value (back to the inherited one).
    Delete,
    /// Add items to a list value.
    Append,
    /// Remove items from a list value.
    Subtract,
}

impl OpKind {
    /// The operation with wire code `code`.
    pub fn from_code(code: i8) -> Option<Self> {
        Some(match code {
            0 => Self::Set,
            1 => Self::Delete,
            2 => Self::Append,
            3 => Self::Subtract,
            _ => return None,
        })
    }

    /// Kafka's name of the operation, as its messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Set => "SET",
            Self::Delete => "DELETE",
            Self::Append => "APPEND",
            Self::Subtract => "SUBTRACT",
        }
    }
}

/// One requested edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Config name.
    pub name: String,
    /// What to do.
    pub kind: OpKind,
    /// The value (ignored by DELETE).
    pub value: Option<String>,
}

/// Why a set of edits was refused, with Kafka's error class and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The request itself is wrong (INVALID_REQUEST).
    #[error("{0}")]
    InvalidRequest(String),
    /// A value is not acceptable (INVALID_CONFIG).
    #[error("{0}")]
    InvalidConfig(String),
}

/// Reject what Kafka rejects before looking at any value: a key named twice, and a null value
/// for anything but DELETE.
pub fn check_request(ops: &[Op]) -> Result<(), OpError> {
    let mut seen = BTreeSet::new();
    if !ops.iter().all(|o| seen.insert(o.name.as_str())) {
        return Err(OpError::InvalidRequest(
            "Error due to duplicate config keys".into(),
        ));
    }
    let nulls: Vec<&str> = ops
        .iter()
        .filter(|o| o.value.is_none() && o.kind != OpKind::Delete)
        .map(|o| o.name.as_str())
        .collect();
    if !nulls.is_empty() {
        return Err(OpError::InvalidRequest(format!(
            "Null value not supported for : {}",
            nulls.join(", ")
        )));
    }
    Ok(())
}

/// The explicit configs after `ops`. `list_default(name)` is `Some(default)` for configs whose
/// type is LIST (APPEND and SUBTRACT start from the explicit value, else from that default)
/// and `None` for every other type, which refuses APPEND and SUBTRACT.
pub fn apply(
    current: &BTreeMap<String, String>,
    ops: &[Op],
    list_default: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>, OpError> {
    check_request(ops)?;
    let mut out = current.clone();
    for op in ops {
        let value = op.value.clone().unwrap_or_default();
        match op.kind {
            OpKind::Set => {
                out.insert(op.name.clone(), value);
            }
            OpKind::Delete => {
                out.remove(&op.name);
            }
            OpKind::Append | OpKind::Subtract => {
                let Some(default) = list_default(&op.name) else {
                    return Err(OpError::InvalidConfig(format!(
                        "Can't {} to key {} because its type is not LIST.",
                        op.kind.name(),
                        op.name
                    )));
                };
                let base = out.get(&op.name).cloned().unwrap_or(default);
                let mut items: Vec<String> = catalog::items(&base).map(str::to_string).collect();
                let given: Vec<&str> = catalog::items(&value).collect();
                if op.kind == OpKind::Append {
                    for g in given {
                        if !items.iter().any(|i| i == g) {
                            items.push(g.to_string());
                        }
                    }
                } else {
                    items.retain(|i| !given.contains(&i.as_str()));
                }
                out.insert(op.name.clone(), items.join(","));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str, kind: OpKind, value: Option<&str>) -> Op {
        Op {
            name: name.into(),
            kind,
            value: value.map(str::to_string),
        }
    }

    fn lists(name: &str) -> Option<String> {
        (name == "cleanup.policy").then(|| "delete".to_string())
    }

    #[test]
    fn set_delete_append_subtract() {
        let current = BTreeMap::from([("retention.ms".to_string(), "1000".to_string())]);
        let out = apply(
            &current,
            &[
                op("retention.ms", OpKind::Delete, None),
                op("segment.ms", OpKind::Set, Some("60000")),
                op("cleanup.policy", OpKind::Append, Some("compact,delete")),
            ],
            lists,
        )
        .unwrap();
        assert_eq!(out.get("retention.ms"), None);
        assert_eq!(out["segment.ms"], "60000");
        // APPEND starts from the default "delete" and adds only what is missing.
        assert_eq!(out["cleanup.policy"], "delete,compact");
        let out = apply(
            &out,
            &[op("cleanup.policy", OpKind::Subtract, Some("delete"))],
            lists,
        )
        .unwrap();
        assert_eq!(out["cleanup.policy"], "compact");
    }

    #[test]
    fn refusals_carry_kafkas_class_and_words() {
        let none = BTreeMap::new();
        assert_eq!(
            apply(
                &none,
                &[
                    op("a", OpKind::Set, Some("1")),
                    op("a", OpKind::Delete, None)
                ],
                lists
            ),
            Err(OpError::InvalidRequest(
                "Error due to duplicate config keys".into()
            ))
        );
        assert_eq!(
            apply(
                &none,
                &[
                    op("a", OpKind::Set, None),
                    op("b", OpKind::Append, None),
                    op("c", OpKind::Delete, None)
                ],
                lists
            ),
            Err(OpError::InvalidRequest(
                "Null value not supported for : a, b".into()
            ))
        );
        assert_eq!(
            apply(
                &none,
                &[op("retention.ms", OpKind::Subtract, Some("1"))],
                lists
            ),
            Err(OpError::InvalidConfig(
                "Can't SUBTRACT to key retention.ms because its type is not LIST.".into()
            ))
        );
    }
}
