//! The JSON export envelope, and the checks an imported plan must pass.
//!
//! `tandem export --format json` writes `{"tandem_export": 1, "plan": Plan}`
//! (documented in `docs/json.md`); `tandem import` reads the same file back.
//! [`parse`] reads the envelope and refuses an export made by a newer
//! Tandem; [`check`] then checks every item the way an edit would be
//! checked, naming the item and field that is wrong (for example
//! `goals[3] (id 0123456789abcdef): title: must not be empty`). Both sides
//! run them: the CLI before it sends, the daemon again before it writes.

use serde::{Deserialize, Serialize};

use crate::EXPORT_VERSION;
use crate::edit::ValidationError;
use crate::model::Plan;

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

/// Checks every field of a plan to import, as edits of it would be checked
/// (each kind's own `check`, see [`crate::items::check_plan`]).
pub fn check(p: &Plan) -> Result<(), ImportError> {
    crate::items::check_plan(p)
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
