//! The ACL store and Kafka's evaluation rules: super users may do anything; a resource no ACL
//! covers is open or closed by `allow_if_no_acl`; otherwise a matching DENY beats any ALLOW,
//! and an ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE (ALTER_CONFIGS implies
//! DESCRIBE_CONFIGS).
//!
//! Bindings persist as TOML in the data directory, replaced atomically on every change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use super::index::AclIndex;
use super::model::{AclBinding, AclFilter, Operation, Permission, ResourceType};

/// Why the ACL file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum AclStoreError {
    /// Reading or writing the file failed.
    #[error("ACL file {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// The file is not valid TOML of bindings.
    #[error("ACL file {0}: {1}")]
    Parse(PathBuf, String),
}

#[derive(Default, Serialize, Deserialize)]
struct AclFile {
    #[serde(default)]
    acl: Vec<AclBinding>,
}

/// The bindings, and their index for lookups.
#[derive(Debug, Default)]
struct Bindings {
    all: BTreeSet<AclBinding>,
    index: AclIndex,
}

impl Bindings {
    fn new(all: BTreeSet<AclBinding>) -> Self {
        let index = AclIndex::new(&all);
        Bindings { all, index }
    }
}

/// The gateway's ACLs and how they are applied.
#[derive(Debug)]
pub struct Authorizer {
    bindings: RwLock<Bindings>,
    path: Option<PathBuf>,
    super_users: Vec<String>,
    allow_if_no_acl: bool,
}

impl Authorizer {
    /// An authorizer keeping its bindings in `path` (`None`: in memory only), loading what is
    /// already there.
    pub fn open(
        path: Option<PathBuf>,
        super_users: Vec<String>,
        allow_if_no_acl: bool,
    ) -> Result<Self, AclStoreError> {
        let bindings = match &path {
            Some(p) => load(p)?,
            None => BTreeSet::new(),
        };
        Ok(Authorizer {
            bindings: RwLock::new(Bindings::new(bindings)),
            path,
            super_users,
            allow_if_no_acl,
        })
    }

    /// Re-read the ACL file (on SIGHUP, after another instance changed it); on error the
    /// current bindings stay. Returns whether there is a file to read.
    pub fn reload(&self) -> Result<bool, AclStoreError> {
        let Some(p) = &self.path else {
            return Ok(false);
        };
        let fresh = Bindings::new(load(p)?);
        *self.bindings.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(true)
    }

    /// Whether `principal` (`User:NAME`) connecting from `host` may perform `op` on the
    /// resource `name` of type `kind`.
    pub fn authorize(
        &self,
        principal: &str,
        host: &str,
        op: Operation,
        kind: ResourceType,
        name: &str,
    ) -> bool {
        if self.super_users.iter().any(|s| s == principal) {
            return true;
        }
        let bindings = self.bindings.read().unwrap_or_else(|e| e.into_inner());
        let mut covering = bindings.index.covering(kind, name).peekable();
        if covering.peek().is_none() {
            return self.allow_if_no_acl;
        }
        let applies = |b: &AclBinding| {
            (b.principal == principal || b.principal == "User:*")
                && (b.host == host || b.host == "*")
        };
        let mut allowed = false;
        for b in covering.filter(|b| applies(b)) {
            match b.permission {
                Permission::Deny if b.operation == op || b.operation == Operation::All => {
                    return false
                }
                Permission::Allow if grants(b.operation, op) => allowed = true,
                _ => {}
            }
        }
        allowed
    }

    /// Whether `principal` may perform `op` on at least one resource of type `kind` (Kafka's
    /// authorizeByResourceType): some ALLOW applies to it, or — when resources without ACLs are
    /// open — no DENY covers every name of the type.
    pub fn authorize_any(
        &self,
        principal: &str,
        host: &str,
        op: Operation,
        kind: ResourceType,
    ) -> bool {
        if self.super_users.iter().any(|s| s == principal) {
            return true;
        }
        let bindings = self.bindings.read().unwrap_or_else(|e| e.into_inner());
        let applies = |b: &&AclBinding| {
            b.resource_type == kind
                && (b.principal == principal || b.principal == "User:*")
                && (b.host == host || b.host == "*")
        };
        let denied_everywhere = bindings.all.iter().filter(applies).any(|b| {
            b.permission == Permission::Deny
                && (b.operation == op || b.operation == Operation::All)
                // Covering the empty name means covering every name: `*` or an empty prefix.
                && b.covers(kind, "")
        });
        if denied_everywhere {
            return false;
        }
        self.allow_if_no_acl
            || bindings
                .all
                .iter()
                .filter(applies)
                .any(|b| b.permission == Permission::Allow && grants(b.operation, op))
    }

