//! Read-ahead for consumers catching up. A gateway is one hop more than a native client: a
//! fetch waits for Iggy's answer, rebuilds it as a batch and sends it on. When a fetch used
//! every message of a full poll, the reader is behind the log's end, so the next chunks are
//! polled (on their own connections) and rebuilt while the client is still busy with this one;
//! the next fetch finds its batch ready. Messages a fetch could not fit in its byte budget are
//! kept for the next one. A fetch at any other offset polls Iggy as usual and the queue is
//! dropped.

use std::collections::VecDeque;

use bytes::Bytes;
use iggy::prelude::{PolledMessages, PollingStrategy};
use tokio::task::JoinHandle;

use super::log::poll_with;
use super::{lock, mapping, partition_id, IggyStorage};
use crate::storage::{StorageError, TopicPartition};

/// How many chunks are polled ahead of a reader that is catching up.
pub(super) const DEPTH: usize = 2;

/// Chunks expected to be fetched next, in offset order.
pub(super) type Queue = VecDeque<Chunk>;

/// Messages for the fetch that asks for `start`.
pub(super) struct Chunk {
    start: i64,
    ahead: Ahead,
}

enum Ahead {
    /// Polling, then rebuilding all it got as one batch.
    Polling(JoinHandle<Result<Polled, StorageError>>),
    Ready(Polled),
}

/// Polled messages, and maybe the batch they make already built.
pub(super) type Polled = (PolledMessages, Option<Bytes>);

impl IggyStorage {
    /// Messages from `offset`: the read-ahead's if it holds them, else a fresh poll.
    pub(super) async fn messages_from(
        &self,
        tp: &TopicPartition,
        offset: i64,
        want: u32,
    ) -> Result<Polled, StorageError> {
        let part = self.partition(tp);
        let front = {
            let mut q = lock(&part.ahead);
            match q.front() {
                Some(c) if c.start == offset => q.pop_front(),
                _ => {
                    q.clear();
                    None
                }
            }
        };
        if let Some(chunk) = front {
            let got = match chunk.ahead {
                Ahead::Ready(p) => Some(p),
                Ahead::Polling(task) => task.await.ok().and_then(Result::ok),
            };
            if let Some(p) = got.filter(|(p, _)| !p.messages.is_empty()) {
                return Ok(p);
            }
            lock(&part.ahead).clear();
        }
        let polled = self
            .poll(tp, PollingStrategy::offset(offset as u64), want)
            .await?;
        Ok((polled, None))
    }

    /// A fetch served the first `used` messages of `polled` (asked for `want`): keep the rest
    /// for the next fetch, and when all were used and the poll came back full, poll on.
    pub(super) fn read_ahead(
        &self,
        tp: &TopicPartition,
        mut polled: PolledMessages,
        used: usize,
        want: u32,
    ) {
        let Some(next) = polled
            .messages
            .get(used.saturating_sub(1))
            .map(|m| m.header.offset as i64 + 1)
        else {
            return;
        };
        let part = self.partition(tp);
        let mut q = lock(&part.ahead);
        if used < polled.messages.len() {
            polled.messages.drain(..used);
            let ahead = Ahead::Ready((polled, None));
            q.push_front(Chunk { start: next, ahead });
            return;
        }
        if polled.messages.len() < want as usize {
            return;
        }
        let Ok((s, t)) = self.place(&tp.topic) else {
            return;
        };
        let Ok(p) = partition_id(tp) else { return };
        // Full chunks follow each other `want` messages apart while the reader is behind.
        let mut start = q.back().map_or(next, |c| c.start + i64::from(want));
        while q.len() < DEPTH {
            let reader = self.next_reader();
            let (s, t) = (s.clone(), t.clone());
            let from = PollingStrategy::offset(start as u64);
            let task = tokio::spawn(async move {
                let polled = poll_with(&reader, s, t, p, from, want).await?;
                let batch = mapping::rebuild_batch(&polled.messages).ok().flatten();
                Ok((polled, batch))
            });
            q.push_back(Chunk {
                start,
                ahead: Ahead::Polling(task),
            });
            start += i64::from(want);
        }
    }
}
