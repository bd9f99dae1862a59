//! DeleteAcls (31): remove what each filter selects and answer with the removed bindings.
//! Needs ALTER on the cluster.

use kafka_wire::messages::delete_acls::{
    DeleteAclsFilterResult, DeleteAclsMatchingAcl, DeleteAclsRequest, DeleteAclsResponse,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, AclFilter, Operation};

/// Answer a DeleteAcls request.
pub fn handle(access: &Access<'_>, req: DeleteAclsRequest) -> DeleteAclsResponse {
    let failed = |code: ErrorCode, msg: String| DeleteAclsFilterResult {
        error_code: code.0,
        error_message: Some(msg),
        ..Default::default()
    };
    if !access.cluster(Operation::Alter) {
        let refused = || {
            failed(
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                "ALTER on the cluster is needed to delete ACLs".into(),
            )
        };
        return DeleteAclsResponse {
            filter_results: req.filters.iter().map(|_| refused()).collect(),
            ..Default::default()
        };
    }
    let parsed: Vec<_> = req.filters.iter().map(|f| crate::acl_filter!(f)).collect();
    let valid: Vec<AclFilter> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut removed = match access.authorizer().delete(&valid) {
        Ok(r) => r.into_iter(),
        Err(e) => {
            let msg = e.to_string();
            return DeleteAclsResponse {
                filter_results: parsed
                    .iter()
                    .map(|_| failed(ErrorCode::UNKNOWN_SERVER_ERROR, msg.clone()))
                    .collect(),
                ..Default::default()
            };
        }
    };
    let filter_results = parsed
        .into_iter()
        .map(|p| match p {
            Err(e) => failed(ErrorCode::INVALID_REQUEST, e.to_string()),
            Ok(_) => DeleteAclsFilterResult {
                error_message: None,
                matching_acls: removed
                    .next()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| DeleteAclsMatchingAcl {
                        error_message: None,
                        resource_type: b.resource_type.code(),
                        resource_name: b.resource_name,
                        pattern_type: b.pattern_type.code(),
                        principal: b.principal,
                        host: b.host,
                        operation: b.operation.code(),
                        permission_type: b.permission.code(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
        })
        .collect();
    DeleteAclsResponse {
        filter_results,
        ..Default::default()
    }
}
