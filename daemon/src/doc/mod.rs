//! One mentoring plan as an Automerge document.
//!
//! [`PlanDoc`] wraps an [`Automerge`] document. It creates plans, applies
//! [`Edit`]s as single changes with a readable message and a timestamp,
//! reads views out (keeping a cache of the whole view), and hands the
//! storage layer the bytes of each new change. It does no IO. How each kind
//! of item is read and written is that kind's own module in
//! `tandem_proto::items` (see [`layout`]); this module only runs them.

mod access;
mod bundle;
mod devices;
mod history;
mod import;
pub(crate) mod layout;
mod resolve;
mod sync;
mod touched;
mod undo;

pub use undo::LIST_MAX as UNDO_LIST_MAX;

use automerge::transaction::{CommitOptions, Transactable};
use std::cell::RefCell;

use automerge::{
    ActorId, Automerge, LoadOptions, ObjType, OnPartialLoad, ReadDoc, VerificationMode,
};
use jiff::Timestamp;
use tandem_proto::ApiError;
use tandem_proto::api::{Item, Shared};
use tandem_proto::edit::{Edit, GoalOp, MemberOp, MilestoneOp, NewMember, NewPlan};
use tandem_proto::items::doc::{Target, Writer, internal, object, string};
use tandem_proto::items::{self, action, goal, member};
use tandem_proto::model::{ActionStatus, LogEntry, Plan, PlanSummary, Role};

pub use sync::{Received, change_messages};

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
/// document another way (a merge) drops the cache. The view is [`Shared`]:
/// a read hands out a pointer to it, not a copy, and its JSON is made once
/// by the first connection that sends it, until the next change.
#[derive(Debug)]
pub struct PlanDoc {
    doc: Automerge,
    cache: RefCell<Option<Shared<Plan>>>,
}

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
            Step::Milestone { goal, title } => Edit::Milestone(MilestoneOp::Add {
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
            }),
        };
        let applied = edit.apply(w)?;
        if let (Edit::Goal(GoalOp::Add(_)), Target::Item(_, id)) = (&edit, &applied.target) {
            goals.push(id.to_string());
        }
    }
    w.now = start;
    Ok(())
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
                tx.put_object(&automerge::ROOT, layout::DEVICES, ObjType::Map)
                    .map_err(internal)?;
                // The creator's device is the first member, as the plan's mentor.
                let name = if new.mentor.trim().is_empty() {
                    device.user.clone()
                } else {
                    new.mentor.clone()
                };
                let mut w = Writer {
                    tx,
                    now,
                    new_id,
                    author: name.clone(),
                };
                items::plan::write_new(&mut w, id, new)?;
                Edit::Member(MemberOp::Add(NewMember {
                    peer: device.peer.clone().into(),
                    name,
                    role: Role::Mentor,
                    device: device.host.clone(),
                }))
                .apply(&mut w)?;
                devices::register(&mut w, &actor_hex, &device.user, &device.host, &device.peer)?;
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
        let author = self
            .member_name(&device.peer)
            .unwrap_or_else(|| device.user.clone());
        let applied = self
            .doc
            .transact_with(
                |a: &items::doc::Applied| {
                    CommitOptions::default()
                        .with_message(a.message.clone())
                        .with_time(now.as_second())
                },
                |tx| {
                    let mut w = Writer {
                        tx,
                        now,
                        new_id,
                        author: author.clone(),
                    };
                    let applied = edit.apply(&mut w)?;
                    devices::register(
                        &mut w,
                        &actor_hex,
                        &device.user,
                        &device.host,
                        &device.peer,
                    )?;
                    Ok::<_, ApiError>(applied)
                },
            )
            .map_err(|f| f.error)?;
        let change = applied.hash.map(|_| self.doc.save_after(&before));
        let item = self.refresh(&applied.result.target);
        Ok(Edited {
            item,
            change,
            message: applied.result.message,
        })
    }

    /// The name the plan's membership gives the person of device `peer`.
    pub(crate) fn member_name(&self, peer: &str) -> Option<String> {
        let obj = items::doc::item(&self.doc, items::member::KEY, peer)?;
        Some(items::doc::string(&self.doc, &obj, "name")).filter(|n| !n.is_empty())
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
    fn refresh(&self, target: &Target) -> Item {
        let mut guard = self.cache.borrow_mut();
        match (target, guard.as_mut()) {
            // A cold cache and the whole plan asked for: read it once, keep it.
            (Target::Plan, None) => {
                let p = guard.insert(Shared::new(items::read_plan(&self.doc)));
                Item::Plan(Box::new(Plan::clone(p)))
            }
            (_, cache) => items::refresh(&self.doc, cache.map(Shared::make_mut), target),
        }
    }

    /// The whole plan (from the cache when it is warm): shared, not copied.
    pub fn view(&self) -> Shared<Plan> {
        self.cache
            .borrow_mut()
            .get_or_insert_with(|| Shared::new(items::read_plan(&self.doc)))
            .clone()
    }

    /// A copy of the whole plan, for tests to compare and change.
    #[cfg(test)]
    pub fn plan(&self) -> Plan {
        Plan::clone(&self.view())
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
        let mut p = Plan::empty();
        items::plan::read_fields(d, &mut p);
        let open_actions =
            object(d, &automerge::ROOT, action::KEY, ObjType::Map).map_or(0, |actions| {
                d.keys(&actions)
                    .filter_map(|id| object(d, &actions, &id, ObjType::Map))
                    .filter(|obj| string(d, obj, "status") != ActionStatus::Done.as_str())
                    .count()
            });
        PlanSummary {
            id: p.id,
            title: p.title,
            mentor: p.mentor,
            mentee: p.mentee,
            status: p.status,
            goals: items::count_of(d, goal::KEY),
            open_actions,
            updated_at,
            current: false,
            error: None,
            members: member::read_all(d).into_iter().map(|m| m.peer).collect(),
        }
    }

    /// The plan's history, newest first, at most `limit` entries.
    pub fn log(&self, limit: usize) -> Vec<LogEntry> {
        history::log(&self.doc, limit, None)
    }

    /// The newest `limit` changes that touched the item `id`, newest first.
    pub fn item_log(&self, id: &str, limit: usize) -> Vec<LogEntry> {
        history::log(&self.doc, limit, Some(id))
    }

    /// A compact snapshot of the whole document.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// Whether `peer` is a member device of this plan.
    pub fn is_member(&self, peer: &str) -> bool {
        object(&self.doc, &automerge::ROOT, member::KEY, ObjType::Map)
            .is_some_and(|m| object(&self.doc, &m, peer, ObjType::Map).is_some())
    }

    /// The PeerIds of the plan's member devices.
    pub fn member_peers(&self) -> Vec<String> {
        object(&self.doc, &automerge::ROOT, member::KEY, ObjType::Map)
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

#[cfg(test)]
mod roundtrip_tests;

#[cfg(test)]
mod same_checks_tests;

#[cfg(test)]
mod undo_tests;

#[cfg(test)]
mod conflict_tests;
