//! Consent for plans: the inbox of plans offered by devices this one
//! shares nothing with, and the plans it asked to join.
//!
//! A plan arrives over sync from whoever lists this device as a member.
//! It is stored as a plan at once only when that is consent already: the
//! sender is a member device of a plan here, or this device asked to join
//! the plan with a ticket (`plans-joined-v1`, written before the join is
//! sent). Otherwise it waits in the inbox (`tandem plan pending`) showing
//! who offered it, until the user accepts it (stored as a plan, synced from
//! then on) or declines it (forgotten, and refused from then on, whoever
//! offers it). The inbox is bounded: [`MAX_OFFERS`] plans,
//! [`MAX_OFFERS_PER_PEER`] from one device, [`MAX_OFFER_BYTES`] each and
//! [`MAX_INBOX_BYTES`] in all; offers expire after [`OFFER_TTL_MS`].

use std::collections::BTreeSet;

use jiff::Timestamp;
use tandem_proto::api::{Declined, PlanOffer, Response, WatchEvent};
use tandem_proto::model::Role;
use tandem_proto::{ApiError, ErrorCode, ids};

use super::{Engine, StageError, storage_error};
use crate::doc::PlanDoc;
use crate::store::Batch;
use crate::store::rows::{DeclinedRow, JoinRow, OfferRow, ROW_V};
use crate::sync::OfferPolicy;

/// Plans waiting for consent at most.
pub const MAX_OFFERS: usize = 32;
/// Plans from one device waiting at most.
pub const MAX_OFFERS_PER_PEER: usize = 4;
/// Largest offered plan kept, in bytes.
pub const MAX_OFFER_BYTES: usize = 16 * 1024 * 1024;
/// All offered plans together, in bytes.
pub const MAX_INBOX_BYTES: u64 = 64 * 1024 * 1024;
/// How long an offer waits before it is dropped (30 days).
pub const OFFER_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long a join asked for counts as consent for its plan (30 days).
pub const JOIN_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// Declined plans remembered at most (the oldest is forgotten first).
pub const MAX_DECLINED: usize = 4096;

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

impl Engine {
    /// What the sync core may do with an offer of `plan` (not stored here).
    pub(super) fn offer_policy(&mut self, plan: &str, peer: &str) -> OfferPolicy {
        match self.store.is_declined(plan) {
            Ok(true) => {
                return OfferPolicy::Refuse(format!("plan {plan} was declined on this device"));
            }
            Ok(false) => {}
            Err(e) => return OfferPolicy::Refuse(format!("cannot check plan {plan}: {e}")),
        }
        let inbox = self.inbox();
        let waiting = inbox.iter().any(|(p, _)| p == plan);
        let (from_peer, total) = (inbox.iter().filter(|(_, f)| f == peer).count(), inbox.len());
        if waiting {
            return OfferPolicy::Refuse(format!(
                "plan {plan} waits for the user's consent (tandem plan pending)"
            ));
        }
        if self.joined(plan) {
            return OfferPolicy::Receive { expected: true };
        }
        if self.membership().knows(peer) {
            return OfferPolicy::Receive { expected: false };
        }
        if from_peer >= MAX_OFFERS_PER_PEER || total >= MAX_OFFERS {
            return OfferPolicy::Refuse("the inbox of offered plans is full".into());
        }
        OfferPolicy::Receive { expected: false }
    }

    /// Whether a complete offer may be stored as a plan at once.
    pub(super) fn consents(&mut self, plan: &str, peer: &str) -> bool {
        self.membership().knows(peer) || self.joined(plan)
    }

    /// Whether this device asked for `plan` (joined with a ticket, or
    /// accepted it ahead), recently. Cached: asked for every offer.
    fn joined(&mut self, plan: &str) -> bool {
        let now = ms(self.now);
        if self.joins.is_none() {
            let all = self.store.joins().unwrap_or_default();
            self.joins = Some(all.into_iter().map(|(p, r)| (p, r.at_ms)).collect());
        }
        self.joins
            .as_ref()
            .and_then(|j| j.get(plan))
            .is_some_and(|at| now - at < JOIN_TTL_MS)
    }

