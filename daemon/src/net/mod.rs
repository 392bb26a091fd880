//! The libp2p network task: transports, discovery, connections, the
//! `/tandem/sync/2` protocol (feeding the engine and sending what it says)
//! and the `/tandem/join/1` protocol ([`join`]).
//!
//! Follows rust-libp2p's Client + EventLoop shape: [`NetHandle`] is the
//! cheap client (dial commands, a status snapshot); [`run`] owns the swarm
//! and `select!`s over swarm events, the engine's outbox, commands, a
//! one-second tick and shutdown. All sync decisions are the engine's; this
//! task only moves bytes, reports connections, and keeps redialing known
//! peers with capped exponential backoff and jitter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, autonat, connection_limits, dcutr, identify, mdns,
    noise, ping, relay, request_response, tcp, yamux,
};
use libp2p_identity::Keypair;
use serde::{Deserialize, Serialize};
use tandem_proto::api::PeerInfo;
use tandem_proto::peer::{Envelope, MAX_MESSAGE, PeerMessage, SYNC_PROTOCOL};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::engine::NetEvent;
use crate::engine::thread::EngineHandle;

mod handle;
mod join;
pub mod reach;
pub use handle::{NetCommand, NetHandle, NetStatus};
pub use join::JoinResult;

/// The default port for peers, tried first on every interface.
pub const DEFAULT_PORT: u16 = 4455;
/// Most established connections in total.
pub const MAX_CONNECTIONS: u32 = 256;
/// Most connections per peer.
pub const MAX_PER_PEER: u32 = 2;
/// Most connections being set up at once.
pub const MAX_PENDING: u32 = 64;
/// Longest wait between two dials of a known peer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Network settings.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Where to listen; empty for the default (TCP and QUIC on all interfaces, port 4455 or any).
    pub listen: Vec<Multiaddr>,
    /// Discover peers on the LAN with mDNS.
    pub mdns: bool,
    /// Peers to dial at start (multiaddrs ending in `/p2p/<id>`).
    pub dial: Vec<Multiaddr>,
    /// Listen directly at all (false: reachable only through relays).
    pub direct: bool,
    /// Relays to keep a reservation on (multiaddrs ending in `/p2p/<relay-id>`).
    pub relays: Vec<Multiaddr>,
}

/// The sync protocol's empty response: "received".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ack;

#[derive(NetworkBehaviour)]
struct Behaviour {
    limits: connection_limits::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    mdns: Toggle<mdns::tokio::Behaviour>,
    relay_client: relay::client::Behaviour,
    dcutr: dcutr::Behaviour,
    autonat: autonat::Behaviour,
    sync: request_response::cbor::Behaviour<Envelope, Ack>,
    join: request_response::cbor::Behaviour<
        tandem_proto::peer::JoinRequest,
        tandem_proto::peer::JoinReply,
    >,
}

struct Known {
    addr: Multiaddr,
    /// Whether `addr` is worth dialing (false for the source port of an inbound connection).
    redial: bool,
    connected: bool,
    last_seen: Option<jiff::Timestamp>,
    next_dial: Instant,
    backoff: Duration,
    /// Sync payload bytes sent and received since start.
    sent: u64,
    received: u64,
    /// The open connections and how each runs.
    conns: HashMap<ConnectionId, reach::Link>,
    /// Relayed addresses the peer advertised.
    circuits: Vec<Multiaddr>,
    /// The last failure to connect, and when.
    last_error: Option<(String, jiff::Timestamp)>,
}

impl Known {
    fn new(addr: Multiaddr, redial: bool) -> Known {
        Known {
            addr,
            redial,
            connected: false,
            last_seen: None,
            next_dial: Instant::now(),
            backoff: Duration::from_secs(1),
            sent: 0,
            received: 0,
            conns: HashMap::new(),
            circuits: Vec::new(),
            last_error: None,
        }
    }

