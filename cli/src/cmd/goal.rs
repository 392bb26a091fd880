//! `tandem goal ...` and `tandem goal milestone ...`: their syntax and
//! how they are carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, GoalOp, GoalPatch, MilestoneOp, MilestonePatch, NewGoal};
use tandem_proto::ids::{self, short};
use tandem_proto::model::{Goal, GoalCategory, GoalStatus, Plan};

use super::Ctx;
use crate::args::EditorFlag;
use crate::fail::Fail;
use crate::{input, render};

/// Goal commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum GoalCmd {
    /// Add a goal.
    Add {
        /// Title.
        title: String,
        /// Description (`-` reads stdin).
        #[arg(long, short)]
        description: Option<String>,
        /// What kind of goal.
        #[arg(long, short, value_enum, ignore_case = true, default_value_t = GoalCategory::Skill)]
        category: GoalCategory,
        /// Where it stands.
        #[arg(long, short, value_enum, ignore_case = true, default_value_t = GoalStatus::Active)]
        status: GoalStatus,
        /// Target date: YYYY-MM-DD, tomorrow, friday, +3w, "in 2 months", ...
        #[arg(long, short)]
        target: Option<String>,
        /// How both sides will know the goal is reached (`-` reads stdin).
        #[arg(long)]
        criteria: Option<String>,
        /// Who creates it (default: this device's member name).
        #[arg(long)]
        author: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// List goals.
    List {
        /// Only goals with this status.
        #[arg(long, short, value_enum, ignore_case = true)]
        status: Option<GoalStatus>,
        /// Only goals of this category.
        #[arg(long, short, value_enum, ignore_case = true)]
        category: Option<GoalCategory>,
    },
    /// Show a goal with its milestones, actions and feedback.
    Show {
        /// Goal id or prefix.
        id: String,
    },
    /// Change a goal's fields.
    Edit {
        /// Goal id or prefix.
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New description (`-` reads stdin).
        #[arg(long, short)]
        description: Option<String>,
        /// New category.
        #[arg(long, short, value_enum, ignore_case = true)]
        category: Option<GoalCategory>,
        /// New target date, or `none` to clear it.
        #[arg(long, short)]
        target: Option<String>,
        /// New success criteria (`-` reads stdin).
        #[arg(long)]
        criteria: Option<String>,
        #[command(flatten)]
        editor: EditorFlag,
    },
    /// Set a goal's status.
    Status {
        /// Goal id or prefix.
        id: String,
        /// New status.
        #[arg(value_enum, ignore_case = true)]
        status: GoalStatus,
    },
    /// Set progress 0-100, or `auto` to derive it from milestones.
    Progress {
        /// Goal id or prefix.
        id: String,
        /// 0-100, or auto.
        value: String,
    },
    /// Remove a goal.
    Rm(super::items::RmArgs),
    /// Milestones of a goal.
    #[command(subcommand)]
    Milestone(MilestoneCmd),
}

/// Milestone commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MilestoneCmd {
    /// Append a milestone.
    Add {
        /// Goal id or prefix.
        goal: String,
        /// Milestone title.
        title: String,
    },
    /// Mark milestone N (1-based) done.
    Done {
        /// Goal id or prefix.
        goal: String,
        /// Position, from 1.
        n: u32,
        /// Mark it not done.
        #[arg(long)]
        undo: bool,
    },
    /// Rename milestone N (1-based).
    Edit {
        /// Goal id or prefix.
        goal: String,
        /// Position, from 1.
        n: u32,
        /// The new title.
        title: String,
    },
    /// Remove milestone N (1-based).
    Rm {
        /// Goal id or prefix.
        goal: String,
        /// Position, from 1.
        n: u32,
    },
}

/// Finds a goal by id prefix in a fetched plan.
pub(super) fn find<'p>(plan: &'p Plan, prefix: &str) -> Result<&'p Goal, Fail> {
    let id = ids::resolve("goal", prefix, plan.goals.iter().map(|g| g.id.as_str())).map_err(api)?;
    plan.goals
        .iter()
        .find(|g| g.id == id)
        .ok_or_else(|| Fail::NotFound(format!("no goal with id '{prefix}'")))
}

/// An id resolution error, classified like the daemon's.
pub(super) fn api(e: ids::ResolveError) -> Fail {
    tandem_proto::ApiError::from(e).into()
}

fn described(item: &Item, verb: &str) -> String {
    match item {
        Item::Goal(g) => format!(
            "{verb} goal {}: {} ({}%)",
            short(&g.id),
            g.title,
            g.shown_progress()
        ),
        _ => verb.to_string(),
    }
}

