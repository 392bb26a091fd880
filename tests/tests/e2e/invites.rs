//! Invitations, roles and removal with real daemons on 127.0.0.1 (mDNS off).

use std::time::Duration;

use tandem_e2e::{Home, eventually};
use tandem_proto::ticket::TicketBody;

fn goals(h: &Home, id: &str) -> Vec<String> {
    h.plan(id).map_or_else(Vec::new, |p| {
        p["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["title"].as_str().unwrap().to_string())
            .collect()
    })
}

fn members(h: &Home, id: &str) -> Vec<(String, String, String)> {
    let list = h.json(&["member", "list", "--plan", id]);
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["peer"].as_str().unwrap().to_string(),
                m["name"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A plan made on `h` (a mentor, Dana); returns its id.
fn new_plan(h: &Home) -> String {
    h.json(&[
        "plan",
        "new",
        "Onboarding",
        "--mentor",
        "Dana",
        "--mentee",
        "Ana",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn invite(h: &Home, id: &str, args: &[&str]) -> String {
    let mut all = vec!["invite", "--plan", id];
    all.extend_from_slice(args);
    h.json(&all)["ticket"].as_str().unwrap().to_string()
}

#[test]
fn a_mentee_joins_links_a_second_device_and_three_devices_converge() {
    let (a, b, c) = (Home::new(), Home::new(), Home::new());
    let id = new_plan(&a);
    a.json(&["status"]);
    let ticket = invite(&a, &id, &["--role", "mentee", "--name", "Ana"]);

    let joined = b.json(&["join", &ticket, "--device", "home laptop"]);
    assert_eq!(joined["plan"], id.as_str());
    assert_eq!(joined["title"], "Onboarding");
    assert_eq!(joined["role"], "mentee");
    assert!(
        b.plan(&id).is_some(),
        "the plan arrived before join returned"
    );
    let b_peer = b.peer_id();
    assert!(members(&a, &id).contains(&(b_peer.clone(), "Ana".into(), "mentee".into())));

    // Ana links her lab workstation from her laptop: same name, same role.
    let link = b.json(&["device", "link", "--plan", &id])["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let joined = c.json(&["join", &link, "--device", "lab workstation"]);
    assert_eq!(joined["name"], "Ana");
    assert_eq!(joined["role"], "mentee");
    let c_peer = c.peer_id();
    eventually("A learns of C", || {
        members(&a, &id).iter().any(|m| m.0 == c_peer)
    });
    let devices = c.json(&["device", "list", "--plan", &id]);
    assert_eq!(devices.as_array().unwrap().len(), 2, "{devices}");

    // Concurrent edits on all three devices converge.
    a.json(&["goal", "add", "From the mentor", "--plan", &id]);
    b.json(&["goal", "add", "From the laptop", "--plan", &id]);
    c.json(&["goal", "add", "From the workstation", "--plan", &id]);
    eventually("all three agree", || {
        let pa = a.plan(&id);
        pa.is_some() && pa == b.plan(&id) && pa == c.plan(&id)
    });
    let mut titles = goals(&a, &id);
    titles.sort();
    assert_eq!(
        titles,
        vec!["From the laptop", "From the mentor", "From the workstation"]
    );
    // Membership changes are attributed in the log.
    let log = a.json(&["log", "--plan", &id]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().starts_with("member add")),
        "{log}"
    );
}

#[test]
fn every_bad_ticket_is_refused_with_its_own_reason_and_adds_no_member() {
    let (a, b, other) = (Home::new(), Home::new(), Home::new());
    let id = new_plan(&a);
    let second = a.json(&["plan", "new", "Another plan"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = members(&a, &id);
    let fails = |ticket: &str, code: i32, needle: &str| {
        let err = b.fails(&["join", ticket, "--timeout", "5s"], code);
        assert!(err.contains(needle), "expected '{needle}' in: {err}");
        assert_eq!(
            members(&a, &id),
            before,
            "a refused join changed the members"
        );
    };

    // A mistyped ticket: refused here, before anything is dialled.
    let good = invite(&a, &id, &[]);
    let mut flipped = good.clone().into_bytes();
    let at = flipped.len() / 2;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    fails(&String::from_utf8(flipped).unwrap(), 2, "checksum");

    // Revoked.
    let inv = a.json(&["invite", "--plan", &id]);
    let revoked = inv["ticket"].as_str().unwrap().to_string();
    a.json(&["invite", "revoke", inv["id"].as_str().unwrap()]);
    fails(&revoked, 5, "revoked");

    // Expired, by the inviter's clock (the joiner never judges expiry by its own).
    let short = invite(&a, &id, &["--expires", "1s"]);
    std::thread::sleep(Duration::from_millis(1500));
    fails(&short, 5, "expired");

    // A ticket re-made for another plan, with a valid checksum.
    let mut body = TicketBody::decode(&good).unwrap();
    body.plan = second.clone().into();
    fails(&body.encode(), 5, "is for plan");

    // The right secret, but naming another device as the inviter. At the
    // real inviter's address the connection itself fails: Noise proves the
    // device there is not the one the ticket names ...
    let mut body = TicketBody::decode(&good).unwrap();
    body.inviter = other.peer_id().into();
    fails(&body.encode(), 1, "unreachable");
    // ... and that device, reached at its own address, has no such
    // invitation (asked from a fresh device, which has not cached the bad address).
    body.addrs = vec![other.dial_addr().split("/p2p/").next().unwrap().to_string()];
    let fresh = Home::new();
    let err = fresh.fails(&["join", &body.encode(), "--timeout", "5s"], 5);
    assert!(err.contains("no invitation here"), "{err}");
    assert_eq!(members(&a, &id), before);

    // Used twice: the first join works, the second is refused.
    let once = invite(&a, &id, &["--uses", "1"]);
    b.json(&["join", &once]);
    let after_first = members(&a, &id);
    assert_eq!(after_first.len(), before.len() + 1);
    let err = other.fails(&["join", &once, "--timeout", "5s"], 5);
    assert!(err.contains("already used"), "{err}");
    assert_eq!(members(&a, &id), after_first);

    // The inviter lists them all, with what happened to each.
    let list = a.json(&["invite", "list", "--plan", &id]);
    let list = list.as_array().unwrap();
    assert!(list.iter().any(|i| i["revoked"] == true));
    assert!(list.iter().any(|i| i["used"] == 1 && i["uses"] == 1));
    assert!(
        list.iter().all(|i| i.get("ticket").is_none()),
        "tickets are not kept"
    );
}

#[test]
fn an_observer_reads_but_cannot_write() {
    let (a, o) = (Home::new(), Home::new());
    let id = new_plan(&a);
    let ticket = invite(&a, &id, &["--role", "observer", "--name", "Sam"]);
    o.json(&["join", &ticket]);
    a.json(&["goal", "add", "Seen by the supervisor", "--plan", &id]);
    eventually("the observer reads the mentor's edit", || {
        goals(&o, &id).contains(&"Seen by the supervisor".to_string())
    });
    let err = o.fails(&["goal", "add", "Sneaky", "--plan", &id], 5);
    assert!(err.contains("observer"), "{err}");
    assert!(!goals(&o, &id).contains(&"Sneaky".to_string()));
    // Nor may an observer invite anyone, or link a device of theirs: that
    // is refused up front, not with a ticket that cannot work.
    o.fails(&["invite", "--plan", &id, "--role", "mentee"], 5);
    let err = o.fails(&["device", "link", "--plan", &id], 5);
    assert!(err.contains("cannot link"), "{err}");
    assert!(
        o.json(&["invite", "list", "--plan", &id])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_member_removed_while_connected_gets_nothing_more_and_gives_nothing() {
    let (a, b) = (Home::new(), Home::new());
    let id = new_plan(&a);
    let ticket = invite(&a, &id, &["--name", "Ana"]);
    b.json(&["join", &ticket]);
    a.json(&["goal", "add", "Before the removal", "--plan", &id]);
    eventually("B has the goal", || {
        goals(&b, &id).contains(&"Before the removal".to_string())
    });

    a.json(&["member", "remove", &b.peer_id(), "--plan", &id]);
    eventually("B's copy says it was removed", || {
        !members(&b, &id).iter().any(|m| m.0 == b.peer_id())
    });
    let shown = b.run(&["plan", "show", &id]);
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains("was removed"),
        "{}",
        String::from_utf8_lossy(&shown.stdout)
    );
    // B may no longer write; and nothing A writes reaches it.
    b.fails(&["goal", "add", "After the removal", "--plan", &id], 5);
    a.json(&["goal", "add", "Mentor, after the removal", "--plan", &id]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!goals(&b, &id).contains(&"Mentor, after the removal".to_string()));
    assert!(
        goals(&b, &id).contains(&"Before the removal".to_string()),
        "it keeps its copy"
    );
    assert!(!goals(&a, &id).contains(&"After the removal".to_string()));
}

#[test]
fn an_untrusted_peer_is_listed_as_pending_and_learns_nothing() {
    let (a, stranger) = (Home::new(), Home::new());
    let id = new_plan(&a);
    a.json(&["goal", "add", "Private", "--plan", &id]);
    stranger.json(&["peer", "add", &a.dial_addr()]);
    let s_peer = stranger.peer_id();
    eventually("A lists the stranger as pending", || {
        a.json(&["peer", "list", "--pending"])
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["peer"] == s_peer.as_str() && p["member"] == false)
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        stranger
            .json(&["plan", "list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}
