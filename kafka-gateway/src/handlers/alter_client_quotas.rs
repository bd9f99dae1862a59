//! AlterClientQuotas (49): set and remove quotas of user, client-id and ip entities in the quota
//! file (written before the answer; byte rates take effect at once), each entry checked as
//! Kafka checks it, with validate_only.

use kafka_wire::messages::alter_client_quotas::{
    AlterClientQuotasRequest, AlterClientQuotasResponse, EntityData, ResponseEntryData,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::client_quotas::{apply, check_change, Entity};
use crate::server::Ctx;

/// Answer an AlterClientQuotas request.
pub fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: AlterClientQuotasRequest,
) -> AlterClientQuotasResponse {
    let allowed = access.cluster(Operation::AlterConfigs);
    let mut entries = ctx.quotas.entries();
    let mut results = Vec::with_capacity(req.entries.len());
    let mut seen: Vec<Entity> = Vec::new();
    let mut changed = false;
    for e in req.entries {
        let pairs: Vec<(String, Option<String>)> = e
            .entity
            .iter()
            .map(|d| (d.entity_type.clone(), d.entity_name.clone()))
            .collect();
        let ops: Vec<(String, f64, bool)> = e
            .ops
            .iter()
            .map(|o| (o.key.clone(), o.value, o.remove))
            .collect();
        let entity: Entity = pairs.iter().cloned().collect();
        let outcome = if !allowed {
            Err((
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                "Cluster authorization failed.".to_string(),
            ))
        } else if seen.contains(&entity) {
            Err((
                ErrorCode::INVALID_REQUEST,
                format!("Ignoring duplicate entity {entity:?}"),
            ))
        } else {
            check_change(&pairs, &ops).map_err(|m| (ErrorCode::INVALID_REQUEST, m))
        };
        seen.push(entity.clone());
        if outcome.is_ok() {
            apply(&mut entries, &entity, &ops);
            changed = true;
        }
        let (code, message) = match outcome {
            Ok(()) => (ErrorCode::NONE, None),
            Err((c, m)) => (c, Some(m)),
        };
        results.push(ResponseEntryData {
            error_code: code.0,
            error_message: message,
            entity: e
                .entity
                .into_iter()
                .map(|d| EntityData {
                    entity_type: d.entity_type,
                    entity_name: d.entity_name,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        });
    }
    if changed && !req.validate_only {
        if let Err(e) = ctx.quotas.replace(entries) {
            for r in results.iter_mut().filter(|r| r.error_code == 0) {
                r.error_code = ErrorCode::KAFKA_STORAGE_ERROR.0;
                r.error_message = Some(e.to_string());
            }
        }
    }
    AlterClientQuotasResponse {
        entries: results,
        ..Default::default()
    }
}
