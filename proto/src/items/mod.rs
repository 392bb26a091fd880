//! Every kind of plan item, each defined in one module, and the registry
//! that lists them all once.
//!
//! A kind's module holds everything about it: its view (what `--json`
//! prints and the export carries), the values of its closed sets, the
//! payloads of its edits and the [`Edit`] operations on it (one naming
//! scheme: `add`, `edit`, `rm`), its validation (one `check` function,
//! called by edits, imports and anything else that writes), and — with the
//! `doc` feature, which the daemon uses — its document keys, how it is
//! read, written and patched, its change messages and what it reports to
//! watchers.
//!
//! Kinds kept in a keyed map at the document's root (goals, actions,
//! meetings, feedback, notes, contacts, competencies, CE activities,
//! certifications) implement [`Collected`], so reading a plan, importing
//! one, checking an import and refreshing a cached view are written once,
//! here, for all of them. The parts of an item (milestones of a goal, the
//! agenda of a meeting, assessments and sign-offs of a competency) have
//! modules of their own too, used by their parent's.
//!
//! **Adding a kind** (the checklist is in ARCHITECTURE.md): its module
//! here; a variant in [`ItemKind`], [`Edit`] and [`Item`]; its list in
//! [`plan::Plan`]; its lines in [`read_plan`], [`write_plan`],
//! [`check_plan`] and [`refresh`] (exhaustive matches make a forgotten
//! one a compile error); its CLI module.

pub mod action;
pub mod agenda;
pub mod agreement;
pub mod assessment;
pub mod ce;
pub mod certification;
pub mod competency;
pub mod contact;
#[cfg(feature = "doc")]
pub mod doc;
pub mod feedback;
pub mod fields;
pub mod goal;
pub mod meeting;
pub mod member;
pub mod milestone;
pub mod note;
pub mod plan;
pub mod signoff;

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::export::ImportError;
use crate::ids::{ItemId, PeerId};
use crate::string_enum;
use fields::{ValidationError, bad};
use plan::Plan;

string_enum!(
    /// Every kind of thing in a plan, as it travels (in watch events,
    /// removals, errors) and as the CLI names it.
    ItemKind, "item kind", {
    /// The plan's own fields.
    Plan => "plan",
    /// The mentoring agreement.
    Agreement => "agreement",
    /// A goal.
    Goal => "goal",
    /// A milestone of a goal.
    Milestone => "milestone",
    /// An action item.
    Action => "action",
    /// A meeting.
    Meeting => "meeting",
    /// An item of a meeting's agenda.
    AgendaItem => "agenda_item",
    /// Feedback.
    Feedback => "feedback",
    /// A journal note.
    Note => "note",
    /// A networking contact.
    Contact => "contact",
    /// A competency record.
    Competency => "competency",
    /// An assessment of one competency element.
    Assessment => "assessment",
    /// A signed sign-off of a competency.
    Signoff => "signoff",
    /// A continuing-education activity.
    Ce => "ce",
    /// A certification.
    Certification => "certification",
    /// A member device.
    Member => "member",
});

impl ItemKind {
    /// What one of them is called in messages for people.
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::Plan => "plan",
            ItemKind::Agreement => "agreement",
            ItemKind::Goal => "goal",
            ItemKind::Milestone => "milestone",
            ItemKind::Action => "action",
            ItemKind::Meeting => "meeting",
            ItemKind::AgendaItem => "agenda item",
            ItemKind::Feedback => "feedback",
            ItemKind::Note => "note",
            ItemKind::Contact => "contact",
            ItemKind::Competency => "competency",
            ItemKind::Assessment => "assessment",
            ItemKind::Signoff => "sign-off",
            ItemKind::Ce => "CE activity",
            ItemKind::Certification => "certification",
            ItemKind::Member => "member",
        }
    }
}

/// A mutation of one plan, by kind. Each becomes one Automerge change with
/// a readable message. On the wire: `{"goal": {"op": "add", ...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    /// The plan's own fields.
    Plan(plan::PlanOp),
    /// The agreement.
    Agreement(agreement::AgreementOp),
    /// Goals.
    Goal(goal::GoalOp),
    /// Milestones of a goal.
    Milestone(milestone::MilestoneOp),
    /// Action items.
    Action(action::ActionOp),
    /// Meetings.
    Meeting(meeting::MeetingOp),
    /// Agenda items of a meeting.
    Agenda(agenda::AgendaOp),
    /// Feedback.
    Feedback(feedback::FeedbackOp),
    /// Journal notes.
    Note(note::NoteOp),
    /// Contacts.
    Contact(contact::ContactOp),
    /// Competency records.
    Competency(competency::CompetencyOp),
    /// Assessments of competency elements.
    Assessment(assessment::AssessmentOp),
    /// Sign-offs of competencies.
    Signoff(signoff::SignoffOp),
    /// CE activities.
    Ce(ce::CeOp),
    /// Certifications.
    Certification(certification::CertificationOp),
    /// Member devices.
    Member(member::MemberOp),
}

