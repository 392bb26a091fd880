//! Bad input on the socket: the daemon answers with an error and keeps serving.

use serde_json::json;
use tandem_e2e::{Home, Raw};

fn code(v: &serde_json::Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {v}"))
}

#[test]
fn malformed_unknown_and_oversized_frames_leave_the_daemon_serving() {
    let h = Home::new();
    let _d = h.start_daemon();
    let sock = h.socket();

    // Garbage instead of a hello.
    let mut r = Raw::connect(&sock);
    r.send_frame(b"\x00\x01not json");
    let reply = r.recv().expect("a reply to a bad hello");
    assert_eq!(code(&reply), "bad_request");

    // A hello from another protocol version.
    let mut r = Raw::connect(&sock);
    r.send_json(&json!({ "protocol": 999, "client": "future" }));
    let reply = r.recv().expect("a reply");
    assert_eq!(code(&reply), "version_mismatch");
    assert!(reply["error"]["message"].as_str().unwrap().contains("999"));

    // After a good hello: malformed JSON, then an unknown request, then a good one, on one connection.
    let mut r = Raw::hello(&sock);
    r.send_frame(b"{not json");
    assert_eq!(code(&r.recv().unwrap()), "bad_request");
    r.send_json(&json!({ "launch_rockets": {} }));
    let reply = r.recv().unwrap();
    assert_eq!(code(&reply), "bad_request");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("launch_rockets"),
        "{reply}"
    );
    r.send_json(&json!("plan_list"));
    assert!(r.recv().unwrap().get("plans").is_some());
    // An edit with an invalid field is refused by name.
    r.send_json(&json!({ "plan_new": { "title": "" } }));
    let reply = r.recv().unwrap();
    assert_eq!(code(&reply), "invalid");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("title")
    );

    // A frame announcing 4 GiB: refused, connection closed.
    let mut r = Raw::hello(&sock);
    r.send_bytes(&[0xff, 0xff, 0xff, 0xff]);
    assert_eq!(code(&r.recv().unwrap()), "too_large");
    assert!(
        r.recv().is_none(),
        "connection should close after an oversized frame"
    );

    // A client that vanishes mid-frame.
    let mut r = Raw::hello(&sock);
    r.send_bytes(&[0, 0, 0, 100]);
    r.send_bytes(b"{\"plan_n");
    drop(r);

    // A client that vanishes right after sending an edit: the edit still lands.
    let mut r = Raw::hello(&sock);
    r.send_json(&json!({ "plan_new": { "title": "sent then gone" } }));
    drop(r);

    // Still serving, with every good edit.
    h.json(&["plan", "new", "still here"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let titles: Vec<String> = h
            .json(&["plan", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_string())
            .collect();
        if titles.contains(&"sent then gone".to_string()) {
            assert!(titles.contains(&"still here".to_string()));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "edit of a vanished client was lost: {titles:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The daemon's data segment (heap and anonymous mappings, touched or
/// not), in KiB: what an allocation sized by a header would show in.
fn data_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmData:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[test]
fn idle_and_watching_clients_take_no_request_slot() {
    let h = Home::new();
    h.json(&["plan", "new", "Busy"]);
    // More than the old limit of 128 connections: half say hello and then
    // nothing, half watch.
    let mut idle = Vec::new();
    for i in 0..300 {
        let mut r = Raw::hello(&h.socket());
        if i % 2 == 0 {
            r.send_json(&json!({ "watch": { "plan": null } }));
            assert_eq!(r.recv().unwrap(), json!("watching"));
        }
        idle.push(r);
    }
    let started = std::time::Instant::now();
    let out = h
        .cmd(&["goal", "add", "still answered", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "a CLI call waited {:?} behind idle clients",
        started.elapsed()
    );
    // The watchers saw the edit.
    let ev = idle[0].recv().unwrap();
    assert_eq!(ev["event"]["event"], "local_change", "{ev}");
}

#[test]
fn frames_announced_big_and_sent_slowly_cost_only_what_arrived() {
    let h = Home::new();
    let _d = h.start_daemon();
    let pid = h.daemon_pid_any();
    let before = data_kib(pid);
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut r = Raw::hello(&h.socket());
        // 30 MiB announced, 10 bytes sent.
        r.send_bytes(&(30u32 * 1024 * 1024).to_be_bytes());
        r.send_bytes(b"{\"plan_lis");
        slow.push(r);
    }
    // The daemon read what was sent (a request after them is answered).
    assert_eq!(h.json(&["plan", "list"]), json!([]));
    let after = data_kib(pid);
    assert!(
        after < before + 64 * 1024,
        "40 announced frames of 30 MiB grew the daemon from {before} KiB to {after} KiB"
    );
}
