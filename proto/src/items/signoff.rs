//! Sign-offs: a mentor device's ed25519 signature over a competency's
//! attestation (`crate::competency::attestation`), made by the daemon, with
//! the kind of assessment it completes and the assessor's qualification;
//! and the technician's acknowledgement, a second signature made from the
//! technician's own device over the sign-off (`crate::competency::acknowledged`).
//!
//! ```text
//! competencies/<id>/signoffs: map id -> { assessor (PeerId), name, signed_at: timestamp,
//!                                         public_key, signature: hex,
//!                                         format: uint (absent: 1), kind, qualification: str,
//!                                         assessments: map (as signed; see `assessment`),
//!                                         acknowledgement: { peer, name, signed_at,
//!                                                            public_key, signature } }
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{NAME_MAX, ValidationError, check_line, check_optional_line, check_prefix};
use crate::ids::PeerId;
use crate::string_enum;

/// The sign-offs' map inside a competency record.
pub const KEY: &str = "signoffs";

/// Longest key or signature field of a sign-off.
const FIELD_MAX: usize = 512;

string_enum!(
    /// Which assessment a sign-off completes. CLIA (42 CFR 493.1451(b)(8),
    /// 493.1413(b)(8)) asks for an assessment before a person reports
    /// patient results, semiannually in their first year and annually after;
    /// a problem (a failed proficiency test, a complaint, an error found)
    /// calls for one out of turn, which does not move the schedule.
    AssessmentKind, "assessment type", {
    /// Before the technician works alone (releases them to independent).
    Initial => "initial",
    /// About six months after training.
    SixMonth => "6-month",
    /// About twelve months after training.
    TwelveMonth => "12-month",
    /// Every year after the first.
    Annual => "annual",
    /// Out of turn, after a problem (remediation).
    Problem => "problem-triggered",
});

string_enum!(
    /// The role under CLIA that qualifies the assessor to assess
    /// competency: a technical consultant for moderate complexity testing
    /// (42 CFR 493.1413(b)(8)), a technical supervisor for high complexity
    /// (493.1451(b)(8)), a general supervisor to whom a technical supervisor
    /// delegated it (493.1451(b)(8), 493.1463(b)(4)), or the director
    /// (493.1407(e)(13), 493.1445(e)(13)).
    Qualification, "qualification", {
    /// Technical consultant (moderate complexity).
    TechnicalConsultant => "technical-consultant",
    /// Technical supervisor (high complexity).
    TechnicalSupervisor => "technical-supervisor",
    /// General supervisor (by delegation).
    GeneralSupervisor => "general-supervisor",
    /// Laboratory director.
    Director => "director",
});

impl Qualification {
    /// As a record says it: "technical supervisor".
    pub fn label(self) -> &'static str {
        match self {
            Qualification::TechnicalConsultant => "technical consultant",
            Qualification::TechnicalSupervisor => "technical supervisor",
            Qualification::GeneralSupervisor => "general supervisor",
            Qualification::Director => "laboratory director",
        }
    }
}

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
    /// The attestation's format: 2 signs each element's method, the kind
    /// and the qualification too; 1 (sign-offs made before) does not.
    #[serde(default = "format_one")]
    pub format: u8,
    /// Which assessment it completes (absent on format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssessmentKind>,
    /// The assessor's qualification (absent on format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualification: Option<Qualification>,
    /// The elements as they were signed (format 2): later assessments
    /// replace the competency's latest ones, never these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assessments: Vec<super::assessment::Assessment>,
    /// The technician's acknowledgement, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<Acknowledgement>,
}

fn format_one() -> u8 {
    1
}

