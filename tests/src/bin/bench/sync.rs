//! Sync benchmarks: full sync between two daemons on loopback, and change
//! propagation, each against raw in-memory Automerge in the same run.

use std::time::{Duration, Instant};

use automerge::sync::{Message, State, SyncDoc};
use serde_json::{Value, json};
use tandem_e2e::{Home, Raw};

use super::{call, goal_edit, ms, percentile};

/// Raw in-memory Automerge sync of `doc` into an empty document, with encode/decode.
fn raw_sync(doc: &automerge::Automerge) -> (Duration, usize) {
    // The sender receives the replies too, so it needs its own mutable copy (made before timing).
    let mut doc = doc.clone();
    let t = Instant::now();
    let mut empty = automerge::Automerge::new();
    let (mut sa, mut sb) = (State::new(), State::new());
    let mut bytes = 0;
    loop {
        let mut moved = false;
        if let Some(m) = doc.generate_sync_message(&mut sa) {
            let enc = m.encode();
            bytes += enc.len();
            empty
                .receive_sync_message(&mut sb, Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if let Some(m) = empty.generate_sync_message(&mut sb) {
            let enc = m.encode();
            bytes += enc.len();
            doc.receive_sync_message(&mut sa, Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if !moved {
            break;
        }
    }
    assert_eq!(empty.get_heads(), doc.get_heads());
    (t.elapsed(), bytes)
}

/// Builds a plan on a fresh daemon with `edits`, shares it with B, and times B receiving it.
fn full_sync(label: &str, edits: Vec<Value>) {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Bench", &b);
    let mut raw = Raw::hello(&a.socket());
    for e in &edits {
        call(&mut raw, e);
    }
    // The baseline syncs the very same document: A's stored plan, loaded in memory.
    assert!(a.run(&["daemon", "stop"]).status.success());
    let store = tandem_daemon::store::Store::open(&a.path().join("tandem.redb")).unwrap();
    let stored = store.load_plan(&id).unwrap();
    drop(store);
    let mut all = stored.snapshot.unwrap_or_default();
    for (_, c) in stored.changes {
        all.extend(c);
    }
    let doc = automerge::Automerge::load(&all).unwrap();
    let (base, base_bytes) = raw_sync(&doc);
    a.json(&["status"]);
    let addr = a.dial_addr();
    b.json(&["status"]);
    let mut rb = Raw::hello(&b.socket());
    let t = Instant::now();
    call(&mut rb, &json!({ "peer_add": { "addr": addr } }));
    loop {
        let plans = call(&mut rb, &json!("plan_list"));
        if plans["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str())
        {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "sync did not finish"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
    let took = t.elapsed();
    println!(
        "{label}: {} changes; raw in-memory sync {:.1} ms ({} bytes); daemons on loopback, connect to received {:.1} ms = {:.2}x",
        doc.get_changes(&[]).len(),
        ms(base),
        base_bytes,
        ms(took),
        took.as_secs_f64() / base.as_secs_f64()
    );
}

fn propagation() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Bench", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while b.run(&["plan", "show", &id]).status.code() != Some(0) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut watch = Raw::hello(&b.socket());
    watch.send_json(&json!({ "watch": { "plan": null } }));
    assert_eq!(watch.recv().unwrap(), json!("watching"));
    let mut ra = Raw::hello(&a.socket());
    let mut lat = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        call(&mut ra, &goal_edit(&format!("p{i}")));
        loop {
            let ev = watch.recv().expect("event");
            if ev["event"]["event"] == "remote_change" {
                break;
            }
        }
        lat.push(t.elapsed());
    }
    println!(
        "change propagation, API edit on A to remote_change event on B, 200 edits: p50 {:.2} ms, p95 {:.2} ms (goal: p50 < 2 ms)",
        ms(percentile(&mut lat, 0.5)),
        ms(percentile(&mut lat, 0.95))
    );
}

/// Section 5 of the benchmarks.
pub fn run() {
    println!("## 5. Sync between two daemons over libp2p on 127.0.0.1");
    let goals: Vec<Value> = (0..10_000).map(|i| goal_edit(&format!("g{i}"))).collect();
    full_sync("10,000 small changes", goals);
    let text = "lorem ipsum dolor sit amet ".repeat(50_000 / 27 + 1)[..50_000].to_string();
    let notes: Vec<Value> = (0..2)
        .map(|_| json!({ "edit": { "plan": null, "edit": { "op": "note_add", "author": "b", "body": text, "tags": [] } } }))
        .collect();
    full_sync("100,000 characters of text", notes);
    propagation();
    println!();
}
