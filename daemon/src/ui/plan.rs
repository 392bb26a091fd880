//! A plan's overview: what needs attention, the plan at a glance (goals
//! with progress, the next meeting, open actions, competency status), and
//! a section per kind of item with its list and the form to add one.
//! Lists are marked `data-live`: the page's script swaps them in when a
//! change arrives, and leaves the forms alone.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Date;
use maud::{Markup, html};
use serde_json::Value;
use tandem_proto::items::conflict;
use tandem_proto::model::{Action, ActionStatus, Competency, Goal, Meeting, MeetingStatus, Plan};

use super::form;
use super::kinds::{self, Spec};
use super::pages::{self, Refused, Tab};
use super::{App, reply};

pub(super) async fn page(State(app): State<App>, Path(plan): Path<String>) -> Response {
    match app.plan(&plan).await {
        Ok(p) => reply(
            StatusCode::OK,
            render(&p, Timestamp::now(), &Refused::default()),
        ),
        Err(r) => r,
    }
}

/// The form id of a kind's add form.
pub(super) fn add_form(s: &Spec) -> String {
    format!("add-{}", s.kind)
}

/// The page.
pub(super) fn render(p: &Plan, now: Timestamp, refused: &Refused) -> Markup {
    let today = pages::today(now);
    let view = serde_json::to_value(p).unwrap_or(Value::Null);
    let attention = tandem_proto::agenda::attention(p, now, today, 7);
    pages::layout_for(
        &p.title,
        Some(p),
        Tab::Plan,
        html! {
            h1 { (p.title) }
            p.meta { "Mentor " (p.mentor) " · mentee " (p.mentee) " · " (p.status) }
            div #glance-live data-live {
                @if !p.conflicts.is_empty() {
                    section.card.warn aria-labelledby="conflicts" {
                        h2 #conflicts { "Edited at the same time on two devices" }
                        ul.items {
                            @for c in &p.conflicts {
                                li {
                                    a href={ "/plans/" (p.id) "/items/" (c.kind) "/" (c.item) } {
                                        (tandem_proto::items::label_of(p, c.kind, c.item.as_str()).unwrap_or_else(|| c.kind.noun().to_string()))
                                    }
                                    ": " (c.describe())
                                }
                            }
                        }
                    }
                }
                section.card aria-labelledby="glance" {
                    h2 #glance { "At a glance" }
                    (glance(p, now, today))
                    @if !attention.is_empty() {
                        h3 { "Needs attention this week" }
                        ul.attention {
                            @for e in &attention {
                                li class=(if e.overdue { "late" } else { "soon" }) {
                                    span.kind { (pages::words(e.kind)) } " " (e.title) " — " (e.why)
                                }
                            }
                        }
                    }
                }
            }
            @for s in kinds::LISTED.iter().filter(|s| has_section(&view, s, refused)) {
                section.card id=(s.kind) aria-labelledby={ (s.kind) "-h" } {
                    div id={ "list-" (s.kind) } data-live {
                        (list(p, &view, s, today))
                    }
                    (add(p, s, refused))
                }
            }
            @let more: Vec<&&Spec> = kinds::LISTED.iter().filter(|s| !has_section(&view, s, refused)).collect();
            @if !more.is_empty() {
                section.card #more aria-labelledby="more-h" {
                    h2 #more-h { "Also keep track of" }
                    p.quiet { (more.iter().map(|s| s.section).collect::<Vec<_>>().join(", ")) ": none yet." }
                    @for s in &more { (add(p, s, refused)) }
                }
            }
        },
    )
}

/// Whether a kind gets a section of its own: the everyday ones always,
/// the others once they have items (or their form was refused).
fn has_section(view: &Value, s: &Spec, refused: &Refused) -> bool {
    s.everyday
        || refused.is(&add_form(s))
        || view[s.field].as_array().is_some_and(|a| !a.is_empty())
}

/// A kind's add form, folded away until opened.
fn add(p: &Plan, s: &Spec, refused: &Refused) -> Markup {
    html! {
        details open[refused.is(&add_form(s))] {
            summary data-add { (s.add_label) }
            form method="post" action={ "/plans/" (p.id) "/items/" (s.kind) } {
                (form::inputs(&add_form(s), s.add, p, &|f| f.start.to_string(), refused, false))
                button type="submit" { (s.add_label) }
            }
        }
    }
}

fn glance(p: &Plan, now: Timestamp, today: Date) -> Markup {
    let next = p
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Scheduled && m.start.timestamp() >= now)
        .min_by_key(|m| m.start.timestamp());
    let open: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .collect();
    let late = open
        .iter()
        .filter(|a| a.due.is_some_and(|d| d < today))
        .count();
    let due = |c: &Competency| p.competency_schedule.next_due(c);
    let comp_late = p
        .competencies
        .iter()
        .filter(|c| due(c).is_some_and(|d| d < today))
        .count();
    html! {
        ul.glance {
            li { "Next meeting: "
                @match next {
                    Some(m) => { a href={ "/plans/" (p.id) "/items/meeting/" (m.id) } { (when(m)) } }
                    None => { span.quiet { "none scheduled" } }
                }
            }
            li { (pages::count(open.len(), "open action")) @if late > 0 { ", " span.late { (late) " late" } } }
            li { (pages::count(p.goals.len(), "goal")) }
            @if !p.competencies.is_empty() {
                li { (pages::count(p.competencies.len(), "competency")) @if comp_late > 0 { ", " span.late { (comp_late) " overdue for assessment" } } }
            }
        }
    }
}

