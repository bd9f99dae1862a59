//! Kafka's ACL vocabulary: resource types, pattern types, operations and permissions with their
//! wire codes, the bindings the gateway stores, and the filters DescribeAcls and DeleteAcls match
//! them with.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:expr),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// The value from its wire code (`None` for codes Kafka does not define).
            pub fn from_code(code: i8) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The wire code.
            pub fn code(self) -> i8 {
                match self {
                    $($name::$variant => $code,)+
                }
            }
        }
    };
}

wire_enum! {
    /// What kind of thing an ACL protects.
    ResourceType {
        /// Filters only: any type.
        Any = 1,
        /// A topic.
        Topic = 2,
        /// A consumer group.
        Group = 3,
        /// The cluster (name `kafka-cluster`).
        Cluster = 4,
        /// A transactional id.
        TransactionalId = 5,
        /// A delegation token.
        DelegationToken = 6,
        /// A user (for token operations).
        User = 7,
    }
}

wire_enum! {
    /// How an ACL's resource name is matched.
    PatternType {
        /// Filters only: any pattern type with this exact name.
        Any = 1,
        /// Filters only: every pattern that applies to a resource of this name.
        Match = 2,
        /// The exact name, or `*` for every resource of the type.
        Literal = 3,
        /// Every resource whose name starts with the name.
        Prefixed = 4,
    }
}

wire_enum! {
    /// What a principal does to a resource.
    Operation {
        /// Filters only: any operation.
        Any = 1,
        /// Every operation.
        All = 2,
        /// Consume, commit offsets, join a group.
        Read = 3,
        /// Produce.
        Write = 4,
        /// Create topics.
        Create = 5,
        /// Delete topics, records or groups.
        Delete = 6,
        /// Add partitions; manage ACLs on the cluster.
        Alter = 7,
        /// See that a resource exists.
        Describe = 8,
        /// Inter-broker requests.
        ClusterAction = 9,
        /// Read configs.
        DescribeConfigs = 10,
        /// Change configs.
        AlterConfigs = 11,
        /// Produce idempotently.
        IdempotentWrite = 12,
        /// Create delegation tokens.
        CreateTokens = 13,
        /// Describe delegation tokens.
        DescribeTokens = 14,
        /// Two-phase commit of transactions.
        TwoPhaseCommit = 15,
    }
}

wire_enum! {
    /// Whether an ACL grants or refuses.
    Permission {
        /// Filters only: either.
        Any = 1,
        /// Refuse; beats any allow.
        Deny = 2,
        /// Grant.
        Allow = 3,
    }
}

/// The one cluster resource's name.
pub const CLUSTER_NAME: &str = "kafka-cluster";

/// One access control entry on a resource pattern, as CreateAcls adds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AclBinding {
    /// The kind of resource.
    pub resource_type: ResourceType,
    /// The resource name (or prefix, or `*`).
    pub resource_name: String,
    /// How the name is matched.
    pub pattern_type: PatternType,
    /// `User:NAME`, or `User:*` for everyone.
    pub principal: String,
    /// The client's IP address, or `*`.
    pub host: String,
    /// The operation granted or refused.
    pub operation: Operation,
    /// Allow or deny.
    pub permission: Permission,
}

