//! Making a plan document from an exported plan (`tandem import`).
//!
//! The inverse of reading one: every item is written with its own id,
//! times and fields by its kind's module (`tandem_proto::items::write_plan`),
//! with the same value types the edits use (collaborative texts as
//! Automerge text), so an imported plan is edited and merged exactly like
//! one made here, and checked first by the same checks as the edits that
//! would have made it. Reading the new document back gives the exported
//! plan again, except for:
//!
//! - the plan id: an import is a new plan. Reusing the id would give two
//!   unrelated histories one name, and merging them would drop one side's
//!   collections;
//! - the members: this device is the only one, as mentor, as with `plan new`.
//!
//! Sign-offs are kept as they were; they attest the original plan's id, so
//! `competency verify` reports them as not valid for this one.

use jiff::Timestamp;
use tandem_proto::ApiError;
use tandem_proto::edit::NewPlan;
use tandem_proto::model::Plan;

use super::{Device, PlanDoc};

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
            tandem_proto::items::write_plan(w, plan)
        })
    }
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
        p.id = Default::default();
        p.members.clear();
        p.member_history.clear();
        p
    }

    #[test]
    fn an_imported_plan_reads_back_as_exported() {
        let plan = everything();
        let (doc, bytes) = PlanDoc::import("00000000000000bb", &plan, &device(1), now()).unwrap();
        let view = doc.plan();
        assert_eq!(view.id, "00000000000000bb");
        assert_eq!(kept(view.clone()), kept(plan.clone()));
        // This device is the only member, as mentor.
        assert_eq!(view.members.len(), 1);
        assert_eq!(view.members[0].peer, device(1).peer);
        assert_eq!(view.members[0].role, tandem_proto::model::Role::Mentor);
        // The stored bytes load to the same plan, and the history says where it came from.
        let back = PlanDoc::load(Some(&bytes), [], device(1).actor).unwrap();
        assert_eq!(back.plan(), view);
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
        let edit = tandem_proto::edit::Edit::Goal(tandem_proto::edit::GoalOp::Edit {
            goal: "0000000000000001".into(),
            patch: tandem_proto::edit::GoalPatch {
                description: Some("Study\nplan, revised".into()),
                ..Default::default()
            },
        });
        doc.apply(&edit, &device(1), now(), &mut next).unwrap();
        let e = tandem_proto::edit::Edit::Milestone(tandem_proto::edit::MilestoneOp::Edit {
            goal: "0000000000000002".into(),
            position: 2,
            patch: tandem_proto::edit::MilestonePatch {
                done: Some(true),
                title: None,
            },
        });
        doc.apply(&e, &device(1), now(), &mut next).unwrap();
        let v = doc.plan();
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
        let mut plan = doc.plan();
        plan.title = "Copy".into();
        let (copy, _) = PlanDoc::import("00000000000000bb", &plan, &device(2), now()).unwrap();
        assert_eq!(kept(copy.plan()), kept(plan));
    }
}