    /// The link to show: direct if any connection is, else the first relayed one.
    fn link(&self) -> Option<reach::Link> {
        let mut links = self.conns.values();
        let first = *links.next()?;
        Some(if self.conns.values().any(|l| *l == reach::Link::Direct) {
            reach::Link::Direct
        } else {
            first
        })
    }

    /// Every address worth dialing: the known one, advertised relayed ones,
    /// and circuits through our relays.
    fn dial_opts(&self, peer: PeerId, relays: &reach::Relays) -> DialOpts {
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
#[derive(Debug, Default)]
struct Reach {
    relays: reach::Relays,
    nat: String,
    listen_errors: Vec<String>,
}

impl Reach {
    /// Records a listener failure, keeping the last 20.
    fn listen_error(&mut self, e: String) {
        if self.listen_errors.len() >= 20 {
            self.listen_errors.remove(0);
        }
        self.listen_errors.push(e);
    }
}

/// The network could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the network: {0}")]
pub struct NetError(String);

fn net_err(e: impl std::fmt::Display) -> NetError {
    NetError(e.to_string())
}

impl NetError {
    /// An error with this message.
    pub fn new(message: String) -> NetError {
        NetError(message)
    }
}

/// The swarm and its command queue, ready to [`Network::run`].
pub struct Network {
    swarm: Swarm<Behaviour>,
    cmds: mpsc::Receiver<NetCommand>,
    handle: NetHandle,
    reach: Reach,
}

/// Builds the swarm and starts listening. Must be called inside the tokio runtime.
pub fn start(key: Keypair, cfg: NetConfig) -> Result<(Network, NetHandle), NetError> {
    let mdns_on = cfg.mdns;
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(net_err)?
        .with_quic()
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(net_err)?
        .with_behaviour(|key, relay_client| {
            let limits = connection_limits::ConnectionLimits::default()
                .with_max_established(Some(MAX_CONNECTIONS))
                .with_max_established_per_peer(Some(MAX_PER_PEER))
                .with_max_pending_incoming(Some(MAX_PENDING))
                .with_max_pending_outgoing(Some(MAX_PENDING));
            let mdns = if mdns_on {
                Some(mdns::tokio::Behaviour::new(
                    mdns::Config::default(),
                    key.public().to_peer_id(),
                )?)
            } else {
                None
            };
            let codec = request_response::cbor::codec::Codec::<Envelope, Ack>::default()
                .set_request_size_maximum(MAX_MESSAGE as u64)
                .set_response_size_maximum(1024);
            let sync = request_response::Behaviour::with_codec(
                codec,
                [(
                    StreamProtocol::new(SYNC_PROTOCOL),
                    request_response::ProtocolSupport::Full,
                )],
                request_response::Config::default().with_request_timeout(Duration::from_secs(60)),
            );
            Ok(Behaviour {
                limits: connection_limits::Behaviour::new(limits),
                identify: identify::Behaviour::new(identify::Config::new(
                    "/tandem/id/1".into(),
                    key.public(),
                )),
                ping: ping::Behaviour::default(),
                mdns: Toggle::from(mdns),
                relay_client,
                dcutr: dcutr::Behaviour::new(key.public().to_peer_id()),
                autonat: autonat::Behaviour::new(
                    key.public().to_peer_id(),
                    autonat::Config {
                        boot_delay: Duration::from_secs(5),
                        ..Default::default()
                    },
                ),
                sync,
                join: join::behaviour(),
            })
        })
        .map_err(net_err)?
        .with_swarm_config(|c| {
            // Every protocol we open streams for has a single version, so the
            // dialer can send its data along with the protocol name instead of
            // waiting a round trip for the confirmation (multistream-select V1 lazy).
            c.with_idle_connection_timeout(Duration::from_secs(300))
                .with_substream_upgrade_protocol_override(libp2p::core::upgrade::Version::V1Lazy)
        })
        .build();
    // An address that cannot be bound is reported (status, doctor) rather
    // than fatal: the daemon still serves its plans and other listeners.
    let mut listen_errors = Vec::new();
    let listen = if !cfg.direct {
        Vec::new()
    } else if cfg.listen.is_empty() {
        default_listen(&mut swarm)
    } else {
        let mut bound = Vec::new();
        for addr in &cfg.listen {
            match swarm.listen_on(addr.clone()) {
                Ok(_) => bound.push(addr.clone()),
                Err(e) => {
                    tracing::error!(%addr, error = %e, "cannot listen");
                    listen_errors.push(format!("{addr}: {e}"));
                }
            }
        }
        bound
    };
    tracing::info!(?listen, "listening for peers");
    let (tx, rx) = mpsc::channel(64);
    let handle = NetHandle {
        cmds: tx,
        status: Arc::new(Mutex::new(NetStatus::default())),
    };
    for addr in cfg.dial {
        if let Some(libp2p::multiaddr::Protocol::P2p(peer)) = addr.iter().last() {
            let _ = handle.cmds.try_send(NetCommand::Dial(peer, addr));
        }
    }
    let mut reach = Reach {
        nat: "unknown".into(),
        listen_errors,
        ..Reach::default()
    };
    for addr in cfg.relays {
        if let Some(Protocol::P2p(relay)) = addr.iter().last() {
            swarm
                .behaviour_mut()
                .autonat
                .add_server(relay, Some(addr.clone()));
        }
        if !reach.relays.add(addr.clone()) {
            tracing::warn!(%addr, "ignoring a relay address without /p2p/<relay-id>, or given twice");
        }
    }
    Ok((
        Network {
            swarm,
            cmds: rx,
            handle: handle.clone(),
            reach,
        },
        handle,
    ))
}

/// All interfaces, TCP and QUIC, on the default port, or any port if it is taken.
fn default_listen(swarm: &mut Swarm<Behaviour>) -> Vec<Multiaddr> {
    let mut used = Vec::new();
    for template in ["/ip4/0.0.0.0/tcp/{}", "/ip4/0.0.0.0/udp/{}/quic-v1"] {
        for port in [DEFAULT_PORT, 0] {
            let Ok(addr) = template
                .replace("{}", &port.to_string())
                .parse::<Multiaddr>()
            else {
                continue;
            };
            if swarm.listen_on(addr.clone()).is_ok() {
                used.push(addr);
                break;
            }
        }
    }
    used
}

fn jitter(d: Duration) -> Duration {
    d + Duration::from_millis(rand::random::<u64>() % (d.as_millis() as u64 / 4 + 1))
}

impl Network {
    /// Runs the network until `shutdown`: feeds the engine, sends its outbox.
    pub async fn run(
        self,
        engine: EngineHandle,
        outbox: mpsc::UnboundedReceiver<(String, PeerMessage)>,
        shutdown: CancellationToken,
    ) {
        event_loop(self, engine, outbox, shutdown).await;
    }
}

async fn event_loop(
    net: Network,
    engine: EngineHandle,
    mut outbox: mpsc::UnboundedReceiver<(String, PeerMessage)>,
    shutdown: CancellationToken,
) {
    let Network {
        mut swarm,
        mut cmds,
        handle,
        mut reach,
    } = net;
    reach.relays.tick(&mut swarm);
    let mut known: HashMap<PeerId, Known> = HashMap::new();
    let mut joins = join::Joins::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            ev = swarm.select_next_some() => match ev {
                SwarmEvent::Behaviour(BehaviourEvent::Join(e)) => {
                    join::on_event(&mut swarm, e, &engine, &mut joins, &mut known).await;
                }
                ev => on_event(&mut swarm, ev, &engine, &mut known, &mut reach, &handle).await,
            },
            Some(first) = outbox.recv() => {
                // Everything the engine has queued goes out now, packed per peer.
                let mut ready = vec![first];
                while let Ok(more) = outbox.try_recv() {
                    ready.push(more);
                }
                send_all(&mut swarm, ready, &mut known);
                publish(&handle, &swarm, &known, &reach);
            }
            Some(cmd) = cmds.recv() => match cmd {
                NetCommand::Join { peer, addrs, req, reply } => {
                    join::start(&mut swarm, &mut joins, peer, addrs, req, reply);
                }
                cmd => on_command(&mut swarm, cmd, &engine, &mut known, &mut reach, &handle).await,
            },
            _ = tick.tick() => {
                engine.net(NetEvent::Tick).await;
                let now = Instant::now();
                for (peer, k) in known.iter_mut().filter(|(_, k)| k.redial && !k.connected && k.next_dial <= now) {
                    k.next_dial = now + jitter(k.backoff);
                    k.backoff = (k.backoff * 2).min(MAX_BACKOFF);
                    if let Err(e) = swarm.dial(k.dial_opts(*peer, &reach.relays)) {
                        tracing::debug!(%peer, error = %e, "redial failed");
                    }
                }
                reach.relays.tick(&mut swarm);
                publish(&handle, &swarm, &known, &reach);
            }
            () = shutdown.cancelled() => break,
        }
    }
}

