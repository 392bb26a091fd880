//! Device identity and plan membership through the CLI.

use std::os::unix::fs::PermissionsExt;

use tandem_e2e::Home;

#[test]
fn device_identity_is_stable_private_and_the_creator_is_a_member() {
    let a = Home::new();
    let b = Home::new();
    let me = a.json(&["device", "show"])["peer_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(me.starts_with("12D3KooW"), "{me}");
    let key = a.path().join("device.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let log = std::fs::read_to_string(a.path().join("tandemd.log")).unwrap();
    assert!(!log.contains(&String::from_utf8_lossy(&std::fs::read(&key).unwrap()).to_string()));

    a.json(&["plan", "new", "Shared", "--mentor", "Dana"]);
    let members = a.json(&["member", "list"]);
    assert_eq!(members[0]["peer"], me.as_str());
    assert_eq!(members[0]["role"], "mentor");
    assert_eq!(members[0]["name"], "Dana");

    let other = b.json(&["device", "show"])["peer_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(other, me);
    let added = a.json(&[
        "member",
        "add",
        &other,
        "--name",
        "Ana",
        "--role",
        "mentee",
        "--device",
        "home laptop",
    ]);
    assert_eq!(added["peer"], other.as_str());
    assert_eq!(added["device"], "home laptop");
    assert_eq!(a.json(&["member", "list"]).as_array().unwrap().len(), 2);
    let err = a.fails(&["member", "add", "nonsense", "--name", "X"], 2);
    assert!(err.contains("is not a PeerId"), "{err}");
    let err = a.fails(&["member", "remove", &me], 2);
    assert!(err.contains("only mentor"), "{err}");
    let removed = a.json(&["member", "remove", &other[..16]]);
    assert_eq!(removed["removed"], "member");
    assert_eq!(a.json(&["member", "list"]).as_array().unwrap().len(), 1);

    // The identity survives a restart.
    assert!(a.run(&["daemon", "stop"]).status.success());
    assert_eq!(a.json(&["device", "show"])["peer_id"], me.as_str());
    let log = a.json(&["log"]);
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("member remove: Ana")
    );
}
