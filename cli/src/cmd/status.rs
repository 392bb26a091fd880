//! `tandem status` and `tandem sync`: this device, its peers, and how far
//! member devices are in syncing.

use tandem_proto::api::{DaemonStatus, Nat, PeerSync, Status, SyncStatus};

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
    /// Wait until every member device (or --peer) has all our changes.
    #[arg(long)]
    wait: bool,
    /// Only this member device: its PeerId (or a prefix), or its person's name.
    #[arg(long)]
    peer: Option<String>,
    /// Give up waiting after this long (e.g. 30s, 2m); then exits 6,
    /// naming every member device not in sync.
    #[arg(long, default_value = "60s")]
    timeout: String,
}

/// One member device's line: "Ana (laptop) — in sync".
fn sync_line(p: &PeerSync, ids: bool, s: crate::style::Style) -> String {
    let state = if p.in_sync {
        s.green(&p.state())
    } else if p.connected {
        s.yellow(&p.state())
    } else {
        s.dim(&p.state())
    };
    let id = if ids {
        format!("  {}", s.dim(&p.peer))
    } else {
        String::new()
    };
    format!("{} — {state}{id}", p.who())
}

/// Whether `p` is the device `want` names: its PeerId, a prefix of it, or its person's name.
fn is_named(p: &PeerSync, want: &str) -> bool {
    p.peer.starts_with(want)
        || p.name.eq_ignore_ascii_case(want.trim())
        || p.who().eq_ignore_ascii_case(want.trim())
}

pub(crate) fn status(_: StatusArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let st = daemon_status(ctx)?;
    // For every plan shared with another device: how far each member is;
    // the same answers name the devices.
    let sync: Vec<(String, _)> = crate::people::shared_plans(ctx)?
        .into_iter()
        .map(|(p, s)| (p.title, s))
        .collect();
    let people = crate::people::People::of(sync.iter().map(|(_, s)| s), ctx.ids);
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
            out += &format!("  {}\n", super::peer::peer_line(p, &people, s));
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
            for p in &ps.peers {
                out += &format!("    {}\n", sync_line(p, ctx.ids, s));
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
    let s = ctx.style;
    let timeout = timeout.as_str();
    let limit = crate::durations::wait_duration(timeout)?;
    let deadline = std::time::Instant::now() + limit;
    let spinner = crate::progress::Progress::start(
        ctx.json || !wait,
        "Waiting for member devices to sync...",
    );
    loop {
        let plan = ctx.plan.clone();
        let st = ctx.call(SyncStatus { plan })?;
        let relevant: Vec<&PeerSync> = st
            .peers
            .iter()
            .filter(|p| peer.as_deref().is_none_or(|want| is_named(p, want)))
            .collect();
        // A device named that is not a member (yet): without --wait that is
        // all there is to say; with it, wait for it to join.
        let missing = peer.as_ref().filter(|_| relevant.is_empty());
        if let (Some(want), false) = (missing, wait) {
            return Err(Fail::NotFound(format!(
                "no member device '{want}' in this plan (see tandem member list)"
            )));
        }
        let done = missing.is_none() && relevant.iter().all(|p| p.in_sync);
        if !wait || done {
            return ctx.emit(&st, || {
                if st.peers.is_empty() {
                    return "No other member device: the plan is on this device only.\n".into();
                }
                relevant
                    .iter()
                    .map(|p| sync_line(p, ctx.ids, s) + "\n")
                    .collect()
            });
        }
        let waiting: Vec<String> = relevant
            .iter()
            .filter(|p| !p.in_sync)
            .map(|p| format!("{} — {}", p.who(), p.state()))
            .collect();
        spinner.say(format!("Waiting for {}...", waiting.join("; ")));
        if std::time::Instant::now() >= deadline {
            let mut behind: Vec<String> = relevant
                .iter()
                .filter(|p| !p.in_sync)
                .map(|p| format!("{} — {}", p.who(), p.state()))
                .collect();
            if let Some(want) = missing {
                behind.push(format!("{want} — not a member device of this plan"));
            }
            return Err(Fail::NotInSync(format!(
                "gave up after {timeout}: not in sync: {}",
                behind.join("; ")
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
