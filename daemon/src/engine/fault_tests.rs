//! Failing disks and damaged stores: every failed transaction recovers the
//! same way, and a plan missing a stored change is corrupt, never shorter.

use std::sync::atomic::Ordering;

use redb::ReadableTable;

use super::tests::{call, engine, goal, goals, new_plan};
use super::*;
use crate::store::faulty::{FaultyBackend, fail_begin};
use crate::store::tables::{CHANGES, PLAN_META};
use tandem_proto::api::*;

fn edit(e: &mut Engine, title: &str) -> Response {
    call(
        e,
        Request::Edit(PlanEdit {
            plan: None,
            edit: goal(title),
        }),
    )
}

pub(super) fn faulty_engine() -> (Engine, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let (backend, failing) = FaultyBackend::new();
    let store = Store::with_opener(Box::new(move || {
        redb::Database::builder().create_with_backend(backend.clone())
    }))
    .unwrap();
    (engine(store), failing)
}

#[test]
fn a_compaction_on_a_full_disk_recovers_once_space_is_freed() {
    let (mut e, failing) = faulty_engine();
    let plan = new_plan(&mut e, "P");
    for i in 0..COMPACT_AFTER {
        assert!(matches!(
            edit(&mut e, &format!("g{i:03}")),
            Response::Edited(_)
        ));
    }
    assert!(e.has_compaction());
    failing.store(true, Ordering::SeqCst);
    e.compact_one();
    failing.store(false, Ordering::SeqCst);
    // Without a restart, writes work again and nothing was lost.
    let r = edit(&mut e, "after the full disk");
    assert!(matches!(r, Response::Edited(_)), "{r:?}");
    assert_eq!(goals(&mut e, &plan).len() as u64, COMPACT_AFTER + 1);
    // The compaction is tried again later, and then works.
    for i in 0..COMPACT_AFTER {
        edit(&mut e, &format!("h{i:03}"));
    }
    assert!(e.has_compaction());
    e.compact_one();
    assert_eq!(goals(&mut e, &plan).len() as u64, 2 * COMPACT_AFTER + 1);
}

#[test]
fn a_write_transaction_that_cannot_begin_recovers_like_a_failed_commit() {
    let (mut e, failing) = faulty_engine();
    let plan = new_plan(&mut e, "P");
    // A write that failed where nothing reopened the database: redb then
    // refuses to begin any write transaction until it is reopened.
    failing.store(true, Ordering::SeqCst);
    let row = crate::store::rows::PeerRow::new("/ip4/1.2.3.4/tcp/1", true);
    assert!(e.store.set_peer("x", Some(&row)).is_err());
    failing.store(false, Ordering::SeqCst);
    assert!(
        e.store.begin().is_err(),
        "redb refuses to begin after a failed write"
    );
    let r = edit(&mut e, "refused");
    assert!(
        matches!(&r, Response::Error(err) if err.code == ErrorCode::Storage),
        "{r:?}"
    );
    // The failed begin reopened the database: writes work again, no restart.
    let r = edit(&mut e, "fine");
    assert!(matches!(r, Response::Edited(_)), "{r:?}");
    // An injected failure of begin itself is answered and recovered the same way.
    fail_begin(true);
    let r = edit(&mut e, "refused too");
    fail_begin(false);
    assert!(matches!(&r, Response::Error(err) if err.code == ErrorCode::Storage));
    assert!(matches!(edit(&mut e, "fine too"), Response::Edited(_)));
    assert_eq!(goals(&mut e, &plan), vec!["fine", "fine too"]);
}

#[test]
fn sync_states_that_cannot_be_saved_leave_the_store_usable() {
    let (mut e, failing) = faulty_engine();
    let plan = new_plan(&mut e, "P");
    e.unsaved_states
        .insert(("peer".into(), plan.clone()), vec![1, 2, 3]);
    failing.store(true, Ordering::SeqCst);
    e.flush_sync_states();
    failing.store(false, Ordering::SeqCst);
    assert!(matches!(edit(&mut e, "after"), Response::Edited(_)));
}

/// A database file with one plan of a few goals; returns (dir, path, plan).
fn stored_plan(goals_n: usize) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut e = engine(Store::open(&path).unwrap());
    let plan = new_plan(&mut e, "P");
    for i in 0..goals_n {
        edit(&mut e, &format!("g{i}"));
    }
    (dir, path, plan)
}

fn corrupt(e: &mut Engine, plan: &str) -> String {
    match call(
        e,
        Request::PlanGet(PlanGet {
            plan: Some(plan.into()),
        }),
    ) {
        Response::Error(err) if err.code == ErrorCode::CorruptPlan => err.message,
        other => panic!("the damaged plan was read as {other:?}"),
    }
}

