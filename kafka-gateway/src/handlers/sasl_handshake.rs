//! SaslHandshake 0–1: the client names its mechanism; we answer with the ones offered. After a
//! v0 handshake the tokens follow as raw frames (the connection loop handles those), after v1
//! inside SaslAuthenticate requests.

use kafka_wire::messages::{SaslHandshakeRequest, SaslHandshakeResponse};
use kafka_wire::ErrorCode;

use crate::auth::session::{HandshakeError, Session};
use crate::server::Ctx;

/// Answer a SaslHandshake request.
pub fn handle(
    ctx: &Ctx,
    req: SaslHandshakeRequest,
    v: i16,
    session: &mut Session,
) -> SaslHandshakeResponse {
    let offered = ctx
        .auth
        .iter()
        .flat_map(|a| a.mechanisms.iter().map(|m| m.name().to_string()))
        .collect();
    let code = match session.handshake(ctx.auth.as_ref(), &req.mechanism, v) {
        Ok(()) => ErrorCode::NONE,
        Err(HandshakeError::Unsupported) => ErrorCode::UNSUPPORTED_SASL_MECHANISM,
        Err(HandshakeError::IllegalState) => ErrorCode::ILLEGAL_SASL_STATE,
    };
    SaslHandshakeResponse {
        error_code: code.0,
        mechanisms: offered,
    }
}
