//! Relay mode (`tandemd --relay`): a libp2p circuit-relay v2 server for
//! member devices that cannot reach each other directly.
//!
//! A relay holds no plans, opens no database and serves no socket: it only
//! passes encrypted streams between two daemons (Noise runs end to end
//! between them, so the relay sees ciphertext), answers AutoNAT probes and
//! identify, so clients learn their public address and whether they are
//! reachable, and helps hole punching (DCUtR) by carrying its first
//! messages. It is meant for a small public host that a lab or department
//! runs.
//!
//! The library's default limits (2 minutes and 128 KiB per circuit) are far
//! too small for a plan's first sync; [`crate::config::RelayLimits::default`] allows an hour
//! and 64 MiB each way per relayed connection. A connection that reaches a
//! limit is closed and the daemons simply connect again. Reservations are
//! rate-limited per device, not per IP: a hospital's devices often share
//! one NAT address.

use std::num::NonZeroU32;
use std::time::Duration;

use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, autonat, connection_limits, identify, noise, ping, relay, tcp, yamux};
use libp2p_identity::Keypair;
use tokio_util::sync::CancellationToken;

use crate::config::RelayLimits as Limits;
use crate::net::NetError;

/// The relay behaviour's settings for `limits`.
fn relay_config(limits: &Limits) -> relay::Config {
    let per_minute = |n: u32| {
        (
            NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN),
            Duration::from_secs(60),
        )
    };
    let (n, every) = per_minute(30);
    let (c, every_c) = per_minute(60);
    relay::Config {
        max_reservations: limits.max_reservations,
        max_reservations_per_peer: 4,
        reservation_duration: Duration::from_secs(60 * 60),
        reservation_rate_limiters: Vec::new(),
        max_circuits: limits.max_circuits,
        max_circuits_per_peer: 16,
        max_circuit_duration: limits.max_circuit_duration,
        max_circuit_bytes: limits.max_circuit_bytes,
        circuit_src_rate_limiters: Vec::new(),
    }
    .reservation_rate_per_peer(n, every)
    .circuit_src_per_peer(c, every_c)
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    limits: connection_limits::Behaviour,
    relay: relay::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    autonat: autonat::Behaviour,
}

fn err(e: impl std::fmt::Display) -> NetError {
    NetError::new(e.to_string())
}

/// Runs a relay until SIGTERM or SIGINT.
pub fn run(key: Keypair, listen: Vec<Multiaddr>, limits: Limits) -> Result<(), NetError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(err)?;
    runtime.block_on(serve(key, listen, limits))
}

async fn serve(key: Keypair, listen: Vec<Multiaddr>, limits: Limits) -> Result<(), NetError> {
    let announce: Vec<Multiaddr> = limits
        .announce
        .iter()
        .map(|a| {
            a.parse()
                .map_err(|e| err(format!("invalid announce address '{a}': {e}")))
        })
        .collect::<Result<_, _>>()?;
    let relay_config = relay_config(&limits);
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(err)?
        .with_quic()
        .with_behaviour(|key| {
            let me = key.public().to_peer_id();
            let mut relay = relay::Behaviour::new(me, relay_config);
            // Serve reservations from the start; the addresses handed out are
            // the ones added as external below.
            relay.set_status(Some(relay::Status::Enable));
            Behaviour {
                limits: connection_limits::Behaviour::new(
                    connection_limits::ConnectionLimits::default()
                        .with_max_established(Some(4096))
                        .with_max_established_per_peer(Some(4)),
                ),
                relay,
                identify: identify::Behaviour::new(identify::Config::new(
                    "/tandem/id/1".into(),
                    key.public(),
                )),
                ping: ping::Behaviour::default(),
                autonat: autonat::Behaviour::new(me, autonat::Config::default()),
            }
        })
        .map_err(err)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
        .build();
    let listen = if listen.is_empty() {
        ["/ip4/0.0.0.0/tcp/4455", "/ip4/0.0.0.0/udp/4455/quic-v1"]
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    } else {
        listen
    };
    for addr in &listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| err(format!("cannot listen on {addr}: {e}")))?;
    }
    for addr in announce {
        swarm.add_external_address(addr);
    }
    let me = *swarm.local_peer_id();
    let shutdown = CancellationToken::new();
    tokio::spawn(crate::signals::on_signals(shutdown.clone()));
    tracing::info!(peer = %me, ?limits, "relay running");
    loop {
        tokio::select! {
            ev = swarm.select_next_some() => match ev {
                SwarmEvent::NewListenAddr { address, .. } => {
                    // Each concrete listen address is one members can reach us at.
                    swarm.add_external_address(address.clone());
                    let full = address.with(Protocol::P2p(me));
                    tracing::info!(%full, "relay listening");
                    eprintln!("tandem relay ready at {full}");
                }
                SwarmEvent::Behaviour(BehaviourEvent::Relay(e)) => log(e),
                _ => {}
            },
            () = shutdown.cancelled() => break,
        }
    }
    tracing::info!("relay stopped");
    Ok(())
}

fn log(e: relay::Event) {
    match e {
        relay::Event::ReservationReqAccepted {
            src_peer_id,
            renewed,
        } => {
            tracing::info!(peer = %src_peer_id, renewed, "reservation accepted");
        }
        relay::Event::CircuitReqAccepted {
            src_peer_id,
            dst_peer_id,
        } => {
            tracing::info!(src = %src_peer_id, dst = %dst_peer_id, "circuit opened");
        }
        relay::Event::CircuitClosed {
            src_peer_id,
            dst_peer_id,
            error,
        } => {
            tracing::info!(src = %src_peer_id, dst = %dst_peer_id, ?error, "circuit closed");
        }
        other => tracing::debug!(event = ?other, "relay"),
    }
}
