//! Human-readable output: one function per kind of line or block.
//!
//! Everything here returns strings; `cmd` prints them. Dates are judged
//! against `today`, so output is deterministic for a given day.

use jiff::civil::Date;
use tandem_proto::ids::short;
use tandem_proto::model::{
    Action, ActionStatus, Agreement, Contact, Feedback, FeedbackKind, Goal, GoalStatus,
    JournalNote, LogEntry, Meeting, MeetingStatus, Plan, PlanSummary,
};

use crate::style::Style;

/// `[#####-----]  50%`
pub fn progress_bar(p: u8) -> String {
    bar(p, 10)
}

/// A progress bar of `cells` cells (`[##---]  50%`); only the percentage when `cells` is 0.
pub fn bar(p: u8, cells: usize) -> String {
    let p = p.min(100);
    if cells == 0 {
        return format!("{p:>3}%");
    }
    let filled = usize::from(p) * cells / 100;
    format!(
        "[{}{}] {:>3}%",
        "#".repeat(filled),
        "-".repeat(cells - filled),
        p
    )
}

/// A due marker: empty, "due in 3d (2026-12-02)", "due today", or "OVERDUE 2d (2026-11-27)".
pub fn due(date: Option<Date>, today: Date, finished: bool, s: Style) -> String {
    let Some(d) = date else { return String::new() };
    if finished {
        return s.dim(&format!("due {d}"));
    }
    let days = (d - today).get_days();
    // On a narrow terminal the days say enough.
    let date = if s.narrow() {
        String::new()
    } else {
        format!(" ({d})")
    };
    match days {
        0 => s.yellow(&format!("due today{date}")),
        n if n < 0 => s.red(&format!("OVERDUE {}d{date}", -n)),
        n if n <= 7 => s.yellow(&format!("due in {n}d{date}")),
        n => format!("due in {n}d{date}"),
    }
}

fn days_between(a: Date, b: Date) -> i32 {
    (b - a).get_days()
}

/// Whether an open action is past due.
pub fn overdue(a: &Action, today: Date) -> bool {
    a.status == ActionStatus::Open && a.due.is_some_and(|d| days_between(d, today) > 0)
}

fn goal_status(st: GoalStatus, s: Style) -> String {
    let text = format!("{:<8}", st.as_str());
    match st {
        GoalStatus::Done => s.green(&text),
        GoalStatus::Dropped => s.dim(&text),
        _ => text,
    }
}

/// One line per goal.
pub fn goal_line(g: &Goal, today: Date, s: Style) -> String {
    let finished = matches!(g.status, GoalStatus::Done | GoalStatus::Dropped);
    let prefix = format!(
        "{}  {}  {} ",
        s.dim(short(&g.id)),
        bar(g.shown_progress(), s.bar_cells()),
        goal_status(g.status, s),
    );
    let d = due(g.target_date, today, finished, s);
    let suffix = if d.is_empty() { d } else { format!("  {d}") };
    s.fit_middle(&prefix, &s.bold(&g.title), &suffix)
}

/// A goal with everything about it.
pub fn goal_detail(g: &Goal, plan: &Plan, today: Date, s: Style) -> String {
    let mut out = format!("{}  {}\n", s.bold(&g.title), s.dim(&g.id));
    out += &format!("  status:    {}   category: {}\n", g.status, g.category);
    let source = if g.status == GoalStatus::Done {
        "done".to_string()
    } else {
        g.progress_source.to_string()
    };
    out += &format!(
        "  progress:  {} ({source})\n",
        progress_bar(g.shown_progress())
    );
    if let Some(d) = g.target_date {
        let finished = matches!(g.status, GoalStatus::Done | GoalStatus::Dropped);
        out += &format!("  target:    {}\n", due(Some(d), today, finished, s));
    }
    out += &format!(
        "  created:   {} by {}\n",
        g.created_at.strftime("%Y-%m-%d"),
        or_dash(&g.created_by)
    );
    block(&mut out, "description", &g.description);
    block(&mut out, "success criteria", &g.success_criteria);
    if !g.milestones.is_empty() {
        out += "  milestones:\n";
        for (i, m) in g.milestones.iter().enumerate() {
            let mark = if m.done {
                s.green("[x]")
            } else {
                "[ ]".to_string()
            };
            out += &format!("    {}. {mark} {}\n", i + 1, m.title);
        }
    }
    let actions: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| a.goal.as_deref() == Some(&g.id))
        .collect();
    if !actions.is_empty() {
        out += "  actions:\n";
        for a in actions {
            out += &format!("    {}\n", action_line(a, today, s));
        }
    }
    let feedback: Vec<&Feedback> = plan
        .feedback
        .iter()
        .filter(|f| f.goal.as_deref() == Some(&g.id))
        .collect();
    if !feedback.is_empty() {
        out += "  feedback:\n";
        for f in feedback {
            out += &format!("    {}\n", feedback_line(f, s));
        }
    }
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn block(out: &mut String, label: &str, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    *out += &format!("  {label}:\n");
    for line in text.lines() {
        *out += &format!("    {line}\n");
    }
}

