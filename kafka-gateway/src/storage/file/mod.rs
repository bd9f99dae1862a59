//! The durable file store: per partition, a directory `<data>/<topic>-<partition>/` of
//! segments named by their 20-digit base offset ([`segment`]), plus `log-start-offset` (the
//! first offset kept, written when DeleteRecords or retention moves it past a segment start).
//! Topic metadata lives in `<data>/topics/<name>.toml` ([`meta`]).
//!
//! Segments roll at `segment.bytes` or `segment.ms`; retention deletes whole sealed segments
//! (oldest first) by `retention.ms` (a segment's max timestamp) and `retention.bytes`.

pub mod meta;
pub mod segment;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use kafka_wire::records::BatchHeader;

use self::segment::Segment;
use super::log::{LogFactory, PartitionLog, Placement};
use super::{StorageError, TopicConfig};

/// Opens [`FileLog`]s under a data directory.
#[derive(Debug, Clone)]
pub struct FileFactory {
    /// The data directory.
    pub dir: PathBuf,
}

impl LogFactory for FileFactory {
    fn open(&self, topic: &str, partition: i32) -> Result<Box<dyn PartitionLog>, StorageError> {
        Ok(Box::new(FileLog::open(
            &self.dir.join(format!("{topic}-{partition}")),
            now_ms(),
        )?))
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// One partition's segments.
#[derive(Debug)]
pub struct FileLog {
    dir: PathBuf,
    segments: BTreeMap<i64, Segment>,
    log_start: i64,
    /// Handles of segments sealed since the last flush, still to be fsynced.
    sealed_unsynced: Vec<std::fs::File>,
}

const START_FILE: &str = "log-start-offset";

impl FileLog {
    /// Open (recovering) or create the log in `dir`.
    pub fn open(dir: &Path, now_ms: i64) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir)?;
        let mut bases: Vec<i64> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".log")?.parse().ok())
            .collect();
        bases.sort_unstable();
        let mut segments = BTreeMap::new();
        for (n, &base) in bases.iter().enumerate() {
            let next = bases.get(n + 1).copied();
            segments.insert(
                base,
                Segment::open(dir, base, next.is_none(), next, now_ms)?,
            );
        }
        if segments.is_empty() {
            segments.insert(0, Segment::create(dir, 0, now_ms)?);
        }
        let first = segments.keys().next().copied().unwrap_or(0);
        let saved = std::fs::read_to_string(dir.join(START_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        let mut log = FileLog {
            dir: dir.to_path_buf(),
            segments,
            log_start: saved.unwrap_or(first).max(first),
            sealed_unsynced: Vec::new(),
        };
        log.log_start = log.log_start.min(log.next_offset());
        Ok(log)
    }

    fn active(&mut self) -> Result<&mut Segment, StorageError> {
        self.segments
            .values_mut()
            .next_back()
            .ok_or_else(|| StorageError::Invalid("log has no segment".into()))
    }

    fn roll(&mut self, now_ms: i64) -> Result<(), StorageError> {
        let next = self.next_offset();
        let active = self.active()?;
        active.seal()?;
        let handles = active.sync_handles()?;
        self.sealed_unsynced.extend(handles);
        self.segments
            .insert(next, Segment::create(&self.dir, next, now_ms)?);
        Ok(())
    }

    fn save_start(&self) -> Result<(), StorageError> {
        let tmp = self.dir.join(format!("{START_FILE}.tmp"));
        std::fs::write(&tmp, self.log_start.to_string())?;
        std::fs::rename(tmp, self.dir.join(START_FILE))?;
        Ok(())
    }

    /// Drop sealed segments entirely below the log start.
    fn drop_below_start(&mut self) -> Result<(), StorageError> {
        while self.segments.len() > 1 {
            let Some((&base, seg)) = self.segments.iter().next() else {
                break;
            };
            if seg.next > self.log_start {
                break;
            }
            if let Some(seg) = self.segments.remove(&base) {
                seg.remove()?;
            }
        }
        Ok(())
    }
}

impl PartitionLog for FileLog {
    fn log_start(&self) -> i64 {
        self.log_start
    }

