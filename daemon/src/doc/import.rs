//! Making a plan document from an exported plan (`tandem import`).
//!
//! The inverse of [`super::read::plan`]: every item is written with its own
//! id, times and fields, in the layout of [`super::layout`] and with the same
//! value types the edits use (collaborative texts as Automerge text), so an
//! imported plan is edited and merged exactly like one made here. Reading
//! the new document back gives the exported plan again, except for:
//!
//! - the plan id: an import is a new plan. Reusing the id would give two
//!   unrelated histories one name, and merging them would drop one side's
//!   collections;
//! - the members: this device is the only one, as mentor, as with `plan new`.
//!
//! Sign-offs are kept as they were; they attest the original plan's id, so
//! `competency verify` reports them as not valid for this one.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ScalarValue};
use jiff::Timestamp;
use tandem_proto::ApiError;
use tandem_proto::edit::NewPlan;
use tandem_proto::model::{Plan, ProgressSource};

use super::layout::{self, Collection};
use super::write::{Writer, internal};
use super::{Device, PlanDoc};

type R<T> = Result<T, ApiError>;

impl PlanDoc {
    /// Makes a new plan `id` holding everything in `plan`, as one change.
    pub fn import(
        id: &str,
        plan: &Plan,
        device: &Device,
        now: Timestamp,
    ) -> Result<(PlanDoc, Vec<u8>), ApiError> {
        tandem_proto::export::check(plan)
            .map_err(|e| ApiError::new(tandem_proto::ErrorCode::Invalid, e.to_string()))?;
        let new = NewPlan {
            title: plan.title.clone(),
            mentor: plan.mentor.clone(),
            mentee: plan.mentee.clone(),
            ..Default::default()
        };
        let message = format!("plan import: {} (from plan {})", plan.title, plan.id);
        // Imported items keep their ids: nothing asks for a fresh one.
        let mut no_ids = String::new;
        PlanDoc::build(id, &new, device, now, message, &mut no_ids, |w| {
            write_plan(w, plan)
        })
    }
}

/// A new item map keyed by its id, with its creation time.
fn item(w: &mut Writer, c: Collection, id: &str, created_at: Timestamp) -> R<ObjId> {
    let map = w.collection(c)?;
    let obj = w.tx.put_object(&map, id, ObjType::Map).map_err(internal)?;
    w.put_ts(&obj, layout::CREATED_AT, created_at)?;
    Ok(obj)
}

fn put_opt_str(w: &mut Writer, obj: &ObjId, key: &str, v: &Option<String>) -> R<()> {
    match v {
        Some(v) => w.put_str(obj, key, v),
        None => Ok(()),
    }
}

fn put_opt_ts(w: &mut Writer, obj: &ObjId, key: &str, v: Option<Timestamp>) -> R<()> {
    match v {
        Some(v) => w.put_ts(obj, key, v),
        None => Ok(()),
    }
}

fn put_f64(w: &mut Writer, obj: &ObjId, key: &str, v: f64) -> R<()> {
    w.tx.put(obj, key, ScalarValue::F64(v)).map_err(internal)
}

fn list(w: &mut Writer, obj: &ObjId, key: &str) -> R<ObjId> {
    w.tx.put_object(obj, key, ObjType::List).map_err(internal)
}

fn list_map(w: &mut Writer, list: &ObjId, index: usize) -> R<ObjId> {
    w.tx.insert_object(list, index, ObjType::Map)
        .map_err(internal)
}

fn sub_map(w: &mut Writer, obj: &ObjId, key: &str) -> R<ObjId> {
    w.tx.put_object(obj, key, ObjType::Map).map_err(internal)
}

fn write_plan(w: &mut Writer, p: &Plan) -> R<()> {
    let root = automerge::ROOT;
    w.put_str(&root, "status", p.status.as_str())?;
    w.put_ts(&root, layout::CREATED_AT, p.created_at)?;
    if p.competency_schedule != Default::default() {
        let json = serde_json::to_string(&p.competency_schedule)
            .map_err(|e| ApiError::new(tandem_proto::ErrorCode::Internal, e.to_string()))?;
        w.put_str(&root, layout::COMPETENCY_SCHEDULE, &json)?;
    }
    let agreement =
        super::read::object(w.tx, &root, "agreement", ObjType::Map).ok_or_else(|| {
            ApiError::new(
                tandem_proto::ErrorCode::Internal,
                "new plan has no agreement",
            )
        })?;
    let a = &p.agreement;
    for (key, text) in [
        ("cadence", &a.cadence),
        ("communication", &a.communication),
        ("confidentiality", &a.confidentiality),
        ("expectations", &a.expectations),
    ] {
        w.put_text(&agreement, key, text)?;
    }
    write_goals(w, p)?;
    write_actions_and_meetings(w, p)?;
    write_records(w, p)?;
    write_lab(w, p)
}

