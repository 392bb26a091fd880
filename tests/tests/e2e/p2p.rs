//! Two real daemons syncing a plan over libp2p on 127.0.0.1 (mDNS off, explicit dial).

use std::time::{Duration, Instant};

use serde_json::Value;
use tandem_e2e::{Home, eventually};

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
        &b.peer_id(),
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

    b.json(&["peer", "add", &a.dial_addr()]);
    // B shares no plan with A yet: the plan waits for B's consent, showing
    // who offered it, and is not stored as a plan.
    eventually("B is offered the plan", || {
        b.json(&["plan", "pending"])
            .as_array()
            .is_some_and(|l| l.iter().any(|o| o["plan"] == id.as_str()))
    });
    assert!(b.plan(&id).is_none(), "an offer is not a plan");
    let offers = b.json(&["plan", "pending"]);
    assert_eq!(offers[0]["from"], a.peer_id().as_str());
    assert_eq!(offers[0]["from_name"], "Dana");
    assert_eq!(offers[0]["my_role"], "mentee");
    let text = String::from_utf8(b.run(&["plan", "pending"]).stdout).unwrap();
    assert!(
        text.contains("Shared") && text.contains("offered by Dana (mentor"),
        "{text}"
    );
    b.json(&["plan", "accept", &id[..6]]);
    assert_eq!(b.json(&["plan", "pending"]), serde_json::json!([]));
    eventually("B receives the plan", || b.plan(&id).is_some());
    eventually("B's copy equals A's", || b.plan(&id) == a.plan(&id));
    let got = b.plan(&id).unwrap();
    assert_eq!(got["goals"][0]["title"], "Pass the MLS exam");
    assert_eq!(got["agreement"]["cadence"], "Every other Tuesday");
    assert_eq!(got["members"].as_array().unwrap().len(), 2);

    // Edits flow both ways while connected; `sync --wait` returns once the
    // peer has them, so the plans are equal right after it.
    b.json(&["goal", "add", "From the mentee", "--plan", &id]);
    let st = b.json(&[
        "sync",
        "--wait",
        "--plan",
        &id,
        "--peer",
        &a.peer_id(),
        "--timeout",
        "30s",
    ]);
    assert_eq!(st["peers"][0]["in_sync"], true);
    eventually("A has applied B's edit", || a.plan(&id) == b.plan(&id));
    let err = b.fails(
        &[
            "sync",
            "--wait",
            "--plan",
            &id,
            "--peer",
            &Home::new().peer_id(),
            "--timeout",
            "1s",
        ],
        6,
    );
    assert!(err.contains("gave up after 1s"), "{err}");
    assert!(err.contains("not a member device of this plan"), "{err}");
    assert_eq!(a.plan(&id).unwrap()["goals"].as_array().unwrap().len(), 2);

    // B's status shows A connected and the plan in sync with it; the log
    // names B's device for B's edit.
    let st = b.json(&["status"]);
    assert_eq!(st["peers"][0]["connected"], true);
    assert_eq!(st["sync"][0]["plan"], id.as_str());
    assert_eq!(st["sync"][0]["peers"][0]["peer"], a.peer_id().as_str());
    assert_eq!(st["sync"][0]["peers"][0]["in_sync"], true);
    let log = a.json(&["log", "--plan", &id]);
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["message"] == "goal add: From the mentee")
        .unwrap();
    // The log names the member who made the change, resolved through the
    // plan's membership, and gives the PeerId in JSON.
    assert_eq!(entry["author"], "Ana (mentee, home laptop)", "{entry}");
    assert_eq!(entry["peer"], b.peer_id().as_str());
    assert_eq!(entry["name"], "Ana");
    assert_eq!(entry["role"], "mentee");
    let text = a.text(&["log", "--plan", &id]);
    assert!(text.contains("Ana (mentee, home laptop)"), "{text}");
    assert!(
        !text.contains(&b.peer_id()),
        "PeerIds only with --ids: {text}"
    );
    let text = a.text(&["log", "--plan", &id, "--ids"]);
    assert!(text.contains(&b.peer_id()), "{text}");
    // Sync status names the person and device, in words.
    let text = a.text(&["sync", "--plan", &id]);
    assert!(text.contains("Ana (home laptop) — in sync"), "{text}");

    // A stranger that dials A learns nothing about the plan.
    stranger.json(&["peer", "add", &a.dial_addr()]);
    eventually("the stranger connects", || {
        stranger.json(&["status"])["peers"][0]["connected"] == true
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        stranger.json(&["plan", "list"]).as_array().unwrap().len(),
        0
    );

    // Edits made while B is down arrive after B restarts (an explicit dial
    // here; a_reconnect_with_nothing_changed... covers the address book).
    assert!(b.run(&["daemon", "stop"]).status.success());
    a.json(&["goal", "add", "While B was away", "--plan", &id]);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B catches up after a restart", || {
        b.plan(&id) == a.plan(&id)
    });
    assert_eq!(b.plan(&id).unwrap()["goals"].as_array().unwrap().len(), 3);

    // A forgotten peer is dropped and not redialed.
    let a_id = a.peer_id();
    assert_eq!(
        b.json(&["peer", "forget", &a_id])["forgotten"],
        a_id.as_str()
    );
    eventually("A is gone from B's peers", || {
        b.json(&["peer", "list"]).as_array().unwrap().is_empty()
    });
}

