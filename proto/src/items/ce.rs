//! Continuing-education activities: what, from whom, when, for how many
//! points, and where the certificate is.
//!
//! ```text
//! ce: map id -> { title, provider, date: str, points: f64, category, certificate: str, created_at }
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, TITLE_MAX, ValidationError, check_line, check_opt, check_optional_line, check_points,
    check_prefix,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;

/// The CE map under the document root.
pub const KEY: &str = "ce";

/// A continuing-education activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CeActivity {
    /// Stable id.
    pub id: ItemId,
    /// What it was.
    pub title: String,
    /// Who offered it.
    pub provider: String,
    /// When it was completed.
    pub date: Date,
    /// Credit earned: contact hours or points (ASCP CMP: 1 contact hour = 1 point).
    pub points: f64,
    /// A content area, e.g. "safety", "hematology".
    pub category: String,
    /// Where the certificate is: a reference, or `file:PATH sha256:HEX`.
    pub certificate: String,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// A new CE activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCe {
    /// What it was.
    pub title: String,
    /// Who offered it.
    #[serde(default)]
    pub provider: String,
    /// When it was completed.
    pub date: Date,
    /// Contact hours or points.
    pub points: f64,
    /// Content area.
    #[serde(default)]
    pub category: String,
    /// Certificate reference.
    #[serde(default)]
    pub certificate: String,
}

/// Changes to a CE activity; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CePatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// New completion date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// New credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// New content area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// New certificate reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

impl NewCe {
    /// Its fields, as a patch that sets them all.
    pub fn as_patch(&self) -> CePatch {
        CePatch {
            title: Some(self.title.clone()),
            provider: Some(self.provider.clone()),
            date: Some(self.date),
            points: Some(self.points),
            category: Some(self.category.clone()),
            certificate: Some(self.certificate.clone()),
        }
    }
}

/// What can be done to CE activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CeOp {
    /// Log a continuing-education activity.
    Add(NewCe),
    /// Change a CE activity.
    Edit {
        /// Its id or prefix.
        ce: String,
        /// What changes.
        patch: CePatch,
    },
    /// Remove a CE activity.
    Rm {
        /// Its id or prefix.
        ce: String,
    },
}

/// Longest certificate reference.
pub const CERTIFICATE_MAX: usize = TITLE_MAX * 4;

/// The checks of a CE activity's fields, whoever writes them.
pub fn check(c: &NewCe) -> Result<(), ValidationError> {
    check_patch(&c.as_patch())
}

/// The checks of the fields a patch gives.
fn check_patch(p: &CePatch) -> Result<(), ValidationError> {
    check_opt(&p.title, |t| check_line("title", t, TITLE_MAX))?;
    check_opt(&p.provider, |t| {
        check_optional_line("provider", t, NAME_MAX)
    })?;
    check_opt(&p.category, |t| {
        check_optional_line("category", t, NAME_MAX)
    })?;
    check_opt(&p.certificate, |t| {
        check_optional_line("certificate", t, CERTIFICATE_MAX)
    })?;
    check_points("points", p.points)
}

impl CeOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            CeOp::Add(c) => check(c),
            CeOp::Edit { ce, patch } => {
                check_prefix("id", ce)?;
                check_patch(patch)
            }
            CeOp::Rm { ce } => check_prefix("id", ce),
        }
    }
}

impl CeActivity {
    /// Its fields, as a new activity would give them.
    pub fn fields(&self) -> NewCe {
        NewCe {
            title: self.title.clone(),
            provider: self.provider.clone(),
            date: self.date,
            points: self.points,
            category: self.category.clone(),
            certificate: self.certificate.clone(),
        }
    }
}

impl Collected for CeActivity {
    const KIND: ItemKind = ItemKind::Ce;
    const KEY: &'static str = KEY;
    const ADDED_LATER: bool = true;
    const FIELD: &'static str = "ce";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.ce
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.ce
    }
    fn label(&self) -> String {
        self.title.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.fields())
    }
    fn into_item(self) -> Item {
        Item::Ce(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> CeActivity {
        use super::doc::{CREATED_AT, date, float, string, ts_or_epoch};
        CeActivity {
            id: id.into(),
            title: string(d, obj, "title"),
            provider: string(d, obj, "provider"),
            date: date(d, obj, "date").unwrap_or(Date::ZERO),
            points: float(d, obj, "points").unwrap_or(0.0),
            category: string(d, obj, "category"),
            certificate: string(d, obj, "certificate"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<CeActivity>(Some((self.id.as_str(), self.created_at)))?;
        write_fields(w, &obj, &self.fields())
    }
}

#[cfg(feature = "doc")]
fn write_fields(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    c: &NewCe,
) -> super::doc::R<()> {
    write_patch(w, obj, &c.as_patch())
}

/// Writes the fields a patch gives.
#[cfg(feature = "doc")]
fn write_patch(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    p: &CePatch,
) -> super::doc::R<()> {
    for (key, value) in [
        ("title", &p.title),
        ("provider", &p.provider),
        ("category", &p.category),
        ("certificate", &p.certificate),
    ] {
        if let Some(v) = value {
            w.put_str(obj, key, v)?;
        }
    }
    if let Some(d) = p.date {
        w.put_str(obj, "date", &d.to_string())?;
    }
    if let Some(n) = p.points {
        w.put_f64(obj, "points", n)?;
    }
    Ok(())
}

#[cfg(feature = "doc")]
impl CeOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target};
        match self {
            CeOp::Add(c) => {
                let (id, obj) = w.create::<CeActivity>(None)?;
                write_fields(w, &obj, c)?;
                Ok(Applied {
                    message: format!("ce add: {} ({} points)", c.title, c.points),
                    target: Target::Item(ItemKind::Ce, id),
                })
            }
            CeOp::Edit { ce, patch } => {
                let (id, obj) = w.resolve(ItemKind::Ce, KEY, ce)?;
                write_patch(w, &obj, patch)?;
                let title = super::doc::string(w.tx, &obj, "title");
                Ok(Applied {
                    message: format!("ce edit: {title}"),
                    target: Target::Item(ItemKind::Ce, id),
                })
            }
            CeOp::Rm { ce } => super::remove::<CeActivity>(w, ce, "title"),
        }
    }
}
