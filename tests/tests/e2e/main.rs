//! The end-to-end tests, one binary (one build, one link): real `tandemd`
//! processes driven through the real `tandem` binary, on loopback or in
//! network namespaces the tests make. One module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should fail loudly

mod app;
mod browser;
mod bundle;
mod cli;
mod competency;
mod corrupt;
mod daemon;
mod durability;
mod everyday;
mod hostile;
mod import;
mod invites;
mod members;
mod netns;
mod p2p;
mod plan;
mod record;
mod relay;
mod socket;
mod templates;
