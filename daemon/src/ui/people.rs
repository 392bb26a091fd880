//! People and devices of a plan: each member device with its person, role
//! and sync state in words, invitations (make one and see its ticket and
//! QR code; list; revoke), a link for another device of mine, and removing
//! a member behind a confirmation.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use qrcode::{Color, QrCode};
use tandem_proto::api::{
    History, InviteInfo, InviteList, InviteRevoke, NewInvite, Status, SyncStatus,
};
use tandem_proto::items::member::Role;
use tandem_proto::model::Plan;
use tandem_proto::ticket::TicketKind;

use super::pages::{self, Refused, Tab, field_error};
use super::{App, Back, failed, form, reply, submit};

/// How many recent changes are looked at for each device's last change.
const LOG_LOOKED_AT: usize = 1_000;

/// How long an invitation made in the app is good for, by choice.
const VALID_FOR: &[(&str, &str, u64)] = &[
    ("1d", "1 day", 86_400),
    ("7d", "7 days", 7 * 86_400),
    ("30d", "30 days", 30 * 86_400),
];

pub(super) async fn page(State(app): State<App>, Path(plan): Path<String>) -> Response {
    match app.plan(&plan).await {
        Ok(p) => show(&app, &p, &Refused::default(), None, StatusCode::OK).await,
        Err(r) => r,
    }
}