/// Why a binding cannot be stored (answered as INVALID_REQUEST with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAcl {
    /// A code outside Kafka's tables.
    #[error("unknown {0} code {1}")]
    UnknownCode(&'static str, i8),
    /// ANY, MATCH and the like only make sense in filters.
    #[error("{0} {1} is only valid in a filter")]
    FilterOnly(&'static str, String),
    /// The principal is not `Type:name`.
    #[error("principal {0:?} is not of the form User:NAME")]
    Principal(String),
    /// The cluster resource is always called `kafka-cluster`.
    #[error("the cluster resource must be named kafka-cluster")]
    ClusterName,
    /// Empty names match nothing.
    #[error("resource name must not be empty")]
    EmptyName,
    /// Kafka only defines some operations on each resource type.
    #[error("operation {0:?} does not apply to resource type {1:?}")]
    Unsupported(Operation, ResourceType),
}

impl ResourceType {
    /// The operations an ACL on this type may name (ALL applies everywhere).
    pub fn supports(self, op: Operation) -> bool {
        use Operation::*;
        op == All
            || match self {
                ResourceType::Topic => matches!(
                    op,
                    Read | Write
                        | Create
                        | Describe
                        | Delete
                        | Alter
                        | DescribeConfigs
                        | AlterConfigs
                ),
                ResourceType::Group => matches!(op, Read | Describe | Delete),
                ResourceType::Cluster => matches!(
                    op,
                    Create
                        | ClusterAction
                        | DescribeConfigs
                        | AlterConfigs
                        | IdempotentWrite
                        | Alter
                        | Describe
                ),
                ResourceType::TransactionalId => matches!(op, Describe | Write | TwoPhaseCommit),
                ResourceType::DelegationToken => op == Describe,
                ResourceType::User => matches!(op, CreateTokens | DescribeTokens),
                ResourceType::Any => false,
            }
    }
}

fn code<T>(what: &'static str, c: i8, f: fn(i8) -> Option<T>) -> Result<T, InvalidAcl> {
    f(c).ok_or(InvalidAcl::UnknownCode(what, c))
}

impl AclBinding {
    /// A binding from CreateAcls' fields, checked the way Kafka checks them.
    #[allow(clippy::too_many_arguments)]
    pub fn from_wire(
        resource_type: i8,
        resource_name: &str,
        pattern_type: i8,
        principal: &str,
        host: &str,
        operation: i8,
        permission: i8,
    ) -> Result<Self, InvalidAcl> {
        let resource_type = code("resource type", resource_type, ResourceType::from_code)?;
        let pattern_type = code("pattern type", pattern_type, PatternType::from_code)?;
        let operation = code("operation", operation, Operation::from_code)?;
        let permission = code("permission", permission, Permission::from_code)?;
        if resource_type == ResourceType::Any {
            return Err(InvalidAcl::FilterOnly("resource type", "ANY".into()));
        }
        if matches!(pattern_type, PatternType::Any | PatternType::Match) {
            return Err(InvalidAcl::FilterOnly(
                "pattern type",
                format!("{pattern_type:?}"),
            ));
        }
        if operation == Operation::Any {
            return Err(InvalidAcl::FilterOnly("operation", "ANY".into()));
        }
        if permission == Permission::Any {
            return Err(InvalidAcl::FilterOnly("permission", "ANY".into()));
        }
        match principal.split_once(':') {
            Some((kind, name)) if !kind.is_empty() && !name.is_empty() => {}
            _ => return Err(InvalidAcl::Principal(principal.to_string())),
        }
        if resource_name.is_empty() {
            return Err(InvalidAcl::EmptyName);
        }
        if resource_type == ResourceType::Cluster && resource_name != CLUSTER_NAME {
            return Err(InvalidAcl::ClusterName);
        }
        if !resource_type.supports(operation) {
            return Err(InvalidAcl::Unsupported(operation, resource_type));
        }
        Ok(AclBinding {
            resource_type,
            resource_name: resource_name.to_string(),
            pattern_type,
            principal: principal.to_string(),
            host: if host.is_empty() {
                "*".into()
            } else {
                host.to_string()
            },
            operation,
            permission,
        })
    }

    /// Whether this binding's pattern covers the resource `name` of type `kind`.
    pub fn covers(&self, kind: ResourceType, name: &str) -> bool {
        self.resource_type == kind
            && match self.pattern_type {
                PatternType::Literal => self.resource_name == name || self.resource_name == "*",
                PatternType::Prefixed => name.starts_with(&self.resource_name),
                PatternType::Any | PatternType::Match => false,
            }
    }
}

/// What DescribeAcls and DeleteAcls select bindings with; `None` fields match anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclFilter {
    /// Resource type, or ANY.
    pub resource_type: ResourceType,
    /// Resource name, or any.
    pub resource_name: Option<String>,
    /// LITERAL, PREFIXED, ANY or MATCH.
    pub pattern_type: PatternType,
    /// Principal, or any.
    pub principal: Option<String>,
    /// Host, or any.
    pub host: Option<String>,
    /// Operation, or ANY.
    pub operation: Operation,
    /// Permission, or ANY.
    pub permission: Permission,
}

/// An [`AclFilter`] from a DescribeAcls request or a DeleteAcls filter: both carry the same
/// seven wire fields under the same names.
#[macro_export]
macro_rules! acl_filter {
    ($f:expr) => {
        $crate::acl::AclFilter::from_wire(
            $f.resource_type_filter,
            $f.resource_name_filter.as_deref(),
            $f.pattern_type_filter,
            $f.principal_filter.as_deref(),
            $f.host_filter.as_deref(),
            $f.operation,
            $f.permission_type,
        )
    };
}

impl AclFilter {
    /// A filter from the wire; unknown codes are refused.
    #[allow(clippy::too_many_arguments)]
    pub fn from_wire(
        resource_type: i8,
        resource_name: Option<&str>,
        pattern_type: i8,
        principal: Option<&str>,
        host: Option<&str>,
        operation: i8,
        permission: i8,
    ) -> Result<Self, InvalidAcl> {
        Ok(AclFilter {
            resource_type: code("resource type", resource_type, ResourceType::from_code)?,
            resource_name: resource_name.map(str::to_string),
            pattern_type: code("pattern type", pattern_type, PatternType::from_code)?,
            principal: principal.map(str::to_string),
            host: host.map(str::to_string),
            operation: code("operation", operation, Operation::from_code)?,
            permission: code("permission", permission, Permission::from_code)?,
        })
    }

    /// Whether `b` is selected.
    pub fn matches(&self, b: &AclBinding) -> bool {
        let eq = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        (self.resource_type == ResourceType::Any || self.resource_type == b.resource_type)
            && self.pattern_matches(b)
            && eq(&self.principal, &b.principal)
            && eq(&self.host, &b.host)
            && (self.operation == Operation::Any || self.operation == b.operation)
            && (self.permission == Permission::Any || self.permission == b.permission)
    }

    fn pattern_matches(&self, b: &AclBinding) -> bool {
        let Some(name) = &self.resource_name else {
            return matches!(self.pattern_type, PatternType::Any | PatternType::Match)
                || self.pattern_type == b.pattern_type;
        };
        match self.pattern_type {
            PatternType::Any => &b.resource_name == name,
            PatternType::Match => b.covers(b.resource_type, name),
            exact => b.pattern_type == exact && &b.resource_name == name,
        }
    }
}
