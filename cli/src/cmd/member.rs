//! `tandem device show` and `tandem member add|list|remove`.

use tandem_proto::api::{Item, Request, Response};
use tandem_proto::edit::Edit;
use tandem_proto::model::{Member, Role};

use super::{Ctx, parse, unexpected};
use crate::args::{DeviceCmd, MemberCmd};
use crate::fail::Fail;

fn member_line(m: &Member, me: &str, s: crate::style::Style) -> String {
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

fn my_peer_id(ctx: &mut Ctx) -> Result<String, Fail> {
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
            let item = ctx.edit(Edit::MemberAdd {
                peer,
                name,
                role,
                device,
            })?;
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
            let item = ctx.edit(Edit::MemberRemove { peer })?;
            let human = match &item {
                Item::Removed { id, .. } => format!("Member removed: {id}"),
                _ => "Member removed".into(),
            };
            ctx.emit_item(&item, &human)
        }
    }
}
