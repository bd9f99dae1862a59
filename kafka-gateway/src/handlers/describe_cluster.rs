//! DescribeCluster (60): this node, the cluster id, and this node as controller.

use kafka_wire::messages::describe_cluster::{
    DescribeClusterBroker, DescribeClusterRequest, DescribeClusterResponse,
};
use kafka_wire::ErrorCode;

use crate::server::Ctx;

/// Brokers endpoint type (v1).
const ENDPOINT_BROKERS: i8 = 1;

/// Answer a DescribeCluster request.
pub fn handle(
    ctx: &Ctx,
    req: DescribeClusterRequest,
    advertised: &(String, u16),
) -> DescribeClusterResponse {
    if req.endpoint_type != ENDPOINT_BROKERS {
        return DescribeClusterResponse {
            error_code: ErrorCode::UNSUPPORTED_ENDPOINT_TYPE.0,
            endpoint_type: req.endpoint_type,
            ..Default::default()
        };
    }
    let (host, port) = advertised.clone();
    DescribeClusterResponse {
        endpoint_type: req.endpoint_type,
        cluster_id: ctx.storage.cluster_id(),
        controller_id: ctx.config.node_id,
        brokers: vec![DescribeClusterBroker {
            broker_id: ctx.config.node_id,
            host,
            port: i32::from(port),
            rack: None,
            ..Default::default()
        }],
        ..Default::default()
    }
}
