//! `tandem agreement ...`: the mentoring agreement, its syntax and how it
//! is carried out (with all four parts in one `$EDITOR` session).

use clap::Subcommand;
use tandem_proto::edit::{AgreementOp, AgreementPatch, Edit};

use super::Ctx;
use crate::fail::Fail;
use crate::{input, render};

/// Agreement commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AgreementCmd {
    /// Show the agreement.
    Show,
    /// Edit the agreement; with no flags, all four parts open in $EDITOR.
    Edit {
        /// Meeting cadence (`-` reads stdin).
        #[arg(long)]
        cadence: Option<String>,
        /// Communication norms (`-` reads stdin).
        #[arg(long)]
        communication: Option<String>,
        /// Confidentiality (`-` reads stdin).
        #[arg(long)]
        confidentiality: Option<String>,
        /// Expectations of each side (`-` reads stdin).
        #[arg(long)]
        expectations: Option<String>,
    },
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

pub(crate) fn run(cmd: AgreementCmd, ctx: &mut Ctx) -> Result<(), Fail> {
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
