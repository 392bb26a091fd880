//! Air-gapped sync bundles: exporting a plan's changes as a signed file,
//! and importing one after checking who signed it.
//!
//! Export: the whole plan, or (`--for PEER`) the changes after what that
//! device is known to hold: the heads this device shares with it by
//! network sync, or the heads it held when it signed the last bundle
//! imported here. The file is signed with this device's key
//! ([`tandem_proto::signing::sign_bundle`]).
//!
//! Import, in this order, with nothing merged unless every step passes:
//! the file parses ([`tandem_proto::bundle::parse`]: truncation and
//! trailing bytes are refused), the signature is the signer's over every
//! byte, the signer is a writing member (mentor or mentee) of the plan as
//! this device knows it (for a plan new here: as the bundle's own plan says,
//! and this device must be a member too), and the changes parse strictly
//! and build on what is here. Importing a bundle twice changes nothing.

use std::collections::BTreeSet;

use data_encoding::BASE64;
use tandem_proto::api::{BundleIn, BundleOut, Response, WatchEvent};
use tandem_proto::bundle::{self, BundleHeader};
use tandem_proto::model::{Member, Role};
use tandem_proto::{ApiError, ErrorCode, ids};

use super::{Engine, StageError};
use crate::doc::{PlanDoc, change_messages};
use crate::store::Batch;

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Invalid, msg)
}

/// Refuses a signer that may not write to a plan with these members.
fn check_signer(members: &[Member], signer: &str, plan: &str) -> Result<(), ApiError> {
    match members.iter().find(|m| m.peer == signer) {
        Some(m) if m.role != Role::Observer => Ok(()),
        Some(_) => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "the bundle is signed by {signer}, an observer of plan {plan}; observers cannot change a plan, so nothing was merged"
            ),
        )),
        None => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "the bundle is signed by {signer}, which is not a member device of plan {plan}; nothing was merged"
            ),
        )),
    }
}

impl Engine {
    /// Makes a signed bundle of a plan (a read: nothing is stored).
    pub(super) fn bundle_export(
        &mut self,
        plan: Option<&str>,
        for_peer: Option<&str>,
    ) -> Result<Response, ApiError> {
        let id = self.resolve(plan)?;
        let key = self.signer.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "this daemon has no device key to sign with",
            )
        })?;
        let target = match for_peer {
            None => None,
            Some(given) => {
                let members = self.loaded(&id)?.doc.view().members.clone();
                Some(tandem_proto::items::resolve_peer(&members, given)?.to_string())
            }
        };
        let mut since = Vec::new();
        if let Some(peer) = &target {
            let key = (peer.clone(), id.clone());
            let state = match self.unsaved_states.get(&key) {
                Some(s) => Some(s.clone()),
                None => self.store.sync_state(peer, &id).ok().flatten(),
            };
            if let Some(s) = state.and_then(|b| automerge::sync::State::decode(&b).ok()) {
                since.extend(s.shared_heads.iter().map(ToString::to_string));
            }
            since.extend(self.store.peer_heads(peer, &id).unwrap_or_default());
        }
        let signer = self.device.peer.clone();
        let now = self.now;
        let doc = &self.loaded(&id)?.doc;
        let (changes, base) = doc.bundle_changes(&since);
        let view = doc.view();
        let header = BundleHeader {
            plan: id.clone().into(),
            title: view.title.clone(),
            signer: signer.into(),
            public_key: hex::encode(key.public().encode_protobuf()),
            created_at: now,
            whole: base.is_empty(),
            since: base,
            heads: doc.heads_hex(),
            for_peer: target.clone().map(Into::into),
        };
        let file = tandem_proto::signing::sign_bundle(&key, &header, &changes)?;
        Ok(Response::Bundle(BundleOut {
            plan: id.into(),
            title: view.title.clone(),
            whole: header.whole,
            for_peer: target.map(Into::into),
            bytes: file.len(),
            data: BASE64.encode(&file),
        }))
    }

    /// Checks and merges a bundle, staging what it changes in `batch`.
    pub(super) fn bundle_import(
        &mut self,
        data: &str,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let file = BASE64
            .decode(data.as_bytes())
            .map_err(|e| invalid(format!("the bundle was not sent as base64: {e}")))?;
        let parsed = bundle::parse(&file).map_err(|e| invalid(e.to_string()))?;
        tandem_proto::signing::verify_bundle(&parsed).map_err(|e| {
            let why = match e {
                tandem_proto::signing::VerifyError::Changed => {
                    "its signature does not match its contents: it was changed or damaged after it was signed".to_string()
                }
                other => other.to_string(),
            };
            ApiError::new(ErrorCode::Forbidden, format!("bundle refused, nothing was merged: {why}"))
        })?;
        let h = &parsed.header;
        if !ids::is_id(&h.plan) {
            return Err(
                invalid(format!("the bundle names an invalid plan id '{}'", h.plan)).into(),
            );
        }
        let now = self.now;
        let me = self.device.peer.clone();
        let exists = self.plan_ids()?.contains(h.plan.as_str());
        let (title, messages, items, changed) = if exists {
            let loaded = self.loaded(&h.plan)?;
            check_signer(&loaded.doc.view().members, &h.signer, &h.plan)?;
            let got = loaded.doc.absorb(parsed.changes);
            if let Some(why) = got.refused {
                return Err(invalid(format!("bundle refused, nothing was merged: {why}")).into());
            }
            let title = loaded.doc.view().title.clone();
            match got.change {
                Some(bytes) => {
                    loaded.append(&h.plan, batch, &bytes, now)?;
                    (title, change_messages(&bytes), got.touched, true)
                }
                None => (title, Vec::new(), Vec::new(), false),
            }
        } else {
            if !h.whole {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("this device does not have plan {} yet, and the bundle holds only recent changes; export the whole plan (`tandem bundle export` without --for) and import that", h.plan),
                )
                .into());
            }
            let doc = PlanDoc::from_bundle(parsed.changes, self.device.actor.clone())
                .map_err(|e| invalid(format!("bundle refused, nothing was merged: {e}")))?;
            let view = doc.view();
            if view.id != h.plan {
                return Err(
                    invalid("bundle refused: its plan is not the one its header names").into(),
                );
            }
            check_signer(&view.members, &h.signer, &h.plan)?;
            if !view.members.iter().any(|m| m.peer == me) {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    format!("this device ({me}) is not a member of plan {}; on a mentor's device run `tandem member add {me} --name NAME --role ROLE`, export the bundle again, and import that", h.plan),
                )
                .into());
            }
            let bytes = doc.save();
            self.add_plan(batch, &h.plan, doc, &bytes, now)?;
            (
                view.title.clone(),
                vec!["plan received".to_string()],
                Vec::new(),
                true,
            )
        };
        batch.put_peer_heads(&h.signer, &h.plan, &h.heads)?;
        if changed {
            touched.insert(h.plan.to_string());
            self.staged_events.push(WatchEvent::RemoteChange {
                plan: h.plan.clone(),
                messages: messages.clone(),
                items: items.clone(),
                authors: Vec::new(),
                from: h.signer.clone(),
                time: now,
            });
        }
        Ok(Response::BundleImported(BundleIn {
            plan: h.plan.clone(),
            title,
            signer: h.signer.clone(),
            new_plan: !exists,
            changed,
            messages,
            items,
        }))
    }
}
