//! Action items: follow-up tasks, with an owner and a due date, that may
//! serve a goal and come from a meeting.
//!
//! ```text
//! actions: map id -> { title, owner, status: str, due: str (YYYY-MM-DD),
//!                      goal, meeting: str (ids), notes: text,
//!                      created_at, updated_at, done_at: timestamp }
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{
    TITLE_MAX, ValidationError, check_line, check_opt, check_prefix, check_ref, check_text,
    double_option,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The actions' map under the document root.
pub const KEY: &str = "actions";

string_enum!(
    /// Who owns an action item.
    Owner, "owner", {
    /// The mentor.
    Mentor => "mentor",
    /// The mentee.
    Mentee => "mentee",
    /// Both of them.
    Both => "both",
});

string_enum!(
    /// Whether an action item is finished.
    ActionStatus, "action status", {
    /// Still to do.
    Open => "open",
    /// Finished.
    Done => "done",
});

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Stable id.
    pub id: ItemId,
    /// What to do.
    pub title: String,
    /// Who does it.
    pub owner: Owner,
    /// When it is due.
    pub due: Option<Date>,
    /// Open or done.
    pub status: ActionStatus,
    /// The goal it serves, if any.
    pub goal: Option<ItemId>,
    /// The meeting it came from, if any.
    pub meeting: Option<ItemId>,
    /// Collaborative text.
    pub notes: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// When it was marked done.
    pub done_at: Option<Timestamp>,
}

/// A new action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAction {
    /// What to do.
    pub title: String,
    /// Who does it.
    pub owner: Owner,
    /// When it is due.
    #[serde(default)]
    pub due: Option<Date>,
    /// Goal id or prefix.
    #[serde(default)]
    pub goal: Option<String>,
    /// Meeting id or prefix.
    #[serde(default)]
    pub meeting: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Changes to an action item; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// New due date; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub due: Option<Option<Date>>,
    /// Open or done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ActionStatus>,
    /// The goal it serves (id or prefix); `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub goal: Option<Option<String>>,
    /// The meeting it came from (id or prefix); `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub meeting: Option<Option<String>>,
    /// New notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// What can be done to action items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ActionOp {
    /// Add an action item.
    Add(NewAction),
    /// Change an action item.
    Edit {
        /// Action id or prefix.
        action: String,
        /// What changes.
        patch: ActionPatch,
    },
    /// Remove an action item.
    Rm {
        /// Action id or prefix.
        action: String,
    },
}

/// The checks of an action's fields, whoever writes them.
pub fn check(p: &ActionPatch) -> Result<(), ValidationError> {
    check_opt(&p.title, |t| check_line("title", t, TITLE_MAX))?;
    check_opt(&p.notes, |t| check_text("notes", t))
}

impl ActionOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            ActionOp::Add(a) => {
                check_opt(&a.goal, |g| check_prefix("goal", g))?;
                check_opt(&a.meeting, |m| check_prefix("meeting", m))?;
                check(&ActionPatch {
                    title: Some(a.title.clone()),
                    notes: Some(a.notes.clone()),
                    ..Default::default()
                })
            }
            ActionOp::Edit { action, patch } => {
                check_prefix("action", action)?;
                check_opt(&patch.goal, |g| check_opt(g, |g| check_prefix("goal", g)))?;
                check_opt(&patch.meeting, |m| {
                    check_opt(m, |m| check_prefix("meeting", m))
                })?;
                check(patch)
            }
            ActionOp::Rm { action } => check_prefix("action", action),
        }
    }
}

