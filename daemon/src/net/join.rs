//! The join protocol, `/tandem/join/1`: a device with a ticket dials the
//! inviter and proves the ticket's secret over the encrypted connection.
//!
//! Joining side: [`start`] adds the ticket's addresses for the inviter's
//! PeerId and sends the request (request-response dials by itself); the
//! answer, or the reason it could not be had, goes back to the waiting
//! client. Noise authenticates the inviter's PeerId, so a ticket whose
//! addresses lead elsewhere fails to connect instead of talking to a
//! stranger. A request whose connection closes before the answer is sent
//! once more (the inviter answers a device it already admitted with
//! `Joined`, so this is safe). Inviting side: each request goes to the
//! engine, which decides (`engine::invites`), and its reply is sent back.

use std::collections::HashMap;
use std::time::Duration;

use libp2p::request_response::{self, OutboundRequestId};
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm};
use tandem_proto::peer::{JOIN_PROTOCOL, JoinReply, JoinRequest, MAX_JOIN_MESSAGE};
use tokio::sync::oneshot;

use super::{Behaviour, Known};
use crate::engine::NetEvent;
use crate::engine::thread::EngineHandle;

/// What the joining client is told: the inviter's answer, or why there is none.
pub type JoinResult = Result<JoinReply, String>;

/// A join request on its way.
pub(super) struct PendingJoin {
    reply: oneshot::Sender<JoinResult>,
    peer: PeerId,
    addrs: Vec<Multiaddr>,
    /// The request, kept to ask once more if its connection closes under it.
    req: JoinRequest,
    retried: bool,
}

impl PendingJoin {
    /// The inviter asked.
    pub(super) fn peer(&self) -> PeerId {
        self.peer
    }
}

/// Join requests on their way, by request id.
pub(super) type Joins = HashMap<OutboundRequestId, PendingJoin>;

/// A number naming a connection for the join rate limit (stable while the
/// daemon runs).
fn connection_key(id: libp2p::swarm::ConnectionId) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The join behaviour: small messages, a short timeout.
pub(super) fn behaviour() -> request_response::cbor::Behaviour<JoinRequest, JoinReply> {
    let codec = request_response::cbor::codec::Codec::<JoinRequest, JoinReply>::default()
        .set_request_size_maximum(MAX_JOIN_MESSAGE as u64)
        .set_response_size_maximum(MAX_JOIN_MESSAGE as u64);
    request_response::Behaviour::with_codec(
        codec,
        [(
            StreamProtocol::new(JOIN_PROTOCOL),
            request_response::ProtocolSupport::Full,
        )],
        request_response::Config::default().with_request_timeout(Duration::from_secs(20)),
    )
}

/// Sends a join request to `peer`, dialing it at `addrs` if need be.
pub(super) fn start(
    swarm: &mut Swarm<Behaviour>,
    joins: &mut Joins,
    peer: PeerId,
    addrs: Vec<Multiaddr>,
    req: JoinRequest,
    reply: oneshot::Sender<JoinResult>,
) {
    if addrs.is_empty() && !swarm.is_connected(&peer) {
        let _ = reply.send(Err(format!(
            "the ticket lists no address for the inviter {peer}"
        )));
        return;
    }
    for a in &addrs {
        swarm.add_peer_address(peer, a.clone());
    }
    tracing::info!(%peer, ?addrs, "sending a join request");
    let id = swarm.behaviour_mut().join.send_request(&peer, req.clone());
    joins.insert(
        id,
        PendingJoin {
            reply,
            peer,
            addrs,
            req,
            retried: false,
        },
    );
}

/// Handles an event of the join behaviour.
pub(super) async fn on_event(
    swarm: &mut Swarm<Behaviour>,
    ev: request_response::Event<JoinRequest, JoinReply>,
    engine: &EngineHandle,
    joins: &mut Joins,
    known: &mut HashMap<PeerId, Known>,
) {
    match ev {
        request_response::Event::Message {
            peer,
            connection_id,
            message:
                request_response::Message::Request {
                    request, channel, ..
                },
        } => {
            // A join is something a stranger may ask for: its connection is not idle.
            let ip = known.get_mut(&peer).and_then(|k| {
                k.useful_at = Some(std::time::Instant::now());
                k.conns.get(&connection_id).and_then(|(_, ip)| *ip)
            });
            let from = crate::engine::join_limit::JoinFrom {
                peer: peer.to_string(),
                connection: Some(connection_key(connection_id)),
                ip: ip.map(|ip| ip.to_string()),
            };
            let reply = engine.join(from, request).await;
            if swarm
                .behaviour_mut()
                .join
                .send_response(channel, reply)
                .is_err()
            {
                tracing::warn!(%peer, "the joining device left before its answer");
            }
        }
        request_response::Event::Message {
            message:
                request_response::Message::Response {
                    request_id,
                    response,
                },
            ..
        } => {
            let Some(p) = joins.remove(&request_id) else {
                return;
            };
            if matches!(response, JoinReply::Joined { .. }) {
                // Keep the inviter in the address book, so the plan keeps syncing.
                if let Some(addr) = p.addrs.first() {
                    let addr = addr.clone().with(libp2p::multiaddr::Protocol::P2p(p.peer));
                    let k = known
                        .entry(p.peer)
                        .or_insert_with(|| Known::new(addr.clone(), true));
                    k.redial = true;
                    engine
                        .net(NetEvent::Address(
                            p.peer.to_string(),
                            Some(addr.to_string()),
                            false,
                        ))
                        .await;
                }
            }
            let _ = p.reply.send(Ok(response));
        }
        request_response::Event::OutboundFailure {
            request_id, error, ..
        } => {
            let Some(mut p) = joins.remove(&request_id) else {
                return;
            };
            if matches!(error, request_response::OutboundFailure::ConnectionClosed) && !p.retried {
                // The connection closed before the answer (e.g. a relayed one
                // replaced by a direct one). Asking again is safe: the inviter
                // answers a device it already let in with "joined".
                tracing::info!(peer = %p.peer, "the join's connection closed; asking again");
                p.retried = true;
                let id = swarm
                    .behaviour_mut()
                    .join
                    .send_request(&p.peer, p.req.clone());
                joins.insert(id, p);
                return;
            }
            let tried: Vec<String> = p.addrs.iter().map(ToString::to_string).collect();
            let why = format!(
                "the inviter {} is unreachable (tried {}): {error}",
                p.peer,
                if tried.is_empty() {
                    "no address".to_string()
                } else {
                    tried.join(", ")
                }
            );
            let _ = p.reply.send(Err(why));
        }
        request_response::Event::InboundFailure { peer, error, .. } => {
            tracing::warn!(%peer, %error, "a join request could not be answered");
        }
        request_response::Event::ResponseSent { .. } => {}
    }
}
