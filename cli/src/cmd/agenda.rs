//! `tandem agenda`: what needs attention, from `proto::agenda`, in the
//! current plan or (`--all`) in every plan on this device.

use tandem_proto::agenda::{Entry, attention};
use tandem_proto::ids::short;
use tandem_proto::model::Plan;

use super::Ctx;
use crate::fail::Fail;

/// `tandem agenda`.
#[derive(Debug, clap::Args)]
pub struct AgendaArgs {
    /// How many days ahead to look (also: what counts as stuck).
    #[arg(long, default_value_t = 14)]
    days: u16,
    /// Every plan on this device, those with something overdue first
    /// (what an education coordinator looks at).
    #[arg(long, conflicts_with = "plan")]
    all: bool,
}

/// One plan's entries, for people.
fn lines(plan: &Plan, entries: &[Entry], days: u16, s: crate::style::Style) -> String {
    let mut out = format!("{} (next {days} days)\n", s.bold(&plan.title));
    for e in entries {
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
}

/// An entry of `--all --json`: the entry with its plan.
#[derive(serde::Serialize)]
struct Across<'a> {
    plan: &'a str,
    plan_title: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
}

pub(crate) fn run(AgendaArgs { days, all }: AgendaArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let now = ctx.now().timestamp();
    let today = ctx.today();
    if !all {
        let plan = ctx.fetch_plan()?;
        let entries = attention(&plan, now, today, i64::from(days));
        return ctx.emit(&entries, || {
            if entries.is_empty() {
                return format!("Nothing needs attention in the next {days} days.\n");
            }
            lines(&plan, &entries, days, s)
        });
    }
    let plans = ctx.every_plan()?;
    let mut each: Vec<(&Plan, Vec<Entry>)> = plans
        .iter()
        .map(|p| (p, attention(p, now, today, i64::from(days))))
        .filter(|(_, e)| !e.is_empty())
        .collect();
    // Plans with something overdue first, then by title.
    each.sort_by_key(|(p, e)| (!e.iter().any(|x| x.overdue), p.title.to_lowercase()));
    let flat: Vec<Across> = each
        .iter()
        .flat_map(|(p, entries)| {
            entries.iter().map(|entry| Across {
                plan: p.id.as_str(),
                plan_title: &p.title,
                entry,
            })
        })
        .collect();
    ctx.emit_long(&flat, || {
        if each.is_empty() {
            return format!(
                "Nothing needs attention in the next {days} days, in {} plan(s).\n",
                plans.len()
            );
        }
        let mut out: Vec<String> = each.iter().map(|(p, e)| lines(p, e, days, s)).collect();
        let quiet = plans.len() - each.len();
        if quiet > 0 {
            out.push(format!("{quiet} other plan(s): nothing needs attention.\n"));
        }
        out.join("\n")
    })
}
