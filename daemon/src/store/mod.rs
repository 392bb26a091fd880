//! redb storage of plans.
//!
//! [`Store`] owns the database. It is used from one dedicated thread (the
//! engine's), never from the async runtime. Writes go through a [`Batch`]:
//! one redb write transaction holding any number of edits, committed with
//! `Durability::Immediate`, so an edit is durable once `commit` returns.
//! Reads never fail silently: every error is returned, naming what failed.
//!
//! **A damaged file never panics the daemon.** Every call into redb runs
//! under [`guard`]: a panic inside redb (a page it cannot make sense of) is
//! caught there and becomes [`StoreError::Damaged`]; the database handle is
//! then treated as unusable until [`Store::recover`] reopens it.
//!
//! **A home never starts over empty by accident.** [`Store::open_existing`]
//! refuses a database that is missing its layout version (an empty or
//! truncated file) instead of initializing it afresh; the daemon uses it
//! whenever the home already holds a device key.

pub mod batch;
#[cfg(test)]
pub mod faulty;
pub mod migrate;
pub mod rows;
pub mod tables;

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata};
use tandem_proto::model::PlanSummary;

pub use batch::Batch;
use rows::{DeclinedRow, IndexRow, InviteRow, JoinRow, OfferRow, PeerRow, PlanMeta};
use tables::{
    CHANGES, DECLINED, INDEX, INVITES, JOINS, LAYOUT_VERSION, META, META_ACTOR, META_CURRENT,
    META_LAYOUT, META_RELAYS, OFFER_BYTES, OFFERS, PEER_HEADS, PEERS, PLAN_META, SNAPSHOTS,
    SYNC_STATES,
};

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb failed (IO, full disk, corruption of the file).
    #[error("database error: {0}")]
    Redb(#[from] redb::Error),
    /// The database was written by a newer tandemd.
    #[error(
        "database layout version {found} is newer than this tandemd understands ({LAYOUT_VERSION}); upgrade tandemd"
    )]
    TooNew {
        /// The version found.
        found: u32,
    },
    /// The database is closed after a failure and could not be reopened yet.
    #[error(
        "the database is unavailable after an earlier failure; it will be reopened on the next request"
    )]
    Unavailable,
    /// A stored value is not what its table says.
    #[error("stored {what} is unreadable: {why}")]
    BadValue {
        /// Which value.
        what: String,
        /// Why.
        why: String,
    },
    /// The database file is damaged: reading it made redb fail inside
    /// (a panic, caught here).
    #[error("the database file is damaged ({why})")]
    Damaged {
        /// What redb said.
        why: String,
    },
    /// The database holds no Tandem data although it should (it is empty
    /// or was truncated), and was not initialized afresh.
    #[error(
        "the database holds no Tandem data (it is empty or truncated), but this home already has a device key, so it held plans before"
    )]
    Empty,
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Redb(e.into()) }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// Runs `f`, turning a panic inside it (redb on a page it cannot read) into
/// [`StoreError::Damaged`]. The process's panic hook still records it in
/// the log; nothing unwinds past the store.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "redb failed on it".to_string());
            Err(StoreError::Damaged { why })
        }
    }
}

/// What is stored for one plan.
#[derive(Debug)]
pub struct StoredPlan {
    /// The last compacted snapshot.
    pub snapshot: Option<Vec<u8>>,
    /// Changes after the snapshot, in order, with their sequence numbers.
    pub changes: Vec<(u64, Vec<u8>)>,
    /// The plan's record of what should be there (`None`: none is stored, or it is unreadable).
    pub meta: Result<Option<PlanMeta>, String>,
}

impl StoredPlan {
    /// Why the stored bytes are not complete, if they are not: a change
    /// missing from the range its record names, one too many, a missing
    /// snapshot or a missing record.
    pub fn incomplete(&self) -> Option<String> {
        let meta = match &self.meta {
            Ok(Some(m)) => m,
            Ok(None) => return Some("its record of stored changes is missing".into()),
            Err(why) => return Some(format!("its record of stored changes is unreadable: {why}")),
        };
        let seqs: Vec<u64> = self.changes.iter().map(|(s, _)| *s).collect();
        meta.mismatch(&seqs, self.snapshot.is_some())
    }
}

