//! The Markdown plan report (`tandem export --format markdown`).

use std::fmt::Write;

use jiff::civil::Date;
use tandem_proto::model::{ActionStatus, Plan};

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
        let _ = writeln!(o, "### {} ({}%, {})\n", g.title, g.progress, g.status);
        let _ = writeln!(o, "- Category: {}", g.category);
        if let Some(d) = g.target_date {
            let _ = writeln!(o, "- Target date: {d}");
        }
        let _ = writeln!(o, "- Progress: {}% ({})\n", g.progress, g.progress_source);
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
    o
}