/// The page; `made` is an invitation just made, whose ticket is shown.
pub(super) async fn show(
    app: &App,
    p: &Plan,
    refused: &Refused,
    made: Option<&InviteInfo>,
    status: StatusCode,
) -> Response {
    let plan = Some(p.id.to_string());
    let sync = app
        .api
        .call(SyncStatus { plan: plan.clone() })
        .await
        .map(|s| s.peers)
        .unwrap_or_default();
    let me = app.api.call(Status).await.ok().map(|s| s.peer_id);
    let invites = app
        .api
        .call(InviteList { plan: plan.clone() })
        .await
        .unwrap_or_default();
    let log = app
        .api
        .call(History {
            plan,
            limit: Some(LOG_LOOKED_AT),
            item: None,
        })
        .await
        .unwrap_or_default();
    let now = jiff::Timestamp::now();
    let last_change = |peer: &str| -> Option<String> {
        log.iter()
            .find(|e| e.peer.as_ref().is_some_and(|p| p.as_str() == peer))
            .map(|e| pages::ago(e.time, now))
    };
    let state = |peer: &str| -> String {
        if me.as_ref().is_some_and(|m| m.as_str() == peer) {
            return "this device".to_string();
        }
        sync.iter()
            .find(|s| s.peer.as_str() == peer)
            .map_or_else(|| "not seen yet".to_string(), |s| s.state())
    };
    reply(
        status,
        pages::layout_for(
            &format!("People — {}", p.title),
            Some(p),
            Tab::People,
            html! {
                h1 { "People and devices" }
                @if let Some(i) = made { (ticket(i)) }
                section.card aria-labelledby="members-h" {
                    div #members-live data-live {
                        h2 #members-h { "Members (" (pages::count(p.members.len(), "device")) ")" }
                        ul.items {
                            @for m in &p.members {
                                li {
                                    span.title { (m.name) } " — " (m.role)
                                    @if !m.device.is_empty() { " · " (m.device) }
                                    " · " span.sync { (state(m.peer.as_str())) }
                                    @if let Some(t) = last_change(m.peer.as_str()) { span.quiet { " · last change " (t) } }
                                    @if me.as_ref().is_none_or(|me| *me != m.peer) {
                                        " " a.small href={ "/plans/" (p.id) "/members/" (m.peer) "/remove" } aria-label={ "Remove " (m.who()) } { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
                section.card aria-labelledby="invite-h" {
                    h2 #invite-h { "Invite someone" }
                    form method="post" action={ "/plans/" (p.id) "/invites" } {
                        (field_error(refused.other_error("invite", &[])))
                        input type="hidden" name="link" value="false";
                        label for="invite-role" { "As" }
                        select #invite-role name="role" {
                            @for r in Role::ALL { option value=(r.as_str()) selected[*r == Role::Mentee] { (pages::words(r.as_str())) } }
                        }
                        label for="invite-name" { "Their name " span.quiet { "(optional)" } }
                        input #invite-name name="name" value=(refused.value("invite", "name").unwrap_or_default());
                        label for="invite-valid" { "Good for" }
                        select #invite-valid name="valid" {
                            @for (v, label, _) in VALID_FOR { option value=(v) selected[*v == "7d"] { (label) } }
                        }
                        button type="submit" { "Make an invitation" }
                    }
                    h3 { "Another device of yours" }
                    form method="post" action={ "/plans/" (p.id) "/invites" } {
                        input type="hidden" name="link" value="true";
                        input type="hidden" name="valid" value="1d";
                        p.quiet { "A link lets your other computer or laptop join as you, with your role." }
                        button.secondary type="submit" { "Link another device" }
                    }
                }
                section.card aria-labelledby="invites-h" {
                    h2 #invites-h { "Invitations" }
                    @if invites.is_empty() { p.quiet { "None made yet." } }
                    ul.items {
                        @for i in &invites {
                            li {
                                (describe_plain(i))
                                @if !i.revoked && i.used < i.uses {
                                    " "
                                    form.inline method="post" action={ "/plans/" (p.id) "/invites/" (i.id) "/revoke" } {
                                        button.secondary type="submit" aria-label={ "Revoke the invitation " (describe_plain(i)) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

fn describe_plain(i: &InviteInfo) -> String {
    let whom = match (i.kind, i.name.trim()) {
        (TicketKind::Link, _) => "a device link".to_string(),
        (_, "") => format!("an invitation as {}", i.role),
        (_, n) => format!("{n} as {}", i.role),
    };
    let state = if i.revoked {
        "revoked".to_string()
    } else if i.used >= i.uses {
        "used".to_string()
    } else if i.expires_at < jiff::Timestamp::now() {
        "expired".to_string()
    } else {
        format!("good until {}", i.expires_at.strftime("%Y-%m-%d %H:%M UTC"))
    };
    format!("{whom} ({state})")
}

/// A ticket just made: the line to send, and its QR code for a phone.
fn ticket(i: &InviteInfo) -> Markup {
    let line = i.ticket.clone().unwrap_or_default();
    html! {
        section.card.made aria-labelledby="ticket-h" {
            h2 #ticket-h { "Send this ticket" }
            p { "Send it to " @if i.kind == TicketKind::Link { "your other device" } @else if i.name.is_empty() { "the person you invite" } @else { (i.name) }
                ": they paste it under “Join a plan” in their Tandem, or run " code { "tandem join" } ". It works " (if i.uses == 1 { "once".to_string() } else { format!("{} times", i.uses) }) ", until " (i.expires_at.strftime("%Y-%m-%d %H:%M UTC")) "." }
            label for="ticket-line" { "Ticket" }
            textarea #ticket-line readonly rows="3" data-select { (line) }
            div.qr role="img" aria-label="The ticket as a QR code" { (PreEscaped(qr_svg(&line))) }
        }
    }
}

/// The QR code of `text` as an SVG (each dark module one square).
fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let w = code.width();
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut path = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % w + quiet, i / w + quiet));
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" height="240" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    )
}

pub(super) async fn invite(
    State(app): State<App>,
    Path(plan): Path<String>,
    Form(typed): Form<HashMap<String, String>>,
) -> Response {
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let link = typed.get("link").is_some_and(|l| l == "true");
    let role = typed
        .get("role")
        .and_then(|r| r.parse().ok())
        .unwrap_or(Role::Mentee);
    let expires_in = VALID_FOR
        .iter()
        .find(|(v, _, _)| Some(*v) == typed.get("valid").map(String::as_str))
        .map_or(7 * 86_400, |(_, _, s)| *s);
    let made = app
        .api
        .call(NewInvite {
            plan: Some(p.id.to_string()),
            role,
            name: typed
                .get("name")
                .map(|n| n.trim().to_string())
                .unwrap_or_default(),
            expires_in,
            uses: 1,
            link,
            addrs: Vec::new(),
        })
        .await;
    match made {
        Ok(i) => show(&app, &p, &Refused::default(), Some(&i), StatusCode::OK).await,
        Err(e) => {
            let r = Refused {
                form: "invite".into(),
                field: String::new(),
                message: e.message.clone(),
                values: typed,
            };
            show(&app, &p, &r, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub(super) async fn revoke(
    State(app): State<App>,
    Path((plan, invite)): Path<(String, String)>,
) -> Response {
    match app.api.call(InviteRevoke { id: invite }).await {
        Ok(_) => Redirect::to(&Back::People.path(&plan)).into_response(),
        Err(e) => failed(&e),
    }
}

pub(super) async fn confirm_remove(
    State(app): State<App>,
    Path((plan, peer)): Path<(String, String)>,
) -> Response {
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(m) = p.members.iter().find(|m| m.peer == peer.as_str()) else {
        return reply(
            StatusCode::NOT_FOUND,
            pages::message(
                "Not found",
                "This device is not a member of the plan (any more).",
            ),
        );
    };
    let action = format!("/plans/{}/members/{peer}/remove", p.id);
    reply(
        StatusCode::OK,
        super::item::confirm(
            &p,
            "member device",
            &m.who(),
            &action,
            &Back::People.path(p.id.as_str()),
        ),
    )
}

pub(super) async fn remove(
    State(app): State<App>,
    Path((plan, peer)): Path<(String, String)>,
) -> Response {
    let edit = form::edit_of(
        "member",
        form::op("rm", "peer", &peer, serde_json::Map::new()),
    );
    submit(&app, &plan, edit, "remove", HashMap::new(), Back::People).await
}
