//! The JSON export envelope, and the checks an imported plan must pass.
//!
//! `tandem export --format json` writes `{"tandem_export": 1, "plan": Plan}`
//! (documented in `docs/json.md`); `tandem import` reads the same file back.
//! [`parse`] reads the envelope and refuses an export made by a newer
//! Tandem; [`check`] then checks every item the way an edit would be
//! checked, naming the item and field that is wrong (for example
//! `goals[3] (id 0123456789abcdef): title: must not be empty`). Both sides
//! run them: the CLI before it sends, the daemon again before it writes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::edit::{
    NAME_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, ValidationError, check_line, check_optional_line,
    check_points, check_text,
};
use crate::model::Plan;
use crate::{EXPORT_VERSION, ids};

/// What `export --format json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// The export format version ([`EXPORT_VERSION`]).
    pub tandem_export: u32,
    /// The plan.
    pub plan: Plan,
}

/// Why an export cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not shaped like an export.
    #[error("not a Tandem JSON export: {0}")]
    Malformed(String),
    /// Made by a newer Tandem.
    #[error(
        "this export has format version {0}; this Tandem reads version {EXPORT_VERSION} (update Tandem to import it)"
    )]
    Version(u64),
    /// A field of an item is not acceptable.
    #[error("{at}: {error}")]
    Invalid {
        /// Which item, e.g. `goals[3] (id 0123456789abcdef)`.
        at: String,
        /// What is wrong.
        error: ValidationError,
    },
}

/// Reads an export: the envelope's version first, then the plan.
pub fn parse(text: &str) -> Result<Plan, ImportError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ImportError::Malformed(e.to_string()))?;
    let version = value
        .get("tandem_export")
        .ok_or_else(|| ImportError::Malformed("no \"tandem_export\" version field".into()))?;
    let version = version.as_u64().ok_or_else(|| {
        ImportError::Malformed(format!(
            "\"tandem_export\" is {version}, not a version number"
        ))
    })?;
    if version != u64::from(EXPORT_VERSION) {
        return Err(ImportError::Version(version));
    }
    // Parsed again from the text so that errors carry line and column.
    let export: Export =
        serde_json::from_str(text).map_err(|e| ImportError::Malformed(e.to_string()))?;
    Ok(export.plan)
}

fn bad(field: &'static str, problem: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        problem: problem.into(),
    }
}

/// Checks item ids of one collection: each a Tandem id, none twice.
fn check_ids<'a>(ids_: impl Iterator<Item = &'a str>) -> Result<(), (usize, ValidationError)> {
    let mut seen = BTreeSet::new();
    for (i, id) in ids_.enumerate() {
        if !ids::is_id(id) {
            return Err((
                i,
                bad("id", format!("'{id}' is not 16 lowercase hex digits")),
            ));
        }
        if !seen.insert(id) {
            return Err((i, bad("id", format!("'{id}' appears twice"))));
        }
    }
    Ok(())
}

fn check_ref(field: &'static str, id: &Option<String>) -> Result<(), ValidationError> {
    match id {
        Some(id) if !ids::is_id(id) => Err(bad(field, format!("'{id}' is not an item id"))),
        _ => Ok(()),
    }
}

/// Checks one collection: ids, then each item with `f`.
fn each<T>(
    name: &str,
    items: &[T],
    id: impl Fn(&T) -> &str,
    f: impl Fn(&T) -> Result<(), ValidationError>,
) -> Result<(), ImportError> {
    let at = |i: usize| format!("{name}[{i}] (id {})", items.get(i).map_or("?", &id));
    check_ids(items.iter().map(&id))
        .map_err(|(i, error)| ImportError::Invalid { at: at(i), error })?;
    for (i, item) in items.iter().enumerate() {
        f(item).map_err(|error| ImportError::Invalid { at: at(i), error })?;
    }
    Ok(())
}