impl Collected for Action {
    const KIND: ItemKind = ItemKind::Action;
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "actions";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.actions
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.actions
    }
    fn label(&self) -> String {
        self.title.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&ActionPatch {
            title: Some(self.title.clone()),
            notes: Some(self.notes.clone()),
            ..Default::default()
        })?;
        check_ref("goal", self.goal.as_deref())?;
        check_ref("meeting", self.meeting.as_deref())
    }
    fn into_item(self) -> Item {
        Item::Action(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Action {
        doc::read(d, id, obj)
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        doc::write(w, self)
    }
}

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{
        Applied, CREATED_AT, R, Target, UPDATED_AT, Writer, date, opt_id, parsed, string,
        timestamp, ts_or_epoch,
    };
    use super::super::{ItemKind, goal, meeting};
    use super::{Action, ActionOp, ActionPatch, ActionStatus, KEY, Owner};

    pub(super) fn read<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Action {
        Action {
            id: id.into(),
            title: string(d, obj, "title"),
            owner: parsed(d, obj, "owner", Owner::Both),
            due: date(d, obj, "due"),
            status: parsed(d, obj, "status", ActionStatus::Open),
            goal: opt_id(d, obj, "goal"),
            meeting: opt_id(d, obj, "meeting"),
            notes: string(d, obj, "notes"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
            updated_at: ts_or_epoch(d, obj, UPDATED_AT),
            done_at: timestamp(d, obj, "done_at"),
        }
    }

    /// Writes the fields a patch gives; a new status sets or clears `done_at`.
    fn write_patch(w: &mut Writer, obj: &ObjId, p: &ActionPatch) -> R<()> {
        if let Some(t) = &p.title {
            w.put_str(obj, "title", t)?;
        }
        if let Some(o) = p.owner {
            w.put_str(obj, "owner", o.as_str())?;
        }
        if let Some(d) = p.due {
            w.put_opt_date(obj, "due", d)?;
        }
        if let Some(t) = &p.notes {
            w.put_text(obj, "notes", t)?;
        }
        if let Some(s) = p.status {
            w.put_str(obj, "status", s.as_str())?;
            let now = w.now;
            w.put_opt_ts(obj, "done_at", (s == ActionStatus::Done).then_some(now))?;
        }
        Ok(())
    }

    pub(super) fn write(w: &mut Writer, a: &Action) -> R<()> {
        let (_, obj) = w.create::<Action>(Some((a.id.as_str(), a.created_at)))?;
        w.put_str(&obj, "title", &a.title)?;
        w.put_str(&obj, "owner", a.owner.as_str())?;
        w.put_str(&obj, "status", a.status.as_str())?;
        w.put_opt_date(&obj, "due", a.due)?;
        if let Some(g) = &a.goal {
            w.put_str(&obj, "goal", g)?;
        }
        if let Some(m) = &a.meeting {
            w.put_str(&obj, "meeting", m)?;
        }
        w.put_text(&obj, "notes", &a.notes)?;
        w.put_ts(&obj, UPDATED_AT, a.updated_at)?;
        if let Some(t) = a.done_at {
            w.put_ts(&obj, "done_at", t)?;
        }
        Ok(())
    }

    impl ActionOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                ActionOp::Add(a) => {
                    let goal = a
                        .goal
                        .as_deref()
                        .map(|g| w.resolve(ItemKind::Goal, goal::KEY, g))
                        .transpose()?;
                    let meeting = a
                        .meeting
                        .as_deref()
                        .map(|m| w.resolve(ItemKind::Meeting, meeting::KEY, m))
                        .transpose()?;
                    let (id, obj) = w.create::<Action>(None)?;
                    w.put_str(&obj, "title", &a.title)?;
                    w.put_str(&obj, "owner", a.owner.as_str())?;
                    w.put_str(&obj, "status", ActionStatus::Open.as_str())?;
                    w.put_opt_date(&obj, "due", a.due)?;
                    if let Some((g, _)) = goal {
                        w.put_str(&obj, "goal", &g)?;
                    }
                    if let Some((m, _)) = meeting {
                        w.put_str(&obj, "meeting", &m)?;
                    }
                    w.put_text(&obj, "notes", &a.notes)?;
                    w.touch(&obj)?;
                    Ok(Applied {
                        message: format!("action add: {}", a.title),
                        target: Target::Item(ItemKind::Action, id),
                    })
                }
                ActionOp::Edit { action, patch } => {
                    let goal = w.resolve_ref(ItemKind::Goal, goal::KEY, &patch.goal)?;
                    let meeting = w.resolve_ref(ItemKind::Meeting, meeting::KEY, &patch.meeting)?;
                    let (id, obj) = w.resolve(ItemKind::Action, KEY, action)?;
                    write_patch(w, &obj, patch)?;
                    w.put_ref(&obj, "goal", goal)?;
                    w.put_ref(&obj, "meeting", meeting)?;
                    w.touch(&obj)?;
                    let title = string(w.tx, &obj, "title");
                    let verb = match patch.status {
                        Some(ActionStatus::Done) => "done",
                        Some(ActionStatus::Open) => "reopen",
                        None => "edit",
                    };
                    Ok(Applied {
                        message: format!("action {verb}: {title}"),
                        target: Target::Item(ItemKind::Action, id),
                    })
                }
                ActionOp::Rm { action } => super::super::remove::<Action>(w, action, "title"),
            }
        }
    }
}
