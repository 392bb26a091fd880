//! `tandem feedback ...`: its syntax and how it is carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, FeedbackOp, FeedbackPatch, NewFeedback};
use tandem_proto::ids::short;
use tandem_proto::model::{Feedback, FeedbackKind};

use super::Ctx;
use super::goal::find;
use super::items::{self, RmArgs};
use crate::fail::Fail;
use crate::{input, render};

/// Feedback commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum FeedbackCmd {
    /// Give feedback (text, `-` for stdin, or $EDITOR when omitted).
    Add {
        /// The feedback.
        body: Option<String>,
        /// What kind of feedback.
        #[arg(long, short, value_enum, ignore_case = true, default_value_t = FeedbackKind::Suggestion)]
        kind: FeedbackKind,
        /// Goal it is about (id or prefix).
        #[arg(long, short)]
        goal: Option<String>,
        /// Who gives it (default: this device's member name).
        #[arg(long)]
        author: Option<String>,
    },
    /// List feedback.
    List {
        /// Only feedback about this goal.
        #[arg(long, short)]
        goal: Option<String>,
    },
    /// Show a piece of feedback.
    Show {
        /// Feedback id or prefix.
        id: String,
    },
    /// Change feedback: its text (argument, `-` for stdin, or $EDITOR when
    /// nothing else is given), kind or goal.
    Edit {
        /// Feedback id or prefix.
        id: String,
        /// The new text.
        body: Option<String>,
        /// New kind.
        #[arg(long, short, value_enum, ignore_case = true)]
        kind: Option<FeedbackKind>,
        /// Goal it is about (id or prefix), or `none`.
        #[arg(long, short)]
        goal: Option<String>,
    },
    /// Remove feedback.
    Rm(RmArgs),
}

fn added(item: &Item) -> String {
    match item {
        Item::Feedback(x) => format!("Added feedback {}", short(&x.id)),
        _ => "Added feedback".into(),
    }
}

pub(crate) fn run(cmd: FeedbackCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        FeedbackCmd::Add {
            body: text,
            kind,
            goal,
            author,
        } => {
            let body = input::body(text, "feedback")?;
            let author = author.unwrap_or_default();
            let item = ctx.edit(Edit::Feedback(FeedbackOp::Add(NewFeedback {
                author,
                goal,
                kind,
                body,
            })))?;
            ctx.emit_item(&item, &added(&item))
        }
        FeedbackCmd::List { goal } => {
            let plan = ctx.fetch_plan()?;
            let goal_id = goal
                .as_deref()
                .map(|g| find(&plan, g).map(|g| g.id.clone()))
                .transpose()?;
            let list: Vec<&Feedback> = plan
                .feedback
                .iter()
                .filter(|f| goal_id.is_none() || f.goal == goal_id)
                .collect();
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No feedback yet.\n".into();
                }
                list.iter()
                    .map(|f| render::feedback_line(f, s) + "\n")
                    .collect()
            })
        }
        FeedbackCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let f = items::find::<Feedback>(&plan, &id)?;
            items::show(ctx, &plan, f, || crate::details::feedback(f, &plan, s))
        }
        FeedbackCmd::Edit {
            id,
            body,
            kind,
            goal,
        } => {
            let goal = goal.map(|g| Some(g).filter(|g| !matches!(g.trim(), "none" | "")));
            let body = match body {
                Some(b) => Some(input::text(b)?),
                None if kind.is_some() || goal.is_some() => None,
                None => {
                    let plan = ctx.fetch_plan()?;
                    let current = items::find::<Feedback>(&plan, &id)?.body.clone();
                    Some(input::editor("feedback", &current)?)
                }
            };
            let patch = FeedbackPatch { kind, body, goal };
            let item = ctx.edit(Edit::Feedback(FeedbackOp::Edit {
                feedback: id,
                patch,
            }))?;
            let human = match &item {
                Item::Feedback(f) => format!("Updated feedback {}", short(&f.id)),
                _ => "Updated feedback".into(),
            };
            ctx.emit_item(&item, &human)
        }
        FeedbackCmd::Rm(args) => items::remove::<Feedback>(ctx, args, |feedback| {
            Edit::Feedback(FeedbackOp::Rm { feedback })
        }),
    }
}
