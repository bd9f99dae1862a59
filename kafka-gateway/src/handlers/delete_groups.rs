//! DeleteGroups (42): an empty group and its committed offsets; NON_EMPTY_GROUP with members.

use kafka_wire::messages::delete_groups::{
    DeletableGroupResult, DeleteGroupsRequest, DeleteGroupsResponse,
};
use kafka_wire::ErrorCode;

use super::error_code;
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DeleteGroups request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DeleteGroupsRequest,
) -> DeleteGroupsResponse {
    let with_offsets = ctx.storage.offset_groups().await;
    let mut results = Vec::with_capacity(req.groups_names.len());
    for id in req.groups_names {
        if !access.group(Operation::Delete, &id) {
            results.push(DeletableGroupResult {
                group_id: id,
                error_code: ErrorCode::GROUP_AUTHORIZATION_FAILED.0,
                ..Default::default()
            });
            continue;
        }
        let mut code = ctx.groups.with(|c| c.delete(&id));
        if code == ErrorCode::GROUP_ID_NOT_FOUND && with_offsets.contains(&id) {
            code = ErrorCode::NONE;
        }
        if code.is_ok() {
            if let Err(e) = ctx.storage.delete_offsets(&id, None).await {
                code = error_code(&e);
            }
        }
        results.push(DeletableGroupResult {
            group_id: id,
            error_code: code.0,
            ..Default::default()
        });
    }
    DeleteGroupsResponse {
        results,
        ..Default::default()
    }
}
