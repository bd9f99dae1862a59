//! From a request frame to a response frame: the version firewall (from the one served-versions
//! table in `kafka_wire::api`), decoding, the handler of each API, and encoding.
//!
//! - Unknown API key: an error-only answer (correlation id + UNSUPPORTED_VERSION).
//! - ApiVersions at a version not served: a v0 body with UNSUPPORTED_VERSION and our table
//!   (KIP-511), so the client can retry with a version we have.
//! - Another known API at a version not served: that API's response at that version with
//!   UNSUPPORTED_VERSION in its top-level error field (an error-only answer when the codec has
//!   no definition of that version); the connection stays open.
//! - A body that does not decode: the connection is closed (the stream can't be trusted).
//! - On a listener that authenticates, anything but ApiVersions, SaslHandshake and
//!   SaslAuthenticate before authentication closes the connection (as Kafka does).

use bytes::{BufMut, Bytes, BytesMut};
use kafka_wire::api;
use kafka_wire::frame::Response;
use kafka_wire::header::{RequestHeader, ResponseHeader};
use kafka_wire::{ApiKey, ErrorCode, RequestBody, ResponseBody, Writer};

use crate::acl::{Access, Operation};
use crate::connection::Conn;
use crate::handlers as h;
use crate::quota::QuotaKind;
use crate::server::Ctx;

