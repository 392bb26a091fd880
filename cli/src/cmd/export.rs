//! `tandem export` and `tandem import`: the plan as a file (JSON,
//! Markdown, iCalendar) and back.

use std::path::PathBuf;

use tandem_proto::api::PlanImport;

use super::{Ctx, print};
use crate::fail::Fail;
use crate::markdown;

/// `tandem export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, short, value_enum, ignore_case = true, default_value_t = ExportFormat::Markdown)]
    format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// iCalendar: remind this many minutes before a meeting (0: no reminder).
    #[arg(long, value_name = "MINUTES", default_value_t = 15)]
    remind_meeting: u32,
    /// iCalendar: remind this many days before a due date (0: no reminder).
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    remind_due: u32,
}

/// `tandem import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The export file (`-` reads it from stdin).
    file: PathBuf,
}

/// What `tandem export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The whole plan, in the versioned JSON schema `tandem import` reads.
    Json,
    /// A report for people.
    Markdown,
    /// An iCalendar file of meetings and due dates.
    Ics,
}

pub(crate) fn export(
    ExportArgs {
        format,
        output,
        remind_meeting,
        remind_due,
    }: ExportArgs,
    ctx: &mut Ctx,
) -> Result<(), Fail> {
    let plan = ctx.fetch_plan()?;
    let text = match format {
        ExportFormat::Json => {
            let doc =
                serde_json::json!({ "tandem_export": tandem_proto::EXPORT_VERSION, "plan": plan });
            serde_json::to_string_pretty(&doc).map_err(|e| Fail::Other(e.to_string()))? + "\n"
        }
        ExportFormat::Ics => tandem_proto::ics::calendar(
            &plan,
            tandem_proto::ics::Reminders {
                meeting_minutes: Some(remind_meeting).filter(|m| *m > 0),
                due_days: Some(remind_due).filter(|d| *d > 0),
            },
        ),
        ExportFormat::Markdown => markdown::report(&plan, ctx.today()),
    };
    match output {
        None => print(&text),
        Some(path) => {
            std::fs::write(&path, text)
                .map_err(|e| Fail::Other(format!("cannot write {}: {e}", path.display())))?;
            if !ctx.json {
                print(&format!("Exported {} to {}\n", plan.title, path.display()))?;
            }
            Ok(())
        }
    }
}

/// `tandem import FILE`: a new plan from an export, checked here before it is sent.
pub(crate) fn import(ImportArgs { file }: ImportArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let file = file.as_path();
    let (text, from) = if file.as_os_str() == "-" {
        (crate::input::stdin()?, "stdin".to_string())
    } else {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Fail::Usage(format!("cannot read {}: {e}", file.display())))?;
        (text, file.display().to_string())
    };
    let plan = tandem_proto::export::parse(&text)
        .and_then(|p| tandem_proto::export::check(&p).map(|()| p))
        .map_err(|e| Fail::Usage(format!("{from}: {e}")))?;
    let original = plan.id.clone();
    let spinner = crate::progress::Progress::start(ctx.json, "Importing the plan...");
    let p = ctx.call(PlanImport(Box::new(plan)))?;
    drop(spinner);
    ctx.emit(&p, || {
        let signoffs: usize = p.competencies.iter().map(|c| c.signoffs.len()).sum();
        let mut out = format!(
            "Imported {} as plan {} (from plan {original}): {} goals, {} actions, {} meetings, {} competencies, {} CE activities, {} certifications.\n\
             It is the current plan, and this device is its only member: invite the others with `tandem invite`.\n",
            p.title,
            tandem_proto::ids::short(&p.id),
            p.goals.len(),
            p.actions.len(),
            p.meetings.len(),
            p.competencies.len(),
            p.ce.len(),
            p.certifications.len(),
        );
        if signoffs > 0 {
            out.push_str(&format!(
                "{signoffs} sign-off(s) came along; they attest plan {original}, so `competency verify` reports them as not valid here.\n"
            ));
        }
        out
    })
}