/// The technician's signature, from their own device, acknowledging a
/// sign-off (over [`crate::competency::acknowledged`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The acknowledging device's PeerId.
    pub peer: PeerId,
    /// The person acknowledging.
    pub name: String,
    /// When.
    pub signed_at: Timestamp,
    /// The device's public key (libp2p protobuf encoding, hex).
    pub public_key: String,
    /// The ed25519 signature (hex).
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
        /// Which assessment this completes (default: the next one the
        /// schedule expects: initial, 6-month, 12-month, then annual).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<AssessmentKind>,
        /// The assessor's qualification (default: the one this device
        /// signed with last in this plan).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qualification: Option<Qualification>,
        /// The signature, made by the daemon.
        #[serde(default)]
        signoff: Option<Box<Signoff>>,
    },
    /// The technician acknowledges the latest sign-off of a competency
    /// with their own device's key. Clients send `acknowledgement: null`;
    /// the daemon fills it and `signature` (the sign-off's).
    Acknowledge {
        /// Competency id or prefix.
        competency: String,
        /// The acknowledged sign-off's signature, filled by the daemon.
        #[serde(default)]
        signature: Option<String>,
        /// The acknowledgement, made by the daemon.
        #[serde(default)]
        acknowledgement: Option<Box<Acknowledgement>>,
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
    if !(1..=crate::competency::ATTESTATION_FORMAT).contains(&s.format) {
        return Err(super::fields::bad(
            "signoffs.format",
            format!(
                "{} is not a known attestation format (1 to {})",
                s.format,
                crate::competency::ATTESTATION_FORMAT
            ),
        ));
    }
    super::assessment::check_imported(&s.assessments)?;
    s.acknowledgement.as_ref().map_or(Ok(()), check_ack)
}

