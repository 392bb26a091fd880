//! The app's form of every kind of plan item, in one table: the fields a
//! new one asks for, the fields its edit form shows, and the values a new
//! one gets without asking. The fields are those of the kind's `New*` and
//! `*Patch` types in proto (the keys are their JSON names), so a field
//! the table names wrong fails the round trip in this module's test.

use tandem_proto::items::ItemKind;
use tandem_proto::model::{
    ActionStatus, AssessmentKind, AssessmentResult, CertStatus, CompetencyStage, FeedbackKind,
    GoalCategory, GoalStatus, MeetingStatus, PlanStatus, Qualification,
};

use super::form::{Field, Input};
use crate::choices;

/// One kind's forms.
pub struct Spec {
    /// The kind (its wire name is the edit's key and the URL's segment).
    pub kind: ItemKind,
    /// The key that names the item in its `edit` and `rm` operations.
    pub id_key: &'static str,
    /// Its list in the plan's JSON view (`Collected::FIELD`).
    pub field: &'static str,
    /// Whether the plan's page always has its section (the others get one
    /// once they have items).
    pub everyday: bool,
    /// Its section's heading on the plan's page.
    pub section: &'static str,
    /// What the form to add one is called.
    pub add_label: &'static str,
    /// The fields a new one asks for.
    pub add: &'static [Field],
    /// Values a new one gets without asking (JSON strings).
    pub fixed: &'static [(&'static str, &'static str)],
    /// The fields of its edit form (its patch's keys).
    pub edit: &'static [Field],
    /// Fields of its view shown in its list, after its label.
    pub facts: &'static [&'static str],
}

const fn f(key: &'static str, label: &'static str, input: Input) -> Field {
    Field {
        key,
        label,
        input,
        required: false,
        start: "",
    }
}

const fn req(key: &'static str, label: &'static str, input: Input) -> Field {
    Field {
        key,
        label,
        input,
        required: true,
        start: "",
    }
}

const fn starting(field: Field, start: &'static str) -> Field {
    Field { start, ..field }
}

/// Goals.
pub const GOAL: Spec = Spec {
    kind: ItemKind::Goal,
    id_key: "goal",
    field: "goals",
    everyday: true,
    section: "Goals",
    add_label: "Add a goal",
    add: &[
        req("title", "Title", Input::Line),
        f("category", "Kind of goal", choices!(GoalCategory)),
        f("target_date", "Target date", Input::Date),
        f("description", "Description", Input::Text),
        f(
            "success_criteria",
            "How you will know it is reached",
            Input::Text,
        ),
    ],
    fixed: &[("status", "active")],
    edit: &[
        req("title", "Title", Input::Line),
        f("category", "Kind of goal", choices!(GoalCategory)),
        f("status", "Status", choices!(GoalStatus)),
        f("target_date", "Target date", Input::Date),
        f(
            "progress",
            "Progress in % (empty: from the milestones)",
            Input::Whole,
        ),
        f("description", "Description", Input::Text),
        f(
            "success_criteria",
            "How you will know it is reached",
            Input::Text,
        ),
    ],
    facts: &["status", "target_date"],
};

/// Actions.
pub const ACTION: Spec = Spec {
    kind: ItemKind::Action,
    id_key: "action",
    field: "actions",
    everyday: true,
    section: "Actions",
    add_label: "Add an action",
    add: &[
        req("title", "What to do", Input::Line),
        starting(f("owner", "Who does it", Input::Owner), "mentee"),
        f("due", "Due", Input::Date),
        f("goal", "For the goal", Input::Goal),
        f("notes", "Notes", Input::Text),
    ],
    fixed: &[],
    edit: &[
        req("title", "What to do", Input::Line),
        f("owner", "Who does it", Input::Owner),
        f("status", "Status", choices!(ActionStatus)),
        f("due", "Due", Input::Date),
        f("goal", "For the goal", Input::Goal),
        f("notes", "Notes", Input::Text),
    ],
    facts: &["status", "due"],
};

/// Meetings.
pub const MEETING: Spec = Spec {
    kind: ItemKind::Meeting,
    id_key: "meeting",
    field: "meetings",
    everyday: true,
    section: "Meetings",
    add_label: "Schedule a meeting",
    add: &[
        req("start", "When", Input::When),
        starting(req("duration_minutes", "Minutes", Input::Whole), "30"),
        f("location", "Where", Input::Line),
    ],
    fixed: &[],
    edit: &[
        req("start", "When", Input::When),
        req("duration_minutes", "Minutes", Input::Whole),
        f("location", "Where", Input::Line),
        f("status", "Status", choices!(MeetingStatus)),
        f("notes", "Notes", Input::Text),
    ],
    facts: &["status", "location"],
};

