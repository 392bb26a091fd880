//! Reaching peers across networks: relay reservations, relayed addresses,
//! and telling direct links from relayed ones.
//!
//! A daemon with relays configured (or learned from a ticket) listens on
//! `<relay>/p2p-circuit` on each: the relay client makes a reservation, and
//! the relayed address it reports is advertised to peers through identify
//! and put in invitation tickets. A reservation that is refused or lost (the
//! relay restarted) is asked for again with capped exponential backoff.
//! Dials to a peer try its direct address, the relayed addresses it
//! advertised, and a circuit through each of our relays, so a member whose
//! home IP changed is found again through the relay they share.

use std::time::{Duration, Instant};

use libp2p::core::ConnectedPoint;
use libp2p::core::transport::ListenerId;
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId, Swarm};
use tandem_proto::api::RelayInfo;

/// Longest wait between two reservation attempts on one relay.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The relay's PeerId in a relay address (`.../p2p/<relay>`), or in a
/// relayed address (the `/p2p/` before `/p2p-circuit`).
pub fn relay_of(addr: &Multiaddr) -> Option<PeerId> {
    let mut last = None;
    for p in addr.iter() {
        match p {
            Protocol::P2p(id) => last = Some(id),
            Protocol::P2pCircuit => return last,
            _ => {}
        }
    }
    None
}

/// Whether an address goes through a relay.
pub fn is_circuit(addr: &Multiaddr) -> bool {
    addr.iter().any(|p| p == Protocol::P2pCircuit)
}

/// The relay part of a relayed address: everything before `/p2p-circuit`.
pub fn relay_part(addr: &Multiaddr) -> Option<Multiaddr> {
    let mut out = Multiaddr::empty();
    for p in addr.iter() {
        if p == Protocol::P2pCircuit {
            return matches!(out.iter().last(), Some(Protocol::P2p(_))).then_some(out);
        }
        out.push(p);
    }
    None
}

/// How one connection runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Straight to the peer.
    Direct,
    /// Through a relay (named, if the address says which).
    Relayed(Option<PeerId>),
}

/// How the connection at `endpoint` runs.
pub fn link_of(endpoint: &ConnectedPoint) -> Link {
    let addr = match endpoint {
        ConnectedPoint::Dialer { address, .. } => address,
        ConnectedPoint::Listener { local_addr, .. } => local_addr,
    };
    if endpoint.is_relayed() {
        Link::Relayed(relay_of(addr))
    } else {
        Link::Direct
    }
}

/// One relay and our reservation on it.
#[derive(Debug)]
struct Relay {
    addr: Multiaddr,
    peer: PeerId,
    listener: Option<ListenerId>,
    reserved: bool,
    circuit_addrs: Vec<Multiaddr>,
    next_try: Instant,
    backoff: Duration,
    last_error: Option<(String, jiff::Timestamp)>,
}

/// Every relay this daemon uses.
#[derive(Debug, Default)]
pub struct Relays {
    relays: Vec<Relay>,
}

impl Relays {
    /// Adds a relay (an address ending in `/p2p/<relay-id>`); false if it
    /// has no PeerId or is known already.
    pub fn add(&mut self, addr: Multiaddr) -> bool {
        let Some(Protocol::P2p(peer)) = addr.iter().last() else {
            return false;
        };
        if self.relays.iter().any(|r| r.peer == peer) {
            return false;
        }
        self.relays.push(Relay {
            addr,
            peer,
            listener: None,
            reserved: false,
            circuit_addrs: Vec::new(),
            next_try: Instant::now(),
            backoff: Duration::from_secs(1),
            last_error: None,
        });
        true
    }

    /// Whether `peer` is one of our relays (not a member device).
    pub fn is_relay(&self, peer: &PeerId) -> bool {
        self.relays.iter().any(|r| r.peer == *peer)
    }

    /// The relays' addresses (to use them as AutoNAT servers).
    pub fn addrs(&self) -> impl Iterator<Item = (PeerId, &Multiaddr)> {
        self.relays.iter().map(|r| (r.peer, &r.addr))
    }

    /// Asks for the reservations that are due.
    pub fn tick<B: libp2p::swarm::NetworkBehaviour>(&mut self, swarm: &mut Swarm<B>) {
        let now = Instant::now();
        for r in self
            .relays
            .iter_mut()
            .filter(|r| r.listener.is_none() && r.next_try <= now)
        {
            r.next_try = now + r.backoff;
            r.backoff = (r.backoff * 2).min(MAX_BACKOFF);
            match swarm.listen_on(r.addr.clone().with(Protocol::P2pCircuit)) {
                Ok(id) => {
                    tracing::info!(relay = %r.addr, "asking the relay for a reservation");
                    r.listener = Some(id);
                }
                Err(e) => {
                    tracing::warn!(relay = %r.addr, error = %e, "cannot use the relay");
                    r.last_error = Some((e.to_string(), jiff::Timestamp::now()));
                }
            }
        }
    }

