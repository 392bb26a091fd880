//! The mutations a client may ask the daemon to make, and their validation.
//!
//! Every field is checked here, once, by both sides: the CLI checks before it
//! sends (so a user gets the message without a round trip), and the daemon
//! checks again (it never trusts its socket). A failed check changes nothing.
//!
//! Items are named by id or by a unique id prefix; milestones and agenda
//! items by their 1-based position.

use jiff::ZonedDateTime;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{
    ActionStatus, FeedbackKind, GoalCategory, GoalStatus, MeetingStatus, Owner, PlanStatus,
};

/// Longest title or other one-line field, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest person or organization name, in characters.
pub const NAME_MAX: usize = 100;
/// Longest collaborative text (description, notes, body), in characters.
pub const TEXT_MAX: usize = 65_536;
/// Most tags on one journal note.
pub const TAGS_MAX: usize = 20;
/// Longest tag, in characters.
pub const TAG_MAX: usize = 40;
/// Longest meeting, in minutes.
pub const DURATION_MAX: u32 = 24 * 60;

/// A field failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ValidationError {
    /// The field, as the CLI names it (e.g. `title`, `progress`).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn bad(field: &'static str, problem: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        problem: problem.into(),
    }
}

/// A required one-line field: not blank, no control characters, at most `max` characters.
pub fn check_line(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(bad(field, "must not be empty"));
    }
    check_optional_line(field, value, max)
}

