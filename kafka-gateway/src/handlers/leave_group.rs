//! LeaveGroup (13): one member (v0-2) or a batch of members (v3+).

use kafka_wire::messages::leave_group::{LeaveGroupRequest, LeaveGroupResponse, MemberResponse};

use crate::server::Ctx;

/// Answer a LeaveGroup request.
pub fn handle(ctx: &Ctx, req: LeaveGroupRequest, v: i16) -> LeaveGroupResponse {
    let members: Vec<(String, Option<String>)> = if v >= 3 {
        req.members
            .iter()
            .map(|m| (m.member_id.clone(), m.group_instance_id.clone()))
            .collect()
    } else {
        vec![(req.member_id.clone(), None)]
    };
    let (code, errors) = ctx.groups.leave(&req.group_id, &members);
    let top = if v < 3 {
        errors.first().copied().unwrap_or(code)
    } else {
        code
    };
    LeaveGroupResponse {
        error_code: top.0,
        members: members
            .into_iter()
            .zip(errors)
            .map(|((member_id, group_instance_id), e)| MemberResponse {
                member_id,
                group_instance_id,
                error_code: e.0,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
