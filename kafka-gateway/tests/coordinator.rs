//! The group coordinator on a virtual clock: no sockets, no sleeps; time is a number.

use bytes::Bytes;
use kafka_gateway::coordinator::{
    Completion, Coordinator, JoinReply, JoinRequest, Settings, State, SyncReply, SyncRequest,
};
use kafka_wire::ErrorCode;

const DELAY: i64 = 3000;

fn coord() -> Coordinator {
    Coordinator::new(Settings {
        initial_rebalance_delay_ms: DELAY,
        ..Settings::default()
    })
}

fn join_req(member: &str, instance: Option<&str>, protocols: &[&str]) -> JoinRequest {
    JoinRequest {
        group: "g".into(),
        member_id: member.into(),
        instance_id: instance.map(Into::into),
        protocol_type: "consumer".into(),
        protocols: protocols
            .iter()
            .map(|p| (p.to_string(), Bytes::from(format!("meta-{member}-{p}"))))
            .collect(),
        session_timeout_ms: 10_000,
        rebalance_timeout_ms: 30_000,
        client_id: "c".into(),
        client_host: "/127.0.0.1".into(),
        require_known_member_id: true,
    }
}

fn joins(done: &[Completion]) -> Vec<(u64, JoinReply)> {
    done.iter()
        .filter_map(|c| match c {
            Completion::Join(t, r) => Some((*t, r.clone())),
            _ => None,
        })
        .collect()
}

fn syncs(done: &[Completion]) -> Vec<(u64, SyncReply)> {
    done.iter()
        .filter_map(|c| match c {
            Completion::Sync(t, r) => Some((*t, r.clone())),
            _ => None,
        })
        .collect()
}

/// The v4+ handshake: a first join gets MEMBER_ID_REQUIRED and an id to rejoin with.
fn member_id(c: &mut Coordinator, token: u64, now: i64) -> String {
    let step = c.join(token, join_req("", None, &["range", "roundrobin"]), now);
    let r = step.reply.unwrap();
    assert_eq!(r.error, ErrorCode::MEMBER_ID_REQUIRED);
    r.member_id
}

/// Two members joined and synced into generation 1; returns (leader, follower).
fn stable_pair(c: &mut Coordinator) -> (String, String) {
    let a = member_id(c, 1, 0);
    let b = member_id(c, 2, 0);
    assert!(
        c.join(3, join_req(&a, None, &["range", "roundrobin"]), 10)
            .reply
            .is_none(),
        "parked for the initial delay"
    );
    assert!(c
        .join(4, join_req(&b, None, &["roundrobin", "range"]), 20)
        .reply
        .is_none());
    assert!(
        c.tick(DELAY - 1).is_empty(),
        "the initial delay is still running"
    );
    let done = joins(&c.tick(DELAY + 20));
    assert_eq!(done.len(), 2);
    let leader = done
        .iter()
        .find(|(_, r)| !r.members.is_empty())
        .unwrap()
        .1
        .clone();
    let follower = done
        .iter()
        .find(|(_, r)| r.members.is_empty())
        .unwrap()
        .1
        .clone();
    assert_eq!((leader.generation, follower.generation), (1, 1));
    assert_eq!(leader.leader, a);
    assert_eq!(leader.members.len(), 2);
    // a prefers range, b roundrobin: a tie of votes goes to the first candidate.
    assert_eq!(leader.protocol_name.as_deref(), Some("range"));
    assert_eq!(
        leader.members.iter().find(|m| m.0 == b).unwrap().2,
        Bytes::from(format!("meta-{b}-range"))
    );
    // The follower's SyncGroup waits for the leader's assignment, which then reaches both.
    let sync = |m: &str, assignments: Vec<(String, Bytes)>| SyncRequest {
        group: "g".into(),
        member_id: m.into(),
        generation: 1,
        assignments,
        ..Default::default()
    };
    assert!(c.sync(5, sync(&b, vec![]), 100).reply.is_none());
    let step = c.sync(
        6,
        sync(
            &a,
            vec![
                (a.clone(), Bytes::from_static(b"A")),
                (b.clone(), Bytes::from_static(b"B")),
            ],
        ),
        110,
    );
    assert_eq!(step.reply.unwrap().assignment, Bytes::from_static(b"A"));
    assert_eq!(
        syncs(&step.completed),
        vec![(
            5,
            SyncReply {
                error: ErrorCode::NONE,
                protocol_type: Some("consumer".into()),
                protocol_name: Some("range".into()),
                assignment: Bytes::from_static(b"B")
            }
        )]
    );
    assert_eq!(c.group("g").unwrap().state, State::Stable);
    (a, b)
}

#[test]
fn members_join_sync_and_get_the_leaders_assignment() {
    stable_pair(&mut coord());
}

