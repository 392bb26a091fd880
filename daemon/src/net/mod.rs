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
//!
//! Files: [`events`] handles swarm events, [`known`] keeps what is known of
//! each peer and publishes the status, [`reach`] holds relay reservations
//! and tells direct links from relayed ones, [`join`] the join protocol,
//! [`handle`] the client side, [`gate`] the connection slots, [`codec`] the
//! sync protocol's codec with its shared inbound budget.
//!
//! **Whom to trust** comes from the engine ([`crate::engine::Trust`]: the
//! member devices of plans here, and strangers sending a plan offer now),
//! plus peers added by hand and our relays. Only trusted peers are stored
//! in the address book, dialed and redialed; strangers get a small
//! connection budget of their own ([`gate`]), and a stranger's connection
//! that asks for nothing it may have (a join, a plan offer being received)
//! is closed after [`STRANGER_IDLE`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, autonat, dcutr, identify, mdns, noise, ping, relay,
    request_response, tcp, yamux,
};
use libp2p_identity::Keypair;
use serde::{Deserialize, Serialize};
use tandem_proto::peer::{Envelope, PeerMessage, SYNC_PROTOCOL};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::engine::thread::EngineHandle;
use crate::engine::{NetEvent, Trust};

pub mod codec;
mod events;
mod flights;
pub mod gate;
mod handle;
mod join;
mod known;
pub mod reach;
use events::on_event;
pub use handle::{NetCommand, NetHandle, NetStatus};
pub use join::JoinResult;
use known::{Known, Reach, publish};

/// The default port for peers, tried first on every interface.
pub const DEFAULT_PORT: u16 = 4455;
/// Longest wait between two dials of a known peer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long a stranger's connection may stay open asking for nothing it may have.
pub const STRANGER_IDLE: Duration = Duration::from_secs(10);
/// Inbound sync streams open at once on one connection.
pub const MAX_STREAMS: usize = 32;

/// Network settings.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Where to listen; empty for the default (TCP and QUIC on all interfaces, port 4455 or any).
    pub listen: Vec<Multiaddr>,
    /// Discover peers on the LAN with mDNS.
    pub mdns: bool,
    /// Peers added by hand (flags, config), dialed at start and kept dialed
    /// (multiaddrs ending in `/p2p/<id>`).
    pub dial: Vec<Multiaddr>,
    /// The address book: (peer, address, added by hand). Entries of peers
    /// that are not trusted are not dialed.
    pub book: Vec<(PeerId, Multiaddr, bool)>,
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
    gate: gate::Gate,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    mdns: Toggle<mdns::tokio::Behaviour>,
    relay_client: relay::client::Behaviour,
    dcutr: dcutr::Behaviour,
    autonat: autonat::Behaviour,
    sync: request_response::Behaviour<codec::SyncCodec>,
    join: request_response::cbor::Behaviour<
        tandem_proto::peer::JoinRequest,
        tandem_proto::peer::JoinReply,
    >,
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
    known: HashMap<PeerId, Known>,
}

/// Whom the network trusts: member devices and strangers offering a plan
/// now (from the engine), and our relays. Peers added by hand are trusted
/// through their [`Known::manual`].
#[derive(Debug, Default)]
struct Trusted {
    members: std::collections::HashSet<PeerId>,
    offering: std::collections::HashSet<PeerId>,
    relays: std::collections::HashSet<PeerId>,
}

impl Trusted {
    fn from_engine(t: &Trust, relays: &reach::Relays) -> Trusted {
        let ids = |set: &std::collections::BTreeSet<String>| {
            set.iter().filter_map(|p| p.parse().ok()).collect()
        };
        Trusted {
            members: ids(&t.members),
            offering: ids(&t.offering),
            relays: relays.addrs().map(|(p, _)| p).collect(),
        }
    }

    /// Whether `peer` is a member device, one of our relays, or added by hand.
    fn is(&self, peer: &PeerId, known: &HashMap<PeerId, Known>) -> bool {
        self.members.contains(peer)
            || self.relays.contains(peer)
            || known.get(peer).is_some_and(|k| k.manual)
    }

