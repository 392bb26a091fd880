//! `tandem cert ...`: certifications, their syntax and how they are
//! carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{CertPatch, CertificationOp, Edit, NewCert};
use tandem_proto::ids::short;
use tandem_proto::model::{CertStatus, Certification};

use super::Ctx;
use super::items::{self, RmArgs};
use crate::fail::Fail;

/// Certification commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CertCmd {
    /// Record a credential.
    Add {
        /// The credential, e.g. MLS, MLT, PBT, HT.
        credential: String,
        /// Where it stands.
        #[arg(long, value_enum, ignore_case = true, default_value_t = CertStatus::Planned)]
        status: CertStatus,
        /// Dates and CE requirement.
        #[command(flatten)]
        fields: CertFields,
    },
    /// List credentials.
    List,
    /// Show a credential.
    Show {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Change a credential (`none` clears a date or the CE requirement).
    #[command(visible_alias = "edit")]
    Update {
        /// Its id (or a unique prefix).
        id: String,
        /// New name of the credential.
        #[arg(long)]
        credential: Option<String>,
        /// Where it stands.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<CertStatus>,
        /// Dates and CE requirement to change.
        #[command(flatten)]
        fields: CertFields,
    },
    /// Remove a credential.
    Rm(RmArgs),
}

// The optional fields of a certification, shared by `cert add` and `cert update`.
#[derive(Debug, clap::Args)]
pub struct CertFields {
    /// Target or booked exam date.
    #[arg(long)]
    pub exam_date: Option<String>,
    /// When it was earned.
    #[arg(long)]
    pub earned_on: Option<String>,
    /// When renewal is due (end of the CE cycle).
    #[arg(long)]
    pub renewal_due: Option<String>,
    /// CE points required per cycle (check your certifying body).
    #[arg(long)]
    pub ce_required: Option<String>,
}

fn cert_line(c: &Certification) -> String {
    let mut parts = vec![format!(
        "{}  {:<10} {}",
        short(&c.id),
        c.credential,
        c.status.as_str()
    )];
    if let Some(d) = c.exam_date {
        parts.push(format!("exam {d}"));
    }
    if let Some(d) = c.earned_on {
        parts.push(format!("earned {d}"));
    }
    if let Some(d) = c.renewal_due {
        parts.push(format!("renewal due {d}"));
    }
    if let Some(p) = c.ce_required {
        parts.push(format!("{p} CE points per cycle"));
    }
    parts.join("  ")
}

/// Makes a certification edit and prints the result ("Added ...", "Updated ...").
fn cert_edit(ctx: &mut Ctx, edit: Edit, verb: &str) -> Result<(), Fail> {
    let item = ctx.edit(edit)?;
    let human = match &item {
        Item::Certification(c) => format!("{verb} {}", cert_line(c)),
        _ => verb.into(),
    };
    ctx.emit_item(&item, &human)
}

/// `CertFields` as a patch: each date and the CE requirement parsed,
/// `none` clearing one.
fn cert_patch(ctx: &Ctx, f: &CertFields) -> Result<CertPatch, Fail> {
    let d = |s: &Option<String>| items::date_change(ctx, s.as_deref());
    let ce_required = match f.ce_required.as_deref().map(str::trim) {
        None => None,
        Some("none" | "") => Some(None),
        Some(n) => Some(Some(n.parse::<f64>().map_err(|_| {
            Fail::Usage(format!(
                "CE required: '{n}' is not a number of points (e.g. 36), or none"
            ))
        })?)),
    };
    Ok(CertPatch {
        credential: None,
        status: None,
        exam_date: d(&f.exam_date)?,
        earned_on: d(&f.earned_on)?,
        renewal_due: d(&f.renewal_due)?,
        ce_required,
    })
}

pub(crate) fn run(cmd: CertCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        CertCmd::Add {
            credential,
            status,
            fields,
        } => {
            let p = cert_patch(ctx, &fields)?;
            let edit = Edit::Certification(CertificationOp::Add(NewCert {
                credential,
                status,
                exam_date: p.exam_date.flatten(),
                earned_on: p.earned_on.flatten(),
                renewal_due: p.renewal_due.flatten(),
                ce_required: p.ce_required.flatten(),
            }));
            cert_edit(ctx, edit, "Added")
        }
        CertCmd::Update {
            id,
            credential,
            status,
            fields,
        } => {
            let patch = CertPatch {
                credential,
                status,
                ..cert_patch(ctx, &fields)?
            };
            if patch == CertPatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --credential, --status, --exam-date, --earned-on, --renewal-due or --ce-required".into(),
                ));
            }
            let edit = Edit::Certification(CertificationOp::Edit { cert: id, patch });
            cert_edit(ctx, edit, "Updated")
        }
        CertCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let c = items::find::<Certification>(&plan, &id)?;
            items::show(ctx, &plan, c, || crate::details::cert(c, ctx.style))
        }
        CertCmd::Rm(args) => items::remove::<Certification>(ctx, args, |cert| {
            Edit::Certification(CertificationOp::Rm { cert })
        }),
        CertCmd::List => {
            if ctx.json {
                return ctx.emit_plan_list("certifications");
            }
            let plan = ctx.fetch_plan()?;
            ctx.emit(&plan.certifications, || {
                if plan.certifications.is_empty() {
                    return "No certifications. Add one with: tandem cert add MLS --exam-date 2027-05-01\n".into();
                }
                plan.certifications
                    .iter()
                    .map(|c| cert_line(c) + "\n")
                    .collect()
            })
        }
    }
}
