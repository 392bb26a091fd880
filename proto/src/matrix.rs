//! The coordinator's view: every person × test system across plans, with
//! where each competency stands, most urgent first. Pure: the CLI's
//! `tandem matrix` (and anything else) gives it the plans and today.
//!
//! CLIA asks that each person's competency on each test system be assessed
//! semiannually in the first year and annually after (42 CFR
//! 493.1451(b)(8)); a coordinator who observes dozens of plans needs to see
//! which are overdue, which are in remediation and which fall due soon.

use jiff::civil::Date;
use serde::Serialize;

use crate::ids::{ItemId, PlanId};
use crate::model::{AssessmentResult, Competency, Plan};

/// How many days ahead a due date counts as soon.
pub const SOON_DAYS: i64 = 30;

/// Where one person's competency on one test system stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    /// Its assessment was due and is not done: by so many days.
    Overdue {
        /// Days past the due date.
        days: i64,
    },
    /// An element was assessed as needing work: retraining, then again.
    InRemediation,
    /// Due within [`SOON_DAYS`].
    DueSoon {
        /// Days until the due date.
        days: i64,
    },
    /// Never assessed.
    NeverAssessed,
    /// Being assessed: some elements done, not signed off yet.
    InProgress {
        /// Elements assessed (of six).
        assessed: usize,
    },
    /// Signed off, and not due for a while.
    SignedUntil,
}

impl Standing {
    /// The order of urgency (lower first), then by days.
    fn rank(&self) -> (u8, i64) {
        match self {
            Standing::Overdue { days } => (0, -days),
            Standing::InRemediation => (1, 0),
            Standing::DueSoon { days } => (2, *days),
            Standing::NeverAssessed => (3, 0),
            Standing::InProgress { .. } => (4, 0),
            Standing::SignedUntil => (5, 0),
        }
    }

