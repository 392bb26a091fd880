//! Store unit tests: ordering, atomicity, layout versions, plan records,
//! and damaged files.

use super::*;

fn meta(first: u64, next: u64, snapshot: bool) -> PlanMeta {
    PlanMeta::new(first, next, snapshot, Vec::new())
}

fn summary(id: &str) -> PlanSummary {
    let mut s = unreadable_summary(id, "");
    s.error = None;
    s.title = format!("plan {id}");
    s
}

#[test]
fn changes_come_back_in_order_and_compaction_replaces_them() {
    let store = Store::in_memory().unwrap();
    let mut b = store.begin().unwrap();
    for seq in 0..5u64 {
        b.append_change("p1", seq, &[seq as u8], &meta(0, seq + 1, false))
            .unwrap();
    }
    b.append_change("p2", 0, b"other", &meta(0, 1, false))
        .unwrap();
    b.put_summary(&summary("p1")).unwrap();
    b.commit().unwrap();
    let p = store.load_plan("p1").unwrap();
    assert_eq!(
        p.changes.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    assert_eq!(p.meta.as_ref().unwrap().as_ref().unwrap().next_seq, 5);
    assert_eq!(p.incomplete(), None);
    store.compact("p1", b"snap", &meta(3, 5, true)).unwrap();
    let p = store.load_plan("p1").unwrap();
    assert_eq!(p.snapshot.as_deref(), Some(b"snap".as_slice()));
    assert_eq!(
        p.changes.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(store.load_plan("p2").unwrap().changes.len(), 1);
}

#[test]
fn uncommitted_batch_leaves_nothing() {
    let store = Store::in_memory().unwrap();
    let mut b = store.begin().unwrap();
    b.append_change("p1", 0, b"x", &meta(0, 1, false)).unwrap();
    drop(b);
    assert!(store.load_plan("p1").unwrap().changes.is_empty());
}

#[test]
fn actor_is_stable_and_index_lists_plans() {
    let store = Store::in_memory().unwrap();
    let a = store.device_actor().unwrap();
    assert_eq!(a.len(), 16);
    assert_eq!(store.device_actor().unwrap(), a);
    let mut b = store.begin().unwrap();
    b.put_summary(&summary("b")).unwrap();
    b.put_summary(&summary("a")).unwrap();
    b.set_current("b").unwrap();
    b.commit().unwrap();
    assert_eq!(store.plan_ids().unwrap(), vec!["a", "b"]);
    assert_eq!(store.plan_count().unwrap(), 2);
    assert_eq!(store.current_plan().unwrap().as_deref(), Some("b"));
    assert_eq!(store.summaries().unwrap()[1].title, "plan b");
}

#[test]
fn newer_layout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert(META_LAYOUT, 99u32.to_be_bytes().as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99 })
    ));
}

/// A database file with `plans` plans of a few changes each, closed.
fn a_db_file(plans: usize) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.redb");
    let store = Store::open(&path).unwrap();
    let mut ids = Vec::new();
    let mut b = store.begin().unwrap();
    for p in 0..plans {
        let id = format!("{p:016x}");
        for seq in 0..4u64 {
            let bytes = vec![seq as u8; 300];
            b.append_change(&id, seq, &bytes, &meta(0, seq + 1, false))
                .unwrap();
        }
        b.put_summary(&summary(&id)).unwrap();
        ids.push(id);
    }
    b.commit().unwrap();
    drop(store);
    (dir, path, ids)
}

