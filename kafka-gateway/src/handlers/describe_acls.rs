//! DescribeAcls (29): the bindings a filter selects, grouped by resource pattern. Needs DESCRIBE
//! on the cluster. v0 clients know only literal patterns, so prefixed ones are left out for them.

use kafka_wire::messages::describe_acls::{
    AclDescription, DescribeAclsRequest, DescribeAclsResource, DescribeAclsResponse,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation, PatternType};

/// Answer a DescribeAcls request.
pub fn handle(access: &Access<'_>, req: DescribeAclsRequest, version: i16) -> DescribeAclsResponse {
    let fail = |code: ErrorCode, msg: String| DescribeAclsResponse {
        error_code: code.0,
        error_message: Some(msg),
        ..Default::default()
    };
    if !access.cluster(Operation::Describe) {
        return fail(
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            "DESCRIBE on the cluster is needed to list ACLs".into(),
        );
    }
    let filter = match crate::acl_filter!(req) {
        Ok(f) => f,
        Err(e) => return fail(ErrorCode::INVALID_REQUEST, e.to_string()),
    };
    let mut resources: Vec<DescribeAclsResource> = Vec::new();
    for b in access.authorizer().describe(&filter) {
        if version == 0 && b.pattern_type != PatternType::Literal {
            continue;
        }
        let acl = AclDescription {
            principal: b.principal,
            host: b.host,
            operation: b.operation.code(),
            permission_type: b.permission.code(),
            ..Default::default()
        };
        // Bindings come sorted by resource, so one resource's ACLs are adjacent.
        match resources.last_mut() {
            Some(r)
                if r.resource_type == b.resource_type.code()
                    && r.resource_name == b.resource_name
                    && r.pattern_type == b.pattern_type.code() =>
            {
                r.acls.push(acl)
            }
            _ => resources.push(DescribeAclsResource {
                resource_type: b.resource_type.code(),
                resource_name: b.resource_name,
                pattern_type: b.pattern_type.code(),
                acls: vec![acl],
                ..Default::default()
            }),
        }
    }
    DescribeAclsResponse {
        error_message: None,
        resources,
        ..Default::default()
    }
}
