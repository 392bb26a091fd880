//! The sync core against peers that do not play by the rules: strangers
//! flooding it with plan offers, offers that never finish or grow without
//! bound, a plan offered by someone we share nothing with, and a device
//! removed while it was away.

use automerge::sync::State;
use tandem_proto::edit::*;
use tandem_proto::peer::PeerMessage;

use super::harness::{Net, PLAN};
use super::{goal, has_goal};
use crate::doc::PlanDoc;
use crate::doc::tests::peer;
use crate::sync::{Limits, Output};

/// A small valid sync message, as an empty document would send it.
fn hello() -> Vec<u8> {
    PlanDoc::empty(automerge::ActorId::random())
        .generate_sync(&mut State::new())
        .unwrap()
}

fn offer(net: &mut Net, at: usize, from: &str, plan: &str) -> Vec<Output> {
    let now = net.now;
    let node = &mut net.nodes[at];
    node.core.message(
        now,
        from,
        PeerMessage::Sync {
            plan: plan.into(),
            data: hello(),
        },
        &mut node.host,
    )
}

#[test]
fn a_flood_of_plan_offers_from_strangers_holds_a_few_and_answers_none() {
    let limits = Limits::default();
    let mut net = Net::new(2, 40);
    net.create(0, &[0, 1]); // node 1 is a member device of node 0
    let eve = peer(66);
    let mut answered = 0;
    for i in 0..2000u64 {
        let out = offer(&mut net, 0, &eve, &format!("{:016x}", 0xe000_0000 + i));
        answered += out
            .iter()
            .filter(|o| matches!(o, Output::Send { .. }))
            .count();
    }
    assert_eq!(net.nodes[0].core.pending_plans(), limits.stranger_per_peer);
    // Each accepted offer is answered (its sync exchange); the rest get nothing.
    assert!(
        answered <= limits.stranger_per_peer,
        "{answered} answers to a flood"
    );
    // Many fresh identities: the strangers' total holds.
    for s in 0..50u8 {
        for i in 0..20u64 {
            offer(
                &mut net,
                0,
                &peer(100 + s),
                &format!("{:016x}", 0xf000_0000 + u64::from(s) * 100 + i),
            );
        }
    }
    assert_eq!(net.nodes[0].core.pending_plans(), limits.stranger_total);
    assert!(net.nodes[0].host.plans.len() <= limits.stranger_total + 1);
    // A member device still gets a new plan through.
    let member = net.nodes[1].host.me.clone();
    offer(&mut net, 0, &member, "00000000000000b2");
    assert_eq!(net.nodes[0].core.pending_plans(), limits.stranger_total + 1);
    // None of it lasts: unfinished offers are dropped after their time.
    net.now += limits.ttl_ms;
    let now = net.now;
    let node = &mut net.nodes[0];
    node.core.tick(now, &mut node.host);
    assert_eq!(node.core.pending_plans(), 0);
    assert_eq!(node.host.plans.len(), 1, "only the real plan is held");
}

#[test]
fn an_offer_that_grows_past_its_bound_is_dropped() {
    let mut net = Net::new(1, 41);
    let limits = Limits {
        bytes_per_plan: 100,
        ..Limits::default()
    };
    net.nodes[0].core = crate::sync::SyncCore::with_limits(limits);
    let eve = peer(66);
    offer(&mut net, 0, &eve, "00000000000000c3");
    assert_eq!(net.nodes[0].core.pending_plans(), 1);
    let now = net.now;
    let node = &mut net.nodes[0];
    let out = node.core.message(
        now,
        &eve,
        PeerMessage::Sync {
            plan: "00000000000000c3".into(),
            data: vec![0; 200],
        },
        &mut node.host,
    );
    assert_eq!(node.core.pending_plans(), 0);
    assert!(node.host.plans.is_empty());
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Refused { reason, .. } if reason.contains("over")))
    );
}

#[test]
fn a_plan_from_a_device_we_share_nothing_with_waits_for_consent() {
    let mut net = Net::new(2, 42);
    net.nodes[1].host.consent = false;
    net.create(0, &[0, 1]);
    net.edit(0, goal("URGENT: re-verify your competency"));
    net.connect(0, 1);
    net.settle();
    assert_eq!(net.view(1), None, "not stored as a plan");
    let offers = &net.nodes[1].host.offers;
    assert_eq!(offers.len(), 1);
    assert_eq!(
        (offers[0].0.as_str(), offers[0].1.as_str()),
        (PLAN, net.nodes[0].host.me.as_str())
    );
    let doc = PlanDoc::load(None, [offers[0].2.as_slice()], automerge::ActorId::random()).unwrap();
    assert!(
        doc.view().goals[0].title.starts_with("URGENT"),
        "the whole plan is kept for the user"
    );
    assert!(
        net.sent
            .iter()
            .any(|(f, t, m)| *f == 1 && *t == 0 && matches!(m, PeerMessage::Unavailable { .. })),
        "the sender is told to stop"
    );
}

#[test]
fn a_device_removed_while_away_learns_of_it_and_nothing_after() {
    let mut net = Net::new(2, 43);
    net.create(0, &[0, 1]);
    net.connect(0, 1);
    net.edit(0, goal("before"));
    net.settle();
    net.disconnect(0, 1);
    let gone = net.nodes[1].host.me.clone();
    assert!(net.edit(
        0,
        Edit::Member(MemberOp::Rm {
            peer: gone.clone(),
            compromised: None
        })
    ));
    net.edit(0, goal("secret after the removal"));
    // Offline, the removed device wrote something too.
    net.edit(1, goal("written while away"));
    net.connect(0, 1);
    net.settle();
    let copy = &net.nodes[1].host.plans[PLAN];
    assert!(!copy.is_member(&gone), "its copy says it was removed");
    assert!(has_goal(&net, 1, "before"));
    assert!(
        !has_goal(&net, 1, "secret after the removal"),
        "nothing made after the removal"
    );
    assert!(
        !has_goal(&net, 0, "written while away"),
        "its own changes are not taken"
    );
    // What it stored says so too, after a restart.
    assert!(!net.reload(1).is_member(&gone));
    // It asks no more: reconnecting exchanges only the last message again, at most.
    let before = net.sent.len();
    net.disconnect(0, 1);
    net.connect(0, 1);
    net.settle();
    assert!(net.sent.len() - before <= 2, "{:?}", &net.sent[before..]);
}
