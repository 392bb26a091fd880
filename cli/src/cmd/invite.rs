//! `tandem invite [list|revoke]`, `tandem join`, `tandem device link|list`.

use std::time::{Duration, Instant};

use tandem_proto::api::{InviteInfo, NewInvite, Request, Response};
use tandem_proto::model::Role;

use super::{Ctx, parse, unexpected};
use crate::args::{InviteArgs, InviteCmd};
use crate::fail::Fail;
use crate::input;

/// The ticket as a QR code drawn with half-block characters.
fn qr(ticket: &str) -> Result<String, Fail> {
    let code = qrcode::QrCode::new(ticket.as_bytes())
        .map_err(|e| Fail::Other(format!("cannot draw the ticket as a QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build())
}

fn invite_line(i: &InviteInfo, s: crate::style::Style) -> String {
    let state = if i.revoked {
        s.dim("revoked")
    } else if i.used >= i.uses {
        s.dim("used up")
    } else if jiff::Timestamp::now() > i.expires_at {
        s.dim("expired")
    } else {
        s.green("open")
    };
    let who = if i.name.is_empty() {
        "anyone with the ticket".to_string()
    } else {
        i.name.clone()
    };
    format!(
        "{}  {state:<8} {:<8} {who}  used {}/{}  expires {}  plan {}",
        s.bold(&i.id),
        i.role.as_str(),
        i.used,
        i.uses,
        i.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        tandem_proto::ids::short(&i.plan)
    )
}

/// Seconds from a span like "30m", "48h" or "7d".
fn lifetime(s: &str) -> Result<u64, Fail> {
    let d = super::meeting::wait_duration(s)?;
    Ok(d.as_secs())
}

fn print_ticket(ctx: &Ctx, info: &InviteInfo, show_qr: bool, intro: &str) -> Result<(), Fail> {
    let ticket = info.ticket.clone().unwrap_or_default();
    let picture = if show_qr { qr(&ticket)? } else { String::new() };
    ctx.emit(info, || {
        format!(
            "{intro}\n\n{ticket}\n\n{picture}{}\nValid until {} for {} join(s); invitation id {} (revoke: tandem invite revoke {}).\n",
            if picture.is_empty() { "" } else { "\n" },
            info.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            info.uses,
            info.id,
            info.id
        )
    })
}

pub(super) fn invite(args: InviteArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match args.cmd {
        Some(InviteCmd::List) => {
            let plan = ctx.plan.clone();
            match ctx.call(&Request::InviteList(InviteList { plan }))? {
                Response::Invites(list) => ctx.emit(&list, || {
                    if list.is_empty() {
                        return "No invitations. Make one with: tandem invite --role mentee\n"
                            .into();
                    }
                    list.iter().map(|i| invite_line(i, s) + "\n").collect()
                }),
                other => Err(unexpected(&other)),
            }
        }
        Some(InviteCmd::Revoke { id }) => match ctx.call(&Request::InviteRevoke(InviteRevoke { id }))? {
            Response::Invite(i) => ctx.emit(&i, || {
                format!(
                    "Revoked invitation {}; no one can join with it now.\n",
                    i.id
                )
            }),
            other => Err(unexpected(&other)),
        },
        None => {
            let role: Role = parse(&args.role)?;
            let new = NewInvite {
                plan: ctx.plan.clone(),
                role,
                name: args.name,
                expires_in: lifetime(&args.expires)?,
                uses: args.uses,
                link: false,
                addrs: Vec::new(),
            };
            match ctx.call(&Request::InviteNew(new))? {
                Response::Invite(i) => print_ticket(
                    ctx,
                    &i,
                    args.qr,
                    &format!(
                        "Invitation to join as {}. On their device, they run:  tandem join TICKET",
                        i.role.as_str()
                    ),
                ),
                other => Err(unexpected(&other)),
            }
        }
    }
}

pub(super) fn device_link(expires: &str, show_qr: bool, ctx: &mut Ctx) -> Result<(), Fail> {
    let new = NewInvite {
        plan: ctx.plan.clone(),
        role: Role::Observer, // ignored for a link: the person's own role is used
        name: String::new(),
        expires_in: lifetime(expires)?,
        uses: 1,
        link: true,
        addrs: Vec::new(),
    };
    match ctx.call(&Request::InviteNew(new))? {
        Response::Invite(i) => print_ticket(
            ctx,
            &i,
            show_qr,
            &format!(
                "Link another device of {} ({}). On that device, run:  tandem join TICKET",
                i.name,
                i.role.as_str()
            ),
        ),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn device_list(name: Option<String>, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let plan = ctx.fetch_plan()?;
    let me = super::member::my_peer_id(ctx)?;
    let name = match name {
        Some(n) => n,
        None => plan
            .members
            .iter()
            .find(|m| m.peer == me)
            .map(|m| m.name.clone())
            .ok_or_else(|| {
                Fail::Forbidden(
                    "this device is not a member of the plan; name a person with --name".into(),
                )
            })?,
    };
    let devices: Vec<_> = plan.members.iter().filter(|m| m.name == name).collect();
    if devices.is_empty() {
        return Err(Fail::NotFound(format!(
            "no member named '{name}' in the plan"
        )));
    }
    ctx.emit(&devices, || {
        devices
            .iter()
            .map(|m| super::member::member_line(m, &me, s) + "\n")
            .collect()
    })
}

pub(super) fn join(
    ticket: String,
    name: String,
    device: String,
    timeout: &str,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let limit = super::meeting::wait_duration(timeout)?;
    let ticket = input::text(ticket)?;
    // Read it here first, so a mistyped ticket is refused before anything is dialled.
    let body = tandem_proto::ticket::TicketBody::decode(&ticket)
        .map_err(|e| Fail::Usage(e.to_string()))?;
    let progress = !ctx.json;
    if progress {
        eprintln!(
            "Asking {} to let this device join (at {})...",
            body.inviter,
            if body.addrs.is_empty() {
                "no address".to_string()
            } else {
                body.addrs.join(", ")
            }
        );
    }
    let (plan, title, role, name, inviter, clock) = match ctx.call(&Request::Join(Join {
        ticket,
        name,
        device,
    }))? {
        Response::Joined(Joined {
            plan,
            title,
            role,
            name,
            inviter,
            clock,
        }) => (plan, title, role, name, inviter, clock),
        other => return Err(unexpected(&other)),
    };
    if let Some(clock) = &clock {
        eprintln!("Warning: {clock}.");
    }
    if progress {
        eprintln!(
            "Accepted as {} ({}). Receiving the plan...",
            name,
            role.as_str()
        );
    }
    // The inviter sends the plan over sync; wait for it to be stored here.
    let start = Instant::now();
    loop {
        match ctx.call(&Request::PlanGet(PlanGet {
            plan: Some(plan.clone()),
        })) {
            Ok(Response::Plan(_)) => break,
            Err(Fail::NotFound(_)) => {} // not here yet
            Ok(other) => return Err(unexpected(&other)),
            Err(e) => return Err(e),
        }
        if start.elapsed() >= limit {
            return Err(Fail::Other(format!(
                "joined plan {plan} ('{title}'), but it has not arrived after {timeout}; it will keep syncing in the background"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let v = serde_json::json!({
        "plan": plan, "title": title, "role": role, "name": name, "inviter": inviter, "clock": clock,
    });
    ctx.emit(&v, || {
        format!(
            "Joined '{title}' as {} ({}). Plan {plan}; see it with: tandem plan show --plan {}\n",
            name,
            role.as_str(),
            tandem_proto::ids::short(&plan)
        )
    })
}
