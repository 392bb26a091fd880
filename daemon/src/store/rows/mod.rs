//! The rows the store keeps in its tables, as their own versioned types
//! (never API types, which change with the socket protocol).
//!
//! Each row is JSON with a `v` field naming its version, so a row written
//! by this build is read back by later ones, and a row from a newer build
//! is refused by name instead of being half-read. The bytes each row type
//! writes are checked in as golden files (`golden/`): a change to them is
//! a new row version and a migration.

mod book;
mod inbox;
mod index;
mod invite;
mod plan_meta;

pub use book::PeerRow;
pub use inbox::{DeclinedRow, JoinRow, OfferRow};
pub use index::IndexRow;
pub use invite::InviteRow;
pub use plan_meta::{PLAN_META_V, PlanMeta};

/// The version of the address-book, offer, declined, join, index and
/// invitation rows this build writes.
pub const ROW_V: u32 = 1;

pub(crate) fn decode_row<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    v: impl Fn(&T) -> u32,
) -> Result<T, String> {
    let row: T = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    match v(&row) {
        ROW_V => Ok(row),
        other => Err(format!(
            "row version {other} is not {ROW_V} (written by another tandemd?)"
        )),
    }
}

#[cfg(test)]
mod golden;
