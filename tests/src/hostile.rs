//! A hostile peer for tests and benchmarks: a small libp2p client that
//! connects to a daemon with fresh identities, offers plan ids, floods
//! connections and streams, advertises addresses, asks to join with wrong
//! secrets and sends garbage. It speaks the daemon's own protocols
//! (`/tandem/sync/2`, `/tandem/join/1`, identify) over TCP, Noise and
//! Yamux on loopback, like any stranger on a hospital LAN could.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, identify, noise, request_response, tcp, yamux,
};
use serde::{Deserialize, Serialize};
use tandem_proto::peer::{
    Envelope, JOIN_PROTOCOL, JoinReply, JoinRequest, MAX_JOIN_MESSAGE, MAX_MESSAGE, PeerMessage,
    SYNC_PROTOCOL,
};

/// The sync protocol's (empty) response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ack;

#[derive(NetworkBehaviour)]
struct Behaviour {
    identify: identify::Behaviour,
    sync: request_response::cbor::Behaviour<Envelope, Ack>,
    join: request_response::cbor::Behaviour<JoinRequest, JoinReply>,
}

/// One stranger: a fresh identity with its own swarm.
pub struct Stranger {
    swarm: Swarm<Behaviour>,
    /// Its PeerId.
    pub peer: PeerId,
}

/// What happened to a stranger's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was up and is still up.
    Open,
    /// It was up, then the daemon closed it, after this long.
    ClosedAfter(Duration),
    /// It never came up (refused, or failed).
    Refused,
}

