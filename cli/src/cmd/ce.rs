//! `tandem ce ...`: continuing-education activities, their syntax and how
//! they are carried out.

use clap::Subcommand;
use sha2::{Digest, Sha256};
use tandem_proto::api::Item;
use tandem_proto::edit::{CeOp, Edit, NewCe};
use tandem_proto::ids::short;
use tandem_proto::model::CeActivity;

use super::Ctx;
use crate::fail::Fail;

/// CE commands.
#[derive(Debug, Subcommand)]
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
        /// The certificate: a file (its path and SHA-256 are recorded) or any reference.
        #[arg(long, default_value = "")]
        certificate: String,
    },
    /// List activities, newest first.
    List,
    /// Remove an activity.
    Rm {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Totals for each earned certification's cycle against its requirement.
    Summary,
}

/// What to record for `--certificate`: a file's path and SHA-256 (so a
/// swapped file can be noticed), or the reference as given.
fn certificate(arg: &str) -> Result<String, Fail> {
    let path = std::path::Path::new(arg);
    if arg.is_empty() || !path.is_file() {
        return Ok(arg.to_string());
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
                certificate: certificate(&cert)?,
            })))?;
            let human = match &item {
                Item::Ce(a) => format!("Logged {}", ce_line(a)),
                _ => "Logged".into(),
            };
            ctx.emit_item(&item, &human)
        }
        CeCmd::Rm { id } => {
            let item = ctx.edit(Edit::Ce(CeOp::Rm { ce: id }))?;
            ctx.emit_item(&item, "Removed the CE activity")
        }
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
