//! The sync core: a sans-IO state machine for syncing plans with peers.
//!
//! It imports no tokio, redb or libp2p. Its driver feeds it events —
//! [`SyncCore::connected`], [`SyncCore::disconnected`], [`SyncCore::message`],
//! [`SyncCore::local_change`], [`SyncCore::tick`] — with the current time, and
//! carries out the [`Output`]s it returns, **in order**:
//!
//! 1. [`Output::StoreChanges`] and [`Output::StoreSyncState`] are made durable
//!    (one write transaction) before
//! 2. any [`Output::Send`] that follows is sent, so received changes are
//!    durable before they are acknowledged or relayed, and a sync state is
//!    never persisted ahead of the changes it describes.
//!
//! One Automerge sync session runs per (peer, plan). Rules:
//!
//! - Only member devices of a plan ever get a message about it; a request
//!   for a plan the peer is not a member of is answered `Unavailable`.
//! - A plan offered by a peer that we do not hold is received into a pending
//!   document, kept in memory until it shows that both we and the sender are
//!   members, else forgotten and answered `Unavailable`. Pending plans are
//!   bounded per peer and in total, in count and bytes, and expire
//!   ([`pending::Limits`]); an offer over the bounds is dropped unanswered.
//!   The host may refuse an offer outright (a plan declined here, or one
//!   already waiting for consent).
//! - **Consent.** A complete offer is stored as a plan only when the host
//!   consents ([`Host::consents`]: the sender shares a plan with us, or we
//!   joined this plan with a ticket); otherwise it goes out as
//!   [`Output::Offer`], for the user to accept or decline, and the sender is
//!   told `Unavailable`.
//! - A message that is lost leaves a session waiting: after
//!   [`RESEND_AFTER_MS`] the session drops its in-flight state, tells the peer
//!   with `Reset`, and starts over from the shared heads, so no pair stays
//!   stuck or loops.
//! - A malformed or refused message resets that one session; the stored plan
//!   keeps whatever valid changes arrived, and nothing else is affected.
//! - Changes received from one peer are relayed to the other connected
//!   members of the plan, so edits spread transitively.
//! - **Only writers' changes are taken.** A session with a device that is a
//!   member but not a writer (an observer) is read-only on our side: we send
//!   it our changes and never apply its own (Automerge's read-only sync
//!   state, which also tells the peer not to offer them). Such changes are
//!   reported once per session as refused. So an observer's write, even one
//!   forged by a modified client, is applied by no member and relayed by
//!   none. A plan offered by a device is accepted only if that device is a
//!   writer in it.
//! - **Removal takes effect at once.** When a device stops being a member
//!   (removed here, or a removal arrives), its sessions for the plan are
//!   closed, it is sent nothing more about the plan, and whatever it sends is
//!   answered `Unavailable`. A device removed while it was away gets, the
//!   next time it asks, one last message: what it lacks of the plan up to
//!   and including its removal (a fork at the removal's heads, never a
//!   change made after it), so its copy says it was removed.
//!
//! The core logs nothing itself: refusals come out as [`Output::Refused`],
//! which the driver logs (rate-limited, since peers choose how often).

mod pending;

use std::collections::BTreeMap;

use automerge::ReadDoc;
use automerge::sync::State;
use tandem_proto::api::Touched;
use tandem_proto::peer::PeerMessage;

use crate::doc::PlanDoc;
pub use pending::Limits;
use pending::PendingPlans;

/// How long a session waits for an answer before it starts over.
pub const RESEND_AFTER_MS: u64 = 5_000;

/// What the host says of a plan a peer offers that is not stored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferPolicy {
    /// Receive it (within the core's bounds). `expected`: this device asked
    /// for it (joined with a ticket, accepted ahead), so it is received
    /// within a member's bounds whoever sends it.
    Receive {
        /// Asked for here.
        expected: bool,
    },
    /// Refuse it, and why (declined here, waiting for consent, no room).
    Refuse(String),
}

