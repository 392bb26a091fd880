//! Journal notes: reflections, with tags.
//!
//! ```text
//! notes: map id -> { author: str, body: text, tags: list of str, created_at }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, TAG_MAX, TAGS_MAX, ValidationError, bad, check_line, check_opt, check_optional_line,
    check_prefix, check_text,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;

/// The notes' map under the document root.
pub const KEY: &str = "notes";

/// A journal note: a reflection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalNote {
    /// Stable id.
    pub id: ItemId,
    /// Who wrote it.
    pub author: String,
    /// Collaborative text.
    pub body: String,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A new journal note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNote {
    /// Who writes it.
    pub author: String,
    /// The note.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Changes to a note; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotePatch {
    /// New body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// New tags (all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// What can be done to journal notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum NoteOp {
    /// Add a journal note.
    Add(NewNote),
    /// Change a note.
    Edit {
        /// Note id or prefix.
        note: String,
        /// What changes.
        patch: NotePatch,
    },
    /// Remove a note.
    Rm {
        /// Note id or prefix.
        note: String,
    },
}

/// The checks of a note's fields, whoever writes them: a body that says
/// something, at most [`TAGS_MAX`] tags without spaces or commas.
pub fn check(author: &str, body: &str, tags: &[String]) -> Result<(), ValidationError> {
    check_optional_line("author", author, NAME_MAX)?;
    check_body(body)?;
    check_tags(tags)
}

/// A note's body says something.
fn check_body(body: &str) -> Result<(), ValidationError> {
    if body.trim().is_empty() {
        return Err(bad("body", "must not be empty"));
    }
    check_text("body", body)
}

/// At most [`TAGS_MAX`] tags, each without spaces or commas.
fn check_tags(tags: &[String]) -> Result<(), ValidationError> {
    if tags.len() > TAGS_MAX {
        return Err(bad(
            "tags",
            format!("{} tags given; the limit is {TAGS_MAX}", tags.len()),
        ));
    }
    tags.iter().try_for_each(|t| {
        check_line("tag", t, TAG_MAX)?;
        if t.contains(char::is_whitespace) || t.contains(',') {
            return Err(bad(
                "tag",
                format!("'{t}' must not contain spaces or commas"),
            ));
        }
        Ok(())
    })
}

impl NoteOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            NoteOp::Add(n) => check(&n.author, &n.body, &n.tags),
            NoteOp::Edit { note, patch } => {
                check_prefix("note", note)?;
                check_opt(&patch.body, |b| check_body(b))?;
                check_opt(&patch.tags, |t| check_tags(t))
            }
            NoteOp::Rm { note } => check_prefix("note", note),
        }
    }
}

impl Collected for JournalNote {
    const KIND: ItemKind = ItemKind::Note;
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "notes";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.notes
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.notes
    }
    fn label(&self) -> String {
        super::fields::first_line(&self.body)
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.author, &self.body, &self.tags)
    }
    fn into_item(self) -> Item {
        Item::Note(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> JournalNote {
        use super::doc::{CREATED_AT, string, strings, ts_or_epoch};
        JournalNote {
            id: id.into(),
            author: string(d, obj, "author"),
            body: string(d, obj, "body"),
            tags: strings(d, obj, "tags"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<JournalNote>(Some((self.id.as_str(), self.created_at)))?;
        write_fields(w, &obj, &self.author, &self.body, &self.tags)
    }
}

#[cfg(feature = "doc")]
fn write_fields(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    author: &str,
    body: &str,
    tags: &[String],
) -> super::doc::R<()> {
    w.put_str(obj, "author", author)?;
    w.put_text(obj, "body", body)?;
    w.put_strings(obj, "tags", tags)
}

#[cfg(feature = "doc")]
impl NoteOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target, first_line};
        match self {
            NoteOp::Add(n) => {
                let author = w.author_or(&n.author);
                let (id, obj) = w.create::<JournalNote>(None)?;
                write_fields(w, &obj, &author, &n.body, &n.tags)?;
                Ok(Applied {
                    message: format!("note add: {}", first_line(&n.body)),
                    target: Target::Item(ItemKind::Note, id),
                })
            }
            NoteOp::Edit { note, patch } => {
                let (id, obj) = w.resolve(ItemKind::Note, KEY, note)?;
                if let Some(b) = &patch.body {
                    w.put_text(&obj, "body", b)?;
                }
                if let Some(t) = &patch.tags {
                    w.put_strings(&obj, "tags", t)?;
                }
                let body = super::doc::string(w.tx, &obj, "body");
                Ok(Applied {
                    message: format!("note edit: {}", first_line(&body)),
                    target: Target::Item(ItemKind::Note, id),
                })
            }
            NoteOp::Rm { note } => super::remove::<JournalNote>(w, note, "body"),
        }
    }
}