async fn on_command(
    swarm: &mut Swarm<Behaviour>,
    cmd: NetCommand,
    engine: &EngineHandle,
    known: &mut HashMap<PeerId, Known>,
    reach: &mut Reach,
    handle: &NetHandle,
) {
    match cmd {
        NetCommand::Dial(peer, addr) => {
            tracing::info!(%peer, %addr, "dialing");
            let k = known
                .entry(peer)
                .or_insert_with(|| Known::new(addr.clone(), true));
            k.addr = addr.clone();
            k.redial = true;
            engine
                .net(NetEvent::Address(peer.to_string(), Some(addr.to_string())))
                .await;
            if let Err(e) = swarm.dial(k.dial_opts(peer, &reach.relays)) {
                tracing::warn!(%peer, error = %e, "dial failed");
            }
        }
        NetCommand::AddRelay(addr) => {
            if reach.relays.add(addr.clone()) {
                tracing::info!(%addr, "using a new relay");
                if let Some(Protocol::P2p(relay)) = addr.iter().last() {
                    swarm
                        .behaviour_mut()
                        .autonat
                        .add_server(relay, Some(addr.clone()));
                }
                reach.relays.tick(swarm);
                engine.net(NetEvent::Relay(addr.to_string())).await;
            }
        }
        NetCommand::Forget(peer) => {
            tracing::info!(%peer, "forgetting peer");
            known.remove(&peer);
            let _ = swarm.disconnect_peer_id(peer);
            engine.net(NetEvent::Address(peer.to_string(), None)).await;
        }
        NetCommand::Join { reply, .. } => {
            // The event loop starts joins itself; nothing else routes them here.
            let _ = reply.send(Err("internal: a join was misrouted".into()));
        }
    }
    publish(handle, swarm, known, reach);
}

