//! Plans in memory: loaded lazily on first use, evicted least recently
//! used, compacted and checked against their records when the engine is
//! idle. A plan whose stored bytes cannot be read is remembered as corrupt;
//! its bytes are never written over, and every other plan keeps working.

use tandem_proto::{ApiError, ErrorCode};

use super::loaded::{Loaded, Slot};
use super::{Engine, MAX_LOADED, storage_error};

impl Engine {
    /// The loaded plan `id`, loading it from the store on first use.
    pub(super) fn loaded(&mut self, id: &str) -> Result<&mut Loaded, ApiError> {
        self.tick += 1;
        let tick = self.tick;
        if !self.plans.contains_key(id) {
            let stored = self.store.load_plan(id).map_err(|e| storage_error(&e))?;
            let slot = match Loaded::load(id, &stored, self.device.actor.clone(), tick) {
                Ok(l) => {
                    if l.wants_compaction() {
                        self.to_compact.insert(id.to_string());
                    }
                    Slot::Ready(Box::new(l))
                }
                Err(why) => {
                    tracing::error!(plan = id, error = %why, "stored plan is corrupt; its bytes are kept untouched");
                    Slot::Corrupt(why)
                }
            };
            self.plans.insert(id.to_string(), slot);
        }
        match self.plans.get_mut(id) {
            Some(Slot::Ready(l)) => {
                l.last_used = tick;
                Ok(l)
            }
            Some(Slot::Corrupt(why)) => Err(ApiError::new(
                ErrorCode::CorruptPlan,
                format!(
                    "plan {id} is corrupt and cannot be opened ({why}); its stored bytes are kept untouched"
                ),
            )),
            None => Err(ApiError::new(
                ErrorCode::Internal,
                "plan vanished while loading",
            )),
        }
    }

    /// Drops the least recently used plans beyond [`MAX_LOADED`]. Memory always
    /// equals what is durable between batches, so this loses nothing.
    pub(super) fn evict(&mut self) {
        let ready = self
            .plans
            .values()
            .filter(|s| matches!(s, Slot::Ready(_)))
            .count();
        if ready <= MAX_LOADED {
            return;
        }
        let mut by_age: Vec<(u64, String)> = self
            .plans
            .iter()
            .filter_map(|(id, s)| match s {
                Slot::Ready(l) => Some((l.last_used, id.clone())),
                Slot::Corrupt(_) => None,
            })
            .collect();
        by_age.sort_unstable();
        for (_, id) in by_age.into_iter().take(ready - MAX_LOADED) {
            self.to_compact.remove(&id);
            self.plans.remove(&id);
        }
    }

    /// Whether a compaction is waiting.
    pub fn has_compaction(&self) -> bool {
        !self.to_compact.is_empty()
    }

    /// Whether there is work for idle moments: a compaction, or plans whose
    /// stored changes have not been checked against their records yet.
    pub fn has_idle_work(&self) -> bool {
        self.has_compaction() || self.to_verify.as_ref().is_none_or(|v| !v.is_empty())
    }

    /// Does one piece of idle work: one compaction, else one plan's check.
    pub fn idle_step(&mut self) {
        if self.has_compaction() {
            self.compact_one();
        } else {
            self.verify_one();
        }
    }

    /// Checks one plan that is not in memory against its record (keys
    /// only, no document is read), so `plan list` can flag a damaged plan
    /// before anything asks for it.
    pub(super) fn verify_one(&mut self) {
        let queue = match &mut self.to_verify {
            Some(q) => q,
            None => {
                let ids = self.store.plan_ids().unwrap_or_default();
                self.to_verify.insert(ids)
            }
        };
        let Some(id) = queue.pop() else { return };
        if self.plans.contains_key(&id) {
            return;
        }
        match self.store.check_plan(&id) {
            Ok(Some(why)) => {
                tracing::error!(plan = %id, error = %why, "stored plan is corrupt; its bytes are kept untouched");
                self.plans.insert(id, Slot::Corrupt(why));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(plan = %id, error = %e, "cannot check a stored plan"),
        }
    }

    /// Compacts one plan: a fresh snapshot replaces its stored changes.
    pub fn compact_one(&mut self) {
        let Some(id) = self.to_compact.pop_first() else {
            return;
        };
        let Some(Slot::Ready(l)) = self.plans.get_mut(&id) else {
            return;
        };
        let snapshot = l.doc.save();
        let meta = l.compacted();
        match self.store.compact(&id, &snapshot, &meta) {
            Ok(()) => {
                tracing::debug!(plan = %id, changes = l.since_snapshot(), bytes = snapshot.len(), "compacted");
                l.compacted_to(meta, &snapshot);
            }
            Err(e) => {
                // Nothing of it is durable and memory still equals what is;
                // the database is reopened as after any failed transaction.
                // It is tried again once the plan has grown further.
                tracing::warn!(plan = %id, error = %e, "compaction failed; will retry later");
                self.recover();
            }
        }
    }
}
