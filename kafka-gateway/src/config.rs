//! `kafka-gateway serve` settings: each a flag, an environment variable `KAFKA_GATEWAY_<NAME>`,
//! and a key in an optional TOML file (`--config`). Precedence: flag or environment, then the
//! file, then the default.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::auth::session::SaslMechanism;
use crate::storage::iggy::{redact, IggySettings};
use crate::storage::local::FlushPolicy;

/// Why settings could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting has a value it cannot take.
    #[error("{0}")]
    Invalid(String),
    /// The `--config` file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The `--config` file is not valid TOML for these settings.
    #[error("parsing {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: toml::de::Error,
    },
}

type Result<T> = std::result::Result<T, ConfigError>;

macro_rules! bail {
    ($($arg:tt)*) => {
        return Err(ConfigError::Invalid(format!($($arg)*)))
    };
}

/// Command-line (and environment) settings; unset ones fall back to the file, then defaults.
/// The same struct reads the `--config` TOML file, so the two can never list different keys.
#[derive(Debug, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (keys as the flag names, with underscores).
    #[arg(long, env = "KAFKA_GATEWAY_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address of the plaintext listener, or `off` [default: 0.0.0.0:9093].
    #[arg(long, env = "KAFKA_GATEWAY_LISTEN")]
    pub listen: Option<String>,
    /// HOST:PORT clients of --listen are told to connect to [default: the listen address,
    /// 127.0.0.1 for 0.0.0.0].
    #[arg(long, env = "KAFKA_GATEWAY_ADVERTISE")]
    pub advertise: Option<String>,
    /// Address of the TLS listener [default: none]; needs --tls-cert and --tls-key.
    #[arg(long, env = "KAFKA_GATEWAY_TLS_LISTEN")]
    pub tls_listen: Option<SocketAddr>,
    /// HOST:PORT clients of --tls-listen are told to connect to (the name on the certificate).
    #[arg(long, env = "KAFKA_GATEWAY_TLS_ADVERTISE")]
    pub tls_advertise: Option<String>,
    /// PEM certificate chain of the TLS listener (re-read on SIGHUP).
    #[arg(long, env = "KAFKA_GATEWAY_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the TLS listener (re-read on SIGHUP).
    #[arg(long, env = "KAFKA_GATEWAY_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificates: TLS clients must present a certificate they signed (mutual TLS);
    /// its subject becomes the principal unless the client authenticates with SASL.
    #[arg(long, env = "KAFKA_GATEWAY_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Data directory of the file store [default: ./kafka-gateway-data].
    #[arg(long, env = "KAFKA_GATEWAY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Storage backend: file, memory, or iggy://USER:PASSWORD@HOST:PORT [default: file].
    #[arg(long, env = "KAFKA_GATEWAY_STORAGE")]
    pub storage: Option<String>,
    /// Password for iggy:// storage, so it stays out of process listings (replaces any in the URL).
    #[arg(long, env = "KAFKA_GATEWAY_IGGY_PASSWORD", hide_env_values = true)]
    pub iggy_password: Option<String>,
    /// Iggy stream holding the Kafka topics [default: kafka].
    #[arg(long, env = "KAFKA_GATEWAY_IGGY_STREAM")]
    pub iggy_stream: Option<String>,
    /// (TOML only) Kafka topics placed in other Iggy streams: `topic = "stream/topic"`.
    #[arg(skip)]
    pub iggy_topics: Option<BTreeMap<String, String>>,
    /// This broker's node id [default: 0].
    #[arg(long, env = "KAFKA_GATEWAY_NODE_ID")]
    pub node_id: Option<i32>,
    /// Create unknown topics when clients ask for them in Metadata [default: true].
    #[arg(long, env = "KAFKA_GATEWAY_AUTO_CREATE_TOPICS")]
    pub auto_create_topics: Option<bool>,
    /// Partitions of auto-created topics and of CreateTopics with -1 [default: 1].
    #[arg(long, env = "KAFKA_GATEWAY_DEFAULT_PARTITIONS")]
    pub default_partitions: Option<i32>,
    /// Largest request frame accepted, in bytes [default: 104857600].
    #[arg(long, env = "KAFKA_GATEWAY_MAX_FRAME_BYTES")]
    pub max_frame_bytes: Option<usize>,
    /// When to fsync: every-batch, interval or never [default: interval].
    #[arg(long, env = "KAFKA_GATEWAY_FLUSH")]
    pub flush: Option<String>,
    /// Milliseconds between fsyncs with --flush interval [default: 1000].
    #[arg(long, env = "KAFKA_GATEWAY_FLUSH_INTERVAL_MS")]
    pub flush_interval_ms: Option<u64>,
    /// Default retention.ms of new topics [default: 604800000].
    #[arg(long, env = "KAFKA_GATEWAY_RETENTION_MS")]
    pub retention_ms: Option<i64>,
    /// Default retention.bytes of new topics [default: -1].
    #[arg(long, env = "KAFKA_GATEWAY_RETENTION_BYTES")]
    pub retention_bytes: Option<i64>,
    /// Default segment.bytes of new topics [default: 1073741824].
    #[arg(long, env = "KAFKA_GATEWAY_SEGMENT_BYTES")]
    pub segment_bytes: Option<i64>,
    /// Milliseconds between retention checks [default: 30000].
    #[arg(long, env = "KAFKA_GATEWAY_RETENTION_CHECK_MS")]
    pub retention_check_ms: Option<u64>,
    /// How long a new group waits for more members before its first rebalance [default: 3000].
    #[arg(long, env = "KAFKA_GATEWAY_GROUP_INITIAL_REBALANCE_DELAY_MS")]
    pub group_initial_rebalance_delay_ms: Option<i64>,
    /// SASL mechanisms every client must authenticate with, comma-separated: PLAIN,
    /// SCRAM-SHA-256, SCRAM-SHA-512 [default: none, no authentication].
    #[arg(long, env = "KAFKA_GATEWAY_SASL_MECHANISMS")]
    pub sasl_mechanisms: Option<String>,
    /// The users file (salted credentials, from `kafka-cli user add`); required with SASL.
    #[arg(long, env = "KAFKA_GATEWAY_USERS")]
    pub users: Option<PathBuf>,
    /// Principals ACLs never restrict, separated by `;` as in Kafka's super.users (certificate
    /// subjects contain commas): `User:admin;User:CN=ops,O=Example` [default: none].
    #[arg(long, env = "KAFKA_GATEWAY_SUPER_USERS")]
    pub super_users: Option<String>,
    /// Whether a resource no ACL covers is open to everyone (Kafka's
    /// allow.everyone.if.no.acl.found) [default: true].
    #[arg(long, env = "KAFKA_GATEWAY_ALLOW_IF_NO_ACL")]
    pub allow_if_no_acl: Option<bool>,
    /// Address of the operations endpoint: /metrics (Prometheus), /health/live, /health/ready
    /// [default: off].
    #[arg(long, env = "KAFKA_GATEWAY_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// How long a SASL login holds before the client must re-authenticate on its connection
    /// (KIP-368; Kafka's connections.max.reauth.ms) [default: forever].
    #[arg(long, env = "KAFKA_GATEWAY_SASL_SESSION_LIFETIME_MS")]
    pub sasl_session_lifetime_ms: Option<u64>,
    /// Client quotas: produce and fetch byte rates by user and client id (TOML, see
    /// docs/SECURITY.md) [default: none].
    #[arg(long, env = "KAFKA_GATEWAY_QUOTAS")]
    pub quotas: Option<PathBuf>,
}

