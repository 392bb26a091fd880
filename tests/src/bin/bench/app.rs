//! The app's benchmarks (section 10), each against a baseline from the
//! same run: the server's time to answer the plan page of a 500-goal plan
//! (against the same server answering its static script), the weight of
//! the main pages, and the time from an edit on device A to the change on
//! B's open page in a real headless Chromium, against the same edits'
//! arrival as a watch event on B (what the CLI's `tandem watch` sees).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use tandem_e2e::browser::{self, Driver};
use tandem_e2e::{Home, Raw, http};

use super::{call, goal_edit, ms, percentile, time_n};

/// p50 of `runs` GETs of `path` with the session.
fn get_p50(app: &str, cookie: &str, path: &str, runs: usize) -> (Duration, usize) {
    let mut bytes = 0;
    let mut t = time_n(runs, || {
        let (status, _, body) = http(app, "GET", path, app, &[("Cookie", cookie)], "");
        assert_eq!(status, 200, "{path}");
        bytes = body.len();
    });
    (percentile(&mut t, 0.5), bytes)
}

fn render_and_weight() {
    let h = Home::new();
    let plan = h.id_of(&[
        "plan", "new", "Bench", "--mentor", "Dana", "--mentee", "Ana",
    ]);
    let mut raw = Raw::hello(&h.socket());
    for i in 0..500 {
        call(&mut raw, &goal_edit(&format!("Goal number {i}")));
    }
    let app = h.app();
    let (cookie, _) = h.app_session();
    let (script, script_bytes) = get_p50(&app, &cookie, "/app.js", 200);
    let (page, page_bytes) = get_p50(&app, &cookie, &format!("/plans/{plan}"), 50);
    println!(
        "plan page of a 500-goal plan: p50 {:.2} ms over HTTP on loopback; the same server answers its static script in {:.2} ms (p50): render = {:.1}x a no-work request; {} KiB",
        ms(page),
        ms(script),
        page.as_secs_f64() / script.as_secs_f64(),
        page_bytes / 1024
    );

    // Page weight of the main pages of an everyday plan.
    let small = h.id_of(&[
        "plan", "new", "Everyday", "--mentor", "Dana", "--mentee", "Ana",
    ]);
    let on = ["--plan", small.as_str()];
    let goal = h.json(&[&["goal", "add", "Pass the MLS exam"][..], &on[..]].concat())["id"]
        .as_str()
        .unwrap()
        .to_string();
    for t in ["Read the QC SOP", "Book the exam", "Shadow the night shift"] {
        h.json(&[&["action", "add", t][..], &on[..]].concat());
    }
    h.json(&[&["meeting", "add", "2027-02-01 14:00"][..], &on[..]].concat());
    let comp = h.json(&[&["competency", "add", "Chemistry analyzer"][..], &on[..]].concat())["id"]
        .as_str()
        .unwrap()
        .to_string();
    println!(
        "page weight (HTML with its inline stylesheet; the one script is {script_bytes} bytes, fetched once):"
    );
    for (name, path) in [
        ("home", "/".to_string()),
        ("plan", format!("/plans/{small}")),
        ("goal", format!("/plans/{small}/items/goal/{goal}")),
        (
            "competency",
            format!("/plans/{small}/items/competency/{comp}"),
        ),
        ("people", format!("/plans/{small}/people")),
        ("history", format!("/plans/{small}/history")),
    ] {
        let (t, bytes) = get_p50(&app, &cookie, &path, 20);
        println!(
            "  {name}: {:.1} KiB, p50 {:.2} ms",
            bytes as f64 / 1024.0,
            ms(t)
        );
    }
}

/// Milliseconds since the epoch, as a browser's `performance.timeOrigin + performance.now()` counts.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

/// Waits in the page until `#list-goal` shows `arguments[0]`; answers when (epoch ms).
const SEEN: &str = r#"
const [title, done] = [arguments[0], arguments[arguments.length - 1]];
const now = () => performance.timeOrigin + performance.now();
const list = () => document.getElementById('list-goal');
if (list() && list().textContent.includes(title)) { done(now()); return; }
const seen = new MutationObserver(() => {
  if (list() && list().textContent.includes(title)) { seen.disconnect(); done(now()); }
});
seen.observe(document.body, { childList: true, subtree: true, characterData: true });
"#;

fn live_latency(edits: usize) {
    let Some(driver) = Driver::start() else {
        println!("edit on A to B's open page: not measured (no chromium and chromedriver)");
        return;
    };
    let (a, b) = (Home::new(), Home::new());
    let plan = a.share_new_plan("Bench", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    tandem_e2e::eventually("the plan reaches B", || b.plan(&plan).is_some());
    let mut watch = Raw::hello(&b.socket());
    watch.send_json(&json!({ "watch": { "plan": null } }));
    assert_eq!(watch.recv().unwrap(), json!("watching"));
    let mut ra = Raw::hello(&a.socket());
    let (mut page, mut event) = (Vec::new(), Vec::new());
    browser::run(async {
        let w = driver.browser().await;
        w.open(&b, &format!("/plans/{plan}")).await;
        w.wait_text("h1", "Bench").await;
        // The page's event stream is open before the first edit.
        w.wait_live().await;
        for i in 0..edits {
            let title = format!("Live goal {i}");
            let client = w.client.clone();
            let t = title.clone();
            let seen =
                tokio::spawn(async move { client.execute_async(SEEN, vec![json!(t)]).await });
            // Let the page's observer be in place first.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let start = epoch_ms();
            let t0 = Instant::now();
            call(&mut ra, &goal_edit(&title));
            loop {
                let ev = watch.recv().expect("event");
                if ev["event"]["event"] == "remote_change" {
                    break;
                }
            }
            event.push(t0.elapsed());
            let at = seen.await.unwrap().unwrap().as_f64().unwrap();
            page.push(Duration::from_secs_f64(((at - start) / 1000.0).max(0.0)));
        }
        w.close().await;
    });
    let (p50, p95) = (percentile(&mut page, 0.5), percentile(&mut page, 0.95));
    let (e50, e95) = (percentile(&mut event, 0.5), percentile(&mut event, 0.95));
    println!(
        "edit on A (socket API) to the goal shown on B's open page in headless Chromium, {edits} edits: p50 {:.1} ms, p95 {:.1} ms; the same edits reach B's watch stream (the CLI's view) in p50 {:.2} ms, p95 {:.2} ms: the page adds p50 {:.1} ms (event stream, fetch of the page, swap)",
        ms(p50),
        ms(p95),
        ms(e50),
        ms(e95),
        ms(p50.saturating_sub(e50))
    );
}

/// Section 10 of the benchmarks.
pub fn run() {
    println!("## 10. The app");
    render_and_weight();
    live_latency(50);
    println!();
}