/// Sends queued messages, packed into as few envelopes per peer as fit.
fn send_all(
    swarm: &mut Swarm<Behaviour>,
    ready: Vec<(String, PeerMessage)>,
    known: &mut HashMap<PeerId, Known>,
) {
    let mut by_peer: Vec<(String, Vec<PeerMessage>)> = Vec::new();
    for (peer, msg) in ready {
        match by_peer.iter_mut().find(|(p, _)| *p == peer) {
            Some((_, msgs)) => msgs.push(msg),
            None => by_peer.push((peer, vec![msg])),
        }
    }
    for (peer, msgs) in by_peer {
        let p = match peer.parse::<PeerId>() {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(%peer, error = %e, "engine addressed an invalid PeerId");
                continue;
            }
        };
        if let Some(k) = known.get_mut(&p) {
            k.sent += msgs.iter().map(|m| m.payload_len() as u64).sum::<u64>();
        }
        for env in Envelope::pack(msgs) {
            swarm.behaviour_mut().sync.send_request(&p, env);
        }
    }
}

fn publish(
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
                peer: p.to_string(),
                connected: k.connected,
                addr: k.addr.to_string(),
                last_seen: k.last_seen,
                sync_sent: k.sent,
                sync_received: k.received,
                member: false,
                link: link.map(|l| match l {
                    reach::Link::Direct => "direct".to_string(),
                    reach::Link::Relayed(_) => "relayed".to_string(),
                }),
                relay: match link {
                    Some(reach::Link::Relayed(Some(r))) => Some(r.to_string()),
                    _ => None,
                },
                last_error: k.last_error.as_ref().map(|(e, _)| e.clone()),
                last_error_at: k.last_error.as_ref().map(|(_, t)| *t),
            }
        })
        .collect();
    peers.sort_by(|a, b| a.peer.cmp(&b.peer));
    if let Ok(mut s) = handle.status.lock() {
        s.listen = swarm.listeners().map(|a| a.to_string()).collect();
        s.peers = peers;
        s.nat = reach.nat.clone();
        s.relays = reach.relays.info();
        s.listen_errors = reach.listen_errors.clone();
    }
}

