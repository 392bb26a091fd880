//! Process-level checks of the `tandemd` binary on its own.

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
