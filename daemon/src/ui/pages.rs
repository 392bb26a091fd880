//! What every page of the app shares, server-rendered with maud (which
//! escapes every value it prints): the layout with its navigation, the
//! page shown without a session, message pages, and the small pieces the
//! pages are made of (errors next to fields, owners by name, progress).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use tandem_proto::model::{Goal, Owner, Plan};

/// The stylesheet, embedded: no request leaves the machine.
const CSS: &str = include_str!("app.css");

/// A form's values and the error to show next to a field, when a
/// submission was refused.
#[derive(Debug, Default, Clone)]
pub struct Refused {
    /// Which form, e.g. `add-goal`.
    pub form: String,
    /// The field the error is about, as the daemon named it.
    pub field: String,
    /// The daemon's message.
    pub message: String,
    /// What was typed, to keep it.
    pub values: HashMap<String, String>,
}

impl Refused {
    /// What was typed into `form`'s field `key`, when `form` was refused.
    pub fn value(&self, form: &str, key: &str) -> Option<String> {
        (self.form == form)
            .then(|| self.values.get(key).cloned())
            .flatten()
    }

    /// Whether `form` is the one refused (to show it open).
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// The error for `field` of `form`.
    pub fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form && self.field == field).then_some(self.message.as_str())
    }

    /// The error of `form` that is about none of `fields`.
    pub fn other_error(&self, form: &str, fields: &[String]) -> Option<&str> {
        (self.form == form && !fields.contains(&self.field)).then_some(self.message.as_str())
    }
}

/// Where a page is, for its navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Not inside a plan.
    None,
    /// A plan's overview (and its items).
    Plan,
    /// A plan's people and devices.
    People,
    /// A plan's history.
    History,
    /// A plan's calendar and settings.
    Settings,
}

/// The page around every page's content.
pub fn layout(title: &str, body: Markup) -> Markup {
    layout_for(title, None, Tab::None, body)
}

/// The page around a plan's content: its navigation, and live updates
/// that follow that plan.
pub fn layout_for(title: &str, plan: Option<&Plan>, tab: Tab, body: Markup) -> Markup {
    let nav = |t: Tab, href: String, text: &str| {
        html! { a href=(href) aria-current=[(t == tab).then_some("page")] { (text) } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Tandem" }
                style { (PreEscaped(CSS)) }
            }
            body data-plan=[plan.map(|p| p.id.as_str())] {
                a.skip href="#main" { "Skip to the content" }
                header.top {
                    a.brand href="/" accesskey="h" { "Tandem" }
                    nav aria-label="Main" {
                        a href="/" { "Your plans" }
                        a href="/matrix" { "Competencies" }
                        a href="/join" { "Join a plan" }
                    }
                }
                @if let Some(p) = plan {
                    nav.tabs aria-label={ "Plan " (p.title) } {
                        (nav(Tab::Plan, format!("/plans/{}", p.id), "Overview"))
                        (nav(Tab::People, format!("/plans/{}/people", p.id), "People and devices"))
                        (nav(Tab::History, format!("/plans/{}/history", p.id), "History"))
                        (nav(Tab::Settings, format!("/plans/{}/settings", p.id), "Plan and calendar"))
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.keys {
                    "Keys: " kbd { "n" } " add · " kbd { "/" } " first field · " kbd { "h" } " your plans · " kbd { "?" } " all keys"
                }
                script src="/app.js" defer {}
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

/// A goal's progress bar.
pub fn progress(g: &Goal) -> Markup {
    let p = g.shown_progress();
    html! {
        span.progress role="img" aria-label={ (p) "% done" } {
            span.bar style={ "width:" (p) "%" } {}
        }
        " " (p) "%"
    }
}

/// An error shown next to the field it is about.
pub fn field_error(e: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = e {
            p.error role="alert" { (m) }
        }
    }
}

/// A value of a closed set for people: `needs-work` is "needs work".
pub fn words(value: &str) -> String {
    let s = value.replace(['-', '_'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// "Ana (the mentee)": an owner as people know them.
pub fn owner_label(p: &Plan, o: Owner) -> String {
    let name = match o {
        Owner::Mentor => p.mentor.as_str(),
        Owner::Mentee => p.mentee.as_str(),
        Owner::Both => "",
    };
    match (o, name.trim()) {
        (Owner::Both, _) => "Both of you".to_string(),
        (_, "") => format!("The {o}"),
        (_, n) => format!("{n} (the {o})"),
    }
}

/// "1 goal", "3 goals", "2 competencies".
pub fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

/// How long ago `t` was, in words: "2 minutes ago".
pub fn ago(t: Timestamp, now: Timestamp) -> String {
    let s = now.as_second() - t.as_second();
    let (n, unit) = match s {
        i64::MIN..=44 => return "just now".to_string(),
        45..=5_399 => ((s + 30) / 60, "minute"),
        5_400..=129_599 => ((s + 1_800) / 3_600, "hour"),
        _ => ((s + 43_200) / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Today, for due dates (the daemon's clock, in its zone).
pub fn today(now: Timestamp) -> Date {
    now.to_zoned_datetime(jiff::tz::TimeZone::system()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_values_in_words() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let before = |s: i64| Timestamp::from_second(1_800_000_000 - s).unwrap();
        assert_eq!(ago(before(5), now), "just now");
        assert_eq!(ago(before(120), now), "2 minutes ago");
        assert_eq!(ago(before(60), now), "1 minute ago");
        assert_eq!(ago(before(3 * 3600), now), "3 hours ago");
        assert_eq!(ago(before(2 * 86_400), now), "2 days ago");
        assert_eq!(words("needs-work"), "Needs work");
        assert_eq!(count(1, "goal"), "1 goal");
        assert_eq!(count(2, "open action"), "2 open actions");
        assert_eq!(count(3, "competency"), "3 competencies");
    }
}
