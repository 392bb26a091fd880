//! Sign-offs: a mentor device's ed25519 signature over a competency's
//! attestation (`crate::competency::attestation`), made by the daemon.
//!
//! ```text
//! competencies/<id>/signoffs: map id -> { assessor (PeerId), name, signed_at: timestamp,
//!                                         public_key, signature: hex }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{NAME_MAX, ValidationError, check_line, check_optional_line, check_prefix};
use crate::ids::PeerId;

/// The sign-offs' map inside a competency record.
pub const KEY: &str = "signoffs";

/// Longest key or signature field of a sign-off.
const FIELD_MAX: usize = 512;

/// A signed sign-off of a competency by a mentor's device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    /// The signing device's PeerId.
    pub assessor: PeerId,
    /// The person signing.
    pub name: String,
    /// When it was signed (part of what is signed).
    pub signed_at: Timestamp,
    /// The device's public key (libp2p protobuf encoding, hex).
    pub public_key: String,
    /// The ed25519 signature over the attestation (hex).
    pub signature: String,
}

/// The key an imported sign-off is kept under: the first 16 hex digits of
/// its signature's SHA-256 (the same on every import, unique per sign-off).
pub fn key_of(s: &Signoff) -> String {
    crate::ticket::secret_hash(s.signature.as_bytes())[..crate::ids::ID_LEN].to_string()
}

/// What can be done to a competency's sign-offs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SignoffOp {
    /// Sign off a competency with this device's key. Clients send `signoff:
    /// null`; the daemon fills it with a signature of its own making.
    Add {
        /// Competency id or prefix.
        competency: String,
        /// The signature, made by the daemon.
        #[serde(default)]
        signoff: Option<Signoff>,
    },
}

/// The checks of a sign-off, whoever writes it.
pub fn check(s: &Signoff) -> Result<(), ValidationError> {
    check_optional_line("signoffs.name", &s.name, NAME_MAX)?;
    for (field, v) in [
        ("signoffs.assessor", s.assessor.as_str()),
        ("signoffs.public_key", s.public_key.as_str()),
        ("signoffs.signature", s.signature.as_str()),
    ] {
        check_line(field, v, FIELD_MAX)?;
    }
    Ok(())
}

impl SignoffOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            SignoffOp::Add {
                competency,
                signoff,
            } => {
                check_prefix("competency", competency)?;
                signoff.as_ref().map_or(Ok(()), check)
            }
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{read_all, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};

    use super::super::doc::{Applied, R, Target, Writer, map_maps, string, ts_or_epoch};
    use super::super::{ItemKind, competency};
    use super::{KEY, Signoff, SignoffOp};
    use crate::{ApiError, ErrorCode};

    /// The sign-offs of the competency at `obj`, oldest first.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<Signoff> {
        let mut all: Vec<Signoff> = map_maps(d, obj, KEY)
            .into_iter()
            .map(|(_, s)| Signoff {
                assessor: string(d, &s, "assessor").into(),
                name: string(d, &s, "name"),
                signed_at: ts_or_epoch(d, &s, "signed_at"),
                public_key: string(d, &s, "public_key"),
                signature: string(d, &s, "signature"),
            })
            .collect();
        all.sort_by(|a, b| (a.signed_at, &a.signature).cmp(&(b.signed_at, &b.signature)));
        all
    }

    /// Writes one sign-off under `key` in a `signoffs` map.
    pub(crate) fn write(w: &mut Writer, map: &ObjId, key: &str, s: &Signoff) -> R<()> {
        let o = w.new_map(map, key)?;
        w.put_str(&o, "assessor", &s.assessor)?;
        w.put_str(&o, "name", &s.name)?;
        w.put_ts(&o, "signed_at", s.signed_at)?;
        w.put_str(&o, "public_key", &s.public_key)?;
        w.put_str(&o, "signature", &s.signature)
    }

    impl SignoffOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                SignoffOp::Add {
                    competency,
                    signoff,
                } => {
                    let Some(s) = signoff else {
                        return Err(ApiError::new(
                            ErrorCode::Invalid,
                            "a sign-off must be signed by the daemon",
                        ));
                    };
                    let (id, obj) = w.resolve(ItemKind::Competency, competency::KEY, competency)?;
                    let map = w.sub_map(&obj, KEY)?;
                    let key = (w.new_id)();
                    write(w, &map, &key, s)?;
                    w.touch(&obj)?;
                    let system = string(w.tx, &obj, "system");
                    Ok(Applied {
                        message: format!("competency signoff: {system}, by {}", s.name),
                        target: Target::Item(ItemKind::Competency, id),
                    })
                }
            }
        }
    }
}