    fn size_bytes(&self) -> u64 {
        self.segments.values().map(|s| s.size).sum()
    }

    fn next_offset(&self) -> i64 {
        self.segments.values().next_back().map_or(0, |s| s.next)
    }

    fn append(
        &mut self,
        parts: &[&[u8]],
        at: Placement,
        now_ms: i64,
        config: &TopicConfig,
    ) -> Result<(), StorageError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let active = self.active()?;
        let full = active.size > 0 && active.size + len as u64 > config.segment_bytes();
        let old = active.size > 0
            && config.segment_ms() >= 0
            && now_ms - active.created_ms >= config.segment_ms();
        if full || old {
            self.roll(now_ms)?;
        }
        self.active()?
            .append(parts, at.base_offset, at.last_offset, at.max_timestamp)
    }

    fn read(&self, offset: i64, max_bytes: usize) -> Result<Bytes, StorageError> {
        let Some((_, seg)) = self.segments.range(..=offset).next_back() else {
            return Ok(Bytes::new());
        };
        let batches = seg.read(offset, max_bytes)?;
        if batches.is_empty() {
            // The offset may be this segment's end: try the next one.
            if let Some((_, next)) = self.segments.range(offset + 1..).next() {
                return next.read(offset, max_bytes);
            }
        }
        Ok(batches)
    }

    fn batch_at_timestamp(&self, timestamp: i64) -> Result<Option<Bytes>, StorageError> {
        for seg in self
            .segments
            .values()
            .filter(|s| s.next > self.log_start && s.max_ts >= timestamp)
        {
            if let Some(b) = seg.batch_at_timestamp(timestamp, self.log_start)? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    fn batch_with_max_timestamp(&self) -> Result<Option<Bytes>, StorageError> {
        let max = self
            .segments
            .values()
            .filter(|s| s.next > self.log_start)
            .map(|s| s.max_ts)
            .max();
        match max {
            Some(m) if m >= 0 => self.batch_at_timestamp(m),
            _ => Ok(None),
        }
    }

    fn advance_log_start(&mut self, offset: i64) -> Result<(), StorageError> {
        let target = offset.min(self.next_offset());
        if target <= self.log_start {
            return Ok(());
        }
        self.log_start = target;
        self.save_start()?;
        self.drop_below_start()
    }

    fn enforce_retention(&mut self, now_ms: i64, config: &TopicConfig) -> Result<(), StorageError> {
        let ms = config.retention_ms();
        let bytes = config.retention_bytes();
        let mut total: u64 = self.segments.values().map(|s| s.size).sum();
        let mut new_start = self.log_start;
        // Only sealed segments (all but the last) are ever deleted.
        for seg in self
            .segments
            .values()
            .take(self.segments.len().saturating_sub(1))
        {
            let expired = ms >= 0 && seg.max_ts >= 0 && seg.max_ts < now_ms - ms;
            let over = bytes >= 0 && total > bytes as u64;
            if !(expired || over) {
                break;
            }
            total -= seg.size;
            new_start = new_start.max(seg.next);
        }
        if new_start > self.log_start {
            self.log_start = new_start;
            self.save_start()?;
            self.drop_below_start()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StorageError> {
        for f in self.sealed_unsynced.drain(..) {
            f.sync_data()?;
        }
        self.active()?.flush()
    }

    fn sync_handles(&mut self) -> Result<Vec<std::fs::File>, StorageError> {
        let mut out: Vec<std::fs::File> = self.sealed_unsynced.drain(..).collect();
        if let Some(active) = self.segments.values().next_back() {
            out.extend(active.sync_handles()?);
        }
        Ok(out)
    }

    fn batch_headers(&self) -> Result<Vec<BatchHeader>, StorageError> {
        let mut out = Vec::new();
        for seg in self.segments.values() {
            out.extend(seg.headers()?);
        }
        Ok(out)
    }

    fn destroy(self: Box<Self>) -> Result<(), StorageError> {
        let dir = self.dir.clone();
        drop(self);
        std::fs::remove_dir_all(dir)?;
        Ok(())
    }
}