/// Checks every field of a plan to import, as an edit of it would be checked.
pub fn check(p: &Plan) -> Result<(), ImportError> {
    let top = |error| ImportError::Invalid {
        at: "plan".into(),
        error,
    };
    check_line("title", &p.title, TITLE_MAX).map_err(top)?;
    check_optional_line("mentor", &p.mentor, NAME_MAX).map_err(top)?;
    check_optional_line("mentee", &p.mentee, NAME_MAX).map_err(top)?;
    let a = &p.agreement;
    for (field, text) in [
        ("cadence", &a.cadence),
        ("communication", &a.communication),
        ("confidentiality", &a.confidentiality),
        ("expectations", &a.expectations),
    ] {
        check_text(field, text).map_err(top)?;
    }
    p.competency_schedule
        .validate()
        .map_err(|e| top(bad("competency_schedule", e)))?;
    each(
        "goals",
        &p.goals,
        |g| &g.id,
        |g| {
            check_line("title", &g.title, TITLE_MAX)?;
            check_text("description", &g.description)?;
            check_text("success_criteria", &g.success_criteria)?;
            check_optional_line("created_by", &g.created_by, NAME_MAX)?;
            if g.progress > 100 {
                return Err(bad("progress", format!("{} is over 100", g.progress)));
            }
            check_ids(g.milestones.iter().map(|m| m.id.as_str()))
                .map_err(|(i, e)| bad("milestones", format!("{}: {}", i + 1, e.problem)))?;
            for m in &g.milestones {
                check_line("milestone", &m.title, TITLE_MAX)?;
            }
            Ok(())
        },
    )?;
    each(
        "actions",
        &p.actions,
        |a| &a.id,
        |a| {
            check_line("title", &a.title, TITLE_MAX)?;
            check_text("notes", &a.notes)?;
            check_ref("goal", &a.goal)?;
            check_ref("meeting", &a.meeting)
        },
    )?;
    each(
        "meetings",
        &p.meetings,
        |m| &m.id,
        |m| {
            if m.duration_minutes == 0 || m.duration_minutes > crate::edit::DURATION_MAX {
                return Err(bad(
                    "duration_minutes",
                    format!(
                        "must be between 1 and {}, got {}",
                        crate::edit::DURATION_MAX,
                        m.duration_minutes
                    ),
                ));
            }
            check_optional_line("location", &m.location, TITLE_MAX * 4)?;
            check_text("notes", &m.notes)?;
            check_ids(m.agenda.iter().map(|a| a.id.as_str()))
                .map_err(|(i, e)| bad("agenda", format!("{}: {}", i + 1, e.problem)))?;
            for a in &m.agenda {
                check_line("agenda", &a.text, TITLE_MAX)?;
            }
            Ok(())
        },
    )?;
    each(
        "feedback",
        &p.feedback,
        |f| &f.id,
        |f| {
            check_optional_line("author", &f.author, NAME_MAX)?;
            check_ref("goal", &f.goal)?;
            check_text("body", &f.body)
        },
    )?;
    each(
        "notes",
        &p.notes,
        |n| &n.id,
        |n| {
            check_optional_line("author", &n.author, NAME_MAX)?;
            check_text("body", &n.body)?;
            if n.tags.len() > TAGS_MAX {
                return Err(bad("tags", format!("at most {TAGS_MAX} tags")));
            }
            n.tags
                .iter()
                .try_for_each(|t| check_line("tags", t, TAG_MAX))
        },
    )?;
    each(
        "contacts",
        &p.contacts,
        |c| &c.id,
        |c| {
            check_line("name", &c.name, NAME_MAX)?;
            check_optional_line("organization", &c.organization, NAME_MAX)?;
            check_optional_line("how_met", &c.how_met, TITLE_MAX)?;
            check_optional_line("introduced_by", &c.introduced_by, NAME_MAX)?;
            check_text("notes", &c.notes)
        },
    )?;
    each(
        "competencies",
        &p.competencies,
        |c| &c.id,
        |c| {
            check_line("system", &c.system, TITLE_MAX)?;
            let mut elements = BTreeSet::new();
            for a in &c.assessments {
                if !(1..=6).contains(&a.element) || !elements.insert(a.element) {
                    return Err(bad(
                        "assessments",
                        format!("element {} is not one of 1 to 6, once each", a.element),
                    ));
                }
                check_optional_line("assessor", &a.assessor, NAME_MAX)?;
                check_text("method", &a.method)?;
            }
            for s in &c.signoffs {
                check_optional_line("signoffs.name", &s.name, NAME_MAX)?;
                for (field, v) in [
                    ("signoffs.assessor", &s.assessor),
                    ("signoffs.public_key", &s.public_key),
                    ("signoffs.signature", &s.signature),
                ] {
                    check_line(field, v, 512)?;
                }
            }
            Ok(())
        },
    )?;
    each(
        "ce",
        &p.ce,
        |c| &c.id,
        |c| {
            check_line("title", &c.title, TITLE_MAX)?;
            check_optional_line("provider", &c.provider, NAME_MAX)?;
            check_points("points", Some(c.points))?;
            check_optional_line("category", &c.category, NAME_MAX)?;
            check_optional_line("certificate", &c.certificate, TITLE_MAX * 4)
        },
    )?;
    each(
        "certifications",
        &p.certifications,
        |c| &c.id,
        |c| {
            check_line("credential", &c.credential, NAME_MAX)?;
            check_points("ce_required", c.ce_required)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export_of(plan: serde_json::Value) -> String {
        serde_json::json!({ "tandem_export": 1, "plan": plan }).to_string()
    }

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "schema": 1, "id": "0123456789abcdef", "title": "Onboarding",
            "mentor": "Dana", "mentee": "Ana", "status": "active",
            "created_at": "2026-11-01T10:00:00Z",
            "agreement": {"cadence": "", "communication": "", "confidentiality": "", "expectations": ""},
            "goals": [], "actions": [], "meetings": [], "feedback": [], "notes": [], "contacts": []
        })
    }

    #[test]
    fn a_minimal_export_parses_and_passes() {
        let plan = parse(&export_of(minimal())).unwrap();
        assert_eq!(plan.title, "Onboarding");
        check(&plan).unwrap();
    }

    #[test]
    fn newer_and_missing_versions_are_refused_by_name() {
        let text = serde_json::json!({ "tandem_export": 2, "plan": minimal() }).to_string();
        assert_eq!(parse(&text), Err(ImportError::Version(2)));
        let text = serde_json::json!({ "plan": minimal() }).to_string();
        assert!(
            parse(&text)
                .unwrap_err()
                .to_string()
                .contains("tandem_export")
        );
        let e = parse(&export_of(minimal())[..40]).unwrap_err();
        assert!(matches!(e, ImportError::Malformed(_)), "{e}");
    }

    #[test]
    fn a_wrong_field_is_named_with_its_position() {
        let mut p = minimal();
        p["status"] = "finished".into();
        let e = parse(&export_of(p)).unwrap_err().to_string();
        assert!(e.contains("finished") && e.contains("line"), "{e}");
    }

    fn goal(id: &str, title: &str) -> serde_json::Value {
        serde_json::json!({
            "id": id, "title": title, "description": "", "category": "skill",
            "status": "active", "target_date": null, "success_criteria": "",
            "progress": 0, "progress_source": "none", "milestones": [],
            "created_by": "Ana", "created_at": "2026-11-01T10:00:00Z",
            "updated_at": "2026-11-01T10:00:00Z"
        })
    }

    #[test]
    fn bad_items_are_refused_naming_the_item_and_field() {
        let mut p = minimal();
        p["goals"] =
            serde_json::json!([goal("0000000000000001", "A"), goal("0000000000000002", " ")]);
        let e = check(&parse(&export_of(p)).unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "goals[1] (id 0000000000000002): title: must not be empty"
        );

        let mut p = minimal();
        p["goals"] =
            serde_json::json!([goal("0000000000000001", "A"), goal("0000000000000001", "B")]);
        let e = check(&parse(&export_of(p)).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("goals[1]") && e.contains("appears twice"), "{e}");

        let mut p = minimal();
        p["goals"] = serde_json::json!([goal("G1", "A")]);
        let e = check(&parse(&export_of(p)).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("'G1' is not 16 lowercase hex digits"), "{e}");

        let mut p = minimal();
        p["title"] = "two\nlines".into();
        let e = check(&parse(&export_of(p)).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("plan: title:"), "{e}");
    }
}
