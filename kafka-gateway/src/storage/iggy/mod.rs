//! The Apache Iggy backend: every topic, record and committed offset lives in an Iggy server,
//! reached with the official `iggy` SDK over TCP; the gateway keeps no data of its own.
//!
//! Kafka topic T is Iggy stream `kafka` (or `--iggy-stream`) / topic T unless the topic map
//! points it elsewhere; partitions map 1:1 and 0-based, so Kafka offsets are Iggy offsets.
//! Records map to messages as [`mapping`] describes.
//!
//! What Iggy 0.8 / SDK 0.10 do not offer, and how this backend makes up for it:
//! - `send_messages` does not return offsets: appends to a partition are serialised in this
//!   gateway, each message carries a unique id, and the base offset is read back from the
//!   partition's last message (found by id if another writer appended in between);
//! - polls do not wait for data: `watch` is fed by this gateway's own appends and by a
//!   background task re-reading the offsets of watched partitions every 100 ms, which is how
//!   a fetch's `max_wait_ms` is honoured;
//! - Iggy has no batches: a fetch rebuilds one v2 batch from the polled messages, starting
//!   exactly at the offset asked for;
//! - idempotent-producer state is kept in this gateway's memory (lost on its restart);
//! - there is no offset-granular delete, so DeleteRecords is refused; retention is Iggy's.

mod commits;
mod log;
pub mod mapping;
mod readahead;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use iggy::prelude::{
    Client, CompressionAlgorithm, Identifier, IggyClient, IggyError, IggyExpiry, IggyTimestamp,
    MaxTopicSize, PartitionClient, PollingStrategy, StreamClient, TopicClient,
};
use kafka_wire::primitives::Uuid;
use tokio::sync::watch;

use super::offsets::Committed;
use super::producers::ProducerTable;
use super::{
    Appended, BatchIn, Offsets, ReadOut, Storage, StorageError, TopicConfig, TopicMeta,
    TopicPartition,
};

/// Where to find the Iggy server and how to lay Kafka topics out in it.
#[derive(Clone, PartialEq, Eq)]
pub struct IggySettings {
    /// `iggy://USER:PASSWORD@HOST:PORT`.
    pub url: String,
    /// The stream Kafka topics live in by default.
    pub stream: String,
    /// Kafka topics placed elsewhere: topic → (stream, Iggy topic).
    pub topic_map: BTreeMap<String, (String, String)>,
}

impl std::fmt::Debug for IggySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IggySettings")
            .field("url", &redact(&self.url))
            .field("stream", &self.stream)
            .field("topic_map", &self.topic_map)
            .finish()
    }
}

