//! The mutations a client may ask the daemon to make, and their validation.
//!
//! Every field is checked once, by both sides: the CLI checks before it
//! sends (so a user gets the message without a round trip), and the daemon
//! checks again (it never trusts its socket). A failed check changes nothing.
//! Each kind's operations and checks live in its module under
//! [`crate::items`]; this module gathers them for the code that makes edits.
//!
//! Items are named by id or by a unique id prefix; milestones and agenda
//! items by their 1-based position.

pub use crate::items::Edit;
pub use crate::items::action::{ActionOp, ActionPatch, NewAction};
pub use crate::items::agenda::AgendaOp;
pub use crate::items::agreement::{AgreementOp, AgreementPatch};
pub use crate::items::assessment::AssessmentOp;
pub use crate::items::ce::{CeOp, CePatch, NewCe};
pub use crate::items::certification::{CertPatch, CertificationOp, NewCert};
pub use crate::items::competency::CompetencyOp;
pub use crate::items::contact::{ContactOp, ContactPatch, NewContact};
pub use crate::items::feedback::{FeedbackOp, FeedbackPatch, NewFeedback};
pub use crate::items::fields::*;
pub use crate::items::goal::{GoalOp, GoalPatch, NewGoal};
pub use crate::items::meeting::{MeetingOp, MeetingPatch, NewMeeting};
pub use crate::items::member::{MemberOp, NewMember};
pub use crate::items::milestone::{MilestoneOp, MilestonePatch};
pub use crate::items::note::{NewNote, NoteOp, NotePatch};
pub use crate::items::plan::{NewPlan, PlanOp, PlanPatch, SEED_MAX};
pub use crate::items::profile::ProfilePatch;
pub use crate::items::signoff::SignoffOp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_long_titles_are_refused_by_name() {
        let e = Edit::Milestone(MilestoneOp::Add {
            goal: "g".into(),
            title: "  ".into(),
        });
        assert_eq!(
            e.validate().unwrap_err().to_string(),
            "milestone: must not be empty"
        );
        let long = "x".repeat(TITLE_MAX + 1);
        let e = Edit::Plan(PlanOp::Edit(PlanPatch {
            title: Some(long),
            ..Default::default()
        }));
        assert!(
            e.validate()
                .unwrap_err()
                .to_string()
                .starts_with("title: is 201 characters long")
        );
        let e = Edit::Goal(GoalOp::Edit {
            goal: "g".into(),
            patch: GoalPatch {
                progress: Some(Some(101)),
                ..Default::default()
            },
        });
        assert_eq!(e.validate().unwrap_err().field, "progress");
    }

    #[test]
    fn titles_must_be_one_line() {
        assert!(check_line("title", "a\nb", TITLE_MAX).is_err());
        assert!(check_text("notes", "a\nb").is_ok());
        assert!(check_text("notes", "a\u{7}b").is_err());
    }

    #[test]
    fn titles_and_names_refuse_bidirectional_controls() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            let title = format!("URGENT{c}evitcelfer");
            let err = check_line("title", &title, TITLE_MAX).unwrap_err();
            assert!(err.problem.contains("bidirectional"), "{err}");
            let e = Edit::Member(MemberOp::Add(NewMember {
                peer: "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".into(),
                name: format!("Dana{c}"),
                role: crate::model::Role::Mentee,
                device: String::new(),
            }));
            assert_eq!(e.validate().unwrap_err().field, "name");
        }
        // Right-to-left text itself is fine; only the invisible controls are refused.
        assert!(check_line("title", "ניהול איכות QC", TITLE_MAX).is_ok());
        assert!(check_line("title", "a\u{200F}b", TITLE_MAX).is_ok());
    }

    #[test]
    fn double_option_keeps_clear_apart_from_keep() {
        let clear: GoalPatch = serde_json::from_str(r#"{"target_date":null}"#).unwrap();
        assert_eq!(clear.target_date, Some(None));
        let keep: GoalPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(keep.target_date, None);
        let json = serde_json::to_string(&clear).unwrap();
        assert_eq!(json, r#"{"target_date":null}"#);
    }

    #[test]
    fn positions_start_at_one() {
        let e = Edit::Milestone(MilestoneOp::Rm {
            goal: "g".into(),
            position: 0,
        });
        assert_eq!(e.validate().unwrap_err().field, "position");
    }
}
