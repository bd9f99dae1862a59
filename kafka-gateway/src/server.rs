//! The server: binds the listeners (plaintext and TLS), serves connections, runs the flush and
//! retention tasks, reloads certificates on SIGHUP, and drains in-flight requests and flushes
//! storage on shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::acl::Authorizer;
use crate::auth::session::Authenticator;
use crate::config::{Config, StorageKind};
use crate::metrics::http::OpsState;
use crate::metrics::Metrics;
use crate::quota::Quotas;
use crate::storage::file::now_ms;
use crate::storage::iggy::IggyStorage;
use crate::storage::local::FlushPolicy;
use crate::storage::{LocalStorage, Storage, StorageError};
use crate::tls::TlsState;

/// What a connection knows of the listener that accepted it.
pub struct Endpoint {
    /// Kafka's name for the listener's security protocol (`PLAINTEXT`, `SASL_SSL`…).
    pub protocol: &'static str,
    /// Host and port clients of this listener are told to use.
    pub advertised: (String, u16),
    /// The TLS configuration, on the TLS listener.
    pub tls: Option<Arc<TlsState>>,
}

struct Bound {
    listener: TcpListener,
    endpoint: Arc<Endpoint>,
}

fn protocol(tls: bool, sasl: bool) -> &'static str {
    match (tls, sasl) {
        (false, false) => "PLAINTEXT",
        (false, true) => "SASL_PLAINTEXT",
        (true, false) => "SSL",
        (true, true) => "SASL_SSL",
    }
}

/// Everything a handler may use: storage and the broker's identity.
pub struct Ctx {
    /// The log store.
    pub storage: Arc<dyn Storage>,
    /// Resolved settings.
    pub config: Config,
    /// The consumer-group coordinator and its parked requests.
    pub groups: crate::groups::GroupService,
    /// What clients must authenticate with (`None`: nobody has to).
    pub auth: Option<Authenticator>,
    /// The ACLs every request is checked against.
    pub authorizer: Authorizer,
    /// What is counted for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Client quotas (no entries: no limits).
    pub quotas: Quotas,
    /// SCRAM credentials (the users file), shared with the SASL listener.
    pub users: Arc<crate::auth::users::UserStore>,
    /// The broker's configs: static settings and the dynamic layers AlterConfigs changes.
    pub brokers: crate::dynamic::BrokerConfigs,
    /// Log levels changed at runtime (BROKER_LOGGER resources).
    pub loggers: crate::dynamic::loggers::LogLevels,
}

/// The broker configs the gateway's settings amount to, by Kafka's names.
fn static_broker_configs(config: &Config) -> std::collections::BTreeMap<String, String> {
    use crate::storage::config::catalog;
    let mut out = std::collections::BTreeMap::from([
        (
            "auto.create.topics.enable".to_string(),
            config.auto_create_topics.to_string(),
        ),
        (
            "num.partitions".to_string(),
            config.default_partitions.to_string(),
        ),
        (
            "socket.request.max.bytes".to_string(),
            config.max_frame_bytes.to_string(),
        ),
        ("default.replication.factor".to_string(), "1".to_string()),
    ]);
    for (topic_key, value) in &config.topic_defaults {
        if let Some(broker) = catalog::lookup(topic_key).and_then(catalog::broker_config) {
            out.insert(broker.to_string(), value.clone());
        }
    }
    out
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
    listeners: Vec<Bound>,
    tls: Option<Arc<TlsState>>,
    ctx: Arc<Ctx>,
    ops: Option<Ops>,
}

/// The operations endpoint, bound before storage opens.
struct Ops {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

/// Bind `--metrics-listen` (if set) and start answering: live at once, ready once `state.ctx`
/// is set.
async fn start_ops(
    config: &Config,
    metrics: &Arc<Metrics>,
) -> Result<(Option<Ops>, Arc<OpsState>), std::io::Error> {
    let state = Arc::new(OpsState {
        metrics: metrics.clone(),
        ctx: std::sync::OnceLock::new(),
    });
    let Some(addr) = config.metrics_listen else {
        return Ok((None, state));
    };
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(listen = %addr, "metrics and health endpoint");
    let task = tokio::spawn(crate::metrics::http::serve(listener, state.clone()));
    Ok((Some(Ops { addr, task }), state))
}

impl Server {
    /// Bind the listener and open storage.
    pub async fn bind(config: Config) -> Result<Self, std::io::Error> {
        let metrics = Arc::new(Metrics::new());
        let ops = start_ops(&config, &metrics).await?;
        let storage = open_storage(&config).await.map_err(std::io::Error::other)?;
        Self::assemble(config, storage, metrics, ops).await
    }

