//! A plan's history: who changed what, and when.
//!
//! Every change carries the device's actor id, a timestamp (seconds) and a
//! readable message; the `devices` map of the document names the person
//! and host behind each actor id.

use automerge::{Automerge, ObjType};
use jiff::Timestamp;
use tandem_proto::model::LogEntry;

use super::layout::DEVICES;
use super::read;

/// The newest `limit` changes, newest first.
pub(crate) fn log(doc: &Automerge, limit: usize) -> Vec<LogEntry> {
    let devices = read::object(doc, &automerge::ROOT, DEVICES, ObjType::Map);
    let author = |actor: &str| -> String {
        let Some(dev) = devices
            .as_ref()
            .and_then(|d| read::object(doc, d, actor, ObjType::Map))
        else {
            return format!("device {}", &actor[..actor.len().min(8)]);
        };
        let user = read::string(doc, &dev, "user");
        let host = read::string(doc, &dev, "host");
        format!("{user}@{host}")
    };
    let metas = doc.get_changes_meta(&[]);
    metas
        .iter()
        .rev()
        .take(limit)
        .map(|m| {
            let actor = m.actor.to_hex_string();
            LogEntry {
                hash: m.hash.to_string(),
                author: author(&actor),
                actor,
                time: Timestamp::from_second(m.timestamp).unwrap_or(Timestamp::UNIX_EPOCH),
                message: m.message.as_deref().unwrap_or("").to_string(),
            }
        })
        .collect()
}
