//! `tandem member ...`: the devices a plan is shared with, their syntax and
//! how the commands are carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, MemberOp, NewMember};
use tandem_proto::model::{Member, Role};

use super::Ctx;
use super::status::my_peer_id;
use crate::fail::Fail;

/// Member commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MemberCmd {
    /// Share the plan with a device, by its PeerId (see `tandem device show` there).
    Add {
        /// The device's PeerId (12D3KooW...).
        peer: String,
        /// The person using the device.
        #[arg(long)]
        name: String,
        /// What the device may do.
        #[arg(long, value_enum, ignore_case = true, default_value_t = Role::Mentee)]
        role: Role,
        /// A label for the device, e.g. "home laptop".
        #[arg(long, default_value = "")]
        device: String,
    },
    /// List the plan's member devices.
    List,
    /// Stop sharing the plan with a device. A retired device's past
    /// sign-offs stay valid; with `--compromised`, its sign-offs from
    /// `--since` (default: now) on are flagged for review.
    Remove {
        /// The device: its person's name (when one device carries it),
        /// "Name (device label)", its PeerId or a unique prefix of it.
        peer: String,
        /// The device was lost or stolen, or its key copied.
        #[arg(long)]
        compromised: bool,
        /// With --compromised: from when its key is in doubt ("2027-03-01 08:00",
        /// "yesterday 9am"); signatures it made from then on need review.
        #[arg(long, requires = "compromised")]
        since: Option<String>,
    },
}

pub(crate) fn member_line(m: &Member, me: &str, s: crate::style::Style) -> String {
    let you = if m.peer == me {
        s.dim("  (this device)")
    } else {
        String::new()
    };
    let device = if m.device.is_empty() {
        String::new()
    } else {
        format!(" on {}", m.device)
    };
    format!(
        "{:<8} {}{device}  {}{you}",
        m.role.as_str(),
        s.bold(&m.name),
        s.dim(&m.peer)
    )
}

pub(crate) fn run(cmd: MemberCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        MemberCmd::Add {
            peer,
            name,
            role,
            device,
        } => {
            let item = ctx.edit(Edit::Member(MemberOp::Add(NewMember {
                peer: peer.into(),
                name,
                role,
                device,
            })))?;
            let human = match &item {
                Item::Member(m) => format!("Member added: {} ({}) {}", m.name, m.role, m.peer),
                _ => "Member added".into(),
            };
            ctx.emit_item(&item, &human)
        }
        MemberCmd::List => {
            if ctx.json {
                return ctx.emit_plan_list("members");
            }
            let plan = ctx.fetch_plan()?;
            let me = if ctx.json {
                String::new()
            } else {
                my_peer_id(ctx)?
            };
            ctx.emit(&plan.members, || {
                plan.members
                    .iter()
                    .map(|m| member_line(m, &me, s) + "\n")
                    .collect()
            })
        }
        MemberCmd::Remove {
            peer,
            compromised,
            since,
        } => {
            let compromised = match (compromised, since) {
                (false, _) => None,
                (true, None) => Some(jiff::Timestamp::now()),
                (true, Some(s)) => Some(ctx.datetime(&s)?.timestamp()),
            };
            let item = ctx.edit(Edit::Member(MemberOp::Rm { peer, compromised }))?;
            let human = match &item {
                Item::Removed { id, .. } => format!("Member removed: {id}"),
                _ => "Member removed".into(),
            };
            ctx.emit_item(&item, &human)
        }
    }
}