impl Stranger {
    /// A new identity; `advertise` is put in its identify as a listen address.
    pub fn new(advertise: Option<Multiaddr>) -> Stranger {
        let mut swarm = libp2p::SwarmBuilder::with_new_identity()
            .with_tokio()
            .with_tcp(
                tcp::Config::default(),
                noise::Config::new,
                yamux::Config::default,
            )
            .expect("tcp")
            .with_behaviour(|key| Behaviour {
                identify: identify::Behaviour::new(identify::Config::new(
                    "/tandem/id/1".into(),
                    key.public(),
                )),
                sync: request_response::Behaviour::with_codec(
                    request_response::cbor::codec::Codec::default()
                        .set_request_size_maximum(MAX_MESSAGE as u64),
                    [(
                        StreamProtocol::new(SYNC_PROTOCOL),
                        request_response::ProtocolSupport::Full,
                    )],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(30))
                        .with_max_concurrent_streams(10_000),
                ),
                join: request_response::Behaviour::with_codec(
                    request_response::cbor::codec::Codec::default()
                        .set_request_size_maximum(MAX_JOIN_MESSAGE as u64)
                        .set_response_size_maximum(MAX_JOIN_MESSAGE as u64),
                    [(
                        StreamProtocol::new(JOIN_PROTOCOL),
                        request_response::ProtocolSupport::Full,
                    )],
                    request_response::Config::default()
                        .with_request_timeout(Duration::from_secs(20)),
                ),
            })
            .expect("behaviour")
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
            .build();
        if let Some(a) = advertise {
            swarm.add_external_address(a);
        }
        let peer = *swarm.local_peer_id();
        Stranger { swarm, peer }
    }

    /// Dials `addr` (ending in `/p2p/<daemon>`) and waits up to `within`
    /// for the connection to come up; true if it did.
    pub async fn connect(&mut self, addr: &Multiaddr, within: Duration) -> bool {
        if self.swarm.dial(addr.clone()).is_err() {
            return false;
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let ev = tokio::time::timeout_at(deadline, self.swarm.select_next_some()).await;
            match ev {
                Err(_) => return false,
                Ok(SwarmEvent::ConnectionEstablished { .. }) => return true,
                Ok(SwarmEvent::OutgoingConnectionError { .. }) => return false,
                Ok(_) => {}
            }
        }
    }

    /// Keeps the connection up (answering nothing) for `hold`, and says
    /// whether and when the daemon closed it.
    pub async fn hold(&mut self, hold: Duration) -> Outcome {
        let start = Instant::now();
        let deadline = tokio::time::Instant::now() + hold;
        loop {
            match tokio::time::timeout_at(deadline, self.swarm.select_next_some()).await {
                Err(_) => return Outcome::Open,
                Ok(SwarmEvent::ConnectionClosed {
                    num_established: 0, ..
                }) => {
                    return Outcome::ClosedAfter(start.elapsed());
                }
                Ok(SwarmEvent::Behaviour(BehaviourEvent::Sync(
                    request_response::Event::Message {
                        message: request_response::Message::Request { channel, .. },
                        ..
                    },
                ))) => {
                    let _ = self.swarm.behaviour_mut().sync.send_response(channel, Ack);
                }
                Ok(_) => {}
            }
        }
    }

    /// Sends `messages` to the daemon as envelopes of `per_envelope`, then
    /// drives the connection until every envelope was answered or failed
    /// (or `within` passed); returns how many were answered.
    pub async fn send(
        &mut self,
        daemon: PeerId,
        messages: Vec<PeerMessage>,
        per_envelope: usize,
        within: Duration,
    ) -> usize {
        let mut out = 0;
        let mut chunks = messages.into_iter().peekable();
        while chunks.peek().is_some() {
            let env = Envelope {
                messages: chunks.by_ref().take(per_envelope.max(1)).collect(),
                sent_at_ms: None,
            };
            self.swarm.behaviour_mut().sync.send_request(&daemon, env);
            out += 1;
        }
        let deadline = tokio::time::Instant::now() + within;
        let mut answered = 0;
        let mut done = 0;
        while done < out {
            match tokio::time::timeout_at(deadline, self.swarm.select_next_some()).await {
                Err(_) => break,
                Ok(SwarmEvent::Behaviour(BehaviourEvent::Sync(ev))) => match ev {
                    request_response::Event::Message {
                        message: request_response::Message::Response { .. },
                        ..
                    } => {
                        answered += 1;
                        done += 1;
                    }
                    request_response::Event::Message {
                        message: request_response::Message::Request { channel, .. },
                        ..
                    } => {
                        let _ = self.swarm.behaviour_mut().sync.send_response(channel, Ack);
                    }
                    request_response::Event::OutboundFailure { .. } => done += 1,
                    _ => {}
                },
                Ok(SwarmEvent::ConnectionClosed {
                    num_established: 0, ..
                }) => break,
                Ok(_) => {}
            }
        }
        answered
    }

    /// Asks to join `plan` with a wrong secret; returns the daemon's
    /// answer, or `None` when there was none.
    pub async fn bad_join(&mut self, daemon: PeerId, plan: &str) -> Option<JoinReply> {
        let req = JoinRequest {
            plan: plan.to_string().into(),
            inviter: daemon.to_string().into(),
            secret: rand_bytes(),
            name: "mallory".into(),
            device: String::new(),
            now_ms: None,
        };
        self.swarm.behaviour_mut().join.send_request(&daemon, req);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            match tokio::time::timeout_at(deadline, self.swarm.select_next_some()).await {
                Err(_) => return None,
                Ok(SwarmEvent::Behaviour(BehaviourEvent::Join(
                    request_response::Event::Message {
                        message: request_response::Message::Response { response, .. },
                        ..
                    },
                ))) => return Some(response),
                Ok(SwarmEvent::Behaviour(BehaviourEvent::Join(
                    request_response::Event::OutboundFailure { .. },
                ))) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Whether a connection to `peer` is up.
    pub fn is_connected(&self, peer: &PeerId) -> bool {
        self.swarm.is_connected(peer)
    }
}

fn rand_bytes() -> Vec<u8> {
    (0..16).map(|i| (i * 37 + 11) as u8).collect()
}

/// A small valid Automerge sync message (what an empty document says first).
pub fn hello_sync() -> Vec<u8> {
    let doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    automerge::sync::SyncDoc::generate_sync_message(&doc, &mut state)
        .map(automerge::sync::Message::encode)
        .unwrap_or_default()
}

/// `n` offers of distinct made-up plans, starting at `first`.
pub fn offers(first: u64, n: usize) -> Vec<PeerMessage> {
    let data = hello_sync();
    (0..n as u64)
        .map(|i| PeerMessage::Sync {
            plan: format!("{:016x}", first + i).into(),
            data: data.clone(),
        })
        .collect()
}

/// The daemon's PeerId in an address ending in `/p2p/<id>`.
pub fn peer_of(addr: &Multiaddr) -> PeerId {
    match addr.iter().last() {
        Some(libp2p::multiaddr::Protocol::P2p(p)) => p,
        _ => panic!("{addr} does not end in /p2p/<peer>"),
    }
}

/// A runtime for hostile peers, apart from the test's own thread.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
