//! `tandem ce ...`: continuing-education activities, their syntax and how
//! they are carried out.

use clap::Subcommand;
use sha2::{Digest, Sha256};
use tandem_proto::api::Item;
use tandem_proto::edit::{CeOp, CePatch, Edit, NewCe};
use tandem_proto::ids::short;
use tandem_proto::model::CeActivity;

use super::Ctx;
use super::items::{self, RmArgs};
use crate::fail::Fail;

/// CE commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CeCmd {
    /// Log a completed activity.
    Add {
        /// What it was.
        #[arg(long)]
        title: String,
        /// Who offered it.
        #[arg(long, default_value = "")]
        provider: String,
        /// When it was completed (default: today).
        #[arg(long, default_value = "today")]
        date: String,
        /// Contact hours (ASCP CMP: 1 hour = 1 point).
        #[arg(
            long,
            conflicts_with = "points",
            required_unless_present = "points",
            allow_negative_numbers = true
        )]
        hours: Option<f64>,
        /// Points.
        #[arg(long, allow_negative_numbers = true)]
        points: Option<f64>,
        /// Content area, e.g. safety, hematology.
        #[arg(long, default_value = "")]
        category: String,
        #[command(flatten)]
        certificate: CertificateArgs,
    },
    /// List activities, newest first.
    List,
    /// Show an activity.
    Show {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Change an activity's fields.
    Edit {
        /// Its id (or a unique prefix).
        id: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New provider.
        #[arg(long)]
        provider: Option<String>,
        /// New completion date.
        #[arg(long)]
        date: Option<String>,
        /// New contact hours.
        #[arg(long, conflicts_with = "points", allow_negative_numbers = true)]
        hours: Option<f64>,
        /// New points.
        #[arg(long, allow_negative_numbers = true)]
        points: Option<f64>,
        /// New content area.
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        certificate: CertificateArgs,
    },
    /// Remove an activity.
    Rm(RmArgs),
    /// Totals for each earned certification's cycle against its requirement.
    Summary,
}

// Where the certificate is: a file, or a reference.
#[derive(Debug, clap::Args)]
pub struct CertificateArgs {
    /// The certificate file (its path and SHA-256 are recorded, so a
    /// swapped file can be noticed); it must exist.
    #[arg(long, value_name = "FILE", conflicts_with = "certificate_ref")]
    certificate: Option<std::path::PathBuf>,
    /// A reference to the certificate instead of a file, e.g. "ASCP transcript 2026".
    #[arg(long, value_name = "TEXT")]
    certificate_ref: Option<String>,
}

impl CertificateArgs {
    /// What to record, if either flag was given.
    fn recorded(&self) -> Result<Option<String>, Fail> {
        match (&self.certificate, &self.certificate_ref) {
            (Some(path), _) => certificate(path).map(Some),
            (None, r) => Ok(r.clone()),
        }
    }
}

/// A certificate file's path and SHA-256.
fn certificate(path: &std::path::Path) -> Result<String, Fail> {
    let arg = path.display();
    if !path.is_file() {
        return Err(Fail::Usage(format!(
            "certificate {arg}: no such file (for a reference that is not a file, use --certificate-ref)"
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Fail::Usage(format!("cannot read certificate {arg}: {e}")))?;
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(format!(
        "file:{} sha256:{}",
        abs.display(),
        hex::encode(Sha256::digest(&bytes))
    ))
}

fn ce_line(a: &CeActivity) -> String {
    let provider = if a.provider.is_empty() {
        String::new()
    } else {
        format!(" ({})", a.provider)
    };
    let category = if a.category.is_empty() {
        String::new()
    } else {
        format!("  [{}]", a.category)
    };
    format!(
        "{}  {}  {:>5} pts  {}{provider}{category}",
        short(&a.id),
        a.date,
        a.points,
        a.title
    )
}

pub(crate) fn run(cmd: CeCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        CeCmd::Add {
            title,
            provider,
            date,
            hours,
            points,
            category,
            certificate: cert,
        } => {
            let cert = cert.recorded()?.unwrap_or_default();
            let date = ctx.date(&date)?;
            let points = points
                .or(hours)
                .ok_or_else(|| Fail::Usage("give --hours or --points".into()))?;
            let item = ctx.edit(Edit::Ce(CeOp::Add(NewCe {
                title,
                provider,
                date,
                points,
                category,
                certificate: cert,
            })))?;
            let human = match &item {
                Item::Ce(a) => format!("Logged {}", ce_line(a)),
                _ => "Logged".into(),
            };
            ctx.emit_item(&item, &human)
        }
        CeCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let a = items::find::<CeActivity>(&plan, &id)?;
            items::show(ctx, &plan, a, || crate::details::ce(a, ctx.style))
        }
        CeCmd::Edit {
            id,
            title,
            provider,
            date,
            hours,
            points,
            category,
            certificate: cert,
        } => {
            let patch = CePatch {
                title,
                provider,
                date: date.as_deref().map(|d| ctx.date(d)).transpose()?,
                points: points.or(hours),
                category,
                certificate: cert.recorded()?,
            };
            if patch == CePatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --title, --provider, --date, --hours, --points, --category or --certificate".into(),
                ));
            }
            let item = ctx.edit(Edit::Ce(CeOp::Edit { ce: id, patch }))?;
            let human = match &item {
                Item::Ce(a) => format!("Updated {}", ce_line(a)),
                _ => "Updated".into(),
            };
            ctx.emit_item(&item, &human)
        }
        CeCmd::Rm(args) => items::remove::<CeActivity>(ctx, args, |ce| Edit::Ce(CeOp::Rm { ce })),
        CeCmd::List => {
            let plan = ctx.fetch_plan()?;
            let mut list = plan.ce.clone();
            list.sort_by_key(|a| std::cmp::Reverse(a.date));
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No CE activities. Log one with: tandem ce add --title T --hours H\n"
                        .into();
                }
                list.iter().map(|a| ce_line(a) + "\n").collect()
            })
        }
        CeCmd::Summary => {
            let plan = ctx.fetch_plan()?;
            let totals = tandem_proto::ce::summary(&plan, ctx.today());
            let s = ctx.style;
            ctx.emit(&totals, || {
                totals
                    .iter()
                    .map(|t| {
                        let who = t.credential.clone().unwrap_or_else(|| "All CE".into());
                        let need = match (t.required, t.remaining) {
                            (Some(r), Some(0.0)) => s.green(&format!("requirement of {r} met")),
                            (Some(r), Some(left)) => format!("{left} of {r} still needed"),
                            _ => {
                                s.dim("no requirement set (tandem cert update ID --ce-required N)")
                            }
                        };
                        format!(
                            "{}  {} to {}: {} points; {need}\n",
                            s.bold(&who),
                            t.start,
                            t.end,
                            t.points
                        )
                    })
                    .collect()
            })
        }
    }
}