type Opener = Box<dyn Fn() -> Result<Database, redb::DatabaseError> + Send>;

/// The database.
///
/// After a failed commit redb refuses further writes until the database is
/// reopened; [`Store::recover`] does that, and until it succeeds every
/// operation answers [`StoreError::Unavailable`]. The same holds after redb
/// panicked on a damaged page.
pub struct Store {
    db: Option<Database>,
    opener: Opener,
    /// Whether a new database may be initialized (false: it must hold data already).
    may_create: bool,
    /// Set when redb panicked: the handle may be inconsistent and is not used again.
    poisoned: Cell<bool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("open", &self.db.is_some())
            .finish()
    }
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its layout up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let path = path.to_path_buf();
        Store::with_opener(Box::new(move || Database::create(&path)))
    }

    /// Opens the database at `path`, which must exist and hold Tandem data:
    /// a missing file is an error, and so is an empty or truncated one
    /// ([`StoreError::Empty`]) — it is never initialized afresh.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        let path = path.to_path_buf();
        Store::build(Box::new(move || Database::open(&path)), false)
    }

    /// An in-memory database, for tests and benchmarks.
    pub fn in_memory() -> Result<Store, StoreError> {
        let db = Store::init(
            Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?,
            true,
        )?;
        Ok(Store {
            db: Some(db),
            opener: Box::new(|| Err(redb::DatabaseError::DatabaseAlreadyOpen)),
            may_create: true,
            poisoned: Cell::new(false),
        })
    }

    /// A database made (and remade, on recovery) by `opener`.
    pub fn with_opener(opener: Opener) -> Result<Store, StoreError> {
        Store::build(opener, true)
    }

    fn build(opener: Opener, may_create: bool) -> Result<Store, StoreError> {
        let db = guard(|| Store::init(opener()?, may_create))?;
        Ok(Store {
            db: Some(db),
            opener,
            may_create,
            poisoned: Cell::new(false),
        })
    }

    /// Closes and reopens the database, which redb requires after a failed commit.
    pub fn recover(&mut self) -> Result<(), StoreError> {
        // The old handle must be gone before the file can be opened again.
        // Dropping a handle redb panicked in may panic again: contained.
        let old = self.db.take();
        let _ = guard(move || {
            drop(old);
            Ok(())
        });
        let may_create = self.may_create;
        let opener = &self.opener;
        self.db = Some(guard(|| Store::init(opener()?, may_create))?);
        self.poisoned.set(false);
        Ok(())
    }

    /// Whether the database must be reopened before it is used again (redb
    /// panicked on a damaged page, or an earlier reopening failed).
    pub fn needs_reopen(&self) -> bool {
        self.poisoned.get() || self.db.is_none()
    }

    /// Runs a read or write against the open database, under [`guard`].
    fn with<T>(&self, f: impl FnOnce(&Database) -> Result<T, StoreError>) -> Result<T, StoreError> {
        if self.poisoned.get() {
            return Err(StoreError::Unavailable);
        }
        let db = self.db.as_ref().ok_or(StoreError::Unavailable)?;
        let r = guard(|| f(db));
        if matches!(r, Err(StoreError::Damaged { .. })) {
            self.poisoned.set(true);
        }
        r
    }

    fn init(db: Database, may_create: bool) -> Result<Database, StoreError> {
        let found = {
            let txn = db.begin_read()?;
            match txn.open_table(META) {
                Ok(meta) => match meta.get(META_LAYOUT)? {
                    Some(v) => Some(decode_u32(v.value()).ok_or_else(|| StoreError::BadValue {
                        what: "layout version".into(),
                        why: "not 4 bytes".into(),
                    })?),
                    None => None,
                },
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(e.into()),
            }
        };
        match found {
            Some(v) if v > LAYOUT_VERSION => return Err(StoreError::TooNew { found: v }),
            Some(v) if v < LAYOUT_VERSION => migrate::run(&db, v)?,
            Some(_) => {}
            None if !may_create => return Err(StoreError::Empty),
            None => {}
        }
        let txn = db.begin_write()?;
        if found.is_none() {
            txn.open_table(META)?
                .insert(META_LAYOUT, LAYOUT_VERSION.to_be_bytes().as_slice())?;
        }
        // Create every table so that read transactions find them.
        txn.open_table(META)?;
        txn.open_table(SNAPSHOTS)?;
        txn.open_table(CHANGES)?;
        txn.open_table(INDEX)?;
        txn.open_table(PLAN_META)?;
        txn.open_table(SYNC_STATES)?;
        txn.open_table(PEERS)?;
        txn.open_table(INVITES)?;
        txn.open_table(PEER_HEADS)?;
        txn.open_table(OFFERS)?;
        txn.open_table(OFFER_BYTES)?;
        txn.open_table(DECLINED)?;
        txn.open_table(JOINS)?;
        txn.commit()?;
        Ok(db)
    }

    /// This device's actor id, created on first use.
    pub fn device_actor(&self) -> Result<Vec<u8>, StoreError> {
        if let Some(a) = self.meta(META_ACTOR)? {
            return Ok(a);
        }
        let actor: [u8; 16] = rand::random();
        self.with(|db| {
            let txn = db.begin_write()?;
            txn.open_table(META)?.insert(META_ACTOR, actor.as_slice())?;
            txn.commit()?;
            Ok(actor.to_vec())
        })
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(META)?;
            Ok(table.get(key)?.map(|v| v.value().to_vec()))
        })
    }

    /// The current plan's id, if one was chosen.
    pub fn current_plan(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta(META_CURRENT)?
            .and_then(|v| String::from_utf8(v).ok()))
    }

    /// Every plan id, sorted.
    pub fn plan_ids(&self) -> Result<Vec<String>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(INDEX)?;
            let mut ids = Vec::new();
            for row in table.iter()? {
                ids.push(row?.0.value().to_string());
            }
            Ok(ids)
        })
    }

    /// How many plans are stored.
    pub fn plan_count(&self) -> Result<usize, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(INDEX)?.len()? as usize)
        })
    }

    /// Every plan's summary, sorted by id. An unreadable entry yields a
    /// summary with `error` set, and so does a plan whose record of stored
    /// changes is missing or unreadable (known without loading it).
    pub fn summaries(&self) -> Result<Vec<PlanSummary>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(INDEX)?;
            let metas = txn.open_table(PLAN_META)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                out.push(summary_of(k.value(), v.value(), &metas)?);
            }
            Ok(out)
        })
    }

    /// One plan's summary, as [`Store::summaries`] gives it; `None` when
    /// the plan is not stored.
    pub fn summary(&self, id: &str) -> Result<Option<PlanSummary>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let metas = txn.open_table(PLAN_META)?;
            let Some(row) = txn.open_table(INDEX)?.get(id)? else {
                return Ok(None);
            };
            Ok(Some(summary_of(id, row.value(), &metas)?))
        })
    }

    /// Everything stored for a plan.
    pub fn load_plan(&self, id: &str) -> Result<StoredPlan, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let snapshot = txn
                .open_table(SNAPSHOTS)?
                .get(id)?
                .map(|v| v.value().to_vec());
            let changes_table = txn.open_table(CHANGES)?;
            let mut changes = Vec::new();
            for row in changes_table.range((id, 0)..=(id, u64::MAX))? {
                let (k, v) = row?;
                changes.push((k.value().1, v.value().to_vec()));
            }
            let meta = txn
                .open_table(PLAN_META)?
                .get(id)?
                .map(|v| PlanMeta::decode(v.value()))
                .transpose();
            Ok(StoredPlan {
                snapshot,
                changes,
                meta,
            })
        })
    }

    /// Checks a plan's stored changes against its record without reading
    /// their bytes into memory: why it is incomplete, if it is.
    pub fn check_plan(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let snapshot = txn.open_table(SNAPSHOTS)?.get(id)?.is_some();
            let mut seqs = Vec::new();
            for row in txn.open_table(CHANGES)?.range((id, 0)..=(id, u64::MAX))? {
                seqs.push(row?.0.value().1);
            }
            let stored = StoredPlan {
                snapshot: snapshot.then(Vec::new),
                changes: seqs.into_iter().map(|s| (s, Vec::new())).collect(),
                meta: txn
                    .open_table(PLAN_META)?
                    .get(id)?
                    .map(|v| PlanMeta::decode(v.value()))
                    .transpose(),
            };
            Ok(stored.incomplete())
        })
    }

    /// The persisted sync state of (peer, plan).
    pub fn sync_state(&self, peer: &str, plan: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(SYNC_STATES)?;
            Ok(table.get((peer, plan))?.map(|v| v.value().to_vec()))
        })
    }

    /// The heads `peer` held when it signed the last bundle of `plan` imported here.
    pub fn peer_heads(&self, peer: &str, plan: &str) -> Result<Vec<String>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(PEER_HEADS)?;
            Ok(table
                .get((peer, plan))?
                .map(|v| v.value().lines().map(String::from).collect())
                .unwrap_or_default())
        })
    }

    /// Every invitation kept here.
    pub fn invites(&self) -> Result<Vec<InviteRow>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(INVITES)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (_, v) = row?;
                match InviteRow::decode(v.value()) {
                    Ok(r) => out.push(r),
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping an unreadable invitation record")
                    }
                }
            }
            Ok(out)
        })
    }

    /// Relays learned from tickets, in the order they were learned.
    pub fn relays(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .meta(META_RELAYS)?
            .and_then(|v| String::from_utf8(v).ok())
            .map(|s| s.lines().map(String::from).collect())
            .unwrap_or_default())
    }

    /// Remembers a relay (once).
    pub fn add_relay(&self, addr: &str) -> Result<(), StoreError> {
        let mut relays = self.relays()?;
        if relays.iter().any(|r| r == addr) {
            return Ok(());
        }
        relays.push(addr.to_string());
        self.with(|db| {
            let txn = db.begin_write()?;
            txn.open_table(META)?
                .insert(META_RELAYS, relays.join("\n").as_bytes())?;
            txn.commit()?;
            Ok(())
        })
    }

    /// The address book: (peer id, its row). Unreadable rows are skipped (and logged).
    pub fn peers(&self) -> Result<Vec<(String, PeerRow)>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(PEERS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                match PeerRow::decode(v.value()) {
                    Ok(r) => out.push((k.value().to_string(), r)),
                    Err(e) => tracing::warn!(peer = k.value(), error = %e, "skipping an unreadable address-book entry"),
                }
            }
            Ok(out)
        })
    }

    /// Records where a peer can be dialed (`None` forgets it).
    pub fn set_peer(&self, peer: &str, row: Option<&PeerRow>) -> Result<(), StoreError> {
        self.with(|db| {
            let txn = db.begin_write()?;
            {
                let mut table = txn.open_table(PEERS)?;
                match row {
                    Some(r) => {
                        table.insert(peer, r.encode().as_slice())?;
                    }
                    None => {
                        table.remove(peer)?;
                    }
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Plans waiting for consent, oldest first. Unreadable rows are skipped.
    pub fn offers(&self) -> Result<Vec<(String, OfferRow)>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let mut out = Vec::new();
            for row in txn.open_table(OFFERS)?.iter()? {
                let (k, v) = row?;
                match OfferRow::decode(v.value()) {
                    Ok(r) => out.push((k.value().to_string(), r)),
                    Err(e) => tracing::warn!(plan = k.value(), error = %e, "skipping an unreadable plan offer"),
                }
            }
            out.sort_by_key(|(_, r)| r.offered_at_ms);
            Ok(out)
        })
    }

    /// The document of an offered plan.
    pub fn offer_bytes(&self, plan: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            Ok(txn
                .open_table(OFFER_BYTES)?
                .get(plan)?
                .map(|v| v.value().to_vec()))
        })
    }

    /// Every declined plan, with its row.
    pub fn declined(&self) -> Result<Vec<(String, DeclinedRow)>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let mut out = Vec::new();
            for row in txn.open_table(DECLINED)?.iter()? {
                let (k, v) = row?;
                if let Ok(r) = DeclinedRow::decode(v.value()) {
                    out.push((k.value().to_string(), r));
                }
            }
            Ok(out)
        })
    }

    /// Whether `plan` was declined here (an unreadable row counts as declined).
    pub fn is_declined(&self, plan: &str) -> Result<bool, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(DECLINED)?.get(plan)?.is_some())
        })
    }

    /// Every plan asked for (joined with a ticket, or accepted ahead).
    pub fn joins(&self) -> Result<Vec<(String, JoinRow)>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            let mut out = Vec::new();
            for row in txn.open_table(JOINS)?.iter()? {
                let (k, v) = row?;
                if let Ok(r) = JoinRow::decode(v.value()) {
                    out.push((k.value().to_string(), r));
                }
            }
            Ok(out)
        })
    }

    /// The join this device asked for of `plan`, if any.
    pub fn joined(&self, plan: &str) -> Result<Option<JoinRow>, StoreError> {
        self.with(|db| {
            let txn = db.begin_read()?;
            Ok(txn
                .open_table(JOINS)?
                .get(plan)?
                .and_then(|v| JoinRow::decode(v.value()).ok()))
        })
    }

    /// Starts a write transaction.
    pub fn begin(&self) -> Result<Batch, StoreError> {
        #[cfg(test)]
        if faulty::begin_fails() {
            return Err(StoreError::Redb(redb::Error::Io(
                std::io::Error::from_raw_os_error(28),
            )));
        }
        self.with(|db| {
            Ok(Batch {
                txn: db.begin_write()?,
            })
        })
    }

    /// Replaces a plan's changes below `meta.first_seq` by `snapshot`,
    /// atomically, with the plan's new record.
    pub fn compact(&self, id: &str, snapshot: &[u8], meta: &PlanMeta) -> Result<(), StoreError> {
        self.with(|db| {
            let txn = db.begin_write()?;
            txn.open_table(SNAPSHOTS)?.insert(id, snapshot)?;
            {
                let mut changes = txn.open_table(CHANGES)?;
                changes.retain_in((id, 0)..(id, meta.first_seq), |_, _| false)?;
            }
            txn.open_table(PLAN_META)?
                .insert(id, meta.encode().as_slice())?;
            txn.commit()?;
            Ok(())
        })
    }
}