/// An optional one-line field: may be empty; no control characters, at most `max` characters.
pub fn check_optional_line(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n > max {
        return Err(bad(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(
            field,
            "must be a single line without control characters",
        ));
    }
    if let Some(c) = value.chars().find(|c| is_bidi_control(*c)) {
        return Err(bad(
            field,
            format!(
                "contains the bidirectional control character U+{:04X}, which could make it look like something else to other members",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// Unicode bidirectional embedding, override and isolate controls
/// (U+202A–U+202E, U+2066–U+2069): they reorder how the text around them
/// is shown, so a title could read differently from what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A collaborative text: may be empty or span lines; at most [`TEXT_MAX`] characters.
pub fn check_text(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n > TEXT_MAX {
        return Err(bad(
            field,
            format!("is {n} characters long; the limit is {TEXT_MAX}"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(bad(field, "contains control characters"));
    }
    Ok(())
}

fn check_opt<T>(
    v: &Option<T>,
    f: impl FnOnce(&T) -> Result<(), ValidationError>,
) -> Result<(), ValidationError> {
    v.as_ref().map_or(Ok(()), f)
}

/// `Option<Option<T>>` in JSON: absent means "keep", `null` means "clear".
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serializes the inner option (`None` as `null`); pair with `skip_serializing_if = "Option::is_none"`.
    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// A present field becomes `Some(..)`, even when it is `null`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Most steps a new plan may be seeded with (a template's goals,
/// milestones, actions, competencies and agreement).
pub const SEED_MAX: usize = 1_000;

/// A new plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NewPlan {
    /// Title.
    pub title: String,
    /// The mentor's name (may be empty).
    #[serde(default)]
    pub mentor: String,
    /// The mentee's name (may be empty).
    #[serde(default)]
    pub mentee: String,
    /// What to seed it with (a template), made in the same change as the plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seed: Vec<crate::template::Step>,
}

impl NewPlan {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_line("title", &self.title, TITLE_MAX)?;
        check_optional_line("mentor", &self.mentor, NAME_MAX)?;
        check_optional_line("mentee", &self.mentee, NAME_MAX)?;
        if self.seed.len() > SEED_MAX {
            return Err(bad(
                "template",
                format!("has {} steps; the limit is {SEED_MAX}", self.seed.len()),
            ));
        }
        let mut goals = 0;
        for step in &self.seed {
            use crate::template::Step;
            match step {
                Step::Edit(e) => {
                    if matches!(
                        e,
                        Edit::MemberAdd { .. }
                            | Edit::MemberRemove { .. }
                            | Edit::CompetencySignoff { .. }
                    ) {
                        return Err(bad(
                            "template",
                            "may not add or remove members or sign off competencies",
                        ));
                    }
                    goals += usize::from(matches!(e, Edit::GoalAdd(_)));
                    e.validate()?;
                }
                Step::Milestone { goal, title } => {
                    if *goal >= goals {
                        return Err(bad(
                            "template",
                            format!("a milestone names goal {} before it is added", goal + 1),
                        ));
                    }
                    check_line("milestone", title, TITLE_MAX)?;
                }
            }
        }
        Ok(())
    }
}

/// A new goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGoal {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category.
    pub category: GoalCategory,
    /// Initial status.
    pub status: GoalStatus,
    /// Target date.
    #[serde(default)]
    pub target_date: Option<Date>,
    /// Success criteria.
    #[serde(default)]
    pub success_criteria: String,
    /// Who creates it (a person's name).
    #[serde(default)]
    pub created_by: String,
}

/// Changes to a goal; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalPatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<GoalCategory>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GoalStatus>,
    /// New target date; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub target_date: Option<Option<Date>>,
    /// New success criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_criteria: Option<String>,
    /// Manual progress 0-100; `Some(None)` goes back to progress from milestones.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub progress: Option<Option<u8>>,
}

/// A new action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAction {
    /// What to do.
    pub title: String,
    /// Who does it.
    pub owner: Owner,
    /// When it is due.
    #[serde(default)]
    pub due: Option<Date>,
    /// Goal id or prefix.
    #[serde(default)]
    pub goal: Option<String>,
    /// Meeting id or prefix.
    #[serde(default)]
    pub meeting: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Changes to an action item; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// New due date; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub due: Option<Option<Date>>,
    /// Open or done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ActionStatus>,
    /// New notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A new meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMeeting {
    /// Start, with time zone.
    pub start: ZonedDateTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Room or link.
    #[serde(default)]
    pub location: String,
    /// Initial agenda.
    #[serde(default)]
    pub agenda: Vec<String>,
}

/// Changes to a meeting; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingPatch {
    /// New start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ZonedDateTime>,
    /// New length in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// New room or link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New notes (replaces the text; merged character by character with concurrent edits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MeetingStatus>,
}

/// Changes to the plan itself; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPatch {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New mentor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentor: Option<String>,
    /// New mentee name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentee: Option<String>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PlanStatus>,
}

/// Changes to the agreement; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementPatch {
    /// Meeting cadence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<String>,
    /// Communication norms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication: Option<String>,
    /// Confidentiality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<String>,
    /// Expectations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<String>,
}

/// A mutation of one plan. Each becomes one Automerge change with a readable message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Rename, re-assign or change the status of the plan.
    PlanUpdate(PlanPatch),
    /// Edit the agreement.
    AgreementEdit(AgreementPatch),
    /// Add a goal.
    GoalAdd(NewGoal),
    /// Change a goal.
    GoalEdit {
        /// Goal id or prefix.
        goal: String,
        /// What changes.
        patch: GoalPatch,
    },
    /// Remove a goal.
    GoalRm {
        /// Goal id or prefix.
        goal: String,
    },
    /// Append a milestone to a goal.
    MilestoneAdd {
        /// Goal id or prefix.
        goal: String,
        /// Milestone title.
        title: String,
    },
    /// Mark a milestone done or not done.
    MilestoneSet {
        /// Goal id or prefix.
        goal: String,
        /// 1-based position.
        position: u32,
        /// Done or not.
        done: bool,
    },
    /// Remove a milestone.
    MilestoneRm {
        /// Goal id or prefix.
        goal: String,
        /// 1-based position.
        position: u32,
    },
    /// Add an action item.
    ActionAdd(NewAction),
    /// Change an action item.
    ActionEdit {
        /// Action id or prefix.
        action: String,
        /// What changes.
        patch: ActionPatch,
    },
    /// Remove an action item.
    ActionRm {
        /// Action id or prefix.
        action: String,
    },
    /// Add a meeting.
    MeetingAdd(NewMeeting),
    /// Change a meeting.
    MeetingEdit {
        /// Meeting id or prefix.
        meeting: String,
        /// What changes.
        patch: MeetingPatch,
    },
    /// Append an agenda item to a meeting.
    AgendaAdd {
        /// Meeting id or prefix.
        meeting: String,
        /// The topic.
        text: String,
    },
    /// Remove an agenda item.
    AgendaRm {
        /// Meeting id or prefix.
        meeting: String,
        /// 1-based position.
        position: u32,
    },
    /// Add feedback.
    FeedbackAdd {
        /// Who gives it.
        author: String,
        /// Goal id or prefix.
        #[serde(default)]
        goal: Option<String>,
        /// Praise, suggestion or concern.
        kind: FeedbackKind,
        /// The feedback.
        body: String,
    },
    /// Add a journal note.
    NoteAdd {
        /// Who writes it.
        author: String,
        /// The note.
        body: String,
        /// Tags.
        #[serde(default)]
        tags: Vec<String>,
    },
    /// Share the plan with a device (or update its member record).
    MemberAdd {
        /// The device's PeerId.
        peer: String,
        /// The person using it.
        name: String,
        /// What it may do.
        role: crate::model::Role,
        /// A label for the device.
        #[serde(default)]
        device: String,
    },
    /// Stop sharing the plan with a device.
    MemberRemove {
        /// The device's PeerId, or a unique prefix of it.
        peer: String,
    },
    /// Add a networking contact.
    ContactAdd {
        /// Name.
        name: String,
        /// Organization.
        #[serde(default)]
        organization: String,
        /// How they met.
        #[serde(default)]
        how_met: String,
        /// Who introduced them.
        #[serde(default)]
        introduced_by: String,
        /// Notes.
        #[serde(default)]
        notes: String,
    },
    /// Start a competency record for a test system or procedure (stage: training).
    CompetencyAdd {
        /// The test system or procedure.
        system: String,
    },
    /// Move a competency to another stage; `trained_on` records when
    /// training was completed (reassessments fall due from it).
    CompetencyStage {
        /// Competency id or prefix.
        competency: String,
        /// The new stage.
        stage: crate::model::CompetencyStage,
        /// When training was completed (kept if `None`).
        #[serde(default)]
        trained_on: Option<jiff::civil::Date>,
    },
    /// Record one of the six assessment elements (replaces that element's earlier result).
    CompetencyAssess {
        /// Competency id or prefix.
        competency: String,
        /// The element, 1 to 6.
        element: u8,
        /// When it was assessed.
        date: jiff::civil::Date,
        /// Who assessed it.
        assessor: String,
        /// How.
        #[serde(default)]
        method: String,
        /// pass or needs-work.
        result: crate::model::AssessmentResult,
    },
    /// Sign off a competency with this device's key. Clients send `signoff:
    /// null`; the daemon fills it with a signature of its own making.
    CompetencySignoff {
        /// Competency id or prefix.
        competency: String,
        /// The signature, made by the daemon.
        #[serde(default)]
        signoff: Option<crate::model::Signoff>,
    },
    /// Set when competencies fall due again.
    CompetencySchedule(crate::competency::Schedule),
    /// Log a continuing-education activity.
    CeAdd {
        /// What it was.
        title: String,
        /// Who offered it.
        #[serde(default)]
        provider: String,
        /// When it was completed.
        date: jiff::civil::Date,
        /// Contact hours or points.
        points: f64,
        /// Content area.
        #[serde(default)]
        category: String,
        /// Certificate reference.
        #[serde(default)]
        certificate: String,
    },
    /// Remove a CE activity.
    CeRm {
        /// Its id or prefix.
        ce: String,
    },
    /// Record a certification.
    CertAdd {
        /// The credential, e.g. MLS.
        credential: String,
        /// Where it stands.
        status: crate::model::CertStatus,
        /// Target or booked exam date.
        #[serde(default)]
        exam_date: Option<jiff::civil::Date>,
        /// When earned.
        #[serde(default)]
        earned_on: Option<jiff::civil::Date>,
        /// When renewal is due.
        #[serde(default)]
        renewal_due: Option<jiff::civil::Date>,
        /// CE points required per cycle.
        #[serde(default)]
        ce_required: Option<f64>,
    },
    /// Change a certification; `None` leaves a field as it is.
    CertUpdate {
        /// Its id or prefix.
        cert: String,
        /// New status.
        #[serde(default)]
        status: Option<crate::model::CertStatus>,
        /// New exam date.
        #[serde(default)]
        exam_date: Option<jiff::civil::Date>,
        /// New earned date.
        #[serde(default)]
        earned_on: Option<jiff::civil::Date>,
        /// New renewal date.
        #[serde(default)]
        renewal_due: Option<jiff::civil::Date>,
        /// New CE requirement.
        #[serde(default)]
        ce_required: Option<f64>,
    },
}

