//! Competency rules that need no IO: the six CLIA assessment elements, the
//! reassessment schedule, and the exact bytes a sign-off signs.
//!
//! Source for the elements and the schedule: 42 CFR 493.1451(b)(8) and
//! 493.1413(b)(8) (technical supervisor / consultant responsibilities):
//! competency is assessed semiannually during the first year a person tests
//! patient specimens, and annually after that, using the six procedures
//! listed in [`ELEMENTS`]. The schedule is per plan ([`Schedule`]), with
//! that rule as the default.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::{Competency, Signoff};

/// The six CLIA competency assessment elements, numbered 1 to 6.
pub const ELEMENTS: [&str; 6] = [
    "direct observation of routine test performance",
    "monitoring the recording and reporting of results",
    "review of worksheets, QC, proficiency testing and maintenance records",
    "direct observation of instrument maintenance and function checks",
    "testing previously analysed specimens, blind samples or external PT samples",
    "assessment of problem-solving skills",
];

/// When competencies fall due again, counted from the date training was completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Months after training for the first-year assessments.
    pub first: Vec<u32>,
    /// Months between assessments after those.
    pub every: u32,
}

impl Default for Schedule {
    /// CLIA: about 6 and 12 months after training, then every 12 months.
    fn default() -> Self {
        Schedule {
            first: vec![6, 12],
            every: 12,
        }
    }
}

impl Schedule {
    /// The `n`-th due date (0-based) after `trained_on`. Month arithmetic
    /// clamps to the month's end: 31 August + 6 months is 28 (or 29) February.
    pub fn due(&self, trained_on: Date, n: usize) -> Option<Date> {
        let months = match self.first.get(n) {
            Some(m) => i64::from(*m),
            None => {
                let last = i64::from(self.first.last().copied().unwrap_or(0));
                let extra = i64::try_from(n + 1 - self.first.len()).ok()?;
                last.checked_add(extra.checked_mul(i64::from(self.every.max(1)))?)?
            }
        };
        trained_on
            .checked_add(Span::new().try_months(months).ok()?)
            .ok()
    }

    /// The next assessment due: the first due date not yet met by a
    /// sign-off. The first sign-off releases the technician; each one after
    /// it meets the next due date in order.
    pub fn next_due(&self, c: &Competency) -> Option<Date> {
        let trained_on = c.trained_on?;
        let met = c.signoffs.len().saturating_sub(1);
        self.due(trained_on, met)
    }

    /// Checks the numbers make sense.
    pub fn validate(&self) -> Result<(), String> {
        if self.first.len() > 12 || self.first.iter().any(|m| *m == 0 || *m > 120) {
            return Err("first: give up to 12 month counts between 1 and 120".into());
        }
        if self.first.windows(2).any(|w| w[0] >= w[1]) {
            return Err("first: month counts must increase".into());
        }
        if !(1..=120).contains(&self.every) {
            return Err("every: must be between 1 and 120 months".into());
        }
        Ok(())
    }
}

/// What a sign-off attests, in the order it is encoded.
#[derive(Serialize)]
struct Attestation<'a> {
    /// Format of this encoding.
    v: u8,
    plan: &'a str,
    competency: &'a str,
    system: &'a str,
    /// (element, date, result, assessor) of each assessed element, by element.
    elements: Vec<(u8, Date, &'a str, &'a str)>,
    /// The signing device and person.
    assessor: &'a str,
    name: &'a str,
    signed_at: Timestamp,
}

/// What a sign-off's signature covers, said on every printed record (the
/// method of each element is not attested, so a record must not suggest it is).
pub const SIGNATURE_COVERS: &str = "Each sign-off's signature covers the plan, the test system, each element's number, date, result and assessor, the signer and the time of signing. It does not cover how each element was assessed (the method).";

/// The exact bytes a sign-off by `assessor` (`name`) at `signed_at` signs:
/// compact JSON of the plan id, the competency id and system, each assessed
/// element with its date, result and assessor, the signer and the time.
pub fn attestation(
    plan: &str,
    c: &Competency,
    assessor: &str,
    name: &str,
    signed_at: Timestamp,
) -> Vec<u8> {
    let mut elements: Vec<(u8, Date, &str, &str)> = c
        .assessments
        .iter()
        .map(|a| (a.element, a.date, a.result.as_str(), a.assessor.as_str()))
        .collect();
    elements.sort_by_key(|e| e.0);
    let a = Attestation {
        v: 1,
        plan,
        competency: &c.id,
        system: &c.system,
        elements,
        assessor,
        name,
        signed_at,
    };
    // Serializing strings, numbers and dates cannot fail.
    serde_json::to_vec(&a).unwrap_or_default()
}