fn decode_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// Plan `id`'s summary from its index row, flagged when the row or the
/// plan's record of stored changes (in `metas`) cannot be read.
fn summary_of(
    id: &str,
    row: &[u8],
    metas: &redb::ReadOnlyTable<&str, &[u8]>,
) -> Result<PlanSummary, StoreError> {
    let mut s = IndexRow::decode(row)
        .map(|row| row.summary(id))
        .unwrap_or_else(|e| unreadable_summary(id, &e));
    if s.error.is_none() {
        s.error = match metas.get(id)? {
            None => Some("its record of stored changes is missing".into()),
            Some(m) => PlanMeta::decode(m.value())
                .err()
                .map(|why| format!("its record of stored changes is unreadable: {why}")),
        };
    }
    Ok(s)
}

/// A summary standing in for an index entry that cannot be read.
pub fn unreadable_summary(id: &str, why: &str) -> PlanSummary {
    PlanSummary {
        id: id.into(),
        title: String::new(),
        mentor: String::new(),
        mentee: String::new(),
        status: tandem_proto::model::PlanStatus::Active,
        goals: 0,
        open_actions: 0,
        updated_at: jiff::Timestamp::UNIX_EPOCH,
        current: false,
        error: Some(format!("index entry unreadable: {why}")),
        members: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
