//! One item's page: its fields in a form that edits it, its parts
//! (a goal's milestones, a meeting's agenda, a competency's elements and
//! sign-offs), fields edited on two devices at once with a way to keep the
//! current value, its history, and its removal behind a confirmation.
//! Adding, editing and removing go through [`super::submit`], one edit of
//! the request API each.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use maud::{Markup, html};
use serde_json::{Map, Value};
use tandem_proto::api::{History, Resolve};
use tandem_proto::items::ItemKind;
use tandem_proto::model::{LogEntry, Plan};

use super::form::{self, Typed};
use super::kinds::{self, Spec};
use super::pages::{self, Refused, Tab, field_error};
use super::{App, Back, competency, failed, plan, reply, submit};

/// How many changes an item's page lists.
const HISTORY_SHOWN: usize = 50;

fn no_such_kind() -> Response {
    reply(
        StatusCode::NOT_FOUND,
        pages::message("Not found", "There is no such kind of item."),
    )
}

/// The item's JSON view, by its exact id.
fn find<'a>(view: &'a Value, s: &Spec, id: &str) -> Option<&'a Value> {
    view[s.field]
        .as_array()?
        .iter()
        .find(|it| it["id"].as_str() == Some(id))
}

fn gone(s: &Spec) -> Response {
    reply(
        StatusCode::NOT_FOUND,
        pages::message(
            "Not found",
            &format!("This {} is not in the plan (any more).", s.kind.noun()),
        ),
    )
}

pub(super) async fn add(
    State(app): State<App>,
    Path((plan, kind)): Path<(String, String)>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    let edit = form::add(s.kind.as_str(), s.add, s.fixed, &typed, Timestamp::now());
    submit(
        &app,
        &plan,
        edit,
        &plan::add_form(s),
        typed,
        Back::Plan(s.kind.as_str()),
    )
    .await
}

/// An operation on an item: `{"op": op, <id_key>: id, ...rest}`.
fn op_on(s: &Spec, op: &str, id: &str, rest: Map<String, Value>) -> Map<String, Value> {
    form::op(op, s.id_key, id, rest)
}

pub(super) async fn edit(
    State(app): State<App>,
    Path((plan, kind, id)): Path<(String, String, String)>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    let edit = form::patch(s.edit, &typed, Timestamp::now()).and_then(|patch| {
        let mut rest = Map::new();
        rest.insert("patch".into(), Value::Object(patch));
        form::edit_of(s.kind.as_str(), op_on(s, "edit", &id, rest))
    });
    submit(&app, &plan, edit, "edit", typed, Back::Item(s, id)).await
}

