//! The Markdown plan report (`tandem export --format markdown`).

use std::fmt::Write;

use jiff::civil::Date;
use tandem_proto::model::{ActionStatus, AssessmentResult, Plan};

fn md_block(out: &mut String, text: &str) {
    if text.trim().is_empty() {
        out.push_str("_(none)_\n\n");
        return;
    }
    out.push_str(text.trim_end());
    out.push_str("\n\n");
}

/// Renders the whole plan as a readable report.
pub fn report(p: &Plan, today: Date) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(o, "# {}\n", p.title);
    let _ = writeln!(o, "- **Mentor:** {}", p.mentor);
    let _ = writeln!(o, "- **Mentee:** {}", p.mentee);
    let _ = writeln!(o, "- **Status:** {}", p.status);
    let _ = writeln!(o, "- **Created:** {}", p.created_at.strftime("%Y-%m-%d"));
    let _ = writeln!(o, "- **Report date:** {today}\n");

    o.push_str("## Agreement\n\n");
    for (label, text) in [
        ("Meeting cadence", &p.agreement.cadence),
        ("Communication", &p.agreement.communication),
        ("Confidentiality", &p.agreement.confidentiality),
        ("Expectations", &p.agreement.expectations),
    ] {
        let _ = writeln!(o, "### {label}\n");
        md_block(&mut o, text);
    }

    let _ = writeln!(o, "## Goals ({})\n", p.goals.len());
    for g in &p.goals {
        let _ = writeln!(
            o,
            "### {} ({}%, {})\n",
            g.title,
            g.shown_progress(),
            g.status
        );
        let _ = writeln!(o, "- Category: {}", g.category);
        if let Some(d) = g.target_date {
            let _ = writeln!(o, "- Target date: {d}");
        }
        let _ = writeln!(
            o,
            "- Progress: {}% ({})\n",
            g.shown_progress(),
            g.progress_source
        );
        if !g.description.trim().is_empty() {
            md_block(&mut o, &g.description);
        }
        if !g.success_criteria.trim().is_empty() {
            let _ = writeln!(o, "**Success criteria:** {}\n", g.success_criteria.trim());
        }
        if !g.milestones.is_empty() {
            for m in &g.milestones {
                let _ = writeln!(o, "- [{}] {}", if m.done { "x" } else { " " }, m.title);
            }
            o.push('\n');
        }
    }

    let _ = writeln!(o, "## Action items ({})\n", p.actions.len());
    if !p.actions.is_empty() {
        o.push_str("| Done | Action | Owner | Due |\n|---|---|---|---|\n");
        for a in &p.actions {
            let done = if a.status == ActionStatus::Done {
                "x"
            } else {
                " "
            };
            let due = a.due.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(
                o,
                "| [{done}] | {} | {} | {due} |",
                a.title.replace('|', "\\|"),
                a.owner
            );
        }
        o.push('\n');
    }

    let _ = writeln!(o, "## Meetings ({})\n", p.meetings.len());
    for m in &p.meetings {
        let _ = writeln!(
            o,
            "### {} ({})\n",
            m.start.strftime("%Y-%m-%d %H:%M %Z"),
            m.status
        );
        if !m.location.is_empty() {
            let _ = writeln!(o, "Location: {}\n", m.location);
        }
        for (i, a) in m.agenda.iter().enumerate() {
            let _ = writeln!(o, "{}. {}", i + 1, a.text);
        }
        if !m.agenda.is_empty() {
            o.push('\n');
        }
        if !m.notes.trim().is_empty() {
            md_block(&mut o, &m.notes);
        }
    }

    let _ = writeln!(o, "## Feedback ({})\n", p.feedback.len());
    for f in &p.feedback {
        let _ = writeln!(
            o,
            "- **{}** from {} ({}): {}",
            f.kind,
            f.author,
            f.created_at.strftime("%Y-%m-%d"),
            f.body.trim()
        );
    }
    if !p.feedback.is_empty() {
        o.push('\n');
    }

    let _ = writeln!(o, "## Journal ({})\n", p.notes.len());
    for n in &p.notes {
        let tags = if n.tags.is_empty() {
            String::new()
        } else {
            format!(" #{}", n.tags.join(" #"))
        };
        let _ = writeln!(
            o,
            "### {} - {}{tags}\n",
            n.created_at.strftime("%Y-%m-%d"),
            n.author
        );
        md_block(&mut o, &n.body);
    }

    let _ = writeln!(o, "## Contacts ({})\n", p.contacts.len());
    for c in &p.contacts {
        let _ = write!(o, "- **{}**", c.name);
        if !c.organization.is_empty() {
            let _ = write!(o, ", {}", c.organization);
        }
        if !c.how_met.is_empty() {
            let _ = write!(o, "; met: {}", c.how_met);
        }
        if !c.introduced_by.is_empty() {
            let _ = write!(o, "; introduced by {}", c.introduced_by);
        }
        o.push('\n');
    }
    if !p.contacts.is_empty() {
        o.push('\n');
    }

    competencies(&mut o, p);
    education(&mut o, p, today);
    o
}