/// Feedback.
const FEEDBACK_FIELDS: &[Field] = &[
    f("kind", "Kind", choices!(FeedbackKind)),
    req("body", "Feedback", Input::Text),
    f("goal", "About the goal", Input::Goal),
];

/// Its forms: the same fields to add one and to edit it.
pub const FEEDBACK: Spec = Spec {
    kind: ItemKind::Feedback,
    id_key: "feedback",
    field: "feedback",
    everyday: false,
    section: "Feedback",
    add_label: "Give feedback",
    add: FEEDBACK_FIELDS,
    fixed: &[("author", "")],
    edit: FEEDBACK_FIELDS,
    facts: &["body"],
};

/// Journal notes.
const NOTE_FIELDS: &[Field] = &[
    req("body", "Note", Input::Text),
    f("tags", "Tags", Input::Tags),
];

/// Its forms: the same fields to add one and to edit it.
pub const NOTE: Spec = Spec {
    kind: ItemKind::Note,
    id_key: "note",
    field: "notes",
    everyday: false,
    section: "Journal",
    add_label: "Write a note",
    add: NOTE_FIELDS,
    fixed: &[("author", "")],
    edit: NOTE_FIELDS,
    facts: &["tags"],
};

/// Contacts.
const CONTACT_FIELDS: &[Field] = &[
    req("name", "Name", Input::Line),
    f("organization", "Organization", Input::Line),
    f("how_met", "How you met", Input::Line),
    f("introduced_by", "Introduced by", Input::Line),
    f("notes", "Notes", Input::Text),
];

/// Its forms: the same fields to add one and to edit it.
pub const CONTACT: Spec = Spec {
    kind: ItemKind::Contact,
    id_key: "contact",
    field: "contacts",
    everyday: false,
    section: "Contacts",
    add_label: "Add a contact",
    add: CONTACT_FIELDS,
    fixed: &[],
    edit: CONTACT_FIELDS,
    facts: &["organization"],
};

/// Competencies (their assessments and sign-offs have forms on their page).
pub const COMPETENCY: Spec = Spec {
    kind: ItemKind::Competency,
    id_key: "competency",
    field: "competencies",
    everyday: true,
    section: "Competencies",
    add_label: "Add a test system",
    add: &[req("system", "Test system or method", Input::Line)],
    fixed: &[],
    edit: &[],
    facts: &["stage", "trained_on"],
};

/// Continuing education.
const CE_FIELDS: &[Field] = &[
    req("title", "Course or activity", Input::Line),
    f("provider", "Provider", Input::Line),
    starting(req("date", "Date", Input::Date), "today"),
    req("points", "Credit (hours or points)", Input::Decimal),
    f("category", "Category", Input::Line),
    f("certificate", "Certificate number", Input::Line),
];

/// Its forms: the same fields to add one and to edit it.
pub const CE: Spec = Spec {
    kind: ItemKind::Ce,
    id_key: "ce",
    field: "ce",
    everyday: false,
    section: "Continuing education",
    add_label: "Log CE credit",
    add: CE_FIELDS,
    fixed: &[],
    edit: CE_FIELDS,
    facts: &["date", "points"],
};

/// Certifications.
const CERT_FIELDS: &[Field] = &[
    req("credential", "Credential (e.g. MLS(ASCP))", Input::Line),
    f("status", "Status", choices!(CertStatus)),
    f("exam_date", "Exam date", Input::Date),
    f("earned_on", "Earned on", Input::Date),
    f("renewal_due", "Renewal due", Input::Date),
    f("ce_required", "CE credit needed to renew", Input::Decimal),
];

/// Its forms: the same fields to add one and to edit it.
pub const CERTIFICATION: Spec = Spec {
    kind: ItemKind::Certification,
    id_key: "cert",
    field: "certifications",
    everyday: false,
    section: "Certifications",
    add_label: "Add a certification",
    add: CERT_FIELDS,
    fixed: &[],
    edit: CERT_FIELDS,
    facts: &["status", "renewal_due"],
};

/// Every kind with a list on the plan's page, in the page's order.
pub const LISTED: &[&Spec] = &[
    &GOAL,
    &ACTION,
    &MEETING,
    &COMPETENCY,
    &FEEDBACK,
    &NOTE,
    &CE,
    &CERTIFICATION,
    &CONTACT,
];

/// The plan's own fields.
pub const PLAN: &[Field] = &[
    req("title", "Title", Input::Line),
    f("mentor", "Mentor", Input::Line),
    f("mentee", "Mentee", Input::Line),
    f("status", "Status", choices!(PlanStatus)),
];

