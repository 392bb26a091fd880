//! The Tandem app: a local web app served by the daemon on the loopback
//! interface, for the people who do not live in a terminal.
//!
//! Server-rendered pages (maud) with plain forms that work without
//! JavaScript; one small embedded script adds live updates and keyboard
//! shortcuts. Every page and form is a client of the same request API as
//! the CLI ([`crate::server::api::Api`]): the same requests, the same
//! validation and messages, the same durable commit before a reply.
//! Who may use it is [`access`]'s: a session from a one-time login link,
//! the app's own Host on every request and its own Origin on every change.
//!
//! The pages, one concept each: [`home`] (every plan, what needs
//! attention, joining), [`plan`] (a plan's overview and its lists),
//! [`item`] (one item: its form, parts and history), [`competency`] (the
//! six elements, sign-offs and the printable record), [`people`] (members,
//! devices, invitations), [`settings`] (the plan's fields, agreement,
//! history and calendar feed), [`events`] (live updates). Forms are
//! described per kind in [`kinds`] and made into edits by [`form`].

pub mod access;
mod calendar;
mod competency;
mod events;
mod form;
mod home;
mod item;
mod kinds;
mod listen;
mod matrix;
mod pages;
mod people;
mod plan;
mod settings;

use std::collections::HashMap;
use std::path::PathBuf;

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use maud::Markup;
use tandem_proto::api::{PlanEdit, PlanGet};
use tandem_proto::edit::Edit;
use tandem_proto::model::Plan;
use tandem_proto::{ApiError, ErrorCode};
use tokio_util::sync::CancellationToken;

use crate::server::api::Api;
use access::Access;
use form::Typed;
use pages::Refused;

/// The default port of the app on 127.0.0.1.
pub const DEFAULT_PORT: u16 = 4456;

#[derive(Clone)]
struct App {
    api: Api,
    access: Access,
    /// The home, for the calendar feed's secret.
    home: PathBuf,
    /// Cancelled when the daemon stops: open event streams end with it, so
    /// the server's graceful shutdown does not wait on them.
    shutdown: CancellationToken,
}

/// Serves the app on `listener` until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Api,
    access: Access,
    home: PathBuf,
    shutdown: CancellationToken,
) {
    let app = App {
        api,
        access,
        home,
        shutdown: shutdown.clone(),
    };
    let router = Router::new()
        .route("/", get(home::page))
        .route("/login", get(login))
        .route("/join", get(home::join_page).post(home::join))
        .route("/plans", post(home::new_plan))
        .route("/offers/{plan}/{answer}", post(home::answer_offer))
        .route("/plans/{plan}", get(plan::page))
        .route("/plans/{plan}/items/{kind}", post(item::add))
        .route(
            "/plans/{plan}/items/{kind}/{id}",
            get(item::page).post(item::edit),
        )
        .route(
            "/plans/{plan}/items/{kind}/{id}/remove",
            get(item::confirm_remove).post(item::remove),
        )
        .route(
            "/plans/{plan}/items/{kind}/{id}/resolve",
            post(item::resolve),
        )
        .route("/plans/{plan}/items/{kind}/{id}/{part}", post(item::part))
        .route("/plans/{plan}/record/{id}", get(competency::record))
        .route("/plans/{plan}/people", get(people::page))
        .route("/plans/{plan}/invites", post(people::invite))
        .route(
            "/plans/{plan}/invites/{invite}/revoke",
            post(people::revoke),
        )
        .route(
            "/plans/{plan}/members/{peer}/remove",
            get(people::confirm_remove).post(people::remove),
        )
        .route("/plans/{plan}/history", get(settings::history))
        .route("/plans/{plan}/settings", get(settings::page))
        .route("/plans/{plan}/settings/{what}", post(settings::edit))
        .route("/plans/{plan}/undo", post(settings::undo))
        .route("/plans/{plan}/calendar/new", post(calendar::renew))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/matrix", get(matrix::page))
        .route("/matrix.csv", get(matrix::csv_file))
        .route("/events", get(events::stream))
        .route("/app.js", get(script))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app);
    let stop = async move { shutdown.cancelled().await };
    let listener = listen::Bounded::new(listener, listen::CONNECTIONS_MAX);
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await
    {
        tracing::warn!(error = %e, "the app's server stopped");
    }
}

fn reply(status: StatusCode, m: Markup) -> Response {
    let mut r = (status, Html(m.into_string())).into_response();
    let h = r.headers_mut();
    // No framing by other sites, no guessing of types, no referrer to
    // other sites. (Not `no-referrer`: with it a browser sends `Origin:
    // null` with the app's own forms, which the Origin check refuses.)
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
        header::HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    r
}

