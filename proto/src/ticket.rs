//! Invitation tickets: one copy-pasteable line that lets a device join a plan.
//!
//! A ticket is `TANDEM` + base32 (RFC 4648, upper case, no padding) of
//! `version (1 byte) || payload || checksum (4 bytes)`, where the payload is
//! compact JSON ([`TicketBody`]) and the checksum is the first four bytes
//! of SHA-256 over version and payload. Upper-case base32 survives copy and
//! paste, reads aloud, and fits a QR code's alphanumeric mode. A mistyped,
//! truncated or tampered ticket fails the checksum before anything is
//! dialled; a ticket of another format version is refused by name.
//!
//! The ticket holds the one-time secret in clear: whoever holds the ticket
//! can join (until it expires, is used up or revoked). The inviter keeps
//! only [`secret_hash`] of it.

use serde::{Deserialize, Serialize};

use crate::ids::{PeerId, PlanId};
use sha2::{Digest, Sha256};

use crate::model::Role;

/// What every ticket starts with.
pub const PREFIX: &str = "TANDEM";
/// The format version this software writes and reads.
pub const VERSION: u8 = 1;
/// Longest ticket accepted, in characters (checked before decoding).
pub const MAX_LEN: usize = 4096;
/// Bytes of the one-time secret.
pub const SECRET_LEN: usize = 16;

/// What a ticket grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// A new member, with the role (and suggested name) in the ticket.
    Invite,
    /// Another device of the inviting person: same name, same role.
    Link,
}

/// The contents of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketBody {
    /// Invite or device link.
    #[serde(rename = "k")]
    pub kind: TicketKind,
    /// The plan id.
    #[serde(rename = "p")]
    pub plan: PlanId,
    /// The inviting device's PeerId.
    #[serde(rename = "i")]
    pub inviter: PeerId,
    /// Where the inviting device listens (multiaddrs, without `/p2p/`).
    #[serde(rename = "a")]
    pub addrs: Vec<String>,
    /// The one-time secret, hex.
    #[serde(rename = "s")]
    pub secret: String,
    /// The role granted.
    #[serde(rename = "r")]
    pub role: Role,
    /// The person's name, if the inviter set one.
    #[serde(rename = "n", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// When it expires (Unix seconds).
    #[serde(rename = "e")]
    pub expires: i64,
}

/// Why a ticket cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a ticket at all.
    #[error("not a Tandem ticket: it must start with {PREFIX}")]
    Prefix,
    /// Longer than any ticket.
    #[error("the ticket is too long ({0} characters; at most {MAX_LEN})")]
    TooLong(usize),
    /// A character outside the ticket alphabet.
    #[error("the ticket has a character that cannot be in a ticket at position {0} (mistyped?)")]
    Alphabet(usize),
    /// Too short to hold anything.
    #[error("the ticket is truncated (characters are missing)")]
    Truncated,
    /// The checksum does not match.
    #[error("the ticket's checksum does not match: it was mistyped, truncated or changed")]
    Checksum,
    /// Written by another version of Tandem.
    #[error("this ticket has format version {0}; this Tandem reads version {VERSION}")]
    Version(u8),
    /// The checksum matched but the contents do not make sense.
    #[error("the ticket's contents are invalid: {0}")]
    Contents(String),
}

/// SHA-256 of a secret, hex: what the inviter stores instead of the secret.
pub fn secret_hash(secret: &[u8]) -> String {
    hex::encode(Sha256::digest(secret))
}

fn checksum(data: &[u8]) -> [u8; 4] {
    let d = Sha256::digest(data);
    [d[0], d[1], d[2], d[3]]
}

impl TicketBody {
    /// The ticket line.
    pub fn encode(&self) -> String {
        // Serializing plain strings, numbers and enums cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut raw = Vec::with_capacity(json.len() + 5);
        raw.push(VERSION);
        raw.extend_from_slice(&json);
        let sum = checksum(&raw);
        raw.extend_from_slice(&sum);
        format!("{PREFIX}{}", data_encoding::BASE32_NOPAD.encode(&raw))
    }

