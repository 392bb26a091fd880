//! The plan engine: owns the store and the loaded plan documents.
//!
//! [`Engine::process`] takes a batch of client requests ([`Ask`]) in
//! arrival order and replies to each ([`batch`]): writes are durable before
//! they are answered, reads never show what is not. [`Engine::net`] takes
//! what the network saw, [`Engine::join`] a device's join request.
//!
//! The engine is synchronous, does no socket IO and reads no clock: its
//! driver ([`thread`]) gives it the time with every input, and the
//! randomness it makes ids and secrets from when it is made, so tests run
//! it on a clock of their own and get the same ids every run.

mod ask;
mod batch;
mod bundles;
pub mod inbox;
pub mod invites;
pub mod join_limit;
mod listing;
mod loaded;
mod membership;
mod peers;
mod plans;
mod reads;
mod signoffs;
pub mod thread;
mod trust;
mod writes;

pub use ask::{Ask, Read, Write};
pub use membership::Trust;
pub use peers::NetEvent;

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tandem_proto::{ApiError, ErrorCode};

use crate::doc::{Device, PlanDoc};
use crate::store::{Store, StoreError};
use loaded::Slot;
use membership::Membership;

/// Changes stored after a snapshot before the plan is compacted, at least.
pub const COMPACT_AFTER: u64 = 128;
/// A plan is compacted once its changes since the snapshot weigh at least
/// 1/`COMPACT_RATIO` of the snapshot (see `Loaded::wants_compaction`).
pub const COMPACT_RATIO: u64 = 4;
/// Plans kept in memory at most.
pub const MAX_LOADED: usize = 256;

/// Facts about the running daemon, for `Request::Status`.
#[derive(Debug, Clone)]
pub struct Info {
    /// The home directory.
    pub home: String,
    /// The socket path.
    pub socket: String,
    /// When the daemon started.
    pub started_at: Timestamp,
    /// The app's address (`http://127.0.0.1:PORT`), when it is served.
    pub ui: Option<String>,
}

/// Why an edit was not staged.
enum StageError {
    /// Refused before anything changed.
    Refused(ApiError),
    /// The batch failed; the document may hold the edit in memory only.
    Store(StoreError),
}

impl From<ApiError> for StageError {
    fn from(e: ApiError) -> Self {
        StageError::Refused(e)
    }
}

impl From<StoreError> for StageError {
    fn from(e: StoreError) -> Self {
        StageError::Store(e)
    }
}

fn storage_error(e: &StoreError) -> ApiError {
    ApiError::new(ErrorCode::Storage, format!("{e}; the change was not saved"))
}

/// The plan engine.
pub struct Engine {
    store: Store,
    device: Device,
    info: Info,
    plans: HashMap<String, Slot>,
    ids: Option<BTreeSet<String>>,
    tick: u64,
    to_compact: BTreeSet<String>,
    needs_recovery: bool,
    sync: crate::sync::SyncCore,
    pending: HashMap<String, PlanDoc>,
    outbox: Vec<(String, tandem_proto::peer::PeerMessage)>,
    /// Where `tandem watch` listens.
    events: tokio::sync::broadcast::Sender<tandem_proto::api::WatchEvent>,
    /// Events of the open batch, sent once it is durable.
    staged_events: Vec<tandem_proto::api::WatchEvent>,
    /// (peer, plan) pairs known to be in sync, for `sync_complete` events.
    in_sync: BTreeSet<(String, String)>,
    /// Sync states not yet written: (peer, plan) -> encoded state. They are
    /// written with the next transaction storing received changes, once a
    /// second, and when the peer
    /// disconnects; see [`Engine::flush_sync_states`].
    unsaved_states: std::collections::BTreeMap<(String, String), Vec<u8>>,
    /// This device's key, for competency sign-offs.
    signer: Option<libp2p_identity::Keypair>,
    /// Failed joins per device, connection and address, for the rate limit.
    join_limiter: join_limit::JoinLimiter,
    /// Plans still to check against their records when idle (`None`: not listed yet).
    to_verify: Option<Vec<String>>,
    /// Every stored plan's summary (`None`: not read yet).
    listing: Option<listing::Listing>,
    /// Who shares which plan with this device (`None`: not built yet).
    members: Option<Membership>,
    /// Where the network learns who to trust.
    trust: tokio::sync::watch::Sender<Trust>,
    /// The inbox of offered plans as (plan, from), cached (`None`: re-read).
    inbox: Option<Vec<(String, String)>>,
    /// Plans asked for (joined, accepted ahead) and when, cached (`None`: re-read).
    joins: Option<std::collections::BTreeMap<String, i64>>,
    /// Refusals of peers' messages, logged at most once a minute per peer.
    refusals: crate::ratelog::RateLog,
    /// Ticks seen, for work done now and then.
    ticks: u64,
    /// Whether the address book was cleared of non-members since start.
    book_pruned: bool,
    /// The membership answered while it cannot be read.
    no_members: Membership,
    /// The time of the input being handled, given by the driver.
    now: Timestamp,
    /// Where ids and secrets come from.
    rng: StdRng,
}

