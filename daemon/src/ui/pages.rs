//! The app's pages, server-rendered with maud (which escapes every value
//! it prints): a layout, the home page (what needs attention across every
//! plan), a plan's page (goals and actions, with forms that work without
//! JavaScript), a confirmation before a removal, and the page shown
//! without a session.

use jiff::Timestamp;
use jiff::civil::Date;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use tandem_proto::model::{Action, ActionStatus, Goal, GoalCategory, Owner, Plan, PlanSummary};

/// The stylesheet, embedded: no request leaves the machine.
const CSS: &str = include_str!("app.css");

/// A form's values and the error to show next to a field, when a
/// submission was refused.
#[derive(Debug, Default, Clone)]
pub struct Refused {
    /// Which form: `goal` or `action`.
    pub form: &'static str,
    /// The field the error is about, as the daemon named it.
    pub field: String,
    /// The daemon's message.
    pub message: String,
    /// What was typed, to keep it.
    pub values: Vec<(String, String)>,
}

impl Refused {
    fn value(&self, form: &str, name: &str) -> String {
        if self.form != form {
            return String::new();
        }
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form && self.field == field).then_some(self.message.as_str())
    }

    fn other_error(&self, form: &str, fields: &[&str]) -> Option<&str> {
        (self.form == form && !fields.contains(&self.field.as_str()))
            .then_some(self.message.as_str())
    }
}

/// The page around every page's content.
pub fn layout(title: &str, body: Markup) -> Markup {
    layout_for(title, None, body)
}

/// The page around a plan's content: its live updates follow that plan.
pub fn layout_for(title: &str, plan: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Tandem" }
                style { (PreEscaped(CSS)) }
            }
            body data-plan=[plan] {
                header.top {
                    a.brand href="/" { "Tandem" }
                }
                main { (body) }
                @if plan.is_some() {
                    script src="/app.js" defer {}
                }
            }
        }
    }
}

/// Shown for every route without a session.
pub fn locked() -> Markup {
    layout(
        "Sign in",
        html! {
            h1 { "Open Tandem from your computer" }
            p { "This page is only for the person whose computer runs Tandem. To open it, run this in a terminal:" }
            pre { "tandem ui" }
            p { "It opens this app, signed in, in your browser." }
        },
    )
}

/// A message page (not found, refused).
pub fn message(title: &str, text: &str) -> Markup {
    layout(
        title,
        html! {
            h1 { (title) }
            p { (text) }
            p { a href="/" { "Back to your plans" } }
        },
    )
}

