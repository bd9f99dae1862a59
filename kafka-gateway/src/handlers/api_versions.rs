//! ApiVersions (18): the served table, exactly as `kafka_wire::api::SUPPORTED` says.

use kafka_wire::api::SUPPORTED;
use kafka_wire::messages::api_versions::{ApiVersion, ApiVersionsResponse};
use kafka_wire::ErrorCode;

/// The answer to every ApiVersions request (and, with an error, to unsupported versions of it).
pub fn table(error: ErrorCode) -> ApiVersionsResponse {
    ApiVersionsResponse {
        error_code: error.0,
        api_keys: SUPPORTED
            .iter()
            .map(|s| ApiVersion {
                api_key: s.api as i16,
                min_version: s.min,
                max_version: s.max,
                ..Default::default()
            })
            .collect(),
        // Kafka's feature flags (metadata.version, kraft.version, transaction.version,
        // group.version, …) gate behaviour the gateway does not have (KRaft metadata,
        // transactions v2, KIP-848 groups), so none is advertised; clients then use what needs
        // no feature (Java: classic groups, no implicit transaction partitions).
        supported_features: Vec::new(),
        finalized_features_epoch: -1,
        finalized_features: Vec::new(),
        ..Default::default()
    }
}