impl Edit {
    /// Checks every field. Ids are checked against the plan by the daemon.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Edit::Plan(op) => op.validate(),
            Edit::Agreement(op) => op.validate(),
            Edit::Goal(op) => op.validate(),
            Edit::Milestone(op) => op.validate(),
            Edit::Action(op) => op.validate(),
            Edit::Meeting(op) => op.validate(),
            Edit::Agenda(op) => op.validate(),
            Edit::Feedback(op) => op.validate(),
            Edit::Note(op) => op.validate(),
            Edit::Contact(op) => op.validate(),
            Edit::Competency(op) => op.validate(),
            Edit::Assessment(op) => op.validate(),
            Edit::Signoff(op) => op.validate(),
            Edit::Ce(op) => op.validate(),
            Edit::Certification(op) => op.validate(),
            Edit::Member(op) => op.validate(),
        }
    }

    /// Applies the edit inside an open transaction.
    #[cfg(feature = "doc")]
    pub fn apply(&self, w: &mut doc::Writer) -> doc::R<doc::Applied> {
        match self {
            Edit::Plan(op) => op.apply(w),
            Edit::Agreement(op) => op.apply(w),
            Edit::Goal(op) => op.apply(w),
            Edit::Milestone(op) => op.apply(w),
            Edit::Action(op) => op.apply(w),
            Edit::Meeting(op) => op.apply(w),
            Edit::Agenda(op) => op.apply(w),
            Edit::Feedback(op) => op.apply(w),
            Edit::Note(op) => op.apply(w),
            Edit::Contact(op) => op.apply(w),
            Edit::Competency(op) => op.apply(w),
            Edit::Assessment(op) => op.apply(w),
            Edit::Signoff(op) => op.apply(w),
            Edit::Ce(op) => op.apply(w),
            Edit::Certification(op) => op.apply(w),
            Edit::Member(op) => op.apply(w),
        }
    }
}

/// An object created, updated or removed by an [`Edit`], as the reply to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "item", rename_all = "snake_case")]
pub enum Item {
    /// The plan (after a plan update).
    Plan(Box<Plan>),
    /// The agreement.
    Agreement(agreement::Agreement),
    /// A goal.
    Goal(goal::Goal),
    /// An action item.
    Action(action::Action),
    /// A meeting.
    Meeting(meeting::Meeting),
    /// Feedback.
    Feedback(feedback::Feedback),
    /// A journal note.
    Note(note::JournalNote),
    /// A contact.
    Contact(contact::Contact),
    /// A competency record.
    Competency(competency::Competency),
    /// A CE activity.
    Ce(ce::CeActivity),
    /// A certification.
    Certification(certification::Certification),
    /// A member device.
    Member(member::Member),
    /// Something was removed.
    Removed {
        /// What kind of thing.
        what: ItemKind,
        /// Its id (a PeerId for a member).
        id: String,
    },
}

impl Item {
    /// The id of what an edit touched, for events (none for the agreement).
    pub fn id(&self) -> Option<String> {
        Some(match self {
            Item::Plan(p) => p.id.to_string(),
            Item::Agreement(_) => return None,
            Item::Goal(x) => x.id.to_string(),
            Item::Action(x) => x.id.to_string(),
            Item::Meeting(x) => x.id.to_string(),
            Item::Feedback(x) => x.id.to_string(),
            Item::Note(x) => x.id.to_string(),
            Item::Contact(x) => x.id.to_string(),
            Item::Competency(x) => x.id.to_string(),
            Item::Ce(x) => x.id.to_string(),
            Item::Certification(x) => x.id.to_string(),
            Item::Member(m) => m.peer.to_string(),
            Item::Removed { id, .. } => id.clone(),
        })
    }
}

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
    check_all(&p.goals)?;
    check_all(&p.actions)?;
    check_all(&p.meetings)?;
    check_all(&p.feedback)?;
    check_all(&p.notes)?;
    check_all(&p.contacts)?;
    check_all(&p.competencies)?;
    check_all(&p.ce)?;
    check_all(&p.certifications)?;
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