#[test]
fn a_change_moved_by_a_damaged_key_makes_the_plan_corrupt_not_shorter() {
    let (_dir, path, plan) = stored_plan(4);
    {
        // One flipped byte in a stored key: change 2 now sits under another
        // sequence number, and under another plan id.
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(CHANGES).unwrap();
            let bytes = t
                .remove((plan.as_str(), 2))
                .unwrap()
                .unwrap()
                .value()
                .to_vec();
            t.insert((plan.as_str(), 2 + 256), bytes.as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    let why = corrupt(&mut e, &plan);
    assert!(why.contains("change 2 is missing"), "{why}");
    // A later edit is refused: the loss can never become permanent.
    let r = edit(&mut e, "more");
    assert!(
        matches!(&r, Response::Error(err) if err.code == ErrorCode::CorruptPlan),
        "{r:?}"
    );
    drop(e);
    let store = Store::open(&path).unwrap();
    let seqs: Vec<u64> = store
        .load_plan(&plan)
        .unwrap()
        .changes
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        seqs,
        vec![0, 1, 3, 4, 258],
        "the stored bytes are kept as they are"
    );
}

#[test]
fn the_last_change_lost_with_its_key_is_noticed_too() {
    let (_dir, path, plan) = stored_plan(3);
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CHANGES)
            .unwrap()
            .remove((plan.as_str(), 3))
            .unwrap();
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    assert!(corrupt(&mut e, &plan).contains("change 3 is missing"));
}

#[test]
fn changes_that_do_not_give_the_recorded_heads_make_the_plan_corrupt() {
    let (_dir, path, plan) = stored_plan(3);
    {
        // The record survives but names heads the changes do not reach.
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(PLAN_META).unwrap();
            let mut m = crate::store::rows::PlanMeta::decode(
                t.get(plan.as_str()).unwrap().unwrap().value(),
            )
            .unwrap();
            m.heads = vec!["00".repeat(32)];
            t.insert(plan.as_str(), m.encode().as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    assert!(corrupt(&mut e, &plan).contains("do not add up"));
}

#[test]
fn a_plan_without_its_record_is_flagged_in_plan_list_without_loading_it() {
    let (_dir, path, plan) = stored_plan(1);
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(PLAN_META)
            .unwrap()
            .remove(plan.as_str())
            .unwrap();
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    let Response::Plans(list) = call(&mut e, Request::PlanList) else {
        panic!("no list")
    };
    assert!(
        list[0]
            .error
            .as_deref()
            .is_some_and(|w| w.contains("record")),
        "{list:?}"
    );
    assert!(corrupt(&mut e, &plan).contains("record of stored changes is missing"));
}

#[test]
fn a_layout_1_database_is_migrated_and_its_plans_still_load() {
    let (_dir, path, plan) = stored_plan(2);
    {
        // What a layout-1 daemon left: no plan records, the index in
        // `plan-index-v1` as JSON summaries, layout_version 1.
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.delete_table(PLAN_META).unwrap();
        let rows: Vec<(String, Vec<u8>)> = {
            let index = txn.open_table(crate::store::tables::INDEX).unwrap();
            index
                .iter()
                .unwrap()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    let id = k.value().to_string();
                    let row = crate::store::rows::IndexRow::decode(v.value()).unwrap();
                    (id.clone(), serde_json::to_vec(&row.summary(&id)).unwrap())
                })
                .collect()
        };
        txn.delete_table(crate::store::tables::INDEX).unwrap();
        let mut old = txn.open_table(crate::store::tables::INDEX_V1).unwrap();
        for (id, json) in &rows {
            old.insert(id.as_str(), json.as_slice()).unwrap();
        }
        drop(old);
        txn.open_table(crate::store::tables::META)
            .unwrap()
            .insert(
                crate::store::tables::META_LAYOUT,
                1u32.to_be_bytes().as_slice(),
            )
            .unwrap();
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    assert_eq!(goals(&mut e, &plan), vec!["g0", "g1"]);
    assert!(matches!(edit(&mut e, "g2"), Response::Edited(_)));
    drop(e);
    let mut e = engine(Store::open(&path).unwrap());
    assert_eq!(goals(&mut e, &plan), vec!["g0", "g1", "g2"]);
}

#[test]
fn idle_checks_flag_a_plan_with_a_missing_change_before_anything_loads_it() {
    let (_dir, path, plan) = stored_plan(3);
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CHANGES)
            .unwrap()
            .remove((plan.as_str(), 1))
            .unwrap();
        txn.commit().unwrap();
    }
    let mut e = engine(Store::open(&path).unwrap());
    let healthy = new_plan(&mut e, "Healthy");
    while e.has_idle_work() {
        e.idle_step();
    }
    let Response::Plans(list) = call(&mut e, Request::PlanList) else {
        panic!("no list")
    };
    let flagged = |id: &str| list.iter().find(|s| s.id == id).unwrap().error.clone();
    assert!(flagged(&plan).is_some_and(|w| w.contains("change 1 is missing")));
    assert_eq!(flagged(&healthy), None);
}