fn write_goals(w: &mut Writer, p: &Plan) -> R<()> {
    for g in &p.goals {
        let obj = item(w, Collection::Goals, &g.id, g.created_at)?;
        w.put_str(&obj, "title", &g.title)?;
        w.put_text(&obj, "description", &g.description)?;
        w.put_str(&obj, "category", g.category.as_str())?;
        w.put_str(&obj, "status", g.status.as_str())?;
        w.put_opt_date(&obj, "target_date", g.target_date)?;
        w.put_text(&obj, "success_criteria", &g.success_criteria)?;
        if g.progress_source == ProgressSource::Manual {
            w.tx.put(&obj, "progress", u64::from(g.progress))
                .map_err(internal)?;
        }
        let milestones = list(w, &obj, "milestones")?;
        for (i, m) in g.milestones.iter().enumerate() {
            let mo = list_map(w, &milestones, i)?;
            w.put_str(&mo, "id", &m.id)?;
            w.put_str(&mo, "title", &m.title)?;
            w.tx.put(&mo, "done", m.done).map_err(internal)?;
            put_opt_ts(w, &mo, "done_at", m.done_at)?;
        }
        w.put_str(&obj, "created_by", &g.created_by)?;
        w.put_ts(&obj, layout::UPDATED_AT, g.updated_at)?;
    }
    Ok(())
}

fn write_actions_and_meetings(w: &mut Writer, p: &Plan) -> R<()> {
    for a in &p.actions {
        let obj = item(w, Collection::Actions, &a.id, a.created_at)?;
        w.put_str(&obj, "title", &a.title)?;
        w.put_str(&obj, "owner", a.owner.as_str())?;
        w.put_str(&obj, "status", a.status.as_str())?;
        w.put_opt_date(&obj, "due", a.due)?;
        put_opt_str(w, &obj, "goal", &a.goal)?;
        put_opt_str(w, &obj, "meeting", &a.meeting)?;
        w.put_text(&obj, "notes", &a.notes)?;
        w.put_ts(&obj, layout::UPDATED_AT, a.updated_at)?;
        put_opt_ts(w, &obj, "done_at", a.done_at)?;
    }
    for m in &p.meetings {
        let obj = item(w, Collection::Meetings, &m.id, m.created_at)?;
        w.put_str(&obj, "start", &m.start.to_string())?;
        w.tx.put(&obj, "duration_minutes", u64::from(m.duration_minutes))
            .map_err(internal)?;
        w.put_str(&obj, "location", &m.location)?;
        w.put_str(&obj, "status", m.status.as_str())?;
        w.put_text(&obj, "notes", &m.notes)?;
        let agenda = list(w, &obj, "agenda")?;
        for (i, a) in m.agenda.iter().enumerate() {
            let ao = list_map(w, &agenda, i)?;
            w.put_str(&ao, "id", &a.id)?;
            w.put_str(&ao, "text", &a.text)?;
        }
        w.put_ts(&obj, layout::UPDATED_AT, m.updated_at)?;
    }
    Ok(())
}

fn write_records(w: &mut Writer, p: &Plan) -> R<()> {
    for f in &p.feedback {
        let obj = item(w, Collection::Feedback, &f.id, f.created_at)?;
        w.put_str(&obj, "author", &f.author)?;
        put_opt_str(w, &obj, "goal", &f.goal)?;
        w.put_str(&obj, "kind", f.kind.as_str())?;
        w.put_text(&obj, "body", &f.body)?;
    }
    for n in &p.notes {
        let obj = item(w, Collection::Notes, &n.id, n.created_at)?;
        w.put_str(&obj, "author", &n.author)?;
        w.put_text(&obj, "body", &n.body)?;
        let tags = list(w, &obj, "tags")?;
        for (i, t) in n.tags.iter().enumerate() {
            w.tx.insert(&tags, i, t.as_str()).map_err(internal)?;
        }
    }
    for c in &p.contacts {
        let obj = item(w, Collection::Contacts, &c.id, c.created_at)?;
        w.put_str(&obj, "name", &c.name)?;
        w.put_str(&obj, "organization", &c.organization)?;
        w.put_str(&obj, "how_met", &c.how_met)?;
        w.put_str(&obj, "introduced_by", &c.introduced_by)?;
        w.put_text(&obj, "notes", &c.notes)?;
    }
    Ok(())
}

