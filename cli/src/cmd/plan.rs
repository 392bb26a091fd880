//! `tandem plan ...`

use tandem_proto::api::{Item, Request, Response};
use tandem_proto::edit::{Edit, NewPlan, PlanPatch};
use tandem_proto::ids::short;
use tandem_proto::model::PlanStatus;

use super::{Ctx, parse, unexpected};
use crate::args::PlanCmd;
use crate::fail::Fail;
use crate::render;

fn update(ctx: &mut Ctx, patch: PlanPatch, what: &str) -> Result<(), Fail> {
    let item = ctx.edit(Edit::Plan(PlanOp::Edit(patch)))?;
    let human = match &item {
        Item::Plan(p) => format!("{what}: {} ({})", p.title, short(&p.id)),
        _ => what.to_string(),
    };
    ctx.emit_item(&item, &human)
}

pub(super) fn run(cmd: PlanCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        PlanCmd::New { title, mentor, mentee, template } => {
            let template = template.as_deref().map(crate::templates::load).transpose()?;
            // The template's steps travel with the plan: the daemon makes both
            // in one change, so a plan is never left half-built.
            let seed = match &template {
                Some(t) => t.steps(ctx.today()).map_err(Fail::Usage)?,
                None => Vec::new(),
            };
            let new = NewPlan { title, mentor, mentee, seed };
            new.validate()?;
            let Response::Plan(p) = ctx.call(&Request::PlanNew(new))? else {
                return Err(Fail::Other("unexpected reply to plan new".into()));
            };
            if let Some(t) = template {
                return ctx.emit(&p, || {
                    format!(
                        "Created plan {} ({}) from the {} template: {} goals, {} actions, {} competencies.\n",
                        p.title,
                        short(&p.id),
                        t.description,
                        p.goals.len(),
                        p.actions.len(),
                        p.competencies.len()
                    )
                });
            }
            ctx.emit(&p, || format!("Created plan {} ({}); it is now the current plan.\n", p.title, short(&p.id)))
        }
        PlanCmd::Templates => {
            let list = crate::templates::list();
            let json: Vec<serde_json::Value> = list
                .iter()
                .map(|(name, from, d)| match d {
                    Ok(d) => serde_json::json!({ "name": name, "from": from, "description": d }),
                    Err(e) => serde_json::json!({ "name": name, "from": from, "error": e }),
                })
                .collect();
            ctx.emit(&json, || {
                let mut out: String = list
                    .iter()
                    .map(|(name, from, d)| match d {
                        Ok(d) => format!("{name:<16} {d}  ({from})\n"),
                        Err(e) => format!("{name:<16} UNUSABLE ({from}): {e}\n"),
                    })
                    .collect();
                if let Some(dir) = crate::templates::user_dir() {
                    out += &format!("Add your own as {}/NAME.toml\n", dir.display());
                }
                out
            })
        }
        PlanCmd::List => match ctx.call(&Request::PlanList)? {
            Response::Plans(list) => ctx.emit(&list, || {
                if list.is_empty() {
                    return "No plans yet. Create one with: tandem plan new \"TITLE\" --mentor NAME --mentee NAME\n".into();
                }
                list.iter().map(|p| render::plan_line(p, s) + "\n").collect()
            }),
            other => Err(unexpected(&other)),
        },
        PlanCmd::Show { id } => {
            if id.is_some() {
                ctx.plan = id;
            }
            let p = ctx.fetch_plan()?;
            let (today, now) = (ctx.today(), ctx.now().clone());
            // A device removed from the plan keeps its copy; say so up front.
            let me = if ctx.json { String::new() } else { super::member::my_peer_id(ctx)? };
            let removed = !ctx.json && !p.members.is_empty() && !p.members.iter().any(|m| m.peer == me);
            ctx.emit(&p, || {
                let banner = if removed {
                    format!(
                        "{}\n\n",
                        s.bold("This device is not a member of this plan (it was removed): this copy is read-only and no longer syncs.")
                    )
                } else {
                    String::new()
                };
                banner + &render::plan_detail(&p, today, &now, s)
            })
        }
        PlanCmd::Use { id } => match ctx.call(&Request::PlanUse(PlanUse { plan: id }))? {
            Response::Plan(p) => ctx.emit(&p, || format!("Now using plan {} ({}).\n", p.title, short(&p.id))),
            other => Err(unexpected(&other)),
        },
        PlanCmd::Rename { title } => update(ctx, PlanPatch { title: Some(title), ..Default::default() }, "Renamed"),
        PlanCmd::Archive { undo } => {
            let status = if undo { PlanStatus::Active } else { PlanStatus::Archived };
            let what = if undo { "Reactivated" } else { "Archived" };
            update(ctx, PlanPatch { status: Some(status), ..Default::default() }, what)
        }
        PlanCmd::Pending => match ctx.call(&Request::PlanPending)? {
            Response::Offers(list) => ctx.emit(&list, || {
                if list.is_empty() {
                    return "No plans are waiting for your consent.\n".into();
                }
                let mut out = format!(
                    "{} plan(s) offered by devices this one shares no plan with:\n",
                    list.len()
                );
                for o in &list {
                    let who = if o.from_name.is_empty() { "someone".to_string() } else { o.from_name.clone() };
                    out += &format!(
                        "  {}  {}\n      offered by {who} ({}, device {}) on {}; you would be its {}\n",
                        short(&o.plan),
                        s.bold(&o.title),
                        o.from_role.as_str(),
                        o.from,
                        o.offered_at.strftime("%Y-%m-%d %H:%M UTC"),
                        o.my_role.as_str()
                    );
                }
                out + "Accept one with `tandem plan accept ID`, or refuse it with `tandem plan decline ID`.\n"
            }),
            other => Err(unexpected(&other)),
        },
        PlanCmd::Accept { id } => match ctx.call(&Request::PlanAccept(PlanAccept { plan: id }))? {
            Response::AcceptedAhead { plan } => {
                let v = serde_json::json!({ "plan": plan, "accepted": true, "stored": false });
                ctx.emit(&v, || {
                    format!("Plan {} has not been offered yet; it will be stored as soon as one of its members sends it.\n", short(&plan))
                })
            }
            Response::Plan(p) => ctx.emit(&p, || {
                format!(
                    "Accepted plan {} ({}); it is stored here and syncs with its members. See it with: tandem plan show {}\n",
                    p.title,
                    short(&p.id),
                    short(&p.id)
                )
            }),
            other => Err(unexpected(&other)),
        },
        PlanCmd::Decline { id } => match ctx.call(&Request::PlanDecline(PlanDecline { plan: id }))? {
            Response::Declined(Declined { plan, title }) => {
                let v = serde_json::json!({ "plan": plan, "title": title, "declined": true });
                ctx.emit(&v, || format!("Declined plan {title} ({}); it will be refused if offered again.\n", short(&plan)))
            }
            other => Err(unexpected(&other)),
        },
        PlanCmd::Set { status, mentor, mentee } => {
            let status = status.as_deref().map(parse::<PlanStatus>).transpose()?;
            if status.is_none() && mentor.is_none() && mentee.is_none() {
                return Err(Fail::Usage("nothing to set: give --status, --mentor or --mentee".into()));
            }
            update(ctx, PlanPatch { title: None, mentor, mentee, status }, "Updated")
        }
    }
}
