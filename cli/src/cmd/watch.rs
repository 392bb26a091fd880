//! `tandem watch`: events as they happen, one line (or JSON object) each.

use std::collections::HashSet;

use tandem_proto::api::{Response, Watch, WatchEvent};

use super::Ctx;
use crate::fail::Fail;
use crate::people::People;

/// `tandem watch` (no arguments).
#[derive(Debug, clap::Args)]
pub struct WatchArgs {}

/// A device's name for people, gathering names again (on a connection of
/// its own) the first time a device shows up that was not named before; a
/// stranger is looked up once, not at every event.
fn name(
    people: &mut Option<People>,
    looked_up: &mut HashSet<String>,
    ctx: &Ctx,
    peer: &str,
) -> String {
    let known = people.as_ref().is_some_and(|p| p.knows(peer));
    if !known && looked_up.insert(peer.to_string()) {
        let mut other = Ctx::like(ctx);
        if let Ok(p) = People::fetch(&mut other) {
            *people = Some(p);
        }
    }
    match people {
        Some(p) => p.name(peer),
        None => format!("device {peer}"),
    }
}

pub(crate) fn watch(_: WatchArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let plan = ctx.plan.clone();
    let mut people: Option<People> = None;
    let mut looked_up: HashSet<String> = HashSet::new();
    ctx.call(Watch { plan })?;
    loop {
        let event = match ctx.next()? {
            Response::Event(e) => e,
            Response::ShuttingDown => {
                if !ctx.json {
                    super::print("tandemd stopped; no more events.\n")?;
                }
                return Ok(());
            }
            other => {
                return Err(Fail::Other(format!(
                    "tandemd sent {other:?} in a stream of events"
                )));
            }
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
                        let names: Vec<&str> = authors.iter().map(|a| a.as_str()).collect();
                        format!("by {}, from {from}", names.join(", "))
                    };
                    format!(
                        "{}  remote  {}  {} ({by})",
                        when(time),
                        tandem_proto::ids::short(plan),
                        messages.join("; "),
                    )
                }
                WatchEvent::PeerConnected { peer, time } => {
                    format!(
                        "{}  connected     {}",
                        when(time),
                        name(&mut people, &mut looked_up, ctx, peer)
                    )
                }
                WatchEvent::PeerDisconnected { peer, time } => {
                    format!(
                        "{}  disconnected  {}",
                        when(time),
                        name(&mut people, &mut looked_up, ctx, peer)
                    )
                }
                WatchEvent::SyncComplete { plan, peer, time } => {
                    format!(
                        "{}  in sync {}  with {}",
                        when(time),
                        tandem_proto::ids::short(plan),
                        name(&mut people, &mut looked_up, ctx, peer)
                    )
                }
            }
        };
        super::print(&(line + "\n"))?;
    }
}