    /// For people: "overdue by 3 days", "signed until 2027-08-31".
    pub fn words(&self, due: Option<Date>) -> String {
        let days = |n: i64| {
            if n == 1 {
                "1 day".to_string()
            } else {
                format!("{n} days")
            }
        };
        match (self, due) {
            (Standing::Overdue { days: n }, _) => format!("overdue by {}", days(*n)),
            (Standing::InRemediation, _) => "in remediation".into(),
            (Standing::DueSoon { days: 0 }, _) => "due today".into(),
            (Standing::DueSoon { days: n }, _) => format!("due in {}", days(*n)),
            (Standing::NeverAssessed, _) => "never assessed".into(),
            (Standing::InProgress { assessed }, _) => {
                format!("in progress ({assessed} of 6 elements)")
            }
            (Standing::SignedUntil, Some(d)) => format!("signed until {d}"),
            (Standing::SignedUntil, None) => "signed".into(),
        }
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The person assessed (the plan's mentee).
    pub person: String,
    /// The test system.
    pub system: String,
    /// Where it stands.
    #[serde(flatten)]
    pub standing: Standing,
    /// The next assessment's due date, when there is a schedule.
    pub due: Option<Date>,
    /// The plan.
    pub plan: PlanId,
    /// The plan's title.
    pub plan_title: String,
    /// The competency.
    pub competency: ItemId,
}

fn standing(p: &Plan, c: &Competency, today: Date) -> (Standing, Option<Date>) {
    let due = p.competency_schedule.next_due(c);
    let days: Option<i64> = due.map(|d| i64::from((d - today).get_days()));
    if c.assessments
        .iter()
        .any(|a| a.result == AssessmentResult::NeedsWork)
    {
        return (Standing::InRemediation, due);
    }
    let s = match days {
        Some(n) if n < 0 => Standing::Overdue { days: -n },
        Some(n) if n <= SOON_DAYS => Standing::DueSoon { days: n },
        _ if c.assessments.is_empty() => Standing::NeverAssessed,
        _ if c.signoffs.is_empty() => Standing::InProgress {
            assessed: c.assessments.len(),
        },
        _ => Standing::SignedUntil,
    };
    (s, due)
}

/// Every competency of every plan, most urgent first (then by person and system).
pub fn cells(plans: &[Plan], today: Date) -> Vec<Cell> {
    let mut out: Vec<Cell> = plans
        .iter()
        .flat_map(|p| {
            p.competencies.iter().map(move |c| {
                let (standing, due) = standing(p, c, today);
                Cell {
                    // The record's full name when the profile gives one.
                    person: [&p.profile.full_name, &p.mentee, &p.title]
                        .into_iter()
                        .find(|n| !n.trim().is_empty())
                        .cloned()
                        .unwrap_or_default(),
                    system: c.system.clone(),
                    standing,
                    due,
                    plan: p.id.clone(),
                    plan_title: p.title.clone(),
                    competency: c.id.clone(),
                }
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.standing.rank(), &a.person, &a.system).cmp(&(b.standing.rank(), &b.person, &b.system))
    });
    out
}

/// The CSV columns of the matrix, in order.
pub const CSV_HEADER: [&str; 7] = [
    "person",
    "test system",
    "status",
    "due",
    "plan",
    "plan id",
    "competency id",
];

impl Cell {
    /// The cell as a CSV row, in the order of [`CSV_HEADER`].
    pub fn csv_row(&self) -> [String; 7] {
        [
            self.person.clone(),
            self.system.clone(),
            self.standing.words(self.due),
            self.due.map(|d| d.to_string()).unwrap_or_default(),
            self.plan_title.clone(),
            self.plan.to_string(),
            self.competency.to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, CompetencyStage};
    use jiff::civil::date;

    fn comp(system: &str, trained: Option<Date>, results: &[AssessmentResult]) -> Competency {
        Competency {
            id: system.into(),
            system: system.into(),
            stage: CompetencyStage::Supervised,
            trained_on: trained,
            assessments: results
                .iter()
                .enumerate()
                .map(|(i, r)| Assessment {
                    element: u8::try_from(i + 1).unwrap(),
                    date: date(2027, 1, 1),
                    assessor: "Dana".into(),
                    method: String::new(),
                    result: *r,
                })
                .collect(),
            signoffs: Vec::new(),
            remediations: Vec::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn cells_are_sorted_by_urgency() {
        use AssessmentResult::{NeedsWork, Pass};
        let today = date(2027, 3, 1);
        let mut a = Plan::empty();
        a.mentee = "Ana".into();
        a.competencies = vec![
            comp("Never", None, &[]),
            comp("Late", Some(date(2026, 8, 1)), &[Pass]), // due 2027-02-01
            comp("Soon", Some(date(2026, 9, 10)), &[Pass, Pass]), // due 2027-03-10
            comp("Retrain", Some(date(2026, 12, 1)), &[Pass, NeedsWork]),
            comp("Later", Some(date(2026, 12, 1)), &[Pass]), // due 2027-06-01
        ];
        let mut b = Plan::empty();
        b.mentee = "Ben".into();
        b.competencies = vec![comp("Much later", Some(date(2026, 6, 1)), &[Pass])]; // due 2026-12-01
        let cells = cells(&[a, b], today);
        let got: Vec<(String, String)> = cells
            .iter()
            .map(|c| (c.system.clone(), c.standing.words(c.due)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Much later".to_string(), "overdue by 90 days".to_string()),
                ("Late".into(), "overdue by 28 days".into()),
                ("Retrain".into(), "in remediation".into()),
                ("Soon".into(), "due in 9 days".into()),
                ("Never".into(), "never assessed".into()),
                ("Later".into(), "in progress (1 of 6 elements)".into()),
            ]
        );
        assert_eq!(cells[0].person, "Ben");
        let json = serde_json::to_value(&cells[0]).unwrap();
        assert_eq!(json["status"], "overdue");
        assert_eq!(json["days"], 90);
    }
}
