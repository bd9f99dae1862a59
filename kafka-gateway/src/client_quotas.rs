//! Kafka's client-quota admin model over the quota file: entities (user, client-id, ip; a
//! missing name is the default, `*` in the file), DescribeClientQuotas' filters, and
//! AlterClientQuotas' checks, in Kafka's words. Sans-IO.

use std::collections::BTreeMap;

use kafka_wire::ErrorCode;

use crate::quota::QuotaEntry;

/// An entity: entity type → name (`None`: the default entity of that type).
pub type Entity = BTreeMap<String, Option<String>>;

/// Entity types.
pub const USER: &str = "user";
/// Entity types.
pub const CLIENT_ID: &str = "client-id";
/// Entity types.
pub const IP: &str = "ip";

const DEFAULT: &str = "*";

fn name_of(field: &Option<String>) -> Option<Option<String>> {
    field.as_ref().map(|n| (n != DEFAULT).then(|| n.clone()))
}

fn field_of(name: Option<&Option<String>>) -> Option<String> {
    name.map(|n| n.clone().unwrap_or_else(|| DEFAULT.to_string()))
}

/// The entity a file entry stands for.
pub fn entity_of(e: &QuotaEntry) -> Entity {
    [(USER, &e.user), (CLIENT_ID, &e.client_id), (IP, &e.ip)]
        .into_iter()
        .filter_map(|(t, f)| Some((t.to_string(), name_of(f)?)))
        .collect()
}

/// An entry's quotas by Kafka's key names.
pub fn values_of(e: &QuotaEntry) -> Vec<(String, f64)> {
    let ints = [
        ("producer_byte_rate", e.producer_byte_rate),
        ("consumer_byte_rate", e.consumer_byte_rate),
        ("connection_creation_rate", e.connection_creation_rate),
    ];
    let doubles = [
        ("request_percentage", e.request_percentage),
        ("controller_mutation_rate", e.controller_mutation_rate),
    ];
    ints.into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v? as f64)))
        .chain(
            doubles
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?))),
        )
        .collect()
}

/// A DescribeClientQuotas filter component.
#[derive(Debug, Clone)]
pub struct Component {
    /// Entity type.
    pub entity_type: String,
    /// 0 exact name, 1 the default entity, 2 any entity of the type.
    pub match_type: i8,
    /// The name for an exact match.
    pub name: Option<String>,
}

/// Kafka's checks on a filter; the error code and message when it is refused.
pub fn check_filter(components: &[Component]) -> Result<(), (ErrorCode, String)> {
    let invalid = |m: String| Err((ErrorCode::INVALID_REQUEST, m));
    for (i, c) in components.iter().enumerate() {
        let t = &c.entity_type;
        if t.is_empty() {
            return invalid("Invalid empty entity type.".into());
        }
        if components[..i].iter().any(|o| &o.entity_type == t) {
            return invalid(format!(
                "Entity type {t} cannot appear more than once in the filter."
            ));
        }
        if ![USER, CLIENT_ID, IP].contains(&t.as_str()) {
            return Err((
                ErrorCode::UNSUPPORTED_VERSION,
                format!("Unsupported entity type {t}"),
            ));
        }
        match (c.match_type, &c.name) {
            (0, None) => {
                return invalid(
                    "Request specified MATCH_TYPE_EXACT, but set match string to null.".into(),
                )
            }
            (1, Some(_)) => {
                return invalid(
                    "Request specified MATCH_TYPE_DEFAULT, but also specified a match string."
                        .into(),
                )
            }
            (2, Some(_)) => {
                return invalid(
                    "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string."
                        .into(),
                )
            }
            (0..=2, _) => {}
            (n, _) => return invalid(format!("Unknown match type {n}")),
        }
    }
    let has = |t: &str| components.iter().any(|c| c.entity_type == t);
    if has(IP) && (has(USER) || has(CLIENT_ID)) {
        return invalid("Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.".into());
    }
    Ok(())
}

/// Whether `entity` passes a (checked) filter.
pub fn matches(entity: &Entity, components: &[Component], strict: bool) -> bool {
    let each = components.iter().all(|c| match entity.get(&c.entity_type) {
        None => false,
        Some(name) => match c.match_type {
            0 => name == &c.name,
            1 => name.is_none(),
            _ => true,
        },
    });
    each && (!strict || entity.len() == components.len())
}

