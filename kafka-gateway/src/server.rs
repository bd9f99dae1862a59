//! The server: binds the listener, serves connections, runs the flush and retention tasks, and
//! drains in-flight requests and flushes storage on shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::auth::session::Authenticator;
use crate::auth::users::Users;
use crate::config::{Config, StorageKind};
use crate::storage::file::now_ms;
use crate::storage::iggy::IggyStorage;
use crate::storage::local::FlushPolicy;
use crate::storage::{LocalStorage, Storage, StorageError};

/// Everything a handler may use: storage and the broker's identity.
pub struct Ctx {
    /// The log store.
    pub storage: Arc<dyn Storage>,
    /// Resolved settings.
    pub config: Config,
    /// Host and port clients are told to use.
    pub advertised: (String, u16),
    /// The consumer-group coordinator and its parked requests.
    pub groups: crate::groups::GroupService,
    /// What clients must authenticate with (`None`: nobody has to).
    pub auth: Option<Authenticator>,
}

/// Open the configured storage (recovering the file store, connecting to Iggy).
pub async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>, StorageError> {
    Ok(match &config.storage {
        StorageKind::Memory => Arc::new(LocalStorage::memory()),
        StorageKind::File => Arc::new(LocalStorage::open_dir(&config.data_dir, config.flush)?),
        StorageKind::Iggy(settings) => {
            let iggy = Arc::new(IggyStorage::connect(settings.clone()).await?);
            iggy.spawn_watcher();
            iggy
        }
    })
}

/// A bound, not yet serving, gateway.
pub struct Server {
    listener: TcpListener,
    ctx: Arc<Ctx>,
}

impl Server {
    /// Bind the listener and open storage.
    pub async fn bind(config: Config) -> Result<Self, std::io::Error> {
        let storage = open_storage(&config).await.map_err(std::io::Error::other)?;
        Self::bind_with(config, storage).await
    }

    /// Bind the listener over an already opened storage.
    pub async fn bind_with(
        config: Config,
        storage: Arc<dyn Storage>,
    ) -> Result<Self, std::io::Error> {
        let auth = match &config.users {
            Some(path) if !config.sasl_mechanisms.is_empty() => Some(Authenticator {
                mechanisms: config.sasl_mechanisms.clone(),
                users: Arc::new(Users::load(path).map_err(std::io::Error::other)?),
            }),
            _ => None,
        };
        let listener = TcpListener::bind(config.listen).await?;
        let advertised = config.advertised(listener.local_addr()?);
        let groups = crate::groups::GroupService::new(crate::coordinator::Settings {
            initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
            ..Default::default()
        });
        Ok(Server {
            listener,
            ctx: Arc::new(Ctx {
                storage,
                config,
                advertised,
                groups,
                auth,
            }),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared context.
    pub fn ctx(&self) -> Arc<Ctx> {
        self.ctx.clone()
    }

    /// Serve until `shutdown` resolves, then stop accepting, let connections finish the
    /// request in hand, and flush storage.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), StorageError> {
        let ctx = self.ctx;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tasks.spawn(background(ctx.clone(), stop_rx.clone()));
        tracing::info!(listen = %self.listener.local_addr()?, advertise = %format!("{}:{}", ctx.advertised.0, ctx.advertised.1), "kafka-gateway serving");
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((sock, peer)) => {
                        let _ = sock.set_nodelay(true);
                        tasks.spawn(crate::connection::serve(sock, peer, ctx.clone(), stop_rx.clone()));
                    }
                    Err(e) => tracing::warn!(error = %e, "accept failed"),
                },
            }
        }
        tracing::info!("shutting down: draining connections");
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        ctx.storage.flush().await?;
        tracing::info!("storage flushed; bye");
        Ok(())
    }
}

/// Periodic fsync (with `--flush interval`) and retention.
async fn background(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) {
    let mut flush = tokio::time::interval(ctx.config.flush_interval);
    let mut retention = tokio::time::interval(ctx.config.retention_check);
    // The group coordinator has no clock of its own: session expiry and rebalance timeouts
    // advance when it is ticked.
    let mut groups = tokio::time::interval(std::time::Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = flush.tick(), if ctx.config.flush == FlushPolicy::Interval => {
                if let Err(e) = ctx.storage.flush().await {
                    tracing::error!(error = %e, "flush failed");
                }
            }
            _ = groups.tick() => ctx.groups.tick(),
            _ = retention.tick() => {
                if let Err(e) = ctx.storage.enforce_retention(now_ms()).await {
                    tracing::error!(error = %e, "retention failed");
                }
            }
        }
    }
}