/// One line per action item.
pub fn action_line(a: &Action, today: Date, s: Style) -> String {
    let done = a.status == ActionStatus::Done;
    let mark = if done {
        s.green("[x]")
    } else {
        "[ ]".to_string()
    };
    let prefix = format!("{}  {mark} {:<6} ", s.dim(short(&a.id)), a.owner.as_str());
    let mut suffix = String::new();
    let d = due(a.due, today, done, s);
    if !d.is_empty() {
        suffix += &format!("  {d}");
    }
    if let Some(g) = &a.goal {
        suffix += &s.dim(&format!("  goal {}", short(g)));
    }
    s.fit_middle(&prefix, &a.title, &suffix)
}

/// When a meeting starts, in its own zone.
pub fn when(m: &Meeting) -> String {
    m.start.strftime("%a %Y-%m-%d %H:%M %Z").to_string()
}

/// One line per meeting.
pub fn meeting_line(m: &Meeting, s: Style) -> String {
    let status = match m.status {
        MeetingStatus::Held => s.green("held     "),
        MeetingStatus::Cancelled => s.dim("cancelled"),
        MeetingStatus::Scheduled => "scheduled".to_string(),
    };
    let mut line = format!(
        "{}  {}  {:>3} min  {status}",
        s.dim(short(&m.id)),
        when(m),
        m.duration_minutes
    );
    if !m.location.is_empty() {
        line += &format!("  @ {}", m.location);
    }
    line
}

/// A meeting with agenda, notes and actions.
pub fn meeting_detail(m: &Meeting, plan: &Plan, today: Date, s: Style) -> String {
    let mut out = format!(
        "{}  {}\n",
        s.bold(&format!("Meeting {}", when(m))),
        s.dim(&m.id)
    );
    out += &format!(
        "  status:   {}   length: {} min\n",
        m.status, m.duration_minutes
    );
    if !m.location.is_empty() {
        out += &format!("  location: {}\n", m.location);
    }
    if !m.agenda.is_empty() {
        out += "  agenda:\n";
        for (i, a) in m.agenda.iter().enumerate() {
            out += &format!("    {}. {}\n", i + 1, a.text);
        }
    }
    block(&mut out, "notes", &m.notes);
    let actions: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| a.meeting.as_deref() == Some(&m.id))
        .collect();
    if !actions.is_empty() {
        out += "  actions:\n";
        for a in actions {
            out += &format!("    {}\n", action_line(a, today, s));
        }
    }
    out
}

/// One line per feedback.
pub fn feedback_line(f: &Feedback, s: Style) -> String {
    let kind = match f.kind {
        FeedbackKind::Praise => s.green("praise    "),
        FeedbackKind::Suggestion => s.yellow("suggestion"),
        FeedbackKind::Concern => s.red("concern   "),
    };
    let first = f.body.lines().next().unwrap_or("");
    format!(
        "{}  {}  {kind}  {}: {first}",
        s.dim(short(&f.id)),
        f.created_at.strftime("%Y-%m-%d"),
        or_dash(&f.author)
    )
}

