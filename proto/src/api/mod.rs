//! The daemon API: the handshake, one request enum, and its responses.
//!
//! Each request is a type of its own ([`calls`]) paired with the reply it
//! gets ([`Call`]), so clients call typed methods; [`Request`] and
//! [`Response`] are how they travel. Plans are named by id or unique id
//! prefix; `None` means the current plan (`tandem plan use`), or the only
//! plan when there is exactly one.

mod calls;
mod events;
mod replies;
mod shared;
mod status;

use serde::{Deserialize, Serialize};

pub use calls::*;
pub use events::{Touched, WatchEvent};
pub use replies::*;
pub use shared::Shared;
pub use status::{DaemonStatus, Link, Nat, PeerInfo, RelayInfo};

use crate::edit::NewPlan;
use crate::error::ApiError;
use crate::ids::{PeerId, PlanId};
pub use crate::items::Item;
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

/// A request to the daemon, as it travels. Each gets exactly one
/// [`Response`]; the request types say which ([`Call`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// [`Status`].
    Status,
    /// [`Shutdown`].
    Shutdown,
    /// [`PlanList`].
    PlanList,
    /// [`NewPlan`].
    PlanNew(NewPlan),
    /// [`PlanImport`].
    PlanImport(PlanImport),
    /// [`PlanGet`].
    PlanGet(PlanGet),
    /// [`PlanUse`].
    PlanUse(PlanUse),
    /// [`History`].
    Log(History),
    /// [`PeerAdd`].
    PeerAdd(PeerAdd),
    /// [`PeerForget`].
    PeerForget(PeerForget),
    /// [`Watch`].
    Watch(Watch),
    /// [`SyncStatus`].
    SyncStatus(SyncStatus),
    /// [`NewInvite`].
    InviteNew(NewInvite),
    /// [`InviteList`].
    InviteList(InviteList),
    /// [`InviteRevoke`].
    InviteRevoke(InviteRevoke),
    /// [`Join`].
    Join(Join),
    /// [`BundleExport`].
    BundleExport(BundleExport),
    /// [`BundleImport`].
    BundleImport(BundleImport),
    /// [`PlanPending`].
    PlanPending,
    /// [`PlanAccept`].
    PlanAccept(PlanAccept),
    /// [`PlanDecline`].
    PlanDecline(PlanDecline),
    /// [`PlanEdit`].
    Edit(PlanEdit),
    /// [`Undo`].
    Undo(Undo),
    /// [`UndoList`].
    UndoList(UndoList),
    /// [`Resolve`].
    Resolve(Resolve),
}

/// The daemon's reply to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Reply to [`Status`].
    Status(DaemonStatus),
    /// Reply to [`Shutdown`].
    ShuttingDown,
    /// First reply to [`Watch`]; events follow.
    Watching,
    /// One event of a [`Watch`] stream.
    Event(WatchEvent),
    /// Reply to [`SyncStatus`].
    Sync(PlanSync),
    /// Reply to [`PeerForget`].
    Forgotten {
        /// The peer.
        peer: PeerId,
    },
    /// Reply to [`PeerAdd`]: the dial was started.
    Dialing {
        /// The peer being dialed.
        peer: PeerId,
    },
    /// Reply to [`PlanList`].
    Plans(Shared<Vec<PlanSummary>>),
    /// Reply to [`PlanGet`], [`NewPlan`], [`PlanImport`], [`PlanUse`] and [`PlanAccept`].
    Plan(Shared<Plan>),
    /// Reply to [`History`].
    Log(Vec<LogEntry>),
    /// Reply to [`PlanEdit`]: the created or updated object, now durable.
    Edited(Item),
    /// Reply to [`NewInvite`] (with the ticket) and [`InviteRevoke`].
    Invite(InviteInfo),
    /// Reply to [`InviteList`].
    Invites(Vec<InviteInfo>),
    /// Reply to [`Join`]: this device is a member; the plan follows.
    Joined(Joined),
    /// Reply to [`PlanPending`], oldest first.
    Offers(Vec<PlanOffer>),
    /// Reply to [`PlanAccept`] for a plan that has not arrived yet: it will
    /// be stored when one of its members sends it.
    AcceptedAhead {
        /// The plan.
        plan: PlanId,
    },
    /// Reply to [`PlanDecline`].
    Declined(Declined),
    /// Reply to [`BundleExport`].
    Bundle(BundleOut),
    /// Reply to [`BundleImport`].
    BundleImported(BundleIn),
    /// Reply to [`Undo`], once durable.
    Undone(Undone),
    /// Reply to [`UndoList`].
    Undoable(Vec<Undoable>),
    /// Reply to [`Resolve`], once durable.
    Resolved(Resolved),
    /// The request failed; nothing was changed.
    Error(ApiError),
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
        let Request::Edit(PlanEdit {
            plan,
            edit: crate::edit::Edit::Goal(crate::edit::GoalOp::Edit { goal, patch }),
        }) = &req
        else {
            panic!("wrong variant")
        };
        assert_eq!(plan.as_deref(), Some("ab12"));
        assert_eq!(goal, "9f");
        assert_eq!(patch.status, Some(GoalStatus::Done));
        assert_eq!(patch.progress, Some(None));
        assert_eq!(
            serde_json::to_vec(&req).unwrap(),
            bytes.to_vec(),
            "written the same way"
        );
        // Version 1's flat form is not version 2's: such a client is refused at the handshake.
        let v1 = br#"{"edit":{"plan":"ab12","edit":{"op":"goal_edit","goal":"9f","patch":{}}}}"#;
        assert!(serde_json::from_slice::<Request>(v1).is_err());
        let list: Request = serde_json::from_slice(br#""plan_list""#).unwrap();
        assert_eq!(list, Request::PlanList);
    }
}