/// Which storage backend to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageKind {
    /// The durable file store.
    File,
    /// The in-memory store.
    Memory,
    /// An Apache Iggy server.
    Iggy(IggySettings),
}

/// `iggy://USER[:PASSWORD]@HOST:PORT`, with the password from `password` when given.
fn parse_iggy(
    url: &str,
    password: Option<String>,
    stream: Option<String>,
    topics: BTreeMap<String, String>,
) -> Result<IggySettings> {
    let bad = |why: &str| {
        ConfigError::Invalid(format!(
            "--storage {}: {why} (expected iggy://USER:PASSWORD@HOST:PORT)",
            redact(url)
        ))
    };
    let rest = url
        .strip_prefix("iggy://")
        .ok_or_else(|| bad("not an iggy:// URL"))?;
    let (creds, addr) = rest.rsplit_once('@').ok_or_else(|| bad("no USER@"))?;
    let (user, url_password) = match creds.split_once(':') {
        Some((u, p)) => (u, Some(p.to_string())),
        None => (creds, None),
    };
    let password = password
        .or(url_password)
        .ok_or_else(|| bad("no password (in the URL or KAFKA_GATEWAY_IGGY_PASSWORD)"))?;
    if user.is_empty() || addr.rsplit_once(':').is_none() {
        return Err(bad("USER and HOST:PORT are required"));
    }
    let mut topic_map = BTreeMap::new();
    for (kafka, place) in topics {
        let (st, t) = place.split_once('/').ok_or_else(|| {
            ConfigError::Invalid(format!(
                "iggy_topics.{kafka} = {place:?}: expected \"stream/topic\""
            ))
        })?;
        topic_map.insert(kafka, (st.to_string(), t.to_string()));
    }
    Ok(IggySettings {
        url: format!("iggy://{user}:{password}@{addr}"),
        stream: stream.unwrap_or_else(|| "kafka".into()),
        topic_map,
    })
}

