//! `tandem-proto`: the shared language of Tandem.
//!
//! This crate holds everything the daemon (`tandemd`) and the CLI (`tandem`)
//! must agree on, and nothing that does IO:
//!
//! - [`items`]: every kind of plan item, each in one module (view, edits,
//!   checks and, with the `doc` feature, how it is kept in the document);
//! - [`model`]: the views of every kind gathered (what `--json` prints);
//! - [`api`]: the daemon API, one [`api::Request`] enum and its [`api::Response`];
//! - [`bundle`]: the signed file format of air-gapped sync bundles;
//! - [`edit`]: the mutations a client may ask for, with their validation;
//! - [`error`]: error codes that cross the socket;
//! - [`export`]: the JSON export envelope and the checks of an import;
//! - [`frame`]: length-prefixed framing of socket messages, as pure functions;
//! - [`dates`]: parsing of ISO 8601 and friendly date forms;
//! - [`ids`]: item ids and git-like unique-prefix resolution;
//! - [`paths`]: the layout of a Tandem home directory;
//! - [`peer`]: messages between member devices;
//! - `signing` (feature `signing`): sign-offs and bundle signatures.

pub mod agenda;
pub mod api;
pub mod bundle;
pub mod ce;
pub mod competency;
pub mod dates;
pub mod edit;
pub mod error;
pub mod export;
pub mod frame;
#[cfg(feature = "ics")]
pub mod ics;
pub mod ids;
pub mod items;
pub mod matrix;
pub mod model;
pub mod paths;
pub mod peer;
#[cfg(feature = "signing")]
pub mod signing;
mod strenum;
pub mod template;
pub mod ticket;

pub use api::{Request, Response};
pub use error::{ApiError, ErrorCode};

/// Version of the socket protocol; checked by the handshake that opens every connection.
///
/// 2: edits are grouped by kind (`{"goal": {"op": "add", ...}}`), item kinds
/// travel as [`items::ItemKind`] values (1: flat `{"op": "goal_add"}`).
pub const PROTOCOL_VERSION: u32 = 2;

/// Version of the plan document schema, stored in every plan document.
pub const SCHEMA_VERSION: u64 = 1;

/// Version of the JSON export format (`tandem export --format json`).
pub const EXPORT_VERSION: u32 = 1;
