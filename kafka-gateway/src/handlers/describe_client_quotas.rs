//! DescribeClientQuotas (48): the quota file's entities that pass the filter, with their quotas.

use kafka_wire::messages::describe_client_quotas::{
    DescribeClientQuotasRequest, DescribeClientQuotasResponse, EntityData, EntryData, ValueData,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::client_quotas::{check_filter, entity_of, matches, values_of, Component};
use crate::server::Ctx;

/// Answer a DescribeClientQuotas request.
pub fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: DescribeClientQuotasRequest,
) -> DescribeClientQuotasResponse {
    if !access.cluster(Operation::DescribeConfigs) {
        return DescribeClientQuotasResponse {
            error_code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0,
            error_message: None,
            entries: None,
            ..Default::default()
        };
    }
    let components: Vec<Component> = req
        .components
        .into_iter()
        .map(|c| Component {
            entity_type: c.entity_type,
            match_type: c.match_type,
            name: c.r#match,
        })
        .collect();
    if let Err((code, message)) = check_filter(&components) {
        return DescribeClientQuotasResponse {
            error_code: code.0,
            error_message: Some(message),
            entries: None,
            ..Default::default()
        };
    }
    let entries = ctx
        .quotas
        .entries()
        .iter()
        .filter(|e| matches(&entity_of(e), &components, req.strict))
        .map(|e| EntryData {
            entity: entity_of(e)
                .into_iter()
                .map(|(entity_type, entity_name)| EntityData {
                    entity_type,
                    entity_name,
                    ..Default::default()
                })
                .collect(),
            values: values_of(e)
                .into_iter()
                .map(|(key, value)| ValueData {
                    key,
                    value,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    DescribeClientQuotasResponse {
        error_code: 0,
        error_message: Some(String::new()),
        entries: Some(entries),
        ..Default::default()
    }
}