pub(super) async fn page(
    State(app): State<App>,
    Path((plan, kind, id)): Path<(String, String, String)>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    match app.plan(&plan).await {
        Ok(p) => show(&app, &p, s, &id, &Refused::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

/// The item's page (again, with a refused form's error).
pub(super) async fn show(
    app: &App,
    p: &Plan,
    s: &'static Spec,
    id: &str,
    refused: &Refused,
    status: StatusCode,
) -> Response {
    let view = serde_json::to_value(p).unwrap_or(Value::Null);
    let Some(item) = find(&view, s, id) else {
        return gone(s);
    };
    let history = app
        .api
        .call(History {
            plan: Some(p.id.to_string()),
            limit: Some(HISTORY_SHOWN),
            item: Some(id.to_string()),
        })
        .await
        .unwrap_or_default();
    reply(status, render(p, s, id, item, &history, refused))
}

fn render(
    p: &Plan,
    s: &'static Spec,
    id: &str,
    item: &Value,
    history: &[LogEntry],
    refused: &Refused,
) -> Markup {
    let label = tandem_proto::items::label_of(p, s.kind, id).unwrap_or_default();
    let base = format!("/plans/{}/items/{}/{id}", p.id, s.kind);
    let now = Timestamp::now();
    let conflicts: Vec<_> = p
        .conflicts
        .iter()
        .filter(|c| c.item.as_str() == id)
        .collect();
    pages::layout_for(
        &label,
        Some(p),
        Tab::Plan,
        html! {
            p.crumbs { a href={ "/plans/" (p.id) } { (p.title) } " › " a href={ "/plans/" (p.id) "#" (s.kind) } { (s.section) } }
            h1 { (label) }
            div #item-live data-live {
                @if !conflicts.is_empty() {
                    section.card.warn aria-labelledby="conflicts" {
                        h2 #conflicts { "Edited at the same time on two devices" }
                        ul { @for c in &conflicts { li { (c.describe()) } } }
                        p { "Both edits are kept in the history; the value shown below is the one every device shows now." }
                        form method="post" action={ (base) "/resolve" } {
                            button type="submit" { "Keep the current values" }
                        }
                    }
                }
                (parts(p, s, id, &base, refused))
            }
            @if !s.edit.is_empty() {
                section.card aria-labelledby="edit-h" {
                    h2 #edit-h { "Edit" }
                    form method="post" action=(base) {
                        (form::inputs("edit", s.edit, p, &|f| form::shown(f, item.get(f.key)), refused, true))
                        button type="submit" { "Save" }
                    }
                }
            }
            section.card aria-labelledby="history-h" {
                div #history-live data-live {
                    h2 #history-h { "History" }
                    (history_list(history, now))
                }
            }
            p { a.danger href={ (base) "/remove" } { "Remove this " (s.kind.noun()) "…" } }
        },
    )
}

/// Changes as people read them: who, what, when.
pub(super) fn history_list(history: &[LogEntry], now: Timestamp) -> Markup {
    html! {
        @if history.is_empty() { p.quiet { "No changes yet." } }
        ol.history {
            @for e in history {
                li {
                    span.who { (e.name.clone().unwrap_or_else(|| e.author.clone())) }
                    @if let Some(d) = &e.device { span.quiet { " on " (d) } }
                    " — " (e.message) " "
                    time datetime=(e.time) title=(e.time) { (pages::ago(e.time, now)) }
                    @if !e.changes.is_empty() {
                        ul.changes {
                            @for c in &e.changes {
                                li {
                                    span.field { (pages::words(&c.field)) } ": "
                                    @match &c.old { Some(v) => { del { (v) } } None => { span.quiet { "(none)" } } }
                                    " → "
                                    @match &c.new { Some(v) => { ins { (v) } } None => { span.quiet { "(removed)" } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A part's small form: one text field and a button.
fn one_field(
    action: &str,
    form_id: &str,
    key: &str,
    label: &str,
    button: &str,
    refused: &Refused,
) -> Markup {
    let id = format!("{form_id}-{key}");
    html! {
        form method="post" action=(action) {
            label for=(id) { (label) }
            input id=(id) name=(key) required value=(refused.value(form_id, key).unwrap_or_default());
            (field_error(refused.error(form_id, key).or(refused.other_error(form_id, &[key.to_string()]))))
            button type="submit" { (button) }
        }
    }
}

fn parts(p: &Plan, s: &Spec, id: &str, base: &str, refused: &Refused) -> Markup {
    match s.kind {
        ItemKind::Goal => {
            let Some(g) = p.goals.iter().find(|g| g.id.as_str() == id) else {
                return html! {};
            };
            html! {
                section.card aria-labelledby="milestones-h" {
                    h2 #milestones-h { "Milestones" }
                    p { (pages::progress(g)) }
                    @if g.milestones.is_empty() { p.quiet { "No milestones yet: progress is set by hand." } }
                    ol.items {
                        @for (i, m) in g.milestones.iter().enumerate() {
                            li class=[m.done.then_some("checked")] {
                                form.inline method="post" action={ (base) "/milestone-toggle" } {
                                    input type="hidden" name="position" value=(i + 1);
                                    input type="hidden" name="done" value=(!m.done);
                                    button.check type="submit" role="checkbox" aria-checked=(m.done)
                                        aria-label={ (if m.done { "Mark not done: " } else { "Mark done: " }) (m.title) } {
                                        (if m.done { "✓" } else { " " })
                                    }
                                }
                                " " span.title { (m.title) } " "
                                form.inline method="post" action={ (base) "/milestone-rm" } {
                                    input type="hidden" name="position" value=(i + 1);
                                    button.link type="submit" aria-label={ "Remove milestone " (m.title) } { "Remove" }
                                }
                            }
                        }
                    }
                    (one_field(&format!("{base}/milestone"), "milestone", "title", "New milestone", "Add milestone", refused))
                }
            }
        }
        ItemKind::Meeting => {
            let Some(m) = p.meetings.iter().find(|m| m.id.as_str() == id) else {
                return html! {};
            };
            html! {
                section.card aria-labelledby="agenda-h" {
                    h2 #agenda-h { "Agenda" }
                    p.meta { (plan::when(m)) " · " (m.status) @if !m.location.is_empty() { " · " (m.location) } }
                    @if m.agenda.is_empty() { p.quiet { "Nothing on the agenda yet." } }
                    ol.items {
                        @for (i, a) in m.agenda.iter().enumerate() {
                            li {
                                (a.text) " "
                                form.inline method="post" action={ (base) "/agenda-rm" } {
                                    input type="hidden" name="position" value=(i + 1);
                                    button.link type="submit" aria-label={ "Remove from the agenda: " (a.text) } { "Remove" }
                                }
                            }
                        }
                    }
                    (one_field(&format!("{base}/agenda"), "agenda", "text", "Add to the agenda", "Add", refused))
                    @if m.status == tandem_proto::model::MeetingStatus::Scheduled {
                        h3 { "Did it happen?" }
                        form.inline method="post" action={ (base) "/status" } {
                            input type="hidden" name="status" value="held";
                            button type="submit" { "Mark held" }
                        }
                        " "
                        form.inline method="post" action={ (base) "/status" } {
                            input type="hidden" name="status" value="cancelled";
                            button.secondary type="submit" { "Cancel the meeting" }
                        }
                    }
                    p.quiet { "Notes from the meeting are in the form below." }
                }
            }
        }
        ItemKind::Competency => match p.competencies.iter().find(|c| c.id.as_str() == id) {
            Some(c) => competency::section(p, c, base, refused),
            None => html! {},
        },
        _ => html! {},
    }
}

/// A whole number from a form field (a part's position).
fn position(typed: &HashMap<String, String>) -> Value {
    Value::from(
        typed
            .get("position")
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0),
    )
}

fn text(typed: &HashMap<String, String>, key: &str) -> Value {
    Value::String(typed.get(key).cloned().unwrap_or_default())
}

/// The edit a part's form makes, and the form's id.
fn part_edit(
    s: &Spec,
    id: &str,
    part: &str,
    typed: &HashMap<String, String>,
) -> Option<(&'static str, Result<tandem_proto::edit::Edit, Typed>)> {
    let now = Timestamp::now();
    let with = |pairs: Vec<(&str, Value)>| -> Map<String, Value> {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    };
    let on = |kind: &str, op: &str, key: &str, rest: Map<String, Value>| {
        form::edit_of(kind, form::op(op, key, id, rest))
    };
    let e = match (s.kind, part) {
        (ItemKind::Action, "done") => {
            let patch = with(vec![("status", "done".into())]);
            (
                "done",
                form::edit_of(
                    "action",
                    op_on(s, "edit", id, with(vec![("patch", Value::Object(patch))])),
                ),
            )
        }
        (ItemKind::Goal, "milestone") => (
            "milestone",
            on(
                "milestone",
                "add",
                "goal",
                with(vec![("title", text(typed, "title"))]),
            ),
        ),
        (ItemKind::Goal, "milestone-toggle") => {
            let done = typed.get("done").is_some_and(|d| d == "true");
            let patch = with(vec![("done", done.into())]);
            (
                "milestone",
                on(
                    "milestone",
                    "edit",
                    "goal",
                    with(vec![
                        ("position", position(typed)),
                        ("patch", Value::Object(patch)),
                    ]),
                ),
            )
        }
        (ItemKind::Goal, "milestone-rm") => (
            "milestone",
            on(
                "milestone",
                "rm",
                "goal",
                with(vec![("position", position(typed))]),
            ),
        ),
        (ItemKind::Meeting, "agenda") => (
            "agenda",
            on(
                "agenda_item",
                "add",
                "meeting",
                with(vec![("text", text(typed, "text"))]),
            ),
        ),
        (ItemKind::Meeting, "agenda-rm") => (
            "agenda",
            on(
                "agenda_item",
                "rm",
                "meeting",
                with(vec![("position", position(typed))]),
            ),
        ),
        (ItemKind::Meeting, "status") => {
            let patch = with(vec![("status", text(typed, "status"))]);
            (
                "edit",
                on(
                    "meeting",
                    "edit",
                    "meeting",
                    with(vec![("patch", Value::Object(patch))]),
                ),
            )
        }
        (ItemKind::Competency, "stage") => (
            "stage",
            form::values(kinds::STAGE, typed, now)
                .and_then(|m| on("competency", "edit", "competency", m)),
        ),
        (ItemKind::Competency, "assessment") => (
            "assessment",
            form::values(kinds::ASSESSMENT, typed, now).and_then(|mut m| {
                let element = typed
                    .get("element")
                    .and_then(|e| e.parse::<u8>().ok())
                    .unwrap_or(0);
                m.insert("element".into(), element.into());
                let remediation = form::values(kinds::REMEDIATION, typed, now)?;
                if m.get("result").and_then(Value::as_str) == Some("needs-work")
                    && !remediation.is_empty()
                {
                    m.insert("remediation".into(), Value::Object(remediation));
                }
                on("assessment", "add", "competency", m)
            }),
        ),
        (ItemKind::Competency, "signoff") => (
            "signoff",
            form::values(kinds::SIGNOFF, typed, now)
                .and_then(|m| on("signoff", "add", "competency", m)),
        ),
        (ItemKind::Competency, "acknowledge") => (
            "acknowledge",
            on("signoff", "acknowledge", "competency", Map::new()),
        ),
        _ => return None,
    };
    Some(e)
}

pub(super) async fn part(
    State(app): State<App>,
    Path((plan, kind, id, part)): Path<(String, String, String, String)>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    let Some((form_id, edit)) = part_edit(s, &id, &part, &typed) else {
        return super::not_found().await;
    };
    let back = match (part.as_str(), typed.get("back").map(String::as_str)) {
        ("done", Some("home")) => {
            // From the home page: the edit, then home again.
            let r = submit(&app, &plan, edit, form_id, typed.clone(), Back::Plan("")).await;
            return if r.status().is_redirection() {
                Redirect::to("/").into_response()
            } else {
                r
            };
        }
        ("done", _) => Back::Plan("action"),
        _ => Back::Item(s, id),
    };
    submit(&app, &plan, edit, form_id, typed, back).await
}

pub(super) async fn resolve(
    State(app): State<App>,
    Path((plan, kind, id)): Path<(String, String, String)>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    match app
        .api
        .call(Resolve {
            plan: Some(plan.clone()),
            item: id.clone(),
        })
        .await
    {
        Ok(_) => Redirect::to(&Back::Item(s, id).path(&plan)).into_response(),
        Err(e) => failed(&e),
    }
}

pub(super) async fn confirm_remove(
    State(app): State<App>,
    Path((plan, kind, id)): Path<(String, String, String)>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(label) = tandem_proto::items::label_of(&p, s.kind, &id) else {
        return gone(s);
    };
    let action = format!("/plans/{}/items/{}/{id}/remove", p.id, s.kind);
    reply(
        StatusCode::OK,
        confirm(
            &p,
            s.kind.noun(),
            &label,
            &action,
            &Back::Item(s, id.clone()).path(p.id.as_str()),
        ),
    )
}

/// Asks before a removal; the removal itself is a POST from this page.
pub(super) fn confirm(plan: &Plan, noun: &str, label: &str, action: &str, keep: &str) -> Markup {
    pages::layout_for(
        "Remove?",
        Some(plan),
        Tab::None,
        html! {
            h1 { "Remove this " (noun) "?" }
            p { "“" (label) "” will be removed from " (plan.title) " on every device of the plan. "
                "Its history stays, and it can be brought back with Undo on the plan's history page." }
            form method="post" action=(action) {
                button.danger type="submit" { "Remove " (noun) }
                " "
                a href=(keep) { "Keep it" }
            }
        },
    )
}

pub(super) async fn remove(
    State(app): State<App>,
    Path((plan, kind, id)): Path<(String, String, String)>,
) -> Response {
    let Some(s) = kinds::by_path(&kind) else {
        return no_such_kind();
    };
    let edit = form::edit_of(s.kind.as_str(), op_on(s, "rm", &id, Map::new()));
    submit(
        &app,
        &plan,
        edit,
        "remove",
        HashMap::new(),
        Back::Plan(s.kind.as_str()),
    )
    .await
}
