//! `tandem resolve ITEM`: keep what an item shows for the fields two
//! devices changed at the same time, so it is no longer marked.

use tandem_proto::api::Resolve;
use tandem_proto::ids::short;

use super::Ctx;
use crate::fail::Fail;

/// `tandem resolve`.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// The item's id or a unique prefix (any kind), as `plan show` lists it.
    item: String,
}

pub(crate) fn run(ResolveArgs { item }: ResolveArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let plan = ctx.plan.clone();
    let done = ctx.call(Resolve { plan, item })?;
    ctx.emit(&done, || {
        let fields: Vec<String> = done
            .fields
            .iter()
            .map(|c| c.field.replace('_', " "))
            .collect();
        let id = done.touched.id.as_deref().map(short).unwrap_or_default();
        format!(
            "Kept the {} of {} {id} as shown; no longer marked.\n",
            fields.join(" and "),
            done.touched.kind.noun()
        )
    })
}
