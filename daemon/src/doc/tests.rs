//! Unit tests of plan operations, and a proptest that forks converge.

use super::*;
use jiff::civil::date;
use proptest::prelude::*;
use tandem_proto::edit::*;
use tandem_proto::ids::ItemId;
use tandem_proto::items::ItemKind;
use tandem_proto::model::*;

/// A well-formed PeerId for test device `n`.
pub(crate) fn peer(n: u8) -> String {
    let key = libp2p_identity::Keypair::ed25519_from_bytes([n; 32]).unwrap();
    key.public().to_peer_id().to_string()
}

pub(crate) fn device(n: u8) -> Device {
    Device {
        peer: peer(n),
        actor: ActorId::from(vec![n; 16]),
        user: format!("user{n}"),
        host: "lab".into(),
    }
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0u64;
    move || {
        n += 1;
        format!("{n:016x}")
    }
}

pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub(crate) fn new_plan() -> PlanDoc {
    let np = NewPlan {
        title: "Onboarding".into(),
        mentor: "Dana".into(),
        mentee: "Ana".into(),
        ..Default::default()
    };
    PlanDoc::create("p1", &np, &device(1), now(), &mut String::new)
        .unwrap()
        .0
}

fn goal(title: &str) -> Edit {
    Edit::Goal(GoalOp::Add(NewGoal {
        title: title.into(),
        description: "desc".into(),
        category: GoalCategory::Certification,
        status: GoalStatus::Active,
        target_date: Some(date(2027, 3, 1)),
        success_criteria: "pass".into(),
        created_by: "Ana".into(),
    }))
}

#[test]
fn create_sets_every_field() {
    let p = new_plan().plan();
    assert_eq!(
        (
            p.id.as_str(),
            p.title.as_str(),
            p.mentor.as_str(),
            p.mentee.as_str()
        ),
        ("p1", "Onboarding", "Dana", "Ana")
    );
    assert_eq!(p.schema, tandem_proto::SCHEMA_VERSION);
    assert_eq!(p.status, PlanStatus::Active);
    assert_eq!(p.created_at, now());
    assert!(p.goals.is_empty());
}

