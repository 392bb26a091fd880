//! The plan engine: owns the store and the loaded plan documents.
//!
//! [`Engine::process`] takes a batch of requests in arrival order and replies
//! to each. Edits of one batch share one redb write transaction (group
//! commit); their replies are sent only after that transaction is durable.
//! A read that follows edits in the batch first commits them, so no reply
//! ever shows an edit that is not yet durable.
//!
//! If a commit fails (a full disk, an IO error), every plan touched by the
//! batch is dropped from memory, so the next access reloads exactly what is
//! durable, and every edit of the batch is answered with a storage error.
//!
//! Plans are loaded lazily on first use and evicted least-recently-used; a
//! plan whose stored bytes cannot be read is remembered as corrupt, its
//! bytes are never written over, and every other plan keeps working.
//!
//! The engine is synchronous and does no socket IO; [`thread`] runs it on a
//! dedicated thread fed by a channel.

mod bundles;
pub mod inbox;
pub mod invites;
pub mod join_limit;
mod loaded;
mod membership;
mod peers;
pub mod thread;

pub use membership::Trust;
pub use peers::NetEvent;

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use tandem_proto::api::{DaemonStatus, Request, Response};
use tandem_proto::edit::{Edit, SignoffOp};
use tandem_proto::{ApiError, ErrorCode, ids};

use crate::doc::{Device, PlanDoc};
use crate::store::{Batch, Store, StoreError};
use loaded::{Loaded, Slot};
use membership::Membership;

/// Changes stored after a snapshot before the plan is compacted.
pub const COMPACT_AFTER: u64 = 128;
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
}

/// Edits staged in the open batch, waiting for its commit.
struct Open<T> {
    batch: Batch,
    replies: Vec<(T, Response)>,
    touched: BTreeSet<String>,
}

impl Engine {
    /// Gives the engine this device's key, with which it signs competency sign-offs.
    pub fn set_signer(&mut self, key: libp2p_identity::Keypair) {
        self.signer = Some(key);
    }

