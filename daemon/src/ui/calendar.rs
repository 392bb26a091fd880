//! The calendar feed: `/calendar/<secret>.ics` serves every plan's
//! meetings and due dates (the events of `tandem export --format ics`) to
//! a calendar app that subscribes to it. A calendar app has no session, so
//! the address carries its own secret, `calendar-secret` in the home
//! (0600, made on first use); a new address (from the
//! settings page) replaces it and the old one stops working.

use std::path::{Path as FsPath, PathBuf};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use tandem_proto::api::{PlanGet, PlanList};

use super::{App, access, pages, reply};

/// The feed secret's file in the home.
pub const SECRET_FILE: &str = "calendar-secret";

fn file(home: &FsPath) -> PathBuf {
    home.join(SECRET_FILE)
}

/// Writes a new secret (0600), replacing the old one, durably.
fn renew_secret(home: &FsPath) -> std::io::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut b = [0u8; 24];
    rand::rng().fill_bytes(&mut b);
    let secret = hex::encode(b);
    let tmp = home.join(format!("{SECRET_FILE}.new"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(secret.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, file(home))?;
    Ok(secret)
}

/// The feed's secret, made on first use.
pub(super) fn secret(home: &FsPath) -> std::io::Result<String> {
    match std::fs::read_to_string(file(home)) {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Ok(_) => renew_secret(home),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => renew_secret(home),
        Err(e) => Err(e),
    }
}

/// The feed's address.
pub(super) fn url(app: &App) -> Option<String> {
    let s = secret(&app.home).ok()?;
    Some(format!("http://{}/calendar/{s}.ics", app.access.authority))
}

pub(super) async fn renew(State(app): State<App>, Path(plan): Path<String>) -> Response {
    match renew_secret(&app.home) {
        Ok(_) => Redirect::to(&super::Back::Settings.path(&plan)).into_response(),
        Err(e) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::message(
                "That did not work",
                &format!("cannot write {}: {e}", file(&app.home).display()),
            ),
        ),
    }
}

pub(super) async fn feed(State(app): State<App>, Path(name): Path<String>) -> Response {
    let given = name.strip_suffix(".ics").unwrap_or("");
    let ok = secret(&app.home).is_ok_and(|s| access::same(&s, given));
    if !ok {
        return reply(
            StatusCode::NOT_FOUND,
            pages::message(
                "Not found",
                "This calendar address is not (or no longer) valid: copy the current one from a plan's “Plan and calendar” page.",
            ),
        );
    }
    let mut plans = Vec::new();
    for s in app.api.call(PlanList).await.unwrap_or_default() {
        if s.error.is_some() {
            continue;
        }
        if let Ok(p) = app
            .api
            .call(PlanGet {
                plan: Some(s.id.to_string()),
            })
            .await
        {
            plans.push(*p);
        }
    }
    let text =
        tandem_proto::ics::calendar_of("Tandem", &plans, tandem_proto::ics::Reminders::default());
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}
