//! Feedback, journal notes, contacts, the agreement, history and export.

use std::path::PathBuf;

use tandem_proto::api::{Item, Request, Response};
use tandem_proto::edit::{AgreementPatch, Edit};
use tandem_proto::ids::short;
use tandem_proto::model::{Feedback, FeedbackKind, JournalNote};

use super::goal::find;
use super::{Ctx, parse, print, unexpected};
use crate::args::{AgreementCmd, ContactCmd, FeedbackCmd, NoteCmd};
use crate::fail::Fail;
use crate::{input, markdown, render};

/// Body text: the argument, stdin for `-`, or $EDITOR when absent.
fn body(arg: Option<String>, what: &str) -> Result<String, Fail> {
    match arg {
        Some(t) => input::text(t),
        None => input::editor(what, ""),
    }
}

fn added(item: &Item, what: &str) -> String {
    let id = match item {
        Item::Feedback(f) => &f.id,
        Item::Note(n) => &n.id,
        Item::Contact(c) => &c.id,
        _ => return format!("Added {what}"),
    };
    format!("Added {what} {}", short(id))
}

pub(super) fn feedback(cmd: FeedbackCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        FeedbackCmd::Add {
            body: text,
            kind,
            goal,
            author,
        } => {
            let kind = parse::<FeedbackKind>(&kind)?;
            let body = body(text, "feedback")?;
            let author = author.unwrap_or_else(|| ctx.user.clone());
            let item = ctx.edit(Edit::Feedback(FeedbackOp::Add(NewFeedback {
                author,
                goal,
                kind,
                body,
            })))?;
            ctx.emit_item(&item, &added(&item, "feedback"))
        }
        FeedbackCmd::List { goal } => {
            let plan = ctx.fetch_plan()?;
            let goal_id = goal
                .as_deref()
                .map(|g| find(&plan, g).map(|g| g.id.clone()))
                .transpose()?;
            let list: Vec<&Feedback> = plan
                .feedback
                .iter()
                .filter(|f| goal_id.is_none() || f.goal == goal_id)
                .collect();
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No feedback yet.\n".into();
                }
                list.iter()
                    .map(|f| render::feedback_line(f, s) + "\n")
                    .collect()
            })
        }
    }
}

pub(super) fn note(cmd: NoteCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        NoteCmd::Add {
            body: text,
            tag,
            author,
        } => {
            let body = body(text, "journal note")?;
            let author = author.unwrap_or_else(|| ctx.user.clone());
            let tags = tag
                .into_iter()
                .map(|t| t.trim_start_matches('#').to_string())
                .collect();
            let item = ctx.edit(Edit::Note(NoteOp::Add(NewNote { author, body, tags })))?;
            ctx.emit_item(&item, &added(&item, "note"))
        }
        NoteCmd::List { tag } => {
            let plan = ctx.fetch_plan()?;
            let tag = tag.map(|t| t.trim_start_matches('#').to_string());
            let list: Vec<&JournalNote> = plan
                .notes
                .iter()
                .filter(|n| tag.as_ref().is_none_or(|t| n.tags.contains(t)))
                .collect();
            ctx.emit(&list, || {
                if list.is_empty() {
                    return "No journal notes yet.\n".into();
                }
                list.iter().map(|n| render::note_block(n, s)).collect()
            })
        }
    }
}

pub(super) fn contact(cmd: ContactCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        ContactCmd::Add {
            name,
            org,
            how_met,
            introduced_by,
            notes,
        } => {
            let notes = input::text(notes)?;
            let item = ctx.edit(Edit::Contact(ContactOp::Add(NewContact {
                name,
                organization: org,
                how_met,
                introduced_by,
                notes,
            })))?;
            ctx.emit_item(&item, &added(&item, "contact"))
        }
        ContactCmd::List => {
            let plan = ctx.fetch_plan()?;
            ctx.emit(&plan.contacts, || {
                if plan.contacts.is_empty() {
                    return "No contacts yet.\n".into();
                }
                plan.contacts
                    .iter()
                    .map(|c| render::contact_line(c, s) + "\n")
                    .collect()
            })
        }
    }
}

