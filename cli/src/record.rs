//! The printable competency record, in Markdown or HTML: per test system,
//! the stage, each of the six elements, each sign-off with whether it
//! verifies against the record as it is now, and the next due date. What an
//! inspector asks to see.

use jiff::civil::Date;
use tandem_proto::competency::ELEMENTS;
use tandem_proto::model::{Competency, Plan};
use tandem_proto::signing::verify;

/// One row of the elements table: (number, element, result, date, assessor, method).
fn rows(c: &Competency) -> Vec<[String; 6]> {
    ELEMENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = i as u8 + 1;
            match c.assessments.iter().find(|a| a.element == n) {
                Some(a) => [
                    n.to_string(),
                    (*name).to_string(),
                    a.result.as_str().to_string(),
                    a.date.to_string(),
                    a.assessor.clone(),
                    a.method.clone(),
                ],
                None => [
                    n.to_string(),
                    (*name).to_string(),
                    "not assessed".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            }
        })
        .collect()
}

/// Each sign-off: (name, device, time, verification).
fn signoffs(plan: &Plan, c: &Competency) -> Vec<[String; 4]> {
    c.signoffs
        .iter()
        .map(|s| {
            let status = match verify(plan, c, s) {
                Ok(()) => "verified".to_string(),
                Err(e) => format!("FAILED: {e}"),
            };
            [
                s.name.clone(),
                s.assessor.to_string(),
                s.signed_at.to_string(),
                status,
            ]
        })
        .collect()
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How a competency record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// Markdown, for a repository or a quick look.
    Markdown,
    /// A web page to print or save as PDF.
    Html,
}

/// The record of `list` from `plan`, printed on `today`.
pub fn render(plan: &Plan, list: &[&Competency], format: RecordFormat, today: Date) -> String {
    let due = |c: &Competency| {
        plan.competency_schedule.next_due(c).map_or_else(
            || "not scheduled (training not completed)".into(),
            |d| d.to_string(),
        )
    };
    let trained = |c: &Competency| c.trained_on.map_or_else(|| "—".into(), |d| d.to_string());
    if format == RecordFormat::Html {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Competency record: {}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:4px;text-align:left}}.failed{{color:#b00;font-weight:bold}}</style></head><body>\n<h1>Competency record: {}</h1>\n<p>Mentee: {} &middot; Mentor: {} &middot; Plan {} &middot; printed {today}</p>\n",
            html(&plan.title),
            html(&plan.title),
            html(&plan.mentee),
            html(&plan.mentor),
            html(&plan.id)
        );
        for c in list {
            out += &format!(
                "<h2>{}</h2>\n<p>Stage: {} &middot; training completed: {} &middot; next assessment due: {}</p>\n<table><tr><th>#</th><th>Element</th><th>Result</th><th>Date</th><th>Assessor</th><th>Method</th></tr>\n",
                html(&c.system),
                c.stage.as_str(),
                trained(c),
                due(c)
            );
            for r in rows(c) {
                out += "<tr>";
                for cell in &r {
                    out += &format!("<td>{}</td>", html(cell));
                }
                out += "</tr>\n";
            }
            out += "</table>\n<h3>Sign-offs</h3>\n";
            let s = signoffs(plan, c);
            if s.is_empty() {
                out += "<p>None yet.</p>\n";
            } else {
                out += "<table><tr><th>Signed by</th><th>Device</th><th>At</th><th>Verification</th></tr>\n";
                for [name, device, at, status] in s {
                    let class = if status == "verified" {
                        ""
                    } else {
                        " class=\"failed\""
                    };
                    out += &format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td{class}>{}</td></tr>\n",
                        html(&name),
                        html(&device),
                        html(&at),
                        html(&status)
                    );
                }
                out += "</table>\n";
            }
        }
        out += &format!(
            "<p class=\"covers\">{}</p>\n</body></html>\n",
            html(tandem_proto::competency::SIGNATURE_COVERS)
        );
        return out;
    }
    let mut out = format!(
        "# Competency record: {}\n\nMentee: {} · Mentor: {} · Plan {} · printed {today}\n",
        plan.title, plan.mentee, plan.mentor, plan.id
    );
    for c in list {
        out += &format!(
            "\n## {}\n\nStage: {} · training completed: {} · next assessment due: {}\n\n| # | Element | Result | Date | Assessor | Method |\n|---|---|---|---|---|---|\n",
            c.system,
            c.stage.as_str(),
            trained(c),
            due(c)
        );
        for r in rows(c) {
            let cells: Vec<String> = r.iter().map(|x| md_cell(x)).collect();
            out += &format!("| {} |\n", cells.join(" | "));
        }
        let s = signoffs(plan, c);
        if s.is_empty() {
            out += "\nSign-offs: none yet.\n";
        } else {
            out += "\n| Signed by | Device | At | Verification |\n|---|---|---|---|\n";
            for [name, device, at, status] in s {
                out += &format!(
                    "| {} | {} | {} | {} |\n",
                    md_cell(&name),
                    md_cell(&device),
                    md_cell(&at),
                    md_cell(&status)
                );
            }
        }
    }
    out += &format!("\n{}\n", tandem_proto::competency::SIGNATURE_COVERS);
    out
}
