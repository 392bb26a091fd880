//! Every redb table, declared in one place. Names carry a layout version:
//! a change of layout gets a new name and a migration in `store::migrate`.
//!
//! | table                | key               | value                                          |
//! |----------------------|-------------------|------------------------------------------------|
//! | `plan-snapshots-v1`  | plan id           | `Automerge::save()` of the plan at compaction  |
//! | `plan-changes-v1`    | (plan id, seq)    | `save_after()` bytes of one edit, in order     |
//! | `plan-index-v1`      | plan id           | JSON `PlanSummary` (for `plan list`)           |
//! | `plan-meta-v1`       | plan id           | JSON `rows::PlanMeta`: which changes are stored, the heads they give |
//! | `sync-states-v1`     | (peer id, plan id)| `automerge::sync::State::encode()`: the heads both sides have |
//! | `peers-v1`           | peer id           | a multiaddr to dial it at (UTF-8)              |
//! | `invites-v1`         | invite id         | JSON `InviteRecord`: the invitation, its secret only as SHA-256 |
//! | `peer-heads-v1`      | (peer id, plan id)| heads (hex, one per line) a device had when it signed a bundle we imported |
//! | `meta-v1`            | name              | see the `META_*` keys                          |
//!
//! A plan's document is its snapshot (if any) followed by its changes in
//! `seq` order. Compaction writes a new snapshot and deletes the changes it
//! covers, in one transaction. Its `plan-meta-v1` row is written in the
//! same transaction as every change and compaction, so loading can tell a
//! complete plan from one missing a change (a damaged key, a lost page).

use redb::TableDefinition;

/// Plan id → snapshot bytes.
pub const SNAPSHOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-snapshots-v1");
/// (plan id, seq) → change bytes.
pub const CHANGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("plan-changes-v1");
/// Plan id → JSON summary.
pub const INDEX: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-index-v1");
/// Plan id → JSON [`super::rows::PlanMeta`]: the range of stored changes and the heads.
pub const PLAN_META: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-meta-v1");
/// (peer id, plan id) → encoded sync state. Written in the same transaction
/// as the changes it describes, never before them.
pub const SYNC_STATES: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("sync-states-v1");
/// Peer id → last known dialable multiaddr: the address book, redialed at start.
pub const PEERS: TableDefinition<&str, &str> = TableDefinition::new("peers-v1");
/// Invite id → JSON invite record (never the secret itself).
pub const INVITES: TableDefinition<&str, &[u8]> = TableDefinition::new("invites-v1");
/// (peer id, plan id) → the heads it held when it signed a bundle imported
/// here: what `bundle export --for` it need not include.
pub const PEER_HEADS: TableDefinition<(&str, &str), &str> = TableDefinition::new("peer-heads-v1");
/// Name → value.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-v1");

/// `meta-v1` key: the layout version of the whole database (u32 big-endian).
pub const META_LAYOUT: &str = "layout_version";
/// `meta-v1` key: this device's Automerge actor id (16 random bytes).
pub const META_ACTOR: &str = "actor";
/// `meta-v1` key: relays learned from tickets (newline-separated multiaddrs).
pub const META_RELAYS: &str = "relays";
/// `meta-v1` key: the current plan's id (UTF-8).
pub const META_CURRENT: &str = "current_plan";

/// The layout this build reads and writes (see `store::migrate` for each step).
pub const LAYOUT_VERSION: u32 = 2;
