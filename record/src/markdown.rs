//! The record as Markdown, for a repository or a quick look.

use crate::sheet::Sheet;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The record as Markdown.
pub fn render(sheet: &Sheet) -> String {
    let mut out = format!("# {}\n\n{}\n\n{}\n\n", sheet.title, sheet.lab, sheet.person);
    for (k, v) in &sheet.facts {
        out += &format!("- {k}: {v}\n");
    }
    out += &format!("- Printed: {}\n", sheet.printed);
    for s in &sheet.sections {
        out += &format!("\n## {}\n\n", s.system);
        let facts: Vec<String> = s.facts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        out += &facts.join(" · ");
        out += "\n";
        for round in &s.rounds {
            out += &format!(
                "\n### {}\n\n| # | Element | Date | Result | Assessor | Method |\n|---|---|---|---|---|---|\n",
                round.heading
            );
            for e in &round.elements {
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    e.number,
                    cell(e.name),
                    e.date,
                    e.result,
                    cell(&e.assessor),
                    cell(&e.method)
                );
            }
            let Some(r) = &round.signoff else { continue };
            out += "\n| Signature | Signed by | Qualification | Signed at | Verification |\n|---|---|---|---|---|\n";
            out += &format!(
                "| assessor{} | {} | {} | {} | {} |\n",
                if r.format_1 { " (format 1)" } else { "" },
                cell(&r.name),
                r.qualification,
                r.signed_at,
                cell(&r.check.text)
            );
            out += &match &r.acknowledgement {
                Some((name, at, check)) => format!(
                    "| employee | {} | technician | {at} | {} |\n",
                    cell(name),
                    cell(&check.text)
                ),
                None => "| employee | | | | not acknowledged by the technician yet |\n".into(),
            };
        }
        for r in &s.remediations {
            out += &format!("\n- {r}");
        }
        if !s.remediations.is_empty() {
            out += "\n";
        }
    }
    for c in &sheet.covers {
        out += &format!("\n{c}\n");
    }
    out
}