/// The backend (see the module documentation).
pub struct IggyStorage {
    /// Sends, metadata and offsets.
    client: IggyClient,
    /// Polls, on a connection of their own so reads and offset checks never queue behind sends.
    reader: Arc<IggyClient>,
    /// Read-ahead polls, one connection per chunk in flight.
    ahead_readers: Vec<Arc<IggyClient>>,
    next_ahead: AtomicU64,
    settings: IggySettings,
    cluster_id: String,
    producers: Mutex<HashMap<TopicPartition, ProducerTable>>,
    partitions: Mutex<HashMap<TopicPartition, Arc<log::Partition>>>,
    /// Topics seen recently, so a produce does not ask Iggy about its topic every time.
    known: Mutex<HashMap<String, (Instant, TopicMeta)>>,
    watches: Mutex<HashMap<TopicPartition, watch::Sender<i64>>>,
    groups: Mutex<BTreeSet<String>>,
    /// Kafka commits of offset 0 ("nothing consumed yet"), which Iggy cannot store.
    zero_commits: Mutex<BTreeSet<(String, TopicPartition)>>,
    id_prefix: u64,
    next_id: AtomicU64,
    next_producer_id: AtomicI64,
    /// Whether the last topic listing reached Iggy (readiness).
    reachable: std::sync::atomic::AtomicBool,
    /// The broker-level topic config values (Kafka topic configs are not kept in Iggy).
    inherited: Mutex<crate::storage::Inherited>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// How long a topic's metadata is reused before Iggy is asked again (a deleted topic is
/// noticed sooner: its next send or poll fails).
const TOPIC_CACHE: Duration = Duration::from_secs(1);

/// How long one Iggy call may take before the Kafka client is told to retry.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// An Iggy error as a storage error: missing things are unknown topics, everything about the
/// connection is retriable unavailability (clients retry; nothing unacknowledged was kept).
fn iggy_err(e: IggyError) -> StorageError {
    match e {
        IggyError::StreamIdNotFound(_)
        | IggyError::StreamNameNotFound(_)
        | IggyError::TopicIdNotFound(..)
        | IggyError::TopicNameNotFound(..)
        | IggyError::PartitionNotFound(..)
        | IggyError::ResourceNotFound(_) => StorageError::UnknownTopicOrPartition(e.to_string()),
        IggyError::TopicNameAlreadyExists(..) | IggyError::StreamNameAlreadyExists(_) => {
            StorageError::TopicExists(e.to_string())
        }
        other => StorageError::Unavailable(other.to_string()),
    }
}

/// One Iggy call, bounded by [`CALL_TIMEOUT`] (the SDK waits for a reconnect indefinitely).
async fn timed<T>(call: impl Future<Output = Result<T, IggyError>>) -> Result<T, StorageError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(r) => r.map_err(iggy_err),
        Err(_) => Err(StorageError::Unavailable(format!(
            "Iggy did not answer within {CALL_TIMEOUT:?}"
        ))),
    }
}

fn named(s: &str) -> Result<Identifier, StorageError> {
    Identifier::named(s).map_err(|e| StorageError::Invalid(format!("{s:?}: {e}")))
}

fn partition_id(tp: &TopicPartition) -> Result<u32, StorageError> {
    u32::try_from(tp.partition)
        .map_err(|_| StorageError::UnknownTopicOrPartition(format!("{tp:?}")))
}

/// A stable Kafka topic id for an Iggy topic: derived from where it lives and when it was
/// created, so it survives gateway restarts and changes when the topic is recreated.
fn topic_uuid(stream: &str, topic: &str, created_us: u64) -> Uuid {
    use std::hash::{Hash, Hasher};
    let mut halves = [0u64; 2];
    for (i, h) in halves.iter_mut().enumerate() {
        let mut s = std::collections::hash_map::DefaultHasher::new();
        (i, stream, topic, created_us).hash(&mut s);
        *h = s.finish();
    }
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&halves[0].to_be_bytes());
    b[8..].copy_from_slice(&halves[1].to_be_bytes());
    Uuid(b)
}

