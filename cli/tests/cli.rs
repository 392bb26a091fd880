//! Process-level checks of the `tandem` binary that need no daemon.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should fail loudly

use std::process::Command;

fn tandem(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .env_clear()
        .env("TANDEM_HOME", home)
        .output()
        .unwrap()
}

#[test]
fn help_lists_every_command_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = tandem(dir.path(), &["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "plan",
        "goal",
        "action",
        "meeting",
        "feedback",
        "note",
        "contact",
        "agreement",
        "log",
        "export",
        "daemon",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}: {help}");
    }
}

#[test]
fn an_unreachable_daemon_exits_4_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = tandem(dir.path(), &["--no-autostart", "plan", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not running"));
    let out = tandem(dir.path(), &["goal", "add"]);
    assert_eq!(out.status.code(), Some(2));
    // Usage errors are found before any daemon is started.
    assert!(!dir.path().join("run").exists());
}
