//! The Tandem app: a local web app served by the daemon on the loopback
//! interface, for the people who do not live in a terminal.
//!
//! Server-rendered pages (maud, [`pages`]) with plain forms that work
//! without JavaScript. Every page and form is a client of the same request
//! API as the CLI ([`crate::server::api::Api`]): the same requests, the
//! same validation and messages, the same durable commit before a reply.
//! Who may use it is [`access`]'s: a session from a one-time login link,
//! the app's own Host on every request and its own Origin on every change.

pub mod access;
mod pages;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use maud::Markup;
use tandem_proto::ApiError;
use tandem_proto::api::{PlanEdit, PlanGet, PlanList};
use tandem_proto::edit::{ActionOp, ActionPatch, Edit, GoalOp, NewAction, NewGoal};
use tandem_proto::items::ItemKind;
use tandem_proto::model::{ActionStatus, GoalCategory, GoalStatus, Owner};
use tokio_util::sync::CancellationToken;

use crate::server::api::Api;
use access::Access;
use pages::Refused;

/// The default port of the app on 127.0.0.1.
pub const DEFAULT_PORT: u16 = 4456;

#[derive(Clone)]
struct App {
    api: Api,
    access: Access,
    /// Cancelled when the daemon stops: open event streams end with it, so
    /// the server's graceful shutdown does not wait on them.
    shutdown: CancellationToken,
}

/// Serves the app on `listener` until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Api,
    access: Access,
    shutdown: CancellationToken,
) {
    let app = App {
        api,
        access,
        shutdown: shutdown.clone(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/plans/{plan}", get(plan_page))
        .route("/events", get(events))
        .route("/app.js", get(script))
        .route("/plans/{plan}/goals", axum::routing::post(add_goal))
        .route("/plans/{plan}/actions", axum::routing::post(add_action))
        .route(
            "/plans/{plan}/actions/{action}/done",
            axum::routing::post(action_done),
        )
        .route(
            "/plans/{plan}/remove/{kind}/{item}",
            get(confirm_remove).post(remove),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app);
    let stop = async move { shutdown.cancelled().await };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await
    {
        tracing::warn!(error = %e, "the app's server stopped");
    }
}

fn page(status: StatusCode, m: Markup) -> Response {
    let mut r = (status, Html(m.into_string())).into_response();
    let h = r.headers_mut();
    // No framing by other sites, no guessing of types, no referrer leaks.
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    r
}

/// The checks every request passes first (see [`access`]).
async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if !app.access.is_own_host(get(header::HOST)) {
        return page(
            StatusCode::MISDIRECTED_REQUEST,
            pages::message("Wrong address", "This app answers only at its own address."),
        );
    }
    let changes =
        req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD;
    if changes && !app.access.is_own_origin(get(header::ORIGIN)) {
        return page(
            StatusCode::FORBIDDEN,
            pages::message("Refused", "A change must come from this app's own pages."),
        );
    }
    if req.uri().path() != "/login" && !app.access.has_session(get(header::COOKIE)) {
        return page(StatusCode::UNAUTHORIZED, pages::locked());
    }
    next.run(req).await
}

async fn login(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("t").map(String::as_str).unwrap_or("");
    match app.access.login(token, Timestamp::now()) {
        Some(session) => {
            let cookie = format!(
                "{}={session}; HttpOnly; SameSite=Strict; Path=/",
                access::COOKIE
            );
            // Where to go next: a path of this app only (never `//host`).
            let next = q
                .get("next")
                .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
                .map_or("/", String::as_str);
            let mut r = Redirect::to(next).into_response();
            if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        None => page(StatusCode::UNAUTHORIZED, pages::locked()),
    }
}

/// The page's only script (embedded): live updates.
async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("live.js"),
    )
        .into_response()
}

