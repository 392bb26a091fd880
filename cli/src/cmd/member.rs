//! `tandem device show` and `tandem member add|list|remove`.

use tandem_proto::api::{Item, Request, Response};
use tandem_proto::edit::Edit;
use tandem_proto::model::{Member, Role};

use super::{Ctx, parse, unexpected};
use crate::args::{DeviceCmd, MemberCmd, PeerCmd};
use crate::fail::Fail;

pub(super) fn member_line(m: &Member, me: &str, s: crate::style::Style) -> String {
    let you = if m.peer == me {
        s.dim("  (this device)")
    } else {
        String::new()
    };
    let device = if m.device.is_empty() {
        String::new()
    } else {
        format!(" on {}", m.device)
    };
    format!(
        "{:<8} {}{device}  {}{you}",
        m.role.as_str(),
        s.bold(&m.name),
        s.dim(&m.peer)
    )
}

pub(super) fn my_peer_id(ctx: &mut Ctx) -> Result<String, Fail> {
    match ctx.call(&Request::Status)? {
        Response::Status(st) => Ok(st.peer_id),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn device(cmd: DeviceCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        DeviceCmd::Show => {
            let st = match ctx.call(&Request::Status)? {
                Response::Status(st) => st,
                other => return Err(unexpected(&other)),
            };
            let v =
                serde_json::json!({ "peer_id": st.peer_id, "actor": st.device, "home": st.home });
            ctx.emit(&v, || {
                format!(
                    "PeerId: {}\n  Give it to a plan's mentor, who runs: tandem member add {} --name NAME --role ROLE\n",
                    st.peer_id, st.peer_id
                )
            })
        }
        DeviceCmd::Link { expires, qr } => super::invite::device_link(&expires, qr, ctx),
        DeviceCmd::List { name } => super::invite::device_list(name, ctx),
    }
}

pub(super) fn run(cmd: MemberCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        MemberCmd::Add {
            peer,
            name,
            role,
            device,
        } => {
            let role = parse::<Role>(&role)?;
            let item = ctx.edit(Edit::Member(MemberOp::Add(NewMember {
                peer,
                name,
                role,
                device,
            })))?;
            let human = match &item {
                Item::Member(m) => format!("Member added: {} ({}) {}", m.name, m.role, m.peer),
                _ => "Member added".into(),
            };
            ctx.emit_item(&item, &human)
        }
        MemberCmd::List => {
            let plan = ctx.fetch_plan()?;
            let me = if ctx.json {
                String::new()
            } else {
                my_peer_id(ctx)?
            };
            ctx.emit(&plan.members, || {
                plan.members
                    .iter()
                    .map(|m| member_line(m, &me, s) + "\n")
                    .collect()
            })
        }
        MemberCmd::Remove { peer } => {
            let item = ctx.edit(Edit::Member(MemberOp::Rm { peer }))?;
            let human = match &item {
                Item::Removed { id, .. } => format!("Member removed: {id}"),
                _ => "Member removed".into(),
            };
            ctx.emit_item(&item, &human)
        }
    }
}