impl Engine {
    /// Gives the engine this device's key, with which it signs competency sign-offs.
    pub fn set_signer(&mut self, key: libp2p_identity::Keypair) {
        self.signer = Some(key);
    }

    /// An engine over `store`, editing as `device`, with ids and secrets
    /// from `rng` (seeded from the OS by the daemon, from a number by tests).
    pub fn new(store: Store, device: Device, info: Info, rng: StdRng) -> Engine {
        Engine {
            store,
            device,
            info,
            plans: HashMap::new(),
            ids: None,
            tick: 0,
            to_compact: BTreeSet::new(),
            needs_recovery: false,
            sync: crate::sync::SyncCore::new(),
            pending: HashMap::new(),
            outbox: Vec::new(),
            events: tokio::sync::broadcast::channel(1024).0,
            staged_events: Vec::new(),
            in_sync: BTreeSet::new(),
            unsaved_states: std::collections::BTreeMap::new(),
            join_limiter: join_limit::JoinLimiter::default(),
            signer: None,
            to_verify: None,
            listing: None,
            members: None,
            trust: tokio::sync::watch::channel(Trust::default()).0,
            inbox: None,
            joins: None,
            refusals: crate::ratelog::RateLog::default(),
            ticks: 0,
            book_pruned: false,
            no_members: Membership::default(),
            now: Timestamp::UNIX_EPOCH,
            rng,
        }
    }

    /// An engine whose randomness comes from the OS.
    pub fn with_os_rng(store: Store, device: Device, info: Info) -> Engine {
        Engine::new(store, device, info, StdRng::from_os_rng())
    }

    /// Takes the time of the input about to be handled.
    fn at(&mut self, now: Timestamp) {
        self.now = now;
    }

    /// Takes the time of the input about to be handled, in milliseconds
    /// since the epoch.
    fn at_ms(&mut self, now_ms: u64) {
        let ms = i64::try_from(now_ms).unwrap_or(i64::MAX);
        if let Ok(t) = Timestamp::from_millisecond(ms) {
            self.at(t);
        }
    }

    /// The time in milliseconds since the epoch.
    fn now_ms(&self) -> u64 {
        self.now.as_millisecond().max(0) as u64
    }

    /// A fresh 64-bit id, as 16 hex digits.
    fn fresh_id(&mut self) -> String {
        format!("{:016x}", self.rng.random::<u64>())
    }

    /// A source of fresh ids, for code that makes several while the
    /// engine is borrowed (seeded from the engine's, so tests repeat).
    fn id_source(&mut self) -> impl FnMut() -> String + use<> {
        let mut rng = StdRng::from_rng(&mut self.rng);
        move || format!("{:016x}", rng.random::<u64>())
    }
}

impl Engine {
    /// Logs a refusal of a peer's message, at most once a minute per peer
    /// (the rest are counted and summed up on the tick).
    fn log_refusal(&mut self, peer: &str, plan: &str, reason: &str) {
        let now = self.now_ms();
        if self.refusals.allow(now, peer, reason) {
            tracing::warn!(%peer, %plan, %reason, "refused a peer's message (further ones this minute are counted)");
        }
    }

    /// Sums up the refusals that were counted but not logged.
    fn flush_refusals(&mut self, now_ms: u64) {
        for s in self.refusals.flush(now_ms) {
            tracing::warn!(
                peer = %s.key,
                count = s.count,
                last = %s.last,
                "{} more refusals from this peer in the last {} s",
                s.count,
                s.window_ms / 1000
            );
        }
    }
}

/// A receiver of the engine's events.
impl Engine {
    /// The sender events go to (the thread hands receivers to `tandem watch`).
    pub fn events(&self) -> tokio::sync::broadcast::Sender<tandem_proto::api::WatchEvent> {
        self.events.clone()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod peer_tests;

#[cfg(test)]
mod fault_tests;
