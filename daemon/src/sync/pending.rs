//! Plans being received that are not stored yet ("pending"), and the
//! bounds on them.
//!
//! A peer can offer any plan id; each offer it is allowed becomes an empty
//! document here that fills as its sync messages arrive. What a peer can
//! make this device hold this way is bounded per peer and in total, in
//! count and in bytes, and expires, with tighter bounds for strangers
//! (devices that share no stored plan with this one) than for member
//! devices, so a stranger's flood never crowds out a member's new plan.

use std::collections::BTreeMap;

/// Bounds on pending plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Pending plans offered by one stranger at once.
    pub stranger_per_peer: usize,
    /// Pending plans offered by strangers at once, in total.
    pub stranger_total: usize,
    /// Pending plans offered by one member device at once.
    pub member_per_peer: usize,
    /// Pending plans in total.
    pub total: usize,
    /// Sync bytes one pending plan may take before it is dropped.
    pub bytes_per_plan: usize,
    /// How long a plan may stay pending without being completed.
    pub ttl_ms: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            stranger_per_peer: 2,
            stranger_total: 8,
            member_per_peer: 4096,
            total: 4096,
            bytes_per_plan: 32 * 1024 * 1024,
            ttl_ms: 120_000,
        }
    }
}

/// One plan being received.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    /// The peer that first offered it.
    pub(super) from: String,
    /// Whether that peer was a stranger then.
    pub(super) stranger: bool,
    /// When it was first offered.
    pub(super) since: u64,
    /// Sync bytes received for it so far.
    pub(super) bytes: usize,
}

/// Every pending plan, by plan id.
#[derive(Debug, Default)]
pub(super) struct PendingPlans {
    plans: BTreeMap<String, Pending>,
}

impl PendingPlans {
    pub(super) fn contains(&self, plan: &str) -> bool {
        self.plans.contains_key(plan)
    }

    pub(super) fn ids(&self) -> Vec<String> {
        self.plans.keys().cloned().collect()
    }

    pub(super) fn remove(&mut self, plan: &str) -> Option<Pending> {
        self.plans.remove(plan)
    }

    /// Peers that are sending a pending plan now.
    pub(super) fn senders(&self) -> impl Iterator<Item = &str> {
        self.plans.values().map(|p| p.from.as_str())
    }

    /// Why `peer` may not start one more pending plan, if it may not.
    pub(super) fn refuse_new(&self, peer: &str, stranger: bool, limits: &Limits) -> Option<String> {
        let from_peer = self.plans.values().filter(|p| p.from == peer).count();
        let strangers = self.plans.values().filter(|p| p.stranger).count();
        let (per_peer, what) = if stranger {
            (
                limits.stranger_per_peer,
                "a device that shares no plan here",
            )
        } else {
            (limits.member_per_peer, "one device")
        };
        if from_peer >= per_peer {
            return Some(format!(
                "{per_peer} plans from {what} are being received already"
            ));
        }
        if stranger && strangers >= limits.stranger_total {
            return Some(format!(
                "{} plans from devices that share no plan here are being received already",
                limits.stranger_total
            ));
        }
        if self.plans.len() >= limits.total {
            return Some(format!("{} plans are being received already", limits.total));
        }
        None
    }

    pub(super) fn insert(&mut self, plan: &str, peer: &str, stranger: bool, now: u64) {
        self.plans.insert(
            plan.to_string(),
            Pending {
                from: peer.to_string(),
                stranger,
                since: now,
                bytes: 0,
            },
        );
    }

    /// Counts `bytes` more for `plan`; false once it is over its bound.
    pub(super) fn grow(&mut self, plan: &str, bytes: usize, limits: &Limits) -> bool {
        match self.plans.get_mut(plan) {
            Some(p) => {
                p.bytes = p.bytes.saturating_add(bytes);
                p.bytes <= limits.bytes_per_plan
            }
            None => true,
        }
    }

    /// Plans pending for longer than the bound at `now`.
    pub(super) fn expired(&self, now: u64, limits: &Limits) -> Vec<String> {
        self.plans
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.since) >= limits.ttl_ms)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strangers_get_a_small_budget_of_their_own() {
        let limits = Limits::default();
        let mut p = PendingPlans::default();
        p.insert("a1", "eve", true, 0);
        p.insert("a2", "eve", true, 0);
        assert!(p.refuse_new("eve", true, &limits).is_some(), "per peer");
        for i in 0..6 {
            p.insert(&format!("b{i}"), &format!("mallory{i}"), true, 0);
        }
        assert!(
            p.refuse_new("trent", true, &limits).is_some(),
            "strangers in total"
        );
        assert_eq!(
            p.refuse_new("dana", false, &limits),
            None,
            "a member still gets in"
        );
        assert!(p.grow("a1", limits.bytes_per_plan, &limits));
        assert!(!p.grow("a1", 1, &limits), "over its bytes");
        assert_eq!(p.expired(limits.ttl_ms - 1, &limits), Vec::<String>::new());
        assert_eq!(p.expired(limits.ttl_ms, &limits).len(), 8);
    }
}
