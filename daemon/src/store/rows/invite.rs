//! `invites-v2` rows: an invitation as its inviter keeps it, the secret
//! only as its SHA-256.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tandem_proto::api::InviteInfo;
use tandem_proto::model::Role;
use tandem_proto::ticket::TicketKind;

use super::{ROW_V, decode_row};

/// An invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// Its id: the first 12 hex digits of the secret's hash (also the key).
    pub id: String,
    /// The plan.
    pub plan: String,
    /// Invite or device link.
    pub kind: TicketKind,
    /// The role it grants.
    pub role: Role,
    /// The name it grants (may be empty: the joiner's choice).
    pub name: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
    /// Joins so far.
    pub used: u32,
    /// Joins allowed.
    pub uses: u32,
    /// Whether it was revoked.
    pub revoked: bool,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// The devices that joined with it, so that a device whose answer was
    /// lost on the way can ask again and be told it is in.
    pub joined: Vec<String>,
}

impl InviteRow {
    /// The row of a new invitation.
    pub fn new(info: &InviteInfo, secret_hash: String) -> InviteRow {
        InviteRow {
            v: ROW_V,
            id: info.id.clone(),
            plan: info.plan.to_string(),
            kind: info.kind,
            role: info.role,
            name: info.name.clone(),
            created_at: info.created_at,
            expires_at: info.expires_at,
            used: info.used,
            uses: info.uses,
            revoked: info.revoked,
            secret_hash,
            joined: Vec::new(),
        }
    }

    /// What `invite list` shows of it (never a ticket: it is not kept).
    pub fn info(&self) -> InviteInfo {
        InviteInfo {
            id: self.id.clone(),
            plan: self.plan.clone().into(),
            kind: self.kind,
            role: self.role,
            name: self.name.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            used: self.used,
            uses: self.uses,
            revoked: self.revoked,
            ticket: None,
        }
    }

    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        // Strings, numbers, timestamps and string enums always serialize.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<InviteRow, String> {
        decode_row(bytes, |r: &InviteRow| r.v)
    }
}
