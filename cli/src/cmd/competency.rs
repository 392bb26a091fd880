//! `tandem competency ...`: records, the six elements, signed sign-offs and
//! their verification (done here, on the plan as this device holds it).

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::competency::{ELEMENTS, Schedule};
use tandem_proto::edit::{AssessmentOp, CompetencyOp, Edit, SignoffOp};
use tandem_proto::ids::{self, short};
use tandem_proto::model::{Assessment, AssessmentResult, Competency, CompetencyStage, Plan};
use tandem_proto::signing::verify;

use super::Ctx;
use super::goal::api;
use crate::fail::Fail;
use crate::input;
use crate::record::RecordFormat;

/// Competency commands.
#[derive(Debug, Subcommand)]
pub enum CompetencyCmd {
    /// Start a competency record for a test system or procedure.
    Add {
        /// The test system or procedure, e.g. "Sysmex XN-1000 CBC".
        system: String,
    },
    /// List competency records with their stage, elements, sign-offs and next due date.
    List,
    /// One record in full, with each sign-off verified.
    Show {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Remove a competency record with its assessments and sign-offs.
    Rm(super::items::RmArgs),
    /// Move a record to training, supervised or independent.
    Stage {
        /// Its id (or a unique prefix).
        id: String,
        /// The new stage.
        #[arg(value_enum, ignore_case = true)]
        stage: CompetencyStage,
        /// When training was completed (reassessments fall due from it), e.g. 2026-11-30, today.
        #[arg(long)]
        trained_on: Option<String>,
    },
    /// Record one of the six assessment elements (see `tandem competency elements`).
    Assess {
        /// Its id (or a unique prefix).
        id: String,
        /// The element, 1 to 6.
        #[arg(long, short)]
        element: u8,
        /// The result.
        #[arg(long, short, value_enum, ignore_case = true)]
        result: AssessmentResult,
        /// Who assessed it.
        #[arg(long, short)]
        assessor: String,
        /// When (default: today).
        #[arg(long, short, default_value = "today")]
        date: String,
        /// How: method, samples, records reviewed (`-` reads stdin).
        #[arg(long, short, default_value = "")]
        method: String,
    },
    /// Sign off a record with this device's key (mentor devices only; all six elements passed).
    Signoff {
        /// Its id (or a unique prefix).
        id: String,
    },
    /// Check every sign-off (or one record's) against the record as it is now; exits 1 if any fails.
    Verify {
        /// Only this record.
        id: Option<String>,
    },
    /// A printable competency record (all records, or one), with each sign-off's verification.
    Record {
        /// Only this record.
        id: Option<String>,
        /// How to write it.
        #[arg(long, short, value_enum, ignore_case = true, default_value_t = RecordFormat::Markdown)]
        format: RecordFormat,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Show when competencies fall due again, or set it (in months after
    /// training; CLIA's rule, the default, is 6 and 12, then every 12).
    Schedule {
        /// The first-year assessments, e.g. 6,12.
        #[arg(long, value_delimiter = ',')]
        first: Option<Vec<u32>>,
        /// Then every so many months.
        #[arg(long)]
        every: Option<u32>,
    },
    /// The six CLIA assessment elements.
    Elements,
}

/// "Competencies fall due 6 and 12 months after training, then every 12 months."
fn schedule_sentence(s: &Schedule) -> String {
    let months: Vec<String> = s.first.iter().map(u32::to_string).collect();
    let first = match months.as_slice() {
        [] => String::new(),
        [one] => format!("{one} months after training, then "),
        [init @ .., last] => format!(
            "{} and {last} months after training, then ",
            init.join(", ")
        ),
    };
    format!("Competencies fall due {first}every {} months.", s.every)
}

fn find<'p>(plan: &'p Plan, prefix: &str) -> Result<&'p Competency, Fail> {
    let id = ids::resolve(
        "competency",
        prefix,
        plan.competencies.iter().map(|c| c.id.as_str()),
    )
    .map_err(api)?;
    plan.competencies
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Fail::NotFound(format!("no competency {prefix}")))
}

