//! [`Batch`]: one redb write transaction holding any number of edits,
//! durable together on [`Batch::commit`].
//!
//! A plan's change is only ever appended together with its `plan-meta-v1`
//! row ([`Batch::append_change`] takes it), so the record of which changes
//! a plan has can never fall behind the changes themselves.

use redb::WriteTransaction;
use tandem_proto::model::PlanSummary;

use super::rows::{DeclinedRow, IndexRow, InviteRow, JoinRow, OfferRow, PlanMeta};
use super::tables::{
    CHANGES, DECLINED, INDEX, INVITES, JOINS, META, META_CURRENT, OFFER_BYTES, OFFERS, PEER_HEADS,
    PLAN_META, SYNC_STATES,
};
use super::{StoreError, guard};

/// One write transaction: any number of edits, durable together on [`Batch::commit`].
pub struct Batch {
    pub(super) txn: WriteTransaction,
}

impl Batch {
    /// Appends a plan's change with sequence number `seq`, and the plan's
    /// record as it stands with that change (`meta.next_seq` is `seq + 1`).
    pub fn append_change(
        &mut self,
        id: &str,
        seq: u64,
        bytes: &[u8],
        meta: &PlanMeta,
    ) -> Result<(), StoreError> {
        guard(|| {
            self.txn.open_table(CHANGES)?.insert((id, seq), bytes)?;
            self.txn
                .open_table(PLAN_META)?
                .insert(id, meta.encode().as_slice())?;
            Ok(())
        })
    }

    /// Writes a plan's index entry.
    pub fn put_summary(&mut self, summary: &PlanSummary) -> Result<(), StoreError> {
        let json = IndexRow::of(summary).encode();
        guard(|| {
            self.txn
                .open_table(INDEX)?
                .insert(summary.id.as_str(), json.as_slice())?;
            Ok(())
        })
    }

    /// Persists the sync state of (peer, plan).
    pub fn put_sync_state(
        &mut self,
        peer: &str,
        plan: &str,
        state: &[u8],
    ) -> Result<(), StoreError> {
        guard(|| {
            self.txn
                .open_table(SYNC_STATES)?
                .insert((peer, plan), state)?;
            Ok(())
        })
    }

    /// Records the heads `peer` held for `plan` (from a bundle it signed).
    pub fn put_peer_heads(
        &mut self,
        peer: &str,
        plan: &str,
        heads: &[String],
    ) -> Result<(), StoreError> {
        guard(|| {
            self.txn
                .open_table(PEER_HEADS)?
                .insert((peer, plan), heads.join("\n").as_str())?;
            Ok(())
        })
    }

    /// Stores (or replaces) an invitation record.
    pub fn put_invite(&mut self, row: &InviteRow) -> Result<(), StoreError> {
        let json = row.encode();
        guard(|| {
            self.txn
                .open_table(INVITES)?
                .insert(row.id.as_str(), json.as_slice())?;
            Ok(())
        })
    }

    /// Makes a plan the current one.
    pub fn set_current(&mut self, id: &str) -> Result<(), StoreError> {
        guard(|| {
            self.txn
                .open_table(META)?
                .insert(META_CURRENT, id.as_bytes())?;
            Ok(())
        })
    }

    /// Keeps a plan offered without consent, with its document.
    pub fn put_offer(
        &mut self,
        plan: &str,
        row: &OfferRow,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        guard(|| {
            self.txn
                .open_table(OFFERS)?
                .insert(plan, row.encode().as_slice())?;
            self.txn.open_table(OFFER_BYTES)?.insert(plan, bytes)?;
            Ok(())
        })
    }

    /// Forgets an offered plan and its document.
    pub fn remove_offer(&mut self, plan: &str) -> Result<(), StoreError> {
        guard(|| {
            self.txn.open_table(OFFERS)?.remove(plan)?;
            self.txn.open_table(OFFER_BYTES)?.remove(plan)?;
            Ok(())
        })
    }

    /// Records that a plan was declined (`None`: forgets that it was).
    pub fn set_declined(
        &mut self,
        plan: &str,
        row: Option<&DeclinedRow>,
    ) -> Result<(), StoreError> {
        guard(|| {
            let mut t = self.txn.open_table(DECLINED)?;
            match row {
                Some(r) => {
                    t.insert(plan, r.encode().as_slice())?;
                }
                None => {
                    t.remove(plan)?;
                }
            }
            Ok(())
        })
    }

    /// Records a join asked for (`None`: the plan arrived, or the join failed).
    pub fn set_joined(&mut self, plan: &str, row: Option<&JoinRow>) -> Result<(), StoreError> {
        guard(|| {
            let mut t = self.txn.open_table(JOINS)?;
            match row {
                Some(r) => {
                    t.insert(plan, r.encode().as_slice())?;
                }
                None => {
                    t.remove(plan)?;
                }
            }
            Ok(())
        })
    }

    /// Makes everything in the batch durable.
    pub fn commit(self) -> Result<(), StoreError> {
        guard(move || {
            self.txn.commit()?;
            Ok(())
        })
    }
}
