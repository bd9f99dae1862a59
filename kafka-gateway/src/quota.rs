//! Client quotas (KIP-13): produce and fetch byte rates per user and client id, configured in a
//! TOML file. Rates are measured over Kafka's sliding window (11 one-second samples); a client
//! over its quota is throttled for as long as it takes the rate to come back to the quota, and
//! told so in `throttle_time_ms`. Sans-IO: callers pass the time.
//!
//! ```toml
//! [[quota]]            # every user's own default
//! user = "*"
//! producer_byte_rate = 10485760
//! [[quota]]
//! user = "etl"
//! client_id = "loader"
//! producer_byte_rate = 52428800
//! consumer_byte_rate = 104857600
//! ```
//!
//! The entry that applies is the most specific one defining that rate, in Kafka's order: user and
//! client id, user and default client, user alone, default user and client id, default user and
//! default client, default user alone, client id alone, default client alone. A default (`*`)
//! applies to each user or client separately.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Which byte rate a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaKind {
    /// Bytes produced (request size).
    Produce,
    /// Bytes fetched (response size).
    Fetch,
}

/// Why the quota file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// Reading it failed.
    #[error("quota file {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// It is not valid TOML of quota entries.
    #[error("quota file {0}: {1}")]
    Parse(PathBuf, String),
    /// An entry names neither a user nor a client id, or sets no rate.
    #[error("quota file {0}: entry {1} {2}")]
    Invalid(PathBuf, usize, &'static str),
}

/// One `[[quota]]` entry: an entity (user, client id, both, or an IP address; `*` for the
/// default) and its quotas. The byte rates are enforced; the other quotas Kafka defines are
/// kept and reported (DescribeClientQuotas) but have no effect here.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuotaEntry {
    /// A user name, or `*` for each user without an entry of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A client id, or `*` for each client id without an entry of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// An IP address, or `*` for each address without an entry of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Bytes per second a matching client may produce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_byte_rate: Option<u64>,
    /// Bytes per second a matching client may fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_byte_rate: Option<u64>,
    /// Kafka's request-time share (percent of one thread); kept, not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_percentage: Option<f64>,
    /// Kafka's topic-mutation rate; kept, not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_mutation_rate: Option<f64>,
    /// New connections per second from an IP address; kept, not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_creation_rate: Option<u64>,
}