#[test]
fn a_new_member_triggers_a_rebalance_that_the_others_learn_of_by_heartbeat() {
    let mut c = coord();
    let (a, b) = stable_pair(&mut c);
    assert_eq!(c.heartbeat("g", &a, None, 1, 1000), ErrorCode::NONE);
    let n = member_id(&mut c, 7, 1000);
    assert!(c
        .join(8, join_req(&n, None, &["range"]), 1000)
        .reply
        .is_none());
    assert_eq!(
        c.heartbeat("g", &a, None, 1, 1100),
        ErrorCode::REBALANCE_IN_PROGRESS
    );
    assert!(c
        .join(9, join_req(&a, None, &["range", "roundrobin"]), 1200)
        .reply
        .is_none());
    let step = c.join(10, join_req(&b, None, &["roundrobin", "range"]), 1300);
    let mine = step
        .reply
        .expect("the last member to rejoin completes the round");
    assert_eq!(mine.generation, 2);
    assert_eq!(joins(&step.completed).len(), 2);
    assert_eq!(
        c.check_commit("g", &a, 1),
        ErrorCode::ILLEGAL_GENERATION,
        "a stale generation cannot commit"
    );
    assert_eq!(
        c.check_commit("g", &a, 2),
        ErrorCode::REBALANCE_IN_PROGRESS,
        "nor can anyone before the assignment"
    );
}

#[test]
fn silent_members_expire_after_their_session_timeout() {
    let mut c = coord();
    let (a, b) = stable_pair(&mut c);
    for t in (1000..9000).step_by(1000) {
        assert_eq!(c.heartbeat("g", &a, None, 1, t), ErrorCode::NONE);
    }
    // b last spoke at 110 (its SyncGroup); its 10 s session ends at 10,110.
    assert!(c.tick(10_000).is_empty());
    assert_eq!(c.group("g").unwrap().members().count(), 2);
    c.tick(10_111);
    assert_eq!(c.group("g").unwrap().members().count(), 1);
    assert_eq!(
        c.heartbeat("g", &b, None, 1, 10_200),
        ErrorCode::UNKNOWN_MEMBER_ID
    );
    assert_eq!(
        c.heartbeat("g", &a, None, 1, 10_200),
        ErrorCode::REBALANCE_IN_PROGRESS
    );
    let step = c.join(20, join_req(&a, None, &["range"]), 10_300);
    assert_eq!(
        step.reply.unwrap().generation,
        2,
        "the remaining member rebalances alone"
    );
}

#[test]
fn members_that_do_not_rejoin_in_time_are_dropped_when_the_rebalance_times_out() {
    let mut c = coord();
    let (a, b) = stable_pair(&mut c);
    assert!(c
        .join(30, join_req(&a, None, &["range", "roundrobin"]), 1000)
        .reply
        .is_none());
    // b keeps its session alive but never rejoins: only the rebalance timeout (30 s) removes it.
    for t in (2000..31_000).step_by(5000) {
        assert_eq!(
            c.heartbeat("g", &b, None, 1, t),
            ErrorCode::REBALANCE_IN_PROGRESS
        );
        assert!(joins(&c.tick(t)).is_empty());
    }
    assert!(joins(&c.tick(30_999)).is_empty());
    let done = joins(&c.tick(31_000));
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.members.len(), 1, "b was dropped");
    assert_eq!(
        c.heartbeat("g", &b, None, 1, 31_001),
        ErrorCode::UNKNOWN_MEMBER_ID
    );
}

#[test]
fn leaving_rebalances_the_rest_and_the_last_one_out_empties_the_group() {
    let mut c = coord();
    let (a, b) = stable_pair(&mut c);
    let (_, errors, _) = c.leave("g", &[(b.clone(), None)], 500);
    assert_eq!(errors, vec![ErrorCode::NONE]);
    assert_eq!(c.group("g").unwrap().state, State::PreparingRebalance);
    let step = c.join(40, join_req(&a, None, &["range"]), 600);
    assert_eq!(step.reply.unwrap().generation, 2);
    let (_, errors, _) = c.leave("g", &[(a.clone(), None), ("nobody".into(), None)], 700);
    assert_eq!(errors, vec![ErrorCode::NONE, ErrorCode::UNKNOWN_MEMBER_ID]);
    assert_eq!(c.group("g").unwrap().state, State::Empty);
    assert_eq!(
        c.check_commit("g", "", -1),
        ErrorCode::NONE,
        "self-assigning consumers commit into an empty group"
    );
    assert_eq!(c.delete("g"), ErrorCode::NONE);
    assert_eq!(c.delete("g"), ErrorCode::GROUP_ID_NOT_FOUND);
}