/// The TLS listener's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// Listen address.
    pub listen: SocketAddr,
    /// Advertised host and port, if set explicitly.
    pub advertise: Option<(String, u16)>,
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
    /// PEM CAs that sign client certificates (mutual TLS), if required.
    pub client_ca: Option<PathBuf>,
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Plaintext listen address (`None`: no plaintext listener).
    pub listen: Option<SocketAddr>,
    /// Advertised host and port of the plaintext listener, if set explicitly.
    pub advertise: Option<(String, u16)>,
    /// The TLS listener, if any.
    pub tls: Option<TlsConfig>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Storage backend.
    pub storage: StorageKind,
    /// Node id.
    pub node_id: i32,
    /// Auto-create topics on Metadata.
    pub auto_create_topics: bool,
    /// Default partition count.
    pub default_partitions: i32,
    /// Frame size cap.
    pub max_frame_bytes: usize,
    /// fsync policy.
    pub flush: FlushPolicy,
    /// fsync interval.
    pub flush_interval: Duration,
    /// Defaults applied to new topics' configs (explicit topic configs win).
    pub topic_defaults: Vec<(String, String)>,
    /// Retention check interval.
    pub retention_check: Duration,
    /// Initial rebalance delay of new groups (Kafka's group.initial.rebalance.delay.ms).
    pub group_initial_rebalance_delay_ms: i64,
    /// SASL mechanisms required of clients (empty: no authentication).
    pub sasl_mechanisms: Vec<SaslMechanism>,
    /// The users file.
    pub users: Option<PathBuf>,
    /// Principals (`User:NAME`) ACLs never restrict.
    pub super_users: Vec<String>,
    /// Whether resources no ACL covers are open.
    pub allow_if_no_acl: bool,
    /// The operations endpoint's address, if any.
    pub metrics_listen: Option<SocketAddr>,
    /// How long a SASL login holds (KIP-368).
    pub sasl_session_lifetime: Option<Duration>,
    /// The client quota file.
    pub quotas: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: Some(SocketAddr::from(([0, 0, 0, 0], 9093))),
            advertise: None,
            tls: None,
            data_dir: PathBuf::from("./kafka-gateway-data"),
            storage: StorageKind::File,
            node_id: 0,
            auto_create_topics: true,
            default_partitions: 1,
            max_frame_bytes: 100 << 20,
            flush: FlushPolicy::Interval,
            flush_interval: Duration::from_millis(1000),
            topic_defaults: Vec::new(),
            retention_check: Duration::from_secs(30),
            group_initial_rebalance_delay_ms: 3000,
            sasl_mechanisms: Vec::new(),
            users: None,
            super_users: Vec::new(),
            allow_if_no_acl: true,
            metrics_listen: None,
            sasl_session_lifetime: None,
            quotas: None,
        }
    }
}

