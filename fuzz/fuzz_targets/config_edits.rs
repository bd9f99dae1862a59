//! Admin edits from the wire, as any bytes: lines of `name<TAB>op<TAB>value` become
//! IncrementalAlterConfigs operations on a topic's configs and on the broker's dynamic layer,
//! and AlterClientQuotas entries. Invariants: nothing panics; a topic config that validates is
//! already normal (validating it again changes nothing); a quota change that passes the checks
//! applies and leaves no empty entry.
#![no_main]

use std::collections::BTreeMap;

use kafka_gateway::client_quotas::{apply, check_change, Entity};
use kafka_gateway::dynamic::{BrokerConfigs, Scope};
use kafka_gateway::storage::config::ops::{self, Op, OpKind};
use kafka_gateway::storage::config::{catalog, TopicConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut edits = Vec::new();
    for line in text.lines().take(16) {
        let mut parts = line.splitn(3, '\t');
        let name = parts.next().unwrap_or_default().to_string();
        let code = parts.next().and_then(|c| c.parse::<i8>().ok()).unwrap_or(0);
        let value = parts.next().map(str::to_string);
        edits.push((name, code, value));
    }
    let ops: Vec<Op> = edits
        .iter()
        .filter_map(|(name, code, value)| {
            Some(Op {
                name: name.clone(),
                kind: OpKind::from_code(*code)?,
                value: value.clone(),
            })
        })
        .collect();
    let list_default = |n: &str| {
        catalog::lookup(n)
            .filter(|d| d.kind == catalog::Kind::List)
            .map(|d| d.default.to_string())
    };
    if let Ok(next) = ops::apply(&BTreeMap::new(), &ops, list_default) {
        if let Ok(config) = TopicConfig::new(next) {
            let again = TopicConfig::new(config.overrides.clone()).expect("valid stays valid");
            assert_eq!(again.overrides, config.overrides);
        }
    }
    let brokers = BrokerConfigs::open(0, BTreeMap::new(), None).expect("no file");
    if let Ok(layer) = brokers.prepare(Scope::Broker(0), &ops) {
        brokers.replace(Scope::Broker(0), layer).expect("in memory");
        let _ = brokers.inherited();
    }
    let entity: Vec<(String, Option<String>)> = edits
        .iter()
        .take(2)
        .map(|(t, _, v)| (t.clone(), v.clone()))
        .collect();
    let quota_ops: Vec<(String, f64, bool)> = edits
        .iter()
        .skip(2)
        .map(|(k, code, v)| {
            let value = v.as_deref().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            (k.clone(), value, *code == 1)
        })
        .collect();
    if check_change(&entity, &quota_ops).is_ok() {
        let mut entries = Vec::new();
        let e: Entity = entity.into_iter().collect();
        apply(&mut entries, &e, &quota_ops);
        assert!(entries.iter().all(|e| !e.is_empty()));
    }
});
