//! Heartbeat (12): keeps a member's session alive and tells it when to rejoin.

use kafka_wire::messages::heartbeat::{HeartbeatRequest, HeartbeatResponse};

use crate::server::Ctx;
use crate::storage::file::now_ms;

/// Answer a Heartbeat request.
pub fn handle(ctx: &Ctx, req: HeartbeatRequest) -> HeartbeatResponse {
    let code = ctx.groups.with(|c| {
        c.heartbeat(
            &req.group_id,
            &req.member_id,
            req.group_instance_id.as_deref(),
            req.generation_id,
            now_ms(),
        )
    });
    HeartbeatResponse {
        error_code: code.0,
        ..Default::default()
    }
}