/// Every item of kind `K` in the document, in view order.
#[cfg(feature = "doc")]
pub fn read_all<K: Collected, R: automerge::ReadDoc>(d: &R) -> Vec<K> {
    doc::all(d, K::KEY, K::read)
}

/// Reads the whole plan.
#[cfg(feature = "doc")]
pub fn read_plan<R: automerge::ReadDoc>(d: &R) -> Plan {
    let mut p = Plan::empty();
    plan::read_fields(d, &mut p);
    p.agreement = agreement::read(d);
    p.goals = read_all(d);
    p.actions = read_all(d);
    p.meetings = read_all(d);
    p.feedback = read_all(d);
    p.notes = read_all(d);
    p.contacts = read_all(d);
    p.competencies = read_all(d);
    p.ce = read_all(d);
    p.certifications = read_all(d);
    p.members = member::read_all(d);
    p
}

/// Writes every item of an exported plan into a new plan's document, with
/// its id and times (the inverse of [`read_plan`]; members are not taken).
#[cfg(feature = "doc")]
pub fn write_plan(w: &mut doc::Writer, p: &Plan) -> doc::R<()> {
    plan::write_imported(w, p)?;
    agreement::write(w, &p.agreement)?;
    p.goals.iter().try_for_each(|x| x.write(w))?;
    p.actions.iter().try_for_each(|x| x.write(w))?;
    p.meetings.iter().try_for_each(|x| x.write(w))?;
    p.feedback.iter().try_for_each(|x| x.write(w))?;
    p.notes.iter().try_for_each(|x| x.write(w))?;
    p.contacts.iter().try_for_each(|x| x.write(w))?;
    p.competencies.iter().try_for_each(|x| x.write(w))?;
    p.ce.iter().try_for_each(|x| x.write(w))?;
    p.certifications.iter().try_for_each(|x| x.write(w))
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
            }
            value.into_item()
        }
        None => {
            if let Some(p) = cache {
                K::in_plan_mut(p).retain(|x| x.id() != id);
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
            }
            item
        }
        Target::Item(kind, id) | Target::Removed(kind, id) => match kind {
            ItemKind::Goal | ItemKind::Milestone => refresh_one::<goal::Goal, R>(d, cache, id),
            ItemKind::Action => refresh_one::<action::Action, R>(d, cache, id),
            ItemKind::Meeting | ItemKind::AgendaItem => {
                refresh_one::<meeting::Meeting, R>(d, cache, id)
            }
            ItemKind::Feedback => refresh_one::<feedback::Feedback, R>(d, cache, id),
            ItemKind::Note => refresh_one::<note::JournalNote, R>(d, cache, id),
            ItemKind::Contact => refresh_one::<contact::Contact, R>(d, cache, id),
            ItemKind::Competency | ItemKind::Assessment | ItemKind::Signoff => {
                refresh_one::<competency::Competency, R>(d, cache, id)
            }
            ItemKind::Ce => refresh_one::<ce::CeActivity, R>(d, cache, id),
            ItemKind::Certification => refresh_one::<certification::Certification, R>(d, cache, id),
            ItemKind::Plan | ItemKind::Agreement | ItemKind::Member => {
                // Not kept in a keyed map: their targets are the ones above.
                refresh(d, cache, &Target::Plan)
            }
        },
    }
}

/// The collection (kind and root key) a document root key belongs to, for
/// naming what a merge touched.
#[cfg(feature = "doc")]
pub fn kind_of_key(key: &str) -> Option<ItemKind> {
    Some(match key {
        goal::KEY => ItemKind::Goal,
        action::KEY => ItemKind::Action,
        meeting::KEY => ItemKind::Meeting,
        feedback::KEY => ItemKind::Feedback,
        note::KEY => ItemKind::Note,
        contact::KEY => ItemKind::Contact,
        competency::KEY => ItemKind::Competency,
        ce::KEY => ItemKind::Ce,
        certification::KEY => ItemKind::Certification,
        _ => return None,
    })
}

/// The root keys of every collection, made with each new plan.
pub const COLLECTION_KEYS: [&str; 9] = [
    goal::KEY,
    action::KEY,
    meeting::KEY,
    feedback::KEY,
    note::KEY,
    contact::KEY,
    competency::KEY,
    ce::KEY,
    certification::KEY,
];

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
