//! `tandem peer ...`: the other devices this daemon talks to, their syntax
//! and how the commands are carried out.

use clap::Subcommand;
use tandem_proto::api::{Link, PeerAdd, PeerForget, PeerInfo};

use super::Ctx;
use super::status::daemon_status;
use crate::fail::Fail;
use crate::people::People;

/// Peer commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum PeerCmd {
    /// Dial a peer, e.g. /ip4/192.0.2.7/tcp/4455/p2p/12D3KooW...; it is redialed when the link drops.
    Add {
        /// A multiaddr ending in /p2p/PEER-ID.
        addr: String,
    },
    /// List known peers.
    List {
        /// Only peers that connected but are a member of no plan here (untrusted).
        #[arg(long)]
        pending: bool,
    },
    /// Stop dialing a peer and drop it from the address book.
    Forget {
        /// Its PeerId.
        peer: String,
    },
}

pub(crate) fn peer_line(p: &PeerInfo, people: &People, s: crate::style::Style) -> String {
    let state = if p.connected {
        let how = match (p.link, &p.relay) {
            (Some(Link::Relayed), Some(r)) => format!(" (relayed via {})", short_peer(r)),
            (Some(link), _) => format!(" ({link})"),
            (None, _) => String::new(),
        };
        s.green(&format!("connected{how}"))
    } else {
        s.dim("disconnected")
    };
    let seen = p
        .last_seen
        .map(|t| format!("  last seen {}", t.strftime("%Y-%m-%d %H:%M:%S UTC")))
        .unwrap_or_default();
    let traffic = if p.sync_sent + p.sync_received > 0 {
        format!(
            "  sync {} sent / {} received",
            bytes(p.sync_sent),
            bytes(p.sync_received)
        )
    } else {
        String::new()
    };
    format!(
        "{state} {}  {}{seen}{traffic}",
        people.name(&p.peer),
        s.dim(&p.addr)
    )
}

/// A PeerId shortened for reading: `12D3…x7Qa`.
pub(crate) fn short_peer(p: &str) -> String {
    match (p.get(..4), p.get(p.len().saturating_sub(6)..)) {
        (Some(head), Some(tail)) if p.len() > 12 => format!("{head}…{tail}"),
        _ => p.to_string(),
    }
}

/// A byte count for people: `512 B`, `12.3 KiB`, `4.0 MiB`.
fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

pub(crate) fn run(cmd: PeerCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        PeerCmd::Add { addr } => {
            let peer = ctx.call(PeerAdd { addr })?;
            ctx.emit(&serde_json::json!({ "dialing": peer }), || {
                format!("Dialing {peer}; it will be redialed whenever the link drops.\n")
            })
        }
        PeerCmd::Forget { peer } => {
            let peer = ctx.call(PeerForget { peer })?;
            ctx.emit(&serde_json::json!({ "forgotten": peer }), || {
                format!("Forgot {peer}.\n")
            })
        }
        PeerCmd::List { pending } => {
            let mut st = daemon_status(ctx)?;
            let people = if ctx.json {
                People::default()
            } else {
                People::fetch(ctx)?
            };
            if pending {
                st.peers.retain(|p| !p.member);
                return ctx.emit(&st.peers, || {
                    if st.peers.is_empty() {
                        return "No untrusted peers: every peer that connected is a member of a plan here.\n".into();
                    }
                    let mut out = String::from("Connected at some point, but a member of no plan here (not trusted with anything):\n");
                    out.extend(st.peers.iter().map(|p| format!("  {}\n", peer_line(p, &people, s))));
                    out
                });
            }
            ctx.emit(&st.peers, || {
                if st.peers.is_empty() {
                    return "No peers yet. Add one with: tandem peer add /ip4/ADDRESS/tcp/4455/p2p/PEER-ID\n".into();
                }
                st.peers.iter().map(|p| peer_line(p, &people, s) + "\n").collect()
            })
        }
    }
}
