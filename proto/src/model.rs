//! The mentoring-plan schema, as plain values.
//!
//! These are *views*: what the daemon reads out of a plan's Automerge
//! document, what crosses the socket, and what `tandem --json` prints. The
//! document layout itself (maps keyed by id, collaborative text) lives in the
//! daemon's `doc` module; ARCHITECTURE.md documents both.
//!
//! Every list in a view is sorted deterministically (by creation time, then
//! id), so two replicas with the same document give byte-identical JSON.

use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

pub use crate::strenum::BadEnumValue;
use crate::string_enum;

string_enum!(
    /// Lifecycle of a whole plan.
    PlanStatus, "plan status", {
    /// Being worked on.
    Active => "active",
    /// Its goals were reached.
    Completed => "completed",
    /// Put away; kept for the record.
    Archived => "archived",
});

string_enum!(
    /// What kind of growth a goal is about.
    GoalCategory, "goal category", {
    /// A bench or instrument skill.
    Skill => "skill",
    /// A certification such as ASCP MLS.
    Certification => "certification",
    /// Career development.
    Career => "career",
    /// Meeting people and organizations.
    Networking => "networking",
    /// Knowledge to acquire.
    Knowledge => "knowledge",
    /// Anything else.
    Other => "other",
});

string_enum!(
    /// Where a goal stands.
    GoalStatus, "goal status", {
    /// Suggested, not yet agreed.
    Proposed => "proposed",
    /// Agreed and being worked on.
    Active => "active",
    /// Reached.
    Done => "done",
    /// Abandoned.
    Dropped => "dropped",
});

string_enum!(
    /// Who owns an action item.
    Owner, "owner", {
    /// The mentor.
    Mentor => "mentor",
    /// The mentee.
    Mentee => "mentee",
    /// Both of them.
    Both => "both",
});

string_enum!(
    /// Whether an action item is finished.
    ActionStatus, "action status", {
    /// Still to do.
    Open => "open",
    /// Finished.
    Done => "done",
});

string_enum!(
    /// Whether a meeting happened.
    MeetingStatus, "meeting status", {
    /// Planned.
    Scheduled => "scheduled",
    /// Took place.
    Held => "held",
    /// Called off.
    Cancelled => "cancelled",
});

string_enum!(
    /// The tone of a piece of feedback.
    FeedbackKind, "feedback kind", {
    /// Something done well.
    Praise => "praise",
    /// Something to try.
    Suggestion => "suggestion",
    /// Something that worries the author.
    Concern => "concern",
});

string_enum!(
    /// What a member device may do in a plan.
    Role, "role", {
    /// Guides the mentee; may invite and remove members.
    Mentor => "mentor",
    /// Is mentored; edits the plan content.
    Mentee => "mentee",
    /// Reads only (e.g. a lab supervisor).
    Observer => "observer",
});

string_enum!(
    /// Where a goal's progress figure comes from.
    ProgressSource, "progress source", {
    /// Set by hand (`tandem goal progress`).
    Manual => "manual",
    /// Computed from the share of milestones that are done.
    Milestones => "milestones",
    /// Neither: progress is 0.
    None => "none",
});

/// The mentoring agreement: what both sides commit to. All four are collaborative text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// How often and how the pair meets, e.g. "every second Tuesday, 30 min".
    pub cadence: String,
    /// Communication norms: channels, response times.
    pub communication: String,
    /// What stays between the two of them.
    pub confidentiality: String,
    /// What each side expects of the other.
    pub expectations: String,
}

/// One milestone of a goal. Milestones are ordered; the CLI names them by position (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stable id.
    pub id: String,
    /// What marks the milestone.
    pub title: String,
    /// Whether it was reached.
    pub done: bool,
    /// When it was marked done.
    pub done_at: Option<Timestamp>,
}

/// A goal the mentee works towards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// Stable id.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Collaborative text.
    pub description: String,
    /// What kind of goal.
    pub category: GoalCategory,
    /// Where it stands.
    pub status: GoalStatus,
    /// When it should be reached.
    pub target_date: Option<Date>,
    /// How both sides will know it is reached. Collaborative text.
    pub success_criteria: String,
    /// Effective progress, 0-100.
    pub progress: u8,
    /// Where `progress` comes from.
    pub progress_source: ProgressSource,
    /// Ordered milestones.
    pub milestones: Vec<Milestone>,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Stable id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Who does it.
    pub owner: Owner,
    /// When it is due.
    pub due: Option<Date>,
    /// Open or done.
    pub status: ActionStatus,
    /// The goal it serves, if any.
    pub goal: Option<String>,
    /// The meeting it came from, if any.
    pub meeting: Option<String>,
    /// Collaborative text.
    pub notes: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// When it was marked done.
    pub done_at: Option<Timestamp>,
}

