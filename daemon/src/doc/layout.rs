//! The layout of a plan's Automerge document (schema version 1).
//!
//! ```text
//! ROOT
//!   schema: uint                 tandem_proto::SCHEMA_VERSION
//!   id, title, mentor, mentee: str
//!   status: str                  active | completed | archived
//!   created_at: timestamp (ms)
//!   agreement: map { cadence, communication, confidentiality, expectations: text }
//!   goals:    map id -> { title: str, description: text, category: str, status: str,
//!                         target_date: str (YYYY-MM-DD, absent if none),
//!                         success_criteria: text, progress: uint (absent = from milestones),
//!                         milestones: list of { id, title: str, done: bool, done_at: timestamp },
//!                         created_by: str, created_at, updated_at: timestamp }
//!   actions:  map id -> { title, owner, status: str, due: str, goal, meeting: str (ids),
//!                         notes: text, created_at, updated_at, done_at: timestamp }
//!   meetings: map id -> { start: str (RFC 9557), duration_minutes: uint, location: str,
//!                         agenda: list of { id, text: str }, notes: text, status: str,
//!                         created_at, updated_at: timestamp }
//!   feedback: map id -> { author, goal, kind: str, body: text, created_at }
//!   notes:    map id -> { author: str, body: text, tags: list of str, created_at }
//!   contacts: map id -> { name, organization, how_met, introduced_by: str, notes: text, created_at }
//!   members:  map peer-id -> { name, role, device: str, added_at }   who may hold the plan
//!   removed:  map peer-id -> { name, role: str, removed_at }   devices removed, so that one
//!             that was offline is told of its removal when it comes back (absent in plans
//!             made before it existed: created with the first removal)
//!   devices:  map actor-hex -> { user, host, peer: str }   who is behind each Automerge actor
//! ```
//!
//! Items live in maps keyed by random ids, so concurrent adds and removes
//! merge cleanly; long texts are Automerge text, so concurrent edits of one
//! text merge character by character. Every collection map is created with
//! the plan, never lazily: two devices creating the same map concurrently
//! would make one of them lose its children.

/// Creation time of an item (and of the plan, at the root).
pub(crate) const CREATED_AT: &str = "created_at";
/// Last change of an item.
pub(crate) const UPDATED_AT: &str = "updated_at";
/// Who is behind each actor id.
pub(crate) const DEVICES: &str = "devices";
/// When competencies fall due again: a JSON `Schedule` (one register, last writer wins).
pub(crate) const COMPETENCY_SCHEDULE: &str = "competency_schedule";
/// The member devices, keyed by PeerId.
pub(crate) const MEMBERS: &str = "members";
/// Devices removed from the plan, keyed by PeerId.
pub(crate) const REMOVED: &str = "removed";

/// A top-level map of items keyed by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collection {
    Goals,
    Actions,
    Meetings,
    Feedback,
    Notes,
    Contacts,
    Competencies,
    Ce,
    Certifications,
}

impl Collection {
    pub(crate) const ALL: [Collection; 9] = [
        Collection::Goals,
        Collection::Actions,
        Collection::Meetings,
        Collection::Feedback,
        Collection::Notes,
        Collection::Contacts,
        Collection::Competencies,
        Collection::Ce,
        Collection::Certifications,
    ];

    /// Collections added after schema 1 plans were first made: such a plan
    /// gets the map on first use (new plans have it from the start).
    pub(crate) fn added_later(self) -> bool {
        matches!(
            self,
            Collection::Competencies | Collection::Ce | Collection::Certifications
        )
    }

    /// Its key under the root.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Collection::Goals => "goals",
            Collection::Actions => "actions",
            Collection::Meetings => "meetings",
            Collection::Feedback => "feedback",
            Collection::Notes => "notes",
            Collection::Contacts => "contacts",
            Collection::Competencies => "competencies",
            Collection::Ce => "ce",
            Collection::Certifications => "certifications",
        }
    }

    /// What one item is called in messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Collection::Goals => "goal",
            Collection::Actions => "action",
            Collection::Meetings => "meeting",
            Collection::Feedback => "feedback",
            Collection::Notes => "note",
            Collection::Contacts => "contact",
            Collection::Competencies => "competency",
            Collection::Ce => "CE activity",
            Collection::Certifications => "certification",
        }
    }
}
