//! Sync core tests on the in-memory network, and a proptest that every
//! member converges and nothing is lost.

mod harness;
mod hostile;

use std::collections::BTreeSet;

use automerge::ActorId;
use proptest::prelude::*;
use tandem_proto::edit::*;
use tandem_proto::model::{GoalCategory, GoalStatus, Owner};
use tandem_proto::peer::PeerMessage;

use crate::doc::PlanDoc;
use crate::sync::SyncCore;
use harness::{Net, PLAN};

fn goal(title: &str) -> Edit {
    Edit::Goal(GoalOp::Add(NewGoal {
        title: title.into(),
        description: "base text here".into(),
        category: GoalCategory::Skill,
        status: GoalStatus::Active,
        target_date: None,
        success_criteria: String::new(),
        created_by: String::new(),
    }))
}

fn first_goal(net: &Net, at: usize) -> String {
    net.nodes[at].host.plans[PLAN].plan().goals[0]
        .id
        .to_string()
}

#[test]
fn a_member_receives_the_plan_with_every_field() {
    let mut net = Net::new(2, 1);
    net.create(0, &[0, 1]);
    net.edit(0, goal("Pass the MLS exam"));
    net.connect(0, 1);
    net.settle();
    assert!(net.same(0, 1), "peers 0 and 1 differ");
    assert!(net.view(1).unwrap().contains("Pass the MLS exam"));
    // What the receiver stored loads to the same plan.
    assert!(
        Some(serde_json::to_string(&net.reload(1).plan()).unwrap()) == net.view(1),
        "stored differs"
    );
}

#[test]
fn a_plans_first_arrival_is_applied_and_refuses_nobody() {
    let mut net = Net::new(2, 1);
    net.create(0, &[0, 1]);
    net.edit(0, goal("Pass the MLS exam"));
    net.connect(0, 1);
    net.settle();
    assert!(net.same(0, 1));
    // The sender is a writer in the plan it sends: its first message was
    // once judged against the empty copy it arrives into, and refused.
    assert!(net.refused.is_empty(), "refused: {:?}", net.reasons);
}

#[test]
fn concurrent_offline_edits_on_one_goal_all_survive() {
    let mut net = Net::new(2, 2);
    net.create(0, &[0, 1]);
    net.edit(0, goal("G"));
    let add = |t: &str| {
        Edit::Action(ActionOp::Add(NewAction {
            title: t.into(),
            owner: Owner::Both,
            due: None,
            goal: None,
            meeting: None,
            notes: String::new(),
        }))
    };
    net.edit(0, add("to be removed"));
    net.connect(0, 1);
    net.settle();
    net.disconnect(0, 1);
    let g = first_goal(&net, 0);
    let removed = net.nodes[1].host.plans[PLAN].plan().actions[0].id.clone();
    let patch = |p: GoalPatch| {
        Edit::Goal(GoalOp::Edit {
            goal: g.clone(),
            patch: p,
        })
    };
    net.edit(
        0,
        patch(GoalPatch {
            title: Some("New title".into()),
            ..Default::default()
        }),
    );
    net.edit(
        0,
        patch(GoalPatch {
            description: Some("START base text here".into()),
            ..Default::default()
        }),
    );
    net.edit(
        1,
        patch(GoalPatch {
            status: Some(GoalStatus::Done),
            ..Default::default()
        }),
    );
    net.edit(
        1,
        patch(GoalPatch {
            description: Some("base text here END".into()),
            ..Default::default()
        }),
    );
    net.edit(0, add("added on A"));
    net.edit(
        1,
        Edit::Action(ActionOp::Rm {
            action: removed.to_string(),
        }),
    );
    net.connect(0, 1);
    net.settle();
    assert!(net.same(0, 1), "peers 0 and 1 differ");
    let p = net.nodes[0].host.plans[PLAN].plan();
    let goal = &p.goals[0];
    assert_eq!(
        (goal.title.as_str(), goal.status),
        ("New title", GoalStatus::Done)
    );
    assert_eq!(goal.description, "START base text here END");
    let titles: Vec<&str> = p.actions.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, vec!["added on A"]);
}

