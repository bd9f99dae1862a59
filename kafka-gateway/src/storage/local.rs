//! [`Storage`] for the embedded stores: topics in memory (persisted through [`MetaStore`] for
//! the file store), one mutex-guarded [`PartitionLog`] per partition (never held across an
//! `.await`; blocking I/O runs on tokio's blocking pool), idempotent-producer state rebuilt from
//! the stored batch headers on open, and a `watch` channel per partition that long-polling
//! fetches wait on.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::watch;

use super::file::meta::{new_topic_id, MetaStore};
use super::file::{now_ms, FileFactory};
use super::log::{LogFactory, PartitionLog, Placement};
use super::memory::MemoryFactory;
use super::producers::{Check, ProducerSnapshot, ProducerTable};
use super::{
    Appended, BatchIn, Inherited, Offsets, ReadOut, Storage, StorageError, TopicConfig, TopicMeta,
    TopicPartition,
};

/// When appended data is fsynced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushPolicy {
    /// Before every acknowledgement: survives power loss.
    EveryBatch,
    /// By a background task every so often: power loss may lose that interval.
    Interval,
    /// Left to the OS: survives a process crash, not necessarily power loss.
    Never,
}

struct PartState {
    log: Box<dyn PartitionLog>,
    producers: ProducerTable,
}

struct Partition {
    state: Mutex<PartState>,
    hw: watch::Sender<i64>,
}

struct Topic {
    meta: TopicMeta,
    partitions: Vec<Arc<Partition>>,
}

/// The embedded storage (memory or file).
pub struct LocalStorage {
    factory: Box<dyn LogFactory>,
    meta: Option<MetaStore>,
    topics: RwLock<HashMap<String, Arc<Topic>>>,
    cluster_id: String,
    producer_ids: Mutex<(i64, i64)>,
    flush: FlushPolicy,
    offsets: Mutex<super::offsets::OffsetStore>,
    inherited: RwLock<Inherited>,
}

/// Producer ids reserved on disk at a time.
const ID_BLOCK: i64 = 1000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_partition(
    factory: &dyn LogFactory,
    topic: &str,
    p: i32,
) -> Result<Arc<Partition>, StorageError> {
    let log = factory.open(topic, p)?;
    let mut producers = ProducerTable::default();
    for h in log.batch_headers()? {
        if h.producer_id >= 0 && h.base_sequence >= 0 {
            producers.record(
                h.producer_id,
                h.producer_epoch,
                h.base_sequence,
                h.last_offset_delta,
                h.base_offset,
                h.max_timestamp,
            );
        }
    }
    let (hw, _) = watch::channel(log.next_offset());
    Ok(Arc::new(Partition {
        state: Mutex::new(PartState { log, producers }),
        hw,
    }))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
}

impl LocalStorage {
    /// An in-memory store.
    pub fn memory() -> Self {
        LocalStorage {
            factory: Box::new(MemoryFactory),
            meta: None,
            topics: RwLock::new(HashMap::new()),
            cluster_id: super::file::meta::new_cluster_id(),
            producer_ids: Mutex::new((1, i64::MAX)),
            flush: FlushPolicy::Never,
            offsets: Mutex::new(super::offsets::OffsetStore::memory()),
            inherited: RwLock::default(),
        }
    }

    /// Open (recovering) the file store in `dir`.
    pub fn open_dir(dir: &Path, flush: FlushPolicy) -> Result<Self, StorageError> {
        let meta = MetaStore::new(dir)?;
        let cluster = meta.cluster()?;
        let factory = FileFactory {
            dir: dir.to_path_buf(),
        };
        let mut topics = HashMap::new();
        for t in meta.load_topics()? {
            let partitions = (0..t.partitions)
                .map(|p| open_partition(&factory, &t.name, p))
                .collect::<Result<_, _>>()?;
            topics.insert(
                t.name.clone(),
                Arc::new(Topic {
                    meta: t,
                    partitions,
                }),
            );
        }
        let start = cluster.producer_id_block_end;
        Ok(LocalStorage {
            factory: Box::new(factory),
            meta: Some(meta),
            topics: RwLock::new(topics),
            cluster_id: cluster.cluster_id,
            producer_ids: Mutex::new((start, start)),
            flush,
            offsets: Mutex::new(super::offsets::OffsetStore::open(dir)?),
            inherited: RwLock::default(),
        })
    }

