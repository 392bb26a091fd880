//! Engine tests over in-memory stores: batching, durability on failure, corruption.

use std::sync::atomic::Ordering;

use super::*;
use crate::server::route::ask;
use crate::store::faulty::FaultyBackend;
use automerge::ActorId;
use tandem_proto::api::*;
use tandem_proto::edit::*;
use tandem_proto::model::{GoalCategory, GoalStatus};

pub(super) fn engine(store: Store) -> Engine {
    let device = Device {
        peer: crate::doc::tests::peer(7),
        actor: ActorId::from(vec![7u8; 16]),
        user: "ana".into(),
        host: "lab".into(),
    };
    let info = Info {
        home: "/h".into(),
        socket: "/h/s".into(),
        started_at: Timestamp::UNIX_EPOCH,
        ui: None,
    };
    // Each engine its own ids, as random ones would be.
    static SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(7);
    let seed = SEED.fetch_add(1, Ordering::Relaxed);
    Engine::new(store, device, info, StdRng::seed_from_u64(seed))
}

/// The time tests run at.
pub(super) fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub(super) fn call(e: &mut Engine, req: Request) -> Response {
    let mut out = Vec::new();
    e.process(t0(), vec![((), ask(req))], |_, r| out.push(r));
    assert_eq!(out.len(), 1);
    out.remove(0)
}

pub(super) fn new_plan(e: &mut Engine, title: &str) -> String {
    match call(
        e,
        Request::PlanNew(NewPlan {
            title: title.into(),
            mentor: "M".into(),
            mentee: "E".into(),
            ..Default::default()
        }),
    ) {
        Response::Plan(p) => p.id.to_string(),
        other => panic!("unexpected {other:?}"),
    }
}

pub(super) fn goal(title: &str) -> Edit {
    Edit::Goal(GoalOp::Add(NewGoal {
        title: title.into(),
        description: String::new(),
        category: GoalCategory::Skill,
        status: GoalStatus::Active,
        target_date: None,
        success_criteria: String::new(),
        created_by: "ana".into(),
    }))
}

