//! A plan's history: who changed what, and when.
//!
//! Every change carries the device's actor id, a timestamp (seconds) and a
//! readable message; the `devices` map of the document ties each actor id
//! to a PeerId, and the membership (current members, then the record of
//! removed ones) names the person, their role and the device's label.

use automerge::PatchAction;
use automerge::{Automerge, ChangeHash, Prop};
use jiff::Timestamp;
use tandem_proto::items::doc::{parsed, string};
use tandem_proto::items::member::{self, Role};
use tandem_proto::model::LogEntry;

/// Who is behind an actor, as far as the plan knows.
struct Author {
    peer: Option<String>,
    name: Option<String>,
    role: Option<Role>,
    device: Option<String>,
}

impl Author {
    /// Resolves `actor` through the `devices` map and the membership.
    fn of(doc: &Automerge, actor: &str) -> Author {
        let Some((_, host, peer)) = super::devices::of(doc, actor) else {
            return Author {
                peer: None,
                name: None,
                role: None,
                device: None,
            };
        };
        let record = tandem_proto::items::doc::item(doc, member::KEY, &peer)
            .map(|m| (m, true))
            .or_else(|| member::removal_record(doc, &peer).map(|m| (m, false)));
        let Some((obj, current)) = record else {
            return Author {
                peer: Some(peer).filter(|p| !p.is_empty()),
                name: None,
                role: None,
                device: Some(host).filter(|h| !h.is_empty()),
            };
        };
        let label = if current {
            string(doc, &obj, "device")
        } else {
            String::new()
        };
        Author {
            peer: Some(peer),
            name: Some(string(doc, &obj, "name")).filter(|n| !n.is_empty()),
            role: Some(parsed(doc, &obj, "role", Role::Observer)),
            device: Some(if label.is_empty() { host } else { label }).filter(|d| !d.is_empty()),
        }
    }

    /// "Dana (mentor, laptop)"; a device the plan cannot name by its PeerId
    /// or, failing that, its actor id.
    fn display(&self, actor: &str) -> String {
        match (&self.name, &self.peer) {
            (Some(name), _) => {
                let mut parts: Vec<String> = self.role.iter().map(|r| r.to_string()).collect();
                parts.extend(self.device.clone());
                format!("{name} ({})", parts.join(", "))
            }
            // `get`, not slicing: a peer string from a document may be any text.
            (None, Some(peer)) => format!("device {}", peer.get(..12).unwrap_or(peer)),
            (None, None) => format!("device {}", tandem_proto::ids::short(actor)),
        }
    }
}

/// The newest `limit` changes, newest first; with `item`, only those that
/// touched it (made, changed or removed it, or any of its parts).
pub(crate) fn log(doc: &Automerge, limit: usize, item: Option<&str>) -> Vec<LogEntry> {
    let mut authors: std::collections::HashMap<String, Author> = Default::default();
    let metas = doc.get_changes_meta(&[]);
    metas
        .iter()
        .rev()
        .filter(|m| item.is_none_or(|id| touches(doc, &m.deps, m.hash, id)))
        .take(limit)
        .map(|m| {
            let actor = m.actor.to_hex_string();
            let author = authors
                .entry(actor.clone())
                .or_insert_with(|| Author::of(doc, &actor));
            LogEntry {
                hash: m.hash.to_string(),
                author: author.display(&actor),
                peer: author.peer.clone().map(Into::into),
                name: author.name.clone(),
                role: author.role,
                device: author.device.clone(),
                actor,
                time: Timestamp::from_second(m.timestamp).unwrap_or(Timestamp::UNIX_EPOCH),
                message: m.message.as_deref().unwrap_or("").to_string(),
                changes: item.map_or_else(Vec::new, |id| field_changes(doc, &m.deps, m.hash, id)),
            }
        })
        .collect()
}

/// The item `id` (any kind, or a part of one) as JSON, in the document as
/// it was at `heads`.
fn item_at(doc: &Automerge, heads: &[ChangeHash], id: &str) -> Option<serde_json::Value> {
    let then = doc.fork_at(heads).ok()?;
    let plan = serde_json::to_value(tandem_proto::items::read_plan(&then)).ok()?;
    find(&plan, id).cloned()
}

/// The object anywhere in `v` whose `id` is `id`.
fn find<'v>(v: &'v serde_json::Value, id: &str) -> Option<&'v serde_json::Value> {
    match v {
        serde_json::Value::Object(m) if m.get("id").and_then(|i| i.as_str()) == Some(id) => Some(v),
        serde_json::Value::Object(m) => m.values().find_map(|x| find(x, id)),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find(x, id)),
        _ => None,
    }
}

/// Every leaf of `v` as (path, text): `title`, `assessments[2].method`.
fn leaves(
    v: &serde_json::Value,
    path: String,
    out: &mut std::collections::BTreeMap<String, String>,
) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(path, s.clone());
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

/// What the change `hash` (on top of `deps`) did to each field of item
/// `id`: old and new values, read from the document before and after it.
/// Times of last change (`updated_at`) are left out: every edit moves them.
fn field_changes(
    doc: &Automerge,
    deps: &[ChangeHash],
    hash: ChangeHash,
    id: &str,
) -> Vec<tandem_proto::model::FieldChange> {
    let mut before = std::collections::BTreeMap::new();
    let mut after = std::collections::BTreeMap::new();
    if let Some(v) = item_at(doc, deps, id) {
        leaves(&v, String::new(), &mut before);
    }
    if let Some(v) = item_at(doc, &[hash], id) {
        leaves(&v, String::new(), &mut after);
    }
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| !k.ends_with("updated_at"))
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| tandem_proto::model::FieldChange {
            field: k.clone(),
            old: before.get(k).cloned(),
            new: after.get(k).cloned(),
        })
        .collect()
}

/// Whether the change `hash` (made on top of `deps`) touched the item
/// `id`: its own patches name the item's key on their path, or put or
/// delete that key (items are kept under their id in their kind's map, and
/// ids are random, so no other key is the same).
fn touches(doc: &Automerge, deps: &[ChangeHash], hash: ChangeHash, id: &str) -> bool {
    doc.diff(deps, &[hash]).iter().any(|p| {
        let on_path = p
            .path
            .iter()
            .any(|(_, prop)| matches!(prop, Prop::Map(k) if k == id));
        on_path
            || matches!(&p.action, PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } if key == id)
    })
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc};

    use super::super::tests::new_plan;

    #[test]
    fn a_device_named_in_any_text_is_shown_without_a_panic() {
        let mut d = new_plan();
        // A peer's document may hold anything under `devices`: a PeerId of
        // many-byte characters (a slice at byte 12 would split one).
        let actor = automerge::ActorId::from(vec![9u8; 16]);
        let mut doc = d.doc.fork().with_actor(actor.clone());
        let mut tx = doc.transaction();
        let (_, devices) = tx.get(automerge::ROOT, "devices").unwrap().unwrap();
        let dev = tx
            .put_object(&devices, actor.to_hex_string(), ObjType::Map)
            .unwrap();
        tx.put(&dev, "peer", "aéééééééééééé").unwrap();
        tx.put(automerge::ROOT, "title", "x").unwrap();
        tx.commit();
        d.doc.merge(&mut doc).unwrap();
        let log = super::log(&d.doc, 1, None);
        assert_eq!(log[0].author, "device aéééééééééééé");
    }
}
