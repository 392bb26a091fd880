//! The plan list kept in memory: every stored plan's summary as its index
//! row and record say, read from the store once and then only for the
//! plans a commit touched.
//!
//! `plan list` used to read and decode every index row and plan record on
//! each call (5,000 plans: 10,000 JSON rows); now it copies this map. It
//! holds exactly what is durable: it changes only after a commit
//! ([`Engine::plans_changed`]), from the rows that commit wrote, and is
//! read afresh after any failed one.
//!
//! The engine's set of plan ids (`Engine::plan_ids`, for resolving an id
//! prefix) is kept apart on purpose: it holds a plan from the moment it is
//! staged, so a later request of the same batch can name it.

use std::collections::{BTreeMap, BTreeSet};

use tandem_proto::model::PlanSummary;

use super::Engine;
use crate::store::StoreError;

/// Every stored plan's summary, by plan id.
pub(super) type Listing = BTreeMap<String, PlanSummary>;

impl Engine {
    /// The plan list, read from the store on first use.
    pub(super) fn listing(&mut self) -> Result<&Listing, StoreError> {
        if self.listing.is_none() {
            let all = self.store.summaries()?;
            self.listing = Some(all.into_iter().map(|s| (s.id.to_string(), s)).collect());
        }
        // Filled just above when it was empty.
        self.listing.as_ref().ok_or(StoreError::Unavailable)
    }

    /// After a commit that touched `plans`: their summaries as now stored.
    /// Should one not be readable, the whole list is read afresh next time.
    pub(super) fn listing_changed(&mut self, plans: &BTreeSet<String>) {
        let Some(listing) = self.listing.as_mut() else {
            return;
        };
        for id in plans {
            match self.store.summary(id) {
                Ok(Some(s)) => {
                    listing.insert(id.clone(), s);
                }
                Ok(None) => {
                    listing.remove(id);
                }
                Err(e) => {
                    tracing::warn!(plan = %id, error = %e, "cannot read a plan's summary; the list is read again when asked");
                    self.listing = None;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::super::fault_tests::faulty_engine;
    use super::super::tests::{call, goal, new_plan};
    use std::sync::atomic::Ordering;

    use tandem_proto::api::{PlanEdit, Request, Response};

    fn listed(e: &mut super::Engine) -> Vec<tandem_proto::model::PlanSummary> {
        let Response::Plans(list) = call(e, Request::PlanList) else {
            panic!("no list")
        };
        list
    }

    /// What `plan list` answers from memory is what the store holds, after
    /// new plans and edits, and after an edit whose commit failed.
    #[test]
    fn the_list_in_memory_is_the_list_in_the_store() {
        let (mut e, failing) = faulty_engine();
        assert!(listed(&mut e).is_empty());
        let a = new_plan(&mut e, "A");
        let b = new_plan(&mut e, "B");
        let edit = |plan: &str, title: &str| {
            Request::Edit(PlanEdit {
                plan: Some(plan.into()),
                edit: goal(title),
            })
        };
        for i in 0..3 {
            call(&mut e, edit(&a, &format!("goal {i}")));
        }
        let mut fresh = e.store.summaries().unwrap();
        let list = listed(&mut e);
        for s in &mut fresh {
            s.current = s.id == b;
        }
        assert_eq!(list, fresh);
        assert_eq!(list.iter().find(|s| s.id == a).unwrap().goals, 3);

        // A failed commit leaves the list as stored.
        failing.store(true, Ordering::SeqCst);
        let r = call(&mut e, edit(&a, "lost"));
        assert!(matches!(r, Response::Error(_)), "{r:?}");
        failing.store(false, Ordering::SeqCst);
        let list = listed(&mut e);
        assert_eq!(list.iter().find(|s| s.id == a).unwrap().goals, 3);
        call(&mut e, edit(&a, "kept"));
        assert_eq!(listed(&mut e).iter().find(|s| s.id == a).unwrap().goals, 4);
    }
}
