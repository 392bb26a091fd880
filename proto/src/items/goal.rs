//! A goal the mentee works towards: its view, its edits (`add`, `edit`,
//! `rm`), their checks, and how it is kept in the document:
//!
//! ```text
//! goals: map id -> { title: str, description: text, category: str, status: str,
//!                    target_date: str (YYYY-MM-DD, absent if none),
//!                    success_criteria: text, progress: uint (absent = from milestones),
//!                    milestones: list (see `milestone`), created_by: str,
//!                    created_at, updated_at: timestamp }
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, TITLE_MAX, ValidationError, check_line, check_opt, check_optional_line, check_prefix,
    check_progress, check_text, double_option,
};
use super::milestone::{self, Milestone};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The goals' map under the document root.
pub const KEY: &str = "goals";

string_enum!(
    /// What kind of growth a goal is about.
    GoalCategory, "goal category", {
    /// A bench or instrument skill.
    Skill => "skill",
    /// A certification such as ASCP MLS.
    Certification => "certification",
    /// Career development.
    Career => "career",
    /// Meeting people and organizations.
    Networking => "networking",
    /// Knowledge to acquire.
    Knowledge => "knowledge",
    /// Anything else.
    Other => "other",
});

string_enum!(
    /// Where a goal stands.
    GoalStatus, "goal status", {
    /// Suggested, not yet agreed.
    Proposed => "proposed",
    /// Agreed and being worked on.
    Active => "active",
    /// Reached.
    Done => "done",
    /// Abandoned.
    Dropped => "dropped",
});

string_enum!(
    /// Where a goal's progress figure comes from.
    ProgressSource, "progress source", {
    /// Set by hand (`tandem goal progress`).
    Manual => "manual",
    /// Computed from the share of milestones that are done.
    Milestones => "milestones",
    /// Neither: progress is 0.
    None => "none",
});

/// A goal the mentee works towards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Stable id.
    pub id: ItemId,
    /// Short title.
    pub title: String,
    /// Collaborative text.
    pub description: String,
    /// What kind of goal.
    pub category: GoalCategory,
    /// Where it stands.
    pub status: GoalStatus,
    /// When it should be reached.
    pub target_date: Option<Date>,
    /// How both sides will know it is reached. Collaborative text.
    pub success_criteria: String,
    /// Effective progress, 0-100.
    pub progress: u8,
    /// Where `progress` comes from.
    pub progress_source: ProgressSource,
    /// Ordered milestones.
    pub milestones: Vec<Milestone>,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A new goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGoal {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category.
    pub category: GoalCategory,
    /// Initial status.
    pub status: GoalStatus,
    /// Target date.
    #[serde(default)]
    pub target_date: Option<Date>,
    /// Success criteria.
    #[serde(default)]
    pub success_criteria: String,
    /// Who creates it (a person's name).
    #[serde(default)]
    pub created_by: String,
}

/// Changes to a goal; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalPatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<GoalCategory>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GoalStatus>,
    /// New target date; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub target_date: Option<Option<Date>>,
    /// New success criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_criteria: Option<String>,
    /// Manual progress 0-100; `Some(None)` goes back to progress from milestones.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub progress: Option<Option<u8>>,
}

/// What can be done to goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum GoalOp {
    /// Add a goal.
    Add(NewGoal),
    /// Change a goal.
    Edit {
        /// Goal id or prefix.
        goal: String,
        /// What changes.
        patch: GoalPatch,
    },
    /// Remove a goal.
    Rm {
        /// Goal id or prefix.
        goal: String,
    },
}

impl NewGoal {
    /// Every field, as a patch that sets them all.
    pub fn as_patch(&self) -> GoalPatch {
        GoalPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            category: Some(self.category),
            status: Some(self.status),
            target_date: Some(self.target_date),
            success_criteria: Some(self.success_criteria.clone()),
            progress: None,
        }
    }
}

impl Goal {
    /// The progress to show people: a done goal is complete (100%)
    /// whatever was set or ticked, which is kept for if it is reopened.
    pub fn shown_progress(&self) -> u8 {
        if self.status == GoalStatus::Done {
            100
        } else {
            self.progress
        }
    }

    /// Every field, as a patch that sets them all.
    pub fn as_patch(&self) -> GoalPatch {
        GoalPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            category: Some(self.category),
            status: Some(self.status),
            target_date: Some(self.target_date),
            success_criteria: Some(self.success_criteria.clone()),
            progress: Some(
                (self.progress_source == ProgressSource::Manual).then_some(self.progress),
            ),
        }
    }
}

/// The checks of a goal's fields, whoever writes them: the fields a patch
/// gives, and who created it when that is given.
pub fn check(p: &GoalPatch, created_by: Option<&str>) -> Result<(), ValidationError> {
    check_opt(&p.title, |t| check_line("title", t, TITLE_MAX))?;
    check_opt(&p.description, |t| check_text("description", t))?;
    check_opt(&p.success_criteria, |t| check_text("success criteria", t))?;
    check_opt(&p.progress, |p| check_opt(p, |p| check_progress(*p)))?;
    check_opt(&created_by, |c| {
        check_optional_line("created by", c, NAME_MAX)
    })
}

impl GoalOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            GoalOp::Add(g) => check(&g.as_patch(), Some(&g.created_by)),
            GoalOp::Edit { goal, patch } => {
                check_prefix("goal", goal)?;
                check(patch, None)
            }
            GoalOp::Rm { goal } => check_prefix("goal", goal),
        }
    }
}

