//! A corrupt stored plan is reported; its bytes are kept; other plans keep working.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should fail loudly

use tandem_daemon::store::tables::CHANGES;
use tandem_e2e::Home;

#[test]
fn a_corrupt_plan_is_reported_while_the_others_keep_working() {
    let h = Home::new();
    let bad = h.json(&["plan", "new", "Will be corrupted"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.json(&["goal", "add", "lost cause"]);
    let good = h.json(&["plan", "new", "Healthy"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.json(&["goal", "add", "fine"]);
    assert!(h.run(&["daemon", "stop"]).status.success());

    let db_path = h.path().join("tandem.redb");
    {
        let db = redb::Database::create(&db_path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CHANGES)
            .unwrap()
            .insert((bad.as_str(), 1), b"\x85\x6f\x4a\x83garbage".as_slice())
            .unwrap();
        txn.commit().unwrap();
    }

    let err = h.fails(&["goal", "list", "--plan", &bad], 1);
    assert!(err.contains("corrupt") && err.contains(&bad), "{err}");
    let err = h.fails(&["goal", "add", "more", "--plan", &bad], 1);
    assert!(err.contains("corrupt"), "{err}");
    assert_eq!(
        h.json(&["goal", "list", "--plan", &good])[0]["title"],
        "fine"
    );
    h.json(&["goal", "add", "still editable", "--plan", &good]);
    let list = h.json(&["plan", "list"]);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == bad.as_str())
        .unwrap();
    assert!(
        entry["error"].as_str().unwrap().contains("unreadable"),
        "{entry}"
    );

    assert!(h.run(&["daemon", "stop"]).status.success());
    let db = redb::Database::create(&db_path).unwrap();
    let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
    let table = txn.open_table(CHANGES).unwrap();
    let kept = table.get((bad.as_str(), 1)).unwrap().unwrap();
    assert_eq!(
        kept.value(),
        b"\x85\x6f\x4a\x83garbage",
        "the corrupt bytes must be kept as they were"
    );
    assert!(table.get((bad.as_str(), 0)).unwrap().is_some());
}