fn peer_line(p: &tandem_proto::api::PeerInfo, s: crate::style::Style) -> String {
    let state = if p.connected {
        let how = match (p.link.as_deref(), &p.relay) {
            (Some("relayed"), Some(r)) => format!(" (relayed via {})", short_peer(r)),
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
    format!("{state} {}  {}{seen}{traffic}", p.peer, s.dim(&p.addr))
}

/// A PeerId shortened for reading: `12D3…x7Qa`.
pub(super) fn short_peer(p: &str) -> String {
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

pub(super) fn daemon_status(ctx: &mut Ctx) -> Result<tandem_proto::api::DaemonStatus, Fail> {
    match ctx.call(&Request::Status)? {
        Response::Status(st) => Ok(st),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn peer(cmd: PeerCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        PeerCmd::Add { addr } => match ctx.call(&Request::PeerAdd(PeerAdd { addr }))? {
            Response::Dialing { peer } => ctx.emit(&serde_json::json!({ "dialing": peer }), || {
                format!("Dialing {peer}; it will be redialed whenever the link drops.\n")
            }),
            other => Err(unexpected(&other)),
        },
        PeerCmd::Forget { peer } => match ctx.call(&Request::PeerForget(PeerForget { peer }))? {
            Response::Forgotten { peer } => ctx
                .emit(&serde_json::json!({ "forgotten": peer }), || {
                    format!("Forgot {peer}.\n")
                }),
            other => Err(unexpected(&other)),
        },
        PeerCmd::List { pending } => {
            let mut st = daemon_status(ctx)?;
            if pending {
                st.peers.retain(|p| !p.member);
                return ctx.emit(&st.peers, || {
                    if st.peers.is_empty() {
                        return "No untrusted peers: every peer that connected is a member of a plan here.\n".into();
                    }
                    let mut out = String::from("Connected at some point, but a member of no plan here (not trusted with anything):\n");
                    out.extend(st.peers.iter().map(|p| format!("  {}\n", peer_line(p, s))));
                    out
                });
            }
            ctx.emit(&st.peers, || {
                if st.peers.is_empty() {
                    return "No peers yet. Add one with: tandem peer add /ip4/ADDRESS/tcp/4455/p2p/PEER-ID\n".into();
                }
                st.peers.iter().map(|p| peer_line(p, s) + "\n").collect()
            })
        }
    }
}

/// AutoNAT's verdict in words.
pub(super) fn nat_words(nat: &str) -> &'static str {
    match nat {
        "public" => "public: other devices can dial this one directly",
        "private" => "behind NAT or a firewall: other devices reach this one through a relay",
        _ => "not known yet (AutoNAT needs another peer or a relay to ask)",
    }
}

pub(super) fn status(ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let st = daemon_status(ctx)?;
    // For every plan shared with another device: how far each connected member is.
    let plans = match ctx.call(&Request::PlanList)? {
        Response::Plans(list) => list,
        other => return Err(unexpected(&other)),
    };
    let mut sync = Vec::new();
    for p in plans
        .iter()
        .filter(|p| p.error.is_none() && p.members.len() > 1)
    {
        match ctx.call(&Request::SyncStatus(SyncStatus {
            plan: Some(p.id.clone()),
        }))? {
            Response::Sync(ps) => sync.push((p.title.clone(), ps)),
            other => return Err(unexpected(&other)),
        }
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
        out += &format!("{} {}\n", s.bold("Reachability"), nat_words(&st.nat));
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
            out += &format!("  {}\n", peer_line(p, s));
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

pub(super) fn sync(
    wait: bool,
    peer: Option<String>,
    timeout: &str,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let limit = super::meeting::wait_duration(timeout)?;
    let deadline = std::time::Instant::now() + limit;
    loop {
        let st = match ctx.call(&Request::SyncStatus(SyncStatus {
            plan: ctx.plan.clone(),
        }))? {
            Response::Sync(st) => st,
            other => return Err(unexpected(&other)),
        };
        let relevant: Vec<&tandem_proto::api::PeerSync> = st
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
                .map(|p| p.peer.clone())
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

pub(super) fn watch(ctx: &mut Ctx) -> Result<(), Fail> {
    use tandem_proto::api::WatchEvent;
    match ctx.call(&Request::Watch(Watch {
        plan: ctx.plan.clone(),
    }))? {
        Response::Watching => {}
        other => return Err(unexpected(&other)),
    }
    loop {
        let event = match ctx.next()? {
            Response::Event(e) => e,
            other => return Err(unexpected(&other)),
        };
        let line = if ctx.json {
            serde_json::to_string(&event).map_err(|e| Fail::Other(e.to_string()))?
        } else {
            let when = |t: &jiff::Timestamp| t.strftime("%H:%M:%S").to_string();
            match &event {
                WatchEvent::LocalChange {
                    plan,
                    message,
                    time,
                    ..
                } => {
                    format!(
                        "{}  local   {}  {message}",
                        when(time),
                        tandem_proto::ids::short(plan)
                    )
                }
                WatchEvent::PlanOffered {
                    plan,
                    title,
                    from,
                    time,
                } => format!(
                    "{}  offer   {}  '{title}' offered by {from}; see `tandem plan pending`",
                    when(time),
                    tandem_proto::ids::short(plan)
                ),
                WatchEvent::RemoteChange {
                    plan,
                    messages,
                    authors,
                    from,
                    time,
                    ..
                } => {
                    let by = if authors.iter().all(|a| a == from) {
                        format!("from {from}")
                    } else {
                        format!("by {}, from {from}", authors.join(", "))
                    };
                    format!(
                        "{}  remote  {}  {} ({by})",
                        when(time),
                        tandem_proto::ids::short(plan),
                        messages.join("; "),
                    )
                }
                WatchEvent::PeerConnected { peer, time } => {
                    format!("{}  peer connected     {peer}", when(time))
                }
                WatchEvent::PeerDisconnected { peer, time } => {
                    format!("{}  peer disconnected  {peer}", when(time))
                }
                WatchEvent::SyncComplete { plan, peer, time } => {
                    format!(
                        "{}  in sync {}  with {peer}",
                        when(time),
                        tandem_proto::ids::short(plan)
                    )
                }
            }
        };
        super::print(&(line + "\n"))?;
    }
}
