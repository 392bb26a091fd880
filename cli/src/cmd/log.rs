//! `tandem log`: a plan's history, who changed what and when; with
//! `--item`, the audit trail of one item: each change with the member and
//! device that made it and each field's old and new value, as a table for
//! people or CSV for an auditor (what quality-system rules ask of an
//! electronic record: 21 CFR 11.10(e), CLIA's record rules at 42 CFR
//! 493.1105 and 493.1283).

use tandem_proto::api::History;
use tandem_proto::model::LogEntry;

use super::{Ctx, print};
use crate::fail::Fail;
use crate::render;

/// How `tandem log` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people (with `--item`, each field's old and new value).
    Text,
    /// Comma-separated values, one row per field changed, for an auditor.
    Csv,
}

/// `tandem log`.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Show at most this many changes.
    #[arg(long, short = 'n')]
    limit: Option<usize>,
    /// Only the changes that touched this item (id or prefix, any kind),
    /// with each field's old and new value.
    #[arg(long)]
    item: Option<String>,
    /// Output format (`--json` prints JSON whatever this says).
    #[arg(long, short, value_enum, ignore_case = true, default_value_t = LogFormat::Text)]
    format: LogFormat,
}

/// A value as a log line shows it: quoted, shortened, "(none)" when absent.
fn shown(v: Option<&String>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) if v.chars().count() > 60 => {
            format!("“{}…”", v.chars().take(59).collect::<String>())
        }
        Some(v) => format!("“{v}”"),
    }
}

fn csv_of(entries: &[LogEntry]) -> Result<String, Fail> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Fail::Other(format!("cannot write CSV: {e}"));
    w.write_record([
        "time",
        "member",
        "role",
        "device",
        "peer id",
        "change",
        "field",
        "old value",
        "new value",
        "change hash",
    ])
    .map_err(fail)?;
    for e in entries {
        let head = [
            e.time.to_string(),
            e.name.clone().unwrap_or_else(|| e.author.clone()),
            e.role.map(|r| r.as_str().to_string()).unwrap_or_default(),
            e.device.clone().unwrap_or_default(),
            e.peer.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            e.message.clone(),
        ];
        if e.changes.is_empty() {
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain([String::new(), String::new(), String::new(), e.hash.clone()])
                .collect();
            w.write_record(&row).map_err(fail)?;
        }
        for c in &e.changes {
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain([
                    c.field.clone(),
                    c.old.clone().unwrap_or_default(),
                    c.new.clone().unwrap_or_default(),
                    e.hash.clone(),
                ])
                .collect();
            w.write_record(&row).map_err(fail)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| Fail::Other(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Fail::Other(e.to_string()))
}

pub(crate) fn run(
    LogArgs {
        limit,
        item,
        format,
    }: LogArgs,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let s = ctx.style;
    let plan = ctx.plan.clone();
    let entries = ctx.call(History { plan, limit, item })?;
    if format == LogFormat::Csv && !ctx.json {
        return print(&csv_of(&entries)?);
    }
    ctx.emit_long(&entries, || {
        entries
            .iter()
            .map(|e| {
                let mut out = render::log_line(e, ctx.ids, s) + "\n";
                for c in &e.changes {
                    out += &format!(
                        "      {}: {} → {}\n",
                        c.field,
                        shown(c.old.as_ref()),
                        shown(c.new.as_ref())
                    );
                }
                out
            })
            .collect()
    })
}
