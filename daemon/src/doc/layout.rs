//! The layout of a plan's Automerge document (schema version 1).
//!
//! Each kind of item documents its own part, next to the code that reads
//! and writes it, in `tandem_proto::items`: the plan's own fields and the
//! list of root keys in `items::plan`, then `agreement`, `goal` (with
//! `milestone`), `action`, `meeting` (with `agenda`), `feedback`, `note`,
//! `contact`, `competency` (with `assessment`, `signoff` and the
//! `competency_schedule`), `ce`, `certification` and `member` (with
//! `removed`). The daemon adds one map of its own:
//!
//! ```text
//! devices: map actor-hex -> { user, host, peer: str }   who is behind each Automerge actor
//! ```
//!
//! Items live in maps keyed by random ids, so concurrent adds and removes
//! merge cleanly; long texts are Automerge text, so concurrent edits of one
//! text merge; every map is created with the plan, never lazily, since two
//! devices creating the same map concurrently would make one of them lose
//! its children (plans made before competencies, CE and certifications
//! existed get those maps on first use).

/// Who is behind each actor id.
pub(crate) const DEVICES: &str = tandem_proto::items::member::DEVICES_KEY;
