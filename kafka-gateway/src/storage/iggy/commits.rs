//! Committed group offsets as Iggy consumer offsets: consumer = the group's name, so native
//! Iggy consumers of that name continue where the Kafka group stopped, and the reverse.
//!
//! Iggy stores the last offset consumed and Kafka commits the next one to read, so Kafka
//! offset N is stored as N − 1. Kafka's offset 0 ("nothing consumed yet") has no Iggy form:
//! the stored offset is removed and the commit is remembered by this gateway only. Metadata
//! strings and leader epochs are not kept.

use iggy::prelude::{Consumer, ConsumerOffsetClient, IggyError};

use super::{lock, named, partition_id, timed, IggyStorage};
use crate::storage::offsets::Committed;
use crate::storage::{Storage, StorageError, TopicPartition};

impl IggyStorage {
    pub(super) async fn commit(
        &self,
        group: &str,
        offsets: Vec<(TopicPartition, Committed)>,
    ) -> Result<(), StorageError> {
        let consumer = Consumer::new(named(group)?);
        for (tp, c) in offsets {
            let (s, t) = self.place(&tp.topic)?;
            let p = Some(partition_id(&tp)?);
            let o = self.offsets(&tp).await?;
            if c.offset < 0 || c.offset > o.high_watermark {
                return Err(StorageError::OffsetOutOfRange {
                    offset: c.offset,
                    log_start: o.log_start,
                    high_watermark: o.high_watermark,
                });
            }
            let key = (group.to_string(), tp.clone());
            if c.offset > 0 {
                let last = (c.offset - 1) as u64;
                timed(
                    self.client
                        .store_consumer_offset(&consumer, &s, &t, p, last),
                )
                .await?;
                lock(&self.zero_commits).remove(&key);
            } else {
                self.forget(&consumer, &tp).await?;
                lock(&self.zero_commits).insert(key);
            }
        }
        lock(&self.groups).insert(group.to_string());
        Ok(())
    }

    /// Remove a stored consumer offset; one that is not there is fine.
    async fn forget(&self, consumer: &Consumer, tp: &TopicPartition) -> Result<(), StorageError> {
        let (s, t) = self.place(&tp.topic)?;
        let p = Some(partition_id(tp)?);
        let call = self.client.delete_consumer_offset(consumer, &s, &t, p);
        match tokio::time::timeout(super::CALL_TIMEOUT, call).await {
            Ok(Ok(())) | Ok(Err(IggyError::ConsumerOffsetNotFound(_))) => Ok(()),
            Ok(Err(e)) => match super::iggy_err(e) {
                StorageError::UnknownTopicOrPartition(_) => Ok(()),
                other => Err(other),
            },
            Err(_) => Err(StorageError::Unavailable(
                "deleting a consumer offset".into(),
            )),
        }
    }

    pub(super) async fn committed(&self, group: &str) -> Vec<(TopicPartition, Committed)> {
        let Ok(id) = named(group) else {
            return Vec::new();
        };
        let consumer = Consumer::new(id);
        let zeros: Vec<TopicPartition> = lock(&self.zero_commits)
            .iter()
            .filter(|(g, _)| g == group)
            .map(|(_, tp)| tp.clone())
            .collect();
        let committed = |tp: TopicPartition, offset: i64| {
            let c = Committed {
                offset,
                leader_epoch: -1,
                metadata: None,
                commit_ms: 0,
            };
            (tp, c)
        };
        let mut out = Vec::new();
        for meta in self.topics().await {
            let Ok((s, t)) = self.place(&meta.name) else {
                continue;
            };
            for p in 0..meta.partitions {
                let tp = TopicPartition {
                    topic: meta.name.clone(),
                    partition: p,
                };
                let call = self
                    .client
                    .get_consumer_offset(&consumer, &s, &t, Some(p as u32));
                if let Ok(Some(info)) = timed(call).await {
                    out.push(committed(tp, info.stored_offset as i64 + 1));
                } else if zeros.contains(&tp) {
                    out.push(committed(tp, 0));
                }
            }
        }
        out
    }

    pub(super) async fn delete_committed(
        &self,
        group: &str,
        which: Option<Vec<TopicPartition>>,
    ) -> Result<(), StorageError> {
        let consumer = Consumer::new(named(group)?);
        let which = match which {
            Some(w) => w,
            None => self
                .committed(group)
                .await
                .into_iter()
                .map(|(tp, _)| tp)
                .collect(),
        };
        for tp in which {
            self.forget(&consumer, &tp).await?;
            lock(&self.zero_commits).remove(&(group.to_string(), tp));
        }
        Ok(())
    }
}