pub(super) fn goals(e: &mut Engine, plan: &str) -> Vec<String> {
    match call(
        e,
        Request::PlanGet(PlanGet {
            plan: Some(plan.into()),
        }),
    ) {
        Response::Plan(p) => {
            // Items made in the same millisecond sort by random id: compare as sets.
            let mut titles: Vec<String> = p.goals.iter().map(|g| g.title.clone()).collect();
            titles.sort();
            titles
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_batch_replies_in_order_and_reads_see_earlier_edits() {
    let mut e = engine(Store::in_memory().unwrap());
    let plan = new_plan(&mut e, "P");
    let batch = vec![
        (
            0,
            Request::Edit(PlanEdit {
                plan: None,
                edit: goal("one"),
            }),
        ),
        (
            1,
            Request::Edit(PlanEdit {
                plan: None,
                edit: goal(""),
            }),
        ),
        (2, Request::PlanGet(PlanGet { plan: None })),
        (
            3,
            Request::Edit(PlanEdit {
                plan: None,
                edit: goal("two"),
            }),
        ),
    ];
    let mut replies = Vec::new();
    let batch = batch.into_iter().map(|(t, r)| (t, ask(r))).collect();
    e.process(t0(), batch, |t, r| replies.push((t, r)));
    replies.sort_by_key(|(t, _)| *t);
    assert!(matches!(replies[0].1, Response::Edited(Item::Goal(_))));
    assert!(matches!(&replies[1].1, Response::Error(err) if err.code == ErrorCode::Invalid));
    let Response::Plan(p) = &replies[2].1 else {
        panic!("not a plan")
    };
    assert_eq!(p.goals.len(), 1);
    assert_eq!(goals(&mut e, &plan), vec!["one", "two"]);
}

#[test]
fn a_failed_commit_is_reported_and_forgotten() {
    let (backend, failing) = FaultyBackend::new();
    let store = Store::with_opener(Box::new(move || {
        redb::Database::builder().create_with_backend(backend.clone())
    }));
    let mut e = engine(store.unwrap());
    let plan = new_plan(&mut e, "P");
    assert!(matches!(
        call(
            &mut e,
            Request::Edit(PlanEdit {
                plan: None,
                edit: goal("kept")
            })
        ),
        Response::Edited(_)
    ));
    failing.store(true, Ordering::SeqCst);
    let r = call(
        &mut e,
        Request::Edit(PlanEdit {
            plan: None,
            edit: goal("lost"),
        }),
    );
    let Response::Error(err) = r else {
        panic!("edit on a full disk succeeded: {r:?}")
    };
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("not saved"), "{}", err.message);
    failing.store(false, Ordering::SeqCst);
    // The refused edit must not show up: memory was reloaded from what is durable.
    assert_eq!(goals(&mut e, &plan), vec!["kept"]);
    let r = call(
        &mut e,
        Request::Edit(PlanEdit {
            plan: None,
            edit: goal("after"),
        }),
    );
    assert!(matches!(r, Response::Edited(_)), "{r:?}");
    assert_eq!(goals(&mut e, &plan), vec!["after", "kept"]);
}

#[test]
fn compaction_keeps_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let plan;
    {
        let mut e = engine(Store::open(&path).unwrap());
        plan = new_plan(&mut e, "P");
        for i in 0..(COMPACT_AFTER + 5) {
            call(
                &mut e,
                Request::Edit(PlanEdit {
                    plan: None,
                    edit: goal(&format!("g{i:03}")),
                }),
            );
        }
        assert!(e.has_compaction());
        e.compact_one();
        assert!(!e.has_compaction());
        call(
            &mut e,
            Request::Edit(PlanEdit {
                plan: None,
                edit: goal("last"),
            }),
        );
    }
    let store = Store::open(&path).unwrap();
    let stored = store.load_plan(&plan).unwrap();
    assert!(stored.snapshot.is_some());
    assert_eq!(
        stored.changes.len(),
        1,
        "only the edit after compaction stays a change"
    );
    let mut e = engine(store);
    assert_eq!(goals(&mut e, &plan).len() as u64, COMPACT_AFTER + 6);
}

/// A large plan is compacted once its changes have grown in proportion to
/// its snapshot, not every [`COMPACT_AFTER`] changes: a snapshot saves the
/// whole document, so its cost per edit stays flat however large the plan.
#[test]
fn a_large_plan_is_compacted_in_proportion_to_its_size() {
    let mut e = engine(Store::in_memory().unwrap());
    let plan = new_plan(&mut e, "P");
    let mut rng = StdRng::seed_from_u64(1);
    let edit = |e: &mut Engine, edit: Edit| {
        let r = call(
            e,
            Request::Edit(PlanEdit {
                plan: Some(plan.clone()),
                edit,
            }),
        );
        assert!(matches!(r, Response::Edited(_)), "{r:?}");
    };
    // Ten goals of 60,000 characters that do not compress much.
    for i in 0..10 {
        let mut big = goal(&format!("big {i}"));
        if let Edit::Goal(GoalOp::Add(g)) = &mut big {
            g.description = (0..60_000)
                .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
                .collect();
        }
        edit(&mut e, big);
    }
    for i in 0..COMPACT_AFTER {
        edit(&mut e, goal(&format!("g{i}")));
    }
    assert!(
        e.has_compaction(),
        "no snapshot yet: compacted at {COMPACT_AFTER}"
    );
    e.compact_one();
    let mut n = 0;
    while !e.has_compaction() {
        edit(&mut e, goal(&format!("h{n}")));
        n += 1;
        assert!(n < 5_000, "never compacted again");
    }
    let stored = e.store.load_plan(&plan).unwrap();
    let snapshot = stored.snapshot.unwrap().len();
    let changes: usize = stored.changes.iter().map(|(_, b)| b.len()).sum();
    let last = stored.changes.last().map_or(0, |(_, b)| b.len());
    let why = format!("after {n} small changes ({changes} bytes), snapshot of {snapshot} bytes");
    assert!(
        n > COMPACT_AFTER,
        "compacted as a small plan would be: {why}"
    );
    assert!(
        (changes - last) as u64 * COMPACT_RATIO < snapshot as u64
            && changes as u64 * COMPACT_RATIO >= snapshot as u64,
        "not compacted at 1/{COMPACT_RATIO} of the snapshot: {why}"
    );
}

#[test]
fn a_corrupt_plan_is_reported_kept_and_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (bad, good);
    {
        let mut e = engine(Store::open(&path).unwrap());
        bad = new_plan(&mut e, "Bad");
        good = new_plan(&mut e, "Good");
    }
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(crate::store::tables::CHANGES)
            .unwrap()
            .insert((bad.as_str(), 0), b"garbage".as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    let r = call(
        &mut e,
        Request::PlanGet(PlanGet {
            plan: Some(bad.clone()),
        }),
    );
    assert!(
        matches!(&r, Response::Error(err) if err.code == ErrorCode::CorruptPlan && err.message.contains(&bad)),
        "{r:?}"
    );
    let r = call(
        &mut e,
        Request::Edit(PlanEdit {
            plan: Some(bad.clone()),
            edit: goal("x"),
        }),
    );
    assert!(
        matches!(&r, Response::Error(err) if err.code == ErrorCode::CorruptPlan),
        "{r:?}"
    );
    assert!(matches!(
        call(
            &mut e,
            Request::Edit(PlanEdit {
                plan: Some(good.clone()),
                edit: goal("ok")
            })
        ),
        Response::Edited(_)
    ));
    let Response::Plans(list) = call(&mut e, Request::PlanList) else {
        panic!("no list")
    };
    assert!(list.iter().any(|s| s.id == bad && s.error.is_some()));
    drop(e);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_plan(&bad).unwrap().changes[0].1, b"garbage");
}