/// The URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl IggyStorage {
    /// Connect and log in (the SDK reconnects and logs in again by itself), and make sure the
    /// default stream exists.
    pub async fn connect(settings: IggySettings) -> Result<Self, StorageError> {
        let open = || {
            IggyClient::from_connection_string(&settings.url).map_err(|e| {
                StorageError::InvalidConfig(format!("--storage {}: {e}", redact(&settings.url)))
            })
        };
        let mut clients = Vec::new();
        for _ in 0..2 + readahead::DEPTH {
            let c = open()?;
            timed(c.connect()).await?;
            clients.push(Arc::new(c));
        }
        let ahead_readers = clients.split_off(2);
        let reader = clients.pop().expect("two clients");
        let client = Arc::into_inner(clients.pop().expect("one client")).expect("unshared");
        let stream = named(&settings.stream)?;
        if timed(client.get_stream(&stream)).await?.is_none() {
            match timed(client.create_stream(&settings.stream)).await {
                Ok(_) | Err(StorageError::TopicExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let seed = u64::try_from(now_ms()).unwrap_or(0);
        Ok(IggyStorage {
            cluster_id: format!("iggy-{}", settings.stream),
            client,
            reader,
            ahead_readers,
            next_ahead: AtomicU64::new(0),
            settings,
            producers: Mutex::default(),
            partitions: Mutex::default(),
            known: Mutex::default(),
            watches: Mutex::default(),
            groups: Mutex::default(),
            zero_commits: Mutex::default(),
            id_prefix: seed ^ u64::from(std::process::id()).rotate_left(32),
            next_id: AtomicU64::new(1),
            next_producer_id: AtomicI64::new((seed as i64 % (1 << 40)) << 8),
            reachable: std::sync::atomic::AtomicBool::new(true),
            inherited: Mutex::default(),
        })
    }

    /// Start the task that refreshes watched partitions' high watermarks (for writes made
    /// by other gateways or native Iggy producers).
    pub fn spawn_watcher(self: &Arc<Self>) {
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(me) = me.upgrade() else { return };
                let watched: Vec<TopicPartition> = lock(&me.watches)
                    .iter()
                    .filter(|(_, tx)| tx.receiver_count() > 0)
                    .map(|(tp, _)| tp.clone())
                    .collect();
                for tp in watched {
                    if let Ok(o) = me.offsets(&tp).await {
                        me.notify(&tp, o.high_watermark);
                    }
                }
            }
        });
    }

    fn notify(&self, tp: &TopicPartition, hw: i64) {
        if let Some(tx) = lock(&self.watches).get(tp) {
            tx.send_if_modified(|v| {
                let moved = *v != hw;
                *v = hw;
                moved
            });
        }
    }

    /// The connection for the next read-ahead poll.
    fn next_reader(&self) -> Arc<IggyClient> {
        let n = self
            .next_ahead
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed) as usize;
        self.ahead_readers[n % self.ahead_readers.len()].clone()
    }

    /// Stream and Iggy topic of a Kafka topic.
    fn place(&self, topic: &str) -> Result<(Identifier, Identifier), StorageError> {
        match self.settings.topic_map.get(topic) {
            Some((s, t)) => Ok((named(s)?, named(t)?)),
            None => Ok((named(&self.settings.stream)?, named(topic)?)),
        }
    }

    async fn topic_meta(&self, kafka_name: &str) -> Result<Option<TopicMeta>, StorageError> {
        let (s, t) = self.place(kafka_name)?;
        let Some(d) = timed(self.client.get_topic(&s, &t)).await? else {
            lock(&self.known).remove(kafka_name);
            return Ok(None);
        };
        let meta = TopicMeta {
            name: kafka_name.to_string(),
            id: topic_uuid(&s.to_string(), &d.name, d.created_at.as_micros()),
            partitions: d.partitions_count as i32,
            config: self.inherited_config(),
        };
        let entry = (Instant::now(), meta.clone());
        lock(&self.known).insert(kafka_name.to_string(), entry);
        Ok(Some(meta))
    }

    /// The config every topic has here: Kafka's defaults under the broker-level values.
    fn inherited_config(&self) -> TopicConfig {
        TopicConfig::default().with_inherited(lock(&self.inherited).clone())
    }

    /// Forget what is known of a topic after changing it.
    fn forget_topic(&self, name: &str) {
        lock(&self.known).remove(name);
        lock(&self.partitions).retain(|tp, _| tp.topic != name);
    }
}

