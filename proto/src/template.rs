//! Plan templates: plain TOML files that seed a new plan with an agreement,
//! goals (with milestones), actions and competency records.
//!
//! Three ship with Tandem (`proto/templates/*.toml`, built in);
//! users add their own as `$XDG_CONFIG_HOME/tandem/templates/NAME.toml`,
//! which take precedence over a built-in of the same name. Dates are
//! relative to the day the plan is made (`target_weeks`, `due_days`), so a
//! template never goes stale. Unknown keys are errors, so a typo in a
//! template is reported with its line and column instead of being ignored.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use crate::edit::{
    ActionOp, AgreementOp, AgreementPatch, CompetencyOp, Edit, GoalOp, NewAction, NewGoal,
};
use crate::model::{GoalCategory, GoalStatus, Owner};

/// The templates that ship with Tandem: (name, TOML).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("onboarding", include_str!("../templates/onboarding.toml")),
    ("exam-prep", include_str!("../templates/exam-prep.toml")),
    (
        "new-instrument",
        include_str!("../templates/new-instrument.toml"),
    ),
];

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// What it is for, in a few words.
    pub description: String,
    /// Agreement fields to set.
    #[serde(default)]
    pub agreement: Option<TemplateAgreement>,
    /// Goals to add.
    #[serde(default)]
    pub goals: Vec<TemplateGoal>,
    /// Actions to add.
    #[serde(default)]
    pub actions: Vec<TemplateAction>,
    /// Competency records to start (test systems or procedures).
    #[serde(default)]
    pub competencies: Vec<String>,
}

/// The agreement part of a template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateAgreement {
    /// Meeting cadence.
    #[serde(default)]
    pub cadence: Option<String>,
    /// Communication norms.
    #[serde(default)]
    pub communication: Option<String>,
    /// Confidentiality.
    #[serde(default)]
    pub confidentiality: Option<String>,
    /// Expectations.
    #[serde(default)]
    pub expectations: Option<String>,
}

/// A goal in a template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateGoal {
    /// Title.
    pub title: String,
    /// skill, certification, career, networking, knowledge or other.
    #[serde(default = "default_category")]
    pub category: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// How success is judged.
    #[serde(default)]
    pub success_criteria: String,
    /// Target date, in weeks from the day the plan is made.
    #[serde(default)]
    pub target_weeks: Option<u16>,
    /// Milestones, in order.
    #[serde(default)]
    pub milestones: Vec<String>,
}

fn default_category() -> String {
    "skill".into()
}

/// An action in a template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateAction {
    /// Title.
    pub title: String,
    /// mentor, mentee or both.
    #[serde(default = "default_owner")]
    pub owner: String,
    /// Due, in days from the day the plan is made.
    #[serde(default)]
    pub due_days: Option<u16>,
}

fn default_owner() -> String {
    "mentee".into()
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template '{name}': {why}")]
pub struct TemplateError {
    /// Which template.
    pub name: String,
    /// What is wrong (with the line and column for syntax errors).
    pub why: String,
}

/// One step of applying a template: an edit, or a milestone for the goal
/// added `goal` steps before (goal ids are only known once added).
///
/// A new plan carries its steps ([`crate::edit::NewPlan::seed`]), and the
/// daemon makes them in the same change and transaction as the plan, so a
/// plan is never left half-built.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// An edit to make as it is.
    Edit(Edit),
    /// A milestone for the n-th goal of the template (0-based).
    Milestone {
        /// Which goal.
        goal: usize,
        /// Its title.
        title: String,
    },
}

impl Template {
    /// Parses and checks a template; `name` is for error messages.
    pub fn parse(name: &str, text: &str) -> Result<Template, TemplateError> {
        let err = |why: String| TemplateError {
            name: name.to_string(),
            why,
        };
        let t: Template =
            toml::from_str(text).map_err(|e| err(e.to_string().trim().to_string()))?;
        // Check every edit it would make now, not halfway through making the plan.
        for step in t.steps(Date::constant(2026, 1, 1)).map_err(err)? {
            if let Step::Edit(e) = step {
                e.validate().map_err(|e| err(e.to_string()))?;
            }
        }
        Ok(t)
    }

