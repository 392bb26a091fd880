//! Who may do what to a plan: the role rules, decided from the member list
//! in the document itself.
//!
//! - A **mentor** device may edit everything, and add and remove members.
//! - A **mentee** device may edit the plan's content, and add or remove
//!   devices of its own person (same name, role mentee): linking devices.
//! - An **observer** device reads only.
//! - A device that is not (or no longer) a member may not write at all; it
//!   keeps the copy it has.
//!
//! Local edits are checked here before they are made. Changes that arrive
//! from the network are governed by the sync core's rule (it takes changes
//! only from the sessions of writer devices, see `crate::sync`).

use tandem_proto::edit::{CompetencyOp, Edit, MemberOp, SignoffOp};
use tandem_proto::model::{Member, Role};
use tandem_proto::{ApiError, ErrorCode};

use super::PlanDoc;

fn forbidden(msg: String) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, msg)
}

impl PlanDoc {
    /// The member record of a device, if it is a member: from the cached
    /// view when it is warm (every change to the document keeps it
    /// current), else that one member read from the document. Every edit
    /// and every received message asks this first; reading all members out
    /// of Automerge was ~7% of an edit and ~8% of receiving a new plan.
    pub fn member(&self, peer: &str) -> Option<Member> {
        if let Some(plan) = self.cache.borrow().as_ref() {
            return plan.members.iter().find(|m| m.peer == peer).cloned();
        }
        tandem_proto::items::member::read(&self.doc, peer)
    }

    /// The point up to which a device that was removed from the plan may
    /// still be told of it: the heads of its removal change. `None` when it
    /// is a member, or was never one (or its removal predates the record).
    pub fn removal_heads(&self, peer: &str) -> Option<Vec<automerge::ChangeHash>> {
        if self.is_member(peer) {
            return None;
        }
        let record = tandem_proto::items::member::removal_record(&self.doc, peer)?;
        Some(vec![self.doc.hash_for_opid(&record)?])
    }

    /// Whether `peer` is a member that may write (a mentor or mentee device).
    pub fn is_writer(&self, peer: &str) -> bool {
        self.member(peer)
            .is_some_and(|m| matches!(m.role, Role::Mentor | Role::Mentee))
    }

