//! Two real daemons syncing a plan over libp2p on 127.0.0.1 (mDNS off, explicit dial).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should fail loudly

use std::time::{Duration, Instant};

use serde_json::Value;
use tandem_e2e::Home;

fn peer_id(h: &Home) -> String {
    h.json(&["device", "show"])["peer_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn dial_addr(h: &Home) -> String {
    let st = h.json(&["status"]);
    format!(
        "{}/p2p/{}",
        st["listen"][0].as_str().unwrap(),
        st["peer_id"].as_str().unwrap()
    )
}

/// Waits (bounded) until `check` holds; sync is asynchronous.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn plan(h: &Home, id: &str) -> Option<Value> {
    let out = h.run(&["plan", "show", id, "--json"]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn a_member_device_receives_the_plan_and_edits_flow_both_ways() {
    let (a, b, stranger) = (Home::new(), Home::new(), Home::new());
    let id = a.json(&[
        "plan", "new", "Shared", "--mentor", "Dana", "--mentee", "Ana",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.json(&[
        "member",
        "add",
        &peer_id(&b),
        "--name",
        "Ana",
        "--role",
        "mentee",
        "--device",
        "home laptop",
    ]);
    a.json(&[
        "goal",
        "add",
        "Pass the MLS exam",
        "--category",
        "certification",
        "--target",
        "2027-03-01",
        "-d",
        "Study",
    ]);
    a.json(&["agreement", "edit", "--cadence", "Every other Tuesday"]);

    b.json(&["peer", "add", &dial_addr(&a)]);
    eventually("B receives the plan", || plan(&b, &id).is_some());
    eventually("B's copy equals A's", || plan(&b, &id) == plan(&a, &id));
    let got = plan(&b, &id).unwrap();
    assert_eq!(got["goals"][0]["title"], "Pass the MLS exam");
    assert_eq!(got["agreement"]["cadence"], "Every other Tuesday");
    assert_eq!(got["members"].as_array().unwrap().len(), 2);

    // Edits flow both ways while connected; `sync --wait` returns once the
    // peer has them, so the plans are equal right after it.
    b.json(&["goal", "add", "From the mentee", "--plan", &id]);
    let st = b.json(&["sync", "--wait", "--plan", &id, "--peer", &peer_id(&a), "--timeout", "30s"]);
    assert_eq!(st["peers"][0]["in_sync"], true);
    eventually("A has applied B's edit", || plan(&a, &id) == plan(&b, &id));
    let err = b.fails(&["sync", "--wait", "--plan", &id, "--peer", &peer_id(&Home::new()), "--timeout", "1s"], 1);
    assert!(err.contains("timed out after 1s"), "{err}");
    assert_eq!(plan(&a, &id).unwrap()["goals"].as_array().unwrap().len(), 2);

    // B's status shows A connected; the log names B's device for B's edit.
    let st = b.json(&["status"]);
    assert_eq!(st["peers"][0]["connected"], true);
    let log = a.json(&["log", "--plan", &id]);
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["message"] == "goal add: From the mentee")
        .unwrap();
    assert!(
        entry["author"].as_str().unwrap().starts_with("tester@"),
        "{entry}"
    );

    // A stranger that dials A learns nothing about the plan.
    stranger.json(&["peer", "add", &dial_addr(&a)]);
    eventually("the stranger connects", || {
        stranger.json(&["status"])["peers"][0]["connected"] == true
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        stranger.json(&["plan", "list"]).as_array().unwrap().len(),
        0
    );

    // Edits made while B is down arrive after B restarts and dials A again
    // (dialed peers are redialed while the daemon runs; the address book is
    // not persisted across restarts yet).
    assert!(b.run(&["daemon", "stop"]).status.success());
    a.json(&["goal", "add", "While B was away", "--plan", &id]);
    b.json(&["peer", "add", &dial_addr(&a)]);
    eventually("B catches up after a restart", || {
        plan(&b, &id) == plan(&a, &id)
    });
    assert_eq!(plan(&b, &id).unwrap()["goals"].as_array().unwrap().len(), 3);

    // A forgotten peer is dropped and not redialed.
    let a_id = peer_id(&a);
    assert_eq!(
        b.json(&["peer", "forget", &a_id])["forgotten"],
        a_id.as_str()
    );
    eventually("A is gone from B's peers", || {
        b.json(&["peer", "list"]).as_array().unwrap().is_empty()
    });
}
