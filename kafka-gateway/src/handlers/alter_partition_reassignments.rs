//! AlterPartitionReassignments (45): the only replica set a one-broker cluster has is this
//! broker; each partition is checked as Kafka's controller checks it (topic, partition, empty
//! or cancelling request, each replica in sorted order), so moving to the same broker is a
//! success that changes nothing.

use kafka_wire::messages::alter_partition_reassignments::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse,
    ReassignablePartitionResponse, ReassignableTopicResponse,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};
use crate::server::Ctx;

fn check(node: i32, replicas: Option<&[i32]>) -> (ErrorCode, Option<String>) {
    let Some(replicas) = replicas else {
        return (ErrorCode::NO_REASSIGNMENT_IN_PROGRESS, None);
    };
    if replicas.is_empty() {
        return (
            ErrorCode::INVALID_REPLICA_ASSIGNMENT,
            Some("The manual partition assignment includes an empty replica list.".into()),
        );
    }
    let mut sorted = replicas.to_vec();
    sorted.sort_unstable();
    for (i, b) in sorted.iter().enumerate() {
        let why = if *b != node {
            format!("includes broker {b}, but no such broker is registered.")
        } else if sorted[..i].contains(b) {
            format!("includes the broker {b} more than once.")
        } else {
            continue;
        };
        return (
            ErrorCode::INVALID_REPLICA_ASSIGNMENT,
            Some(format!("The manual partition assignment {why}")),
        );
    }
    (ErrorCode::NONE, None)
}

/// Answer an AlterPartitionReassignments request.
pub async fn handle(
    ctx: &Ctx,
    access: &Access<'_>,
    req: AlterPartitionReassignmentsRequest,
) -> AlterPartitionReassignmentsResponse {
    let denied = !access.cluster(Operation::Alter);
    let denial = super::needs_permission("ALTER");
    if req.topics.is_empty() {
        // Kafka's controller answers an empty request with an empty (not null) message.
        return AlterPartitionReassignmentsResponse {
            error_message: Some(String::new()),
            ..Default::default()
        };
    }
    let mut responses = Vec::with_capacity(req.topics.len());
    for t in req.topics {
        let topic = ctx.storage.topic(&t.name).await;
        let partitions = t
            .partitions
            .into_iter()
            .map(|p| {
                let (code, message) = if denied {
                    (
                        ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
                        Some(denial.clone()),
                    )
                } else {
                    match &topic {
                        None => (
                            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                            Some(format!("Unable to find a topic named {}.", t.name)),
                        ),
                        Some(m) if !(0..m.partitions).contains(&p.partition_index) => (
                            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
                            Some(format!(
                                "Unable to find partition {}:{}.",
                                t.name, p.partition_index
                            )),
                        ),
                        Some(_) => check(ctx.config.node_id, p.replicas.as_deref()),
                    }
                };
                ReassignablePartitionResponse {
                    partition_index: p.partition_index,
                    error_code: code.0,
                    error_message: message,
                    ..Default::default()
                }
            })
            .collect();
        responses.push(ReassignableTopicResponse {
            name: t.name,
            partitions,
            ..Default::default()
        });
    }
    AlterPartitionReassignmentsResponse {
        error_code: if denied {
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0
        } else {
            0
        },
        error_message: denied.then_some(denial),
        responses,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_checks_in_kafkas_order() {
        assert_eq!(check(0, Some(&[0])), (ErrorCode::NONE, None));
        assert_eq!(check(0, None).0, ErrorCode::NO_REASSIGNMENT_IN_PROGRESS);
        assert!(check(0, Some(&[]))
            .1
            .unwrap()
            .contains("empty replica list"));
        assert!(check(0, Some(&[2, 0]))
            .1
            .unwrap()
            .contains("broker 2, but no such"));
        assert!(check(0, Some(&[0, 0]))
            .1
            .unwrap()
            .contains("broker 0 more than once"));
    }
}
