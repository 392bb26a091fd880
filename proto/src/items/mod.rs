//! Every kind of plan item, each defined in one module, and the registry
//! that lists them all once.
//!
//! A kind's module holds everything about it: its view (what `--json`
//! prints and the export carries), the values of its closed sets, the
//! payloads of its edits and its operations (one naming scheme: `add`,
//! `edit`, `rm`), its validation (one `check` function, called by edits,
//! imports and anything else that writes), and — with the `doc` feature,
//! which the daemon uses — its document keys, how it is read, written and
//! patched, its change messages and what it reports to watchers.
//!
//! The registry is two lists below: `kinds!` names every kind once (its
//! [`ItemKind`], its wire name, its noun for people and its operations,
//! which make a variant of [`Edit`]); `with_collected!` names the kinds
//! kept in a keyed map at the document's root (they implement
//! [`Collected`] and make a variant of [`Item`]), so that checking an
//! import, reading a plan, importing one and refreshing a cached view are
//! written once, in [`collected`], for all of them. The parts of an item
//! (milestones of a goal, the agenda of a meeting, assessments and
//! sign-offs of a competency) have modules of their own too.
//!
//! **Adding a kind** (the checklist is in ARCHITECTURE.md): its module
//! here, declared below; its line in `kinds!`; if it is a collection, its
//! line in `with_collected!` and its list in [`plan::Plan`]; its CLI
//! module. A forgotten line is a compile error (the module names its
//! `ItemKind` and `Item` variants, `Plan` names its type), or fails the
//! round-trip property test, which makes every kind.

pub mod action;
pub mod agenda;
pub mod agreement;
pub mod assessment;
pub mod ce;
pub mod certification;
pub mod competency;
pub mod conflict;
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
pub mod profile;
pub mod remediation;
pub mod signoff;
#[cfg(feature = "doc")]
pub mod text;

use serde::{Deserialize, Serialize};

use crate::string_enum;
use fields::ValidationError;

/// Declares every kind at once: `Kind = "wire name", "noun", operations;`
/// makes the variant `ItemKind::Kind` (travelling as the wire name, shown
/// to people as the noun) and the variant `Edit::Kind(operations)`, with
/// [`Edit::validate`] and [`Edit::apply`] handing each edit to its
/// operations.
macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident = $text:literal, $noun:literal, $op:ty;)*) => {
        string_enum!(
            /// Every kind of thing in a plan, as it travels (in watch
            /// events, removals, errors) and as the CLI names it.
            ItemKind, "item kind", {
            $($(#[$doc])* $kind => $text,)*
        });

        impl ItemKind {
            /// What one of them is called in messages for people.
            pub fn noun(self) -> &'static str {
                match self {
                    $(ItemKind::$kind => $noun,)*
                }
            }
        }

        /// A mutation of one plan, by kind. Each becomes one Automerge
        /// change with a readable message. On the wire:
        /// `{"goal": {"op": "add", ...}}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Edit {
            $($(#[$doc])* $kind($op),)*
        }

        impl Edit {
            /// The kind it changes.
            pub fn kind(&self) -> ItemKind {
                match self {
                    $(Edit::$kind(_) => ItemKind::$kind,)*
                }
            }

            /// Checks every field. Ids are checked against the plan by the daemon.
            pub fn validate(&self) -> Result<(), ValidationError> {
                match self {
                    $(Edit::$kind(op) => op.validate(),)*
                }
            }

            /// Applies the edit inside an open transaction.
            #[cfg(feature = "doc")]
            pub fn apply(&self, w: &mut doc::Writer) -> doc::R<doc::Applied> {
                match self {
                    $(Edit::$kind(op) => op.apply(w),)*
                }
            }
        }
    };
}

kinds! {
    /// The plan's own fields.
    Plan = "plan", "plan", plan::PlanOp;
    /// The mentoring agreement.
    Agreement = "agreement", "agreement", agreement::AgreementOp;
    /// A goal.
    Goal = "goal", "goal", goal::GoalOp;
    /// A milestone of a goal.
    Milestone = "milestone", "milestone", milestone::MilestoneOp;
    /// An action item.
    Action = "action", "action", action::ActionOp;
    /// A meeting.
    Meeting = "meeting", "meeting", meeting::MeetingOp;
    /// An item of a meeting's agenda.
    AgendaItem = "agenda_item", "agenda item", agenda::AgendaOp;
    /// Feedback.
    Feedback = "feedback", "feedback", feedback::FeedbackOp;
    /// A journal note.
    Note = "note", "note", note::NoteOp;
    /// A networking contact.
    Contact = "contact", "contact", contact::ContactOp;
    /// A competency record.
    Competency = "competency", "competency", competency::CompetencyOp;
    /// An assessment of one competency element.
    Assessment = "assessment", "assessment", assessment::AssessmentOp;
    /// A signed sign-off of a competency.
    Signoff = "signoff", "sign-off", signoff::SignoffOp;
    /// A continuing-education activity.
    Ce = "ce", "CE activity", ce::CeOp;
    /// A certification.
    Certification = "certification", "certification", certification::CertificationOp;
    /// A member device.
    Member = "member", "member", member::MemberOp;
}

/// Hands `$then!` every kind kept in a keyed map at the document's root,
/// as `Kind: view type` pairs. [`Item`] gets a variant for each, and the
/// generic code in [`collected`] runs over them.
macro_rules! with_collected {
    ($then:ident) => {
        $then! {
            Goal: $crate::items::goal::Goal,
            Action: $crate::items::action::Action,
            Meeting: $crate::items::meeting::Meeting,
            Feedback: $crate::items::feedback::Feedback,
            Note: $crate::items::note::JournalNote,
            Contact: $crate::items::contact::Contact,
            Competency: $crate::items::competency::Competency,
            Ce: $crate::items::ce::CeActivity,
            Certification: $crate::items::certification::Certification,
        }
    };
}

pub mod collected;

pub use collected::*;

/// Declares [`Item`]: the plan, the agreement and members, one variant per
/// collected kind, and removals.
macro_rules! item {
    ($($kind:ident: $view:ty,)*) => {
        /// An object created, updated or removed by an [`Edit`], as the reply to it.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "item", rename_all = "snake_case")]
        pub enum Item {
            /// The plan (after a plan update).
            Plan(Box<plan::Plan>),
            /// The agreement.
            Agreement(agreement::Agreement),
            $(
                #[doc = concat!("An item of kind `", stringify!($kind), "`.")]
                $kind($view),
            )*
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
            /// Its kind.
            pub fn kind(&self) -> ItemKind {
                match self {
                    Item::Plan(_) => ItemKind::Plan,
                    Item::Agreement(_) => ItemKind::Agreement,
                    $(Item::$kind(_) => ItemKind::$kind,)*
                    Item::Member(_) => ItemKind::Member,
                    Item::Removed { what, .. } => *what,
                }
            }

            /// How watchers are told of it.
            pub fn touched(&self) -> crate::api::Touched {
                crate::api::Touched {
                    kind: self.kind(),
                    id: self.id(),
                }
            }

            /// Its id (a PeerId for a member; none for the agreement).
            pub fn id(&self) -> Option<String> {
                Some(match self {
                    Item::Plan(p) => p.id.to_string(),
                    Item::Agreement(_) => return None,
                    $(Item::$kind(x) => x.id.to_string(),)*
                    Item::Member(m) => m.peer.to_string(),
                    Item::Removed { id, .. } => id.clone(),
                })
            }
        }
    };
}

with_collected!(item);