/// What the core needs from its driver: the plans, and persisted sync states.
pub trait Host {
    /// This device's PeerId.
    fn me(&self) -> String;
    /// Stored plans that both this device and `peer` are members of.
    fn shared_with(&mut self, peer: &str) -> Vec<String>;
    /// A stored or pending plan.
    fn plan(&mut self, plan: &str) -> Option<&mut PlanDoc>;
    /// Creates a pending, empty plan to receive `plan` into; `None` when a
    /// plan of that id exists here but cannot be read (it must not be replaced).
    fn adopt(&mut self, plan: &str) -> Option<&mut PlanDoc>;
    /// Drops a pending plan.
    fn forget(&mut self, plan: &str);
    /// The persisted sync state of (peer, plan), if any.
    fn saved_state(&mut self, peer: &str, plan: &str) -> Option<Vec<u8>>;
    /// Whether `peer` is a member device of a plan stored here (not a stranger).
    fn knows(&mut self, peer: &str) -> bool;
    /// Whether an offer of `plan` (not stored here) from `peer` may be received.
    fn offer_policy(&mut self, plan: &str, peer: &str) -> OfferPolicy;
    /// Whether a complete offer of `plan` from `peer` may be stored as a
    /// plan at once; if not it goes out as [`Output::Offer`].
    fn consents(&mut self, plan: &str, peer: &str) -> bool;
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a message to a peer (after the stores before it are durable).
    Send {
        /// To whom.
        peer: String,
        /// What.
        msg: PeerMessage,
    },
    /// Make new changes of a plan durable. `whole` when the bytes are a
    /// complete document for a plan not stored before.
    StoreChanges {
        /// The plan.
        plan: String,
        /// The bytes to append (or the whole document).
        bytes: Vec<u8>,
        /// Whether this is a newly accepted plan.
        whole: bool,
        /// Who sent the changes.
        from: String,
        /// What the changes touched (empty for a whole plan).
        items: Vec<Touched>,
    },
    /// Persist the sync state of (peer, plan).
    StoreSyncState {
        /// The peer.
        peer: String,
        /// The plan.
        plan: String,
        /// `State::encode()` bytes (the shared heads).
        state: Vec<u8>,
    },
    /// A plan was offered whole, but without consent: keep its bytes for
    /// the user to accept or decline (`tandem plan pending`).
    Offer {
        /// The plan.
        plan: String,
        /// Who offered it.
        from: String,
        /// The whole document (`save()`).
        bytes: Vec<u8>,
    },
    /// A peer's message was refused; for the log and `peer list`.
    Refused {
        /// The peer.
        peer: String,
        /// The plan.
        plan: String,
        /// Why.
        reason: String,
    },
}

#[derive(Debug)]
struct Session {
    state: State,
    sent_at: Option<u64>,
    persisted: Vec<u8>,
    /// Whether the peer's refused changes were already reported.
    told_refused: bool,
}

impl Session {
    fn open(saved: Option<Vec<u8>>) -> Session {
        let state = saved
            .as_deref()
            .and_then(|b| State::decode(b).ok())
            .unwrap_or_default();
        Session {
            persisted: state.encode(),
            state,
            sent_at: None,
            told_refused: false,
        }
    }

    /// Forgets what is in flight, keeping only the heads both sides are known to have.
    fn reset(&mut self) {
        self.state = State::decode(&self.state.encode()).unwrap_or_default();
        self.sent_at = None;
    }
}

/// The sync state machine of one device.
#[derive(Debug)]
pub struct SyncCore {
    /// Connected peers and their sessions by plan.
    peers: BTreeMap<String, BTreeMap<String, Session>>,
    /// Plans being received that are not stored yet.
    pending: PendingPlans,
    limits: Limits,
}

impl Default for SyncCore {
    fn default() -> Self {
        SyncCore::new()
    }
}

impl SyncCore {
    /// A core with no peers and the default bounds.
    pub fn new() -> SyncCore {
        SyncCore::with_limits(Limits::default())
    }

