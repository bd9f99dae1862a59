//! InitProducerId (22): a new idempotent producer id (persisted, never reused), or the same id
//! with a bumped epoch when a producer re-initialises (v3+). Transactional ids are refused:
//! there is no transaction coordinator, and the transactional APIs are not advertised.

use kafka_wire::messages::init_producer_id::{InitProducerIdRequest, InitProducerIdResponse};
use kafka_wire::ErrorCode;

use super::error_code;
use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer an InitProducerId request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: InitProducerIdRequest,
) -> InitProducerIdResponse {
    let fail = |code: ErrorCode| InitProducerIdResponse {
        error_code: code.0,
        producer_id: -1,
        producer_epoch: -1,
        ..Default::default()
    };
    if req.transactional_id.is_some() {
        return fail(ErrorCode::TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    if !(access.cluster(Operation::IdempotentWrite) || access.may_write_some_topic()) {
        return fail(ErrorCode::CLUSTER_AUTHORIZATION_FAILED);
    }
    if req.producer_id >= 0 && req.producer_epoch >= 0 && req.producer_epoch < i16::MAX - 1 {
        return InitProducerIdResponse {
            producer_id: req.producer_id,
            producer_epoch: req.producer_epoch + 1,
            ..Default::default()
        };
    }
    match ctx.storage.next_producer_id().await {
        Ok(id) => InitProducerIdResponse {
            producer_id: id,
            producer_epoch: 0,
            ..Default::default()
        },
        Err(e) => fail(error_code(&e)),
    }
}
