//! Which objects of the plan view new changes touched: what a received
//! message or an imported bundle changed, to refresh the view cache and to
//! name the items in the `remote_change` event.
//!
//! Read from the changes' operations: each names the object it writes in
//! and the key, and Automerge gives that object's path up to the root by
//! looking up the operation that made each parent. Automerge's patches
//! told the same, but resolving a patch's path lists every object beside
//! the one asked for (every goal of the plan, for an edit of one goal) on
//! every message: a quarter of a receiving engine's time for a plan of
//! 2,500 goals (`perf`), and growing with the plan. An operation whose
//! effect another hides (a concurrent write that lost) still counts as a
//! touch: refreshing an item that did not change costs a read, nothing
//! else.

use automerge::legacy::{Key, ObjectId};
use automerge::{Automerge, ChangeHash, Prop, ReadDoc};

use tandem_proto::items::doc::Target;
use tandem_proto::items::{agreement, kind_of_key, member};

use super::layout::DEVICES;

/// The objects of the view that the changes made after `before` touch;
/// `None` when one replaces something wholesale (a collection, or an
/// object Automerge cannot place) and the view must be rebuilt.
///
/// Automerge's `parents` unwraps its own lookups; the changes come from a
/// peer, so a panic in it is caught and taken as "rebuild the view" (the
/// document is only read here: nothing is left half done).
pub(super) fn since(doc: &Automerge, before: &[ChangeHash]) -> Option<Vec<Target>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(doc, before))).unwrap_or(None)
}

fn read(doc: &Automerge, before: &[ChangeHash]) -> Option<Vec<Target>> {
    let mut out: Vec<Target> = Vec::new();
    for change in doc.get_changes(before) {
        for op in change.decode().operations {
            let path = path_of(doc, &op.obj)?;
            let key = match &op.key {
                Key::Map(k) => Some(k.to_string()),
                Key::Seq(_) => None,
            };
            if let Some(target) = target(&path, key)?
                && !out.contains(&target)
            {
                out.push(target);
            }
        }
    }
    Some(out)
}

/// The props from the root down to `obj` (empty for the root itself);
/// `None` when the object is not in the document.
fn path_of(doc: &Automerge, obj: &ObjectId) -> Option<Vec<Prop>> {
    let ObjectId::Id(_) = obj else {
        return Some(Vec::new());
    };
    let (id, _) = doc.import(&obj.to_string()).ok()?;
    let mut path: Vec<Prop> = doc.parents(&id).ok()?.map(|p| p.prop).collect();
    path.reverse();
    Some(path)
}

/// What a write at `path` under `key` (a map key; `None` in a list or text)
/// touches: `Some(None)` for nothing the view shows (the device table),
/// `None` when the view must be rebuilt.
fn target(path: &[Prop], key: Option<String>) -> Option<Option<Target>> {
    let map_key = |p: &Prop| match p {
        Prop::Map(k) => Some(k.clone()),
        Prop::Seq(_) => None,
    };
    let mut keys = path.iter().filter_map(map_key);
    let (top, second) = (keys.next(), keys.next());
    // A write in the collection itself is a write of one of its items,
    // named by its key.
    let second = second.or_else(|| (path.len() == 1).then_some(key.clone()).flatten());
    let top = top.or(key);
    Some(Some(match top.as_deref() {
        None | Some(DEVICES) => return Some(None),
        Some(agreement::KEY) => Target::Agreement,
        Some(member::KEY) => Target::Member(second.unwrap_or_default().into()),
        Some(k) => match kind_of_key(k) {
            Some(kind) => Target::Item(kind, second?.into()),
            None => Target::Plan,
        },
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::Prop;
    use tandem_proto::items::ItemKind;
    use tandem_proto::items::doc::Target;

    use super::target;

    fn map(k: &str) -> Prop {
        Prop::Map(k.into())
    }

    #[test]
    fn a_write_is_placed_by_its_path_and_key() {
        let goal = |id: &str| Some(Some(Target::Item(ItemKind::Goal, id.into())));
        // A plan field, a goal added (a key of the goals map), a goal's
        // field, a character of a goal's text.
        assert_eq!(target(&[], Some("title".into())), Some(Some(Target::Plan)));
        assert_eq!(target(&[map("goals")], Some("g1".into())), goal("g1"));
        assert_eq!(
            target(&[map("goals"), map("g1")], Some("title".into())),
            goal("g1")
        );
        assert_eq!(
            target(&[map("goals"), map("g1"), map("description")], None),
            goal("g1")
        );
        assert_eq!(
            target(&[map("members")], Some("12D3Koo".into())),
            Some(Some(Target::Member("12D3Koo".into())))
        );
        assert_eq!(
            target(&[map("agreement")], Some("cadence".into())),
            Some(Some(Target::Agreement))
        );
        // The device table is not in the view; a whole collection replaced is.
        assert_eq!(target(&[map(super::DEVICES)], Some("x".into())), Some(None));
        assert_eq!(target(&[], Some("goals".into())), None);
    }
}