    /// Bind the listener over an already opened storage.
    pub async fn bind_with(
        config: Config,
        storage: Arc<dyn Storage>,
    ) -> Result<Self, std::io::Error> {
        let metrics = Arc::new(Metrics::new());
        let ops = start_ops(&config, &metrics).await?;
        Self::assemble(config, storage, metrics, ops).await
    }

    async fn assemble(
        config: Config,
        storage: Arc<dyn Storage>,
        metrics: Arc<Metrics>,
        (ops, ops_state): (Option<Ops>, Arc<OpsState>),
    ) -> Result<Self, std::io::Error> {
        // The users file: the one given, else one in the data directory, so SCRAM credentials
        // made with AlterUserScramCredentials are kept as Kafka keeps them.
        let users_path = match (&config.users, &config.storage) {
            (Some(p), _) => Some(p.clone()),
            (None, StorageKind::Memory) => None,
            (None, _) => Some(config.data_dir.join("users.toml")),
        };
        let users = Arc::new(
            crate::auth::users::UserStore::open(users_path).map_err(std::io::Error::other)?,
        );
        let auth = match &config.users {
            Some(_) if !config.sasl_mechanisms.is_empty() => Some(Authenticator {
                mechanisms: config.sasl_mechanisms.clone(),
                users: users.clone(),
                session_lifetime: config.sasl_session_lifetime,
            }),
            _ => None,
        };
        let sasl = auth.is_some();
        let acl_path = match config.storage {
            StorageKind::Memory => None,
            _ => Some(config.data_dir.join("acls.toml")),
        };
        let authorizer =
            Authorizer::open(acl_path, config.super_users.clone(), config.allow_if_no_acl)
                .map_err(std::io::Error::other)?;
        let mut listeners = Vec::new();
        if let Some(addr) = config.listen {
            let listener = TcpListener::bind(addr).await?;
            let advertised = config.advertised(listener.local_addr()?);
            listeners.push(Bound {
                listener,
                endpoint: Arc::new(Endpoint {
                    protocol: protocol(false, sasl),
                    advertised,
                    tls: None,
                }),
            });
        }
        let mut tls = None;
        if let Some(settings) = &config.tls {
            let state = Arc::new(TlsState::load(settings.clone()).map_err(std::io::Error::other)?);
            let listener = TcpListener::bind(settings.listen).await?;
            let advertised =
                crate::config::advertised(settings.advertise.as_ref(), listener.local_addr()?);
            listeners.push(Bound {
                listener,
                endpoint: Arc::new(Endpoint {
                    protocol: protocol(true, sasl),
                    advertised,
                    tls: Some(state.clone()),
                }),
            });
            tls = Some(state);
        }
        let groups = crate::groups::GroupService::new(crate::coordinator::Settings {
            initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
            ..Default::default()
        });
        // The quota file: the one given, else one in the data directory, so quotas set with
        // AlterClientQuotas are kept as Kafka keeps them.
        let quota_path = match (&config.quotas, &config.storage) {
            (Some(p), _) => Some(p.clone()),
            (None, StorageKind::Memory) => None,
            (None, _) => Some(config.data_dir.join("quotas.toml")),
        };
        let quotas = Quotas::open(quota_path).map_err(std::io::Error::other)?;
        let broker_path = match config.storage {
            StorageKind::Memory => None,
            _ => Some(config.data_dir.join("broker-configs.toml")),
        };
        let brokers = crate::dynamic::BrokerConfigs::open(
            config.node_id,
            static_broker_configs(&config),
            broker_path,
        )
        .map_err(std::io::Error::other)?;
        storage.set_inherited(brokers.inherited()).await;
        let loggers = crate::dynamic::loggers::LogLevels::new(
            &std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        );
        let ctx = Arc::new(Ctx {
            users,
            brokers,
            loggers,
            storage,
            config,
            groups,
            auth,
            authorizer,
            metrics,
            quotas,
        });
        let _ = ops_state.ctx.set(ctx.clone());
        Ok(Server {
            listeners,
            tls,
            ctx,
            ops,
        })
    }