/// The home page: every plan, and what needs attention in each.
pub fn home(plans: &[(PlanSummary, Vec<tandem_proto::agenda::Entry>)]) -> Markup {
    layout(
        "Your plans",
        html! {
            h1 { "Your plans" }
            @if plans.is_empty() {
                p { "No plan on this device yet. Make one with " code { "tandem plan new \"Title\"" } ", or join one with a ticket someone sent you." }
            }
            @for (p, attention) in plans {
                section.card {
                    h2 { a href={ "/plans/" (p.id) } { (p.title) } }
                    p.meta { "Mentor " (p.mentor) " · mentee " (p.mentee) " · " (p.goals) " goals · " (p.open_actions) " open actions" }
                    @if attention.is_empty() {
                        p.quiet { "Nothing needs attention this week." }
                    } @else {
                        ul.attention {
                            @for e in attention {
                                li class=(if e.overdue { "late" } else { "soon" }) {
                                    span.kind { (e.kind) } " " (e.title) " — " (e.why)
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn progress(g: &Goal) -> Markup {
    let p = g.shown_progress();
    html! {
        span.progress role="img" aria-label={ (p) "% done" } {
            span.bar style={ "width:" (p) "%" } {}
        }
        " " (p) "%"
    }
}

fn field_error(e: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = e {
            p.error role="alert" { (m) }
        }
    }
}

/// A labelled text input `<form>-<name>`, keeping what was typed when the
/// form was refused, with the error for `field` (as the daemon names it) below.
fn text_field(
    refused: &Refused,
    form: &str,
    name: &str,
    field: &str,
    label: &str,
    required: bool,
) -> Markup {
    let id = format!("{form}-{name}");
    html! {
        label for=(id) { (label) }
        input id=(id) name=(name) required[required] value=(refused.value(form, name));
        (field_error(refused.error(form, field)))
    }
}

fn due(a: &Action, today: Date) -> Markup {
    html! {
        @if let Some(d) = a.due {
            @let late = a.status == ActionStatus::Open && d < today;
            span class=(if late { "due late" } else { "due" }) {
                (if late { "overdue since " } else { "due " }) (d)
            }
        }
    }
}

/// "the mentee (Ana)": an owner as people know them.
fn owner_label(p: &Plan, o: Owner) -> String {
    let name = match o {
        Owner::Mentor => p.mentor.as_str(),
        Owner::Mentee => p.mentee.as_str(),
        Owner::Both => "",
    };
    match (o, name.trim()) {
        (Owner::Both, _) => "both of you".to_string(),
        (_, "") => format!("the {o}"),
        (_, n) => format!("{n} (the {o})"),
    }
}

/// A plan's page: its goals and actions, with the forms to add to them.
pub fn plan(p: &Plan, today: Date, refused: &Refused) -> Markup {
    let base = format!("/plans/{}", p.id);
    let open: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Open)
        .collect();
    let done: Vec<&Action> = p
        .actions
        .iter()
        .filter(|a| a.status == ActionStatus::Done)
        .collect();
    layout_for(
        &p.title,
        Some(p.id.as_str()),
        html! {
            h1 { (p.title) }
            p.meta { "Mentor " (p.mentor) " · mentee " (p.mentee) " · " (p.status) }
            section.card aria-labelledby="goals" {
                div #goal-list data-live {
                h2 #goals { "Goals (" (p.goals.len()) ")" }
                @if p.goals.is_empty() { p.quiet { "No goals yet." } }
                ul.items {
                    @for g in &p.goals {
                        li {
                            span.title { (g.title) }
                            " " (progress(g)) " · "
                            span.status { (g.status) }
                            @if let Some(t) = g.target_date { " · " span.due { "target " (t) } }
                            " " a.small href={ (base) "/remove/goal/" (g.id) } aria-label={ "Remove goal " (g.title) } { "Remove" }
                        }
                    }
                }
                }
                form method="post" action={ (base) "/goals" } {
                    h3 { "Add a goal" }
                    (field_error(refused.other_error("goal", &["title", "target date"])))
                    (text_field(refused, "goal", "title", "title", "Title", true))
                    label for="goal-category" { "Kind of goal" }
                    select #goal-category name="category" {
                        @for c in GoalCategory::ALL {
                            option value=(c.as_str()) selected[refused.value("goal", "category") == c.as_str()] { (c) }
                        }
                    }
                    (text_field(refused, "goal", "target", "target date", "Target date (optional: 2027-03-01, next month, Dec 4)", false))
                    button type="submit" { "Add goal" }
                }
            }
            section.card aria-labelledby="actions" {
                div #action-list data-live {
                h2 #actions { "Open actions (" (open.len()) ")" }
                @if open.is_empty() { p.quiet { "Nothing open." } }
                ul.items {
                    @for a in &open {
                        li {
                            form.inline method="post" action={ (base) "/actions/" (a.id) "/done" } {
                                button type="submit" aria-label={ "Mark done: " (a.title) } { "Done" }
                            }
                            " " span.title { (a.title) } " "
                            span.owner { (owner_label(p, a.owner)) }
                            @if a.due.is_some() { " · " (due(a, today)) }
                            " " a.small href={ (base) "/remove/action/" (a.id) } aria-label={ "Remove action " (a.title) } { "Remove" }
                        }
                    }
                }
                }
                form method="post" action={ (base) "/actions" } {
                    h3 { "Add an action" }
                    (field_error(refused.other_error("action", &["title", "due date"])))
                    (text_field(refused, "action", "title", "title", "What to do", true))
                    label for="action-owner" { "Who does it" }
                    @let chosen = Some(refused.value("action", "owner")).filter(|v| !v.is_empty()).unwrap_or_else(|| "mentee".into());
                    select #action-owner name="owner" {
                        @for o in Owner::ALL {
                            option value=(o.as_str()) selected[chosen == o.as_str()] { (owner_label(p, *o)) }
                        }
                    }
                    (text_field(refused, "action", "due", "due date", "Due (optional: friday, Dec 4, +3d)", false))
                    button type="submit" { "Add action" }
                }
                @if !done.is_empty() {
                    details {
                        summary { "Done (" (done.len()) ")" }
                        ul.items { @for a in &done { li.done { (a.title) } } }
                    }
                }
            }
        },
    )
}

/// Asks before a removal; the removal itself is a POST from this page.
pub fn confirm_remove(plan: &Plan, noun: &str, label: &str, action: &str) -> Markup {
    layout(
        "Remove?",
        html! {
            h1 { "Remove this " (noun) "?" }
            p { "“" (label) "” will be removed from " (plan.title) " on every device of the plan. "
                "It can be brought back with " code { "tandem undo" } " on this device." }
            form method="post" action=(action) {
                button.danger type="submit" { "Remove " (noun) }
                " "
                a href={ "/plans/" (plan.id) } { "Keep it" }
            }
        },
    )
}

/// Today, for due dates (the daemon's clock, in its zone).
pub fn today(now: Timestamp) -> Date {
    now.to_zoned_datetime(jiff::tz::TimeZone::system()).date()
}
