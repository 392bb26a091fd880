//! What `tandem watch` streams: one [`WatchEvent`] per thing that happened.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{PeerId, PlanId};
use crate::items::ItemKind;

/// Something that happened, streamed by `tandem watch` as one JSON line each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchEvent {
    /// An edit made on this device is durable.
    LocalChange {
        /// The plan.
        plan: PlanId,
        /// The change message, e.g. `goal add: Pass the MLS exam`.
        message: String,
        /// The id of the object created, changed or removed, if any (a
        /// PeerId for a member).
        item: Option<String>,
        /// This device's PeerId.
        device: PeerId,
        /// When.
        time: Timestamp,
    },
    /// Changes from a peer are applied and durable.
    RemoteChange {
        /// The plan.
        plan: PlanId,
        /// The messages of the changes, oldest first.
        messages: Vec<String>,
        /// What the changes touched, in the order first touched.
        #[serde(default)]
        items: Vec<Touched>,
        /// The devices that made the changes (their authors), which may
        /// differ from `from` when changes are relayed.
        #[serde(default)]
        authors: Vec<PeerId>,
        /// The device that sent them.
        from: PeerId,
        /// When.
        time: Timestamp,
    },
    /// A connection to a peer is up.
    PeerConnected {
        /// Its PeerId.
        peer: PeerId,
        /// When.
        time: Timestamp,
    },
    /// The connection to a peer is gone.
    PeerDisconnected {
        /// Its PeerId.
        peer: PeerId,
        /// When.
        time: Timestamp,
    },
    /// A device this one shares no plan with offered a plan; it waits for
    /// consent (`tandem plan pending`).
    PlanOffered {
        /// The plan.
        plan: PlanId,
        /// Its title.
        title: String,
        /// The offering device.
        from: PeerId,
        /// When.
        time: Timestamp,
    },
    /// A peer now has every change of a plan that we have.
    SyncComplete {
        /// The plan.
        plan: PlanId,
        /// The peer.
        peer: PeerId,
        /// When.
        time: Timestamp,
    },
}

impl WatchEvent {
    /// The plan the event concerns, if any.
    pub fn plan(&self) -> Option<&PlanId> {
        match self {
            WatchEvent::LocalChange { plan, .. }
            | WatchEvent::RemoteChange { plan, .. }
            | WatchEvent::PlanOffered { plan, .. }
            | WatchEvent::SyncComplete { plan, .. } => Some(plan),
            WatchEvent::PeerConnected { .. } | WatchEvent::PeerDisconnected { .. } => None,
        }
    }
}

/// A part of a plan that a change touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    /// What kind of thing.
    pub kind: ItemKind,
    /// The item's id (a PeerId for a member); `None` for `plan` and `agreement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}