#[test]
fn edits_spread_transitively_through_a_middle_device() {
    // 0: mentor laptop, 1: lab workstation, 2: mentee. 0 and 2 never meet.
    let mut net = Net::new(3, 3);
    net.create(1, &[1, 0, 2]);
    net.connect(0, 1);
    net.settle();
    net.edit(0, goal("from the laptop"));
    net.settle();
    net.disconnect(0, 1);
    net.connect(1, 2);
    net.settle();
    assert!(net.view(2).unwrap().contains("from the laptop"));
    assert!(net.same(1, 2), "peers 1 and 2 differ");
}

#[test]
fn a_non_member_gets_nothing_whatever_it_sends() {
    let mut net = Net::new(3, 4);
    net.create(0, &[0, 1]);
    net.edit(0, goal("secret"));
    net.connect(0, 2);
    net.settle();
    // Node 2 asks for the plan outright, with a sync message of an empty document.
    let mut state = automerge::sync::State::new();
    let data = PlanDoc::empty(ActorId::random())
        .generate_sync(&mut state)
        .unwrap();
    net.queue.push_back((
        2,
        0,
        PeerMessage::Sync {
            plan: PLAN.into(),
            data,
        },
    ));
    net.settle();
    assert!(
        net.nodes[2].host.plans.is_empty(),
        "a non-member holds the plan"
    );
    for (from, to, m) in &net.sent {
        if (*from, *to) == (0, 2) {
            assert!(
                matches!(m, PeerMessage::Unavailable { .. }),
                "sent {m:?} to a non-member"
            );
        }
    }
    assert!(net.refused.contains(&(0, PLAN.to_string())));
}

#[test]
fn a_forged_plan_that_does_not_list_us_is_forgotten() {
    let mut net = Net::new(2, 5);
    // Node 0 makes a plan that lists only itself, then pushes it at node 1.
    net.create(0, &[0]);
    net.connect(0, 1);
    let mut state = automerge::sync::State::new();
    let data = net.nodes[0].host.plans[PLAN]
        .generate_sync(&mut state)
        .unwrap();
    net.queue.push_back((
        0,
        1,
        PeerMessage::Sync {
            plan: PLAN.into(),
            data,
        },
    ));
    net.settle();
    assert!(net.nodes[1].host.plans.is_empty());
    assert!(net.nodes[1].host.stored.is_empty());
}

#[test]
fn a_malformed_message_resets_one_session_and_changes_nothing() {
    let mut net = Net::new(2, 6);
    net.create(0, &[0, 1]);
    net.connect(0, 1);
    net.settle();
    let before = net.view(1);
    net.queue.push_back((
        0,
        1,
        PeerMessage::Sync {
            plan: PLAN.into(),
            data: b"\x42garbage".to_vec(),
        },
    ));
    net.settle();
    assert!(
        net.view(1) == before,
        "a malformed message changed the plan"
    );
    assert!(net.refused.contains(&(1, PLAN.to_string())));
    // The pair still syncs afterwards.
    net.edit(0, goal("after the garbage"));
    net.settle();
    assert!(net.same(0, 1), "peers 0 and 1 differ");
}

#[test]
fn lost_messages_do_not_leave_a_pair_stuck() {
    let mut net = Net::new(2, 7);
    net.create(0, &[0, 1]);
    net.connect(0, 1);
    net.drop_rate = 1.0;
    net.edit(0, goal("while the network eats everything"));
    for _ in 0..20 {
        net.step();
    }
    net.drop_rate = 0.0;
    net.settle();
    assert!(net.same(0, 1), "peers 0 and 1 differ");
}

