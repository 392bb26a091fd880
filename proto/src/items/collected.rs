//! What the generic code knows of every kind kept in a keyed map at the
//! document's root ([`Collected`]), and that code, written once for them
//! all: checking an import, reading a plan, importing one, refreshing a
//! cached view after an edit or a merge, removing an item. Each function
//! runs over the registry's `with_collected!` list.

use std::collections::BTreeSet;

use jiff::Timestamp;

#[cfg(feature = "doc")]
use super::conflict;
#[cfg(feature = "doc")]
use super::doc;
use super::fields::{ValidationError, bad};
use super::plan::Plan;
use super::{Item, ItemKind, agreement, member, plan};
use crate::export::ImportError;
use crate::ids::{ItemId, PeerId};

/// A kind of item kept in a keyed map at the document's root: everything
/// the generic code (reading a plan, importing, checking an import,
/// refreshing a cached view) needs to know of it.
pub trait Collected: Clone + Sized {
    /// Its kind.
    const KIND: ItemKind;
    /// Its map under the document's root, e.g. `goals`.
    const KEY: &'static str;
    /// Whether plans made by earlier builds may lack the map (they get it
    /// on first use; new plans have it from the start).
    const ADDED_LATER: bool = false;
    /// The kinds of its parts, whose edits answer with the whole item
    /// (a goal's milestones).
    const PARTS: &'static [ItemKind] = &[];
    /// Where it is in a plan view, e.g. `plan.goals`.
    const FIELD: &'static str;
    /// Its id.
    fn id(&self) -> &ItemId;
    /// When it was made (views list items by it).
    fn created_at(&self) -> Timestamp;
    /// Its list in a plan view.
    fn in_plan(plan: &Plan) -> &Vec<Self>;
    /// Its list in a plan view, to change.
    fn in_plan_mut(plan: &mut Plan) -> &mut Vec<Self>;
    /// What people call it in messages: its title, name or first line.
    fn label(&self) -> String;
    /// Checks every field, exactly as an edit that made it would be checked.
    fn check(&self) -> Result<(), ValidationError>;
    /// As the reply to an edit.
    fn into_item(self) -> Item;
    /// Reads one from its map in the document.
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Self;
    /// Writes the whole item, with its id and times (an import).
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut doc::Writer) -> doc::R<()>;
}

/// Checks one list of items to import: ids well formed and unique, then
/// each item with its kind's `check`, naming the item that is wrong.
fn check_all<K: Collected>(items: &[K]) -> Result<(), ImportError> {
    let at = |i: usize| {
        format!(
            "{}[{i}] (id {})",
            K::FIELD,
            items.get(i).map_or("?", |x| x.id().as_str())
        )
    };
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let id = item.id().as_str();
        let error = if !crate::ids::is_id(id) {
            Some(bad("id", format!("'{id}' is not 16 lowercase hex digits")))
        } else if !seen.insert(id) {
            Some(bad("id", format!("'{id}' appears twice")))
        } else {
            item.check().err()
        };
        if let Some(error) = error {
            return Err(ImportError::Invalid { at: at(i), error });
        }
    }
    Ok(())
}

/// Checks every field of a plan to import, as edits of it would be checked.
pub fn check_plan(p: &Plan) -> Result<(), ImportError> {
    let top = |error| ImportError::Invalid {
        at: "plan".into(),
        error,
    };
    plan::check_fields(p).map_err(top)?;
    agreement::check(&p.agreement.as_patch()).map_err(|error| ImportError::Invalid {
        at: "agreement".into(),
        error,
    })?;
    macro_rules! check {
        ($($kind:ident: $view:ty,)*) => {
            $(check_all(<$view as Collected>::in_plan(p))?;)*
        };
    }
    with_collected!(check);
    Ok(())
}

/// The sorted ids of the collection under the root's `key`.
#[cfg(feature = "doc")]
pub fn ids_of<R: automerge::ReadDoc>(d: &R, key: &str) -> Vec<String> {
    let Some(map) = doc::object(d, &automerge::ROOT, key, automerge::ObjType::Map) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = d.keys(&map).collect();
    ids.sort_unstable();
    ids
}

/// How many items the collection under the root's `key` holds: counted by
/// Automerge over its columns, without making or sorting the ids (a plan's
/// summary is made again for every change stored, received ones included).
#[cfg(feature = "doc")]
pub fn count_of<R: automerge::ReadDoc>(d: &R, key: &str) -> usize {
    doc::object(d, &automerge::ROOT, key, automerge::ObjType::Map).map_or(0, |map| d.length(&map))
}

/// Every item of kind `K` in the document, in view order.
#[cfg(feature = "doc")]
pub fn read_all<K: Collected, R: automerge::ReadDoc>(d: &R) -> Vec<K> {
    doc::all(d, K::KEY, K::read)
}

