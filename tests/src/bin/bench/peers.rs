//! `bench peers`: Tandem against samod and raw Automerge on the very same
//! plan, run alternately in one run (Tandem, perfanchor, Tandem, perfanchor).
//!
//! perfanchor (`../shared/perfanchor`) syncs a document read from a
//! `tandem bundle export --all` file with raw in-memory Automerge and with
//! two samod repos over TCP on 127.0.0.1. The bench builds it into
//! `target/perfanchor` unless `PERFANCHOR` names a built binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_e2e::{Home, Raw};

use super::{call, goal_edit, ms, percentile, redb_commit};

/// The perfanchor binary, built on first use; `None` (with a message) when
/// its source is not there.
fn perfanchor() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PERFANCHOR") {
        return Some(PathBuf::from(p));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = root.join("../shared/perfanchor/Cargo.toml");
    if !manifest.exists() {
        println!("perfanchor not found at {}: skipped", manifest.display());
        return None;
    }
    let target = root.join("target/perfanchor");
    let ok = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        println!("perfanchor did not build: skipped");
        return None;
    }
    Some(target.join("release/perfanchor"))
}

/// perfanchor's medians (ms) for one exported plan, by line name.
struct Anchor {
    raw_full: f64,
    raw_incr: f64,
    samod_full: f64,
    samod_incr: f64,
}

fn run_anchor(bin: &Path, file: &Path, runs: usize) -> Anchor {
    let out = Command::new(bin)
        .args(["file", &runs.to_string()])
        .arg(file)
        .env("INCR_N", "50")
        .output()
        .unwrap();
    assert!(out.status.success(), "perfanchor failed");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let median = |what: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.contains(what) && l.contains("median"))
            .unwrap_or_else(|| panic!("perfanchor printed no '{what}':\n{text}"));
        let after = line.split("median").nth(1).unwrap();
        after.split_whitespace().next().unwrap().parse().unwrap()
    };
    Anchor {
        raw_full: median("sync full doc -> empty peer"),
        raw_incr: median("1 change + incremental sync"),
        samod_full: median("samod connect + full sync"),
        samod_incr: median("samod 1 change -> visible on peer"),
    }
}

/// A plan of `goals` goal adds on A, shared with a fresh B; B dials and the
/// clock stops when B's plan list shows the plan. Returns the time and the
/// bundle export of the plan as B received it.
fn tandem_full_sync(goals: usize, dir: &Path, round: usize) -> (Duration, PathBuf) {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Bench", &b);
    let mut raw = Raw::hello(&a.socket());
    for i in 0..goals {
        call(&mut raw, &goal_edit(&format!("g{i}")));
    }
    drop(raw);
    let file = dir.join(format!("plan{goals}-{round}.bundle"));
    let f = file.to_str().unwrap();
    a.json(&["bundle", "export", "--all", "--output", f]);
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
            .any(|p| p["id"] == id.as_str() && p["goals"] == goals)
        {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "sync did not finish"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
    (t.elapsed(), file)
}

/// Edit on A → `remote_change` on B, p50 over `n` edits into a plan of
/// `goals` goals; also writes the plan's export for perfanchor.
fn tandem_propagation(goals: usize, n: usize, dir: &Path) -> (Duration, PathBuf) {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Bench", &b);
    let mut ra = Raw::hello(&a.socket());
    for i in 0..goals {
        call(&mut ra, &goal_edit(&format!("g{i}")));
    }
    let file = dir.join(format!("prop{goals}.bundle"));
    a.json(&[
        "bundle",
        "export",
        "--all",
        "--output",
        file.to_str().unwrap(),
    ]);
    b.json(&["peer", "add", &a.dial_addr()]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while b
        .plan(&id)
        .is_none_or(|p| p["goals"].as_array().map_or(0, Vec::len) != goals)
    {
        assert!(Instant::now() < deadline, "B did not get the plan");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut watch = Raw::hello(&b.socket());
    watch.send_json(&json!({ "watch": { "plan": null } }));
    assert_eq!(watch.recv().unwrap(), json!("watching"));
    let mut lat = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        call(&mut ra, &goal_edit(&format!("p{i}")));
        while watch.recv().expect("event")["event"]["event"] != "remote_change" {}
        lat.push(t.elapsed());
    }
    (percentile(&mut lat, 0.5), file)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Section 12 of the benchmarks.
pub fn run() {
    println!("## 12. Tandem, samod and raw Automerge on the same plans, alternately");
    let Some(bin) = perfanchor() else { return };
    let dir = tempfile::tempdir_in("/tmp").unwrap();
    // One round's ratio moved by ±0.3x on the 2-core VM (BENCHMARKS §16):
    // three rounds, and the ratios are taken round by round.
    let rounds = 3;
    let (mut t_full, mut r_full, mut s_full) = (vec![], vec![], vec![]);
    let (mut to_raw, mut to_samod) = (vec![], vec![]);
    for round in 0..rounds {
        let (took, file) = tandem_full_sync(10_000, dir.path(), round);
        let anchor = run_anchor(&bin, &file, 3);
        println!(
            "round {round}: full sync, 10,000 goal adds: tandem {:.1} ms; raw {:.1} ms; samod {:.1} ms",
            ms(took),
            anchor.raw_full,
            anchor.samod_full
        );
        t_full.push(ms(took));
        r_full.push(anchor.raw_full);
        s_full.push(anchor.samod_full);
        to_raw.push(ms(took) / anchor.raw_full);
        to_samod.push(ms(took) / anchor.samod_full);
    }
    let (t, r, s) = (
        median(&mut t_full),
        median(&mut r_full),
        median(&mut s_full),
    );
    println!(
        "full sync, 10,000 goal adds (medians of {rounds} rounds): raw {r:.1} ms, samod {s:.1} ms ({:.2}x raw), tandem {t:.1} ms; median of the rounds' ratios: {:.2}x raw (goal <= 1.2x), {:.2}x samod (goal <= 0.7x)",
        s / r,
        median(&mut to_raw),
        median(&mut to_samod)
    );

    let (mut t_prop, mut r_prop, mut s_prop, mut commits) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (p50, file) = tandem_propagation(200, 200, dir.path());
        let anchor = run_anchor(&bin, &file, 3);
        let commit = ms(redb_commit(200));
        println!(
            "round: edit -> visible on the peer, 200-goal plan, p50: tandem {:.2} ms; raw {:.2} ms; samod {:.2} ms; bare durable commit {commit:.3} ms",
            ms(p50),
            anchor.raw_incr,
            anchor.samod_incr
        );
        t_prop.push(ms(p50));
        r_prop.push(anchor.raw_incr);
        s_prop.push(anchor.samod_incr);
        commits.push(commit);
    }
    let (t, r, s, c) = (
        median(&mut t_prop),
        median(&mut r_prop),
        median(&mut s_prop),
        median(&mut commits),
    );
    println!(
        "edit -> visible on the peer, p50 (median of rounds): raw {r:.2} ms, samod {s:.2} ms, tandem {t:.2} ms; goal <= samod + 2 commits = {:.2} ms: {}",
        s + 2.0 * c,
        if t <= s + 2.0 * c { "met" } else { "not met" }
    );
    println!();
}