    fn by_listener(&mut self, id: ListenerId) -> Option<&mut Relay> {
        self.relays.iter_mut().find(|r| r.listener == Some(id))
    }

    /// A listener reported an address: a reservation, if it is a relay's.
    pub fn on_new_addr(&mut self, id: ListenerId, addr: &Multiaddr) {
        if let Some(r) = self.by_listener(id) {
            tracing::info!(relay = %r.addr, %addr, "reservation accepted: reachable through the relay");
            r.reserved = true;
            r.backoff = Duration::from_secs(1);
            if !r.circuit_addrs.contains(addr) {
                r.circuit_addrs.push(addr.clone());
            }
        }
    }

    /// A listener ended (the relay went away, or refused): try again later.
    /// `None` if it was not a relay's listener.
    pub fn on_closed(&mut self, id: ListenerId, why: Option<String>) -> Option<()> {
        let r = self.by_listener(id)?;
        {
            let why = why.unwrap_or_else(|| "the relay closed the reservation".into());
            tracing::warn!(relay = %r.addr, %why, "reservation lost");
            r.listener = None;
            r.reserved = false;
            r.circuit_addrs.clear();
            r.last_error = Some((why, jiff::Timestamp::now()));
            r.next_try = Instant::now() + r.backoff;
        }
        Some(())
    }

    /// A listener failed without closing; `None` if it was not a relay's.
    pub fn on_error(&mut self, id: ListenerId, why: String) -> Option<()> {
        let r = self.by_listener(id)?;
        r.last_error = Some((why, jiff::Timestamp::now()));
        Some(())
    }

    /// Addresses that reach `peer` through each of our relays.
    pub fn circuits_to(&self, peer: PeerId) -> impl Iterator<Item = Multiaddr> + '_ {
        self.relays.iter().map(move |r| {
            r.addr
                .clone()
                .with(Protocol::P2pCircuit)
                .with(Protocol::P2p(peer))
        })
    }

    /// What `tandem status` and `tandem doctor` show.
    pub fn info(&self) -> Vec<RelayInfo> {
        self.relays
            .iter()
            .map(|r| RelayInfo {
                addr: r.addr.to_string(),
                reserved: r.reserved,
                circuit_addrs: r.circuit_addrs.iter().map(Multiaddr::to_string).collect(),
                last_error: r.last_error.as_ref().map(|(e, _)| e.clone()),
                last_error_at: r.last_error.as_ref().map(|(_, t)| *t),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay_addr() -> (PeerId, Multiaddr) {
        let relay = PeerId::random();
        let addr: Multiaddr = format!("/ip4/203.0.113.5/tcp/4455/p2p/{relay}")
            .parse()
            .unwrap();
        (relay, addr)
    }

    #[test]
    fn relayed_addresses_name_their_relay() {
        let (relay, addr) = relay_addr();
        let me = PeerId::random();
        let circuit = addr
            .clone()
            .with(Protocol::P2pCircuit)
            .with(Protocol::P2p(me));
        assert_eq!(relay_of(&circuit), Some(relay));
        assert!(is_circuit(&circuit));
        assert_eq!(relay_part(&circuit), Some(addr.clone()));
        assert_eq!(
            relay_of(&addr),
            None,
            "a relay's own address is not relayed"
        );
        assert!(!is_circuit(&addr));
        // A circuit without the relay's PeerId cannot be dialed back.
        let bare: Multiaddr = "/ip4/203.0.113.5/tcp/4455/p2p-circuit".parse().unwrap();
        assert_eq!(relay_part(&bare), None);
    }

    #[test]
    fn relays_are_added_once_and_give_circuits_to_a_peer() {
        let mut relays = Relays::default();
        let (relay, addr) = relay_addr();
        assert!(relays.add(addr.clone()));
        assert!(!relays.add(addr.clone()), "same relay twice");
        assert!(
            !relays.add("/ip4/1.2.3.4/tcp/1".parse().unwrap()),
            "no PeerId"
        );
        assert!(relays.is_relay(&relay));
        let peer = PeerId::random();
        let circuits: Vec<Multiaddr> = relays.circuits_to(peer).collect();
        assert_eq!(circuits.len(), 1);
        assert_eq!(relay_of(&circuits[0]), Some(relay));
        assert_eq!(circuits[0].iter().last(), Some(Protocol::P2p(peer)));
        let info = relays.info();
        assert_eq!(
            (info[0].reserved, info[0].last_error.clone()),
            (false, None)
        );
    }
}
