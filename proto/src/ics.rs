//! The plan as an iCalendar file (RFC 5545), made with the `icalendar`
//! crate: meetings as timed events (in UTC, with their agenda; cancelled
//! ones stay, with `STATUS:CANCELLED`), and due dates (actions, goal
//! targets, competency reassessments, certification exams and renewals) as
//! all-day events (`DTEND` the next day, as RFC 5545 3.6.1 has it). UIDs are
//! stable (`KIND-ID@tandem`) and `SEQUENCE` grows with each change of the
//! item (seconds from its creation to its last change), so a calendar that
//! re-reads the file updates events instead of duplicating them. Each event
//! has a `VALARM`, so the calendar app itself reminds people: by default 15
//! minutes before a meeting and a day before a due date ([`Reminders`]).

use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, EventStatus};

use crate::model::{ActionStatus, CertStatus, GoalStatus, MeetingStatus, Plan};

/// The calendar's PRODID (RFC 5545 3.7.3).
pub const PRODID: &str = "-//Tandem//Mentoring plans//EN";

/// When the calendar app reminds people; `None`: no reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminders {
    /// Minutes before a meeting.
    pub meeting_minutes: Option<u32>,
    /// Days before a due date.
    pub due_days: Option<u32>,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            meeting_minutes: Some(15),
            due_days: Some(1),
        }
    }
}

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

/// The SEQUENCE of an item last changed at `updated`.
fn sequence(created: jiff::Timestamp, updated: jiff::Timestamp) -> u32 {
    u32::try_from((updated.as_second() - created.as_second()).max(0)).unwrap_or(u32::MAX)
}

/// A reminder `minutes` before the event starts.
fn alarm(what: &str, minutes: i64) -> Alarm {
    Alarm::display(what, -chrono::Duration::minutes(minutes))
}

/// An all-day event on `date` (DTEND is the next day).
fn all_day(
    uid: String,
    date: jiff::civil::Date,
    summary: String,
    description: &str,
    (stamp, seq): (DateTime<Utc>, u32),
    remind: Reminders,
) -> Option<Event> {
    let start = day(date)?;
    let end = start.succ_opt()?;
    let mut e = Event::new();
    e.uid(&uid)
        .timestamp(stamp)
        .starts(start)
        .ends(end)
        .summary(&summary)
        .sequence(seq)
        .status(EventStatus::Confirmed);
    if !description.trim().is_empty() {
        e.description(description);
    }
    if let Some(days) = remind.due_days {
        e.alarm(alarm(&summary, i64::from(days) * 24 * 60));
    }
    Some(e.done())
}

/// A calendar with Tandem's PRODID.
fn calendar_named(name: &str) -> Calendar {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    cal.name(name);
    cal
}

/// The calendar text of one plan.
pub fn calendar(plan: &Plan, remind: Reminders) -> String {
    calendar_of(&plan.title, std::slice::from_ref(plan), remind)
}

/// One calendar of several plans (the app's feed of every plan on a device).
pub fn calendar_of(name: &str, plans: &[Plan], remind: Reminders) -> String {
    let stamp = utc(jiff::Timestamp::now());
    let mut cal = calendar_named(name);
    for p in plans {
        for e in events(p, stamp, remind) {
            cal.push(e);
        }
    }
    cal.done().to_string()
}