/// A meeting's time for people: "Tue 2027-03-02 14:00 (45 min)".
pub(super) fn when(m: &Meeting) -> String {
    let local = m.start.with_time_zone(jiff::tz::TimeZone::system());
    format!(
        "{} ({} min)",
        local.strftime("%a %Y-%m-%d %H:%M"),
        m.duration_minutes
    )
}

fn item_link(p: &Plan, s: &Spec, id: &str, text: &str) -> Markup {
    html! { a.title href={ "/plans/" (p.id) "/items/" (s.kind) "/" (id) } { (text) } }
}

fn conflicted(p: &Plan, id: &str) -> Markup {
    let by: Vec<&conflict::Conflict> = p
        .conflicts
        .iter()
        .filter(|c| c.item.as_str() == id)
        .collect();
    html! {
        @if !by.is_empty() {
            " " span.conflict title=(by.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; ")) { "edited on two devices" }
        }
    }
}

fn list(p: &Plan, view: &Value, s: &Spec, today: Date) -> Markup {
    let items = view[s.field].as_array().map_or(&[][..], Vec::as_slice);
    html! {
        h2 id={ (s.kind) "-h" } { (s.section) " (" (items.len()) ")" }
        @if items.is_empty() { p.quiet { "None yet." } }
        @match s.kind {
            tandem_proto::items::ItemKind::Goal => { ul.items { @for g in &p.goals { (goal(p, g)) } } }
            tandem_proto::items::ItemKind::Action => { (actions(p, today)) }
            tandem_proto::items::ItemKind::Meeting => { (meetings(p)) }
            tandem_proto::items::ItemKind::Competency => { ul.items { @for c in &p.competencies { (competency(p, c, today)) } } }
            _ => {
                ul.items {
                    @for it in items {
                        @let id = it["id"].as_str().unwrap_or("");
                        li {
                            (item_link(p, s, id, &tandem_proto::items::label_of(p, s.kind, id).unwrap_or_default()))
                            @for key in s.facts {
                                @let f = s.edit.iter().chain(s.add).find(|f| f.key == *key);
                                @let v = f.map(|f| form::shown(f, it.get(*key))).unwrap_or_else(|| it[*key].as_str().unwrap_or("").to_string());
                                @if !v.is_empty() { " · " span.fact { (excerpt(&v)) } }
                            }
                            (conflicted(p, id))
                        }
                    }
                }
            }
        }
    }
}

fn goal(p: &Plan, g: &Goal) -> Markup {
    let done = g.milestones.iter().filter(|m| m.done).count();
    html! {
        li {
            (item_link(p, &kinds::GOAL, g.id.as_str(), &g.title))
            " " (pages::progress(g)) " · " span.status { (g.status) }
            @if !g.milestones.is_empty() { " · " (done) " of " (g.milestones.len()) " milestones" }
            @if let Some(t) = g.target_date { " · " span.due { "target " (t) } }
            (conflicted(p, g.id.as_str()))
        }
    }
}

fn actions(p: &Plan, today: Date) -> Markup {
    let open: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .collect();
    let closed: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status != ActionStatus::Open)
        .collect();
    html! {
        ul.items {
            @for a in &open {
                li {
                    form.inline method="post" action={ "/plans/" (p.id) "/items/action/" (a.id) "/done" } {
                        button type="submit" aria-label={ "Mark done: " (a.title) } { "Done" }
                    }
                    " " (item_link(p, &kinds::ACTION, a.id.as_str(), &a.title)) " "
                    span.owner { (pages::owner_label(p, a.owner)) }
                    @if let Some(d) = a.due {
                        @let late = d < today;
                        " · " span class=(if late { "due late" } else { "due" }) {
                            (if late { "overdue since " } else { "due " }) (form::date_words(d, today))
                        }
                    }
                    (conflicted(p, a.id.as_str()))
                }
            }
        }
        @if !closed.is_empty() {
            details {
                summary { "Done or dropped (" (closed.len()) ")" }
                ul.items { @for a in &closed { li.done { (item_link(p, &kinds::ACTION, a.id.as_str(), &a.title)) } } }
            }
        }
    }
}

fn meetings(p: &Plan) -> Markup {
    let mut all: Vec<&Meeting> = p.meetings.iter().collect();
    all.sort_by_key(|m| std::cmp::Reverse(m.start.timestamp()));
    html! {
        ul.items {
            @for m in all {
                li class=[(m.status == MeetingStatus::Cancelled).then_some("done")] {
                    (item_link(p, &kinds::MEETING, m.id.as_str(), &when(m)))
                    " · " span.status { (m.status) }
                    @if !m.location.is_empty() { " · " (m.location) }
                    @if !m.agenda.is_empty() { " · " (m.agenda.len()) " agenda items" }
                    (conflicted(p, m.id.as_str()))
                }
            }
        }
    }
}

fn competency(p: &Plan, c: &Competency, today: Date) -> Markup {
    let due = p.competency_schedule.next_due(c);
    html! {
        li {
            (item_link(p, &kinds::COMPETENCY, c.id.as_str(), &c.system))
            " · " span.status { (c.stage) }
            " · " (c.assessments.len()) " of 6 elements assessed"
            @if let Some(d) = due {
                " · " span class=(if d < today { "due late" } else { "due" }) { "next assessment " (form::date_words(d, today)) }
            }
        }
    }
}

/// At most a line's worth of a long text, for lists.
fn excerpt(text: &str) -> String {
    const MAX: usize = 120;
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        one_line
    } else {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
