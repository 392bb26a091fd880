//! Who shares which plan with this device, kept in memory from the plans'
//! summaries, and what the network is told of it ([`Trust`]).
//!
//! A *member device* here is one that is a member of a stored plan that
//! this device is a member of too. Everyone else is a stranger: the network
//! gives strangers a small connection budget of its own, closes their idle
//! connections, never stores or dials the addresses they advertise, and
//! plans they offer wait for consent. The index is built once from the
//! stored summaries and updated after every commit that touched a plan, so
//! deciding costs a lookup, not a scan of every plan.

use std::collections::{BTreeSet, HashMap};

/// What the network needs to know about peers, published on every change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// Member devices of plans this device is a member of (not this device).
    pub members: BTreeSet<String>,
    /// Strangers a plan offer is being received from now (their connection
    /// is busy, not idle).
    pub offering: BTreeSet<String>,
}

/// Members per plan, and plans per member.
#[derive(Debug, Default)]
pub(super) struct Membership {
    me: String,
    by_plan: HashMap<String, BTreeSet<String>>,
    by_peer: HashMap<String, BTreeSet<String>>,
}

impl Membership {
    /// An index for device `me`, from each plan's members.
    pub(super) fn new(
        me: &str,
        plans: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Membership {
        let mut m = Membership {
            me: me.to_string(),
            ..Membership::default()
        };
        for (plan, members) in plans {
            m.set(&plan, members);
        }
        m
    }

    /// Records the members of `plan` (only plans listing this device count).
    pub(super) fn set(&mut self, plan: &str, members: Vec<String>) {
        if let Some(old) = self.by_plan.remove(plan) {
            for p in old {
                if let Some(plans) = self.by_peer.get_mut(&p) {
                    plans.remove(plan);
                    if plans.is_empty() {
                        self.by_peer.remove(&p);
                    }
                }
            }
        }
        if !members.contains(&self.me) {
            return;
        }
        let others: BTreeSet<String> = members.into_iter().filter(|p| *p != self.me).collect();
        for p in &others {
            self.by_peer
                .entry(p.clone())
                .or_default()
                .insert(plan.to_string());
        }
        self.by_plan.insert(plan.to_string(), others);
    }

    /// Plans both this device and `peer` are members of.
    pub(super) fn shared_with(&self, peer: &str) -> Vec<String> {
        self.by_peer
            .get(peer)
            .map(|p| p.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether `peer` is a member device (shares a plan with this device).
    pub(super) fn knows(&self, peer: &str) -> bool {
        self.by_peer.contains_key(peer)
    }

    /// Every member device.
    pub(super) fn devices(&self) -> BTreeSet<String> {
        self.by_peer.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plans_that_list_this_device_make_members() {
        let mut m = Membership::new(
            "me",
            [
                ("p1".to_string(), vec!["me".into(), "ana".into()]),
                ("p2".to_string(), vec!["dana".into()]),
            ],
        );
        assert!(m.knows("ana") && !m.knows("dana") && !m.knows("me"));
        assert_eq!(m.shared_with("ana"), vec!["p1"]);
        m.set("p1", vec!["me".into()]);
        assert!(!m.knows("ana"), "removed from the only plan shared");
        m.set("p3", vec!["me".into(), "dana".into(), "ana".into()]);
        assert_eq!(
            m.devices().into_iter().collect::<Vec<_>>(),
            vec!["ana", "dana"]
        );
    }
}