/// What people call item `id` of `kind` in `plan` ([`Collected::label`]),
/// if it is there.
pub fn label_of(plan: &Plan, kind: ItemKind, id: &str) -> Option<String> {
    macro_rules! find {
        ($($k:ident: $view:ty,)*) => {
            $(
                if kind == <$view as Collected>::KIND {
                    return <$view as Collected>::in_plan(plan)
                        .iter()
                        .find(|x| x.id().as_str() == id)
                        .map(|x| x.label());
                }
            )*
        };
    }
    with_collected!(find);
    None
}

/// Reads the whole plan.
#[cfg(feature = "doc")]
pub fn read_plan<R: automerge::ReadDoc>(d: &R) -> Plan {
    let mut p = Plan::empty();
    plan::read_fields(d, &mut p);
    p.agreement = agreement::read(d);
    macro_rules! read {
        ($($kind:ident: $view:ty,)*) => {
            $(*<$view as Collected>::in_plan_mut(&mut p) = read_all::<$view, R>(d);)*
        };
    }
    with_collected!(read);
    p.members = member::read_all(d);
    p.member_history = member::read_history(d);
    p.conflicts = conflicts(d);
    p
}

/// The collected item whose id is `prefix` or starts with it, whatever
/// its kind.
#[cfg(feature = "doc")]
pub fn find_any<R: automerge::ReadDoc>(
    d: &R,
    prefix: &str,
) -> Result<(ItemKind, ItemId, automerge::ObjId), crate::ApiError> {
    let mut all: Vec<(ItemKind, String)> = Vec::new();
    macro_rules! gather {
        ($($kind:ident: $view:ty,)*) => {
            $(
                let kind = <$view as Collected>::KIND;
                all.extend(super::ids_of(d, <$view as Collected>::KEY).into_iter().map(|id| (kind, id)));
            )*
        };
    }
    with_collected!(gather);
    let id =
        crate::ids::resolve("item", prefix, all.iter().map(|(_, id)| id.as_str()))?.to_string();
    let kind = all
        .iter()
        .find(|(_, i)| *i == id)
        .map(|(k, _)| *k)
        .unwrap_or(ItemKind::Goal);
    let obj = super::key_of_kind(kind)
        .and_then(|key| doc::item(d, key, &id))
        .ok_or_else(|| doc::not_found(format!("no item with id '{prefix}'")))?;
    Ok((kind, ItemId::from(id), obj))
}

/// Every conflicted field of every collected item.
#[cfg(feature = "doc")]
pub fn conflicts<R: automerge::ReadDoc>(d: &R) -> Vec<conflict::Conflict> {
    let mut out = Vec::new();
    macro_rules! scan {
        ($($kind:ident: $view:ty,)*) => {
            $(
                let key = <$view as Collected>::KEY;
                let kind = <$view as Collected>::KIND;
                if let Some(map) = doc::object(d, &automerge::ROOT, key, automerge::ObjType::Map) {
                    for (id, obj) in doc::map_maps_of(d, &map) {
                        out.extend(conflict::conflicts_in(d, kind, &ItemId::from(id), &obj));
                    }
                }
            )*
        };
    }
    with_collected!(scan);
    sort_conflicts(&mut out);
    out
}

/// The order conflicts are listed in, whether read whole or refreshed
/// item by item: by item id, then field.
#[cfg(feature = "doc")]
fn sort_conflicts(all: &mut [conflict::Conflict]) {
    all.sort_by(|a, b| (&a.item, &a.field).cmp(&(&b.item, &b.field)));
}

/// Writes every item of an exported plan into a new plan's document, with
/// its id and times (the inverse of [`read_plan`]; members are not taken).
#[cfg(feature = "doc")]
pub fn write_plan(w: &mut doc::Writer, p: &Plan) -> doc::R<()> {
    plan::write_imported(w, p)?;
    agreement::write(w, &p.agreement)?;
    macro_rules! write {
        ($($kind:ident: $view:ty,)*) => {
            $(<$view as Collected>::in_plan(p).iter().try_for_each(|x| x.write(w))?;)*
        };
    }
    with_collected!(write);
    Ok(())
}

/// Replaces the item with the same id, or inserts it in view order.
#[cfg(feature = "doc")]
fn upsert<K: Collected>(items: &mut Vec<K>, item: K) {
    let key = |x: &K| (x.created_at(), x.id().clone());
    match items.iter().position(|x| x.id() == item.id()) {
        Some(i) if key(&items[i]) == key(&item) => items[i] = item,
        found => {
            if let Some(i) = found {
                items.remove(i);
            }
            let at = items.partition_point(|x| key(x) < key(&item));
            items.insert(at, item);
        }
    }
}

