//! Committed consumer-group offsets: kept in memory, and for the file store appended to
//! `<data>/__consumer_offsets.log`, replayed on open and compacted when mostly stale.
//!
//! One line per change, fields separated by tabs; group ids and metadata are hex-encoded (they
//! may hold any characters), topic names cannot hold tabs:
//!
//! | kind | fields |
//! |---|---|
//! | `C` commit | group, topic, partition, offset, leader epoch, metadata (or `-` for null), commit time ms |
//! | `D` delete | group, topic, partition |
//!
//! A line torn by a crash (no newline, or unparsable) ends the replay; everything before it holds.
//! A commit is written before it is acknowledged, so it survives a process crash; fsync follows
//! the store's flush policy.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{StorageError, TopicPartition};

/// One committed offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// Next offset to consume.
    pub offset: i64,
    /// Leader epoch of the committed offset (-1 unknown).
    pub leader_epoch: i32,
    /// Client metadata string.
    pub metadata: Option<String>,
    /// When it was committed (ms).
    pub commit_ms: i64,
}

type Key = (String, String, i32);

/// The offsets of every group.
#[derive(Debug, Default)]
pub struct OffsetStore {
    map: BTreeMap<Key, Committed>,
    file: Option<(PathBuf, File)>,
}

fn hex(s: &str) -> String {
    kafka_wire::value::hex(s.as_bytes())
}

fn unhex(s: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

fn commit_line(k: &Key, c: &Committed) -> String {
    let meta = c.metadata.as_deref().map_or("-".to_string(), hex);
    format!(
        "C\t{}\t{}\t{}\t{}\t{}\t{meta}\t{}\n",
        hex(&k.0),
        k.1,
        k.2,
        c.offset,
        c.leader_epoch,
        c.commit_ms
    )
}

impl OffsetStore {
    /// An in-memory store.
    pub fn memory() -> Self {
        Self::default()
    }

    /// Open (replaying and compacting) the offsets log in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        let path = dir.join("__consumer_offsets.log");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        let mut map = BTreeMap::new();
        for line in text.split_inclusive('\n') {
            let Some(line) = line.strip_suffix('\n') else {
                break;
            };
            let f: Vec<&str> = line.split('\t').collect();
            let parsed = match f.as_slice() {
                ["C", g, t, p, o, e, m, ts] => (|| {
                    let key = (unhex(g)?, t.to_string(), p.parse().ok()?);
                    let metadata = if *m == "-" { None } else { Some(unhex(m)?) };
                    Some((
                        key,
                        Some(Committed {
                            offset: o.parse().ok()?,
                            leader_epoch: e.parse().ok()?,
                            metadata,
                            commit_ms: ts.parse().ok()?,
                        }),
                    ))
                })(),
                ["D", g, t, p] => (|| Some(((unhex(g)?, t.to_string(), p.parse().ok()?), None)))(),
                _ => None,
            };
            let Some((key, value)) = parsed else { break };
            match value {
                Some(c) => map.insert(key, c),
                None => map.remove(&key),
            };
        }
        // Rewrite the file with only live entries (also drops a torn tail).
        let tmp = dir.join("__consumer_offsets.log.tmp");
        let mut out = String::new();
        for (k, c) in &map {
            out.push_str(&commit_line(k, c));
        }
        std::fs::write(&tmp, out)?;
        File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        let file = OpenOptions::new().append(true).open(&path)?;
        Ok(OffsetStore {
            map,
            file: Some((path, file)),
        })
    }

    fn write(&mut self, text: &str, sync: bool) -> Result<(), StorageError> {
        if let Some((_, f)) = &mut self.file {
            f.write_all(text.as_bytes())?;
            if sync {
                f.sync_data()?;
            }
        }
        Ok(())
    }

    /// Commit offsets for a group.
    pub fn commit(
        &mut self,
        group: &str,
        offsets: Vec<(TopicPartition, Committed)>,
        sync: bool,
    ) -> Result<(), StorageError> {
        let mut text = String::new();
        for (tp, c) in offsets {
            let key = (group.to_string(), tp.topic, tp.partition);
            text.push_str(&commit_line(&key, &c));
            self.map.insert(key, c);
        }
        self.write(&text, sync)
    }

    /// A group's committed offsets.
    pub fn get(&self, group: &str) -> Vec<(TopicPartition, Committed)> {
        self.map
            .range((group.to_string(), String::new(), i32::MIN)..)
            .take_while(|((g, _, _), _)| g == group)
            .map(|((_, t, p), c)| {
                (
                    TopicPartition {
                        topic: t.clone(),
                        partition: *p,
                    },
                    c.clone(),
                )
            })
            .collect()
    }

    /// Delete some (or, with `None`, all) of a group's offsets.
    pub fn delete(
        &mut self,
        group: &str,
        which: Option<&[TopicPartition]>,
        sync: bool,
    ) -> Result<(), StorageError> {
        let keys: Vec<Key> = match which {
            Some(tps) => tps
                .iter()
                .map(|tp| (group.to_string(), tp.topic.clone(), tp.partition))
                .filter(|k| self.map.contains_key(k))
                .collect(),
            None => self
                .get(group)
                .into_iter()
                .map(|(tp, _)| (group.to_string(), tp.topic, tp.partition))
                .collect(),
        };
        let mut text = String::new();
        for k in keys {
            text.push_str(&format!("D\t{}\t{}\t{}\n", hex(&k.0), k.1, k.2));
            self.map.remove(&k);
        }
        self.write(&text, sync)
    }

    /// Groups with committed offsets.
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = self.map.keys().map(|k| k.0.clone()).collect();
        out.dedup();
        out
    }

    /// A handle to fsync outside the lock.
    pub fn sync_handle(&self) -> Result<Option<File>, StorageError> {
        self.file
            .as_ref()
            .map(|(_, f)| f.try_clone())
            .transpose()
            .map_err(Into::into)
    }
}
