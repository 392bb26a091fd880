//! Signatures the engine makes with this device's key: a mentor's
//! sign-off of a competency and the technician's acknowledgement of one.
//! The rules of what may be signed are `tandem_proto::signing`'s; this
//! finds the competency, picks the defaults and turns the signature into
//! the edit that stores it.

use tandem_proto::api::Shared;
use tandem_proto::edit::{Edit, SignoffOp};
use tandem_proto::model::{AssessmentKind, Plan, Qualification};
use tandem_proto::signing::Signer;
use tandem_proto::{ApiError, ErrorCode, ids};

use super::Engine;

impl Engine {
    /// Who signs here: this device's key, its PeerId and the name its
    /// member record in `plan` gives.
    fn identity(
        &mut self,
        plan: &str,
    ) -> Result<(libp2p::identity::Keypair, String, String), ApiError> {
        let key = self.signer.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "this daemon has no device key to sign with",
            )
        })?;
        let me = self.device.peer.clone();
        let name = self
            .loaded(plan)?
            .doc
            .member(&me)
            .map(|m| m.name)
            .unwrap_or_default();
        Ok((key, me, name))
    }

    /// The competency of `plan` a prefix names, in the plan as it is now.
    fn competency_of(
        &mut self,
        plan: &str,
        prefix: &str,
    ) -> Result<(Shared<Plan>, usize), ApiError> {
        let view = self.loaded(plan)?.doc.view();
        let id = ids::resolve(
            "competency",
            prefix,
            view.competencies.iter().map(|c| c.id.as_str()),
        )?;
        let at = view
            .competencies
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no competency {id}")))?;
        Ok((view, at))
    }

    /// A sign-off edit of a competency of `plan`, signed with this device's
    /// key: completing the assessment `kind` names (default: the one the
    /// schedule expects), with the qualification given (default: the one
    /// this device signed with last in this plan).
    pub(super) fn sign_off(
        &mut self,
        plan: &str,
        competency: &str,
        kind: Option<AssessmentKind>,
        qualification: Option<Qualification>,
    ) -> Result<Edit, ApiError> {
        let (key, me, name) = self.identity(plan)?;
        let (view, at) = self.competency_of(plan, competency)?;
        let c = &view.competencies[at];
        let expected = view.competency_schedule.next_kind(c);
        let kind = kind.unwrap_or(expected);
        if expected == AssessmentKind::Initial && kind != expected {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "{}: the initial assessment comes first; sign it off as initial",
                    c.system
                ),
            ));
        }
        if kind != expected && kind != AssessmentKind::Problem {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "{}: the assessment due next is the {} one; sign it off as {}, or as problem-triggered for one out of turn",
                    c.system,
                    expected.as_str(),
                    expected.as_str()
                ),
            ));
        }
        let earlier = view
            .competencies
            .iter()
            .flat_map(|c| &c.signoffs)
            .filter(|s| s.assessor == me)
            .max_by_key(|s| s.signed_at)
            .and_then(|s| s.qualification);
        let qualification = qualification.or(earlier).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Invalid,
                "say the assessor's qualification under CLIA: technical-consultant, technical-supervisor, general-supervisor or director",
            )
        })?;
        let by = Signer {
            key: &key,
            peer: &me,
            name: &name,
            now: self.now,
        };
        let signoff = tandem_proto::signing::sign(&by, plan, c, kind, qualification)?;
        Ok(Edit::Signoff(SignoffOp::Add {
            competency: c.id.to_string(),
            kind: Some(kind),
            qualification: Some(qualification),
            signoff: Some(Box::new(signoff)),
        }))
    }

    /// The technician's acknowledgement of the latest sign-off of a
    /// competency of `plan`, signed with this device's key.
    pub(super) fn acknowledge(&mut self, plan: &str, competency: &str) -> Result<Edit, ApiError> {
        let (key, me, name) = self.identity(plan)?;
        let (view, at) = self.competency_of(plan, competency)?;
        let c = &view.competencies[at];
        let Some(s) = c.signoffs.iter().max_by_key(|s| s.signed_at) else {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!("{}: there is no sign-off to acknowledge yet", c.system),
            ));
        };
        if let Some(a) = &s.acknowledgement {
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!(
                    "{}: its latest sign-off was acknowledged by {} at {}",
                    c.system, a.name, a.signed_at
                ),
            ));
        }
        let by = Signer {
            key: &key,
            peer: &me,
            name: &name,
            now: self.now,
        };
        let ack = tandem_proto::signing::acknowledge(&by, plan, c, s)?;
        Ok(Edit::Signoff(SignoffOp::Acknowledge {
            competency: c.id.to_string(),
            signature: Some(s.signature.clone()),
            acknowledgement: Some(Box::new(ack)),
        }))
    }
}
