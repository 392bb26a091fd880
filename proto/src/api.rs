//! The daemon API: the handshake, one request enum, and its responses.
//!
//! Plans are named by id or unique id prefix; `None` means the current plan
//! (`tandem plan use`), or the only plan when there is exactly one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::edit::{Edit, NewPlan};
use crate::error::ApiError;
use crate::model::{LogEntry, Plan, PlanSummary};

/// First frame of every connection, from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The client's [`crate::PROTOCOL_VERSION`].
    pub protocol: u32,
    /// Free-form client name and version, for the daemon's log.
    pub client: String,
}

/// The daemon's answer to [`Hello`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeReply {
    /// Versions match; requests may follow.
    Welcome(Welcome),
    /// The connection will be closed.
    Error(ApiError),
}

/// Accepted handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The daemon's [`crate::PROTOCOL_VERSION`].
    pub protocol: u32,
    /// The daemon's package version.
    pub daemon_version: String,
}

/// A request to the daemon. Each gets exactly one [`Response`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// How the daemon is doing.
    Status,
    /// Stop the daemon gracefully (after replying).
    Shutdown,
    /// Every stored plan, from the index (no document is loaded).
    PlanList,
    /// Create a plan; it becomes the current plan.
    PlanNew(NewPlan),
    /// Create a plan from an export (`tandem import`): a new id, this device
    /// its only member (as mentor), every item with its id and times. It
    /// becomes the current plan.
    PlanImport(Box<crate::model::Plan>),
    /// A whole plan.
    PlanGet {
        /// Plan id or prefix; `None` for the current plan.
        plan: Option<String>,
    },
    /// Make a plan the current one.
    PlanUse {
        /// Plan id or prefix.
        plan: String,
    },
    /// A plan's history, newest first.
    Log {
        /// Plan id or prefix; `None` for the current plan.
        plan: Option<String>,
        /// At most this many entries.
        limit: Option<usize>,
    },
    /// Dial a peer at a multiaddr ending in `/p2p/<peer-id>`.
    PeerAdd {
        /// The address.
        addr: String,
    },
    /// Stop dialing a peer and drop it from the address book.
    PeerForget {
        /// Its PeerId.
        peer: String,
    },
    /// Stream [`WatchEvent`]s (as [`Response::Event`] frames) until the client hangs up.
    Watch {
        /// Only events of this plan (id or prefix).
        plan: Option<String>,
    },
    /// How far each connected member device is in syncing a plan.
    SyncStatus {
        /// Plan id or prefix; `None` for the current plan.
        plan: Option<String>,
    },
    /// Create an invitation to a plan (or a device link), answered with its ticket.
    InviteNew(NewInvite),
    /// The invitations of a plan (`None`: every plan).
    InviteList {
        /// Plan id or prefix.
        plan: Option<String>,
    },
    /// Revoke an invitation: no join with it succeeds afterwards.
    InviteRevoke {
        /// The invitation's id (or a unique prefix).
        id: String,
    },
    /// Join a plan with a ticket: dial the inviter, prove the secret, become
    /// a member. Replied to once the inviter accepted or refused.
    Join {
        /// The ticket line.
        ticket: String,
        /// The joiner's name (for a device link, the person's name is kept).
        #[serde(default)]
        name: String,
        /// A label for this device.
        #[serde(default)]
        device: String,
    },
    /// Make a signed bundle of a plan for a device that is never online
    /// (`tandem bundle export`).
    BundleExport {
        /// Plan id or prefix; `None` for the current plan.
        plan: Option<String>,
        /// Only what this member device (PeerId or prefix) is not known to
        /// have; `None` for the whole plan.
        for_peer: Option<String>,
    },
    /// Check a bundle's signature against the plan's members and merge it
    /// (`tandem bundle import`). Replied to once the merge is durable.
    BundleImport {
        /// The bundle file, base64.
        data: String,
    },
    /// Plans offered by devices this one shares no plan with, waiting for
    /// consent (`tandem plan pending`).
    PlanPending,
    /// Store an offered plan as a plan here (`tandem plan accept`); given
    /// the whole id of a plan not offered yet, accept it ahead of its arrival.
    PlanAccept {
        /// The offered plan's id (or a unique prefix).
        plan: String,
    },
    /// Forget an offered plan and refuse it from then on (`tandem plan decline`).
    PlanDecline {
        /// The offered plan's id (or a unique prefix).
        plan: String,
    },
    /// Change a plan. Replied to only once the change is durable.
    Edit {
        /// Plan id or prefix; `None` for the current plan.
        plan: Option<String>,
        /// What to change.
        edit: Edit,
    },
}