    /// A core with these bounds on pending plans.
    pub fn with_limits(limits: Limits) -> SyncCore {
        SyncCore {
            peers: BTreeMap::new(),
            pending: PendingPlans::default(),
            limits,
        }
    }

    /// Plans being received now (not stored yet).
    pub fn pending_plans(&self) -> usize {
        self.pending.ids().len()
    }

    /// Peers a pending plan is being received from now.
    pub fn offering(&self) -> impl Iterator<Item = &str> {
        self.pending.senders()
    }

    /// Connected peers.
    pub fn peers(&self) -> impl Iterator<Item = &str> {
        self.peers.keys().map(String::as_str)
    }

    /// Whether no session waits for an answer to a message it sent (the
    /// multi-peer tests run until every core is idle).
    pub fn is_idle(&self) -> bool {
        self.peers
            .values()
            .flat_map(|s| s.values())
            .all(|s| s.sent_at.is_none())
    }

    /// A connection to `peer` is up: open a session for every plan we share.
    pub fn connected(&mut self, now: u64, peer: &str, host: &mut dyn Host) -> Vec<Output> {
        let mut out = Vec::new();
        self.peers.entry(peer.to_string()).or_default();
        for plan in host.shared_with(peer) {
            self.push(now, peer, &plan, host, &mut out);
        }
        out
    }

    /// The connection to `peer` is gone; its persisted states remain.
    pub fn disconnected(&mut self, peer: &str, host: &mut dyn Host) {
        self.peers.remove(peer);
        for plan in self.pending.ids() {
            self.drop_orphan(&plan, host);
        }
    }

    /// A plan half-received from peers that all left or declined is dropped;
    /// it will be offered again.
    fn drop_orphan(&mut self, plan: &str, host: &mut dyn Host) {
        if self.pending.contains(plan) && !self.peers.values().any(|s| s.contains_key(plan)) {
            self.pending.remove(plan);
            host.forget(plan);
        }
    }

    /// A plan changed locally (an edit, or a member added): tell connected members.
    pub fn local_change(&mut self, now: u64, plan: &str, host: &mut dyn Host) -> Vec<Output> {
        let mut out = Vec::new();
        let peers: Vec<String> = self.peers.keys().cloned().collect();
        for peer in peers {
            self.push(now, &peer, plan, host, &mut out);
        }
        out
    }

    /// Time passed: restart sessions whose message got no answer, and drop
    /// pending plans that took too long.
    pub fn tick(&mut self, now: u64, host: &mut dyn Host) -> Vec<Output> {
        let mut out = Vec::new();
        for plan in self.pending.expired(now, &self.limits) {
            if let Some(p) = self.pending.remove(&plan) {
                host.forget(&plan);
                for sessions in self.peers.values_mut() {
                    sessions.remove(&plan);
                }
                out.push(Output::Refused {
                    peer: p.from,
                    plan,
                    reason: "the plan it offered did not arrive in time; it was dropped".into(),
                });
            }
        }
        let mut stale = Vec::new();
        for (peer, sessions) in &mut self.peers {
            for (plan, s) in sessions.iter_mut() {
                if s.sent_at
                    .is_some_and(|t| now.saturating_sub(t) >= RESEND_AFTER_MS)
                {
                    s.reset();
                    stale.push((peer.clone(), plan.clone()));
                }
            }
        }
        for (peer, plan) in stale {
            out.push(Output::Send {
                peer: peer.clone(),
                msg: PeerMessage::Reset {
                    plan: plan.clone().into(),
                },
            });
            self.push(now, &peer, &plan, host, &mut out);
        }
        out
    }

