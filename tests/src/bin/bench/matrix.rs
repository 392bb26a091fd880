//! Section 11: an education coordinator's view across plans. 500 plans on
//! one device, each with a competency record: `tandem matrix` and `tandem
//! agenda --all`, against two baselines from the same run: `tandem plan
//! list` (the index only, one request) and reading the 500 plans whole over
//! one socket connection (what any view across plans must at least do).

use std::process::Stdio;
use std::time::Instant;

use serde_json::json;
use tandem_e2e::{Home, Raw};

use super::{call, ms, percentile, time_n};

const PLANS: usize = 500;

pub(crate) fn run() {
    println!("## 11. A coordinator's view: tandem matrix over {PLANS} plans");
    let h = Home::new();
    let _daemon = h.start_daemon();
    let mut raw = Raw::hello(&h.socket());
    let made = Instant::now();
    for i in 0..PLANS {
        call(
            &mut raw,
            &json!({ "plan_new": { "title": format!("Plan {i}"), "mentor": "Dana", "mentee": format!("Tech {i}") } }),
        );
        call(
            &mut raw,
            &json!({ "edit": { "plan": null, "edit": { "competency": { "op": "add", "system": format!("Analyzer {}", i % 12) } } } }),
        );
    }
    println!(
        "made {PLANS} plans with a competency each in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    let cli = |args: &[&str]| {
        let out = h
            .cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("tandem runs");
        assert!(out.status.success(), "{args:?}");
        out.stdout.len()
    };
    let runs = 7;
    let p50 = |f: &mut dyn FnMut()| {
        let mut t = time_n(runs, f);
        percentile(&mut t, 0.5)
    };
    let list = p50(&mut || {
        cli(&["plan", "list", "--json"]);
    });
    let plans = call(&mut raw, &json!("plan_list"));
    let ids: Vec<String> = plans["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let read_all = p50(&mut || {
        for id in &ids {
            call(&mut raw, &json!({ "plan_get": { "plan": id } }));
        }
    });
    let mut cells = 0;
    let matrix = p50(&mut || {
        cells = cli(&["matrix", "--json"]);
    });
    let csv = p50(&mut || {
        cli(&["matrix", "--format", "csv"]);
    });
    let agenda = p50(&mut || {
        cli(&["agenda", "--all", "--json"]);
    });
    println!(
        "tandem plan list --json: p50 {:.1} ms (the index only)\n\
         reading the {PLANS} plans whole over one connection: p50 {:.1} ms\n\
         tandem matrix --json: p50 {:.1} ms ({} KiB) = {:.2}x plan list, {:.2}x the bare reads\n\
         tandem matrix --format csv: p50 {:.1} ms\n\
         tandem agenda --all --json: p50 {:.1} ms = {:.2}x the bare reads\n",
        ms(list),
        ms(read_all),
        ms(matrix),
        cells / 1024,
        matrix.as_secs_f64() / list.as_secs_f64(),
        matrix.as_secs_f64() / read_all.as_secs_f64(),
        ms(csv),
        ms(agenda),
        agenda.as_secs_f64() / read_all.as_secs_f64(),
    );
}
