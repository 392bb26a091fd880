//! The home page: what needs attention across every plan on this device
//! (late and due this week, the next meetings, competencies and
//! certifications coming due, pairs that have not met), plans offered to
//! this device, every plan, and the forms to make a plan or join one.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use maud::{Markup, html};
use tandem_proto::agenda::Entry;
use tandem_proto::api::PlanOffer;
use tandem_proto::api::{Join, PlanAccept, PlanDecline, PlanGet, PlanList, PlanPending};
use tandem_proto::edit::NewPlan;
use tandem_proto::model::{Plan, PlanSummary};

use super::pages::{self, Refused, field_error};
use super::{App, failed, reply};

/// How long a join waits for the plan to arrive before it opens its page.
const JOIN_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// How many days ahead the home page looks.
const AHEAD_DAYS: i64 = 7;

pub(super) async fn page_with(app: &App, refused: &Refused, status: StatusCode) -> Response {
    let plans = match app.api.call(PlanList).await {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    let offers = app.api.call(PlanPending).await.unwrap_or_default();
    let now = Timestamp::now();
    let today = pages::today(now);
    let mut read: Vec<Box<Plan>> = Vec::new();
    let mut agenda: Vec<(usize, Entry)> = Vec::new();
    for s in plans.iter().filter(|p| p.error.is_none()) {
        if let Ok(plan) = app
            .api
            .call(PlanGet {
                plan: Some(s.id.to_string()),
            })
            .await
        {
            for e in tandem_proto::agenda::attention(&plan, now, today, AHEAD_DAYS) {
                agenda.push((read.len(), e));
            }
            read.push(plan);
        }
    }
    // Late first, then by date (undated last).
    agenda.sort_by_key(|(_, e)| (!e.overdue, e.date.is_none(), e.date));
    let agenda: Vec<(&Plan, Entry)> = agenda
        .into_iter()
        .filter_map(|(i, e)| read.get(i).map(|p| (&**p, e)))
        .collect();
    reply(status, render(&plans, &agenda, &offers, refused))
}

pub(super) async fn page(State(app): State<App>) -> Response {
    page_with(&app, &Refused::default(), StatusCode::OK).await
}

fn entry(p: &Plan, e: &Entry) -> Markup {
    let href = match (e.kind, &e.id) {
        ("pair", _) | (_, None) => format!("/plans/{}", p.id),
        ("certification", Some(id)) => format!("/plans/{}/items/certification/{id}", p.id),
        (kind, Some(id)) => format!("/plans/{}/items/{kind}/{id}", p.id),
    };
    html! {
        li class=(if e.overdue { "late" } else { "soon" }) {
            @if let ("action", Some(id)) = (e.kind, &e.id) {
                form.inline method="post" action={ "/plans/" (p.id) "/items/action/" (id) "/done" } {
                    input type="hidden" name="back" value="home";
                    button type="submit" aria-label={ "Mark done: " (e.title) } { "Done" }
                }
                " "
            }
            span.kind { (pages::words(e.kind)) } " "
            a href=(href) { (e.title) } " — " (e.why)
            " " span.quiet { "· " (p.title) }
        }
    }
}

fn render(
    plans: &[PlanSummary],
    agenda: &[(&Plan, Entry)],
    offers: &[PlanOffer],
    refused: &Refused,
) -> Markup {
    pages::layout(
        "Your plans",
        html! {
            h1 { "Your plans" }
            @if !offers.is_empty() {
                section.card aria-labelledby="offers" {
                    h2 #offers { "Plans offered to you" }
                    ul.items {
                        @for o in offers {
                            li {
                                span.title { (o.title) } " — offered by " (o.from_name) " (" (o.from_role) "), as " (o.my_role) " "
                                form.inline method="post" action={ "/offers/" (o.plan) "/accept" } { button type="submit" { "Accept" } }
                                " "
                                form.inline method="post" action={ "/offers/" (o.plan) "/decline" } { button.secondary type="submit" { "Decline" } }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="agenda" {
                div #agenda-list data-live {
                    h2 #agenda { "Needs attention this week" }
                    @if agenda.is_empty() {
                        p.quiet { "Nothing is late or due this week." }
                    } @else {
                        ul.attention { @for (p, e) in agenda { (entry(p, e)) } }
                    }
                }
            }
            section.card aria-labelledby="plans" {
                div #plan-list data-live {
                    h2 #plans { "Plans on this device (" (plans.len()) ")" }
                    @if plans.is_empty() {
                        p { "No plan on this device yet. Make one below, or " a href="/join" { "join one with a ticket" } " someone sent you." }
                    }
                    ul.items {
                        @for p in plans {
                            li {
                                a.title href={ "/plans/" (p.id) } { (p.title) }
                                @if let Some(e) = &p.error {
                                    " " span.late { "damaged: " (e) }
                                } @else {
                                    p.meta { "Mentor " (or_dash(&p.mentor)) " · mentee " (or_dash(&p.mentee)) " · " (pages::count(p.goals, "goal")) " · " (pages::count(p.open_actions, "open action")) }
                                }
                            }
                        }
                    }
                }
                details open[refused.is("new-plan") || plans.is_empty()] {
                    summary data-add { "Make a plan" }
                    form method="post" action="/plans" {
                        (field_error(refused.other_error("new-plan", &["title".into(), "mentor".into(), "mentee".into()])))
                        @for (key, label, required) in [("title", "Title", true), ("mentor", "Mentor's name", false), ("mentee", "Mentee's name", false)] {
                            label for={ "new-plan-" (key) } { (label) }
                            input id={ "new-plan-" (key) } name=(key) required[required] value=(refused.value("new-plan", key).unwrap_or_default());
                            (field_error(refused.error("new-plan", key)))
                        }
                        button type="submit" { "Make the plan" }
                    }
                }
            }
        },
    )
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "—" } else { s }
}

pub(super) async fn new_plan(
    State(app): State<App>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let text = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let made = app
        .api
        .call(NewPlan {
            title: text("title"),
            mentor: text("mentor"),
            mentee: text("mentee"),
            seed: Vec::new(),
        })
        .await;
    match made {
        Ok(p) => Redirect::to(&format!("/plans/{}", p.id)).into_response(),
        Err(e) => {
            let (field, _) = e.message.split_once(':').unwrap_or(("", ""));
            let r = Refused {
                form: "new-plan".into(),
                field: field.trim().to_string(),
                message: e.message.clone(),
                values: typed,
            };
            page_with(&app, &r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub(super) async fn answer_offer(
    State(app): State<App>,
    Path((plan, answer)): Path<(String, String)>,
) -> Response {
    let done = match answer.as_str() {
        "accept" => app
            .api
            .call(PlanAccept { plan: plan.clone() })
            .await
            .map(|_| ()),
        "decline" => app.api.call(PlanDecline { plan }).await.map(|_| ()),
        _ => return super::not_found().await,
    };
    match done {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => failed(&e),
    }
}

fn join_form(refused: &Refused) -> Markup {
    let value = |k: &str| refused.value("join", k).unwrap_or_default();
    pages::layout(
        "Join a plan",
        html! {
            h1 { "Join a plan" }
            p { "Someone who is in the plan made an invitation for you: paste the ticket they sent (a long line that starts with " code { "TANDEM" } ")." }
            form method="post" action="/join" {
                (field_error(refused.other_error("join", &["ticket".into()])))
                label for="join-ticket" { "Ticket" }
                textarea #join-ticket name="ticket" rows="3" required { (value("ticket")) }
                (field_error(refused.error("join", "ticket")))
                label for="join-name" { "Your name " span.quiet { "(optional if the invitation names you)" } }
                input #join-name name="name" value=(value("name"));
                label for="join-device" { "This device " span.quiet { "(e.g. lab workstation, home laptop)" } }
                input #join-device name="device" value=(value("device"));
                button type="submit" { "Join" }
            }
        },
    )
}

pub(super) async fn join_page() -> Response {
    reply(StatusCode::OK, join_form(&Refused::default()))
}

pub(super) async fn join(
    State(app): State<App>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let text = |k: &str| {
        typed
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    match app
        .api
        .call(Join {
            ticket: text("ticket"),
            name: text("name"),
            device: text("device"),
        })
        .await
    {
        Ok(j) => {
            // The plan itself follows the join by sync: wait a little for
            // it, so the page it opens is the plan's.
            let until = std::time::Instant::now() + JOIN_WAIT;
            while app.plan(j.plan.as_str()).await.is_err() && std::time::Instant::now() < until {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Redirect::to(&format!("/plans/{}", j.plan)).into_response()
        }
        Err(e) => {
            let r = Refused {
                form: "join".into(),
                field: "ticket".into(),
                message: e.message.clone(),
                values: typed,
            };
            reply(StatusCode::UNPROCESSABLE_ENTITY, join_form(&r))
        }
    }
}
