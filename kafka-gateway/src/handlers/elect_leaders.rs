//! ElectLeaders (43): every partition of a one-broker cluster already has its only replica as
//! leader, so each existing partition answers ELECTION_NOT_NEEDED, as Kafka does.

use kafka_wire::messages::elect_leaders::{
    ElectLeadersRequest, ElectLeadersResponse, PartitionResult, ReplicaElectionResult,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

/// Answer an ElectLeaders request (v0 carries no election type: preferred).
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: ElectLeadersRequest,
    v: i16,
) -> ElectLeadersResponse {
    let denied = !access.cluster(Operation::Alter);
    let election = if v == 0 { 0 } else { req.election_type };
    let top = if denied {
        Some((
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            super::needs_permission("ALTER"),
        ))
    } else if !(0..=1).contains(&election) {
        Some((
            ErrorCode::INVALID_REQUEST,
            format!("Unknown election type {election}"),
        ))
    } else {
        None
    };
    let Some(asked) = req.topic_partitions else {
        // Every partition: each topic is listed, without the partitions that needed nothing.
        let results = match top {
            Some(_) => Vec::new(),
            None => ctx
                .storage
                .topics()
                .await
                .into_iter()
                .map(|t| ReplicaElectionResult {
                    topic: t.name,
                    ..Default::default()
                })
                .collect(),
        };
        return ElectLeadersResponse {
            error_code: top.map_or(0, |(c, _)| c.0),
            replica_election_results: results,
            ..Default::default()
        };
    };
    let mut results = Vec::with_capacity(asked.len());
    for t in asked {
        let topic = ctx.storage.topic(&t.topic).await;
        let partition_result = t
            .partitions
            .into_iter()
            .map(|p| {
                let (code, message) = match (&top, &topic) {
                    (Some((c, m)), _) => (*c, m.clone()),
                    (None, None) => (
                        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                        format!("No such topic as {}", t.topic),
                    ),
                    (None, Some(m)) if !(0..m.partitions).contains(&p) => (
                        ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                        format!("No such partition as {}-{p}", t.topic),
                    ),
                    (None, Some(_)) => (
                        ErrorCode::ELECTION_NOT_NEEDED,
                        "Leader election not needed for topic partition.".into(),
                    ),
                };
                PartitionResult {
                    partition_id: p,
                    error_code: code.0,
                    error_message: Some(message),
                    ..Default::default()
                }
            })
            .collect();
        results.push(ReplicaElectionResult {
            topic: t.topic,
            partition_result,
            ..Default::default()
        });
    }
    ElectLeadersResponse {
        error_code: top.map_or(0, |(c, _)| c.0),
        replica_election_results: results,
        ..Default::default()
    }
}
