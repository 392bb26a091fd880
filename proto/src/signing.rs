//! Signatures: competency sign-offs, made with a device's ed25519 key over
//! [`crate::competency::attestation`] and checked by anyone who holds the
//! plan, and the signature of sync bundles. Pure functions (feature
//! `signing`), shared by the daemon, which signs, and the CLI, which
//! checks what it prints without linking the daemon's network or storage.
//!
//! A sign-off verifies when: its public key decodes, is the key of the
//! PeerId it names, the signature over the attested fields is valid (a
//! format-2 sign-off keeps its own copy of the elements it signed; none of
//! them may since have been changed in place in the competency, keeping a
//! date before the signing), and that device was a mentor of the plan when it signed
//! (the plan's membership history; 42 CFR 493.1451(b)(8) and 493.1413(b)(8)
//! make the technical supervisor or consultant who assessed responsible for
//! the record, and retiring their old laptop does not undo that), unless
//! the device was later removed as compromised and signed after the time
//! from which its key is in doubt. A field changed after the sign-off
//! changes the attested bytes, so the check fails.

use libp2p_identity::{Keypair, PeerId, PublicKey};

use crate::bundle::{BundleHeader, Parsed};
use crate::competency::{ATTESTATION_FORMAT, ELEMENTS, acknowledged, signed_bytes};
use crate::model::{
    Acknowledgement, AssessmentKind, AssessmentResult, Competency, Plan, Qualification, Role,
    Signoff,
};
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
    /// The acknowledging device was not the technician's (a mentee of the
    /// plan) when it signed.
    #[error("device {0} was not the technician's (a mentee of this plan) when it signed")]
    NotTheTechnician(String),
    /// The signing device was removed as compromised, and it signed after
    /// the time from which its key is in doubt.
    #[error("device {0} was reported compromised from {1}: this sign-off needs review")]
    Compromised(String, jiff::Timestamp),
}

/// A device signing with its own key, as the person using it, at `now`.
pub struct Signer<'a> {
    /// The device's key.
    pub key: &'a Keypair,
    /// The device's PeerId.
    pub peer: &'a str,
    /// The person's name.
    pub name: &'a str,
    /// The time of signing.
    pub now: jiff::Timestamp,
}

impl Signer<'_> {
    /// `now` as it is stored (millisecond precision): sign exactly what will be read back.
    fn at(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.now.as_millisecond()).unwrap_or(self.now)
    }

    fn sign(&self, bytes: &[u8]) -> Result<(String, String), ApiError> {
        let signature = self
            .key
            .sign(bytes)
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot sign: {e}")))?;
        Ok((
            hex::encode(self.key.public().encode_protobuf()),
            hex::encode(signature),
        ))
    }
}

