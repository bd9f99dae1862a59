//! One module per API: `handle(ctx, request, version) -> response`. Handlers never touch the
//! socket; they speak to storage through the [`Storage`](crate::storage::Storage) trait.

pub mod alter_client_quotas;
pub mod alter_configs;
pub mod alter_partition_reassignments;
pub mod alter_user_scram_credentials;
pub mod api_versions;
pub mod create_acls;
pub mod create_partitions;
pub mod create_topics;
pub mod delete_acls;
pub mod delete_groups;
pub mod delete_records;
pub mod delete_topics;
pub mod describe_acls;
pub mod describe_client_quotas;
pub mod describe_cluster;
pub mod describe_configs;
pub mod describe_groups;
pub mod describe_log_dirs;
pub mod describe_producers;
pub mod describe_topic_partitions;
pub mod describe_user_scram_credentials;
pub mod elect_leaders;
pub mod fetch;
pub mod find_coordinator;
pub mod heartbeat;
pub mod incremental_alter_configs;
pub mod init_producer_id;
pub mod join_group;
pub mod leave_group;
pub mod list_groups;
pub mod list_offsets;
pub mod list_partition_reassignments;
pub mod metadata;
pub mod offset_commit;
pub mod offset_delete;
pub mod offset_fetch;
pub mod offset_for_leader_epoch;
pub mod produce;
pub mod sasl_authenticate;
pub mod sasl_handshake;
pub mod sync_group;

use kafka_wire::ErrorCode;

use crate::storage::{StorageError, TopicPartition};

/// The Kafka error code for a storage failure.
pub fn error_code(e: &StorageError) -> ErrorCode {
    match e {
        StorageError::UnknownTopicOrPartition(_) => ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
        StorageError::TopicExists(_) => ErrorCode::TOPIC_ALREADY_EXISTS,
        StorageError::OffsetOutOfRange { .. } => ErrorCode::OFFSET_OUT_OF_RANGE,
        StorageError::OutOfOrderSequence { .. } => ErrorCode::OUT_OF_ORDER_SEQUENCE_NUMBER,
        StorageError::InvalidProducerEpoch { .. } => ErrorCode::INVALID_PRODUCER_EPOCH,
        StorageError::Invalid(_) => ErrorCode::INVALID_REQUEST,
        StorageError::InvalidConfig(_) => ErrorCode::INVALID_CONFIG,
        StorageError::InvalidRecord(_) => ErrorCode::INVALID_RECORD,
        StorageError::Unavailable(_) => ErrorCode::NOT_LEADER_OR_FOLLOWER,
        StorageError::Io(_) => ErrorCode::KAFKA_STORAGE_ERROR,
    }
}

/// Whether `name` is a legal Kafka topic name.
pub fn valid_topic_name(name: &str) -> bool {
    topic_name_error(name).is_none()
}

/// Why `name` is not a legal Kafka topic name, in Kafka's words.
pub fn topic_name_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("Topic name is invalid: the empty string is not allowed".into());
    }
    if name == "." || name == ".." {
        return Some("Topic name cannot be \".\" or \"..\"".into());
    }
    if name.len() > 249 {
        return Some(format!(
            "Topic name is invalid: the length of '{name}' is longer than 249"
        ));
    }
    let legal = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-';
    (!name.bytes().all(legal)).then(|| {
        format!(
            "Topic name is invalid: '{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        )
    })
}

/// Shorthand for a [`TopicPartition`].
pub fn tp(topic: &str, partition: i32) -> TopicPartition {
    TopicPartition {
        topic: topic.to_string(),
        partition,
    }
}

/// The config a new topic gets: the request's settings, validated (broker-level defaults are
/// inherited by the store).
pub fn topic_config(
    explicit: impl IntoIterator<Item = (String, String)>,
) -> Result<crate::storage::TopicConfig, StorageError> {
    crate::storage::TopicConfig::new(explicit.into_iter().collect())
}

/// The message of a cluster-level denial on the APIs Kafka's controller checks (Kafka also
/// prints its internal request there, which means nothing to a client).
pub fn needs_permission(operation: &str) -> String {
    format!("Request needs {operation} permission.")
}