    /// Checks that the device `peer` may make a change of its own that is
    /// not an item edit (an undo, a resolve): it is still a member, and one
    /// that writes.
    pub fn authorize_writer(&self, peer: &str) -> Result<(), ApiError> {
        match self.member(peer) {
            None => Err(forbidden(
                "this device is not a member of the plan (it was removed, or never added); \
                 its copy is read-only"
                    .to_string(),
            )),
            Some(me) if me.role == Role::Observer => Err(forbidden(format!(
                "{} is an observer of this plan: observers read, they do not write",
                me.name
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Checks that the device `peer` may make `edit`; the error names the rule.
    pub fn authorize(&self, peer: &str, edit: &Edit) -> Result<(), ApiError> {
        let me = self.member(peer).ok_or_else(|| {
            forbidden(
                "this device is not a member of the plan (it was removed, or never added); \
                 its copy is read-only"
                    .to_string(),
            )
        })?;
        let own = |name: &str, role: Role| name == me.name && role == me.role;
        match (me.role, edit) {
            (Role::Observer, _) => Err(forbidden(format!(
                "{} is an observer of this plan: observers read, they do not write",
                me.name
            ))),
            // The acknowledgement is the technician's own signature
            // (both parties sign a competency assessment).
            (Role::Mentee, Edit::Signoff(SignoffOp::Acknowledge { .. })) => Ok(()),
            (_, Edit::Signoff(SignoffOp::Acknowledge { .. })) => Err(forbidden(
                "only the technician's (a mentee's) device acknowledges a sign-off: it is their own signature"
                    .to_string(),
            )),
            (Role::Mentor, _) => Ok(()),
            (Role::Mentee, Edit::Signoff(_) | Edit::Competency(CompetencyOp::Schedule(_))) => {
                Err(forbidden(
                    "only a mentor's device may sign off competencies or set their schedule"
                        .to_string(),
                ))
            }
            (Role::Mentee, Edit::Member(MemberOp::Add(m))) if own(&m.name, m.role) => Ok(()),
            (Role::Mentee, Edit::Member(MemberOp::Add(_))) => Err(forbidden(
                "a mentee may add only their own devices (same name, role mentee); \
                 ask a mentor to invite others"
                    .to_string(),
            )),
            (Role::Mentee, Edit::Member(MemberOp::Rm { peer: target, .. })) => {
                match self.member(target) {
                    Some(t) if own(&t.name, t.role) => Ok(()),
                    // Unknown targets get the usual not-found error from the edit itself.
                    None => Ok(()),
                    Some(_) => Err(forbidden(
                        "a mentee may remove only their own devices; ask a mentor".to_string(),
                    )),
                }
            }
            (Role::Mentee, _) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::tests::{device, new_plan, now, peer};

    fn add(doc: &mut PlanDoc, n: u8, name: &str, role: Role) {
        let mut next = || format!("{:016x}", rand::random::<u64>());
        let e = Edit::Member(MemberOp::Add(tandem_proto::edit::NewMember {
            peer: peer(n).into(),
            name: name.into(),
            role,
            device: String::new(),
        }));
        doc.apply(&e, &device(1), now(), &mut next).unwrap();
    }

    fn note() -> Edit {
        Edit::Note(tandem_proto::edit::NoteOp::Add(
            tandem_proto::edit::NewNote {
                author: "x".into(),
                body: "b".into(),
                tags: Vec::new(),
            },
        ))
    }

    #[test]
    fn each_role_may_do_what_its_rules_say_and_no_more() {
        let mut doc = new_plan(); // device 1 created it: the first mentor
        add(&mut doc, 2, "Ana", Role::Mentee);
        add(&mut doc, 3, "Sam", Role::Observer);
        add(&mut doc, 4, "Ana", Role::Mentee); // Ana's second device
        add(&mut doc, 5, "Lee", Role::Mentee);
        let code = |r: Result<(), ApiError>| r.err().map(|e| e.code);
        let me = |n: u8, e: &Edit| code(doc.authorize(&peer(n), e));
        let member_add = |name: &str, role: Role| {
            Edit::Member(MemberOp::Add(tandem_proto::edit::NewMember {
                peer: peer(9).into(),
                name: name.into(),
                role,
                device: String::new(),
            }))
        };
        let remove = |n: u8| {
            Edit::Member(MemberOp::Rm {
                peer: peer(n),
                compromised: None,
            })
        };
        let no = Some(ErrorCode::Forbidden);

        assert_eq!(me(1, &note()), None);
        assert_eq!(me(1, &member_add("Zoe", Role::Observer)), None);
        assert_eq!(me(1, &remove(2)), None);

        assert_eq!(me(2, &note()), None);
        assert_eq!(me(2, &member_add("Ana", Role::Mentee)), None, "linking");
        assert_eq!(me(2, &member_add("Ana", Role::Mentor)), no);
        assert_eq!(me(2, &member_add("Zoe", Role::Mentee)), no);
        assert_eq!(me(2, &remove(4)), None, "own device");
        assert_eq!(me(2, &remove(5)), no, "someone else");
        assert_eq!(me(2, &remove(1)), no);

        assert_eq!(me(3, &note()), no);
        assert_eq!(me(3, &member_add("Sam", Role::Observer)), no);
        let err = doc.authorize(&peer(3), &note()).unwrap_err();
        assert!(err.message.contains("observer"), "{}", err.message);

        assert_eq!(me(8, &note()), no, "not a member");
        assert!(doc.is_writer(&peer(1)) && doc.is_writer(&peer(2)));
        assert!(!doc.is_writer(&peer(3)) && !doc.is_writer(&peer(8)));
    }

    /// With the view cached or not, who is a member is what the document
    /// says: after adds, a removal and a merge.
    #[test]
    fn a_warm_or_cold_cache_names_the_same_members_as_the_document() {
        let mut doc = new_plan();
        let _ = doc.view();
        add(&mut doc, 2, "Ana", Role::Mentee);
        add(&mut doc, 3, "Sam", Role::Observer);
        let mut other = doc.fork(device(2).actor);
        add(&mut other, 5, "Lee", Role::Mentee);
        let mut next = || format!("{:016x}", rand::random::<u64>());
        let rm = Edit::Member(MemberOp::Rm {
            peer: peer(3),
            compromised: None,
        });
        doc.apply(&rm, &device(1), now(), &mut next).unwrap();
        doc.merge(&mut other).unwrap();
        for warm in [false, true] {
            if warm {
                let _ = doc.view();
            }
            for n in 1..=6 {
                let fresh = tandem_proto::items::member::read_all(&doc.doc)
                    .into_iter()
                    .find(|m| m.peer == peer(n));
                assert_eq!(doc.member(&peer(n)), fresh, "device {n}, warm {warm}");
            }
        }
        assert!(doc.is_writer(&peer(5)) && !doc.is_writer(&peer(3)));
    }
}
