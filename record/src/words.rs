//! Whether a sign-off or an acknowledgement verifies, in words that name
//! people and devices rather than keys. Shared by the printed record and
//! the app's competency page.

use tandem_proto::model::{Acknowledgement, Competency, Plan, Signoff};
use tandem_proto::signing::{VerifyError, verify, verify_acknowledgement};

/// A signature's check: whether it holds, and the sentence that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The signature verifies against the record as it is now.
    pub ok: bool,
    /// "Verified: signed by Dana, a mentor of this plan, on the device “lab”".
    pub text: String,
}

/// The person behind `peer` as the plan knows them: "Dana (mentor, laptop)",
/// or `fallback` when the device is no longer a member.
fn who(p: &Plan, peer: &str, fallback: &str) -> String {
    p.members
        .iter()
        .find(|m| m.peer == peer)
        .map_or_else(|| format!("{fallback} (no longer a member)"), |m| m.who())
}

/// ", on the device “lab”", or that it was retired since.
fn on(p: &Plan, peer: &str) -> String {
    match p.members.iter().find(|m| m.peer == peer) {
        Some(m) if !m.device.trim().is_empty() => format!(", on the device “{}”", m.device),
        Some(_) => String::new(),
        None => " then, on a device since retired".to_string(),
    }
}

fn failed(p: &Plan, e: VerifyError, name: &str) -> String {
    match e {
        VerifyError::Changed => "Not verified: the record was changed after it was signed".into(),
        VerifyError::NotAMentor(peer) => format!(
            "Not verified: {} was not a mentor of this plan when it signed",
            who(p, &peer, name)
        ),
        VerifyError::NotTheTechnician(peer) => format!(
            "Not verified: {} was not the technician's device when it signed",
            who(p, &peer, name)
        ),
        VerifyError::Compromised(peer, since) => format!(
            "Needs review: {} was removed as compromised from {}, and this was signed after",
            who(p, &peer, name),
            since.strftime("%Y-%m-%d %H:%M UTC")
        ),
        e @ (VerifyError::BadKey | VerifyError::NotThatDevice(_)) => format!("Not verified: {e}"),
    }
}

/// Whether sign-off `s` of `c` verifies, in words.
pub fn signoff(p: &Plan, c: &Competency, s: &Signoff) -> Check {
    match verify(p, c, s) {
        Ok(()) => Check {
            ok: true,
            text: format!(
                "Verified: signed by {}, a mentor of this plan{}",
                s.name,
                on(p, &s.assessor)
            ),
        },
        Err(e) => Check {
            ok: false,
            text: failed(p, e, &s.name),
        },
    }
}

/// Whether the technician's acknowledgement `a` of sign-off `s` verifies, in words.
pub fn acknowledgement(p: &Plan, c: &Competency, s: &Signoff, a: &Acknowledgement) -> Check {
    match verify_acknowledgement(p, c, s, a) {
        Ok(()) => Check {
            ok: true,
            text: format!(
                "Verified: acknowledged by {}, the technician{}",
                a.name,
                on(p, &a.peer)
            ),
        },
        Err(e) => Check {
            ok: false,
            text: failed(p, e, &a.name),
        },
    }
}
