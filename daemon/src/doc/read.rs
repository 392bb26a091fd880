//! Reading a plan document into the views of `tandem_proto::model`.
//!
//! Readers are generic over [`ReadDoc`], so they work on a document and
//! inside a transaction alike. They are lenient by design: a document may
//! have been written by a newer or buggy peer, so a missing field or a
//! value of the wrong type reads as a default, never as a panic.

use std::str::FromStr;

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use tandem_proto::model::{
    Action, ActionStatus, AgendaItem, Agreement, Assessment, AssessmentResult, CeActivity,
    CertStatus, Certification, Competency, CompetencyStage, Contact, Feedback, FeedbackKind, Goal,
    GoalCategory, GoalStatus, JournalNote, Meeting, MeetingStatus, Member, Milestone, Owner, Plan,
    PlanStatus, Role, Signoff, effective_progress,
};

use super::layout::{self, Collection};

/// The scalar at `obj[key]`, if any.
pub(crate) fn scalar<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match d.get(obj, key).ok()?? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

/// The object at `obj[key]` if it has type `ty`.
pub(crate) fn object<R: ReadDoc>(d: &R, obj: &ObjId, key: &str, ty: ObjType) -> Option<ObjId> {
    match d.get(obj, key).ok()?? {
        (Value::Object(t), id) if t == ty => Some(id),
        _ => None,
    }
}

/// A string field: a text object or a string scalar; empty when absent.
pub(crate) fn string<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> String {
    match d.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            _ => String::new(),
        },
        Ok(Some((Value::Object(ObjType::Text), id))) => d.text(&id).unwrap_or_default(),
        _ => String::new(),
    }
}

fn opt_string<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<String> {
    Some(string(d, obj, key)).filter(|s| !s.is_empty())
}

pub(crate) fn timestamp<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<Timestamp> {
    match scalar(d, obj, key)? {
        ScalarValue::Timestamp(ms) => Timestamp::from_millisecond(ms).ok(),
        _ => None,
    }
}

