//! The reads the engine answers: status, plans, history, and which plan a
//! request means.

use std::collections::BTreeSet;

use tandem_proto::api::{DaemonStatus, Nat, Response};
use tandem_proto::{ApiError, ErrorCode, ids};

use super::ask::Read;
use super::loaded::Slot;
use super::{Engine, storage_error};

impl Engine {
    /// Answers one read from what is durable.
    pub(super) fn read(&mut self, req: &Read) -> Response {
        let result = match req {
            Read::Status => self.status(),
            Read::PlanList => self.plan_list(),
            Read::PlanGet(g) => self
                .resolve(g.plan.as_deref())
                .and_then(|id| self.loaded(&id).map(|l| Response::Plan(l.doc.view()))),
            Read::Log(h) => self.resolve(h.plan.as_deref()).and_then(|id| {
                let limit = h.limit.unwrap_or(usize::MAX);
                self.loaded(&id).and_then(|l| {
                    Ok(Response::Log(match h.item.as_deref() {
                        None => l.doc.log(limit),
                        Some(given) => {
                            // An item of the plan by id or prefix; a removed one by its whole id.
                            let id = match tandem_proto::items::find_any(l.doc.automerge(), given) {
                                Ok((_, id, _)) => id.to_string(),
                                Err(e)
                                    if e.code == tandem_proto::ErrorCode::NotFound
                                        && given.len() >= 16 =>
                                {
                                    given.to_string()
                                }
                                Err(e) => return Err(e),
                            };
                            l.doc.item_log(&id, limit)
                        }
                    }))
                })
            }),
            Read::SyncStatus(s) => self
                .resolve(s.plan.as_deref())
                .and_then(|id| self.sync_status(&id)),
            Read::InviteList(l) => self.invite_list(l.plan.as_deref()),
            Read::PlanPending => self.plan_pending(),
            Read::BundleExport(b) => self.bundle_export(b.plan.as_deref(), b.for_peer.as_deref()),
            Read::UndoList(u) => self.resolve(u.plan.as_deref()).and_then(|id| {
                let device = self.device.clone();
                self.loaded(&id)
                    .map(|l| Response::Undoable(l.doc.undoable(&device, crate::doc::UNDO_LIST_MAX)))
            }),
        };
        result.unwrap_or_else(Response::Error)
    }

    pub(super) fn status(&mut self) -> Result<Response, ApiError> {
        let plans_stored = self.store.plan_count().map_err(|e| storage_error(&e))?;
        Ok(Response::Status(DaemonStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            home: self.info.home.clone(),
            socket: self.info.socket.clone(),
            started_at: self.info.started_at,
            ui: self.info.ui.clone(),
            device: self.device.actor.to_hex_string(),
            peer_id: self.device.peer.clone().into(),
            listen: Vec::new(),
            peers: Vec::new(),
            member_devices: self
                .membership()
                .devices()
                .into_iter()
                .map(Into::into)
                .collect(),
            nat: Nat::Unknown,
            relays: Vec::new(),
            listen_errors: Vec::new(),
            plans_stored,
            plans_loaded: self
                .plans
                .values()
                .filter(|s| matches!(s, Slot::Ready(_)))
                .count(),
        }))
    }

    pub(super) fn plan_list(&mut self) -> Result<Response, ApiError> {
        let current = self.store.current_plan().map_err(|e| storage_error(&e))?;
        let damaged = self
            .plans
            .iter()
            .filter_map(|(id, slot)| match slot {
                Slot::Corrupt(why) => Some((id.clone(), why.clone())),
                _ => None,
            })
            .collect();
        let listing = self.listing().map_err(|e| storage_error(&e))?;
        Ok(Response::Plans(listing.answer((current, damaged))))
    }

    pub(super) fn plan_ids(&mut self) -> Result<&BTreeSet<String>, ApiError> {
        if self.ids.is_none() {
            let ids = self.store.plan_ids().map_err(|e| storage_error(&e))?;
            self.ids = Some(ids.into_iter().collect());
        }
        // Filled just above when it was empty.
        self.ids
            .as_ref()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "plan ids unavailable"))
    }

    /// The plan named by `plan`, else the current plan, else the only plan.
    pub(super) fn resolve(&mut self, plan: Option<&str>) -> Result<String, ApiError> {
        if let Some(prefix) = plan {
            let ids = self.plan_ids()?;
            return Ok(ids::resolve("plan", prefix, ids.iter().map(String::as_str))?.to_string());
        }
        let current = self.store.current_plan().map_err(|e| storage_error(&e))?;
        let ids = self.plan_ids()?;
        if let Some(c) = current.filter(|c| ids.contains(c)) {
            return Ok(c);
        }
        match ids.len() {
            0 => Err(ApiError::new(
                ErrorCode::NoPlan,
                "there are no plans yet: create one with `tandem plan new TITLE`",
            )),
            1 => Ok(ids.iter().next().cloned().unwrap_or_default()),
            n => Err(ApiError::new(
                ErrorCode::NoPlan,
                format!(
                    "no current plan and {n} plans exist: pick one with `tandem plan use ID` or pass --plan ID"
                ),
            )),
        }
    }
}
