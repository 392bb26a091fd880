//! `show` pages of single items: a heading, one line per field that has a
//! value, then the long texts. Goals and meetings have richer pages of
//! their own in `render`.

use jiff::civil::Date;
use tandem_proto::ids::short;
use tandem_proto::model::{
    Action, ActionStatus, CeActivity, Certification, Contact, Feedback, JournalNote, Plan,
};

use crate::render;
use crate::style::Style;

/// A page: `title` with the full id, `fields` (empty values skipped), `texts` indented.
pub fn page(
    title: &str,
    id: &str,
    fields: &[(&str, String)],
    texts: &[(&str, &str)],
    s: Style,
) -> String {
    let mut out = format!("{}  {}\n", s.bold(title), s.dim(id));
    let width = fields.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    for (label, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        out += &format!("  {:<width$} {value}\n", format!("{label}:"));
    }
    for (label, text) in texts.iter().filter(|(_, t)| !t.trim().is_empty()) {
        out += &format!("  {label}:\n");
        for line in text.lines() {
            out += &format!("    {line}\n");
        }
    }
    out
}

/// The title of the goal `id`, as shown next to its short id.
fn goal_title(plan: &Plan, id: Option<&str>) -> String {
    id.map(|id| {
        let title = plan
            .goals
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.title.as_str());
        format!("{} {}", short(id), title.unwrap_or("(removed)"))
    })
    .unwrap_or_default()
}

/// An action item.
pub fn action(a: &Action, plan: &Plan, today: Date, s: Style) -> String {
    let done = a.status == ActionStatus::Done;
    let meeting = a
        .meeting
        .as_deref()
        .map(|id| match plan.meetings.iter().find(|m| m.id == id) {
            Some(m) => format!("{} {}", short(id), render::when(m)),
            None => format!("{} (removed)", short(id)),
        })
        .unwrap_or_default();
    let status = match a.done_at {
        Some(t) if done => format!("done {}", t.strftime("%Y-%m-%d")),
        _ => a.status.to_string(),
    };
    page(
        &format!("Action: {}", a.title),
        &a.id,
        &[
            ("status", status),
            ("owner", a.owner.to_string()),
            ("due", render::due(a.due, today, done, s)),
            ("goal", goal_title(plan, a.goal.as_deref())),
            ("meeting", meeting),
            (
                "created",
                a.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
            ),
        ],
        &[("notes", &a.notes)],
        s,
    )
}

/// Feedback.
pub fn feedback(f: &Feedback, plan: &Plan, s: Style) -> String {
    page(
        &format!("Feedback: {} from {}", f.kind, f.author),
        &f.id,
        &[
            ("goal", goal_title(plan, f.goal.as_deref())),
            ("given", f.created_at.strftime("%Y-%m-%d %H:%M").to_string()),
        ],
        &[("text", &f.body)],
        s,
    )
}

/// A journal note.
pub fn note(n: &JournalNote, s: Style) -> String {
    let tags = n.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>();
    page(
        &format!("Note by {}", n.author),
        &n.id,
        &[
            (
                "written",
                n.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
            ),
            ("tags", tags.join(" ")),
        ],
        &[("text", &n.body)],
        s,
    )
}

/// A networking contact.
pub fn contact(c: &Contact, s: Style) -> String {
    page(
        &format!("Contact: {}", c.name),
        &c.id,
        &[
            ("organization", c.organization.clone()),
            ("how met", c.how_met.clone()),
            ("introduced by", c.introduced_by.clone()),
        ],
        &[("notes", &c.notes)],
        s,
    )
}

/// A CE activity.
pub fn ce(c: &CeActivity, s: Style) -> String {
    page(
        &format!("CE: {}", c.title),
        &c.id,
        &[
            ("date", c.date.to_string()),
            ("points", c.points.to_string()),
            ("provider", c.provider.clone()),
            ("category", c.category.clone()),
            ("certificate", c.certificate.clone()),
        ],
        &[],
        s,
    )
}

/// A certification.
pub fn cert(c: &Certification, s: Style) -> String {
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    page(
        &format!("Certification: {}", c.credential),
        &c.id,
        &[
            ("status", c.status.to_string()),
            ("exam", date(c.exam_date)),
            ("earned", date(c.earned_on)),
            ("renewal due", date(c.renewal_due)),
            (
                "CE required",
                c.ce_required
                    .map(|p| format!("{p} points per cycle"))
                    .unwrap_or_default(),
            ),
        ],
        &[],
        s,
    )
}
