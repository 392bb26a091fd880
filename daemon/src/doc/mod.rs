//! One mentoring plan as an Automerge document.
//!
//! [`PlanDoc`] wraps an [`Automerge`] document and is the only place that
//! knows its layout ([`layout`]). It creates plans, applies [`Edit`]s as
//! single changes with a readable message and a timestamp, reads views out,
//! and hands the storage layer the bytes of each new change. It does no IO.

mod access;
mod bundle;
mod history;
mod import;
pub(crate) mod layout;
mod read;
mod sync;
mod write;

use automerge::transaction::{CommitOptions, Transactable};
use std::cell::RefCell;

use automerge::{
    ActorId, Automerge, LoadOptions, ObjType, OnPartialLoad, ReadDoc, VerificationMode,
};
use jiff::Timestamp;
use tandem_proto::api::Item;
use tandem_proto::edit::{Edit, NewPlan};
use tandem_proto::model::{ActionStatus, LogEntry, Plan, PlanStatus, PlanSummary, Role};
use tandem_proto::{ApiError, SCHEMA_VERSION};

use layout::Collection;
pub use sync::{Received, change_messages};
pub(crate) use write::resolve_peer as resolve_member;
use write::{Target, Writer, internal};

/// Who edits on this device: recorded once per plan under `devices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The Automerge actor id used for every change made here.
    pub actor: ActorId,
    /// The user's name on this device.
    pub user: String,
    /// The device's host name.
    pub host: String,
    /// The device's libp2p PeerId (from its device key).
    pub peer: String,
}

/// A stored plan could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(String);

/// The result of a successful edit.
#[derive(Debug)]
pub struct Edited {
    /// The created or updated object, to send back to the client.
    pub item: Item,
    /// The encoded new change, to append to storage; `None` when nothing changed.
    pub change: Option<Vec<u8>>,
    /// The change's message, e.g. `goal add: Pass the MLS exam`.
    pub message: String,
}

/// A plan document, with a cache of its materialized view.
///
/// Reading a whole plan out of Automerge costs tens of milliseconds for a
/// few hundred goals, so the view is built once, on first read, and each
/// edit then updates only the object it touched. Anything that changes the
/// document another way (a merge) drops the cache.
#[derive(Debug)]
pub struct PlanDoc {
    doc: Automerge,
    cache: RefCell<Option<Plan>>,
}

/// Items of a plan view, kept sorted by (created_at, id) like the reader sorts them.
trait Keyed {
    fn key(&self) -> (Timestamp, &str);
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> (Timestamp, &str) { (self.created_at, &self.id) }
        }
    )*};
}
keyed!(
    tandem_proto::model::Goal,
    tandem_proto::model::Action,
    tandem_proto::model::Meeting,
    tandem_proto::model::Feedback,
    tandem_proto::model::JournalNote,
    tandem_proto::model::Contact,
    tandem_proto::model::Competency,
    tandem_proto::model::CeActivity,
    tandem_proto::model::Certification
);

/// Makes a template's steps; a milestone goes to the goal added as the
/// template's n-th.
fn seed(w: &mut Writer, steps: &[tandem_proto::template::Step]) -> Result<(), ApiError> {
    use tandem_proto::template::Step;
    let mut goals: Vec<String> = Vec::new();
    let start = w.now;
    for (n, step) in steps.iter().enumerate() {
        // Views list items by creation time: one millisecond apart, they keep
        // the template's order (they would otherwise sort by random id).
        w.now = start
            .checked_add(jiff::SignedDuration::from_millis(n as i64))
            .unwrap_or(start);
        let edit = match step {
            Step::Edit(e) => e.clone(),
            Step::Milestone { goal, title } => Edit::MilestoneAdd {
                goal: goals.get(*goal).cloned().ok_or_else(|| {
                    ApiError::new(
                        tandem_proto::ErrorCode::Invalid,
                        format!(
                            "template: a milestone names goal {} before it is added",
                            goal + 1
                        ),
                    )
                })?,
                title: title.clone(),
            },
        };
        let applied = w.apply(&edit)?;
        if let (Edit::GoalAdd(_), write::Target::Item(_, id)) = (&edit, &applied.target) {
            goals.push(id.clone());
        }
    }
    w.now = start;
    Ok(())
}

/// Replaces the item with the same id, or inserts it in order.
fn upsert<T: Keyed>(items: &mut Vec<T>, item: T) {
    match items.iter().position(|x| x.key().1 == item.key().1) {
        Some(i) if items[i].key() == item.key() => items[i] = item,
        found => {
            if let Some(i) = found {
                items.remove(i);
            }
            let at = items.partition_point(|x| x.key() < item.key());
            items.insert(at, item);
        }
    }
}