async fn on_event(
    swarm: &mut Swarm<Behaviour>,
    ev: SwarmEvent<BehaviourEvent>,
    engine: &EngineHandle,
    known: &mut HashMap<PeerId, Known>,
    reach: &mut Reach,
    handle: &NetHandle,
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
            k.conns.insert(connection_id, link);
            k.connected = true;
            k.backoff = Duration::from_secs(1);
            k.last_seen = Some(jiff::Timestamp::now());
            k.last_error = None;
            if link == reach::Link::Direct {
                // Sync moves to the direct connection: the relayed ones close.
                let relayed: Vec<ConnectionId> = k
                    .conns
                    .iter()
                    .filter(|(_, l)| **l != reach::Link::Direct)
                    .map(|(id, _)| *id)
                    .collect();
                for id in relayed {
                    tracing::info!(peer = %peer_id, "direct connection up: closing the relayed one");
                    swarm.close_connection(id);
                }
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
            tracing::info!(peer = %peer_id, ?cause, "peer disconnected");
            if let Some(k) = known.get_mut(&peer_id) {
                k.connected = false;
                k.last_seen = Some(jiff::Timestamp::now());
                k.next_dial = Instant::now() + jitter(Duration::from_secs(1));
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
            tracing::warn!(%peer, %error, "a sync message was not delivered");
        }
        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::InboundFailure {
            peer,
            error,
            ..
        })) => {
            tracing::warn!(%peer, %error, "a sync message from a peer was refused");
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
            if let Some(k) = known.get_mut(&peer_id) {
                k.circuits = circuits;
            }
            if let (Some(addr), Some(k)) = (dialable, known.get_mut(&peer_id))
                && (!k.redial || k.addr != addr)
            {
                k.addr = addr.clone();
                k.redial = true;
                engine
                    .net(NetEvent::Address(
                        peer_id.to_string(),
                        Some(addr.to_string()),
                    ))
                    .await;
            }
        }
        SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
            for (peer, addr) in found {
                if !swarm.is_connected(&peer) {
                    tracing::info!(%peer, %addr, "found on the LAN");
                    let _ = swarm.dial(addr);
                }
            }
        }
        SwarmEvent::IncomingConnectionError { error, .. } => {
            tracing::debug!(%error, "incoming connection failed")
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
                autonat::NatStatus::Public(_) => "public",
                autonat::NatStatus::Private => "private",
                autonat::NatStatus::Unknown => "unknown",
            }
            .into();
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

#[cfg(test)]
mod tests;
