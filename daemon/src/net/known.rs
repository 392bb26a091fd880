//! What the network task knows of each peer ([`Known`]: address, links,
//! counters, last error, clock) and of its own reachability ([`Reach`]),
//! and the status snapshot it publishes from them for `tandem status` and
//! `tandem doctor`.
//!
//! Strangers (peers that are neither member devices nor added by hand) are
//! known only while connected: their entry goes when their last connection
//! does, so a stream of fresh identities costs nothing lasting.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use std::net::IpAddr;

use libp2p::swarm::ConnectionId;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId, Swarm};
use tandem_proto::api::PeerInfo;

use super::{Behaviour, NetHandle, reach};

/// A peer this device has dialed or heard from.
pub(super) struct Known {
    pub(super) addr: Multiaddr,
    /// Whether `addr` is worth dialing (false for the source port of an
    /// inbound connection). Only trusted peers are ever redialed.
    pub(super) redial: bool,
    /// Added by hand (`tandem peer add`, the config's `peers`): dialed even
    /// while it is a member of no plan here.
    pub(super) manual: bool,
    /// Where it says it listens (identify), kept in memory only: stored in
    /// the address book once the peer is trusted, never dialed before.
    pub(super) advertised: Option<Multiaddr>,
    /// When its first current connection came up.
    pub(super) connected_at: Option<Instant>,
    /// When it last asked for something it may have (a join).
    pub(super) useful_at: Option<Instant>,
    /// Its clock minus ours (ms), from the last envelope it sent.
    pub(super) skew_ms: Option<i64>,
    pub(super) connected: bool,
    pub(super) last_seen: Option<jiff::Timestamp>,
    pub(super) next_dial: Instant,
    pub(super) backoff: Duration,
    /// Sync payload bytes sent and received since start.
    pub(super) sent: u64,
    pub(super) received: u64,
    /// The open connections: how each runs, and the remote IP address.
    pub(super) conns: HashMap<ConnectionId, (reach::Link, Option<IpAddr>)>,
    /// Relayed addresses the peer advertised.
    pub(super) circuits: Vec<Multiaddr>,
    /// The last failure to connect, and when.
    pub(super) last_error: Option<(String, jiff::Timestamp)>,
    /// Relayed connections to close once a direct one took over, and when.
    pub(super) retiring: Vec<(ConnectionId, Instant)>,
}

impl Known {
    pub(super) fn new(addr: Multiaddr, redial: bool) -> Known {
        Known {
            addr,
            redial,
            manual: false,
            advertised: None,
            connected_at: None,
            useful_at: None,
            skew_ms: None,
            connected: false,
            last_seen: None,
            next_dial: Instant::now(),
            backoff: Duration::from_secs(1),
            sent: 0,
            received: 0,
            conns: HashMap::new(),
            circuits: Vec::new(),
            last_error: None,
            retiring: Vec::new(),
        }
    }

    /// Schedules the relayed connections for closing at `at`: sync moves to
    /// the direct connection (request-response spreads requests over every
    /// open connection), and requests already under way finish first.
    pub(super) fn retire_relayed(&mut self, at: Instant) {
        for (id, (link, _)) in &self.conns {
            if *link != reach::Link::Direct && !self.retiring.iter().any(|(r, _)| r == id) {
                self.retiring.push((*id, at));
            }
        }
    }

    /// Closes the retiring connections that are due.
    pub(super) fn close_retired(
        &mut self,
        peer: PeerId,
        swarm: &mut Swarm<Behaviour>,
        now: Instant,
    ) {
        let conns = &self.conns;
        self.retiring.retain(|(id, at)| {
            if !conns.contains_key(id) {
                return false;
            }
            if *at > now {
                return true;
            }
            tracing::info!(%peer, "direct connection up: closing the relayed one");
            swarm.close_connection(*id);
            false
        });
    }

    /// The link to show: direct if any connection is, else the first relayed one.
    pub(super) fn link(&self) -> Option<reach::Link> {
        if self.conns.values().any(|(l, _)| *l == reach::Link::Direct) {
            return Some(reach::Link::Direct);
        }
        self.conns.values().next().map(|(l, _)| *l)
    }

