//! Sync benchmarks between two daemons on loopback, each against a baseline
//! measured in the same run: full sync and a reconnect with nothing changed
//! (against raw in-memory Automerge sync of the same document), a 200-plan
//! fan-out (against raw sync of the same 200 documents), and change
//! propagation (against bare durable commits).

use std::time::{Duration, Instant};

use automerge::Automerge;
use automerge::sync::{Message, State, SyncDoc};
use serde_json::{Value, json};
use tandem_e2e::{Home, Raw};

use super::{call, goal_edit, ms, percentile, redb_commit};

/// Raw in-memory Automerge sync between two documents from fresh states,
/// with encode/decode, until neither has anything to say: (time, bytes).
fn raw_exchange(mut a: Automerge, mut b: Automerge) -> (Duration, usize) {
    let t = Instant::now();
    let (mut sa, mut sb) = (State::new(), State::new());
    let mut bytes = 0;
    loop {
        let mut moved = false;
        if let Some(m) = a.generate_sync_message(&mut sa) {
            let enc = m.encode();
            bytes += enc.len();
            b.receive_sync_message(&mut sb, Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if let Some(m) = b.generate_sync_message(&mut sb) {
            let enc = m.encode();
            bytes += enc.len();
            a.receive_sync_message(&mut sa, Message::decode(&enc).unwrap())
                .unwrap();
            moved = true;
        }
        if !moved {
            break;
        }
    }
    assert_eq!(a.get_heads(), b.get_heads());
    (t.elapsed(), bytes)
}

/// Raw sync of `doc` into an empty document. The sender receives the
/// replies too, so it gets its own copy, made before the clock starts.
fn raw_sync(doc: &Automerge) -> (Duration, usize) {
    raw_exchange(doc.clone(), Automerge::new())
}

/// The stored plans of a stopped daemon, loaded in memory.
fn stored_docs(h: &Home, ids: &[String]) -> Vec<Automerge> {
    let store = tandem_daemon::store::Store::open(&h.path().join("tandem.redb")).unwrap();
    ids.iter()
        .map(|id| {
            let stored = store.load_plan(id).unwrap();
            let mut all = stored.snapshot.unwrap_or_default();
            for (_, c) in stored.changes {
                all.extend(c);
            }
            Automerge::load(&all).unwrap()
        })
        .collect()
}

/// Polls B's plan list until `done` holds for it.
fn wait_plans(b: &Home, done: impl Fn(&[Value]) -> bool) -> Duration {
    let mut rb = Raw::hello(&b.socket());
    let t = Instant::now();
    loop {
        let plans = call(&mut rb, &json!("plan_list"));
        if done(plans["plans"].as_array().unwrap()) {
            return t.elapsed();
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "sync did not finish"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Builds a plan on A with `edits`, shares it with B, times B receiving it,
/// then restarts B and measures the bytes of the reconnect.
fn full_sync_and_reconnect(label: &str, edits: Vec<Value>) {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Bench", &b);
    let mut raw = Raw::hello(&a.socket());
    for e in &edits {
        call(&mut raw, e);
    }
    drop(raw);
    // The baseline syncs the very same document: A's stored plan, loaded in memory.
    assert!(a.run(&["daemon", "stop"]).status.success());
    let doc = stored_docs(&a, std::slice::from_ref(&id)).remove(0);
    let (base, base_bytes) = raw_sync(&doc);
    let addr = a.dial_addr();
    b.json(&["status"]);
    let mut rb = Raw::hello(&b.socket());
    call(&mut rb, &json!({ "peer_add": { "addr": addr } }));
    let took = wait_plans(&b, |plans| plans.iter().any(|p| p["id"] == id.as_str()));
    println!(
        "{label}: {} changes; raw in-memory sync {:.1} ms ({} bytes); daemons on loopback, connect to received {:.1} ms = {:.2}x",
        doc.get_changes(&[]).len(),
        ms(base),
        base_bytes,
        ms(took),
        took.as_secs_f64() / base.as_secs_f64()
    );

    // Reconnect with nothing changed: B restarts and redials A from its address book.
    b.json(&["sync", "--wait", "--plan", &id, "--timeout", "60s"]);
    let a_peer = a.peer_id();
    let (sent, received) = b.sync_bytes(&a_peer);
    let first = sent + received;
    assert!(b.run(&["daemon", "stop"]).status.success());
    b.json(&["daemon", "start"]);
    let t = Instant::now();
    while !b.connected_to(&a_peer) {
        assert!(t.elapsed() < Duration::from_secs(60), "B did not reconnect");
        std::thread::sleep(Duration::from_millis(20));
    }
    b.json(&["sync", "--wait", "--plan", &id, "--timeout", "60s"]);
    std::thread::sleep(Duration::from_millis(300));
    let (sent, received) = b.sync_bytes(&a_peer);
    let again = sent + received;
    let (_, fresh) = raw_exchange(doc.clone(), doc.clone());
    println!(
        "{label}, reconnect with nothing changed: {again} bytes with persisted sync state; raw sync of equal documents from fresh state {fresh} bytes = {:.3}x (first sync {first} bytes)",
        again as f64 / fresh as f64
    );
}

/// One device shares 200 plans with a fresh device; time to full convergence.
fn fan_out(plans: usize, goals: usize) {
    let (a, b) = (Home::new(), Home::new());
    let b_peer = b.peer_id();
    a.json(&["status"]); // starts A's daemon
    let mut raw = Raw::hello(&a.socket());
    let mut ids = Vec::new();
    for p in 0..plans {
        let plan = call(
            &mut raw,
            &json!({ "plan_new": { "title": format!("Plan {p}"), "mentor": "Dana", "mentee": "Ana" } }),
        );
        let id = plan["plan"]["id"].as_str().unwrap().to_string();
        call(
            &mut raw,
            &json!({ "edit": { "plan": id, "edit": { "member": { "op": "add", "peer": b_peer, "name": "Ana", "role": "mentee" } } } }),
        );
        for g in 0..goals {
            let mut e = goal_edit(&format!("p{p} g{g}"));
            e["edit"]["plan"] = json!(id);
            call(&mut raw, &e);
        }
        ids.push(id);
    }
    drop(raw);
    assert!(a.run(&["daemon", "stop"]).status.success());
    let docs = stored_docs(&a, &ids);
    let base: Duration = docs.iter().map(|d| raw_sync(d).0).sum();
    let addr = a.dial_addr();
    b.json(&["status"]);
    let mut rb = Raw::hello(&b.socket());
    // B shares nothing with A yet, so it takes plans from A only with the
    // user's consent: accepted ahead by id, as a new device of a
    // coordinator would (without it they wait in B's inbox, 2 at most).
    for id in &ids {
        call(&mut rb, &json!({ "plan_accept": { "plan": id } }));
    }
    call(&mut rb, &json!({ "peer_add": { "addr": addr } }));
    let took = wait_plans(&b, |list| {
        list.len() == plans && list.iter().all(|p| p["goals"] == goals)
    });
    println!(
        "fan-out, {plans} plans of {goals} goals to a fresh device: raw in-memory sync of the same documents one after another {:.1} ms; daemons {:.1} ms = {:.2}x",
        ms(base),
        ms(took),
        took.as_secs_f64() / base.as_secs_f64()
    );
}

/// Change propagation latency (also `bench propagation` on its own).
pub fn propagation() {
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
    let (mut lat, mut api) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let t = Instant::now();
        call(&mut ra, &goal_edit(&format!("p{i}")));
        api.push(t.elapsed());
        loop {
            let ev = watch.recv().expect("event");
            if ev["event"]["event"] == "remote_change" {
                break;
            }
        }
        lat.push(t.elapsed());
    }
    let commit = redb_commit(200);
    let p50 = percentile(&mut lat, 0.5);
    println!(
        "  of which the edit's own round trip on A (socket, engine, durable commit, reply): p50 {:.2} ms",
        ms(percentile(&mut api, 0.5))
    );
    println!(
        "change propagation, API edit on A to remote_change event on B, 200 edits: p50 {:.2} ms, p95 {:.2} ms (goal: p50 < 2 ms); a bare durable redb commit here takes {:.2} ms, and the path holds two (A's, then B's): p50 = {:.1}x one commit",
        ms(p50),
        ms(percentile(&mut lat, 0.95)),
        ms(commit),
        p50.as_secs_f64() / commit.as_secs_f64()
    );
}

/// Section 5 of the benchmarks.
pub fn run() {
    println!("## 5. Sync between two daemons over libp2p on 127.0.0.1");
    let goals: Vec<Value> = (0..10_000).map(|i| goal_edit(&format!("g{i}"))).collect();
    full_sync_and_reconnect("10,000 small changes", goals);
    let text = "lorem ipsum dolor sit amet ".repeat(50_000 / 27 + 1)[..50_000].to_string();
    let notes: Vec<Value> = (0..2)
        .map(|_| json!({ "edit": { "plan": null, "edit": { "note": { "op": "add", "author": "b", "body": text, "tags": [] } } } }))
        .collect();
    full_sync_and_reconnect("100,000 characters of text", notes);
    fan_out(200, 10);
    propagation();
    println!();
}
