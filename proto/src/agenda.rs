//! What needs attention in a plan: `tandem agenda`. Pure: it reads a plan
//! and the time, and says what is coming due, what is late and what is
//! stuck.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::model::{ActionStatus, CertStatus, GoalStatus, MeetingStatus, Owner, Plan};

/// A pair that has not met for this many days gets a warning (mentoring
/// platforms flag "stuck" pairs after about three weeks).
pub const QUIET_DAYS: i64 = 21;

/// One thing that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// `meeting`, `action`, `goal`, `competency`, `remediation`, `certification` or `pair`.
    pub kind: &'static str,
    /// The item's id (none for `pair`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What it is.
    pub title: String,
    /// The date that makes it matter, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Why it is listed, for people: "overdue by 3 days", "due in 5 days", ...
    pub why: String,
    /// Who should act (`mentor`, `mentee`, `both`), for actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Past its date.
    pub overdue: bool,
}

fn when(d: Date, today: Date) -> (String, bool) {
    let days = (d - today).get_days();
    match days {
        0 => ("due today".into(), false),
        -1 => ("overdue by 1 day".into(), true),
        1 => ("due tomorrow".into(), false),
        n if n < 0 => (format!("overdue by {} days", -n), true),
        n => (format!("due in {n} days"), false),
    }
}

