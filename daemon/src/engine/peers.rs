//! The engine as the sync core's host and driver.
//!
//! Network events come in through [`Engine::net`]; the sync core's outputs
//! are carried out in its required order: everything it asks to store goes
//! into one write transaction, and only once that is durable are its
//! messages released to the outbox, which the network task drains
//! ([`Engine::take_outbox`]).
//!
//! Sync states alone do not cost a transaction of their own: when a round
//! stores no changes, its states wait in memory and are written with the
//! next transaction that stores received changes, on the next tick (about a
//! second), when the peer disconnects and when the engine stops. That is
//! safe because a sync state only names changes that are already durable
//! here (received ones are stored as they arrive, local ones before they are
//! pushed); a state lost to a crash only means the next reconnect says a
//! little more. It takes one fsync off the path of every acknowledged
//! message.
//!
//! Local edits reach peers through [`Engine::push_local`], called once per
//! plan per committed batch, so a burst of edits becomes one round of sync
//! messages.

use std::collections::BTreeSet;

use automerge::ReadDoc;
use jiff::Timestamp;
use tandem_proto::peer::PeerMessage;

use super::{Engine, Slot};
use crate::doc::{PlanDoc, change_messages};
use crate::store::{Batch, StoreError};
use crate::sync::{Host, Output};
use tandem_proto::api::WatchEvent;

/// Something the network saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// A connection to a peer is up.
    Connected(String),
    /// The connection to a peer is gone.
    Disconnected(String),
    /// A peer sent a message.
    Message(String, PeerMessage),
    /// Time passed (sent about once a second).
    Tick,
    /// Where a peer can be dialed (`None`: forget it), for the address
    /// book, and whether it was added by hand.
    Address(String, Option<String>, bool),
    /// A relay learned from a ticket, to use again after a restart.
    Relay(String),
}

impl Engine {
    /// Handles a network event at time `now_ms`.
    pub fn net(&mut self, now_ms: u64, event: NetEvent) {
        self.at_ms(now_ms);
        self.heal();
        let time = self.now;
        let watched = match &event {
            NetEvent::Connected(peer) => Some(WatchEvent::PeerConnected {
                peer: peer.clone().into(),
                time,
            }),
            NetEvent::Disconnected(peer) => {
                self.in_sync.retain(|(p, _)| p != peer);
                Some(WatchEvent::PeerDisconnected {
                    peer: peer.clone().into(),
                    time,
                })
            }
            _ => None,
        };
        if let Some(e) = watched {
            let _ = self.events.send(e);
        }
        let about = match &event {
            NetEvent::Message(peer, msg) => Some((peer.clone(), msg.plan().to_string())),
            _ => None,
        };
        let mut core = std::mem::take(&mut self.sync);
        let out = match event {
            NetEvent::Connected(peer) => core.connected(now_ms, &peer, self),
            NetEvent::Disconnected(peer) => {
                core.disconnected(&peer, self);
                self.flush_sync_states();
                Vec::new()
            }
            NetEvent::Message(peer, msg) => core.message(now_ms, &peer, msg, self),
            NetEvent::Tick => {
                self.flush_sync_states();
                self.flush_refusals(now_ms);
                self.ticks += 1;
                if self.ticks.is_multiple_of(600) {
                    self.prune_inbox();
                }
                core.tick(now_ms, self)
            }
            NetEvent::Address(peer, addr, manual) => {
                let row = addr.map(|a| crate::store::rows::PeerRow::new(&a, manual));
                if let Err(e) = self.store.set_peer(&peer, row.as_ref()) {
                    tracing::warn!(%peer, error = %e, "cannot update the address book");
                    self.recover();
                }
                Vec::new()
            }
            NetEvent::Relay(addr) => {
                if let Err(e) = self.store.add_relay(&addr) {
                    tracing::warn!(%addr, error = %e, "cannot remember the relay");
                    self.recover();
                }
                Vec::new()
            }
        };
        self.sync = core;
        self.carry_out(out);
        if let Some((peer, plan)) = about {
            self.check_in_sync(&peer, &plan);
        }
        // Who is sending a pending plan may have changed.
        self.publish_trust();
    }

    /// Emits `sync_complete` when `peer` has just come to hold all of `plan`.
    fn check_in_sync(&mut self, peer: &str, plan: &str) {
        let Some(theirs) = self.sync.their_heads(peer, plan) else {
            return;
        };
        let ours = match self.plans.get(plan) {
            Some(Slot::Ready(l)) => l.doc.automerge().get_heads(),
            _ => return,
        };
        let mut theirs = theirs;
        theirs.sort_unstable();
        let key = (peer.to_string(), plan.to_string());
        if theirs == ours {
            if self.in_sync.insert(key) {
                let e = WatchEvent::SyncComplete {
                    plan: plan.into(),
                    peer: peer.into(),
                    time: self.now,
                };
                let _ = self.events.send(e);
            }
        } else {
            self.in_sync.remove(&key);
        }
    }

