//! Feedback from one side to the other: praise, a suggestion or a concern,
//! maybe about a goal.
//!
//! ```text
//! feedback: map id -> { author, goal, kind: str, body: text, created_at }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, ValidationError, bad, check_opt, check_optional_line, check_prefix, check_ref,
    check_text,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The feedback map under the document root.
pub const KEY: &str = "feedback";

string_enum!(
    /// The tone of a piece of feedback.
    FeedbackKind, "feedback kind", {
    /// Something done well.
    Praise => "praise",
    /// Something to try.
    Suggestion => "suggestion",
    /// Something that worries the author.
    Concern => "concern",
});

/// Feedback from one side to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Stable id.
    pub id: ItemId,
    /// Who gave it.
    pub author: String,
    /// The goal it is about, if any.
    pub goal: Option<ItemId>,
    /// Praise, suggestion or concern.
    pub kind: FeedbackKind,
    /// Collaborative text.
    pub body: String,
    /// When it was given.
    pub created_at: Timestamp,
}

/// New feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFeedback {
    /// Who gives it.
    pub author: String,
    /// Goal id or prefix.
    #[serde(default)]
    pub goal: Option<String>,
    /// Praise, suggestion or concern.
    pub kind: FeedbackKind,
    /// The feedback.
    pub body: String,
}

/// Changes to feedback; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackPatch {
    /// New tone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FeedbackKind>,
    /// New text (merged with concurrent edits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The goal it is about (id or prefix); `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::fields::double_option"
    )]
    pub goal: Option<Option<String>>,
}

/// What can be done to feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FeedbackOp {
    /// Add feedback.
    Add(NewFeedback),
    /// Change feedback.
    Edit {
        /// Feedback id or prefix.
        feedback: String,
        /// What changes.
        patch: FeedbackPatch,
    },
    /// Remove feedback.
    Rm {
        /// Feedback id or prefix.
        feedback: String,
    },
}

/// The checks of feedback's fields, whoever writes them: the body must
/// say something.
pub fn check(author: &str, body: &str) -> Result<(), ValidationError> {
    check_optional_line("author", author, NAME_MAX)?;
    check_body(body)
}

/// The body says something.
fn check_body(body: &str) -> Result<(), ValidationError> {
    if body.trim().is_empty() {
        return Err(bad("body", "must not be empty"));
    }
    check_text("body", body)
}

impl FeedbackOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            FeedbackOp::Add(f) => {
                check_opt(&f.goal, |g| check_prefix("goal", g))?;
                check(&f.author, &f.body)
            }
            FeedbackOp::Edit { feedback, patch } => {
                check_prefix("feedback", feedback)?;
                check_opt(&patch.body, |b| check_body(b))?;
                check_opt(&patch.goal, |g| check_opt(g, |g| check_prefix("goal", g)))
            }
            FeedbackOp::Rm { feedback } => check_prefix("feedback", feedback),
        }
    }
}

impl Collected for Feedback {
    const KIND: ItemKind = ItemKind::Feedback;
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "feedback";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.feedback
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.feedback
    }
    fn label(&self) -> String {
        format!("{} from {}", self.kind, self.author)
    }
    fn check(&self) -> Result<(), ValidationError> {
        check_ref("goal", self.goal.as_deref())?;
        check(&self.author, &self.body)
    }
    fn into_item(self) -> Item {
        Item::Feedback(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Feedback {
        use super::doc::{CREATED_AT, opt_id, parsed, string, ts_or_epoch};
        Feedback {
            id: id.into(),
            author: string(d, obj, "author"),
            goal: opt_id(d, obj, "goal"),
            kind: parsed(d, obj, "kind", FeedbackKind::Suggestion),
            body: string(d, obj, "body"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<Feedback>(Some((self.id.as_str(), self.created_at)))?;
        w.put_str(&obj, "author", &self.author)?;
        if let Some(g) = &self.goal {
            w.put_str(&obj, "goal", g)?;
        }
        w.put_str(&obj, "kind", self.kind.as_str())?;
        w.put_text(&obj, "body", &self.body)
    }
}

#[cfg(feature = "doc")]
impl FeedbackOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target, string};
        match self {
            FeedbackOp::Edit { feedback, patch } => {
                let goal = w.resolve_ref(ItemKind::Goal, super::goal::KEY, &patch.goal)?;
                let (id, obj) = w.resolve(ItemKind::Feedback, KEY, feedback)?;
                if let Some(k) = patch.kind {
                    w.put_str(&obj, "kind", k.as_str())?;
                }
                if let Some(b) = &patch.body {
                    w.put_text(&obj, "body", b)?;
                }
                w.put_ref(&obj, "goal", goal)?;
                let kind = string(w.tx, &obj, "kind");
                let author = string(w.tx, &obj, "author");
                Ok(Applied {
                    message: format!("feedback edit: {kind} from {author}"),
                    target: Target::Item(ItemKind::Feedback, id),
                })
            }
            FeedbackOp::Rm { feedback } => super::remove::<Feedback>(w, feedback, "body"),
            FeedbackOp::Add(f) => {
                let goal = f
                    .goal
                    .as_deref()
                    .map(|g| w.resolve(ItemKind::Goal, super::goal::KEY, g))
                    .transpose()?;
                let author = w.author_or(&f.author);
                let (id, obj) = w.create::<Feedback>(None)?;
                w.put_str(&obj, "author", &author)?;
                if let Some((g, _)) = goal {
                    w.put_str(&obj, "goal", &g)?;
                }
                w.put_str(&obj, "kind", f.kind.as_str())?;
                w.put_text(&obj, "body", &f.body)?;
                Ok(Applied {
                    message: format!("feedback add: {} from {author}", f.kind),
                    target: Target::Item(ItemKind::Feedback, id),
                })
            }
        }
    }
}
