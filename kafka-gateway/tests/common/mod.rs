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
#[allow(dead_code)] // not every test binary uses every helper
pub async fn start(data_dir: Option<&Path>) -> Running {
    start_with(
        if data_dir.is_some() {
            StorageKind::File
        } else {
            StorageKind::Memory
        },
        data_dir.map(Path::to_path_buf).unwrap_or_default(),
    )
    .await
}

/// Serve from `storage` (with `data_dir` for the file store).
pub async fn start_with(storage: StorageKind, data_dir: std::path::PathBuf) -> Running {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage,
        data_dir,
        default_partitions: 2,
        group_initial_rebalance_delay_ms: 200,
        ..Config::default()
    };
    start_config(config).await
}

/// Serve with `config` as given.
pub async fn start_config(config: Config) -> Running {
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

/// An rskafka client of the gateway at `addr`, after creating `topic` with `partitions`.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn rskafka_with_topic(
    addr: SocketAddr,
    topic: &str,
    partitions: i32,
) -> rskafka::client::Client {
    rskafka_built_with_topic(
        rskafka::client::ClientBuilder::new(vec![addr.to_string()]),
        topic,
        partitions,
    )
    .await
}

/// An rskafka client from `builder` (SASL, backoff…), with `topic` created through it.
#[allow(dead_code)] // not every test binary uses every helper
pub async fn rskafka_built_with_topic(
    builder: rskafka::client::ClientBuilder,
    topic: &str,
    partitions: i32,
) -> rskafka::client::Client {
    let client = builder.build().await.unwrap();
    client
        .controller_client()
        .unwrap()
        .create_topic(topic, partitions, 1, 5_000)
        .await
        .unwrap();
    client
}
