//! Where waiting group requests are parked: the sans-IO [`Coordinator`] decides, this service
//! keeps a oneshot channel per parked JoinGroup/SyncGroup, delivers completions, and feeds the
//! coordinator the wall clock (here, and in the server's ticker — never inside the coordinator).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::coordinator::{
    Completion, Coordinator, JoinReply, JoinRequest, Settings, Step, SyncReply, SyncRequest, Token,
};
use crate::storage::file::now_ms;

/// The group coordinator with its parked requests.
pub struct GroupService {
    coordinator: Mutex<Coordinator>,
    waiters: Mutex<HashMap<Token, oneshot::Sender<Completion>>>,
    next: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl GroupService {
    /// A service with these coordinator settings.
    pub fn new(settings: Settings) -> Self {
        GroupService {
            coordinator: Mutex::new(Coordinator::new(settings)),
            waiters: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        }
    }

    /// Run `f` on the coordinator (briefly; never across an await).
    pub fn with<R>(&self, f: impl FnOnce(&mut Coordinator) -> R) -> R {
        f(&mut lock(&self.coordinator))
    }

    fn deliver(&self, done: Vec<Completion>) {
        let mut waiters = lock(&self.waiters);
        for c in done {
            let token = match &c {
                Completion::Join(t, _) | Completion::Sync(t, _) => *t,
            };
            if let Some(tx) = waiters.remove(&token) {
                let _ = tx.send(c);
            }
        }
    }

    async fn call<R>(
        &self,
        f: impl FnOnce(&mut Coordinator, Token, i64) -> Step<R>,
        unwrap: impl Fn(Completion) -> Option<R>,
    ) -> Option<R> {
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.waiters).insert(token, tx);
        let step = self.with(|c| f(c, token, now_ms()));
        self.deliver(step.completed);
        if let Some(r) = step.reply {
            lock(&self.waiters).remove(&token);
            return Some(r);
        }
        rx.await.ok().and_then(unwrap)
    }

    /// JoinGroup: answered now, or when the rebalance completes.
    pub async fn join(&self, req: JoinRequest) -> JoinReply {
        let reply = self.call(
            |c, t, now| c.join(t, req, now),
            |c| match c {
                Completion::Join(_, r) => Some(r),
                Completion::Sync(..) => None,
            },
        );
        reply.await.unwrap_or_default()
    }

    /// SyncGroup: answered now, or when the leader's assignment arrives.
    pub async fn sync(&self, req: SyncRequest) -> SyncReply {
        let reply = self.call(
            |c, t, now| c.sync(t, req, now),
            |c| match c {
                Completion::Sync(_, r) => Some(r),
                Completion::Join(..) => None,
            },
        );
        reply.await.unwrap_or_default()
    }

    /// Leave: per-member errors; completes calls parked by the departure.
    pub fn leave(
        &self,
        group: &str,
        members: &[(String, Option<String>)],
    ) -> (kafka_wire::ErrorCode, Vec<kafka_wire::ErrorCode>) {
        let (code, errors, done) = self.with(|c| c.leave(group, members, now_ms()));
        self.deliver(done);
        (code, errors)
    }

    /// Advance the coordinator's clock and deliver whatever completed.
    pub fn tick(&self) {
        let done = self.with(|c| c.tick(now_ms()));
        self.deliver(done);
    }
}
