//! Naming devices for people: "Ana (laptop)" instead of a PeerId.
//!
//! The names come from the plans' memberships (each member record holds a
//! person's name and the device's label), gathered once per command from
//! the plans this device shares with others. A device no plan names is
//! shown by its full PeerId, so it can be looked up.

use std::collections::HashMap;

use tandem_proto::api::{PlanList, SyncStatus};

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
        let mut names = HashMap::new();
        let plans = ctx.call(PlanList)?;
        for p in plans
            .iter()
            .filter(|p| p.error.is_none() && p.members.len() > 1)
        {
            let plan = Some(p.id.to_string());
            for m in ctx.call(SyncStatus { plan })?.peers {
                names.entry(m.peer.to_string()).or_insert_with(|| m.who());
            }
        }
        Ok(People {
            names,
            ids: ctx.ids,
        })
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
