//! One consumer group's state machine (see the module docs of [`super`]).

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use kafka_wire::ErrorCode;

use super::{Completion, JoinReply, JoinRequest, Settings, Step, SyncReply, SyncRequest, Token};

/// Group states, as Kafka names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No members.
    Empty,
    /// Waiting for members to (re)join.
    PreparingRebalance,
    /// Waiting for the leader's assignment.
    CompletingRebalance,
    /// Assignment delivered; members heartbeat.
    Stable,
    /// Deleted.
    Dead,
}

impl State {
    /// Kafka's name for the state.
    pub fn name(self) -> &'static str {
        match self {
            State::Empty => "Empty",
            State::PreparingRebalance => "PreparingRebalance",
            State::CompletingRebalance => "CompletingRebalance",
            State::Stable => "Stable",
            State::Dead => "Dead",
        }
    }
}

/// A group member.
#[derive(Debug, Clone)]
pub struct Member {
    /// Member id.
    pub id: String,
    /// Static membership id.
    pub instance_id: Option<String>,
    /// Client id.
    pub client_id: String,
    /// Client host.
    pub client_host: String,
    /// Session timeout.
    pub session_timeout_ms: i64,
    /// Rebalance timeout.
    pub rebalance_timeout_ms: i64,
    /// Protocols with metadata, in preference order.
    pub protocols: Vec<(String, Bytes)>,
    /// Current assignment.
    pub assignment: Bytes,
    join_token: Option<Token>,
    sync_token: Option<Token>,
    deadline: i64,
}

impl Member {
    /// Metadata for `protocol`.
    pub fn metadata(&self, protocol: &str) -> Bytes {
        self.protocols
            .iter()
            .find(|(p, _)| p == protocol)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

/// One group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Group id.
    pub id: String,
    /// State.
    pub state: State,
    /// Generation id.
    pub generation: i32,
    /// Protocol type of the members.
    pub protocol_type: Option<String>,
    /// Selected protocol.
    pub protocol: Option<String>,
    /// Leader's member id.
    pub leader: Option<String>,
    members: BTreeMap<String, Member>,
    join_order: Vec<String>,
    pending: HashMap<String, i64>,
    rebalance_deadline: i64,
    initial_delay_until: Option<i64>,
}

fn join_error(error: ErrorCode, member_id: &str) -> Step<JoinReply> {
    Step {
        reply: Some(JoinReply {
            error,
            member_id: member_id.to_string(),
            generation: -1,
            ..Default::default()
        }),
        completed: Vec::new(),
    }
}

fn sync_error(error: ErrorCode) -> Step<SyncReply> {
    Step {
        reply: Some(SyncReply {
            error,
            ..Default::default()
        }),
        completed: Vec::new(),
    }
}

impl Group {
    /// A new, empty group.
    pub fn new(id: &str) -> Self {
        Group {
            id: id.to_string(),
            state: State::Empty,
            generation: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            join_order: Vec::new(),
            pending: HashMap::new(),
            rebalance_deadline: 0,
            initial_delay_until: None,
        }
    }

    /// Members, by id.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// Whether any member is in the group.
    pub fn has_members(&self) -> bool {
        !self.members.is_empty()
    }

    /// Whether a static member with this instance id is in the group.
    pub fn has_instance(&self, instance: &str) -> bool {
        self.members
            .values()
            .any(|m| m.instance_id.as_deref() == Some(instance))
    }

    fn member_of_instance(&self, instance: &str) -> Option<String> {
        self.members
            .values()
            .find(|m| m.instance_id.as_deref() == Some(instance))
            .map(|m| m.id.clone())
    }

    /// FENCED_INSTANCE_ID when `instance` belongs to another member id.
    fn fenced(&self, member_id: &str, instance: Option<&str>) -> bool {
        instance
            .and_then(|i| self.member_of_instance(i))
            .is_some_and(|owner| owner != member_id)
    }

