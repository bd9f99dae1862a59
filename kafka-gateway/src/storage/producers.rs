//! Idempotent-producer state per partition (sans-IO): for each producer id, its epoch and the
//! last five batches' sequence ranges and offsets, so a retried batch is answered with its
//! original offsets instead of being written twice, and a gap in sequences is refused.

use std::collections::{HashMap, VecDeque};

use super::StorageError;

/// How many recent batches per producer are remembered (Kafka's in-flight limit).
pub const REMEMBERED: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    first_seq: i32,
    last_seq: i32,
    base_offset: i64,
}

#[derive(Debug, Clone, Default)]
struct Producer {
    epoch: i16,
    recent: VecDeque<Entry>,
    last_timestamp: i64,
}

/// What DescribeProducers reports of one active producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerSnapshot {
    /// Producer id.
    pub producer_id: i64,
    /// Its current epoch.
    pub epoch: i16,
    /// Sequence of the last record of its last batch.
    pub last_sequence: i32,
    /// Largest timestamp of its last batch.
    pub last_timestamp: i64,
}

/// What to do with a batch from an idempotent producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// New and in order: append it.
    Append,
    /// Already appended at this base offset: answer without writing.
    Duplicate(i64),
}

/// Producer state of one partition.
#[derive(Debug, Clone, Default)]
pub struct ProducerTable {
    producers: HashMap<i64, Producer>,
}

fn last_seq(first: i32, last_offset_delta: i32) -> i32 {
    // Sequences wrap at i32::MAX back to 0.
    ((i64::from(first) + i64::from(last_offset_delta)) % (i64::from(i32::MAX) + 1)) as i32
}

impl ProducerTable {
    /// Decide what to do with a batch (`producer_id` ≥ 0 and `first_seq` ≥ 0).
    pub fn check(
        &self,
        producer_id: i64,
        epoch: i16,
        first_seq: i32,
        last_offset_delta: i32,
    ) -> Result<Check, StorageError> {
        let Some(p) = self.producers.get(&producer_id) else {
            return Ok(Check::Append);
        };
        if epoch < p.epoch {
            return Err(StorageError::InvalidProducerEpoch {
                got: epoch,
                current: p.epoch,
            });
        }
        if epoch > p.epoch {
            // A bumped epoch starts its sequences again at 0.
            return if first_seq == 0 {
                Ok(Check::Append)
            } else {
                Err(StorageError::OutOfOrderSequence {
                    expected: 0,
                    got: first_seq,
                })
            };
        }
        let last = last_seq(first_seq, last_offset_delta);
        if let Some(e) = p
            .recent
            .iter()
            .find(|e| e.first_seq == first_seq && e.last_seq == last)
        {
            return Ok(Check::Duplicate(e.base_offset));
        }
        let expected = p.recent.back().map_or(first_seq, |e| {
            if e.last_seq == i32::MAX {
                0
            } else {
                e.last_seq + 1
            }
        });
        if first_seq != expected {
            return Err(StorageError::OutOfOrderSequence {
                expected,
                got: first_seq,
            });
        }
        Ok(Check::Append)
    }

    /// Record an appended batch.
    pub fn record(
        &mut self,
        producer_id: i64,
        epoch: i16,
        first_seq: i32,
        last_offset_delta: i32,
        base_offset: i64,
        max_timestamp: i64,
    ) {
        let p = self.producers.entry(producer_id).or_default();
        p.last_timestamp = max_timestamp;
        if epoch != p.epoch {
            p.recent.clear();
            p.epoch = epoch;
        }
        p.recent.push_back(Entry {
            first_seq,
            last_seq: last_seq(first_seq, last_offset_delta),
            base_offset,
        });
        while p.recent.len() > REMEMBERED {
            p.recent.pop_front();
        }
    }

    /// The producers that wrote here, by id.
    pub fn snapshot(&self) -> Vec<ProducerSnapshot> {
        let mut out: Vec<ProducerSnapshot> = self
            .producers
            .iter()
            .filter_map(|(id, p)| {
                Some(ProducerSnapshot {
                    producer_id: *id,
                    epoch: p.epoch,
                    last_sequence: p.recent.back()?.last_seq,
                    last_timestamp: p.last_timestamp,
                })
            })
            .collect();
        out.sort_by_key(|p| p.producer_id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_duplicates_gaps_are_refused_and_epochs_fence() {
        let mut t = ProducerTable::default();
        assert_eq!(t.check(7, 0, 0, 9).unwrap(), Check::Append);
        t.record(7, 0, 0, 9, 100, 1000);
        assert_eq!(t.check(7, 0, 10, 4).unwrap(), Check::Append);
        t.record(7, 0, 10, 4, 110, 1001);
        assert_eq!(
            t.snapshot(),
            vec![ProducerSnapshot {
                producer_id: 7,
                epoch: 0,
                last_sequence: 14,
                last_timestamp: 1001
            }]
        );
        assert_eq!(t.check(7, 0, 0, 9).unwrap(), Check::Duplicate(100));
        assert_eq!(t.check(7, 0, 10, 4).unwrap(), Check::Duplicate(110));
        assert!(matches!(
            t.check(7, 0, 20, 0),
            Err(StorageError::OutOfOrderSequence {
                expected: 15,
                got: 20
            })
        ));
        assert!(matches!(
            t.check(7, 1, 3, 0),
            Err(StorageError::OutOfOrderSequence { expected: 0, .. })
        ));
        assert_eq!(t.check(7, 1, 0, 0).unwrap(), Check::Append);
        t.record(7, 1, 0, 0, 115, 1002);
        assert!(matches!(
            t.check(7, 0, 15, 0),
            Err(StorageError::InvalidProducerEpoch { got: 0, current: 1 })
        ));
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut t = ProducerTable::default();
        for n in 0..7 {
            t.record(1, 0, n, 0, i64::from(n), 0);
        }
        assert!(matches!(
            t.check(1, 0, 1, 0),
            Err(StorageError::OutOfOrderSequence { .. })
        ));
        assert_eq!(t.check(1, 0, 2, 0).unwrap(), Check::Duplicate(2));
    }

    #[test]
    fn sequences_wrap_at_i32_max() {
        let mut t = ProducerTable::default();
        t.record(1, 0, i32::MAX - 1, 1, 0, 0);
        assert_eq!(t.check(1, 0, 0, 0).unwrap(), Check::Append);
    }
}
