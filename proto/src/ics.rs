//! The plan as an iCalendar file (RFC 5545), made with the `icalendar`
//! crate: meetings as timed events (in UTC, with their agenda), and due
//! dates (actions, goal targets, competency reassessments, certification
//! exams and renewals) as all-day events. UIDs are stable (`KIND-ID@tandem`),
//! so re-importing an updated export updates events instead of duplicating them.

use crate::model::{ActionStatus, CertStatus, GoalStatus, MeetingStatus, Plan};
use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

fn utc(ts: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ts.as_millisecond()).unwrap_or_default()
}

fn day(d: jiff::civil::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::from(d.year()),
        u32::from(d.month().unsigned_abs()),
        u32::from(d.day().unsigned_abs()),
    )
}

fn all_day(
    uid: String,
    date: jiff::civil::Date,
    summary: String,
    description: &str,
    stamp: DateTime<Utc>,
) -> Option<Event> {
    Some(
        Event::new()
            .uid(&uid)
            .timestamp(stamp)
            .all_day(day(date)?)
            .summary(&summary)
            .description(description)
            .done(),
    )
}

/// The calendar text of one plan.
pub fn calendar(plan: &Plan) -> String {
    let mut cal = Calendar::new();
    cal.name(&plan.title);
    for e in events(plan, utc(jiff::Timestamp::now())) {
        cal.push(e);
    }
    cal.done().to_string()
}

/// One calendar of several plans (the app's feed of every plan on a device).
pub fn calendar_of(name: &str, plans: &[Plan]) -> String {
    let stamp = utc(jiff::Timestamp::now());
    let mut cal = Calendar::new();
    cal.name(name);
    for p in plans {
        for e in events(p, stamp) {
            cal.push(e);
        }
    }
    cal.done().to_string()
}

/// A plan's events: its meetings and its due dates.
fn events(plan: &Plan, stamp: DateTime<Utc>) -> Vec<Event> {
    let mut out = Vec::new();
    for m in plan
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled)
    {
        let start = m.start.timestamp();
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(i64::from(
                m.duration_minutes,
            )))
            .unwrap_or(start);
        let agenda: Vec<String> = m.agenda.iter().map(|a| format!("- {}", a.text)).collect();
        let mut e = Event::new();
        e.uid(&format!("meeting-{}@tandem", m.id))
            .timestamp(stamp)
            .starts(utc(start))
            .ends(utc(end))
            .summary(&format!("Mentoring: {}", plan.title))
            .description(&format!("Agenda:\n{}", agenda.join("\n")));
        if !m.location.is_empty() {
            e.location(&m.location);
        }
        out.push(e.done());
    }
    let mut dated: Vec<Option<Event>> = Vec::new();
    for a in plan
        .actions
        .iter()
        .filter(|a| a.status != ActionStatus::Done)
    {
        if let Some(d) = a.due {
            dated.push(all_day(
                format!("action-{}@tandem", a.id),
                d,
                format!("Due ({}): {}", a.owner.as_str(), a.title),
                &a.notes,
                stamp,
            ));
        }
    }
    for g in plan.goals.iter().filter(|g| g.status == GoalStatus::Active) {
        if let Some(d) = g.target_date {
            dated.push(all_day(
                format!("goal-{}@tandem", g.id),
                d,
                format!("Goal target: {}", g.title),
                &g.success_criteria,
                stamp,
            ));
        }
    }
    for c in &plan.competencies {
        if let Some(d) = plan.competency_schedule.next_due(c) {
            dated.push(all_day(
                format!("competency-{}@tandem", c.id),
                d,
                format!("Competency assessment due: {}", c.system),
                "",
                stamp,
            ));
        }
    }
    for c in &plan.certifications {
        if let (Some(d), true) = (
            c.exam_date,
            matches!(c.status, CertStatus::Planned | CertStatus::Scheduled),
        ) {
            dated.push(all_day(
                format!("cert-exam-{}@tandem", c.id),
                d,
                format!("{} exam", c.credential),
                "",
                stamp,
            ));
        }
        if let (Some(d), true) = (c.renewal_due, c.status == CertStatus::Earned) {
            dated.push(all_day(
                format!("cert-renewal-{}@tandem", c.id),
                d,
                format!("{} renewal due", c.credential),
                "",
                stamp,
            ));
        }
    }
    out.extend(dated.into_iter().flatten());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        serde_json::from_value(serde_json::json!({
            "schema": 1, "id": "p", "title": "Onboarding, Ana", "mentor": "", "mentee": "", "status": "active",
            "created_at": "2027-01-01T00:00:00Z", "agreement": {"cadence": "", "communication": "",
            "confidentiality": "", "expectations": "", "signed_by_mentor": null, "signed_by_mentee": null},
            "goals": [{"id": "g1", "title": "Pass MLS; the exam", "description": "", "category": "certification",
              "status": "active", "target_date": "2027-05-31", "success_criteria": "score > 400",
              "progress": 0, "progress_source": "manual", "milestones": [], "created_by": "",
              "created_at": "2027-01-01T00:00:00Z", "updated_at": "2027-01-01T00:00:00Z"}],
            "actions": [{"id": "a1", "title": "Read SOP", "owner": "mentee", "due": "2027-02-28",
              "status": "open", "goal": null, "meeting": null, "notes": "", "created_at": "2027-01-01T00:00:00Z",
              "updated_at": "2027-01-01T00:00:00Z", "done_at": null}],
            "meetings": [{"id": "m1", "start": "2027-02-01T10:00:00-05:00[America/New_York]",
              "duration_minutes": 45, "location": "Lab office", "agenda": [{"id": "x", "text": "QC, questions"}],
              "notes": "", "status": "scheduled", "created_at": "2027-01-01T00:00:00Z", "updated_at": "2027-01-01T00:00:00Z"}],
            "feedback": [], "notes": [], "contacts": []
        }))
        .unwrap()
    }

    #[test]
    fn a_parser_reads_back_every_event_with_its_times_and_escaped_text() {
        let text = calendar(&plan());
        let cal = icalendar::parser::read_calendar(&text).expect("valid iCalendar");
        let events: Vec<_> = cal
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(
            events.len(),
            3,
            "the meeting, the action and the goal target"
        );
        let prop = |e: &icalendar::parser::Component, k: &str| {
            e.properties
                .iter()
                .find(|p| p.name == k)
                .map(|p| p.val.to_string())
        };
        let meeting = events
            .iter()
            .find(|e| prop(e, "UID").as_deref() == Some("meeting-m1@tandem"))
            .unwrap();
        assert_eq!(
            prop(meeting, "DTSTART").as_deref(),
            Some("20270201T150000Z"),
            "10:00 New York is 15:00 UTC"
        );
        assert_eq!(prop(meeting, "DTEND").as_deref(), Some("20270201T154500Z"));
        assert_eq!(prop(meeting, "LOCATION").as_deref(), Some("Lab office"));
        let goal = events
            .iter()
            .find(|e| prop(e, "UID").as_deref() == Some("goal-g1@tandem"))
            .unwrap();
        assert_eq!(prop(goal, "DTSTART").as_deref(), Some("20270531"));
        assert!(
            text.contains("Pass MLS\\; the exam"),
            "text is escaped:\n{text}"
        );
        assert!(text.starts_with("BEGIN:VCALENDAR") && text.contains("VERSION:2.0"));
    }
}
