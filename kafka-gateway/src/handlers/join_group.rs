//! JoinGroup (11): parked in the group service until the rebalance completes.

use kafka_wire::messages::join_group::{
    JoinGroupRequest, JoinGroupResponse, JoinGroupResponseMember,
};

use crate::coordinator::JoinRequest;
use crate::server::Ctx;

/// Answer a JoinGroup request (v4+ requires the member-id handshake).
pub async fn handle(
    ctx: &Ctx,
    req: JoinGroupRequest,
    v: i16,
    client_id: &str,
    client_host: &str,
) -> JoinGroupResponse {
    let r = ctx
        .groups
        .join(JoinRequest {
            group: req.group_id,
            member_id: req.member_id,
            instance_id: req.group_instance_id,
            protocol_type: req.protocol_type,
            protocols: req
                .protocols
                .into_iter()
                .map(|p| (p.name, p.metadata))
                .collect(),
            session_timeout_ms: i64::from(req.session_timeout_ms),
            // v0 has no rebalance timeout: Kafka uses the session timeout.
            rebalance_timeout_ms: i64::from(if v >= 1 {
                req.rebalance_timeout_ms
            } else {
                req.session_timeout_ms
            }),
            client_id: client_id.to_string(),
            client_host: client_host.to_string(),
            require_known_member_id: v >= 4,
        })
        .await;
    JoinGroupResponse {
        error_code: r.error.0,
        generation_id: r.generation,
        protocol_type: r.protocol_type,
        protocol_name: Some(r.protocol_name.unwrap_or_default()),
        leader: r.leader,
        member_id: r.member_id,
        members: r
            .members
            .into_iter()
            .map(
                |(member_id, group_instance_id, metadata)| JoinGroupResponseMember {
                    member_id,
                    group_instance_id,
                    metadata,
                    ..Default::default()
                },
            )
            .collect(),
        skip_assignment: r.skip_assignment,
        ..Default::default()
    }
}
