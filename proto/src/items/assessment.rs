//! Assessments: the latest result of each of the six CLIA elements of a
//! competency (`crate::competency::ELEMENTS`); a new one replaces that
//! element's earlier result.
//!
//! ```text
//! competencies/<id>/assessments: map "1".."6" -> { date, assessor, method, result: pass|needs-work }
//! ```

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{NAME_MAX, ValidationError, bad, check_line, check_prefix, check_text};
use crate::string_enum;

/// The assessments' map inside a competency record.
pub const KEY: &str = "assessments";

string_enum!(
    /// The outcome of one assessment element.
    AssessmentResult, "assessment result", {
    /// Met the standard.
    Pass => "pass",
    /// Did not yet; to be repeated.
    NeedsWork => "needs-work",
});

/// One assessed element of a competency (the latest for that element).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Which of the six CLIA elements, 1 to 6 (see [`crate::competency::ELEMENTS`]).
    pub element: u8,
    /// When it was assessed.
    pub date: Date,
    /// Who assessed it.
    pub assessor: String,
    /// How: the method, sample, record reviewed.
    pub method: String,
    /// The result.
    pub result: AssessmentResult,
}

/// What can be done to a competency's assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AssessmentOp {
    /// Record one of the six elements (replaces that element's earlier result).
    Add {
        /// Competency id or prefix.
        competency: String,
        /// The assessment.
        #[serde(flatten)]
        assessment: Assessment,
        /// For a result that needs work: what to retrain, by whom, by when
        /// (a remediation is opened either way; see `remediation`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remediation: Option<super::remediation::RemediationPlan>,
    },
}

/// The checks of an assessment, whoever writes it.
pub fn check(a: &Assessment) -> Result<(), ValidationError> {
    if !(1..=6).contains(&a.element) {
        return Err(bad(
            "element",
            "must be 1 to 6 (see `tandem competency elements`)",
        ));
    }
    check_line("assessor", &a.assessor, NAME_MAX)?;
    check_text("method", &a.method)
}

/// The checks of a competency's assessments as an import gives them: each
/// element once.
pub fn check_imported(all: &[Assessment]) -> Result<(), ValidationError> {
    let mut seen = std::collections::BTreeSet::new();
    for a in all {
        if !seen.insert(a.element) {
            return Err(bad(
                "assessments",
                format!("element {} appears twice", a.element),
            ));
        }
        check(a)?;
    }
    Ok(())
}

impl AssessmentOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            AssessmentOp::Add {
                competency,
                assessment,
                remediation,
            } => {
                check_prefix("competency", competency)?;
                check(assessment)?;
                remediation
                    .as_ref()
                    .map_or(Ok(()), super::remediation::check_plan)
            }
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{read_all, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{Applied, R, Target, Writer, date, map_maps, parsed, string};
    use super::super::{ItemKind, competency};
    use super::{Assessment, AssessmentOp, AssessmentResult, KEY};

    /// The assessments of the competency at `obj`, by element.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<Assessment> {
        let mut all: Vec<Assessment> = map_maps(d, obj, KEY)
            .into_iter()
            .filter_map(|(key, a)| {
                Some(Assessment {
                    element: key.parse().ok()?,
                    date: date(d, &a, "date")?,
                    assessor: string(d, &a, "assessor"),
                    method: string(d, &a, "method"),
                    result: parsed(d, &a, "result", AssessmentResult::NeedsWork),
                })
            })
            .collect();
        all.sort_by_key(|a| a.element);
        all
    }

    /// Writes one assessed element into an `assessments` map (replacing an
    /// earlier assessment of the same element).
    pub(crate) fn write(w: &mut Writer, map: &ObjId, a: &Assessment) -> R<()> {
        let o = w.new_map(map, &a.element.to_string())?;
        w.put_str(&o, "date", &a.date.to_string())?;
        w.put_str(&o, "assessor", &a.assessor)?;
        w.put_str(&o, "method", &a.method)?;
        w.put_str(&o, "result", a.result.as_str())
    }

    impl AssessmentOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                AssessmentOp::Add {
                    competency,
                    assessment: a,
                    remediation: plan,
                } => {
                    let (id, obj) = w.resolve(ItemKind::Competency, competency::KEY, competency)?;
                    let map = w.sub_map(&obj, KEY)?;
                    write(w, &map, a)?;
                    let remedied = super::super::remediation::record(w, &obj, a, plan.as_ref())?;
                    w.touch(&obj)?;
                    let system = string(w.tx, &obj, "system");
                    Ok(Applied {
                        message: format!(
                            "competency assess: {system}, element {}: {} ({}){}",
                            a.element,
                            a.result.as_str(),
                            a.assessor,
                            remedied.map(|r| format!("; {r}")).unwrap_or_default()
                        ),
                        target: Target::Item(ItemKind::Competency, id),
                    })
                }
            }
        }
    }
}
