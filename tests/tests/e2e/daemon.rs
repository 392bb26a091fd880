//! Daemon lifecycle: one daemon per home, autostart, permissions.

use std::os::unix::fs::PermissionsExt;

use tandem_e2e::Home;

#[test]
fn a_second_daemon_on_the_same_home_is_refused_and_the_first_keeps_serving() {
    let h = Home::new();
    let first = h.start_daemon();
    h.json(&["plan", "new", "P"]);
    let out = h
        .daemon_cmd()
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already running"), "{err}");
    assert!(err.contains(&format!("pid {}", first.child.id())), "{err}");
    assert!(
        h.socket().exists(),
        "the refused daemon removed the live socket"
    );
    assert_eq!(h.json(&["plan", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(h.daemon_pid(), first.child.id());
}

#[test]
fn the_cli_autostarts_the_daemon_and_files_are_private() {
    let h = Home::new();
    assert!(!h.socket().exists());
    let err = h.fails(&["plan", "list", "--no-autostart"], 4);
    assert!(err.contains("not running"), "{err}");
    let out = h
        .cmd(&["plan", "list"])
        .env("TANDEM_NO_AUTOSTART", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    h.json(&["plan", "new", "Autostarted"]);
    assert!(h.socket().exists());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&h.socket()), 0o600);
    assert_eq!(mode(h.socket().parent().unwrap()), 0o700);
    assert_eq!(mode(h.path()), 0o700);
    assert_eq!(mode(&h.path().join("tandem.redb")), 0o600);
    let status = h.json(&["daemon", "status"]);
    assert_eq!(status["plans_stored"], 1);
    assert_eq!(status["home"], h.path().display().to_string());
    let log = std::fs::read_to_string(h.path().join("tandemd.log")).unwrap();
    assert!(log.contains("tandemd ready"), "{log}");
}

#[test]
fn daemon_start_stop_status() {
    let h = Home::new();
    h.fails(&["daemon", "status"], 4);
    let started = h.json(&["daemon", "start"]);
    let again = h.json(&["daemon", "start"]);
    assert_eq!(started["pid"], again["pid"]);
    assert_eq!(h.json(&["daemon", "stop"])["stopped"], true);
    assert_eq!(h.json(&["daemon", "stop"])["stopped"], false);
    h.fails(&["daemon", "status"], 4);
}

/// `daemon stop` returns once the daemon is gone, lock and all: a daemon
/// started right after it serves the home instead of finding it taken
/// (`tandemd is already running`). It used to return when the socket was
/// gone, while the daemon was still closing its database and held the
/// lock; CI once caught a test starting the next daemon in that moment.
#[test]
fn a_daemon_started_right_after_daemon_stop_is_not_refused() {
    let h = Home::new();
    h.json(&["plan", "new", "Stop and go"]);
    // Busy CPUs (as in CI, where the test ran beside others) stretch the
    // daemon's last steps: without them the moment was rarely hit.
    let busy = Busy::new(4);
    for round in 0..15 {
        let stop = h.run(&["daemon", "stop"]);
        assert!(stop.status.success(), "{stop:?}");
        // Left serving for the next round's stop.
        if let Some((code, err)) = h.start_or_refuse() {
            panic!("round {round}: the daemon started after `daemon stop` exited {code:?}: {err}");
        }
    }
    drop(busy);
    assert!(h.run(&["daemon", "stop"]).status.success());
}

/// Threads that keep the CPUs busy until dropped (also when the test fails).
struct Busy {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Busy {
    fn new(n: usize) -> Busy {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let threads = (0..n)
            .map(|_| {
                let done = done.clone();
                std::thread::spawn(move || {
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        Busy { done, threads }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[test]
fn the_config_file_sets_what_flags_and_env_leave_unset_and_a_bad_one_is_named() {
    let h = Home::new();
    let cfg = h.path().join("config.toml");
    // The listen address comes from the file (the test's TANDEM_LISTEN is removed).
    std::fs::write(
        &cfg,
        "[daemon]\nlisten = [\"/ip4/127.0.0.1/tcp/0\"]\nmdns = false\n",
    )
    .unwrap();
    let mut child = h
        .daemon_cmd()
        .env_remove("TANDEM_LISTEN")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tandem_e2e::wait_for_socket(&h.socket());
    let st = h.json(&["status"]);
    let listen = st["listen"].as_array().unwrap();
    assert!(
        !listen.is_empty()
            && listen
                .iter()
                .all(|a| a.as_str().unwrap().starts_with("/ip4/127.0.0.1/")),
        "{st}"
    );
    h.run(&["daemon", "stop"]);
    child.wait().unwrap();

    std::fs::write(&cfg, "[daemon]\nlisen = []\n").unwrap();
    let out = h
        .daemon_cmd()
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml") && err.contains("lisen"),
        "{err}"
    );

    // A peer without /p2p/ cannot be dialed as a device: an error naming it,
    // not an entry silently ignored.
    std::fs::write(&cfg, "[daemon]\npeers = [\"/ip4/127.0.0.1/tcp/4455\"]\n").unwrap();
    let out = h
        .daemon_cmd()
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/ip4/127.0.0.1/tcp/4455") && err.contains("/p2p/"),
        "{err}"
    );
}