fn parse_flush(s: &str) -> Result<FlushPolicy> {
    Ok(match s {
        "every-batch" => FlushPolicy::EveryBatch,
        "interval" => FlushPolicy::Interval,
        "never" => FlushPolicy::Never,
        other => bail!("--flush must be every-batch, interval or never, not {other}"),
    })
}

fn parse_listen(s: &str) -> Result<Option<SocketAddr>> {
    if s == "off" {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| ConfigError::Invalid(format!("--listen {s}: expected IP:PORT or off")))
}

fn parse_advertise(s: &str) -> Result<(String, u16)> {
    let bad = || ConfigError::Invalid(format!("advertised address {s}: expected HOST:PORT"));
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    Ok((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().map_err(|_| bad())?,
    ))
}

impl Config {
    /// Resolve flags, environment, file and defaults.
    pub fn resolve(args: ServeArgs) -> Result<Self> {
        let file: ServeArgs = match &args.config {
            Some(p) => load(p)?,
            None => ServeArgs::default(),
        };
        let d = Config::default();
        let tls = resolve_tls(&args, &file)?;
        let storage = match args.storage.or(file.storage).as_deref() {
            None | Some("file") => StorageKind::File,
            Some("memory") => StorageKind::Memory,
            Some(url) if url.starts_with("iggy://") => StorageKind::Iggy(parse_iggy(
                url,
                args.iggy_password.or(file.iggy_password),
                args.iggy_stream.or(file.iggy_stream),
                args.iggy_topics.or(file.iggy_topics).unwrap_or_default(),
            )?),
            Some(other) => bail!(
                "--storage must be file, memory or iggy://USER:PASSWORD@HOST:PORT, not {}",
                redact(other)
            ),
        };
        let mut sasl_mechanisms = Vec::new();
        let names = args
            .sasl_mechanisms
            .or(file.sasl_mechanisms)
            .unwrap_or_default();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let m = SaslMechanism::from_name(name).ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "--sasl-mechanisms: {name} is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
                ))
            })?;
            if !sasl_mechanisms.contains(&m) {
                sasl_mechanisms.push(m);
            }
        }
        let users = args.users.or(file.users);
        if !sasl_mechanisms.is_empty() && users.is_none() {
            bail!("--sasl-mechanisms needs --users FILE (write it with `kafka-cli user add`)");
        }
        let super_users: Vec<String> = args
            .super_users
            .or(file.super_users)
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(bad) = super_users.iter().find(|s| !s.contains(':')) {
            bail!("--super-users: {bad:?} is not a principal such as User:admin");
        }
        let metrics_listen = match args
            .metrics_listen
            .as_deref()
            .or(file.metrics_listen.as_deref())
        {
            None | Some("off") => None,
            Some(s) => Some(
                s.parse::<SocketAddr>()
                    .map_err(|e| ConfigError::Invalid(format!("--metrics-listen {s}: {e}")))?,
            ),
        };
        let listen = match args.listen.as_deref().or(file.listen.as_deref()) {
            Some(s) => parse_listen(s)?,
            None => d.listen,
        };
        if listen.is_none() && tls.is_none() {
            bail!("--listen off leaves no listener: give --tls-listen too");
        }
        let mut topic_defaults = Vec::new();
        if let Some(v) = args.retention_ms.or(file.retention_ms) {
            topic_defaults.push(("retention.ms".to_string(), v.to_string()));
        }
        if let Some(v) = args.retention_bytes.or(file.retention_bytes) {
            topic_defaults.push(("retention.bytes".to_string(), v.to_string()));
        }
        if let Some(v) = args.segment_bytes.or(file.segment_bytes) {
            topic_defaults.push(("segment.bytes".to_string(), v.to_string()));
        }
        let default_partitions = args
            .default_partitions
            .or(file.default_partitions)
            .unwrap_or(d.default_partitions);
        if default_partitions < 1 {
            bail!("--default-partitions must be at least 1");
        }
        Ok(Config {
            listen,
            tls,
            advertise: args
                .advertise
                .or(file.advertise)
                .as_deref()
                .map(parse_advertise)
                .transpose()?,
            data_dir: args.data_dir.or(file.data_dir).unwrap_or(d.data_dir),
            storage,
            node_id: args.node_id.or(file.node_id).unwrap_or(d.node_id),
            auto_create_topics: args
                .auto_create_topics
                .or(file.auto_create_topics)
                .unwrap_or(d.auto_create_topics),
            default_partitions,
            max_frame_bytes: args
                .max_frame_bytes
                .or(file.max_frame_bytes)
                .unwrap_or(d.max_frame_bytes),
            flush: args
                .flush
                .or(file.flush)
                .as_deref()
                .map(parse_flush)
                .transpose()?
                .unwrap_or(d.flush),
            flush_interval: args
                .flush_interval_ms
                .or(file.flush_interval_ms)
                .map_or(d.flush_interval, Duration::from_millis),
            topic_defaults,
            retention_check: args
                .retention_check_ms
                .or(file.retention_check_ms)
                .map_or(d.retention_check, Duration::from_millis),
            group_initial_rebalance_delay_ms: args
                .group_initial_rebalance_delay_ms
                .or(file.group_initial_rebalance_delay_ms)
                .unwrap_or(d.group_initial_rebalance_delay_ms),
            sasl_mechanisms,
            users,
            super_users,
            allow_if_no_acl: args
                .allow_if_no_acl
                .or(file.allow_if_no_acl)
                .unwrap_or(d.allow_if_no_acl),
            metrics_listen,
            sasl_session_lifetime: args
                .sasl_session_lifetime_ms
                .or(file.sasl_session_lifetime_ms)
                .filter(|&ms| ms > 0)
                .map(Duration::from_millis),
            quotas: args.quotas.or(file.quotas),
        })
    }

    /// The host and port clients of the plaintext listener are told to use, given the address
    /// actually bound.
    pub fn advertised(&self, bound: SocketAddr) -> (String, u16) {
        advertised(self.advertise.as_ref(), bound)
    }
}

