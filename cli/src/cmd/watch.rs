//! `tandem watch`: events as they happen, one line (or JSON object) each.

use tandem_proto::api::{Response, Watch, WatchEvent};

use super::Ctx;
use crate::fail::Fail;

/// `tandem watch` (no arguments).
#[derive(Debug, clap::Args)]
pub struct WatchArgs {}

pub(crate) fn watch(_: WatchArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let plan = ctx.plan.clone();
    ctx.call(Watch { plan })?;
    loop {
        let event = match ctx.next()? {
            Response::Event(e) => e,
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
