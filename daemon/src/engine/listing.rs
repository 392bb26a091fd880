//! The plan list kept in memory: every stored plan's summary as its index
//! row and record say, read from the store once and then only for the
//! plans a commit touched; and the list as last answered.
//!
//! `plan list` used to read and decode every index row and plan record on
//! each call (5,000 plans: 10,000 JSON rows); now it reads this map. It
//! holds exactly what is durable: it changes only after a commit
//! ([`Engine::plans_changed`]), from the rows that commit wrote, and is
//! read afresh after any failed one.
//!
//! The answer (each summary marked current or damaged) is kept as a
//! [`Shared`] list, so that asking again while nothing changed copies no
//! summary on the engine's thread and encodes no JSON anywhere (the first
//! send's text is kept): 5,000 plans are 1.2 MB of it. It is made again
//! when a commit touched a plan, or when the current plan or the set of
//! damaged plans is not what it was made for.
//!
//! The engine's set of plan ids (`Engine::plan_ids`, for resolving an id
//! prefix) is kept apart on purpose: it holds a plan from the moment it is
//! staged, so a later request of the same batch can name it.

use std::collections::{BTreeMap, BTreeSet};

use tandem_proto::api::Shared;
use tandem_proto::model::PlanSummary;

use super::Engine;
use crate::store::StoreError;

/// Every stored plan's summary, by plan id, and the last answer made of them.
#[derive(Debug, Default)]
pub(super) struct Listing {
    /// Every stored plan's summary, by plan id.
    pub(super) by_id: BTreeMap<String, PlanSummary>,
    /// The last `plan list` answer, with the marks it was made with.
    answered: Option<(Marks, Shared<Vec<PlanSummary>>)>,
}

/// What an answer marks besides the stored summaries: the current plan, and
/// each damaged plan with why.
pub(super) type Marks = (Option<String>, BTreeMap<String, String>);

impl Listing {
    /// The list to answer with these marks: the kept one if it was made with
    /// the same, else a new one (then kept).
    pub(super) fn answer(&mut self, marks: Marks) -> Shared<Vec<PlanSummary>> {
        if let Some((made_with, list)) = &self.answered
            && *made_with == marks
        {
            return list.clone();
        }
        let (current, damaged) = &marks;
        let list: Vec<PlanSummary> = self
            .by_id
            .values()
            .map(|s| {
                let mut s = s.clone();
                s.current = current.as_deref() == Some(s.id.as_str());
                if let Some(why) = damaged.get(s.id.as_str()) {
                    s.error = Some(why.clone());
                }
                s
            })
            .collect();
        let list = Shared::new(list);
        self.answered = Some((marks, list.clone()));
        list
    }
}

impl Engine {
    /// The plan list, read from the store on first use.
    pub(super) fn listing(&mut self) -> Result<&mut Listing, StoreError> {
        if self.listing.is_none() {
            let all = self.store.summaries()?;
            self.listing = Some(Listing {
                by_id: all.into_iter().map(|s| (s.id.to_string(), s)).collect(),
                answered: None,
            });
        }
        // Filled just above when it was empty.
        self.listing.as_mut().ok_or(StoreError::Unavailable)
    }

    /// After a commit that touched `plans`: their summaries as now stored.
    /// Should one not be readable, the whole list is read afresh next time.
    pub(super) fn listing_changed(&mut self, plans: &BTreeSet<String>) {
        let Some(listing) = self.listing.as_mut() else {
            return;
        };
        if !plans.is_empty() {
            listing.answered = None;
        }
        for id in plans {
            match self.store.summary(id) {
                Ok(Some(s)) => {
                    listing.by_id.insert(id.clone(), s);
                }
                Ok(None) => {
                    listing.by_id.remove(id);
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

    use tandem_proto::api::{PlanEdit, PlanUse, Request, Response};
    use tandem_proto::model::PlanSummary;

    fn listed(e: &mut super::Engine) -> Vec<tandem_proto::model::PlanSummary> {
        let Response::Plans(list) = call(e, Request::PlanList) else {
            panic!("no list")
        };
        list.into_inner()
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

    fn answered(e: &mut super::Engine) -> tandem_proto::api::Shared<Vec<PlanSummary>> {
        let Response::Plans(list) = call(e, Request::PlanList) else {
            panic!("no list")
        };
        list
    }

    /// Asked again while nothing changed, `plan list` hands out the same
    /// list, JSON already made; a new current plan or a commit makes it anew.
    #[test]
    fn the_answer_is_kept_until_what_it_shows_changes() {
        let (mut e, _) = faulty_engine();
        let a = new_plan(&mut e, "A");
        let b = new_plan(&mut e, "B");
        let first = answered(&mut e);
        let sent = serde_json::to_string(&Response::Plans(first.clone())).unwrap();
        let again = answered(&mut e);
        assert!(again.is_encoded(), "the second answer made its JSON again");
        assert_eq!(
            serde_json::to_string(&Response::Plans(again)).unwrap(),
            sent
        );

        let r = call(&mut e, Request::PlanUse(PlanUse { plan: a.clone() }));
        assert!(matches!(r, Response::Plan(_)), "{r:?}");
        let now = answered(&mut e);
        assert!(!now.is_encoded());
        let current: Vec<&str> = now
            .iter()
            .filter(|s| s.current)
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(current, [a.as_str()]);

        let edit = Request::Edit(PlanEdit {
            plan: Some(b.clone()),
            edit: goal("one"),
        });
        call(&mut e, edit);
        let _ = serde_json::to_string(&answered(&mut e)).unwrap();
        let after = answered(&mut e);
        assert_eq!(after.iter().find(|s| s.id == b).unwrap().goals, 1);
        assert!(
            first.iter().all(|s| s.goals == 0),
            "an answer given out changed"
        );
    }
}
