//! The one table of what the project serves: for each API, the versions ApiVersions advertises
//! and the gateway admits. Everything else — the ApiVersions answer, the version firewall, the
//! CLI's default version choice — is derived from [`SUPPORTED`].
//!
//! The codec itself can decode more versions than are served (see
//! [`ApiKey::codec_versions`]); a test checks every served range lies inside the codec's.

use crate::messages::ApiKey;

/// A served version range of one API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// The API.
    pub api: ApiKey,
    /// Lowest version served.
    pub min: i16,
    /// Highest version served.
    pub max: i16,
}

const fn s(api: ApiKey, min: i16, max: i16) -> Served {
    Served { api, min, max }
}

/// The served versions, one line per API, in key order. Only APIs the gateway implements are
/// listed (clients call whatever is advertised).
///
/// Produce is served from v0 because librdkafka before 2.11.1 only compresses when the range
/// contains v0; Fetch from v4 (RecordBatch v2); ListOffsets from v1; CreateTopics from v2;
/// DeleteTopics from v1; DescribeLogDirs from v1 (Kafka 4 dropped v0); OffsetForLeaderEpoch from v2 (older ones predate leader epochs in
/// responses); DescribeConfigs from v1; OffsetCommit from v2 and OffsetFetch from v1 (older
/// ones kept offsets in ZooKeeper).
pub const SUPPORTED: &[Served] = &[
    s(ApiKey::Produce, 0, 11),
    s(ApiKey::Fetch, 4, 17),
    s(ApiKey::ListOffsets, 1, 9),
    s(ApiKey::Metadata, 0, 12),
    s(ApiKey::OffsetCommit, 2, 9),
    s(ApiKey::OffsetFetch, 1, 9),
    s(ApiKey::FindCoordinator, 0, 6),
    s(ApiKey::JoinGroup, 0, 9),
    s(ApiKey::Heartbeat, 0, 4),
    s(ApiKey::LeaveGroup, 0, 5),
    s(ApiKey::SyncGroup, 0, 5),
    s(ApiKey::DescribeGroups, 0, 5),
    s(ApiKey::ListGroups, 0, 5),
    s(ApiKey::SaslHandshake, 0, 1),
    s(ApiKey::ApiVersions, 0, 4),
    s(ApiKey::CreateTopics, 2, 7),
    s(ApiKey::DeleteTopics, 1, 6),
    s(ApiKey::DeleteRecords, 0, 2),
    s(ApiKey::InitProducerId, 0, 5),
    s(ApiKey::OffsetForLeaderEpoch, 2, 4),
    s(ApiKey::DescribeAcls, 0, 3),
    s(ApiKey::CreateAcls, 0, 3),
    s(ApiKey::DeleteAcls, 0, 3),
    s(ApiKey::DescribeConfigs, 1, 4),
    s(ApiKey::AlterConfigs, 0, 2),
    s(ApiKey::DescribeLogDirs, 1, 4),
    s(ApiKey::SaslAuthenticate, 0, 2),
    s(ApiKey::CreatePartitions, 0, 3),
    s(ApiKey::DeleteGroups, 0, 2),
    s(ApiKey::ElectLeaders, 0, 2),
    s(ApiKey::IncrementalAlterConfigs, 0, 1),
    s(ApiKey::AlterPartitionReassignments, 0, 0),
    s(ApiKey::ListPartitionReassignments, 0, 0),
    s(ApiKey::OffsetDelete, 0, 0),
    s(ApiKey::DescribeClientQuotas, 0, 1),
    s(ApiKey::AlterClientQuotas, 0, 1),
    s(ApiKey::DescribeUserScramCredentials, 0, 0),
    s(ApiKey::AlterUserScramCredentials, 0, 0),
    s(ApiKey::DescribeCluster, 0, 1),
    s(ApiKey::DescribeProducers, 0, 0),
    s(ApiKey::DescribeTopicPartitions, 0, 0),
];

/// The served range of `api`, if it is served at all.
pub fn served(api: ApiKey) -> Option<Served> {
    SUPPORTED.iter().copied().find(|s| s.api == api)
}

/// Whether a request of `api_key` at `version` is admitted.
pub fn is_served(api_key: i16, version: i16) -> bool {
    ApiKey::from_i16(api_key)
        .and_then(served)
        .is_some_and(|s| (s.min..=s.max).contains(&version))
}
