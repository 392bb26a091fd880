//! redb storage of plans.
//!
//! [`Store`] owns the database. It is used from one dedicated thread (the
//! engine's), never from the async runtime. Writes go through a [`Batch`]:
//! one redb write transaction holding any number of edits, committed with
//! `Durability::Immediate`, so an edit is durable once `commit` returns.
//! Reads never fail silently: every error is returned, naming what failed.

#[cfg(test)]
pub mod faulty;
pub mod tables;

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};
use tandem_proto::model::PlanSummary;

use tables::{
    CHANGES, INDEX, INVITES, LAYOUT_VERSION, META, META_ACTOR, META_CURRENT, META_LAYOUT,
    META_RELAYS, PEER_HEADS, PEERS, SNAPSHOTS, SYNC_STATES,
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
}

/// An invitation as stored: what `invite list` shows, and the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InviteRecord {
    /// The invitation (its `ticket` is never stored).
    pub info: tandem_proto::api::InviteInfo,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// The devices that joined with it, so that a device whose answer was
    /// lost on the way can ask again and be told it is in.
    #[serde(default)]
    pub joined: Vec<String>,
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

/// What is stored for one plan.
#[derive(Debug, Default)]
pub struct StoredPlan {
    /// The last compacted snapshot.
    pub snapshot: Option<Vec<u8>>,
    /// Changes after the snapshot, in order, with their sequence numbers.
    pub changes: Vec<(u64, Vec<u8>)>,
}

impl StoredPlan {
    /// The sequence number for the next change.
    pub fn next_seq(&self) -> u64 {
        self.changes.last().map_or(0, |(s, _)| s + 1)
    }
}

type Opener = Box<dyn Fn() -> Result<Database, redb::DatabaseError> + Send>;

/// The database.
///
/// After a failed commit redb refuses further writes until the database is
/// reopened; [`Store::recover`] does that, and until it succeeds every
/// operation answers [`StoreError::Unavailable`].
pub struct Store {
    db: Option<Database>,
    opener: Opener,
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

    /// An in-memory database, for tests and benchmarks.
    pub fn in_memory() -> Result<Store, StoreError> {
        let db = Store::init(
            Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?,
        )?;
        Ok(Store {
            db: Some(db),
            opener: Box::new(|| Err(redb::DatabaseError::DatabaseAlreadyOpen)),
        })
    }

    /// A database made (and remade, on recovery) by `opener`.
    pub fn with_opener(opener: Opener) -> Result<Store, StoreError> {
        let db = Store::init(opener()?)?;
        Ok(Store {
            db: Some(db),
            opener,
        })
    }

    /// Closes and reopens the database, which redb requires after a failed commit.
    pub fn recover(&mut self) -> Result<(), StoreError> {
        // The old handle must be gone before the file can be opened again.
        self.db = None;
        self.db = Some(Store::init((self.opener)()?)?);
        Ok(())
    }

    fn db(&self) -> Result<&Database, StoreError> {
        self.db.as_ref().ok_or(StoreError::Unavailable)
    }

    fn init(db: Database) -> Result<Database, StoreError> {
        let txn = db.begin_write()?;
        let found = {
            let mut meta = txn.open_table(META)?;
            let found = match meta.get(META_LAYOUT)? {
                Some(v) => Some(decode_u32(v.value()).ok_or_else(|| StoreError::BadValue {
                    what: "layout version".into(),
                    why: "not 4 bytes".into(),
                })?),
                None => None,
            };
            if found.is_none() {
                meta.insert(META_LAYOUT, LAYOUT_VERSION.to_be_bytes().as_slice())?;
            }
            found
        };
        if let Some(v) = found.filter(|v| *v > LAYOUT_VERSION) {
            return Err(StoreError::TooNew { found: v });
        }
        // Create every table so that read transactions find them.
        txn.open_table(SNAPSHOTS)?;
        txn.open_table(CHANGES)?;
        txn.open_table(INDEX)?;
        txn.open_table(SYNC_STATES)?;
        txn.open_table(PEERS)?;
        txn.open_table(INVITES)?;
        txn.open_table(PEER_HEADS)?;
        txn.commit()?;
        Ok(db)
    }

    /// This device's actor id, created on first use.
    pub fn device_actor(&self) -> Result<Vec<u8>, StoreError> {
        if let Some(a) = self.meta(META_ACTOR)? {
            return Ok(a);
        }
        let actor: [u8; 16] = rand::random();
        let txn = self.db()?.begin_write()?;
        txn.open_table(META)?.insert(META_ACTOR, actor.as_slice())?;
        txn.commit()?;
        Ok(actor.to_vec())
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(META)?;
        Ok(table.get(key)?.map(|v| v.value().to_vec()))
    }