/// One item of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Stable id.
    pub id: String,
    /// The topic.
    pub text: String,
}

/// A mentoring meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Stable id.
    pub id: String,
    /// When it starts, with its time zone (RFC 9557, e.g. `2026-12-01T10:00:00-05:00[America/New_York]`).
    pub start: ZonedDateTime,
    /// Planned length in minutes.
    pub duration_minutes: u32,
    /// A room or a link.
    pub location: String,
    /// Ordered agenda.
    pub agenda: Vec<AgendaItem>,
    /// Collaborative text.
    pub notes: String,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// Feedback from one side to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Stable id.
    pub id: String,
    /// Who gave it.
    pub author: String,
    /// The goal it is about, if any.
    pub goal: Option<String>,
    /// Praise, suggestion or concern.
    pub kind: FeedbackKind,
    /// Collaborative text.
    pub body: String,
    /// When it was given.
    pub created_at: Timestamp,
}

/// A journal note: a reflection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalNote {
    /// Stable id.
    pub id: String,
    /// Who wrote it.
    pub author: String,
    /// Collaborative text.
    pub body: String,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A networking contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Stable id.
    pub id: String,
    /// The person's name.
    pub name: String,
    /// Where they work.
    pub organization: String,
    /// How the mentee met them.
    pub how_met: String,
    /// Who introduced them.
    pub introduced_by: String,
    /// Collaborative text.
    pub notes: String,
    /// When the contact was recorded.
    pub created_at: Timestamp,
}

string_enum!(
    /// Where a technician is with a test system or procedure.
    CompetencyStage, "competency stage", {
    /// Learning it.
    Training => "training",
    /// Doing it under supervision.
    Supervised => "supervised",
    /// Released to do it alone.
    Independent => "independent",
});

string_enum!(
    /// The outcome of one assessment element.
    AssessmentResult, "assessment result", {
    /// Met the standard.
    Pass => "pass",
    /// Did not yet; to be repeated.
    NeedsWork => "needs-work",
});

/// One assessed element of a competency (the latest for that element).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Which of the six CLIA elements, 1 to 6 (see [`crate::competency::ELEMENTS`]).
    pub element: u8,
    /// When it was assessed.
    pub date: Date,
    /// Who assessed it.
    pub assessor: String,
    /// How: the method, sample, record reviewed.
    pub method: String,
    /// The result.
    pub result: AssessmentResult,
}

/// A signed sign-off of a competency by a mentor's device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    /// The signing device's PeerId.
    pub assessor: String,
    /// The person signing.
    pub name: String,
    /// When it was signed (part of what is signed).
    pub signed_at: Timestamp,
    /// The device's public key (libp2p protobuf encoding, hex).
    pub public_key: String,
    /// The ed25519 signature over the attestation (hex).
    pub signature: String,
}

/// A competency record for one test system or procedure (CLIA-style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competency {
    /// Stable id.
    pub id: String,
    /// The test system or procedure, e.g. "Sysmex XN-1000 CBC".
    pub system: String,
    /// Training, supervised or independent.
    pub stage: CompetencyStage,
    /// When training was completed (reassessments fall due from it).
    pub trained_on: Option<Date>,
    /// The latest assessment of each element, by element number.
    pub assessments: Vec<Assessment>,
    /// Sign-offs, oldest first.
    pub signoffs: Vec<Signoff>,
    /// When the record was made.
    pub created_at: Timestamp,
}

/// A continuing-education activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CeActivity {
    /// Stable id.
    pub id: String,
    /// What it was.
    pub title: String,
    /// Who offered it.
    pub provider: String,
    /// When it was completed.
    pub date: Date,
    /// Credit earned: contact hours or points (ASCP CMP: 1 contact hour = 1 point).
    pub points: f64,
    /// A content area, e.g. "safety", "hematology".
    pub category: String,
    /// Where the certificate is: a reference, or `file:PATH sha256:HEX`.
    pub certificate: String,
    /// When it was recorded.
    pub created_at: Timestamp,
}