#[async_trait]
impl Storage for IggyStorage {
    async fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        config: TopicConfig,
    ) -> Result<TopicMeta, StorageError> {
        let (s, _) = self.place(name)?;
        let count = u32::try_from(partitions)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| StorageError::Invalid(format!("{partitions} partitions")))?;
        let created = self.client.create_topic(
            &s,
            name,
            count,
            CompressionAlgorithm::None,
            None,
            IggyExpiry::ServerDefault,
            MaxTopicSize::ServerDefault,
        );
        let d = timed(created).await.map_err(|e| match e {
            // The stream went away under us: retriable, not "no such topic".
            StorageError::UnknownTopicOrPartition(m) => StorageError::Unavailable(m),
            other => other,
        })?;
        self.forget_topic(name);
        Ok(TopicMeta {
            name: name.to_string(),
            id: topic_uuid(&s.to_string(), &d.name, d.created_at.as_micros()),
            partitions,
            config,
        })
    }

    async fn delete_topic(&self, name: &str) -> Result<(), StorageError> {
        let (s, t) = self.place(name)?;
        timed(self.client.delete_topic(&s, &t)).await?;
        lock(&self.producers).retain(|tp, _| tp.topic != name);
        self.forget_topic(name);
        Ok(())
    }

    async fn create_partitions(&self, name: &str, total: i32) -> Result<(), StorageError> {
        let meta = self
            .topic_meta(name)
            .await?
            .ok_or_else(|| StorageError::UnknownTopicOrPartition(name.into()))?;
        if total <= meta.partitions {
            return Err(StorageError::Invalid(format!(
                "{name} has {} partitions; cannot go to {total}",
                meta.partitions
            )));
        }
        let (s, t) = self.place(name)?;
        let more = (total - meta.partitions) as u32;
        let grown = timed(self.client.create_partitions(&s, &t, more)).await;
        self.forget_topic(name);
        grown
    }

    async fn alter_topic_config(
        &self,
        name: &str,
        _config: TopicConfig,
    ) -> Result<(), StorageError> {
        Err(StorageError::Invalid(format!(
            "the Iggy backend keeps no per-topic Kafka configs; {name} keeps the broker's"
        )))
    }

    async fn producer_states(
        &self,
        tp: &TopicPartition,
    ) -> Result<Vec<super::producers::ProducerSnapshot>, StorageError> {
        let exists = self
            .topic(&tp.topic)
            .await
            .is_some_and(|m| (0..m.partitions).contains(&tp.partition));
        if !exists {
            return Err(StorageError::UnknownTopicOrPartition(format!(
                "{}-{}",
                tp.topic, tp.partition
            )));
        }
        Ok(lock(&self.producers)
            .get(tp)
            .map(ProducerTable::snapshot)
            .unwrap_or_default())
    }

    async fn set_inherited(&self, inherited: crate::storage::Inherited) {
        *lock(&self.inherited) = inherited;
        lock(&self.known).clear();
    }

    async fn topics(&self) -> Vec<TopicMeta> {
        let mut out = Vec::new();
        let Ok(stream) = named(&self.settings.stream) else {
            return out;
        };
        let listed = timed(self.client.get_topics(&stream)).await;
        self.reachable
            .store(listed.is_ok(), std::sync::atomic::Ordering::Relaxed);
        match listed {
            Ok(topics) => {
                let now = Instant::now();
                let mut known = lock(&self.known);
                for t in topics {
                    let meta = TopicMeta {
                        id: topic_uuid(&stream.to_string(), &t.name, t.created_at.as_micros()),
                        name: t.name,
                        partitions: t.partitions_count as i32,
                        config: self.inherited_config(),
                    };
                    known.insert(meta.name.clone(), (now, meta.clone()));
                    out.push(meta);
                }
            }
            // Iggy unreachable: answer with what was last seen rather than "no topics", so
            // clients keep their partitions and retry (their requests fail retriably).
            Err(_) => out.extend(lock(&self.known).values().map(|(_, m)| m.clone())),
        }
        for name in self.settings.topic_map.keys() {
            if let Ok(Some(m)) = self.topic_meta(name).await {
                out.push(m);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.dedup_by(|a, b| a.name == b.name);
        out
    }

    async fn topic(&self, name: &str) -> Option<TopicMeta> {
        let recent = lock(&self.known)
            .get(name)
            .filter(|(at, _)| at.elapsed() < TOPIC_CACHE)
            .map(|(_, m)| m.clone());
        match recent {
            Some(m) => Some(m),
            None => match self.topic_meta(name).await {
                Ok(m) => m,
                // Unreachable: the last known metadata, so the request fails retriably later.
                Err(_) => lock(&self.known).get(name).map(|(_, m)| m.clone()),
            },
        }
    }

    async fn append(
        &self,
        tp: &TopicPartition,
        batches: Vec<BatchIn>,
    ) -> Result<Appended, StorageError> {
        self.append_batches(tp, batches).await
    }

    async fn read(
        &self,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<ReadOut, StorageError> {
        self.read_from(tp, offset, max_bytes).await
    }

    async fn offsets(&self, tp: &TopicPartition) -> Result<Offsets, StorageError> {
        let (s, t) = self.place(&tp.topic)?;
        let d = timed(self.client.get_topic(&s, &t))
            .await?
            .ok_or_else(|| StorageError::UnknownTopicOrPartition(tp.topic.clone()))?;
        let p = d
            .partitions
            .iter()
            .find(|p| i64::from(p.id) == i64::from(tp.partition))
            .ok_or_else(|| StorageError::UnknownTopicOrPartition(format!("{tp:?}")))?;
        let hw = if p.messages_count == 0 && p.current_offset == 0 {
            0
        } else {
            p.current_offset as i64 + 1
        };
        let o = Offsets {
            log_start: (hw - p.messages_count as i64).max(0),
            high_watermark: hw,
        };
        self.partition(tp).seen(o);
        Ok(o)
    }

    async fn batch_at_timestamp(
        &self,
        tp: &TopicPartition,
        timestamp: i64,
    ) -> Result<Option<Bytes>, StorageError> {
        self.first_at_timestamp(tp, timestamp).await
    }

    async fn batch_with_max_timestamp(
        &self,
        tp: &TopicPartition,
    ) -> Result<Option<Bytes>, StorageError> {
        let polled = self.poll(tp, PollingStrategy::last(), 1).await?;
        mapping::rebuild_batch(&polled.messages).map_err(|e| StorageError::Invalid(e.to_string()))
    }

    async fn delete_records(&self, _: &TopicPartition, _: i64) -> Result<i64, StorageError> {
        Err(StorageError::Invalid(
            "DeleteRecords is not supported by the Iggy backend: Iggy removes whole segments by its own retention".into(),
        ))
    }

    async fn next_producer_id(&self) -> Result<i64, StorageError> {
        Ok(self
            .next_producer_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    async fn watch(&self, tp: &TopicPartition) -> Option<watch::Receiver<i64>> {
        if let Some(tx) = lock(&self.watches).get(tp) {
            return Some(tx.subscribe());
        }
        let hw = self.offsets(tp).await.ok()?.high_watermark;
        let mut w = lock(&self.watches);
        Some(
            w.entry(tp.clone())
                .or_insert_with(|| watch::channel(hw).0)
                .subscribe(),
        )
    }

    fn ready(&self) -> bool {
        self.reachable.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn cluster_id(&self) -> String {
        self.cluster_id.clone()
    }

    async fn flush(&self) -> Result<(), StorageError> {
        Ok(())
    }

    async fn enforce_retention(&self, _: i64) -> Result<(), StorageError> {
        Ok(())
    }

    async fn commit_offsets(
        &self,
        group: &str,
        offsets: Vec<(TopicPartition, Committed)>,
    ) -> Result<(), StorageError> {
        self.commit(group, offsets).await
    }

    async fn committed_offsets(&self, group: &str) -> Vec<(TopicPartition, Committed)> {
        self.committed(group).await
    }

    async fn delete_offsets(
        &self,
        group: &str,
        which: Option<Vec<TopicPartition>>,
    ) -> Result<(), StorageError> {
        self.delete_committed(group, which).await
    }

    async fn offset_groups(&self) -> Vec<String> {
        lock(&self.groups).iter().cloned().collect()
    }
}

/// Iggy's origin timestamp (µs) for a Kafka timestamp (ms); negative ones become 0.
fn micros(ms: i64) -> IggyTimestamp {
    IggyTimestamp::from(u64::try_from(ms).unwrap_or(0).saturating_mul(1000))
}
