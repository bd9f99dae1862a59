//! Authorization: Kafka-style ACLs, their store, and the per-request view handlers ask.

pub mod authorizer;
pub mod index;
pub mod model;

pub use authorizer::{AclStoreError, Authorizer};
pub use model::{
    AclBinding, AclFilter, InvalidAcl, Operation, PatternType, Permission, ResourceType,
};

/// Who is asking, from where, checked against which ACLs: what a handler needs to decide.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    authorizer: &'a Authorizer,
    principal: &'a str,
    host: &'a str,
}

impl<'a> Access<'a> {
    /// The view for `principal` (`User:NAME`) connected from `host`.
    pub fn new(authorizer: &'a Authorizer, principal: &'a str, host: &'a str) -> Self {
        Access {
            authorizer,
            principal,
            host,
        }
    }

    /// Whether `op` on topic `name` is allowed.
    pub fn topic(&self, op: Operation, name: &str) -> bool {
        self.authorizer
            .authorize(self.principal, self.host, op, ResourceType::Topic, name)
    }

    /// Whether `op` on group `name` is allowed.
    pub fn group(&self, op: Operation, name: &str) -> bool {
        self.authorizer
            .authorize(self.principal, self.host, op, ResourceType::Group, name)
    }

    /// Whether `op` on the cluster is allowed.
    pub fn cluster(&self, op: Operation) -> bool {
        self.authorizer.authorize(
            self.principal,
            self.host,
            op,
            ResourceType::Cluster,
            model::CLUSTER_NAME,
        )
    }

    /// Whether `op` on transactional id `name` is allowed.
    pub fn transactional_id(&self, op: Operation, name: &str) -> bool {
        self.authorizer.authorize(
            self.principal,
            self.host,
            op,
            ResourceType::TransactionalId,
            name,
        )
    }

    /// Kafka's `authorized_operations` bit field for a resource: bit `code` set for every
    /// operation on it that is allowed.
    pub fn authorized_operations(&self, kind: ResourceType, name: &str) -> i32 {
        (3..=15)
            .filter_map(Operation::from_code)
            .filter(|&op| kind.supports(op))
            .filter(|&op| {
                self.authorizer
                    .authorize(self.principal, self.host, op, kind, name)
            })
            .fold(0, |bits, op| bits | 1 << op.code())
    }

    /// Whether some topic may be written (what an idempotent producer needs without
    /// IDEMPOTENT_WRITE on the cluster).
    pub fn may_write_some_topic(&self) -> bool {
        self.authorizer.authorize_any(
            self.principal,
            self.host,
            Operation::Write,
            ResourceType::Topic,
        )
    }

    /// The ACL store (for the ACL APIs).
    pub fn authorizer(&self) -> &'a Authorizer {
        self.authorizer
    }
}