/// A journal note, whole.
pub fn note_block(n: &JournalNote, s: Style) -> String {
    let tags = if n.tags.is_empty() {
        String::new()
    } else {
        format!("  #{}", n.tags.join(" #"))
    };
    let mut out = format!(
        "{}  {}  {}{}\n",
        s.dim(short(&n.id)),
        n.created_at.strftime("%Y-%m-%d %H:%M"),
        s.bold(or_dash(&n.author)),
        s.dim(&tags)
    );
    for line in n.body.lines() {
        out += &format!("    {line}\n");
    }
    out
}

/// One line per contact.
pub fn contact_line(c: &Contact, s: Style) -> String {
    let mut line = format!("{}  {}", s.dim(short(&c.id)), s.bold(&c.name));
    if !c.organization.is_empty() {
        line += &format!(", {}", c.organization);
    }
    if !c.how_met.is_empty() {
        line += &format!("  met: {}", c.how_met);
    }
    if !c.introduced_by.is_empty() {
        line += &format!("  via {}", c.introduced_by);
    }
    line
}

/// The agreement, part by part.
pub fn agreement(a: &Agreement, s: Style) -> String {
    let mut out = String::new();
    for (label, text) in [
        ("Meeting cadence", &a.cadence),
        ("Communication", &a.communication),
        ("Confidentiality", &a.confidentiality),
        ("Expectations", &a.expectations),
    ] {
        out += &format!("{}\n", s.bold(label));
        if text.trim().is_empty() {
            out += &format!("  {}\n", s.dim("(not agreed yet)"));
        }
        for line in text.lines() {
            out += &format!("  {line}\n");
        }
    }
    out
}

/// One line per plan in `plan list`.
pub fn plan_line(p: &PlanSummary, s: Style) -> String {
    let mark = if p.current { "*" } else { " " };
    if let Some(err) = &p.error {
        return format!(
            "{mark} {}  {}",
            s.dim(short(&p.id)),
            s.red(&format!("UNREADABLE: {err}"))
        );
    }
    let people = match (p.mentor.as_str(), p.mentee.as_str()) {
        ("", "") => String::new(),
        (m, e) => format!("  ({} -> {})", or_dash(m), or_dash(e)),
    };
    format!(
        "{mark} {}  {}{people}  {} goals, {} open actions  {}",
        s.dim(short(&p.id)),
        s.bold(&p.title),
        p.goals,
        p.open_actions,
        s.dim(p.status.as_str())
    )
}

/// `plan show`: the plan at a glance.
pub fn plan_detail(p: &Plan, today: Date, now: &jiff::ZonedDateTime, s: Style) -> String {
    let mut out = format!("{}  {}\n", s.bold(&p.title), s.dim(&p.id));
    out += &format!(
        "  mentor: {}   mentee: {}   status: {}\n",
        or_dash(&p.mentor),
        or_dash(&p.mentee),
        p.status
    );
    out += &format!("  created {}\n", p.created_at.strftime("%Y-%m-%d"));
    if !p.agreement.cadence.trim().is_empty() {
        out += &format!(
            "  cadence: {}\n",
            p.agreement.cadence.lines().next().unwrap_or("")
        );
    }
    // Item lines are indented by two columns.
    let inner = s.indented(2);
    out += &format!("\n{} ({})\n", s.bold("Goals"), p.goals.len());
    for g in &p.goals {
        out += &format!("  {}\n", goal_line(g, today, inner));
    }
    let open: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .collect();
    out += &format!("\n{} ({})\n", s.bold("Open actions"), open.len());
    for a in open {
        out += &format!("  {}\n", action_line(a, today, inner));
    }
    let next = p
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Scheduled && m.start.timestamp() >= now.timestamp())
        .min_by_key(|m| m.start.timestamp());
    if let Some(m) = next {
        out += &format!("\n{}\n  {}\n", s.bold("Next meeting"), meeting_line(m, s));
        for (i, a) in m.agenda.iter().enumerate() {
            out += &format!("    {}. {}\n", i + 1, a.text);
        }
    }
    if !p.competencies.is_empty() {
        out += &format!("\n{} ({})\n", s.bold("Competencies"), p.competencies.len());
        for c in &p.competencies {
            out += &format!("  {}\n", competency_line(p, c, inner));
        }
    }
    if !p.conflicts.is_empty() {
        out += &format!(
            "\n{} ({})\n",
            s.yellow("Edited at the same time on two devices"),
            p.conflicts.len()
        );
        for c in &p.conflicts {
            out += &format!(
                "  {}  {} {}: {}\n",
                s.dim(short(&c.item)),
                c.kind.noun(),
                tandem_proto::items::label_of(p, c.kind, &c.item)
                    .map(|l| format!("'{l}'"))
                    .unwrap_or_default(),
                c.describe()
            );
        }
        out += &format!(
            "  {}\n",
            s.dim("look at each; edit it again, or keep it as shown with: tandem resolve ID")
        );
    }
    out.lines().map(|l| s.fit(l) + "\n").collect()
}

