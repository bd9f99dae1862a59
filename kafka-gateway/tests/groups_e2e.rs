//! Consumer groups through the server over TCP: two members on their own connections (the first
//! JoinGroup stays parked until the second arrives), the leader's assignment delivered by
//! SyncGroup, heartbeats, commits, and committed offsets surviving a restart.

mod common;

use bytes::Bytes;
use kafka_wire::frame::{Request, Response};
use kafka_wire::header::RequestHeader;
use kafka_wire::messages::{
    find_coordinator, heartbeat, join_group, offset_commit, offset_fetch, sync_group,
};
use kafka_wire::{ErrorCode, RequestBody, ResponseBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn call(s: &mut TcpStream, body: RequestBody, version: i16) -> ResponseBody {
    let api = body.api_key();
    let header = RequestHeader {
        api_key: api as i16,
        api_version: version,
        correlation_id: 1,
        client_id: Some("member".into()),
        ..Default::default()
    };
    let frame = Request { header, body }.to_bytes().unwrap();
    s.write_all(&(frame.len() as i32).to_be_bytes())
        .await
        .unwrap();
    s.write_all(&frame).await.unwrap();
    let mut len = [0u8; 4];
    s.read_exact(&mut len).await.unwrap();
    let mut buf = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut buf).await.unwrap();
    Response::decode(&Bytes::from(buf), api, version)
        .unwrap()
        .body
}

fn join(member_id: &str) -> RequestBody {
    RequestBody::JoinGroup(join_group::JoinGroupRequest {
        group_id: "g".into(),
        session_timeout_ms: 10_000,
        rebalance_timeout_ms: 10_000,
        member_id: member_id.into(),
        protocol_type: "consumer".into(),
        protocols: vec![join_group::JoinGroupRequestProtocol {
            name: "range".into(),
            metadata: Bytes::from_static(b"subscription"),
            ..Default::default()
        }],
        ..Default::default()
    })
}

async fn joined(s: &mut TcpStream) -> join_group::JoinGroupResponse {
    let ResponseBody::JoinGroup(first) = call(s, join(""), 9).await else {
        panic!()
    };
    assert_eq!(first.error_code, ErrorCode::MEMBER_ID_REQUIRED.0);
    let ResponseBody::JoinGroup(r) = call(s, join(&first.member_id), 9).await else {
        panic!()
    };
    assert_eq!(r.error_code, 0);
    r
}