    /// A message arrived from `peer`.
    pub fn message(
        &mut self,
        now: u64,
        peer: &str,
        msg: PeerMessage,
        host: &mut dyn Host,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let plan = msg.plan();
        if !tandem_proto::ids::is_id(plan) {
            // Not a plan id this software makes: nothing to look up, nothing to answer.
            let reason = format!("malformed plan id ({} bytes)", plan.len());
            out.push(Output::Refused {
                peer: peer.into(),
                plan: String::new(),
                reason,
            });
            return out;
        }
        self.peers.entry(peer.to_string()).or_default();
        match msg {
            PeerMessage::Unavailable { plan } => {
                self.close(peer, &plan);
                self.drop_orphan(&plan, host);
            }
            PeerMessage::Reset { plan } => {
                if let Some(s) = self.session(peer, &plan) {
                    s.reset();
                }
                self.push(now, peer, &plan, host, &mut out);
            }
            PeerMessage::Sync { plan, data } => {
                self.receive(now, peer, &plan, &data, host, &mut out)
            }
        }
        out
    }

    /// The heads `peer` is known to have of `plan`, if a session with it is open.
    pub fn their_heads(&self, peer: &str, plan: &str) -> Option<Vec<automerge::ChangeHash>> {
        let s = self.peers.get(peer)?.get(plan)?;
        Some(
            s.state
                .their_heads
                .clone()
                .unwrap_or_else(|| s.state.shared_heads.clone()),
        )
    }

    /// After the driver failed to store what a plan's sessions received,
    /// start them over from their persisted states at the next tick.
    pub fn restart_plan(&mut self, plan: &str) {
        for sessions in self.peers.values_mut() {
            if let Some(s) = sessions.get_mut(plan) {
                s.state = State::decode(&s.persisted).unwrap_or_default();
                s.sent_at = Some(0);
            }
        }
    }

    fn session(&mut self, peer: &str, plan: &str) -> Option<&mut Session> {
        self.peers.get_mut(peer)?.get_mut(plan)
    }

    fn close(&mut self, peer: &str, plan: &str) {
        if let Some(sessions) = self.peers.get_mut(peer) {
            sessions.remove(plan);
        }
    }

    fn refuse(&mut self, peer: &str, plan: &str, reason: String, out: &mut Vec<Output>) {
        self.close(peer, plan);
        out.push(Output::Refused {
            peer: peer.into(),
            plan: plan.into(),
            reason,
        });
        out.push(Output::Send {
            peer: peer.into(),
            msg: PeerMessage::Unavailable { plan: plan.into() },
        });
    }