/// Longest PeerId text accepted.
pub const PEER_ID_MAX: usize = 128;

/// Credit points: finite, positive, at most 1,000.
pub(crate) fn check_points(field: &'static str, p: Option<f64>) -> Result<(), ValidationError> {
    match p {
        Some(p) if !(p.is_finite() && p > 0.0 && p <= 1000.0) => Err(bad(
            field,
            format!("{p} is not a number of points between 0 and 1000"),
        )),
        _ => Ok(()),
    }
}

/// A PeerId as text: base58 (Bitcoin alphabet), 32 to [`PEER_ID_MAX`] characters.
///
/// This checks the shape only; the daemon parses it fully.
pub fn check_peer_id(peer: &str) -> Result<(), ValidationError> {
    const B58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let n = peer.chars().count();
    if !(32..=PEER_ID_MAX).contains(&n) || !peer.chars().all(|c| B58.contains(c)) {
        return Err(bad(
            "peer",
            format!(
                "'{peer}' is not a PeerId (base58, like 12D3KooW...; see `tandem device show` on that device)"
            ),
        ));
    }
    Ok(())
}

fn check_position(p: u32) -> Result<(), ValidationError> {
    if p == 0 {
        return Err(bad("position", "positions start at 1"));
    }
    Ok(())
}