    /// The inbox as (plan, offering peer), cached.
    fn inbox(&mut self) -> &[(String, String)] {
        if self.inbox.is_none() {
            let list = match self.store.offers() {
                Ok(rows) => rows.into_iter().map(|(p, r)| (p, r.from)).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the inbox of offered plans");
                    Vec::new()
                }
            };
            self.inbox = Some(list);
        }
        self.inbox.as_deref().unwrap_or_default()
    }

    /// Keeps a complete offer made without consent in the inbox (in `batch`),
    /// if it fits; returns the event to send once durable.
    pub(super) fn keep_offer(
        &mut self,
        batch: &mut Batch,
        plan: &str,
        from: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<Option<WatchEvent>, crate::store::StoreError> {
        let me = self.device.peer.clone();
        let fits = bytes.len() <= MAX_OFFER_BYTES && {
            let rows = self.store.offers()?;
            let total: u64 = rows.iter().map(|(_, r)| r.bytes).sum();
            rows.len() < MAX_OFFERS
                && rows.iter().filter(|(_, r)| r.from == from).count() < MAX_OFFERS_PER_PEER
                && total + bytes.len() as u64 <= MAX_INBOX_BYTES
        };
        if !fits {
            self.log_refusal(
                from,
                plan,
                "an offered plan does not fit in the inbox; it was dropped",
            );
            return Ok(None);
        }
        let doc = match PlanDoc::load(None, [bytes], self.device.actor.clone()) {
            Ok(d) => d,
            Err(e) => {
                self.log_refusal(from, plan, &format!("an offered plan does not load: {e}"));
                return Ok(None);
            }
        };
        let view = doc.view();
        let member = |peer: &str| view.members.iter().find(|m| m.peer == peer);
        let row = OfferRow {
            v: ROW_V,
            from: from.to_string(),
            from_name: member(from).map(|m| m.name.clone()).unwrap_or_default(),
            from_role: member(from).map_or(Role::Observer, |m| m.role),
            my_role: member(&me).map_or(Role::Observer, |m| m.role),
            title: view.title.clone(),
            offered_at_ms: ms(now),
            bytes: bytes.len() as u64,
        };
        batch.put_offer(plan, &row, bytes)?;
        self.inbox = None;
        tracing::info!(%plan, %from, "a plan was offered by a device that shares no plan here; it waits for consent");
        Ok(Some(WatchEvent::PlanOffered {
            plan: plan.to_string().into(),
            title: view.title.clone(),
            from: from.to_string().into(),
            time: now,
        }))
    }

    /// The inbox, oldest first (expired offers left out).
    pub(super) fn plan_pending(&mut self) -> Result<Response, ApiError> {
        let now = ms(self.now);
        let rows = self.store.offers().map_err(|e| storage_error(&e))?;
        let list = rows
            .into_iter()
            .filter(|(_, r)| now - r.offered_at_ms < OFFER_TTL_MS)
            .map(|(plan, r)| PlanOffer {
                plan: plan.into(),
                title: r.title,
                from: r.from.into(),
                from_name: r.from_name,
                from_role: r.from_role,
                my_role: r.my_role,
                offered_at: Timestamp::from_millisecond(r.offered_at_ms)
                    .unwrap_or(Timestamp::UNIX_EPOCH),
                bytes: r.bytes,
            })
            .collect();
        Ok(Response::Offers(list))
    }

    /// The offered plan named by `prefix`, with its row.
    fn offered(&mut self, prefix: &str) -> Result<(String, OfferRow), StageError> {
        let rows = self.store.offers()?;
        let id = ids::resolve("offered plan", prefix, rows.iter().map(|(p, _)| p.as_str()))
            .map_err(ApiError::from)?
            .to_string();
        rows.into_iter().find(|(p, _)| *p == id).ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("no offered plan {prefix}")).into()
        })
    }

    /// Stores an offered plan as a plan (in `batch`); it syncs from then on.
    /// A whole plan id not offered (yet) is accepted ahead: the plan is
    /// stored as soon as one of its members sends it.
    pub(super) fn plan_accept(
        &mut self,
        prefix: &str,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let offered = self
            .store
            .offers()?
            .iter()
            .any(|(p, _)| p.starts_with(prefix));
        if !offered && ids::is_id(prefix) {
            if self.plan_ids()?.contains(prefix) {
                return Err(ApiError::new(
                    ErrorCode::Invalid,
                    format!("plan {prefix} is stored here already"),
                )
                .into());
            }
            batch.set_declined(prefix, None)?;
            batch.set_joined(
                prefix,
                Some(&JoinRow {
                    v: ROW_V,
                    inviter: String::new(),
                    at_ms: ms(self.now),
                }),
            )?;
            self.joins = None;
            tracing::info!(plan = %prefix, "a plan was accepted ahead of its arrival");
            return Ok(Response::AcceptedAhead {
                plan: prefix.to_string().into(),
            });
        }
        let (plan, row) = self.offered(prefix)?;
        self.joins = None;
        let bytes = self.store.offer_bytes(&plan)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("the offered plan {plan} has no data"),
            )
        })?;
        if self.plan_ids()?.contains(&plan) {
            batch.remove_offer(&plan)?;
            self.inbox = None;
            return Err(ApiError::new(
                ErrorCode::Invalid,
                format!("plan {plan} is stored here already"),
            )
            .into());
        }
        let doc =
            PlanDoc::load(None, [bytes.as_slice()], self.device.actor.clone()).map_err(|e| {
                ApiError::new(
                    ErrorCode::CorruptPlan,
                    format!("the offered plan {plan} does not load: {e}"),
                )
            })?;
        let view = doc.view();
        let now = self.now;
        self.add_plan(batch, &plan, doc, &bytes, now)?;
        batch.remove_offer(&plan)?;
        self.inbox = None;
        touched.insert(plan.clone());
        tracing::info!(%plan, from = %row.from, "an offered plan was accepted");
        Ok(Response::Plan(view))
    }

    /// Forgets an offered plan and refuses it from then on (in `batch`).
    pub(super) fn plan_decline(
        &mut self,
        prefix: &str,
        batch: &mut Batch,
    ) -> Result<Response, StageError> {
        let (plan, row) = self.offered(prefix)?;
        batch.remove_offer(&plan)?;
        let mut declined = self.store.declined()?;
        if declined.len() >= MAX_DECLINED {
            declined.sort_by_key(|(_, r)| r.at_ms);
            for (old, _) in declined.iter().take(declined.len() + 1 - MAX_DECLINED) {
                batch.set_declined(old, None)?;
            }
        }
        let now = ms(self.now);
        batch.set_declined(
            &plan,
            Some(&DeclinedRow {
                v: ROW_V,
                from: row.from.clone(),
                at_ms: now,
            }),
        )?;
        self.inbox = None;
        tracing::info!(%plan, from = %row.from, "an offered plan was declined");
        Ok(Response::Declined(Declined {
            plan: plan.into(),
            title: row.title,
        }))
    }

    /// Records that this device is about to ask `inviter` to join `plan`:
    /// the plan is stored when it arrives, with no inbox step. `None`
    /// takes that back (the join was refused).
    pub fn expect_plan(
        &mut self,
        now: Timestamp,
        plan: &str,
        inviter: Option<&str>,
    ) -> Result<(), ApiError> {
        self.at(now);
        self.heal();
        let row = inviter.map(|inviter| JoinRow {
            v: ROW_V,
            inviter: inviter.to_string(),
            at_ms: ms(self.now),
        });
        let result = self.store.begin().and_then(|mut b| {
            b.set_joined(plan, row.as_ref())?;
            b.commit()
        });
        self.joins = None;
        if let Err(e) = &result {
            self.recover();
            return Err(storage_error(e));
        }
        Ok(())
    }

    /// Drops offers and joins older than their bounds (on the tick, now and then).
    pub(super) fn prune_inbox(&mut self) {
        let now = ms(self.now);
        let Ok(rows) = self.store.offers() else {
            return;
        };
        let old: Vec<String> = rows
            .into_iter()
            .filter(|(_, r)| now - r.offered_at_ms >= OFFER_TTL_MS)
            .map(|(p, _)| p)
            .collect();
        if old.is_empty() {
            return;
        }
        let result = self.store.begin().and_then(|mut b| {
            for p in &old {
                b.remove_offer(p)?;
            }
            b.commit()
        });
        match result {
            Ok(()) => tracing::info!(
                count = old.len(),
                "dropped offered plans nobody accepted in 30 days"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot drop old offered plans");
                self.recover();
            }
        }
        self.inbox = None;
    }
}
