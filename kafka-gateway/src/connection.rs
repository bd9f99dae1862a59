//! One client connection: framing (size checked against the cap before anything is buffered for
//! it), requests handled one at a time in arrival order — Kafka's own per-connection semantics,
//! so pipelined requests are answered in order — and responses written vectored so stored
//! batches go to the socket without another copy. A reader task keeps reading ahead while a
//! request is handled; neither blocks any other connection. On the TLS listener the handshake
//! comes first (bounded by [`TLS_HANDSHAKE_TIMEOUT`]); the loop is the same over either stream.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use kafka_wire::frame::frame_size;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use crate::auth::session::{Session, Step};
use crate::handlers::sasl_authenticate::FAILED_DELAY;
use crate::server::{Ctx, Endpoint};

/// Frames read ahead of the one being handled.
const READ_AHEAD: usize = 4;

/// How long a TLS client may take to complete its handshake.
pub const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One client connection as dispatch and the handlers see it.
pub struct Conn {
    /// The client's address.
    pub peer: SocketAddr,
    /// The listener it came in through.
    pub endpoint: Arc<Endpoint>,
    /// Its authentication state and principal.
    pub session: Session,
    /// How long to stop reading requests after the response just made (a quota throttle).
    pub mute: std::time::Duration,
    /// The client's IP address as ACLs name hosts.
    pub host: String,
}

/// Take a freshly accepted socket: TLS handshake on the TLS listener, then [`serve`].
pub async fn accept(
    sock: TcpStream,
    peer: SocketAddr,
    endpoint: Arc<Endpoint>,
    ctx: Arc<Ctx>,
    stop: watch::Receiver<bool>,
) {
    let _ = sock.set_nodelay(true);
    let session = Session::new(ctx.auth.is_some());
    let Some(tls) = endpoint.tls.clone() else {
        let (rd, wr) = sock.into_split();
        let conn = Conn {
            peer,
            endpoint,
            session,
            mute: std::time::Duration::ZERO,
            host: peer.ip().to_string(),
        };
        return serve(rd, wr, conn, ctx, stop).await;
    };
    let stream =
        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.acceptor().accept(sock)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return tracing::warn!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => return tracing::warn!(%peer, "TLS handshake timed out"),
        };
    let subject = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(crate::tls::subject_principal);
    let (rd, wr) = tokio::io::split(stream);
    let conn = Conn {
        peer,
        endpoint,
        session: session.with_certificate_subject(subject),
        mute: std::time::Duration::ZERO,
        host: peer.ip().to_string(),
    };
    serve(rd, wr, conn, ctx, stop).await
}

