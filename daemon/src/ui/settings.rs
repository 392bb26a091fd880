//! A plan's own fields (title, mentor, mentee, status), its mentoring
//! agreement, its calendar feed and exports; and its history, with undo of
//! this device's recent changes.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use maud::html;
use serde_json::{Map, Value};
use tandem_proto::api::{History, Undo, UndoList};
use tandem_proto::model::Plan;

use super::pages::{self, Refused, Tab};
use super::{App, Back, calendar, failed, form, kinds, reply, submit};

/// How many changes the history page lists.
const HISTORY_SHOWN: usize = 200;

pub(super) async fn page(State(app): State<App>, Path(plan): Path<String>) -> Response {
    match app.plan(&plan).await {
        Ok(p) => show(&app, &p, &Refused::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

pub(super) async fn show(app: &App, p: &Plan, refused: &Refused, status: StatusCode) -> Response {
    let view = serde_json::to_value(p).unwrap_or(Value::Null);
    let feed = calendar::url(app);
    reply(
        status,
        pages::layout_for(
            &format!("Settings — {}", p.title),
            Some(p),
            Tab::Settings,
            html! {
                h1 { "Plan and calendar" }
                section.card aria-labelledby="plan-h" {
                    h2 #plan-h { "The plan" }
                    form method="post" action={ "/plans/" (p.id) "/settings/plan" } {
                        (form::inputs("plan", kinds::PLAN, p, &|f| form::shown(f, view.get(f.key)), refused, true))
                        button type="submit" { "Save" }
                    }
                }
                section.card aria-labelledby="profile-h" {
                    h2 #profile-h { "On the competency record" }
                    p.quiet { "Printed at the head of every page of a competency record, as an inspector expects (42 CFR 493.1105 and 493.1451(b)(8))." }
                    form method="post" action={ "/plans/" (p.id) "/settings/profile" } {
                        (form::inputs("profile", kinds::PROFILE, p, &|f| form::shown(f, view["profile"].get(f.key)), refused, true))
                        button type="submit" { "Save the record details" }
                    }
                }
                section.card aria-labelledby="agreement-h" {
                    h2 #agreement-h { "Mentoring agreement" }
                    form method="post" action={ "/plans/" (p.id) "/settings/agreement" } {
                        (form::inputs("agreement", kinds::AGREEMENT, p, &|f| form::shown(f, view["agreement"].get(f.key)), refused, true))
                        button type="submit" { "Save the agreement" }
                    }
                }
                section.card aria-labelledby="calendar-h" {
                    h2 #calendar-h { "Calendar" }
                    @match &feed {
                        Some(url) => {
                            p { "Subscribe to this address in your calendar app (Thunderbird, Evolution, Outlook, Apple Calendar on this computer): it shows the meetings and due dates of every plan on this device, and stays up to date." }
                            label for="feed" { "Calendar address" }
                            input #feed readonly value=(url) data-select;
                            p.quiet { "Anyone who has this address can read the calendar while this computer runs Tandem. If it was shared by mistake, make a new one: the old address stops working." }
                            form method="post" action={ "/plans/" (p.id) "/calendar/new" } {
                                button.secondary type="submit" { "Make a new address" }
                            }
                        }
                        None => { p.error { "The calendar address cannot be made: the home's calendar-secret file cannot be written." } }
                    }
                }
            },
        ),
    )
}

pub(super) async fn edit(
    State(app): State<App>,
    Path((plan, what)): Path<(String, String)>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    // (fields, the form's id, the edit's kind, its operation)
    let (fields, form_id, kind, verb) = match what.as_str() {
        "plan" => (kinds::PLAN, "plan", "plan", "edit"),
        "profile" => (kinds::PROFILE, "profile", "plan", "profile"),
        "agreement" => (kinds::AGREEMENT, "agreement", "agreement", "edit"),
        _ => return super::not_found().await,
    };
    let edit = form::patch(fields, &typed, Timestamp::now()).and_then(|patch| {
        let mut op = Map::new();
        op.insert("op".into(), verb.into());
        // A cleared field is empty text (the profile keeps no nulls).
        op.extend(patch.into_iter().map(|(k, v)| match (verb, v) {
            ("profile", Value::Null) => (k, Value::String(String::new())),
            (_, v) => (k, v),
        }));
        form::edit_of(kind, op)
    });
    submit(&app, &plan, edit, form_id, typed, Back::Settings).await
}

pub(super) async fn history(State(app): State<App>, Path(plan): Path<String>) -> Response {
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let id = Some(p.id.to_string());
    let log = match app
        .api
        .call(History {
            plan: id.clone(),
            limit: Some(HISTORY_SHOWN),
            item: None,
        })
        .await
    {
        Ok(l) => l,
        Err(e) => return failed(&e),
    };
    let undoable = app
        .api
        .call(UndoList { plan: id })
        .await
        .unwrap_or_default();
    reply(
        StatusCode::OK,
        pages::layout_for(
            &format!("History — {}", p.title),
            Some(&p),
            Tab::History,
            html! {
                h1 { "History" }
                @if let Some(last) = undoable.first() {
                    section.card aria-labelledby="undo-h" {
                        h2 #undo-h { "Undo" }
                        p { "Your last change on this device: " strong { (last.message) } " (" (pages::ago(last.time, Timestamp::now())) ")." }
                        form method="post" action={ "/plans/" (p.id) "/undo" } {
                            button.secondary type="submit" { "Undo it" }
                        }
                    }
                }
                section.card aria-labelledby="log-h" {
                    div #log-live data-live {
                        h2 #log-h { "Who changed what" }
                        (super::item::history_list(&log, Timestamp::now()))
                    }
                }
            },
        ),
    )
}

pub(super) async fn undo(State(app): State<App>, Path(plan): Path<String>) -> Response {
    match app
        .api
        .call(Undo {
            plan: Some(plan.clone()),
            change: None,
        })
        .await
    {
        Ok(_) => Redirect::to(&format!("/plans/{plan}/history")).into_response(),
        Err(e) => failed(&e),
    }
}
