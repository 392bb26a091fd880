//! Benchmarks of what strangers and idle clients cost: resident memory
//! under a flood of plan offers against the same daemon's idle RSS, and a
//! CLI call's latency with 500 idle or watching socket clients against the
//! same call with none, each measured in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_e2e::hostile::{Stranger, offers, peer_of, runtime};
use tandem_e2e::{Home, Raw};

use super::{ms, percentile, rss_kib, time_n};

/// RSS under a flood of 100,000 plan offers from 50 stranger identities.
pub fn flood() {
    println!("## 8. A flood of 100,000 plan offers from strangers");
    let h = Home::new();
    let d = h.start_daemon();
    h.json(&["plan", "new", "Mine"]);
    h.json(&["goal", "add", "a goal"]);
    let addr: libp2p::Multiaddr = h.dial_addr().parse().unwrap();
    let daemon = peer_of(&addr);
    let pid = d.child.id();
    std::thread::sleep(Duration::from_millis(500));
    let idle = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(idle));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(rss_kib(pid), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let (identities, each) = (50usize, 2000usize);
    let t = Instant::now();
    let rt = runtime();
    let answered: usize = rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..identities {
            let addr = addr.clone();
            tasks.spawn(async move {
                // Turned away at the door (4 strangers per address at once):
                // a fresh identity tries again, until its offers were taken.
                for _ in 0..200 {
                    let mut s = Stranger::new(None);
                    if s.connect(&addr, Duration::from_secs(5)).await {
                        let msgs = offers(0x5000_0000_0000_0000 + (i * each) as u64, each);
                        let taken = s.send(daemon, msgs, 500, Duration::from_secs(60)).await;
                        if taken > 0 {
                            return taken;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                0
            });
        }
        let mut n = 0;
        while let Some(r) = tasks.join_next().await {
            n += r.unwrap();
        }
        n
    });
    let took = t.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    done.store(true, Ordering::SeqCst);
    sampler.join().unwrap();
    let after = rss_kib(pid);
    let peak = peak.load(Ordering::SeqCst);
    let plans = h.json(&["plan", "list"]).as_array().unwrap().len();
    println!(
        "{} offers from {identities} stranger identities, in envelopes of 500: {answered} envelopes taken in {:.1} s",
        identities * each,
        took.as_secs_f64()
    );
    println!(
        "idle RSS {idle} KiB; peak during the flood {peak} KiB = {:.2}x idle (goal: < 2x); after {after} KiB; plans stored: {plans}\n",
        peak as f64 / idle as f64
    );
}

/// A CLI call with 500 idle or watching clients connected, against none.
pub fn idle_clients() {
    println!("## 9. A CLI call with 500 idle and watching socket clients");
    let h = Home::new();
    let _d = h.start_daemon();
    h.json(&["plan", "new", "Bench"]);
    for i in 0..50 {
        h.json(&["goal", "add", &format!("goal {i}")]);
    }
    let runs = 100;
    let call = || {
        let out = h.run(&["goal", "list", "--json"]);
        assert!(out.status.success());
    };
    let mut alone = time_n(runs, call);
    let mut clients = Vec::new();
    for i in 0..500 {
        let mut r = Raw::hello(&h.socket());
        if i % 2 == 0 {
            r.send_json(&json!({ "watch": { "plan": null } }));
            assert_eq!(r.recv().unwrap(), json!("watching"));
        }
        clients.push(r);
    }
    let mut crowded = time_n(runs, call);
    let (a50, c50) = (percentile(&mut alone, 0.5), percentile(&mut crowded, 0.5));
    let (a95, c95) = (percentile(&mut alone, 0.95), percentile(&mut crowded, 0.95));
    println!("runs: {runs}");
    println!(
        "tandem goal list --json, no other client: p50 {:.2} ms  p95 {:.2} ms",
        ms(a50),
        ms(a95)
    );
    println!(
        "the same with 250 idle and 250 watching clients: p50 {:.2} ms  p95 {:.2} ms = {:.2}x\n",
        ms(c50),
        ms(c95),
        c50.as_secs_f64() / a50.as_secs_f64()
    );
    drop(clients);
}
