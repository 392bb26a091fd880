//! Batches of client requests: writes of one batch share one redb write
//! transaction (group commit), and their replies are sent only once it is
//! durable; a read that follows writes in the batch first commits them.
//!
//! If a commit fails (a full disk, an IO error), every plan touched by the
//! batch is dropped from memory, so the next access reloads exactly what is
//! durable, every write of the batch is answered with a storage error, and
//! the database is reopened, as redb requires.

use std::collections::BTreeSet;

use jiff::Timestamp;
use tandem_proto::api::Response;

use super::ask::Ask;
use super::loaded::Slot;
use super::{Engine, StageError, storage_error};
use crate::store::{Batch, StoreError};

/// Writes staged in the open batch, waiting for its commit.
pub(super) struct Open<T> {
    pub(super) batch: Batch,
    pub(super) replies: Vec<(T, Response)>,
    pub(super) touched: BTreeSet<String>,
}

impl Engine {
    /// Handles a batch of requests that arrived by `now`, in order, calling
    /// `reply` once for each.
    pub fn process<T>(
        &mut self,
        now: Timestamp,
        batch: Vec<(T, Ask)>,
        mut reply: impl FnMut(T, Response),
    ) {
        self.at(now);
        self.heal();
        let mut open: Option<Open<T>> = None;
        for (token, ask) in batch {
            match ask {
                Ask::Write(req) => {
                    if open.is_none() {
                        match self.store.begin() {
                            Ok(batch) => {
                                open = Some(Open {
                                    batch,
                                    replies: Vec::new(),
                                    touched: BTreeSet::new(),
                                })
                            }
                            Err(e) => {
                                // A write transaction that cannot even begin
                                // recovers like a failed commit.
                                tracing::error!(error = %e, "cannot begin a write transaction");
                                reply(token, Response::Error(storage_error(&e)));
                                self.recover();
                                continue;
                            }
                        }
                    }
                    let Some(o) = open.as_mut() else { continue };
                    match self.stage(&req, &mut o.batch, &mut o.touched) {
                        Ok(resp) => o.replies.push((token, resp)),
                        Err(StageError::Refused(e)) => reply(token, Response::Error(e)),
                        Err(StageError::Store(e)) => {
                            if let Some(o) = open.take() {
                                self.fail(o.replies, &o.touched, &e, &mut reply);
                            }
                            reply(token, Response::Error(storage_error(&e)));
                        }
                    }
                }
                Ask::Read(req) => {
                    self.flush(open.take(), &mut reply);
                    let resp = self.read(&req);
                    reply(token, resp);
                }
            }
        }
        self.flush(open.take(), &mut reply);
        self.evict();
    }

    /// Commits the open batch and sends its replies, or fails them all.
    pub(super) fn flush<T>(&mut self, open: Option<Open<T>>, reply: &mut impl FnMut(T, Response)) {
        let Some(o) = open else { return };
        if o.replies.is_empty() {
            return;
        }
        let Open {
            batch,
            replies,
            touched,
        } = o;
        match batch.commit() {
            Ok(()) => {
                for (t, r) in replies {
                    reply(t, r);
                }
                for e in std::mem::take(&mut self.staged_events) {
                    let _ = self.events.send(e);
                }
                self.plans_changed(&touched);
                self.push_local(&touched);
                for id in &touched {
                    if let Some(Slot::Ready(l)) = self.plans.get(id)
                        && l.wants_compaction()
                    {
                        self.to_compact.insert(id.clone());
                    }
                }
            }
            Err(e) => self.fail(replies, &touched, &e, reply),
        }
    }

    /// Answers every staged edit with a storage error and forgets the touched plans,
    /// so that they reload from what is durable.
    pub(super) fn fail<T>(
        &mut self,
        replies: Vec<(T, Response)>,
        touched: &BTreeSet<String>,
        e: &StoreError,
        reply: &mut impl FnMut(T, Response),
    ) {
        tracing::error!(error = %e, "write batch failed; dropping {} plan(s) from memory", touched.len());
        for id in touched {
            self.plans.remove(id);
        }
        self.ids = None;
        self.listing = None;
        self.staged_events.clear();
        for (t, _) in replies {
            reply(t, Response::Error(storage_error(e)));
        }
        self.recover();
    }

    /// Reopens the database if an earlier failure left it closed or suspect;
    /// called before each batch, network event and join.
    pub(super) fn heal(&mut self) {
        if self.needs_recovery || self.store.needs_reopen() {
            self.recover();
        }
    }

    /// Reopens the database after a failure, as redb requires; retried before each batch until it works.
    pub(super) fn recover(&mut self) {
        match self.store.recover() {
            Ok(()) => {
                tracing::info!("database reopened after a failure");
                self.needs_recovery = false;
            }
            Err(e) => {
                tracing::error!(error = %e, "database could not be reopened; retrying on the next request");
                self.needs_recovery = true;
            }
        }
    }
}
