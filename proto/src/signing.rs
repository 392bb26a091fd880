//! Signatures: competency sign-offs, made with a device's ed25519 key over
//! [`crate::competency::attestation`] and checked by anyone who holds the
//! plan, and the signature of sync bundles. Pure functions (feature
//! `signing`), shared by the daemon, which signs, and the CLI, which
//! checks what it prints without linking the daemon's network or storage.
//!
//! A sign-off verifies when: its public key decodes, is the key of the
//! PeerId it names, the signature over the attested fields *as they are
//! now* is valid, and that device was a mentor of the plan when it signed
//! (the plan's membership history; 42 CFR 493.1451(b)(8) and 493.1413(b)(8)
//! make the technical supervisor or consultant who assessed responsible for
//! the record, and retiring their old laptop does not undo that), unless
//! the device was later removed as compromised and signed after the time
//! from which its key is in doubt. A field changed after the sign-off
//! changes the attested bytes, so the check fails.

use libp2p_identity::{Keypair, PeerId, PublicKey};

use crate::bundle::{BundleHeader, Parsed};
use crate::competency::{ELEMENTS, attestation, signed_bytes};
use crate::model::{AssessmentResult, Competency, Plan, Role, Signoff};
use crate::{ApiError, ErrorCode};

/// Why a sign-off does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The stored key is not a public key.
    #[error("the sign-off's public key is unreadable")]
    BadKey,
    /// The key is not the named device's.
    #[error("the key does not belong to device {0}")]
    NotThatDevice(String),
    /// The signature does not match what is attested now.
    #[error("the signature does not match: the record was changed after it was signed")]
    Changed,
    /// The signing device was not a mentor of the plan when it signed.
    #[error("device {0} was not a mentor of this plan when it signed")]
    NotAMentor(String),
    /// The signing device was removed as compromised, and it signed after
    /// the time from which its key is in doubt.
    #[error("device {0} was reported compromised from {1}: this sign-off needs review")]
    Compromised(String, jiff::Timestamp),
}

/// Signs off `c` as device `peer` (person `name`) at `now`, after checking
/// that all six elements are assessed and passed, and, when `c` was signed
/// off before, that each was assessed again after that sign-off: a
/// reassessment (semiannual in the first year, annual after, 42 CFR
/// 493.1451(b)(8)) is new assessments, not a second signature on the same
/// ones.
pub fn sign(
    key: &Keypair,
    plan: &str,
    c: &Competency,
    peer: &str,
    name: &str,
    now: jiff::Timestamp,
) -> Result<Signoff, ApiError> {
    if let Some(last) = c.signoffs.iter().map(|s| s.signed_at).max() {
        let day = last.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let stale: Vec<String> = (1..=ELEMENTS.len() as u8)
            .filter(|e| {
                !c.assessments
                    .iter()
                    .any(|a| a.element == *e && a.date > day)
            })
            .map(|e| e.to_string())
            .collect();
        if !stale.is_empty() {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "{}: it was signed off on {day}; a reassessment needs every element assessed again after that, and these were not: {}",
                    c.system,
                    stale.join(", ")
                ),
            ));
        }
    }
    let missing: Vec<String> = (1..=ELEMENTS.len() as u8)
        .filter(|e| {
            !c.assessments
                .iter()
                .any(|a| a.element == *e && a.result == AssessmentResult::Pass)
        })
        .map(|e| e.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Invalid,
            format!(
                "{}: every element must be assessed and passed before a sign-off; not yet: {}",
                c.system,
                missing.join(", ")
            ),
        ));
    }
    // Stored with millisecond precision: sign exactly what will be read back.
    let signed_at = jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now);
    let bytes = attestation(plan, c, peer, name, signed_at);
    let signature = key
        .sign(&bytes)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot sign: {e}")))?;
    Ok(Signoff {
        assessor: peer.into(),
        name: name.to_string(),
        signed_at,
        public_key: hex::encode(key.public().encode_protobuf()),
        signature: hex::encode(signature),
    })
}

