//! Property: any sequence of edits, of every kind, exports and imports back
//! to the same plan, and every field an edit adds is read back as it was
//! given. Each kind's reader, writer and importer are separate code paths
//! over the same document keys, so this is what proves they agree (a field
//! written under one key and read under another, imported or not, fails
//! here).

use jiff::civil::date;
use proptest::prelude::*;
use tandem_proto::competency::Schedule;
use tandem_proto::edit::*;
use tandem_proto::model::*;

use super::tests::{device, new_plan, now, peer};
use super::*;

/// How many kinds of operation [`edit_for`] knows.
const OPS: u8 = 43;

/// One random operation: which one, which existing item it picks, two
/// words and a number to fill its fields with.
#[derive(Debug, Clone)]
struct Op {
    which: u8,
    pick: usize,
    a: String,
    b: String,
    n: u8,
}

fn op() -> impl Strategy<Value = Op> {
    let word = "[A-Za-z][a-z ]{0,10}";
    (0..OPS, any::<usize>(), word, word, any::<u8>()).prop_map(|(which, pick, a, b, n)| Op {
        which,
        pick,
        a,
        b,
        n,
    })
}

/// The id of the `pick`th of `ids`, if there are any.
fn nth<I: AsRef<str>>(ids: &[I], pick: usize) -> Option<String> {
    (!ids.is_empty()).then(|| ids[pick % ids.len()].as_ref().to_string())
}

