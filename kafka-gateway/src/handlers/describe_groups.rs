//! DescribeGroups (15): state, protocol and members with their metadata and assignment. An
//! unknown group is reported as Dead, as Kafka does.

use kafka_wire::messages::describe_groups::{
    DescribeGroupsRequest, DescribeGroupsResponse, DescribedGroup, DescribedGroupMember,
};

use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer a DescribeGroups request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let committed = ctx.storage.offset_groups().await;
    let groups = ctx.groups.with(|c| {
        req.groups
            .iter()
            .map(|id| match c.group(id) {
                _ if !access.group(Operation::Describe, id) => DescribedGroup {
                    group_id: id.clone(),
                    error_code: ErrorCode::GROUP_AUTHORIZATION_FAILED.0,
                    ..Default::default()
                },
                Some(g) => {
                    let protocol = g.protocol.clone().unwrap_or_default();
                    DescribedGroup {
                        group_id: id.clone(),
                        group_state: g.state.name().into(),
                        protocol_type: g.protocol_type.clone().unwrap_or_default(),
                        protocol_data: protocol.clone(),
                        members: g
                            .members()
                            .map(|m| DescribedGroupMember {
                                member_id: m.id.clone(),
                                group_instance_id: m.instance_id.clone(),
                                client_id: m.client_id.clone(),
                                client_host: m.client_host.clone(),
                                member_metadata: m.metadata(&protocol),
                                member_assignment: m.assignment.clone(),
                                ..Default::default()
                            })
                            .collect(),
                        ..Default::default()
                    }
                }
                None => DescribedGroup {
                    group_id: id.clone(),
                    group_state: if committed.contains(id) {
                        "Empty"
                    } else {
                        "Dead"
                    }
                    .into(),
                    protocol_type: if committed.contains(id) {
                        "consumer".into()
                    } else {
                        String::new()
                    },
                    ..Default::default()
                },
            })
            .collect()
    });
    DescribeGroupsResponse {
        groups,
        ..Default::default()
    }
}
