//! Connection slots: strangers cannot crowd out member devices.
//!
//! [`Gate`] is a small libp2p behaviour (in place of `connection_limits`)
//! that decides each connection once its peer is known. Trusted peers —
//! member devices, peers added by hand, our relays — always get a slot up
//! to the overall bound. A stranger's inbound connection gets one only from
//! a small budget of its own, per IP address and in total, so a LAN full of
//! strangers leaves almost every slot to members. Outbound connections are
//! ours to make (a member, a relay, an inviter) and count against the
//! overall bounds only. The decisions themselves are in [`Slots`], with no
//! libp2p in them, so they are unit-tested directly.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll};

use libp2p::PeerId;
use libp2p::core::transport::PortUse;
use libp2p::core::{Endpoint, Multiaddr};
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{
    ConnectionClosed, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm, dummy,
};

/// The bounds, in connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotLimits {
    /// Established connections in all.
    pub total: usize,
    /// Established connections to one peer (a direct and a relayed one).
    pub per_peer: usize,
    /// Inbound connections still in their handshake.
    pub pending_inbound: usize,
    /// Established inbound connections of strangers, in all.
    pub stranger_total: usize,
    /// Established inbound connections of strangers from one IP address.
    pub stranger_per_ip: usize,
}

impl Default for SlotLimits {
    fn default() -> SlotLimits {
        SlotLimits {
            total: 256,
            per_peer: 2,
            pending_inbound: 128,
            stranger_total: 32,
            stranger_per_ip: 4,
        }
    }
}

/// Why a connection got no slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Every slot is taken.
    #[error("all {0} connection slots are taken")]
    Full(usize),
    /// The peer has its connections already.
    #[error("the peer has {0} connections already")]
    PerPeer(usize),
    /// Too many handshakes at once.
    #[error("{0} connections are in their handshake already")]
    Pending(usize),
    /// Strangers' budget is spent.
    #[error("the {0} slots for devices that share no plan here are taken")]
    Strangers(usize),
    /// This address's share of the strangers' budget is spent.
    #[error(
        "{0} connections from this address by devices that share no plan here are open already"
    )]
    StrangerIp(usize),
}

#[derive(Debug, Clone)]
struct Conn {
    peer: PeerId,
    ip: Option<IpAddr>,
    /// Inbound from a peer that was a stranger when it connected (or since).
    stranger: bool,
}

/// The state of every slot, and the decisions.
#[derive(Debug, Default)]
pub struct Slots {
    limits: SlotLimits,
    conns: HashMap<ConnectionId, Conn>,
    pending: HashSet<ConnectionId>,
}

impl Slots {
    /// Slots with these bounds.
    pub fn new(limits: SlotLimits) -> Slots {
        Slots {
            limits,
            ..Slots::default()
        }
    }

    /// Whether an inbound handshake may start.
    pub fn admit_pending(&mut self, id: ConnectionId) -> Result<(), Denied> {
        if self.pending.len() >= self.limits.pending_inbound {
            return Err(Denied::Pending(self.limits.pending_inbound));
        }
        self.pending.insert(id);
        Ok(())
    }

    /// A handshake ended without a connection.
    pub fn drop_pending(&mut self, id: ConnectionId) {
        self.pending.remove(&id);
    }

    /// Decides a connection whose peer is now known, and takes its slot.
    pub fn admit(
        &mut self,
        id: ConnectionId,
        peer: PeerId,
        ip: Option<IpAddr>,
        inbound: bool,
        trusted: bool,
    ) -> Result<(), Denied> {
        self.pending.remove(&id);
        if self.conns.len() >= self.limits.total {
            return Err(Denied::Full(self.limits.total));
        }
        if self.conns.values().filter(|c| c.peer == peer).count() >= self.limits.per_peer {
            return Err(Denied::PerPeer(self.limits.per_peer));
        }
        let stranger = inbound && !trusted;
        if stranger {
            let strangers = self.conns.values().filter(|c| c.stranger);
            let (all, same_ip) = strangers.fold((0, 0), |(a, s), c| {
                (a + 1, s + usize::from(ip.is_some() && c.ip == ip))
            });
            if all >= self.limits.stranger_total {
                return Err(Denied::Strangers(self.limits.stranger_total));
            }
            if same_ip >= self.limits.stranger_per_ip {
                return Err(Denied::StrangerIp(self.limits.stranger_per_ip));
            }
        }
        self.conns.insert(id, Conn { peer, ip, stranger });
        Ok(())
    }

    /// A connection closed: its slot is free.
    pub fn closed(&mut self, id: ConnectionId) {
        self.conns.remove(&id);
        self.pending.remove(&id);
    }

    /// Peers that became trusted no longer count as strangers.
    pub fn retrust(&mut self, trusted: &HashSet<PeerId>) {
        for c in self.conns.values_mut() {
            if trusted.contains(&c.peer) {
                c.stranger = false;
            }
        }
    }

    /// Established connections now: (all, strangers').
    pub fn counts(&self) -> (usize, usize) {
        (
            self.conns.len(),
            self.conns.values().filter(|c| c.stranger).count(),
        )
    }
}

/// The IP address in a multiaddr, if it has one.
pub fn ip_of(addr: &Multiaddr) -> Option<IpAddr> {
    addr.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
        Protocol::Ip6(ip) => Some(IpAddr::V6(ip)),
        _ => None,
    })
}