#[test]
fn an_existing_home_never_gets_a_fresh_empty_database() {
    let (_dir, path, ids) = a_db_file(2);
    assert_eq!(
        Store::open_existing(&path).unwrap().plan_ids().unwrap(),
        ids
    );

    let missing = path.with_file_name("gone.redb");
    assert!(Store::open_existing(&missing).is_err());
    assert!(!missing.exists(), "nothing was created in its place");

    let empty = path.with_file_name("empty.redb");
    std::fs::write(&empty, b"").unwrap();
    assert!(Store::open_existing(&empty).is_err());
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "left as found");

    // A fresh database (what an emptied file turns into) is refused by name.
    let fresh = path.with_file_name("fresh.redb");
    drop(Database::create(&fresh).unwrap());
    assert!(matches!(
        Store::open_existing(&fresh),
        Err(StoreError::Empty)
    ));

    let bytes = std::fs::read(&path).unwrap();
    for cut in [bytes.len() / 2, 4096, 100] {
        let truncated = path.with_file_name(format!("cut{cut}.redb"));
        std::fs::write(&truncated, &bytes[..cut]).unwrap();
        match Store::open_existing(&truncated) {
            Err(_) => {}
            Ok(s) => assert_eq!(
                s.plan_ids().ok(),
                Some(ids.clone()),
                "a truncated file opened, so it must hold everything"
            ),
        }
    }
}

#[test]
fn damaged_pages_give_errors_never_panics() {
    let (_dir, path, ids) = a_db_file(3);
    let good = std::fs::read(&path).unwrap();
    let damaged = path.with_file_name("damaged.redb");
    // Flip bytes all through the file, one position at a time.
    let step = (good.len() / 400).max(1);
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for at in (0..good.len()).step_by(step) {
        let mut bytes = good.clone();
        bytes[at] ^= 0x5a;
        std::fs::write(&damaged, &bytes).unwrap();
        let ran = std::panic::catch_unwind(|| {
            let Ok(store) = Store::open_existing(&damaged) else {
                return "refused at open";
            };
            let mut any_err = store.plan_ids().is_err() | store.summaries().is_err();
            for id in &ids {
                any_err |= store.load_plan(id).is_err() | store.check_plan(id).is_err();
            }
            if any_err { "an error" } else { "read" }
        });
        let outcome =
            ran.unwrap_or_else(|_| panic!("a flipped byte at {at} panicked past the store"));
        *outcomes.entry(outcome).or_default() += 1;
    }
    assert!(
        outcomes.len() > 1,
        "the damage made a difference: {outcomes:?}"
    );
}

/// A database written by tandemd at an earlier layout (`tests/golden`, made
/// as its README says) opens here, migrated, with everything in it: plans,
/// their documents, invitations and the address book.
#[test]
fn databases_written_by_earlier_layouts_still_load() {
    for file in ["layout-3.redb", "layout-4.redb"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tandem.redb");
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(file);
        std::fs::copy(&golden, &path).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        let store = Store::open_existing(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let list = store.summaries().unwrap();
        assert_eq!(list.len(), 1, "{file}");
        let s = &list[0];
        assert_eq!(
            (
                s.title.as_str(),
                s.mentor.as_str(),
                s.goals,
                s.open_actions,
                s.error.as_deref()
            ),
            ("Golden onboarding", "Dana", 4, 3, None),
            "{file}"
        );
        assert_eq!(s.members.len(), 2, "{file}");
        let stored = store.load_plan(&s.id).unwrap();
        let chunks = stored.changes.iter().map(|(_, c)| c.as_slice());
        let doc = crate::doc::PlanDoc::load(
            stored.snapshot.as_deref(),
            chunks,
            automerge::ActorId::random(),
        )
        .unwrap();
        let view = doc.view();
        assert_eq!(
            (
                view.goals.len(),
                view.actions.len(),
                view.notes.len(),
                view.competencies.len()
            ),
            (4, 3, 1, 2),
            "{file}"
        );
        assert!(
            view.goals.iter().any(|g| g.title == "Pass the MLS exam"),
            "{file}"
        );
        let invites = store.invites().unwrap();
        assert_eq!(invites.len(), 1, "{file}");
        assert_eq!(
            (invites[0].name.as_str(), invites[0].plan.as_str()),
            ("Lee", s.id.as_str())
        );
        assert!(!invites[0].secret_hash.is_empty());
        let peers = store.peers().unwrap();
        assert_eq!(peers.len(), 1, "{file}");
        assert!(
            peers[0].1.manual && peers[0].1.addr.ends_with(&peers[0].0),
            "{file}"
        );
        drop(store);
        // Migrated once: opening again finds the current layout.
        let again = Store::open_existing(&path).unwrap();
        assert_eq!(again.summaries().unwrap(), list, "{file}");
    }
}
