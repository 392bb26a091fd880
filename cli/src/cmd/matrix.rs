//! `tandem matrix`: every person × test system across all plans on this
//! device, most urgent first (overdue, in remediation, due soon, never
//! assessed, in progress, signed), for an education coordinator who
//! observes many plans; as a table, `--json`, or `--format csv`.

use tandem_proto::matrix::{Cell, Standing, cells};

use super::{Ctx, print};
use crate::fail::Fail;

/// How `tandem matrix` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row, for a spreadsheet.
    Csv,
}

/// `tandem matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Output format (`--json` prints JSON whatever this says).
    #[arg(long, short, value_enum, ignore_case = true, default_value_t = MatrixFormat::Table)]
    format: MatrixFormat,
}

fn csv_of(all: &[Cell]) -> Result<String, Fail> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Fail::Other(format!("cannot write CSV: {e}"));
    w.write_record(tandem_proto::matrix::CSV_HEADER)
        .map_err(fail)?;
    for c in all {
        w.write_record(c.csv_row()).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Fail::Other(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Fail::Other(e.to_string()))
}

fn table(all: &[Cell], s: crate::style::Style) -> String {
    if all.is_empty() {
        return "No competencies in any plan on this device.\n".into();
    }
    let w_person = all
        .iter()
        .map(|c| c.person.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let w_system = all
        .iter()
        .map(|c| c.system.chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    let mut out = format!(
        "{:<w_person$}  {:<w_system$}  STATUS\n",
        "PERSON", "TEST SYSTEM"
    );
    for c in all {
        let words = c.standing.words(c.due);
        let shown = match c.standing {
            Standing::Overdue { .. } | Standing::InRemediation => s.bold(&words),
            _ => words,
        };
        out += &format!(
            "{:<w_person$}  {:<w_system$}  {shown}\n",
            c.person, c.system
        );
    }
    out
}

pub(crate) fn run(MatrixArgs { format }: MatrixArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let plans = ctx.every_plan()?;
    let all = cells(&plans, ctx.today());
    if ctx.json {
        return ctx.emit(&all, String::new);
    }
    match format {
        MatrixFormat::Csv => print(&csv_of(&all)?),
        MatrixFormat::Table => {
            let s = ctx.style;
            ctx.emit_long(&all, || table(&all, s))
        }
    }
}
