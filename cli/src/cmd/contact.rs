//! `tandem contact ...`: networking contacts, their syntax and how they are
//! carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{ContactOp, Edit, NewContact};
use tandem_proto::ids::short;

use super::Ctx;
use crate::fail::Fail;
use crate::{input, render};

/// Contact commands.
#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Record a networking contact.
    Add {
        /// Name.
        name: String,
        /// Organization.
        #[arg(long, default_value = "")]
        org: String,
        /// How the mentee met them.
        #[arg(long, default_value = "")]
        how_met: String,
        /// Who introduced them.
        #[arg(long, default_value = "")]
        introduced_by: String,
        /// Notes (`-` reads stdin).
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// List contacts.
    List,
}

fn added(item: &Item) -> String {
    match item {
        Item::Contact(x) => format!("Added contact {}", short(&x.id)),
        _ => "Added contact".into(),
    }
}

pub(crate) fn run(cmd: ContactCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        ContactCmd::Add {
            name,
            org,
            how_met,
            introduced_by,
            notes,
        } => {
            let notes = input::text(notes)?;
            let item = ctx.edit(Edit::Contact(ContactOp::Add(NewContact {
                name,
                organization: org,
                how_met,
                introduced_by,
                notes,
            })))?;
            ctx.emit_item(&item, &added(&item))
        }
        ContactCmd::List => {
            let plan = ctx.fetch_plan()?;
            ctx.emit(&plan.contacts, || {
                if plan.contacts.is_empty() {
                    return "No contacts yet.\n".into();
                }
                plan.contacts
                    .iter()
                    .map(|c| render::contact_line(c, s) + "\n")
                    .collect()
            })
        }
    }
}
