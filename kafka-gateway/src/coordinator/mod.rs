//! The classic consumer-group coordinator, sans-IO: every call takes `now` (milliseconds) and
//! returns what to answer, and calls that must wait (JoinGroup during a rebalance, SyncGroup
//! before the leader's assignment) are identified by a [`Token`] and completed later through
//! [`Completion`]s. The gateway parks the waiting requests and drives [`Coordinator::tick`];
//! nothing here reads a clock or touches a socket, so the tests run on a virtual clock.
//!
//! States follow Kafka's: Empty → PreparingRebalance → CompletingRebalance → Stable, and Dead
//! once deleted. A rebalance completes when every known member has rejoined or the rebalance
//! timeout passes (stragglers are removed); a new group waits an initial delay so a burst of
//! joiners lands in one generation. Members that stop heartbeating expire after their session
//! timeout. Static members (group.instance.id) keep their place across restarts.

mod group;

pub use group::{Group, Member, State};

use std::collections::HashMap;

use bytes::Bytes;
use kafka_wire::ErrorCode;

/// Identifies a parked request so its answer can be delivered later.
pub type Token = u64;

/// A JoinGroup, in domain terms.
#[derive(Debug, Clone, Default)]
pub struct JoinRequest {
    /// Group id.
    pub group: String,
    /// Member id ("" for a new member).
    pub member_id: String,
    /// Static membership id.
    pub instance_id: Option<String>,
    /// Protocol type ("consumer" for consumers).
    pub protocol_type: String,
    /// Supported protocols (assignors) in preference order, with their metadata.
    pub protocols: Vec<(String, Bytes)>,
    /// Session timeout.
    pub session_timeout_ms: i64,
    /// Rebalance timeout.
    pub rebalance_timeout_ms: i64,
    /// Client id, for DescribeGroups.
    pub client_id: String,
    /// Client host, for DescribeGroups.
    pub client_host: String,
    /// JoinGroup v4+: a new member must first be handed an id (MEMBER_ID_REQUIRED).
    pub require_known_member_id: bool,
}

/// The answer to a JoinGroup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinReply {
    /// Error code.
    pub error: ErrorCode,
    /// Generation id.
    pub generation: i32,
    /// Protocol type.
    pub protocol_type: Option<String>,
    /// Selected protocol.
    pub protocol_name: Option<String>,
    /// Leader's member id.
    pub leader: String,
    /// This member's id.
    pub member_id: String,
    /// All members with their metadata (leader only).
    pub members: Vec<(String, Option<String>, Bytes)>,
    /// The leader must not assign again: a static leader came back to a stable group, whose
    /// assignment stands (JoinGroup v9+ says so; older leaders' assignments are ignored).
    pub skip_assignment: bool,
}

/// A SyncGroup, in domain terms.
#[derive(Debug, Clone, Default)]
pub struct SyncRequest {
    /// Group id.
    pub group: String,
    /// Member id.
    pub member_id: String,
    /// Static membership id.
    pub instance_id: Option<String>,
    /// Generation the member believes in.
    pub generation: i32,
    /// Protocol type (v5+), checked when given.
    pub protocol_type: Option<String>,
    /// Protocol name (v5+), checked when given.
    pub protocol_name: Option<String>,
    /// The leader's assignment per member.
    pub assignments: Vec<(String, Bytes)>,
}

/// The answer to a SyncGroup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReply {
    /// Error code.
    pub error: ErrorCode,
    /// Protocol type.
    pub protocol_type: Option<String>,
    /// Protocol name.
    pub protocol_name: Option<String>,
    /// This member's assignment (always present, possibly empty).
    pub assignment: Bytes,
}

/// A parked request answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// A JoinGroup.
    Join(Token, JoinReply),
    /// A SyncGroup.
    Sync(Token, SyncReply),
}

/// What a call produced: an immediate answer (or none, when parked) plus parked calls completed.
#[derive(Debug, Default)]
pub struct Step<R> {
    /// The answer now, or `None` when the call is parked under its token.
    pub reply: Option<R>,
    /// Other parked calls this one completed.
    pub completed: Vec<Completion>,
}

/// Coordinator settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Delay before the first rebalance of an empty group completes.
    pub initial_rebalance_delay_ms: i64,
    /// Smallest session timeout accepted.
    pub min_session_timeout_ms: i64,
    /// Largest session timeout accepted.
    pub max_session_timeout_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            initial_rebalance_delay_ms: 3000,
            min_session_timeout_ms: 6000,
            max_session_timeout_ms: 1_800_000,
        }
    }
}