fn check_duration(minutes: u32) -> Result<(), ValidationError> {
    if minutes == 0 || minutes > DURATION_MAX {
        return Err(bad(
            "duration",
            format!("must be between 1 and {DURATION_MAX} minutes, got {minutes}"),
        ));
    }
    Ok(())
}

fn check_progress(p: u8) -> Result<(), ValidationError> {
    if p > 100 {
        return Err(bad(
            "progress",
            format!("must be between 0 and 100, got {p}"),
        ));
    }
    Ok(())
}

impl Edit {
    /// Checks every field. Ids are checked against the plan by the daemon.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Edit::PlanUpdate(p) => {
                check_opt(&p.title, |t| check_line("title", t, TITLE_MAX))?;
                check_opt(&p.mentor, |t| check_optional_line("mentor", t, NAME_MAX))?;
                check_opt(&p.mentee, |t| check_optional_line("mentee", t, NAME_MAX))
            }
            Edit::AgreementEdit(a) => {
                check_opt(&a.cadence, |t| check_text("cadence", t))?;
                check_opt(&a.communication, |t| check_text("communication", t))?;
                check_opt(&a.confidentiality, |t| check_text("confidentiality", t))?;
                check_opt(&a.expectations, |t| check_text("expectations", t))
            }
            Edit::GoalAdd(g) => {
                check_line("title", &g.title, TITLE_MAX)?;
                check_text("description", &g.description)?;
                check_text("success criteria", &g.success_criteria)?;
                check_optional_line("created by", &g.created_by, NAME_MAX)
            }
            Edit::GoalEdit { patch, .. } => {
                check_opt(&patch.title, |t| check_line("title", t, TITLE_MAX))?;
                check_opt(&patch.description, |t| check_text("description", t))?;
                check_opt(&patch.success_criteria, |t| {
                    check_text("success criteria", t)
                })?;
                check_opt(&patch.progress, |p| check_opt(p, |p| check_progress(*p)))
            }
            Edit::GoalRm { .. } | Edit::ActionRm { .. } => Ok(()),
            Edit::MilestoneAdd { title, .. } => check_line("milestone", title, TITLE_MAX),
            Edit::MilestoneSet { position, .. } | Edit::MilestoneRm { position, .. } => {
                check_position(*position)
            }
            Edit::ActionAdd(a) => {
                check_line("title", &a.title, TITLE_MAX)?;
                check_text("notes", &a.notes)
            }
            Edit::ActionEdit { patch, .. } => {
                check_opt(&patch.title, |t| check_line("title", t, TITLE_MAX))?;
                check_opt(&patch.notes, |t| check_text("notes", t))
            }
            Edit::MeetingAdd(m) => {
                check_duration(m.duration_minutes)?;
                check_optional_line("location", &m.location, TITLE_MAX * 4)?;
                m.agenda
                    .iter()
                    .try_for_each(|t| check_line("agenda item", t, TITLE_MAX))
            }
            Edit::MeetingEdit { patch, .. } => {
                check_opt(&patch.duration_minutes, |d| check_duration(*d))?;
                check_opt(&patch.location, |t| {
                    check_optional_line("location", t, TITLE_MAX * 4)
                })?;
                check_opt(&patch.notes, |t| check_text("notes", t))
            }
            Edit::AgendaAdd { text, .. } => check_line("agenda item", text, TITLE_MAX),
            Edit::AgendaRm { position, .. } => check_position(*position),
            Edit::FeedbackAdd { author, body, .. } => {
                check_optional_line("author", author, NAME_MAX)?;
                if body.trim().is_empty() {
                    return Err(bad("body", "must not be empty"));
                }
                check_text("body", body)
            }
            Edit::NoteAdd { author, body, tags } => {
                check_optional_line("author", author, NAME_MAX)?;
                if body.trim().is_empty() {
                    return Err(bad("body", "must not be empty"));
                }
                check_text("body", body)?;
                if tags.len() > TAGS_MAX {
                    return Err(bad(
                        "tags",
                        format!("{} tags given; the limit is {TAGS_MAX}", tags.len()),
                    ));
                }
                tags.iter().try_for_each(|t| {
                    check_line("tag", t, TAG_MAX)?;
                    if t.contains(char::is_whitespace) || t.contains(',') {
                        return Err(bad(
                            "tag",
                            format!("'{t}' must not contain spaces or commas"),
                        ));
                    }
                    Ok(())
                })
            }
            Edit::MemberAdd {
                peer, name, device, ..
            } => {
                check_peer_id(peer)?;
                check_line("name", name, NAME_MAX)?;
                check_optional_line("device", device, NAME_MAX)
            }
            Edit::MemberRemove { peer } => check_line("peer", peer, PEER_ID_MAX),
            Edit::ContactAdd {
                name,
                organization,
                how_met,
                introduced_by,
                notes,
            } => {
                check_line("name", name, NAME_MAX)?;
                check_optional_line("organization", organization, NAME_MAX)?;
                check_optional_line("how met", how_met, TITLE_MAX)?;
                check_optional_line("introduced by", introduced_by, NAME_MAX)?;
                check_text("notes", notes)
            }
            Edit::CompetencyAdd { system } => check_line("system", system, TITLE_MAX),
            Edit::CompetencyStage { competency, .. }
            | Edit::CompetencySignoff { competency, .. } => {
                check_line("competency", competency, TITLE_MAX)
            }
            Edit::CompetencyAssess {
                competency,
                element,
                assessor,
                method,
                ..
            } => {
                check_line("competency", competency, TITLE_MAX)?;
                if !(1..=6).contains(element) {
                    return Err(bad(
                        "element",
                        "must be 1 to 6 (see `tandem competency elements`)",
                    ));
                }
                check_line("assessor", assessor, NAME_MAX)?;
                check_text("method", method)
            }
            Edit::CompetencySchedule(s) => s.validate().map_err(|m| bad("schedule", m)),
            Edit::CeAdd {
                title,
                provider,
                points,
                category,
                certificate,
                ..
            } => {
                check_line("title", title, TITLE_MAX)?;
                check_optional_line("provider", provider, NAME_MAX)?;
                check_optional_line("category", category, NAME_MAX)?;
                check_optional_line("certificate", certificate, TITLE_MAX * 4)?;
                check_points("points", Some(*points))
            }
            Edit::CeRm { ce } => check_line("id", ce, TITLE_MAX),
            Edit::CertAdd {
                credential,
                ce_required,
                ..
            } => {
                check_line("credential", credential, NAME_MAX)?;
                check_points("CE required", *ce_required)
            }
            Edit::CertUpdate {
                cert, ce_required, ..
            } => {
                check_line("id", cert, TITLE_MAX)?;
                check_points("CE required", *ce_required)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_long_titles_are_refused_by_name() {
        let e = Edit::MilestoneAdd {
            goal: "g".into(),
            title: "  ".into(),
        };
        assert_eq!(
            e.validate().unwrap_err().to_string(),
            "milestone: must not be empty"
        );
        let long = "x".repeat(TITLE_MAX + 1);
        let e = Edit::PlanUpdate(PlanPatch {
            title: Some(long),
            ..Default::default()
        });
        assert!(
            e.validate()
                .unwrap_err()
                .to_string()
                .starts_with("title: is 201 characters long")
        );
        let e = Edit::GoalEdit {
            goal: "g".into(),
            patch: GoalPatch {
                progress: Some(Some(101)),
                ..Default::default()
            },
        };
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
            let e = Edit::MemberAdd {
                peer: "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".into(),
                name: format!("Dana{c}"),
                role: crate::model::Role::Mentee,
                device: String::new(),
            };
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
        let e = Edit::MilestoneRm {
            goal: "g".into(),
            position: 0,
        };
        assert_eq!(e.validate().unwrap_err().field, "position");
    }
}
