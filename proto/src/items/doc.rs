//! The plan document's building blocks, shared by every kind of item
//! (feature `doc`): lenient readers, and the [`Writer`] every edit and
//! import writes through.
//!
//! Readers are generic over [`ReadDoc`], so they work on a document and
//! inside a transaction alike. They are lenient by design: a document may
//! have been written by a newer or buggy peer, so a missing field or a
//! value of the wrong type reads as a default, never as a panic.

use std::str::FromStr;

use automerge::transaction::{Transactable, Transaction};
use automerge::{AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use jiff::Timestamp;
use jiff::civil::Date;

pub use super::fields::first_line;
use super::{ItemKind, ids_of};
use crate::ids::{ItemId, PeerId};
use crate::{ApiError, ErrorCode};

/// Creation time of an item (and of the plan, at the root).
pub const CREATED_AT: &str = "created_at";
/// Last change of an item.
pub const UPDATED_AT: &str = "updated_at";

/// What an applied edit produced: the change message and what to show the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The change message, e.g. `goal add: Pass the MLS exam`.
    pub message: String,
    /// What the client gets back, and watchers are told of.
    pub target: Target,
}

/// Which object an edit touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The plan's own fields.
    Plan,
    /// The agreement.
    Agreement,
    /// An item of a collection (created or changed).
    Item(ItemKind, ItemId),
    /// An item removed from its collection.
    Removed(ItemKind, ItemId),
    /// A member record (added or updated).
    Member(PeerId),
    /// A removed member.
    MemberRemoved(PeerId),
}

impl Target {
    /// How a watcher is told what was touched.
    pub fn touched(&self) -> crate::api::Touched {
        let (kind, id) = match self {
            Target::Plan => (ItemKind::Plan, None),
            Target::Agreement => (ItemKind::Agreement, None),
            Target::Item(k, id) | Target::Removed(k, id) => (*k, Some(id.to_string())),
            Target::Member(p) | Target::MemberRemoved(p) => (
                ItemKind::Member,
                Some(p.to_string()).filter(|p| !p.is_empty()),
            ),
        };
        crate::api::Touched { kind, id }
    }
}

/// A document operation failed (a bug, or a damaged document).
pub fn internal(e: AutomergeError) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("document error: {e}"))
}

/// Nothing by that id.
pub fn not_found(msg: String) -> ApiError {
    ApiError::new(ErrorCode::NotFound, msg)
}

/// The document lacks a part every plan has.
pub fn damaged(msg: String) -> ApiError {
    ApiError::new(ErrorCode::CorruptPlan, msg)
}

/// The scalar at `obj[key]`, if any.
pub fn scalar<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match d.get(obj, key).ok()?? {
        (Value::Scalar(s), _) => Some(s.into_owned()),
        _ => None,
    }
}

/// The object at `obj[key]` if it has type `ty`.
pub fn object<R: ReadDoc>(d: &R, obj: &ObjId, key: &str, ty: ObjType) -> Option<ObjId> {
    match d.get(obj, key).ok()?? {
        (Value::Object(t), id) if t == ty => Some(id),
        _ => None,
    }
}