    /// The current plan's id, if one was chosen.
    pub fn current_plan(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta(META_CURRENT)?
            .and_then(|v| String::from_utf8(v).ok()))
    }

    /// Every plan id, sorted.
    pub fn plan_ids(&self) -> Result<Vec<String>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(INDEX)?;
        let mut ids = Vec::new();
        for row in table.iter()? {
            ids.push(row?.0.value().to_string());
        }
        Ok(ids)
    }

    /// How many plans are stored.
    pub fn plan_count(&self) -> Result<usize, StoreError> {
        let txn = self.db()?.begin_read()?;
        Ok(txn.open_table(INDEX)?.len()? as usize)
    }

    /// Every plan's summary, sorted by id. An unreadable entry yields a summary with `error` set.
    pub fn summaries(&self) -> Result<Vec<PlanSummary>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(INDEX)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            let id = k.value().to_string();
            out.push(
                serde_json::from_slice(v.value())
                    .unwrap_or_else(|e| unreadable_summary(&id, &e.to_string())),
            );
        }
        Ok(out)
    }

    /// Everything stored for a plan.
    pub fn load_plan(&self, id: &str) -> Result<StoredPlan, StoreError> {
        let txn = self.db()?.begin_read()?;
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
        Ok(StoredPlan { snapshot, changes })
    }

    /// The persisted sync state of (peer, plan).
    pub fn sync_state(&self, peer: &str, plan: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(SYNC_STATES)?;
        Ok(table.get((peer, plan))?.map(|v| v.value().to_vec()))
    }

    /// The heads `peer` held when it signed the last bundle of `plan` imported here.
    pub fn peer_heads(&self, peer: &str, plan: &str) -> Result<Vec<String>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(PEER_HEADS)?;
        Ok(table
            .get((peer, plan))?
            .map(|v| v.value().lines().map(String::from).collect())
            .unwrap_or_default())
    }

    /// Every invitation kept here.
    pub fn invites(&self) -> Result<Vec<InviteRecord>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(INVITES)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (_, v) = row?;
            match serde_json::from_slice(v.value()) {
                Ok(r) => out.push(r),
                Err(e) => tracing::warn!(error = %e, "skipping an unreadable invitation record"),
            }
        }
        Ok(out)
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
        let txn = self.db()?.begin_write()?;
        txn.open_table(META)?
            .insert(META_RELAYS, relays.join("\n").as_bytes())?;
        txn.commit()?;
        Ok(())
    }

    /// The address book: (peer id, multiaddr).
    pub fn peers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let txn = self.db()?.begin_read()?;
        let table = txn.open_table(PEERS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            out.push((k.value().to_string(), v.value().to_string()));
        }
        Ok(out)
    }

    /// Records where a peer can be dialed (`None` forgets it).
    pub fn set_peer(&self, peer: &str, addr: Option<&str>) -> Result<(), StoreError> {
        let txn = self.db()?.begin_write()?;
        {
            let mut table = txn.open_table(PEERS)?;
            match addr {
                Some(a) => {
                    table.insert(peer, a)?;
                }
                None => {
                    table.remove(peer)?;
                }
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// Starts a write transaction.
    pub fn begin(&self) -> Result<Batch, StoreError> {
        Ok(Batch {
            txn: self.db()?.begin_write()?,
        })
    }

    /// Replaces a plan's changes below `upto_seq` by `snapshot`, atomically.
    pub fn compact(&self, id: &str, snapshot: &[u8], upto_seq: u64) -> Result<(), StoreError> {
        let txn = self.db()?.begin_write()?;
        txn.open_table(SNAPSHOTS)?.insert(id, snapshot)?;
        {
            let mut changes = txn.open_table(CHANGES)?;
            changes.retain_in((id, 0)..(id, upto_seq), |_, _| false)?;
        }
        txn.commit()?;
        Ok(())
    }
}

fn decode_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// A summary standing in for an index entry that cannot be read.
pub fn unreadable_summary(id: &str, why: &str) -> PlanSummary {
    PlanSummary {
        id: id.to_string(),
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

/// One write transaction: any number of edits, durable together on [`Batch::commit`].
pub struct Batch {
    txn: WriteTransaction,
}

impl Batch {
    /// Appends a plan's change with sequence number `seq`.
    pub fn append_change(&mut self, id: &str, seq: u64, bytes: &[u8]) -> Result<(), StoreError> {
        self.txn.open_table(CHANGES)?.insert((id, seq), bytes)?;
        Ok(())
    }

    /// Writes a plan's index entry.
    pub fn put_summary(&mut self, summary: &PlanSummary) -> Result<(), StoreError> {
        let json = serde_json::to_vec(summary).map_err(|e| StoreError::BadValue {
            what: format!("summary of plan {}", summary.id),
            why: e.to_string(),
        })?;
        self.txn
            .open_table(INDEX)?
            .insert(summary.id.as_str(), json.as_slice())?;
        Ok(())
    }

    /// Persists the sync state of (peer, plan).
    pub fn put_sync_state(
        &mut self,
        peer: &str,
        plan: &str,
        state: &[u8],
    ) -> Result<(), StoreError> {
        self.txn
            .open_table(SYNC_STATES)?
            .insert((peer, plan), state)?;
        Ok(())
    }

    /// Records the heads `peer` held for `plan` (from a bundle it signed).
    pub fn put_peer_heads(
        &mut self,
        peer: &str,
        plan: &str,
        heads: &[String],
    ) -> Result<(), StoreError> {
        self.txn
            .open_table(PEER_HEADS)?
            .insert((peer, plan), heads.join("\n").as_str())?;
        Ok(())
    }

    /// Stores (or replaces) an invitation record.
    pub fn put_invite(&mut self, record: &InviteRecord) -> Result<(), StoreError> {
        let json = serde_json::to_vec(record).map_err(|e| StoreError::BadValue {
            what: format!("invitation {}", record.info.id),
            why: e.to_string(),
        })?;
        self.txn
            .open_table(INVITES)?
            .insert(record.info.id.as_str(), json.as_slice())?;
        Ok(())
    }

    /// Makes a plan the current one.
    pub fn set_current(&mut self, id: &str) -> Result<(), StoreError> {
        self.txn
            .open_table(META)?
            .insert(META_CURRENT, id.as_bytes())?;
        Ok(())
    }

    /// Makes everything in the batch durable.
    pub fn commit(self) -> Result<(), StoreError> {
        self.txn.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str) -> PlanSummary {
        let mut s = unreadable_summary(id, "");
        s.error = None;
        s.title = format!("plan {id}");
        s
    }

    #[test]
    fn changes_come_back_in_order_and_compaction_replaces_them() {
        let store = Store::in_memory().unwrap();
        let mut b = store.begin().unwrap();
        for seq in 0..5u64 {
            b.append_change("p1", seq, &[seq as u8]).unwrap();
        }
        b.append_change("p2", 0, b"other").unwrap();
        b.put_summary(&summary("p1")).unwrap();
        b.commit().unwrap();
        let p = store.load_plan("p1").unwrap();
        assert_eq!(
            p.changes.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(p.next_seq(), 5);
        store.compact("p1", b"snap", 3).unwrap();
        let p = store.load_plan("p1").unwrap();
        assert_eq!(p.snapshot.as_deref(), Some(b"snap".as_slice()));
        assert_eq!(
            p.changes.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!(store.load_plan("p2").unwrap().changes.len(), 1);
    }

    #[test]
    fn uncommitted_batch_leaves_nothing() {
        let store = Store::in_memory().unwrap();
        let mut b = store.begin().unwrap();
        b.append_change("p1", 0, b"x").unwrap();
        drop(b);
        assert!(store.load_plan("p1").unwrap().changes.is_empty());
    }

    #[test]
    fn actor_is_stable_and_index_lists_plans() {
        let store = Store::in_memory().unwrap();
        let a = store.device_actor().unwrap();
        assert_eq!(a.len(), 16);
        assert_eq!(store.device_actor().unwrap(), a);
        let mut b = store.begin().unwrap();
        b.put_summary(&summary("b")).unwrap();
        b.put_summary(&summary("a")).unwrap();
        b.set_current("b").unwrap();
        b.commit().unwrap();
        assert_eq!(store.plan_ids().unwrap(), vec!["a", "b"]);
        assert_eq!(store.plan_count().unwrap(), 2);
        assert_eq!(store.current_plan().unwrap().as_deref(), Some("b"));
        assert_eq!(store.summaries().unwrap()[1].title, "plan b");
    }

    #[test]
    fn newer_layout_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META)
                .unwrap()
                .insert(META_LAYOUT, 99u32.to_be_bytes().as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99 })
        ));
    }
}
