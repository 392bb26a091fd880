//! `tandem cert ...`: certifications, their syntax and how they are
//! carried out.

use clap::Subcommand;
use jiff::civil::Date;
use tandem_proto::api::Item;
use tandem_proto::edit::{CertPatch, CertificationOp, Edit, NewCert};
use tandem_proto::ids::short;
use tandem_proto::model::{CertStatus, Certification};

use super::Ctx;
use crate::fail::Fail;

/// Certification commands.
#[derive(Debug, Subcommand)]
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
    /// Change a credential.
    Update {
        /// Its id (or a unique prefix).
        id: String,
        /// Where it stands.
        #[arg(long, value_enum, ignore_case = true)]
        status: Option<CertStatus>,
        /// Dates and CE requirement to change.
        #[command(flatten)]
        fields: CertFields,
    },
}

/// The optional fields of a certification, shared by `cert add` and `cert update`.
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
    pub ce_required: Option<f64>,
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

type Dates = (Option<Date>, Option<Date>, Option<Date>);

/// The dates of `CertFields`, parsed.
fn cert_dates(ctx: &Ctx, f: &CertFields) -> Result<Dates, Fail> {
    let d = |s: &Option<String>| s.as_deref().map(|d| ctx.date(d)).transpose();
    Ok((d(&f.exam_date)?, d(&f.earned_on)?, d(&f.renewal_due)?))
}

pub(crate) fn run(cmd: CertCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        CertCmd::Add {
            credential,
            status,
            fields,
        } => {
            let (exam_date, earned_on, renewal_due) = cert_dates(ctx, &fields)?;
            let edit = Edit::Certification(CertificationOp::Add(NewCert {
                credential,
                status,
                exam_date,
                earned_on,
                renewal_due,
                ce_required: fields.ce_required,
            }));
            cert_edit(ctx, edit, "Added")
        }
        CertCmd::Update { id, status, fields } => {
            let (exam_date, earned_on, renewal_due) = cert_dates(ctx, &fields)?;
            let edit = Edit::Certification(CertificationOp::Edit {
                cert: id,
                patch: CertPatch {
                    status,
                    exam_date,
                    earned_on,
                    renewal_due,
                    ce_required: fields.ce_required,
                },
            });
            cert_edit(ctx, edit, "Updated")
        }
        CertCmd::List => {
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
