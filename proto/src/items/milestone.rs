//! Milestones: the ordered steps of a goal, named by position (1-based).
//!
//! ```text
//! goals/<id>/milestones: list of { id, title: str, done: bool, done_at: timestamp }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{TITLE_MAX, ValidationError, check_line, check_position, check_prefix};
use crate::ids::ItemId;

/// The milestones' list inside a goal.
pub const KEY: &str = "milestones";

/// One milestone of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stable id.
    pub id: ItemId,
    /// What marks the milestone.
    pub title: String,
    /// Whether it was reached.
    pub done: bool,
    /// When it was marked done.
    pub done_at: Option<Timestamp>,
}

/// Changes to a milestone; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestonePatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Reached or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
}

/// What can be done to a goal's milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MilestoneOp {
    /// Append a milestone to a goal.
    Add {
        /// Goal id or prefix.
        goal: String,
        /// Milestone title.
        title: String,
    },
    /// Change a milestone (mark it done or not).
    Edit {
        /// Goal id or prefix.
        goal: String,
        /// 1-based position.
        position: u32,
        /// What changes.
        patch: MilestonePatch,
    },
    /// Remove a milestone.
    Rm {
        /// Goal id or prefix.
        goal: String,
        /// 1-based position.
        position: u32,
    },
}

/// The check of a milestone's title, whoever writes it.
pub fn check(title: &str) -> Result<(), ValidationError> {
    check_line("milestone", title, TITLE_MAX)
}

/// The checks of a goal's milestones as an import gives them.
pub fn check_imported(all: &[Milestone]) -> Result<(), ValidationError> {
    super::fields::check_part_ids("milestones", all.iter().map(|m| m.id.as_str()))?;
    all.iter().try_for_each(|m| check(&m.title))
}

impl MilestoneOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            MilestoneOp::Add { goal, title } => {
                check_prefix("goal", goal)?;
                check(title)
            }
            MilestoneOp::Edit {
                goal,
                position,
                patch,
            } => {
                check_prefix("goal", goal)?;
                check_position(*position)?;
                super::fields::check_opt(&patch.title, |t| check(t))
            }
            MilestoneOp::Rm { goal, position } => {
                check_prefix("goal", goal)?;
                check_position(*position)
            }
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{read_all, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{Applied, R, Target, Writer, boolean, list_maps, string, timestamp};
    use super::super::{ItemKind, goal};
    use super::{KEY, Milestone, MilestoneOp};

    /// The milestones of the goal at `obj`, in order.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<Milestone> {
        list_maps(d, obj, KEY)
            .iter()
            .map(|m| Milestone {
                id: string(d, m, "id").into(),
                title: string(d, m, "title"),
                done: boolean(d, m, "done"),
                done_at: timestamp(d, m, "done_at"),
            })
            .collect()
    }

    /// Appends an imported milestone, with its id, to the goal at `obj`.
    pub(crate) fn write(w: &mut Writer, obj: &ObjId, m: &Milestone) -> R<()> {
        let (_, mo) = w.push(obj, KEY, Some(&m.id))?;
        w.put_str(&mo, "title", &m.title)?;
        w.put_bool(&mo, "done", m.done)?;
        if let Some(t) = m.done_at {
            w.put_ts(&mo, "done_at", t)?;
        }
        Ok(())
    }

    impl MilestoneOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            let goal_of = |w: &mut Writer, g: &str| w.resolve(ItemKind::Goal, goal::KEY, g);
            let (id, obj, message) = match self {
                MilestoneOp::Add { goal, title } => {
                    let (id, obj) = goal_of(w, goal)?;
                    let (_, m) = w.push(&obj, KEY, None)?;
                    w.put_str(&m, "title", title)?;
                    w.put_bool(&m, "done", false)?;
                    let goal_title = string(w.tx, &obj, "title");
                    (id, obj, format!("milestone add: {goal_title}: {title}"))
                }
                MilestoneOp::Edit {
                    goal,
                    position,
                    patch,
                } => {
                    let (id, obj) = goal_of(w, goal)?;
                    let (_, _, m) = w.nth(&obj, KEY, *position, "milestone")?;
                    if let Some(t) = &patch.title {
                        w.put_str(&m, "title", t)?;
                    }
                    let title = string(w.tx, &m, "title");
                    let message = match patch.done {
                        Some(done) => {
                            w.put_bool(&m, "done", done)?;
                            let now = w.now;
                            w.put_opt_ts(&m, "done_at", done.then_some(now))?;
                            format!(
                                "milestone {}: {title}",
                                if done { "done" } else { "undone" }
                            )
                        }
                        None => format!("milestone edit: {title}"),
                    };
                    (id, obj, message)
                }
                MilestoneOp::Rm { goal, position } => {
                    let (id, obj) = goal_of(w, goal)?;
                    let (list, idx, m) = w.nth(&obj, KEY, *position, "milestone")?;
                    let title = string(w.tx, &m, "title");
                    w.delete_at(&list, idx)?;
                    (id, obj, format!("milestone rm: {title}"))
                }
            };
            w.touch(&obj)?;
            Ok(Applied {
                message,
                target: Target::Item(ItemKind::Goal, id),
            })
        }
    }
}
