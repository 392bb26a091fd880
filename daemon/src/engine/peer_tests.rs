//! Two real engines (redb stores, the sync core as driven in production)
//! wired back to back: what one puts in its outbox the other receives.

use std::path::Path;

use automerge::ActorId;
use tandem_proto::api::*;
use tandem_proto::edit::*;
use tandem_proto::model::{GoalCategory, GoalStatus, Role};
use tandem_proto::peer::PeerMessage;

use super::{Engine, Info, NetEvent};
use crate::doc::Device;
use crate::doc::tests::peer;
use crate::store::Store;

fn engine(path: &Path, n: u8) -> Engine {
    let device = Device {
        actor: ActorId::from(vec![n; 16]),
        user: format!("u{n}"),
        host: "h".into(),
        peer: peer(n),
    };
    let info = Info {
        home: "/h".into(),
        socket: "/s".into(),
        started_at: jiff::Timestamp::UNIX_EPOCH,
        ui: None,
    };
    Engine::new(
        Store::open(path).unwrap(),
        device,
        info,
        rand::SeedableRng::seed_from_u64(u64::from(n)),
    )
}

/// The time these tests run at, in milliseconds.
const T0_MS: u64 = 1_800_000_000_000;

fn t0() -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(T0_MS as i64).unwrap()
}

fn call(e: &mut Engine, req: Request) -> Response {
    let mut out = None;
    e.process(t0(), vec![((), crate::server::route::ask(req))], |_, r| {
        out = Some(r)
    });
    out.unwrap()
}

fn edit(e: &mut Engine, plan: &str, edit: Edit) {
    let r = call(
        e,
        Request::Edit(PlanEdit {
            plan: Some(plan.into()),
            edit,
        }),
    );
    assert!(matches!(r, Response::Edited(_)), "{r:?}");
}

fn plan_json(e: &mut Engine, plan: &str) -> Option<String> {
    match call(
        e,
        Request::PlanGet(PlanGet {
            plan: Some(plan.into()),
        }),
    ) {
        Response::Plan(p) => Some(serde_json::to_string(&p).unwrap()),
        _ => None,
    }
}

fn goal(title: &str) -> Edit {
    Edit::Goal(GoalOp::Add(NewGoal {
        title: title.into(),
        description: "shared text".into(),
        category: GoalCategory::Skill,
        status: GoalStatus::Active,
        target_date: None,
        success_criteria: String::new(),
        created_by: String::new(),
    }))
}

/// Delivers outboxes back and forth until both are empty; returns the sync bytes moved.
fn pump(a: &mut Engine, b: &mut Engine) -> usize {
    let (pa, pb) = (peer(1), peer(2));
    let mut bytes = 0;
    for _ in 0..1000 {
        let (out_a, out_b) = (a.take_outbox(), b.take_outbox());
        if out_a.is_empty() && out_b.is_empty() {
            return bytes;
        }
        for (to, msg) in out_a {
            assert_eq!(to, pb);
            bytes += size(&msg);
            b.net(T0_MS + 1, NetEvent::Message(pa.clone(), msg));
        }
        for (to, msg) in out_b {
            assert_eq!(to, pa);
            bytes += size(&msg);
            a.net(T0_MS + 1, NetEvent::Message(pb.clone(), msg));
        }
    }
    panic!("engines do not settle");
}

fn size(m: &PeerMessage) -> usize {
    match m {
        PeerMessage::Sync { data, .. } => data.len(),
        _ => 0,
    }
}

fn connect(a: &mut Engine, b: &mut Engine) {
    a.net(T0_MS + 1, NetEvent::Connected(peer(2)));
    b.net(T0_MS + 1, NetEvent::Connected(peer(1)));
}

fn disconnect(a: &mut Engine, b: &mut Engine) {
    a.net(T0_MS + 1, NetEvent::Disconnected(peer(2)));
    b.net(T0_MS + 1, NetEvent::Disconnected(peer(1)));
    a.take_outbox();
    b.take_outbox();
}