#[test]
fn goal_lifecycle_with_milestones_and_progress() {
    let mut d = new_plan();
    let mut next = ids();
    let e = d
        .apply(&goal("Pass the MLS exam"), &device(1), now(), &mut next)
        .unwrap();
    let tandem_proto::api::Item::Goal(g) = e.item else {
        panic!("not a goal")
    };
    assert!(e.change.is_some());
    assert_eq!(g.progress_source, ProgressSource::None);
    for t in ["Read BOC guide", "Practice tests"] {
        d.apply(
            &Edit::Milestone(MilestoneOp::Add {
                goal: g.id[..4].into(),
                title: t.into(),
            }),
            &device(1),
            now(),
            &mut next,
        )
        .unwrap();
    }
    d.apply(
        &Edit::Milestone(MilestoneOp::Edit {
            goal: g.id.to_string(),
            position: 1,
            patch: MilestonePatch {
                done: Some(true),
                title: None,
            },
        }),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    let g2 = &d.plan().goals[0];
    assert_eq!(
        (g2.progress, g2.progress_source),
        (50, ProgressSource::Milestones)
    );
    assert!(g2.milestones[0].done && g2.milestones[0].done_at.is_some());
    let patch = GoalPatch {
        progress: Some(Some(80)),
        status: Some(GoalStatus::Done),
        ..Default::default()
    };
    d.apply(
        &Edit::Goal(GoalOp::Edit {
            goal: g.id.to_string(),
            patch,
        }),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    let g3 = &d.plan().goals[0];
    assert_eq!((g3.progress, g3.status), (80, GoalStatus::Done));
    let err = d
        .apply(
            &Edit::Milestone(MilestoneOp::Rm {
                goal: g.id.to_string(),
                position: 3,
            }),
            &device(1),
            now(),
            &mut next,
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "no milestone 3: there are 2");
    d.apply(
        &Edit::Goal(GoalOp::Rm {
            goal: g.id.to_string(),
        }),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    assert!(d.plan().goals.is_empty());
}

#[test]
fn the_creator_is_the_first_member_and_members_can_change() {
    let mut d = new_plan();
    let p = d.plan();
    assert_eq!(p.members.len(), 1);
    assert_eq!(
        (
            p.members[0].peer.as_str(),
            p.members[0].role,
            p.members[0].name.as_str()
        ),
        (peer(1).as_str(), Role::Mentor, "Dana")
    );
    assert!(d.is_member(&peer(1)) && !d.is_member(&peer(2)));
    let add = Edit::Member(MemberOp::Add(NewMember {
        peer: peer(2).into(),
        name: "Ana".into(),
        role: Role::Mentee,
        device: "laptop".into(),
    }));
    let e = d.apply(&add, &device(1), now(), &mut ids()).unwrap();
    assert!(matches!(e.item, tandem_proto::api::Item::Member(ref m) if m.device == "laptop"));
    assert!(d.is_member(&peer(2)));
    assert_eq!(d.log(1)[0].message, "member add: Ana (laptop) as mentee");
    // The only mentor cannot be removed; a prefix names a member.
    let err = d
        .apply(
            &Edit::Member(MemberOp::Rm {
                peer: peer(1),
                compromised: None,
            }),
            &device(1),
            now(),
            &mut ids(),
        )
        .unwrap_err();
    assert!(err.message.contains("only mentor"), "{err}");
    d.apply(
        &Edit::Member(MemberOp::Rm {
            peer: peer(2)[..20].to_string(),
            compromised: None,
        }),
        &device(1),
        now(),
        &mut ids(),
    )
    .unwrap();
    assert!(!d.is_member(&peer(2)));
    assert_eq!(d.plan().members.len(), 1);
    let bad = Edit::Member(MemberOp::Add(NewMember {
        peer: "not-a-peer".into(),
        name: "X".into(),
        role: Role::Observer,
        device: String::new(),
    }));
    assert_eq!(
        d.apply(&bad, &device(1), now(), &mut ids())
            .unwrap_err()
            .code,
        tandem_proto::ErrorCode::Invalid
    );
}

#[test]
fn failed_edit_changes_nothing() {
    let mut d = new_plan();
    let heads = d.automerge().get_heads();
    let bad = Edit::Action(ActionOp::Add(NewAction {
        title: "x".into(),
        owner: Owner::Mentee,
        due: None,
        goal: Some("ffff".into()),
        meeting: None,
        notes: String::new(),
    }));
    let err = d.apply(&bad, &device(1), now(), &mut ids()).unwrap_err();
    assert_eq!(err.code, tandem_proto::ErrorCode::NotFound);
    assert_eq!(d.automerge().get_heads(), heads);
    let empty = Edit::Goal(GoalOp::Add(NewGoal {
        title: " ".into(),
        ..match goal("x") {
            Edit::Goal(GoalOp::Add(g)) => g,
            _ => unreachable!(),
        }
    }));
    assert_eq!(
        d.apply(&empty, &device(1), now(), &mut ids())
            .unwrap_err()
            .code,
        tandem_proto::ErrorCode::Invalid
    );
    assert_eq!(d.automerge().get_heads(), heads);
}

#[test]
fn history_names_device_and_message() {
    let mut d = new_plan();
    d.apply(&goal("Pass the MLS exam"), &device(1), now(), &mut ids())
        .unwrap();
    let log = d.log(10);
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].message, "goal add: Pass the MLS exam");
    assert_eq!(log[0].author, "Dana (mentor, lab)");
    assert_eq!(log[1].message, "plan new: Onboarding");
    assert_eq!(log[0].time, now());
}

#[test]
fn stored_changes_reload_to_the_same_plan() {
    let np = NewPlan {
        title: "T".into(),
        mentor: String::new(),
        mentee: String::new(),
        ..Default::default()
    };
    let (mut d, first) = PlanDoc::create("p", &np, &device(1), now(), &mut String::new).unwrap();
    let mut chunks = vec![first];
    let mut next = ids();
    for i in 0..5 {
        chunks.push(
            d.apply(&goal(&format!("g{i}")), &device(1), now(), &mut next)
                .unwrap()
                .change
                .unwrap(),
        );
    }
    let back = PlanDoc::load(None, chunks.iter().map(Vec::as_slice), device(1).actor).unwrap();
    assert_eq!(back.plan(), d.plan());
    let snap = PlanDoc::load(Some(&d.save()), [], device(1).actor).unwrap();
    assert_eq!(snap.plan(), d.plan());
}

#[test]
fn garbage_does_not_load() {
    assert!(PlanDoc::load(Some(b"not automerge"), [], device(1).actor).is_err());
    assert!(PlanDoc::load(None, [b"junk".as_slice()], device(1).actor).is_err());
    assert!(PlanDoc::load(None, [], device(1).actor).is_err());
}

/// Regression: `load_incremental` skipped an unparsable chunk silently, so a
/// corrupt stored change read as a plan without that edit.
#[test]
fn a_corrupt_change_after_good_ones_does_not_load() {
    let np = NewPlan {
        title: "T".into(),
        mentor: String::new(),
        mentee: String::new(),
        ..Default::default()
    };
    let (mut d, first) = PlanDoc::create("p", &np, &device(1), now(), &mut String::new).unwrap();
    let second = d
        .apply(&goal("g"), &device(1), now(), &mut ids())
        .unwrap()
        .change
        .unwrap();
    let mut truncated = second.clone();
    truncated.truncate(second.len() / 2);
    for bad in [b"\x85\x6f\x4a\x83garbage".to_vec(), truncated] {
        let chunks = [first.as_slice(), bad.as_slice()];
        let err = PlanDoc::load(None, chunks, device(1).actor).unwrap_err();
        assert!(err.to_string().contains("unreadable"), "{err}");
    }
}

/// The view a read hands out is the cache itself, not a copy, and its JSON
/// is made once; an edit or a merge after it is in the next view's JSON,
/// and a view handed out before stays as it was.
#[test]
fn a_read_shares_the_view_until_the_plan_changes() {
    let mut a = new_plan();
    let mut next = ids();
    let json = |v: &Shared<Plan>| serde_json::to_string(v).unwrap();
    let before = a.view();
    let sent = json(&before);
    assert!(a.view().is_encoded(), "a second read made the JSON again");
    a.apply(&goal("Kept"), &device(1), now(), &mut next)
        .unwrap();
    let after = a.view();
    assert!(!after.is_encoded());
    assert!(json(&after).contains("Kept"));
    assert_eq!(json(&before), sent);
    let mut b = a.fork(ActorId::from(vec![2; 16]));
    b.apply(&goal("Merged"), &device(2), now(), &mut next)
        .unwrap();
    let _ = json(&a.view());
    a.merge(&mut b).unwrap();
    assert!(json(&a.view()).contains("Merged"));
}

#[test]
fn concurrent_text_edits_merge_character_by_character() {
    let mut a = new_plan();
    let mut next = ids();
    let g = match a
        .apply(&goal("G"), &device(1), now(), &mut next)
        .unwrap()
        .item
    {
        tandem_proto::api::Item::Goal(g) => g,
        _ => unreachable!(),
    };
    let edit = |text: &str| {
        Edit::Goal(GoalOp::Edit {
            goal: g.id.to_string(),
            patch: GoalPatch {
                description: Some(text.into()),
                ..Default::default()
            },
        })
    };
    a.apply(&edit("Learn the analyzer"), &device(1), now(), &mut next)
        .unwrap();
    let mut b = a.fork(device(2).actor);
    a.apply(
        &edit("Learn the analyzer well"),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    b.apply(
        &edit("Learn the new analyzer"),
        &device(2),
        now(),
        &mut next,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(a.plan().goals[0].description, "Learn the new analyzer well");
}

/// A random operation for the convergence property.
#[derive(Debug, Clone)]
enum Op {
    AddGoal(String),
    EditGoal(usize, String),
    SetStatus(usize, GoalStatus),
    RmGoal(usize),
    AddMilestone(usize, String),
    ToggleMilestone(usize, bool),
    AddAction(String),
    DoneAction(usize),
    Agreement(String),
    Note(String),
}

fn op() -> impl Strategy<Value = Op> {
    let word = "[a-z ]{1,12}";
    prop_oneof![
        word.prop_map(Op::AddGoal),
        (any::<usize>(), word).prop_map(|(i, s)| Op::EditGoal(i, s)),
        (
            any::<usize>(),
            prop::sample::select(GoalStatus::ALL.to_vec())
        )
            .prop_map(|(i, s)| Op::SetStatus(i, s)),
        any::<usize>().prop_map(Op::RmGoal),
        (any::<usize>(), word).prop_map(|(i, s)| Op::AddMilestone(i, s)),
        (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Op::ToggleMilestone(i, b)),
        word.prop_map(Op::AddAction),
        any::<usize>().prop_map(Op::DoneAction),
        word.prop_map(Op::Agreement),
        word.prop_map(Op::Note),
    ]
}

/// Two replicas of one new plan, on devices 1 and 2.
fn forked_pair() -> (PlanDoc, PlanDoc) {
    let base = new_plan();
    (base.fork(device(1).actor), base.fork(device(2).actor))
}

/// Item ids of one device, distinct from another's (`prefix`), as random
/// ids would be.
fn id_space(prefix: char) -> impl FnMut() -> String {
    let mut n = 0u64;
    move || {
        n += 1;
        format!("{prefix}{n:015x}")
    }
}

fn pick(ids: &[String], i: usize) -> Option<String> {
    (!ids.is_empty()).then(|| ids[i % ids.len()].clone())
}

/// Applies an op if it makes sense on this replica; errors (e.g. a vanished id) are fine.
fn run(d: &mut PlanDoc, op: &Op, dev: &Device, next: &mut dyn FnMut() -> String) {
    let view = d.plan();
    let goals: Vec<String> = view.goals.iter().map(|g| g.id.to_string()).collect();
    let actions: Vec<String> = view.actions.iter().map(|a| a.id.to_string()).collect();
    let edit = match op {
        Op::AddGoal(t) => Some(goal(&format!("g{t}"))),
        Op::EditGoal(i, t) => pick(&goals, *i).map(|g| {
            Edit::Goal(GoalOp::Edit {
                goal: g,
                patch: GoalPatch {
                    description: Some(t.clone()),
                    ..Default::default()
                },
            })
        }),
        Op::SetStatus(i, s) => pick(&goals, *i).map(|g| {
            Edit::Goal(GoalOp::Edit {
                goal: g,
                patch: GoalPatch {
                    status: Some(*s),
                    ..Default::default()
                },
            })
        }),
        Op::RmGoal(i) => pick(&goals, *i).map(|g| Edit::Goal(GoalOp::Rm { goal: g })),
        Op::AddMilestone(i, t) => pick(&goals, *i).map(|g| {
            Edit::Milestone(MilestoneOp::Add {
                goal: g,
                title: format!("m{t}"),
            })
        }),
        Op::ToggleMilestone(i, b) => pick(&goals, *i).map(|g| {
            Edit::Milestone(MilestoneOp::Edit {
                goal: g,
                position: 1,
                patch: MilestonePatch {
                    done: Some(*b),
                    title: None,
                },
            })
        }),
        Op::AddAction(t) => Some(Edit::Action(ActionOp::Add(NewAction {
            title: format!("a{t}"),
            owner: Owner::Both,
            due: None,
            goal: None,
            meeting: None,
            notes: String::new(),
        }))),
        Op::DoneAction(i) => pick(&actions, *i).map(|a| {
            Edit::Action(ActionOp::Edit {
                action: a,
                patch: ActionPatch {
                    status: Some(ActionStatus::Done),
                    ..Default::default()
                },
            })
        }),
        Op::Agreement(t) => Some(Edit::Agreement(AgreementOp::Edit(AgreementPatch {
            cadence: Some(t.clone()),
            ..Default::default()
        }))),
        Op::Note(t) => Some(Edit::Note(NoteOp::Add(NewNote {
            author: dev.user.clone(),
            body: format!("n{t}"),
            tags: vec![],
        }))),
    };
    if let Some(e) = edit {
        let _ = d.apply(&e, dev, now(), next);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random edits on two forks, merged both ways, give identical exported JSON,
    /// and every goal added on either side and never removed survives.
    #[test]
    fn forks_converge(ops_a in prop::collection::vec(op(), 0..25), ops_b in prop::collection::vec(op(), 0..25)) {
        let (mut a, mut b) = forked_pair();
        let (mut na, mut nb) = (id_space('a'), id_space('b'));
        for op in &ops_a { run(&mut a, op, &device(1), &mut na); }
        for op in &ops_b { run(&mut b, op, &device(2), &mut nb); }
        // The incrementally maintained view equals a fresh read of the document.
        prop_assert_eq!(a.plan(), tandem_proto::items::read_plan(a.automerge()));
        prop_assert_eq!(b.plan(), tandem_proto::items::read_plan(b.automerge()));
        let goals_a: Vec<ItemId> = a.plan().goals.iter().map(|g| g.id.clone()).collect();
        let goals_b: Vec<ItemId> = b.plan().goals.iter().map(|g| g.id.clone()).collect();
        let mut ab = a.fork(device(3).actor);
        ab.merge(&mut b.fork(device(4).actor)).unwrap();
        let mut ba = b.fork(device(5).actor);
        ba.merge(&mut a.fork(device(6).actor)).unwrap();
        let ja = serde_json::to_string(&ab.plan()).unwrap();
        let jb = serde_json::to_string(&ba.plan()).unwrap();
        prop_assert_eq!(&ja, &jb);
        // Goals live in id-keyed maps: nothing one side added is lost by merging.
        let merged: Vec<ItemId> = ab.plan().goals.iter().map(|g| g.id.clone()).collect();
        for id in goals_a.iter().chain(goals_b.iter()) {
            prop_assert!(merged.contains(id), "goal {} lost in merge", id);
        }
        // save/load round-trips.
        let back = PlanDoc::load(Some(&ab.save()), [], device(1).actor).unwrap();
        // The summary read from the document alone (a plan just loaded or
        // received: no view yet) is the one its view gives.
        let cold = back.summary(now());
        let _ = back.view();
        prop_assert_eq!(cold, back.summary(now()));
        prop_assert_eq!(serde_json::to_string(&back.plan()).unwrap(), ja);
        // Importing the exported view gives the same plan under a new id.
        let mut view = ab.plan();
        let (imported, _) = PlanDoc::import("00000000000000ee", &view, &device(7), now()).unwrap();
        let mut again = imported.plan();
        again.id = view.id.clone();
        (again.members, view.members) = (Vec::new(), Vec::new());
        (again.member_history, view.member_history) = (Vec::new(), Vec::new());
        prop_assert_eq!(again, view);
    }
}

#[test]
fn status_and_progress_edits_get_their_own_messages() {
    let mut d = new_plan();
    let mut next = ids();
    d.apply(&goal("G"), &device(1), now(), &mut next).unwrap();
    let g = d.plan().goals[0].id.to_string();
    let edit = |p: GoalPatch| {
        Edit::Goal(GoalOp::Edit {
            goal: g.clone(),
            patch: p,
        })
    };
    d.apply(
        &edit(GoalPatch {
            status: Some(GoalStatus::Done),
            ..Default::default()
        }),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    assert_eq!(d.log(1)[0].message, "goal status: G -> done");
    d.apply(
        &edit(GoalPatch {
            progress: Some(Some(40)),
            ..Default::default()
        }),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    assert_eq!(d.log(1)[0].message, "goal progress: G -> 40%");
    let both = GoalPatch {
        progress: Some(Some(50)),
        status: Some(GoalStatus::Active),
        ..Default::default()
    };
    d.apply(&edit(both), &device(1), now(), &mut next).unwrap();
    assert_eq!(d.log(1)[0].message, "goal edit: G");
}

/// Runs the sync protocol between two documents until neither has anything to say;
/// returns what each `receive_sync` on `b` reported.
fn sync_into(a: &PlanDoc, b: &mut PlanDoc) -> Vec<sync::Received> {
    let (mut sa, mut sb) = (automerge::sync::State::new(), automerge::sync::State::new());
    let mut got = Vec::new();
    for _ in 0..20 {
        let to_b = a.generate_sync(&mut sa);
        let progressed = to_b.is_some();
        if let Some(m) = to_b {
            got.push(b.receive_sync(&mut sb, &m));
        }
        let to_a = b.generate_sync(&mut sb);
        if to_a.is_none() && !progressed {
            break;
        }
        if let Some(m) = to_a {
            // `a` is only read here: answer on a throwaway copy of its state.
            let mut copy = a.fork(ActorId::random());
            let r = copy.receive_sync(&mut sa, &m);
            assert!(r.change.is_none(), "b has nothing a lacks");
        }
    }
    got
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random edits on one replica, synced into another that made its own
    /// edits and holds a warm view: the view the touched objects refresh is
    /// a fresh read of the merged document, and every goal or action whose
    /// view changed is named as touched.
    #[test]
    fn a_warm_view_follows_what_sync_brings(
        ops_a in prop::collection::vec(op(), 1..20),
        ops_b in prop::collection::vec(op(), 0..10),
    ) {
        let (mut a, mut b) = forked_pair();
        let (mut na, mut nb) = (id_space('a'), id_space('b'));
        for op in &ops_b { run(&mut b, op, &device(2), &mut nb); }
        let before = b.plan();
        for op in &ops_a { run(&mut a, op, &device(1), &mut na); }
        // `a` learns `b`'s edits (its own stay concurrent with them), so
        // that what `b` receives are `a`'s edits alone.
        a.merge(&mut b.fork(device(3).actor)).unwrap();
        let got = sync_into(&a, &mut b);
        prop_assert!(got.iter().all(|r| r.refused.is_none()));
        let after = b.plan();
        prop_assert_eq!(&after, &tandem_proto::items::read_plan(b.automerge()));
        let touched: Vec<_> = got.iter().flat_map(|r| r.touched.clone()).collect();
        let named = |kind: ItemKind, id: &ItemId| {
            touched.iter().any(|t| t.kind == ItemKind::Plan || (t.kind == kind && t.id.as_deref() == Some(id.as_str())))
        };
        let goals = |p: &Plan| p.goals.iter().map(|g| (g.id.clone(), serde_json::to_string(g).unwrap())).collect::<std::collections::BTreeMap<_, _>>();
        let actions = |p: &Plan| p.actions.iter().map(|x| (x.id.clone(), serde_json::to_string(x).unwrap())).collect::<std::collections::BTreeMap<_, _>>();
        for (kind, was, now) in [(ItemKind::Goal, goals(&before), goals(&after)), (ItemKind::Action, actions(&before), actions(&after))] {
            for id in was.keys().chain(now.keys()) {
                if was.get(id) != now.get(id) {
                    prop_assert!(named(kind, id), "{:?} {} changed but was not named: {:?}", kind, id, touched);
                }
            }
        }
    }
}

#[test]
fn a_warm_view_of_an_empty_document_is_refreshed_by_the_first_sync() {
    let a = new_plan();
    let mut b = PlanDoc::empty(device(2).actor);
    let _ = b.plan(); // warms the cache with an empty plan
    let got = sync_into(&a, &mut b);
    assert!(got.iter().all(|r| r.refused.is_none()));
    assert!(!b.is_empty());
    assert_eq!(b.plan(), a.plan(), "the view is not stale");
}

/// A message carrying one whole document, as sent to a device that has nothing.
fn whole_doc_message(doc: &[u8], heads: Vec<automerge::ChangeHash>) -> Vec<u8> {
    automerge::sync::Message {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: automerge::sync::ChunkList::from(vec![doc.to_vec()]),
        flags: None,
        version: automerge::sync::MessageVersion::V2,
    }
    .encode()
}

#[test]
fn a_whole_document_is_loaded_once_and_answered_with_our_new_heads() {
    let a = new_plan();
    let heads = a.automerge().get_heads();
    let mut b = PlanDoc::empty(device(2).actor);
    let mut state = automerge::sync::State::new();
    let r = b.receive_sync(&mut state, &whole_doc_message(&a.save(), heads.clone()));
    assert!(r.refused.is_none(), "{:?}", r.refused);
    assert_eq!(b.automerge().get_heads(), heads);
    assert_eq!(
        b.automerge().get_actor(),
        &device(2).actor,
        "our actor is kept"
    );
    assert_eq!(state.shared_heads, heads);
    // The sender waits for our heads: we must answer, as automerge's own path would.
    let reply = b
        .generate_sync(&mut state)
        .expect("an answer with our heads");
    let reply = automerge::sync::Message::decode(&reply).unwrap();
    assert_eq!(reply.heads, heads);
}

#[test]
fn a_corrupt_or_truncated_whole_document_is_refused_and_nothing_is_loaded() {
    let a = new_plan();
    let heads = a.automerge().get_heads();
    let saved = a.save();
    let mut flipped = saved.clone();
    let at = flipped.len() - 5;
    flipped[at] ^= 0x55;
    // Truncation keeps a well-formed chunk header but cuts the body, so the
    // chunk no longer parses as one whole document.
    let truncated = saved[..saved.len() - 10].to_vec();
    for bad in [flipped, truncated] {
        let mut b = PlanDoc::empty(device(2).actor);
        let mut state = automerge::sync::State::new();
        let r = b.receive_sync(&mut state, &whole_doc_message(&bad, heads.clone()));
        assert!(r.refused.is_some(), "refused");
        assert!(b.is_empty(), "nothing half-loaded");
    }
}

#[test]
fn received_changes_name_the_items_touched_and_their_authors() {
    let mut a = new_plan();
    let mut next = ids();
    let mut b = a.fork(device(2).actor);
    let _ = b.plan();
    let g = a
        .apply(&goal("Learn QC"), &device(1), now(), &mut next)
        .unwrap();
    let goal_id = item_id(&g.item);
    let change = g.change.unwrap();
    assert_eq!(a.authors(&change), vec![peer(1)]);
    let got = sync_into(&a, &mut b);
    let touched: Vec<_> = got.iter().flat_map(|r| r.touched.clone()).collect();
    assert!(
        touched
            .iter()
            .any(|t| t.kind == ItemKind::Goal && t.id.as_deref() == Some(goal_id.as_str())),
        "{touched:?}"
    );
    let bytes: Vec<u8> = got
        .iter()
        .filter_map(|r| r.change.clone())
        .flatten()
        .collect();
    assert_eq!(b.authors(&bytes), vec![peer(1)]);
    assert_eq!(b.plan().goals.len(), 1, "the warm view was refreshed");
    assert_eq!(b.authors(b"not a change"), Vec::<String>::new());
}

fn item_id(item: &tandem_proto::api::Item) -> ItemId {
    match item {
        tandem_proto::api::Item::Goal(g) => g.id.clone(),
        other => panic!("not a goal: {other:?}"),
    }
}

#[test]
fn an_items_history_is_the_changes_that_made_changed_or_removed_it() {
    let mut d = new_plan();
    let mut next = ids();
    d.apply(&goal("A"), &device(1), now(), &mut next).unwrap();
    d.apply(&goal("B"), &device(1), now(), &mut next).unwrap();
    let v = d.plan();
    let (a, b) = (v.goals[0].id.to_string(), v.goals[1].id.to_string());
    let (a, b) = if v.goals[0].title == "A" {
        (a, b)
    } else {
        (b, a)
    };
    let milestone = Edit::Milestone(MilestoneOp::Add {
        goal: a.clone(),
        title: "Read the SOP".into(),
    });
    d.apply(&milestone, &device(1), now(), &mut next).unwrap();
    let rm = Edit::Goal(GoalOp::Rm { goal: a.clone() });
    d.apply(&rm, &device(1), now(), &mut next).unwrap();
    let of_a: Vec<String> = d.item_log(&a, 10).into_iter().map(|e| e.message).collect();
    assert_eq!(of_a.len(), 3, "{of_a:?}");
    assert!(of_a[0].starts_with("goal rm"), "{of_a:?}");
    assert!(of_a[1].starts_with("milestone add"), "{of_a:?}");
    assert!(of_a[2].starts_with("goal add: A"), "{of_a:?}");
    let of_b: Vec<String> = d.item_log(&b, 10).into_iter().map(|e| e.message).collect();
    assert_eq!(of_b, vec!["goal add: B".to_string()]);
}

#[test]
fn the_membership_history_keeps_each_role_a_device_held_and_when() {
    let mut d = new_plan();
    let mut next = ids();
    let at = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
    let add = |role: Role| {
        Edit::Member(MemberOp::Add(NewMember {
            peer: peer(2).into(),
            name: "Sam".into(),
            role,
            device: "tablet".into(),
        }))
    };
    d.apply(&add(Role::Mentee), &device(1), at(10), &mut next)
        .unwrap();
    // The same role again (a new label) is the same stretch.
    d.apply(&add(Role::Mentee), &device(1), at(15), &mut next)
        .unwrap();
    d.apply(&add(Role::Mentor), &device(1), at(20), &mut next)
        .unwrap();
    let rm = Edit::Member(MemberOp::Rm {
        peer: peer(2),
        compromised: Some(at(25)),
    });
    d.apply(&rm, &device(1), at(30), &mut next).unwrap();
    let h: Vec<_> = d
        .plan()
        .member_history
        .into_iter()
        .filter(|t| t.peer == peer(2).as_str())
        .map(|t| (t.role, t.from, t.until, t.compromised_from))
        .collect();
    assert_eq!(
        h,
        vec![
            (Role::Mentee, at(10), Some(at(20)), Some(at(25))),
            (Role::Mentor, at(20), Some(at(30)), Some(at(25))),
        ]
    );
    let since = at(25).strftime("%Y-%m-%d %H:%M UTC").to_string();
    assert_eq!(
        d.log(1)[0].message,
        format!("member remove: Sam (tablet) (mentor), compromised since {since}")
    );
}