/// The behaviour: [`Slots`] applied to every connection the swarm makes.
#[derive(Debug)]
pub struct Gate {
    slots: Slots,
    trusted: HashSet<PeerId>,
}

impl Gate {
    /// A gate with these bounds, trusting no one yet.
    pub fn new(limits: SlotLimits) -> Gate {
        Gate {
            slots: Slots::new(limits),
            trusted: HashSet::new(),
        }
    }

    /// The peers to trust from now on.
    pub fn set_trusted(&mut self, trusted: HashSet<PeerId>) {
        self.slots.retrust(&trusted);
        self.trusted = trusted;
    }

    /// Whether `peer` is trusted.
    pub fn is_trusted(&self, peer: &PeerId) -> bool {
        self.trusted.contains(peer)
    }

    /// Established connections now: (all, strangers').
    pub fn counts(&self) -> (usize, usize) {
        self.slots.counts()
    }
}

fn denied(d: Denied) -> ConnectionDenied {
    ConnectionDenied::new(d)
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_pending_inbound_connection(
        &mut self,
        id: ConnectionId,
        _local: &Multiaddr,
        _remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.slots.admit_pending(id).map_err(denied)
    }

    fn handle_established_inbound_connection(
        &mut self,
        id: ConnectionId,
        peer: PeerId,
        _local: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let trusted = self.trusted.contains(&peer);
        self.slots
            .admit(id, peer, ip_of(remote), true, trusted)
            .map(|()| dummy::ConnectionHandler)
            .map_err(denied)
    }

    fn handle_established_outbound_connection(
        &mut self,
        id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        _role: Endpoint,
        _port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.slots
            .admit(id, peer, ip_of(addr), false, true)
            .map(|()| dummy::ConnectionHandler)
            .map_err(denied)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionClosed(ConnectionClosed { connection_id, .. }) => {
                self.slots.closed(connection_id)
            }
            // A handshake that failed, or a connection another behaviour
            // denied after this one gave it a slot: the slot is free.
            FromSwarm::ListenFailure(f) => self.slots.closed(f.connection_id),
            FromSwarm::DialFailure(f) => self.slots.closed(f.connection_id),
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        libp2p::core::util::unreachable(event)
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn strangers_have_a_budget_per_address_and_in_all_and_members_always_get_in() {
        let limits = SlotLimits {
            total: 10,
            per_peer: 2,
            pending_inbound: 3,
            stranger_total: 4,
            stranger_per_ip: 2,
        };
        let mut s = Slots::new(limits);
        let mut n = 0;
        let mut next = || {
            n += 1;
            ConnectionId::new_unchecked(n)
        };
        let stranger = |s: &mut Slots, id, from| s.admit(id, PeerId::random(), from, true, false);
        assert_eq!(stranger(&mut s, next(), ip(1)), Ok(()));
        assert_eq!(stranger(&mut s, next(), ip(1)), Ok(()));
        assert_eq!(stranger(&mut s, next(), ip(1)), Err(Denied::StrangerIp(2)));
        assert_eq!(stranger(&mut s, next(), ip(2)), Ok(()));
        assert_eq!(stranger(&mut s, next(), ip(3)), Ok(()));
        assert_eq!(stranger(&mut s, next(), ip(4)), Err(Denied::Strangers(4)));
        // A member device, from an address strangers use too: a slot.
        let member = PeerId::random();
        assert_eq!(s.admit(next(), member, ip(1), true, true), Ok(()));
        assert_eq!(s.admit(next(), member, ip(1), true, true), Ok(()));
        assert_eq!(
            s.admit(next(), member, ip(1), true, true),
            Err(Denied::PerPeer(2))
        );
        // Our own dials are not strangers'.
        for _ in 0..4 {
            assert_eq!(
                s.admit(next(), PeerId::random(), ip(9), false, false),
                Ok(())
            );
        }
        assert_eq!(s.counts(), (10, 4));
        assert_eq!(
            s.admit(next(), PeerId::random(), ip(8), true, true),
            Err(Denied::Full(10))
        );
    }

    #[test]
    fn a_closed_connection_frees_its_slot_and_a_new_member_stops_being_a_stranger() {
        let mut s = Slots::new(SlotLimits {
            stranger_total: 1,
            ..SlotLimits::default()
        });
        let (a, b) = (
            ConnectionId::new_unchecked(1),
            ConnectionId::new_unchecked(2),
        );
        let joiner = PeerId::random();
        assert_eq!(s.admit(a, joiner, ip(1), true, false), Ok(()));
        assert!(s.admit(b, PeerId::random(), ip(2), true, false).is_err());
        s.retrust(&HashSet::from([joiner]));
        assert_eq!(s.counts(), (1, 0), "the joiner is a member now");
        assert_eq!(s.admit(b, PeerId::random(), ip(2), true, false), Ok(()));
        s.closed(b);
        assert_eq!(s.counts(), (1, 0));
    }

    #[test]
    fn handshakes_are_bounded() {
        let mut s = Slots::new(SlotLimits {
            pending_inbound: 2,
            ..SlotLimits::default()
        });
        let ids: Vec<ConnectionId> = (0..3).map(ConnectionId::new_unchecked).collect();
        assert!(s.admit_pending(ids[0]).is_ok() && s.admit_pending(ids[1]).is_ok());
        assert_eq!(s.admit_pending(ids[2]), Err(Denied::Pending(2)));
        s.drop_pending(ids[0]);
        assert!(s.admit_pending(ids[2]).is_ok());
    }
}