#[test]
fn a_reconnect_with_nothing_new_sends_little() {
    let mut net = Net::new(2, 8);
    net.create(0, &[0, 1]);
    for i in 0..200 {
        net.edit(0, goal(&format!("goal {i}")));
    }
    net.connect(0, 1);
    net.settle();
    let first = net.bytes_sent();
    net.disconnect(0, 1);
    // Both "restart": fresh cores, plans reloaded from what they stored.
    for i in 0..2 {
        let doc = net.reload(i);
        net.nodes[i].host.plans.insert(PLAN.into(), doc);
        net.nodes[i].core = SyncCore::new();
    }
    net.sent.clear();
    net.connect(0, 1);
    net.settle();
    let again = net.bytes_sent();
    assert!(
        again * 10 <= first,
        "reconnect sent {again} bytes after a first sync of {first}"
    );
    assert!(again < 1024, "reconnect sent {again} bytes");
    assert!(net.same(0, 1), "peers 0 and 1 differ");
}

/// A step of the random schedule.
#[derive(Debug, Clone)]
enum Step {
    AddGoal(usize),
    Describe(usize, usize, String),
    Milestone(usize, usize),
    Connect(usize, usize),
    Disconnect(usize, usize),
    Deliver(usize),
    Tick,
}

fn step(n: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..n).prop_map(Step::AddGoal),
        (0..n, any::<usize>(), "[a-z ]{0,10}").prop_map(|(a, g, t)| Step::Describe(a, g, t)),
        (0..n, any::<usize>()).prop_map(|(a, g)| Step::Milestone(a, g)),
        (0..n, 0..n).prop_map(|(a, b)| Step::Connect(a, b)),
        (0..n, 0..n).prop_map(|(a, b)| Step::Disconnect(a, b)),
        (1..30usize).prop_map(Step::Deliver),
        Just(Step::Tick),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Three or four peers, random edits on all sides, random partitions,
    /// drops and reorders; after healing, every peer holds the same plan,
    /// no goal added anywhere is lost, and each peer's store reloads to
    /// exactly its in-memory plan.
    #[test]
    fn every_member_converges_and_nothing_is_lost(
        n in 3usize..5,
        seed in any::<u64>(),
        drop_rate in 0.0f64..0.3,
        steps in prop::collection::vec(step(4), 1..80),
    ) {
        let mut net = Net::new(n, seed);
        let everyone: Vec<usize> = (0..n).collect();
        net.create(0, &everyone);
        net.drop_rate = drop_rate;
        let mut added = BTreeSet::new();
        for s in steps {
            match s {
                Step::AddGoal(a) if a < n => {
                    let title = format!("g{}", added.len());
                    if net.edit(a, goal(&title)) {
                        added.insert(title);
                    }
                }
                Step::Describe(a, g, t) if a < n => {
                    let ids: Vec<String> = net.goal_ids(a).into_iter().collect();
                    if !ids.is_empty() {
                        let patch = GoalPatch { description: Some(t), ..Default::default() };
                        net.edit(a, Edit::Goal(GoalOp::Edit { goal: ids[g % ids.len()].clone(), patch }));
                    }
                }
                Step::Milestone(a, g) if a < n => {
                    let ids: Vec<String> = net.goal_ids(a).into_iter().collect();
                    if !ids.is_empty() {
                        net.edit(a, Edit::Milestone(MilestoneOp::Add { goal: ids[g % ids.len()].clone(), title: format!("m{a}") }));
                    }
                }
                Step::Connect(a, b) if a < n && b < n => net.connect(a, b),
                Step::Disconnect(a, b) if a < n && b < n => net.disconnect(a, b),
                Step::Deliver(k) => {
                    for _ in 0..k {
                        net.step();
                    }
                }
                Step::Tick => net.tick(),
                _ => {}
            }
        }
        // Heal: a chain 0-1-2-..., so convergence also needs relaying.
        net.drop_rate = 0.0;
        for i in 0..n {
            for j in 0..n {
                net.disconnect(i, j);
            }
        }
        for i in 1..n {
            net.connect(i - 1, i);
        }
        net.settle();
        let first = net.view(0);
        prop_assert!(first.is_some());
        for i in 1..n {
            prop_assert!(net.view(i) == first, "peer {} differs", i);
        }
        let titles: BTreeSet<String> =
            net.nodes[0].host.plans[PLAN].plan().goals.into_iter().map(|g| g.title).collect();
        for t in &added {
            prop_assert!(titles.contains(t), "goal {} was lost", t);
        }
        for i in 0..n {
            let stored = serde_json::to_string(&net.reload(i).plan()).unwrap();
            prop_assert!(Some(stored) == net.view(i), "peer {} stored something else than it holds", i);
        }
    }
}