    /// Reads a ticket line (surrounding whitespace and inner line breaks are ignored).
    pub fn decode(text: &str) -> Result<TicketBody, TicketError> {
        let text = text.trim();
        if text.len() > MAX_LEN {
            return Err(TicketError::TooLong(text.len()));
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let upper = compact.to_ascii_uppercase();
        let body = upper.strip_prefix(PREFIX).ok_or(TicketError::Prefix)?;
        if let Some(pos) = body
            .bytes()
            .position(|b| !(b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)))
        {
            return Err(TicketError::Alphabet(PREFIX.len() + pos + 1));
        }
        let raw = data_encoding::BASE32_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| TicketError::Truncated)?;
        if raw.len() < 1 + 2 + 4 {
            return Err(TicketError::Truncated);
        }
        let (data, sum) = raw.split_at(raw.len() - 4);
        if checksum(data) != sum {
            return Err(TicketError::Checksum);
        }
        if data[0] != VERSION {
            return Err(TicketError::Version(data[0]));
        }
        let body: TicketBody =
            serde_json::from_slice(&data[1..]).map_err(|e| TicketError::Contents(e.to_string()))?;
        body.check()?;
        Ok(body)
    }

    /// The secret's bytes.
    pub fn secret_bytes(&self) -> Result<Vec<u8>, TicketError> {
        hex::decode(&self.secret)
            .ok()
            .filter(|s| s.len() == SECRET_LEN)
            .ok_or_else(|| TicketError::Contents("the secret is malformed".into()))
    }

    fn check(&self) -> Result<(), TicketError> {
        let bad = |m: String| TicketError::Contents(m);
        if !crate::ids::is_id(&self.plan) {
            return Err(bad("the plan id is malformed".into()));
        }
        crate::edit::check_peer_id(&self.inviter).map_err(|e| bad(e.to_string()))?;
        self.secret_bytes()?;
        if self.addrs.len() > 16
            || self
                .addrs
                .iter()
                .any(|a| a.len() > 256 || !a.starts_with('/'))
        {
            return Err(bad("the inviter's addresses are malformed".into()));
        }
        if self.name.chars().count() > crate::edit::NAME_MAX {
            return Err(bad("the name is too long".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body() -> TicketBody {
        TicketBody {
            kind: TicketKind::Invite,
            plan: "0123456789abcdef".into(),
            inviter: "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".into(),
            addrs: vec![
                "/ip4/192.168.1.20/tcp/7878".into(),
                "/ip4/192.168.1.20/udp/7878/quic-v1".into(),
            ],
            secret: "00112233445566778899aabbccddeeff".into(),
            role: Role::Mentee,
            name: "Ana".into(),
            expires: 1_800_000_000,
        }
    }

    #[test]
    fn a_ticket_round_trips_and_tolerates_case_and_line_breaks() {
        let t = body().encode();
        assert!(t.starts_with(PREFIX));
        assert!(t.len() < 600, "{} characters", t.len());
        assert_eq!(TicketBody::decode(&t).unwrap(), body());
        let wrapped = format!("  {}\n{}  ", &t[..40].to_lowercase(), &t[40..]);
        assert_eq!(TicketBody::decode(&wrapped).unwrap(), body());
    }

    #[test]
    fn each_kind_of_damage_gets_its_own_error() {
        let t = body().encode();
        assert_eq!(TicketBody::decode("hello"), Err(TicketError::Prefix));
        assert_eq!(
            TicketBody::decode(&t[..t.len() - 8]),
            Err(TicketError::Checksum)
        );
        assert_eq!(
            TicketBody::decode(&t[..t.len() - 1]),
            Err(TicketError::Truncated)
        );
        assert_eq!(TicketBody::decode(&t[..12]), Err(TicketError::Truncated));
        assert!(matches!(
            TicketBody::decode(&format!("{t}!")),
            Err(TicketError::Alphabet(_))
        ));
        assert!(matches!(
            TicketBody::decode(&"A".repeat(5000)),
            Err(TicketError::TooLong(_))
        ));
        // Every single-character substitution is caught.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for i in PREFIX.len()..t.len() {
            let mut flipped = t.clone().into_bytes();
            flipped[i] = if flipped[i] == alphabet[0] {
                alphabet[1]
            } else {
                alphabet[0]
            };
            let flipped = String::from_utf8(flipped).unwrap();
            assert!(
                TicketBody::decode(&flipped).is_err(),
                "flip at {i} accepted"
            );
        }
        // Another format version is named.
        let mut raw = vec![9u8];
        raw.extend_from_slice(b"{}");
        let sum = checksum(&raw);
        raw.extend_from_slice(&sum);
        let v9 = format!("{PREFIX}{}", data_encoding::BASE32_NOPAD.encode(&raw));
        assert_eq!(TicketBody::decode(&v9), Err(TicketError::Version(9)));
        // A well-formed ticket with nonsense inside is refused by content.
        let mut b = body();
        b.plan = "not a plan".into();
        assert!(matches!(
            TicketBody::decode(&b.encode()),
            Err(TicketError::Contents(_))
        ));
    }

    proptest! {
        /// Any input decodes or errors; nothing panics.
        #[test]
        fn decoding_never_panics(s in ".{0,600}", bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = TicketBody::decode(&s);
            let _ = TicketBody::decode(&format!("{PREFIX}{s}"));
            let _ = TicketBody::decode(&format!("{PREFIX}{}", data_encoding::BASE32_NOPAD.encode(&bytes)));
        }
    }
}
