//! Messages between member devices (the peer wire protocol).
//!
//! Spoken on the libp2p protocol [`SYNC_PROTOCOL`]. Each message concerns
//! one plan; the Automerge sync protocol runs per (peer, plan), multiplexed
//! over one connection. Messages for one peer that are ready together travel
//! as one [`Envelope`] (one request, one stream), so a device sharing
//! hundreds of plans does not open hundreds of streams at once. Encoded with
//! CBOR; an envelope larger than [`MAX_MESSAGE`] is refused by the codec
//! before it is decoded.

use serde::{Deserialize, Serialize};

use crate::ids::{PeerId, PlanId};

/// The versioned libp2p protocol id of plan sync.
pub const SYNC_PROTOCOL: &str = "/tandem/sync/2";

/// Largest encoded peer message accepted or sent. A larger backlog is sent
/// in several messages, as the Automerge sync protocol does by itself.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// The versioned libp2p protocol id of joining a plan with a ticket.
pub const JOIN_PROTOCOL: &str = "/tandem/join/1";

/// Largest encoded join request or reply.
pub const MAX_JOIN_MESSAGE: usize = 16 * 1024;

/// A device asks to join a plan, proving it holds a ticket's secret. Sent
/// over the encrypted, authenticated connection: the inviter learns the
/// joiner's PeerId from the connection, not from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The plan the ticket names.
    pub plan: PlanId,
    /// The inviter the ticket names (checked against the device that answers).
    pub inviter: PeerId,
    /// The ticket's secret.
    #[serde(with = "serde_bytes")]
    pub secret: Vec<u8>,
    /// The joiner's name (ignored for a device link, which copies the person's).
    pub name: String,
    /// A label for the joining device.
    pub device: String,
    /// The joiner's clock when it asked (ms since the epoch), so the
    /// inviter can tell a wrong clock from an expired invitation.
    #[serde(default)]
    pub now_ms: Option<u64>,
}

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRefusal {
    /// No invitation with that secret here.
    Unknown,
    /// The invitation has expired.
    Expired,
    /// The invitation was used as often as it allows.
    UsedUp,
    /// The invitation was revoked.
    Revoked,
    /// The ticket names another plan than the invitation.
    WrongPlan,
    /// The ticket names another inviting device.
    WrongInviter,
    /// Too many failed attempts from this device; try later.
    RateLimited,
    /// The inviting device may no longer add members (its role changed, or the plan is gone).
    NotAllowed,
}

/// The inviter's answer to a [`JoinRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinReply {
    /// The joiner is now a member; the plan follows over sync.
    Joined {
        /// The plan's title.
        title: String,
        /// The role granted.
        role: crate::model::Role,
        /// The name the member was added with.
        name: String,
        /// The inviter's clock when it answered (ms since the epoch).
        #[serde(default)]
        now_ms: Option<u64>,
    },
    /// Refused; nothing was changed.
    Refused {
        /// Why, for programs.
        reason: JoinRefusal,
        /// Why, for people.
        message: String,
        /// The inviter's clock when it answered (ms since the epoch).
        #[serde(default)]
        now_ms: Option<u64>,
    },
}

/// Messages are packed into one envelope up to this many payload bytes; a
/// larger message travels alone.
pub const PACK_BYTES: usize = 1024 * 1024;

/// One request on the wire: messages for one peer, in the order they were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The messages.
    pub messages: Vec<PeerMessage>,
    /// The sender's clock when it sent them (ms since the epoch), so each
    /// side can measure how far apart their clocks are. Absent from
    /// envelopes of older builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at_ms: Option<u64>,
}

impl Envelope {
    /// Packs `messages` (all for one peer) into envelopes of at most
    /// [`PACK_BYTES`] of payload each, keeping their order.
    pub fn pack(messages: impl IntoIterator<Item = PeerMessage>) -> Vec<Envelope> {
        let mut out: Vec<Envelope> = Vec::new();
        let mut size = 0;
        for m in messages {
            let len = m.payload_len();
            match out.last_mut() {
                Some(env) if size + len <= PACK_BYTES => {
                    size += len;
                    env.messages.push(m);
                }
                _ => {
                    size = len;
                    out.push(Envelope {
                        messages: vec![m],
                        sent_at_ms: None,
                    });
                }
            }
        }
        out
    }
}

/// A message from one member device to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerMessage {
    /// One encoded Automerge sync message for a plan.
    Sync {
        /// The plan id.
        plan: PlanId,
        /// `automerge::sync::Message::encode()` bytes.
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// The plan is not shared with the receiver (or does not exist): nothing more will come.
    Unavailable {
        /// The plan id.
        plan: PlanId,
    },
    /// The sender dropped its in-flight state for the plan (a timeout or a
    /// refused message); the receiver should do the same and start over.
    Reset {
        /// The plan id.
        plan: PlanId,
    },
}

impl PeerMessage {
    /// Its payload size in bytes: the plan id plus the Automerge sync message.
    /// (The CBOR framing adds a few bytes; transport framing is not counted.)
    pub fn payload_len(&self) -> usize {
        match self {
            PeerMessage::Sync { plan, data } => plan.len() + data.len(),
            PeerMessage::Unavailable { plan } | PeerMessage::Reset { plan } => plan.len(),
        }
    }

    /// The plan the message is about.
    pub fn plan(&self) -> &str {
        match self {
            PeerMessage::Sync { plan, .. }
            | PeerMessage::Unavailable { plan }
            | PeerMessage::Reset { plan } => plan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(plan: &str, len: usize) -> PeerMessage {
        PeerMessage::Sync {
            plan: plan.into(),
            data: vec![0; len],
        }
    }

    #[test]
    fn packing_keeps_order_and_bounds_each_envelope() {
        let id = "00000000000000a1";
        assert!(Envelope::pack(Vec::new()).is_empty());
        let small: Vec<PeerMessage> = (0..300).map(|_| sync(id, 100)).collect();
        let packed = Envelope::pack(small.clone());
        assert_eq!(packed.len(), 1, "300 small messages travel together");
        assert_eq!(packed[0].messages, small);

        let big = PACK_BYTES; // larger than the budget with its plan id: alone
        let msgs = vec![
            sync(id, 10),
            sync(id, big),
            PeerMessage::Reset { plan: id.into() },
            sync(id, PACK_BYTES / 2),
            sync(id, PACK_BYTES / 2),
        ];
        let packed = Envelope::pack(msgs.clone());
        let flat: Vec<PeerMessage> = packed.iter().flat_map(|e| e.messages.clone()).collect();
        assert_eq!(flat, msgs, "order is kept");
        assert_eq!(packed.len(), 4);
        for env in &packed {
            let payload: usize = env.messages.iter().map(PeerMessage::payload_len).sum();
            assert!(env.messages.len() == 1 || payload <= PACK_BYTES);
        }
    }
}