/// Kafka's checks on one AlterClientQuotas entry: its entity, then each op that sets a value
/// (removals are not checked). The message of INVALID_REQUEST when refused.
pub fn check_change(
    entity: &[(String, Option<String>)],
    ops: &[(String, f64, bool)],
) -> Result<(), String> {
    if entity.is_empty() {
        return Err("Invalid empty client quota entity".into());
    }
    let mut keys: Vec<&str> = ops.iter().map(|(k, _, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!(
            "Ignoring duplicate entity {}",
            describe_entity(entity)
        ));
    }
    let mut types = BTreeMap::new();
    for (t, name) in entity {
        if ![USER, CLIENT_ID, IP].contains(&t.as_str()) {
            return Err(format!("Unhandled client quota entity type: {t}"));
        }
        if name.as_deref() == Some("") {
            return Err(format!("Empty {t} not supported"));
        }
        types.insert(t.as_str(), name);
    }
    let ip = types.contains_key(IP);
    if ip && types.len() > 1 {
        return Err(
            "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId"
                .into(),
        );
    }
    if let Some(Some(addr)) = types.get(IP) {
        if addr.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("{addr} is not a valid IP or resolvable host."));
        }
    }
    for (key, value, remove) in ops {
        if *remove {
            continue;
        }
        let integral = match (ip, key.as_str()) {
            (false, "producer_byte_rate" | "consumer_byte_rate") => Some(i64::MAX as f64),
            (false, "request_percentage" | "controller_mutation_rate") => None,
            (true, "connection_creation_rate") => Some(i32::MAX as f64),
            _ => return Err(format!("Invalid configuration key {key}")),
        };
        if !value.is_finite() {
            return Err(format!("Quota {key} must be a finite number"));
        }
        if *value <= 0.0 {
            return Err(format!("Quota {key} must be greater than 0"));
        }
        if let Some(max) = integral {
            if *value > max {
                let ty = if ip { "INT" } else { "LONG" };
                return Err(format!("Proposed value for {key} is too large for a {ty}."));
            }
            if (value - value.round()).abs() > 1e-6 {
                return Err(format!("{key} cannot be a fractional value."));
            }
        }
    }
    Ok(())
}

/// Kafka's rendering of an entity in messages.
fn describe_entity(entity: &[(String, Option<String>)]) -> String {
    let parts: Vec<String> = entity
        .iter()
        .map(|(t, n)| format!("{t}={}", n.as_deref().unwrap_or("<default>")))
        .collect();
    format!("ClientQuotaEntity(entries={{{}}})", parts.join(", "))
}

/// Apply checked ops to the entries: set or remove each key on the entity's entry (made if
/// missing, dropped once it sets nothing).
pub fn apply(entries: &mut Vec<QuotaEntry>, entity: &Entity, ops: &[(String, f64, bool)]) {
    let pos = entries.iter().position(|e| &entity_of(e) == entity);
    let mut entry = match pos {
        Some(i) => entries.remove(i),
        None => QuotaEntry {
            user: field_of(entity.get(USER)),
            client_id: field_of(entity.get(CLIENT_ID)),
            ip: field_of(entity.get(IP)),
            ..Default::default()
        },
    };
    for (key, value, remove) in ops {
        let v = (!remove).then_some(*value);
        let int = v.map(|x| x.round() as u64);
        match key.as_str() {
            "producer_byte_rate" => entry.producer_byte_rate = int,
            "consumer_byte_rate" => entry.consumer_byte_rate = int,
            "connection_creation_rate" => entry.connection_creation_rate = int,
            "request_percentage" => entry.request_percentage = v,
            "controller_mutation_rate" => entry.controller_mutation_rate = v,
            _ => {}
        }
    }
    if !entry.is_empty() {
        entries.insert(pos.unwrap_or(entries.len()), entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(t, n)| (t.to_string(), n.map(str::to_string)))
            .collect()
    }

    #[test]
    fn set_describe_and_remove_a_quota() {
        let mut entries = Vec::new();
        let e = ent(&[(USER, Some("alice")), (CLIENT_ID, None)]);
        let ops = vec![("producer_byte_rate".to_string(), 1024.0, false)];
        check_change(&e, &ops).unwrap();
        let entity: Entity = e.iter().cloned().collect();
        apply(&mut entries, &entity, &ops);
        assert_eq!(entries[0].user.as_deref(), Some("alice"));
        assert_eq!(entries[0].client_id.as_deref(), Some("*"));
        assert_eq!(entity_of(&entries[0]), entity);
        let exact = Component {
            entity_type: USER.into(),
            match_type: 0,
            name: Some("alice".into()),
        };
        assert!(matches(&entity, std::slice::from_ref(&exact), false));
        assert!(!matches(&entity, &[exact], true), "strict needs every type");
        apply(
            &mut entries,
            &entity,
            &[("producer_byte_rate".to_string(), 0.0, true)],
        );
        assert!(entries.is_empty());
    }

    #[test]
    fn refusals_in_kafkas_words() {
        let user = ent(&[(USER, Some("u"))]);
        let bad = |k: &str, v: f64| check_change(&user, &[(k.to_string(), v, false)]).unwrap_err();
        assert_eq!(bad("nope", 1.0), "Invalid configuration key nope");
        assert_eq!(
            bad("producer_byte_rate", 0.0),
            "Quota producer_byte_rate must be greater than 0"
        );
        assert_eq!(
            bad("producer_byte_rate", 1.5),
            "producer_byte_rate cannot be a fractional value."
        );
        assert_eq!(
            check_change(&ent(&[(IP, Some("nohost"))]), &[]).unwrap_err(),
            "nohost is not a valid IP or resolvable host."
        );
        assert!(check_filter(&[Component {
            entity_type: "topic".into(),
            match_type: 2,
            name: None
        }])
        .is_err());
    }
}
