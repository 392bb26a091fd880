//! `tandem action ...`: its syntax and how it is carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{ActionOp, ActionPatch, Edit, NewAction};
use tandem_proto::ids::short;
use tandem_proto::model::{Action, ActionStatus, Owner};

use super::Ctx;
use super::goal::find;
use super::items::{self, RmArgs};
use crate::args::EditorFlag;
use crate::fail::Fail;
use crate::{input, render};

/// Action commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ActionCmd {
    /// Add an action item.
    Add {
        /// What to do.
        title: String,
        /// Who does it: mentor, mentee, both, or a member's name.
        #[arg(long, short, default_value = "mentee")]
        owner: String,
        /// Due date.
        #[arg(long, short)]
        due: Option<String>,
        /// Goal it serves (id or prefix).
        #[arg(long, short)]
        goal: Option<String>,
        /// Meeting it came from (id or prefix).
        #[arg(long, short)]
        meeting: Option<String>,
        /// Notes (`-` reads stdin).
        #[arg(long)]
        notes: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// List action items.
    List {
        /// Only open items.
        #[arg(long)]
        open: bool,
        /// Only open items past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only items of this owner (and those owned by both).
        #[arg(long, value_enum, ignore_case = true)]
        owner: Option<Owner>,
        /// Only items linked to this goal.
        #[arg(long)]
        goal: Option<String>,
    },
    /// Show an action item with its notes.
    Show {
        /// Action id or prefix.
        id: String,
    },
    /// Change an action item's fields.
    Edit {
        /// Action id or prefix.
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New owner: mentor, mentee, both, or a member's name.
        #[arg(long, short)]
        owner: Option<String>,
        /// New due date, or `none` to clear it.
        #[arg(long, short)]
        due: Option<String>,
        /// Goal it serves (id or prefix), or `none`.
        #[arg(long, short)]
        goal: Option<String>,
        /// Meeting it came from (id or prefix), or `none`.
        #[arg(long, short)]
        meeting: Option<String>,
        /// New notes (`-` reads stdin).
        #[arg(long)]
        notes: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// Mark an action item done.
    Done {
        /// Action id or prefix.
        id: String,
    },
    /// Mark an action item open again.
    Reopen {
        /// Action id or prefix.
        id: String,
    },
    /// Remove an action item.
    Rm(RmArgs),
}

/// A reference to change: `none` clears it.
fn reference(given: Option<String>) -> Option<Option<String>> {
    given.map(|g| Some(g).filter(|g| !matches!(g.trim(), "none" | "")))
}

fn described(item: &Item, verb: &str) -> String {
    match item {
        Item::Action(a) => format!("{verb} action {}: {}", short(&a.id), a.title),
        Item::Removed { id, .. } => format!("{verb} action {}", short(id)),
        _ => verb.to_string(),
    }
}

fn set_status(ctx: &mut Ctx, id: String, status: ActionStatus, verb: &str) -> Result<(), Fail> {
    let patch = ActionPatch {
        status: Some(status),
        ..Default::default()
    };
    let item = ctx.edit(Edit::Action(ActionOp::Edit { action: id, patch }))?;
    ctx.emit_item(&item, &described(&item, verb))
}

pub(crate) fn run(cmd: ActionCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        ActionCmd::Add {
            title,
            owner,
            due,
            goal,
            meeting,
            notes,
            editor,
        } => {
            let notes = if editor.editor {
                input::editor("action notes", "")?
            } else {
                input::opt_text(notes)?.unwrap_or_default()
            };
            let owner = items::owner_of(ctx, &owner)?;
            let action = NewAction {
                title,
                owner,
                due: due.as_deref().map(|d| ctx.date(d)).transpose()?,
                goal,
                meeting,
                notes,
            };
            let item = ctx.edit(Edit::Action(ActionOp::Add(action)))?;
            ctx.emit_item(&item, &described(&item, "Added"))
        }
        ActionCmd::List {
            open,
            overdue,
            owner,
            goal,
        } => {
            let plan = ctx.fetch_plan()?;
            let goal_id = goal
                .as_deref()
                .map(|g| find(&plan, g).map(|g| g.id.clone()))
                .transpose()?;
            let today = overdue.then(|| ctx.today());
            let actions: Vec<&Action> = plan
                .actions
                .iter()
                .filter(|a| !open || a.status == ActionStatus::Open)
                .filter(|a| today.is_none_or(|t| render::overdue(a, t)))
                .filter(|a| owner.is_none_or(|o| a.owner == o || a.owner == Owner::Both))
                .filter(|a| goal_id.is_none() || a.goal == goal_id)
                .collect();
            ctx.emit(&actions, || {
                if actions.is_empty() {
                    return "No matching action items.\n".into();
                }
                let today = ctx.today();
                actions
                    .iter()
                    .map(|a| render::action_line(a, today, s) + "\n")
                    .collect()
            })
        }
        ActionCmd::Done { id } => set_status(ctx, id, ActionStatus::Done, "Done:"),
        ActionCmd::Reopen { id } => set_status(ctx, id, ActionStatus::Open, "Reopened"),
        ActionCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let a = items::find::<Action>(&plan, &id)?;
            items::show(ctx, &plan, a, || {
                crate::details::action(a, &plan, ctx.today(), s)
            })
        }
        ActionCmd::Edit {
            id,
            title,
            owner,
            due,
            goal,
            meeting,
            notes,
            editor,
        } => {
            let notes = if editor.editor {
                let plan = ctx.fetch_plan()?;
                let current = items::find::<Action>(&plan, &id)?.notes.clone();
                Some(input::editor("action notes", &current)?)
            } else {
                input::opt_text(notes)?
            };
            let patch = ActionPatch {
                title,
                owner: owner.map(|o| items::owner_of(ctx, &o)).transpose()?,
                due: items::date_change(ctx, due.as_deref())?,
                goal: reference(goal),
                meeting: reference(meeting),
                notes,
                status: None,
            };
            if patch == ActionPatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --title, --owner, --due, --goal, --meeting or --notes"
                        .into(),
                ));
            }
            let item = ctx.edit(Edit::Action(ActionOp::Edit { action: id, patch }))?;
            ctx.emit_item(&item, &described(&item, "Updated"))
        }
        ActionCmd::Rm(args) => {
            items::remove::<Action>(ctx, args, |action| Edit::Action(ActionOp::Rm { action }))
        }
    }
}
