//! Invitations: making, listing and revoking them, and answering a device
//! that joins with one.
//!
//! Rules, checked in this order when a device asks to join:
//!
//! 1. A device, a connection or an IP address with too many refused joins
//!    in the last ten minutes is refused without a look
//!    ([`super::join_limit`]: 5 per device, 5 per connection, 20 per address).
//! 2. The ticket must name this device as inviter, and a stored invitation
//!    must have the SHA-256 of the secret presented; it must name the same
//!    plan, not be revoked, not be used up, and not be expired. Expiry is
//!    set and checked by this device's own clock only: the joining device
//!    never refuses a ticket by its own clock. Both clocks travel with the
//!    exchange, so a joiner whose clock is more than [`CLOCK_SKEW`] off is
//!    told so, and by how much, rather than only that the invitation expired.
//! 3. This device must still be allowed to add that member (its role).
//!
//! Only then is the member added, in the same transaction that counts the
//! use, so a refused or failed join leaves no member record and no use.

use std::collections::BTreeSet;

use jiff::SignedDuration;
use rand::Rng;
use tandem_proto::api::{InviteInfo, NewInvite, Response};
use tandem_proto::edit::{Edit, MemberOp, NewMember};
use tandem_proto::peer::{JoinRefusal, JoinReply, JoinRequest};
use tandem_proto::ticket::{SECRET_LEN, TicketBody, TicketKind, secret_hash};
use tandem_proto::{ApiError, ErrorCode, ids};

use super::batch::Open;
use super::join_limit::JoinFrom;
use super::{Engine, StageError, storage_error};
use crate::store::Batch;
use crate::store::rows::InviteRow;

/// How far apart two devices' clocks may be before one is told its clock is off.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);
/// Longest an invitation may live.
pub const MAX_LIFETIME_SECS: u64 = 30 * 24 * 3600;
/// Most joins one invitation may allow.
pub const MAX_USES: u32 = 100;

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Invalid, msg)
}

fn refused(reason: JoinRefusal, message: impl Into<String>) -> JoinReply {
    JoinReply::Refused {
        reason,
        message: message.into(),
        now_ms: None,
    }
}

/// How far `theirs` is from `ours` (ms since the epoch), in words, when it
/// is more than [`CLOCK_SKEW`]: "2 days ahead of", "7 minutes behind".
pub fn skew_words(theirs: u64, ours: u64) -> Option<String> {
    let diff = i64::try_from(theirs).ok()? - i64::try_from(ours).ok()?;
    if diff.unsigned_abs() <= CLOCK_SKEW.as_millis() as u64 {
        return None;
    }
    let d = diff.unsigned_abs() / 1000;
    let amount = match d {
        0..=5_399 => format!("{} minutes", d / 60),
        5_400..=172_799 => format!("{} hours", d / 3600),
        _ => format!("{} days", d / 86_400),
    };
    Some(format!(
        "{amount} {}",
        if diff > 0 { "ahead of" } else { "behind" }
    ))
}

