//! Hostile peers on the LAN: strangers (devices that share no plan with the
//! daemon) flooding connections, offering plans, advertising addresses,
//! asking to join with wrong secrets and sending garbage, and devices that
//! stop being members. Each test drives a real daemon with the stranger
//! client in `tandem_e2e::hostile`.

use std::time::Duration;

use libp2p::Multiaddr;
use tandem_e2e::hostile::{Outcome, Stranger, offers, peer_of, runtime};
use tandem_e2e::{Home, eventually};

fn addr_of(h: &Home) -> Multiaddr {
    h.dial_addr().parse().unwrap()
}

/// Connected peers the daemon counts as strangers (not member devices).
fn strangers_connected(h: &Home) -> usize {
    h.json(&["status"])["peers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["connected"] == true && p["member"] == false && p["manual"] == false)
        .count()
}

fn log_lines(h: &Home, needle: &str) -> usize {
    std::fs::read_to_string(h.path().join("tandemd.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

#[test]
fn hundreds_of_strangers_cannot_crowd_out_a_member_device() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Crowded", &b);
    a.json(&["goal", "add", "before the crowd", "--plan", &id]);
    let addr = addr_of(&a);
    let rt = runtime();
    let crowd = rt.spawn({
        let addr = addr.clone();
        async move {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..300 {
                let addr = addr.clone();
                tasks.spawn(async move {
                    let mut s = Stranger::new(None);
                    if s.connect(&addr, Duration::from_secs(15)).await {
                        s.hold(Duration::from_secs(25)).await
                    } else {
                        Outcome::Refused
                    }
                });
            }
            let mut out = Vec::new();
            while let Some(r) = tasks.join_next().await {
                out.push(r.unwrap());
            }
            out
        }
    });
    // While the crowd is at the door, the member device comes in and syncs.
    // All strangers come from 127.0.0.1: at most 4 of them are let in at once.
    let mut most = 0;
    std::thread::sleep(Duration::from_secs(2));
    most = most.max(strangers_connected(&a));
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("the member device receives the plan", || {
        most = most.max(strangers_connected(&a));
        b.plan(&id).is_some()
    });
    b.json(&[
        "goal",
        "add",
        "from the member, in the crowd",
        "--plan",
        &id,
    ]);
    eventually("the member's edit reaches the daemon", || {
        most = most.max(strangers_connected(&a));
        a.plan(&id).unwrap()["goals"].as_array().unwrap().len() == 2
    });
    assert!(
        most <= 4,
        "{most} strangers from one address were connected at once"
    );
    let outcomes = rt.block_on(crowd).unwrap();
    let refused = outcomes
        .iter()
        .filter(|o| {
            matches!(o, Outcome::Refused)
                || matches!(o, Outcome::ClosedAfter(d) if *d < Duration::from_secs(1))
        })
        .count();
    let stayed = outcomes.iter().filter(|o| **o == Outcome::Open).count();
    eprintln!(
        "crowd of 300: {refused} refused at once, at most {most} in at a time, {stayed} still open after 25 s"
    );
    assert!(
        refused > 100,
        "only {refused} of 300 strangers were turned away"
    );
    assert_eq!(stayed, 0, "idle strangers' connections are closed");
}

#[test]
fn a_strangers_connection_that_asks_for_nothing_is_closed_soon() {
    let a = Home::new();
    a.json(&["plan", "new", "Quiet"]);
    let addr = addr_of(&a);
    let rt = runtime();
    let (outcome, stranger) = rt.block_on(async {
        let mut s = Stranger::new(None);
        assert!(s.connect(&addr, Duration::from_secs(10)).await);
        (s.hold(Duration::from_secs(25)).await, s.peer)
    });
    // Nothing of it is kept once it is gone.
    eventually("the stranger is forgotten", || {
        a.peer_info(&stranger.to_string()).is_none()
    });
    match outcome {
        Outcome::ClosedAfter(d) => assert!(
            d >= Duration::from_secs(8) && d <= Duration::from_secs(16),
            "closed after {d:?}"
        ),
        other => panic!("the idle stranger's connection was not closed: {other:?}"),
    }
}

#[test]
fn a_strangers_advertised_address_is_never_stored_or_dialed() {
    let a = Home::new();
    a.json(&["plan", "new", "Careful"]);
    // Where the stranger claims to listen: a plain socket that records any dial.
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let fake: Multiaddr = format!("/ip4/127.0.0.1/tcp/{}", trap.local_addr().unwrap().port())
        .parse()
        .unwrap();
    let addr = addr_of(&a);
    let rt = runtime();
    let stranger = rt.block_on(async {
        let mut s = Stranger::new(Some(fake.clone()));
        assert!(s.connect(&addr, Duration::from_secs(10)).await);
        s.hold(Duration::from_secs(3)).await; // identify is exchanged
        s.peer
    });
    assert!(a.run(&["daemon", "stop"]).status.success());
    {
        let db = redb::Database::create(a.path().join("tandem.redb")).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let book = txn.open_table(tandem_daemon::store::tables::PEERS).unwrap();
        assert!(
            redb::ReadableTable::get(&book, stranger.to_string().as_str())
                .unwrap()
                .is_none(),
            "the stranger's address went into the address book"
        );
    }
    let _d = a.start_daemon();
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        trap.accept().is_err(),
        "the daemon dialed the address a stranger advertised"
    );
}

#[test]
fn a_flood_of_plan_offers_and_garbage_is_held_bounded_and_logged_briefly() {
    let a = Home::new();
    a.json(&["plan", "new", "Mine"]);
    let addr = addr_of(&a);
    let daemon = peer_of(&addr);
    let rt = runtime();
    let (eve, answered) = rt.block_on(async {
        let mut s = Stranger::new(None);
        assert!(s.connect(&addr, Duration::from_secs(10)).await);
        let mut msgs = offers(0x7000_0000_0000_0000, 20_000);
        // Garbage too: undecodable sync messages and malformed plan ids.
        for i in 0..500u32 {
            msgs.push(tandem_proto::peer::PeerMessage::Sync {
                plan: format!("{:016x}", 0x6000_0000_0000_0000u64 + u64::from(i)).into(),
                data: i.to_be_bytes().repeat(20),
            });
            msgs.push(tandem_proto::peer::PeerMessage::Reset {
                plan: format!("not an id {i}").into(),
            });
        }
        let answered = s.send(daemon, msgs, 1000, Duration::from_secs(60)).await;
        (s.peer, answered)
    });
    assert!(answered > 0, "the daemon took the stranger's envelopes");
    // It kept serving, holds no plan of the stranger's, and logged little.
    assert_eq!(a.json(&["plan", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(a.json(&["plan", "pending"]), serde_json::json!([]));
    let lines = log_lines(&a, &eve.to_string());
    assert!(
        lines <= 10,
        "{lines} log lines about one stranger's 21,000 messages"
    );
}

#[test]
fn failed_joins_are_limited_per_address_not_only_per_identity() {
    let a = Home::new();
    let plan = a.json(&["plan", "new", "Guarded"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let addr = addr_of(&a);
    let daemon = peer_of(&addr);
    let rt = runtime();
    let replies = rt.block_on(async {
        let mut out = Vec::new();
        // A new identity (and connection) for every try, all from 127.0.0.1.
        for _ in 0..24 {
            let mut s = Stranger::new(None);
            assert!(s.connect(&addr, Duration::from_secs(10)).await);
            out.push(s.bad_join(daemon, &plan).await);
        }
        out
    });
    let message = |r: &Option<tandem_proto::peer::JoinReply>| match r {
        Some(tandem_proto::peer::JoinReply::Refused { message, .. }) => message.clone(),
        other => panic!("{other:?}"),
    };
    for r in &replies[..20] {
        assert!(message(r).contains("no invitation here"), "{}", message(r));
    }
    for r in &replies[20..] {
        assert!(
            message(r).contains("too many failed attempts from this network address"),
            "{}",
            message(r)
        );
    }
}

#[test]
fn a_device_removed_while_offline_learns_it_on_its_next_connection() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Rotation", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the plan", || b.plan(&id).is_some());
    assert!(b.run(&["daemon", "stop"]).status.success());

    a.json(&["member", "remove", &b.peer_id(), "--plan", &id]);
    a.json(&["goal", "add", "made after B was removed", "--plan", &id]);
    // B comes back and dials A from its address book.
    b.json(&["status"]);
    eventually("B learns it was removed", || {
        b.plan(&id).is_some_and(|p| {
            !p["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["peer"] == b.peer_id().as_str())
        })
    });
    let shown = String::from_utf8(b.run(&["plan", "show", &id]).stdout).unwrap();
    assert!(shown.contains("not a member of this plan"), "{shown}");
    let err = b.fails(&["goal", "add", "still writing", "--plan", &id], 5);
    assert!(err.contains("not a member"), "{err}");
    let goals = b.plan(&id).unwrap()["goals"].as_array().unwrap().clone();
    assert!(
        goals
            .iter()
            .all(|g| g["title"] != "made after B was removed"),
        "B got a change made after its removal"
    );
}

#[test]
fn a_device_that_is_a_member_of_no_plan_here_is_not_redialed() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.share_new_plan("Short", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the plan", || b.plan(&id).is_some());
    eventually("A has B in its address book", || {
        a.peer_info(&b.peer_id())
            .is_some_and(|p| p["connected"] == true)
    });
    a.json(&["member", "remove", &b.peer_id(), "--plan", &id]);
    assert!(a.run(&["daemon", "stop"]).status.success());
    {
        let db = redb::Database::create(a.path().join("tandem.redb")).unwrap();
        let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
        let book = txn.open_table(tandem_daemon::store::tables::PEERS).unwrap();
        assert!(
            redb::ReadableTable::get(&book, b.peer_id().as_str())
                .unwrap()
                .is_none(),
            "a device that is a member of no plan here stayed in the address book"
        );
    }
}
