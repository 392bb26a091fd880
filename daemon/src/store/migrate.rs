//! Named migrations of the database layout, each in its own write
//! transaction together with the new `layout_version`, so a crash during
//! one leaves the database at the version before it (and the migration is
//! run again at the next start).
//!
//! A database with no layout version is new: it gets every table at the
//! current version and no migration runs. One written by a newer tandemd
//! is refused ([`super::StoreError::TooNew`]).

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::rows::{IndexRow, InviteRow, PeerRow, PlanMeta, ROW_V};
use super::tables::{
    CHANGES, INDEX, INDEX_V1, INVITES, INVITES_V1, META, META_LAYOUT, PEERS, PEERS_V1, PLAN_META,
    SNAPSHOTS,
};

/// One step from layout `to - 1` to `to`.
pub struct Migration {
    /// The layout version it produces.
    pub to: u32,
    /// What it does, for the log.
    pub name: &'static str,
    /// The work, inside the migration's transaction.
    pub run: fn(&WriteTransaction) -> Result<(), StoreError>,
}

/// Every migration, in order. The last one's `to` is [`super::tables::LAYOUT_VERSION`].
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        to: 2,
        name: "plan-meta-v1: record the range of stored changes of every plan",
        run: plan_meta,
    },
    Migration {
        to: 3,
        name: "peers-v2: address-book rows that say whether a peer was added by hand",
        run: peers_v2,
    },
    Migration {
        to: 4,
        name: "plan-index-v2, invites-v2: versioned rows of their own instead of API types",
        run: index_and_invites_v2,
    },
];

/// Brings a database at layout `found` up to date, one migration per transaction.
pub fn run(db: &redb::Database, found: u32) -> Result<(), StoreError> {
    for m in MIGRATIONS.iter().filter(|m| m.to > found) {
        tracing::info!(to = m.to, name = m.name, "migrating the database");
        let txn = db.begin_write()?;
        (m.run)(&txn)?;
        txn.open_table(META)?
            .insert(META_LAYOUT, m.to.to_be_bytes().as_slice())?;
        txn.commit()?;
    }
    Ok(())
}

/// Layout 2: a `plan-meta-v1` row for every plan, from what is stored now.
/// The heads are left unknown (filled at the plan's next write).
fn plan_meta(txn: &WriteTransaction) -> Result<(), StoreError> {
    let ids: Vec<String> = {
        let index = txn.open_table(INDEX_V1)?;
        let mut ids = Vec::new();
        for row in index.iter()? {
            ids.push(row?.0.value().to_string());
        }
        ids
    };
    let snapshots = txn.open_table(SNAPSHOTS)?;
    let changes = txn.open_table(CHANGES)?;
    let mut meta = txn.open_table(PLAN_META)?;
    for id in ids {
        let mut seqs = changes.range((id.as_str(), 0)..=(id.as_str(), u64::MAX))?;
        let first = seqs.next().transpose()?.map(|(k, _)| k.value().1);
        let last = seqs.next_back().transpose()?.map(|(k, _)| k.value().1);
        let first_seq = first.unwrap_or(0);
        let next_seq = last.or(first).map_or(first_seq, |l| l + 1);
        let snapshot = snapshots.get(id.as_str())?.is_some();
        let row = PlanMeta::new(first_seq, next_seq, snapshot, Vec::new());
        meta.insert(id.as_str(), row.encode().as_slice())?;
    }
    Ok(())
}

/// Layout 3: `peers-v1` (peer → multiaddr) becomes `peers-v2` rows. Which
/// entries were added by hand was not recorded, so none is marked manual:
/// members are dialed as before, and a non-member is dialed again once it
/// is added by hand again.
fn peers_v2(txn: &WriteTransaction) -> Result<(), StoreError> {
    let old: Vec<(String, String)> = match txn.open_table(PEERS_V1) {
        Ok(t) => {
            let mut rows = Vec::new();
            for row in t.iter()? {
                let (k, v) = row?;
                rows.push((k.value().to_string(), v.value().to_string()));
            }
            rows
        }
        Err(e) => return Err(e.into()),
    };
    let mut new = txn.open_table(PEERS)?;
    for (peer, addr) in &old {
        new.insert(peer.as_str(), PeerRow::new(addr, false).encode().as_slice())?;
    }
    drop(new);
    txn.delete_table(PEERS_V1)?;
    Ok(())
}

