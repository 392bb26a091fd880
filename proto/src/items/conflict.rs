//! Fields two devices changed at the same time, so people can see them.
//!
//! Automerge merges every concurrent edit without losing one: for a map
//! key set on two devices that had not seen each other's change, one
//! value wins on every device and the other is kept beside it as a
//! conflict; two concurrent edits of a text are both applied. Neither is
//! an error, but a person should look: the item is marked "edited at the
//! same time by Ana and Dana" until someone edits the field again (an edit
//! made after seeing both replaces both) or runs `tandem resolve`.
//!
//! Texts leave no conflict of their own, so every text edit also stamps
//! `edited:<field>` beside the text: two concurrent edits of a text are
//! two concurrent stamps, a conflict on that key, reported as the text's.
//!
//! ```text
//! <item>: { ..., edited:<text field>: "<time> <fresh id>" }   (one per text field, set by each edit of it)
//! ```

use serde::{Deserialize, Serialize};

use super::ItemKind;
use crate::ids::ItemId;

/// The prefix of a text's edit stamp.
pub const STAMP: &str = "edited:";

/// A field of an item that was changed on two devices at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The item's kind.
    pub kind: ItemKind,
    /// The item.
    pub item: ItemId,
    /// The field, as the item's JSON names it.
    pub field: String,
    /// Who changed it, as the plan's membership names them.
    pub by: Vec<String>,
}

/// "Ana and Dana", "Ana, Dana and Sam".
pub fn names(by: &[String]) -> String {
    match by {
        [] => "two devices".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Conflict {
    /// "title edited at the same time by Ana and Dana".
    pub fn describe(&self) -> String {
        format!(
            "{} edited at the same time by {}",
            self.field.replace('_', " "),
            names(&self.by)
        )
    }
}

#[cfg(feature = "doc")]
pub use doc::{conflicts_in, stamp};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ObjType, ReadDoc};

    use super::super::doc::{CREATED_AT, R, UPDATED_AT, Writer, object, string};
    use super::super::{ItemKind, member};
    use super::{Conflict, STAMP};
    use crate::ids::ItemId;

    /// Stamps an edit of the text field `key` (see the module doc). The
    /// stamp is unique to the edit: Automerge skips a put of the value a
    /// key holds already, and two equal stamps would hide a conflict.
    pub fn stamp(w: &mut Writer, obj: &ObjId, key: &str) -> R<()> {
        let value = format!("{} {}", w.now, (w.new_id)());
        w.put_str(obj, &format!("{STAMP}{key}"), &value)
    }

    /// The person behind an Automerge actor, as the membership names them.
    fn person<R: ReadDoc>(d: &R, actor: &automerge::ActorId) -> String {
        let hex = actor.to_hex_string();
        let peer = object(d, &automerge::ROOT, member::DEVICES_KEY, ObjType::Map)
            .and_then(|devices| object(d, &devices, &hex, ObjType::Map))
            .map(|dev| string(d, &dev, "peer"));
        let record = peer.as_deref().and_then(|p| {
            super::super::doc::item(d, member::KEY, p).or_else(|| member::removal_record(d, p))
        });
        match record {
            Some(m) => {
                let name = string(d, &m, "name");
                let device = string(d, &m, "device");
                member::who(&name, &device)
            }
            None => format!("device {}", crate::ids::short(&hex)),
        }
    }

    /// The conflicted fields of item `id` of kind `kind`, at `obj`.
    pub fn conflicts_in<R: ReadDoc>(
        d: &R,
        kind: ItemKind,
        id: &ItemId,
        obj: &ObjId,
    ) -> Vec<Conflict> {
        let mut out: Vec<Conflict> = Vec::new();
        let keys: Vec<String> = d
            .map_range(obj, ..)
            .filter(|i| i.conflict)
            .map(|i| i.key.to_string())
            .filter(|k| k != CREATED_AT && k != UPDATED_AT)
            .collect();
        for key in keys {
            let field = key.strip_prefix(STAMP).unwrap_or(&key).to_string();
            if out.iter().any(|c| c.field == field) {
                continue;
            }
            let mut by: Vec<String> = d
                .get_all(obj, key.as_str())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(_, op)| match op {
                    automerge::ObjId::Id(_, actor, _) => Some(person(d, &actor)),
                    automerge::ObjId::Root => None,
                })
                .collect();
            by.sort();
            by.dedup();
            out.push(Conflict {
                kind,
                item: id.clone(),
                field,
                by,
            });
        }
        out
    }
}

#[cfg(feature = "doc")]
pub use resolving::resolve;

#[cfg(feature = "doc")]
mod resolving {
    use automerge::transaction::Transactable;
    use automerge::{ObjId, ObjType, ReadDoc, Value};

    use super::super::ItemKind;
    use super::super::doc::{R, Writer, internal};
    use super::{Conflict, STAMP, conflicts_in};
    use crate::ids::ItemId;

    /// Keeps the current value of every conflicted field of item `id` (of
    /// kind `kind`, at `obj`): each is set again to what it shows now, an
    /// edit that has seen both sides. Returns the fields it resolved.
    pub fn resolve(w: &mut Writer, kind: ItemKind, id: &ItemId, obj: &ObjId) -> R<Vec<Conflict>> {
        let found = conflicts_in(w.tx, kind, id, obj);
        let keys: Vec<String> =
            w.tx.map_range(obj, ..)
                .filter(|i| i.conflict)
                .map(|i| i.key.to_string())
                .collect();
        for key in keys {
            let field = key.strip_prefix(STAMP).unwrap_or(&key);
            if !found.iter().any(|c| c.field == field) {
                continue;
            }
            if key.starts_with(STAMP) {
                super::stamp(w, obj, field)?;
                continue;
            }
            match w.tx.get(obj, key.as_str()).map_err(internal)? {
                // Deleted first: a put of the value shown would be skipped
                // as no change, and leave the other value standing.
                Some((Value::Scalar(s), _)) => {
                    let s = s.into_owned();
                    w.tx.delete(obj, key.as_str()).map_err(internal)?;
                    w.tx.put(obj, key.as_str(), s).map_err(internal)?;
                }
                // A text made on both sides: the one shown is copied into a new one.
                Some((Value::Object(ObjType::Text), text)) => {
                    let content = w.tx.text(&text).map_err(internal)?;
                    let new =
                        w.tx.put_object(obj, key.as_str(), ObjType::Text)
                            .map_err(internal)?;
                    w.tx.splice_text(&new, 0, 0, &content).map_err(internal)?;
                }
                _ => {}
            }
        }
        Ok(found)
    }
}