#[test]
fn a_restarted_static_member_takes_its_old_place_and_fences_its_old_id() {
    let mut c = coord();
    let s1 = c.join(1, join_req("", Some("inst-1"), &["range"]), 0);
    assert!(s1.reply.is_none(), "static members skip MEMBER_ID_REQUIRED");
    let first = joins(&c.tick(DELAY)).pop().unwrap().1;
    let old_id = first.member_id.clone();
    c.sync(
        2,
        SyncRequest {
            group: "g".into(),
            member_id: old_id.clone(),
            generation: 1,
            assignments: vec![(old_id.clone(), Bytes::from_static(b"P0"))],
            ..Default::default()
        },
        10,
    );
    // Restart: same instance id, no member id.
    let again = c.join(3, join_req("", Some("inst-1"), &["range"]), 100);
    let new_id = match again.reply {
        Some(r) => r.member_id,
        None => joins(&c.tick(100 + 30_000)).pop().unwrap().1.member_id,
    };
    assert_ne!(new_id, old_id);
    assert_eq!(
        c.heartbeat("g", &old_id, Some("inst-1"), 1, 200),
        ErrorCode::FENCED_INSTANCE_ID
    );
    assert_eq!(c.group("g").unwrap().members().count(), 1);
}

#[test]
fn old_clients_are_admitted_without_the_member_id_handshake_and_protocols_must_be_shared() {
    let mut c = coord();
    let mut req = join_req("", None, &["range"]);
    req.require_known_member_id = false;
    assert!(
        c.join(1, req, 0).reply.is_none(),
        "JoinGroup v0-3 joins directly"
    );
    let done = joins(&c.tick(DELAY));
    assert_eq!(done[0].1.error, ErrorCode::NONE);
    assert!(!done[0].1.member_id.is_empty());
    let mut other = join_req("", None, &["sticky"]);
    other.require_known_member_id = false;
    assert_eq!(
        c.join(2, other, 10).reply.unwrap().error,
        ErrorCode::INCONSISTENT_GROUP_PROTOCOL
    );
    let mut bad = join_req("", None, &["range"]);
    bad.session_timeout_ms = 10;
    assert_eq!(
        c.join(3, bad, 10).reply.unwrap().error,
        ErrorCode::INVALID_SESSION_TIMEOUT
    );
}

#[test]
fn a_static_leader_returning_to_a_stable_group_keeps_the_assignment_without_a_rebalance() {
    let mut c = coord();
    assert!(c
        .join(1, join_req("", Some("inst-a"), &["range"]), 0)
        .reply
        .is_none());
    assert!(c
        .join(2, join_req("", Some("inst-b"), &["range"]), 5)
        .reply
        .is_none());
    let done = joins(&c.tick(DELAY + 5));
    let (leader_token, leader) = done
        .iter()
        .find(|(_, r)| r.leader == r.member_id)
        .cloned()
        .unwrap();
    let follower = done
        .iter()
        .find(|(_, r)| r.leader != r.member_id)
        .map(|(_, r)| r.member_id.clone())
        .unwrap();
    // Join tokens 1 and 2 were inst-a's and inst-b's.
    let leader_instance = if leader_token == 1 {
        "inst-a"
    } else {
        "inst-b"
    };
    let sync = |member: &str, assignments: Vec<(String, Bytes)>| SyncRequest {
        group: "g".into(),
        member_id: member.into(),
        generation: leader.generation,
        assignments,
        ..Default::default()
    };
    c.sync(3, sync(&follower, vec![]), 10);
    c.sync(
        4,
        sync(
            &leader.member_id,
            vec![
                (leader.member_id.clone(), Bytes::from_static(b"P0")),
                (follower.clone(), Bytes::from_static(b"P1")),
            ],
        ),
        10,
    );
    assert_eq!(c.group("g").unwrap().state, State::Stable);
    // The leader restarts with the same instance id: answered at once, same generation, told
    // not to assign; the follower sees no rebalance.
    // Its metadata differs (it owns nothing after a restart); the protocol is the same.
    let mut rejoin = join_req("", Some(leader_instance), &["range"]);
    rejoin.protocols[0].1 = Bytes::from_static(b"owns nothing yet");
    let back = c
        .join(5, rejoin, 100)
        .reply
        .expect("answered without a rebalance");
    assert_eq!(back.error, ErrorCode::NONE);
    assert_eq!(back.generation, leader.generation);
    assert_eq!(back.leader, back.member_id);
    assert!(back.skip_assignment);
    assert_eq!(back.members.len(), 2);
    assert_eq!(c.group("g").unwrap().state, State::Stable);
    assert_eq!(
        c.heartbeat("g", &follower, None, leader.generation, 200),
        ErrorCode::NONE
    );
    // Its SyncGroup gets the assignment that stands.
    let again = c.sync(6, sync(&back.member_id, vec![]), 210).reply.unwrap();
    assert_eq!(again.assignment, Bytes::from_static(b"P0"));
}