/// All groups of this node.
#[derive(Debug, Default)]
pub struct Coordinator {
    groups: HashMap<String, Group>,
    settings: Settings,
}

impl Coordinator {
    /// A coordinator with these settings.
    pub fn new(settings: Settings) -> Self {
        Coordinator {
            groups: HashMap::new(),
            settings,
        }
    }

    fn new_member_id(client_id: &str) -> String {
        format!("{client_id}-{}", uuid::Uuid::new_v4())
    }

    /// Handle a JoinGroup.
    pub fn join(&mut self, token: Token, req: JoinRequest, now: i64) -> Step<JoinReply> {
        let fail = |error: ErrorCode, member_id: String| Step {
            reply: Some(JoinReply {
                error,
                member_id,
                generation: -1,
                ..Default::default()
            }),
            completed: Vec::new(),
        };
        if req.group.is_empty() {
            return fail(ErrorCode::INVALID_GROUP_ID, req.member_id);
        }
        if req.session_timeout_ms < self.settings.min_session_timeout_ms
            || req.session_timeout_ms > self.settings.max_session_timeout_ms
        {
            return fail(ErrorCode::INVALID_SESSION_TIMEOUT, req.member_id);
        }
        if req.protocol_type.is_empty() || req.protocols.is_empty() {
            return fail(ErrorCode::INCONSISTENT_GROUP_PROTOCOL, req.member_id);
        }
        let new_id = req
            .member_id
            .is_empty()
            .then(|| Self::new_member_id(&req.client_id));
        let settings = self.settings;
        let group = self
            .groups
            .entry(req.group.clone())
            .or_insert_with(|| Group::new(&req.group));
        group.join(token, req, new_id, now, &settings)
    }

    /// Handle a SyncGroup.
    pub fn sync(&mut self, token: Token, req: SyncRequest, now: i64) -> Step<SyncReply> {
        match self.groups.get_mut(&req.group) {
            Some(g) => g.sync(token, req, now),
            None => Step {
                reply: Some(SyncReply {
                    error: ErrorCode::UNKNOWN_MEMBER_ID,
                    ..Default::default()
                }),
                completed: Vec::new(),
            },
        }
    }

    /// Handle a Heartbeat.
    pub fn heartbeat(
        &mut self,
        group: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        now: i64,
    ) -> ErrorCode {
        match self.groups.get_mut(group) {
            Some(g) => g.heartbeat(member_id, instance_id, generation, now),
            None => ErrorCode::UNKNOWN_MEMBER_ID,
        }
    }

    /// Handle a LeaveGroup for each (member id, instance id); returns an error per member.
    pub fn leave(
        &mut self,
        group: &str,
        members: &[(String, Option<String>)],
        now: i64,
    ) -> (ErrorCode, Vec<ErrorCode>, Vec<Completion>) {
        match self.groups.get_mut(group) {
            Some(g) => {
                let mut completed = Vec::new();
                let errors = members
                    .iter()
                    .map(|(m, i)| g.leave(m, i.as_deref(), now, &mut completed))
                    .collect();
                (ErrorCode::NONE, errors, completed)
            }
            None => (
                ErrorCode::NONE,
                members
                    .iter()
                    .map(|_| ErrorCode::UNKNOWN_MEMBER_ID)
                    .collect(),
                Vec::new(),
            ),
        }
    }

    /// Advance time: expire silent members, finish rebalances whose time is up.
    pub fn tick(&mut self, now: i64) -> Vec<Completion> {
        let mut out = Vec::new();
        for g in self.groups.values_mut() {
            g.tick(now, &mut out);
        }
        out
    }

    /// Check a member's right to commit offsets for `group` at `generation`.
    pub fn check_commit(&self, group: &str, member_id: &str, generation: i32) -> ErrorCode {
        match self.groups.get(group) {
            // As Kafka 4's coordinator: a member of a group that does not exist is unknown.
            None if generation < 0 && member_id.is_empty() => ErrorCode::NONE,
            None if !member_id.is_empty() => ErrorCode::UNKNOWN_MEMBER_ID,
            None => ErrorCode::ILLEGAL_GENERATION,
            Some(g) => g.check_commit(member_id, generation),
        }
    }

    /// A group, if it exists.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Every group.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// Delete an empty group; NON_EMPTY_GROUP when it has members.
    pub fn delete(&mut self, id: &str) -> ErrorCode {
        match self.groups.get(id) {
            Some(g) if g.has_members() => ErrorCode::NON_EMPTY_GROUP,
            Some(_) => {
                self.groups.remove(id);
                ErrorCode::NONE
            }
            None => ErrorCode::GROUP_ID_NOT_FOUND,
        }
    }
}
