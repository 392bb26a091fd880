//! `tandem plan ...`: its syntax and how it is carried out.

use clap::Subcommand;
use tandem_proto::api::{Accepted, Item, PlanAccept, PlanDecline, PlanList, PlanPending, PlanUse};
use tandem_proto::edit::{Edit, NewPlan, PlanOp, PlanPatch};
use tandem_proto::ids::short;
use tandem_proto::model::PlanStatus;

use super::Ctx;
use crate::fail::Fail;
use crate::render;

/// Plan commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum PlanCmd {
    /// Create a plan and make it current.
    New {
        /// Title of the plan.
        title: String,
        /// The mentor's name.
        #[arg(long, default_value = "")]
        mentor: String,
        /// The mentee's name.
        #[arg(long, default_value = "")]
        mentee: String,
        /// Seed it from a template (see `tandem plan templates`).
        #[arg(long)]
        template: Option<String>,
    },
    /// List the templates `plan new --template` can use.
    Templates,
    /// List plans.
    List,
    /// Show a plan: people, agreement, goals, open actions, next meeting.
    Show {
        /// Plan id or prefix (default: the current plan).
        id: Option<String>,
    },
    /// Make a plan the current one.
    Use {
        /// Plan id or prefix.
        id: String,
    },
    /// Rename the plan.
    Rename {
        /// New title.
        title: String,
    },
    /// Archive the plan (or bring it back with --undo).
    Archive {
        /// Make the plan active again.
        #[arg(long)]
        undo: bool,
    },
    /// Set the plan's status, mentor or mentee.
    Set {
        /// Where the plan stands.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<PlanStatus>,
        /// The mentor's name.
        #[arg(long)]
        mentor: Option<String>,
        /// The mentee's name.
        #[arg(long)]
        mentee: Option<String>,
    },
    /// Show or set the laboratory and person details printed on competency
    /// records (lab name, CLIA number, director, section; full name,
    /// employee id, position).
    Profile(super::profile::ProfileArgs),
    /// Plans offered by devices this one shares no plan with, waiting for
    /// you to accept or decline them (a plan you join with a ticket needs no consent).
    Pending,
    /// Accept an offered plan: it is stored here and syncs from then on.
    /// Given the whole id of a plan not offered yet (say a mentor added this
    /// device and told you its id), it is stored as soon as it arrives.
    Accept {
        /// The offered plan's id or prefix (see `tandem plan pending`).
        id: String,
    },
    /// Decline an offered plan: it is forgotten and refused from then on.
    Decline {
        /// The offered plan's id or prefix (see `tandem plan pending`).
        id: String,
    },
}

fn update(ctx: &mut Ctx, patch: PlanPatch, what: &str) -> Result<(), Fail> {
    let item = ctx.edit(Edit::Plan(PlanOp::Edit(patch)))?;
    let human = match &item {
        Item::Plan(p) => format!("{what}: {} ({})", p.title, short(&p.id)),
        _ => what.to_string(),
    };
    ctx.emit_item(&item, &human)
}

pub(crate) fn run(cmd: PlanCmd, ctx: &mut Ctx) -> Result<(), Fail> {
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
            let spinner = (!new.seed.is_empty())
                .then(|| crate::progress::Progress::start(ctx.json, "Making the plan from its template..."));
            let p = ctx.call(new)?;
            drop(spinner);
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
        PlanCmd::List => {
            if ctx.json {
                return ctx.emit_raw(PlanList, "plans");
            }
            let list = ctx.call(PlanList)?;
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No plans yet. Create one with: tandem plan new \"TITLE\" --mentor NAME --mentee NAME\n".into();
                }
                list.iter().map(|p| render::plan_line(p, s) + "\n").collect()
            })
        }
        PlanCmd::Show { id } => {
            if id.is_some() {
                ctx.plan = id;
            }
            let p = ctx.fetch_plan()?;
            let (today, now) = (ctx.today(), ctx.now().clone());
            // A device removed from the plan keeps its copy; say so up front.
            let me = if ctx.json { String::new() } else { super::status::my_peer_id(ctx)? };
            let removed = !ctx.json && !p.members.is_empty() && !p.members.iter().any(|m| m.peer == me);
            ctx.emit_long(&p, || {
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
        PlanCmd::Use { id } => {
            let p = ctx.call(PlanUse { plan: id })?;
            ctx.emit(&p, || format!("Now using plan {} ({}); it is the current plan.\n", p.title, short(&p.id)))
        }
        PlanCmd::Rename { title } => update(ctx, PlanPatch { title: Some(title), ..Default::default() }, "Renamed"),
        PlanCmd::Archive { undo } => {
            let status = if undo { PlanStatus::Active } else { PlanStatus::Archived };
            let what = if undo { "Reactivated" } else { "Archived" };
            update(ctx, PlanPatch { status: Some(status), ..Default::default() }, what)
        }
        PlanCmd::Pending => {
            let list = ctx.call(PlanPending)?;
            ctx.emit(&list, || {
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
            })
        }
        PlanCmd::Accept { id } => match ctx.call(PlanAccept { plan: id })? {
            Accepted::Ahead(plan) => {
                let v = serde_json::json!({ "plan": plan, "accepted": true, "stored": false });
                ctx.emit(&v, || {
                    format!("Plan {} has not been offered yet; it will be stored as soon as one of its members sends it.\n", short(&plan))
                })
            }
            Accepted::Stored(p) => ctx.emit(&p, || {
                format!(
                    "Accepted plan {} ({}); it is stored here and syncs with its members. See it with: tandem plan show {}\n",
                    p.title,
                    short(&p.id),
                    short(&p.id)
                )
            }),
        },
        PlanCmd::Decline { id } => {
            let d = ctx.call(PlanDecline { plan: id })?;
            let v = serde_json::json!({ "plan": d.plan, "title": d.title, "declined": true });
            ctx.emit(&v, || {
                format!("Declined plan {} ({}); it will be refused if offered again.\n", d.title, short(&d.plan))
            })
        }
        PlanCmd::Profile(args) => super::profile::run(args, ctx),
        PlanCmd::Set { status, mentor, mentee } => {
            if status.is_none() && mentor.is_none() && mentee.is_none() {
                return Err(Fail::Usage("nothing to set: give --status, --mentor or --mentee".into()));
            }
            update(ctx, PlanPatch { title: None, mentor, mentee, status }, "Updated")
        }
    }
}
