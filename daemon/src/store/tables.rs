//! Every redb table, declared in one place. Names carry a layout version:
//! a change of layout gets a new name and a migration in `store::migrate`.
//!
//! | table                | key               | value                                          |
//! |----------------------|-------------------|------------------------------------------------|
//! | `plan-snapshots-v1`  | plan id           | `Automerge::save()` of the plan at compaction  |
//! | `plan-changes-v1`    | (plan id, seq)    | `save_after()` bytes of one edit, in order     |
//! | `plan-index-v2`      | plan id           | JSON `rows::IndexRow`: what `plan list` shows   |
//! | `plan-meta-v1`       | plan id           | JSON `rows::PlanMeta`: which changes are stored, the heads they give |
//! | `sync-states-v1`     | (peer id, plan id)| `automerge::sync::State::encode()`: the heads both sides have |
//! | `peers-v2`           | peer id           | JSON `rows::PeerRow`: a multiaddr to dial it at, and whether it was added by hand |
//! | `plan-offers-v1`     | plan id           | JSON `rows::OfferRow`: a plan offered without consent, waiting for the user |
//! | `plan-offer-bytes-v1`| plan id           | that offer's whole document (`save()`)         |
//! | `plans-declined-v1`  | plan id           | JSON `rows::DeclinedRow`: refused from then on |
//! | `plans-joined-v1`    | plan id           | JSON `rows::JoinRow`: asked to join with a ticket, so stored when it arrives |
//! | `invites-v2`         | invite id         | JSON `rows::InviteRow`: the invitation, its secret only as SHA-256 |
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
/// Plan id → JSON `PlanSummary` (layouts 1 to 3; migrated to [`INDEX`] in layout 4).
pub const INDEX_V1: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-index-v1");
/// Plan id → JSON [`super::rows::IndexRow`].
pub const INDEX: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-index-v2");
/// Plan id → JSON [`super::rows::PlanMeta`]: the range of stored changes and the heads.
pub const PLAN_META: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-meta-v1");
/// (peer id, plan id) → encoded sync state. Written in the same transaction
/// as the changes it describes, never before them.
pub const SYNC_STATES: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("sync-states-v1");
/// Peer id → last known dialable multiaddr (layout 1; migrated to [`PEERS`] in layout 3).
pub const PEERS_V1: TableDefinition<&str, &str> = TableDefinition::new("peers-v1");
/// Peer id → JSON [`super::rows::PeerRow`]: the address book. Only member
/// devices and peers added by hand are kept and redialed.
pub const PEERS: TableDefinition<&str, &[u8]> = TableDefinition::new("peers-v2");
/// Plan id → JSON [`super::rows::OfferRow`] (at most `engine::inbox::MAX_OFFERS`).
pub const OFFERS: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-offers-v1");
/// Plan id → the offered document's bytes.
pub const OFFER_BYTES: TableDefinition<&str, &[u8]> = TableDefinition::new("plan-offer-bytes-v1");
/// Plan id → JSON [`super::rows::DeclinedRow`] (at most `engine::inbox::MAX_DECLINED`).
pub const DECLINED: TableDefinition<&str, &[u8]> = TableDefinition::new("plans-declined-v1");
/// Plan id → JSON [`super::rows::JoinRow`].
pub const JOINS: TableDefinition<&str, &[u8]> = TableDefinition::new("plans-joined-v1");
/// Invite id → JSON `{info: InviteInfo, secret_hash, joined}` (layouts 1 to
/// 3; migrated to [`INVITES`] in layout 4).
pub const INVITES_V1: TableDefinition<&str, &[u8]> = TableDefinition::new("invites-v1");
/// Invite id → JSON [`super::rows::InviteRow`] (never the secret itself).
pub const INVITES: TableDefinition<&str, &[u8]> = TableDefinition::new("invites-v2");
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
pub const LAYOUT_VERSION: u32 = 4;
