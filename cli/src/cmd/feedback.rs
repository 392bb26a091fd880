//! `tandem feedback ...`: its syntax and how it is carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, FeedbackOp, NewFeedback};
use tandem_proto::ids::short;
use tandem_proto::model::{Feedback, FeedbackKind};

use super::Ctx;
use super::goal::find;
use crate::fail::Fail;
use crate::{input, render};

/// Feedback commands.
#[derive(Debug, Subcommand)]
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
        /// Who gives it (default: $TANDEM_USER or $USER).
        #[arg(long)]
        author: Option<String>,
    },
    /// List feedback.
    List {
        /// Only feedback about this goal.
        #[arg(long, short)]
        goal: Option<String>,
    },
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
            let author = author.unwrap_or_else(|| ctx.user.clone());
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
    }
}
