//! Undo: reverting one of this device's changes as a new change.
//!
//! The change to revert is this device's newest one that is not undone
//! yet (an undo's message names the change it reverts: `undo 1a2b3c4d:
//! goal add: ...`, and undo changes are never themselves candidates).
//! What it touched is read from Automerge's diff between its
//! dependencies and itself: map keys it set or deleted, texts it spliced,
//! list elements it inserted or deleted. Each is put back as it was just
//! before the change: a scalar re-set or deleted, an object it removed
//! re-created from its state at that point (same key, so an item keeps
//! its id), a text spliced word by word back to its old content, list
//! elements it added deleted and those it deleted re-inserted.
//!
//! Undo refuses rather than overwrite: when any touched field holds
//! something else now than right after the change (someone edited it
//! since), nothing is written. Membership changes and the plan's creation
//! are not undone (they have commands of their own, and membership is
//! what decides who receives the plan); the `devices` registry and
//! `updated_at` stamps are left alone.

use std::collections::HashSet;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};
use jiff::Timestamp;
use tandem_proto::api::Undoable;
use tandem_proto::items::doc::{UPDATED_AT, internal};
use tandem_proto::items::{self, ItemKind};
use tandem_proto::{ApiError, ErrorCode};

use super::layout::DEVICES;
use super::{Device, Edited, PlanDoc};

/// How many of this device's changes `undo --list` shows.
pub const LIST_MAX: usize = 10;

/// The prefix of an undo change's message.
const UNDO: &str = "undo ";

/// One thing a change touched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Field {
    /// A key of a map.
    Key(ObjId, String),
    /// A whole text.
    Text(ObjId),
    /// The elements of a list.
    List(ObjId),
}

fn refused(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Invalid, msg)
}

fn short(hash: &str) -> &str {
    tandem_proto::ids::short(hash)
}

impl PlanDoc {
    /// This device's changes that `undo` would revert, newest first (at
    /// most `limit`).
    pub fn undoable(&self, device: &Device, limit: usize) -> Vec<Undoable> {
        let actor = device.actor.clone();
        let metas = self.doc.get_changes_meta(&[]);
        let mut undone: HashSet<String> = HashSet::new();
        let mut out = Vec::new();
        for m in metas.iter().rev().filter(|m| *m.actor == actor) {
            let message = m.message.as_deref().unwrap_or("");
            if let Some(rest) = message.strip_prefix(UNDO) {
                undone.extend(rest.split(':').next().map(str::to_string));
                continue;
            }
            let hash = m.hash.to_string();
            if undone.contains(short(&hash)) || m.deps.is_empty() {
                continue;
            }
            out.push(Undoable {
                hash,
                message: message.to_string(),
                time: Timestamp::from_second(m.timestamp).unwrap_or(Timestamp::UNIX_EPOCH),
            });
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// The change `undo` is asked to revert: this device's newest one not
    /// undone yet, or the one whose hash starts with `given` (refused when
    /// another device made it, or it is an undo, or undone already).
    fn to_undo(&self, device: &Device, given: Option<&str>) -> Result<Undoable, ApiError> {
        let Some(given) = given.map(|g| g.trim().to_ascii_lowercase()) else {
            return self.undoable(device, 1).into_iter().next().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "nothing to undo: this device has made no change to this plan that is not undone yet",
                )
            });
        };
        if given.is_empty() || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refused(format!(
                "'{given}' is not a change id (the hex id tandem log shows)"
            )));
        }
        let log = super::history::log(&self.doc, usize::MAX, None);
        let found: Vec<_> = log.iter().filter(|e| e.hash.starts_with(&given)).collect();
        let entry = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no change '{given}' in this plan (see tandem log)"),
                ));
            }
            _ => {
                return Err(ApiError::new(
                    ErrorCode::Ambiguous,
                    format!("change '{given}' is ambiguous: give more of its id"),
                ));
            }
        };
        if entry.actor != device.actor.to_hex_string() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "change {} ('{}') was made by {}: only the device that made a change can undo it",
                    short(&entry.hash),
                    entry.message,
                    entry.author
                ),
            ));
        }
        if entry.message.starts_with(UNDO) {
            return Err(refused(format!(
                "change {} is itself an undo; make the edit again instead",
                short(&entry.hash)
            )));
        }
        self.undoable(device, usize::MAX)
            .into_iter()
            .find(|u| u.hash == entry.hash)
            .ok_or_else(|| {
                refused(format!(
                    "change {} ('{}') is undone already, or is the plan's creation",
                    short(&entry.hash),
                    entry.message
                ))
            })
    }

    /// Reverts one of this device's changes (see [`PlanDoc::to_undo`]).
    pub fn undo(
        &mut self,
        device: &Device,
        now: Timestamp,
        change: Option<&str>,
    ) -> Result<(Edited, Undoable), ApiError> {
        let last = self.to_undo(device, change)?;
        if last.message.starts_with("member ") {
            return Err(refused(format!(
                "the last change from this device was a membership change ({}); \
                 use tandem member add or tandem member remove instead",
                last.message
            )));
        }
        let hash: ChangeHash = last
            .hash
            .parse()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "unreadable change hash"))?;
        let deps: Vec<ChangeHash> = self
            .doc
            .get_change_by_hash(&hash)
            .map(|c| c.deps().to_vec())
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the change is not in the plan"))?;
        let fields = touched(&self.doc, &deps, &[hash]);
        if let Some(f) = fields.iter().find(|f| changed_since(&self.doc, f, &[hash])) {
            return Err(refused(format!(
                "cannot undo '{}': {} changed again since then, and undoing would overwrite that",
                last.message,
                describe(&self.doc, f)
            )));
        }
        let message = format!("{UNDO}{}: {}", short(&last.hash), last.message);
        let target = target(&self.doc, &fields);
        let before = self.doc.get_heads();
        let opts = automerge::transaction::CommitOptions::default()
            .with_message(message.clone())
            .with_time(now.as_second());
        self.doc
            .transact_with(
                |_| opts,
                |tx| -> Result<(), ApiError> {
                    for f in &fields {
                        restore(tx, f, &deps, &[hash]).map_err(internal)?;
                    }
                    Ok(())
                },
            )
            .map_err(|f| f.error)?;
        let change = Some(self.doc.save_after(&before)).filter(|c| !c.is_empty());
        // An undo may touch any part of the plan: read the view afresh.
        self.cache.replace(None);
        let item = match &target {
            Some((kind, id)) => match items::doc::item(&self.doc, kind_key(*kind), id) {
                Some(_) => self.refresh(&items::doc::Target::Item(*kind, id.as_str().into())),
                None => items::Item::Removed {
                    what: *kind,
                    id: id.clone(),
                },
            },
            None => self.refresh(&items::doc::Target::Plan),
        };
        Ok((
            Edited {
                item,
                change,
                message,
            },
            last,
        ))
    }
}