/// `explicit`, or the bound address (127.0.0.1 for an unspecified IP).
pub fn advertised(explicit: Option<&(String, u16)>, bound: SocketAddr) -> (String, u16) {
    explicit.cloned().unwrap_or_else(|| {
        let host = if bound.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            bound.ip().to_string()
        };
        (host, bound.port())
    })
}

fn resolve_tls(args: &ServeArgs, file: &ServeArgs) -> Result<Option<TlsConfig>> {
    let cert = args.tls_cert.clone().or(file.tls_cert.clone());
    let key = args.tls_key.clone().or(file.tls_key.clone());
    let client_ca = args.tls_client_ca.clone().or(file.tls_client_ca.clone());
    let Some(listen) = args.tls_listen.or(file.tls_listen) else {
        if cert.is_some() || key.is_some() || client_ca.is_some() {
            bail!("--tls-cert, --tls-key and --tls-client-ca need --tls-listen ADDR");
        }
        return Ok(None);
    };
    let (Some(cert), Some(key)) = (cert, key) else {
        bail!("--tls-listen needs --tls-cert PEM and --tls-key PEM");
    };
    Ok(Some(TlsConfig {
        listen,
        advertise: args
            .tls_advertise
            .as_deref()
            .or(file.tls_advertise.as_deref())
            .map(parse_advertise)
            .transpose()?,
        cert,
        key,
        client_ca,
    }))
}