    /// Tells connected members about committed local changes of `plans`.
    pub(super) fn push_local(&mut self, plans: &BTreeSet<String>) {
        if self.sync.peers().next().is_none() {
            return;
        }
        let now_ms = self.now_ms();
        for plan in plans {
            let mut core = std::mem::take(&mut self.sync);
            let out = core.local_change(now_ms, plan, self);
            self.sync = core;
            self.carry_out(out);
        }
    }

    /// How far each connected member is in syncing `plan`.
    pub(super) fn sync_status(
        &mut self,
        plan: &str,
    ) -> Result<tandem_proto::api::Response, tandem_proto::ApiError> {
        let me = self.device.peer.clone();
        let connected: std::collections::HashSet<String> =
            self.sync.peers().map(str::to_string).collect();
        let members = self.loaded(plan)?.doc.view().members.clone();
        let mut out = Vec::new();
        for m in members.into_iter().filter(|m| m.peer != me) {
            let peer = m.peer.to_string();
            let is_connected = connected.contains(&peer);
            // A connected peer's session knows its heads; an offline one's
            // last persisted state says what it had when it left.
            let theirs = match self.sync.their_heads(&peer, plan) {
                Some(h) => Some(h),
                None => self
                    .store
                    .sync_state(&peer, plan)
                    .ok()
                    .flatten()
                    .and_then(|b| automerge::sync::State::decode(&b).ok())
                    .map(|s| s.shared_heads),
            };
            let doc = &self.loaded(plan)?.doc;
            // Their heads that we know; heads we lack mean they are ahead of us there.
            let pending = theirs.map(|theirs| {
                let known: Vec<automerge::ChangeHash> = theirs
                    .into_iter()
                    .filter(|c| doc.automerge().get_change_by_hash(c).is_some())
                    .collect();
                doc.automerge().get_changes(&known).len()
            });
            out.push(tandem_proto::api::PeerSync {
                peer: m.peer,
                name: m.name,
                role: m.role,
                device: m.device,
                connected: is_connected,
                in_sync: pending == Some(0),
                pending,
            });
        }
        Ok(tandem_proto::api::Response::Sync(
            tandem_proto::api::PlanSync {
                plan: plan.to_string().into(),
                peers: out,
            },
        ))
    }

    /// Messages ready to send, in order.
    pub fn take_outbox(&mut self) -> Vec<(String, PeerMessage)> {
        std::mem::take(&mut self.outbox)
    }

    fn carry_out(&mut self, outputs: Vec<Output>) {
        if outputs.is_empty() {
            return;
        }
        let now = self.now;
        let stores_changes = outputs
            .iter()
            .any(|o| matches!(o, Output::StoreChanges { .. }));
        let mut sends = Vec::new();
        let mut batch: Option<Batch> = None;
        let mut touched = BTreeSet::new();
        let mut received = Vec::new();
        let mut result: Result<(), StoreError> = Ok(());
        for o in outputs {
            match o {
                Output::Send { peer, msg } => sends.push((peer, msg)),
                Output::Refused { peer, plan, reason } => {
                    self.log_refusal(&peer, &plan, &reason);
                }
                Output::Offer { plan, from, bytes } if result.is_ok() => {
                    result = self.open_batch(&mut batch).map(drop);
                    if let (Ok(()), Some(b)) = (&result, batch.as_mut()) {
                        match self.keep_offer(b, &plan, &from, &bytes, now) {
                            Ok(Some(e)) => received.push(e),
                            Ok(None) => {}
                            Err(e) => result = Err(e),
                        }
                        touched.insert(plan.clone());
                    }
                }
                Output::Offer { .. } => {}
                Output::StoreChanges {
                    plan,
                    bytes,
                    whole,
                    from,
                    items,
                } if result.is_ok() => {
                    tracing::info!(%plan, %from, bytes = bytes.len(), whole, "storing changes from a peer");
                    touched.insert(plan.clone());
                    let (messages, authors) = if whole {
                        (vec!["plan received".to_string()], Vec::new())
                    } else {
                        let authors = match self.plans.get(&plan) {
                            Some(Slot::Ready(l)) => l.doc.authors(&bytes),
                            _ => Vec::new(),
                        };
                        (change_messages(&bytes), authors)
                    };
                    received.push(WatchEvent::RemoteChange {
                        plan: plan.clone().into(),
                        messages,
                        items,
                        authors: authors.into_iter().map(Into::into).collect(),
                        from: from.into(),
                        time: now,
                    });
                    result = self.store_changes(&mut batch, &plan, &bytes, whole, now);
                }
                Output::StoreSyncState { peer, plan, state } => {
                    self.unsaved_states.insert((peer, plan), state);
                }
                Output::StoreChanges { .. } => {}
            }
        }
        if stores_changes && result.is_ok() {
            // A transaction is being made anyway: waiting sync states ride along.
            result = self.put_unsaved_states(&mut batch);
        }
        if let (Some(b), Ok(())) = (batch, &result) {
            result = b.commit();
        }
        match result {
            Ok(()) => {
                self.outbox.extend(sends);
                for e in received {
                    let _ = self.events.send(e);
                }
                self.plans_changed(&touched);
            }
            Err(e) => {
                // Nothing received is acknowledged: memory goes back to what is durable,
                // and the sessions start over from their stored states.
                tracing::error!(error = %e, "storing changes from peers failed; they will be fetched again");
                self.unsaved_states.clear();
                for plan in &touched {
                    self.plans.remove(plan);
                    self.pending.remove(plan);
                    self.sync.restart_plan(plan);
                }
                self.ids = None;
                self.listing = None;
                self.recover();
            }
        }
    }

