//! Competency rules that need no IO: the six CLIA assessment elements, the
//! reassessment schedule, and the exact bytes a sign-off signs.
//!
//! Source for the elements and the schedule: 42 CFR 493.1451(b)(8) and
//! 493.1413(b)(8) (technical supervisor / consultant responsibilities):
//! competency is assessed semiannually during the first year a person tests
//! patient specimens, and annually after that, using the six procedures
//! listed in [`ELEMENTS`]. The schedule is per plan ([`Schedule`]), with
//! that rule as the default. 42 CFR 493.1235 asks the laboratory to have
//! and follow a policy for assessing its staff's competency and to keep
//! the record of it: what [`signed_bytes`] signs and `tandem-record`
//! prints is that record.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::{AssessmentKind, Competency, Signoff};

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
    /// it meets the next due date in order, except problem-triggered ones,
    /// which are out of turn.
    pub fn next_due(&self, c: &Competency) -> Option<Date> {
        let trained_on = c.trained_on?;
        let met = scheduled(c).saturating_sub(1);
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

/// The attestation format new sign-offs are made with (see [`signed_bytes`]).
pub const ATTESTATION_FORMAT: u8 = 2;

/// What a format-1 sign-off attests, in the order it is encoded.
#[derive(Serialize)]
struct AttestationV1<'a> {
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

/// What a format-2 sign-off attests, in the order it is encoded.
#[derive(Serialize)]
struct AttestationV2<'a> {
    /// Format of this encoding.
    v: u8,
    plan: &'a str,
    competency: &'a str,
    system: &'a str,
    /// (element, date, result, assessor, method) of each assessed element, by element.
    elements: Vec<(u8, Date, &'a str, &'a str, &'a str)>,
    /// Which assessment it completes and the assessor's qualification.
    kind: &'a str,
    qualification: &'a str,
    /// The signing device and person.
    assessor: &'a str,
    name: &'a str,
    signed_at: Timestamp,
}

/// What a sign-off's signature covers, said on every printed record, so
/// that nobody reads more into a signature than it holds.
pub const SIGNATURE_COVERS: &str = "Each sign-off's signature covers the plan, the test system, each element's number, date, result, assessor and method, the assessment type, the assessor's qualification, the signer and the time of signing; each acknowledgement's signature covers the sign-off it acknowledges, the technician and the time.";

/// What a format-1 sign-off (made before the method was attested) covers,
/// said on a record that holds one.
pub const FORMAT_1_COVERS: &str = "Sign-offs marked \"format 1\" were made before methods were signed: their signature does not cover each element's method, the assessment type or the qualification.";

/// The exact bytes sign-off `s` of `c` signs (its `signature` aside):
/// compact JSON of the plan id, the competency id and system, each assessed
/// element with its date, result and assessor, the signer and the time.
/// Format 1 reads the elements from the competency as it is now; format 2
/// signs the sign-off's own copy of them (so a later reassessment leaves
/// it intact), with each one's method, the assessment type and the
/// assessor's qualification. An unknown format signs nothing that verifies.
pub fn signed_bytes(plan: &str, c: &Competency, s: &Signoff) -> Vec<u8> {
    let source = if s.format == 1 {
        &c.assessments
    } else {
        &s.assessments
    };
    let mut assessments: Vec<_> = source.iter().collect();
    assessments.sort_by_key(|a| a.element);
    // Serializing strings, numbers and dates cannot fail.
    match s.format {
        1 => serde_json::to_vec(&AttestationV1 {
            v: 1,
            plan,
            competency: &c.id,
            system: &c.system,
            elements: assessments
                .iter()
                .map(|a| (a.element, a.date, a.result.as_str(), a.assessor.as_str()))
                .collect(),
            assessor: &s.assessor,
            name: &s.name,
            signed_at: s.signed_at,
        }),
        2 => serde_json::to_vec(&AttestationV2 {
            v: 2,
            plan,
            competency: &c.id,
            system: &c.system,
            elements: assessments
                .iter()
                .map(|a| {
                    let (r, who) = (a.result.as_str(), a.assessor.as_str());
                    (a.element, a.date, r, who, a.method.as_str())
                })
                .collect(),
            kind: s.kind.map_or("", |k| k.as_str()),
            qualification: s.qualification.map_or("", |q| q.as_str()),
            assessor: &s.assessor,
            name: &s.name,
            signed_at: s.signed_at,
        }),
        _ => Ok(Vec::new()),
    }
    .unwrap_or_default()
}

/// What a technician's acknowledgement of sign-off `s` signs.
#[derive(Serialize)]
struct Acknowledged<'a> {
    v: u8,
    what: &'a str,
    plan: &'a str,
    competency: &'a str,
    /// The acknowledged sign-off's signature: what binds the two.
    signoff: &'a str,
    peer: &'a str,
    name: &'a str,
    signed_at: Timestamp,
}

/// The exact bytes a technician (`peer`, `name`) acknowledging sign-off
/// `s` of competency `c` at `signed_at` signs.
pub fn acknowledged(
    plan: &str,
    c: &Competency,
    s: &Signoff,
    peer: &str,
    name: &str,
    signed_at: Timestamp,
) -> Vec<u8> {
    serde_json::to_vec(&Acknowledged {
        v: 1,
        what: "acknowledgement",
        plan,
        competency: &c.id,
        signoff: &s.signature,
        peer,
        name,
        signed_at,
    })
    .unwrap_or_default()
}

