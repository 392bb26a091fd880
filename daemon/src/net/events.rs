//! Handling one swarm event: connections opening and closing (and how they
//! run), listeners and relay reservations, sync messages in, identify,
//! AutoNAT, DCUtR and mDNS. Join protocol events go to [`super::join`].
//!
//! Only trusted peers (member devices, peers added by hand) get their
//! advertised address written to the address book, and only they are
//! dialed when mDNS finds them: a stranger's identify never leads to a dial.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::multiaddr::Protocol;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm, autonat, dcutr, identify, mdns, relay, request_response};

use super::known::{Known, Reach, publish};
use super::{Ack, Behaviour, BehaviourEvent, NetHandle, Trusted, jitter, reach};
use crate::engine::NetEvent;
use crate::engine::thread::EngineHandle;
use tandem_proto::api::Nat;

/// How long a relayed connection stays open once a direct one is up: long
/// enough for requests already on it (a join, a sync round) to finish.
const RELAYED_GRACE: Duration = Duration::from_secs(10);

/// The wall clock in milliseconds, for rate-limited log lines.
pub(super) fn now_ms() -> u64 {
    jiff::Timestamp::now().as_millisecond().max(0) as u64
}

/// Handles one swarm event (other than the join protocol's).
pub(super) async fn on_event(
    swarm: &mut Swarm<Behaviour>,
    ev: SwarmEvent<BehaviourEvent>,
    engine: &EngineHandle,
    known: &mut HashMap<PeerId, Known>,
    reach: &mut Reach,
    handle: &NetHandle,
    trusted: &mut Trusted,
) {
    match ev {
        SwarmEvent::NewListenAddr {
            listener_id,
            address,
        } => {
            tracing::info!(%address, "listening");
            reach.relays.on_new_addr(listener_id, &address);
            publish(handle, swarm, known, reach);
        }
        SwarmEvent::ListenerClosed {
            listener_id,
            addresses,
            reason,
        } => {
            let why = reason.err().map(|e| e.to_string());
            if reach.relays.on_closed(listener_id, why.clone()).is_none() {
                for a in addresses {
                    let why = why.clone().unwrap_or_else(|| "closed".into());
                    reach.listen_error(format!("{a}: {why}"));
                }
            }
            publish(handle, swarm, known, reach);
        }
        SwarmEvent::ListenerError { listener_id, error } => {
            tracing::warn!(%error, "a listener failed");
            if reach
                .relays
                .on_error(listener_id, error.to_string())
                .is_none()
            {
                reach.listen_error(error.to_string());
            }
        }
        SwarmEvent::ConnectionEstablished { peer_id, .. } if reach.relays.is_relay(&peer_id) => {
            tracing::info!(relay = %peer_id, "connected to the relay");
        }
        SwarmEvent::ConnectionEstablished {
            peer_id,
            connection_id,
            num_established,
            endpoint,
            ..
        } => {
            let k = known.entry(peer_id).or_insert_with(|| {
                Known::new(endpoint.get_remote_address().clone(), endpoint.is_dialer())
            });
            let link = reach::link_of(&endpoint);
            let ip = super::gate::ip_of(endpoint.get_remote_address());
            k.conns.insert(connection_id, (link, ip));
            if !k.connected {
                k.connected_at = Some(Instant::now());
            }
            k.connected = true;
            k.backoff = Duration::from_secs(1);
            k.last_seen = Some(jiff::Timestamp::now());
            k.last_error = None;
            if link == reach::Link::Direct {
                k.retire_relayed(Instant::now() + RELAYED_GRACE);
            }
            if num_established.get() == 1 {
                tracing::info!(peer = %peer_id, ?link, "peer connected");
                engine.net(NetEvent::Connected(peer_id.to_string())).await;
            }
            publish(handle, swarm, known, reach);
        }
        SwarmEvent::ConnectionClosed {
            peer_id,
            connection_id,
            num_established,
            cause,
            ..
        } => {
            if let Some(k) = known.get_mut(&peer_id) {
                k.conns.remove(&connection_id);
            }
            if num_established > 0 || reach.relays.is_relay(&peer_id) {
                publish(handle, swarm, known, reach);
                return;
            }
            tracing::debug!(peer = %peer_id, ?cause, "peer disconnected");
            if let Some(k) = known.get_mut(&peer_id) {
                k.connected = false;
                k.connected_at = None;
                k.last_seen = Some(jiff::Timestamp::now());
                k.next_dial = Instant::now() + jitter(Duration::from_secs(1));
            }
            // A stranger is known only while connected.
            if !trusted.is(&peer_id, known) {
                known.remove(&peer_id);
            }
            engine
                .net(NetEvent::Disconnected(peer_id.to_string()))
                .await;
            publish(handle, swarm, known, reach);
        }
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
            peer,
            message:
                request_response::Message::Request {
                    request, channel, ..
                },
            ..
        })) => {
            let _ = swarm.behaviour_mut().sync.send_response(channel, Ack);
            if let Some(k) = known.get_mut(&peer) {
                k.received += request
                    .messages
                    .iter()
                    .map(|m| m.payload_len() as u64)
                    .sum::<u64>();
                // Its clock, as it sent this, against ours as it arrives.
                if let Some(theirs) = request.sent_at_ms.and_then(|t| i64::try_from(t).ok()) {
                    k.skew_ms = Some(theirs - jiff::Timestamp::now().as_millisecond());
                }
            }
            publish(handle, swarm, known, reach);
            for msg in request.messages {
                engine.net(NetEvent::Message(peer.to_string(), msg)).await;
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::OutboundFailure {
            peer,
            error,
            ..
        })) => {
            let why = error.to_string();
            if reach.log.allow(now_ms(), &peer.to_string(), &why) {
                tracing::warn!(%peer, error = %why, "a sync message was not delivered (further ones this minute are counted)");
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::InboundFailure {
            peer,
            error,
            ..
        })) => {
            let why = error.to_string();
            if reach.log.allow(now_ms(), &peer.to_string(), &why) {
                tracing::warn!(%peer, error = %why, "a sync message from a peer was refused (further ones this minute are counted)");
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
            peer_id,
            info,
            ..
        })) if !reach.relays.is_relay(&peer_id) => {
            // Remember where the peer listens, so it is redialed after either
            // side restarts: a direct address first, else a relayed one.
            let usable = |a: &&Multiaddr| {
                !a.iter()
                    .any(|p| matches!(p, Protocol::Ip4(ip) if ip.is_unspecified()))
            };
            let circuits: Vec<Multiaddr> = info
                .listen_addrs
                .iter()
                .filter(|a| reach::is_circuit(a) && reach::relay_part(a).is_some())
                .map(|a| match a.iter().last() {
                    Some(Protocol::P2p(_)) => a.clone(),
                    _ => a.clone().with(Protocol::P2p(peer_id)),
                })
                .collect();
            let dialable = info
                .listen_addrs
                .iter()
                .filter(usable)
                .find(|a| !reach::is_circuit(a))
                .map(|a| a.clone().with(Protocol::P2p(peer_id)))
                .or_else(|| circuits.first().cloned());
            let is_trusted = trusted.is(&peer_id, known);
            let Some(k) = known.get_mut(&peer_id) else {
                return;
            };
            k.circuits = circuits;
            k.advertised = dialable.clone();
            // A stranger's addresses are never stored, and never dialed.
            if let Some(addr) = dialable.filter(|_| is_trusted)
                && (!k.redial || k.addr != addr)
            {
                k.addr = addr.clone();
                k.redial = true;
                engine
                    .net(NetEvent::Address(
                        peer_id.to_string(),
                        Some(addr.to_string()),
                        k.manual,
                    ))
                    .await;
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
            for (peer, addr) in found {
                // Only member devices (and peers added by hand) are dialed.
                if !swarm.is_connected(&peer) && trusted.is(&peer, known) {
                    tracing::info!(%peer, %addr, "found on the LAN");
                    let _ = swarm.dial(addr);
                }
            }
        }
        SwarmEvent::IncomingConnectionError {
            error,
            send_back_addr,
            ..
        } => {
            let why = error.to_string();
            let from = super::gate::ip_of(&send_back_addr)
                .map_or_else(|| send_back_addr.to_string(), |ip| ip.to_string());
            if reach.log.allow(now_ms(), &from, &why) {
                tracing::info!(%from, error = %why, "an incoming connection was refused or failed (further ones this minute are counted)");
            }
        }
        SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
            tracing::debug!(?peer_id, %error, "outgoing connection failed");
            if let Some(k) = peer_id.and_then(|p| known.get_mut(&p)) {
                let mut why = error.to_string();
                if why.len() > 400 {
                    let cut = (0..=400)
                        .rev()
                        .find(|i| why.is_char_boundary(*i))
                        .unwrap_or(0);
                    why.truncate(cut);
                    why.push('…');
                }
                k.last_error = Some((why, jiff::Timestamp::now()));
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Autonat(autonat::Event::StatusChanged {
            new,
            ..
        })) => {
            reach.nat = match new {
                autonat::NatStatus::Public(_) => Nat::Public,
                autonat::NatStatus::Private => Nat::Private,
                autonat::NatStatus::Unknown => Nat::Unknown,
            };
            tracing::info!(nat = %reach.nat, "NAT status changed");
            publish(handle, swarm, known, reach);
        }
        SwarmEvent::Behaviour(BehaviourEvent::RelayClient(
            relay::client::Event::ReservationReqAccepted { relay_peer_id, .. },
        )) => {
            tracing::debug!(relay = %relay_peer_id, "reservation (re)accepted");
        }
        SwarmEvent::Behaviour(BehaviourEvent::Dcutr(dcutr::Event {
            remote_peer_id,
            result,
        })) => match result {
            Ok(_) => {
                tracing::info!(peer = %remote_peer_id, "hole punching worked: direct connection")
            }
            Err(e) => {
                tracing::info!(peer = %remote_peer_id, error = %e, "hole punching failed: staying relayed")
            }
        },
        _ => {}
    }
}