fn ts_or_epoch<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Timestamp {
    timestamp(d, obj, key).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn uint<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<u64> {
    match scalar(d, obj, key)? {
        ScalarValue::Uint(n) => Some(n),
        ScalarValue::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

fn boolean<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> bool {
    matches!(scalar(d, obj, key), Some(ScalarValue::Boolean(true)))
}

fn date<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<Date> {
    opt_string(d, obj, key)?.parse().ok()
}

fn parsed<R: ReadDoc, T: FromStr>(d: &R, obj: &ObjId, key: &str, default: T) -> T {
    string(d, obj, key).parse().unwrap_or(default)
}

/// The ids of a collection, sorted.
pub(crate) fn ids<R: ReadDoc>(d: &R, c: Collection) -> Vec<String> {
    let Some(map) = object(d, &automerge::ROOT, c.key(), ObjType::Map) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = d.keys(&map).collect();
    ids.sort_unstable();
    ids
}

/// The object of item `id` in a collection.
pub(crate) fn item<R: ReadDoc>(d: &R, c: Collection, id: &str) -> Option<ObjId> {
    let map = object(d, &automerge::ROOT, c.key(), ObjType::Map)?;
    object(d, &map, id, ObjType::Map)
}

/// Every item of a collection read with `f`, sorted by (created_at, id).
fn all<R: ReadDoc, T>(d: &R, c: Collection, f: impl Fn(&R, &str, &ObjId) -> T) -> Vec<T> {
    let Some(map) = object(d, &automerge::ROOT, c.key(), ObjType::Map) else {
        return Vec::new();
    };
    let mut rows: Vec<(Timestamp, String, ObjId)> = d
        .map_range(&map, ..)
        .filter(|i| matches!(i.value, automerge::ValueRef::Object(ObjType::Map)))
        .map(|i| (Timestamp::UNIX_EPOCH, i.key.to_string(), i.id()))
        .collect();
    for row in &mut rows {
        row.0 = ts_or_epoch(d, &row.2, layout::CREATED_AT);
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows.iter().map(|(_, id, obj)| f(d, id, obj)).collect()
}

/// The maps of a list (milestones, agenda), in order, with their positions.
pub(crate) fn list_maps<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Vec<ObjId> {
    let Some(list) = object(d, obj, key, ObjType::List) else {
        return Vec::new();
    };
    (0..d.length(&list))
        .filter_map(|i| match d.get(&list, i).ok()?? {
            (Value::Object(ObjType::Map), id) => Some(id),
            _ => None,
        })
        .collect()
}

fn strings<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Vec<String> {
    let Some(list) = object(d, obj, key, ObjType::List) else {
        return Vec::new();
    };
    (0..d.length(&list))
        .filter_map(|i| match d.get(&list, i).ok()?? {
            (Value::Scalar(s), _) => s.as_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

/// Reads a goal.
pub(crate) fn goal<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Goal {
    let milestones: Vec<Milestone> = list_maps(d, obj, "milestones")
        .iter()
        .map(|m| Milestone {
            id: string(d, m, "id"),
            title: string(d, m, "title"),
            done: boolean(d, m, "done"),
            done_at: timestamp(d, m, "done_at"),
        })
        .collect();
    let manual = uint(d, obj, "progress").map(|p| p.min(100) as u8);
    let (progress, progress_source) = effective_progress(manual, &milestones);
    Goal {
        id: id.to_string(),
        title: string(d, obj, "title"),
        description: string(d, obj, "description"),
        category: parsed(d, obj, "category", GoalCategory::Other),
        status: parsed(d, obj, "status", GoalStatus::Proposed),
        target_date: date(d, obj, "target_date"),
        success_criteria: string(d, obj, "success_criteria"),
        progress,
        progress_source,
        milestones,
        created_by: string(d, obj, "created_by"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
        updated_at: ts_or_epoch(d, obj, layout::UPDATED_AT),
    }
}

/// Reads an action item.
pub(crate) fn action<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Action {
    Action {
        id: id.to_string(),
        title: string(d, obj, "title"),
        owner: parsed(d, obj, "owner", Owner::Both),
        due: date(d, obj, "due"),
        status: parsed(d, obj, "status", ActionStatus::Open),
        goal: opt_string(d, obj, "goal"),
        meeting: opt_string(d, obj, "meeting"),
        notes: string(d, obj, "notes"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
        updated_at: ts_or_epoch(d, obj, layout::UPDATED_AT),
        done_at: timestamp(d, obj, "done_at"),
    }
}

/// Reads a meeting.
pub(crate) fn meeting<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Meeting {
    let start = string(d, obj, "start")
        .parse::<ZonedDateTime>()
        .unwrap_or_else(|_| Timestamp::UNIX_EPOCH.to_zoned_datetime(jiff::tz::TimeZone::UTC));
    Meeting {
        id: id.to_string(),
        start,
        duration_minutes: uint(d, obj, "duration_minutes")
            .map_or(0, |m| m.min(u32::MAX as u64) as u32),
        location: string(d, obj, "location"),
        agenda: list_maps(d, obj, "agenda")
            .iter()
            .map(|a| AgendaItem {
                id: string(d, a, "id"),
                text: string(d, a, "text"),
            })
            .collect(),
        notes: string(d, obj, "notes"),
        status: parsed(d, obj, "status", MeetingStatus::Scheduled),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
        updated_at: ts_or_epoch(d, obj, layout::UPDATED_AT),
    }
}

/// Reads feedback.
pub(crate) fn feedback<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Feedback {
    Feedback {
        id: id.to_string(),
        author: string(d, obj, "author"),
        goal: opt_string(d, obj, "goal"),
        kind: parsed(d, obj, "kind", FeedbackKind::Suggestion),
        body: string(d, obj, "body"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

/// Reads a journal note.
pub(crate) fn note<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> JournalNote {
    JournalNote {
        id: id.to_string(),
        author: string(d, obj, "author"),
        body: string(d, obj, "body"),
        tags: strings(d, obj, "tags"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

/// Reads a contact.
pub(crate) fn contact<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Contact {
    Contact {
        id: id.to_string(),
        name: string(d, obj, "name"),
        organization: string(d, obj, "organization"),
        how_met: string(d, obj, "how_met"),
        introduced_by: string(d, obj, "introduced_by"),
        notes: string(d, obj, "notes"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

fn float<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<f64> {
    match scalar(d, obj, key)? {
        ScalarValue::F64(f) => Some(f),
        ScalarValue::Uint(n) => Some(n as f64),
        ScalarValue::Int(n) => Some(n as f64),
        _ => None,
    }
}

/// Reads a CE activity.
pub(crate) fn ce_activity<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> CeActivity {
    CeActivity {
        id: id.to_string(),
        title: string(d, obj, "title"),
        provider: string(d, obj, "provider"),
        date: date(d, obj, "date").unwrap_or(Date::ZERO),
        points: float(d, obj, "points").unwrap_or(0.0),
        category: string(d, obj, "category"),
        certificate: string(d, obj, "certificate"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

/// Reads a certification.
pub(crate) fn certification<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Certification {
    Certification {
        id: id.to_string(),
        credential: string(d, obj, "credential"),
        status: parsed(d, obj, "status", CertStatus::Planned),
        exam_date: date(d, obj, "exam_date"),
        earned_on: date(d, obj, "earned_on"),
        renewal_due: date(d, obj, "renewal_due"),
        ce_required: float(d, obj, "ce_required"),
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

/// Reads a competency record.
pub(crate) fn competency<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Competency {
    let mut assessments: Vec<Assessment> = object(d, obj, "assessments", ObjType::Map)
        .map(|m| {
            d.map_range(&m, ..)
                .filter_map(|item| {
                    let element: u8 = item.key.parse().ok()?;
                    let a = object(d, &m, &item.key, ObjType::Map)?;
                    Some(Assessment {
                        element,
                        date: date(d, &a, "date")?,
                        assessor: string(d, &a, "assessor"),
                        method: string(d, &a, "method"),
                        result: parsed(d, &a, "result", AssessmentResult::NeedsWork),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    assessments.sort_by_key(|a| a.element);
    let mut signoffs: Vec<Signoff> = object(d, obj, "signoffs", ObjType::Map)
        .map(|m| {
            d.map_range(&m, ..)
                .filter_map(|item| {
                    let s = object(d, &m, &item.key, ObjType::Map)?;
                    Some(Signoff {
                        assessor: string(d, &s, "assessor"),
                        name: string(d, &s, "name"),
                        signed_at: ts_or_epoch(d, &s, "signed_at"),
                        public_key: string(d, &s, "public_key"),
                        signature: string(d, &s, "signature"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    signoffs.sort_by(|a, b| (a.signed_at, &a.signature).cmp(&(b.signed_at, &b.signature)));
    Competency {
        id: id.to_string(),
        system: string(d, obj, "system"),
        stage: parsed(d, obj, "stage", CompetencyStage::Training),
        trained_on: date(d, obj, "trained_on"),
        assessments,
        signoffs,
        created_at: ts_or_epoch(d, obj, layout::CREATED_AT),
    }
}

/// Reads the agreement.
pub(crate) fn agreement<R: ReadDoc>(d: &R) -> Agreement {
    let Some(a) = object(d, &automerge::ROOT, "agreement", ObjType::Map) else {
        return Agreement::default();
    };
    Agreement {
        cadence: string(d, &a, "cadence"),
        communication: string(d, &a, "communication"),
        confidentiality: string(d, &a, "confidentiality"),
        expectations: string(d, &a, "expectations"),
    }
}

/// The member devices, sorted by PeerId.
pub(crate) fn members<R: ReadDoc>(d: &R) -> Vec<Member> {
    let Some(map) = object(d, &automerge::ROOT, layout::MEMBERS, ObjType::Map) else {
        return Vec::new();
    };
    let mut peers: Vec<String> = d.keys(&map).collect();
    peers.sort_unstable();
    peers
        .into_iter()
        .filter_map(|peer| {
            let m = object(d, &map, &peer, ObjType::Map)?;
            Some(Member {
                name: string(d, &m, "name"),
                role: parsed(d, &m, "role", Role::Observer),
                device: string(d, &m, "device"),
                added_at: ts_or_epoch(d, &m, "added_at"),
                peer,
            })
        })
        .collect()
}

/// Re-reads the plan's own fields (not its collections) into `p`.
pub(crate) fn plan_fields<R: ReadDoc>(d: &R, p: &mut Plan) {
    let root = automerge::ROOT;
    p.schema = uint(d, &root, "schema").unwrap_or(0);
    p.id = string(d, &root, "id");
    p.title = string(d, &root, "title");
    p.mentor = string(d, &root, "mentor");
    p.mentee = string(d, &root, "mentee");
    p.status = parsed(d, &root, "status", PlanStatus::Active);
    p.created_at = ts_or_epoch(d, &root, layout::CREATED_AT);
    p.competency_schedule = opt_string(d, &root, layout::COMPETENCY_SCHEDULE)
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
}

/// A plan with nothing read yet, to fill.
pub(crate) fn plan_shell() -> Plan {
    Plan {
        schema: 0,
        id: String::new(),
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
        competencies: Vec::new(),
        competency_schedule: Default::default(),
        ce: Vec::new(),
        certifications: Vec::new(),
    }
}

/// Reads the whole plan.
pub(crate) fn plan<R: ReadDoc>(d: &R) -> Plan {
    let mut p = plan_shell();
    plan_fields(d, &mut p);
    p.agreement = agreement(d);
    p.goals = all(d, Collection::Goals, goal);
    p.actions = all(d, Collection::Actions, action);
    p.meetings = all(d, Collection::Meetings, meeting);
    p.feedback = all(d, Collection::Feedback, feedback);
    p.notes = all(d, Collection::Notes, note);
    p.contacts = all(d, Collection::Contacts, contact);
    p.competencies = all(d, Collection::Competencies, competency);
    p.ce = all(d, Collection::Ce, ce_activity);
    p.certifications = all(d, Collection::Certifications, certification);
    p.members = members(d);
    p
}