fn write_lab(w: &mut Writer, p: &Plan) -> R<()> {
    for c in &p.competencies {
        let obj = item(w, Collection::Competencies, &c.id, c.created_at)?;
        w.put_str(&obj, "system", &c.system)?;
        w.put_str(&obj, "stage", c.stage.as_str())?;
        w.put_opt_date(&obj, "trained_on", c.trained_on)?;
        let assessments = sub_map(w, &obj, "assessments")?;
        for a in &c.assessments {
            w.put_assessment(&assessments, a)?;
        }
        let signoffs = sub_map(w, &obj, "signoffs")?;
        for s in &c.signoffs {
            let key = format!("{:016x}", rand::random::<u64>());
            w.put_signoff(&signoffs, &key, s)?;
        }
    }
    for c in &p.ce {
        let obj = item(w, Collection::Ce, &c.id, c.created_at)?;
        w.put_str(&obj, "title", &c.title)?;
        w.put_str(&obj, "provider", &c.provider)?;
        w.put_str(&obj, "date", &c.date.to_string())?;
        put_f64(w, &obj, "points", c.points)?;
        w.put_str(&obj, "category", &c.category)?;
        w.put_str(&obj, "certificate", &c.certificate)?;
    }
    for c in &p.certifications {
        let obj = item(w, Collection::Certifications, &c.id, c.created_at)?;
        w.put_str(&obj, "credential", &c.credential)?;
        let dates = [c.exam_date, c.earned_on, c.renewal_due];
        w.put_cert(&obj, Some(c.status), dates, c.ce_required)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::tests::{device, new_plan, now};

    /// A plan with every kind of item and every optional field set somewhere.
    fn everything() -> Plan {
        let t = "2026-10-01T09:30:00.125Z";
        let u = "2026-10-02T10:00:00Z";
        serde_json::from_value(serde_json::json!({
            "schema": 1, "id": "00000000000000aa", "title": "MLS onboarding",
            "mentor": "Dana", "mentee": "Ana", "status": "completed", "created_at": t,
            "agreement": {"cadence": "Biweekly", "communication": "Email\nand chat",
                          "confidentiality": "Between us", "expectations": ""},
            "goals": [
                {"id": "0000000000000001", "title": "Pass the MLS exam", "description": "Study\nplan",
                 "category": "certification", "status": "active", "target_date": "2027-03-01",
                 "success_criteria": "Score 400+", "progress": 40, "progress_source": "manual",
                 "milestones": [
                    {"id": "0000000000000011", "title": "Book", "done": true, "done_at": u},
                    {"id": "0000000000000012", "title": "Sit", "done": false, "done_at": null}],
                 "created_by": "Ana", "created_at": t, "updated_at": u},
                {"id": "0000000000000002", "title": "Blood bank", "description": "",
                 "category": "skill", "status": "proposed", "target_date": null,
                 "success_criteria": "", "progress": 50, "progress_source": "milestones",
                 "milestones": [
                    {"id": "0000000000000021", "title": "Read SOP", "done": true, "done_at": t},
                    {"id": "0000000000000022", "title": "Crossmatch", "done": false, "done_at": null}],
                 "created_by": "", "created_at": u, "updated_at": u}],
            "actions": [
                {"id": "0000000000000003", "title": "Read the SOP", "owner": "mentee", "due": "2026-12-01",
                 "status": "done", "goal": "0000000000000001", "meeting": "0000000000000004",
                 "notes": "done early", "created_at": t, "updated_at": u, "done_at": u},
                {"id": "0000000000000005", "title": "Dangling goal", "owner": "both", "due": null,
                 "status": "open", "goal": "00000000000000ff", "meeting": null,
                 "notes": "", "created_at": u, "updated_at": u, "done_at": null}],
            "meetings": [
                {"id": "0000000000000004", "start": "2026-12-01T10:00:00-06:00[America/Chicago]",
                 "duration_minutes": 45, "location": "Lab 2",
                 "agenda": [{"id": "0000000000000041", "text": "QC review"}],
                 "notes": "Went well", "status": "held", "created_at": t, "updated_at": u}],
            "feedback": [{"id": "0000000000000006", "author": "Dana", "goal": "0000000000000001",
                          "kind": "praise", "body": "Great\nwork", "created_at": t}],
            "notes": [{"id": "0000000000000007", "author": "Ana", "body": "Reflection",
                       "tags": ["qc", "exam"], "created_at": t}],
            "contacts": [{"id": "0000000000000008", "name": "Sam", "organization": "Regional lab",
                          "how_met": "ASCP meeting", "introduced_by": "Dana", "notes": "Hematology",
                          "created_at": t}],
            "members": [],
            "competencies": [{"id": "0000000000000009", "system": "Sysmex XN", "stage": "independent",
                "trained_on": "2026-06-30",
                "assessments": [
                    {"element": 1, "date": "2026-06-01", "assessor": "Dana", "method": "Observed", "result": "pass"},
                    {"element": 6, "date": "2026-06-02", "assessor": "Dana", "method": "Case", "result": "needs-work"}],
                "signoffs": [{"assessor": "12D3KooWabc", "name": "Dana", "signed_at": u,
                              "public_key": "0801", "signature": "ab12"}],
                "created_at": t}],
            "competency_schedule": {"first": [3, 9], "every": 24},
            "ce": [{"id": "000000000000000a", "title": "Coag update", "provider": "ASCP",
                    "date": "2026-09-01", "points": 1.5, "category": "hemostasis",
                    "certificate": "cert.pdf sha256:00", "created_at": t}],
            "certifications": [
                {"id": "000000000000000b", "credential": "MLS", "status": "earned", "exam_date": "2026-05-01",
                 "earned_on": "2026-05-20", "renewal_due": "2029-05-20", "ce_required": 36.0, "created_at": t},
                {"id": "000000000000000c", "credential": "SBB", "status": "planned", "exam_date": null,
                 "earned_on": null, "renewal_due": null, "ce_required": null, "created_at": u}]
        }))
        .unwrap()
    }

    /// What an import keeps: all but the plan id and the members.
    fn kept(mut p: Plan) -> Plan {
        p.id = String::new();
        p.members.clear();
        p
    }

    #[test]
    fn an_imported_plan_reads_back_as_exported() {
        let plan = everything();
        let (doc, bytes) = PlanDoc::import("00000000000000bb", &plan, &device(1), now()).unwrap();
        let view = doc.view();
        assert_eq!(view.id, "00000000000000bb");
        assert_eq!(kept(view.clone()), kept(plan.clone()));
        // This device is the only member, as mentor.
        assert_eq!(view.members.len(), 1);
        assert_eq!(view.members[0].peer, device(1).peer);
        assert_eq!(view.members[0].role, tandem_proto::model::Role::Mentor);
        // The stored bytes load to the same plan, and the history says where it came from.
        let back = PlanDoc::load(Some(&bytes), [], device(1).actor).unwrap();
        assert_eq!(back.view(), view);
        assert!(
            back.log(1)[0]
                .message
                .contains("from plan 00000000000000aa")
        );
    }

    #[test]
    fn an_imported_plan_takes_edits_like_any_other() {
        let (mut doc, _) =
            PlanDoc::import("00000000000000bb", &everything(), &device(1), now()).unwrap();
        let mut next = || "00000000000000cc".to_string();
        let edit = tandem_proto::edit::Edit::GoalEdit {
            goal: "0000000000000001".into(),
            patch: tandem_proto::edit::GoalPatch {
                description: Some("Study\nplan, revised".into()),
                ..Default::default()
            },
        };
        doc.apply(&edit, &device(1), now(), &mut next).unwrap();
        let e = tandem_proto::edit::Edit::MilestoneSet {
            goal: "0000000000000002".into(),
            position: 2,
            done: true,
        };
        doc.apply(&e, &device(1), now(), &mut next).unwrap();
        let v = doc.view();
        assert_eq!(v.goals[0].description, "Study\nplan, revised");
        assert_eq!(v.goals[1].progress, 100);
    }

    #[test]
    fn an_invalid_plan_makes_nothing() {
        let mut plan = everything();
        plan.contacts[0].name = String::new();
        let e = PlanDoc::import("00000000000000bb", &plan, &device(1), now()).unwrap_err();
        assert_eq!(e.code, tandem_proto::ErrorCode::Invalid);
        assert!(
            e.message
                .starts_with("contacts[0] (id 0000000000000008): name"),
            "{e:?}"
        );
    }

    #[test]
    fn a_plan_made_by_edits_round_trips() {
        let doc = new_plan();
        let mut plan = doc.view();
        plan.title = "Copy".into();
        let (copy, _) = PlanDoc::import("00000000000000bb", &plan, &device(2), now()).unwrap();
        assert_eq!(kept(copy.view()), kept(plan));
    }
}