/// The daemon's reply to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Reply to [`Request::Status`].
    Status(DaemonStatus),
    /// Reply to [`Request::Shutdown`].
    ShuttingDown,
    /// First reply to [`Request::Watch`]; events follow.
    Watching,
    /// One event of a [`Request::Watch`] stream.
    Event(WatchEvent),
    /// Reply to [`Request::SyncStatus`].
    Sync(PlanSync),
    /// Reply to [`Request::PeerForget`].
    Forgotten {
        /// The peer.
        peer: String,
    },
    /// Reply to [`Request::PeerAdd`]: the dial was started.
    Dialing {
        /// The peer being dialed.
        peer: String,
    },
    /// Reply to [`Request::PlanList`].
    Plans(Vec<PlanSummary>),
    /// Reply to [`Request::PlanGet`], [`Request::PlanNew`], [`Request::PlanImport`] and [`Request::PlanUse`].
    Plan(Box<Plan>),
    /// Reply to [`Request::Log`].
    Log(Vec<LogEntry>),
    /// Reply to [`Request::Edit`]: the created or updated object, now durable.
    Edited(Item),
    /// Reply to [`Request::InviteNew`] (with the ticket) and [`Request::InviteRevoke`].
    Invite(InviteInfo),
    /// Reply to [`Request::InviteList`].
    Invites(Vec<InviteInfo>),
    /// Reply to [`Request::Join`]: this device is a member; the plan follows.
    Joined {
        /// The plan id.
        plan: String,
        /// Its title.
        title: String,
        /// The role granted.
        role: crate::model::Role,
        /// The name this device's person was added with.
        name: String,
        /// The inviting device.
        inviter: String,
        /// When this device's clock is more than five minutes off the
        /// inviter's: by how much, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock: Option<String>,
    },
    /// Reply to [`Request::PlanPending`], oldest first.
    Offers(Vec<PlanOffer>),
    /// Reply to [`Request::PlanAccept`] for a plan that has not arrived yet:
    /// it will be stored when one of its members sends it.
    AcceptedAhead {
        /// The plan.
        plan: String,
    },
    /// Reply to [`Request::PlanDecline`].
    Declined {
        /// The plan.
        plan: String,
        /// Its title.
        title: String,
    },
    /// Reply to [`Request::BundleExport`].
    Bundle(BundleOut),
    /// Reply to [`Request::BundleImport`].
    BundleImported(BundleIn),
    /// The request failed; nothing was changed.
    Error(ApiError),
}

/// A plan offered by a device this one shares no plan with: it waits for
/// the user to accept or decline it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOffer {
    /// The plan's id.
    pub plan: String,
    /// Its title.
    pub title: String,
    /// The offering device's PeerId.
    pub from: String,
    /// Its person's name in the plan.
    pub from_name: String,
    /// Its role in the plan.
    pub from_role: crate::model::Role,
    /// This device's role in the plan.
    pub my_role: crate::model::Role,
    /// When it was offered.
    pub offered_at: Timestamp,
    /// The size of the plan, in bytes.
    pub bytes: u64,
}

/// A bundle made by [`Request::BundleExport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleOut {
    /// The plan.
    pub plan: String,
    /// Its title.
    pub title: String,
    /// Whether it holds the whole plan (else the changes the target lacks).
    pub whole: bool,
    /// The device it was made for.
    pub for_peer: Option<String>,
    /// Size of the file, in bytes.
    pub bytes: usize,
    /// The file, base64 (the CLI writes it out; `--json` leaves it out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
}