    fn topic_of(&self, name: &str) -> Option<Arc<Topic>> {
        self.topics
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    fn partition(&self, tp: &TopicPartition) -> Result<(Arc<Topic>, Arc<Partition>), StorageError> {
        let missing =
            || StorageError::UnknownTopicOrPartition(format!("{}-{}", tp.topic, tp.partition));
        let topic = self.topic_of(&tp.topic).ok_or_else(missing)?;
        let p = usize::try_from(tp.partition)
            .ok()
            .and_then(|p| topic.partitions.get(p))
            .cloned()
            .ok_or_else(missing)?;
        Ok((topic, p))
    }

    fn all_partitions(&self) -> Vec<(TopicConfig, Arc<Partition>)> {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        topics
            .values()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| (t.meta.config.clone(), p.clone()))
            })
            .collect()
    }
}

fn append_locked(
    st: &mut PartState,
    batches: &[BatchIn],
    config: &TopicConfig,
    flush: FlushPolicy,
) -> Result<Appended, StorageError> {
    let now = now_ms();
    let mut first: Option<i64> = None;
    let mut duplicate = false;
    for b in batches {
        let idempotent = b.producer_id >= 0 && b.base_sequence >= 0;
        if idempotent {
            if let Check::Duplicate(base) = st.producers.check(
                b.producer_id,
                b.producer_epoch,
                b.base_sequence,
                b.last_offset_delta,
            )? {
                first.get_or_insert(base);
                duplicate = true;
                continue;
            }
        }
        let base = st.log.next_offset();
        let stamped;
        let (bytes, max_ts) = if config.log_append_time() {
            stamped = kafka_wire::records::with_log_append_time(&b.bytes, now);
            (&stamped, now)
        } else {
            (&b.bytes, b.max_timestamp)
        };
        let mut head = BytesMut::with_capacity(16);
        head.put_i64(base);
        head.put_slice(&bytes[8..12]);
        head.put_i32(0); // partition leader epoch: a single node stays at epoch 0
        let at = Placement {
            base_offset: base,
            last_offset: base + i64::from(b.last_offset_delta),
            max_timestamp: max_ts,
        };
        st.log.append(&[&head, &bytes[16..]], at, now, config)?;
        if idempotent {
            st.producers.record(
                b.producer_id,
                b.producer_epoch,
                b.base_sequence,
                b.last_offset_delta,
                base,
                max_ts,
            );
        }
        first.get_or_insert(base);
    }
    if flush == FlushPolicy::EveryBatch {
        st.log.flush()?;
    }
    Ok(Appended {
        base_offset: first.unwrap_or_else(|| st.log.next_offset()),
        log_start: st.log.log_start(),
        duplicate,
    })
}