    /// A sign-off edit of a competency of `plan`, signed with this device's key.
    fn sign_off(&mut self, plan: &str, competency: &str) -> Result<Edit, ApiError> {
        let key = self.signer.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "this daemon has no device key to sign with",
            )
        })?;
        let me = self.device.peer.clone();
        let doc = &self.loaded(plan)?.doc;
        let view = doc.view();
        let id = ids::resolve(
            "competency",
            competency,
            view.competencies.iter().map(|c| c.id.as_str()),
        )?;
        let c = view
            .competencies
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no competency {id}")))?;
        let name = doc.member(&me).map(|m| m.name).unwrap_or_default();
        let signoff = crate::signing::sign(&key, plan, c, &me, &name, Timestamp::now())?;
        Ok(Edit::Signoff(SignoffOp::Add {
            competency: c.id.to_string(),
            signoff: Some(signoff),
        }))
    }

    /// An engine over `store`, editing as `device`.
    pub fn new(store: Store, device: Device, info: Info) -> Engine {
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
            members: None,
            trust: tokio::sync::watch::channel(Trust::default()).0,
            inbox: None,
            joins: None,
            refusals: crate::ratelog::RateLog::default(),
            ticks: 0,
            book_pruned: false,
            no_members: Membership::default(),
        }
    }

    /// Handles a batch of requests in order, calling `reply` once for each.
    pub fn process<T>(&mut self, batch: Vec<(T, Request)>, mut reply: impl FnMut(T, Response)) {
        self.heal();
        let mut open: Option<Open<T>> = None;
        for (token, req) in batch {
            match req {
                Request::PlanNew(_)
                | Request::PlanImport(_)
                | Request::BundleImport { .. }
                | Request::PlanUse { .. }
                | Request::PlanAccept { .. }
                | Request::PlanDecline { .. }
                | Request::Edit { .. }
                | Request::InviteNew(_)
                | Request::InviteRevoke { .. } => {
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
                _ => {
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
    fn flush<T>(&mut self, open: Option<Open<T>>, reply: &mut impl FnMut(T, Response)) {
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
                self.members_changed(&touched);
                self.push_local(&touched);
                for id in &touched {
                    if let Some(Slot::Ready(l)) = self.plans.get(id)
                        && l.since_snapshot() >= COMPACT_AFTER
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
    fn fail<T>(
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
        self.staged_events.clear();
        for (t, _) in replies {
            reply(t, Response::Error(storage_error(e)));
        }
        self.recover();
    }

    /// Reopens the database if an earlier failure left it closed or suspect;
    /// called before each batch, network event and join.
    fn heal(&mut self) {
        if self.needs_recovery || self.store.needs_reopen() {
            self.recover();
        }
    }

    /// Reopens the database after a failure, as redb requires; retried before each batch until it works.
    fn recover(&mut self) {
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

    /// Stores a plan just made here and makes it the current one.
    fn start_plan(
        &mut self,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
        id: String,
        (doc, bytes): (PlanDoc, Vec<u8>),
        now: Timestamp,
    ) -> Result<Response, StageError> {
        touched.insert(id.clone());
        batch.set_current(&id)?;
        let view = doc.view();
        self.add_plan(batch, &id, doc, &bytes, now)?;
        Ok(Response::Plan(Box::new(view)))
    }

    fn stage(
        &mut self,
        req: &Request,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        match req {
            Request::PlanNew(new) => {
                let id = format!("{:016x}", rand::random::<u64>());
                let now = Timestamp::now();
                let mut new_id = || format!("{:016x}", rand::random::<u64>());
                let made = PlanDoc::create(&id, new, &self.device, now, &mut new_id)?;
                self.start_plan(batch, touched, id, made, now)
            }
            Request::BundleImport { data } => self.bundle_import(data, batch, touched),
            Request::PlanImport(plan) => {
                let id = format!("{:016x}", rand::random::<u64>());
                let now = Timestamp::now();
                let made = PlanDoc::import(&id, plan, &self.device, now)?;
                self.start_plan(batch, touched, id, made, now)
            }
            Request::PlanUse { plan } => {
                let id = self.resolve(Some(plan))?;
                let view = self.loaded(&id)?.doc.view();
                batch.set_current(&id)?;
                touched.insert(id);
                Ok(Response::Plan(Box::new(view)))
            }
            Request::Edit { plan, edit } => {
                let id = self.resolve(plan.as_deref())?;
                let device = self.device.clone();
                let loaded = self.loaded(&id)?;
                loaded.doc.authorize(&device.peer, edit)?;
                let signed;
                let edit = match edit {
                    Edit::Signoff(SignoffOp::Add { competency, .. }) => {
                        signed = self.sign_off(&id, competency)?;
                        &signed
                    }
                    other => other,
                };
                let loaded = self.loaded(&id)?;
                let now = Timestamp::now();
                let mut new_id = || format!("{:016x}", rand::random::<u64>());
                let edited = loaded.doc.apply(edit, &device, now, &mut new_id)?;
                if edited.change.is_some() {
                    self.staged_events
                        .push(tandem_proto::api::WatchEvent::LocalChange {
                            plan: id.clone(),
                            message: edited.message.clone(),
                            item: edited.item.id(),
                            device: device.peer.clone(),
                            time: now,
                        });
                }
                let loaded = self.loaded(&id)?;
                if let Some(bytes) = edited.change {
                    touched.insert(id.clone());
                    loaded.append(&id, batch, &bytes, now)?;
                }
                Ok(Response::Edited(edited.item))
            }
            Request::InviteNew(new) => self.invite_new(new, batch),
            Request::InviteRevoke { id } => self.invite_revoke(id, batch),
            Request::PlanAccept { plan } => self.plan_accept(plan, batch, touched),
            Request::PlanDecline { plan } => self.plan_decline(plan, batch),
            _ => Err(StageError::Refused(ApiError::new(
                ErrorCode::Internal,
                "not an edit",
            ))),
        }
    }

    /// Stores a plan new to this device (created here or shared with us) as
    /// its first chunk, and keeps it loaded.
    fn add_plan(
        &mut self,
        batch: &mut Batch,
        id: &str,
        doc: PlanDoc,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.tick += 1;
        let loaded = Loaded::first(doc, self.tick);
        batch.append_change(id, 0, bytes, &loaded.meta)?;
        batch.put_summary(&loaded.doc.summary(now))?;
        self.plans
            .insert(id.to_string(), Slot::Ready(Box::new(loaded)));
        if let Some(ids) = self.ids.as_mut() {
            ids.insert(id.to_string());
        }
        Ok(())
    }

    fn read(&mut self, req: &Request) -> Response {
        let result = match req {
            Request::Status => self.status(),
            Request::PlanList => self.plan_list(),
            Request::PlanGet { plan } => self.resolve(plan.as_deref()).and_then(|id| {
                self.loaded(&id)
                    .map(|l| Response::Plan(Box::new(l.doc.view())))
            }),
            Request::Log { plan, limit } => self.resolve(plan.as_deref()).and_then(|id| {
                self.loaded(&id)
                    .map(|l| Response::Log(l.doc.log(limit.unwrap_or(usize::MAX))))
            }),
            Request::Shutdown => Ok(Response::ShuttingDown),
            Request::SyncStatus { plan } => self
                .resolve(plan.as_deref())
                .and_then(|id| self.sync_status(&id)),
            Request::PeerAdd { .. } | Request::PeerForget { .. } | Request::Watch { .. } => Err(
                ApiError::new(ErrorCode::Internal, "peer requests are the network's"),
            ),
            Request::InviteList { plan } => self.invite_list(plan.as_deref()),
            Request::PlanPending => self.plan_pending(),
            Request::BundleExport { plan, for_peer } => {
                self.bundle_export(plan.as_deref(), for_peer.as_deref())
            }
            Request::Join { .. } => Err(ApiError::new(
                ErrorCode::Internal,
                "joining is the network's",
            )),
            Request::PlanNew(_)
            | Request::PlanImport(_)
            | Request::BundleImport { .. }
            | Request::PlanUse { .. }
            | Request::PlanAccept { .. }
            | Request::PlanDecline { .. }
            | Request::Edit { .. }
            | Request::InviteNew(_)
            | Request::InviteRevoke { .. } => {
                Err(ApiError::new(ErrorCode::Internal, "edit routed as a read"))
            }
        };
        result.unwrap_or_else(Response::Error)
    }

    fn status(&mut self) -> Result<Response, ApiError> {
        let plans_stored = self.store.plan_count().map_err(|e| storage_error(&e))?;
        Ok(Response::Status(DaemonStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            home: self.info.home.clone(),
            socket: self.info.socket.clone(),
            started_at: self.info.started_at,
            device: self.device.actor.to_hex_string(),
            peer_id: self.device.peer.clone(),
            listen: Vec::new(),
            peers: Vec::new(),
            member_devices: self.membership().devices().into_iter().collect(),
            nat: "unknown".into(),
            relays: Vec::new(),
            listen_errors: Vec::new(),
            plans_stored,
            plans_loaded: self
                .plans
                .values()
                .filter(|s| matches!(s, Slot::Ready(_)))
                .count(),
        }))
    }

    fn plan_list(&mut self) -> Result<Response, ApiError> {
        let current = self.store.current_plan().map_err(|e| storage_error(&e))?;
        let mut list = self.store.summaries().map_err(|e| storage_error(&e))?;
        for s in &mut list {
            s.current = current.as_deref() == Some(s.id.as_str());
            if let Some(Slot::Corrupt(why)) = self.plans.get(s.id.as_str()) {
                s.error = Some(why.clone());
            }
        }
        Ok(Response::Plans(list))
    }

    fn plan_ids(&mut self) -> Result<&BTreeSet<String>, ApiError> {
        if self.ids.is_none() {
            let ids = self.store.plan_ids().map_err(|e| storage_error(&e))?;
            self.ids = Some(ids.into_iter().collect());
        }
        // Filled just above when it was empty.
        self.ids
            .as_ref()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "plan ids unavailable"))
    }

    /// The plan named by `plan`, else the current plan, else the only plan.
    fn resolve(&mut self, plan: Option<&str>) -> Result<String, ApiError> {
        if let Some(prefix) = plan {
            let ids = self.plan_ids()?;
            return Ok(ids::resolve("plan", prefix, ids.iter().map(String::as_str))?.to_string());
        }
        let current = self.store.current_plan().map_err(|e| storage_error(&e))?;
        let ids = self.plan_ids()?;
        if let Some(c) = current.filter(|c| ids.contains(c)) {
            return Ok(c);
        }
        match ids.len() {
            0 => Err(ApiError::new(
                ErrorCode::NoPlan,
                "there are no plans yet: create one with `tandem plan new TITLE`",
            )),
            1 => Ok(ids.iter().next().cloned().unwrap_or_default()),
            n => Err(ApiError::new(
                ErrorCode::NoPlan,
                format!(
                    "no current plan and {n} plans exist: pick one with `tandem plan use ID` or pass --plan ID"
                ),
            )),
        }
    }

    /// The loaded plan `id`, loading it from the store on first use.
    fn loaded(&mut self, id: &str) -> Result<&mut Loaded, ApiError> {
        self.tick += 1;
        let tick = self.tick;
        if !self.plans.contains_key(id) {
            let stored = self.store.load_plan(id).map_err(|e| storage_error(&e))?;
            let slot = match Loaded::load(id, &stored, self.device.actor.clone(), tick) {
                Ok(l) => {
                    if l.since_snapshot() >= COMPACT_AFTER {
                        self.to_compact.insert(id.to_string());
                    }
                    Slot::Ready(Box::new(l))
                }
                Err(why) => {
                    tracing::error!(plan = id, error = %why, "stored plan is corrupt; its bytes are kept untouched");
                    Slot::Corrupt(why)
                }
            };
            self.plans.insert(id.to_string(), slot);
        }
        match self.plans.get_mut(id) {
            Some(Slot::Ready(l)) => {
                l.last_used = tick;
                Ok(l)
            }
            Some(Slot::Corrupt(why)) => Err(ApiError::new(
                ErrorCode::CorruptPlan,
                format!(
                    "plan {id} is corrupt and cannot be opened ({why}); its stored bytes are kept untouched"
                ),
            )),
            None => Err(ApiError::new(
                ErrorCode::Internal,
                "plan vanished while loading",
            )),
        }
    }

    /// Drops the least recently used plans beyond [`MAX_LOADED`]. Memory always
    /// equals what is durable between batches, so this loses nothing.
    fn evict(&mut self) {
        let ready = self
            .plans
            .values()
            .filter(|s| matches!(s, Slot::Ready(_)))
            .count();
        if ready <= MAX_LOADED {
            return;
        }
        let mut by_age: Vec<(u64, String)> = self
            .plans
            .iter()
            .filter_map(|(id, s)| match s {
                Slot::Ready(l) => Some((l.last_used, id.clone())),
                Slot::Corrupt(_) => None,
            })
            .collect();
        by_age.sort_unstable();
        for (_, id) in by_age.into_iter().take(ready - MAX_LOADED) {
            self.to_compact.remove(&id);
            self.plans.remove(&id);
        }
    }

    /// Whether a compaction is waiting.
    pub fn has_compaction(&self) -> bool {
        !self.to_compact.is_empty()
    }

    /// Whether there is work for idle moments: a compaction, or plans whose
    /// stored changes have not been checked against their records yet.
    pub fn has_idle_work(&self) -> bool {
        self.has_compaction() || self.to_verify.as_ref().is_none_or(|v| !v.is_empty())
    }

    /// Does one piece of idle work: one compaction, else one plan's check.
    pub fn idle_step(&mut self) {
        if self.has_compaction() {
            self.compact_one();
        } else {
            self.verify_one();
        }
    }

    /// Checks one plan that is not in memory against its record (keys
    /// only, no document is read), so `plan list` can flag a damaged plan
    /// before anything asks for it.
    fn verify_one(&mut self) {
        let queue = match &mut self.to_verify {
            Some(q) => q,
            None => {
                let ids = self.store.plan_ids().unwrap_or_default();
                self.to_verify.insert(ids)
            }
        };
        let Some(id) = queue.pop() else { return };
        if self.plans.contains_key(&id) {
            return;
        }
        match self.store.check_plan(&id) {
            Ok(Some(why)) => {
                tracing::error!(plan = %id, error = %why, "stored plan is corrupt; its bytes are kept untouched");
                self.plans.insert(id, Slot::Corrupt(why));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(plan = %id, error = %e, "cannot check a stored plan"),
        }
    }

    /// Compacts one plan: a fresh snapshot replaces its stored changes.
    pub fn compact_one(&mut self) {
        let Some(id) = self.to_compact.pop_first() else {
            return;
        };
        let Some(Slot::Ready(l)) = self.plans.get_mut(&id) else {
            return;
        };
        let snapshot = l.doc.save();
        let meta = l.compacted();
        match self.store.compact(&id, &snapshot, &meta) {
            Ok(()) => {
                tracing::debug!(plan = %id, changes = l.since_snapshot(), bytes = snapshot.len(), "compacted");
                l.meta = meta;
            }
            Err(e) => {
                // Nothing of it is durable and memory still equals what is;
                // the database is reopened as after any failed transaction.
                // It is tried again once the plan has grown further.
                tracing::warn!(plan = %id, error = %e, "compaction failed; will retry later");
                self.recover();
            }
        }
    }
}

impl Engine {
    /// Who shares which plan with this device, built from the stored
    /// summaries on first use.
    fn membership(&mut self) -> &Membership {
        if self.members.is_none() {
            let me = self.device.peer.clone();
            match self.store.summaries() {
                Ok(list) => {
                    let plans = list
                        .into_iter()
                        .filter(|s| s.error.is_none())
                        .map(|s| (s.id.to_string(), s.members.into_iter().map(String::from).collect()));
                    self.members = Some(Membership::new(&me, plans));
                }
                Err(e) => {
                    // Not cached: asked again next time. Meanwhile nobody
                    // is a member, which only makes the daemon stricter.
                    tracing::error!(error = %e, "cannot read who shares which plan");
                    return &self.no_members;
                }
            }
        }
        self.members.get_or_insert_with(Membership::default)
    }

    /// After `plans` changed durably: brings the membership index up to
    /// date and tells the network whom to trust.
    fn members_changed(&mut self, plans: &BTreeSet<String>) {
        self.membership();
        for id in plans {
            if let Some(Slot::Ready(l)) = self.plans.get(id) {
                let peers = l.doc.member_peers();
                if let Some(m) = self.members.as_mut() {
                    m.set(id, peers);
                }
            }
        }
        self.publish_trust();
    }

    /// Tells the network who the member devices are, and which strangers
    /// are sending a plan now. A device that stopped being a member is
    /// dropped from the address book, unless it was added by hand.
    pub(crate) fn publish_trust(&mut self) {
        let members = self.membership().devices();
        let offering = self.sync.offering().map(str::to_string).collect();
        let trust = Trust { members, offering };
        // Only from a membership read from the store, never from a failure to read it.
        if self.members.is_some() {
            self.prune_address_book(&trust.members);
        }
        self.trust.send_if_modified(|t| {
            let changed = *t != trust;
            if changed {
                *t = trust;
            }
            changed
        });
    }

    /// Drops from the address book the devices that are members of no plan
    /// here (unless added by hand): the first time, every such entry; later,
    /// those that just stopped being members.
    fn prune_address_book(&mut self, members: &BTreeSet<String>) {
        let first = !self.book_pruned;
        self.book_pruned = true;
        let gone: BTreeSet<String> = self
            .trust
            .borrow()
            .members
            .difference(members)
            .cloned()
            .collect();
        if !first && gone.is_empty() {
            return;
        }
        let Ok(book) = self.store.peers() else { return };
        let drop = |p: &String| {
            if first {
                !members.contains(p)
            } else {
                gone.contains(p)
            }
        };
        for (peer, row) in book.iter().filter(|(p, r)| drop(p) && !r.manual) {
            tracing::info!(%peer, addr = %row.addr, "a member of no plan here: not dialed any more");
            if let Err(e) = self.store.set_peer(peer, None) {
                tracing::warn!(%peer, error = %e, "cannot update the address book");
                self.recover();
                return;
            }
        }
    }

    /// Where the network learns whom to trust (the engine thread publishes
    /// the first value as soon as it starts).
    pub fn trust(&self) -> tokio::sync::watch::Receiver<Trust> {
        self.trust.subscribe()
    }

    /// Logs a refusal of a peer's message, at most once a minute per peer
    /// (the rest are counted and summed up on the tick).
    fn log_refusal(&mut self, peer: &str, plan: &str, reason: &str) {
        let now = Timestamp::now().as_millisecond().max(0) as u64;
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