#[test]
fn a_message_about_a_malformed_plan_id_is_refused_without_an_answer() {
    let mut net = Net::new(2, 9);
    net.create(0, &[0, 1]);
    net.connect(0, 1);
    net.settle();
    let sent_before = net.sent.len();
    net.queue.push_back((
        0,
        1,
        PeerMessage::Sync {
            plan: "x".repeat(10_000).into(),
            data: vec![1, 2, 3],
        },
    ));
    net.settle();
    assert_eq!(net.sent.len(), sent_before, "answered a malformed plan id");
    assert_eq!(net.nodes[1].host.plans.len(), 1);
    assert!(
        net.reasons
            .iter()
            .any(|r| r.starts_with("malformed plan id"))
    );
}

fn has_goal(net: &Net, at: usize, title: &str) -> bool {
    net.nodes[at].host.plans[PLAN]
        .plan()
        .goals
        .iter()
        .any(|g| g.title == title)
}

#[test]
fn an_observers_forged_write_is_applied_and_relayed_by_no_member() {
    use tandem_proto::model::Role;
    // 0: mentor, 1: observer (a modified client that writes anyway), 2: mentee.
    let mut net = Net::new(3, 11);
    net.create(0, &[0, 2]);
    net.add_member(0, 1, Role::Observer);
    net.connect(0, 1);
    net.connect(1, 2);
    net.connect(0, 2);
    net.settle();
    assert!(net.view(1).is_some(), "the observer reads the plan");

    assert!(net.edit(1, goal("forged by the observer")));
    net.settle();
    for member in [0, 2] {
        assert!(!has_goal(&net, member, "forged by the observer"));
    }
    assert!(
        net.reasons.iter().any(|r| r.contains("not a writer")),
        "{:?}",
        net.reasons
    );
    // Writers' edits still reach the observer, and the writers agree.
    net.edit(2, goal("from the mentee"));
    net.settle();
    assert!(has_goal(&net, 1, "from the mentee"));
    assert!(has_goal(&net, 0, "from the mentee"));
    assert!(net.same(0, 2));
}

#[test]
fn a_removed_member_gets_nothing_later_and_its_later_edits_are_not_applied() {
    use tandem_proto::edit::*;
    // 0: mentor, 1: mentee device to be removed, 2: another mentee device.
    let mut net = Net::new(3, 12);
    net.create(0, &[0, 1, 2]);
    net.connect(0, 1);
    net.connect(1, 2);
    net.connect(0, 2);
    net.edit(0, goal("before the removal"));
    net.settle();
    assert!(has_goal(&net, 1, "before the removal"));

    let removed = net.nodes[1].host.me.clone();
    assert!(net.edit(
        0,
        Edit::Member(MemberOp::Rm {
            peer: removed.clone(),
            compromised: None,
        })
    ));
    net.settle();
    // Its copy learned of its removal, and it keeps what it had.
    let copy = &net.nodes[1].host.plans[PLAN];
    assert!(
        !copy.is_member(&removed),
        "the removed device's copy says so"
    );
    assert!(has_goal(&net, 1, "before the removal"));

    net.edit(1, goal("written after the removal"));
    net.edit(0, goal("mentor, after the removal"));
    net.edit(2, goal("mentee, after the removal"));
    net.settle();
    for member in [0, 2] {
        assert!(!has_goal(&net, member, "written after the removal"));
    }
    assert!(!has_goal(&net, 1, "mentor, after the removal"));
    assert!(!has_goal(&net, 1, "mentee, after the removal"));
    assert!(net.same(0, 2));
    // Reconnecting changes nothing.
    net.disconnect(0, 1);
    net.disconnect(1, 2);
    net.connect(0, 1);
    net.connect(1, 2);
    net.settle();
    assert!(!has_goal(&net, 1, "mentor, after the removal"));
    assert!(!has_goal(&net, 0, "written after the removal"));
}
