//! Nothing acknowledged is lost: `kill -9` right after a burst of edits.

use std::thread;

use tandem_e2e::{Home, kill9_pid};

#[test]
fn kill_9_after_a_burst_of_acknowledged_edits_loses_nothing() {
    let h = Home::new();
    h.json(&["plan", "new", "Durable"]);
    // Four writers at once, so edits share group commits.
    let titles: Vec<String> = thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let h = &h;
                scope.spawn(move || {
                    (0..15)
                        .map(|i| {
                            let t = format!("goal w{w} n{i}");
                            h.json(&["goal", "add", &t]);
                            t
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let pid = h.daemon_pid();
    kill9_pid(pid);
    // The stale socket is still on disk; the next command starts a new daemon anyway.
    let goals = h.json(&["goal", "list"]);
    let got: Vec<&str> = goals
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    for t in &titles {
        assert!(
            got.contains(&t.as_str()),
            "acknowledged edit '{t}' lost after kill -9"
        );
    }
    assert_eq!(got.len(), titles.len());
    assert_ne!(h.daemon_pid(), pid);
}

#[test]
fn graceful_stop_on_sigterm_keeps_everything() {
    let h = Home::new();
    let mut daemon = h.start_daemon();
    h.json(&["plan", "new", "T"]);
    h.json(&["goal", "add", "survives SIGTERM"]);
    let pid = daemon.child.id();
    let st = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(st.success());
    let status = daemon.child.wait().unwrap();
    assert!(status.success(), "tandemd exited with {status} on SIGTERM");
    assert!(
        !h.socket().exists(),
        "socket left behind after a graceful stop"
    );
    assert_eq!(h.json(&["goal", "list"])[0]["title"], "survives SIGTERM");
}
