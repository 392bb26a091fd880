//! Tandem's benchmarks, each reported against a baseline measured in the same run.
//!
//! Run (see BENCHMARKS.md):
//!
//! ```text
//! cargo build --release --workspace --bins && ./target/release/bench
//! ```
//!
//! 1. CLI round trip of `tandem goal list --json` on a plan with 500 goals,
//!    against spawning a no-op process (`/bin/true`) and a no-op Rust binary.
//! 2. Throughput of 10,000 durable edits through the socket API (1 and 8
//!    clients), against bare redb commits of 1 KiB in the same directory.
//! 3. Daemon start-up with 1,000 stored plans until the socket answers,
//!    against spawning a no-op process.
//! 4. Idle RSS with 1,000 stored plans, against an idle daemon with none.
//! 5. Sync over libp2p on loopback: full sync of large plans, a reconnect
//!    with nothing changed, and a 200-plan fan-out, each against raw
//!    in-memory Automerge sync; change propagation latency against bare
//!    durable commits.
//! 8. RSS under a flood of 100,000 plan offers from strangers, against the
//!    same daemon's idle RSS (`bench flood`).
//! 9. A CLI call with 500 idle and watching socket clients, against the
//!    same call with none (`bench clients`).
//! 10. The app (`bench app`): the plan page of a 500-goal plan against a
//!     static request to the same server, the weight of the main pages, and
//!     an edit on A to B's open page in headless Chromium against the same
//!     edits' arrival on B's watch stream.
//! 11. A coordinator's matrix over 500 plans (`bench matrix`).
//! 12. Tandem, samod and raw Automerge on the same exported plan, run
//!     alternately through `../shared/perfanchor` (`bench peers`).
//! 13. Scale: 5,000 plans, one plan of 20,000 goals (`bench scale`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark tool: any failure should abort loudly

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_e2e::{Home, Raw};

mod app;
mod hostile;
mod matrix;
mod peers;
mod scale;
mod sync;

