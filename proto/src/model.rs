//! The mentoring-plan schema, as plain views: what the daemon reads out of
//! a plan's document, what crosses the socket, and what `tandem --json`
//! prints.
//!
//! Each kind of item is defined in its own module under [`crate::items`];
//! this module gathers their views and closed sets of values in one place
//! for the code that shows them, and holds the history entry.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::items::action::{Action, ActionStatus, Owner};
pub use crate::items::agenda::AgendaItem;
pub use crate::items::agreement::Agreement;
pub use crate::items::assessment::{Assessment, AssessmentResult};
pub use crate::items::ce::CeActivity;
pub use crate::items::certification::{CertStatus, Certification};
pub use crate::items::competency::{Competency, CompetencyStage};
pub use crate::items::contact::Contact;
pub use crate::items::feedback::{Feedback, FeedbackKind};
pub use crate::items::goal::{Goal, GoalCategory, GoalStatus, ProgressSource, effective_progress};
pub use crate::items::meeting::{Meeting, MeetingStatus};
pub use crate::items::member::{Member, Role};
pub use crate::items::milestone::Milestone;
pub use crate::items::note::JournalNote;
pub use crate::items::plan::{Plan, PlanStatus, PlanSummary};
pub use crate::items::profile::Profile;
pub use crate::items::remediation::{Remediation, RemediationPlan};
pub use crate::items::signoff::{Acknowledgement, AssessmentKind, Qualification, Signoff};
pub use crate::strenum::BadEnumValue;

/// One change in a plan's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The change hash (hex).
    pub hash: String,
    /// The Automerge actor id (hex) of the device that made it.
    pub actor: String,
    /// Who made it, for people: the member (name, role, device label)
    /// whose device made it, e.g. "Dana (mentor, laptop)".
    pub author: String,
    /// The device's PeerId, when the plan knows it.
    #[serde(default)]
    pub peer: Option<crate::ids::PeerId>,
    /// The member's name, when the device is (or was) a member.
    #[serde(default)]
    pub name: Option<String>,
    /// The member's role.
    #[serde(default)]
    pub role: Option<Role>,
    /// The device's label.
    #[serde(default)]
    pub device: Option<String>,
    /// When it was made, by the author's clock.
    pub time: Timestamp,
    /// What it did, e.g. `goal add: Pass the MLS exam`.
    pub message: String,
    /// With `tandem log --item`: each field of that item the change set,
    /// with its value before and after (read from the document at both
    /// points of its history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
}

/// One field's old and new value in a change to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field, as a path in the item's JSON: `title`, `assessments[2].method`.
    pub field: String,
    /// Its value before (absent: it did not exist).
    pub old: Option<String>,
    /// Its value after (absent: it was removed).
    pub new: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_travel_in_json_as_the_cli_writes_them() {
        // Was "needswork" in JSON while the CLI and documents said "needs-work".
        let json = serde_json::to_string(&AssessmentResult::NeedsWork).unwrap();
        assert_eq!(json, "\"needs-work\"");
        let back: AssessmentResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, AssessmentResult::NeedsWork);
        let e = serde_json::from_str::<GoalStatus>("\"finished\"").unwrap_err();
        assert!(e.to_string().contains("expected one of proposed"), "{e}");
    }

    fn ms(done: bool) -> Milestone {
        Milestone {
            id: "m".into(),
            title: "t".into(),
            done,
            done_at: None,
        }
    }

    #[test]
    fn progress_prefers_manual_then_milestones() {
        assert_eq!(
            effective_progress(Some(40), &[ms(true)]),
            (40, ProgressSource::Manual)
        );
        assert_eq!(effective_progress(None, &[]), (0, ProgressSource::None));
        assert_eq!(
            effective_progress(None, &[ms(true), ms(false), ms(false)]),
            (33, ProgressSource::Milestones)
        );
        assert_eq!(
            effective_progress(None, &[ms(true)]),
            (100, ProgressSource::Milestones)
        );
    }

    #[test]
    fn enums_parse_case_insensitively_and_list_choices() {
        assert_eq!("Done".parse::<GoalStatus>(), Ok(GoalStatus::Done));
        let err = "finished".parse::<GoalStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid goal status 'finished': expected one of proposed, active, done, dropped"
        );
    }
}