impl QuotaEntry {
    /// Whether the entry sets no quota at all (and so need not be kept).
    pub fn is_empty(&self) -> bool {
        self.producer_byte_rate.is_none()
            && self.consumer_byte_rate.is_none()
            && self.request_percentage.is_none()
            && self.controller_mutation_rate.is_none()
            && self.connection_creation_rate.is_none()
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct QuotaFile {
    #[serde(default)]
    quota: Vec<QuotaEntry>,
}

/// The entries of the quota file at `path`, checked.
fn read(path: &Path) -> Result<Vec<QuotaEntry>, QuotaError> {
    let text = std::fs::read_to_string(path).map_err(|e| QuotaError::Io(path.to_path_buf(), e))?;
    let file: QuotaFile =
        toml::from_str(&text).map_err(|e| QuotaError::Parse(path.to_path_buf(), e.to_string()))?;
    for (i, e) in file.quota.iter().enumerate() {
        if e.user.is_none() && e.client_id.is_none() && e.ip.is_none() {
            return Err(QuotaError::Invalid(
                path.to_path_buf(),
                i + 1,
                "names no user, client_id or ip",
            ));
        }
        if e.is_empty() {
            return Err(QuotaError::Invalid(
                path.to_path_buf(),
                i + 1,
                "sets no quota",
            ));
        }
    }
    Ok(file.quota)
}

/// How many samples the rate covers, and how long each is (Kafka's `quota.window.num` and
/// `quota.window.size.seconds`).
const SAMPLES: u32 = 11;
const SAMPLE: Duration = Duration::from_secs(1);

/// Bytes seen in consecutive windows.
#[derive(Debug, Default)]
struct Rate {
    windows: VecDeque<(Instant, u64)>,
}

impl Rate {
    fn record(&mut self, now: Instant, bytes: u64) {
        while self
            .windows
            .front()
            .is_some_and(|(start, _)| now.saturating_duration_since(*start) >= SAMPLE * SAMPLES)
        {
            self.windows.pop_front();
        }
        match self.windows.back_mut() {
            Some((start, n)) if now.saturating_duration_since(*start) < SAMPLE => *n += bytes,
            _ => self.windows.push_back((now, bytes)),
        }
    }

    /// Bytes per second, and the span it is measured over (never less than all but one
    /// window, so a first burst is not measured over a few microseconds).
    fn rate(&self, now: Instant) -> (f64, Duration) {
        let total: u64 = self.windows.iter().map(|(_, n)| n).sum();
        let first = self.windows.front().map_or(now, |(s, _)| *s);
        let span = now
            .saturating_duration_since(first)
            .max(SAMPLE * (SAMPLES - 1));
        (total as f64 / span.as_secs_f64(), span)
    }
}

/// The configured quotas and the rates measured against them.
#[derive(Debug, Default)]
pub struct Quotas {
    entries: std::sync::RwLock<Vec<QuotaEntry>>,
    rates: Mutex<HashMap<(QuotaKind, String, String), Rate>>,
    path: Option<PathBuf>,
}

impl Quotas {
    /// Quotas from `entries` (checked as the file is), kept in memory only.
    pub fn new(entries: Vec<QuotaEntry>) -> Self {
        Quotas {
            entries: std::sync::RwLock::new(entries),
            ..Default::default()
        }
    }

    /// The quotas of the file at `path` (missing: none yet), which AlterClientQuotas writes
    /// and SIGHUP re-reads; `None` keeps them in memory only.
    pub fn open(path: Option<PathBuf>) -> Result<Self, QuotaError> {
        let entries = match &path {
            Some(p) if p.exists() => read(p)?,
            _ => Vec::new(),
        };
        Ok(Quotas {
            entries: std::sync::RwLock::new(entries),
            path,
            ..Default::default()
        })
    }

    /// Re-read the quota file (on SIGHUP); on error the current quotas stay. Returns whether
    /// there is a file.
    pub fn reload(&self) -> Result<bool, QuotaError> {
        let Some(p) = &self.path else {
            return Ok(false);
        };
        let entries = if p.exists() { read(p)? } else { Vec::new() };
        *self.entries.write().unwrap_or_else(|e| e.into_inner()) = entries;
        Ok(true)
    }

    /// Every entry.
    pub fn entries(&self) -> Vec<QuotaEntry> {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replace every entry, writing the file first; nothing changes when that fails.
    pub fn replace(&self, entries: Vec<QuotaEntry>) -> Result<(), QuotaError> {
        let mut current = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = &self.path {
            let file = QuotaFile {
                quota: entries.clone(),
            };
            let text =
                toml::to_string(&file).map_err(|e| QuotaError::Parse(p.clone(), e.to_string()))?;
            crate::persist::write_atomic(p, &text).map_err(|e| QuotaError::Io(p.clone(), e))?;
        }
        *current = entries;
        Ok(())
    }

    /// Load the quota file.
    pub fn load(path: &Path) -> Result<Self, QuotaError> {
        Ok(Quotas::new(read(path)?))
    }

    /// The entry that applies to `user` and `client` for `kind`, by Kafka's precedence.
    /// The entry's granularity (per user? per client id?) and its rate.
    fn entry(&self, kind: QuotaKind, user: &str, client: &str) -> Option<(bool, bool, u64)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if entries.is_empty() {
            return None;
        }
        let is = |field: &Option<String>, want: Option<&str>| field.as_deref() == want;
        let levels: [(Option<&str>, Option<&str>); 8] = [
            (Some(user), Some(client)),
            (Some(user), Some("*")),
            (Some(user), None),
            (Some("*"), Some(client)),
            (Some("*"), Some("*")),
            (Some("*"), None),
            (None, Some(client)),
            (None, Some("*")),
        ];
        levels.iter().find_map(|&(u, c)| {
            entries
                .iter()
                .filter(|e| is(&e.user, u) && is(&e.client_id, c))
                .find_map(|e| {
                    let rate = match kind {
                        QuotaKind::Produce => e.producer_byte_rate,
                        QuotaKind::Fetch => e.consumer_byte_rate,
                    };
                    rate.map(|r| (e.user.is_some(), e.client_id.is_some(), r))
                })
        })
    }

    /// Count `bytes` for `user` and `client` at `now`; how long to throttle them (zero when
    /// within quota or without one).
    pub fn record(
        &self,
        kind: QuotaKind,
        user: &str,
        client: &str,
        bytes: u64,
        now: Instant,
    ) -> Duration {
        let Some((per_user, per_client, quota)) = self.entry(kind, user, client) else {
            return Duration::ZERO;
        };
        // The rate is shared at the entry's granularity: a user-level quota covers all of that
        // user's clients.
        let key = (
            kind,
            if per_user { user } else { "" }.to_string(),
            if per_client { client } else { "" }.to_string(),
        );
        let mut rates = self.rates.lock().unwrap_or_else(|e| e.into_inner());
        let rate = rates.entry(key).or_default();
        rate.record(now, bytes);
        let (observed, span) = rate.rate(now);
        let quota = quota.max(1) as f64;
        if observed <= quota {
            return Duration::ZERO;
        }
        // The wait that brings the rate over the span back down to the quota.
        let wait = span.as_secs_f64() * (observed - quota) / quota;
        Duration::from_secs_f64(wait).min(SAMPLE * SAMPLES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(user: Option<&str>, client: Option<&str>, produce: Option<u64>) -> QuotaEntry {
        QuotaEntry {
            user: user.map(str::to_string),
            client_id: client.map(str::to_string),
            producer_byte_rate: produce,
            ..Default::default()
        }
    }

    #[test]
    fn the_most_specific_entry_defining_the_rate_applies() {
        let q = Quotas::new(vec![
            entry(None, Some("*"), Some(8)),
            entry(None, Some("c"), Some(7)),
            entry(Some("*"), None, Some(6)),
            entry(Some("*"), Some("*"), Some(5)),
            entry(Some("*"), Some("c"), Some(4)),
            entry(Some("u"), None, Some(3)),
            entry(Some("u"), Some("*"), Some(2)),
            entry(Some("u"), Some("c"), Some(1)),
            entry(Some("v"), Some("c"), None),
        ]);
        let rate = |u, c| q.entry(QuotaKind::Produce, u, c).map(|(_, _, r)| r);
        assert_eq!(rate("u", "c"), Some(1));
        assert_eq!(rate("u", "d"), Some(2));
        assert_eq!(rate("w", "c"), Some(4));
        assert_eq!(rate("w", "d"), Some(5));
        // v's entry sets no produce rate: the next level applies.
        assert_eq!(rate("v", "c"), Some(4));
        assert_eq!(q.entry(QuotaKind::Fetch, "u", "c"), None);
        let q = Quotas::new(vec![
            entry(None, Some("c"), Some(7)),
            entry(None, Some("*"), Some(8)),
        ]);
        assert_eq!(
            q.entry(QuotaKind::Produce, "x", "c").map(|(_, _, r)| r),
            Some(7)
        );
        assert_eq!(
            q.entry(QuotaKind::Produce, "x", "d").map(|(_, _, r)| r),
            Some(8)
        );
    }

    #[test]
    fn throttle_brings_the_rate_back_to_the_quota() {
        let q = Quotas::new(vec![entry(Some("*"), None, Some(1000))]);
        let t0 = Instant::now();
        // 10 s of history at the quota exactly: no throttle.
        for s in 0..10 {
            let at = t0 + Duration::from_secs(s);
            assert_eq!(
                q.record(QuotaKind::Produce, "u", "c", 1000, at),
                Duration::ZERO
            );
        }
        // 5,000 more bytes at t=10 s: 15,000 over a 10 s span is 1,500/s, half again over the
        // quota, so 5 s of waiting brings it back (15,000 over 15 s).
        let t = q.record(
            QuotaKind::Produce,
            "u",
            "c",
            5000,
            t0 + Duration::from_secs(10),
        );
        assert_eq!(t, Duration::from_secs(5));
        // Users have their own rate under a default quota; fetches are not limited here.
        assert_eq!(
            q.record(QuotaKind::Produce, "other", "c", 5000, t0),
            Duration::ZERO
        );
        assert_eq!(
            q.record(QuotaKind::Fetch, "u", "c", 1 << 30, t0),
            Duration::ZERO
        );
        // Old samples leave the window: after 11 quiet seconds the rate is back to zero.
        let later = t0 + Duration::from_secs(30);
        assert_eq!(
            q.record(QuotaKind::Produce, "u", "c", 1000, later),
            Duration::ZERO
        );
    }

    #[test]
    fn a_huge_burst_is_throttled_at_most_one_full_window() {
        let q = Quotas::new(vec![entry(None, Some("*"), Some(1))]);
        let t = q.record(QuotaKind::Produce, "u", "c", 1 << 40, Instant::now());
        assert_eq!(t, SAMPLE * SAMPLES);
    }

    #[test]
    fn bad_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("q.toml");
        for (text, ok) in [
            ("[[quota]]\nuser = \"*\"\nproducer_byte_rate = 10\n", true),
            ("[[quota]]\nproducer_byte_rate = 10\n", false),
            ("[[quota]]\nuser = \"a\"\n", false),
            ("[[quota]]\nuser = \"a\"\nproducer_rate = 1\n", false),
        ] {
            std::fs::write(&p, text).unwrap();
            assert_eq!(Quotas::load(&p).is_ok(), ok, "{text}");
        }
    }
}
