//! What the engine is asked: the client requests it owns, as reads and
//! writes. The server routes every [`Request`] ([`crate::server`]); those
//! about the network (dialing, joining, watching) never reach the engine,
//! so the engine has no "not mine" answers to give.

use tandem_proto::api::{
    BundleExport, BundleImport, History, InviteList, InviteRevoke, NewInvite, PlanAccept,
    PlanDecline, PlanEdit, PlanGet, PlanImport, PlanUse, Resolve, SyncStatus, Undo, UndoList,
};
use tandem_proto::edit::NewPlan;

/// A client request the engine answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// Answered from what is durable; commits the open batch first.
    Read(Read),
    /// Staged in the open batch; answered once it is durable.
    Write(Write),
}

/// Requests that change nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// The engine's part of the daemon's status (the server adds the network's).
    Status,
    /// Every stored plan.
    PlanList,
    /// A whole plan.
    PlanGet(PlanGet),
    /// A plan's history.
    Log(History),
    /// How far member devices are in syncing a plan.
    SyncStatus(SyncStatus),
    /// A plan's invitations.
    InviteList(InviteList),
    /// Plans offered by strangers.
    PlanPending,
    /// A signed bundle of a plan.
    BundleExport(BundleExport),
    /// What this device could undo in a plan.
    UndoList(UndoList),
}

/// Requests that change plans or the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Create a plan.
    PlanNew(NewPlan),
    /// Create a plan from an export.
    PlanImport(PlanImport),
    /// Merge a bundle.
    BundleImport(BundleImport),
    /// Make a plan the current one.
    PlanUse(PlanUse),
    /// Store an offered plan.
    PlanAccept(PlanAccept),
    /// Refuse an offered plan.
    PlanDecline(PlanDecline),
    /// Change a plan.
    Edit(PlanEdit),
    /// Revert this device's last change to a plan.
    Undo(Undo),
    /// Keep the current values of an item's conflicted fields.
    Resolve(Resolve),
    /// Make an invitation (its addresses filled in by the server).
    InviteNew(NewInvite),
    /// Revoke an invitation.
    InviteRevoke(InviteRevoke),
}

impl From<Read> for Ask {
    fn from(r: Read) -> Ask {
        Ask::Read(r)
    }
}

impl From<Write> for Ask {
    fn from(w: Write) -> Ask {
        Ask::Write(w)
    }
}
