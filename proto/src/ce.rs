//! Continuing-education totals per certification cycle.
//!
//! ASCP Board of Certification credentials are kept through the Credential
//! Maintenance Program, a 3-year cycle in which 1 contact hour counts as 1
//! point (ASCP BOC, "Credential Maintenance Program (CMP)"). How many points
//! a credential needs is not shipped: the user sets it per certification
//! (`ce_required`), since the numbers differ by credential and change.

use jiff::civil::Date;
use jiff::{Span, ToSpan};
use serde::{Deserialize, Serialize};

use crate::model::{CeActivity, CertStatus, Plan};

/// Length of a CE cycle, in years (ASCP BOC CMP).
pub const CYCLE_YEARS: i16 = 3;

/// The CE total of one cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleTotal {
    /// The credential, or `None` for "the last 3 years" when no requirement is set.
    pub credential: Option<String>,
    /// First day of the cycle.
    pub start: Date,
    /// Last day of the cycle.
    pub end: Date,
    /// Points earned in it.
    pub points: f64,
    /// Points required, if set.
    pub required: Option<f64>,
    /// Points still needed (0 when met).
    pub remaining: Option<f64>,
}

fn years(n: i16) -> Span {
    n.years()
}

fn total(ce: &[CeActivity], start: Date, end: Date) -> f64 {
    ce.iter()
        .filter(|a| a.date >= start && a.date <= end)
        .map(|a| a.points)
        .sum()
}

/// Totals for each earned certification's current cycle (which ends on its
/// renewal date, or runs 3 years from when it was earned), or for the last
/// 3 years up to `today` when there is none.
pub fn summary(plan: &Plan, today: Date) -> Vec<CycleTotal> {
    let mut out: Vec<CycleTotal> = plan
        .certifications
        .iter()
        .filter(|c| c.status == CertStatus::Earned)
        .filter_map(|c| {
            let (start, end) = match (c.renewal_due, c.earned_on) {
                (Some(due), _) => (due.checked_sub(years(CYCLE_YEARS)).ok()?, due),
                (None, Some(on)) => (on, on.checked_add(years(CYCLE_YEARS)).ok()?),
                (None, None) => return None,
            };
            let points = total(&plan.ce, start, end);
            Some(CycleTotal {
                credential: Some(c.credential.clone()),
                start,
                end,
                points,
                required: c.ce_required,
                remaining: c.ce_required.map(|r| (r - points).max(0.0)),
            })
        })
        .collect();
    if out.is_empty() {
        let start = today.checked_sub(years(CYCLE_YEARS)).unwrap_or(Date::ZERO);
        out.push(CycleTotal {
            credential: None,
            start,
            end: today,
            points: total(&plan.ce, start, today),
            required: None,
            remaining: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Certification;
    use jiff::Timestamp;
    use jiff::civil::date;

    fn activity(d: Date, points: f64) -> CeActivity {
        CeActivity {
            id: format!("{d}").into(),
            title: "t".into(),
            provider: String::new(),
            date: d,
            points,
            category: String::new(),
            certificate: String::new(),
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn cert(earned_on: Option<Date>, renewal_due: Option<Date>, req: Option<f64>) -> Certification {
        Certification {
            id: "c".into(),
            credential: "MLS".into(),
            status: CertStatus::Earned,
            exam_date: None,
            earned_on,
            renewal_due,
            ce_required: req,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn plan(ce: Vec<CeActivity>, certs: Vec<Certification>) -> Plan {
        let mut p: Plan = serde_json::from_value(serde_json::json!({
            "schema": 1, "id": "p", "title": "t", "mentor": "", "mentee": "", "status": "active",
            "created_at": "2026-01-01T00:00:00Z", "agreement": {"cadence": "", "communication": "",
            "confidentiality": "", "expectations": "", "signed_by_mentor": null, "signed_by_mentee": null},
            "goals": [], "actions": [], "meetings": [], "feedback": [], "notes": [], "contacts": []
        }))
        .unwrap();
        p.ce = ce;
        p.certifications = certs;
        p
    }

    #[test]
    fn totals_count_the_cycle_inclusive_of_both_ends() {
        let ce = vec![
            activity(date(2025, 6, 30), 2.0), // before the cycle
            activity(date(2025, 7, 1), 1.5),  // first day
            activity(date(2027, 2, 28), 10.0),
            activity(date(2028, 6, 30), 3.0), // last day
            activity(date(2028, 7, 1), 5.0),  // after
        ];
        let p = plan(
            ce.clone(),
            vec![cert(None, Some(date(2028, 6, 30)), Some(36.0))],
        );
        let s = summary(&p, date(2027, 3, 1));
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].start, s[0].end),
            (date(2025, 6, 30), date(2028, 6, 30))
        );
        assert_eq!(s[0].points, 16.5);
        assert_eq!(s[0].remaining, Some(19.5));
        // From the date earned, 3 years, across a leap day.
        let p = plan(ce.clone(), vec![cert(Some(date(2024, 2, 29)), None, None)]);
        let s = summary(&p, date(2027, 3, 1));
        assert_eq!(s[0].end, date(2027, 2, 28));
        assert_eq!(s[0].remaining, None);
        // No certification: the last three years.
        let s = summary(&plan(ce, Vec::new()), date(2028, 7, 1));
        assert_eq!(s[0].credential, None);
        assert_eq!(
            s[0].points,
            1.5 + 10.0 + 3.0 + 5.0,
            "2025-07-01 to 2028-07-01"
        );
    }
}