fn load(path: &Path) -> Result<ServeArgs> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gw.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:7000\"\ndefault_partitions = 4\nflush = \"never\"\n",
        )
        .unwrap();
        let args = ServeArgs {
            config: Some(file),
            default_partitions: Some(6),
            ..Default::default()
        };
        let c = Config::resolve(args).unwrap();
        assert_eq!(c.listen, Some("127.0.0.1:7000".parse().unwrap()));
        assert_eq!(c.default_partitions, 6);
        assert_eq!(c.flush, FlushPolicy::Never);
        assert_eq!(c.data_dir, PathBuf::from("./kafka-gateway-data"));
        assert_eq!(c.storage, StorageKind::File);
    }

    #[test]
    fn the_advertised_address_defaults_to_something_local_clients_can_reach() {
        let c = Config::default();
        assert_eq!(
            c.advertised("0.0.0.0:9093".parse().unwrap()),
            ("127.0.0.1".to_string(), 9093)
        );
        assert_eq!(
            c.advertised("10.1.2.3:9000".parse().unwrap()),
            ("10.1.2.3".to_string(), 9000)
        );
        let c = Config::resolve(ServeArgs {
            advertise: Some("kafka.example:19092".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            c.advertised("0.0.0.0:9093".parse().unwrap()),
            ("kafka.example".to_string(), 19092)
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_named() {
        let err = Config::resolve(ServeArgs {
            flush: Some("sometimes".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--flush"), "{err}");
        let err = Config::resolve(ServeArgs {
            storage: Some("tape".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--storage"), "{err}");
        assert!(Config::resolve(ServeArgs {
            advertise: Some("nohost".into()),
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn a_tls_listener_needs_its_certificate_and_plaintext_may_be_turned_off() {
        let c = Config::resolve(ServeArgs {
            listen: Some("off".into()),
            tls_listen: Some("0.0.0.0:9094".parse().unwrap()),
            tls_advertise: Some("kafka.example:9094".into()),
            tls_cert: Some("cert.pem".into()),
            tls_key: Some("key.pem".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.listen, None);
        let tls = c.tls.unwrap();
        assert_eq!(tls.advertise, Some(("kafka.example".to_string(), 9094)));
        assert_eq!(tls.client_ca, None);
        let err = Config::resolve(ServeArgs {
            tls_listen: Some("0.0.0.0:9094".parse().unwrap()),
            tls_cert: Some("cert.pem".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--tls-key"), "{err}");
        let err = Config::resolve(ServeArgs {
            tls_cert: Some("cert.pem".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("--tls-listen"), "{err}");
        let err = Config::resolve(ServeArgs {
            listen: Some("off".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("no listener"), "{err}");
    }

    #[test]
    fn iggy_storage_takes_its_password_from_the_environment_and_never_prints_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gw.toml");
        std::fs::write(&file, "[iggy_topics]\nclicks = \"web/clicks-v2\"\n").unwrap();
        let c = Config::resolve(ServeArgs {
            config: Some(file),
            storage: Some("iggy://svc@iggy.local:8090".into()),
            iggy_password: Some("s3cret".into()),
            ..Default::default()
        })
        .unwrap();
        let StorageKind::Iggy(s) = c.storage else {
            panic!("not iggy: {:?}", c.storage)
        };
        assert_eq!(s.url, "iggy://svc:s3cret@iggy.local:8090");
        assert_eq!(s.stream, "kafka");
        assert_eq!(
            s.topic_map.get("clicks"),
            Some(&("web".to_string(), "clicks-v2".to_string()))
        );
        let err = Config::resolve(ServeArgs {
            storage: Some("iggy://svc:hunter2@nowhere".into()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("HOST:PORT") && !err.contains("hunter2"),
            "{err}"
        );
        let err = Config::resolve(ServeArgs {
            storage: Some("iggy://svc@h:1".into()),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("no password"), "{err}");
    }
}
