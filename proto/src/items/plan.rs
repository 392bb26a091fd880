//! The plan itself: its own fields, the whole view that holds every other
//! kind (what `tandem export --format json` writes), the summary `plan list`
//! shows, and how a new plan is made.
//!
//! ```text
//! ROOT
//!   schema: uint                 crate::SCHEMA_VERSION
//!   id, title, mentor, mentee: str
//!   status: str                  active | completed | archived
//!   created_at: timestamp (ms)
//!   agreement, goals, actions, meetings, feedback, notes, contacts,
//!   competencies, ce, certifications, members, removed: see each kind's module
//!   competency_schedule: str     see `competency`
//!   profile: map                 see `profile`
//!   devices: map                 the daemon's (who is behind each Automerge actor)
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::action::Action;
use super::agreement::Agreement;
use super::ce::CeActivity;
use super::certification::Certification;
use super::competency::Competency;
use super::contact::Contact;
use super::feedback::Feedback;
use super::fields::{
    NAME_MAX, TITLE_MAX, ValidationError, bad, check_line, check_opt, check_optional_line,
};
use super::goal::Goal;
use super::meeting::Meeting;
use super::member::Member;
use super::note::JournalNote;
use crate::ids::{PeerId, PlanId};
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

/// A whole plan: what `tandem export --format json` writes (with [`crate::EXPORT_VERSION`]).
///
/// Every list is sorted deterministically (by creation time, then id), so
/// two replicas with the same document give byte-identical JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Version of the document schema the plan was read with.
    pub schema: u64,
    /// Stable id.
    pub id: PlanId,
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
    /// Who was a member when, with which role (see [`super::member`]):
    /// what sign-offs are verified against. Not exported data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_history: Vec<super::member::Tenure>,
    /// The laboratory and person the records are about.
    #[serde(default)]
    pub profile: super::profile::Profile,
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
    /// Fields two devices changed at the same time, until someone edits
    /// them again or resolves them (see [`super::conflict`]); not exported
    /// data, absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<super::conflict::Conflict>,
}

impl Plan {
    /// A plan with nothing in it yet, to fill.
    pub fn empty() -> Plan {
        Plan {
            schema: 0,
            id: PlanId::default(),
            title: String::new(),
            mentor: String::new(),
            mentee: String::new(),
            status: PlanStatus::Active,
            created_at: Timestamp::UNIX_EPOCH,
            agreement: Agreement::default(),
            goals: Vec::new(),
            actions: Vec::new(),
            meetings: Vec::new(),
            feedback: Vec::new(),
            notes: Vec::new(),
            contacts: Vec::new(),
            members: Vec::new(),
            member_history: Vec::new(),
            profile: Default::default(),
            competencies: Vec::new(),
            competency_schedule: Default::default(),
            ce: Vec::new(),
            certifications: Vec::new(),
            conflicts: Vec::new(),
        }
    }
}

/// One line of `tandem plan list`, kept in the daemon's index so listing needs no document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Stable id.
    pub id: PlanId,
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
    pub members: Vec<PeerId>,
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

/// What can be done to the plan's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PlanOp {
    /// Rename, re-assign or change the status of the plan.
    Edit(PlanPatch),
    /// Set the laboratory and person details printed on records.
    Profile(Box<super::profile::ProfilePatch>),
}

/// The checks of the plan's own fields, whoever writes them.
pub fn check(p: &PlanPatch) -> Result<(), ValidationError> {
    check_opt(&p.title, |t| check_line("title", t, TITLE_MAX))?;
    check_opt(&p.mentor, |t| check_optional_line("mentor", t, NAME_MAX))?;
    check_opt(&p.mentee, |t| check_optional_line("mentee", t, NAME_MAX))
}

/// The checks of an imported plan's own fields (and its schedule).
pub fn check_fields(p: &Plan) -> Result<(), ValidationError> {
    check(&PlanPatch {
        title: Some(p.title.clone()),
        mentor: Some(p.mentor.clone()),
        mentee: Some(p.mentee.clone()),
        status: Some(p.status),
    })?;
    super::profile::check_imported(&p.profile)?;
    p.competency_schedule
        .validate()
        .map_err(|e| bad("competency_schedule", e))
}

impl PlanOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            PlanOp::Edit(p) => check(p),
            PlanOp::Profile(p) => super::profile::check(p),
        }
    }
}

