//! CreateAcls (30): add bindings; each creation answers on its own (INVALID_REQUEST with the
//! reason for a malformed one). Needs ALTER on the cluster.

use kafka_wire::messages::create_acls::{AclCreationResult, CreateAclsRequest, CreateAclsResponse};
use kafka_wire::ErrorCode;

use crate::acl::{Access, AclBinding, Operation};

/// Answer a CreateAcls request.
pub fn handle(access: &Access<'_>, req: CreateAclsRequest) -> CreateAclsResponse {
    let result = |code: ErrorCode, msg: Option<String>| AclCreationResult {
        error_code: code.0,
        error_message: msg,
        ..Default::default()
    };
    if !access.cluster(Operation::Alter) {
        let refused = || {
            result(
                ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                Some("ALTER on the cluster is needed to create ACLs".into()),
            )
        };
        return CreateAclsResponse {
            results: req.creations.iter().map(|_| refused()).collect(),
            ..Default::default()
        };
    }
    let parsed: Vec<_> = req
        .creations
        .iter()
        .map(|c| {
            AclBinding::from_wire(
                c.resource_type,
                &c.resource_name,
                c.resource_pattern_type,
                &c.principal,
                &c.host,
                c.operation,
                c.permission_type,
            )
        })
        .collect();
    let valid: Vec<AclBinding> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let stored = access.authorizer().create(valid);
    let results = parsed
        .into_iter()
        .map(|p| match (p, &stored) {
            (Err(e), _) => result(ErrorCode::INVALID_REQUEST, Some(e.to_string())),
            (Ok(_), Ok(())) => result(ErrorCode::NONE, None),
            (Ok(_), Err(e)) => result(ErrorCode::UNKNOWN_SERVER_ERROR, Some(e.to_string())),
        })
        .collect();
    CreateAclsResponse {
        results,
        ..Default::default()
    }
}