/// The checks every request passes first (see [`access`]).
async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if !app.access.is_own_host(get(header::HOST)) {
        return reply(
            StatusCode::MISDIRECTED_REQUEST,
            pages::message("Wrong address", "This app answers only at its own address."),
        );
    }
    let changes =
        req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD;
    if changes && !app.access.is_own_origin(get(header::ORIGIN)) {
        return reply(
            StatusCode::FORBIDDEN,
            pages::message("Refused", "A change must come from this app's own pages."),
        );
    }
    let path = req.uri().path();
    // The calendar feed carries its own secret (a calendar app has no
    // session); every other route needs the session.
    let open = path == "/login" || (path.starts_with("/calendar/") && !changes);
    if !open && !app.access.has_session(get(header::COOKIE)) {
        return reply(StatusCode::UNAUTHORIZED, pages::locked());
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
        None => reply(StatusCode::UNAUTHORIZED, pages::locked()),
    }
}

/// The page's only script (embedded): live updates and keyboard shortcuts.
async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("live.js"),
    )
        .into_response()
}

async fn not_found() -> Response {
    reply(
        StatusCode::NOT_FOUND,
        pages::message("Not found", "There is no such page."),
    )
}

/// An error from the API as a page.
fn failed(e: &ApiError) -> Response {
    let status = match e.code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Invalid | ErrorCode::Ambiguous | ErrorCode::BadRequest => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    reply(status, pages::message("That did not work", &e.message))
}

impl App {
    /// A plan by id or prefix.
    async fn plan(&self, plan: &str) -> Result<Box<Plan>, Response> {
        self.api
            .call(PlanGet {
                plan: Some(plan.to_string()),
            })
            .await
            .map_err(|e| failed(&e))
    }
}

/// The page a form is on, to show it again when the form is refused and
/// to go back to when it is done.
#[derive(Clone)]
enum Back {
    /// The plan's overview, at a section.
    Plan(&'static str),
    /// An item's page.
    Item(&'static kinds::Spec, String),
    /// The plan's people and devices.
    People,
    /// The plan's settings.
    Settings,
}

impl Back {
    fn path(&self, plan: &str) -> String {
        match self {
            Back::Plan("") => format!("/plans/{plan}"),
            Back::Plan(at) => format!("/plans/{plan}#{at}"),
            Back::Item(s, id) => format!("/plans/{plan}/items/{}/{id}", s.kind),
            Back::People => format!("/plans/{plan}/people"),
            Back::Settings => format!("/plans/{plan}/settings"),
        }
    }

    /// The page again, with the refused form's error and values.
    async fn show(&self, app: &App, plan: &str, refused: &Refused, status: StatusCode) -> Response {
        let p = match app.plan(plan).await {
            Ok(p) => p,
            Err(r) => return r,
        };
        let now = Timestamp::now();
        match self {
            Back::Plan(_) => reply(status, plan::render(&p, now, refused)),
            Back::Item(spec, id) => item::show(app, &p, spec, id, refused, status).await,
            Back::People => people::show(app, &p, refused, None, status).await,
            Back::Settings => settings::show(app, &p, refused, status).await,
        }
    }
}

/// Makes an edit; back to its page when it is done, or the page again
/// with the error next to its field (and what was typed kept).
async fn submit(
    app: &App,
    plan: &str,
    edit: Result<Edit, Typed>,
    form: &str,
    typed: HashMap<String, String>,
    back: Back,
) -> Response {
    let refuse = |field: String, message: String| Refused {
        form: form.to_string(),
        field,
        message,
        values: typed.clone(),
    };
    let edit = match edit {
        Ok(e) => e,
        Err((field, message)) => {
            let r = refuse(field, message);
            return back
                .show(app, plan, &r, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let result = app
        .api
        .call(PlanEdit {
            plan: Some(plan.to_string()),
            edit,
        })
        .await;
    match result {
        Ok(_) => Redirect::to(&back.path(plan)).into_response(),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::Invalid | ErrorCode::NotFound | ErrorCode::Ambiguous
            ) =>
        {
            // Validation messages start with the field they concern: "title: must not be empty".
            let (field, _) = e.message.split_once(':').unwrap_or(("", ""));
            let r = refuse(field.trim().to_string(), e.message.clone());
            back.show(app, plan, &r, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => failed(&e),
    }
}