const SECTIONS: [&str; 4] = [
    "cadence",
    "communication",
    "confidentiality",
    "expectations",
];

/// Splits an edited agreement template back into its four parts.
fn parse_sections(text: &str) -> AgreementPatch {
    let mut parts: [Option<String>; 4] = Default::default();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            current = SECTIONS
                .iter()
                .position(|s| h.trim().eq_ignore_ascii_case(s));
            if let Some(i) = current {
                parts[i] = Some(String::new());
            }
            continue;
        }
        if let Some(buf) = current.and_then(|i| parts[i].as_mut()) {
            buf.push_str(line);
            buf.push('\n');
        }
    }
    let [cadence, communication, confidentiality, expectations] =
        parts.map(|p| p.map(|t| t.trim().to_string()));
    AgreementPatch {
        cadence,
        communication,
        confidentiality,
        expectations,
    }
}

pub(super) fn agreement(cmd: AgreementCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        AgreementCmd::Show => {
            let plan = ctx.fetch_plan()?;
            ctx.emit(&plan.agreement, || render::agreement(&plan.agreement, s))
        }
        AgreementCmd::Edit {
            cadence,
            communication,
            confidentiality,
            expectations,
        } => {
            let mut patch = AgreementPatch {
                cadence: input::opt_text(cadence)?,
                communication: input::opt_text(communication)?,
                confidentiality: input::opt_text(confidentiality)?,
                expectations: input::opt_text(expectations)?,
            };
            if patch == AgreementPatch::default() {
                let a = ctx.fetch_plan()?.agreement;
                let current = [
                    &a.cadence,
                    &a.communication,
                    &a.confidentiality,
                    &a.expectations,
                ];
                let template: String = SECTIONS
                    .iter()
                    .zip(current)
                    .map(|(h, t)| format!("## {h}\n{t}\n\n"))
                    .collect();
                patch = parse_sections(&input::editor("agreement", &template)?);
            }
            let item = ctx.edit(Edit::Agreement(AgreementOp::Edit(patch)))?;
            ctx.emit_item(&item, "Agreement updated")
        }
    }
}

pub(super) fn log(limit: Option<usize>, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match ctx.call(&Request::Log(History {
        plan: ctx.plan.clone(),
        limit,
    }))? {
        Response::Log(entries) => ctx.emit(&entries, || {
            entries
                .iter()
                .map(|e| render::log_line(e, s) + "\n")
                .collect()
        }),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn export(format: &str, output: Option<PathBuf>, ctx: &mut Ctx) -> Result<(), Fail> {
    let plan = ctx.fetch_plan()?;
    let text = match format {
        "json" => {
            let doc =
                serde_json::json!({ "tandem_export": tandem_proto::EXPORT_VERSION, "plan": plan });
            serde_json::to_string_pretty(&doc).map_err(|e| Fail::Other(e.to_string()))? + "\n"
        }
        "ics" => crate::ics::calendar(&plan),
        _ => markdown::report(&plan, ctx.today()),
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
pub(super) fn import(file: &std::path::Path, ctx: &mut Ctx) -> Result<(), Fail> {
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
    let Response::Plan(p) = ctx.call(&Request::PlanImport(Box::new(plan)))? else {
        return Err(Fail::Other("unexpected reply to an import".into()));
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_template_round_trips() {
        let p = parse_sections(
            "## cadence\nBiweekly\n\n## communication\nEmail\n# ignored\n## expectations\n\n",
        );
        assert_eq!(p.cadence.as_deref(), Some("Biweekly"));
        assert_eq!(p.communication.as_deref(), Some("Email\n# ignored"));
        assert_eq!(p.confidentiality, None);
        assert_eq!(p.expectations.as_deref(), Some(""));
    }
}
