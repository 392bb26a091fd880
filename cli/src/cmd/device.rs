//! `tandem device ...`: this device's identity, links that make another
//! device of yours a member, and a person's devices in a plan.

use clap::Subcommand;
use tandem_proto::api::NewInvite;
use tandem_proto::model::Role;

use super::Ctx;
use super::invite::{lifetime, print_ticket};
use super::member::member_line;
use super::status::{daemon_status, my_peer_id};
use crate::fail::Fail;

/// Device commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum DeviceCmd {
    /// Show this device's PeerId.
    Show,
    /// Print a ticket that makes another device of yours a member of the
    /// plan with your name and role (run `tandem join TICKET` there).
    Link {
        /// How long the ticket is valid, e.g. 30m, 48h, 7d.
        #[arg(long, default_value = "1h")]
        expires: String,
        /// Also print the ticket as a QR code.
        #[arg(long)]
        qr: bool,
    },
    /// List the devices of a person in the plan (default: yours).
    List {
        /// Whose devices (a name in the member list).
        #[arg(long)]
        name: Option<String>,
    },
}

pub(crate) fn run(cmd: DeviceCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        DeviceCmd::Show => {
            let st = daemon_status(ctx)?;
            let v =
                serde_json::json!({ "peer_id": st.peer_id, "actor": st.device, "home": st.home });
            ctx.emit(&v, || {
                format!(
                    "PeerId: {}\n  Give it to a plan's mentor, who runs: tandem member add {} --name NAME --role ROLE\n",
                    st.peer_id, st.peer_id
                )
            })
        }
        DeviceCmd::Link { expires, qr } => link(&expires, qr, ctx),
        DeviceCmd::List { name } => list(name, ctx),
    }
}

fn link(expires: &str, show_qr: bool, ctx: &mut Ctx) -> Result<(), Fail> {
    let new = NewInvite {
        plan: ctx.plan.clone(),
        role: Role::Observer, // ignored for a link: the person's own role is used
        name: String::new(),
        expires_in: lifetime(expires)?,
        uses: 1,
        link: true,
        addrs: Vec::new(),
    };
    let i = ctx.call(new)?;
    print_ticket(
        ctx,
        &i,
        show_qr,
        &format!(
            "Link another device of {} ({}). On that device, run:  tandem join TICKET",
            i.name,
            i.role.as_str()
        ),
    )
}

fn list(name: Option<String>, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let plan = ctx.fetch_plan()?;
    let me = my_peer_id(ctx)?;
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
            .map(|m| member_line(m, &me, s) + "\n")
            .collect()
    })
}