impl Schedule {
    /// Which assessment the next sign-off of `c` completes: the initial
    /// one, then the schedule's first-year ones (6-month up to six months
    /// after training, 12-month after that), then annual ones.
    /// Problem-triggered sign-offs are out of turn and do not count.
    pub fn next_kind(&self, c: &Competency) -> AssessmentKind {
        let scheduled = scheduled(c);
        if scheduled == 0 {
            return AssessmentKind::Initial;
        }
        match self.first.get(scheduled - 1) {
            Some(m) if *m <= 6 => AssessmentKind::SixMonth,
            Some(_) => AssessmentKind::TwelveMonth,
            None => AssessmentKind::Annual,
        }
    }
}

/// How many sign-offs of `c` were in turn (not problem-triggered).
fn scheduled(c: &Competency) -> usize {
    c.signoffs
        .iter()
        .filter(|s| s.kind != Some(AssessmentKind::Problem))
        .count()
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
            format: 1,
            kind: None,
            qualification: None,
            assessments: Vec::new(),
            acknowledgement: None,
        };
        Competency {
            id: "c1".into(),
            system: "CBC".into(),
            stage: CompetencyStage::Independent,
            trained_on,
            assessments: Vec::new(),
            signoffs: vec![s; signoffs],
            remediations: Vec::new(),
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
        let s = Signoff {
            assessor: "peer".into(),
            name: "Dana".into(),
            signed_at: Timestamp::from_second(1_800_000_000).unwrap(),
            public_key: String::new(),
            signature: String::new(),
            format: ATTESTATION_FORMAT,
            kind: Some(AssessmentKind::Initial),
            qualification: Some(crate::model::Qualification::TechnicalSupervisor),
            assessments: c.assessments.clone(),
            acknowledgement: None,
        };
        let base = signed_bytes("plan", &c, &s);
        let changed = |f: &dyn Fn(&mut Competency, &mut Signoff)| {
            let (mut c2, mut s2) = (c.clone(), s.clone());
            f(&mut c2, &mut s2);
            signed_bytes("plan", &c2, &s2)
        };
        assert_ne!(signed_bytes("other", &c, &s), base);
        assert_ne!(changed(&|c, _| c.id = "c2".into()), base);
        assert_ne!(changed(&|c, _| c.system = "BMP".into()), base);
        assert_ne!(
            changed(&|_, s| s.assessments[0].date = date(2027, 1, 11)),
            base
        );
        assert_ne!(
            changed(&|_, s| s.assessments[0].result = AssessmentResult::NeedsWork),
            base
        );
        assert_ne!(
            changed(&|_, s| s.assessments[0].assessor = "Lee".into()),
            base
        );
        assert_ne!(changed(&|_, s| s.assessments[0].element = 2), base);
        assert_ne!(
            changed(&|_, s| s.assessments[0].method = "other".into()),
            base
        );
        assert_ne!(changed(&|_, s| s.assessor = "other peer".into()), base);
        assert_ne!(changed(&|_, s| s.name = "Lee".into()), base);
        assert_ne!(changed(&|_, s| s.signed_at = Timestamp::UNIX_EPOCH), base);
        assert_ne!(changed(&|_, s| s.kind = Some(AssessmentKind::Annual)), base);
        assert_ne!(changed(&|_, s| s.qualification = None), base);
        // Format 2 signs its own copy: the competency's latest assessments
        // moving on (a reassessment) leave it as it was.
        assert_eq!(
            changed(&|c, _| c.assessments[0].date = date(2027, 7, 1)),
            base
        );
        // The acknowledgement is signed apart, after: it is not in these bytes.
        assert_eq!(
            changed(
                &|_, s| s.acknowledgement = Some(crate::model::Acknowledgement {
                    peer: "tech".into(),
                    name: "Sam".into(),
                    signed_at: Timestamp::UNIX_EPOCH,
                    public_key: String::new(),
                    signature: String::new(),
                })
            ),
            base
        );
        // Format 1 does not sign methods (records say so).
        let mut v1 = s.clone();
        v1.format = 1;
        let old = signed_bytes("plan", &c, &v1);
        let mut c2 = c.clone();
        c2.assessments[0].method = "other".into();
        assert_eq!(signed_bytes("plan", &c2, &v1), old);
    }

    #[test]
    fn problem_triggered_signoffs_do_not_move_the_schedule() {
        let s = Schedule::default();
        let t = date(2027, 1, 15);
        let mut c = competency(Some(t), 0);
        assert_eq!(s.next_kind(&c), AssessmentKind::Initial);
        let one = |kind| {
            let mut x = competency(None, 1).signoffs.remove(0);
            x.kind = Some(kind);
            x
        };
        c.signoffs.push(one(AssessmentKind::Initial));
        assert_eq!(s.next_kind(&c), AssessmentKind::SixMonth);
        c.signoffs.push(one(AssessmentKind::Problem));
        assert_eq!(s.next_kind(&c), AssessmentKind::SixMonth, "out of turn");
        assert_eq!(s.next_due(&c), Some(date(2027, 7, 15)));
        c.signoffs.push(one(AssessmentKind::SixMonth));
        assert_eq!(s.next_kind(&c), AssessmentKind::TwelveMonth);
        assert_eq!(s.next_due(&c), Some(date(2028, 1, 15)));
        c.signoffs.push(one(AssessmentKind::TwelveMonth));
        assert_eq!(s.next_kind(&c), AssessmentKind::Annual);
    }
}