/// The mentoring agreement.
pub const AGREEMENT: &[Field] = &[
    f("cadence", "How often you meet", Input::Line),
    f("communication", "How you keep in touch", Input::Line),
    f("confidentiality", "What stays between you", Input::Text),
    f("expectations", "What you expect of each other", Input::Text),
];

/// A competency's stage.
pub const STAGE: &[Field] = &[
    f("stage", "Stage", choices!(CompetencyStage)),
    f("trained_on", "Trained on", Input::Date),
];

/// One element's assessment.
pub const ASSESSMENT: &[Field] = &[
    starting(req("date", "Date", Input::Date), "today"),
    req("assessor", "Assessor", Input::Line),
    f("method", "How it was assessed", Input::Text),
    f("result", "Result", choices!(AssessmentResult)),
];

/// What to do about an element that needs work (a remediation).
pub const REMEDIATION: &[Field] = &[
    f("retrain", "If it needs work: what to retrain", Input::Line),
    f("by", "Retrained by", Input::Line),
    f("due", "Reassess by", Input::Date),
];

/// A sign-off: the assessment it completes and the assessor's qualification.
pub const SIGNOFF: &[Field] = &[
    f("kind", "Assessment", choices!(AssessmentKind)),
    req(
        "qualification",
        "Your qualification",
        choices!(Qualification),
    ),
];

/// The laboratory and person details printed on records.
pub const PROFILE: &[Field] = &[
    f("lab_name", "Laboratory", Input::Line),
    f("clia_number", "CLIA number", Input::Line),
    f("lab_director", "Laboratory director", Input::Line),
    f("lab_section", "Section", Input::Line),
    f("full_name", "Employee's full name", Input::Line),
    f("employee_id", "Employee id", Input::Line),
    f("position", "Position", Input::Line),
];

/// A kind's spec from the URL's segment (its wire name).
pub fn by_path(segment: &str) -> Option<&'static Spec> {
    LISTED.iter().copied().find(|s| s.kind.as_str() == segment)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use jiff::Timestamp;

    use super::super::form;
    use super::*;

    /// Every list of items in a plan has its forms here (members have
    /// their own page, conflicts are marks on items): a kind added to
    /// `Plan` without a line in `LISTED` fails here.
    #[test]
    fn every_kind_of_item_is_in_the_app() {
        let plan = serde_json::to_value(tandem_proto::model::Plan::empty()).unwrap();
        for (key, v) in plan.as_object().unwrap() {
            if v.is_array() && !["members", "member_history", "conflicts"].contains(&key.as_str()) {
                assert!(
                    LISTED.iter().any(|s| s.field == key),
                    "the plan's {key} have no forms in the app"
                );
            }
        }
    }

    /// Fills every field of every form with a value of its type and has
    /// proto's types read the edit: a key the table names wrong, or a
    /// required field it forgot, fails here.
    #[test]
    fn every_form_makes_an_edit_the_daemon_reads() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let sample = |f: &Field| match f.input {
            Input::Line | Input::Text => "Something".to_string(),
            Input::Date => "2027-03-01".into(),
            Input::When => "2027-03-01 14:00".into(),
            Input::Whole => "30".into(),
            Input::Decimal => "1.5".into(),
            Input::Choice(values) => values()[0].into(),
            Input::Owner => "mentee".into(),
            Input::Goal => String::new(),
            Input::Tags => "a, b".into(),
        };
        let plan = serde_json::to_value(tandem_proto::model::Plan::empty()).unwrap();
        for s in LISTED {
            assert!(plan[s.field].is_array(), "{}: {}", s.kind, s.field);
            let typed: HashMap<String, String> = s
                .add
                .iter()
                .map(|f| (f.key.to_string(), sample(f)))
                .collect();
            let e = form::add(s.kind.as_str(), s.add, s.fixed, &typed, now);
            assert!(e.is_ok(), "{}: {e:?}", s.kind);
            assert!(e.unwrap().validate().is_ok(), "{}", s.kind);
            if s.edit.is_empty() {
                continue;
            }
            let mut typed: HashMap<String, String> = s
                .edit
                .iter()
                .map(|f| (f.key.to_string(), sample(f)))
                .collect();
            typed.insert("goal".into(), String::new());
            let patch = form::patch(s.edit, &typed, now).unwrap();
            let mut rest = serde_json::Map::new();
            rest.insert("patch".into(), serde_json::Value::Object(patch));
            let e = form::edit_of(s.kind.as_str(), form::op("edit", s.id_key, "abc", rest));
            assert!(e.is_ok(), "{} edit: {e:?}", s.kind);
        }
    }
}