/// Serve a connection until the client closes it, it misbehaves, or shutdown is signalled.
pub async fn serve<R, W>(
    mut rd: R,
    mut wr: W,
    mut conn: Conn,
    ctx: Arc<Ctx>,
    mut stop: watch::Receiver<bool>,
) where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send,
{
    let peer = conn.peer;
    let listener = conn.endpoint.protocol;
    let metrics = ctx.metrics.clone();
    let mut auth_state = conn.session.auth_state();
    metrics.connection_opened(listener, auth_state);
    tracing::info!(%peer, protocol = conn.endpoint.protocol, principal = conn.session.principal(), "connection opened");
    let (tx, mut rx) = mpsc::channel::<Bytes>(READ_AHEAD);
    let max = ctx.config.max_frame_bytes;
    let mut reader = tokio::spawn(async move {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        loop {
            match frame_size(&buf, max) {
                Ok(Some(size)) => {
                    buf.advance(4);
                    let frame = buf.split_to(size).freeze();
                    if tx.send(frame).await.is_err() {
                        return Ok(());
                    }
                    continue;
                }
                Ok(None) => {
                    // The size (already checked against the cap) is known: make room for it.
                    if let Some(prefix) = buf.get(..4) {
                        let size = i32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]])
                            as usize;
                        buf.reserve((size + 4).saturating_sub(buf.len()));
                    }
                }
                Err(e) => return Err(e.to_string()),
            }
            match rd.read_buf(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    });
    let outcome = loop {
        let frame = tokio::select! {
            f = rx.recv() => f,
            _ = stop.changed() => break "shutdown".to_string(),
        };
        let Some(frame) = frame else {
            break "closed by client".to_string();
        };
        metrics.received(listener, frame.len() + 4);
        if conn.session.expects_raw_token() {
            // After a SaslHandshake v0 the SASL tokens come as bare size-prefixed frames.
            match raw_token(&ctx, &mut conn.session, &frame).await {
                Some(reply) => {
                    metrics.sent(listener, reply.len() + 4);
                    if let Err(e) = write_frame(&mut wr, vec![reply]).await {
                        break format!("write failed: {e}");
                    }
                    continue;
                }
                None => break "authentication failed".to_string(),
            }
        }
        // A request in hand is finished on shutdown, but not waited for forever: a JoinGroup
        // parked for a rebalance would otherwise hold the drain until its timeout.
        let handled = tokio::select! {
            r = crate::dispatch::handle(&ctx, frame, &mut conn) => r,
            _ = shutdown_grace(stop.clone()) => break "shutdown during a parked request".to_string(),
        };
        match handled {
            Ok(Some(chunks)) => {
                metrics.sent(listener, chunks.iter().map(Bytes::len).sum::<usize>() + 4);
                if let Err(e) = write_frame(&mut wr, chunks).await {
                    break format!("write failed: {e}");
                }
                let mute = std::mem::take(&mut conn.mute);
                if !mute.is_zero() {
                    // Throttled (KIP-219): the answer went out; the next request waits.
                    tokio::select! {
                        _ = tokio::time::sleep(mute) => {}
                        _ = stop.changed() => break "shutdown".to_string(),
                    }
                }
            }
            Ok(None) => {}
            Err(reason) => break reason,
        }
        let now = conn.session.auth_state();
        if now != auth_state {
            metrics.connection_state(listener, Some(auth_state), Some(now));
            auth_state = now;
        }
        if conn.session.failed() {
            break "authentication failed".to_string();
        }
    };
    metrics.connection_state(listener, Some(auth_state), None);
    // After a failed login the client is left to close first, within a grace period: some
    // clients (kafka-python over TLS) report the closed socket rather than the error they were
    // sent when both arrive together. Then the close is graceful: a TLS close_notify and a FIN.
    drop(rx);
    let grace = match conn.session.failed() {
        true => CLOSE_GRACE,
        false => std::time::Duration::from_millis(10),
    };
    let read_outcome = match tokio::time::timeout(grace, &mut reader).await {
        Ok(joined) => joined.ok(),
        Err(_) => {
            reader.abort();
            None
        }
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, wr.shutdown()).await;
    if let Some(Err(e)) = read_outcome {
        tracing::warn!(%peer, error = %e, "connection read error");
    }
    tracing::info!(%peer, reason = %outcome, "connection closed");
}

/// How long a closing connection waits for its write side to shut down, and, after a failed
/// login, for the client to close its side.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// One raw SASL token (after a v0 handshake): the reply token, or `None` when authentication
/// failed (v0 has no error reply: the connection is closed after [`FAILED_DELAY`]).
async fn raw_token(ctx: &Ctx, session: &mut Session, token: &[u8]) -> Option<Bytes> {
    match session.authenticate(ctx.auth.as_ref(), token) {
        Step::Continue(reply) => Some(Bytes::from(reply)),
        Step::Done(user, reply) => {
            tracing::info!(%user, "authenticated");
            Some(Bytes::from(reply))
        }
        Step::Failed(message) => {
            tracing::warn!(%message, "authentication failed");
            tokio::time::sleep(FAILED_DELAY).await;
            None
        }
    }
}

/// Resolves `DRAIN_GRACE` after shutdown is signalled (never, if it is not).
async fn shutdown_grace(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
    tokio::time::sleep(DRAIN_GRACE).await;
}

/// How long a request in hand may keep running after shutdown is signalled.
const DRAIN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

async fn write_frame<W: AsyncWrite + Unpin>(wr: &mut W, chunks: Vec<Bytes>) -> std::io::Result<()> {
    let len: usize = chunks.iter().map(Bytes::len).sum();
    let mut parts = Vec::with_capacity(chunks.len() + 1);
    parts.push(Bytes::copy_from_slice(&(len as i32).to_be_bytes()));
    parts.extend(chunks);
    let mut idx = 0;
    let mut off = 0;
    while idx < parts.len() {
        let slices: Vec<std::io::IoSlice<'_>> = parts[idx..]
            .iter()
            .enumerate()
            .map(|(n, p)| std::io::IoSlice::new(if n == 0 { &p[off..] } else { p }))
            .collect();
        let mut written = wr.write_vectored(&slices).await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while idx < parts.len() && written >= parts[idx].len() - off {
            written -= parts[idx].len() - off;
            idx += 1;
            off = 0;
        }
        off += written;
    }
    // TLS holds written bytes until flushed; plain TCP's flush is free.
    wr.flush().await
}
