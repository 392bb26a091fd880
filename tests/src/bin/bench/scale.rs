//! `bench scale`: what a coordinator reaches. 5,000 plans on one device
//! (start-up until the socket answers, `plan list` against the same call
//! at 200 plans, idle RSS) and one plan of 20,000 items (its load from disk
//! against raw `Automerge::load` of the same bytes, `plan show`, `goal list`).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_e2e::{Home, Raw};

use super::{
    call, goal_edit, ms, noop_bin, percentile, rss_kib, start_to_handshake, time_alternately,
    time_n,
};

fn p50_of(runs: usize, f: impl FnMut()) -> Duration {
    percentile(&mut time_n(runs, f), 0.5)
}

fn add_plans(raw: &mut Raw, from: usize, to: usize) {
    for i in from..to {
        call(
            raw,
            &json!({ "plan_new": { "title": format!("Plan {i}"), "mentor": "M", "mentee": "E" } }),
        );
        call(raw, &goal_edit("first goal"));
    }
}

/// `tandem plan list --json` in `small` and in `big`, run alternately
/// ([`time_alternately`]): the p50 of each.
fn plan_list_p50s(small: &Home, big: &Home) -> (Duration, Duration) {
    let list = |h: &Home| assert!(h.run(&["plan", "list", "--json"]).status.success());
    let [mut a, mut b] = time_alternately(150, [&mut || list(small), &mut || list(big)]);
    (percentile(&mut a, 0.5), percentile(&mut b, 0.5))
}

/// 5,000 plans on one device: start-up, `plan list`, idle RSS.
pub fn many_plans() {
    let small = Home::new();
    let d_small = small.start_daemon();
    add_plans(&mut Raw::hello(&small.socket()), 0, 200);
    let h = Home::new();
    let d = h.start_daemon();
    let mut raw = Raw::hello(&h.socket());
    let t = Instant::now();
    add_plans(&mut raw, 0, 5000);
    println!("made 5,000 plans in {:.1} s", t.elapsed().as_secs_f64());
    let (at200, at5000) = plan_list_p50s(&small, &h);
    println!(
        "tandem plan list --json, 150 runs each, alternating: 200 plans p50 {:.2} ms; 5,000 plans p50 {:.2} ms = {:.2}x (goal <= 2x)",
        ms(at200),
        ms(at5000),
        at5000.as_secs_f64() / at200.as_secs_f64()
    );
    drop(d_small);
    call(&mut raw, &json!("shutdown"));
    drop(raw);
    let mut d = d;
    d.child.wait().unwrap();

    let noop = p50_of(30, || {
        assert!(Command::new(noop_bin()).status().unwrap().success());
    });
    let mut start = start_to_handshake(&h, 20);
    let s50 = percentile(&mut start, 0.5);
    println!(
        "tandemd start until handshake, 5,000 plans (after SIGKILL): p50 {:.2} ms, p95 {:.2} ms (goal <= 50 ms) = {:.1}x a no-op Rust spawn ({:.2} ms)",
        ms(s50),
        ms(percentile(&mut start, 0.95)),
        s50.as_secs_f64() / noop.as_secs_f64(),
        ms(noop)
    );
    let empty = Home::new();
    let (d_full, d_empty) = (h.start_daemon(), empty.start_daemon());
    for home in [&h, &empty] {
        call(&mut Raw::hello(&home.socket()), &json!("plan_list"));
    }
    std::thread::sleep(Duration::from_millis(300));
    let (full, none) = (rss_kib(d_full.child.id()), rss_kib(d_empty.child.id()));
    println!(
        "idle RSS: 0 plans {none} KiB; 5,000 plans after plan list {full} KiB = {:.2}x",
        full as f64 / none as f64
    );
}

/// One plan of 20,000 goals: first read, `plan show`, `goal list`.
pub fn big_plan() {
    let h = Home::new();
    let d = h.start_daemon();
    let id = h.id_of(&["plan", "new", "Big"]);
    let mut raw = Raw::hello(&h.socket());
    let t = Instant::now();
    for i in 0..20_000 {
        call(&mut raw, &goal_edit(&format!("Goal number {i}")));
    }
    println!("made 20,000 goals in {:.1} s", t.elapsed().as_secs_f64());
    call(&mut raw, &json!("shutdown"));
    drop(raw);
    let mut d = d;
    d.child.wait().unwrap();

    // Baseline: the same stored bytes loaded by Automerge alone.
    let store = tandem_daemon::store::Store::open(&h.path().join("tandem.redb")).unwrap();
    let stored = store.load_plan(&id).unwrap();
    let mut bytes = stored.snapshot.unwrap_or_default();
    for (_, c) in stored.changes {
        bytes.extend(c);
    }
    drop(store);
    let raw_load = p50_of(5, || {
        automerge::Automerge::load(&bytes).unwrap();
    });

    let mut load = Vec::new();
    for _ in 0..5 {
        let d = h.start_daemon();
        let mut raw = Raw::hello(&h.socket());
        let t = Instant::now();
        call(&mut raw, &json!({ "plan_get": { "plan": id } }));
        load.push(t.elapsed());
        call(&mut raw, &json!("shutdown"));
        let mut d = d;
        d.child.wait().unwrap();
    }
    let l50 = percentile(&mut load, 0.5);
    println!(
        "plan of 20,000 goals ({} bytes stored): first read after start p50 {:.1} ms; raw Automerge::load of the same bytes {:.1} ms = {:.2}x",
        bytes.len(),
        ms(l50),
        ms(raw_load),
        l50.as_secs_f64() / raw_load.as_secs_f64()
    );
    let _d = h.start_daemon();
    assert!(h.run(&["plan", "show", &id, "--no-pager"]).status.success());
    let show = p50_of(10, || {
        assert!(h.run(&["plan", "show", &id, "--no-pager"]).status.success());
    });
    let list = p50_of(10, || {
        assert!(h.run(&["goal", "list", "--json"]).status.success());
    });
    println!(
        "plan of 20,000 goals, loaded: tandem plan show p50 {:.1} ms; tandem goal list --json p50 {:.1} ms",
        ms(show),
        ms(list)
    );
}

/// Section 13 of the benchmarks.
pub fn run() {
    println!("## 13. Scale: 5,000 plans on one device, one plan of 20,000 items");
    many_plans();
    big_plan();
    println!();
}