/// The rows of layouts 1 to 3 as they were written then (API types of
/// that time), frozen here so this migration reads them the same forever.
mod v1 {
    use serde::Deserialize;

    /// A `plan-index-v1` row: a `PlanSummary` of protocol version 1.
    #[derive(Deserialize)]
    pub struct Summary {
        pub title: String,
        pub mentor: String,
        pub mentee: String,
        pub status: String,
        pub goals: usize,
        pub open_actions: usize,
        pub updated_at: jiff::Timestamp,
        #[serde(default)]
        pub members: Vec<String>,
    }

    /// An `invites-v1` row.
    #[derive(Deserialize)]
    pub struct Invite {
        pub info: InviteInfo,
        pub secret_hash: String,
        #[serde(default)]
        pub joined: Vec<String>,
    }

    /// The `InviteInfo` of protocol version 1.
    #[derive(Deserialize)]
    pub struct InviteInfo {
        pub id: String,
        pub plan: String,
        pub kind: String,
        pub role: String,
        pub name: String,
        pub created_at: jiff::Timestamp,
        pub expires_at: jiff::Timestamp,
        pub used: u32,
        pub uses: u32,
        pub revoked: bool,
    }
}

/// Layout 4: the index and the invitations in rows of their own
/// (`plan-index-v2`, `invites-v2`). A row that cannot be read is copied as
/// it is, with a warning: its plan stays listed, flagged as damaged, and
/// an unreadable invitation stays as unusable as it was.
fn index_and_invites_v2(txn: &WriteTransaction) -> Result<(), StoreError> {
    use tandem_proto::model::{PlanStatus, Role};
    use tandem_proto::ticket::TicketKind;
    let old =
        |table: redb::TableDefinition<&str, &[u8]>| -> Result<Vec<(String, Vec<u8>)>, StoreError> {
            let t = txn.open_table(table)?;
            let mut rows = Vec::new();
            for row in t.iter()? {
                let (k, v) = row?;
                rows.push((k.value().to_string(), v.value().to_vec()));
            }
            Ok(rows)
        };
    let mut index = txn.open_table(INDEX)?;
    for (id, bytes) in old(INDEX_V1)? {
        let row = serde_json::from_slice::<v1::Summary>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                Ok(IndexRow {
                    v: ROW_V,
                    title: s.title,
                    mentor: s.mentor,
                    mentee: s.mentee,
                    status: s.status.parse::<PlanStatus>().map_err(|e| e.to_string())?,
                    goals: s.goals,
                    open_actions: s.open_actions,
                    updated_at: s.updated_at,
                    members: s.members,
                })
            });
        match row {
            Ok(row) => {
                index.insert(id.as_str(), row.encode().as_slice())?;
            }
            Err(why) => {
                tracing::warn!(plan = %id, %why, "an unreadable index row was copied as it is");
                index.insert(id.as_str(), bytes.as_slice())?;
            }
        }
    }
    drop(index);
    let mut invites = txn.open_table(INVITES)?;
    for (id, bytes) in old(INVITES_V1)? {
        let row = serde_json::from_slice::<v1::Invite>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let kind = match r.info.kind.as_str() {
                    "invite" => TicketKind::Invite,
                    "link" => TicketKind::Link,
                    other => return Err(format!("unknown kind '{other}'")),
                };
                Ok(InviteRow {
                    v: ROW_V,
                    id: r.info.id,
                    plan: r.info.plan,
                    kind,
                    role: r.info.role.parse::<Role>().map_err(|e| e.to_string())?,
                    name: r.info.name,
                    created_at: r.info.created_at,
                    expires_at: r.info.expires_at,
                    used: r.info.used,
                    uses: r.info.uses,
                    revoked: r.info.revoked,
                    secret_hash: r.secret_hash,
                    joined: r.joined,
                })
            });
        match row {
            Ok(row) => {
                invites.insert(id.as_str(), row.encode().as_slice())?;
            }
            Err(why) => {
                tracing::warn!(invite = %id, %why, "an unreadable invitation was copied as it is");
                invites.insert(id.as_str(), bytes.as_slice())?;
            }
        }
    }
    drop(invites);
    txn.delete_table(INDEX_V1)?;
    txn.delete_table(INVITES_V1)?;
    Ok(())
}