pub(crate) fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times each of `fns` `n` times, taking them in turn (one of each, then
/// again), so that the machine's drift over the runs is in all of them
/// alike: on the 2-core VM of this file one p50 moved by a third between
/// two runs of the same section.
pub(crate) fn time_alternately<const K: usize>(
    n: usize,
    mut fns: [&mut dyn FnMut(); K],
) -> [Vec<Duration>; K] {
    let mut times: [Vec<Duration>; K] = std::array::from_fn(|_| Vec::with_capacity(n));
    for _ in 0..n {
        for (f, t) in fns.iter_mut().zip(times.iter_mut()) {
            let start = Instant::now();
            f();
            t.push(start.elapsed());
        }
    }
    times
}

pub(crate) fn time_n(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

/// Baseline: the mean time of one bare, durable redb commit of 1 KiB, on the
/// file system the benchmark homes live on.
fn redb_commit(n: u64) -> Duration {
    let dir = tempfile::tempdir_in("/tmp").unwrap();
    let db = redb::Database::create(dir.path().join("base.redb")).unwrap();
    let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("t");
    let value = vec![7u8; 1024];
    let t = Instant::now();
    for i in 0..n {
        let txn = db.begin_write().unwrap();
        txn.open_table(table)
            .unwrap()
            .insert(i, value.as_slice())
            .unwrap();
        txn.commit().unwrap();
    }
    t.elapsed() / n as u32
}

/// A device of its own for in-memory baselines (a fresh key and actor).
pub(crate) fn bench_device() -> tandem_daemon::doc::Device {
    tandem_daemon::doc::Device {
        peer: tandem_daemon::identity::peer_id(&libp2p_identity::Keypair::generate_ed25519())
            .to_string(),
        actor: automerge::ActorId::random(),
        user: "bench".into(),
        host: "bench".into(),
    }
}

fn goal_edit(title: &str) -> serde_json::Value {
    json!({ "edit": { "plan": null, "edit": { "goal": { "op": "add", "title": title, "category": "skill", "status": "active" } } } })
}

fn call(raw: &mut Raw, req: &serde_json::Value) -> serde_json::Value {
    raw.send_json(req);
    let reply = raw.recv().expect("reply");
    assert!(reply.get("error").is_none(), "{reply}");
    reply
}

fn cli_round_trip() {
    println!("## 1. CLI round trip: tandem goal list --json, 500 goals");
    let h = Home::new();
    h.json(&["plan", "new", "Bench"]);
    let mut raw = Raw::hello(&h.socket());
    for i in 0..500 {
        call(&mut raw, &goal_edit(&format!("Goal number {i}")));
    }
    assert_eq!(h.json(&["goal", "list"]).as_array().unwrap().len(), 500);
    let runs = 200;
    // One of each in turn, so that the VM's drift is in every figure.
    let [mut noop, mut rust, mut floor, mut list] = time_alternately(
        runs,
        [
            &mut || assert!(Command::new("/bin/true").status().unwrap().success()),
            &mut || assert!(Command::new(noop_bin()).status().unwrap().success()),
            &mut || assert!(h.run(&["--version"]).status.success()),
            &mut || assert!(h.run(&["goal", "list", "--json"]).status.success()),
        ],
    );
    let (n50, n95) = (percentile(&mut noop, 0.5), percentile(&mut noop, 0.95));
    let (l50, l95) = (percentile(&mut list, 0.5), percentile(&mut list, 0.95));
    println!("runs: {runs}");
    println!(
        "baseline spawn /bin/true:      p50 {:.2} ms  p95 {:.2} ms",
        ms(n50),
        ms(n95)
    );
    let r50 = percentile(&mut rust, 0.5);
    println!(
        "baseline spawn of a no-op Rust binary (tests/src/bin/noop.rs): p50 {:.2} ms",
        ms(r50)
    );
    let f50 = percentile(&mut floor, 0.5);
    println!(
        "floor tandem --version (no daemon): p50 {:.2} ms = {:.2}x",
        ms(f50),
        f50.as_secs_f64() / n50.as_secs_f64()
    );
    println!(
        "tandem goal list --json (500): p50 {:.2} ms  p95 {:.2} ms",
        ms(l50),
        ms(l95)
    );
    println!(
        "ratio p50: {:.2}x /bin/true, {:.2}x the no-op Rust binary (goal: <= 2x)\n",
        l50.as_secs_f64() / n50.as_secs_f64(),
        l50.as_secs_f64() / r50.as_secs_f64()
    );
}

fn throughput() {
    println!("## 2. Durable edits through the socket API");
    let h = Home::new();
    h.json(&["plan", "new", "Throughput"]);
    let total = 10_000;

    let base_each = redb_commit(1000);
    println!(
        "baseline bare redb durable commit (1 KiB): {:.3} ms each, {:.0}/s",
        ms(base_each),
        1.0 / base_each.as_secs_f64()
    );

    // Baseline: the same edits applied to an in-memory plan document (Automerge only:
    // no socket, no storage), growing to the same size.
    let device = bench_device();
    let np = tandem_proto::edit::NewPlan {
        title: "mem".into(),
        mentor: String::new(),
        mentee: String::new(),
        ..Default::default()
    };
    let now = jiff::Timestamp::now();
    let (mut doc, _) =
        tandem_daemon::doc::PlanDoc::create("mem", &np, &device, now, &mut String::new).unwrap();
    let mut n = 0u64;
    let mut next = || {
        n += 1;
        format!("{n:016x}")
    };
    let edit: tandem_proto::edit::Edit =
        serde_json::from_value(goal_edit("x")["edit"]["edit"].clone()).unwrap();
    let t = Instant::now();
    for _ in 0..total {
        doc.apply(&edit, &device, now, &mut next).unwrap();
    }
    let mem_each = t.elapsed() / total as u32;
    println!(
        "baseline in-memory Automerge edit (PlanDoc::apply): {:.3} ms each, {:.0}/s",
        ms(mem_each),
        1.0 / mem_each.as_secs_f64()
    );

    for clients in [1usize, 8] {
        let per = total / clients;
        let t = Instant::now();
        std::thread::scope(|s| {
            for c in 0..clients {
                let sock = h.socket();
                s.spawn(move || {
                    let mut raw = Raw::hello(&sock);
                    for i in 0..per {
                        call(&mut raw, &goal_edit(&format!("c{clients}-{c}-{i}")));
                    }
                });
            }
        });
        let el = t.elapsed();
        let each = el / total as u32;
        println!(
            "{total} edits, {clients} client(s): {:.2} s, {:.0} edits/s, {:.3} ms per edit = {:.2}x a bare redb commit, {:.2}x an in-memory Automerge edit",
            el.as_secs_f64(),
            total as f64 / el.as_secs_f64(),
            ms(each),
            each.as_secs_f64() / base_each.as_secs_f64(),
            each.as_secs_f64() / mem_each.as_secs_f64()
        );
    }
    println!();
}

/// The no-op Rust binary built beside the bench (`TANDEM_BIN_DIR` may name
/// another build's daemons), copied as the others are ([`install`]): the
/// spawn baseline.
pub(crate) fn noop_bin() -> std::path::PathBuf {
    tandem_e2e::bin_dir().join("noop")
}

/// Copies `tandem`, `tandemd` and the no-op baseline into a directory of
/// their own and runs them from there, as `cargo install` copies them into
/// `~/.cargo/bin`. A binary as the linker wrote it in `target/` started
/// slower on the VM of BENCHMARKS.md than a copy of the same file:
/// `tandem --version` 1.66-1.72 against 1.49-1.52 ms (`perf stat -r 500`,
/// alternating; the page cache holds the two files differently), which
/// is not what a user's installed binary does.
fn install() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let sources = [
        tandem_e2e::bin_dir().join("tandem"),
        tandem_e2e::bin_dir().join("tandemd"),
        exe.parent().unwrap().join("noop"),
    ];
    for src in sources {
        std::fs::copy(&src, dir.path().join(src.file_name().unwrap())).unwrap();
    }
    tandem_e2e::use_bin_dir(dir.path().to_path_buf());
    dir
}

pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `runs` starts of the daemon of `h`, each timed until its socket answers
/// a handshake, each ended by SIGKILL (so every start also cleans a stale
/// socket and lets redb recover from an unclean shutdown).
pub(crate) fn start_to_handshake(h: &Home, runs: usize) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut child = h.daemon_cmd().arg("--background").spawn().unwrap();
            // Poll finely: the figure is a few milliseconds.
            while std::os::unix::net::UnixStream::connect(h.socket()).is_err() {
                std::thread::sleep(Duration::from_micros(100));
            }
            let _ = Raw::hello(&h.socket());
            let took = t.elapsed();
            child.kill().unwrap();
            child.wait().unwrap();
            took
        })
        .collect()
}

