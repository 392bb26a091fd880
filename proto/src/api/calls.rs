//! Each request as a type of its own, paired with the one reply it gets.
//!
//! A client calls `client.call(PlanGet { plan })` and gets a `Box<Plan>`
//! back, not a [`Response`] to match: [`Call::reply`] knows which variant
//! answers which request, written once, here. The daemon matches on the
//! same types inside [`super::Request`].

use serde::{Deserialize, Serialize};

use super::replies::{
    Accepted, BundleIn, BundleOut, Declined, InviteInfo, Joined, NewInvite, PlanOffer, PlanSync,
    Resolved, Undoable, Undone,
};
use super::{DaemonStatus, Request, Response};
use crate::edit::{Edit, NewPlan};
use crate::ids::PeerId;
use crate::items::Item;
use crate::model::{LogEntry, Plan, PlanSummary};

/// A request with the reply it gets.
pub trait Call: Into<Request> {
    /// What a successful reply carries.
    type Reply;
    /// What the request is, for a message about a reply of the wrong kind.
    const WHAT: &'static str;
    /// Takes the reply out of `r`; gives `r` back when it is of another kind.
    fn reply(r: Response) -> Result<Self::Reply, Box<Response>>;
}

/// Declares which [`Request`] variant carries a request type and which
/// [`Response`] variant answers it:
/// `pair!(PlanGet => PlanGet; Box<Plan>, "plan show", Response::Plan(p) => Box::new(p.into_inner()))`
/// (with `unit` first for a request without fields).
macro_rules! pair {
    (unit $req:ident => $variant:ident; $($rest:tt)*) => {
        impl From<$req> for Request {
            fn from(_: $req) -> Request {
                Request::$variant
            }
        }
        pair!(@call $req; $($rest)*);
    };
    ($req:ident => $variant:ident; $($rest:tt)*) => {
        impl From<$req> for Request {
            fn from(r: $req) -> Request {
                Request::$variant(r)
            }
        }
        pair!(@call $req; $($rest)*);
    };
    (@call $req:ident; $reply:ty, $what:literal, $pat:pat => $out:expr) => {
        impl Call for $req {
            type Reply = $reply;
            const WHAT: &'static str = $what;
            fn reply(r: Response) -> Result<$reply, Box<Response>> {
                match r {
                    $pat => Ok($out),
                    other => Err(Box::new(other)),
                }
            }
        }
    };
}

/// How the daemon is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status;
pair!(unit Status => Status; DaemonStatus, "status", Response::Status(s) => s);

/// Stop the daemon gracefully (after replying).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shutdown;
pair!(unit Shutdown => Shutdown; (), "shutdown", Response::ShuttingDown => ());

/// Every stored plan, from the index (no document is loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanList;
pair!(unit PlanList => PlanList; Vec<PlanSummary>, "plan list", Response::Plans(p) => p.into_inner());

/// Plans offered by devices this one shares no plan with, waiting for
/// consent (`tandem plan pending`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPending;
pair!(unit PlanPending => PlanPending; Vec<PlanOffer>, "plan pending", Response::Offers(o) => o);

// Create a plan; it becomes the current plan.
pair!(NewPlan => PlanNew; Box<Plan>, "plan new", Response::Plan(p) => Box::new(p.into_inner()));

/// Create a plan from an export (`tandem import`): a new id, this device
/// its only member (as mentor), every item with its id and times. It
/// becomes the current plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanImport(pub Box<Plan>);
pair!(PlanImport => PlanImport; Box<Plan>, "import", Response::Plan(p) => Box::new(p.into_inner()));

/// A whole plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanGet {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
}
pair!(PlanGet => PlanGet; Box<Plan>, "plan show", Response::Plan(p) => Box::new(p.into_inner()));

/// Make a plan the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanUse {
    /// Plan id or prefix.
    pub plan: String,
}
pair!(PlanUse => PlanUse; Box<Plan>, "plan use", Response::Plan(p) => Box::new(p.into_inner()));

/// Store an offered plan as a plan here (`tandem plan accept`); given the
/// whole id of a plan not offered yet, accept it ahead of its arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAccept {
    /// The offered plan's id (or a unique prefix).
    pub plan: String,
}

impl From<PlanAccept> for Request {
    fn from(r: PlanAccept) -> Request {
        Request::PlanAccept(r)
    }
}

