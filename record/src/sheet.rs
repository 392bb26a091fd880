//! What a competency record says, decided once for every layout: the
//! page header (laboratory and person), and for each test system its
//! facts, the six elements, the sign-offs with their checks, the
//! remediations and the lines to sign on paper.

use jiff::civil::Date;
use tandem_proto::competency::{ELEMENTS, FORMAT_1_COVERS, SIGNATURE_COVERS};
use tandem_proto::model::{Assessment, AssessmentResult, Competency, Plan, Signoff};

use crate::words::{self, Check};

/// A whole record, ready to lay out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// "Competency record: Sam Lee".
    pub title: String,
    /// The laboratory, on every page: "Riverside Hospital Laboratory · CLIA 05D0642827 · Hematology".
    pub lab: String,
    /// The person, on every page: "Sam Lee · employee 4471 · Medical Laboratory Scientist".
    pub person: String,
    /// Facts of the whole record: (label, value), e.g. ("Laboratory director", "Dr. Ruiz").
    pub facts: Vec<(&'static str, String)>,
    /// One per test system.
    pub sections: Vec<Section>,
    /// What the signatures cover (and, if any sign-off is of format 1, what those do not).
    pub covers: Vec<&'static str>,
    /// The day it was printed.
    pub printed: Date,
}

/// One test system's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The test system or procedure.
    pub system: String,
    /// (label, value): stage, training completed, next assessment due.
    pub facts: Vec<(&'static str, String)>,
    /// Each signed assessment, oldest first, and the one in progress.
    pub rounds: Vec<Round>,
    /// Remediations, oldest first, in words.
    pub remediations: Vec<String>,
}

/// One assessment: the six elements as they were signed (or as they are,
/// for the one in progress), and its sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// "Initial assessment", "6-month assessment", "Not signed off yet".
    pub heading: String,
    /// The six elements, in order.
    pub elements: Vec<Element>,
    /// Its sign-off; `None` for the assessment in progress.
    pub signoff: Option<SignoffRow>,
}

/// One element's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// 1 to 6.
    pub number: u8,
    /// What the element is.
    pub name: &'static str,
    /// When assessed ("" when not yet).
    pub date: String,
    /// "pass", "needs work" or "not assessed".
    pub result: String,
    /// Who assessed it.
    pub assessor: String,
    /// How.
    pub method: String,
    /// The result is a pass.
    pub passed: bool,
}

/// One sign-off's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffRow {
    /// "initial", "6-month", ... ("not recorded" on format-1 sign-offs).
    pub kind: String,
    /// The assessor's name.
    pub name: String,
    /// "technical supervisor", ... ("not recorded" on format-1 sign-offs).
    pub qualification: String,
    /// "2027-01-15 14:02 UTC".
    pub signed_at: String,
    /// Whether the signature verifies.
    pub check: Check,
    /// The technician's acknowledgement: (name, time, check).
    pub acknowledgement: Option<(String, String, Check)>,
    /// Made before methods were signed.
    pub format_1: bool,
}

const NOT_RECORDED: &str = "not recorded";

fn stamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

fn joined(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

impl Sheet {
    /// The record of `list` (competencies of `plan`), printed on `today`.
    pub fn of(plan: &Plan, list: &[&Competency], today: Date) -> Sheet {
        let pr = &plan.profile;
        let name = if pr.full_name.trim().is_empty() {
            plan.mentee.clone()
        } else {
            pr.full_name.clone()
        };
        let clia = (!pr.clia_number.is_empty()).then(|| format!("CLIA {}", pr.clia_number));
        let lab = joined(&[&pr.lab_name, clia.as_deref().unwrap_or(""), &pr.lab_section]);
        let employee = (!pr.employee_id.is_empty()).then(|| format!("employee {}", pr.employee_id));
        let person = joined(&[&name, employee.as_deref().unwrap_or(""), &pr.position]);
        let mut facts = Vec::new();
        if !pr.lab_director.trim().is_empty() {
            facts.push(("Laboratory director", pr.lab_director.clone()));
        }
        if !plan.mentor.trim().is_empty() {
            facts.push(("Mentor", plan.mentor.clone()));
        }
        facts.push(("Plan", plan.title.clone()));
        let sections: Vec<Section> = list.iter().map(|c| section(plan, c)).collect();
        let mut covers = vec![SIGNATURE_COVERS];
        if sections
            .iter()
            .flat_map(|s| &s.rounds)
            .filter_map(|r| r.signoff.as_ref())
            .any(|s| s.format_1)
        {
            covers.push(FORMAT_1_COVERS);
        }
        Sheet {
            title: format!(
                "Competency record: {}",
                if name.trim().is_empty() {
                    &plan.title
                } else {
                    &name
                }
            ),
            lab: if lab.is_empty() {
                "Laboratory not given (tandem plan profile --lab-name ...)".into()
            } else {
                lab
            },
            person,
            facts,
            sections,
            covers,
            printed: today,
        }
    }
}

/// The six elements' rows from `assessments`.
fn elements(assessments: &[Assessment]) -> Vec<Element> {
    ELEMENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let number = i as u8 + 1;
            match assessments.iter().find(|a| a.element == number) {
                Some(a) => Element {
                    number,
                    name,
                    date: a.date.to_string(),
                    result: a.result.as_str().replace('-', " "),
                    assessor: a.assessor.clone(),
                    method: a.method.clone(),
                    passed: a.result == AssessmentResult::Pass,
                },
                None => Element {
                    number,
                    name,
                    date: String::new(),
                    result: "not assessed".into(),
                    assessor: String::new(),
                    method: String::new(),
                    passed: false,
                },
            }
        })
        .collect()
}