/// Everything needing attention within `days` of `today` (and anything late).
pub fn attention(plan: &Plan, now: Timestamp, today: Date, days: i64) -> Vec<Entry> {
    let horizon = today.checked_add(days.days()).unwrap_or(today);
    let soon = |d: Date| d <= horizon;
    let mut out = Vec::new();

    // The next meeting, with its agenda.
    if let Some(m) = plan
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Scheduled && m.start.timestamp() >= now)
        .min_by_key(|m| m.start.timestamp())
    {
        let agenda: Vec<&str> = m.agenda.iter().map(|a| a.text.as_str()).collect();
        out.push(Entry {
            kind: "meeting",
            id: Some(m.id.to_string()),
            title: format!("meeting {}", m.start.strftime("%Y-%m-%d %H:%M %Z")),
            date: Some(m.start.date()),
            why: if agenda.is_empty() {
                "next meeting; no agenda yet".into()
            } else {
                format!("next meeting; agenda: {}", agenda.join("; "))
            },
            owner: None,
            overdue: false,
        });
    }

    // Actions due or overdue, by owner.
    let mut actions: Vec<Entry> = plan
        .actions
        .iter()
        .filter(|a| a.status != ActionStatus::Done)
        .filter_map(|a| {
            let due = a.due.filter(|d| soon(*d))?;
            let (why, overdue) = when(due, today);
            Some(Entry {
                kind: "action",
                id: Some(a.id.to_string()),
                title: a.title.clone(),
                date: Some(due),
                why,
                owner: Some(a.owner),
                overdue,
            })
        })
        .collect();
    actions.sort_by(|a, b| {
        (a.owner.map(|o| o.as_str()), a.date).cmp(&(b.owner.map(|o| o.as_str()), b.date))
    });
    out.extend(actions);

    // Goals near their target date, or that have not moved in `days`.
    for g in plan.goals.iter().filter(|g| g.status == GoalStatus::Active) {
        if let Some(d) = g.target_date.filter(|d| soon(*d)) {
            let (why, overdue) = when(d, today);
            out.push(Entry {
                kind: "goal",
                id: Some(g.id.to_string()),
                title: g.title.clone(),
                date: Some(d),
                why: format!("target date {why} ({}% done)", g.progress),
                owner: None,
                overdue,
            });
        } else if now.duration_since(g.updated_at).as_hours() >= days * 24 {
            out.push(Entry {
                kind: "goal",
                id: Some(g.id.to_string()),
                title: g.title.clone(),
                date: None,
                why: format!(
                    "has not moved in {days} days or more ({}% done)",
                    g.progress
                ),
                owner: None,
                overdue: false,
            });
        }
    }

    // Competencies and certifications coming due.
    for c in &plan.competencies {
        if let Some(d) = plan.competency_schedule.next_due(c).filter(|d| soon(*d)) {
            let (why, overdue) = when(d, today);
            out.push(Entry {
                kind: "competency",
                id: Some(c.id.to_string()),
                title: c.system.clone(),
                date: Some(d),
                why: format!("assessment {why}"),
                owner: None,
                overdue,
            });
        }
    }
    // Remediations stay on the agenda, whatever their date, until the
    // element passes.
    for c in &plan.competencies {
        for r in c.remediations.iter().filter(|r| r.is_open()) {
            let (why, overdue) = match r.plan.due {
                Some(d) => {
                    let (w, late) = when(d, today);
                    (format!("reassessment {w}"), late)
                }
                None => ("no reassessment date set".into(), false),
            };
            out.push(Entry {
                kind: "remediation",
                id: Some(c.id.to_string()),
                title: format!("{}: element {} needs work", c.system, r.element),
                date: r.plan.due,
                why: format!("{}; {why}", r.what()),
                owner: None,
                overdue,
            });
        }
    }
    for c in &plan.certifications {
        let dates = [
            (c.status == CertStatus::Earned, c.renewal_due, "renewal"),
            (
                matches!(c.status, CertStatus::Planned | CertStatus::Scheduled),
                c.exam_date,
                "exam",
            ),
        ];
        for (applies, d, what) in dates {
            if let Some(d) = d.filter(|d| applies && soon(*d)) {
                let (why, overdue) = when(d, today);
                out.push(Entry {
                    kind: "certification",
                    id: Some(c.id.to_string()),
                    title: c.credential.clone(),
                    date: Some(d),
                    why: format!("{what} {why}"),
                    owner: None,
                    overdue,
                });
            }
        }
    }

    // A pair that has gone quiet.
    let last_met = plan
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Held)
        .map(|m| m.start.timestamp())
        .max()
        .unwrap_or(plan.created_at);
    let quiet = now.duration_since(last_met).as_hours() / 24;
    if quiet >= QUIET_DAYS {
        out.push(Entry {
            kind: "pair",
            id: None,
            title: "mentor and mentee".into(),
            date: None,
            why: format!("have not met for {quiet} days; schedule a meeting"),
            owner: None,
            overdue: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Goal, GoalCategory, ProgressSource};
    use jiff::civil::date;

    fn plan() -> Plan {
        let mut p: Plan = serde_json::from_value(serde_json::json!({
            "schema": 1, "id": "p", "title": "t", "mentor": "", "mentee": "", "status": "active",
            "created_at": "2027-01-01T00:00:00Z", "agreement": {"cadence": "", "communication": "",
            "confidentiality": "", "expectations": "", "signed_by_mentor": null, "signed_by_mentee": null},
            "goals": [], "actions": [], "meetings": [], "feedback": [], "notes": [], "contacts": []
        }))
        .unwrap();
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        let action = |id: &str, owner: Owner, due: Option<Date>, status: ActionStatus| Action {
            id: id.into(),
            title: id.into(),
            owner,
            due,
            status,
            goal: None,
            meeting: None,
            notes: String::new(),
            created_at: ts("2027-01-01T00:00:00Z"),
            updated_at: ts("2027-01-01T00:00:00Z"),
            done_at: None,
        };
        p.actions = vec![
            action(
                "late",
                Owner::Mentee,
                Some(date(2027, 1, 28)),
                ActionStatus::Open,
            ),
            action(
                "soon",
                Owner::Mentor,
                Some(date(2027, 2, 3)),
                ActionStatus::Open,
            ),
            action(
                "later",
                Owner::Mentee,
                Some(date(2027, 3, 1)),
                ActionStatus::Open,
            ),
            action(
                "done",
                Owner::Mentee,
                Some(date(2027, 1, 28)),
                ActionStatus::Done,
            ),
        ];
        let goal = |id: &str, target: Option<Date>, updated: &str| Goal {
            id: id.into(),
            title: id.into(),
            description: String::new(),
            category: GoalCategory::Skill,
            status: GoalStatus::Active,
            target_date: target,
            success_criteria: String::new(),
            progress: 40,
            progress_source: ProgressSource::Manual,
            milestones: Vec::new(),
            created_by: String::new(),
            created_at: ts("2027-01-01T00:00:00Z"),
            updated_at: ts(updated),
        };
        p.goals = vec![
            goal("near", Some(date(2027, 2, 5)), "2027-01-30T00:00:00Z"),
            goal("stale", None, "2027-01-02T00:00:00Z"),
            goal("fine", None, "2027-01-30T00:00:00Z"),
        ];
        p
    }

    #[test]
    fn lists_late_and_coming_items_and_a_quiet_pair() {
        let p = plan();
        let now: Timestamp = "2027-02-01T12:00:00Z".parse().unwrap();
        let got = attention(&p, now, date(2027, 2, 1), 7);
        let ids: Vec<(&str, Option<&str>)> =
            got.iter().map(|e| (e.kind, e.id.as_deref())).collect();
        assert!(ids.contains(&("action", Some("late"))));
        assert!(ids.contains(&("action", Some("soon"))));
        assert!(
            !ids.contains(&("action", Some("later"))),
            "beyond the horizon"
        );
        assert!(!ids.contains(&("action", Some("done"))));
        assert!(ids.contains(&("goal", Some("near"))));
        assert!(
            ids.contains(&("goal", Some("stale"))),
            "not moved in 7 days"
        );
        assert!(!ids.contains(&("goal", Some("fine"))));
        let late = got
            .iter()
            .find(|e| e.id.as_deref() == Some("late"))
            .unwrap();
        assert!(late.overdue && late.why == "overdue by 4 days", "{late:?}");
        // Created a month ago, never met: the pair is flagged.
        assert!(
            got.iter()
                .any(|e| e.kind == "pair" && e.why.contains("31 days"))
        );
        // Two weeks after the start, it is not.
        let early: Timestamp = "2027-01-15T00:00:00Z".parse().unwrap();
        assert!(
            !attention(&p, early, date(2027, 1, 15), 7)
                .iter()
                .any(|e| e.kind == "pair")
        );
    }

    #[test]
    fn an_open_remediation_stays_on_the_agenda_until_closed() {
        use crate::model::{Competency, CompetencyStage, Remediation, RemediationPlan};
        let mut p = plan();
        let r = Remediation {
            element: 3,
            opened_on: date(2027, 1, 10),
            plan: RemediationPlan {
                retrain: "QC review".into(),
                by: "Lee".into(),
                // Far beyond the 7-day horizon: listed all the same.
                due: Some(date(2027, 6, 1)),
            },
            closed_on: None,
        };
        p.competencies.push(Competency {
            id: "cbc".into(),
            system: "CBC".into(),
            stage: CompetencyStage::Independent,
            trained_on: None,
            assessments: Vec::new(),
            signoffs: Vec::new(),
            remediations: vec![r.clone()],
            created_at: Timestamp::UNIX_EPOCH,
        });
        let now: Timestamp = "2027-02-01T12:00:00Z".parse().unwrap();
        let got = attention(&p, now, date(2027, 2, 1), 7);
        let e = got
            .iter()
            .find(|e| e.kind == "remediation")
            .expect("listed");
        assert_eq!(e.title, "CBC: element 3 needs work");
        assert!(
            e.why.starts_with(
                "retrain “QC review” with Lee, reassess by 2027-06-01; reassessment due in"
            ),
            "{}",
            e.why
        );
        assert!(!e.overdue);
        let late = attention(&p, now, date(2027, 6, 3), 7);
        assert!(late.iter().any(|e| e.kind == "remediation" && e.overdue));
        p.competencies[0].remediations[0].closed_on = Some(date(2027, 2, 1));
        assert!(
            !attention(&p, now, date(2027, 2, 1), 7)
                .iter()
                .any(|e| e.kind == "remediation")
        );
    }
}
