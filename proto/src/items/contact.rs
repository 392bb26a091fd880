//! Networking contacts: people the mentee met, and how.
//!
//! ```text
//! contacts: map id -> { name, organization, how_met, introduced_by: str, notes: text, created_at }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, TITLE_MAX, ValidationError, check_line, check_opt, check_optional_line, check_prefix,
    check_text,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;

/// The contacts' map under the document root.
pub const KEY: &str = "contacts";

/// A networking contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Stable id.
    pub id: ItemId,
    /// The person's name.
    pub name: String,
    /// Where they work.
    pub organization: String,
    /// How the mentee met them.
    pub how_met: String,
    /// Who introduced them.
    pub introduced_by: String,
    /// Collaborative text.
    pub notes: String,
    /// When the contact was recorded.
    pub created_at: Timestamp,
}

/// A new contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContact {
    /// Name.
    pub name: String,
    /// Organization.
    #[serde(default)]
    pub organization: String,
    /// How they met.
    #[serde(default)]
    pub how_met: String,
    /// Who introduced them.
    #[serde(default)]
    pub introduced_by: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Changes to a contact; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPatch {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// How they met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how_met: Option<String>,
    /// Who introduced them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced_by: Option<String>,
    /// New notes (merged with concurrent edits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// What can be done to contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ContactOp {
    /// Add a networking contact.
    Add(NewContact),
    /// Change a contact.
    Edit {
        /// Contact id or prefix.
        contact: String,
        /// What changes.
        patch: ContactPatch,
    },
    /// Remove a contact.
    Rm {
        /// Contact id or prefix.
        contact: String,
    },
}

/// The checks of a contact's fields, whoever writes them.
pub fn check(c: &NewContact) -> Result<(), ValidationError> {
    check_patch(&ContactPatch {
        name: Some(c.name.clone()),
        organization: Some(c.organization.clone()),
        how_met: Some(c.how_met.clone()),
        introduced_by: Some(c.introduced_by.clone()),
        notes: Some(c.notes.clone()),
    })
}

/// The checks of the fields a patch gives.
fn check_patch(p: &ContactPatch) -> Result<(), ValidationError> {
    check_opt(&p.name, |n| check_line("name", n, NAME_MAX))?;
    check_opt(&p.organization, |o| {
        check_optional_line("organization", o, NAME_MAX)
    })?;
    check_opt(&p.how_met, |h| check_optional_line("how met", h, TITLE_MAX))?;
    check_opt(&p.introduced_by, |i| {
        check_optional_line("introduced by", i, NAME_MAX)
    })?;
    check_opt(&p.notes, |n| check_text("notes", n))
}

impl ContactOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            ContactOp::Add(c) => check(c),
            ContactOp::Edit { contact, patch } => {
                check_prefix("contact", contact)?;
                check_patch(patch)
            }
            ContactOp::Rm { contact } => check_prefix("contact", contact),
        }
    }
}

impl Contact {
    /// Its fields, as a new contact would give them.
    pub fn fields(&self) -> NewContact {
        NewContact {
            name: self.name.clone(),
            organization: self.organization.clone(),
            how_met: self.how_met.clone(),
            introduced_by: self.introduced_by.clone(),
            notes: self.notes.clone(),
        }
    }
}

impl Collected for Contact {
    const KIND: ItemKind = ItemKind::Contact;
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "contacts";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.contacts
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.contacts
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.fields())
    }
    fn into_item(self) -> Item {
        Item::Contact(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Contact {
        use super::doc::{CREATED_AT, string, ts_or_epoch};
        Contact {
            id: id.into(),
            name: string(d, obj, "name"),
            organization: string(d, obj, "organization"),
            how_met: string(d, obj, "how_met"),
            introduced_by: string(d, obj, "introduced_by"),
            notes: string(d, obj, "notes"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<Contact>(Some((self.id.as_str(), self.created_at)))?;
        write_fields(w, &obj, &self.fields())
    }
}

#[cfg(feature = "doc")]
fn write_fields(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    c: &NewContact,
) -> super::doc::R<()> {
    write_patch(
        w,
        obj,
        &ContactPatch {
            name: Some(c.name.clone()),
            organization: Some(c.organization.clone()),
            how_met: Some(c.how_met.clone()),
            introduced_by: Some(c.introduced_by.clone()),
            notes: Some(c.notes.clone()),
        },
    )
}

/// Writes the fields a patch gives.
#[cfg(feature = "doc")]
fn write_patch(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    p: &ContactPatch,
) -> super::doc::R<()> {
    for (key, value) in [
        ("name", &p.name),
        ("organization", &p.organization),
        ("how_met", &p.how_met),
        ("introduced_by", &p.introduced_by),
    ] {
        if let Some(v) = value {
            w.put_str(obj, key, v)?;
        }
    }
    if let Some(n) = &p.notes {
        w.put_text(obj, "notes", n)?;
    }
    Ok(())
}

#[cfg(feature = "doc")]
impl ContactOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target};
        match self {
            ContactOp::Add(c) => {
                let (id, obj) = w.create::<Contact>(None)?;
                write_fields(w, &obj, c)?;
                Ok(Applied {
                    message: format!("contact add: {}", c.name),
                    target: Target::Item(ItemKind::Contact, id),
                })
            }
            ContactOp::Edit { contact, patch } => {
                let (id, obj) = w.resolve(ItemKind::Contact, KEY, contact)?;
                write_patch(w, &obj, patch)?;
                let name = super::doc::string(w.tx, &obj, "name");
                Ok(Applied {
                    message: format!("contact edit: {name}"),
                    target: Target::Item(ItemKind::Contact, id),
                })
            }
            ContactOp::Rm { contact } => super::remove::<Contact>(w, contact, "name"),
        }
    }
}
