//! Undo on documents: what it restores, what it refuses, and that it
//! syncs like any change.

use super::tests::{device, new_plan, now};
use super::*;
use tandem_proto::ErrorCode;
use tandem_proto::api::Item;
use tandem_proto::edit::*;
use tandem_proto::model::*;

fn ids() -> impl FnMut() -> String {
    let mut n = 0u64;
    move || {
        n += 1;
        format!("{n:016x}")
    }
}

fn apply(d: &mut PlanDoc, e: Edit, dev: u8, next: &mut dyn FnMut() -> String) -> Item {
    d.apply(&e, &device(dev), now(), next).unwrap().item
}

fn add_action(d: &mut PlanDoc, title: &str, next: &mut dyn FnMut() -> String) -> String {
    add_action_by(d, 1, title, next)
}

fn add_action_by(
    d: &mut PlanDoc,
    dev: u8,
    title: &str,
    next: &mut dyn FnMut() -> String,
) -> String {
    let item = apply(
        d,
        Edit::Action(ActionOp::Add(NewAction {
            title: title.into(),
            owner: Owner::Mentee,
            due: None,
            goal: None,
            meeting: None,
            notes: "Each morning calibrate the analyzer.".into(),
        })),
        dev,
        next,
    );
    match item {
        Item::Action(a) => a.id.to_string(),
        other => panic!("{other:?}"),
    }
}

fn add_goal(d: &mut PlanDoc, title: &str, next: &mut dyn FnMut() -> String) -> String {
    let item = apply(
        d,
        Edit::Goal(GoalOp::Add(NewGoal {
            title: title.into(),
            description: String::new(),
            category: GoalCategory::Certification,
            status: GoalStatus::Active,
            target_date: None,
            success_criteria: String::new(),
            created_by: String::new(),
        })),
        1,
        next,
    );
    match item {
        Item::Goal(g) => g.id.to_string(),
        other => panic!("{other:?}"),
    }
}

fn edit_action(id: &str, patch: ActionPatch) -> Edit {
    Edit::Action(ActionOp::Edit {
        action: id.into(),
        patch,
    })
}

#[test]
fn undo_puts_back_what_an_edit_changed_and_names_it_in_the_log() {
    let mut d = new_plan();
    let mut next = ids();
    let id = add_action(&mut d, "Call the vendor", &mut next);
    let before = d.view().actions[0].clone();
    apply(
        &mut d,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Roche".into()),
                due: Some(Some(jiff::civil::date(2027, 1, 4))),
                notes: Some("Each morning calibrate the new analyzer.".into()),
                ..Default::default()
            },
        ),
        1,
        &mut next,
    );
    let (edited, undone) = d.undo(&device(1), now(), None).unwrap();
    assert!(
        undone.message.starts_with("action edit: Call Roche"),
        "{undone:?}"
    );
    assert!(edited.change.is_some());
    let after = d.view().actions[0].clone();
    assert_eq!(
        (&after.title, after.due, &after.notes),
        (&before.title, before.due, &before.notes)
    );
    let log = d.log(1);
    assert_eq!(
        log[0].message,
        format!("undo {}: action edit: Call Roche", &undone.hash[..8])
    );
    // The next undo reverts the add: the action is gone.
    let (edited, _) = d.undo(&device(1), now(), None).unwrap();
    assert!(
        matches!(edited.item, Item::Removed { .. }),
        "{:?}",
        edited.item
    );
    assert!(d.view().actions.is_empty());
}

#[test]
fn a_removed_item_comes_back_whole_with_its_id() {
    let mut d = new_plan();
    let mut next = ids();
    let note = match apply(
        &mut d,
        Edit::Note(NoteOp::Add(NewNote {
            author: String::new(),
            body: "Learn the analyzer.\nThen the QC log.".into(),
            tags: vec!["qc".into(), "week1".into()],
        })),
        1,
        &mut next,
    ) {
        Item::Note(n) => n,
        other => panic!("{other:?}"),
    };
    // The author defaults to the member's name, not the OS user.
    assert_eq!(note.author, "Dana");
    apply(
        &mut d,
        Edit::Note(NoteOp::Rm {
            note: note.id.to_string(),
        }),
        1,
        &mut next,
    );
    assert!(d.view().notes.is_empty());
    d.undo(&device(1), now(), None).unwrap();
    assert_eq!(d.view().notes, vec![note]);
}

#[test]
fn list_elements_added_or_removed_are_put_back() {
    let mut d = new_plan();
    let mut next = ids();
    let goal = add_goal(&mut d, "MLS", &mut next);
    for t in ["Read", "Practice"] {
        apply(
            &mut d,
            Edit::Milestone(MilestoneOp::Add {
                goal: goal.clone(),
                title: t.into(),
            }),
            1,
            &mut next,
        );
    }
    let two = d.view().goals[0].milestones.clone();
    apply(
        &mut d,
        Edit::Milestone(MilestoneOp::Rm {
            goal: goal.clone(),
            position: 1,
        }),
        1,
        &mut next,
    );
    d.undo(&device(1), now(), None).unwrap();
    let back = d.view().goals[0].milestones.clone();
    assert_eq!(
        back.iter().map(|m| (&m.id, &m.title)).collect::<Vec<_>>(),
        two.iter().map(|m| (&m.id, &m.title)).collect::<Vec<_>>()
    );
    // Undo is itself undone by nothing: the next undo reverts "Practice".
    d.undo(&device(1), now(), None).unwrap();
    let titles: Vec<String> = d.view().goals[0]
        .milestones
        .iter()
        .map(|m| m.title.clone())
        .collect();
    assert_eq!(titles, vec!["Read"]);
}