pub(crate) fn run(cmd: GoalCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        GoalCmd::Add {
            title,
            description,
            category,
            status,
            target,
            criteria,
            author,
            editor,
        } => {
            let description = match (editor.editor, description) {
                (true, _) => input::editor("goal description", "")?,
                (false, d) => input::opt_text(d)?.unwrap_or_default(),
            };
            let goal = NewGoal {
                title,
                description,
                category,
                status,
                target_date: target.as_deref().map(|t| ctx.date(t)).transpose()?,
                success_criteria: input::opt_text(criteria)?.unwrap_or_default(),
                created_by: author.unwrap_or_default(),
            };
            let item = ctx.edit(Edit::Goal(GoalOp::Add(goal)))?;
            ctx.emit_item(&item, &described(&item, "Added"))
        }
        GoalCmd::List { status, category } => {
            if ctx.json && status.is_none() && category.is_none() {
                return ctx.emit_plan_list("goals");
            }
            let plan = ctx.fetch_plan()?;
            let goals: Vec<&Goal> = plan
                .goals
                .iter()
                .filter(|g| status.is_none_or(|st| g.status == st))
                .filter(|g| category.is_none_or(|c| g.category == c))
                .collect();
            ctx.emit(&goals, || {
                if goals.is_empty() {
                    return "No goals. Add one with: tandem goal add \"TITLE\" --target 2027-03-01\n".into();
                }
                let today = ctx.today();
                goals.iter().map(|g| render::goal_line(g, today, s) + "\n").collect()
            })
        }
        GoalCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let g = find(&plan, &id)?;
            super::items::show(ctx, &plan, g, || {
                render::goal_detail(g, &plan, ctx.today(), s)
            })
        }
        GoalCmd::Edit {
            id,
            title,
            description,
            category,
            target,
            criteria,
            editor,
        } => {
            let description = if editor.editor {
                let plan = ctx.fetch_plan()?;
                Some(input::editor(
                    "goal description",
                    &find(&plan, &id)?.description,
                )?)
            } else {
                input::opt_text(description)?
            };
            let target_date = match target.as_deref() {
                None => None,
                Some("none") | Some("") => Some(None),
                Some(t) => Some(Some(ctx.date(t)?)),
            };
            let patch = GoalPatch {
                title,
                description,
                category,
                status: None,
                target_date,
                success_criteria: input::opt_text(criteria)?,
                progress: None,
            };
            if patch == GoalPatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --title, --description, --category, --target, --criteria or --editor".into(),
                ));
            }
            let item = ctx.edit(Edit::Goal(GoalOp::Edit { goal: id, patch }))?;
            ctx.emit_item(&item, &described(&item, "Updated"))
        }
        GoalCmd::Status { id, status } => {
            let patch = GoalPatch {
                status: Some(status),
                ..Default::default()
            };
            let item = ctx.edit(Edit::Goal(GoalOp::Edit { goal: id, patch }))?;
            ctx.emit_item(&item, &described(&item, &format!("Marked {status}:")))
        }
        GoalCmd::Progress { id, value } => {
            let progress = if value.eq_ignore_ascii_case("auto") {
                None
            } else {
                let n: u8 = value
                    .trim_end_matches('%')
                    .parse()
                    .ok()
                    .filter(|n| *n <= 100)
                    .ok_or_else(|| {
                        Fail::Usage(format!(
                            "invalid progress '{value}': expected 0-100 or auto"
                        ))
                    })?;
                Some(n)
            };
            let patch = GoalPatch {
                progress: Some(progress),
                ..Default::default()
            };
            let item = ctx.edit(Edit::Goal(GoalOp::Edit { goal: id, patch }))?;
            ctx.emit_item(&item, &described(&item, "Progress of"))
        }
        GoalCmd::Rm(args) => {
            super::items::remove::<Goal>(ctx, args, |goal| Edit::Goal(GoalOp::Rm { goal }))
        }
        GoalCmd::Milestone(m) => {
            let (edit, verb) = match m {
                MilestoneCmd::Add { goal, title } => (
                    Edit::Milestone(MilestoneOp::Add { goal, title }),
                    "Milestone added to",
                ),
                MilestoneCmd::Done { goal, n, undo } => (
                    Edit::Milestone(MilestoneOp::Edit {
                        goal,
                        position: n,
                        patch: MilestonePatch {
                            done: Some(!undo),
                            title: None,
                        },
                    }),
                    if undo {
                        "Milestone reopened in"
                    } else {
                        "Milestone done in"
                    },
                ),
                MilestoneCmd::Edit { goal, n, title } => (
                    Edit::Milestone(MilestoneOp::Edit {
                        goal,
                        position: n,
                        patch: MilestonePatch {
                            done: None,
                            title: Some(title),
                        },
                    }),
                    "Milestone renamed in",
                ),
                MilestoneCmd::Rm { goal, n } => (
                    Edit::Milestone(MilestoneOp::Rm { goal, position: n }),
                    "Milestone removed from",
                ),
            };
            let item = ctx.edit(edit)?;
            ctx.emit_item(&item, &described(&item, verb))
        }
    }
}
