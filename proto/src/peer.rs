//! Messages between member devices (the peer wire protocol).
//!
//! Spoken on the libp2p protocol [`SYNC_PROTOCOL`]. Each message concerns
//! one plan; the Automerge sync protocol runs per (peer, plan), multiplexed
//! over one connection. Encoded with CBOR; a message larger than
//! [`MAX_MESSAGE`] is refused by the codec before it is decoded.

use serde::{Deserialize, Serialize};

/// The versioned libp2p protocol id of plan sync.
pub const SYNC_PROTOCOL: &str = "/tandem/sync/1";

/// Largest encoded peer message accepted or sent. A larger backlog is sent
/// in several messages, as the Automerge sync protocol does by itself.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// A message from one member device to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerMessage {
    /// One encoded Automerge sync message for a plan.
    Sync {
        /// The plan id.
        plan: String,
        /// `automerge::sync::Message::encode()` bytes.
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// The plan is not shared with the receiver (or does not exist): nothing more will come.
    Unavailable {
        /// The plan id.
        plan: String,
    },
    /// The sender dropped its in-flight state for the plan (a timeout or a
    /// refused message); the receiver should do the same and start over.
    Reset {
        /// The plan id.
        plan: String,
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