    /// Every address worth dialing: the known one, advertised relayed ones,
    /// and circuits through our relays.
    pub(super) fn dial_opts(&self, peer: PeerId, relays: &reach::Relays) -> DialOpts {
        let mut addrs = vec![self.addr.clone()];
        for a in self
            .circuits
            .iter()
            .cloned()
            .chain(relays.circuits_to(peer))
        {
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        DialOpts::peer_id(peer)
            .addresses(addrs)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build()
    }
}

/// Network state besides the peers: relays, NAT status, listen failures.
#[derive(Debug)]
pub(super) struct Reach {
    pub(super) relays: reach::Relays,
    /// AutoNAT's verdict: `public`, `private` or `unknown`.
    pub(super) nat: tandem_proto::api::Nat,
    pub(super) listen_errors: Vec<String>,
    /// Failures peers can cause, logged at most once a minute per peer or address.
    pub(super) log: crate::ratelog::RateLog,
}

impl Reach {
    /// Nothing known yet; `listen_errors` from binding at start.
    pub(super) fn new(listen_errors: Vec<String>) -> Reach {
        Reach {
            relays: reach::Relays::default(),
            nat: tandem_proto::api::Nat::Unknown,
            listen_errors,
            log: crate::ratelog::RateLog::default(),
        }
    }

    /// Records a listener failure, keeping the last 20.
    pub(super) fn listen_error(&mut self, e: String) {
        if self.listen_errors.len() >= 20 {
            self.listen_errors.remove(0);
        }
        self.listen_errors.push(e);
    }
}

/// Publishes the status snapshot that `tandem status` reads.
pub(super) fn publish(
    handle: &NetHandle,
    swarm: &Swarm<Behaviour>,
    known: &HashMap<PeerId, Known>,
    reach: &Reach,
) {
    let mut peers: Vec<PeerInfo> = known
        .iter()
        .map(|(p, k)| {
            let link = k.link();
            PeerInfo {
                peer: p.to_string().into(),
                connected: k.connected,
                addr: k.addr.to_string(),
                last_seen: k.last_seen,
                sync_sent: k.sent,
                sync_received: k.received,
                member: false,
                link: link.map(|l| match l {
                    reach::Link::Direct => tandem_proto::api::Link::Direct,
                    reach::Link::Relayed(_) => tandem_proto::api::Link::Relayed,
                }),
                relay: match link {
                    Some(reach::Link::Relayed(Some(r))) => Some(r.to_string().into()),
                    _ => None,
                },
                last_error: k.last_error.as_ref().map(|(e, _)| e.clone()),
                last_error_at: k.last_error.as_ref().map(|(_, t)| *t),
                clock_skew_ms: k.skew_ms,
                manual: k.manual,
            }
        })
        .collect();
    peers.sort_by(|a, b| a.peer.cmp(&b.peer));
    if let Ok(mut s) = handle.status.lock() {
        s.listen = swarm.listeners().map(|a| a.to_string()).collect();
        s.peers = peers;
        s.nat = reach.nat;
        s.relays = reach.relays.info();
        s.listen_errors = reach.listen_errors.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relayed_connections_retire_once_a_direct_one_is_up() {
        let addr: Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().unwrap();
        let mut k = Known::new(addr, true);
        let (relayed, direct) = (
            ConnectionId::new_unchecked(1),
            ConnectionId::new_unchecked(2),
        );
        k.conns.insert(relayed, (reach::Link::Relayed(None), None));
        assert_eq!(k.link(), Some(reach::Link::Relayed(None)));
        k.conns.insert(direct, (reach::Link::Direct, None));
        assert_eq!(k.link(), Some(reach::Link::Direct), "direct wins");
        let at = Instant::now() + Duration::from_secs(10);
        k.retire_relayed(at);
        k.retire_relayed(at + Duration::from_secs(5));
        assert_eq!(
            k.retiring,
            vec![(relayed, at)],
            "once, and never the direct one"
        );
    }
}
