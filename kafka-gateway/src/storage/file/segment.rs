//! One segment: `<base>.log` holding whole batches back to back as received (base offset and
//! leader epoch rewritten), with a sparse offset index and a time index beside it.
//!
//! `<base>.index` — 8-byte entries, one per ~4 KiB of log:
//!
//! | bytes | field                                   |
//! |------:|-----------------------------------------|
//! | 0..4  | offset of a batch's first record − base (u32 BE) |
//! | 4..8  | byte position of that batch in the log (u32 BE)  |
//!
//! `<base>.timeindex` — 12-byte entries written with each index entry and once more when the
//! segment is sealed: largest timestamp so far (i64 BE), then the relative offset of the batch
//! that reached it (u32 BE). Its last entry after sealing is the segment's max timestamp.
//!
//! Crash windows: the log is written before its index entries, so an index can only lag the
//! log; on open, the active segment is re-scanned batch by batch (header sanity and CRC) and
//! truncated at the first torn or corrupt batch, and its indexes are rebuilt from that scan.
//! Sealed segments trust their indexes when they are consistent, and are re-scanned otherwise.

use std::fs::{File, OpenOptions};
use std::io::{IoSlice, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use kafka_wire::records::{Batch, BatchHeader, HEADER_SIZE, LOG_OVERHEAD};

use crate::storage::StorageError;

/// Bytes of log between index entries.
pub const INDEX_INTERVAL: u64 = 4096;

/// Byte position and base offset of one batch, from its header.
#[derive(Debug, Clone, Copy)]
pub struct Located {
    /// Position in the log file.
    pub pos: u64,
    /// Total bytes of the batch.
    pub len: u64,
    /// Base offset.
    pub base: i64,
    /// Last offset.
    pub last: i64,
}

/// A segment's files and what is known about them.
#[derive(Debug)]
pub struct Segment {
    /// Offset of the first batch the segment may hold.
    pub base: i64,
    log: File,
    index_file: File,
    time_file: File,
    paths: [PathBuf; 3],
    /// Bytes in the log file.
    pub size: u64,
    index: Vec<(u32, u32)>,
    times: Vec<(i64, u32)>,
    since_index: u64,
    /// Largest record timestamp (-1 when empty).
    pub max_ts: i64,
    /// Next offset after the segment's last batch.
    pub next: i64,
    /// When the segment was created (ms), for `segment.ms`.
    pub created_ms: i64,
}

fn name(dir: &Path, base: i64, ext: &str) -> PathBuf {
    dir.join(format!("{base:020}.{ext}"))
}

fn open_rw(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
}

impl Segment {
    /// Open (creating if absent) the segment's three files, with nothing yet known of them.
    fn files(dir: &Path, base: i64, now_ms: i64) -> Result<Self, StorageError> {
        let paths = [
            name(dir, base, "log"),
            name(dir, base, "index"),
            name(dir, base, "timeindex"),
        ];
        let log = open_rw(&paths[0])?;
        let meta = log.metadata()?;
        let created_ms = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(now_ms, |d| d.as_millis() as i64);
        Ok(Segment {
            base,
            log,
            index_file: open_rw(&paths[1])?,
            time_file: open_rw(&paths[2])?,
            paths,
            size: meta.len(),
            index: Vec::new(),
            times: Vec::new(),
            since_index: INDEX_INTERVAL,
            max_ts: -1,
            next: base,
            created_ms,
        })
    }

    /// Create an empty segment.
    pub fn create(dir: &Path, base: i64, now_ms: i64) -> Result<Self, StorageError> {
        let mut s = Self::files(dir, base, now_ms)?;
        s.log.set_len(0)?;
        s.index_file.set_len(0)?;
        s.time_file.set_len(0)?;
        s.size = 0;
        s.created_ms = now_ms;
        Ok(s)
    }

    /// Open an existing segment. `active` segments (the last) are always re-scanned and their
    /// torn tail truncated; sealed ones use their indexes when consistent. `next` is the base of
    /// the following segment, for sealed ones.
    pub fn open(
        dir: &Path,
        base: i64,
        active: bool,
        next: Option<i64>,
        now_ms: i64,
    ) -> Result<Self, StorageError> {
        let mut s = Self::files(dir, base, now_ms)?;
        s.next = next.unwrap_or(base);
        if active || !s.load_indexes(next)? {
            s.rescan()?;
        }
        Ok(s)
    }

    fn load_indexes(&mut self, next: Option<i64>) -> Result<bool, StorageError> {
        let Some(next) = next else { return Ok(false) };
        let raw = std::fs::read(&self.paths[1])?;
        let times = std::fs::read(&self.paths[2])?;
        if raw.len() % 8 != 0 || times.len() % 12 != 0 || times.is_empty() {
            return Ok(false);
        }
        let index: Vec<(u32, u32)> = raw
            .chunks_exact(8)
            .map(|c| {
                (
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
                    u32::from_be_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect();
        let sorted = index.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1);
        if !sorted || index.last().is_some_and(|e| u64::from(e.1) >= self.size) {
            return Ok(false);
        }
        self.times = times
            .chunks_exact(12)
            .map(|c| {
                let ts = i64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
                (ts, u32::from_be_bytes([c[8], c[9], c[10], c[11]]))
            })
            .collect();
        self.max_ts = self.times.last().map_or(-1, |t| t.0);
        self.index = index;
        self.next = next;
        Ok(true)
    }

    /// Walk every batch, validating header and CRC; truncate at the first bad one; rebuild the
    /// indexes from what remains.
    fn rescan(&mut self) -> Result<(), StorageError> {
        self.index.clear();
        self.times.clear();
        self.since_index = INDEX_INTERVAL;
        self.max_ts = -1;
        self.next = self.base;
        let mut pos = 0u64;
        let mut entries = Vec::new();
        while let Some(h) = self.header_at(pos)? {
            let len = u64::try_from(h.batch_length).unwrap_or(0) + LOG_OVERHEAD as u64;
            let ok = h.magic == 2
                && len >= HEADER_SIZE as u64
                && pos + len <= self.size
                && h.base_offset == self.next;
            let crc_ok = ok && {
                let bytes = self.read_at(pos, len)?;
                Batch::parse(&bytes).is_ok_and(|(b, _)| b.verify_crc().is_ok())
            };
            if !crc_ok {
                break;
            }
            entries.push((pos, h));
            pos += len;
            self.next = h.last_offset() + 1;
        }
        if pos < self.size {
            tracing::warn!(segment = %self.paths[0].display(), at = pos, size = self.size, "truncating torn or corrupt tail");
            self.log.set_len(pos)?;
            self.size = pos;
        }
        self.index_file.set_len(0)?;
        self.time_file.set_len(0)?;
        let next = self.next;
        for (pos, h) in entries {
            let len = u64::try_from(h.batch_length).unwrap_or(0) + LOG_OVERHEAD as u64;
            self.note_batch(pos, h.base_offset, h.max_timestamp, len)?;
        }
        self.next = next;
        Ok(())
    }

    fn header_at(&self, pos: u64) -> Result<Option<BatchHeader>, StorageError> {
        if pos + HEADER_SIZE as u64 > self.size {
            return Ok(None);
        }
        let b = self.read_at(pos, HEADER_SIZE as u64)?;
        Ok(BatchHeader::read_from(&b))
    }

    /// Read `len` bytes at `pos`.
    ///
    /// Reads through `Read::read_to_end`, which fills the buffer's spare capacity without first
    /// zeroing it (a fetch reads megabytes at a time). Callers hold the partition lock, so the
    /// shared file cursor is not raced; appends are unaffected (the file is in append mode).
    pub fn read_at(&self, pos: u64, len: u64) -> Result<Bytes, StorageError> {
        let mut file = &self.log;
        file.seek(SeekFrom::Start(pos))?;
        let mut buf = Vec::with_capacity(len as usize);
        file.take(len).read_to_end(&mut buf)?;
        if (buf.len() as u64) < len {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        Ok(Bytes::from(buf))
    }

    fn note_batch(
        &mut self,
        pos: u64,
        base: i64,
        max_ts: i64,
        len: u64,
    ) -> Result<(), StorageError> {
        let rel = (base - self.base) as u32;
        if max_ts > self.max_ts {
            self.max_ts = max_ts;
        }
        if self.since_index >= INDEX_INTERVAL {
            self.index.push((rel, pos as u32));
            let mut e = [0u8; 8];
            e[..4].copy_from_slice(&rel.to_be_bytes());
            e[4..].copy_from_slice(&(pos as u32).to_be_bytes());
            self.index_file.write_all(&e)?;
            self.write_time_entry(rel)?;
            self.since_index = 0;
        }
        self.since_index += len;
        Ok(())
    }

    fn write_time_entry(&mut self, rel: u32) -> Result<(), StorageError> {
        self.times.push((self.max_ts, rel));
        let mut e = [0u8; 12];
        e[..8].copy_from_slice(&self.max_ts.to_be_bytes());
        e[8..].copy_from_slice(&rel.to_be_bytes());
        self.time_file.write_all(&e)?;
        Ok(())
    }

    /// Append a batch given as consecutive regions.
    pub fn append(
        &mut self,
        parts: &[&[u8]],
        base: i64,
        last: i64,
        max_ts: i64,
    ) -> Result<(), StorageError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let mut rest: &mut [IoSlice<'_>] = &mut slices;
        while !rest.is_empty() {
            let n = self.log.write_vectored(rest)?;
            if n == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::WriteZero).into());
            }
            IoSlice::advance_slices(&mut rest, n);
        }
        let pos = self.size;
        self.size += len as u64;
        self.next = last + 1;
        self.note_batch(pos, base, max_ts, len as u64)
    }

    /// Write the final time-index entry that records the max timestamp of a sealed segment.
    /// No fsync here: the log's owner hands the sealed files to the next flush, so a roll never
    /// stalls appends behind a whole segment's writeback.
    pub fn seal(&mut self) -> Result<(), StorageError> {
        let rel = (self.next - 1 - self.base).max(0) as u32;
        self.write_time_entry(rel)
    }

    /// fsync the log and its indexes.
    pub fn flush(&mut self) -> Result<(), StorageError> {
        self.log.sync_data()?;
        self.index_file.sync_data()?;
        self.time_file.sync_data()?;
        Ok(())
    }

    /// Duplicated handles of the segment's files, for an fsync outside the partition lock.
    pub fn sync_handles(&self) -> Result<Vec<File>, StorageError> {
        Ok(vec![
            self.log.try_clone()?,
            self.index_file.try_clone()?,
            self.time_file.try_clone()?,
        ])
    }

    /// Position to start scanning for `offset`: the last index entry at or before it.
    fn scan_start(&self, offset: i64) -> u64 {
        let rel = (offset - self.base).clamp(0, i64::from(u32::MAX)) as u32;
        let at = self.index.partition_point(|e| e.0 <= rel);
        at.checked_sub(1)
            .and_then(|i| self.index.get(i))
            .map_or(0, |e| u64::from(e.1))
    }

    /// Walk batch headers from `from`, calling `f` until it returns false.
    pub fn walk(
        &self,
        from: u64,
        mut f: impl FnMut(Located, &BatchHeader) -> bool,
    ) -> Result<(), StorageError> {
        let mut pos = from;
        while let Some(h) = self.header_at(pos)? {
            let len = u64::try_from(h.batch_length).unwrap_or(0) + LOG_OVERHEAD as u64;
            if len < HEADER_SIZE as u64 || pos + len > self.size {
                break;
            }
            if !f(
                Located {
                    pos,
                    len,
                    base: h.base_offset,
                    last: h.last_offset(),
                },
                &h,
            ) {
                break;
            }
            pos += len;
        }
        Ok(())
    }

    /// Whole batches from the one holding `offset`, up to `max_bytes` but at least one.
    pub fn read(&self, offset: i64, max_bytes: usize) -> Result<Bytes, StorageError> {
        let mut first: Option<Located> = None;
        let mut end = 0u64;
        self.walk(self.scan_start(offset), |b, _| {
            if b.last < offset {
                return true;
            }
            match first {
                None => {
                    first = Some(b);
                    end = b.pos + b.len;
                    true
                }
                Some(f) if (b.pos + b.len - f.pos) as usize <= max_bytes => {
                    end = b.pos + b.len;
                    true
                }
                Some(_) => false,
            }
        })?;
        let Some(first) = first else {
            return Ok(Bytes::new());
        };
        self.read_at(first.pos, end - first.pos)
    }

    /// The first batch whose max timestamp is ≥ `ts`.
    pub fn batch_at_timestamp(
        &self,
        ts: i64,
        log_start: i64,
    ) -> Result<Option<Bytes>, StorageError> {
        let mut found = None;
        self.walk(0, |b, h| {
            if b.last >= log_start && h.max_timestamp >= ts {
                found = Some(b);
                return false;
            }
            true
        })?;
        found.map(|b| self.read_at(b.pos, b.len)).transpose()
    }

    /// Headers of all batches.
    pub fn headers(&self) -> Result<Vec<BatchHeader>, StorageError> {
        let mut out = Vec::new();
        self.walk(0, |_, h| {
            out.push(*h);
            true
        })?;
        Ok(out)
    }

    /// Delete the segment's files.
    pub fn remove(self) -> Result<(), StorageError> {
        for p in &self.paths {
            match std::fs::remove_file(p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }
}