/// Handle one request frame; `Ok(None)` means no response (acks=0 produce), `Err` closes the
/// connection with the reason.
pub async fn handle(
    ctx: &Ctx,
    frame: Bytes,
    conn: &mut Conn,
) -> Result<Option<Vec<Bytes>>, String> {
    let session = &mut conn.session;
    let advertised = &conn.endpoint.advertised;
    let (header, body) =
        RequestHeader::split(&frame).map_err(|e| format!("malformed request header: {e}"))?;
    let v = header.api_version;
    let Some(api) = ApiKey::from_i16(header.api_key) else {
        tracing::warn!(api_key = header.api_key, "unknown API key");
        return Ok(Some(error_only(
            header.correlation_id,
            ErrorCode::UNSUPPORTED_VERSION,
        )));
    };
    if !api::is_served(header.api_key, v) {
        tracing::warn!(api = api.name(), version = v, "version not served");
        if api == ApiKey::ApiVersions {
            let resp =
                ResponseBody::ApiVersions(h::api_versions::table(ErrorCode::UNSUPPORTED_VERSION));
            return encode(header.correlation_id, resp, 0).map(Some);
        }
        let (lo, hi) = api.codec_versions();
        if (lo..=hi).contains(&v) {
            let resp = ResponseBody::error_default(api, ErrorCode::UNSUPPORTED_VERSION.0);
            return encode(header.correlation_id, resp, v).map(Some);
        }
        return Ok(Some(error_only(
            header.correlation_id,
            ErrorCode::UNSUPPORTED_VERSION,
        )));
    }
    let sasl = matches!(
        api,
        ApiKey::ApiVersions | ApiKey::SaslHandshake | ApiKey::SaslAuthenticate
    );
    if !sasl && !session.may_serve() {
        return Err(format!(
            "{} without a valid login (not authenticated, or the session expired)",
            api.name()
        ));
    }
    let (req, trailing) = RequestBody::decode_prefix(api, v, &body)
        .map_err(|e| format!("malformed {} v{v}: {e}", api.name()))?;
    if trailing > 0 {
        tracing::debug!(
            api = api.name(),
            version = v,
            trailing,
            "ignoring bytes after the request body, as Kafka does"
        );
        ctx.metrics.trailing_bytes(api, v, trailing);
    }
    tracing::debug!(api = api.name(), version = v, correlation_id = header.correlation_id, client_id = ?header.client_id, "request");
    let started = std::time::Instant::now();
    let access = Access::new(&ctx.authorizer, session.kafka_principal(), &conn.host);
    if let Some(code) = refused_outright(&access, &req) {
        let resp = ResponseBody::error_default(api, code.0);
        ctx.metrics.request(api, v, started.elapsed(), Some(&resp));
        return encode(header.correlation_id, resp, v).map(Some);
    }
    let access = &access;
    let request_bytes = frame.len() + 4;
    let mut resp = match req {
        RequestBody::ApiVersions(_) => {
            ResponseBody::ApiVersions(h::api_versions::table(ErrorCode::NONE))
        }
        RequestBody::SaslHandshake(r) => {
            ResponseBody::SaslHandshake(h::sasl_handshake::handle(ctx, r, v, session))
        }
        RequestBody::SaslAuthenticate(r) => {
            ResponseBody::SaslAuthenticate(h::sasl_authenticate::handle(ctx, r, session).await)
        }
        RequestBody::Metadata(r) => {
            ResponseBody::Metadata(h::metadata::handle(ctx, access, r, v, advertised).await)
        }
        RequestBody::Produce(r) => match h::produce::handle(ctx, access, r, v).await {
            Some(r) => ResponseBody::Produce(r),
            None => {
                ctx.metrics.request(api, v, started.elapsed(), None);
                return Ok(None);
            }
        },
        RequestBody::Fetch(r) => ResponseBody::Fetch(h::fetch::handle(ctx, access, r, v).await),
        RequestBody::ListOffsets(r) => {
            ResponseBody::ListOffsets(h::list_offsets::handle(ctx, access, r, v).await)
        }
        RequestBody::CreateTopics(r) => {
            ResponseBody::CreateTopics(h::create_topics::handle(ctx, access, r, v).await)
        }
        RequestBody::DeleteTopics(r) => {
            ResponseBody::DeleteTopics(h::delete_topics::handle(ctx, access, r, v).await)
        }
        RequestBody::CreatePartitions(r) => {
            ResponseBody::CreatePartitions(h::create_partitions::handle(ctx, access, r).await)
        }
        RequestBody::DeleteRecords(r) => {
            ResponseBody::DeleteRecords(h::delete_records::handle(ctx, access, r).await)
        }
        RequestBody::InitProducerId(r) => {
            ResponseBody::InitProducerId(h::init_producer_id::handle(ctx, access, r).await)
        }
        RequestBody::OffsetForLeaderEpoch(r) => ResponseBody::OffsetForLeaderEpoch(
            h::offset_for_leader_epoch::handle(ctx, access, r).await,
        ),
        RequestBody::DescribeConfigs(r) => {
            ResponseBody::DescribeConfigs(h::describe_configs::handle(ctx, access, r, v).await)
        }
        RequestBody::DescribeCluster(r) => {
            ResponseBody::DescribeCluster(h::describe_cluster::handle(ctx, r, advertised))
        }
        RequestBody::DescribeTopicPartitions(r) => ResponseBody::DescribeTopicPartitions(
            h::describe_topic_partitions::handle(ctx, access, r).await,
        ),
        RequestBody::FindCoordinator(r) => ResponseBody::FindCoordinator(
            h::find_coordinator::handle(ctx, access, r, v, advertised),
        ),
        RequestBody::JoinGroup(r) => {
            let client = header.client_id.clone().unwrap_or_default();
            ResponseBody::JoinGroup(
                h::join_group::handle(ctx, r, v, &client, &format!("/{}", conn.peer.ip())).await,
            )
        }
        RequestBody::SyncGroup(r) => ResponseBody::SyncGroup(h::sync_group::handle(ctx, r).await),
        RequestBody::Heartbeat(r) => ResponseBody::Heartbeat(h::heartbeat::handle(ctx, r)),
        RequestBody::LeaveGroup(r) => ResponseBody::LeaveGroup(h::leave_group::handle(ctx, r, v)),
        RequestBody::OffsetCommit(r) => {
            ResponseBody::OffsetCommit(h::offset_commit::handle(ctx, access, r).await)
        }
        RequestBody::OffsetFetch(r) => {
            ResponseBody::OffsetFetch(h::offset_fetch::handle(ctx, access, r, v).await)
        }
        RequestBody::ListGroups(r) => {
            ResponseBody::ListGroups(h::list_groups::handle(ctx, access, r).await)
        }
        RequestBody::DescribeGroups(r) => {
            ResponseBody::DescribeGroups(h::describe_groups::handle(ctx, access, r).await)
        }
        RequestBody::DeleteGroups(r) => {
            ResponseBody::DeleteGroups(h::delete_groups::handle(ctx, access, r).await)
        }
        RequestBody::OffsetDelete(r) => {
            ResponseBody::OffsetDelete(h::offset_delete::handle(ctx, access, r).await)
        }
        RequestBody::DescribeAcls(r) => {
            ResponseBody::DescribeAcls(h::describe_acls::handle(access, r, v))
        }
        RequestBody::CreateAcls(r) => ResponseBody::CreateAcls(h::create_acls::handle(access, r)),
        RequestBody::DeleteAcls(r) => ResponseBody::DeleteAcls(h::delete_acls::handle(access, r)),
        RequestBody::AlterConfigs(r) => {
            ResponseBody::AlterConfigs(h::alter_configs::handle(ctx, access, r).await)
        }
        RequestBody::IncrementalAlterConfigs(r) => ResponseBody::IncrementalAlterConfigs(
            h::incremental_alter_configs::handle(ctx, access, r).await,
        ),
        RequestBody::DescribeLogDirs(r) => {
            ResponseBody::DescribeLogDirs(h::describe_log_dirs::handle(ctx, access, r).await)
        }
        RequestBody::DescribeProducers(r) => {
            ResponseBody::DescribeProducers(h::describe_producers::handle(ctx, access, r).await)
        }
        RequestBody::ListPartitionReassignments(r) => ResponseBody::ListPartitionReassignments(
            h::list_partition_reassignments::handle(access, r),
        ),
        RequestBody::AlterPartitionReassignments(r) => ResponseBody::AlterPartitionReassignments(
            h::alter_partition_reassignments::handle(ctx, access, r).await,
        ),
        RequestBody::ElectLeaders(r) => {
            ResponseBody::ElectLeaders(h::elect_leaders::handle(ctx, access, r, v).await)
        }
        RequestBody::DescribeUserScramCredentials(r) => ResponseBody::DescribeUserScramCredentials(
            h::describe_user_scram_credentials::handle(ctx, access, r),
        ),
        RequestBody::AlterUserScramCredentials(r) => ResponseBody::AlterUserScramCredentials(
            h::alter_user_scram_credentials::handle(ctx, access, r),
        ),
        RequestBody::DescribeClientQuotas(r) => {
            ResponseBody::DescribeClientQuotas(h::describe_client_quotas::handle(ctx, access, r))
        }
        RequestBody::AlterClientQuotas(r) => {
            ResponseBody::AlterClientQuotas(h::alter_client_quotas::handle(ctx, access, r))
        }
    };
    let client = header.client_id.as_deref().unwrap_or_default();
    let user = conn.session.principal();
    let mute = throttle(ctx, v, request_bytes, user, client, &mut resp).await;
    conn.mute = mute;
    ctx.metrics.request(api, v, started.elapsed(), Some(&resp));
    encode(header.correlation_id, resp, v).map(Some)
}