/// Checks one sign-off of `c` against the plan as it is now.
pub fn verify(plan: &Plan, c: &Competency, s: &Signoff) -> Result<(), VerifyError> {
    let key = key_of(&s.public_key, &s.assessor)?;
    let sig = hex::decode(&s.signature).map_err(|_| VerifyError::Changed)?;
    if !key.verify(&signed_bytes(&plan.id, c, s), &sig) {
        return Err(VerifyError::Changed);
    }
    // Against the membership when it signed: a device retired since
    // still signed as a mentor. A device the history does not know (a
    // plan from before it) is judged by the membership now.
    let stretches: Vec<_> = plan
        .member_history
        .iter()
        .filter(|t| t.peer == s.assessor)
        .collect();
    if let Some(since) = stretches.iter().filter_map(|t| t.compromised_from).min()
        && s.signed_at >= since
    {
        return Err(VerifyError::Compromised(s.assessor.to_string(), since));
    }
    let mentor = if stretches.is_empty() {
        plan.members
            .iter()
            .any(|m| m.peer == s.assessor && m.role == Role::Mentor)
    } else {
        stretches
            .iter()
            .any(|t| t.role == Role::Mentor && t.covers(s.signed_at))
    };
    if !mentor {
        return Err(VerifyError::NotAMentor(s.assessor.to_string()));
    }
    Ok(())
}

/// The key a hex protobuf public key names, if it is `peer`'s.
fn key_of(public_key: &str, peer: &str) -> Result<PublicKey, VerifyError> {
    let key = hex::decode(public_key)
        .ok()
        .and_then(|b| PublicKey::try_decode_protobuf(&b).ok())
        .ok_or(VerifyError::BadKey)?;
    if PeerId::from(key.clone()).to_string() != peer {
        return Err(VerifyError::NotThatDevice(peer.to_string()));
    }
    Ok(key)
}

/// Checks a parsed bundle's signature: the key is its signer's, and it
/// signed exactly these bytes. (Membership is the engine's check.)
pub fn verify_bundle(b: &Parsed<'_>) -> Result<(), VerifyError> {
    let key = key_of(&b.header.public_key, &b.header.signer)?;
    if !key.verify(b.signed, b.signature) {
        return Err(VerifyError::Changed);
    }
    Ok(())
}

