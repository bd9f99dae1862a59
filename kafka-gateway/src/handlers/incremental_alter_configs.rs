//! IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT on topic, broker and
//! broker-logger configs (see [`crate::dynamic::alter`]).

use kafka_wire::messages::incremental_alter_configs::{
    AlterConfigsResourceResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
};
use kafka_wire::ErrorCode;

use crate::acl::Access;
use crate::dynamic::alter::{alter_all, Edit, Refusal};
use crate::server::Ctx;
use crate::storage::config::ops::{Op, OpKind};

/// Answer an IncrementalAlterConfigs request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: IncrementalAlterConfigsRequest,
) -> IncrementalAlterConfigsResponse {
    let resources = req
        .resources
        .into_iter()
        .map(|r| {
            let ops: Option<Vec<Op>> = r
                .configs
                .into_iter()
                .map(|c| {
                    Some(Op {
                        kind: OpKind::from_code(c.config_operation)?,
                        name: c.name,
                        value: c.value,
                    })
                })
                .collect();
            let edit = ops.map(Edit::Incremental).ok_or_else(|| {
                Refusal::new(
                    ErrorCode::INVALID_REQUEST,
                    "Unknown alter config operation type",
                )
            });
            (r.resource_type, r.resource_name, edit)
        })
        .collect();
    let outcomes = alter_all(ctx, access, resources, req.validate_only).await;
    IncrementalAlterConfigsResponse {
        responses: outcomes
            .into_iter()
            .map(
                |(resource_type, resource_name, error_code, error_message)| {
                    AlterConfigsResourceResponse {
                        error_code,
                        error_message,
                        resource_type,
                        resource_name,
                        ..Default::default()
                    }
                },
            )
            .collect(),
        ..Default::default()
    }
}
