//! `tandem status` and `tandem sync`: this device, its peers, and how far
//! member devices are in syncing.

use tandem_proto::api::{DaemonStatus, Nat, PeerSync, PlanList, Status, SyncStatus};

use super::Ctx;
use crate::fail::Fail;

pub(crate) fn daemon_status(ctx: &mut Ctx) -> Result<DaemonStatus, Fail> {
    ctx.call(Status)
}

pub(crate) fn my_peer_id(ctx: &mut Ctx) -> Result<String, Fail> {
    Ok(daemon_status(ctx)?.peer_id.to_string())
}

/// AutoNAT's verdict in words.
pub(crate) fn nat_words(nat: Nat) -> &'static str {
    match nat {
        Nat::Public => "public: other devices can dial this one directly",
        Nat::Private => "behind NAT or a firewall: other devices reach this one through a relay",
        Nat::Unknown => "not known yet (AutoNAT needs another peer or a relay to ask)",
    }
}

/// `tandem status` (no arguments).
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

/// `tandem sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Wait until every connected member device (or --peer) has all our changes.
    #[arg(long)]
    wait: bool,
    /// Only this peer (PeerId); with --wait, also wait for it to connect.
    #[arg(long)]
    peer: Option<String>,
    /// Give up waiting after this long (e.g. 30s, 2m); exits 1.
    #[arg(long, default_value = "60s")]
    timeout: String,
}

pub(crate) fn status(_: StatusArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let st = daemon_status(ctx)?;
    // For every plan shared with another device: how far each connected member is.
    let plans = ctx.call(PlanList)?;
    let mut sync = Vec::new();
    for p in plans
        .iter()
        .filter(|p| p.error.is_none() && p.members.len() > 1)
    {
        let plan = Some(p.id.to_string());
        sync.push((p.title.clone(), ctx.call(SyncStatus { plan })?));
    }
    let mut value = serde_json::to_value(&st).map_err(|e| Fail::Other(e.to_string()))?;
    value["sync"] = serde_json::to_value(sync.iter().map(|(_, ps)| ps).collect::<Vec<_>>())
        .map_err(|e| Fail::Other(e.to_string()))?;
    ctx.emit(&value, || {
        let mut out = format!("{} {}\n", s.bold("Device"), st.peer_id);
        out += &format!("{}\n", s.bold("Listening on"));
        for a in &st.listen {
            out += &format!("  {a}/p2p/{}\n", st.peer_id);
        }
        out += &format!("{} {}\n", s.bold("Reachability"), nat_words(st.nat));
        for r in &st.relays {
            let state = if r.reserved {
                s.green("reserved")
            } else {
                s.yellow("no reservation")
            };
            out += &format!("  relay {}  {state}\n", r.addr);
        }
        out += &format!("{} ({})\n", s.bold("Peers"), st.peers.len());
        for p in &st.peers {
            out += &format!("  {}\n", super::peer::peer_line(p, s));
        }
        out += &format!(
            "{} {} stored, {} loaded\n",
            s.bold("Plans"),
            st.plans_stored,
            st.plans_loaded
        );
        for (title, ps) in &sync {
            out += &format!(
                "  {} {}\n",
                s.bold(title),
                s.dim(tandem_proto::ids::short(&ps.plan))
            );
            if ps.peers.is_empty() {
                out += &format!("    {}\n", s.dim("no member device connected"));
            }
            for p in &ps.peers {
                let state = if p.in_sync {
                    s.green("in sync")
                } else {
                    format!("{} change(s) pending", p.pending)
                };
                out += &format!("    {}  {state}\n", p.peer);
            }
        }
        out
    })
}

pub(crate) fn sync(
    SyncArgs {
        wait,
        peer,
        timeout,
    }: SyncArgs,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let timeout = timeout.as_str();
    let limit = crate::durations::wait_duration(timeout)?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        let plan = ctx.plan.clone();
        let st = ctx.call(SyncStatus { plan })?;
        let relevant: Vec<&PeerSync> = st
            .peers
            .iter()
            .filter(|p| peer.as_ref().is_none_or(|want| &p.peer == want))
            .collect();
        let done = relevant.iter().all(|p| p.in_sync) && (peer.is_none() || !relevant.is_empty());
        if !wait || done {
            return ctx.emit(&st, || {
                if st.peers.is_empty() {
                    return "No member device is connected.\n".into();
                }
                st.peers
                    .iter()
                    .map(|p| {
                        let state = if p.in_sync {
                            "in sync".to_string()
                        } else {
                            format!("{} change(s) pending", p.pending)
                        };
                        format!("{}  {state}\n", p.peer)
                    })
                    .collect()
            });
        }
        if std::time::Instant::now() >= deadline {
            let waiting: Vec<String> = relevant
                .iter()
                .filter(|p| !p.in_sync)
                .map(|p| p.peer.to_string())
                .collect();
            let who = if waiting.is_empty() {
                "the peer to connect".to_string()
            } else {
                waiting.join(", ")
            };
            return Err(Fail::Other(format!(
                "timed out after {timeout} waiting for {who}"
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
