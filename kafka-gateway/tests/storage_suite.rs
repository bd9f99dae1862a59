//! One behaviour suite for every storage backend (memory and file), plus file-store recovery:
//! torn writes cut at every byte position, index lookups across many index intervals,
//! retention, and producer state surviving a restart.

mod suite;

use std::sync::Arc;

use kafka_gateway::storage::local::FlushPolicy;
use kafka_gateway::storage::LocalStorage;
use suite::LOCAL;

macro_rules! suite {
    ($($name:ident),*) => {
        mod memory {
            use super::*;
            $(#[tokio::test] async fn $name() { suite::$name(Arc::new(LocalStorage::memory()), LOCAL).await })*
        }
        mod file {
            use super::*;
            $(#[tokio::test] async fn $name() {
                let dir = tempfile::tempdir().unwrap();
                suite::$name(Arc::new(LocalStorage::open_dir(dir.path(), FlushPolicy::Never).unwrap()), LOCAL).await
            })*
        }
    };
}

suite!(
    topics_are_created_listed_grown_and_deleted,
    appends_get_dense_offsets_and_reads_return_whole_batches,
    sequential_reads_see_every_record_once,
    idempotent_retries_are_answered_not_rewritten,
    timestamps_find_batches,
    delete_records_moves_the_log_start,
    retention_by_bytes_and_time_drops_the_oldest_data,
    appends_wake_watchers,
    committed_offsets_are_kept_per_group_and_deleted
);
