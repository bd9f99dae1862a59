//! The bindings that cover a resource, found without scanning them all: literal bindings (`*`
//! included) by resource type and name, prefixed ones by type and prefix, so a lookup costs one
//! probe per character of the name however many ACLs there are.

use std::collections::HashMap;

use super::model::{AclBinding, PatternType, ResourceType};

/// Bindings indexed by what they cover.
#[derive(Debug, Default)]
pub struct AclIndex {
    literal: HashMap<ResourceType, HashMap<String, Vec<AclBinding>>>,
    prefixed: HashMap<ResourceType, HashMap<String, Vec<AclBinding>>>,
}

impl AclIndex {
    /// The index of `bindings`.
    pub fn new<'a>(bindings: impl IntoIterator<Item = &'a AclBinding>) -> Self {
        let mut index = AclIndex::default();
        for b in bindings {
            let by_name = match b.pattern_type {
                PatternType::Literal => &mut index.literal,
                PatternType::Prefixed => &mut index.prefixed,
                PatternType::Any | PatternType::Match => continue,
            };
            by_name
                .entry(b.resource_type)
                .or_default()
                .entry(b.resource_name.clone())
                .or_default()
                .push(b.clone());
        }
        index
    }

    /// Every binding whose pattern covers the resource `name` of type `kind` (what
    /// [`AclBinding::covers`] says, found by lookup).
    pub fn covering<'a>(
        &'a self,
        kind: ResourceType,
        name: &'a str,
    ) -> impl Iterator<Item = &'a AclBinding> + 'a {
        let literal = self.literal.get(&kind);
        let exact = literal.and_then(|m| m.get(name));
        let wildcard = literal.filter(|_| name != "*").and_then(|m| m.get("*"));
        let prefixed = self.prefixed.get(&kind);
        let prefixes = name
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(name.len()))
            .filter_map(move |end| prefixed.and_then(|m| m.get(&name[..end])));
        exact.into_iter().chain(wildcard).chain(prefixes).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::model::{Operation, Permission};

    fn b(kind: ResourceType, name: &str, pattern: PatternType) -> AclBinding {
        AclBinding {
            resource_type: kind,
            resource_name: name.into(),
            pattern_type: pattern,
            principal: "User:a".into(),
            host: "*".into(),
            operation: Operation::Read,
            permission: Permission::Allow,
        }
    }

    #[test]
    fn lookup_finds_exactly_what_covers_says() {
        use PatternType::{Literal, Prefixed};
        use ResourceType::{Group, Topic};
        let all = vec![
            b(Topic, "orders", Literal),
            b(Topic, "*", Literal),
            b(Topic, "o", Prefixed),
            b(Topic, "ord", Prefixed),
            b(Topic, "orders", Prefixed),
            b(Topic, "orders-eu", Prefixed),
            b(Topic, "x", Prefixed),
            b(Group, "orders", Literal),
            b(Topic, "ö", Prefixed),
            b(Topic, "*", Prefixed),
        ];
        let index = AclIndex::new(&all);
        for (kind, name) in [
            (Topic, "orders"),
            (Topic, "orders-eu-1"),
            (Topic, "o"),
            (Topic, "*"),
            (Topic, "*x"),
            (Topic, "öl"),
            (Topic, "zzz"),
            (Group, "orders"),
            (Group, "other"),
            (ResourceType::Cluster, "kafka-cluster"),
        ] {
            let mut found: Vec<&AclBinding> = index.covering(kind, name).collect();
            let mut want: Vec<&AclBinding> = all.iter().filter(|b| b.covers(kind, name)).collect();
            found.sort();
            want.sort();
            assert_eq!(found, want, "{kind:?} {name}");
        }
    }
}