impl Engine {
    /// Stages a new invitation; the reply carries its ticket.
    pub(super) fn invite_new(
        &mut self,
        new: &NewInvite,
        batch: &mut Batch,
    ) -> Result<Response, StageError> {
        if !(1..=MAX_LIFETIME_SECS).contains(&new.expires_in) {
            return Err(invalid(format!(
                "expires: must be between 1 second and {} days",
                MAX_LIFETIME_SECS / 86_400
            ))
            .into());
        }
        if !(1..=MAX_USES).contains(&new.uses) {
            return Err(invalid(format!("uses: must be between 1 and {MAX_USES}")).into());
        }
        let plan = self.resolve(new.plan.as_deref())?;
        let me_peer = self.device.peer.clone();
        let doc = &self.loaded(&plan)?.doc;
        let me = doc.member(&me_peer).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Forbidden,
                "this device is not a member of the plan; it cannot invite anyone",
            )
        })?;
        let (kind, role, name) = if new.link {
            (TicketKind::Link, me.role, me.name.clone())
        } else {
            (TicketKind::Invite, new.role, new.name.clone())
        };
        if !new.link {
            tandem_proto::edit::check_optional_line("name", &name, tandem_proto::edit::NAME_MAX)
                .map_err(ApiError::from)?;
        }
        // Who may add a member of that role may invite one (a link: the
        // device that accepts the join adds the new one, so an observer's
        // link could never be accepted; refused here, not at the join).
        let probe = Edit::Member(MemberOp::Add(NewMember {
            peer: me_peer.clone().into(),
            name: name.clone(),
            role,
            device: String::new(),
        }));
        doc.authorize(&me_peer, &probe).map_err(|e| match (new.link, me.role) {
            (true, tandem_proto::items::member::Role::Observer) => ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "{} is an observer of this plan: an observer's device cannot add devices, so it cannot link one; ask a mentor to invite your other device",
                    me.name
                ),
            ),
            _ => e,
        })?;
        let secret: [u8; SECRET_LEN] = self.rng.random();
        let hash = secret_hash(&secret);
        let now = self.now;
        let lifetime = SignedDuration::from_secs(i64::try_from(new.expires_in).unwrap_or(0));
        let expires_at = now
            .checked_add(lifetime)
            .map_err(|e| invalid(e.to_string()))?;
        let info = InviteInfo {
            id: hash[..12].to_string(),
            plan: plan.clone().into(),
            kind,
            role,
            name: name.clone(),
            created_at: now,
            expires_at,
            used: 0,
            uses: new.uses,
            revoked: false,
            ticket: None,
        };
        batch.put_invite(&InviteRow::new(&info, hash))?;
        let ticket = TicketBody {
            kind,
            plan: plan.into(),
            inviter: me_peer.into(),
            addrs: new.addrs.clone(),
            secret: hex::encode(secret),
            role,
            name,
            expires: expires_at.as_second(),
        }
        .encode();
        tracing::info!(invite = %info.id, plan = %info.plan, ?kind, "invitation made");
        Ok(Response::Invite(InviteInfo {
            ticket: Some(ticket),
            ..info
        }))
    }

    /// The invitations of one plan, or of all, oldest first.
    pub(super) fn invite_list(&mut self, plan: Option<&str>) -> Result<Response, ApiError> {
        let plan = plan.map(|p| self.resolve(Some(p))).transpose()?;
        let mut list: Vec<InviteInfo> = self
            .store
            .invites()
            .map_err(|e| storage_error(&e))?
            .into_iter()
            .map(|r| r.info())
            .filter(|i| plan.as_ref().is_none_or(|p| *p == i.plan))
            .collect();
        list.sort_by_key(|i| i.created_at);
        Ok(Response::Invites(list))
    }

    /// Stages the revocation of an invitation named by id or unique prefix.
    pub(super) fn invite_revoke(
        &mut self,
        id: &str,
        batch: &mut Batch,
    ) -> Result<Response, StageError> {
        let records = self.store.invites()?;
        let found = ids::resolve("invitation", id, records.iter().map(|r| r.id.as_str()))
            .map_err(ApiError::from)?
            .to_string();
        let Some(mut record) = records.into_iter().find(|r| r.id == found) else {
            return Err(ApiError::new(ErrorCode::NotFound, format!("no invitation {id}")).into());
        };
        record.revoked = true;
        batch.put_invite(&record)?;
        tracing::info!(invite = %record.id, "invitation revoked");
        Ok(Response::Invite(record.info()))
    }

    /// Answers a device that asks to join with a ticket's secret; `from`
    /// names the device, the connection and the address it came from.
    pub fn join(&mut self, now_ms: u64, from: &JoinFrom, req: &JoinRequest) -> JoinReply {
        self.at_ms(now_ms);
        self.heal();
        let peer = from.peer.as_str();
        let mut reply = match self.join_limiter.refused(now_ms, from) {
            Some(who) => {
                self.log_refusal(
                    peer,
                    &req.plan,
                    &format!("join refused: too many failed attempts from {who}"),
                );
                refused(
                    JoinRefusal::RateLimited,
                    format!("too many failed attempts from {who}; try again in a few minutes"),
                )
            }
            None => {
                let reply = self.try_join(peer, req, now_ms);
                if let JoinReply::Refused {
                    reason, message, ..
                } = &reply
                {
                    self.log_refusal(
                        peer,
                        &req.plan,
                        &format!("join refused ({reason:?}): {message}"),
                    );
                    self.join_limiter.failed(now_ms, from);
                }
                reply
            }
        };
        // The inviter's clock goes back with every answer.
        match &mut reply {
            JoinReply::Joined { now_ms: t, .. } | JoinReply::Refused { now_ms: t, .. } => {
                *t = Some(now_ms);
            }
        }
        reply
    }

    fn try_join(&mut self, peer: &str, req: &JoinRequest, now_ms: u64) -> JoinReply {
        let me = self.device.peer.clone();
        if req.inviter != me {
            return refused(
                JoinRefusal::WrongInviter,
                format!(
                    "the ticket names {} as the inviting device, but this is {me}",
                    req.inviter
                ),
            );
        }
        let records = match self.store.invites() {
            Ok(r) => r,
            Err(e) => {
                return refused(
                    JoinRefusal::NotAllowed,
                    format!("the inviter's store failed: {e}"),
                );
            }
        };
        let hash = secret_hash(&req.secret);
        let Some(mut record) = records.into_iter().find(|r| r.secret_hash == hash) else {
            return refused(
                JoinRefusal::Unknown,
                "no invitation here matches this ticket's secret",
            );
        };
        let info = &record;
        if info.plan != req.plan {
            return refused(
                JoinRefusal::WrongPlan,
                format!(
                    "this invitation is for plan {}, not {}",
                    info.plan, req.plan
                ),
            );
        }
        // Asked again by a device this invitation already let in (its answer
        // was lost, e.g. with a connection that closed): it is in, whatever
        // the invitation's state since; nothing is counted twice.
        if record.joined.iter().any(|p| p == peer) {
            let plan = info.plan.clone();
            if let Ok(loaded) = self.loaded(&plan) {
                let view = loaded.doc.view();
                if let Some(m) = view.members.iter().find(|m| m.peer == peer) {
                    return JoinReply::Joined {
                        title: view.title.clone(),
                        role: m.role,
                        name: m.name.clone(),
                        now_ms: None,
                    };
                }
            }
        }
        let info = &record;
        if info.revoked {
            return refused(
                JoinRefusal::Revoked,
                format!("invitation {} was revoked", info.id),
            );
        }
        if info.used >= info.uses {
            return refused(
                JoinRefusal::UsedUp,
                format!(
                    "invitation {} was already used ({} of {})",
                    info.id, info.used, info.uses
                ),
            );
        }
        let now = self.now;
        if now > info.expires_at {
            let clock = req
                .now_ms
                .and_then(|theirs| skew_words(theirs, now_ms))
                .map(|w| {
                    format!(
                        "; note that the joining device's clock is {w} the inviter's, so fix it too"
                    )
                })
                .unwrap_or_default();
            return refused(
                JoinRefusal::Expired,
                format!(
                    "invitation {} expired at {} by the inviter's clock{clock}",
                    info.id, info.expires_at
                ),
            );
        }
        let name = match info.kind {
            TicketKind::Link => info.name.clone(),
            TicketKind::Invite if !info.name.is_empty() => info.name.clone(),
            TicketKind::Invite => req.name.clone(),
        };
        let edit = Edit::Member(MemberOp::Add(NewMember {
            peer: peer.to_string().into(),
            name: if name.is_empty() {
                "(unnamed)".into()
            } else {
                name.clone()
            },
            role: info.role,
            device: req.device.clone(),
        }));
        let role = info.role;
        let plan = info.plan.clone();
        record.used += 1;
        record.joined.push(peer.to_string());
        match self.admit(&plan, edit, &record) {
            Ok(title) => {
                tracing::info!(%peer, %plan, ?role, "a device joined with an invitation");
                JoinReply::Joined {
                    title,
                    role,
                    name,
                    now_ms: None,
                }
            }
            Err(e) if e.code == ErrorCode::Forbidden => refused(JoinRefusal::NotAllowed, e.message),
            Err(e) => refused(
                JoinRefusal::NotAllowed,
                format!("the inviter could not add the member: {e}"),
            ),
        }
    }

    /// Adds the member and counts the invitation's use in one durable
    /// transaction, then pushes the plan to connected members (the joiner among them).
    fn admit(&mut self, plan: &str, edit: Edit, record: &InviteRow) -> Result<String, ApiError> {
        let batch = match self.store.begin() {
            Ok(b) => b,
            Err(e) => {
                self.recover();
                return Err(storage_error(&e));
            }
        };
        let mut open = Open {
            batch,
            replies: Vec::new(),
            touched: BTreeSet::new(),
        };
        let req = super::Write::Edit(tandem_proto::api::PlanEdit {
            plan: Some(plan.to_string()),
            edit,
        });
        let staged = self
            .stage(&req, &mut open.batch, &mut open.touched)
            .and_then(|r| {
                open.batch
                    .put_invite(record)
                    .map(|()| r)
                    .map_err(StageError::from)
            });
        match staged {
            Ok(resp) => open.replies.push(((), resp)),
            Err(StageError::Refused(e)) => return Err(e),
            Err(StageError::Store(e)) => {
                self.fail(
                    Vec::<((), Response)>::new(),
                    &open.touched,
                    &e,
                    &mut |_, _| {},
                );
                return Err(storage_error(&e));
            }
        }
        let mut result = Err(ApiError::new(ErrorCode::Internal, "no reply"));
        self.flush(Some(open), &mut |(), r| result = Ok(r));
        match result? {
            Response::Error(e) => Err(e),
            _ => Ok(self.loaded(plan)?.doc.view().title.clone()),
        }
    }
}