#[test]
fn a_member_engine_receives_stores_and_keeps_syncing_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a"), dir.path().join("b"));
    let mut a = engine(&pa, 1);
    let mut b = engine(&pb, 2);
    let plan = shared_plan(&mut a);
    // B consents as a join does: the plan is stored when it arrives.
    b.expect_plan(t0(), &plan, Some(&peer(1))).unwrap();
    edit(&mut a, &plan, goal("Pass the MLS exam"));
    for i in 0..100 {
        edit(&mut a, &plan, goal(&format!("goal {i}")));
    }

    connect(&mut a, &mut b);
    let first = pump(&mut a, &mut b);
    assert!(first > 0);
    assert_eq!(plan_json(&mut a, &plan), plan_json(&mut b, &plan));

    // Live edits on both sides flow at once, without reconnecting.
    edit(&mut b, &plan, goal("Added by the mentee"));
    pump(&mut a, &mut b);
    edit(&mut a, &plan, goal("Added by the mentor"));
    pump(&mut a, &mut b);
    assert_eq!(plan_json(&mut a, &plan), plan_json(&mut b, &plan));
    assert!(
        plan_json(&mut a, &plan)
            .unwrap()
            .contains("Added by the mentee")
    );

    // Offline edits of one goal on both sides merge.
    disconnect(&mut a, &mut b);
    let Response::Plan(p) = call(
        &mut a,
        Request::PlanGet(PlanGet {
            plan: Some(plan.clone()),
        }),
    ) else {
        panic!()
    };
    let g = p.goals[0].id.clone();
    edit(
        &mut a,
        &plan,
        Edit::Goal(GoalOp::Edit {
            goal: g.to_string(),
            patch: GoalPatch {
                title: Some("Renamed".into()),
                ..Default::default()
            },
        }),
    );
    edit(
        &mut b,
        &plan,
        Edit::Goal(GoalOp::Edit {
            goal: g.to_string(),
            patch: GoalPatch {
                status: Some(GoalStatus::Done),
                ..Default::default()
            },
        }),
    );
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    let merged = plan_json(&mut a, &plan).unwrap();
    assert_eq!(Some(merged.clone()), plan_json(&mut b, &plan));
    assert!(merged.contains("\"title\":\"Renamed\"") && merged.contains("\"status\":\"done\""));

    // Both restart from their stores: the plan is there, and a reconnect with
    // nothing new moves few bytes thanks to the persisted sync states.
    disconnect(&mut a, &mut b);
    drop((a, b));
    let mut a = engine(&pa, 1);
    let mut b = engine(&pb, 2);
    assert_eq!(plan_json(&mut a, &plan), Some(merged.clone()));
    assert_eq!(plan_json(&mut b, &plan), Some(merged));
    connect(&mut a, &mut b);
    let again = pump(&mut a, &mut b);
    assert!(
        again * 10 <= first && again < 1024,
        "reconnect moved {again} bytes; the first sync moved {first}"
    );
}

#[test]
fn a_non_member_engine_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let mut b = engine(&dir.path().join("b"), 2);
    let Response::Plan(p) = call(
        &mut a,
        Request::PlanNew(NewPlan {
            title: "Private".into(),
            mentor: String::new(),
            mentee: String::new(),
            ..Default::default()
        }),
    ) else {
        panic!()
    };
    edit(&mut a, &p.id, goal("secret"));
    connect(&mut a, &mut b);
    // B asks for the plan by id anyway.
    let mut state = automerge::sync::State::new();
    let data = crate::doc::PlanDoc::empty(ActorId::random())
        .generate_sync(&mut state)
        .unwrap();
    a.net(
        T0_MS + 1,
        NetEvent::Message(
            peer(2),
            PeerMessage::Sync {
                plan: p.id.clone(),
                data,
            },
        ),
    );
    let out = a.take_outbox();
    assert_eq!(
        out,
        vec![(peer(2), PeerMessage::Unavailable { plan: p.id.clone() })]
    );
    assert!(plan_json(&mut b, &p.id).is_none());
}

