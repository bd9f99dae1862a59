//! FindCoordinator (10): this node coordinates every group (batched keys from v4). Transaction
//! coordinators are not offered: there are no transactions.

use kafka_wire::messages::find_coordinator::{
    Coordinator, FindCoordinatorRequest, FindCoordinatorResponse,
};
use kafka_wire::ErrorCode;

use crate::server::Ctx;

const GROUP: i8 = 0;

/// Answer a FindCoordinator request.
pub fn handle(
    ctx: &Ctx,
    req: FindCoordinatorRequest,
    v: i16,
    advertised: &(String, u16),
) -> FindCoordinatorResponse {
    let (host, port) = advertised.clone();
    let node = ctx.config.node_id;
    let (code, message) = if req.key_type == GROUP {
        (ErrorCode::NONE, None)
    } else {
        (
            ErrorCode::INVALID_REQUEST,
            Some(format!(
                "key type {} is not served (no transactions)",
                req.key_type
            )),
        )
    };
    let keys = if v >= 4 {
        req.coordinator_keys.clone()
    } else {
        vec![req.key.clone()]
    };
    let ok = code.is_ok();
    FindCoordinatorResponse {
        error_code: code.0,
        error_message: message.clone(),
        node_id: if ok { node } else { -1 },
        host: if ok { host.clone() } else { String::new() },
        port: if ok { i32::from(port) } else { -1 },
        coordinators: keys
            .into_iter()
            .map(|key| Coordinator {
                key,
                node_id: if ok { node } else { -1 },
                host: if ok { host.clone() } else { String::new() },
                port: if ok { i32::from(port) } else { -1 },
                error_code: code.0,
                error_message: message.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}