/// A string field: a text object or a string scalar; empty when absent.
pub fn string<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> String {
    match d.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            _ => String::new(),
        },
        Ok(Some((Value::Object(ObjType::Text), id))) => d
            .text(&id)
            .map(|t| super::text::read(&t).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A string field, `None` when absent or empty.
pub fn opt_string<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<String> {
    Some(string(d, obj, key)).filter(|s| !s.is_empty())
}

/// An id field (another item's), `None` when absent or empty.
pub fn opt_id<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<ItemId> {
    opt_string(d, obj, key).map(ItemId::from)
}

/// A timestamp field.
pub fn timestamp<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<Timestamp> {
    match scalar(d, obj, key)? {
        ScalarValue::Timestamp(ms) => Timestamp::from_millisecond(ms).ok(),
        _ => None,
    }
}

/// A timestamp field, the epoch when absent.
pub fn ts_or_epoch<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Timestamp {
    timestamp(d, obj, key).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// An unsigned number field.
pub fn uint<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<u64> {
    match scalar(d, obj, key)? {
        ScalarValue::Uint(n) => Some(n),
        ScalarValue::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

/// A number field that may hold a fraction.
pub fn float<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<f64> {
    match scalar(d, obj, key)? {
        ScalarValue::F64(f) => Some(f),
        ScalarValue::Uint(n) => Some(n as f64),
        ScalarValue::Int(n) => Some(n as f64),
        _ => None,
    }
}

/// A boolean field, false when absent.
pub fn boolean<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> bool {
    matches!(scalar(d, obj, key), Some(ScalarValue::Boolean(true)))
}

/// A date field (`YYYY-MM-DD`).
pub fn date<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Option<Date> {
    opt_string(d, obj, key)?.parse().ok()
}

/// A field of a closed set of values, `default` when absent or unknown.
pub fn parsed<R: ReadDoc, T: FromStr>(d: &R, obj: &ObjId, key: &str, default: T) -> T {
    string(d, obj, key).parse().unwrap_or(default)
}

/// A list of strings.
pub fn strings<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Vec<String> {
    let Some(list) = object(d, obj, key, ObjType::List) else {
        return Vec::new();
    };
    (0..d.length(&list))
        .filter_map(|i| match d.get(&list, i).ok()?? {
            (Value::Scalar(s), _) => s.as_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

/// The maps of a list (milestones, agenda), in order.
pub fn list_maps<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Vec<ObjId> {
    let Some(list) = object(d, obj, key, ObjType::List) else {
        return Vec::new();
    };
    (0..d.length(&list))
        .filter_map(|i| match d.get(&list, i).ok()?? {
            (Value::Object(ObjType::Map), id) => Some(id),
            _ => None,
        })
        .collect()
}

/// The maps held in map `map`, with their keys.
pub fn map_maps_of<R: ReadDoc>(d: &R, map: &ObjId) -> Vec<(String, ObjId)> {
    d.map_range(map, ..)
        .filter(|i| matches!(i.value, automerge::ValueRef::Object(ObjType::Map)))
        .map(|i| (i.key.to_string(), i.id()))
        .collect()
}

/// The maps of a map (keyed records: assessments, sign-offs), with their keys.
pub fn map_maps<R: ReadDoc>(d: &R, obj: &ObjId, key: &str) -> Vec<(String, ObjId)> {
    let Some(map) = object(d, obj, key, ObjType::Map) else {
        return Vec::new();
    };
    d.map_range(&map, ..)
        .filter(|i| matches!(i.value, automerge::ValueRef::Object(ObjType::Map)))
        .map(|i| (i.key.to_string(), i.id()))
        .collect()
}

/// The item `id` of the collection under the root's `key`.
pub fn item<R: ReadDoc>(d: &R, key: &str, id: &str) -> Option<ObjId> {
    let map = object(d, &automerge::ROOT, key, ObjType::Map)?;
    object(d, &map, id, ObjType::Map)
}

/// Every item of the collection under the root's `key`, read with `f`,
/// sorted by (created_at, id): the order every view lists items in.
pub fn all<R: ReadDoc, T>(d: &R, key: &str, f: impl Fn(&R, &str, &ObjId) -> T) -> Vec<T> {
    let Some(map) = object(d, &automerge::ROOT, key, ObjType::Map) else {
        return Vec::new();
    };
    let mut rows: Vec<(Timestamp, String, ObjId)> = d
        .map_range(&map, ..)
        .filter(|i| matches!(i.value, automerge::ValueRef::Object(ObjType::Map)))
        .map(|i| (Timestamp::UNIX_EPOCH, i.key.to_string(), i.id()))
        .collect();
    for row in &mut rows {
        row.0 = ts_or_epoch(d, &row.2, CREATED_AT);
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows.iter().map(|(_, id, obj)| f(d, id, obj)).collect()
}

/// An edit in progress: the transaction, the clock, and a source of fresh ids.
pub struct Writer<'t, 'd> {
    /// The open transaction.
    pub tx: &'t mut Transaction<'d>,
    /// The edit's time.
    pub now: Timestamp,
    /// Makes a fresh item id.
    pub new_id: &'t mut dyn FnMut() -> String,
    /// Who makes the edit: the name the plan's membership gives this
    /// device's person, recorded as the author of notes, feedback and
    /// goals when the edit names none.
    pub author: String,
}

/// What writes return.
pub type R<T> = Result<T, ApiError>;

impl Writer<'_, '_> {
    /// `given` when the edit names an author, else the editing member.
    pub fn author_or(&self, given: &str) -> String {
        if given.trim().is_empty() {
            self.author.clone()
        } else {
            given.to_string()
        }
    }

    /// Sets a string field.
    pub fn put_str(&mut self, obj: &ObjId, key: &str, value: &str) -> R<()> {
        self.tx.put(obj, key, value).map_err(internal)
    }

    /// Sets an unsigned number field.
    pub fn put_uint(&mut self, obj: &ObjId, key: &str, value: u64) -> R<()> {
        self.tx.put(obj, key, value).map_err(internal)
    }

    /// Sets a fractional number field.
    pub fn put_f64(&mut self, obj: &ObjId, key: &str, value: f64) -> R<()> {
        self.tx
            .put(obj, key, ScalarValue::F64(value))
            .map_err(internal)
    }

    /// Sets a boolean field.
    pub fn put_bool(&mut self, obj: &ObjId, key: &str, value: bool) -> R<()> {
        self.tx.put(obj, key, value).map_err(internal)
    }

    /// Removes a field.
    pub fn delete(&mut self, obj: &ObjId, key: &str) -> R<()> {
        self.tx.delete(obj, key).map_err(internal)
    }

    /// Sets a collaborative text: word by word when it exists (see
    /// [`super::text`]), else as a new text object; either way stamped as
    /// edited, so concurrent edits of it show as a conflict
    /// ([`super::conflict`]).
    pub fn put_text(&mut self, obj: &ObjId, key: &str, value: &str) -> R<()> {
        let new = super::text::stored(value);
        super::conflict::stamp(self, obj, key)?;
        if let Some(text) = object(self.tx, obj, key, ObjType::Text) {
            let old = self.tx.text(&text).map_err(internal)?;
            return super::text::update(self.tx, &text, &old, &new).map_err(internal);
        }
        let text = self
            .tx
            .put_object(obj, key, ObjType::Text)
            .map_err(internal)?;
        self.tx.splice_text(&text, 0, 0, &new).map_err(internal)
    }

    /// Sets a timestamp field.
    pub fn put_ts(&mut self, obj: &ObjId, key: &str, ts: Timestamp) -> R<()> {
        self.tx
            .put(obj, key, ScalarValue::Timestamp(ts.as_millisecond()))
            .map_err(internal)
    }

    /// Sets a timestamp field, or removes it for `None`.
    pub fn put_opt_ts(&mut self, obj: &ObjId, key: &str, ts: Option<Timestamp>) -> R<()> {
        match ts {
            Some(t) => self.put_ts(obj, key, t),
            None => self.delete(obj, key),
        }
    }

    /// Sets a date field, or removes it for `None`.
    pub fn put_opt_date(&mut self, obj: &ObjId, key: &str, date: Option<Date>) -> R<()> {
        match date {
            Some(d) => self.put_str(obj, key, &d.to_string()),
            None => self.delete(obj, key),
        }
    }

    /// Sets a string field, or removes it for `None`.
    pub fn put_opt_str(&mut self, obj: &ObjId, key: &str, value: Option<&str>) -> R<()> {
        match value {
            Some(v) => self.put_str(obj, key, v),
            None => self.delete(obj, key),
        }
    }

    /// Stamps an item as changed now.
    pub fn touch(&mut self, obj: &ObjId) -> R<()> {
        let now = self.now;
        self.put_ts(obj, UPDATED_AT, now)
    }

    /// The map under the root's `key`. `lazy`: plans made before the map
    /// existed get it on first use (new plans have it from the start, so no
    /// two devices race to make it).
    pub fn root_map(&mut self, key: &str, lazy: bool) -> R<ObjId> {
        match object(self.tx, &automerge::ROOT, key, ObjType::Map) {
            Some(m) => Ok(m),
            None if lazy => self
                .tx
                .put_object(&automerge::ROOT, key, ObjType::Map)
                .map_err(internal),
            None => Err(damaged(format!("plan document has no '{key}' map"))),
        }
    }

    /// The item of kind `kind` (kept under the root's `key`) named by an id prefix.
    pub fn resolve(&mut self, kind: ItemKind, key: &str, prefix: &str) -> R<(ItemId, ObjId)> {
        let ids = ids_of(self.tx, key);
        let id =
            crate::ids::resolve(kind.noun(), prefix, ids.iter().map(String::as_str))?.to_string();
        let obj = item(self.tx, key, &id)
            .ok_or_else(|| not_found(format!("no {} with id '{prefix}'", kind.noun())))?;
        Ok((ItemId::from(id), obj))
    }

    /// A patch's change of a reference to another item: `Some(Some(prefix))`
    /// resolved to the item's id, `Some(None)` to clear it, `None` to keep it.
    pub fn resolve_ref(
        &mut self,
        kind: ItemKind,
        key: &str,
        given: &Option<Option<String>>,
    ) -> R<Option<Option<ItemId>>> {
        Ok(match given {
            Some(Some(p)) => Some(Some(self.resolve(kind, key, p)?.0)),
            Some(None) => Some(None),
            None => None,
        })
    }

    /// Sets (or, for `Some(None)`, clears) a reference resolved by
    /// [`Writer::resolve_ref`]; `None` leaves it.
    pub fn put_ref(&mut self, obj: &ObjId, key: &str, r: Option<Option<ItemId>>) -> R<()> {
        match r {
            Some(v) => self.put_opt_str(obj, key, v.as_ref().map(|v| v.as_str())),
            None => Ok(()),
        }
    }

    /// Makes an item of kind `K` in its map under the root, with a fresh
    /// id (or `id`, for an import) and its creation time (now, or
    /// `created_at`).
    pub fn create<K: super::Collected>(
        &mut self,
        given: Option<(&str, Timestamp)>,
    ) -> R<(ItemId, ObjId)> {
        let map = self.root_map(K::KEY, K::ADDED_LATER)?;
        let (id, at) = match given {
            Some((id, at)) => (id.to_string(), at),
            None => ((self.new_id)(), self.now),
        };
        let obj = self
            .tx
            .put_object(&map, id.as_str(), ObjType::Map)
            .map_err(internal)?;
        self.put_ts(&obj, CREATED_AT, at)?;
        Ok((ItemId::from(id), obj))
    }

    /// Removes item `id` from the collection under the root's `key`.
    pub fn remove(&mut self, key: &str, id: &str) -> R<()> {
        let map = self.root_map(key, false)?;
        self.tx.delete(&map, id).map_err(internal)
    }

    /// The map at `position` (1-based) of a list, with the list and its index.
    pub fn nth(
        &mut self,
        obj: &ObjId,
        key: &str,
        position: u32,
        what: &str,
    ) -> R<(ObjId, usize, ObjId)> {
        let list = object(self.tx, obj, key, ObjType::List)
            .ok_or_else(|| not_found(format!("no {what} {position}: there are none")))?;
        let len = self.tx.length(&list);
        let idx = (position as usize).saturating_sub(1);
        if position == 0 || idx >= len {
            return Err(not_found(format!("no {what} {position}: there are {len}")));
        }
        match self.tx.get(&list, idx).map_err(internal)? {
            Some((Value::Object(ObjType::Map), item)) => Ok((list, idx, item)),
            _ => Err(not_found(format!("{what} {position} is unreadable"))),
        }
    }

    /// Removes the element at `idx` of a list.
    pub fn delete_at(&mut self, list: &ObjId, idx: usize) -> R<()> {
        self.tx.delete(list, idx).map_err(internal)
    }

    /// A list inside `obj`, made if missing.
    pub fn list(&mut self, obj: &ObjId, key: &str) -> R<ObjId> {
        match object(self.tx, obj, key, ObjType::List) {
            Some(l) => Ok(l),
            None => self
                .tx
                .put_object(obj, key, ObjType::List)
                .map_err(internal),
        }
    }

    /// Sets a list of strings (made if missing) to `values`, by the fewest
    /// inserts and deletes, so a concurrent change of another element
    /// survives.
    pub fn put_strings(&mut self, obj: &ObjId, key: &str, values: &[String]) -> R<()> {
        use similar::{Algorithm, DiffOp, capture_diff_slices};
        let old = strings(self.tx, obj, key);
        let list = self.list(obj, key)?;
        if old == values {
            return Ok(());
        }
        let mut at = 0usize;
        for op in capture_diff_slices(Algorithm::Myers, &old, values) {
            match op {
                DiffOp::Equal { len, .. } => at += len,
                DiffOp::Delete { old_len, .. } => {
                    for _ in 0..old_len {
                        self.tx.delete(&list, at).map_err(internal)?;
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for v in &values[new_index..new_index + new_len] {
                        self.tx.insert(&list, at, v.as_str()).map_err(internal)?;
                        at += 1;
                    }
                }
                DiffOp::Replace {
                    old_len,
                    new_index,
                    new_len,
                    ..
                } => {
                    for _ in 0..old_len {
                        self.tx.delete(&list, at).map_err(internal)?;
                    }
                    for v in &values[new_index..new_index + new_len] {
                        self.tx.insert(&list, at, v.as_str()).map_err(internal)?;
                        at += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Appends a map to a list inside `obj` (made if missing), with a fresh
    /// id (or `id`, for an import) in its `id` field.
    pub fn push(&mut self, obj: &ObjId, key: &str, id: Option<&str>) -> R<(ItemId, ObjId)> {
        let list = self.list(obj, key)?;
        let len = self.tx.length(&list);
        let item = self
            .tx
            .insert_object(&list, len, ObjType::Map)
            .map_err(internal)?;
        let id = id.map_or_else(|| (self.new_id)(), str::to_string);
        self.put_str(&item, "id", &id)?;
        Ok((ItemId::from(id), item))
    }

    /// A map inside an item, which every record of its kind is made with.
    pub fn sub_map(&mut self, obj: &ObjId, key: &str) -> R<ObjId> {
        object(self.tx, obj, key, ObjType::Map)
            .ok_or_else(|| damaged(format!("record has no '{key}' map")))
    }

    /// A new map under `key` in `obj` (replacing what was there).
    pub fn new_map(&mut self, obj: &ObjId, key: &str) -> R<ObjId> {
        self.tx.put_object(obj, key, ObjType::Map).map_err(internal)
    }
}