    /// The bindings `filter` selects.
    pub fn describe(&self, filter: &AclFilter) -> Vec<AclBinding> {
        let bindings = self.bindings.read().unwrap_or_else(|e| e.into_inner());
        bindings
            .all
            .iter()
            .filter(|b| filter.matches(b))
            .cloned()
            .collect()
    }

    /// Add bindings (ones already present are kept once) and persist.
    pub fn create(&self, new: Vec<AclBinding>) -> Result<(), AclStoreError> {
        self.change(|set| set.extend(new))
    }

    /// Remove what each filter selects and persist; the removed bindings, per filter.
    pub fn delete(&self, filters: &[AclFilter]) -> Result<Vec<Vec<AclBinding>>, AclStoreError> {
        let mut removed = Vec::new();
        self.change(|set| {
            for f in filters {
                let hit: Vec<AclBinding> = set.iter().filter(|b| f.matches(b)).cloned().collect();
                for b in &hit {
                    set.remove(b);
                }
                removed.push(hit);
            }
        })?;
        Ok(removed)
    }

    fn change(&self, f: impl FnOnce(&mut BTreeSet<AclBinding>)) -> Result<(), AclStoreError> {
        let mut guard = self.bindings.write().unwrap_or_else(|e| e.into_inner());
        let mut next = guard.all.clone();
        f(&mut next);
        if let Some(p) = &self.path {
            save(p, &next)?;
        }
        *guard = Bindings::new(next);
        Ok(())
    }
}

/// Whether an ALLOW of `granted` permits `wanted`.
fn grants(granted: Operation, wanted: Operation) -> bool {
    use Operation::*;
    granted == wanted
        || granted == All
        || (wanted == Describe && matches!(granted, Read | Write | Delete | Alter))
        || (wanted == DescribeConfigs && granted == AlterConfigs)
}

