//! The operations endpoint on `--metrics-listen`: `/metrics` (Prometheus text), `/health/live`
//! (the process answers) and `/health/ready` (storage has recovered and can serve). It is bound
//! before storage opens, so an orchestrator sees "live, not ready" during recovery.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::Metrics;
use crate::server::Ctx;

/// What the endpoint answers from: the metrics from the start, the context once storage is open.
pub struct OpsState {
    /// The gateway's metrics.
    pub metrics: Arc<Metrics>,
    /// Set when storage has recovered and the gateway is built.
    pub ctx: OnceLock<Arc<Ctx>>,
}

/// OpenMetrics' content type (what prometheus-client writes).
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The classic Prometheus text format's content type.
const CLASSIC: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serve the endpoint on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, state: Arc<OpsState>) {
    loop {
        let (sock, peer) = match listener.accept().await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "metrics accept failed");
                continue;
            }
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(state.clone(), req));
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(sock), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "metrics connection ended");
            }
        });
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

async fn answer(
    state: Arc<OpsState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let openmetrics = req
        .headers()
        .get(hyper::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/openmetrics-text"));
    let (status, content_type, body) =
        route(&state, req.method(), req.uri().path(), openmetrics).await;
    Ok(reply(status, content_type, body))
}

/// Status, content type and body for a request: the whole endpoint, without the HTTP plumbing.
/// `/metrics` is OpenMetrics when the scraper asks for it (Prometheus does), else the classic
/// text format.
pub async fn route(
    state: &OpsState,
    method: &Method,
    path: &str,
    openmetrics: bool,
) -> (StatusCode, &'static str, String) {
    const TEXT: &str = "text/plain; charset=utf-8";
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, TEXT, "GET only\n".into());
    }
    let ctx = state.ctx.get();
    match path {
        "/metrics" => {
            let text = match ctx {
                Some(ctx) => state.metrics.render(ctx).await,
                None => state.metrics.encode(),
            };
            match openmetrics {
                true => (StatusCode::OK, OPENMETRICS, text),
                false => (StatusCode::OK, CLASSIC, Metrics::classic(&text)),
            }
        }
        "/health/live" => (StatusCode::OK, TEXT, "live\n".into()),
        "/health/ready" => match ctx {
            Some(ctx) if ctx.storage.ready() => (StatusCode::OK, TEXT, "ready\n".into()),
            Some(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                TEXT,
                "storage unavailable\n".into(),
            ),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                TEXT,
                "recovering storage\n".into(),
            ),
        },
        _ => (
            StatusCode::NOT_FOUND,
            TEXT,
            "try /metrics, /health/live or /health/ready\n".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn live_at_once_ready_only_with_recovered_storage() {
        let state = OpsState {
            metrics: Arc::new(Metrics::new()),
            ctx: OnceLock::new(),
        };
        let get = Method::GET;
        assert_eq!(
            route(&state, &get, "/health/live", false).await.0,
            StatusCode::OK
        );
        assert_eq!(
            route(&state, &get, "/health/ready", false).await.0,
            StatusCode::SERVICE_UNAVAILABLE
        );
        let (status, kind, _) = route(&state, &get, "/metrics", true).await;
        assert_eq!((status, kind), (StatusCode::OK, OPENMETRICS));
        let (status, kind, text) = route(&state, &get, "/metrics", false).await;
        assert_eq!((status, kind), (StatusCode::OK, CLASSIC));
        assert!(
            text.contains("# TYPE kafka_gateway_storage_flush_duration_seconds histogram"),
            "{text}"
        );
        assert_eq!(
            route(&state, &get, "/nope", false).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            route(&state, &Method::POST, "/metrics", false).await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
