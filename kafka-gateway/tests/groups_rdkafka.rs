//! A librdkafka consumer group on the file store: reads once, commits, resumes after restart.

mod common;
mod rd_group;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_librdkafka_group_reads_once_commits_and_resumes_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    rd_group::reads_once_commits_and_resumes_after_restart(|| common::start(Some(dir.path())))
        .await;
}