    /// The address the plaintext listener bound (the TLS one's without it; useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listeners[0].listener.local_addr()
    }

    /// The address the TLS listener bound, if there is one.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.listeners
            .iter()
            .find(|b| b.endpoint.tls.is_some())
            .and_then(|b| b.listener.local_addr().ok())
    }

    /// The address the operations endpoint bound, if there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.ops.as_ref().map(|o| o.addr)
    }

    /// The TLS configuration, to reload it (as SIGHUP does).
    pub fn tls(&self) -> Option<Arc<TlsState>> {
        self.tls.clone()
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
        tasks.spawn(reload_on_sighup(
            self.tls.clone(),
            ctx.clone(),
            stop_rx.clone(),
        ));
        for b in &self.listeners {
            let (host, port) = &b.endpoint.advertised;
            tracing::info!(listen = %b.listener.local_addr()?, protocol = b.endpoint.protocol, advertise = %format!("{host}:{port}"), "kafka-gateway serving");
        }
        let (first, second) = match self.listeners.as_slice() {
            [one] => (one, None),
            [one, two] => (one, Some(two)),
            _ => unreachable!("configuration guarantees one or two listeners"),
        };
        tokio::pin!(shutdown);
        loop {
            let (accepted, endpoint) = tokio::select! {
                _ = &mut shutdown => break,
                a = first.listener.accept() => (a, first.endpoint.clone()),
                a = accept(second) => a,
            };
            match accepted {
                Ok((sock, peer)) => {
                    tasks.spawn(crate::connection::accept(
                        sock,
                        peer,
                        endpoint,
                        ctx.clone(),
                        stop_rx.clone(),
                    ));
                }
                Err(e) => tracing::warn!(error = %e, "accept failed"),
            }
        }
        tracing::info!("shutting down: draining connections");
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        ctx.storage.flush().await?;
        if let Some(ops) = self.ops {
            ops.task.abort();
        }
        tracing::info!("storage flushed; bye");
        Ok(())
    }
}

type Accepted = (std::io::Result<(TcpStream, SocketAddr)>, Arc<Endpoint>);

/// Accept on `bound`, or never when there is no such listener.
async fn accept(bound: Option<&Bound>) -> Accepted {
    match bound {
        Some(b) => (b.listener.accept().await, b.endpoint.clone()),
        None => std::future::pending().await,
    }
}

/// Re-read certificate, key and client CA, the ACL file and the quota file whenever the
/// process gets SIGHUP.
async fn reload_on_sighup(
    tls: Option<Arc<TlsState>>,
    ctx: Arc<Ctx>,
    mut stop: watch::Receiver<bool>,
) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: certificates will not be reloaded");
            return;
        };
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                got = hup.recv() => {
                    if got.is_none() {
                        return;
                    }
                    if let Some(tls) = &tls {
                        match tls.reload() {
                            Ok(()) => tracing::info!("SIGHUP: TLS certificate reloaded"),
                            Err(e) => tracing::error!(error = %e, "SIGHUP: TLS reload failed; the previous certificate stays"),
                        }
                    }
                    match ctx.users.reload() {
                        Ok(true) => tracing::info!("SIGHUP: users reloaded"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "SIGHUP: users reload failed; the previous users stay"),
                    }
                    match ctx.authorizer.reload() {
                        Ok(true) => tracing::info!("SIGHUP: ACLs reloaded"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "SIGHUP: ACL reload failed; the previous ACLs stay"),
                    }
                    match ctx.quotas.reload() {
                        Ok(true) => tracing::info!("SIGHUP: quotas reloaded"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "SIGHUP: quota reload failed; the previous quotas stay"),
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (tls, ctx, stop.changed().await);
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
                let started = std::time::Instant::now();
                if let Err(e) = ctx.storage.flush().await {
                    tracing::error!(error = %e, "flush failed");
                }
                ctx.metrics.flushed(started.elapsed());
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