    fn supports(&self, req: &JoinRequest) -> bool {
        if self.members.is_empty() {
            return true;
        }
        if self.protocol_type.as_deref() != Some(req.protocol_type.as_str()) {
            return false;
        }
        req.protocols.iter().any(|(p, _)| {
            self.members
                .values()
                .all(|m| m.protocols.iter().any(|(q, _)| q == p))
        })
    }

    /// Handle a JoinGroup (`new_id` is the id to hand a member that has none).
    pub fn join(
        &mut self,
        token: Token,
        req: JoinRequest,
        new_id: Option<String>,
        now: i64,
        settings: &Settings,
    ) -> Step<JoinReply> {
        if self.state == State::Dead {
            *self = Group::new(&self.id);
        }
        let known = self.members.contains_key(&req.member_id);
        if !known && !self.supports(&req) {
            return join_error(ErrorCode::INCONSISTENT_GROUP_PROTOCOL, &req.member_id);
        }
        let mut completed = Vec::new();
        let mut static_return = false;
        let member_id = match (req.member_id.is_empty(), &req.instance_id) {
            (true, Some(instance)) => {
                let id = new_id.unwrap_or_default();
                if let Some(old) = self.member_of_instance(instance) {
                    static_return = true;
                    // A static member restarted: it takes its old place under a new id.
                    if let Some(mut m) = self.members.remove(&old) {
                        m.id = id.clone();
                        self.members.insert(id.clone(), m);
                    }
                    for j in &mut self.join_order {
                        if *j == old {
                            *j = id.clone();
                        }
                    }
                    if self.leader.as_deref() == Some(old.as_str()) {
                        self.leader = Some(id.clone());
                    }
                }
                id
            }
            (true, None) => {
                let id = new_id.unwrap_or_default();
                if req.require_known_member_id {
                    self.pending
                        .insert(id.clone(), now + req.session_timeout_ms);
                    return join_error(ErrorCode::MEMBER_ID_REQUIRED, &id);
                }
                id
            }
            (false, _) => {
                if self.fenced(&req.member_id, req.instance_id.as_deref()) {
                    return join_error(ErrorCode::FENCED_INSTANCE_ID, &req.member_id);
                }
                if !known && self.pending.remove(&req.member_id).is_none() {
                    return join_error(ErrorCode::UNKNOWN_MEMBER_ID, &req.member_id);
                }
                req.member_id.clone()
            }
        };
        // A returning static member's metadata naturally differs (a restarted consumer owns
        // nothing yet); like Kafka, only a change of the group's selected protocol counts.
        let unchanged = if static_return {
            self.protocol
                .as_ref()
                .is_some_and(|p| req.protocols.iter().any(|(q, _)| q == p))
        } else {
            self.members
                .get(&member_id)
                .is_some_and(|m| m.protocols == req.protocols)
        };
        let is_leader = self.leader.as_deref() == Some(member_id.as_str());
        let m = self
            .members
            .entry(member_id.clone())
            .or_insert_with(|| Member {
                id: member_id.clone(),
                instance_id: req.instance_id.clone(),
                client_id: req.client_id.clone(),
                client_host: req.client_host.clone(),
                session_timeout_ms: req.session_timeout_ms,
                rebalance_timeout_ms: req.rebalance_timeout_ms,
                protocols: Vec::new(),
                assignment: Bytes::new(),
                join_token: None,
                sync_token: None,
                deadline: now + req.session_timeout_ms,
            });
        m.protocols = req.protocols.clone();
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.deadline = now + req.session_timeout_ms;
        if !self.join_order.contains(&member_id) {
            self.join_order.push(member_id.clone());
        }
        self.protocol_type = Some(req.protocol_type.clone());
        if self.state == State::Stable && unchanged && (!is_leader || static_return) {
            // Nothing changed for a follower, or a static member came back under a new id: tell
            // it the current generation again; a returning leader keeps the assignment that
            // stands (as Kafka does, so the other members see no rebalance).
            let mut reply = self.join_reply(&member_id);
            reply.skip_assignment = is_leader;
            return Step {
                reply: Some(reply),
                completed,
            };
        }
        if let Some(m) = self.members.get_mut(&member_id) {
            m.join_token = Some(token);
        }
        match self.state {
            State::Empty | State::Dead => {
                self.prepare_rebalance(now, &mut completed);
                let until = now
                    + settings
                        .initial_rebalance_delay_ms
                        .min(req.rebalance_timeout_ms);
                self.initial_delay_until = Some(until);
            }
            State::Stable | State::CompletingRebalance => {
                self.prepare_rebalance(now, &mut completed)
            }
            State::PreparingRebalance => {
                if let Some(until) = self.initial_delay_until {
                    // Each new joiner during the initial delay extends it, up to the rebalance timeout.
                    let extended =
                        (now + settings.initial_rebalance_delay_ms).min(self.rebalance_deadline);
                    self.initial_delay_until = Some(until.max(extended));
                }
            }
        }
        self.maybe_complete_join(now, &mut completed);
        let reply = completed
            .iter()
            .position(|c| matches!(c, Completion::Join(t, _) if *t == token))
            .map(|i| match completed.remove(i) {
                Completion::Join(_, r) => r,
                Completion::Sync(..) => JoinReply::default(),
            });
        Step { reply, completed }
    }