/// What [`Request::BundleImport`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleIn {
    /// The plan.
    pub plan: String,
    /// Its title.
    pub title: String,
    /// The device that signed the bundle.
    pub signer: String,
    /// Whether the plan was new to this device.
    pub new_plan: bool,
    /// Whether anything changed (false: everything in it was here already).
    pub changed: bool,
    /// The messages of the changes merged, oldest first.
    pub messages: Vec<String>,
    /// What they touched.
    pub items: Vec<Touched>,
}

pub use crate::items::Item;

/// Reply to [`Request::Status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStatus {
    /// The daemon's package version.
    pub version: String,
    /// Its process id.
    pub pid: u32,
    /// Its home directory.
    pub home: String,
    /// Its socket path.
    pub socket: String,
    /// When it started.
    pub started_at: Timestamp,
    /// This device's Automerge actor id (hex).
    pub device: String,
    /// This device's libp2p PeerId.
    #[serde(default)]
    pub peer_id: String,
    /// Plans stored.
    pub plans_stored: usize,
    /// Plans currently loaded in memory.
    pub plans_loaded: usize,
    /// Addresses the daemon listens on for peers.
    #[serde(default)]
    pub listen: Vec<String>,
    /// Known peers.
    #[serde(default)]
    pub peers: Vec<PeerInfo>,
    /// Every device that is a member of a plan stored here (other than this one).
    #[serde(default)]
    pub member_devices: Vec<String>,
    /// Whether this device is reachable from the internet, as AutoNAT
    /// probes by other peers found: `public`, `private` or `unknown`.
    #[serde(default)]
    pub nat: String,
    /// The relays this daemon keeps a reservation on.
    #[serde(default)]
    pub relays: Vec<RelayInfo>,
    /// Listen addresses that could not be bound, or failed later, with why.
    #[serde(default)]
    pub listen_errors: Vec<String>,
}

/// A relay this daemon uses (`relays` in the config, or from a ticket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    /// The relay's address (ends in `/p2p/<relay-id>`).
    pub addr: String,
    /// Whether a reservation is held now: members can reach this device through it.
    pub reserved: bool,
    /// The relayed addresses this device is reachable at through it.
    #[serde(default)]
    pub circuit_addrs: Vec<String>,
    /// The last failure to reserve, if any.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it happened.
    #[serde(default)]
    pub last_error_at: Option<Timestamp>,
}

/// Something that happened, streamed by `tandem watch` as one JSON line each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchEvent {
    /// An edit made on this device is durable.
    LocalChange {
        /// The plan.
        plan: String,
        /// The change message, e.g. `goal add: Pass the MLS exam`.
        message: String,
        /// The id of the object created, changed or removed, if any.
        item: Option<String>,
        /// This device's PeerId.
        device: String,
        /// When.
        time: Timestamp,
    },
    /// Changes from a peer are applied and durable.
    RemoteChange {
        /// The plan.
        plan: String,
        /// The messages of the changes, oldest first.
        messages: Vec<String>,
        /// What the changes touched, in the order first touched.
        #[serde(default)]
        items: Vec<Touched>,
        /// The PeerIds of the devices that made the changes (their authors),
        /// which may differ from `from` when changes are relayed.
        #[serde(default)]
        authors: Vec<String>,
        /// The PeerId of the device that sent them.
        from: String,
        /// When.
        time: Timestamp,
    },
    /// A connection to a peer is up.
    PeerConnected {
        /// Its PeerId.
        peer: String,
        /// When.
        time: Timestamp,
    },
    /// The connection to a peer is gone.
    PeerDisconnected {
        /// Its PeerId.
        peer: String,
        /// When.
        time: Timestamp,
    },
    /// A device this one shares no plan with offered a plan; it waits for
    /// consent (`tandem plan pending`).
    PlanOffered {
        /// The plan.
        plan: String,
        /// Its title.
        title: String,
        /// The offering device.
        from: String,
        /// When.
        time: Timestamp,
    },
    /// A peer now has every change of a plan that we have.
    SyncComplete {
        /// The plan.
        plan: String,
        /// Its PeerId.
        peer: String,
        /// When.
        time: Timestamp,
    },
}