/// A plan on `a` shared with `b`'s device; returns its id.
fn shared_plan(a: &mut Engine) -> String {
    let Response::Plan(p) = call(
        a,
        Request::PlanNew(NewPlan {
            title: "Shared".into(),
            mentor: "M".into(),
            mentee: "E".into(),
            ..Default::default()
        }),
    ) else {
        panic!()
    };
    edit(
        a,
        &p.id,
        Edit::Member(MemberOp::Add(NewMember {
            peer: peer(2).into(),
            name: "Ana".into(),
            role: Role::Mentee,
            device: String::new(),
        })),
    );
    p.id.to_string()
}

#[test]
fn sync_states_wait_for_a_transaction_a_tick_or_a_disconnect() {
    let dir = tempfile::tempdir().unwrap();
    let pa = dir.path().join("a");
    let mut a = engine(&pa, 1);
    let mut b = engine(&dir.path().join("b"), 2);
    let plan = shared_plan(&mut a);
    b.expect_plan(t0(), &plan, Some(&peer(1))).unwrap();
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);

    // A pushes an edit; B stores it (its state rides along) and answers;
    // A's newer state for B waits in memory instead of costing an fsync.
    edit(&mut a, &plan, goal("pushed"));
    pump(&mut a, &mut b);
    let key = (peer(2), plan.clone());
    let waiting = a.unsaved_states.get(&key).cloned();
    assert!(waiting.is_some());
    assert_ne!(a.store.sync_state(&peer(2), &plan).unwrap(), waiting);
    a.net(T0_MS + 2, NetEvent::Tick);
    assert_eq!(a.store.sync_state(&peer(2), &plan).unwrap(), waiting);
    assert!(a.unsaved_states.is_empty());

    edit(&mut a, &plan, goal("pushed again"));
    pump(&mut a, &mut b);
    assert!(!a.unsaved_states.is_empty());
    disconnect(&mut a, &mut b);
    assert!(a.unsaved_states.is_empty(), "a disconnect writes them");

    // A crash before a flush loses only the newest state: still converges.
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    edit(&mut a, &plan, goal("before the crash"));
    pump(&mut a, &mut b);
    assert!(!a.unsaved_states.is_empty());
    drop(a); // no flush, as with kill -9
    let mut a = engine(&pa, 1);
    b.net(T0_MS + 1, NetEvent::Disconnected(peer(1)));
    b.take_outbox();
    edit(&mut b, &plan, goal("after the crash"));
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    let merged = plan_json(&mut a, &plan).unwrap();
    assert_eq!(Some(merged.clone()), plan_json(&mut b, &plan));
    assert!(merged.contains("before the crash") && merged.contains("after the crash"));
}