string_enum!(
    /// Where a certification stands.
    CertStatus, "certification status", {
    /// Intended.
    Planned => "planned",
    /// Exam booked.
    Scheduled => "scheduled",
    /// Held.
    Earned => "earned",
    /// Lapsed.
    Expired => "expired",
});

/// A credential the technician holds or works toward (e.g. MLS(ASCP)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    /// Stable id.
    pub id: String,
    /// The credential, e.g. MLS, MLT, PBT, HT.
    pub credential: String,
    /// Planned, scheduled, earned or expired.
    pub status: CertStatus,
    /// The target or booked exam date.
    pub exam_date: Option<Date>,
    /// When it was earned.
    pub earned_on: Option<Date>,
    /// When renewal is due (the end of the CE cycle).
    pub renewal_due: Option<Date>,
    /// CE points required per cycle, as the user set it (none shipped unsourced).
    pub ce_required: Option<f64>,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// A device that shares a plan. Only member devices ever receive a plan's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The device's libp2p PeerId (base58).
    pub peer: String,
    /// The person using the device.
    pub name: String,
    /// What the device may do.
    pub role: Role,
    /// A label for the device, e.g. "lab workstation".
    pub device: String,
    /// When it was added.
    pub added_at: Timestamp,
}

/// A whole plan: what `tandem export --format json` writes (with [`crate::EXPORT_VERSION`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Version of the document schema the plan was read with.
    pub schema: u64,
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The mentor's name.
    pub mentor: String,
    /// The mentee's name.
    pub mentee: String,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// When the plan was created.
    pub created_at: Timestamp,
    /// The mentoring agreement.
    pub agreement: Agreement,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Action items.
    pub actions: Vec<Action>,
    /// Meetings.
    pub meetings: Vec<Meeting>,
    /// Feedback.
    pub feedback: Vec<Feedback>,
    /// Journal notes.
    pub notes: Vec<JournalNote>,
    /// Networking contacts.
    pub contacts: Vec<Contact>,
    /// Devices the plan is shared with, sorted by PeerId.
    #[serde(default)]
    pub members: Vec<Member>,
    /// Competency records.
    #[serde(default)]
    pub competencies: Vec<Competency>,
    /// When competencies fall due again (months).
    #[serde(default)]
    pub competency_schedule: crate::competency::Schedule,
    /// Continuing-education activities.
    #[serde(default)]
    pub ce: Vec<CeActivity>,
    /// Certifications.
    #[serde(default)]
    pub certifications: Vec<Certification>,
}

/// One line of `tandem plan list`, kept in the daemon's index so listing needs no document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The mentor's name.
    pub mentor: String,
    /// The mentee's name.
    pub mentee: String,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// Number of goals.
    pub goals: usize,
    /// Number of open action items.
    pub open_actions: usize,
    /// When the plan last changed on this device.
    pub updated_at: Timestamp,
    /// Whether this is the current plan (`tandem plan use`).
    #[serde(default)]
    pub current: bool,
    /// Set when the stored plan cannot be read: why. Its bytes are kept untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// PeerIds of the member devices.
    #[serde(default)]
    pub members: Vec<String>,
}

/// One change in a plan's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The change hash (hex).
    pub hash: String,
    /// The Automerge actor id (hex) of the device that made it.
    pub actor: String,
    /// Who made it, as `user@host` of that device when the plan knows it.
    pub author: String,
    /// When it was made, by the author's clock.
    pub time: Timestamp,
    /// What it did, e.g. `goal add: Pass the MLS exam`.
    pub message: String,
}

/// Progress of a goal given its manual figure and milestones.
///
/// A manual figure wins; otherwise the share of milestones done, rounded down.
pub fn effective_progress(manual: Option<u8>, milestones: &[Milestone]) -> (u8, ProgressSource) {
    if let Some(p) = manual {
        return (p.min(100), ProgressSource::Manual);
    }
    if milestones.is_empty() {
        return (0, ProgressSource::None);
    }
    let done = milestones.iter().filter(|m| m.done).count();
    // done <= len, so the quotient is at most 100 and fits in u8.
    let pct = (done * 100 / milestones.len()) as u8;
    (pct, ProgressSource::Milestones)
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