/// Signs off `c` as `by`, completing a `kind` assessment, after checking
/// that all six elements are assessed and passed, and, when `c` was signed
/// off before, that each was assessed again after that sign-off: a
/// reassessment (semiannual in the first year, annual after, 42 CFR
/// 493.1451(b)(8)) is new assessments, not a second signature on the same
/// ones. The initial assessment is made once.
pub fn sign(
    by: &Signer<'_>,
    plan: &str,
    c: &Competency,
    kind: AssessmentKind,
    qualification: Qualification,
) -> Result<Signoff, ApiError> {
    let invalid = |m: String| ApiError::new(ErrorCode::Invalid, m);
    if let Some(last) = c.signoffs.iter().map(|s| s.signed_at).max() {
        let day = last.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        if kind == AssessmentKind::Initial {
            return Err(invalid(format!(
                "{}: its initial assessment was signed off on {day}; later ones are 6-month, 12-month, annual or problem-triggered",
                c.system
            )));
        }
        let stale: Vec<String> = (1..=ELEMENTS.len() as u8)
            .filter(|e| {
                !c.assessments
                    .iter()
                    .any(|a| a.element == *e && a.date > day)
            })
            .map(|e| e.to_string())
            .collect();
        if !stale.is_empty() {
            return Err(invalid(format!(
                "{}: it was signed off on {day}; a reassessment needs every element assessed again after that, and these were not: {}",
                c.system,
                stale.join(", ")
            )));
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
        return Err(invalid(format!(
            "{}: every element must be assessed and passed before a sign-off; not yet: {}",
            c.system,
            missing.join(", ")
        )));
    }
    let mut s = Signoff {
        assessor: by.peer.into(),
        name: by.name.to_string(),
        signed_at: by.at(),
        public_key: String::new(),
        signature: String::new(),
        format: ATTESTATION_FORMAT,
        kind: Some(kind),
        qualification: Some(qualification),
        assessments: c.assessments.clone(),
        acknowledgement: None,
    };
    (s.public_key, s.signature) = by.sign(&signed_bytes(plan, c, &s))?;
    Ok(s)
}

/// The technician's acknowledgement of sign-off `s` of `c`, signed by `by`.
pub fn acknowledge(
    by: &Signer<'_>,
    plan: &str,
    c: &Competency,
    s: &Signoff,
) -> Result<Acknowledgement, ApiError> {
    let signed_at = by.at();
    let (public_key, signature) =
        by.sign(&acknowledged(plan, c, s, by.peer, by.name, signed_at))?;
    Ok(Acknowledgement {
        peer: by.peer.into(),
        name: by.name.to_string(),
        signed_at,
        public_key,
        signature,
    })
}

/// Checks one sign-off of `c` against the plan as it is now.
pub fn verify(plan: &Plan, c: &Competency, s: &Signoff) -> Result<(), VerifyError> {
    let key = key_of(&s.public_key, &s.assessor)?;
    let sig = hex::decode(&s.signature).map_err(|_| VerifyError::Changed)?;
    if !key.verify(&signed_bytes(&plan.id, c, s), &sig) || rewritten(c, s) {
        return Err(VerifyError::Changed);
    }
    if held(plan, &s.assessor, s.signed_at)? != Some(Role::Mentor) {
        return Err(VerifyError::NotAMentor(s.assessor.to_string()));
    }
    Ok(())
}

/// Whether an element `s` signed (format 2) was changed in place since: the
/// competency's latest assessment of it is dated before the day of
/// signing, yet differs from what was signed, or is gone. A later
/// assessment (dated that day or after: assessments carry a date, not a
/// time) is a new one and leaves the sign-off standing; what was signed is
/// the sign-off's own copy either way.
fn rewritten(c: &Competency, s: &Signoff) -> bool {
    let day = s
        .signed_at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    s.assessments.iter().any(|signed| {
        match c.assessments.iter().find(|a| a.element == signed.element) {
            Some(now) => now.date < day && now != signed,
            None => true,
        }
    })
}

/// Checks the technician's acknowledgement of sign-off `s` of `c`: made
/// by a mentee device of the plan when it signed, over this sign-off.
pub fn verify_acknowledgement(
    plan: &Plan,
    c: &Competency,
    s: &Signoff,
    a: &Acknowledgement,
) -> Result<(), VerifyError> {
    let key = key_of(&a.public_key, &a.peer)?;
    let sig = hex::decode(&a.signature).map_err(|_| VerifyError::Changed)?;
    let bytes = acknowledged(&plan.id, c, s, &a.peer, &a.name, a.signed_at);
    if !key.verify(&bytes, &sig) {
        return Err(VerifyError::Changed);
    }
    if held(plan, &a.peer, a.signed_at)? != Some(Role::Mentee) {
        return Err(VerifyError::NotTheTechnician(a.peer.to_string()));
    }
    Ok(())
}

/// The role `peer` held in the plan at `at`, judged by the membership
/// history: a device retired since still signed in its role then. A device
/// the history does not know (a plan from before it) is judged by the
/// membership now. A device removed as compromised before `at` holds none:
/// its signature needs review.
fn held(plan: &Plan, peer: &str, at: jiff::Timestamp) -> Result<Option<Role>, VerifyError> {
    let stretches: Vec<_> = plan
        .member_history
        .iter()
        .filter(|t| t.peer == peer)
        .collect();
    if let Some(since) = stretches.iter().filter_map(|t| t.compromised_from).min()
        && at >= since
    {
        return Err(VerifyError::Compromised(peer.to_string(), since));
    }
    Ok(if stretches.is_empty() {
        plan.members.iter().find(|m| m.peer == peer).map(|m| m.role)
    } else {
        stretches.iter().find(|t| t.covers(at)).map(|t| t.role)
    })
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
            remediations: Vec::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    /// A scheduled sign-off by a technical supervisor (what most tests need).
    fn sign(
        key: &Keypair,
        plan: &str,
        c: &Competency,
        peer: &str,
        name: &str,
        now: jiff::Timestamp,
    ) -> Result<Signoff, ApiError> {
        let by = Signer {
            key,
            peer,
            name,
            now,
        };
        let kind = crate::competency::Schedule::default().next_kind(c);
        super::sign(&by, plan, c, kind, Qualification::TechnicalSupervisor)
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
            (
                "element method",
                Box::new(|_, c, _| c.assessments[3].method = "read the SOP".into()),
            ),
            (
                "assessment type",
                Box::new(|_, _, s| s.kind = Some(AssessmentKind::Problem)),
            ),
            (
                "qualification",
                Box::new(|_, _, s| s.qualification = Some(Qualification::Director)),
            ),
            ("format", Box::new(|_, _, s| s.format = 1)),
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

    #[test]
    fn a_format_1_signoff_still_verifies_without_its_methods() {
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let p = plan(&key, Role::Mentor);
        let mut c = competency();
        // Made as sign-offs were before methods were signed.
        let mut s = Signoff {
            assessor: peer.clone().into(),
            name: "Dana".into(),
            signed_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            public_key: hex::encode(key.public().encode_protobuf()),
            signature: String::new(),
            format: 1,
            kind: None,
            qualification: None,
            assessments: Vec::new(),
            acknowledgement: None,
        };
        s.signature = hex::encode(key.sign(&signed_bytes(&p.id, &c, &s)).unwrap());
        assert_eq!(verify(&p, &c, &s), Ok(()));
        c.assessments[0].method = "changed later".into();
        assert_eq!(verify(&p, &c, &s), Ok(()), "format 1 never covered methods");
        c.assessments[0].result = AssessmentResult::NeedsWork;
        assert_eq!(verify(&p, &c, &s), Err(VerifyError::Changed));
        // A format nobody knows verifies nothing.
        let mut s3 = s.clone();
        s3.format = 9;
        assert_eq!(verify(&p, &c, &s3), Err(VerifyError::Changed));
    }

    #[test]
    fn only_the_initial_assessment_comes_first_and_once() {
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let by = Signer {
            key: &key,
            peer: &peer,
            name: "Dana",
            now: jiff::Timestamp::from_second(1_793_577_600).unwrap(),
        };
        let mut c = competency();
        let q = Qualification::TechnicalConsultant;
        let first = super::sign(&by, "p", &c, AssessmentKind::Initial, q).unwrap();
        assert_eq!(first.kind, Some(AssessmentKind::Initial));
        assert_eq!(first.qualification, Some(q));
        c.signoffs.push(first);
        for a in &mut c.assessments {
            a.date = date(2027, 5, 1);
        }
        let err = super::sign(&by, "p", &c, AssessmentKind::Initial, q).unwrap_err();
        assert!(
            err.message
                .contains("initial assessment was signed off on 2026-11-02"),
            "{}",
            err.message
        );
        let schedule = crate::competency::Schedule::default();
        assert_eq!(schedule.next_kind(&c), AssessmentKind::SixMonth);
    }

    #[test]
    fn the_technicians_acknowledgement_verifies_only_from_the_technician_on_that_signoff() {
        let mentor = Keypair::generate_ed25519();
        let mentor_peer = PeerId::from(mentor.public()).to_string();
        let tech = Keypair::generate_ed25519();
        let tech_peer = PeerId::from(tech.public()).to_string();
        let mut p = plan(&mentor, Role::Mentor);
        p.members.push(Member {
            peer: tech_peer.clone().into(),
            name: "Sam".into(),
            role: Role::Mentee,
            device: String::new(),
            added_at: jiff::Timestamp::UNIX_EPOCH,
        });
        let c = competency();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let s = sign(&mentor, &p.id, &c, &mentor_peer, "Dana", now).unwrap();
        let by = |key, peer, name| Signer {
            key,
            peer,
            name,
            now: now + jiff::SignedDuration::from_hours(2),
        };
        let a = acknowledge(&by(&tech, &tech_peer, "Sam"), &p.id, &c, &s).unwrap();
        assert_eq!(verify_acknowledgement(&p, &c, &s, &a), Ok(()));
        // Moved onto another sign-off, or its name changed: it does not match.
        let mut other = s.clone();
        other.signature = sign(
            &mentor,
            &p.id,
            &c,
            &mentor_peer,
            "Dana",
            now + jiff::SignedDuration::from_secs(1),
        )
        .unwrap()
        .signature;
        assert_eq!(
            verify_acknowledgement(&p, &c, &other, &a),
            Err(VerifyError::Changed)
        );
        let mut renamed = a.clone();
        renamed.name = "Lee".into();
        assert_eq!(
            verify_acknowledgement(&p, &c, &s, &renamed),
            Err(VerifyError::Changed)
        );
        // The mentor acknowledging their own sign-off is not the technician.
        let self_ack = acknowledge(&by(&mentor, &mentor_peer, "Dana"), &p.id, &c, &s).unwrap();
        assert_eq!(
            verify_acknowledgement(&p, &c, &s, &self_ack),
            Err(VerifyError::NotTheTechnician(mentor_peer))
        );
    }

    #[test]
    fn a_reassessment_leaves_earlier_signoffs_standing_and_a_rewrite_does_not() {
        let key = Keypair::generate_ed25519();
        let peer = PeerId::from(key.public()).to_string();
        let p = plan(&key, Role::Mentor);
        let mut c = competency();
        let first = jiff::Timestamp::from_second(1_793_577_600).unwrap(); // 2026-11-02 UTC
        let s = sign(&key, &p.id, &c, &peer, "Dana", first).unwrap();
        c.signoffs.push(s.clone());
        // Six months on, every element is assessed again: the first sign-off stands.
        for a in &mut c.assessments {
            a.date = date(2027, 5, 1);
            a.method = "observed 12 runs".into();
        }
        assert_eq!(verify(&p, &c, &s), Ok(()));
        // A new assessment on the day of signing (dates carry no time): a new one.
        let mut same_day = competency();
        same_day.assessments[2].date = date(2026, 11, 2);
        same_day.assessments[2].result = AssessmentResult::NeedsWork;
        assert_eq!(verify(&p, &same_day, &s), Ok(()));
        // An element rewritten in place, dated as it was signed: caught.
        let mut rewritten = competency();
        rewritten.assessments[2].method = "read the SOP".into();
        assert_eq!(verify(&p, &rewritten, &s), Err(VerifyError::Changed));
        // The sign-off's own copy edited: caught by the signature.
        let mut s2 = s.clone();
        s2.assessments[0].assessor = "Lee".into();
        assert_eq!(verify(&p, &competency(), &s2), Err(VerifyError::Changed));
    }
}