#[test]
fn joins_are_checked_counted_and_rate_limited() {
    use tandem_proto::api::NewInvite;
    use tandem_proto::peer::{JoinRefusal, JoinReply, JoinRequest};
    use tandem_proto::ticket::TicketBody;
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let plan = shared_plan(&mut a);
    let Response::Invite(info) = call(
        &mut a,
        Request::InviteNew(NewInvite {
            plan: Some(plan.clone()),
            role: Role::Observer,
            name: "Sam".into(),
            expires_in: 3600,
            uses: 1,
            link: false,
            addrs: vec!["/ip4/127.0.0.1/tcp/1".into()],
        }),
    ) else {
        panic!()
    };
    let ticket = TicketBody::decode(info.ticket.as_deref().unwrap()).unwrap();
    let request = |secret: Vec<u8>| JoinRequest {
        plan: plan.clone().into(),
        inviter: peer(1).into(),
        secret,
        name: "ignored: the invitation names Sam".into(),
        device: "desk".into(),
        now_ms: None,
    };
    let from = |n: u8| crate::engine::join_limit::JoinFrom {
        peer: peer(n),
        connection: None,
        ip: None,
    };
    let good = ticket.secret_bytes().unwrap();
    let members = |a: &mut Engine| {
        let Response::Plan(p) = call(
            a,
            Request::PlanGet(PlanGet {
                plan: Some(plan.clone()),
            }),
        ) else {
            panic!()
        };
        p.members.clone()
    };
    let before = members(&mut a).len();

    // Five wrong secrets from device 3, then even the right one is turned away.
    for _ in 0..5 {
        let r = a.join(T0_MS + 10, &from(3), &request(vec![0; 16]));
        assert!(
            matches!(
                r,
                JoinReply::Refused {
                    reason: JoinRefusal::Unknown,
                    ..
                }
            ),
            "{r:?}"
        );
    }
    let r = a.join(T0_MS + 20, &from(3), &request(good.clone()));
    assert!(
        matches!(
            r,
            JoinReply::Refused {
                reason: JoinRefusal::RateLimited,
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(members(&mut a).len(), before, "no partial member");
    // Ten minutes later it may try again.
    let later = T0_MS + 20 + 10 * 60 * 1000;
    let r = a.join(later, &from(3), &request(good.clone()));
    assert!(
        matches!(&r, JoinReply::Joined { name, role: Role::Observer, .. } if name == "Sam"),
        "{r:?}"
    );
    let now = members(&mut a);
    assert_eq!(now.len(), before + 1);
    assert!(now.iter().any(|m| m.peer == peer(3) && m.device == "desk"));
    // Its answer lost, device 3 asks again with the same ticket: it is told
    // it is in, and nothing is counted twice.
    let again = a.join(later, &from(3), &request(good.clone()));
    assert!(
        matches!(&again, JoinReply::Joined { name, role: Role::Observer, .. } if name == "Sam"),
        "{again:?}"
    );
    assert_eq!(members(&mut a).len(), before + 1);
    // Used up for the next device; the store says so too.
    let r = a.join(later, &from(4), &request(good));
    assert!(
        matches!(
            r,
            JoinReply::Refused {
                reason: JoinRefusal::UsedUp,
                ..
            }
        ),
        "{r:?}"
    );
    let Response::Invites(list) = call(&mut a, Request::InviteList(InviteList { plan: None }))
    else {
        panic!()
    };
    assert_eq!((list[0].used, list[0].uses), (1, 1));
    // The secret is stored only as a hash.
    let stored = a.store.invites().unwrap();
    assert_eq!(
        stored[0].secret_hash,
        tandem_proto::ticket::secret_hash(&ticket.secret_bytes().unwrap())
    );
    assert!(
        !serde_json::to_string(&stored)
            .unwrap()
            .contains(&ticket.secret)
    );
}

fn pending(e: &mut Engine) -> Vec<tandem_proto::api::PlanOffer> {
    match call(e, Request::PlanPending) {
        Response::Offers(list) => list,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plan_from_a_stranger_waits_for_consent_and_can_be_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let mut b = engine(&dir.path().join("b"), 2);
    let plan = shared_plan(&mut a);
    edit(&mut a, &plan, goal("URGENT: re-verify your competency"));
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    assert_eq!(plan_json(&mut b, &plan), None, "not stored as a plan");
    let list = pending(&mut b);
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].plan.as_str(),
            list[0].from.as_str(),
            list[0].from_name.as_str()
        ),
        (plan.as_str(), peer(1).as_str(), "M")
    );
    assert_eq!(
        (list[0].from_role, list[0].my_role),
        (Role::Mentor, Role::Mentee)
    );
    // Offered again while it waits: not received twice.
    disconnect(&mut a, &mut b);
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    assert_eq!(pending(&mut b).len(), 1);

    let r = call(
        &mut b,
        Request::PlanAccept(PlanAccept {
            plan: plan[..6].into(),
        }),
    );
    assert!(matches!(r, Response::Plan(_)), "{r:?}");
    assert!(pending(&mut b).is_empty());
    // Accepted: it syncs like any shared plan, both ways.
    pump(&mut a, &mut b);
    edit(&mut a, &plan, goal("after consent"));
    pump(&mut a, &mut b);
    edit(&mut b, &plan, goal("from the mentee"));
    pump(&mut a, &mut b);
    assert_eq!(plan_json(&mut a, &plan), plan_json(&mut b, &plan));
    assert!(plan_json(&mut b, &plan).unwrap().contains("after consent"));
}

#[test]
fn a_declined_plan_is_forgotten_and_refused_from_then_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let mut b = engine(&dir.path().join("b"), 2);
    let plan = shared_plan(&mut a);
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    assert_eq!(pending(&mut b).len(), 1);
    let r = call(
        &mut b,
        Request::PlanDecline(PlanDecline { plan: plan.clone() }),
    );
    assert!(
        matches!(&r, Response::Declined(Declined { plan: p, .. }) if *p == plan),
        "{r:?}"
    );
    assert!(pending(&mut b).is_empty());
    assert!(
        b.store.offer_bytes(&plan).unwrap().is_none(),
        "its bytes are gone"
    );
    // Offered again: refused at once, nothing received or kept.
    disconnect(&mut a, &mut b);
    edit(&mut a, &plan, goal("more"));
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    assert!(pending(&mut b).is_empty());
    assert_eq!(plan_json(&mut b, &plan), None);
    // Declined by mistake: accepting it by its whole id takes that back,
    // and the next offer is stored.
    let r = call(
        &mut b,
        Request::PlanAccept(PlanAccept {
            plan: plan[..4].into(),
        }),
    );
    assert!(
        matches!(&r, Response::Error(e) if e.code == tandem_proto::ErrorCode::NotFound),
        "{r:?}"
    );
    let r = call(
        &mut b,
        Request::PlanAccept(PlanAccept { plan: plan.clone() }),
    );
    assert!(matches!(&r, Response::AcceptedAhead { .. }), "{r:?}");
    disconnect(&mut a, &mut b);
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    assert_eq!(plan_json(&mut a, &plan), plan_json(&mut b, &plan));
}