    fn receive(
        &mut self,
        now: u64,
        peer: &str,
        plan: &str,
        data: &[u8],
        host: &mut dyn Host,
        out: &mut Vec<Output>,
    ) {
        let me = host.me();
        let pending = self.pending.contains(plan);
        match host.plan(plan) {
            Some(doc) if !pending && !doc.is_member(peer) => {
                if let Some(heads) = doc.removal_heads(peer).filter(|_| doc.is_member(&me)) {
                    return self.tell_removed(peer, plan, &heads, data, host, out);
                }
                return self.refuse(
                    peer,
                    plan,
                    format!("{peer} is not a member of plan {plan}"),
                    out,
                );
            }
            Some(_) => {}
            None => {
                let expected = match host.offer_policy(plan, peer) {
                    OfferPolicy::Refuse(reason) => return self.refuse(peer, plan, reason, out),
                    OfferPolicy::Receive { expected } => expected,
                };
                let stranger = !expected && !host.knows(peer);
                if let Some(reason) = self.pending.refuse_new(peer, stranger, &self.limits) {
                    // Unanswered: a flood gets no traffic back, and a member
                    // that was turned away retries after its reset.
                    out.push(Output::Refused {
                        peer: peer.into(),
                        plan: plan.into(),
                        reason: format!("offer not taken: {reason}"),
                    });
                    return;
                }
                if host.adopt(plan).is_none() {
                    return self.refuse(
                        peer,
                        plan,
                        format!("plan {plan} is stored here but unreadable"),
                        out,
                    );
                }
                self.pending.insert(plan, peer, stranger, now);
            }
        }
        if !self.pending.grow(plan, data.len(), &self.limits) {
            self.pending.remove(plan);
            host.forget(plan);
            for sessions in self.peers.values_mut() {
                sessions.remove(plan);
            }
            let reason = format!(
                "the plan it offers is over {} MiB; it was dropped",
                self.limits.bytes_per_plan / (1024 * 1024)
            );
            return self.refuse(peer, plan, reason, out);
        }
        let saved = host.saved_state(peer, plan);
        let session = self
            .peers
            .entry(peer.to_string())
            .or_default()
            .entry(plan.to_string())
            .or_insert_with(|| Session::open(saved));
        session.sent_at = None;
        let Some(doc) = host.plan(plan) else { return };
        // While a plan is pending, who the sender is in it is not known yet
        // (and a plan's first message made it pending just now, above).
        let writer = self.pending.contains(plan) || doc.is_writer(peer);
        session.state.set_read_only(!writer);
        let mut received = doc.receive_sync(&mut session.state, data);
        if !writer && !session.told_refused {
            let theirs = session.state.their_heads.clone().unwrap_or_default();
            if theirs
                .iter()
                .any(|h| doc.automerge().get_change_by_hash(h).is_none())
            {
                session.told_refused = true;
                out.push(Output::Refused {
                    peer: peer.into(),
                    plan: plan.into(),
                    reason: format!(
                        "{peer} is not a writer of plan {plan} (an observer): its changes are not applied"
                    ),
                });
            }
        }

        if self.pending.contains(plan) {
            if doc.is_member(&me) && doc.is_writer(peer) {
                // The document as it arrived in this message, else as it grew.
                let bytes = received.arrived.take().unwrap_or_else(|| doc.save());
                self.pending.remove(plan);
                if host.consents(plan, peer) {
                    // A plan shared with us: store it whole, from now on like any other.
                    out.push(Output::StoreChanges {
                        plan: plan.into(),
                        bytes,
                        whole: true,
                        from: peer.into(),
                        items: Vec::new(),
                    });
                } else {
                    // Offered by a device we share nothing with: the user decides.
                    host.forget(plan);
                    for sessions in self.peers.values_mut() {
                        sessions.remove(plan);
                    }
                    out.push(Output::Offer {
                        plan: plan.into(),
                        from: peer.into(),
                        bytes,
                    });
                    out.push(Output::Send {
                        peer: peer.into(),
                        msg: PeerMessage::Unavailable { plan: plan.into() },
                    });
                    return;
                }
            } else if !doc.is_empty()
                && session
                    .state
                    .their_heads
                    .as_ref()
                    .is_some_and(|h| *h == doc.automerge().get_heads())
            {
                // We hold everything the peer has, and it does not list us
                // both (or the sender only as an observer).
                self.pending.remove(plan);
                host.forget(plan);
                return self.refuse(
                    peer,
                    plan,
                    format!(
                        "plan {plan} offered by {peer} does not list us as a member and it as a writer"
                    ),
                    out,
                );
            }
        } else if let Some(bytes) = received.change {
            out.push(Output::StoreChanges {
                plan: plan.into(),
                bytes,
                whole: false,
                from: peer.into(),
                items: received.touched,
            });
        }
        let changed = out
            .iter()
            .any(|o| matches!(o, Output::StoreChanges { plan: p, .. } if p == plan));

        let still_pending = self.pending.contains(plan);
        let Some(session) = self.session(peer, plan) else {
            return;
        };
        if let Some(reason) = received.refused {
            session.reset();
            out.push(Output::Refused {
                peer: peer.into(),
                plan: plan.into(),
                reason,
            });
            out.push(Output::Send {
                peer: peer.into(),
                msg: PeerMessage::Reset { plan: plan.into() },
            });
        }
        if !still_pending {
            let encoded = session.state.encode();
            if encoded != session.persisted {
                session.persisted = encoded.clone();
                out.push(Output::StoreSyncState {
                    peer: peer.into(),
                    plan: plan.into(),
                    state: encoded,
                });
            }
        }
        self.push(now, peer, plan, host, out);
        if changed {
            // Relay to the other connected members.
            let others: Vec<String> = self.peers.keys().filter(|p| *p != peer).cloned().collect();
            for other in others {
                self.push(now, &other, plan, host, out);
            }
        }
    }