    /// Moves every waiting sync state into `batch`; should that transaction
    /// fail they are gone, which only makes the next reconnect say more.
    fn put_unsaved_states(&mut self, batch: &mut Option<Batch>) -> Result<(), StoreError> {
        if self.unsaved_states.is_empty() {
            return Ok(());
        }
        let states = std::mem::take(&mut self.unsaved_states);
        let b = self.open_batch(batch)?;
        for ((peer, plan), state) in &states {
            b.put_sync_state(peer, plan, state)?;
        }
        Ok(())
    }

    /// Writes the sync states waiting in memory. A failure is logged and
    /// costs nothing but a larger next reconnect.
    pub fn flush_sync_states(&mut self) {
        let mut batch = None;
        let result = self
            .put_unsaved_states(&mut batch)
            .and_then(|()| batch.map_or(Ok(()), Batch::commit));
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot save sync states; the next reconnect will resend more");
            self.recover();
        }
    }

    fn open_batch<'b>(
        &mut self,
        batch: &'b mut Option<Batch>,
    ) -> Result<&'b mut Batch, StoreError> {
        if batch.is_none() {
            *batch = Some(self.store.begin()?);
        }
        batch.as_mut().ok_or(StoreError::Unavailable)
    }

    fn store_changes(
        &mut self,
        batch: &mut Option<Batch>,
        plan: &str,
        bytes: &[u8],
        whole: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let b = self.open_batch(batch)?;
        if whole {
            // A plan shared with us: its whole document becomes its first stored chunk.
            let Some(doc) = self.pending.remove(plan) else {
                return Ok(());
            };
            // A join this device asked for is complete.
            b.set_joined(plan, None)?;
            self.joins = None;
            return self.add_plan(b, plan, doc, bytes, now);
        }
        let Some(Slot::Ready(l)) = self.plans.get_mut(plan) else {
            return Ok(());
        };
        l.append(plan, b, bytes, now)
    }
}

impl Host for Engine {
    fn me(&self) -> String {
        self.device.peer.clone()
    }

    fn shared_with(&mut self, peer: &str) -> Vec<String> {
        self.membership().shared_with(peer)
    }

    fn plan(&mut self, plan: &str) -> Option<&mut PlanDoc> {
        if self.pending.contains_key(plan) {
            return self.pending.get_mut(plan);
        }
        if !self.plan_ids().ok()?.contains(plan) {
            return None;
        }
        self.loaded(plan).ok().map(|l| &mut l.doc)
    }

    fn adopt(&mut self, plan: &str) -> Option<&mut PlanDoc> {
        if self.plan_ids().map_or(true, |ids| ids.contains(plan)) {
            return None;
        }
        let actor = self.device.actor.clone();
        Some(
            self.pending
                .entry(plan.to_string())
                .or_insert_with(|| PlanDoc::empty(actor)),
        )
    }

    fn forget(&mut self, plan: &str) {
        self.pending.remove(plan);
    }

    fn saved_state(&mut self, peer: &str, plan: &str) -> Option<Vec<u8>> {
        let key = (peer.to_string(), plan.to_string());
        if let Some(state) = self.unsaved_states.get(&key) {
            return Some(state.clone());
        }
        self.store.sync_state(peer, plan).ok().flatten()
    }

    fn knows(&mut self, peer: &str) -> bool {
        self.membership().knows(peer)
    }

    fn offer_policy(&mut self, plan: &str, peer: &str) -> crate::sync::OfferPolicy {
        Engine::offer_policy(self, plan, peer)
    }

    fn consents(&mut self, plan: &str, peer: &str) -> bool {
        Engine::consents(self, plan, peer)
    }
}