#[test]
fn a_joiner_with_a_wrong_clock_is_told_so_and_expiry_is_the_inviters_to_judge() {
    use tandem_proto::api::NewInvite;
    use tandem_proto::peer::{JoinRefusal, JoinReply, JoinRequest};
    use tandem_proto::ticket::TicketBody;
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let plan = shared_plan(&mut a);
    let Response::Invite(info) = call(
        &mut a,
        Request::InviteNew(NewInvite {
            plan: Some(plan.clone()),
            role: Role::Mentee,
            name: "Ana".into(),
            expires_in: 3600,
            uses: 2,
            link: false,
            addrs: vec!["/ip4/127.0.0.1/tcp/1".into()],
        }),
    ) else {
        panic!()
    };
    let secret = TicketBody::decode(info.ticket.as_deref().unwrap())
        .unwrap()
        .secret_bytes()
        .unwrap();
    let now = T0_MS + 100;
    let day = 24 * 3600 * 1000;
    let request = |joiner_now: u64| JoinRequest {
        plan: plan.clone().into(),
        inviter: peer(1).into(),
        secret: secret.clone(),
        name: "Ana".into(),
        device: "laptop".into(),
        now_ms: Some(joiner_now),
    };
    let from = |n: u8| crate::engine::join_limit::JoinFrom {
        peer: peer(n),
        ..Default::default()
    };
    // The joiner's clock is 3 days ahead; the invitation is valid by the
    // inviter's clock, so it is honoured, and the inviter's clock comes back.
    let r = a.join(now, &from(2), &request(now + 3 * day));
    let JoinReply::Joined { now_ms, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(now_ms, Some(now));
    assert_eq!(
        crate::engine::invites::skew_words(now + 3 * day, now).as_deref(),
        Some("3 days ahead of")
    );
    // Really expired (by the inviter's clock), asked by a device whose clock
    // is off: the refusal says both.
    let later = now + 2 * 3600 * 1000;
    let r = a.join(later, &from(3), &request(later - 7 * 60 * 1000));
    let JoinReply::Refused {
        reason: JoinRefusal::Expired,
        message,
        now_ms,
    } = r
    else {
        panic!("{r:?}")
    };
    assert!(message.contains("by the inviter's clock"), "{message}");
    assert!(message.contains("7 minutes behind"), "{message}");
    assert_eq!(now_ms, Some(later));
    assert_eq!(
        crate::engine::invites::skew_words(later + 60_000, later),
        None,
        "a minute is fine"
    );
}

#[test]
fn the_address_book_keeps_member_devices_and_peers_added_by_hand_only() {
    use crate::store::rows::PeerRow;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a");
    let mut a = engine(&path, 1);
    let plan = shared_plan(&mut a); // peer(2) is a member
    let row = |manual| PeerRow::new("/ip4/127.0.0.1/tcp/9", manual);
    a.store.set_peer(&peer(2), Some(&row(false))).unwrap();
    a.store.set_peer(&peer(3), Some(&row(false))).unwrap(); // a stranger, from an older build
    a.store.set_peer(&peer(4), Some(&row(true))).unwrap(); // added by hand
    // A restart: the engine thread publishes whom to trust first.
    drop(a);
    let mut a = engine(&path, 1);
    let trust = a.trust();
    a.publish_trust();
    let kept: Vec<String> = a
        .store
        .peers()
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(
        kept.contains(&peer(2)) && kept.contains(&peer(4)),
        "{kept:?}"
    );
    assert!(!kept.contains(&peer(3)), "a stranger's entry stayed");
    assert!(trust.borrow().members.contains(&peer(2)));
    // Removed from its only plan: dropped, and no longer trusted.
    let r = call(
        &mut a,
        Request::Edit(PlanEdit {
            plan: Some(plan),
            edit: Edit::Member(MemberOp::Rm {
                peer: peer(2),
                compromised: None,
            }),
        }),
    );
    assert!(matches!(r, Response::Edited(_)), "{r:?}");
    let kept: Vec<String> = a
        .store
        .peers()
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(kept, vec![peer(4)]);
    assert!(!trust.borrow().members.contains(&peer(2)));
}

#[test]
fn the_inbox_holds_a_few_plans_per_device_and_refuses_the_rest() {
    use super::inbox::MAX_OFFERS_PER_PEER;
    let dir = tempfile::tempdir().unwrap();
    let mut a = engine(&dir.path().join("a"), 1);
    let mut b = engine(&dir.path().join("b"), 2);
    let plans: Vec<String> = (0..MAX_OFFERS_PER_PEER + 3)
        .map(|_| shared_plan(&mut a))
        .collect();
    connect(&mut a, &mut b);
    pump(&mut a, &mut b);
    // The stranger's offers are received two at a time; the sessions the
    // bounds turned away try again after their reset.
    for round in 1..=10u64 {
        let now = T0_MS + round * 6_000;
        a.net(now, NetEvent::Tick);
        b.net(now, NetEvent::Tick);
        pump(&mut a, &mut b);
    }
    let waiting = pending(&mut b);
    assert_eq!(
        waiting.len(),
        MAX_OFFERS_PER_PEER,
        "{} offers kept",
        waiting.len()
    );
    for p in &plans {
        assert_eq!(plan_json(&mut b, p), None, "an offer is not a plan");
    }
}