    /// A device removed from `plan` while it was away asks about it: it is
    /// sent what it lacks up to and including its removal (never a change
    /// made after it), so its copy says it was removed; then the session
    /// closes and it is told the plan is unavailable. Its own changes are
    /// not taken (the session is read-only on our side).
    fn tell_removed(
        &mut self,
        peer: &str,
        plan: &str,
        heads: &[automerge::ChangeHash],
        data: &[u8],
        host: &mut dyn Host,
        out: &mut Vec<Output>,
    ) {
        let saved = host.saved_state(peer, plan);
        let Some(doc) = host.plan(plan) else { return };
        let Ok(fork) = doc.automerge().fork_at(heads) else {
            return self.refuse(
                peer,
                plan,
                format!("{peer} was removed from plan {plan}"),
                out,
            );
        };
        let mut fork = PlanDoc::from_automerge(fork);
        let mut session = Session::open(saved);
        session.state.set_read_only(true);
        // Learn what it has; nothing of its own is applied.
        let _ = fork.receive_sync(&mut session.state, data);
        session.state.in_flight = false;
        if let Some(data) = fork.generate_sync(&mut session.state) {
            out.push(Output::Send {
                peer: peer.into(),
                msg: PeerMessage::Sync {
                    plan: plan.into(),
                    data,
                },
            });
        }
        self.refuse(
            peer,
            plan,
            format!("{peer} was removed from plan {plan}; it was sent its removal"),
            out,
        );
    }

    /// Sends the next message of (peer, plan) if there is one, opening the session if needed.
    fn push(
        &mut self,
        now: u64,
        peer: &str,
        plan: &str,
        host: &mut dyn Host,
        out: &mut Vec<Output>,
    ) {
        let pending = self.pending.contains(plan);
        let me = host.me();
        let Some(doc) = host.plan(plan) else { return };
        let shared = doc.is_member(peer) && doc.is_member(&me);
        if !pending && !shared {
            // Not (or no longer) shared with this peer. If it was just
            // removed while a session was open, one last message carries
            // what it lacks up to its removal, so its copy says it was
            // removed; then the session closes and nothing more goes to it.
            let still_member = doc.is_member(&me);
            if let Some(s) = self.session(peer, plan).filter(|_| still_member) {
                // What it was last known to have decides what it lacks; a
                // message in flight must not hold this one back.
                s.state.in_flight = false;
                s.state.set_read_only(true);
                if let Some(data) = doc.generate_sync(&mut s.state) {
                    out.push(Output::Send {
                        peer: peer.into(),
                        msg: PeerMessage::Sync {
                            plan: plan.into(),
                            data,
                        },
                    });
                }
            }
            self.close(peer, plan);
            return;
        }
        let saved = if self.session(peer, plan).is_none() {
            host.saved_state(peer, plan)
        } else {
            None
        };
        let Some(sessions) = self.peers.get_mut(peer) else {
            return;
        };
        let session = sessions
            .entry(plan.to_string())
            .or_insert_with(|| Session::open(saved));
        let Some(doc) = host.plan(plan) else { return };
        session
            .state
            .set_read_only(!pending && !doc.is_writer(peer));
        if let Some(data) = doc.generate_sync(&mut session.state) {
            // A peer that takes nothing from us (it told us so) will not
            // answer what it does not need: do not wait for it.
            session.sent_at = (!session.state.is_peer_read_only()).then_some(now);
            out.push(Output::Send {
                peer: peer.into(),
                msg: PeerMessage::Sync {
                    plan: plan.into(),
                    data,
                },
            });
        }
    }
}

#[cfg(test)]
mod tests;