fn startup_and_rss() {
    println!("## 3. Start-up and 4. idle RSS with 1,000 stored plans");
    let h = Home::new();
    let empty = Home::new();
    {
        let mut d = h.start_daemon();
        let mut raw = Raw::hello(&h.socket());
        for i in 0..1000 {
            call(
                &mut raw,
                &json!({ "plan_new": { "title": format!("Plan {i}"), "mentor": "M", "mentee": "E" } }),
            );
            call(&mut raw, &goal_edit("first goal"));
        }
        call(&mut raw, &json!("shutdown"));
        d.child.wait().unwrap();
    }
    let runs = 30;
    let mut noop = time_n(runs, || {
        assert!(Command::new("/bin/true").status().unwrap().success());
    });
    let mut start = start_to_handshake(&h, runs);
    let (n50, s50, s95) = (
        percentile(&mut noop, 0.5),
        percentile(&mut start, 0.5),
        percentile(&mut start, 0.95),
    );
    println!("runs: {runs}");
    println!("baseline spawn /bin/true: p50 {:.2} ms", ms(n50));
    println!(
        "tandemd start until handshake, 1,000 plans: p50 {:.2} ms  p95 {:.2} ms (goal: < 50 ms) = {:.1}x a no-op spawn",
        ms(s50),
        ms(s95),
        s50.as_secs_f64() / n50.as_secs_f64()
    );

    let d_full = h.start_daemon();
    let d_empty = empty.start_daemon();
    for home in [&h, &empty] {
        let mut raw = Raw::hello(&home.socket());
        call(&mut raw, &json!("plan_list"));
    }
    std::thread::sleep(Duration::from_millis(300));
    let (full, none) = (rss_kib(d_full.child.id()), rss_kib(d_empty.child.id()));
    println!(
        "idle RSS, 0 plans: {none} KiB; 1,000 plans (after plan list): {full} KiB = {:.2}x",
        full as f64 / none as f64
    );
    let mut raw = Raw::hello(&h.socket());
    let plans = call(&mut raw, &json!("plan_list"));
    for p in plans["plans"].as_array().unwrap().iter().take(200) {
        call(&mut raw, &json!({ "plan_get": { "plan": p["id"] } }));
    }
    std::thread::sleep(Duration::from_millis(300));
    println!(
        "RSS after opening 200 of the plans: {} KiB",
        rss_kib(d_full.child.id())
    );
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("raw-first-sync") {
        let file = std::env::args().nth(2).expect("raw-first-sync FILE");
        peers::raw_first_sync(std::path::Path::new(&file));
        return;
    }

    println!(
        "# Tandem benchmarks ({} CPUs)\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let _installed = install();
    let only = std::env::args().nth(1);
    let want = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if want("cli") {
        cli_round_trip();
    }
    if want("throughput") {
        throughput();
    }
    if want("startup") {
        startup_and_rss();
    }
    if want("sync") {
        sync::run();
    }
    if want("flood") {
        hostile::flood();
    }
    if want("clients") {
        hostile::idle_clients();
    }
    if want("app") {
        app::run();
    }
    if want("matrix") {
        matrix::run();
    }
    if want("peers") {
        peers::run();
    }
    if want("scale") {
        scale::run();
    }
    // One half of `scale` on its own (the 20,000-goal plan takes minutes to make).
    match only.as_deref() {
        Some("scale-plans") => scale::many_plans(),
        Some("scale-big") => scale::big_plan(),
        _ => {}
    }
    if only.as_deref() == Some("propagation") {
        sync::propagation();
    }
}
