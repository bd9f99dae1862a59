//! Start a gateway in-process on 127.0.0.1:0 for end-to-end tests.

use std::net::SocketAddr;
use std::path::Path;

use kafka_gateway::config::{Config, StorageKind};
use kafka_gateway::server::Server;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running gateway; `stop` shuts it down gracefully (drain + flush).
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.expect("server task");
    }
}

/// Serve from `data_dir` (file store), or from memory when `None`.
pub async fn start(data_dir: Option<&Path>) -> Running {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: if data_dir.is_some() {
            StorageKind::File
        } else {
            StorageKind::Memory
        },
        data_dir: data_dir.map(Path::to_path_buf).unwrap_or_default(),
        default_partitions: 2,
        group_initial_rebalance_delay_ms: 200,
        ..Config::default()
    };
    let server = Server::bind(config).await.expect("bind");
    let addr = server.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = rx.await;
            })
            .await
            .expect("server run");
    });
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}
