//! The rows of plans offered without consent (`plan-offers-v1`), declined
//! (`plans-declined-v1`) and asked for with a ticket (`plans-joined-v1`).

use serde::{Deserialize, Serialize};
use tandem_proto::model::Role;

use super::decode_row;

/// A plan offered by a device this one shares nothing with, waiting for
/// the user to accept or decline it (`plan-offers-v1`; its bytes are in
/// `plan-offer-bytes-v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRow {
    /// Row version ([`super::ROW_V`]).
    pub v: u32,
    /// The offering device.
    pub from: String,
    /// Its person's name and role in the plan, as the plan says.
    pub from_name: String,
    /// Its role.
    pub from_role: Role,
    /// This device's role in the plan, as the plan says.
    pub my_role: Role,
    /// The plan's title.
    pub title: String,
    /// When it was offered (ms since the epoch).
    pub offered_at_ms: i64,
    /// The size of the document, in bytes.
    pub bytes: u64,
}

impl OfferRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<OfferRow, String> {
        decode_row(bytes, |r: &OfferRow| r.v)
    }
}

/// A plan declined here (`plans-declined-v1`): refused from then on,
/// whoever offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclinedRow {
    /// Row version ([`super::ROW_V`]).
    pub v: u32,
    /// Who had offered it.
    pub from: String,
    /// When it was declined (ms since the epoch).
    pub at_ms: i64,
}

impl DeclinedRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<DeclinedRow, String> {
        decode_row(bytes, |r: &DeclinedRow| r.v)
    }
}

/// A plan this device asked to join with a ticket (`plans-joined-v1`):
/// joining is consent, so when the plan arrives it is stored at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRow {
    /// Row version ([`super::ROW_V`]).
    pub v: u32,
    /// The inviting device.
    pub inviter: String,
    /// When the join was asked for (ms since the epoch).
    pub at_ms: i64,
}

impl JoinRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<JoinRow, String> {
        decode_row(bytes, |r: &JoinRow| r.v)
    }
}