/// Client quotas on a Produce or Fetch answer: count its bytes (the request's for Produce, the
/// response's for Fetch) and, over quota, report the throttle in `throttle_time_ms`. Versions
/// that know clients back off themselves (KIP-219: Produce 6+, Fetch 8+) are answered at once
/// and the connection is then muted for the returned time; older ones wait here first.
async fn throttle(
    ctx: &Ctx,
    v: i16,
    request_bytes: usize,
    user: &str,
    client: &str,
    resp: &mut ResponseBody,
) -> std::time::Duration {
    use std::time::Duration;
    let quotas = &ctx.quotas;
    let (kind, bytes, client_backs_off) = match resp {
        ResponseBody::Produce(_) => (QuotaKind::Produce, request_bytes, v >= 6),
        ResponseBody::Fetch(_) => (QuotaKind::Fetch, resp.size(v), v >= 8),
        _ => return Duration::ZERO,
    };
    let wait = quotas.record(kind, user, client, bytes as u64, std::time::Instant::now());
    if wait.is_zero() {
        return Duration::ZERO;
    }
    let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
    match resp {
        ResponseBody::Produce(r) => r.throttle_time_ms = ms,
        ResponseBody::Fetch(r) => r.throttle_time_ms = ms,
        _ => {}
    }
    ctx.metrics.throttled(resp.api_key(), v, wait);
    if client_backs_off {
        return wait;
    }
    tokio::time::sleep(wait).await;
    Duration::ZERO
}

fn encode(correlation_id: i32, mut body: ResponseBody, version: i16) -> Result<Vec<Bytes>, String> {
    // Handlers fill responses for the newest version; drop what this version cannot carry.
    body.fit_version(version);
    let resp = Response {
        header: ResponseHeader {
            correlation_id,
            ..Default::default()
        },
        body,
    };
    let mut w = Writer::with_capacity(256);
    resp.encode(&mut w, version)
        .map_err(|e| format!("encoding response: {e}"))?;
    Ok(w.into_chunks())
}

/// The error for requests refused as a whole before their handler runs: the group APIs need
/// READ on their group, DescribeCluster needs DESCRIBE on the cluster.
fn refused_outright(access: &Access<'_>, req: &RequestBody) -> Option<ErrorCode> {
    let group = match req {
        RequestBody::JoinGroup(r) => &r.group_id,
        RequestBody::SyncGroup(r) => &r.group_id,
        RequestBody::Heartbeat(r) => &r.group_id,
        RequestBody::LeaveGroup(r) => &r.group_id,
        RequestBody::DescribeCluster(_) if !access.cluster(Operation::Describe) => {
            return Some(ErrorCode::CLUSTER_AUTHORIZATION_FAILED)
        }
        _ => return None,
    };
    (!access.group(Operation::Read, group)).then_some(ErrorCode::GROUP_AUTHORIZATION_FAILED)
}

/// A response of just the correlation id and an error code.
fn error_only(correlation_id: i32, code: ErrorCode) -> Vec<Bytes> {
    let mut b = BytesMut::with_capacity(6);
    b.put_i32(correlation_id);
    b.put_i16(code.0);
    vec![b.freeze()]
}
