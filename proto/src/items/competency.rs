//! Competency records (CLIA-style): one per test system or procedure, with
//! its stage, when training was completed, the latest assessment of each of
//! the six elements (see `assessment`) and the signed sign-offs (see
//! `signoff`). When they fall due again is the plan's schedule
//! (`crate::competency::Schedule`), set with this kind's `schedule` edit.
//!
//! ```text
//! competencies: map id -> { system: str, stage: training|supervised|independent,
//!                           trained_on: str?, assessments: map (see `assessment`),
//!                           signoffs: map (see `signoff`),
//!                           remediations: map (see `remediation`), created_at, updated_at }
//! competency_schedule: str (JSON { first: [months], every: months }; absent: 6, 12, then 12)
//! ```

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::assessment::{self, Assessment};
use super::fields::{TITLE_MAX, ValidationError, bad, check_line, check_prefix};
use super::remediation::{self, Remediation};
use super::signoff::{self, Signoff};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The competencies' map under the document root.
pub const KEY: &str = "competencies";
/// The plan's reassessment schedule, a JSON register under the root.
pub const SCHEDULE_KEY: &str = "competency_schedule";

string_enum!(
    /// Where a technician is with a test system or procedure.
    CompetencyStage, "competency stage", {
    /// Learning it.
    Training => "training",
    /// Doing it under supervision.
    Supervised => "supervised",
    /// Released to do it alone.
    Independent => "independent",
});

/// A competency record for one test system or procedure (CLIA-style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competency {
    /// Stable id.
    pub id: ItemId,
    /// The test system or procedure, e.g. "Sysmex XN-1000 CBC".
    pub system: String,
    /// Training, supervised or independent.
    pub stage: CompetencyStage,
    /// When training was completed (reassessments fall due from it).
    pub trained_on: Option<Date>,
    /// The latest assessment of each element, by element number.
    pub assessments: Vec<Assessment>,
    /// Sign-offs, oldest first.
    pub signoffs: Vec<Signoff>,
    /// Remediations of elements that needed work, oldest first.
    #[serde(default)]
    pub remediations: Vec<Remediation>,
    /// When the record was made.
    pub created_at: Timestamp,
}

/// What can be done to competency records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CompetencyOp {
    /// Start a competency record for a test system or procedure (stage: training).
    Add {
        /// The test system or procedure.
        system: String,
    },
    /// Move a competency to another stage; `trained_on` records when
    /// training was completed (reassessments fall due from it).
    Edit {
        /// Competency id or prefix.
        competency: String,
        /// The new stage.
        stage: CompetencyStage,
        /// When training was completed (kept if `None`).
        #[serde(default)]
        trained_on: Option<Date>,
    },
    /// Set when the plan's competencies fall due again.
    Schedule(crate::competency::Schedule),
    /// Remove a competency record, with its assessments and sign-offs.
    Rm {
        /// Competency id or prefix.
        competency: String,
    },
}

/// The check of a competency's system, whoever writes it.
pub fn check(system: &str) -> Result<(), ValidationError> {
    check_line("system", system, TITLE_MAX)
}

impl CompetencyOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            CompetencyOp::Add { system } => check(system),
            CompetencyOp::Edit { competency, .. } | CompetencyOp::Rm { competency } => {
                check_prefix("competency", competency)
            }
            CompetencyOp::Schedule(s) => s.validate().map_err(|m| bad("schedule", m)),
        }
    }
}

impl Collected for Competency {
    const KIND: ItemKind = ItemKind::Competency;
    const PARTS: &'static [ItemKind] = &[ItemKind::Assessment, ItemKind::Signoff];
    const KEY: &'static str = KEY;
    const ADDED_LATER: bool = true;
    const FIELD: &'static str = "competencies";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.competencies
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.competencies
    }
    fn label(&self) -> String {
        self.system.clone()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&self.system)?;
        assessment::check_imported(&self.assessments)?;
        remediation::check_imported(&self.remediations)?;
        self.signoffs.iter().try_for_each(signoff::check)
    }
    fn into_item(self) -> Item {
        Item::Competency(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Competency {
        use super::doc::{CREATED_AT, date, parsed, string, ts_or_epoch};
        Competency {
            id: id.into(),
            system: string(d, obj, "system"),
            stage: parsed(d, obj, "stage", CompetencyStage::Training),
            trained_on: date(d, obj, "trained_on"),
            assessments: assessment::read_all(d, obj),
            signoffs: signoff::read_all(d, obj),
            remediations: remediation::read_all(d, obj),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
        }
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        let (_, obj) = w.create::<Competency>(Some((self.id.as_str(), self.created_at)))?;
        w.put_str(&obj, "system", &self.system)?;
        w.put_str(&obj, "stage", self.stage.as_str())?;
        w.put_opt_date(&obj, "trained_on", self.trained_on)?;
        let assessments = w.new_map(&obj, assessment::KEY)?;
        for a in &self.assessments {
            assessment::write(w, &assessments, a)?;
        }
        let signoffs = w.new_map(&obj, signoff::KEY)?;
        for s in &self.signoffs {
            // Keyed by its signature: the same on every import, unique per sign-off.
            let key = signoff::key_of(s);
            signoff::write(w, &signoffs, &key, s)?;
        }
        w.new_map(&obj, remediation::KEY)?;
        for r in &self.remediations {
            remediation::write(w, &obj, r)?;
        }
        Ok(())
    }
}

#[cfg(feature = "doc")]
impl CompetencyOp {
    /// Applies the operation inside an open transaction.
    pub fn apply(&self, w: &mut super::doc::Writer) -> super::doc::R<super::doc::Applied> {
        use super::doc::{Applied, Target, string};
        match self {
            CompetencyOp::Add { system } => {
                let (id, obj) = w.create::<Competency>(None)?;
                w.put_str(&obj, "system", system)?;
                w.put_str(&obj, "stage", CompetencyStage::Training.as_str())?;
                // Made with the record, never lazily, so concurrent edits share them.
                w.new_map(&obj, assessment::KEY)?;
                w.new_map(&obj, signoff::KEY)?;
                w.new_map(&obj, remediation::KEY)?;
                Ok(Applied {
                    message: format!("competency add: {system}"),
                    target: Target::Item(ItemKind::Competency, id),
                })
            }
            CompetencyOp::Edit {
                competency,
                stage,
                trained_on,
            } => {
                let (id, obj) = w.resolve(ItemKind::Competency, KEY, competency)?;
                w.put_str(&obj, "stage", stage.as_str())?;
                if trained_on.is_some() {
                    w.put_opt_date(&obj, "trained_on", *trained_on)?;
                }
                w.touch(&obj)?;
                let system = string(w.tx, &obj, "system");
                Ok(Applied {
                    message: format!("competency stage: {system} is {}", stage.as_str()),
                    target: Target::Item(ItemKind::Competency, id),
                })
            }
            CompetencyOp::Rm { competency } => super::remove::<Competency>(w, competency, "system"),
            CompetencyOp::Schedule(schedule) => {
                let json = serde_json::to_string(schedule)
                    .map_err(|e| crate::ApiError::new(crate::ErrorCode::Internal, e.to_string()))?;
                w.put_str(&automerge::ROOT, SCHEDULE_KEY, &json)?;
                let first: Vec<String> = schedule.first.iter().map(u32::to_string).collect();
                Ok(Applied {
                    message: format!(
                        "competency schedule: after {} months, then every {}",
                        first.join(", "),
                        schedule.every
                    ),
                    target: Target::Plan,
                })
            }
        }
    }
}