    /// The edits that seed a plan made on `today`.
    pub fn steps(&self, today: Date) -> Result<Vec<Step>, String> {
        let mut out = Vec::new();
        if let Some(a) = &self.agreement {
            out.push(Step::Edit(Edit::Agreement(AgreementOp::Edit(
                AgreementPatch {
                    cadence: a.cadence.clone(),
                    communication: a.communication.clone(),
                    confidentiality: a.confidentiality.clone(),
                    expectations: a.expectations.clone(),
                },
            ))));
        }
        for g in &self.goals {
            let category: GoalCategory = g
                .category
                .parse()
                .map_err(|e: crate::model::BadEnumValue| format!("goal '{}': {e}", g.title))?;
            let target_date = g
                .target_weeks
                .map(|w| today.checked_add(i64::from(w).weeks()))
                .transpose()
                .map_err(|e| e.to_string())?;
            out.push(Step::Edit(Edit::Goal(GoalOp::Add(NewGoal {
                title: g.title.clone(),
                description: g.description.clone(),
                category,
                status: GoalStatus::Active,
                target_date,
                success_criteria: g.success_criteria.clone(),
                created_by: "template".into(),
            }))));
        }
        for (i, g) in self.goals.iter().enumerate() {
            for m in &g.milestones {
                out.push(Step::Milestone {
                    goal: i,
                    title: m.clone(),
                });
            }
        }
        for a in &self.actions {
            let owner: Owner = a
                .owner
                .parse()
                .map_err(|e: crate::model::BadEnumValue| format!("action '{}': {e}", a.title))?;
            let due = a
                .due_days
                .map(|d| today.checked_add(i64::from(d).days()))
                .transpose()
                .map_err(|e| e.to_string())?;
            out.push(Step::Edit(Edit::Action(ActionOp::Add(NewAction {
                title: a.title.clone(),
                owner,
                due,
                goal: None,
                meeting: None,
                notes: String::new(),
            }))));
        }
        for system in &self.competencies {
            out.push(Step::Edit(Edit::Competency(CompetencyOp::Add {
                system: system.clone(),
            })));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_parses_and_seeds_a_plan() {
        for (name, text) in BUILT_IN {
            let t = Template::parse(name, text).unwrap();
            assert!(!t.goals.is_empty(), "{name} has goals");
            let steps = t.steps(Date::constant(2027, 1, 31)).unwrap();
            assert!(
                steps.iter().any(|s| matches!(s, Step::Milestone { .. })),
                "{name}"
            );
        }
    }

    #[test]
    fn a_bad_template_names_what_is_wrong() {
        let e = Template::parse("mine", "description = \"x\"\n[[goals]]\ntitel = \"typo\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("template 'mine'"), "{e}");
        assert!(e.why.contains("titel") && e.why.contains("line 3"), "{e}");
        let e = Template::parse(
            "mine",
            "description = \"x\"\n[[goals]]\ntitle = \"G\"\ncategory = \"hobby\"\n",
        )
        .unwrap_err();
        assert!(e.why.contains("hobby"), "{e}");
        let e =
            Template::parse("mine", "description = \"x\"\n[[goals]]\ntitle = \"\"\n").unwrap_err();
        assert!(e.why.contains("title"), "{e}");
        assert!(Template::parse("mine", "not toml at all [").is_err());
    }

    #[test]
    fn relative_dates_land_from_the_day_the_plan_is_made() {
        let t = Template::parse(
            "t",
            "description = \"x\"\n[[goals]]\ntitle = \"G\"\ntarget_weeks = 4\n[[actions]]\ntitle = \"A\"\ndue_days = 1\n",
        )
        .unwrap();
        let steps = t.steps(Date::constant(2028, 2, 28)).unwrap();
        let Step::Edit(Edit::Goal(GoalOp::Add(g))) = &steps[0] else {
            panic!()
        };
        assert_eq!(g.target_date, Some(Date::constant(2028, 3, 27)));
        let Step::Edit(Edit::Action(ActionOp::Add(a))) = &steps[1] else {
            panic!()
        };
        assert_eq!(a.due, Some(Date::constant(2028, 2, 29)), "leap day");
    }
}
