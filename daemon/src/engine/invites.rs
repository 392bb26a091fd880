//! Invitations: making, listing and revoking them, and answering a device
//! that joins with one.
//!
//! Rules, checked in this order when a device asks to join:
//!
//! 1. A device with [`MAX_FAILURES`] refused joins in the last
//!    [`FAILURE_WINDOW_MS`] is refused without a look (rate limit).
//! 2. The ticket must name this device as inviter, and a stored invitation
//!    must have the SHA-256 of the secret presented; it must name the same
//!    plan, not be revoked, not be used up, and not be expired. Expiry is
//!    set and checked by this device's own clock, so it needs no tolerance;
//!    the joining device, whose clock may disagree, refuses a ticket by
//!    itself only once it is [`CLOCK_SKEW`] past its expiry ([`expired`]).
//! 3. This device must still be allowed to add that member (its role).
//!
//! Only then is the member added, in the same transaction that counts the
//! use, so a refused or failed join leaves no member record and no use.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use tandem_proto::api::{InviteInfo, NewInvite, Response};
use tandem_proto::edit::Edit;
use tandem_proto::peer::{JoinRefusal, JoinReply, JoinRequest};
use tandem_proto::ticket::{SECRET_LEN, TicketBody, TicketKind, secret_hash};
use tandem_proto::{ApiError, ErrorCode, ids};

use super::{Engine, Open, StageError, storage_error};
use crate::store::{Batch, InviteRecord};

/// How far apart two devices' clocks may be before an expiry is enforced.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);
/// Refused joins from one device before it is turned away unheard.
pub const MAX_FAILURES: usize = 5;
/// The window those failures are counted in.
pub const FAILURE_WINDOW_MS: u64 = 10 * 60 * 1000;
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
    }
}

/// Whether a ticket valid until `expires` is surely expired at `now` by
/// another device's clock: past it by more than the skew tolerance.
pub fn expired(expires: Timestamp, now: Timestamp) -> bool {
    now.duration_since(expires) > CLOCK_SKEW
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
            // Who may add a member of that role may invite one.
            let probe = Edit::MemberAdd {
                peer: me_peer.clone(),
                name: name.clone(),
                role,
                device: String::new(),
            };
            doc.authorize(&me_peer, &probe)?;
        }
        let secret: [u8; SECRET_LEN] = rand::random();
        let hash = secret_hash(&secret);
        let now = Timestamp::now();
        let lifetime = SignedDuration::from_secs(i64::try_from(new.expires_in).unwrap_or(0));
        let expires_at = now
            .checked_add(lifetime)
            .map_err(|e| invalid(e.to_string()))?;
        let info = InviteInfo {
            id: hash[..12].to_string(),
            plan: plan.clone(),
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
        batch.put_invite(&InviteRecord {
            info: info.clone(),
            secret_hash: hash,
            joined: Vec::new(),
        })?;
        let ticket = TicketBody {
            kind,
            plan,
            inviter: me_peer,
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
            .map(|r| r.info)
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
        let found = ids::resolve("invitation", id, records.iter().map(|r| r.info.id.as_str()))
            .map_err(ApiError::from)?
            .to_string();
        let Some(mut record) = records.into_iter().find(|r| r.info.id == found) else {
            return Err(ApiError::new(ErrorCode::NotFound, format!("no invitation {id}")).into());
        };
        record.info.revoked = true;
        batch.put_invite(&record)?;
        tracing::info!(invite = %record.info.id, "invitation revoked");
        Ok(Response::Invite(record.info))
    }

    /// Answers a device that asks to join with a ticket's secret.
    pub fn join(&mut self, now_ms: u64, peer: &str, req: &JoinRequest) -> JoinReply {
        self.heal();
        // Forget failures older than the window (and peers left with none).
        self.join_failures.retain(|_, times| {
            times.retain(|t| now_ms.saturating_sub(*t) < FAILURE_WINDOW_MS);
            !times.is_empty()
        });
        let failures = self.join_failures.get(peer).map_or(0, Vec::len);
        if failures >= MAX_FAILURES {
            tracing::warn!(%peer, "join refused: too many failed attempts");
            return refused(
                JoinRefusal::RateLimited,
                "too many failed attempts from this device; try again in a few minutes",
            );
        }
        let reply = self.try_join(peer, req);
        if let JoinReply::Refused { reason, message } = &reply {
            tracing::warn!(%peer, plan = %req.plan, ?reason, %message, "join refused");
            self.join_failures
                .entry(peer.to_string())
                .or_default()
                .push(now_ms);
        }
        reply
    }

    fn try_join(&mut self, peer: &str, req: &JoinRequest) -> JoinReply {
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
        let info = &record.info;
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
                        title: view.title,
                        role: m.role,
                        name: m.name.clone(),
                    };
                }
            }
        }
        let info = &record.info;
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
        let now = Timestamp::now();
        if now > info.expires_at {
            return refused(
                JoinRefusal::Expired,
                format!("invitation {} expired at {}", info.id, info.expires_at),
            );
        }
        let name = match info.kind {
            TicketKind::Link => info.name.clone(),
            TicketKind::Invite if !info.name.is_empty() => info.name.clone(),
            TicketKind::Invite => req.name.clone(),
        };
        let edit = Edit::MemberAdd {
            peer: peer.to_string(),
            name: if name.is_empty() {
                "(unnamed)".into()
            } else {
                name.clone()
            },
            role: info.role,
            device: req.device.clone(),
        };
        let role = info.role;
        let plan = info.plan.clone();
        record.info.used += 1;
        record.joined.push(peer.to_string());
        match self.admit(&plan, edit, &record) {
            Ok(title) => {
                tracing::info!(%peer, %plan, ?role, "a device joined with an invitation");
                JoinReply::Joined { title, role, name }
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
    fn admit(&mut self, plan: &str, edit: Edit, record: &InviteRecord) -> Result<String, ApiError> {
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
        let req = tandem_proto::api::Request::Edit {
            plan: Some(plan.to_string()),
            edit,
        };
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
            _ => Ok(self.loaded(plan)?.doc.view().title),
        }
    }
}
