//! What `tandem status` and `tandem doctor` read: the daemon, its peers,
//! its relays and how reachable it is.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::PeerId;
use crate::string_enum;

string_enum!(
    /// Whether this device is reachable from the internet, as AutoNAT
    /// probes by other peers found.
    Nat, "NAT status", {
    /// Peers could dial it back: it is reachable.
    Public => "public",
    /// Dial-backs failed: it sits behind NAT or a firewall.
    Private => "private",
    /// Not enough probes yet.
    Unknown => "unknown",
});

// The enum comes from `string_enum!`, which derives no `Default`.
#[allow(clippy::derivable_impls)]
impl Default for Nat {
    fn default() -> Nat {
        Nat::Unknown
    }
}

string_enum!(
    /// How a connection to a peer runs.
    Link, "link", {
    /// Straight to the peer.
    Direct => "direct",
    /// Through a relay, which sees only encrypted bytes.
    Relayed => "relayed",
});

/// Reply to [`super::Request::Status`].
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
    /// The local web app's address (`http://127.0.0.1:PORT`), when served.
    #[serde(default)]
    pub ui: Option<String>,
    /// This device's Automerge actor id (hex).
    pub device: String,
    /// This device's libp2p PeerId.
    #[serde(default)]
    pub peer_id: PeerId,
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
    pub member_devices: Vec<PeerId>,
    /// Whether this device is reachable from the internet.
    #[serde(default)]
    pub nat: Nat,
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

/// A peer the daemon knows of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Its PeerId.
    pub peer: PeerId,
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
    /// How the connection runs, when connected.
    #[serde(default)]
    pub link: Option<Link>,
    /// The relay of a relayed connection.
    #[serde(default)]
    pub relay: Option<PeerId>,
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