impl WatchEvent {
    /// The plan the event concerns, if any.
    pub fn plan(&self) -> Option<&str> {
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
    /// What kind of thing: `plan` (its own fields), `agreement`, `goal`,
    /// `action`, `meeting`, `feedback`, `note`, `contact`, `competency`,
    /// `ce`, `certification` or `member`.
    pub kind: crate::items::ItemKind,
    /// The item's id (a PeerId for a member); `None` for `plan` and `agreement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// How far connected member devices are in syncing one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSync {
    /// The plan.
    pub plan: String,
    /// One entry per connected member device.
    pub peers: Vec<PeerSync>,
}

/// How far one peer is in syncing a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSync {
    /// Its PeerId.
    pub peer: String,
    /// Whether it has every change we have.
    pub in_sync: bool,
    /// How many of our changes it is not known to have.
    pub pending: usize,
}

/// What an invitation is to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// The role granted (for a link: ignored, the person's own role is used).
    pub role: crate::model::Role,
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
    pub plan: String,
    /// Invite or device link.
    pub kind: crate::ticket::TicketKind,
    /// The role it grants.
    pub role: crate::model::Role,
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

/// A peer the daemon knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Its PeerId.
    pub peer: String,
    /// Whether a connection is up.
    pub connected: bool,
    /// The address of the connection, or the last one dialed.
    pub addr: String,
    /// When it was last connected.
    pub last_seen: Option<Timestamp>,
    /// Sync payload bytes sent to it since the daemon started
    /// ([`crate::peer::PeerMessage::payload_len`]).
    #[serde(default)]
    pub sync_sent: u64,
    /// Sync payload bytes received from it since the daemon started.
    #[serde(default)]
    pub sync_received: u64,
    /// Whether it is a member device of any plan stored here; a peer that is
    /// not is untrusted (`tandem peer list --pending`).
    #[serde(default)]
    pub member: bool,
    /// How the connection runs, when connected: `direct` or `relayed`.
    #[serde(default)]
    pub link: Option<String>,
    /// The relay (its PeerId) of a relayed connection.
    #[serde(default)]
    pub relay: Option<String>,
    /// The last failure to connect, if any.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it happened.
    #[serde(default)]
    pub last_error_at: Option<Timestamp>,
    /// Its clock minus this device's, in milliseconds, as measured from the
    /// last sync message it sent (network delay included: a few ms).
    #[serde(default)]
    pub clock_skew_ms: Option<i64>,
    /// Whether it was added by hand (`tandem peer add`, the config's `peers`).
    #[serde(default)]
    pub manual: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GoalStatus;

    /// The bytes a version 2 client writes; a change of them is a new
    /// protocol version (the handshake refuses a client of another one).
    #[test]
    fn v2_request_bytes_decode() {
        let bytes = br#"{"edit":{"plan":"ab12","edit":{"goal":{"op":"edit","goal":"9f","patch":{"status":"done","progress":null}}}}}"#;
        let req: Request = serde_json::from_slice(bytes).unwrap();
        let Request::Edit {
            plan,
            edit: Edit::Goal(crate::edit::GoalOp::Edit { goal, patch }),
        } = &req
        else {
            panic!("wrong variant")
        };
        assert_eq!(plan.as_deref(), Some("ab12"));
        assert_eq!(goal, "9f");
        assert_eq!(patch.status, Some(GoalStatus::Done));
        assert_eq!(patch.progress, Some(None));
        assert_eq!(serde_json::to_vec(&req).unwrap(), bytes.to_vec(), "written the same way");
        // Version 1's flat form is not version 2's: such a client is refused at the handshake.
        let v1 = br#"{"edit":{"plan":"ab12","edit":{"op":"goal_edit","goal":"9f","patch":{}}}}"#;
        assert!(serde_json::from_slice::<Request>(v1).is_err());
        let list: Request = serde_json::from_slice(br#""plan_list""#).unwrap();
        assert_eq!(list, Request::PlanList);
    }
}