/// A plan's events: its meetings and its due dates.
fn events(plan: &Plan, stamp: DateTime<Utc>, remind: Reminders) -> Vec<Event> {
    let mut out = Vec::new();
    for m in &plan.meetings {
        let start = m.start.timestamp();
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(i64::from(
                m.duration_minutes,
            )))
            .unwrap_or(start);
        let summary = format!("Mentoring: {}", plan.title);
        let mut e = Event::new();
        e.uid(&format!("meeting-{}@tandem", m.id))
            .timestamp(stamp)
            .starts(utc(start))
            .ends(utc(end))
            .summary(&summary)
            .sequence(sequence(m.created_at, m.updated_at))
            .status(match m.status {
                MeetingStatus::Cancelled => EventStatus::Cancelled,
                _ => EventStatus::Confirmed,
            });
        if !m.agenda.is_empty() {
            let agenda: Vec<String> = m.agenda.iter().map(|a| format!("- {}", a.text)).collect();
            e.description(&format!("Agenda:\n{}", agenda.join("\n")));
        }
        if !m.location.is_empty() {
            e.location(&m.location);
        }
        if let (Some(min), MeetingStatus::Scheduled) = (remind.meeting_minutes, m.status) {
            e.alarm(alarm(&summary, i64::from(min)));
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
                (stamp, sequence(a.created_at, a.updated_at)),
                remind,
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
                (stamp, sequence(g.created_at, g.updated_at)),
                remind,
            ));
        }
    }
    for c in &plan.competencies {
        if let Some(d) = plan.competency_schedule.next_due(c) {
            // The due date moves with each sign-off.
            let last = c
                .signoffs
                .iter()
                .map(|s| s.signed_at)
                .max()
                .unwrap_or(c.created_at);
            dated.push(all_day(
                format!("competency-{}@tandem", c.id),
                d,
                format!("Competency assessment due: {}", c.system),
                "",
                (stamp, sequence(c.created_at, last)),
                remind,
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
                (stamp, 0),
                remind,
            ));
        }
        if let (Some(d), true) = (c.renewal_due, c.status == CertStatus::Earned) {
            dated.push(all_day(
                format!("cert-renewal-{}@tandem", c.id),
                d,
                format!("{} renewal due", c.credential),
                "",
                (stamp, 0),
                remind,
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
        let text = calendar(&plan(), Reminders::default());
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

    /// The RFC 5545 rules a calendar app relies on, checked line by line.
    fn strict(text: &str) -> Vec<Vec<(String, String)>> {
        assert!(text.ends_with("\r\n"), "CRLF line endings");
        // Unfold (RFC 5545 3.1), with every physical line at most 75 octets.
        let mut lines: Vec<String> = Vec::new();
        for raw in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(raw.len() <= 75, "a line longer than 75 octets: {raw}");
            match raw.strip_prefix(' ') {
                Some(rest) => lines
                    .last_mut()
                    .expect("a folded first line")
                    .push_str(rest),
                None => lines.push(raw.to_string()),
            }
        }
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
        let prop = |l: &str| {
            let (k, v) = l.split_once(':').expect("NAME:VALUE");
            (k.split(';').next().unwrap_or(k).to_string(), v.to_string())
        };
        let head: Vec<(String, String)> = lines
            .iter()
            .take_while(|l| *l != "BEGIN:VEVENT")
            .map(|l| prop(l))
            .collect();
        assert!(head.contains(&("VERSION".into(), "2.0".into())), "{head:?}");
        assert!(head.contains(&("PRODID".into(), PRODID.into())), "{head:?}");
        let mut events = Vec::new();
        let mut cur: Option<Vec<(String, String)>> = None;
        let mut in_alarm = false;
        for l in &lines {
            match l.as_str() {
                "BEGIN:VEVENT" => cur = Some(Vec::new()),
                "END:VEVENT" => events.push(cur.take().expect("an open event")),
                "BEGIN:VALARM" => {
                    in_alarm = true;
                    cur.as_mut()
                        .expect("an alarm in an event")
                        .push(("VALARM".into(), String::new()));
                }
                "END:VALARM" => in_alarm = false,
                _ => {
                    if let Some(e) = cur.as_mut() {
                        let (k, v) = prop(l);
                        assert!(
                            !(k == "DESCRIPTION" && v.is_empty()),
                            "an empty DESCRIPTION"
                        );
                        e.push((if in_alarm { format!("VALARM.{k}") } else { k }, v));
                    }
                }
            }
        }
        for e in &events {
            let has = |k: &str| e.iter().filter(|(n, _)| n == k).count();
            for k in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"] {
                assert_eq!(has(k), 1, "{k} once in {e:?}");
            }
            let get = |k: &str| {
                e.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            assert!(get("DTEND") > get("DTSTART"), "DTEND after DTSTART: {e:?}");
            if has("VALARM") > 0 {
                assert_eq!(has("VALARM.ACTION"), 1);
                assert_eq!(has("VALARM.TRIGGER"), 1);
                assert_eq!(
                    has("VALARM.DESCRIPTION"),
                    1,
                    "a DISPLAY alarm needs its text"
                );
            }
        }
        events
    }

    #[test]
    fn the_calendar_follows_rfc_5545_and_reminds() {
        let mut p = plan();
        let text = calendar(&p, Reminders::default());
        let events = strict(&text);
        let by_uid = |evs: &[Vec<(String, String)>], uid: &str| -> Vec<(String, String)> {
            evs.iter()
                .find(|e| e.contains(&("UID".into(), uid.into())))
                .cloned()
                .unwrap()
        };
        let get = |e: &[(String, String)], k: &str| {
            e.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        };
        // An all-day event ends the next day.
        let goal = by_uid(&events, "goal-g1@tandem");
        assert_eq!(get(&goal, "DTSTART").as_deref(), Some("20270531"));
        assert_eq!(get(&goal, "DTEND").as_deref(), Some("20270601"));
        assert_eq!(get(&goal, "VALARM.TRIGGER").as_deref(), Some("-PT86400S"));
        let meeting = by_uid(&events, "meeting-m1@tandem");
        assert_eq!(get(&meeting, "VALARM.TRIGGER").as_deref(), Some("-PT900S"));
        assert_eq!(get(&meeting, "STATUS").as_deref(), Some("CONFIRMED"));
        assert_eq!(get(&meeting, "SEQUENCE").as_deref(), Some("0"));
        // The action has no notes: no DESCRIPTION line at all.
        assert_eq!(
            get(&by_uid(&events, "action-a1@tandem"), "DESCRIPTION"),
            None
        );

        // A cancelled meeting stays, cancelled, without a reminder, with a higher SEQUENCE.
        p.meetings[0].status = MeetingStatus::Cancelled;
        p.meetings[0].updated_at = p.meetings[0].created_at + jiff::SignedDuration::from_secs(90);
        let events = strict(&calendar(&p, Reminders::default()));
        let meeting = by_uid(&events, "meeting-m1@tandem");
        assert_eq!(get(&meeting, "STATUS").as_deref(), Some("CANCELLED"));
        assert_eq!(get(&meeting, "SEQUENCE").as_deref(), Some("90"));
        assert_eq!(get(&meeting, "VALARM.TRIGGER"), None);

        // Reminders are configurable, or off.
        let none = Reminders {
            meeting_minutes: None,
            due_days: None,
        };
        assert!(!calendar(&p, none).contains("BEGIN:VALARM"));
        let two_days = Reminders {
            meeting_minutes: Some(30),
            due_days: Some(2),
        };
        let events = strict(&calendar(&plan(), two_days));
        assert_eq!(
            get(&by_uid(&events, "goal-g1@tandem"), "VALARM.TRIGGER").as_deref(),
            Some("-PT172800S")
        );
        assert_eq!(
            get(&by_uid(&events, "meeting-m1@tandem"), "VALARM.TRIGGER").as_deref(),
            Some("-PT1800S")
        );
    }
}