    /// Every trusted peer, for the gate.
    fn all(&self, known: &HashMap<PeerId, Known>) -> std::collections::HashSet<PeerId> {
        let mut all = self.members.clone();
        all.extend(self.relays.iter().copied());
        all.extend(known.iter().filter(|(_, k)| k.manual).map(|(p, _)| *p));
        all
    }
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
            let mdns = if mdns_on {
                Some(mdns::tokio::Behaviour::new(
                    mdns::Config::default(),
                    key.public().to_peer_id(),
                )?)
            } else {
                None
            };
            let sync = request_response::Behaviour::with_codec(
                codec::SyncCodec::new(codec::INBOUND_BUDGET),
                [(
                    StreamProtocol::new(SYNC_PROTOCOL),
                    request_response::ProtocolSupport::Full,
                )],
                request_response::Config::default()
                    .with_request_timeout(Duration::from_secs(60))
                    .with_max_concurrent_streams(MAX_STREAMS),
            );
            Ok(Behaviour {
                gate: gate::Gate::new(gate::SlotLimits::default()),
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
    let mut known: HashMap<PeerId, Known> = HashMap::new();
    for (peer, addr, manual) in cfg.book {
        let k = known.entry(peer).or_insert_with(|| Known::new(addr, true));
        k.manual |= manual;
    }
    for addr in cfg.dial {
        if let Some(Protocol::P2p(peer)) = addr.iter().last() {
            let k = known
                .entry(peer)
                .or_insert_with(|| Known::new(addr.clone(), true));
            k.addr = addr;
            k.manual = true;
        }
    }
    let mut reach = Reach::new(listen_errors);
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
    // The first snapshot is there before anyone can ask (listen failures at
    // start, the relays), not only after the event loop's first event.
    publish(&handle, &swarm, &known, &reach);
    Ok((
        Network {
            swarm,
            cmds: rx,
            handle: handle.clone(),
            reach,
            known,
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

pub(super) fn jitter(d: Duration) -> Duration {
    d + Duration::from_millis(rand::random::<u64>() % (d.as_millis() as u64 / 4 + 1))
}

impl Network {
    /// Runs the network until `shutdown`: feeds the engine, sends its
    /// outbox, and follows whom the engine says to trust.
    pub async fn run(
        self,
        engine: EngineHandle,
        outbox: mpsc::UnboundedReceiver<(String, PeerMessage)>,
        trust: tokio::sync::watch::Receiver<Trust>,
        shutdown: CancellationToken,
    ) {
        event_loop(self, engine, outbox, trust, shutdown).await;
    }
}

/// Takes in what the engine says about whom to trust: the gate learns it,
/// peers that just became members have their advertised address stored,
/// and peers that stopped being members (and were not added by hand) are
/// not redialed.
async fn retrust(
    swarm: &mut Swarm<Behaviour>,
    trust: &Trust,
    trusted: &mut Trusted,
    known: &mut HashMap<PeerId, Known>,
    reach: &Reach,
    engine: &EngineHandle,
) {
    let before = std::mem::take(trusted);
    *trusted = Trusted::from_engine(trust, &reach.relays);
    swarm.behaviour_mut().gate.set_trusted(trusted.all(known));
    let mut save = Vec::new();
    for (peer, k) in known.iter_mut() {
        let now = trusted.is(peer, &HashMap::new()) || k.manual;
        let was = before.members.contains(peer) || k.manual;
        if now
            && !was
            && let Some(addr) = &k.advertised
        {
            k.addr = addr.clone();
            k.redial = true;
            save.push((*peer, addr.clone(), k.manual));
        }
    }
    for (peer, addr, manual) in save {
        engine
            .net(NetEvent::Address(
                peer.to_string(),
                Some(addr.to_string()),
                manual,
            ))
            .await;
    }
}

/// Closes strangers' connections that asked for nothing they may have for
/// [`STRANGER_IDLE`] (a join request counts; so does a plan offer the
/// engine is receiving).
fn close_idle_strangers(
    swarm: &mut Swarm<Behaviour>,
    known: &HashMap<PeerId, Known>,
    trusted: &Trusted,
    joins: &join::Joins,
    now: Instant,
) {
    for (peer, k) in known {
        // Our own join request to an inviter (a stranger until the plan
        // arrives) keeps that connection busy too.
        let joining = joins.values().any(|j| j.peer() == *peer);
        let busy = joining
            || trusted.offering.contains(peer)
            || k.useful_at
                .is_some_and(|t| now.duration_since(t) < STRANGER_IDLE);
        let idle = k
            .connected_at
            .is_some_and(|t| now.duration_since(t) >= STRANGER_IDLE);
        if k.connected && idle && !busy && !trusted.is(peer, known) {
            tracing::debug!(%peer, "closing an idle connection of a device that shares no plan here");
            let _ = swarm.disconnect_peer_id(*peer);
        }
    }
}

async fn event_loop(
    net: Network,
    engine: EngineHandle,
    mut outbox: mpsc::UnboundedReceiver<(String, PeerMessage)>,
    mut trust: tokio::sync::watch::Receiver<Trust>,
    shutdown: CancellationToken,
) {
    let Network {
        mut swarm,
        mut cmds,
        handle,
        mut reach,
        mut known,
    } = net;
    reach.relays.tick(&mut swarm);
    let mut trusted = Trusted::default();
    let first = trust.borrow_and_update().clone();
    retrust(
        &mut swarm,
        &first,
        &mut trusted,
        &mut known,
        &reach,
        &engine,
    )
    .await;
    let mut joins = join::Joins::new();
    let mut flights = flights::Flights::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            ev = swarm.select_next_some() => {
                settle_flights(&mut swarm, &mut flights, &ev);
                match ev {
                    SwarmEvent::Behaviour(BehaviourEvent::Join(e)) => {
                        join::on_event(&mut swarm, e, &engine, &mut joins, &mut known).await;
                    }
                    ev => on_event(&mut swarm, ev, &engine, &mut known, &mut reach, &handle, &mut trusted).await,
                }
            },
            Ok(()) = trust.changed() => {
                let t = trust.borrow_and_update().clone();
                retrust(&mut swarm, &t, &mut trusted, &mut known, &reach, &engine).await;
                publish(&handle, &swarm, &known, &reach);
            }
            Some(first) = outbox.recv() => {
                // Everything the engine has queued goes out now, packed per peer.
                let mut ready = vec![first];
                while let Ok(more) = outbox.try_recv() {
                    ready.push(more);
                }
                send_all(&mut swarm, &mut flights, ready, &mut known);
                publish(&handle, &swarm, &known, &reach);
            }
            Some(cmd) = cmds.recv() => match cmd {
                NetCommand::Join { peer, addrs, req, reply } => {
                    join::start(&mut swarm, &mut joins, peer, addrs, req, reply);
                }
                cmd => {
                    on_command(&mut swarm, cmd, &engine, &mut known, &mut reach, &handle).await;
                    swarm.behaviour_mut().gate.set_trusted(trusted.all(&known));
                }
            },
            _ = tick.tick() => {
                engine.net(NetEvent::Tick).await;
                let now = Instant::now();
                close_idle_strangers(&mut swarm, &known, &trusted, &joins, now);
                let dialable: Vec<PeerId> = known
                    .keys()
                    .filter(|p| trusted.is(p, &known))
                    .copied()
                    .collect();
                for (peer, k) in known.iter_mut().filter(|(p, k)| {
                    k.redial && !k.connected && k.next_dial <= now && dialable.contains(p)
                }) {
                    k.next_dial = now + jitter(k.backoff);
                    k.backoff = (k.backoff * 2).min(MAX_BACKOFF);
                    if let Err(e) = swarm.dial(k.dial_opts(*peer, &reach.relays)) {
                        tracing::debug!(%peer, error = %e, "redial failed");
                    }
                }
                for (peer, k) in known.iter_mut() {
                    k.close_retired(*peer, &mut swarm, now);
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
            k.manual = true;
            engine
                .net(NetEvent::Address(
                    peer.to_string(),
                    Some(addr.to_string()),
                    true,
                ))
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
            engine
                .net(NetEvent::Address(peer.to_string(), None, false))
                .await;
        }
        NetCommand::Join { reply, .. } => {
            // The event loop starts joins itself; nothing else routes them here.
            let _ = reply.send(Err("internal: a join was misrouted".into()));
        }
    }
    publish(handle, swarm, known, reach);
}

/// Sends queued messages, packed into as few envelopes per peer as fit,
/// as many as [`flights`] lets go now.
fn send_all(
    swarm: &mut Swarm<Behaviour>,
    flights: &mut flights::Flights,
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
        let envelopes = flights.send(p, msgs);
        send_envelopes(swarm, &p, envelopes);
    }
}

fn send_envelopes(swarm: &mut Swarm<Behaviour>, peer: &PeerId, envelopes: Vec<Envelope>) {
    let now = events::now_ms();
    for mut env in envelopes {
        env.sent_at_ms = Some(now);
        swarm.behaviour_mut().sync.send_request(peer, env);
    }
}

/// Counts an answered or failed envelope off its peer's flights, and sends
/// what waited for the slot; a peer with no connection left loses what
/// waited.
fn settle_flights(
    swarm: &mut Swarm<Behaviour>,
    flights: &mut flights::Flights,
    ev: &SwarmEvent<BehaviourEvent>,
) {
    use request_response::{Event, Message};
    match ev {
        SwarmEvent::Behaviour(BehaviourEvent::Sync(
            Event::Message {
                peer,
                message: Message::Response { .. },
                ..
            }
            | Event::OutboundFailure { peer, .. },
        )) => {
            let next = flights.settled(peer);
            send_envelopes(swarm, peer, next);
        }
        SwarmEvent::ConnectionClosed {
            peer_id,
            num_established: 0,
            ..
        } => flights.forget(peer_id),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
