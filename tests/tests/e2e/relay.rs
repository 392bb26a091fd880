//! Syncing through a relay on loopback: A and B have no direct listener,
//! only reservations on the relay R; B joins A's plan with a ticket that carries
//! A's relayed address, and they sync through R. Then R restarts, and
//! reservations and sync come back by themselves.

use serde_json::Value;
use tandem_e2e::{Home, Relay, eventually};

fn relays(h: &Home) -> Value {
    h.json(&["status"])["relays"].clone()
}

fn reserved(h: &Home) -> bool {
    relays(h)
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["reserved"] == true))
}

#[test]
fn two_daemons_sync_through_a_relay_and_recover_from_its_restart() {
    let mut relay = Relay::start();
    let relay_id = relay.addr.rsplit('/').next().unwrap().to_string();
    let a = Home::new();
    let _da = a.start_daemon_with(&[("TANDEM_LISTEN", "none"), ("TANDEM_RELAYS", &relay.addr)]);
    eventually("A holds a reservation on the relay", || reserved(&a));
    let status = a.json(&["status"]);
    assert_eq!(
        status["listen"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| !l.as_str().unwrap().contains("p2p-circuit"))
            .count(),
        0,
        "A listens only through the relay: {status}"
    );

    let id = a.json(&["plan", "new", "Relayed plan"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.json(&["goal", "add", "Written on A"]);
    let ticket = a.json(&["invite", "--name", "Ana"])["ticket"]
        .as_str()
        .unwrap()
        .to_string();

    // B has no direct listener either, so the link stays relayed (on
    // loopback a listener would let hole punching go direct at once).
    let b = Home::new();
    let _db = b.start_daemon_with(&[("TANDEM_LISTEN", "none")]);
    b.json(&["join", &ticket]);
    eventually("B has A's goal", || {
        b.plan(&id)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 1))
    });
    let a_id = a.peer_id();
    let info = b.peer_info(&a_id).unwrap();
    assert_eq!(info["link"], "relayed", "{info}");
    assert_eq!(info["relay"], relay_id.as_str(), "{info}");
    // B took the relay from the ticket, and reserves on it too.
    eventually("B holds a reservation on the ticket's relay", || {
        reserved(&b)
    });

    b.json(&["goal", "add", "Written on B", "--plan", &id]);
    eventually("A has B's goal", || {
        a.plan(&id)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 2))
    });

    // The relay restarts: both reserve again, and sync resumes with no one's help.
    relay.restart();
    eventually("A reserves again after the relay restarted", || {
        reserved(&a)
    });
    a.json(&["goal", "add", "Written on A after the restart"]);
    eventually("B gets A's edit after the relay restarted", || {
        b.plan(&id)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 3))
    });
    let info = b.peer_info(&a_id).unwrap();
    assert_eq!(info["link"], "relayed", "{info}");

    // The doctor explains the same: a reservation, and the member reached through the relay.
    let doc = b.json(&["doctor"]);
    assert_eq!(doc["ok"], true, "{doc}");
    let checks = doc["checks"].as_array().unwrap();
    let found = |name: &str, needle: &str| {
        checks
            .iter()
            .any(|c| c["check"] == name && c["detail"].as_str().unwrap().contains(needle))
    };
    assert!(found("relay", "reservation held"), "{doc}");
    assert!(found("member", "connected through relay"), "{doc}");
    // Clocks are measured from what the member sent, not guessed.
    assert!(found("clock", "clocks agree"), "{doc}");
    assert!(
        info["clock_skew_ms"]
            .as_i64()
            .is_some_and(|ms| ms.abs() < 5_000),
        "{info}"
    );
}

#[test]
fn the_doctor_names_what_is_broken_and_how_to_fix_it() {
    let h = Home::new();
    // The only listen address is taken: reported, and the daemon runs on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("/ip4/127.0.0.1/tcp/{}", taken.local_addr().unwrap().port());
    let _d = h.start_daemon_with(&[("TANDEM_LISTEN", &addr)]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(h.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = h.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FAIL  listen") && text.contains("no direct listener"),
        "{text}"
    );
    assert!(text.contains("fix: add a relay"), "{text}");
    assert!(
        text.contains("FAIL  permissions") && text.contains("chmod 700"),
        "{text}"
    );
    assert!(
        text.contains("a listen address failed") && text.contains(&addr),
        "{text}"
    );
    assert!(text.contains("3 problem(s) found"), "{text}");
}

#[test]
fn a_member_whose_address_changed_is_found_again_through_the_relay() {
    let relay = Relay::start();
    let a = Home::new();
    let b = Home::new();
    let relays = [("TANDEM_RELAYS", relay.addr.as_str())];
    let first = format!("/ip4/127.0.0.1/tcp/{}", tandem_e2e::free_port());
    let da = a.start_daemon_with(&[("TANDEM_LISTEN", &first), relays[0]]);
    // B is reachable only through the relay, so the two can meet again
    // only there once A's direct address is stale.
    let _db = b.start_daemon_with(&[("TANDEM_LISTEN", "none"), relays[0]]);
    let id = a.share_new_plan("Moving laptop", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the plan over the direct link", || {
        b.plan(&id).is_some()
    });
    eventually("A holds a reservation", || reserved(&a));

    // A comes back on another address (a new home IP); nobody tells B.
    da.kill9();
    let second = format!("/ip4/127.0.0.1/tcp/{}", tandem_e2e::free_port());
    let _da = a.start_daemon_with(&[("TANDEM_LISTEN", &second), relays[0]]);
    a.json(&["goal", "add", "Written at the new address", "--plan", &id]);
    eventually(
        "B finds A again through the relay and gets the edit",
        || {
            b.plan(&id)
                .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 1))
        },
    );
}