/// Each sign-off of `c` with its verification result.
fn checks(plan: &Plan, c: &Competency) -> Vec<serde_json::Value> {
    c.signoffs
        .iter()
        .map(|s| {
            let r = verify(plan, c, s);
            serde_json::json!({
                "competency": c.id, "system": c.system, "assessor": s.assessor, "name": s.name,
                "signed_at": s.signed_at, "valid": r.is_ok(),
                "error": r.err().map(|e| e.to_string()),
            })
        })
        .collect()
}

fn detail(plan: &Plan, c: &Competency, s: crate::style::Style) -> String {
    let mut out = crate::render::competency_line(plan, c, s) + "\n";
    if let Some(t) = c.trained_on {
        out += &format!("  training completed {t}\n");
    }
    for (i, name) in ELEMENTS.iter().enumerate() {
        let n = i as u8 + 1;
        match c.assessments.iter().find(|a| a.element == n) {
            Some(a) => {
                out += &format!(
                    "  {n}. {name}\n     {} on {} by {}{}\n",
                    a.result.as_str(),
                    a.date,
                    a.assessor,
                    if a.method.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", a.method)
                    }
                )
            }
            None => out += &format!("  {n}. {name}\n     {}\n", s.dim("not assessed")),
        }
    }
    for v in checks(plan, c) {
        let ok = v["valid"] == true;
        out += &format!(
            "  sign-off by {} at {}: {}\n",
            v["name"].as_str().unwrap_or(""),
            v["signed_at"].as_str().unwrap_or(""),
            if ok {
                s.green("verified")
            } else {
                s.bold(&format!("FAILED: {}", v["error"].as_str().unwrap_or("")))
            }
        );
    }
    out
}

fn competency_item(item: &Item) -> Option<&Competency> {
    match item {
        Item::Competency(c) => Some(c),
        _ => None,
    }
}

