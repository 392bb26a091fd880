//! The client side of the network task: [`NetHandle`] sends it
//! [`NetCommand`]s (dial, forget, join) and reads a [`NetStatus`] snapshot
//! that the task publishes.

use std::sync::{Arc, Mutex};

use libp2p::{Multiaddr, PeerId};
use tandem_proto::api::PeerInfo;
use tokio::sync::mpsc;

use super::JoinResult;

/// A command for the network task.
#[derive(Debug)]
pub enum NetCommand {
    /// Dial (and keep redialing) a peer.
    Dial(PeerId, Multiaddr),
    /// Stop dialing a peer and close its connections.
    Forget(PeerId),
    /// Use a relay too (learned from a ticket): reserve on it, dial through it.
    AddRelay(Multiaddr),
    /// Ask `peer` (dialing it at the addresses) to let this device join.
    Join {
        /// The inviter.
        peer: PeerId,
        /// Where it listens.
        addrs: Vec<Multiaddr>,
        /// The request.
        req: tandem_proto::peer::JoinRequest,
        /// Where the answer goes.
        reply: tokio::sync::oneshot::Sender<JoinResult>,
    },
}

/// What the network task shows `tandem status`.
#[derive(Debug, Default, Clone)]
pub struct NetStatus {
    /// Listen addresses.
    pub listen: Vec<String>,
    /// Known peers.
    pub peers: Vec<PeerInfo>,
    /// AutoNAT's verdict: `public`, `private` or `unknown`.
    pub nat: tandem_proto::api::Nat,
    /// Relays and their reservations.
    pub relays: Vec<tandem_proto::api::RelayInfo>,
    /// Listen addresses that failed.
    pub listen_errors: Vec<String>,
}

/// The client side of the network task.
#[derive(Debug, Clone)]
pub struct NetHandle {
    pub(super) cmds: mpsc::Sender<NetCommand>,
    pub(super) status: Arc<Mutex<NetStatus>>,
}

impl NetHandle {
    /// Asks the network to dial `addr`, which must end in `/p2p/<peer-id>`.
    pub async fn dial(&self, addr: &str) -> Result<PeerId, String> {
        let addr: Multiaddr = addr
            .parse()
            .map_err(|e| format!("invalid multiaddr '{addr}': {e}"))?;
        let Some(libp2p::multiaddr::Protocol::P2p(peer)) = addr.iter().last() else {
            return Err(format!("'{addr}' must end in /p2p/<peer-id>"));
        };
        self.cmds
            .send(NetCommand::Dial(peer, addr))
            .await
            .map_err(|_| "the network is shutting down".to_string())?;
        Ok(peer)
    }

    /// Asks the network to forget a peer.
    pub async fn forget(&self, peer: &str) -> Result<(), String> {
        let peer: PeerId = peer
            .parse()
            .map_err(|e| format!("'{peer}' is not a PeerId: {e}"))?;
        self.cmds
            .send(NetCommand::Forget(peer))
            .await
            .map_err(|_| "the network is shutting down".to_string())
    }

    /// Starts using the relays that relayed addresses (from a ticket) go through.
    pub async fn adopt_relays(&self, addrs: &[String]) {
        for addr in addrs.iter().filter_map(|a| a.parse::<Multiaddr>().ok()) {
            if let Some(relay) = super::reach::relay_part(&addr) {
                let _ = self.cmds.send(NetCommand::AddRelay(relay)).await;
            }
        }
    }

    /// Asks the inviter named by a ticket to let this device join; waits for its answer.
    pub async fn join(
        &self,
        peer: &str,
        addrs: &[String],
        req: tandem_proto::peer::JoinRequest,
    ) -> JoinResult {
        let peer: PeerId = peer
            .parse()
            .map_err(|e| format!("the ticket's inviter '{peer}' is not a PeerId: {e}"))?;
        let addrs = addrs
            .iter()
            .filter_map(|a| a.parse::<Multiaddr>().ok())
            .collect();
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.cmds
            .send(NetCommand::Join {
                peer,
                addrs,
                req,
                reply,
            })
            .await
            .map_err(|_| "the network is shutting down".to_string())?;
        rx.await
            .map_err(|_| "the network stopped before the inviter answered".to_string())?
    }

    /// A snapshot of the network's state.
    pub fn status(&self) -> NetStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