impl NewPlan {
    /// Checks every field, and every step of its seed.
    pub fn validate(&self) -> Result<(), ValidationError> {
        use super::{Edit, goal::GoalOp, member::MemberOp};
        check(&PlanPatch {
            title: Some(self.title.clone()),
            mentor: Some(self.mentor.clone()),
            mentee: Some(self.mentee.clone()),
            status: None,
        })?;
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
                        Edit::Member(MemberOp::Add(_) | MemberOp::Rm { .. }) | Edit::Signoff(_)
                    ) {
                        return Err(bad(
                            "template",
                            "may not add or remove members or sign off competencies",
                        ));
                    }
                    goals += usize::from(matches!(e, Edit::Goal(GoalOp::Add(_))));
                    e.validate()?;
                }
                Step::Milestone { goal, title } => {
                    if *goal >= goals {
                        return Err(bad(
                            "template",
                            format!("a milestone names goal {} before it is added", goal + 1),
                        ));
                    }
                    super::milestone::check(title)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(feature = "doc")]
pub use doc::{read_fields, write_imported, write_new};

#[cfg(feature = "doc")]
mod doc {
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;

    use super::super::doc::{
        Applied, CREATED_AT, R, Target, Writer, internal, opt_string, parsed, string, ts_or_epoch,
        uint,
    };
    use super::super::{agreement, collection_keys, competency, member, profile};
    use super::{NewPlan, Plan, PlanOp, PlanStatus};
    use crate::{ApiError, ErrorCode};

    /// Re-reads the plan's own fields (not its collections) into `p`.
    pub fn read_fields<R: ReadDoc>(d: &R, p: &mut Plan) {
        let root = automerge::ROOT;
        p.schema = uint(d, &root, "schema").unwrap_or(0);
        p.id = string(d, &root, "id").into();
        p.title = string(d, &root, "title");
        p.mentor = string(d, &root, "mentor");
        p.mentee = string(d, &root, "mentee");
        p.status = parsed(d, &root, "status", PlanStatus::Active);
        p.created_at = ts_or_epoch(d, &root, CREATED_AT);
        p.profile = profile::read(d);
        p.competency_schedule = opt_string(d, &root, competency::SCHEDULE_KEY)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
    }

    /// Writes a new plan's own fields and makes every map it holds, so no
    /// two devices ever race to make one (the one made later would hide the
    /// other's children).
    pub fn write_new(w: &mut Writer, id: &str, new: &NewPlan) -> R<()> {
        let root = automerge::ROOT;
        w.put_uint(&root, "schema", crate::SCHEMA_VERSION)?;
        w.put_str(&root, "id", id)?;
        w.put_str(&root, "title", &new.title)?;
        w.put_str(&root, "mentor", &new.mentor)?;
        w.put_str(&root, "mentee", &new.mentee)?;
        w.put_str(&root, "status", PlanStatus::Active.as_str())?;
        let now = w.now;
        w.put_ts(&root, CREATED_AT, now)?;
        let a = w.new_map(&root, agreement::KEY)?;
        for key in agreement::TEXTS {
            w.tx.put_object(&a, key, automerge::ObjType::Text)
                .map_err(internal)?;
        }
        for key in collection_keys() {
            w.new_map(&root, key)?;
        }
        w.new_map(&root, member::KEY)?;
        w.new_map(&root, member::REMOVED_KEY)?;
        w.new_map(&root, profile::KEY)?;
        Ok(())
    }

    /// Writes an imported plan's own fields over a new plan's.
    pub fn write_imported(w: &mut Writer, p: &Plan) -> R<()> {
        let root = automerge::ROOT;
        w.put_str(&root, "status", p.status.as_str())?;
        w.put_ts(&root, CREATED_AT, p.created_at)?;
        profile::write(w, &p.profile.to_patch())?;
        if p.competency_schedule != Default::default() {
            let json = serde_json::to_string(&p.competency_schedule)
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
            w.put_str(&root, competency::SCHEDULE_KEY, &json)?;
        }
        Ok(())
    }

    impl PlanOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            let root = automerge::ROOT;
            match self {
                PlanOp::Edit(p) => {
                    let mut changed = Vec::new();
                    for (key, value) in [
                        ("title", &p.title),
                        ("mentor", &p.mentor),
                        ("mentee", &p.mentee),
                    ] {
                        if let Some(v) = value {
                            w.put_str(&root, key, v)?;
                            changed.push(key);
                        }
                    }
                    if let Some(s) = p.status {
                        w.put_str(&root, "status", s.as_str())?;
                    }
                    let title = string(w.tx, &root, "title");
                    let message = match (changed.as_slice(), p.status) {
                        (["title"], None) => format!("plan rename: {title}"),
                        ([], Some(s)) => format!("plan status: {title} -> {s}"),
                        _ => format!("plan edit: {title}"),
                    };
                    Ok(Applied {
                        message,
                        target: Target::Plan,
                    })
                }
                PlanOp::Profile(p) => {
                    let keys = profile::write(w, p)?;
                    Ok(Applied {
                        message: format!("plan profile: {}", keys.join(", ")),
                        target: Target::Plan,
                    })
                }
            }
        }
    }
}