/// The bindings in the ACL file (none when it does not exist yet).
fn load(p: &PathBuf) -> Result<BTreeSet<AclBinding>, AclStoreError> {
    match std::fs::read_to_string(p) {
        Ok(text) => {
            let file: AclFile = toml::from_str(&text)
                .map_err(|e| AclStoreError::Parse(p.clone(), e.to_string()))?;
            Ok(file.acl.into_iter().collect())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(AclStoreError::Io(p.clone(), e)),
    }
}

fn save(path: &Path, set: &BTreeSet<AclBinding>) -> Result<(), AclStoreError> {
    let io = |e| AclStoreError::Io(path.to_path_buf(), e);
    let file = AclFile {
        acl: set.iter().cloned().collect(),
    };
    let text = toml::to_string(&file)
        .map_err(|e| AclStoreError::Parse(path.to_path_buf(), e.to_string()))?;
    crate::persist::write_atomic(path, &text).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::model::PatternType;

    fn acl(
        kind: ResourceType,
        name: &str,
        pattern: PatternType,
        principal: &str,
        host: &str,
        op: Operation,
        perm: Permission,
    ) -> AclBinding {
        AclBinding {
            resource_type: kind,
            resource_name: name.into(),
            pattern_type: pattern,
            principal: principal.into(),
            host: host.into(),
            operation: op,
            permission: perm,
        }
    }

    fn topic(
        name: &str,
        pattern: PatternType,
        who: &str,
        op: Operation,
        perm: Permission,
    ) -> AclBinding {
        acl(ResourceType::Topic, name, pattern, who, "*", op, perm)
    }

    use Operation::*;
    use PatternType::{Literal, Prefixed};
    use Permission::{Allow, Deny};

    #[test]
    fn evaluation_follows_kafkas_rules() {
        let bindings = vec![
            topic("orders", Literal, "User:alice", Read, Allow),
            topic("orders", Literal, "User:bob", All, Allow),
            topic("orders", Literal, "User:bob", Write, Deny),
            topic("pay-", Prefixed, "User:carol", Write, Allow),
            topic("*", Literal, "User:dave", Describe, Allow),
            topic("pub", Literal, "User:*", Read, Allow),
            acl(
                ResourceType::Topic,
                "lan",
                Literal,
                "User:erin",
                "10.0.0.1",
                Read,
                Allow,
            ),
            acl(
                ResourceType::Group,
                "g",
                Literal,
                "User:alice",
                "*",
                Read,
                Allow,
            ),
            topic("locked", Literal, "User:root", Create, Allow),
        ];
        type Case = (
            &'static str,
            &'static str,
            Operation,
            ResourceType,
            &'static str,
            bool,
            bool,
        );
        // (principal, host, operation, resource type, name, allow_if_no_acl, expected)
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("User:alice", "1.2.3.4", Read, ResourceType::Topic, "orders", true, true),
            ("User:alice", "1.2.3.4", Write, ResourceType::Topic, "orders", true, false),
            // READ implies DESCRIBE.
            ("User:alice", "1.2.3.4", Describe, ResourceType::Topic, "orders", true, true),
            // Covered by ACLs, none for this principal: refused even though the default is open.
            ("User:zed", "1.2.3.4", Read, ResourceType::Topic, "orders", true, false),
            ("User:bob", "1.2.3.4", Read, ResourceType::Topic, "orders", true, true),
            // Deny beats allow (ALL).
            ("User:bob", "1.2.3.4", Write, ResourceType::Topic, "orders", true, false),
            ("User:carol", "1.2.3.4", Write, ResourceType::Topic, "pay-eu", true, true),
            // A prefix does not cover a shorter name (and `*` for dave covers "pay").
            ("User:carol", "1.2.3.4", Write, ResourceType::Topic, "pay", true, false),
            ("User:carol", "1.2.3.4", Read, ResourceType::Topic, "pay-eu", true, false),
            ("User:dave", "1.2.3.4", Describe, ResourceType::Topic, "anything", true, true),
            ("User:dave", "1.2.3.4", Read, ResourceType::Topic, "anything", true, false),
            ("User:anyone", "1.2.3.4", Read, ResourceType::Topic, "pub", true, true),
            ("User:erin", "10.0.0.1", Read, ResourceType::Topic, "lan", true, true),
            ("User:erin", "10.0.0.2", Read, ResourceType::Topic, "lan", true, false),
            ("User:alice", "1.2.3.4", Read, ResourceType::Group, "g", true, true),
            // No ACL covers the group: the default decides.
            ("User:alice", "1.2.3.4", Read, ResourceType::Group, "other", true, true),
            ("User:alice", "1.2.3.4", Read, ResourceType::Group, "other", false, false),
            // CREATE does not imply DESCRIBE.
            ("User:root", "1.2.3.4", Describe, ResourceType::Topic, "locked", true, false),
            // Super users pass whatever the ACLs and the default say.
            ("User:admin", "1.2.3.4", Write, ResourceType::Topic, "orders", true, true),
            ("User:admin", "1.2.3.4", Write, ResourceType::Topic, "orders", false, true),
        ];
        for &(who, host, op, kind, name, open, want) in cases {
            let a = Authorizer::open(None, vec!["User:admin".into()], open).unwrap();
            a.create(bindings.clone()).unwrap();
            assert_eq!(
                a.authorize(who, host, op, kind, name),
                want,
                "{who}@{host} {op:?} {kind:?}:{name} open={open}"
            );
        }
    }

    #[test]
    fn filters_select_as_describe_and_delete_expect() {
        let a = Authorizer::open(None, vec![], true).unwrap();
        let lit = topic("orders", Literal, "User:a", Read, Allow);
        let star = topic("*", Literal, "User:b", Read, Allow);
        let pre = topic("ord", Prefixed, "User:c", Write, Deny);
        let grp = acl(
            ResourceType::Group,
            "orders",
            Literal,
            "User:a",
            "*",
            Read,
            Allow,
        );
        a.create(vec![lit.clone(), star.clone(), pre.clone(), grp.clone()])
            .unwrap();
        let f = |kind: i8,
                 name: Option<&str>,
                 pattern: i8,
                 principal: Option<&str>,
                 op: i8,
                 perm: i8| {
            AclFilter::from_wire(kind, name, pattern, principal, None, op, perm).unwrap()
        };
        let sorted = |mut v: Vec<AclBinding>| {
            v.sort();
            v
        };
        let everything = f(1, None, 1, None, 1, 1);
        assert_eq!(a.describe(&everything).len(), 4);
        assert_eq!(
            sorted(a.describe(&f(2, Some("orders"), 2, None, 1, 1))),
            sorted(vec![lit.clone(), star.clone(), pre.clone()])
        );
        assert_eq!(
            a.describe(&f(2, Some("orders"), 1, None, 1, 1)),
            vec![lit.clone()]
        );
        assert_eq!(
            a.describe(&f(2, Some("ord"), 4, None, 1, 1)),
            vec![pre.clone()]
        );
        assert_eq!(a.describe(&f(2, Some("ord"), 3, None, 1, 1)), vec![]);
        assert_eq!(a.describe(&f(1, None, 1, Some("User:a"), 1, 1)).len(), 2);
        assert_eq!(a.describe(&f(1, None, 1, None, 1, 2)), vec![pre.clone()]);
        assert_eq!(a.describe(&f(1, None, 1, None, 4, 1)), vec![pre.clone()]);

        let removed = a
            .delete(&[f(3, None, 1, None, 1, 1), f(3, None, 1, None, 1, 1)])
            .unwrap();
        assert_eq!(removed, vec![vec![grp], vec![]]);
        assert_eq!(a.describe(&everything).len(), 3);
    }

    #[test]
    fn bindings_survive_a_restart_and_bad_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acls.toml");
        let a = Authorizer::open(Some(path.clone()), vec![], true).unwrap();
        let b = topic("orders", Literal, "User:a", Read, Allow);
        let c = topic("x", Prefixed, "User:b", Write, Deny);
        a.create(vec![b.clone(), c.clone()]).unwrap();
        a.delete(&[AclFilter::from_wire(2, Some("x"), 4, None, None, 1, 1).unwrap()])
            .unwrap();
        let again = Authorizer::open(Some(path.clone()), vec![], true).unwrap();
        let all = AclFilter::from_wire(1, None, 1, None, None, 1, 1).unwrap();
        assert_eq!(again.describe(&all), vec![b.clone()]);
        // Another instance's change is picked up by a reload.
        a.create(vec![c.clone()]).unwrap();
        assert!(again.reload().unwrap());
        assert_eq!(again.describe(&all).len(), 2);
        a.delete(&[AclFilter::from_wire(2, Some("x"), 4, None, None, 1, 1).unwrap()])
            .unwrap();
        again.reload().unwrap();
        assert_eq!(again.describe(&all), vec![b.clone()]);
        assert!(!again.authorize("User:z", "h", Read, ResourceType::Topic, "orders"));

        std::fs::write(&path, "acl = 3").unwrap();
        assert!(matches!(
            Authorizer::open(Some(path), vec![], true),
            Err(AclStoreError::Parse(..))
        ));
    }

    #[test]
    fn creation_is_checked_like_kafka() {
        use crate::acl::model::InvalidAcl;
        let ok = AclBinding::from_wire(2, "t", 3, "User:a", "*", 3, 3).unwrap();
        assert_eq!(ok.operation, Read);
        for (args, want) in [
            (
                (1, "t", 3, "User:a", 3, 3),
                InvalidAcl::FilterOnly("resource type", "ANY".into()),
            ),
            (
                (2, "t", 2, "User:a", 3, 3),
                InvalidAcl::FilterOnly("pattern type", "Match".into()),
            ),
            (
                (2, "t", 3, "alice", 3, 3),
                InvalidAcl::Principal("alice".into()),
            ),
            ((4, "c", 3, "User:a", 7, 3), InvalidAcl::ClusterName),
            (
                (3, "g", 3, "User:a", 4, 3),
                InvalidAcl::Unsupported(Write, ResourceType::Group),
            ),
            (
                (2, "t", 3, "User:a", 3, 9),
                InvalidAcl::UnknownCode("permission", 9),
            ),
            ((2, "", 3, "User:a", 3, 3), InvalidAcl::EmptyName),
        ] {
            let (k, n, p, who, op, perm) = args;
            assert_eq!(
                AclBinding::from_wire(k, n, p, who, "*", op, perm),
                Err(want)
            );
        }
    }
}