/// The bytes `s` should be a signature over.
pub fn signed_bytes(plan: &str, c: &Competency, s: &Signoff) -> Vec<u8> {
    attestation(plan, c, &s.assessor, &s.name, s.signed_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, AssessmentResult, CompetencyStage};
    use jiff::civil::date;

    fn competency(trained_on: Option<Date>, signoffs: usize) -> Competency {
        let s = Signoff {
            assessor: "p".into(),
            name: "Dana".into(),
            signed_at: Timestamp::UNIX_EPOCH,
            public_key: String::new(),
            signature: String::new(),
        };
        Competency {
            id: "c1".into(),
            system: "CBC".into(),
            stage: CompetencyStage::Independent,
            trained_on,
            assessments: Vec::new(),
            signoffs: vec![s; signoffs],
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn due_dates_follow_the_schedule_across_month_ends_and_leap_years() {
        let s = Schedule::default();
        let t = date(2027, 8, 31);
        assert_eq!(s.due(t, 0), Some(date(2028, 2, 29)), "leap February");
        assert_eq!(s.due(t, 1), Some(date(2028, 8, 31)));
        assert_eq!(s.due(t, 2), Some(date(2029, 8, 31)));
        assert_eq!(s.due(t, 3), Some(date(2030, 8, 31)));
        assert_eq!(
            s.due(date(2026, 8, 31), 0),
            Some(date(2027, 2, 28)),
            "common February"
        );
        assert_eq!(s.due(date(2028, 2, 29), 1), Some(date(2029, 2, 28)));
        let custom = Schedule {
            first: vec![3, 6, 12],
            every: 6,
        };
        assert_eq!(custom.due(date(2027, 1, 31), 0), Some(date(2027, 4, 30)));
        assert_eq!(custom.due(date(2027, 1, 31), 3), Some(date(2028, 7, 31)));
        assert!(custom.validate().is_ok());
        assert!(
            Schedule {
                first: vec![12, 6],
                every: 12
            }
            .validate()
            .is_err()
        );
        assert!(
            Schedule {
                first: vec![6],
                every: 0
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn the_next_due_date_moves_with_each_signoff() {
        let s = Schedule::default();
        let t = date(2027, 1, 15);
        assert_eq!(s.next_due(&competency(None, 0)), None, "not trained yet");
        assert_eq!(s.next_due(&competency(Some(t), 0)), Some(date(2027, 7, 15)));
        assert_eq!(s.next_due(&competency(Some(t), 1)), Some(date(2027, 7, 15)));
        assert_eq!(s.next_due(&competency(Some(t), 2)), Some(date(2028, 1, 15)));
        assert_eq!(s.next_due(&competency(Some(t), 3)), Some(date(2029, 1, 15)));
    }

    #[test]
    fn every_attested_field_changes_the_signed_bytes() {
        let mut c = competency(Some(date(2027, 1, 15)), 0);
        c.assessments.push(Assessment {
            element: 1,
            date: date(2027, 1, 10),
            assessor: "Dana".into(),
            method: "observed 10 CBCs".into(),
            result: AssessmentResult::Pass,
        });
        let t = Timestamp::from_second(1_800_000_000).unwrap();
        let base = attestation("plan", &c, "peer", "Dana", t);
        let changed = |f: &dyn Fn(&mut Competency)| {
            let mut c2 = c.clone();
            f(&mut c2);
            attestation("plan", &c2, "peer", "Dana", t)
        };
        assert_ne!(attestation("other", &c, "peer", "Dana", t), base);
        assert_ne!(changed(&|c| c.id = "c2".into()), base);
        assert_ne!(changed(&|c| c.system = "BMP".into()), base);
        assert_ne!(
            changed(&|c| c.assessments[0].date = date(2027, 1, 11)),
            base
        );
        assert_ne!(
            changed(&|c| c.assessments[0].result = AssessmentResult::NeedsWork),
            base
        );
        assert_ne!(changed(&|c| c.assessments[0].assessor = "Lee".into()), base);
        assert_ne!(changed(&|c| c.assessments[0].element = 2), base);
        assert_ne!(attestation("plan", &c, "other peer", "Dana", t), base);
        assert_ne!(attestation("plan", &c, "peer", "Lee", t), base);
        assert_ne!(
            attestation("plan", &c, "peer", "Dana", Timestamp::UNIX_EPOCH),
            base
        );
        // Method notes are not attested (they may be corrected freely).
        assert_eq!(changed(&|c| c.assessments[0].method = "other".into()), base);
    }
}
