//! Certifications: credentials the technician holds or works toward (e.g.
//! MLS(ASCP)), with their exam, earned and renewal dates.
//!
//! ```text
//! certifications: map id -> { credential, status, exam_date, earned_on, renewal_due: str,
//!                             ce_required: f64?, created_at, updated_at }
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, ValidationError, check_line, check_opt, check_points, check_prefix, double_option,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The certifications' map under the document root.
pub const KEY: &str = "certifications";

string_enum!(
    /// Where a certification stands.
    CertStatus, "certification status", {
    /// Intended.
    Planned => "planned",
    /// Exam booked.
    Scheduled => "scheduled",
    /// Held.
    Earned => "earned",
    /// Lapsed.
    Expired => "expired",
});

/// A credential the technician holds or works toward (e.g. MLS(ASCP)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    /// Stable id.
    pub id: ItemId,
    /// The credential, e.g. MLS, MLT, PBT, HT.
    pub credential: String,
    /// Planned, scheduled, earned or expired.
    pub status: CertStatus,
    /// The target or booked exam date.
    pub exam_date: Option<Date>,
    /// When it was earned.
    pub earned_on: Option<Date>,
    /// When renewal is due (the end of the CE cycle).
    pub renewal_due: Option<Date>,
    /// CE points required per cycle, as the user set it (none shipped unsourced).
    pub ce_required: Option<f64>,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// Fields of a certification; in an edit, `None` leaves a field as it
/// is and `Some(None)` clears a date or the CE requirement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertPatch {
    /// The credential's new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CertStatus>,
    /// Target or booked exam date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub exam_date: Option<Option<Date>>,
    /// When earned.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub earned_on: Option<Option<Date>>,
    /// When renewal is due.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub renewal_due: Option<Option<Date>>,
    /// CE points required per cycle.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub ce_required: Option<Option<f64>>,
}

/// A new certification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCert {
    /// The credential, e.g. MLS.
    pub credential: String,
    /// Where it stands.
    pub status: CertStatus,
    /// Target or booked exam date.
    #[serde(default)]
    pub exam_date: Option<Date>,
    /// When earned.
    #[serde(default)]
    pub earned_on: Option<Date>,
    /// When renewal is due.
    #[serde(default)]
    pub renewal_due: Option<Date>,
    /// CE points required per cycle.
    #[serde(default)]
    pub ce_required: Option<f64>,
}

impl NewCert {
    /// Its fields, as a patch that sets them.
    pub fn fields(&self) -> CertPatch {
        CertPatch {
            credential: Some(self.credential.clone()),
            status: Some(self.status),
            exam_date: self.exam_date.map(Some),
            earned_on: self.earned_on.map(Some),
            renewal_due: self.renewal_due.map(Some),
            ce_required: self.ce_required.map(Some),
        }
    }
}

/// What can be done to certifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CertificationOp {
    /// Record a certification.
    Add(NewCert),
    /// Change a certification; `None` leaves a field as it is.
    Edit {
        /// Its id or prefix.
        cert: String,
        /// What changes.
        patch: CertPatch,
    },
    /// Remove a certification.
    Rm {
        /// Its id or prefix.
        cert: String,
    },
}

/// The checks of a certification's fields, whoever writes them.
pub fn check(p: &CertPatch) -> Result<(), ValidationError> {
    check_opt(&p.credential, |c| check_line("credential", c, NAME_MAX))?;
    check_points("CE required", p.ce_required.flatten())
}

impl CertificationOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            CertificationOp::Add(c) => check(&c.fields()),
            CertificationOp::Edit { cert, patch } => {
                check_prefix("id", cert)?;
                check(patch)
            }
            CertificationOp::Rm { cert } => check_prefix("id", cert),
        }
    }
}

impl Certification {
    /// Its fields, as a patch that sets them all.
    pub fn as_patch(&self) -> CertPatch {
        CertPatch {
            credential: Some(self.credential.clone()),
            status: Some(self.status),
            exam_date: self.exam_date.map(Some),
            earned_on: self.earned_on.map(Some),
            renewal_due: self.renewal_due.map(Some),
            ce_required: self.ce_required.map(Some),
        }
    }
}

impl Collected for Certification {
    const KIND: ItemKind = ItemKind::Certification;
    const KEY: &'static str = KEY;
    const ADDED_LATER: bool = true;
    const FIELD: &'static str = "certifications";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.certifications
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.certifications
    }
    fn label(&self) -> String {
        self.credential.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.as_patch())
    }
    fn into_item(self) -> Item {
        Item::Certification(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Certification {
        use super::doc::{CREATED_AT, date, float, parsed, string, ts_or_epoch};
        Certification {
            id: id.into(),
            credential: string(d, obj, "credential"),
            status: parsed(d, obj, "status", CertStatus::Planned),
            exam_date: date(d, obj, "exam_date"),
            earned_on: date(d, obj, "earned_on"),
            renewal_due: date(d, obj, "renewal_due"),
            ce_required: float(d, obj, "ce_required"),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<Certification>(Some((self.id.as_str(), self.created_at)))?;
        write_patch(w, &obj, &self.as_patch())
    }
}

/// Writes the fields a patch gives; `None` leaves one as it is.
#[cfg(feature = "doc")]
fn write_patch(
    w: &mut super::doc::Writer,
    obj: &automerge::ObjId,
    p: &CertPatch,
) -> super::doc::R<()> {
    if let Some(c) = &p.credential {
        w.put_str(obj, "credential", c)?;
    }
    if let Some(s) = p.status {
        w.put_str(obj, "status", s.as_str())?;
    }
    for (key, d) in [
        ("exam_date", p.exam_date),
        ("earned_on", p.earned_on),
        ("renewal_due", p.renewal_due),
    ] {
        if let Some(d) = d {
            w.put_opt_date(obj, key, d)?;
        }
    }
    match p.ce_required {
        Some(Some(n)) => w.put_f64(obj, "ce_required", n),
        Some(None) => w.delete(obj, "ce_required"),
        None => Ok(()),
    }
}

#[cfg(feature = "doc")]
impl CertificationOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target, string};
        match self {
            CertificationOp::Add(c) => {
                let (id, obj) = w.create::<Certification>(None)?;
                write_patch(w, &obj, &c.fields())?;
                Ok(Applied {
                    message: format!("cert add: {} ({})", c.credential, c.status.as_str()),
                    target: Target::Item(ItemKind::Certification, id),
                })
            }
            CertificationOp::Edit { cert, patch } => {
                let (id, obj) = w.resolve(ItemKind::Certification, KEY, cert)?;
                write_patch(w, &obj, patch)?;
                w.touch(&obj)?;
                let credential = string(w.tx, &obj, "credential");
                Ok(Applied {
                    message: format!("cert update: {credential}"),
                    target: Target::Item(ItemKind::Certification, id),
                })
            }
            CertificationOp::Rm { cert } => super::remove::<Certification>(w, cert, "credential"),
        }
    }
}
