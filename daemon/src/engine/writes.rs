//! The writes the engine stages in the open batch: new, imported and
//! current plans, edits (sign-offs signed here), invitations, offers.

use std::collections::BTreeSet;

use jiff::Timestamp;
use tandem_proto::ApiError;
use tandem_proto::api::{PlanEdit, Resolve, Response, Undo, WatchEvent};
use tandem_proto::edit::{Edit, SignoffOp};

use super::ask::Write;
use super::loaded::{Loaded, Slot};
use super::{Engine, StageError};
use crate::doc::PlanDoc;
use crate::store::{Batch, StoreError};

impl Engine {
    /// Stages one write in `batch`; its reply is sent once the batch is durable.
    pub(super) fn stage(
        &mut self,
        req: &Write,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let now = self.now;
        match req {
            Write::PlanNew(new) => {
                let id = self.fresh_id();
                let mut new_id = self.id_source();
                let made = PlanDoc::create(&id, new, &self.device, now, &mut new_id)?;
                self.start_plan(batch, touched, id, made, now)
            }
            Write::BundleImport(b) => self.bundle_import(&b.data, batch, touched),
            Write::PlanImport(plan) => {
                let id = self.fresh_id();
                let made = PlanDoc::import(&id, &plan.0, &self.device, now)?;
                self.start_plan(batch, touched, id, made, now)
            }
            Write::PlanUse(u) => {
                let id = self.resolve(Some(&u.plan))?;
                let view = self.loaded(&id)?.doc.view();
                batch.set_current(&id)?;
                touched.insert(id);
                Ok(Response::Plan(view))
            }
            Write::Edit(e) => self.edit(e, batch, touched),
            Write::Undo(u) => self.undo(u, batch, touched),
            Write::Resolve(r) => self.resolve_conflicts(r, batch, touched),
            Write::InviteNew(new) => self.invite_new(new, batch),
            Write::InviteRevoke(r) => self.invite_revoke(&r.id, batch),
            Write::PlanAccept(a) => self.plan_accept(&a.plan, batch, touched),
            Write::PlanDecline(d) => self.plan_decline(&d.plan, batch),
        }
    }

    /// Applies an edit to a plan (signing a sign-off with this device's key)
    /// and stages its change.
    pub(super) fn edit(
        &mut self,
        PlanEdit { plan, edit }: &PlanEdit,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let id = self.resolve(plan.as_deref())?;
        let now = self.now;
        let device = self.device.clone();
        let loaded = self.loaded(&id)?;
        loaded.doc.authorize(&device.peer, edit)?;
        let signed;
        let edit = match edit {
            Edit::Signoff(SignoffOp::Add {
                competency,
                kind,
                qualification,
                ..
            }) => {
                signed = self.sign_off(&id, competency, *kind, *qualification)?;
                &signed
            }
            Edit::Signoff(SignoffOp::Acknowledge { competency, .. }) => {
                signed = self.acknowledge(&id, competency)?;
                &signed
            }
            other => other,
        };
        let mut new_id = self.id_source();
        let loaded = self.loaded(&id)?;
        let edited = loaded.doc.apply(edit, &device, now, &mut new_id)?;
        self.stage_change(&id, &edited, batch, touched)?;
        Ok(Response::Edited(edited.item))
    }

    /// Stages a change this device made to plan `id` (if it changed
    /// anything) and tells watchers of it.
    fn stage_change(
        &mut self,
        id: &str,
        edited: &crate::doc::Edited,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<(), StageError> {
        let Some(bytes) = &edited.change else {
            return Ok(());
        };
        let now = self.now;
        self.staged_events.push(WatchEvent::LocalChange {
            plan: id.to_string().into(),
            message: edited.message.clone(),
            item: edited.item.id(),
            device: self.device.peer.clone().into(),
            time: now,
        });
        touched.insert(id.to_string());
        self.loaded(id)?.append(id, batch, bytes, now)?;
        Ok(())
    }

    /// A change of this device's own that is not an item edit (an undo, a
    /// resolve), made by `make` once the device is known to write in the
    /// plan, and staged.
    fn own_change<T>(
        &mut self,
        plan: Option<&str>,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
        make: impl FnOnce(
            &mut PlanDoc,
            &crate::doc::Device,
            Timestamp,
        ) -> Result<(crate::doc::Edited, T), ApiError>,
    ) -> Result<(crate::doc::Edited, T), StageError> {
        let id = self.resolve(plan)?;
        let (now, device) = (self.now, self.device.clone());
        let loaded = self.loaded(&id)?;
        loaded.doc.authorize_writer(&device.peer)?;
        let (edited, extra) = make(&mut loaded.doc, &device, now)?;
        self.stage_change(&id, &edited, batch, touched)?;
        Ok((edited, extra))
    }

    /// Reverts this device's last change to a plan (or a named one).
    pub(super) fn undo(
        &mut self,
        Undo { plan, change }: &Undo,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let (edited, undone) =
            self.own_change(plan.as_deref(), batch, touched, |doc, device, now| {
                doc.undo(device, now, change.as_deref())
            })?;
        Ok(Response::Undone(tandem_proto::api::Undone {
            undone,
            touched: edited.item.touched(),
            message: edited.message,
        }))
    }

    /// Keeps the current values of an item's conflicted fields.
    pub(super) fn resolve_conflicts(
        &mut self,
        Resolve { plan, item }: &Resolve,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
    ) -> Result<Response, StageError> {
        let (edited, fields) =
            self.own_change(plan.as_deref(), batch, touched, |doc, device, now| {
                doc.resolve(item, device, now)
            })?;
        Ok(Response::Resolved(tandem_proto::api::Resolved {
            touched: edited.item.touched(),
            fields,
        }))
    }

    /// Stores a plan just made here and makes it the current one.
    pub(super) fn start_plan(
        &mut self,
        batch: &mut Batch,
        touched: &mut BTreeSet<String>,
        id: String,
        (doc, bytes): (PlanDoc, Vec<u8>),
        now: Timestamp,
    ) -> Result<Response, StageError> {
        touched.insert(id.clone());
        batch.set_current(&id)?;
        let view = doc.view();
        self.add_plan(batch, &id, doc, &bytes, now)?;
        Ok(Response::Plan(view))
    }

    /// Stores a plan new to this device (created here or shared with us) as
    /// its first chunk, and keeps it loaded.
    pub(super) fn add_plan(
        &mut self,
        batch: &mut Batch,
        id: &str,
        doc: PlanDoc,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.tick += 1;
        let loaded = Loaded::first(doc, bytes, self.tick);
        batch.append_change(id, 0, bytes, &loaded.meta)?;
        batch.put_summary(&loaded.doc.summary(now))?;
        self.plans
            .insert(id.to_string(), Slot::Ready(Box::new(loaded)));
        if let Some(ids) = self.ids.as_mut() {
            ids.insert(id.to_string());
        }
        Ok(())
    }
}