#[test]
fn undo_refuses_to_overwrite_a_later_edit_of_the_same_field() {
    let mut a = new_plan();
    let mut next = ids();
    let id = add_action(&mut a, "Call the vendor", &mut next);
    apply(
        &mut a,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Roche".into()),
                ..Default::default()
            },
        ),
        1,
        &mut next,
    );
    let mut b = a.fork(device(2).actor);
    apply(
        &mut b,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Beckman".into()),
                ..Default::default()
            },
        ),
        2,
        &mut next,
    );
    a.merge(&mut b).unwrap();
    let heads = a.doc.get_heads();
    let e = a.undo(&device(1), now(), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.message.contains("its title changed again since"), "{e}");
    assert_eq!(a.doc.get_heads(), heads, "nothing written");
    // Another field changed since is no obstacle.
    let mut c = new_plan();
    let id = add_action(&mut c, "Call the vendor", &mut next);
    apply(
        &mut c,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Roche".into()),
                ..Default::default()
            },
        ),
        1,
        &mut next,
    );
    let mut d = c.fork(device(2).actor);
    apply(
        &mut d,
        edit_action(
            &id,
            ActionPatch {
                due: Some(Some(jiff::civil::date(2027, 2, 1))),
                ..Default::default()
            },
        ),
        2,
        &mut next,
    );
    c.merge(&mut d).unwrap();
    c.undo(&device(1), now(), None).unwrap();
    let a = &c.view().actions[0];
    assert_eq!(
        (a.title.as_str(), a.due),
        ("Call the vendor", Some(jiff::civil::date(2027, 2, 1)))
    );
}

#[test]
fn someone_elses_change_is_refused_by_name_and_never_listed() {
    let mut a = new_plan();
    let mut next = ids();
    apply(
        &mut a,
        Edit::Member(MemberOp::Add(NewMember {
            peer: super::tests::peer(2).into(),
            name: "Ana".into(),
            role: Role::Mentee,
            device: "laptop".into(),
        })),
        1,
        &mut next,
    );
    let mut b = a.fork(device(2).actor);
    add_action_by(&mut b, 2, "Read the SOP", &mut next);
    a.merge(&mut b).unwrap();
    let theirs = a.log(1)[0].hash.clone();
    let e = a.undo(&device(1), now(), Some(&theirs[..10])).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(
        e.message.contains("was made by Ana (mentee, laptop)"),
        "{}",
        e.message
    );
    // Dana's own list holds only her changes; the newest is the member add,
    // which undo refuses (membership has its own commands).
    let mine = a.undoable(&device(1), 10);
    assert!(mine.iter().all(|u| u.hash != theirs));
    assert!(mine[0].message.starts_with("member add"));
    let e = a.undo(&device(1), now(), None).unwrap_err();
    assert!(e.message.contains("tandem member"), "{}", e.message);
}

#[test]
fn an_undo_syncs_like_any_change() {
    let mut a = new_plan();
    let mut next = ids();
    let id = add_action(&mut a, "Call the vendor", &mut next);
    let mut b = a.fork(device(2).actor);
    apply(
        &mut a,
        edit_action(
            &id,
            ActionPatch {
                owner: Some(Owner::Mentor),
                ..Default::default()
            },
        ),
        1,
        &mut next,
    );
    a.undo(&device(1), now(), None).unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(b.view().actions[0].owner, Owner::Mentee);
    assert!(b.log(1)[0].message.starts_with("undo "));
}

#[test]
fn an_add_is_not_undone_once_someone_changed_the_item() {
    let mut a = new_plan();
    let mut next = ids();
    let id = add_action(&mut a, "Call the vendor", &mut next);
    let mut b = a.fork(device(2).actor);
    apply(
        &mut b,
        edit_action(
            &id,
            ActionPatch {
                notes: Some("Asked for a quote.".into()),
                ..Default::default()
            },
        ),
        2,
        &mut next,
    );
    a.merge(&mut b).unwrap();
    let e = a.undo(&device(1), now(), None).unwrap_err();
    assert!(
        e.message.contains("it changed again since"),
        "{}",
        e.message
    );
    assert_eq!(a.view().actions.len(), 1);
}

#[test]
fn an_add_whose_title_another_device_changed_is_not_undone() {
    let mut a = new_plan();
    let mut next = ids();
    let id = add_action(&mut a, "Call the vendor", &mut next);
    apply(
        &mut a,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Roche".into()),
                ..Default::default()
            },
        ),
        1,
        &mut next,
    );
    a.undo(&device(1), now(), None).unwrap();
    let mut b = a.fork(device(2).actor);
    apply(
        &mut b,
        edit_action(
            &id,
            ActionPatch {
                title: Some("Call Beckman".into()),
                ..Default::default()
            },
        ),
        2,
        &mut next,
    );
    a.merge(&mut b).unwrap();
    let e = a.undo(&device(1), now(), None).unwrap_err();
    assert!(
        e.message.contains("it changed again since"),
        "{}",
        e.message
    );
}

#[test]
fn a_goal_add_whose_title_another_device_changed_is_not_undone() {
    let mut a = new_plan();
    let mut next = ids();
    let goal = add_goal(&mut a, "MLS", &mut next);
    let title = |t: &str| {
        Edit::Goal(GoalOp::Edit {
            goal: goal.clone(),
            patch: GoalPatch {
                title: Some(t.into()),
                ..Default::default()
            },
        })
    };
    apply(&mut a, title("MLT"), 1, &mut next);
    a.undo(&device(1), now(), None).unwrap();
    let mut b = a.fork(device(2).actor);
    apply(&mut b, title("ASCP"), 2, &mut next);
    a.merge(&mut b).unwrap();
    let e = a.undo(&device(1), now(), None).unwrap_err();
    assert!(
        e.message.contains("it changed again since"),
        "{}",
        e.message
    );
}
