//! AlterConfigs (33), the legacy form: each resource's explicit configs replaced as a whole
//! (topics and brokers; see [`crate::dynamic::alter`]).

use kafka_wire::messages::alter_configs::{
    AlterConfigsRequest, AlterConfigsResourceResponse, AlterConfigsResponse,
};

use crate::acl::Access;
use crate::dynamic::alter::{alter_all, Edit};
use crate::server::Ctx;

/// Answer an AlterConfigs request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: AlterConfigsRequest,
) -> AlterConfigsResponse {
    let resources = req
        .resources
        .into_iter()
        .map(|r| {
            let edit = Edit::Replace(r.configs.into_iter().map(|c| (c.name, c.value)).collect());
            (r.resource_type, r.resource_name, Ok(edit))
        })
        .collect();
    let outcomes = alter_all(ctx, access, resources, req.validate_only).await;
    AlterConfigsResponse {
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
