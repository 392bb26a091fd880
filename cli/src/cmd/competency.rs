//! `tandem competency ...`: records, the six elements, signed sign-offs and
//! their verification (done here, on the plan as this device holds it).

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::competency::{ELEMENTS, Schedule};
use tandem_proto::edit::{AssessmentOp, CompetencyOp, Edit, SignoffOp};
use tandem_proto::ids::{self, short};
use tandem_proto::model::{
    Assessment, AssessmentKind, AssessmentResult, Competency, CompetencyStage, Plan, Qualification,
    RemediationPlan,
};
use tandem_proto::signing::{verify, verify_acknowledgement};

use super::Ctx;
use super::goal::api;
use crate::fail::Fail;
use crate::input;
use crate::record::{PaperArg, RecordFormat};

/// Competency commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
        /// For a result that needs work: what to retrain (a remediation is
        /// opened either way, and stays on the agenda until the element passes).
        #[arg(long)]
        retrain: Option<String>,
        /// For a result that needs work: who retrains.
        #[arg(long)]
        by: Option<String>,
        /// For a result that needs work: reassess by this date, e.g. 2027-02-01, +2w.
        #[arg(long)]
        reassess_by: Option<String>,
    },
    /// Sign off a record with this device's key (mentor devices only; all
    /// six elements passed). The first sign-off is the initial assessment
    /// and releases the technician to independent.
    Signoff {
        /// Its id (or a unique prefix).
        id: String,
        /// Which assessment this completes (default: the one due next:
        /// initial, 6-month, 12-month, then annual).
        #[arg(long = "type", value_enum, ignore_case = true)]
        kind: Option<AssessmentKind>,
        /// Your qualification under CLIA (asked once per plan; later
        /// sign-offs from this device reuse it).
        #[arg(long, short, value_enum, ignore_case = true)]
        qualification: Option<Qualification>,
    },
    /// As the technician, acknowledge the latest sign-off of a record with
    /// this device's key (a mentee's device).
    Acknowledge {
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
        /// Paper for a PDF.
        #[arg(long, value_enum, ignore_case = true, default_value_t = PaperArg::Letter)]
        paper: PaperArg,
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
            let ack = s.acknowledgement.as_ref().map(|a| {
                let r = verify_acknowledgement(plan, c, s, a);
                serde_json::json!({
                    "peer": a.peer, "name": a.name, "signed_at": a.signed_at,
                    "valid": r.is_ok(), "error": r.err().map(|e| e.to_string()),
                })
            });
            serde_json::json!({
                "competency": c.id, "system": c.system, "assessor": s.assessor, "name": s.name,
                "signed_at": s.signed_at, "type": s.kind, "qualification": s.qualification,
                "format": s.format, "valid": r.is_ok(),
                "error": r.err().map(|e| e.to_string()), "acknowledgement": ack,
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
    let status = |v: &serde_json::Value| {
        if v["valid"] == true {
            s.green("verified")
        } else {
            s.bold(&format!("FAILED: {}", v["error"].as_str().unwrap_or("")))
        }
    };
    for (v, so) in checks(plan, c).iter().zip(&c.signoffs) {
        let kind = so
            .kind
            .map(|k| format!(" ({})", k.as_str()))
            .unwrap_or_default();
        let qualification = so
            .qualification
            .map(|q| format!(", {}", q.label()))
            .unwrap_or_default();
        out += &format!(
            "  sign-off{kind} by {}{qualification} at {}: {}\n",
            so.name,
            so.signed_at.strftime("%Y-%m-%d %H:%M UTC"),
            status(v)
        );
        out += &match &so.acknowledgement {
            Some(a) => format!(
                "    acknowledged by {} at {}: {}\n",
                a.name,
                a.signed_at.strftime("%Y-%m-%d %H:%M UTC"),
                status(&v["acknowledgement"])
            ),
            None => format!("    {}\n", s.dim("not acknowledged by the technician yet")),
        };
    }
    for r in &c.remediations {
        out += &format!("  {}\n", r.describe());
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
            retrain,
            by,
            reassess_by,
        } => {
            let date = ctx.date(&date)?;
            let method = input::text(method)?;
            let due = reassess_by.map(|d| ctx.date(&d)).transpose()?;
            let remediation =
                (retrain.is_some() || by.is_some() || due.is_some()).then(|| RemediationPlan {
                    retrain: retrain.unwrap_or_default(),
                    by: by.unwrap_or_default(),
                    due,
                });
            if remediation.is_some() && result == AssessmentResult::Pass {
                return Err(Fail::Usage(
                    "--retrain, --by and --reassess-by go with --result needs-work".into(),
                ));
            }
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
                    remediation,
                }),
                "Assessed",
            )
        }
        CompetencyCmd::Signoff {
            id,
            kind,
            qualification,
        } => edited(
            ctx,
            Edit::Signoff(SignoffOp::Add {
                competency: id,
                kind,
                qualification,
                signoff: None,
            }),
            "Signed off",
        ),
        CompetencyCmd::Acknowledge { id } => edited(
            ctx,
            Edit::Signoff(SignoffOp::Acknowledge {
                competency: id,
                signature: None,
                acknowledgement: None,
            }),
            "Acknowledged",
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
            if ctx.json {
                return ctx.emit_plan_list("competencies");
            }
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
        CompetencyCmd::Record {
            id,
            format,
            paper,
            output,
        } => {
            use std::io::IsTerminal;
            let plan = ctx.fetch_plan()?;
            let list: Vec<&Competency> = match &id {
                Some(id) => vec![find(&plan, id)?],
                None => plan.competencies.iter().collect(),
            };
            let bytes = crate::record::render(&plan, &list, format, paper, ctx.today());
            match output {
                None if format == RecordFormat::Pdf && std::io::stdout().is_terminal() => {
                    Err(Fail::Usage(
                        "a PDF is not for the terminal: write it to a file with -o record.pdf"
                            .into(),
                    ))
                }
                None => super::print_bytes(&bytes),
                Some(path) => {
                    std::fs::write(&path, bytes).map_err(|e| {
                        Fail::Other(format!("cannot write {}: {e}", path.display()))
                    })?;
                    let line = format!("Wrote {}\n", path.display());
                    ctx.emit(&serde_json::json!({ "written": path }), || line.clone())
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
            let failed = results
                .iter()
                .filter(|v| v["valid"] != true || v["acknowledgement"]["valid"] == false)
                .count();
            ctx.emit(&results, || {
                if results.is_empty() {
                    return "No sign-offs to verify.\n".into();
                }
                results
                    .iter()
                    .map(|v| {
                        let mark = |v: &serde_json::Value| {
                            if v["valid"] == true {
                                s.green("OK    ")
                            } else {
                                s.bold("FAILED")
                            }
                        };
                        let mut line = format!(
                            "{}  {}  signed by {} at {}: {}\n",
                            mark(v),
                            v["system"].as_str().unwrap_or(""),
                            v["name"].as_str().unwrap_or(""),
                            v["signed_at"].as_str().unwrap_or(""),
                            v["error"].as_str().unwrap_or("verified")
                        );
                        let a = &v["acknowledgement"];
                        if a.is_object() {
                            line += &format!(
                                "{}  {}  acknowledged by {} at {}: {}\n",
                                mark(a),
                                v["system"].as_str().unwrap_or(""),
                                a["name"].as_str().unwrap_or(""),
                                a["signed_at"].as_str().unwrap_or(""),
                                a["error"].as_str().unwrap_or("verified")
                            );
                        }
                        line
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