/// The map under the root that holds items of `kind`.
fn kind_key(kind: ItemKind) -> &'static str {
    items::key_of_kind(kind).unwrap_or("")
}

/// The item the fields belong to: the first one under a collection at the root.
fn target(doc: &automerge::Automerge, fields: &[Field]) -> Option<(ItemKind, String)> {
    fields.iter().find_map(|f| {
        let obj = match f {
            Field::Key(o, _) | Field::Text(o) | Field::List(o) => o,
        };
        if let Field::Key(o, key) = f
            && *o != automerge::ROOT
            && let Some(kind) = root_kind(doc, o)
        {
            return Some((kind, key.clone()));
        }
        let path = doc.parents(obj).ok()?.path();
        let mut it = path.into_iter();
        let (_, Prop::Map(key)) = it.next()? else {
            return None;
        };
        let kind = items::kind_of_key(&key)?;
        match it.next() {
            Some((_, Prop::Map(id))) => Some((kind, id)),
            _ => match f {
                Field::Key(_, id) => Some((kind, id.clone())),
                _ => None,
            },
        }
    })
}

/// The kind whose collection map `obj` is, if it is one.
fn root_kind(doc: &automerge::Automerge, obj: &ObjId) -> Option<ItemKind> {
    let path = doc.parents(obj).ok()?.path();
    match path.as_slice() {
        [(_, Prop::Map(key))] => items::kind_of_key(key),
        _ => None,
    }
}

/// Whether `obj` is (inside) the devices registry.
fn in_devices(doc: &automerge::Automerge, obj: &ObjId) -> bool {
    doc.parents(obj)
        .map(|p| {
            p.path()
                .first()
                .is_some_and(|(_, prop)| *prop == Prop::Map(DEVICES.into()))
        })
        .unwrap_or(false)
}

