//! A plan's history: who changed what, and when.
//!
//! Every change carries the device's actor id, a timestamp (seconds) and a
//! readable message; the `devices` map of the document ties each actor id
//! to a PeerId, and the membership (current members, then the record of
//! removed ones) names the person, their role and the device's label.

use automerge::Automerge;
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
            (None, Some(peer)) => format!("device {}", &peer[..peer.len().min(12)]),
            (None, None) => format!("device {}", &actor[..actor.len().min(8)]),
        }
    }
}

/// The newest `limit` changes, newest first.
pub(crate) fn log(doc: &Automerge, limit: usize) -> Vec<LogEntry> {
    let mut authors: std::collections::HashMap<String, Author> = Default::default();
    let metas = doc.get_changes_meta(&[]);
    metas
        .iter()
        .rev()
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
            }
        })
        .collect()
}
