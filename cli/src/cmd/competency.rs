//! `tandem competency ...`: records, the six elements, signed sign-offs and
//! their verification (done here, on the plan as this device holds it).

use tandem_proto::signing::verify;
use tandem_proto::api::Item;
use tandem_proto::competency::{ELEMENTS, Schedule};
use tandem_proto::edit::Edit;
use tandem_proto::ids::{self, short};
use tandem_proto::model::{AssessmentResult, Competency, CompetencyStage, Plan};

use super::goal::api;
use super::{Ctx, parse};
use crate::args::CompetencyCmd;
use crate::fail::Fail;
use crate::input;

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

pub(super) fn run(cmd: CompetencyCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let edited = |ctx: &mut Ctx, edit: Edit, verb: &str| -> Result<(), Fail> {
        let item = ctx.edit(edit)?;
        let human = competency_item(&item)
            .map(|c| format!("{verb} competency {}: {}", short(&c.id), c.system))
            .unwrap_or_else(|| verb.to_string());
        ctx.emit_item(&item, &human)
    };
    match cmd {
        CompetencyCmd::Add { system } => edited(ctx, Edit::CompetencyAdd { system }, "Added"),
        CompetencyCmd::Stage {
            id,
            stage,
            trained_on,
        } => {
            let stage: CompetencyStage = parse(&stage)?;
            let trained_on = trained_on.map(|d| ctx.date(&d)).transpose()?;
            edited(
                ctx,
                Edit::CompetencyStage {
                    competency: id,
                    stage,
                    trained_on,
                },
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
            let result: AssessmentResult = parse(&result)?;
            let date = ctx.date(&date)?;
            let method = input::text(method)?;
            edited(
                ctx,
                Edit::CompetencyAssess {
                    competency: id,
                    element,
                    date,
                    assessor,
                    method,
                    result,
                },
                "Assessed",
            )
        }
        CompetencyCmd::Signoff { id } => edited(
            ctx,
            Edit::CompetencySignoff {
                competency: id,
                signoff: None,
            },
            "Signed off",
        ),
        CompetencyCmd::Schedule { first, every } => {
            let schedule = Schedule { first, every };
            schedule.validate().map_err(Fail::Usage)?;
            edited(
                ctx,
                Edit::CompetencySchedule(schedule),
                "Set the schedule of",
            )
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
        CompetencyCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let c = find(&plan, &id)?;
            let mut v = serde_json::to_value(c).map_err(|e| Fail::Other(e.to_string()))?;
            v["verification"] = serde_json::Value::Array(checks(&plan, c));
            v["next_due"] = serde_json::json!(plan.competency_schedule.next_due(c));
            ctx.emit(&v, || detail(&plan, c, s))
        }
        CompetencyCmd::Record { id, format, output } => {
            let plan = ctx.fetch_plan()?;
            let list: Vec<&Competency> = match &id {
                Some(id) => vec![find(&plan, id)?],
                None => plan.competencies.iter().collect(),
            };
            let text = crate::record::render(&plan, &list, &format, ctx.today());
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