/// A whole bundle file: `header` and `changes`, signed with `key`.
pub fn sign_bundle(
    key: &Keypair,
    header: &BundleHeader,
    changes: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let signed = crate::bundle::signed_bytes(header, changes);
    let sig = key
        .sign(&signed)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot sign: {e}")))?;
    Ok(crate::bundle::encode(signed, &sig))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, CompetencyStage, Member};
    use jiff::civil::date;

    fn competency() -> Competency {
        Competency {
            id: "c1".into(),
            system: "Sysmex XN-1000 CBC".into(),
            stage: CompetencyStage::Supervised,
            trained_on: Some(date(2026, 8, 31)),
            assessments: (1..=6)
                .map(|e| Assessment {
                    element: e,
                    date: date(2026, 11, 1),
                    assessor: "Dana".into(),
                    method: "observed".into(),
                    result: AssessmentResult::Pass,
                })
                .collect(),
            signoffs: Vec::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    /// A change to what a sign-off attests.
    type Tamper = dyn Fn(&mut Plan, &mut Competency, &mut Signoff);

    fn plan(key: &Keypair, role: Role) -> Plan {
        let mut p = Plan::empty();
        p.id = "00000000000000a1".into();
        p.members = vec![Member {
            peer: PeerId::from(key.public()).to_string().into(),
            name: "Dana".into(),
            role,
            device: String::new(),
            added_at: jiff::Timestamp::UNIX_EPOCH,
        }];
        p
    }

    #[test]
    fn a_signoff_verifies_and_fails_after_any_attested_field_changes() {
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let p = plan(&key, Role::Mentor);
        let c = competency();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let s = sign(&key, &p.id, &c, &peer, "Dana", now).unwrap();
        assert_eq!(verify(&p, &c, &s), Ok(()));

        let tampered: Vec<(&str, Box<Tamper>)> = vec![
            ("plan", Box::new(|p, _, _| p.id = "00000000000000b2".into())),
            ("competency", Box::new(|_, c, _| c.id = "c2".into())),
            ("system", Box::new(|_, c, _| c.system = "Other".into())),
            (
                "element date",
                Box::new(|_, c, _| c.assessments[2].date = date(2026, 11, 2)),
            ),
            (
                "element result",
                Box::new(|_, c, _| c.assessments[4].result = AssessmentResult::NeedsWork),
            ),
            (
                "element assessor",
                Box::new(|_, c, _| c.assessments[0].assessor = "Lee".into()),
            ),
            (
                "element removed",
                Box::new(|_, c, _| {
                    c.assessments.pop();
                }),
            ),
            ("assessor name", Box::new(|_, _, s| s.name = "Lee".into())),
            (
                "time",
                Box::new(|_, _, s| s.signed_at = jiff::Timestamp::UNIX_EPOCH),
            ),
        ];
        for (what, change) in tampered {
            let (mut p2, mut c2, mut s2) = (p.clone(), c.clone(), s.clone());
            change(&mut p2, &mut c2, &mut s2);
            assert_eq!(verify(&p2, &c2, &s2), Err(VerifyError::Changed), "{what}");
        }
        // Another device's key claimed for this device.
        let other = Keypair::generate_ed25519();
        let mut s2 = s.clone();
        s2.public_key = hex::encode(other.public().encode_protobuf());
        assert_eq!(
            verify(&p, &c, &s2),
            Err(VerifyError::NotThatDevice(peer.clone()))
        );
        s2.public_key = "zz".into();
        assert_eq!(verify(&p, &c, &s2), Err(VerifyError::BadKey));
        // A valid signature by a device that is not a mentor of the plan.
        let p2 = plan(&key, Role::Mentee);
        assert_eq!(verify(&p2, &c, &s), Err(VerifyError::NotAMentor(peer)));
    }

    #[test]
    fn a_signoff_needs_all_six_elements_passed() {
        let key = Keypair::generate_ed25519();
        let mut c = competency();
        c.assessments[5].result = AssessmentResult::NeedsWork;
        c.assessments.remove(1);
        let err = sign(&key, "p", &c, "peer", "Dana", jiff::Timestamp::UNIX_EPOCH).unwrap_err();
        assert!(err.message.contains("not yet: 2, 6"), "{}", err.message);
    }

    #[test]
    fn a_signoff_is_judged_by_the_membership_when_it_was_signed() {
        use crate::items::member::Tenure;
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let c = competency();
        let at = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).unwrap();
        let mut p = plan(&key, Role::Mentor);
        let s = sign(&key, &p.id, &c, &peer, "Dana", at(0)).unwrap();
        // The laptop is retired: no longer a member, a mentor when it signed.
        p.members.clear();
        p.member_history = vec![Tenure {
            peer: peer.clone().into(),
            name: "Dana".into(),
            role: Role::Mentor,
            from: at(-3_600),
            until: Some(at(3_600)),
            compromised_from: None,
        }];
        assert_eq!(verify(&p, &c, &s), Ok(()), "retired, still valid");
        // Signed after its membership ended (its own clock): not a mentor then.
        let late = sign(&key, &p.id, &c, &peer, "Dana", at(7_200)).unwrap();
        assert_eq!(
            verify(&p, &c, &late),
            Err(VerifyError::NotAMentor(peer.clone()))
        );
        // A mentee then is not a mentor, whatever it became.
        p.member_history[0].role = Role::Mentee;
        assert_eq!(
            verify(&p, &c, &s),
            Err(VerifyError::NotAMentor(peer.clone()))
        );
        p.member_history[0].role = Role::Mentor;
        // Reported compromised from before the signature: it needs review;
        // from after it, the signature stands.
        p.member_history[0].compromised_from = Some(at(-60));
        assert_eq!(
            verify(&p, &c, &s),
            Err(VerifyError::Compromised(peer.clone(), at(-60)))
        );
        p.member_history[0].compromised_from = Some(at(60));
        assert_eq!(verify(&p, &c, &s), Ok(()));
        // A clock a few minutes behind the one that added the device is allowed.
        p.member_history[0].from = at(300);
        p.member_history[0].compromised_from = None;
        assert_eq!(verify(&p, &c, &s), Ok(()));
    }

    #[test]
    fn a_second_signoff_needs_new_assessments() {
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let mut c = competency();
        let first = jiff::Timestamp::from_second(1_793_577_600).unwrap(); // 2026-11-02 UTC
        c.signoffs
            .push(sign(&key, "p", &c, &peer, "Dana", first).unwrap());
        // A minute later, on the same assessments: refused.
        let again = sign(
            &key,
            "p",
            &c,
            &peer,
            "Dana",
            first + jiff::SignedDuration::from_mins(1),
        );
        let err = again.unwrap_err();
        assert!(
            err.message.contains("signed off on 2026-11-02"),
            "{}",
            err.message
        );
        assert!(err.message.contains("1, 2, 3, 4, 5, 6"), "{}", err.message);
        // Five elements reassessed months later: still one short.
        for a in c.assessments.iter_mut().take(5) {
            a.date = date(2027, 5, 1);
        }
        let err = sign(&key, "p", &c, &peer, "Dana", first).unwrap_err();
        assert!(
            err.message.ends_with("these were not: 6"),
            "{}",
            err.message
        );
        c.assessments[5].date = date(2027, 5, 2);
        assert!(sign(&key, "p", &c, &peer, "Dana", first).is_ok());
    }
}