/// Server-sent events: one `change` event (its data the change's message)
/// for every change to the plan `?plan=` names (any plan without it), from
/// this device or another, so open pages can show it.
async fn events(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let plan = q.get("plan").cloned();
    let rx = app.api.engine().watch();
    let stop = app.shutdown.clone();
    let stream = futures::stream::unfold(rx, move |mut rx| {
        let plan = plan.clone();
        let stop = stop.clone();
        async move {
            loop {
                let next = tokio::select! {
                    r = rx.recv() => r,
                    () = stop.cancelled() => return None,
                };
                match next {
                    Ok(e) => {
                        let ours = match (&plan, e.plan()) {
                            (None, _) => true,
                            (Some(want), Some(p)) => p.as_str() == want.as_str(),
                            (Some(_), None) => false,
                        };
                        if ours {
                            let data = serde_json::to_string(&e).unwrap_or_default();
                            let ev = Event::default().event("change").data(data);
                            return Some((Ok::<_, std::convert::Infallible>(ev), rx));
                        }
                    }
                    // Fell behind: tell the page to refresh once.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let ev = Event::default().event("change").data("{}");
                        return Some((Ok(ev), rx));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        pages::message("Not found", "There is no such page."),
    )
}

/// An error from the API as a page.
fn failed(e: &ApiError) -> Response {
    let status = match e.code {
        tandem_proto::ErrorCode::NotFound => StatusCode::NOT_FOUND,
        tandem_proto::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        tandem_proto::ErrorCode::Invalid
        | tandem_proto::ErrorCode::Ambiguous
        | tandem_proto::ErrorCode::BadRequest => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    page(status, pages::message("That did not work", &e.message))
}

async fn home(State(app): State<App>) -> Response {
    let plans = match app.api.call(PlanList).await {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    let now = Timestamp::now();
    let today = pages::today(now);
    let mut shown = Vec::new();
    for p in plans.into_iter().filter(|p| p.error.is_none()) {
        let attention = match app
            .api
            .call(PlanGet {
                plan: Some(p.id.to_string()),
            })
            .await
        {
            Ok(plan) => tandem_proto::agenda::attention(&plan, now, today, 7),
            Err(_) => Vec::new(),
        };
        shown.push((p, attention));
    }
    page(StatusCode::OK, pages::home(&shown))
}

async fn show_plan(app: &App, plan: &str, refused: &Refused, status: StatusCode) -> Response {
    match app
        .api
        .call(PlanGet {
            plan: Some(plan.to_string()),
        })
        .await
    {
        Ok(p) => page(
            status,
            pages::plan(&p, pages::today(Timestamp::now()), refused),
        ),
        Err(e) => failed(&e),
    }
}

async fn plan_page(State(app): State<App>, Path(plan): Path<String>) -> Response {
    show_plan(&app, &plan, &Refused::default(), StatusCode::OK).await
}

/// Makes an edit; back to the plan's page when it is done, or the page
/// again with the error next to its field (and what was typed kept).
async fn edit_then_back(
    app: &App,
    plan: &str,
    edit: Result<Edit, (String, String)>,
    form: &'static str,
    values: HashMap<String, String>,
) -> Response {
    let refused = |field: String, message: String| Refused {
        form,
        field,
        message,
        values: values.clone().into_iter().collect(),
    };
    let result = match edit {
        Ok(edit) => app
            .api
            .call(PlanEdit {
                plan: Some(plan.to_string()),
                edit,
            })
            .await
            .map(|_| ()),
        Err((field, message)) => {
            return show_plan(
                app,
                plan,
                &refused(field, message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match result {
        Ok(()) => Redirect::to(&format!("/plans/{plan}")).into_response(),
        Err(e) if e.code == tandem_proto::ErrorCode::Invalid => {
            // Validation messages start with the field they concern: "title: must not be empty".
            let (field, _) = e.message.split_once(':').unwrap_or(("", ""));
            let r = refused(field.trim().to_string(), e.message.clone());
            show_plan(app, plan, &r, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => failed(&e),
    }
}

/// A date field as people type it; empty is none.
fn date_field(
    values: &HashMap<String, String>,
    key: &str,
    field: &str,
) -> Result<Option<jiff::civil::Date>, (String, String)> {
    match values.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => tandem_proto::dates::parse_date(s, pages::today(Timestamp::now()))
            .map(Some)
            .map_err(|e| (field.to_string(), format!("{field}: {e}"))),
    }
}

async fn add_goal(
    State(app): State<App>,
    Path(plan): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let text = |k: &str| values.get(k).cloned().unwrap_or_default();
    let edit = date_field(&values, "target", "target date").map(|target_date| {
        let category = text("category").parse().unwrap_or(GoalCategory::Skill);
        Edit::Goal(GoalOp::Add(NewGoal {
            title: text("title"),
            description: String::new(),
            category,
            status: GoalStatus::Active,
            target_date,
            success_criteria: String::new(),
            created_by: String::new(),
        }))
    });
    edit_then_back(&app, &plan, edit, "goal", values.clone()).await
}

async fn add_action(
    State(app): State<App>,
    Path(plan): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let text = |k: &str| values.get(k).cloned().unwrap_or_default();
    let edit = date_field(&values, "due", "due date").map(|due| {
        Edit::Action(ActionOp::Add(NewAction {
            title: text("title"),
            owner: text("owner").parse().unwrap_or(Owner::Mentee),
            due,
            goal: None,
            meeting: None,
            notes: String::new(),
        }))
    });
    edit_then_back(&app, &plan, edit, "action", values.clone()).await
}

async fn action_done(
    State(app): State<App>,
    Path((plan, action)): Path<(String, String)>,
) -> Response {
    let edit = Edit::Action(ActionOp::Edit {
        action,
        patch: ActionPatch {
            status: Some(ActionStatus::Done),
            ..Default::default()
        },
    });
    edit_then_back(&app, &plan, Ok(edit), "action", HashMap::new()).await
}

/// The kinds the app removes, with their removal edit.
fn removal(kind: &str, item: String) -> Option<(ItemKind, Edit)> {
    match kind {
        "goal" => Some((ItemKind::Goal, Edit::Goal(GoalOp::Rm { goal: item }))),
        "action" => Some((
            ItemKind::Action,
            Edit::Action(ActionOp::Rm { action: item }),
        )),
        _ => None,
    }
}

async fn confirm_remove(
    State(app): State<App>,
    Path((plan, kind, item)): Path<(String, String, String)>,
) -> Response {
    let Some((what, _)) = removal(&kind, item.clone()) else {
        return not_found().await;
    };
    let p = match app
        .api
        .call(PlanGet {
            plan: Some(plan.clone()),
        })
        .await
    {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    let Some(label) = tandem_proto::items::label_of(&p, what, &item) else {
        return page(
            StatusCode::NOT_FOUND,
            pages::message(
                "Not found",
                &format!("This {} is not in the plan (any more).", what.noun()),
            ),
        );
    };
    let action = format!("/plans/{plan}/remove/{kind}/{item}");
    page(
        StatusCode::OK,
        pages::confirm_remove(&p, what.noun(), &label, &action),
    )
}

async fn remove(
    State(app): State<App>,
    Path((plan, kind, item)): Path<(String, String, String)>,
) -> Response {
    let Some((_, edit)) = removal(&kind, item) else {
        return not_found().await;
    };
    edit_then_back(&app, &plan, Ok(edit), kind_form(&kind), HashMap::new()).await
}

fn kind_form(kind: &str) -> &'static str {
    if kind == "goal" { "goal" } else { "action" }
}
