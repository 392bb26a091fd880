//! A plan's history: who changed what, and when.
//!
//! Every change carries the device's actor id, a timestamp (seconds) and a
//! readable message; the `devices` map of the document names the person
//! and host behind each actor id.

use automerge::Automerge;
use jiff::Timestamp;
use tandem_proto::model::LogEntry;

/// The newest `limit` changes, newest first.
pub(crate) fn log(doc: &Automerge, limit: usize) -> Vec<LogEntry> {
    let author = |actor: &str| -> String {
        match super::devices::of(doc, actor) {
            Some((user, host, _)) => format!("{user}@{host}"),
            None => format!("device {}", &actor[..actor.len().min(8)]),
        }
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
