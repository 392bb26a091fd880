//! Naming devices for people: "Ana (laptop)" instead of a PeerId.
//!
//! The names come from the plans' memberships (each member record holds a
//! person's name and the device's label), gathered once per command from
//! the plans this device shares with others. A device no plan names is
//! shown by its full PeerId, so it can be looked up.

use std::collections::HashMap;

use tandem_proto::api::{PlanList, PlanSync, SyncStatus};
use tandem_proto::model::PlanSummary;

use crate::cmd::Ctx;
use crate::fail::Fail;

/// Who is behind each known member device.
#[derive(Debug, Default, Clone)]
pub struct People {
    names: HashMap<String, String>,
    ids: bool,
}

impl People {
    /// Gathers the names of every member device of the plans stored here.
    pub fn fetch(ctx: &mut Ctx) -> Result<People, Fail> {
        let shared = shared_plans(ctx)?;
        Ok(People::of(shared.iter().map(|(_, s)| s), ctx.ids))
    }

    /// The names the sync states of the shared plans give.
    pub fn of<'a>(syncs: impl IntoIterator<Item = &'a PlanSync>, ids: bool) -> People {
        let mut names = HashMap::new();
        for m in syncs.into_iter().flat_map(|s| &s.peers) {
            names.entry(m.peer.to_string()).or_insert_with(|| m.who());
        }
        People { names, ids }
    }

    /// "Ana (laptop)" (with `--ids`, followed by the PeerId); the PeerId
    /// itself for a device no plan names.
    pub fn name(&self, peer: &str) -> String {
        match self.names.get(peer) {
            Some(n) if self.ids => format!("{n} {peer}"),
            Some(n) => n.clone(),
            None => format!("device {peer}"),
        }
    }

    /// Whether any plan names `peer`.
    pub fn knows(&self, peer: &str) -> bool {
        self.names.contains_key(peer)
    }
}

/// Every readable plan shared with another device, with how far its other
/// member devices are in syncing it (one request per plan).
pub fn shared_plans(ctx: &mut Ctx) -> Result<Vec<(PlanSummary, PlanSync)>, Fail> {
    let plans = ctx.call(PlanList)?;
    let mut out = Vec::new();
    for p in plans
        .into_iter()
        .filter(|p| p.error.is_none() && p.members.len() > 1)
    {
        let plan = Some(p.id.to_string());
        let sync = ctx.call(SyncStatus { plan })?;
        out.push((p, sync));
    }
    Ok(out)
}