#[test]
fn edits_spread_through_a_middle_device_to_one_never_met() {
    // Mentor laptop (L), lab workstation (W), mentee home machine (M). L and M never connect.
    let (l, w, m) = (Home::new(), Home::new(), Home::new());
    let id = w.json(&["plan", "new", "Onboarding", "--mentor", "Dana"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    w.json(&[
        "member",
        "add",
        &l.peer_id(),
        "--name",
        "Dana",
        "--role",
        "mentor",
        "--device",
        "laptop",
    ]);
    w.json(&[
        "member",
        "add",
        &m.peer_id(),
        "--name",
        "Ana",
        "--role",
        "mentee",
    ]);
    // Both were told the plan's id and accept it ahead of its arrival.
    l.json(&["plan", "accept", &id]);
    m.json(&["plan", "accept", &id]);
    l.json(&["peer", "add", &w.dial_addr()]);
    eventually("the laptop has the plan", || l.plan(&id).is_some());
    l.json(&["goal", "add", "Written on the laptop", "--plan", &id]);
    // The laptop never meets the mentee's machine: it waits for the workstation only.
    l.json(&[
        "sync",
        "--wait",
        "--plan",
        &id,
        "--peer",
        &w.peer_id(),
        "--timeout",
        "30s",
    ]);
    l.run(&["daemon", "stop"]);
    m.json(&["peer", "add", &w.dial_addr()]);
    eventually("the mentee gets the laptop's edit", || {
        m.plan(&id).is_some_and(|p| {
            p["goals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["title"] == "Written on the laptop")
        })
    });
    eventually("mentee and workstation agree", || {
        m.plan(&id) == w.plan(&id)
    });
}

#[test]
fn a_receiver_killed_during_a_large_sync_recovers_and_loses_nothing() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Big", &b);
    // Many changes, so the transfer takes several messages and the kill lands mid-way.
    let long = "x".repeat(2_000);
    for i in 0..120 {
        a.json(&["note", "add", &format!("{i} {long}"), "--plan", &id]);
    }
    b.json(&["peer", "add", &a.dial_addr()]);
    // Kill B as soon as the plan starts arriving (or right away if it is fast).
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.plan(&id).is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    tandem_e2e::kill9_pid(b.daemon_pid_any());
    // Restarted, B loads what it stored cleanly and catches up.
    b.json(&["daemon", "start"]);
    eventually("B converges after kill -9", || b.plan(&id) == a.plan(&id));
    assert_eq!(b.plan(&id).unwrap()["notes"].as_array().unwrap().len(), 120);
    let status = b.json(&["plan", "list"]);
    assert!(status[0]["error"].is_null(), "{status}");
}

#[test]
fn watch_streams_local_remote_peer_and_sync_events_as_ndjson() {
    use std::io::BufRead;
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Watched", &b);
    let mut child = a
        .cmd(&["watch", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(serde_json::from_str(&line).expect("each line is one JSON object"));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    a.json(&["goal", "add", "Local goal", "--plan", &id]);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the plan", || b.plan(&id).is_some());
    let remote_goal = b.json(&["goal", "add", "Remote goal", "--plan", &id])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b_peer = b.peer_id();

    let mut seen: Vec<Value> = Vec::new();
    let want = |seen: &[Value]| {
        let has = |f: &dyn Fn(&Value) -> bool| seen.iter().any(f);
        has(&|e| {
            e["event"] == "local_change"
                && e["message"] == "goal add: Local goal"
                && e["item"].is_string()
        }) && has(&|e| e["event"] == "peer_connected")
            && has(&|e| {
                e["event"] == "remote_change"
                    && e["messages"][0] == "goal add: Remote goal"
                    && e["plan"] == id.as_str()
                    && e["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|i| i["kind"] == "goal" && i["id"] == remote_goal.as_str())
                    && e["authors"][0] == b_peer.as_str()
                    && e["from"] == b_peer.as_str()
            })
            && has(&|e| e["event"] == "sync_complete")
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !want(&seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "missing events; saw {seen:?}");
        if let Ok(e) = rx.recv_timeout(left) {
            seen.push(e);
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_reconnect_with_nothing_changed_exchanges_only_a_few_bytes() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Reconnect", &b);
    // Descriptions that do not compress away, so the plan has some weight.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut text = || -> String {
        (0..200)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                char::from(b'a' + (seed % 26) as u8)
            })
            .collect()
    };
    // Enough changes that a fresh sync state's Bloom filter alone (about 10
    // bits per change, each way) would break the bound below.
    for i in 0..400 {
        let description = if i < 60 { text() } else { String::new() };
        a.json(&[
            "goal",
            "add",
            &format!("Goal {i}"),
            "--description",
            &description,
            "--plan",
            &id,
        ]);
    }
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the whole plan", || b.plan(&id) == a.plan(&id));
    b.json(&["sync", "--wait", "--plan", &id, "--timeout", "30s"]);
    let (sent, received) = b.sync_bytes(&a.peer_id());
    let first = sent + received;
    assert!(first > 10_000, "the first sync carries the plan: {first} B");

    // B restarts and redials A from its address book; nothing changed on either side.
    assert!(b.run(&["daemon", "stop"]).status.success());
    b.json(&["daemon", "start"]);
    eventually("B reconnects by itself", || b.connected_to(&a.peer_id()));
    b.json(&["sync", "--wait", "--plan", &id, "--timeout", "30s"]);
    std::thread::sleep(Duration::from_millis(500)); // let any straggling message arrive
    let (sent, received) = b.sync_bytes(&a.peer_id());
    let again = sent + received;
    eprintln!("sync payload: first sync {first} B, reconnect {again} B");
    assert!(
        again <= 512 && again * 10 <= first,
        "reconnect exchanged {again} B (first sync {first} B)"
    );
    assert_eq!(b.plan(&id), a.plan(&id));
}

#[test]
fn a_device_sharing_many_plans_delivers_them_all_without_dropped_messages() {
    use serde_json::json;
    let (a, b) = (Home::new(), Home::new());
    let b_peer = b.peer_id();
    a.json(&["status"]);
    let mut raw = tandem_e2e::Raw::hello(&a.socket());
    let mut call = |req: Value| {
        raw.send_json(&req);
        let reply = raw.recv().unwrap();
        assert!(reply.get("error").is_none(), "{reply}");
        reply
    };
    // More plans than libp2p request-response takes concurrent streams (100).
    let n = 150;
    let mut ids = Vec::new();
    for i in 0..n {
        let p = call(
            json!({ "plan_new": { "title": format!("Plan {i}"), "mentor": "Dana", "mentee": "Ana" } }),
        );
        let id = p["plan"]["id"].as_str().unwrap().to_string();
        call(
            json!({ "edit": { "plan": id, "edit": { "member": { "op": "add", "peer": b_peer, "name": "Ana", "role": "mentee" } } } }),
        );
        ids.push(id);
    }
    // B's user accepts them all ahead (A shares no plan with B yet).
    let mut braw = tandem_e2e::Raw::hello(&b.socket());
    for id in &ids {
        braw.send_json(&json!({ "plan_accept": { "plan": id } }));
        let reply = braw.recv().unwrap();
        assert!(reply.get("accepted_ahead").is_some(), "{reply}");
    }
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has every plan", || {
        b.json(&["plan", "list"]).as_array().unwrap().len() == n
    });
    // One stream per plan used to overflow the receiver, which dropped the
    // excess; those sessions only recovered after their 5 s reset.
    for h in [&a, &b] {
        let log = std::fs::read_to_string(h.path().join("tandemd.log")).unwrap();
        assert!(
            !log.contains("was not delivered") && !log.contains("was refused"),
            "messages were lost: {}",
            log.lines()
                .filter(|l| l.contains("not delivered") || l.contains("refused"))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
