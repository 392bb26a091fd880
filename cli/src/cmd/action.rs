//! `tandem action ...`

use tandem_proto::api::Item;
use tandem_proto::edit::{ActionPatch, Edit, NewAction};
use tandem_proto::ids::short;
use tandem_proto::model::{Action, ActionStatus, Owner};

use super::goal::find;
use super::{Ctx, parse};
use crate::args::ActionCmd;
use crate::fail::Fail;
use crate::{input, render};

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

pub(super) fn run(cmd: ActionCmd, ctx: &mut Ctx) -> Result<(), Fail> {
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
            let action = NewAction {
                title,
                owner: parse::<Owner>(&owner)?,
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
            let owner = owner.as_deref().map(parse::<Owner>).transpose()?;
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
        ActionCmd::Rm { id } => {
            let item = ctx.edit(Edit::Action(ActionOp::Rm { action: id }))?;
            ctx.emit_item(&item, &described(&item, "Removed"))
        }
    }
}