/// One line per competency record: stage, elements passed, whether its
/// sign-offs verify against the record as it is now, and the next due date.
pub fn competency_line(plan: &Plan, c: &tandem_proto::model::Competency, s: Style) -> String {
    use tandem_proto::model::AssessmentResult;
    let passed = c
        .assessments
        .iter()
        .filter(|a| a.result == AssessmentResult::Pass)
        .count();
    let narrow = s.narrow();
    let signed = if c.signoffs.is_empty() {
        s.dim(if narrow { "unsigned" } else { "not signed off" })
    } else if c
        .signoffs
        .iter()
        .all(|so| tandem_proto::signing::verify(plan, c, so).is_ok())
    {
        s.green(&format!("signed off x{}", c.signoffs.len()))
    } else {
        s.bold("SIGN-OFF INVALID")
    };
    let due = plan
        .competency_schedule
        .next_due(c)
        .map(|d| format!("  next due {d}"))
        .unwrap_or_default();
    let id = s.bold(tandem_proto::ids::short(&c.id));
    if narrow {
        let suffix = format!("  {} {passed}/6 {signed}{due}", c.stage.as_str());
        return s.fit_middle(&format!("{id}  "), &c.system, &suffix);
    }
    let prefix = format!("{id}  {:<11} ", c.stage.as_str());
    let suffix = format!("  elements {passed}/6 passed  {signed}{due}");
    s.fit_middle(&prefix, &c.system, &suffix)
}

/// One line per change in `tandem log`.
pub fn log_line(e: &LogEntry, ids: bool, s: Style) -> String {
    let author = match (&e.peer, ids) {
        (Some(p), true) => format!("{} {}", e.author, s.dim(p)),
        _ => e.author.clone(),
    };
    format!(
        "{}  {}  {:<24}  {}",
        s.dim(short(&e.hash)),
        e.time.strftime("%Y-%m-%d %H:%M:%S"),
        author,
        e.message
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn bars_and_due_markers() {
        assert_eq!(progress_bar(0), "[----------]   0%");
        assert_eq!(progress_bar(55), "[#####-----]  55%");
        assert_eq!(progress_bar(100), "[##########] 100%");
        let s = Style::plain();
        let today = date(2026, 11, 29);
        assert_eq!(
            due(Some(date(2026, 11, 27)), today, false, s),
            "OVERDUE 2d (2026-11-27)"
        );
        assert_eq!(due(Some(today), today, false, s), "due today (2026-11-29)");
        assert_eq!(
            due(Some(date(2026, 12, 2)), today, false, s),
            "due in 3d (2026-12-02)"
        );
        assert_eq!(due(None, today, false, s), "");
    }

    #[test]
    fn bars_shrink_with_the_terminal() {
        assert_eq!(bar(55, 5), "[##---]  55%");
        assert_eq!(bar(100, 0), "100%");
        assert_eq!(Style::with_width(100).bar_cells(), 10);
        assert_eq!(Style::with_width(70).bar_cells(), 5);
        assert_eq!(Style::with_width(40).bar_cells(), 0);
        assert_eq!(Style::plain().bar_cells(), 10);
    }
}