/// The edit `op` makes on `plan`, if it applies (an edit of a goal needs a goal).
fn edit_for(op: &Op, plan: &Plan) -> Option<Edit> {
    let goals: Vec<&str> = plan.goals.iter().map(|g| g.id.as_str()).collect();
    let actions: Vec<&str> = plan.actions.iter().map(|a| a.id.as_str()).collect();
    let meetings: Vec<&str> = plan.meetings.iter().map(|m| m.id.as_str()).collect();
    let comps: Vec<&str> = plan.competencies.iter().map(|c| c.id.as_str()).collect();
    let ce: Vec<&str> = plan.ce.iter().map(|c| c.id.as_str()).collect();
    let certs: Vec<&str> = plan.certifications.iter().map(|c| c.id.as_str()).collect();
    let feedback: Vec<&str> = plan.feedback.iter().map(|f| f.id.as_str()).collect();
    let notes: Vec<&str> = plan.notes.iter().map(|x| x.id.as_str()).collect();
    let contacts: Vec<&str> = plan.contacts.iter().map(|c| c.id.as_str()).collect();
    let (a, b, n, p) = (op.a.clone(), op.b.clone(), op.n, op.pick);
    let day = date(2027, 1 + (n % 12) as i8, 1 + (n % 28) as i8);
    let pick_of = |all: &[&str]| nth(all, p);
    Some(match op.which {
        0 => Edit::Plan(PlanOp::Edit(PlanPatch {
            title: Some(a),
            mentee: Some(b),
            status: Some(PlanStatus::ALL[n as usize % PlanStatus::ALL.len()]),
            ..Default::default()
        })),
        1 => Edit::Agreement(AgreementOp::Edit(AgreementPatch {
            cadence: Some(a),
            expectations: Some(b),
            ..Default::default()
        })),
        2 | 3 => Edit::Goal(GoalOp::Add(NewGoal {
            title: a,
            description: b,
            category: GoalCategory::ALL[n as usize % GoalCategory::ALL.len()],
            status: GoalStatus::ALL[n as usize % GoalStatus::ALL.len()],
            target_date: (n % 2 == 0).then_some(day),
            success_criteria: "pass".into(),
            created_by: "Ana".into(),
        })),
        4 => Edit::Goal(GoalOp::Edit {
            goal: pick_of(&goals)?,
            patch: GoalPatch {
                description: Some(a),
                progress: Some((n % 3 != 0).then_some(n % 101)),
                target_date: Some(None),
                ..Default::default()
            },
        }),
        5 => Edit::Goal(GoalOp::Rm {
            goal: pick_of(&goals)?,
        }),
        6 => Edit::Milestone(MilestoneOp::Add {
            goal: pick_of(&goals)?,
            title: a,
        }),
        7 => Edit::Milestone(MilestoneOp::Edit {
            goal: pick_of(&goals)?,
            position: 1,
            patch: MilestonePatch {
                done: Some(n % 2 == 0),
                title: (n % 3 == 0).then(|| b.clone()),
            },
        }),
        8 => Edit::Milestone(MilestoneOp::Rm {
            goal: pick_of(&goals)?,
            position: 1,
        }),
        9 => Edit::Action(ActionOp::Add(NewAction {
            title: a,
            owner: Owner::ALL[n as usize % Owner::ALL.len()],
            due: (n % 2 == 1).then_some(day),
            goal: pick_of(&goals),
            meeting: pick_of(&meetings),
            notes: b,
        })),
        10 => Edit::Action(ActionOp::Edit {
            action: pick_of(&actions)?,
            patch: ActionPatch {
                status: Some(ActionStatus::ALL[n as usize % 2]),
                notes: Some(a),
                goal: Some(if n % 2 == 0 { pick_of(&goals) } else { None }),
                meeting: (n % 3 == 0).then(|| pick_of(&meetings)),
                ..Default::default()
            },
        }),
        11 => Edit::Action(ActionOp::Rm {
            action: pick_of(&actions)?,
        }),
        12 => Edit::Meeting(MeetingOp::Add(NewMeeting {
            start: day.at(10, 0, 0, 0).in_tz("Europe/Berlin").ok()?,
            duration_minutes: 15 + u32::from(n % 60),
            location: a,
            agenda: vec![b],
        })),
        13 => Edit::Meeting(MeetingOp::Edit {
            meeting: pick_of(&meetings)?,
            patch: MeetingPatch {
                notes: Some(a),
                status: Some(MeetingStatus::ALL[n as usize % MeetingStatus::ALL.len()]),
                ..Default::default()
            },
        }),
        14 => Edit::AgendaItem(AgendaOp::Add {
            meeting: pick_of(&meetings)?,
            text: a,
        }),
        15 => Edit::AgendaItem(AgendaOp::Rm {
            meeting: pick_of(&meetings)?,
            position: 1,
        }),
        16 => Edit::Feedback(FeedbackOp::Add(NewFeedback {
            author: "Dana".into(),
            goal: pick_of(&goals),
            kind: FeedbackKind::ALL[n as usize % FeedbackKind::ALL.len()],
            body: a,
        })),
        17 => Edit::Note(NoteOp::Add(NewNote {
            author: "Ana".into(),
            body: a,
            tags: vec![b.replace(' ', "-")],
        })),
        18 => Edit::Contact(ContactOp::Add(NewContact {
            name: a,
            organization: b,
            how_met: "ASCLS meeting".into(),
            introduced_by: String::new(),
            notes: "follow up".into(),
        })),
        19 => Edit::Competency(CompetencyOp::Add { system: a }),
        20 => Edit::Competency(CompetencyOp::Edit {
            competency: pick_of(&comps)?,
            stage: CompetencyStage::ALL[n as usize % CompetencyStage::ALL.len()],
            trained_on: Some(day),
        }),
        21 => Edit::Competency(CompetencyOp::Schedule(Schedule {
            first: vec![6, 12],
            every: 6 + u32::from(n % 19),
        })),
        22 | 23 => Edit::Assessment(AssessmentOp::Add {
            competency: pick_of(&comps)?,
            assessment: Assessment {
                element: 1 + n % 6,
                date: day,
                assessor: a.clone(),
                method: b.clone(),
                result: AssessmentResult::ALL[n as usize % AssessmentResult::ALL.len()],
            },
            remediation: (n % 3 == 0).then(|| RemediationPlan {
                retrain: b,
                by: a,
                due: (n % 2 == 0).then_some(day),
            }),
        }),
        24 => Edit::Signoff(SignoffOp::Add {
            competency: pick_of(&comps)?,
            signoff: Some(Box::new(Signoff {
                assessor: peer(1).into(),
                name: a,
                signed_at: now(),
                public_key: "08011220".into(),
                signature: format!("{n:02x}").repeat(32),
                format: 1 + n % 2,
                kind: (n % 2 == 1)
                    .then(|| AssessmentKind::ALL[n as usize % AssessmentKind::ALL.len()]),
                qualification: (n % 2 == 1)
                    .then(|| Qualification::ALL[n as usize % Qualification::ALL.len()]),
                assessments: if n % 2 == 1 {
                    plan.competencies
                        .first()
                        .map(|c| c.assessments.clone())
                        .unwrap_or_default()
                } else {
                    Vec::new()
                },
                acknowledgement: None,
            })),
            kind: None,
            qualification: None,
        }),
        41 => {
            let c = plan.competencies.get(p % plan.competencies.len().max(1))?;
            let s = c.signoffs.first()?;
            Edit::Signoff(SignoffOp::Acknowledge {
                competency: c.id.to_string(),
                signature: Some(s.signature.clone()),
                acknowledgement: Some(Box::new(Acknowledgement {
                    peer: peer(2).into(),
                    name: a,
                    signed_at: now(),
                    public_key: "08011220".into(),
                    signature: format!("{n:02x}").repeat(32),
                })),
            })
        }
        42 => Edit::Plan(PlanOp::Profile(Box::new(ProfilePatch {
            lab_name: Some(a),
            clia_number: (n % 2 == 0).then(|| format!("05D{:07}", u32::from(n) * 1013)),
            full_name: Some(b),
            employee_id: (n % 3 == 0).then(|| format!("E{n}")),
            ..Default::default()
        }))),
        25 => Edit::Ce(CeOp::Add(NewCe {
            title: a,
            provider: b,
            date: day,
            points: f64::from(n % 9) + 0.5,
            category: "safety".into(),
            certificate: String::new(),
        })),
        26 => Edit::Ce(CeOp::Rm { ce: pick_of(&ce)? }),
        27 => Edit::Certification(CertificationOp::Add(NewCert {
            credential: a,
            status: CertStatus::ALL[n as usize % CertStatus::ALL.len()],
            exam_date: Some(day),
            earned_on: None,
            renewal_due: (n % 2 == 0).then_some(day),
            ce_required: Some(36.0),
        })),
        28 => Edit::Certification(CertificationOp::Edit {
            cert: pick_of(&certs)?,
            patch: CertPatch {
                earned_on: Some(Some(day)),
                renewal_due: Some((n % 2 == 0).then_some(day)),
                ce_required: Some((n % 3 == 0).then_some(12.5)),
                ..Default::default()
            },
        }),
        30 => Edit::Feedback(FeedbackOp::Edit {
            feedback: pick_of(&feedback)?,
            patch: FeedbackPatch {
                kind: Some(FeedbackKind::ALL[n as usize % FeedbackKind::ALL.len()]),
                body: Some(a),
                goal: Some(if n % 2 == 0 { pick_of(&goals) } else { None }),
            },
        }),
        31 => Edit::Feedback(FeedbackOp::Rm {
            feedback: pick_of(&feedback)?,
        }),
        32 => Edit::Note(NoteOp::Edit {
            note: pick_of(&notes)?,
            patch: NotePatch {
                body: Some(a),
                tags: (n % 2 == 0).then(|| vec![b.replace(' ', "-")]),
            },
        }),
        33 => Edit::Note(NoteOp::Rm {
            note: pick_of(&notes)?,
        }),
        34 => Edit::Contact(ContactOp::Edit {
            contact: pick_of(&contacts)?,
            patch: ContactPatch {
                name: Some(a),
                how_met: Some(b),
                ..Default::default()
            },
        }),
        35 => Edit::Contact(ContactOp::Rm {
            contact: pick_of(&contacts)?,
        }),
        36 => Edit::Ce(CeOp::Edit {
            ce: pick_of(&ce)?,
            patch: CePatch {
                title: Some(a),
                date: Some(day),
                points: Some(f64::from(n % 20) + 0.5),
                ..Default::default()
            },
        }),
        37 => Edit::Certification(CertificationOp::Rm {
            cert: pick_of(&certs)?,
        }),
        38 => Edit::Meeting(MeetingOp::Rm {
            meeting: pick_of(&meetings)?,
        }),
        39 => Edit::AgendaItem(AgendaOp::Edit {
            meeting: pick_of(&meetings)?,
            position: 1,
            text: a,
        }),
        40 => Edit::Competency(CompetencyOp::Rm {
            competency: pick_of(&comps)?,
        }),
        29 => Edit::Member(MemberOp::Add(NewMember {
            peer: peer(2 + n % 3).into(),
            name: a,
            role: Role::ALL[n as usize % Role::ALL.len()],
            device: b,
        })),
        _ => return None,
    })
}