#[async_trait]
impl Storage for LocalStorage {
    async fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        config: TopicConfig,
    ) -> Result<TopicMeta, StorageError> {
        if partitions < 1 {
            return Err(StorageError::Invalid(format!("{partitions} partitions")));
        }
        if self.topic_of(name).is_some() {
            return Err(StorageError::TopicExists(name.into()));
        }
        let inherited = self
            .inherited
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let meta = TopicMeta {
            name: name.into(),
            id: new_topic_id(),
            partitions,
            config: config.with_inherited(inherited),
        };
        let parts = (0..partitions)
            .map(|p| open_partition(&*self.factory, name, p))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(m) = &self.meta {
            m.save_topic(&meta)?;
        }
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        if topics.contains_key(name) {
            return Err(StorageError::TopicExists(name.into()));
        }
        topics.insert(
            name.into(),
            Arc::new(Topic {
                meta: meta.clone(),
                partitions: parts,
            }),
        );
        Ok(meta)
    }

    async fn delete_topic(&self, name: &str) -> Result<(), StorageError> {
        let topic = self
            .topics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        let topic = topic.ok_or_else(|| StorageError::UnknownTopicOrPartition(name.into()))?;
        if let Some(m) = &self.meta {
            m.remove_topic(name)?;
        }
        for p in &topic.partitions {
            let log = std::mem::replace(
                &mut lock(&p.state).log,
                Box::new(super::memory::MemoryLog::default()),
            );
            log.destroy()?;
        }
        Ok(())
    }

    async fn create_partitions(&self, name: &str, total: i32) -> Result<(), StorageError> {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        let t = topics
            .get(name)
            .cloned()
            .ok_or_else(|| StorageError::UnknownTopicOrPartition(name.into()))?;
        if total <= t.meta.partitions {
            return Err(StorageError::Invalid(format!(
                "topic {name} has {} partitions; {total} is not more",
                t.meta.partitions
            )));
        }
        let mut partitions = t.partitions.clone();
        for p in t.meta.partitions..total {
            partitions.push(open_partition(&*self.factory, name, p)?);
        }
        let meta = TopicMeta {
            partitions: total,
            ..t.meta.clone()
        };
        if let Some(m) = &self.meta {
            m.save_topic(&meta)?;
        }
        topics.insert(name.into(), Arc::new(Topic { meta, partitions }));
        Ok(())
    }

    async fn alter_topic_config(
        &self,
        name: &str,
        config: TopicConfig,
    ) -> Result<(), StorageError> {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        let t = topics
            .get(name)
            .cloned()
            .ok_or_else(|| StorageError::UnknownTopicOrPartition(name.into()))?;
        let inherited = t.meta.config.inherited.clone();
        let meta = TopicMeta {
            config: config.with_inherited(inherited),
            ..t.meta.clone()
        };
        if let Some(m) = &self.meta {
            m.save_topic(&meta)?;
        }
        let partitions = t.partitions.clone();
        topics.insert(name.into(), Arc::new(Topic { meta, partitions }));
        Ok(())
    }

    async fn producer_states(
        &self,
        tp: &TopicPartition,
    ) -> Result<Vec<ProducerSnapshot>, StorageError> {
        let (_, p) = self.partition(tp)?;
        let st = lock(&p.state);
        Ok(st.producers.snapshot())
    }

    async fn set_inherited(&self, inherited: Inherited) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        *self.inherited.write().unwrap_or_else(|e| e.into_inner()) = inherited.clone();
        for t in topics.values_mut() {
            let meta = TopicMeta {
                config: t.meta.config.clone().with_inherited(inherited.clone()),
                ..t.meta.clone()
            };
            *t = Arc::new(Topic {
                meta,
                partitions: t.partitions.clone(),
            });
        }
    }

    async fn topics(&self) -> Vec<TopicMeta> {
        let mut out: Vec<TopicMeta> = self
            .topics
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|t| t.meta.clone())
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    async fn topic(&self, name: &str) -> Option<TopicMeta> {
        self.topic_of(name).map(|t| t.meta.clone())
    }

    async fn append(
        &self,
        tp: &TopicPartition,
        batches: Vec<BatchIn>,
    ) -> Result<Appended, StorageError> {
        let (topic, p) = self.partition(tp)?;
        let flush = self.flush;
        blocking(move || {
            let mut st = lock(&p.state);
            let out = append_locked(&mut st, &batches, &topic.meta.config, flush)?;
            p.hw.send_replace(st.log.next_offset());
            Ok(out)
        })
        .await
    }

    async fn read(
        &self,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<ReadOut, StorageError> {
        let (_, p) = self.partition(tp)?;
        blocking(move || {
            let st = lock(&p.state);
            let (log_start, hw) = (st.log.log_start(), st.log.next_offset());
            if offset < log_start || offset > hw {
                return Err(StorageError::OffsetOutOfRange {
                    offset,
                    log_start,
                    high_watermark: hw,
                });
            }
            let records = if offset == hw {
                Bytes::new()
            } else {
                st.log.read(offset, max_bytes)?
            };
            Ok(ReadOut {
                records,
                high_watermark: hw,
                log_start,
            })
        })
        .await
    }

    async fn offsets(&self, tp: &TopicPartition) -> Result<Offsets, StorageError> {
        let (_, p) = self.partition(tp)?;
        let st = lock(&p.state);
        Ok(Offsets {
            log_start: st.log.log_start(),
            high_watermark: st.log.next_offset(),
        })
    }

    async fn log_size(&self, tp: &TopicPartition) -> Option<u64> {
        let (_, p) = self.partition(tp).ok()?;
        let size = lock(&p.state).log.size_bytes();
        Some(size)
    }

    async fn batch_at_timestamp(
        &self,
        tp: &TopicPartition,
        timestamp: i64,
    ) -> Result<Option<Bytes>, StorageError> {
        let (_, p) = self.partition(tp)?;
        blocking(move || lock(&p.state).log.batch_at_timestamp(timestamp)).await
    }

    async fn batch_with_max_timestamp(
        &self,
        tp: &TopicPartition,
    ) -> Result<Option<Bytes>, StorageError> {
        let (_, p) = self.partition(tp)?;
        blocking(move || lock(&p.state).log.batch_with_max_timestamp()).await
    }

    async fn delete_records(&self, tp: &TopicPartition, offset: i64) -> Result<i64, StorageError> {
        let (_, p) = self.partition(tp)?;
        blocking(move || {
            let mut st = lock(&p.state);
            let hw = st.log.next_offset();
            let target = if offset < 0 { hw } else { offset };
            if target > hw {
                return Err(StorageError::OffsetOutOfRange {
                    offset,
                    log_start: st.log.log_start(),
                    high_watermark: hw,
                });
            }
            st.log.advance_log_start(target)?;
            Ok(st.log.log_start())
        })
        .await
    }

    async fn next_producer_id(&self) -> Result<i64, StorageError> {
        let mut ids = lock(&self.producer_ids);
        if ids.0 >= ids.1 {
            let end = ids.1 + ID_BLOCK;
            if let Some(m) = &self.meta {
                m.save_cluster(&super::file::meta::ClusterFile {
                    cluster_id: self.cluster_id.clone(),
                    producer_id_block_end: end,
                })?;
            }
            ids.1 = end;
        }
        ids.0 += 1;
        Ok(ids.0 - 1)
    }

    async fn watch(&self, tp: &TopicPartition) -> Option<watch::Receiver<i64>> {
        self.partition(tp).ok().map(|(_, p)| p.hw.subscribe())
    }

    fn cluster_id(&self) -> String {
        self.cluster_id.clone()
    }

    async fn flush(&self) -> Result<(), StorageError> {
        let parts = self.all_partitions();
        let offsets = lock(&self.offsets).sync_handle()?;
        blocking(move || {
            if let Some(f) = offsets {
                f.sync_data()?;
            }
            for (_, p) in parts {
                // Only the handle duplication happens under the lock; the fsync does not.
                let files = lock(&p.state).log.sync_handles()?;
                for f in files {
                    f.sync_data()?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn enforce_retention(&self, now_ms: i64) -> Result<(), StorageError> {
        let parts = self.all_partitions();
        blocking(move || {
            for (config, p) in parts {
                lock(&p.state).log.enforce_retention(now_ms, &config)?;
            }
            Ok(())
        })
        .await
    }

    async fn commit_offsets(
        &self,
        group: &str,
        offsets: Vec<(TopicPartition, super::offsets::Committed)>,
    ) -> Result<(), StorageError> {
        let sync = self.flush == FlushPolicy::EveryBatch;
        lock(&self.offsets).commit(group, offsets, sync)
    }

    async fn committed_offsets(
        &self,
        group: &str,
    ) -> Vec<(TopicPartition, super::offsets::Committed)> {
        lock(&self.offsets).get(group)
    }

    async fn delete_offsets(
        &self,
        group: &str,
        which: Option<Vec<TopicPartition>>,
    ) -> Result<(), StorageError> {
        let sync = self.flush == FlushPolicy::EveryBatch;
        lock(&self.offsets).delete(group, which.as_deref(), sync)
    }

    async fn offset_groups(&self) -> Vec<String> {
        lock(&self.offsets).groups()
    }
}
