//! A corrupt stored plan is reported; its bytes are kept; other plans keep working.

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

#[test]
fn json_names_a_corrupt_plan_by_its_code() {
    let h = Home::new();
    let bad = h.json(&["plan", "new", "Damaged"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(h.run(&["daemon", "stop"]).status.success());
    {
        let db = redb::Database::create(h.path().join("tandem.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CHANGES)
            .unwrap()
            .insert((bad.as_str(), 0), b"garbage".as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    let err = h.fails(&["plan", "show", &bad, "--json"], 1);
    let v: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(v["error"]["code"], "corrupt_plan", "{v}");
}

#[test]
fn a_home_whose_database_is_gone_empty_or_cut_does_not_start_over_empty() {
    let h = Home::new();
    h.json(&["plan", "new", "Precious"]);
    h.json(&["goal", "add", "keep me"]);
    assert!(h.run(&["daemon", "stop"]).status.success());
    let db = h.path().join("tandem.redb");
    let good = std::fs::read(&db).unwrap();

    std::fs::remove_file(&db).unwrap();
    let (code, err) = h.start_or_refuse().expect("started without its database");
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("tandem.redb") && err.contains("missing"),
        "{err}"
    );
    assert!(!db.exists(), "no empty database was made in its place");
    // The CLI's autostart reports the same instead of an empty plan list.
    let cli = h.fails(&["plan", "list"], 4);
    assert!(cli.contains("tandem.redb"), "{cli}");
    assert!(!db.exists());

    std::fs::write(&db, b"").unwrap();
    let (code, err) = h.start_or_refuse().expect("started on an empty file");
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("tandem.redb") && err.contains("backup"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "left as it was");

    for cut in [good.len() / 2, 4096, 512] {
        std::fs::write(&db, &good[..cut]).unwrap();
        match h.start_or_refuse() {
            Some((code, err)) => {
                assert_eq!(code, Some(4), "{err}");
                assert!(!err.contains("panicked"), "{err}");
            }
            None => {
                // It opened: then it must hold the plan whole, or say it cannot.
                let out = h.run(&["goal", "list", "--json"]);
                if out.status.success() {
                    let goals: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    assert_eq!(goals[0]["title"], "keep me");
                }
                h.run(&["daemon", "stop"]);
            }
        }
    }

    // A first start still creates everything.
    let fresh = Home::new();
    assert_eq!(fresh.json(&["plan", "list"]), serde_json::json!([]));
}

#[test]
fn a_flipped_byte_in_a_stored_key_never_makes_a_plan_silently_shorter() {
    let h = Home::new();
    let plan = h.json(&["plan", "new", "Keyed"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..6 {
        h.json(&["goal", "add", &format!("goal {i}")]);
    }
    assert!(h.run(&["daemon", "stop"]).status.success());
    let db = h.path().join("tandem.redb");
    let good = std::fs::read(&db).unwrap();
    // Every place the plan id is written: keys of every table, and values.
    let id = plan.as_bytes();
    let spots: Vec<usize> = (0..good.len() - id.len())
        .filter(|&i| &good[i..i + id.len()] == id)
        .collect();
    assert!(spots.len() >= 4, "the plan id is stored in several tables");
    let (mut whole, mut corrupt, mut refused) = (0, 0, 0);
    for at in spots {
        let mut bytes = good.clone();
        bytes[at + id.len() - 1] ^= 0x01; // the last hex digit: still a valid-looking id
        std::fs::write(&db, &bytes).unwrap();
        if let Some((code, err)) = h.start_or_refuse() {
            assert_eq!(code, Some(4), "{err}");
            assert!(!err.contains("panicked"), "{err}");
            refused += 1;
            continue;
        }
        let out = h.run(&["goal", "list", "--plan", &plan, "--json"]);
        if out.status.success() {
            let goals: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                goals.as_array().unwrap().len(),
                6,
                "a flip at byte {at} left the plan shorter without a word"
            );
            whole += 1;
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.code() == Some(1) || out.status.code() == Some(3),
                "{err}"
            );
            corrupt += 1;
        }
        assert!(h.run(&["daemon", "stop"]).status.success());
    }
    eprintln!(
        "flipped plan id bytes: {whole} read whole, {corrupt} reported, {refused} refused at start"
    );
    assert!(corrupt > 0, "some flips must hit the changes' keys");
}
