//! Agenda items: the ordered topics of a meeting, named by position (1-based).
//!
//! ```text
//! meetings/<id>/agenda: list of { id, text: str }
//! ```

use serde::{Deserialize, Serialize};

use super::fields::{
    TITLE_MAX, ValidationError, check_line, check_part_ids, check_position, check_prefix,
};
use crate::ids::ItemId;

/// The agenda's list inside a meeting.
pub const KEY: &str = "agenda";

/// One item of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Stable id.
    pub id: ItemId,
    /// The topic.
    pub text: String,
}

/// What can be done to a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AgendaOp {
    /// Append an agenda item to a meeting.
    Add {
        /// Meeting id or prefix.
        meeting: String,
        /// The topic.
        text: String,
    },
    /// Change an agenda item's topic.
    Edit {
        /// Meeting id or prefix.
        meeting: String,
        /// 1-based position.
        position: u32,
        /// The new topic.
        text: String,
    },
    /// Remove an agenda item.
    Rm {
        /// Meeting id or prefix.
        meeting: String,
        /// 1-based position.
        position: u32,
    },
}

/// The check of an agenda item's text, whoever writes it.
pub fn check(text: &str) -> Result<(), ValidationError> {
    check_line("agenda item", text, TITLE_MAX)
}

/// The checks of a meeting's agenda as an import gives it.
pub fn check_imported(all: &[AgendaItem]) -> Result<(), ValidationError> {
    check_part_ids("agenda", all.iter().map(|a| a.id.as_str()))?;
    all.iter().try_for_each(|a| check(&a.text))
}

impl AgendaOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            AgendaOp::Add { meeting, text } => {
                check_prefix("meeting", meeting)?;
                check(text)
            }
            AgendaOp::Edit {
                meeting,
                position,
                text,
            } => {
                check_prefix("meeting", meeting)?;
                check_position(*position)?;
                check(text)
            }
            AgendaOp::Rm { meeting, position } => {
                check_prefix("meeting", meeting)?;
                check_position(*position)
            }
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{append, read_all, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{Applied, R, Target, Writer, list_maps, string};
    use super::super::{ItemKind, meeting};
    use super::{AgendaItem, AgendaOp, KEY};

    /// The agenda of the meeting at `obj`, in order.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<AgendaItem> {
        list_maps(d, obj, KEY)
            .iter()
            .map(|a| AgendaItem {
                id: string(d, a, "id").into(),
                text: string(d, a, "text"),
            })
            .collect()
    }

    /// Appends a new topic to the meeting at `obj`.
    pub(crate) fn append(w: &mut Writer, obj: &ObjId, text: &str) -> R<()> {
        let (_, item) = w.push(obj, KEY, None)?;
        w.put_str(&item, "text", text)
    }

    /// Appends an imported agenda item, with its id, to the meeting at `obj`.
    pub(crate) fn write(w: &mut Writer, obj: &ObjId, a: &AgendaItem) -> R<()> {
        let (_, item) = w.push(obj, KEY, Some(&a.id))?;
        w.put_str(&item, "text", &a.text)
    }

    impl AgendaOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            let (id, obj, message) = match self {
                AgendaOp::Add { meeting, text } => {
                    let (id, obj) = w.resolve(ItemKind::Meeting, meeting::KEY, meeting)?;
                    append(w, &obj, text)?;
                    (id, obj, format!("agenda add: {text}"))
                }
                AgendaOp::Edit {
                    meeting,
                    position,
                    text,
                } => {
                    let (id, obj) = w.resolve(ItemKind::Meeting, meeting::KEY, meeting)?;
                    let (_, _, item) = w.nth(&obj, KEY, *position, "agenda item")?;
                    w.put_str(&item, "text", text)?;
                    (id, obj, format!("agenda edit: {text}"))
                }
                AgendaOp::Rm { meeting, position } => {
                    let (id, obj) = w.resolve(ItemKind::Meeting, meeting::KEY, meeting)?;
                    let (list, idx, item) = w.nth(&obj, KEY, *position, "agenda item")?;
                    let text = string(w.tx, &item, "text");
                    w.delete_at(&list, idx)?;
                    (id, obj, format!("agenda rm: {text}"))
                }
            };
            w.touch(&obj)?;
            Ok(Applied {
                message,
                target: Target::Item(ItemKind::Meeting, id),
            })
        }
    }
}
