//! SaslAuthenticate 0–2: one step of the exchange chosen by SaslHandshake v1. A failure is
//! answered with SASL_AUTHENTICATION_FAILED after [`FAILED_DELAY`] (slowing password guessing,
//! as Kafka's `connection.failed.authentication.delay.ms`), and the connection is closed.

use std::time::Duration;

use bytes::Bytes;
use kafka_wire::messages::{SaslAuthenticateRequest, SaslAuthenticateResponse};
use kafka_wire::ErrorCode;

use crate::auth::session::{Session, Step};
use crate::server::Ctx;

/// How long a failed authentication waits before it is answered.
pub const FAILED_DELAY: Duration = Duration::from_millis(100);

/// Answer a SaslAuthenticate request.
pub async fn handle(
    ctx: &Ctx,
    req: SaslAuthenticateRequest,
    session: &mut Session,
) -> SaslAuthenticateResponse {
    match session.authenticate(ctx.auth.as_ref(), &req.auth_bytes) {
        Step::Continue(bytes) => reply(bytes),
        Step::Done(user, bytes) => {
            tracing::info!(%user, "authenticated");
            SaslAuthenticateResponse {
                session_lifetime_ms: session.session_lifetime_ms(),
                ..reply(bytes)
            }
        }
        Step::Failed(message) => {
            tracing::warn!(%message, "authentication failed");
            tokio::time::sleep(FAILED_DELAY).await;
            SaslAuthenticateResponse {
                error_code: ErrorCode::SASL_AUTHENTICATION_FAILED.0,
                error_message: Some(message),
                ..Default::default()
            }
        }
    }
}

fn reply(bytes: Vec<u8>) -> SaslAuthenticateResponse {
    SaslAuthenticateResponse {
        auth_bytes: Bytes::from(bytes),
        ..Default::default()
    }
}
