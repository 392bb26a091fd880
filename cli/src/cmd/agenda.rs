//! `tandem agenda`: what needs attention, from `proto::agenda`.

use tandem_proto::agenda::attention;
use tandem_proto::ids::short;

use super::Ctx;
use crate::fail::Fail;

/// `tandem agenda`.
#[derive(Debug, clap::Args)]
pub struct AgendaArgs {
    /// How many days ahead to look (also: what counts as stuck).
    #[arg(long, default_value_t = 14)]
    days: u16,
}

pub(crate) fn run(AgendaArgs { days }: AgendaArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let plan = ctx.fetch_plan()?;
    let now = ctx.now().timestamp();
    let entries = attention(&plan, now, ctx.today(), i64::from(days));
    ctx.emit(&entries, || {
        if entries.is_empty() {
            return format!("Nothing needs attention in the next {days} days.\n");
        }
        let mut out = format!("{} (next {days} days)\n", s.bold(&plan.title));
        for e in &entries {
            let who = e
                .owner
                .map(|o| format!(" [{}]", o.as_str()))
                .unwrap_or_default();
            let id =
                e.id.as_deref()
                    .map(|i| format!("{}  ", short(i)))
                    .unwrap_or_default();
            let why = if e.overdue {
                s.bold(&e.why)
            } else {
                e.why.clone()
            };
            out += &format!("  {:<13} {id}{}{who}: {why}\n", e.kind, e.title);
        }
        out
    })
}