/// Competency records: stage, elements passed, sign-offs (checked against
/// the record as it is now), and when each falls due again.
fn competencies(o: &mut String, p: &Plan) {
    let _ = writeln!(o, "## Competencies ({})\n", p.competencies.len());
    for c in &p.competencies {
        let passed = c
            .assessments
            .iter()
            .filter(|a| a.result == AssessmentResult::Pass)
            .count();
        let _ = writeln!(o, "### {} ({})\n", c.system, c.stage);
        if let Some(t) = c.trained_on {
            let _ = writeln!(o, "- Training completed: {t}");
        }
        let _ = writeln!(o, "- Elements passed: {passed} of 6");
        for s in &c.signoffs {
            let verified = match tandem_proto::signing::verify(p, c, s) {
                Ok(()) => "verified".to_string(),
                Err(e) => format!("does not verify: {e}"),
            };
            let _ = writeln!(
                o,
                "- Signed off by {} on {} ({verified})",
                s.name,
                s.signed_at.strftime("%Y-%m-%d")
            );
        }
        match p.competency_schedule.next_due(c) {
            Some(d) => {
                let _ = writeln!(o, "- Next assessment due: {d}\n");
            }
            None => o.push_str("- Next assessment due: not scheduled (training not completed)\n\n"),
        }
    }
}