impl PlanDoc {
    /// Creates a plan with all its collections, as one change made by `device`.
    ///
    /// A template's steps ([`NewPlan::seed`]) are made in that same change,
    /// so a plan is stored whole or not at all.
    pub fn create(
        id: &str,
        new: &NewPlan,
        device: &Device,
        now: Timestamp,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<(PlanDoc, Vec<u8>), ApiError> {
        new.validate()?;
        let message = format!("plan new: {}", new.title);
        PlanDoc::build(id, new, device, now, message, new_id, |w| {
            seed(w, &new.seed)
        })
    }

    /// Makes a new plan's document as one change: the plan's fields, every
    /// collection, the creator as its first member, then whatever `fill` writes.
    fn build(
        id: &str,
        new: &NewPlan,
        device: &Device,
        now: Timestamp,
        message: String,
        new_id: &mut dyn FnMut() -> String,
        fill: impl FnOnce(&mut Writer) -> Result<(), ApiError>,
    ) -> Result<(PlanDoc, Vec<u8>), ApiError> {
        let mut doc = Automerge::new().with_actor(device.actor.clone());
        let actor_hex = device.actor.to_hex_string();
        let opts = CommitOptions::default()
            .with_message(message)
            .with_time(now.as_second());
        doc.transact_with(
            |_| opts,
            |tx| -> Result<(), ApiError> {
                let root = automerge::ROOT;
                tx.put(&root, "schema", SCHEMA_VERSION).map_err(internal)?;
                tx.put(&root, "id", id).map_err(internal)?;
                tx.put(&root, "title", new.title.as_str())
                    .map_err(internal)?;
                tx.put(&root, "mentor", new.mentor.as_str())
                    .map_err(internal)?;
                tx.put(&root, "mentee", new.mentee.as_str())
                    .map_err(internal)?;
                tx.put(&root, "status", PlanStatus::Active.as_str())
                    .map_err(internal)?;
                tx.put(
                    &root,
                    layout::CREATED_AT,
                    automerge::ScalarValue::Timestamp(now.as_millisecond()),
                )
                .map_err(internal)?;
                let agreement = tx
                    .put_object(&root, "agreement", ObjType::Map)
                    .map_err(internal)?;
                for key in [
                    "cadence",
                    "communication",
                    "confidentiality",
                    "expectations",
                ] {
                    tx.put_object(&agreement, key, ObjType::Text)
                        .map_err(internal)?;
                }
                for c in Collection::ALL {
                    tx.put_object(&root, c.key(), ObjType::Map)
                        .map_err(internal)?;
                }
                tx.put_object(&root, layout::DEVICES, ObjType::Map)
                    .map_err(internal)?;
                tx.put_object(&root, layout::MEMBERS, ObjType::Map)
                    .map_err(internal)?;
                tx.put_object(&root, layout::REMOVED, ObjType::Map)
                    .map_err(internal)?;
                let mut w = Writer { tx, now, new_id };
                // The creator's device is the first member, as the plan's mentor.
                let name = if new.mentor.trim().is_empty() {
                    device.user.clone()
                } else {
                    new.mentor.clone()
                };
                w.apply(&Edit::MemberAdd {
                    peer: device.peer.clone(),
                    name,
                    role: Role::Mentor,
                    device: device.host.clone(),
                })?;
                w.register_device(&actor_hex, &device.user, &device.host, &device.peer)?;
                fill(&mut w)
            },
        )
        .map_err(|f| f.error)?;
        let bytes = doc.save();
        Ok((PlanDoc::wrap(doc), bytes))
    }

    /// Loads a plan from its snapshot (if any) and the changes stored after it.
    ///
    /// Loading is strict: `Automerge::load_incremental` silently skips a
    /// chunk it cannot parse, which would hide lost edits, so everything is
    /// parsed as one byte stream with partial loads treated as errors.
    pub fn load<'a>(
        snapshot: Option<&[u8]>,
        changes: impl IntoIterator<Item = &'a [u8]>,
        actor: ActorId,
    ) -> Result<PlanDoc, LoadError> {
        let mut all = snapshot.map(<[u8]>::to_vec).unwrap_or_default();
        let mut count = 0usize;
        for bytes in changes {
            all.extend_from_slice(bytes);
            count += 1;
        }
        if all.is_empty() {
            return Err(LoadError("the stored plan holds no data".into()));
        }
        let opts = LoadOptions::new()
            .on_partial_load(OnPartialLoad::Error)
            .verification_mode(VerificationMode::Check);
        let doc = Automerge::load_with_options(&all, opts).map_err(|e| {
            let snap = if snapshot.is_some() {
                "the snapshot or "
            } else {
                ""
            };
            LoadError(format!(
                "{snap}one of {count} stored change(s) is unreadable: {e}"
            ))
        })?;
        // Changes whose dependencies are missing are held back by automerge and not applied.
        let missing = doc.get_missing_deps(&[]);
        if !missing.is_empty() {
            return Err(LoadError(format!(
                "{} stored change(s) depend on changes that are missing",
                missing.len()
            )));
        }
        Ok(PlanDoc::wrap(doc.with_actor(actor)))
    }

