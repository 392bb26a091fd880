//! Conflict marking on documents: fields two devices changed at the same
//! time are marked with who changed them, until edited again or resolved.

use super::tests::{device, new_plan, now, peer};
use super::*;
use tandem_proto::api::Item;
use tandem_proto::edit::*;
use tandem_proto::items::ItemKind;
use tandem_proto::model::*;

/// Fresh ids from `start` on (the daemon's are random; each source here
/// starts elsewhere, so no two edits make the same id).
fn ids_from(start: u64) -> impl FnMut() -> String {
    let mut n = start;
    move || {
        n += 1;
        format!("{n:016x}")
    }
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0u64;
    move || {
        n += 1;
        format!("{n:016x}")
    }
}

fn goal_edit(id: &str, patch: GoalPatch) -> Edit {
    Edit::Goal(GoalOp::Edit {
        goal: id.into(),
        patch,
    })
}

/// A plan Dana (device 1) shares with Ana (device 2), with one goal, and
/// Ana's copy of it.
fn two_copies() -> (PlanDoc, PlanDoc, String) {
    let mut a = new_plan();
    let mut next = ids_from(1 << 32);
    a.apply(
        &Edit::Member(MemberOp::Add(NewMember {
            peer: peer(2).into(),
            name: "Ana".into(),
            role: Role::Mentee,
            device: "laptop".into(),
        })),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    let item = a
        .apply(
            &Edit::Goal(GoalOp::Add(NewGoal {
                title: "Learn the analyzer".into(),
                description: "Learn the analyzer. Record results in the QC log.".into(),
                category: GoalCategory::Skill,
                status: GoalStatus::Active,
                target_date: None,
                success_criteria: String::new(),
                created_by: String::new(),
            })),
            &device(1),
            now(),
            &mut next,
        )
        .unwrap()
        .item;
    let Item::Goal(g) = item else { panic!() };
    let b = a.fork(device(2).actor);
    (a, b, g.id.to_string())
}

#[test]
fn concurrent_changes_of_one_field_are_marked_with_both_names() {
    let (mut a, mut b, g) = two_copies();
    let mut next = ids();
    let title = |t: &str| GoalPatch {
        title: Some(t.into()),
        ..Default::default()
    };
    a.apply(
        &goal_edit(&g, title("Learn the Roche analyzer")),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    b.apply(
        &goal_edit(&g, title("Learn the Beckman analyzer")),
        &device(2),
        now(),
        &mut next,
    )
    .unwrap();
    // Edits of different fields are no conflict.
    b.apply(
        &goal_edit(
            &g,
            GoalPatch {
                status: Some(GoalStatus::Proposed),
                ..Default::default()
            },
        ),
        &device(2),
        now(),
        &mut next,
    )
    .unwrap();
    let _ = a.plan(); // a warm cache must be brought up to date by the merge
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for d in [&a, &b] {
        let c = d.plan().conflicts;
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(
            (c[0].kind, c[0].item.as_str(), c[0].field.as_str()),
            (ItemKind::Goal, g.as_str(), "title")
        );
        assert_eq!(
            c[0].by,
            vec!["Ana (laptop)".to_string(), "Dana (lab)".to_string()]
        );
        assert_eq!(
            c[0].describe(),
            "title edited at the same time by Ana (laptop) and Dana (lab)"
        );
    }
    // Editing the field again, having seen both, clears the mark.
    a.apply(
        &goal_edit(&g, title("Learn both analyzers")),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    assert!(a.plan().conflicts.is_empty());
}

#[test]
fn concurrent_text_edits_are_marked_and_resolve_keeps_the_text() {
    let (mut a, mut b, g) = two_copies();
    let mut next = ids();
    let desc = |t: &str| GoalPatch {
        description: Some(t.into()),
        ..Default::default()
    };
    a.apply(
        &goal_edit(
            &g,
            desc("Learn the Roche analyzer. Record results in the QC log."),
        ),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    b.apply(
        &goal_edit(&g, desc("Learn the analyzer.")),
        &device(2),
        now(),
        &mut next,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let merged = a.plan().goals[0].description.clone();
    let c = a.plan().conflicts;
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].field, "description");
    let heads = a.automerge().get_heads();
    let (edited, fields) = a.resolve(&g[..6], &device(1), now()).unwrap();
    assert_eq!(fields, c);
    assert!(edited.change.is_some());
    assert!(a.automerge().get_heads() != heads);
    assert!(a.plan().conflicts.is_empty());
    assert_eq!(
        a.plan().goals[0].description,
        merged,
        "resolve keeps what is shown"
    );
    // B learns it too.
    b.merge(&mut a).unwrap();
    assert!(b.plan().conflicts.is_empty());
    let e = a.resolve(&g, &device(1), now()).unwrap_err();
    assert!(e.message.contains("nothing to resolve"), "{e}");
}

#[test]
fn edits_one_after_the_other_are_never_marked() {
    let (mut a, mut b, g) = two_copies();
    let mut next = ids();
    a.apply(
        &goal_edit(
            &g,
            GoalPatch {
                title: Some("One".into()),
                description: Some("First".into()),
                ..Default::default()
            },
        ),
        &device(1),
        now(),
        &mut next,
    )
    .unwrap();
    b.merge(&mut a).unwrap();
    b.apply(
        &goal_edit(
            &g,
            GoalPatch {
                title: Some("Two".into()),
                description: Some("Second".into()),
                ..Default::default()
            },
        ),
        &device(2),
        now(),
        &mut next,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    assert!(a.plan().conflicts.is_empty(), "{:?}", a.plan().conflicts);
}
