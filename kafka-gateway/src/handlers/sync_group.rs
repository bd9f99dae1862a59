//! SyncGroup (14): the leader's assignment delivered to every member (always present, possibly
//! empty); followers wait for it.

use kafka_wire::messages::sync_group::{SyncGroupRequest, SyncGroupResponse};

use crate::coordinator::SyncRequest;
use crate::server::Ctx;

/// Answer a SyncGroup request.
pub async fn handle(ctx: &Ctx, req: SyncGroupRequest) -> SyncGroupResponse {
    let r = ctx
        .groups
        .sync(SyncRequest {
            group: req.group_id,
            member_id: req.member_id,
            instance_id: req.group_instance_id,
            generation: req.generation_id,
            protocol_type: req.protocol_type,
            protocol_name: req.protocol_name,
            assignments: req
                .assignments
                .into_iter()
                .map(|a| (a.member_id, a.assignment))
                .collect(),
        })
        .await;
    SyncGroupResponse {
        error_code: r.error.0,
        protocol_type: r.protocol_type,
        protocol_name: r.protocol_name,
        assignment: r.assignment,
        ..Default::default()
    }
}
