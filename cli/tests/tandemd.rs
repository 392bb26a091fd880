//! Process-level checks of the `tandemd` binary, and of how `tandem` runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should fail loudly

use std::process::Command;

#[test]
fn refuses_a_database_from_a_newer_layout_with_a_clear_error() {
    let home = tempfile::Builder::new()
        .prefix("tdd")
        .tempdir_in("/tmp")
        .unwrap();
    {
        let db = redb::Database::create(home.path().join("tandem.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        let mut meta = txn.open_table(tandem_daemon::store::tables::META).unwrap();
        meta.insert(
            tandem_daemon::store::tables::META_LAYOUT,
            99u32.to_be_bytes().as_slice(),
        )
        .unwrap();
        drop(meta);
        txn.commit().unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tandemd"))
        .arg("--home")
        .arg(home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "the database's own exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("layout version 99 is newer"), "{err}");
    assert!(!home.path().join("run/tandemd.sock").exists());
}

#[test]
fn version_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_tandemd"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("tandemd "));
}

/// `tandem daemon run` is the `tandemd` beside it, in this very process:
/// the daemon's pid is the command's, and it stops cleanly.
#[test]
fn daemon_run_becomes_the_tandemd_beside_tandem() {
    let home = tempfile::Builder::new()
        .prefix("tdr")
        .tempdir_in("/tmp")
        .unwrap();
    let tandem = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tandem"))
            .args(args)
            .env("TANDEM_HOME", home.path())
            .env_remove("TANDEMD")
            .output()
            .unwrap()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(["daemon", "run", "--no-mdns", "--no-ui"])
        .args(["--listen", "/ip4/127.0.0.1/tcp/0"])
        .env("TANDEM_HOME", home.path())
        .env_remove("TANDEMD")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let socket = home.path().join("run/tandemd.sock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(std::time::Instant::now() < deadline, "no socket");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let out = tandem(&["--no-autostart", "daemon", "status", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["pid"], child.id(), "{status}");
    assert!(tandem(&["daemon", "stop"]).status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// A `tandem` installed without its `tandemd` says so when it has to start
/// the daemon, naming where it looked, with the exit code of an unreachable daemon.
#[test]
fn tandem_without_tandemd_beside_it_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("tandem");
    std::fs::copy(env!("CARGO_BIN_EXE_tandem"), &alone).unwrap();
    let out = Command::new(&alone)
        .args(["plan", "list"])
        .env("TANDEM_HOME", dir.path().join("home"))
        .env_remove("TANDEMD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no tandemd beside") && err.contains(&alone.display().to_string()),
        "{err}"
    );
}