fn check_ack(a: &Acknowledgement) -> Result<(), ValidationError> {
    check_optional_line("acknowledgement.name", &a.name, NAME_MAX)?;
    for (field, v) in [
        ("acknowledgement.peer", a.peer.as_str()),
        ("acknowledgement.public_key", a.public_key.as_str()),
        ("acknowledgement.signature", a.signature.as_str()),
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
                ..
            } => {
                check_prefix("competency", competency)?;
                signoff.as_deref().map_or(Ok(()), check)
            }
            SignoffOp::Acknowledge {
                competency,
                signature,
                acknowledgement,
            } => {
                check_prefix("competency", competency)?;
                if let Some(s) = signature {
                    check_line("signature", s, FIELD_MAX)?;
                }
                acknowledgement.as_deref().map_or(Ok(()), check_ack)
            }
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{read_all, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ObjType, ReadDoc};

    use super::super::ItemKind;
    use super::super::competency::{self, CompetencyStage};
    use super::super::doc::{
        Applied, R, Target, Writer, map_maps, object, parsed, string, timestamp, ts_or_epoch, uint,
    };
    use super::{Acknowledgement, AssessmentKind, KEY, Signoff, SignoffOp};
    use crate::{ApiError, ErrorCode};

    /// The acknowledgement map inside a sign-off.
    const ACK: &str = "acknowledgement";

    fn read_one<R: ReadDoc>(d: &R, s: &ObjId) -> Signoff {
        let opt =
            |key: &str| -> Option<String> { Some(string(d, s, key)).filter(|v| !v.is_empty()) };
        Signoff {
            assessor: string(d, s, "assessor").into(),
            name: string(d, s, "name"),
            signed_at: ts_or_epoch(d, s, "signed_at"),
            public_key: string(d, s, "public_key"),
            signature: string(d, s, "signature"),
            format: uint(d, s, "format")
                .and_then(|f| u8::try_from(f).ok())
                .unwrap_or(1),
            kind: opt("kind").and_then(|k| k.parse().ok()),
            qualification: opt("qualification").and_then(|q| q.parse().ok()),
            assessments: super::super::assessment::read_all(d, s),
            acknowledgement: object(d, s, ACK, ObjType::Map).map(|a| Acknowledgement {
                peer: string(d, &a, "peer").into(),
                name: string(d, &a, "name"),
                signed_at: timestamp(d, &a, "signed_at").unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                public_key: string(d, &a, "public_key"),
                signature: string(d, &a, "signature"),
            }),
        }
    }

    /// The sign-offs of the competency at `obj`, oldest first.
    pub(crate) fn read_all<R: ReadDoc>(d: &R, obj: &ObjId) -> Vec<Signoff> {
        let mut all: Vec<Signoff> = map_maps(d, obj, KEY)
            .into_iter()
            .map(|(_, s)| read_one(d, &s))
            .collect();
        all.sort_by(|a, b| (a.signed_at, &a.signature).cmp(&(b.signed_at, &b.signature)));
        all
    }

    fn write_ack(w: &mut Writer, signoff: &ObjId, a: &Acknowledgement) -> R<()> {
        let o = w.new_map(signoff, ACK)?;
        w.put_str(&o, "peer", &a.peer)?;
        w.put_str(&o, "name", &a.name)?;
        w.put_ts(&o, "signed_at", a.signed_at)?;
        w.put_str(&o, "public_key", &a.public_key)?;
        w.put_str(&o, "signature", &a.signature)
    }

    /// Writes one sign-off under `key` in a `signoffs` map.
    pub(crate) fn write(w: &mut Writer, map: &ObjId, key: &str, s: &Signoff) -> R<()> {
        let o = w.new_map(map, key)?;
        w.put_str(&o, "assessor", &s.assessor)?;
        w.put_str(&o, "name", &s.name)?;
        w.put_ts(&o, "signed_at", s.signed_at)?;
        w.put_str(&o, "public_key", &s.public_key)?;
        w.put_str(&o, "signature", &s.signature)?;
        if s.format != 1 {
            w.put_uint(&o, "format", u64::from(s.format))?;
        }
        if let Some(k) = s.kind {
            w.put_str(&o, "kind", k.as_str())?;
        }
        if let Some(q) = s.qualification {
            w.put_str(&o, "qualification", q.as_str())?;
        }
        if !s.assessments.is_empty() {
            let map = w.new_map(&o, super::super::assessment::KEY)?;
            for a in &s.assessments {
                super::super::assessment::write(w, &map, a)?;
            }
        }
        match &s.acknowledgement {
            Some(a) => write_ack(w, &o, a),
            None => Ok(()),
        }
    }

    impl SignoffOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                SignoffOp::Add {
                    competency,
                    signoff,
                    ..
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
                    let system = string(w.tx, &obj, "system");
                    let mut message = format!("competency signoff: {system}, by {}", s.name);
                    if let Some(k) = s.kind {
                        message += &format!(" ({})", k.as_str());
                    }
                    // The initial assessment releases the technician to work
                    // alone; the schedule counts from it when training's end
                    // was not recorded (the first year of testing patient
                    // specimens, 493.1451(b)(8)).
                    if s.kind == Some(AssessmentKind::Initial) {
                        if parsed(w.tx, &obj, "stage", CompetencyStage::Training)
                            != CompetencyStage::Independent
                        {
                            w.put_str(&obj, "stage", CompetencyStage::Independent.as_str())?;
                            message += "; now independent";
                        }
                        if super::super::doc::date(w.tx, &obj, "trained_on").is_none() {
                            let day = s
                                .signed_at
                                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                                .date();
                            w.put_opt_date(&obj, "trained_on", Some(day))?;
                        }
                    }
                    w.touch(&obj)?;
                    Ok(Applied {
                        message,
                        target: Target::Item(ItemKind::Competency, id),
                    })
                }
                SignoffOp::Acknowledge {
                    competency,
                    signature: Some(signature),
                    acknowledgement: Some(a),
                } => {
                    let (id, obj) = w.resolve(ItemKind::Competency, competency::KEY, competency)?;
                    let target = map_maps(w.tx, &obj, KEY)
                        .into_iter()
                        .find(|(_, s)| string(w.tx, s, "signature") == *signature)
                        .ok_or_else(|| {
                            ApiError::new(ErrorCode::NotFound, "no such sign-off to acknowledge")
                        })?;
                    write_ack(w, &target.1, a)?;
                    w.touch(&obj)?;
                    let system = string(w.tx, &obj, "system");
                    Ok(Applied {
                        message: format!("competency acknowledged: {system}, by {}", a.name),
                        target: Target::Item(ItemKind::Competency, id),
                    })
                }
                SignoffOp::Acknowledge { .. } => Err(ApiError::new(
                    ErrorCode::Invalid,
                    "an acknowledgement must be signed by the daemon",
                )),
            }
        }
    }
}