/// Progress of a goal given its manual figure and milestones.
///
/// A manual figure wins; otherwise the share of milestones done, rounded down.
pub fn effective_progress(manual: Option<u8>, milestones: &[Milestone]) -> (u8, ProgressSource) {
    if let Some(p) = manual {
        return (p.min(100), ProgressSource::Manual);
    }
    if milestones.is_empty() {
        return (0, ProgressSource::None);
    }
    let done = milestones.iter().filter(|m| m.done).count();
    // done <= len, so the quotient is at most 100 and fits in u8.
    let pct = (done * 100 / milestones.len()) as u8;
    (pct, ProgressSource::Milestones)
}

impl Collected for Goal {
    const KIND: ItemKind = ItemKind::Goal;
    const PARTS: &'static [ItemKind] = &[ItemKind::Milestone];
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "goals";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.goals
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.goals
    }
    fn label(&self) -> String {
        self.title.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.as_patch(), Some(&self.created_by))?;
        milestone::check_imported(&self.milestones)
    }
    fn into_item(self) -> Item {
        Item::Goal(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Goal {
        doc::read(d, id, obj)
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        doc::write(w, self)
    }
}

#[cfg(feature = "doc")]
pub(super) mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{
        Applied, CREATED_AT, R, Target, UPDATED_AT, Writer, date, parsed, string, ts_or_epoch, uint,
    };
    use super::super::{ItemKind, milestone};
    use super::{Goal, GoalCategory, GoalOp, GoalPatch, GoalStatus, KEY, effective_progress};

    pub(crate) fn read<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Goal {
        let milestones = milestone::read_all(d, obj);
        let manual = uint(d, obj, "progress").map(|p| p.min(100) as u8);
        let (progress, progress_source) = effective_progress(manual, &milestones);
        Goal {
            id: id.into(),
            title: string(d, obj, "title"),
            description: string(d, obj, "description"),
            category: parsed(d, obj, "category", GoalCategory::Other),
            status: parsed(d, obj, "status", GoalStatus::Proposed),
            target_date: date(d, obj, "target_date"),
            success_criteria: string(d, obj, "success_criteria"),
            progress,
            progress_source,
            milestones,
            created_by: string(d, obj, "created_by"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
            updated_at: ts_or_epoch(d, obj, UPDATED_AT),
        }
    }

    /// Writes the fields a patch gives.
    fn write_patch(w: &mut Writer, obj: &ObjId, p: &GoalPatch) -> R<()> {
        if let Some(t) = &p.title {
            w.put_str(obj, "title", t)?;
        }
        if let Some(t) = &p.description {
            w.put_text(obj, "description", t)?;
        }
        if let Some(c) = p.category {
            w.put_str(obj, "category", c.as_str())?;
        }
        if let Some(s) = p.status {
            w.put_str(obj, "status", s.as_str())?;
        }
        if let Some(d) = p.target_date {
            w.put_opt_date(obj, "target_date", d)?;
        }
        if let Some(t) = &p.success_criteria {
            w.put_text(obj, "success_criteria", t)?;
        }
        match p.progress {
            Some(Some(n)) => w.put_uint(obj, "progress", u64::from(n))?,
            Some(None) => w.delete(obj, "progress")?,
            None => {}
        }
        Ok(())
    }

    pub(crate) fn write(w: &mut Writer, g: &Goal) -> R<()> {
        let (_, obj) = w.create::<Goal>(Some((g.id.as_str(), g.created_at)))?;
        write_patch(w, &obj, &g.as_patch())?;
        w.list(&obj, milestone::KEY)?;
        for m in &g.milestones {
            milestone::write(w, &obj, m)?;
        }
        w.put_str(&obj, "created_by", &g.created_by)?;
        w.put_ts(&obj, UPDATED_AT, g.updated_at)
    }

    /// The message of an edit: its status or progress when that is all it changes.
    fn edit_message(title: &str, p: &GoalPatch) -> String {
        let only = |q: GoalPatch| *p == q;
        match (p.status, p.progress) {
            (Some(s), None)
                if only(GoalPatch {
                    status: Some(s),
                    ..Default::default()
                }) =>
            {
                format!("goal status: {title} -> {s}")
            }
            (None, Some(Some(n)))
                if only(GoalPatch {
                    progress: Some(Some(n)),
                    ..Default::default()
                }) =>
            {
                format!("goal progress: {title} -> {n}%")
            }
            _ => format!("goal edit: {title}"),
        }
    }

    impl GoalOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                GoalOp::Add(g) => {
                    let (id, obj) = w.create::<Goal>(None)?;
                    write_patch(w, &obj, &g.as_patch())?;
                    w.list(&obj, milestone::KEY)?;
                    let by = w.author_or(&g.created_by);
                    w.put_str(&obj, "created_by", &by)?;
                    w.touch(&obj)?;
                    Ok(Applied {
                        message: format!("goal add: {}", g.title),
                        target: Target::Item(ItemKind::Goal, id),
                    })
                }
                GoalOp::Edit { goal, patch } => {
                    let (id, obj) = w.resolve(ItemKind::Goal, KEY, goal)?;
                    write_patch(w, &obj, patch)?;
                    w.touch(&obj)?;
                    let title = string(w.tx, &obj, "title");
                    Ok(Applied {
                        message: edit_message(&title, patch),
                        target: Target::Item(ItemKind::Goal, id),
                    })
                }
                GoalOp::Rm { goal } => super::super::remove::<Goal>(w, goal, "title"),
            }
        }
    }
}