/// Every field an add gives that its item shows under the same name (and
/// shape) reads back as given: `(field, given, read)` of those that do not.
fn not_read_back(edit: &Edit, item: &tandem_proto::api::Item) -> Vec<(String, String, String)> {
    let (given, read) = (
        serde_json::to_value(edit).unwrap(),
        serde_json::to_value(item).unwrap(),
    );
    let Some((kind, given)) = given.as_object().and_then(|o| o.iter().next()) else {
        return Vec::new();
    };
    // An add of a part (a milestone, an assessment) answers with its parent.
    if given["op"] != "add" || read["kind"] != kind.as_str() {
        return Vec::new();
    }
    let read = &read["item"];
    let mut wrong = Vec::new();
    for (field, value) in given.as_object().into_iter().flatten() {
        let got = &read[field];
        // Lists are compared when they are lists of plain values on both
        // sides (an agenda is given as texts and read as items).
        let plain = |v: &serde_json::Value| {
            !v.is_object()
                && v.as_array()
                    .is_none_or(|a| a.iter().all(|x| !x.is_object()))
        };
        let same_shape = plain(value) && plain(got);
        if field != "op" && !got.is_null() && same_shape && got != value {
            wrong.push((field.clone(), value.to_string(), got.to_string()));
        }
        // A field the add gives and the item lacks entirely was lost.
        if field != "op"
            && !value.is_null()
            && read.get(field.as_str()).is_none()
            && !read.is_null()
        {
            wrong.push((field.clone(), value.to_string(), "(missing)".into()));
        }
    }
    wrong
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_edits_export_and_import_back_to_the_same_plan(ops in prop::collection::vec(op(), 1..60)) {
        let mut d = new_plan();
        let mut n = 0u64;
        let mut next = || { n += 1; format!("{n:016x}") };
        let mut applied = 0;
        for op in &ops {
            if let Some(e) = edit_for(op, &d.plan()) {
                // Valid by construction, except what depends on the plan
                // (a milestone position, an only mentor): refused cleanly.
                if let Ok(edited) = d.apply(&e, &device(1), now(), &mut next) {
                    applied += 1;
                    let wrong = not_read_back(&e, &edited.item);
                    prop_assert!(wrong.is_empty(), "{:?} read back otherwise: {:?}", e, wrong);
                }
            }
        }
        let mut view = d.plan();
        // The export is JSON: what crosses it is what `tandem export` writes.
        let json = serde_json::to_string(&view).unwrap();
        let exported: Plan = serde_json::from_str(&json).unwrap();
        tandem_proto::export::check(&exported).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (imported, _) = PlanDoc::import("00000000000000ee", &exported, &device(7), now())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut again = imported.plan();
        // A new id, and this device the only member: the rest is the same.
        prop_assert_eq!(again.id.as_str(), "00000000000000ee");
        again.id = view.id.clone();
        (again.members, view.members) = (Vec::new(), Vec::new());
        (again.member_history, view.member_history) = (Vec::new(), Vec::new());
        prop_assert_eq!(again, view, "after {} edits", applied);
    }
}