    fn join_reply(&self, member_id: &str) -> JoinReply {
        let protocol = self.protocol.clone().unwrap_or_default();
        let leader = self.leader.clone().unwrap_or_default();
        let members = if leader == member_id {
            self.join_order
                .iter()
                .filter_map(|id| self.members.get(id))
                .map(|m| (m.id.clone(), m.instance_id.clone(), m.metadata(&protocol)))
                .collect()
        } else {
            Vec::new()
        };
        JoinReply {
            error: ErrorCode::NONE,
            generation: self.generation,
            protocol_type: self.protocol_type.clone(),
            protocol_name: self.protocol.clone(),
            leader,
            member_id: member_id.to_string(),
            members,
            skip_assignment: false,
        }
    }

    fn prepare_rebalance(&mut self, now: i64, completed: &mut Vec<Completion>) {
        // Members waiting for an assignment must rejoin instead.
        for m in self.members.values_mut() {
            if let Some(t) = m.sync_token.take() {
                completed.push(Completion::Sync(
                    t,
                    SyncReply {
                        error: ErrorCode::REBALANCE_IN_PROGRESS,
                        ..Default::default()
                    },
                ));
            }
        }
        let timeout = self
            .members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0);
        self.state = State::PreparingRebalance;
        self.rebalance_deadline = now + timeout;
        self.initial_delay_until = None;
    }

    fn maybe_complete_join(&mut self, now: i64, completed: &mut Vec<Completion>) {
        if self.state != State::PreparingRebalance {
            return;
        }
        let all_joined = self.members.values().all(|m| m.join_token.is_some());
        let delay_over = self.initial_delay_until.is_none_or(|t| now >= t);
        if (all_joined && delay_over) || now >= self.rebalance_deadline {
            self.complete_join(now, completed);
        }
    }

    fn select_protocol(&self) -> Option<String> {
        // Candidates in the first-joined member's order, so ties break the same way every time.
        let first = self
            .join_order
            .first()
            .and_then(|id| self.members.get(id))?;
        let common: Vec<&String> = first
            .protocols
            .iter()
            .map(|(p, _)| p)
            .filter(|p| {
                self.members
                    .values()
                    .all(|m| m.protocols.iter().any(|(q, _)| q == *p))
            })
            .collect();
        let mut votes: Vec<(usize, &String)> = common.iter().map(|p| (0, *p)).collect();
        for m in self.members.values() {
            if let Some((_, first)) = m.protocols.iter().find(|(p, _)| common.contains(&p)) {
                if let Some(v) = votes.iter_mut().find(|(_, p)| *p == first) {
                    v.0 += 1;
                }
            }
        }
        let best = votes.iter().map(|v| v.0).max()?;
        votes
            .into_iter()
            .find(|v| v.0 == best)
            .map(|(_, p)| p.clone())
    }

