//! `tandem contact ...`: networking contacts, their syntax and how they are
//! carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{ContactOp, ContactPatch, Edit, NewContact};
use tandem_proto::ids::short;
use tandem_proto::model::Contact;

use super::Ctx;
use super::items::{self, RmArgs};
use crate::fail::Fail;
use crate::{input, render};

/// Contact commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
    /// Show a contact.
    Show {
        /// Contact id or prefix.
        id: String,
    },
    /// Change a contact's fields.
    Edit {
        /// Contact id or prefix.
        id: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New organization.
        #[arg(long)]
        org: Option<String>,
        /// How the mentee met them.
        #[arg(long)]
        how_met: Option<String>,
        /// Who introduced them.
        #[arg(long)]
        introduced_by: Option<String>,
        /// New notes (`-` reads stdin).
        #[arg(long)]
        notes: Option<String>,
    },
    /// Remove a contact.
    Rm(RmArgs),
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
            if ctx.json {
                return ctx.emit_plan_list("contacts");
            }
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
        ContactCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let c = items::find::<Contact>(&plan, &id)?;
            items::show(ctx, &plan, c, || crate::details::contact(c, s))
        }
        ContactCmd::Edit {
            id,
            name,
            org,
            how_met,
            introduced_by,
            notes,
        } => {
            let patch = ContactPatch {
                name,
                organization: org,
                how_met,
                introduced_by,
                notes: input::opt_text(notes)?,
            };
            if patch == ContactPatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --name, --org, --how-met, --introduced-by or --notes"
                        .into(),
                ));
            }
            let item = ctx.edit(Edit::Contact(ContactOp::Edit { contact: id, patch }))?;
            let human = match &item {
                Item::Contact(c) => format!("Updated contact {}: {}", short(&c.id), c.name),
                _ => "Updated contact".into(),
            };
            ctx.emit_item(&item, &human)
        }
        ContactCmd::Rm(args) => items::remove::<Contact>(ctx, args, |contact| {
            Edit::Contact(ContactOp::Rm { contact })
        }),
    }
}
