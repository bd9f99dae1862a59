//! FindCoordinator (10): this node coordinates every group (batched keys from v4). Transaction
//! coordinators are not offered: there are no transactions.

use kafka_wire::messages::find_coordinator::{
    Coordinator, FindCoordinatorRequest, FindCoordinatorResponse,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

const GROUP: i8 = 0;

/// Answer a FindCoordinator request.
pub fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: FindCoordinatorRequest,
    v: i16,
    advertised: &(String, u16),
) -> FindCoordinatorResponse {
    let (host, port) = advertised.clone();
    let node = ctx.config.node_id;
    let answer = |key: String| {
        let (code, message) = if req.key_type != GROUP {
            (
                ErrorCode::INVALID_REQUEST,
                Some(format!(
                    "key type {} is not served (no transactions)",
                    req.key_type
                )),
            )
        } else if !access.group(Operation::Describe, &key) {
            (ErrorCode::GROUP_AUTHORIZATION_FAILED, None)
        } else {
            (ErrorCode::NONE, None)
        };
        let ok = code.is_ok();
        Coordinator {
            key,
            node_id: if ok { node } else { -1 },
            host: if ok { host.clone() } else { String::new() },
            port: if ok { i32::from(port) } else { -1 },
            error_code: code.0,
            error_message: message,
            ..Default::default()
        }
    };
    if v >= 4 {
        return FindCoordinatorResponse {
            coordinators: req.coordinator_keys.iter().cloned().map(answer).collect(),
            ..Default::default()
        };
    }
    let c = answer(req.key.clone());
    FindCoordinatorResponse {
        error_code: c.error_code,
        error_message: c.error_message,
        node_id: c.node_id,
        host: c.host,
        port: c.port,
        ..Default::default()
    }
}
