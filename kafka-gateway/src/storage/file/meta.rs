//! Metadata the file store keeps beside the logs, each written atomically (temp file + rename):
//! - `<data>/topics/<name>.toml`: name, topic id, partition count, explicit configs;
//! - `<data>/cluster.toml`: the cluster id (stable across restarts) and the end of the last
//!   reserved block of producer ids (so ids are never reused after a restart).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kafka_wire::primitives::Uuid;
use serde::{Deserialize, Serialize};

use crate::storage::{StorageError, TopicConfig, TopicMeta};

#[derive(Serialize, Deserialize)]
struct TopicFile {
    name: String,
    id: String,
    partitions: i32,
    #[serde(default)]
    config: BTreeMap<String, String>,
}

/// Cluster-wide state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterFile {
    /// The cluster id reported in Metadata.
    pub cluster_id: String,
    /// Producer ids below this have been handed out (or reserved).
    pub producer_id_block_end: i64,
}

fn write_atomic(path: &Path, text: &str) -> Result<(), StorageError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn bad(path: &Path, e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{}: {e}", path.display()),
    ))
}

/// Reads and writes the metadata files under a data directory.
#[derive(Debug, Clone)]
pub struct MetaStore {
    dir: PathBuf,
}

impl MetaStore {
    /// Metadata under `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir.join("topics"))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    fn topic_path(&self, name: &str) -> PathBuf {
        self.dir.join("topics").join(format!("{name}.toml"))
    }

    /// Persist a topic's metadata.
    pub fn save_topic(&self, t: &TopicMeta) -> Result<(), StorageError> {
        let f = TopicFile {
            name: t.name.clone(),
            id: t.id.to_string(),
            partitions: t.partitions,
            config: t.config.overrides.clone(),
        };
        let text = toml::to_string(&f).map_err(|e| bad(&self.topic_path(&t.name), e))?;
        write_atomic(&self.topic_path(&t.name), &text)
    }

    /// Forget a topic.
    pub fn remove_topic(&self, name: &str) -> Result<(), StorageError> {
        std::fs::remove_file(self.topic_path(name))?;
        Ok(())
    }

    /// Every persisted topic.
    pub fn load_topics(&self) -> Result<Vec<TopicMeta>, StorageError> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.dir.join("topics"))? {
            let path = e?.path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let f: TopicFile = toml::from_str(&text).map_err(|e| bad(&path, e))?;
            let id = parse_uuid(&f.id).ok_or_else(|| bad(&path, "bad topic id"))?;
            out.push(TopicMeta {
                name: f.name,
                id,
                partitions: f.partitions,
                config: TopicConfig::new(f.config)?,
            });
        }
        Ok(out)
    }

    /// The cluster file, created with a fresh cluster id if absent.
    pub fn cluster(&self) -> Result<ClusterFile, StorageError> {
        let path = self.dir.join("cluster.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| bad(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let c = ClusterFile {
                    cluster_id: new_cluster_id(),
                    producer_id_block_end: 0,
                };
                self.save_cluster(&c)?;
                Ok(c)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Persist the cluster file.
    pub fn save_cluster(&self, c: &ClusterFile) -> Result<(), StorageError> {
        let path = self.dir.join("cluster.toml");
        write_atomic(&path, &toml::to_string(c).map_err(|e| bad(&path, e))?)
    }
}

/// A random cluster id in Kafka's style (URL-safe base64 of 16 random bytes, 22 characters).
pub fn new_cluster_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let mut bits: u128 = u128::from_be_bytes(bytes);
    (0..22)
        .map(|_| {
            let c = ALPHABET[(bits & 63) as usize] as char;
            bits >>= 6;
            c
        })
        .collect()
}

/// A fresh random topic id.
pub fn new_topic_id() -> Uuid {
    Uuid(*uuid::Uuid::new_v4().as_bytes())
}

/// Parse the hyphenated form `Uuid` displays.
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    uuid::Uuid::parse_str(s).ok().map(|u| Uuid(*u.as_bytes()))
}
