//! What the network is told about whom to trust ([`Trust`]), kept up to
//! date from the membership index after every commit, and the address
//! book cleared of devices that are members of no plan here.

use std::collections::BTreeSet;

use super::Engine;
use super::loaded::Slot;
use super::membership::{Membership, Trust};

impl Engine {
    /// Who shares which plan with this device, built from the stored
    /// summaries on first use.
    pub(super) fn membership(&mut self) -> &Membership {
        if self.members.is_none() {
            let me = self.device.peer.clone();
            match self.listing() {
                Ok(list) => {
                    let plans = list.by_id.values().filter(|s| s.error.is_none()).map(|s| {
                        (
                            s.id.to_string(),
                            s.members.iter().map(ToString::to_string).collect(),
                        )
                    });
                    self.members = Some(Membership::new(&me, plans));
                }
                Err(e) => {
                    // Not cached: asked again next time. Meanwhile nobody
                    // is a member, which only makes the daemon stricter.
                    tracing::error!(error = %e, "cannot read who shares which plan");
                    return &self.no_members;
                }
            }
        }
        self.members.get_or_insert_with(Membership::default)
    }

    /// After `plans` changed durably: brings the plan list and the
    /// membership index up to date and tells the network whom to trust.
    pub(super) fn plans_changed(&mut self, plans: &BTreeSet<String>) {
        self.listing_changed(plans);
        self.membership();
        for id in plans {
            if let Some(Slot::Ready(l)) = self.plans.get(id) {
                let peers = l.doc.member_peers();
                if let Some(m) = self.members.as_mut() {
                    m.set(id, peers);
                }
            }
        }
        self.publish_trust();
    }

    /// Tells the network who the member devices are, and which strangers
    /// are sending a plan now. A device that stopped being a member is
    /// dropped from the address book, unless it was added by hand.
    pub(crate) fn publish_trust(&mut self) {
        let members = self.membership().devices();
        let offering = self.sync.offering().map(str::to_string).collect();
        let trust = Trust { members, offering };
        // Only from a membership read from the store, never from a failure to read it.
        if self.members.is_some() {
            self.prune_address_book(&trust.members);
        }
        self.trust.send_if_modified(|t| {
            let changed = *t != trust;
            if changed {
                *t = trust;
            }
            changed
        });
    }

    /// Drops from the address book the devices that are members of no plan
    /// here (unless added by hand): the first time, every such entry; later,
    /// those that just stopped being members.
    pub(super) fn prune_address_book(&mut self, members: &BTreeSet<String>) {
        let first = !self.book_pruned;
        self.book_pruned = true;
        let gone: BTreeSet<String> = self
            .trust
            .borrow()
            .members
            .difference(members)
            .cloned()
            .collect();
        if !first && gone.is_empty() {
            return;
        }
        let Ok(book) = self.store.peers() else { return };
        let drop = |p: &String| {
            if first {
                !members.contains(p)
            } else {
                gone.contains(p)
            }
        };
        for (peer, row) in book.iter().filter(|(p, r)| drop(p) && !r.manual) {
            tracing::info!(%peer, addr = %row.addr, "a member of no plan here: not dialed any more");
            if let Err(e) = self.store.set_peer(peer, None) {
                tracing::warn!(%peer, error = %e, "cannot update the address book");
                self.recover();
                return;
            }
        }
    }

    /// Where the network learns whom to trust (the engine thread publishes
    /// the first value as soon as it starts).
    pub fn trust(&self) -> tokio::sync::watch::Receiver<Trust> {
        self.trust.subscribe()
    }
}
