//! The payloads of requests and replies that are not plan items: invites,
//! joins, offers, bundles and sync progress.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Touched;
use crate::ids::{PeerId, PlanId};
use crate::items::member::Role;
use crate::items::plan::Plan;
use crate::ticket::TicketKind;

/// Reply to [`super::Join`]: this device is a member; the plan follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    /// The plan.
    pub plan: PlanId,
    /// Its title.
    pub title: String,
    /// The role granted.
    pub role: Role,
    /// The name this device's person was added with.
    pub name: String,
    /// The inviting device.
    pub inviter: PeerId,
    /// When this device's clock is more than five minutes off the
    /// inviter's: by how much, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
}

/// What [`super::PlanAccept`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Accepted {
    /// The offered plan is stored here now.
    Stored(Box<Plan>),
    /// The plan has not arrived yet: it will be stored when one of its
    /// members sends it.
    Ahead(PlanId),
}

/// Reply to [`super::PlanDecline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declined {
    /// The plan.
    pub plan: PlanId,
    /// Its title.
    pub title: String,
}

/// A plan offered by a device this one shares no plan with: it waits for
/// the user to accept or decline it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOffer {
    /// The plan.
    pub plan: PlanId,
    /// Its title.
    pub title: String,
    /// The offering device.
    pub from: PeerId,
    /// Its person's name in the plan.
    pub from_name: String,
    /// Its role in the plan.
    pub from_role: Role,
    /// This device's role in the plan.
    pub my_role: Role,
    /// When it was offered.
    pub offered_at: Timestamp,
    /// The size of the plan, in bytes.
    pub bytes: u64,
}

/// A bundle made by [`super::BundleExport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleOut {
    /// The plan.
    pub plan: PlanId,
    /// Its title.
    pub title: String,
    /// Whether it holds the whole plan (else the changes the target lacks).
    pub whole: bool,
    /// The device it was made for.
    pub for_peer: Option<PeerId>,
    /// Size of the file, in bytes.
    pub bytes: usize,
    /// The file, base64 (the CLI writes it out; `--json` leaves it out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
}

/// What [`super::BundleImport`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleIn {
    /// The plan.
    pub plan: PlanId,
    /// Its title.
    pub title: String,
    /// The device that signed the bundle.
    pub signer: PeerId,
    /// Whether the plan was new to this device.
    pub new_plan: bool,
    /// Whether anything changed (false: everything in it was here already).
    pub changed: bool,
    /// The messages of the changes merged, oldest first.
    pub messages: Vec<String>,
    /// What they touched.
    pub items: Vec<Touched>,
}

/// How far the plan's other member devices are in syncing one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSync {
    /// The plan.
    pub plan: PlanId,
    /// One entry per member device other than this one, connected or not.
    pub peers: Vec<PeerSync>,
}

/// How far one member device is in syncing a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSync {
    /// The device.
    pub peer: PeerId,
    /// The person using it.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// The device's label.
    pub device: String,
    /// Whether it is connected now.
    pub connected: bool,
    /// Whether it is known to have every change we have.
    pub in_sync: bool,
    /// How many of our changes it is not known to have; `None` when this
    /// device has never synced with it.
    pub pending: Option<usize>,
}

impl PeerSync {
    /// "Ana (laptop)".
    pub fn who(&self) -> String {
        crate::items::member::who(&self.name, &self.device)
    }

    /// Where it stands, in words: "in sync", "3 changes to send (offline)".
    pub fn state(&self) -> String {
        let reach = if self.connected { "" } else { " (offline)" };
        match (self.in_sync, self.pending) {
            (true, _) => format!("in sync{reach}"),
            (false, Some(1)) => format!("1 change to send{reach}"),
            (false, Some(n)) => format!("{n} changes to send{reach}"),
            (false, None) if self.connected => "syncing for the first time".to_string(),
            (false, None) => "never synced with this device (offline)".to_string(),
        }
    }
}

/// What an invitation is to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// The role granted (for a link: ignored, the person's own role is used).
    pub role: Role,
    /// The invitee's name, if known (for a link: ignored).
    #[serde(default)]
    pub name: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// How many joins it allows.
    pub uses: u32,
    /// A link for another device of this device's person, not an invite.
    #[serde(default)]
    pub link: bool,
    /// Addresses to put in the ticket (filled by the daemon from its listeners when empty).
    #[serde(default)]
    pub addrs: Vec<String>,
}

/// An invitation as its inviter keeps it (the secret only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    /// Its id: the first 12 hex digits of the secret's hash.
    pub id: String,
    /// The plan.
    pub plan: PlanId,
    /// Invite or device link.
    pub kind: TicketKind,
    /// The role it grants.
    pub role: Role,
    /// The name it grants (may be empty: the joiner's choice).
    pub name: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
    /// Joins so far.
    pub used: u32,
    /// Joins allowed.
    pub uses: u32,
    /// Whether it was revoked.
    pub revoked: bool,
    /// The ticket line: only in the reply that creates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// A change `undo` can revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undoable {
    /// The change's hash (hex).
    pub hash: String,
    /// What it did, e.g. `action edit: Call the vendor`.
    pub message: String,
    /// When it was made.
    pub time: Timestamp,
}

/// Reply to [`super::Undo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undone {
    /// The change that was reverted.
    pub undone: Undoable,
    /// The message of the new change that reverts it.
    pub message: String,
    /// What it touched, for events and clients.
    pub touched: Touched,
}

/// Reply to [`super::Resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    /// The item.
    pub touched: Touched,
    /// The fields that were marked, and are no longer.
    pub fields: Vec<crate::items::conflict::Conflict>,
}