impl Call for PlanAccept {
    type Reply = Accepted;
    const WHAT: &'static str = "plan accept";
    fn reply(r: Response) -> Result<Accepted, Box<Response>> {
        match r {
            Response::Plan(p) => Ok(Accepted::Stored(Box::new(p.into_inner()))),
            Response::AcceptedAhead { plan } => Ok(Accepted::Ahead(plan)),
            other => Err(Box::new(other)),
        }
    }
}

/// Forget an offered plan and refuse it from then on (`tandem plan decline`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDecline {
    /// The offered plan's id (or a unique prefix).
    pub plan: String,
}
pair!(PlanDecline => PlanDecline; Declined, "plan decline", Response::Declined(d) => d);

/// A plan's history, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// At most this many entries.
    pub limit: Option<usize>,
    /// Only the changes that touched this item (id or prefix, any kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}
pair!(History => Log; Vec<LogEntry>, "log", Response::Log(l) => l);

/// Change a plan. Replied to only once the change is durable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEdit {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// What to change.
    pub edit: Edit,
}
pair!(PlanEdit => Edit; Item, "edit", Response::Edited(i) => i);

/// Revert this device's last change to a plan that is not undone yet, as
/// a new change (which syncs like any edit). Replied to once it is durable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undo {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// A change id (hash) or prefix, as `tandem log` shows it; `None` for
    /// this device's newest change that is not undone yet.
    #[serde(default)]
    pub change: Option<String>,
}
pair!(Undo => Undo; Undone, "undo", Response::Undone(u) => u);

/// Keep the current value of every field of an item that two devices
/// changed at the same time, so it is no longer marked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolve {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// The item's id or prefix (any kind).
    pub item: String,
}
pair!(Resolve => Resolve; Resolved, "resolve", Response::Resolved(r) => r);

/// This device's recent changes to a plan that `undo` would revert, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoList {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
}
pair!(UndoList => UndoList; Vec<Undoable>, "undo list", Response::Undoable(u) => u);

/// Dial a peer at a multiaddr ending in `/p2p/<peer-id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerAdd {
    /// The address.
    pub addr: String,
}
pair!(PeerAdd => PeerAdd; PeerId, "peer add", Response::Dialing { peer } => peer);

/// Stop dialing a peer and drop it from the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerForget {
    /// Its PeerId.
    pub peer: String,
}
pair!(PeerForget => PeerForget; PeerId, "peer forget", Response::Forgotten { peer } => peer);

/// Stream [`super::WatchEvent`]s (as [`Response::Event`] frames) until the
/// client hangs up. The reply is the first frame; events follow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    /// Only events of this plan (id or prefix).
    pub plan: Option<String>,
}
pair!(Watch => Watch; (), "watch", Response::Watching => ());

/// How far each connected member device is in syncing a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
}
pair!(SyncStatus => SyncStatus; PlanSync, "sync status", Response::Sync(s) => s);

// Create an invitation to a plan (or a device link), answered with its ticket.
pair!(NewInvite => InviteNew; InviteInfo, "invite", Response::Invite(i) => i);

/// The invitations of a plan (`None`: every plan).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteList {
    /// Plan id or prefix.
    pub plan: Option<String>,
}
pair!(InviteList => InviteList; Vec<InviteInfo>, "invite list", Response::Invites(i) => i);

/// Revoke an invitation: no join with it succeeds afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRevoke {
    /// The invitation's id (or a unique prefix).
    pub id: String,
}
pair!(InviteRevoke => InviteRevoke; InviteInfo, "invite revoke", Response::Invite(i) => i);

/// Join a plan with a ticket: dial the inviter, prove the secret, become
/// a member. Replied to once the inviter accepted or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Join {
    /// The ticket line.
    pub ticket: String,
    /// The joiner's name (for a device link, the person's name is kept).
    #[serde(default)]
    pub name: String,
    /// A label for this device.
    #[serde(default)]
    pub device: String,
}
pair!(Join => Join; Joined, "join", Response::Joined(j) => j);

/// Make a signed bundle of a plan for a device that is never online
/// (`tandem bundle export`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleExport {
    /// Plan id or prefix; `None` for the current plan.
    pub plan: Option<String>,
    /// Only what this member device (PeerId or prefix) is not known to
    /// have; `None` for the whole plan.
    pub for_peer: Option<String>,
}
pair!(BundleExport => BundleExport; BundleOut, "bundle export", Response::Bundle(b) => b);

/// Check a bundle's signature against the plan's members and merge it
/// (`tandem bundle import`). Replied to once the merge is durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleImport {
    /// The bundle file, base64.
    pub data: String,
}
pair!(BundleImport => BundleImport; BundleIn, "bundle import", Response::BundleImported(b) => b);