pub(crate) fn run(cmd: CompetencyCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let edited = |ctx: &mut Ctx, edit: Edit, verb: &str| -> Result<(), Fail> {
        let item = ctx.edit(edit)?;
        let human = competency_item(&item)
            .map(|c| format!("{verb} competency {}: {}", short(&c.id), c.system))
            .unwrap_or_else(|| verb.to_string());
        ctx.emit_item(&item, &human)
    };
    match cmd {
        CompetencyCmd::Add { system } => {
            edited(ctx, Edit::Competency(CompetencyOp::Add { system }), "Added")
        }
        CompetencyCmd::Stage {
            id,
            stage,
            trained_on,
        } => {
            let trained_on = trained_on.map(|d| ctx.date(&d)).transpose()?;
            edited(
                ctx,
                Edit::Competency(CompetencyOp::Edit {
                    competency: id,
                    stage,
                    trained_on,
                }),
                "Updated",
            )
        }
        CompetencyCmd::Assess {
            id,
            element,
            result,
            assessor,
            date,
            method,
        } => {
            let date = ctx.date(&date)?;
            let method = input::text(method)?;
            let assessment = Assessment {
                element,
                date,
                assessor,
                method,
                result,
            };
            edited(
                ctx,
                Edit::Assessment(AssessmentOp::Add {
                    competency: id,
                    assessment,
                }),
                "Assessed",
            )
        }
        CompetencyCmd::Signoff { id } => edited(
            ctx,
            Edit::Signoff(SignoffOp::Add {
                competency: id,
                signoff: None,
            }),
            "Signed off",
        ),
        CompetencyCmd::Schedule { first, every } => {
            let now = ctx.fetch_plan()?.competency_schedule;
            if first.is_none() && every.is_none() {
                let line = format!("{}\n", schedule_sentence(&now));
                return ctx.emit(&now, || line.clone());
            }
            // What is not given stays as it is.
            let schedule = Schedule {
                first: first.unwrap_or(now.first),
                every: every.unwrap_or(now.every),
            };
            schedule.validate().map_err(Fail::Usage)?;
            ctx.edit(Edit::Competency(CompetencyOp::Schedule(schedule.clone())))?;
            let line = format!("Schedule set. {}\n", schedule_sentence(&schedule));
            ctx.emit(&schedule, || line.clone())
        }
        CompetencyCmd::Elements => {
            let list: Vec<serde_json::Value> = ELEMENTS
                .iter()
                .enumerate()
                .map(|(i, e)| serde_json::json!({ "element": i + 1, "name": e }))
                .collect();
            ctx.emit(&list, || {
                ELEMENTS
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{}. {e}\n", i + 1))
                    .collect()
            })
        }
        CompetencyCmd::List => {
            let plan = ctx.fetch_plan()?;
            ctx.emit(&plan.competencies, || {
                if plan.competencies.is_empty() {
                    return "No competency records. Start one with: tandem competency add \"TEST SYSTEM\"\n".into();
                }
                plan.competencies
                    .iter()
                    .map(|c| crate::render::competency_line(&plan, c, s) + "\n")
                    .collect()
            })
        }
        CompetencyCmd::Rm(args) => super::items::remove::<Competency>(ctx, args, |competency| {
            Edit::Competency(CompetencyOp::Rm { competency })
        }),
        CompetencyCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let c = find(&plan, &id)?;
            let mut v = serde_json::to_value(c).map_err(|e| Fail::Other(e.to_string()))?;
            v["verification"] = serde_json::Value::Array(checks(&plan, c));
            v["next_due"] = serde_json::json!(plan.competency_schedule.next_due(c));
            let marks: Vec<_> = plan.conflicts.iter().filter(|x| x.item == c.id).collect();
            if !marks.is_empty() {
                v["conflicts"] = serde_json::json!(marks);
            }
            ctx.emit(&v, || {
                detail(&plan, c, s) + &super::items::conflict_lines(&marks, &c.id, s)
            })
        }
        CompetencyCmd::Record { id, format, output } => {
            let plan = ctx.fetch_plan()?;
            let list: Vec<&Competency> = match &id {
                Some(id) => vec![find(&plan, id)?],
                None => plan.competencies.iter().collect(),
            };
            let text = crate::record::render(&plan, &list, format, ctx.today());
            match output {
                None => super::print(&text),
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| {
                        Fail::Other(format!("cannot write {}: {e}", path.display()))
                    })?;
                    super::print(&format!("Wrote {}\n", path.display()))
                }
            }
        }
        CompetencyCmd::Verify { id } => {
            let plan = ctx.fetch_plan()?;
            let list: Vec<&Competency> = match &id {
                Some(id) => vec![find(&plan, id)?],
                None => plan.competencies.iter().collect(),
            };
            let results: Vec<serde_json::Value> =
                list.iter().flat_map(|c| checks(&plan, c)).collect();
            let failed = results.iter().filter(|v| v["valid"] != true).count();
            ctx.emit(&results, || {
                if results.is_empty() {
                    return "No sign-offs to verify.\n".into();
                }
                results
                    .iter()
                    .map(|v| {
                        format!(
                            "{}  {}  signed by {} at {}: {}\n",
                            if v["valid"] == true {
                                s.green("OK    ")
                            } else {
                                s.bold("FAILED")
                            },
                            v["system"].as_str().unwrap_or(""),
                            v["name"].as_str().unwrap_or(""),
                            v["signed_at"].as_str().unwrap_or(""),
                            v["error"].as_str().unwrap_or("verified")
                        )
                    })
                    .collect()
            })?;
            if failed > 0 {
                return Err(Fail::Other(format!("{failed} sign-off(s) do not verify")));
            }
            Ok(())
        }
    }
}
