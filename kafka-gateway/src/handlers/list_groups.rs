//! ListGroups (16): live groups (and groups known only by their committed offsets, as Empty),
//! filtered by state (v4+) and type (v5+, all classic).

use kafka_wire::messages::list_groups::{ListGroupsRequest, ListGroupsResponse, ListedGroup};

use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a ListGroups request.
pub async fn handle(ctx: &Ctx, access: &Access<'_>, req: ListGroupsRequest) -> ListGroupsResponse {
    let mut groups: Vec<ListedGroup> = ctx.groups.with(|c| {
        c.groups()
            .map(|g| ListedGroup {
                group_id: g.id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                group_state: g.state.name().into(),
                group_type: "classic".into(),
                ..Default::default()
            })
            .collect()
    });
    for id in ctx.storage.offset_groups().await {
        if !groups.iter().any(|g| g.group_id == id) {
            groups.push(ListedGroup {
                group_id: id,
                protocol_type: "consumer".into(),
                group_state: "Empty".into(),
                group_type: "classic".into(),
                ..Default::default()
            });
        }
    }
    let wanted = |filter: &[String], value: &str| {
        filter.is_empty() || filter.iter().any(|f| f.eq_ignore_ascii_case(value))
    };
    // DESCRIBE on the cluster lists every group; otherwise only groups the principal may
    // describe.
    let all = access.cluster(Operation::Describe);
    groups.retain(|g| {
        wanted(&req.states_filter, &g.group_state)
            && wanted(&req.types_filter, &g.group_type)
            && (all || access.group(Operation::Describe, &g.group_id))
    });
    groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
    ListGroupsResponse {
        groups,
        ..Default::default()
    }
}
