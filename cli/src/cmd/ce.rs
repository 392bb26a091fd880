//! `tandem ce add|list|rm|summary` and `tandem cert add|list|update`.

use sha2::{Digest, Sha256};
use tandem_proto::api::Item;
use tandem_proto::edit::Edit;
use tandem_proto::ids::short;
use tandem_proto::model::{CeActivity, CertStatus, Certification};

use super::{Ctx, parse};
use crate::args::{CeCmd, CertCmd, CertFields};
use crate::fail::Fail;
use jiff::civil::Date;

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

pub(super) fn ce(cmd: CeCmd, ctx: &mut Ctx) -> Result<(), Fail> {
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

pub(super) fn cert(cmd: CertCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    match cmd {
        CertCmd::Add {
            credential,
            status,
            fields,
        } => {
            let status: CertStatus = parse(&status)?;
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
            let status = status.as_deref().map(parse::<CertStatus>).transpose()?;
            let (exam_date, earned_on, renewal_due) = cert_dates(ctx, &fields)?;
            let edit = Edit::CertUpdate {
                cert: id,
                status,
                exam_date,
                earned_on,
                renewal_due,
                ce_required: fields.ce_required,
            };
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