/// What the change from `before` to `after` touched, outside objects it created.
fn touched(doc: &automerge::Automerge, before: &[ChangeHash], after: &[ChangeHash]) -> Vec<Field> {
    use automerge::PatchAction as A;
    let mut created: HashSet<ObjId> = HashSet::new();
    let mut fields: Vec<Field> = Vec::new();
    let push = |f: Field, fields: &mut Vec<Field>| {
        if !fields.contains(&f) {
            fields.push(f);
        }
    };
    for p in doc.diff(before, after) {
        let inside_new = created.contains(&p.obj);
        let mut note_new = |v: &Value, id: &ObjId| {
            if matches!(v, Value::Object(_)) {
                created.insert(id.clone());
            }
        };
        match &p.action {
            A::PutMap { key, value, .. } => {
                note_new(&value.0, &value.1);
                let skip = inside_new
                    || key == UPDATED_AT
                    || (p.obj == automerge::ROOT && key == DEVICES)
                    || in_devices(doc, &p.obj);
                if !skip {
                    push(Field::Key(p.obj.clone(), key.clone()), &mut fields);
                }
            }
            A::DeleteMap { key } if !inside_new => {
                push(Field::Key(p.obj.clone(), key.clone()), &mut fields)
            }
            A::Insert { values, .. } => {
                for (v, id, _) in values.iter() {
                    note_new(v, id);
                }
                if !inside_new {
                    push(Field::List(p.obj.clone()), &mut fields);
                }
            }
            A::PutSeq { value, .. } => {
                note_new(&value.0, &value.1);
                if !inside_new {
                    push(Field::List(p.obj.clone()), &mut fields);
                }
            }
            A::SpliceText { .. } | A::DeleteSeq { .. } if !inside_new => {
                let f = match doc.object_type(&p.obj) {
                    Ok(ObjType::Text) => Field::Text(p.obj.clone()),
                    _ => Field::List(p.obj.clone()),
                };
                push(f, &mut fields);
            }
            _ => {}
        }
    }
    fields
}

/// A field's value at `heads` (now, for `None`), comparable across points in time.
fn value_of(doc: &automerge::Automerge, f: &Field, heads: Option<&[ChangeHash]>) -> String {
    match (f, heads) {
        (Field::Key(o, k), h) => {
            let got = match h {
                Some(h) => doc.get_at(o, k.as_str(), h),
                None => doc.get(o, k.as_str()),
            };
            match got.ok().flatten() {
                // An object (an item the change made): all it holds counts.
                Some((Value::Object(_), id)) => contents(doc, &id, h),
                // The value, not the op that put it (an undo puts it anew).
                other => format!("{:?}", other.map(|(v, _)| v)),
            }
        }
        (Field::Text(o), Some(h)) => doc.text_at(o, h).unwrap_or_default(),
        (Field::Text(o), None) => doc.text(o).unwrap_or_default(),
        (Field::List(_), _) => String::new(),
    }
}

/// Everything object `obj` holds at `heads` (now, for `None`), nested objects included.
fn contents(doc: &automerge::Automerge, obj: &ObjId, heads: Option<&[ChangeHash]>) -> String {
    let ty = doc.object_type(obj).ok();
    let mut out = format!("{ty:?}{{");
    match ty {
        Some(ObjType::Text) => {
            let t = match heads {
                Some(h) => doc.text_at(obj, h),
                None => doc.text(obj),
            };
            out += &t.unwrap_or_default();
        }
        Some(ObjType::Map | ObjType::Table) => {
            let keys: Vec<String> = match heads {
                Some(h) => doc.keys_at(obj, h).collect(),
                None => doc.keys(obj).collect(),
            };
            for k in keys.into_iter().filter(|k| k != UPDATED_AT) {
                let f = Field::Key(obj.clone(), k.clone());
                out += &format!("{k}={};", value_of(doc, &f, heads));
            }
        }
        Some(ObjType::List) => {
            let len = match heads {
                Some(h) => doc.length_at(obj, h),
                None => doc.length(obj),
            };
            for i in 0..len {
                let got = match heads {
                    Some(h) => doc.get_at(obj, i, h),
                    None => doc.get(obj, i),
                };
                out += &match got.ok().flatten() {
                    Some((Value::Object(_), id)) => contents(doc, &id, heads),
                    other => format!("{:?}", other.map(|(v, _)| v)),
                };
                out += ",";
            }
        }
        None => {}
    }
    out + "}"
}

/// Whether the field holds something else now than at `after`. Lists are
/// never in the way: undo removes the elements the change inserted (if
/// they are still there) and puts back those it deleted, whatever else
/// happened to the list since.
fn changed_since(doc: &automerge::Automerge, f: &Field, after: &[ChangeHash]) -> bool {
    !matches!(f, Field::List(_)) && value_of(doc, f, Some(after)) != value_of(doc, f, None)
}

/// A field as people would name it: "the title", "the notes".
fn describe(doc: &automerge::Automerge, f: &Field) -> String {
    let key = match f {
        Field::Key(_, k) => Some(k.clone()),
        Field::Text(o) | Field::List(o) => doc
            .parents(o)
            .ok()
            .and_then(|p| p.path().last().cloned())
            .and_then(|(_, prop)| match prop {
                Prop::Map(k) => Some(k),
                Prop::Seq(_) => None,
            }),
    };
    let item = matches!(f, Field::Key(o, _) if root_kind(doc, o).is_some());
    match key {
        Some(_) if item => "it".to_string(),
        Some(k) => format!("its {}", k.replace('_', " ")),
        None => "it".to_string(),
    }
}