#[test]
fn plans_resolve_by_prefix_current_or_only() {
    let mut e = engine(Store::in_memory().unwrap());
    let r = call(&mut e, Request::PlanGet(PlanGet { plan: None }));
    assert!(matches!(&r, Response::Error(err) if err.code == ErrorCode::NoPlan));
    let a = new_plan(&mut e, "A");
    let b = new_plan(&mut e, "B");
    // The newest plan is current.
    let Response::Plan(p) = call(&mut e, Request::PlanGet(PlanGet { plan: None })) else {
        panic!()
    };
    assert_eq!(p.id, b);
    call(
        &mut e,
        Request::PlanUse(PlanUse {
            plan: a[..6].into(),
        }),
    );
    let Response::Plan(p) = call(&mut e, Request::PlanGet(PlanGet { plan: None })) else {
        panic!()
    };
    assert_eq!(p.id, a);
    let r = call(
        &mut e,
        Request::PlanGet(PlanGet {
            plan: Some("zz".into()),
        }),
    );
    assert!(matches!(&r, Response::Error(err) if err.code == ErrorCode::Invalid));
}

#[test]
fn eviction_keeps_memory_bounded_and_loses_nothing() {
    let mut e = engine(Store::in_memory().unwrap());
    let ids: Vec<String> = (0..MAX_LOADED + 10)
        .map(|i| new_plan(&mut e, &format!("P{i}")))
        .collect();
    let Response::Status(s) = call(&mut e, Request::Status) else {
        panic!()
    };
    assert_eq!(s.plans_stored, MAX_LOADED + 10);
    assert!(s.plans_loaded <= MAX_LOADED);
    let Response::Plan(p) = call(
        &mut e,
        Request::PlanGet(PlanGet {
            plan: Some(ids[0].clone()),
        }),
    ) else {
        panic!()
    };
    assert_eq!(p.title, "P0");
}

mod roundtrip {
    use super::*;
    use proptest::prelude::*;
    use tandem_proto::model::{ActionStatus, Owner};

    #[derive(Debug, Clone)]
    enum Op {
        Goal(String),
        Describe(usize, String),
        Milestone(usize, String),
        Action(String),
        Done(usize),
        Remove(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let w = "[a-z]{1,8}";
        prop_oneof![
            w.prop_map(Op::Goal),
            (any::<usize>(), w).prop_map(|(i, s)| Op::Describe(i, s)),
            (any::<usize>(), w).prop_map(|(i, s)| Op::Milestone(i, s)),
            w.prop_map(Op::Action),
            any::<usize>().prop_map(Op::Done),
            any::<usize>().prop_map(Op::Remove),
        ]
    }

    fn plan(e: &mut Engine) -> tandem_proto::model::Plan {
        match call(e, Request::PlanGet(PlanGet { plan: None })) {
            Response::Plan(p) => p.into_inner(),
            other => panic!("unexpected {other:?}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever the engine acknowledged, the store holds: reloading the
        /// plan from redb gives the same plan as the engine's memory, before
        /// and after compaction.
        #[test]
        fn the_store_round_trips_the_in_memory_plan(ops in prop::collection::vec(op(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("db");
            let mut e = engine(Store::open(&path).unwrap());
            let id = new_plan(&mut e, "P");
            for op in ops {
                let p = plan(&mut e);
                let pick = |i: usize, v: &[String]| (!v.is_empty()).then(|| v[i % v.len()].clone());
                let goals: Vec<String> = p.goals.iter().map(|g| g.id.to_string()).collect();
                let actions: Vec<String> = p.actions.iter().map(|a| a.id.to_string()).collect();
                let edit = match op {
                    Op::Goal(t) => Some(goal(&t)),
                    Op::Describe(i, t) => pick(i, &goals).map(|g| Edit::Goal(GoalOp::Edit {
                        goal: g,
                        patch: GoalPatch { description: Some(t), ..Default::default() },
                    })),
                    Op::Milestone(i, t) => pick(i, &goals).map(|g| Edit::Milestone(MilestoneOp::Add { goal: g, title: t })),
                    Op::Action(t) => Some(Edit::Action(ActionOp::Add(NewAction {
                        title: t, owner: Owner::Mentee, due: None, goal: None, meeting: None, notes: String::new(),
                    }))),
                    Op::Done(i) => pick(i, &actions).map(|a| Edit::Action(ActionOp::Edit {
                        action: a,
                        patch: ActionPatch { status: Some(ActionStatus::Done), ..Default::default() },
                    })),
                    Op::Remove(i) => pick(i, &goals).map(|g| Edit::Goal(GoalOp::Rm { goal: g })),
                };
                if let Some(edit) = edit {
                    let r = call(&mut e, Request::Edit(PlanEdit { plan: None, edit }));
                    prop_assert!(matches!(r, Response::Edited(_)), "{:?}", r);
                }
            }
            let in_memory = plan(&mut e);
            drop(e);
            let mut reopened = engine(Store::open(&path).unwrap());
            prop_assert_eq!(&plan(&mut reopened), &in_memory);
            reopened.to_compact.insert(id.clone());
            reopened.compact_one();
            drop(reopened);
            let mut compacted = engine(Store::open(&path).unwrap());
            prop_assert_eq!(&plan(&mut compacted), &in_memory);
        }
    }
}