/// Certifications and continuing education, with the CE totals of each cycle.
fn education(o: &mut String, p: &Plan, today: Date) {
    let _ = writeln!(o, "## Certifications ({})\n", p.certifications.len());
    for c in &p.certifications {
        let _ = write!(o, "- **{}**: {}", c.credential, c.status);
        for (label, d) in [
            ("exam", c.exam_date),
            ("earned", c.earned_on),
            ("renewal due", c.renewal_due),
        ] {
            if let Some(d) = d {
                let _ = write!(o, "; {label} {d}");
            }
        }
        o.push('\n');
    }
    if !p.certifications.is_empty() {
        o.push('\n');
    }
    let _ = writeln!(o, "## Continuing education ({})\n", p.ce.len());
    if !p.ce.is_empty() {
        o.push_str("| Date | Activity | Provider | Points |\n|---|---|---|---|\n");
        for a in &p.ce {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                a.date,
                a.title.replace('|', "\\|"),
                a.provider.replace('|', "\\|"),
                a.points
            );
        }
        o.push('\n');
    }
    for t in tandem_proto::ce::summary(p, today) {
        let who = t.credential.as_deref().unwrap_or("All CE");
        let need = match t.required {
            Some(r) => format!(" of {r} required"),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "- {who}, {} to {}: {} points{need}",
            t.start, t.end, t.points
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan with one item of every kind, as an export holds it.
    fn every_kind() -> Plan {
        let t = "2027-01-05T10:00:00Z";
        serde_json::from_value(serde_json::json!({
            "schema": 1, "id": "00000000000000a1", "title": "Onboarding",
            "mentor": "Dana", "mentee": "Ana", "status": "active", "created_at": t,
            "agreement": {"cadence": "Biweekly", "communication": "", "confidentiality": "", "expectations": ""},
            "goals": [{"id": "0000000000000001", "title": "Pass the MLS exam", "description": "",
                "category": "certification", "status": "active", "target_date": null,
                "success_criteria": "", "progress": 0, "progress_source": "none",
                "milestones": [{"id": "0000000000000002", "title": "Read the BOC guide", "done": false, "done_at": null}],
                "created_by": "Ana", "created_at": t, "updated_at": t}],
            "actions": [{"id": "0000000000000003", "title": "Book the exam", "owner": "mentee",
                "due": null, "status": "open", "goal": null, "meeting": null, "notes": "", "created_at": t, "updated_at": t}],
            "meetings": [{"id": "0000000000000004", "start": "2027-01-05T10:00:00+01:00[Europe/Berlin]",
                "duration_minutes": 30, "location": "Lab 2", "status": "scheduled",
                "agenda": [{"id": "0000000000000005", "text": "Review QC logs"}], "notes": "", "created_at": t, "updated_at": t}],
            "feedback": [{"id": "0000000000000006", "author": "Dana", "goal": null, "kind": "praise",
                "body": "Careful pipetting", "created_at": t}],
            "notes": [{"id": "0000000000000007", "author": "Ana", "body": "First week went well", "tags": [], "created_at": t}],
            "contacts": [{"id": "0000000000000008", "name": "Sam Lee", "organization": "", "how_met": "",
                "introduced_by": "", "notes": "", "created_at": t}],
            "competencies": [{"id": "0000000000000009", "system": "Sysmex XN-1000 CBC", "stage": "supervised",
                "trained_on": "2026-12-01", "assessments": [], "signoffs": [], "created_at": t}],
            "ce": [{"id": "000000000000000a", "title": "Safety refresher", "provider": "ASCLS",
                "date": "2026-11-01", "points": 1.5, "category": "", "certificate": "", "created_at": t}],
            "certifications": [{"id": "000000000000000b", "credential": "MLS", "status": "planned",
                "exam_date": "2027-05-01", "earned_on": null, "renewal_due": null, "ce_required": null, "created_at": t}],
            "members": [], "competency_schedule": {"first": [6, 12], "every": 12}
        }))
        .unwrap()
    }

    /// Every kind of item a plan holds has its place in the report: each
    /// list of the plan (but its members) must have an item in the fixture
    /// (so a new kind's list fails here until it has one), and some text of
    /// every item must show in the report.
    #[test]
    fn the_report_shows_an_item_of_every_kind() {
        let p = every_kind();
        let r = report(&p, jiff::civil::date(2027, 1, 10));
        let json = serde_json::to_value(&p).unwrap();
        for (list, items) in json.as_object().unwrap() {
            let Some(items) = items.as_array().filter(|_| list != "members") else {
                continue;
            };
            assert!(!items.is_empty(), "add an item to `{list}` in this fixture");
            for item in items {
                let texts: Vec<&str> = item
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| !k.ends_with("_at") && *k != "id")
                    .filter_map(|(_, v)| v.as_str())
                    .filter(|t| t.len() >= 3)
                    .collect();
                assert!(
                    texts.iter().any(|t| r.contains(t)),
                    "no text of {list} item {item} in the report:\n{r}"
                );
            }
        }
        for text in [
            "Biweekly",
            "Read the BOC guide",
            "Review QC logs",
            "Sysmex XN-1000 CBC (supervised)",
            "Next assessment due: 2027-06-01",
            "**MLS**: planned; exam 2027-05-01",
            "| 2026-11-01 | Safety refresher | ASCLS | 1.5 |",
            "All CE",
        ] {
            assert!(r.contains(text), "'{text}' missing from the report:\n{r}");
        }
    }
}
