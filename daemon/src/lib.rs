//! `tandemd`, the Tandem daemon, as a library.
//!
//! The binary (`main.rs`) only parses flags and wires these together:
//!
//! - [`doc`]: one plan as an Automerge document: create, edit, read, history. No IO.
//! - [`store`]: redb storage: snapshots, incremental changes, the plan index, device identity.
//! - [`engine`]: the plan engine, a dedicated thread that owns the store and the
//!   loaded documents, applies requests, and acknowledges edits only once durable.
//! - [`server`]: the Unix-socket server: handshake, framing, one task per connection.
//! - [`home`]: the home directory, its permissions, and the single-instance lock.
//! - [`net`]: libp2p: member devices, relays (client side), hole punching, AutoNAT.
//! - [`relay`]: relay mode (`tandemd --relay`), a circuit-relay server holding no plans.
//! - [`ui`]: the local web app, on 127.0.0.1, a client of the same request API.
//! - [`run`]: the life of a daemon process (the `tandemd` binary, which `tandem daemon run` and the CLI's autostart start).
//! - [`ratelog`]: log lines rate-limited per peer, so no peer can fill the log.
//! - [`logfile`]: the log file, rotated by size (at most 40 MiB in all).
//! - [`signals`]: SIGTERM and SIGINT, which stop a daemon or relay gracefully.
//!
//! Data flow of an edit: CLI → socket frame → [`server`] decodes it → the
//! [`engine`] thread validates and applies it to the [`doc::PlanDoc`] → the
//! change bytes are appended in a redb write transaction → commit (fsync) →
//! reply. See ARCHITECTURE.md.

pub mod config;
pub mod doc;
pub mod engine;
pub mod home;
pub mod identity;
pub mod logfile;
pub mod net;
pub mod ratelog;
pub mod relay;
pub mod run;
pub mod serve;
pub mod server;
pub mod signals;
pub mod store;
pub mod sync;
pub mod ui;