/// Puts one field back as it was at `before`.
fn restore<T: Transactable + ReadDoc>(
    tx: &mut T,
    f: &Field,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> Result<(), automerge::AutomergeError> {
    match f {
        Field::Key(obj, key) => {
            let old = tx.get_at(obj, key.as_str(), before)?;
            let now = tx.get(obj, key.as_str())?;
            match old {
                None if now.is_some() => tx.delete(obj, key.as_str()),
                None => Ok(()),
                Some((Value::Scalar(s), _)) => tx.put(obj, key.as_str(), s.into_owned()),
                Some((Value::Object(_), old_id)) => {
                    if now.as_ref().is_some_and(|(_, id)| *id == old_id) {
                        return Ok(());
                    }
                    copy_into(tx, obj, Prop::Map(key.clone()), &old_id, before, false)
                }
            }
        }
        Field::Text(text) => {
            let old = tx.text_at(text, before)?;
            let now = tx.text(text)?;
            items::text::update(tx, text, &now, &old)
        }
        Field::List(list) => {
            let ids_at = |tx: &T, heads: &[ChangeHash]| -> HashSet<ObjId> {
                tx.list_range_at(list, .., heads).map(|i| i.id()).collect()
            };
            let (was, became) = (ids_at(tx, before), ids_at(tx, after));
            // What the change inserted goes, if it is still there.
            let now: Vec<ObjId> = tx.list_range(list, ..).map(|i| i.id()).collect();
            for (idx, id) in now.iter().enumerate().rev() {
                if became.contains(id) && !was.contains(id) {
                    tx.delete(list, idx)?;
                }
            }
            // What it deleted comes back where it was.
            let old: Vec<(usize, Value<'static>, ObjId)> = tx
                .list_range_at(list, .., before)
                .map(|i| {
                    let id = i.id();
                    (i.index, Value::from(i.value), id)
                })
                .collect();
            for (idx, value, id) in old {
                if became.contains(&id) {
                    continue;
                }
                let at = idx.min(tx.length(list));
                match value {
                    Value::Scalar(s) => tx.insert(list, at, s.into_owned())?,
                    Value::Object(_) => copy_into(tx, list, Prop::Seq(at), &id, before, true)?,
                }
            }
            Ok(())
        }
    }
}

/// Makes, at `parent[prop]`, a copy of object `src` as it was at `heads`
/// (inserted, for a list, when `insert`).
fn copy_into<T: Transactable + ReadDoc>(
    tx: &mut T,
    parent: &ObjId,
    prop: Prop,
    src: &ObjId,
    heads: &[ChangeHash],
    insert: bool,
) -> Result<(), automerge::AutomergeError> {
    let ty = tx.object_type(src)?;
    let new = match (&prop, insert) {
        (Prop::Map(k), _) => tx.put_object(parent, k.as_str(), ty)?,
        (Prop::Seq(i), true) => tx.insert_object(parent, *i, ty)?,
        (Prop::Seq(i), false) => tx.put_object(parent, *i, ty)?,
    };
    match ty {
        ObjType::Text => {
            let text = tx.text_at(src, heads)?;
            tx.splice_text(&new, 0, 0, &text)?;
        }
        ObjType::Map | ObjType::Table => {
            let entries: Vec<(String, Value<'static>, ObjId)> = tx
                .map_range_at(src, .., heads)
                .map(|i| {
                    let id = i.id();
                    (i.key.to_string(), Value::from(i.value), id)
                })
                .collect();
            for (k, v, id) in entries {
                match v {
                    Value::Scalar(s) => tx.put(&new, k.as_str(), scalar(s))?,
                    Value::Object(_) => copy_into(tx, &new, Prop::Map(k), &id, heads, false)?,
                }
            }
        }
        ObjType::List => {
            let elems: Vec<(Value<'static>, ObjId)> = tx
                .list_range_at(src, .., heads)
                .map(|i| {
                    let id = i.id();
                    (Value::from(i.value), id)
                })
                .collect();
            for (i, (v, id)) in elems.into_iter().enumerate() {
                match v {
                    Value::Scalar(s) => tx.insert(&new, i, scalar(s))?,
                    Value::Object(_) => copy_into(tx, &new, Prop::Seq(i), &id, heads, true)?,
                }
            }
        }
    }
    Ok(())
}

fn scalar(s: std::borrow::Cow<'_, ScalarValue>) -> ScalarValue {
    s.into_owned()
}