fn sync(member: &str, generation: i32, assignments: Vec<(String, &'static [u8])>) -> RequestBody {
    RequestBody::SyncGroup(sync_group::SyncGroupRequest {
        group_id: "g".into(),
        generation_id: generation,
        member_id: member.into(),
        protocol_type: Some("consumer".into()),
        protocol_name: Some("range".into()),
        assignments: assignments
            .into_iter()
            .map(|(m, a)| sync_group::SyncGroupRequestAssignment {
                member_id: m,
                assignment: Bytes::from_static(a),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_join_sync_commit_and_offsets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let gw = common::start(Some(dir.path())).await;
    let mut admin = TcpStream::connect(gw.addr).await.unwrap();
    let ResponseBody::FindCoordinator(fc) = call(
        &mut admin,
        RequestBody::FindCoordinator(find_coordinator::FindCoordinatorRequest {
            coordinator_keys: vec!["g".into()],
            ..Default::default()
        }),
        4,
    )
    .await
    else {
        panic!()
    };
    assert_eq!(
        (fc.coordinators[0].error_code, fc.coordinators[0].port),
        (0, i32::from(gw.addr.port()))
    );
    // Topic for the commits.
    let meta = RequestBody::Metadata(kafka_wire::messages::metadata::MetadataRequest {
        topics: Some(vec![kafka_wire::messages::metadata::MetadataRequestTopic {
            name: Some("t".into()),
            ..Default::default()
        }]),
        allow_auto_topic_creation: true,
        ..Default::default()
    });
    call(&mut admin, meta, 9).await;

    let (addr1, addr2) = (gw.addr, gw.addr);
    let first = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr1).await.unwrap();
        let r = joined(&mut s).await;
        (s, r)
    });
    let second = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr2).await.unwrap();
        let r = joined(&mut s).await;
        (s, r)
    });
    let (s1, r1) = first.await.unwrap();
    let (s2, r2) = second.await.unwrap();
    assert_eq!(
        r1.generation_id, r2.generation_id,
        "both landed in one generation"
    );
    let (mut leader, leader_r, mut follower, follower_r) = if r1.leader == r1.member_id {
        (s1, r1, s2, r2)
    } else {
        (s2, r2, s1, r1)
    };
    assert_eq!(leader_r.members.len(), 2);
    assert!(follower_r.members.is_empty());
    let gen = leader_r.generation_id;
    let (lid, fid) = (leader_r.member_id.clone(), follower_r.member_id.clone());
    let assignments = vec![(lid.clone(), &b"p0"[..]), (fid.clone(), &b"p1"[..])];
    let follower_sync = tokio::spawn(async move {
        let r = call(&mut follower, sync(&fid, gen, vec![]), 5).await;
        (follower, fid, r)
    });
    let ResponseBody::SyncGroup(ls) = call(&mut leader, sync(&lid, gen, assignments), 5).await
    else {
        panic!()
    };
    assert_eq!(&ls.assignment[..], b"p0");
    let (mut follower, fid, fr) = follower_sync.await.unwrap();
    let ResponseBody::SyncGroup(fs) = fr else {
        panic!()
    };
    assert_eq!(&fs.assignment[..], b"p1");
    let hb = RequestBody::Heartbeat(heartbeat::HeartbeatRequest {
        group_id: "g".into(),
        generation_id: gen,
        member_id: fid.clone(),
        ..Default::default()
    });
    let ResponseBody::Heartbeat(h) = call(&mut follower, hb, 4).await else {
        panic!()
    };
    assert_eq!(h.error_code, 0);

    let commit = RequestBody::OffsetCommit(offset_commit::OffsetCommitRequest {
        group_id: "g".into(),
        generation_id_or_member_epoch: gen,
        member_id: lid.clone(),
        topics: vec![offset_commit::OffsetCommitRequestTopic {
            name: "t".into(),
            partitions: vec![offset_commit::OffsetCommitRequestPartition {
                partition_index: 0,
                committed_offset: 42,
                committed_metadata: Some("meta".into()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    });
    let ResponseBody::OffsetCommit(c) = call(&mut leader, commit.clone(), 9).await else {
        panic!()
    };
    assert_eq!(c.topics[0].partitions[0].error_code, 0);
    let RequestBody::OffsetCommit(mut stale) = commit else {
        panic!()
    };
    stale.generation_id_or_member_epoch = gen - 1;
    let ResponseBody::OffsetCommit(c) =
        call(&mut leader, RequestBody::OffsetCommit(stale), 9).await
    else {
        panic!()
    };
    assert_eq!(
        c.topics[0].partitions[0].error_code,
        ErrorCode::ILLEGAL_GENERATION.0
    );
    drop((leader, follower));
    gw.stop().await;

    let gw = common::start(Some(dir.path())).await;
    let mut s = TcpStream::connect(gw.addr).await.unwrap();
    let fetch = RequestBody::OffsetFetch(offset_fetch::OffsetFetchRequest {
        group_id: "g".into(),
        topics: None,
        ..Default::default()
    });
    let ResponseBody::OffsetFetch(f) = call(&mut s, fetch, 7).await else {
        panic!()
    };
    let p = &f.topics[0].partitions[0];
    assert_eq!(
        (
            f.topics[0].name.as_str(),
            p.partition_index,
            p.committed_offset,
            p.metadata.as_deref()
        ),
        ("t", 0, 42, Some("meta"))
    );
    gw.stop().await;
}
