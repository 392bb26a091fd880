//! A plan held in memory ([`Loaded`]), and the one way it is read from the
//! store and written back to it.
//!
//! Loading is checked twice: the stored changes must be exactly those the
//! plan's record names (`plan-meta-v1`: none missing, none extra, the
//! snapshot where it should be), and once applied they must give the heads
//! the record holds. Either failure makes the plan corrupt: named, its bytes
//! kept untouched, never a plan with some edits quietly missing, and never
//! written over by a later edit (a corrupt plan takes no edits).
//!
//! Every change is appended through [`Loaded::append`], which writes the
//! change, the plan's summary and its record in the same transaction.

use jiff::Timestamp;

use super::{COMPACT_AFTER, COMPACT_RATIO};
use crate::doc::PlanDoc;
use crate::store::rows::PlanMeta;
use crate::store::{Batch, StoreError, StoredPlan};

/// A plan in memory, with what the store holds of it.
pub(super) struct Loaded {
    pub(super) doc: PlanDoc,
    /// The stored record: which changes follow the snapshot.
    pub(super) meta: PlanMeta,
    pub(super) last_used: u64,
    /// Bytes of the stored snapshot (0: none).
    snapshot_bytes: u64,
    /// Bytes of the changes stored after the snapshot.
    change_bytes: u64,
}

/// A plan in memory, or why it cannot be.
pub(super) enum Slot {
    Ready(Box<Loaded>),
    Corrupt(String),
}

/// The document's heads as the record keeps them (hex).
pub(super) fn heads_hex(doc: &PlanDoc) -> Vec<String> {
    doc.automerge()
        .get_heads()
        .iter()
        .map(ToString::to_string)
        .collect()
}

impl Loaded {
    /// A plan new to the store, whose whole document (`bytes`) is its first change.
    pub(super) fn first(doc: PlanDoc, bytes: &[u8], last_used: u64) -> Loaded {
        let meta = PlanMeta::new(0, 1, false, heads_hex(&doc));
        Loaded {
            doc,
            meta,
            last_used,
            snapshot_bytes: 0,
            change_bytes: bytes.len() as u64,
        }
    }

    /// Reads a stored plan, or says why it is corrupt.
    pub(super) fn load(
        id: &str,
        stored: &StoredPlan,
        actor: automerge::ActorId,
        last_used: u64,
    ) -> Result<Loaded, String> {
        if let Some(why) = stored.incomplete() {
            return Err(why);
        }
        let Ok(Some(meta)) = &stored.meta else {
            return Err("its record of stored changes is missing".into());
        };
        let doc = PlanDoc::load(
            stored.snapshot.as_deref(),
            stored.changes.iter().map(|(_, b)| b.as_slice()),
            actor,
        )
        .map_err(|e| e.to_string())?;
        let heads = heads_hex(&doc);
        let (mut want, mut got) = (meta.heads.clone(), heads.clone());
        want.sort_unstable();
        got.sort_unstable();
        if !want.is_empty() && want != got {
            return Err(format!(
                "its stored changes do not add up to the state recorded with the last one (plan {id}: a change is missing or damaged)"
            ));
        }
        let mut meta = meta.clone();
        meta.heads = heads;
        Ok(Loaded {
            doc,
            meta,
            last_used,
            snapshot_bytes: stored.snapshot.as_ref().map_or(0, |b| b.len() as u64),
            change_bytes: stored.changes.iter().map(|(_, b)| b.len() as u64).sum(),
        })
    }

    /// Changes stored since the snapshot.
    pub(super) fn since_snapshot(&self) -> u64 {
        self.meta.next_seq - self.meta.first_seq
    }

    /// Whether a fresh snapshot should replace the stored changes: at
    /// least [`COMPACT_AFTER`] of them, together at least
    /// 1/[`COMPACT_RATIO`] of the snapshot's size. A snapshot costs a save
    /// of the whole document, so it is made once the changes have grown in
    /// proportion to it: its cost per edit stays the same however large the
    /// plan, and a load never reads more than that share of changes.
    pub(super) fn wants_compaction(&self) -> bool {
        self.since_snapshot() >= COMPACT_AFTER
            && self.change_bytes.saturating_mul(COMPACT_RATIO) >= self.snapshot_bytes
    }

    /// Takes note that `snapshot` replaced the stored changes (`meta`).
    pub(super) fn compacted_to(&mut self, meta: PlanMeta, snapshot: &[u8]) {
        self.meta = meta;
        self.snapshot_bytes = snapshot.len() as u64;
        self.change_bytes = 0;
    }

    /// Writes a new change of this plan into `batch`: the change under the
    /// next sequence number, the summary and the record, together. Should
    /// the batch fail, the caller drops this plan from memory, so the
    /// numbers advanced here are never reused against what is durable.
    pub(super) fn append(
        &mut self,
        id: &str,
        batch: &mut Batch,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let seq = self.meta.next_seq;
        self.meta.next_seq += 1;
        self.change_bytes += bytes.len() as u64;
        self.meta.heads = heads_hex(&self.doc);
        batch.append_change(id, seq, bytes, &self.meta)?;
        batch.put_summary(&self.doc.summary(now))
    }

    /// The record once a snapshot replaced every stored change.
    pub(super) fn compacted(&self) -> PlanMeta {
        PlanMeta::new(
            self.meta.next_seq,
            self.meta.next_seq,
            true,
            self.meta.heads.clone(),
        )
    }
}
