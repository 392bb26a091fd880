//! Remediation: an element assessed as needing work opens a corrective
//! record (what to retrain, by whom, and by when to reassess) that stays
//! open, and on the agenda, until that element is assessed again and
//! passes, which closes it with that date. Closed ones stay on the record:
//! an inspector asks what was done about a failed element (CLIA's
//! competency and quality-assessment rules, 42 CFR 493.1451(b)(8),
//! 493.1239). They are written by the assessment edit, not on their own.
//!
//! ```text
//! competencies/<id>/remediations: map key -> { element: uint, opened_on: str,
//!     retrain, by: str, due: str?, closed_on: str? }
//! ```

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{NAME_MAX, TITLE_MAX, ValidationError, bad, check_optional_line};

/// The remediations' map inside a competency record.
pub const KEY: &str = "remediations";

/// What is to be done about an element that needs work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemediationPlan {
    /// What to retrain (empty: the element as a whole).
    #[serde(default)]
    pub retrain: String,
    /// Who retrains the technician.
    #[serde(default)]
    pub by: String,
    /// When the element is to be reassessed by.
    #[serde(default)]
    pub due: Option<Date>,
}

/// A corrective record for one element of a competency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// The element that needed work, 1 to 6.
    pub element: u8,
    /// The date of the assessment that found it.
    pub opened_on: Date,
    /// What is to be done.
    #[serde(flatten)]
    pub plan: RemediationPlan,
    /// The date of the passing reassessment that closed it.
    #[serde(default)]
    pub closed_on: Option<Date>,
}

impl Remediation {
    /// Still open (the element has not passed since).
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }

    /// What is to be done, in words: "retrain “calibration” with Lee,
    /// reassess by 2027-02-01".
    pub fn what(&self) -> String {
        let p = &self.plan;
        let mut out = if p.retrain.trim().is_empty() {
            format!("retrain element {}", self.element)
        } else {
            format!("retrain “{}”", p.retrain.trim())
        };
        if !p.by.trim().is_empty() {
            out += &format!(" with {}", p.by.trim());
        }
        match p.due {
            Some(d) => out += &format!(", reassess by {d}"),
            None => out += ", then reassess",
        }
        out
    }

    /// One line: "Remediation of element 3, opened 2027-01-10: retrain
    /// “calibration” with Lee, reassess by 2027-02-01 (open)".
    pub fn describe(&self) -> String {
        let state = match self.closed_on {
            Some(d) => format!("closed {d}, the element passed"),
            None => "open".into(),
        };
        format!(
            "Remediation of element {}, opened {}: {} ({state})",
            self.element,
            self.opened_on,
            self.what()
        )
    }
}

/// The checks of a remediation plan, whoever writes it.
pub fn check_plan(p: &RemediationPlan) -> Result<(), ValidationError> {
    check_optional_line("retrain", &p.retrain, TITLE_MAX)?;
    check_optional_line("by", &p.by, NAME_MAX)
}

/// The checks of a competency's remediations as an import gives them.
pub fn check_imported(all: &[Remediation]) -> Result<(), ValidationError> {
    for r in all {
        if !(1..=6).contains(&r.element) {
            return Err(bad("remediations.element", "must be 1 to 6"));
        }
        if r.closed_on.is_some_and(|c| c < r.opened_on) {
            return Err(bad(
                "remediations.closed_on",
                "is before the remediation was opened",
            ));
        }
        check_plan(&r.plan)?;
    }
    Ok(())
}

/// The key a remediation is kept under: its element and opening date, the
/// same on every device and every import.
#[cfg(feature = "doc")]
fn key_of(element: u8, opened_on: Date) -> String {
    format!("{element}@{opened_on}")
}

#[cfg(feature = "doc")]
pub(super) use doc::{read_all, record, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ObjType, ReadDoc};

    use super::super::assessment::{Assessment, AssessmentResult};
    use super::super::doc::{R, Writer, date, internal, map_maps, object, string, uint};
    use super::{KEY, Remediation, RemediationPlan, key_of};

    /// The remediations of the competency at `obj`, oldest first.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<Remediation> {
        let mut all: Vec<Remediation> = map_maps(d, obj, KEY)
            .into_iter()
            .filter_map(|(_, r)| {
                Some(Remediation {
                    element: u8::try_from(uint(d, &r, "element")?).ok()?,
                    opened_on: date(d, &r, "opened_on")?,
                    plan: RemediationPlan {
                        retrain: string(d, &r, "retrain"),
                        by: string(d, &r, "by"),
                        due: date(d, &r, "due"),
                    },
                    closed_on: date(d, &r, "closed_on"),
                })
            })
            .collect();
        all.sort_by_key(|r| (r.opened_on, r.element));
        all
    }

    fn map(w: &mut Writer, competency: &ObjId) -> R<ObjId> {
        match object(w.tx, competency, KEY, ObjType::Map) {
            Some(m) => Ok(m),
            // Records made before remediations get the map on first use
            // (new ones are made with it, so no two devices race for it).
            None => {
                use automerge::transaction::Transactable;
                w.tx.put_object(competency, KEY, ObjType::Map)
                    .map_err(internal)
            }
        }
    }

    /// Writes one remediation into the competency at `obj`.
    pub(crate) fn write(w: &mut Writer, obj: &ObjId, r: &Remediation) -> R<()> {
        let m = map(w, obj)?;
        let o = w.new_map(&m, &key_of(r.element, r.opened_on))?;
        w.put_uint(&o, "element", u64::from(r.element))?;
        w.put_str(&o, "opened_on", &r.opened_on.to_string())?;
        w.put_str(&o, "retrain", &r.plan.retrain)?;
        w.put_str(&o, "by", &r.plan.by)?;
        w.put_opt_date(&o, "due", r.plan.due)?;
        w.put_opt_date(&o, "closed_on", r.closed_on)
    }

    /// What an assessment does to the remediations of the competency at
    /// `obj`: one that needs work opens a remediation (or, when one is open
    /// for that element, updates its plan with what is given); one that
    /// passes closes those open for its element. Says what it did.
    pub(crate) fn record(
        w: &mut Writer,
        obj: &ObjId,
        a: &Assessment,
        plan: Option<&RemediationPlan>,
    ) -> R<Option<String>> {
        let open: Vec<Remediation> = read_all(w.tx, obj)
            .into_iter()
            .filter(|r| r.element == a.element && r.is_open())
            .collect();
        match a.result {
            AssessmentResult::NeedsWork => {
                if let Some(mut r) = open.into_iter().next() {
                    if let Some(p) = plan {
                        r.plan = p.clone();
                        write(w, obj, &r)?;
                    }
                    return Ok(Some("remediation still open".into()));
                }
                let r = Remediation {
                    element: a.element,
                    opened_on: a.date,
                    plan: plan.cloned().unwrap_or_default(),
                    closed_on: None,
                };
                write(w, obj, &r)?;
                Ok(Some("remediation opened".into()))
            }
            AssessmentResult::Pass if open.is_empty() => Ok(None),
            AssessmentResult::Pass => {
                for mut r in open {
                    r.closed_on = Some(a.date.max(r.opened_on));
                    write(w, obj, &r)?;
                }
                Ok(Some("remediation closed".into()))
            }
        }
    }
}