fn signoff_row(plan: &Plan, c: &Competency, s: &Signoff) -> SignoffRow {
    SignoffRow {
        kind: s
            .kind
            .map_or_else(|| NOT_RECORDED.into(), |k| k.as_str().to_string()),
        name: s.name.clone(),
        qualification: s
            .qualification
            .map_or_else(|| NOT_RECORDED.into(), |q| q.label().to_string()),
        signed_at: stamp(s.signed_at),
        check: words::signoff(plan, c, s),
        acknowledgement: s.acknowledgement.as_ref().map(|a| {
            (
                a.name.clone(),
                stamp(a.signed_at),
                words::acknowledgement(plan, c, s, a),
            )
        }),
        format_1: s.format == 1,
    }
}

fn heading(s: &Signoff) -> String {
    match s.kind {
        Some(k) => {
            let k = k.as_str();
            let mut h: Vec<char> = k.chars().collect();
            if let Some(first) = h.first_mut() {
                *first = first.to_ascii_uppercase();
            }
            format!("{} assessment", h.into_iter().collect::<String>())
        }
        None => "Assessment (type not recorded)".into(),
    }
}

fn section(plan: &Plan, c: &Competency) -> Section {
    let mut facts = vec![("Stage", c.stage.as_str().to_string())];
    facts.push((
        "Training completed",
        c.trained_on
            .map_or_else(|| "not recorded".into(), |d| d.to_string()),
    ));
    facts.push((
        "Next assessment due",
        plan.competency_schedule.next_due(c).map_or_else(
            || "not scheduled (training not completed)".into(),
            |d| format!("{d} ({})", plan.competency_schedule.next_kind(c).as_str()),
        ),
    ));
    let mut rounds: Vec<Round> = c
        .signoffs
        .iter()
        .map(|s| Round {
            heading: heading(s),
            // Format 1 kept no copy: its elements are the competency's now.
            elements: elements(if s.format == 1 {
                &c.assessments
            } else {
                &s.assessments
            }),
            signoff: Some(signoff_row(plan, c, s)),
        })
        .collect();
    let settled = c
        .signoffs
        .last()
        .is_some_and(|s| s.format == 1 || s.assessments == c.assessments);
    if !settled {
        rounds.push(Round {
            heading: if c.signoffs.is_empty() {
                "Assessment in progress (not signed off yet)".into()
            } else {
                "Reassessment in progress (not signed off yet)".into()
            },
            elements: elements(&c.assessments),
            signoff: None,
        });
    }
    Section {
        system: c.system.clone(),
        facts,
        rounds,
        remediations: c.remediations.iter().map(|r| r.describe()).collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use jiff::civil::date;
    use tandem_proto::model::{
        Assessment, AssessmentResult, Competency, CompetencyStage, Plan, Signoff,
    };

    use super::Sheet;

    fn competency(system: &str) -> Competency {
        Competency {
            id: "c1".into(),
            system: system.into(),
            stage: CompetencyStage::Supervised,
            trained_on: Some(date(2027, 1, 15)),
            assessments: (1..=6)
                .map(|e| Assessment {
                    element: e,
                    date: date(2027, 1, 10),
                    assessor: "Dana".into(),
                    method: "observed".into(),
                    result: AssessmentResult::Pass,
                })
                .collect(),
            signoffs: Vec::new(),
            remediations: Vec::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    /// A sheet of `n` test systems.
    pub(crate) fn sheet_with(n: usize) -> Sheet {
        let mut p = Plan::empty();
        p.mentee = "Sam".into();
        let all: Vec<Competency> = (0..n).map(|i| competency(&format!("System {i}"))).collect();
        let list: Vec<&Competency> = all.iter().collect();
        Sheet::of(&p, &list, date(2027, 2, 1))
    }

    #[test]
    fn each_signoff_is_a_round_with_its_own_elements_and_work_in_progress_is_one_more() {
        let mut p = Plan::empty();
        p.mentee = "Sam".into();
        let mut c = competency("CBC");
        let s = Signoff {
            assessor: "peer".into(),
            name: "Dana".into(),
            signed_at: "2027-01-11T10:00:00Z".parse().unwrap(),
            public_key: String::new(),
            signature: String::new(),
            format: 2,
            kind: Some(tandem_proto::model::AssessmentKind::Initial),
            qualification: None,
            assessments: c.assessments.clone(),
            acknowledgement: None,
        };
        c.signoffs.push(s);
        let sheet = Sheet::of(&p, &[&c], date(2027, 2, 1));
        let rounds = &sheet.sections[0].rounds;
        assert_eq!(rounds.len(), 1, "signed and nothing new: one round");
        assert_eq!(rounds[0].heading, "Initial assessment");
        assert!(
            !rounds[0].signoff.as_ref().unwrap().check.ok,
            "an unsigned key does not verify"
        );
        // A new assessment of element 3: the signed round keeps what was signed.
        c.assessments[2].date = date(2027, 7, 1);
        c.assessments[2].result = AssessmentResult::NeedsWork;
        let sheet = Sheet::of(&p, &[&c], date(2027, 7, 2));
        let rounds = &sheet.sections[0].rounds;
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].elements[2].result, "pass");
        assert_eq!(
            rounds[1].heading,
            "Reassessment in progress (not signed off yet)"
        );
        assert_eq!(rounds[1].elements[2].result, "needs work");
        assert_eq!(sheet.person, "Sam");
        assert!(sheet.lab.starts_with("Laboratory not given"));
    }
}
