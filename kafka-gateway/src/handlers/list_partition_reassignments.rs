//! ListPartitionReassignments (46): on one broker no reassignment is ever in progress, so the
//! answer is always empty, after Kafka's cluster DESCRIBE check.

use kafka_wire::messages::list_partition_reassignments::{
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse,
    OngoingPartitionReassignment, OngoingTopicReassignment,
};
use kafka_wire::ErrorCode;

use crate::acl::{Access, Operation};

/// Answer a ListPartitionReassignments request.
pub fn handle(
    access: &Access<'_>,
    req: ListPartitionReassignmentsRequest,
) -> ListPartitionReassignmentsResponse {
    if !access.cluster(Operation::Describe) {
        // Kafka echoes what was asked for, partition indexes only.
        return ListPartitionReassignmentsResponse {
            error_code: ErrorCode::CLUSTER_AUTHORIZATION_FAILED.0,
            error_message: Some(super::needs_permission("DESCRIBE")),
            topics: req
                .topics
                .unwrap_or_default()
                .into_iter()
                .map(|t| OngoingTopicReassignment {
                    name: t.name,
                    partitions: t
                        .partition_indexes
                        .into_iter()
                        .map(|p| OngoingPartitionReassignment {
                            partition_index: p,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
    }
    ListPartitionReassignmentsResponse {
        error_message: None,
        ..Default::default()
    }
}
