//! `tandem invite [list|revoke]` and `tandem join`: invitations, their
//! tickets, and joining a plan with one.

use std::time::{Duration, Instant};

use clap::Subcommand;
use tandem_proto::api::{InviteInfo, InviteList, InviteRevoke, Join, Joined, NewInvite, PlanGet};
use tandem_proto::model::Role;

use super::Ctx;
use crate::fail::Fail;
use crate::input;

/// `tandem invite`: make an invitation, or manage them.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct InviteArgs {
    /// list or revoke.
    #[command(subcommand)]
    pub cmd: Option<InviteCmd>,
    /// The role granted.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Role::Mentee)]
    pub role: Role,
    /// The invitee's name (else they choose it when joining).
    #[arg(long, default_value = "")]
    pub name: String,
    /// How long the ticket is valid, e.g. 30m, 48h, 7d.
    #[arg(long, default_value = "48h")]
    pub expires: String,
    /// How many devices may join with it.
    #[arg(long, default_value_t = 1)]
    pub uses: u32,
    /// Also print the ticket as a QR code.
    #[arg(long)]
    pub qr: bool,
}

/// Invitation commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum InviteCmd {
    /// List the plan's invitations (with --plan) or all of them.
    List,
    /// Revoke an invitation: no one can join with it any more.
    Revoke {
        /// Its id (or a unique prefix), from `tandem invite list`.
        id: String,
    },
}

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
pub(crate) fn lifetime(s: &str) -> Result<u64, Fail> {
    let d = crate::durations::wait_duration(s)?;
    Ok(d.as_secs())
}

pub(crate) fn print_ticket(
    ctx: &Ctx,
    info: &InviteInfo,
    show_qr: bool,
    intro: &str,
) -> Result<(), Fail> {
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

pub(crate) fn invite(args: InviteArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match args.cmd {
        Some(InviteCmd::List) => {
            let plan = ctx.plan.clone();
            let list = ctx.call(InviteList { plan })?;
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No invitations. Make one with: tandem invite --role mentee\n".into();
                }
                list.iter().map(|i| invite_line(i, s) + "\n").collect()
            })
        }
        Some(InviteCmd::Revoke { id }) => {
            let i = ctx.call(InviteRevoke { id })?;
            ctx.emit(&i, || {
                format!(
                    "Revoked invitation {}; no one can join with it now.\n",
                    i.id
                )
            })
        }
        None => {
            let new = NewInvite {
                plan: ctx.plan.clone(),
                role: args.role,
                name: args.name,
                expires_in: lifetime(&args.expires)?,
                uses: args.uses,
                link: false,
                addrs: Vec::new(),
            };
            let i = ctx.call(new)?;
            print_ticket(
                ctx,
                &i,
                args.qr,
                &format!(
                    "Invitation to join as {}. On their device, they run:  tandem join TICKET",
                    i.role.as_str()
                ),
            )
        }
    }
}

/// `tandem join`.
#[derive(Debug, clap::Args)]
pub struct JoinArgs {
    /// The ticket (`-` reads it from stdin).
    ticket: String,
    /// Your name, as the plan will show it (ignored for a device link).
    #[arg(long, default_value = "")]
    name: String,
    /// A label for this device, e.g. "home laptop".
    #[arg(long, default_value = "")]
    device: String,
    /// How long to wait for the plan to arrive after joining.
    #[arg(long, default_value = "60s")]
    timeout: String,
}

pub(crate) fn join(
    JoinArgs {
        ticket,
        name,
        device,
        timeout,
    }: JoinArgs,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let timeout = timeout.as_str();
    let limit = crate::durations::wait_duration(timeout)?;
    let ticket = input::text(ticket)?;
    // Read it here first, so a mistyped ticket is refused before anything is dialled.
    let body = tandem_proto::ticket::TicketBody::decode(&ticket)
        .map_err(|e| Fail::Usage(e.to_string()))?;
    let spinner = crate::progress::Progress::start(
        ctx.json,
        &format!(
            "Asking {} to let this device join (at {})...",
            body.inviter,
            if body.addrs.is_empty() {
                "no address".to_string()
            } else {
                body.addrs.join(", ")
            }
        ),
    );
    let Joined {
        plan,
        title,
        role,
        name,
        inviter,
        clock,
    } = ctx.call(Join {
        ticket,
        name,
        device,
    })?;
    if let Some(clock) = &clock {
        spinner.line(&format!("Warning: {clock}."), true);
    }
    spinner.say(format!(
        "Accepted as {} ({}). Receiving the plan...",
        name,
        role.as_str()
    ));
    // The inviter sends the plan over sync; wait for it to be stored here.
    let start = Instant::now();
    loop {
        match ctx.call(PlanGet {
            plan: Some(plan.to_string()),
        }) {
            Ok(_) => break,
            Err(Fail::NotFound(_)) => {} // not here yet
            Err(e) => return Err(e),
        }
        if start.elapsed() >= limit {
            return Err(Fail::Other(format!(
                "joined plan {plan} ('{title}'), but it has not arrived after {timeout}; it will keep syncing in the background"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(spinner);
    let v = serde_json::json!({
        "plan": plan, "title": title, "role": role, "name": name, "inviter": inviter, "clock": clock,
    });
    let plans = ctx.call(tandem_proto::api::PlanList)?;
    let current = match (plans.iter().find(|p| p.current), plans.as_slice()) {
        (_, [_]) => "It is the only plan here, so commands use it.".to_string(),
        (Some(c), _) if c.id == plan => "It is the current plan.".to_string(),
        (Some(c), _) => format!(
            "The current plan is still '{}'; switch with: tandem plan use {}",
            c.title,
            tandem_proto::ids::short(&plan)
        ),
        (None, _) => format!(
            "No plan is current; make this one current with: tandem plan use {}",
            tandem_proto::ids::short(&plan)
        ),
    };
    ctx.emit(&v, || {
        format!(
            "Joined '{title}' as {} ({}). Plan {plan}; see it with: tandem plan show --plan {}\n{current}\n",
            name,
            role.as_str(),
            tandem_proto::ids::short(&plan)
        )
    })
}