    fn complete_join(&mut self, now: i64, completed: &mut Vec<Completion>) {
        let gone: Vec<String> = self
            .members
            .values()
            .filter(|m| m.join_token.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in gone {
            self.remove(&id);
        }
        self.generation += 1;
        self.initial_delay_until = None;
        if self.members.is_empty() {
            self.state = State::Empty;
            self.protocol = None;
            self.leader = None;
            return;
        }
        self.protocol = self.select_protocol();
        if self
            .leader
            .as_ref()
            .is_none_or(|l| !self.members.contains_key(l))
        {
            self.leader = self.join_order.first().cloned();
        }
        self.state = State::CompletingRebalance;
        let ids: Vec<String> = self.members.keys().cloned().collect();
        for id in ids {
            let reply = self.join_reply(&id);
            if let Some(m) = self.members.get_mut(&id) {
                m.deadline = now + m.session_timeout_ms;
                m.assignment = Bytes::new();
                if let Some(t) = m.join_token.take() {
                    completed.push(Completion::Join(t, reply));
                }
            }
        }
    }

    fn remove(&mut self, id: &str) {
        self.members.remove(id);
        self.join_order.retain(|j| j != id);
        if self.leader.as_deref() == Some(id) {
            self.leader = None;
        }
    }

    /// Handle a SyncGroup.
    pub fn sync(&mut self, token: Token, req: SyncRequest, now: i64) -> Step<SyncReply> {
        if !self.members.contains_key(&req.member_id) {
            return sync_error(ErrorCode::UNKNOWN_MEMBER_ID);
        }
        if self.fenced(&req.member_id, req.instance_id.as_deref()) {
            return sync_error(ErrorCode::FENCED_INSTANCE_ID);
        }
        if req.generation != self.generation {
            return sync_error(ErrorCode::ILLEGAL_GENERATION);
        }
        let mismatch =
            |given: &Option<String>, ours: &Option<String>| given.is_some() && given != ours;
        if mismatch(&req.protocol_type, &self.protocol_type)
            || mismatch(&req.protocol_name, &self.protocol)
        {
            return sync_error(ErrorCode::INCONSISTENT_GROUP_PROTOCOL);
        }
        if let Some(m) = self.members.get_mut(&req.member_id) {
            m.deadline = now + m.session_timeout_ms;
        }
        match self.state {
            State::PreparingRebalance => sync_error(ErrorCode::REBALANCE_IN_PROGRESS),
            State::Empty | State::Dead => sync_error(ErrorCode::UNKNOWN_MEMBER_ID),
            State::Stable => Step {
                reply: Some(self.sync_reply(&req.member_id)),
                completed: Vec::new(),
            },
            State::CompletingRebalance => {
                if let Some(m) = self.members.get_mut(&req.member_id) {
                    m.sync_token = Some(token);
                }
                if self.leader.as_deref() != Some(req.member_id.as_str()) {
                    return Step {
                        reply: None,
                        completed: Vec::new(),
                    };
                }
                // The leader's assignment: every member gets its part (empty if none given).
                for m in self.members.values_mut() {
                    m.assignment = req
                        .assignments
                        .iter()
                        .find(|(id, _)| *id == m.id)
                        .map(|(_, a)| a.clone())
                        .unwrap_or_default();
                }
                self.state = State::Stable;
                let mut completed = Vec::new();
                let mut reply = None;
                let ids: Vec<String> = self.members.keys().cloned().collect();
                for id in ids {
                    let r = self.sync_reply(&id);
                    if let Some(t) = self.members.get_mut(&id).and_then(|m| m.sync_token.take()) {
                        if t == token {
                            reply = Some(r);
                        } else {
                            completed.push(Completion::Sync(t, r));
                        }
                    }
                }
                Step { reply, completed }
            }
        }
    }

    fn sync_reply(&self, member_id: &str) -> SyncReply {
        SyncReply {
            error: ErrorCode::NONE,
            protocol_type: self.protocol_type.clone(),
            protocol_name: self.protocol.clone(),
            assignment: self
                .members
                .get(member_id)
                .map(|m| m.assignment.clone())
                .unwrap_or_default(),
        }
    }

    /// Handle a Heartbeat.
    pub fn heartbeat(
        &mut self,
        member_id: &str,
        instance: Option<&str>,
        generation: i32,
        now: i64,
    ) -> ErrorCode {
        if self.fenced(member_id, instance) {
            return ErrorCode::FENCED_INSTANCE_ID;
        }
        let state = self.state;
        let gen = self.generation;
        let Some(m) = self.members.get_mut(member_id) else {
            return ErrorCode::UNKNOWN_MEMBER_ID;
        };
        if matches!(state, State::Empty | State::Dead) {
            return ErrorCode::UNKNOWN_MEMBER_ID;
        }
        m.deadline = now + m.session_timeout_ms;
        if state == State::PreparingRebalance {
            return ErrorCode::REBALANCE_IN_PROGRESS;
        }
        if generation != gen {
            return ErrorCode::ILLEGAL_GENERATION;
        }
        ErrorCode::NONE
    }

    /// Handle one member's LeaveGroup.
    pub fn leave(
        &mut self,
        member_id: &str,
        instance: Option<&str>,
        now: i64,
        completed: &mut Vec<Completion>,
    ) -> ErrorCode {
        let id = match (member_id.is_empty(), instance) {
            (true, Some(i)) => match self.member_of_instance(i) {
                Some(id) => id,
                None => return ErrorCode::UNKNOWN_MEMBER_ID,
            },
            _ => member_id.to_string(),
        };
        if self.fenced(&id, instance) {
            return ErrorCode::FENCED_INSTANCE_ID;
        }
        let Some(m) = self.members.get(&id) else {
            return ErrorCode::UNKNOWN_MEMBER_ID;
        };
        if let Some(t) = m.join_token {
            completed.push(Completion::Join(
                t,
                JoinReply {
                    error: ErrorCode::UNKNOWN_MEMBER_ID,
                    generation: -1,
                    member_id: id.clone(),
                    ..Default::default()
                },
            ));
        }
        if let Some(t) = m.sync_token {
            completed.push(Completion::Sync(
                t,
                SyncReply {
                    error: ErrorCode::UNKNOWN_MEMBER_ID,
                    ..Default::default()
                },
            ));
        }
        self.remove(&id);
        self.after_departure(now, completed);
        ErrorCode::NONE
    }

    fn after_departure(&mut self, now: i64, completed: &mut Vec<Completion>) {
        match self.state {
            State::Stable | State::CompletingRebalance => {
                if self.members.is_empty() {
                    self.state = State::Empty;
                    self.generation += 1;
                    self.protocol = None;
                    self.leader = None;
                } else {
                    self.prepare_rebalance(now, completed);
                }
            }
            State::PreparingRebalance => self.maybe_complete_join(now, completed),
            State::Empty | State::Dead => {}
        }
    }

    /// Expire silent members and pending ids, and finish a rebalance whose time is up.
    pub fn tick(&mut self, now: i64, completed: &mut Vec<Completion>) {
        self.pending.retain(|_, expiry| *expiry > now);
        let expired: Vec<String> = self
            .members
            .values()
            .filter(|m| m.deadline <= now && m.join_token.is_none() && m.sync_token.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in expired {
            self.remove(&id);
            self.after_departure(now, completed);
        }
        self.maybe_complete_join(now, completed);
    }

    /// Whether `member_id` at `generation` may commit offsets.
    pub fn check_commit(&self, member_id: &str, generation: i32) -> ErrorCode {
        if generation < 0 && member_id.is_empty() {
            // Consumers that assign partitions themselves commit with generation -1.
            return if self.members.is_empty() {
                ErrorCode::NONE
            } else {
                ErrorCode::UNKNOWN_MEMBER_ID
            };
        }
        if !self.members.contains_key(member_id) {
            return ErrorCode::UNKNOWN_MEMBER_ID;
        }
        if generation != self.generation {
            return ErrorCode::ILLEGAL_GENERATION;
        }
        if self.state == State::CompletingRebalance {
            return ErrorCode::REBALANCE_IN_PROGRESS;
        }
        ErrorCode::NONE
    }
}