/// Re-reads item `id` of kind `K` (gone: removed from the view too) and
/// brings a cached view up to date with it.
#[cfg(feature = "doc")]
fn refresh_one<K: Collected, R: automerge::ReadDoc>(
    d: &R,
    cache: Option<&mut Plan>,
    id: &ItemId,
) -> Item {
    match doc::item(d, K::KEY, id) {
        Some(obj) => {
            let value = K::read(d, id, &obj);
            if let Some(p) = cache {
                upsert(K::in_plan_mut(p), value.clone());
                p.conflicts.retain(|c| c.item != *id);
                p.conflicts
                    .extend(conflict::conflicts_in(d, K::KIND, id, &obj));
                sort_conflicts(&mut p.conflicts);
            }
            value.into_item()
        }
        None => {
            if let Some(p) = cache {
                K::in_plan_mut(p).retain(|x| x.id() != id);
                p.conflicts.retain(|c| c.item != *id);
            }
            Item::Removed {
                what: K::KIND,
                id: id.to_string(),
            }
        }
    }
}

/// Reads the object an edit (or a merge) touched and brings the cached
/// view, if any, up to date with it, so that each edit reads one object.
#[cfg(feature = "doc")]
pub fn refresh<R: automerge::ReadDoc>(
    d: &R,
    mut cache: Option<&mut Plan>,
    target: &doc::Target,
) -> Item {
    use doc::Target;
    match target {
        Target::Plan => match cache {
            Some(p) => {
                plan::read_fields(d, p);
                Item::Plan(Box::new(p.clone()))
            }
            None => Item::Plan(Box::new(read_plan(d))),
        },
        Target::Agreement => {
            let a = agreement::read(d);
            if let Some(p) = cache {
                p.agreement = a.clone();
            }
            Item::Agreement(a)
        }
        Target::Member(peer) | Target::MemberRemoved(peer) => {
            let members = member::read_all(d);
            let item = match (target, members.iter().find(|m| m.peer == *peer)) {
                (Target::Member(_), Some(m)) => Item::Member(m.clone()),
                _ => Item::Removed {
                    what: ItemKind::Member,
                    id: peer.to_string(),
                },
            };
            if let Some(p) = cache.as_deref_mut() {
                p.members = members;
                p.member_history = member::read_history(d);
                // The marks name people through the membership.
                p.conflicts = conflicts(d);
            }
            item
        }
        Target::Item(kind, id) | Target::Removed(kind, id) => {
            macro_rules! owner {
                ($($k:ident: $view:ty,)*) => {
                    $(
                        if <$view as Collected>::KIND == *kind || <$view as Collected>::PARTS.contains(kind) {
                            return refresh_one::<$view, R>(d, cache, id);
                        }
                    )*
                };
            }
            with_collected!(owner);
            // Not kept in a keyed map: their targets are the ones above.
            refresh(d, cache, &Target::Plan)
        }
    }
}

/// The collection (kind and root key) a document root key belongs to, for
/// naming what a merge touched.
#[cfg(feature = "doc")]
pub fn kind_of_key(key: &str) -> Option<ItemKind> {
    macro_rules! find {
        ($($kind:ident: $view:ty,)*) => {
            $(
                if key == <$view as Collected>::KEY {
                    return Some(<$view as Collected>::KIND);
                }
            )*
        };
    }
    with_collected!(find);
    None
}

/// The root keys of every collection, made with each new plan.
/// The map under the document's root that holds items of `kind`, if it
/// is a collected kind.
pub fn key_of_kind(kind: ItemKind) -> Option<&'static str> {
    macro_rules! find {
        ($($k:ident: $view:ty,)*) => {
            $(
                if kind == <$view as Collected>::KIND {
                    return Some(<$view as Collected>::KEY);
                }
            )*
        };
    }
    with_collected!(find);
    None
}

/// The maps under the document's root of every collected kind.
pub fn collection_keys() -> Vec<&'static str> {
    macro_rules! keys {
        ($($kind:ident: $view:ty,)*) => {
            vec![$(<$view as Collected>::KEY,)*]
        };
    }
    with_collected!(keys)
}

/// Removes an item of kind `K` named by an id prefix; the message names it
/// by `label` (its title, name, ...).
#[cfg(feature = "doc")]
pub fn remove<K: Collected>(
    w: &mut doc::Writer,
    prefix: &str,
    label: &str,
) -> doc::R<doc::Applied> {
    let (id, obj) = w.resolve(K::KIND, K::KEY, prefix)?;
    let name = doc::string(w.tx, &obj, label);
    w.remove(K::KEY, &id)?;
    Ok(doc::Applied {
        message: format!("{} rm: {name}", K::KIND.as_str()),
        target: doc::Target::Removed(K::KIND, id),
    })
}

/// A member's PeerId from an exact id or a unique prefix.
pub fn resolve_peer(members: &[member::Member], given: &str) -> Result<PeerId, crate::ApiError> {
    member::resolve_peer(members, given)
}