    /// Applies an edit as one change, attributed to `device` and timed `now`.
    ///
    /// On error the document is unchanged.
    pub fn apply(
        &mut self,
        edit: &Edit,
        device: &Device,
        now: Timestamp,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<Edited, ApiError> {
        edit.validate()?;
        let before = self.doc.get_heads();
        let actor_hex = device.actor.to_hex_string();
        let applied = self
            .doc
            .transact_with(
                |a: &write::Applied| {
                    CommitOptions::default()
                        .with_message(a.message.clone())
                        .with_time(now.as_second())
                },
                |tx| {
                    let mut w = Writer { tx, now, new_id };
                    let applied = w.apply(edit)?;
                    w.register_device(&actor_hex, &device.user, &device.host, &device.peer)?;
                    Ok::<_, ApiError>(applied)
                },
            )
            .map_err(|f| f.error)?;
        let change = applied.hash.map(|_| self.doc.save_after(&before));
        let item = self.refresh(&applied.result.target)?;
        Ok(Edited {
            item,
            change,
            message: applied.result.message,
        })
    }

    /// Wraps a document made elsewhere (a fork).
    pub(crate) fn from_automerge(doc: Automerge) -> PlanDoc {
        PlanDoc::wrap(doc)
    }

    fn wrap(doc: Automerge) -> PlanDoc {
        PlanDoc {
            doc,
            cache: RefCell::new(None),
        }
    }

    /// Reads the object an edit touched, and brings the cached view (if
    /// warm) up to date with it, so that each edit reads only that object.
    fn refresh(&self, target: &Target) -> Result<Item, ApiError> {
        let d = &self.doc;
        let mut guard = self.cache.borrow_mut();
        let cache = guard.as_mut();
        Ok(match target {
            Target::Plan => match cache {
                Some(p) => {
                    read::plan_fields(d, p);
                    Item::Plan(Box::new(p.clone()))
                }
                None => Item::Plan(Box::new(guard.insert(read::plan(d)).clone())),
            },
            Target::Agreement => {
                let a = read::agreement(d);
                if let Some(p) = cache {
                    p.agreement = a.clone();
                }
                Item::Agreement(a)
            }
            Target::Removed(c, id) => {
                if let Some(p) = cache {
                    macro_rules! drop_id {
                        ($vec:expr) => {
                            $vec.retain(|x| x.id != *id)
                        };
                    }
                    match c {
                        Collection::Goals => drop_id!(p.goals),
                        Collection::Actions => drop_id!(p.actions),
                        Collection::Meetings => drop_id!(p.meetings),
                        Collection::Feedback => drop_id!(p.feedback),
                        Collection::Notes => drop_id!(p.notes),
                        Collection::Contacts => drop_id!(p.contacts),
                        Collection::Competencies => drop_id!(p.competencies),
                        Collection::Ce => drop_id!(p.ce),
                        Collection::Certifications => drop_id!(p.certifications),
                    }
                }
                Item::Removed {
                    what: c.noun().to_string(),
                    id: id.clone(),
                }
            }
            Target::Member(peer) | Target::MemberRemoved(peer) => {
                let members = read::members(d);
                let item = match (target, members.iter().find(|m| m.peer == *peer)) {
                    (Target::Member(_), Some(m)) => Item::Member(m.clone()),
                    _ => Item::Removed {
                        what: "member".into(),
                        id: peer.clone(),
                    },
                };
                if let Some(p) = cache {
                    p.members = members;
                }
                item
            }
            Target::Item(c, id) => {
                let Some(obj) = read::item(d, *c, id) else {
                    // Gone (removed concurrently, in a merge): drop it from the cache too.
                    drop(guard);
                    return self.refresh(&Target::Removed(*c, id.clone()));
                };
                macro_rules! fresh {
                    ($field:ident, $reader:path, $variant:ident) => {{
                        let value = $reader(d, id, &obj);
                        if let Some(p) = cache {
                            upsert(&mut p.$field, value.clone());
                        }
                        Item::$variant(value)
                    }};
                }
                match c {
                    Collection::Goals => fresh!(goals, read::goal, Goal),
                    Collection::Actions => fresh!(actions, read::action, Action),
                    Collection::Meetings => fresh!(meetings, read::meeting, Meeting),
                    Collection::Feedback => fresh!(feedback, read::feedback, Feedback),
                    Collection::Notes => fresh!(notes, read::note, Note),
                    Collection::Contacts => fresh!(contacts, read::contact, Contact),
                    Collection::Competencies => {
                        fresh!(competencies, read::competency, Competency)
                    }
                    Collection::Ce => fresh!(ce, read::ce_activity, Ce),
                    Collection::Certifications => {
                        fresh!(certifications, read::certification, Certification)
                    }
                }
            }
        })
    }

    /// The whole plan (from the cache when it is warm).
    pub fn view(&self) -> Plan {
        self.cache
            .borrow_mut()
            .get_or_insert_with(|| read::plan(&self.doc))
            .clone()
    }

    /// The plan's line in the index.
    pub fn summary(&self, updated_at: Timestamp) -> PlanSummary {
        let cache = self.cache.borrow();
        let Some(p) = cache.as_ref() else {
            // Cold cache (a plan just received, say): read only what the summary needs.
            return self.summary_uncached(updated_at);
        };
        PlanSummary {
            id: p.id.clone(),
            title: p.title.clone(),
            mentor: p.mentor.clone(),
            mentee: p.mentee.clone(),
            status: p.status,
            goals: p.goals.len(),
            open_actions: p
                .actions
                .iter()
                .filter(|a| a.status != ActionStatus::Done)
                .count(),
            updated_at,
            current: false,
            error: None,
            members: p.members.iter().map(|m| m.peer.clone()).collect(),
        }
    }

    fn summary_uncached(&self, updated_at: Timestamp) -> PlanSummary {
        let d = &self.doc;
        let mut p = read::plan_shell();
        read::plan_fields(d, &mut p);
        let open_actions = read::ids(d, Collection::Actions)
            .iter()
            .filter_map(|id| read::item(d, Collection::Actions, id))
            .filter(|obj| read::string(d, obj, "status") != ActionStatus::Done.as_str())
            .count();
        PlanSummary {
            id: p.id,
            title: p.title,
            mentor: p.mentor,
            mentee: p.mentee,
            status: p.status,
            goals: read::ids(d, Collection::Goals).len(),
            open_actions,
            updated_at,
            current: false,
            error: None,
            members: read::members(d).into_iter().map(|m| m.peer).collect(),
        }
    }

    /// The plan's history, newest first, at most `limit` entries.
    pub fn log(&self, limit: usize) -> Vec<LogEntry> {
        history::log(&self.doc, limit)
    }

    /// A compact snapshot of the whole document.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// Whether `peer` is a member device of this plan.
    pub fn is_member(&self, peer: &str) -> bool {
        read::object(&self.doc, &automerge::ROOT, layout::MEMBERS, ObjType::Map)
            .is_some_and(|m| read::object(&self.doc, &m, peer, ObjType::Map).is_some())
    }

    /// The PeerIds of the plan's member devices.
    pub fn member_peers(&self) -> Vec<String> {
        read::object(&self.doc, &automerge::ROOT, layout::MEMBERS, ObjType::Map)
            .map(|m| self.doc.keys(&m).collect())
            .unwrap_or_default()
    }

    /// The underlying document (read-only).
    pub fn automerge(&self) -> &Automerge {
        &self.doc
    }

    /// Merges another replica of the same plan into this one (used by tests and, later, sync).
    pub fn merge(&mut self, other: &mut PlanDoc) -> Result<(), ApiError> {
        self.cache.take();
        self.doc.merge(&mut other.doc).map(|_| ()).map_err(internal)
    }

    /// A copy of this replica under another actor id, as a second device would hold it.
    pub fn fork(&self, actor: ActorId) -> PlanDoc {
        PlanDoc::wrap(self.doc.fork().with_actor(actor))
    }
}

#[cfg(test)]
pub(crate) mod tests;
