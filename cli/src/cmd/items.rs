//! What every kind's commands share: finding an item in a fetched plan by
//! id prefix, removing one (with a confirmation on a terminal), clearing a
//! date with `none`, and naming an owner by role or by member name.

use std::io::{BufRead, IsTerminal, Write};

use jiff::civil::Date;
use tandem_proto::edit::Edit;
use tandem_proto::ids::{self, short};
use tandem_proto::items::Collected;
use tandem_proto::items::conflict::Conflict;
use tandem_proto::model::{Owner, Plan, Role};

use super::Ctx;
use super::goal::api;
use crate::fail::Fail;

/// The item of kind `K` named by an id or a unique prefix.
pub(crate) fn find<'p, K: Collected>(plan: &'p Plan, prefix: &str) -> Result<&'p K, Fail> {
    let all = K::in_plan(plan);
    let noun = K::KIND.noun();
    let id = ids::resolve(noun, prefix, all.iter().map(|i| i.id().as_str())).map_err(api)?;
    all.iter()
        .find(|i| i.id().as_str() == id)
        .ok_or_else(|| Fail::NotFound(format!("no {noun} with id '{prefix}'")))
}

// `rm ID [--yes]`, the same for every kind.
#[derive(Debug, clap::Args)]
pub struct RmArgs {
    /// Its id or a unique prefix.
    pub id: String,
    /// Remove without asking (scripts and pipes are never asked).
    #[arg(long, short)]
    pub yes: bool,
}

/// Whether a person is at the keyboard to answer a question.
fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks a yes/no question on the terminal (default no). Without a
/// terminal nobody can answer, so the answer is yes: scripts are never
/// asked, and say `--yes` by running without one.
pub(crate) fn confirm(question: &str) -> Result<bool, Fail> {
    if !interactive() {
        return Ok(true);
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Fail::Other(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// Asks `question` about a `doubt` on a terminal; without one, prints
/// the doubt as a warning on stderr and goes on.
pub(crate) fn confirm_or_warn(doubt: &str, question: &str) -> Result<bool, Fail> {
    if interactive() {
        return confirm(&format!("{doubt} {question}"));
    }
    eprintln!("warning: {doubt}");
    Ok(true)
}

/// Removes the item of kind `K` that `args` names, after asking on a
/// terminal, and says what was removed.
pub(crate) fn remove<K: Collected>(
    ctx: &mut Ctx,
    args: RmArgs,
    edit: impl FnOnce(String) -> Edit,
) -> Result<(), Fail> {
    let plan = ctx.fetch_plan()?;
    let item = find::<K>(&plan, &args.id)?;
    let (id, label) = (item.id().to_string(), item.label());
    let noun = K::KIND.noun();
    let what = format!("{noun} {}: {label}", short(&id));
    if !args.yes && !ctx.json && !confirm(&format!("Remove {what}?"))? {
        return Err(Fail::Other(format!("Kept {what}; nothing was removed.")));
    }
    let removed = ctx.edit(edit(id))?;
    ctx.emit_item(&removed, &format!("Removed {what}"))
}

/// A date to set, or `none` (or an empty string) to clear it; `None` when
/// the flag was not given.
pub(crate) fn date_change(ctx: &Ctx, given: Option<&str>) -> Result<Option<Option<Date>>, Fail> {
    match given.map(str::trim) {
        None => Ok(None),
        Some("none" | "") => Ok(Some(None)),
        Some(d) => Ok(Some(Some(ctx.date(d)?))),
    }
}

/// An owner given as mentor, mentee or both, or as a member's name (whose
/// role decides: a mentor's name means the mentor).
pub(crate) fn owner(plan: &Plan, given: &str) -> Result<Owner, Fail> {
    if let Ok(o) = given.parse::<Owner>() {
        return Ok(o);
    }
    let wanted = given.trim().to_lowercase();
    let mut roles: Vec<Role> = plan
        .members
        .iter()
        .filter(|m| m.name.to_lowercase() == wanted)
        .map(|m| m.role)
        .collect();
    roles.dedup();
    match roles.as_slice() {
        [Role::Mentor] => Ok(Owner::Mentor),
        [Role::Mentee] => Ok(Owner::Mentee),
        [Role::Observer] => Err(Fail::Usage(format!(
            "{given} is an observer of this plan; an action belongs to the mentor, the mentee or both"
        ))),
        [] => {
            let names: Vec<&str> = plan.members.iter().map(|m| m.name.as_str()).collect();
            Err(Fail::Usage(format!(
                "owner '{given}' is neither mentor, mentee nor both, nor a member's name (members: {})",
                names.join(", ")
            )))
        }
        _ => Err(Fail::Usage(format!(
            "{given} holds more than one role in this plan; say mentor, mentee or both"
        ))),
    }
}

/// [`owner`], fetching the plan only when a member's name is given.
pub(crate) fn owner_of(ctx: &mut Ctx, given: &str) -> Result<Owner, Fail> {
    match given.parse::<Owner>() {
        Ok(o) => Ok(o),
        Err(_) => owner(&ctx.fetch_plan()?, given),
    }
}

/// The lines that mark an item's fields two devices changed at the same
/// time, with how to keep what is shown.
pub(crate) fn conflict_lines(marks: &[&Conflict], id: &str, s: crate::style::Style) -> String {
    if marks.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for c in marks {
        out += &format!("  {} {}\n", s.yellow("!"), s.yellow(&c.describe()));
    }
    out + &format!(
        "    {}\n",
        s.dim(&format!(
            "both edits are kept as merged; edit the field again, or keep it as shown: tandem resolve {}",
            short(id)
        ))
    )
}

/// Prints a `show` page of `item`: its JSON (with `conflicts` when any of
/// its fields is marked) or `human`, followed by the marks.
pub(crate) fn show<K: Collected + serde::Serialize>(
    ctx: &Ctx,
    plan: &Plan,
    item: &K,
    human: impl FnOnce() -> String,
) -> Result<(), Fail> {
    let id = item.id().as_str();
    let marks: Vec<&Conflict> = plan.conflicts.iter().filter(|c| c.item == id).collect();
    let mut v = serde_json::to_value(item).map_err(|e| Fail::Other(e.to_string()))?;
    if !marks.is_empty() {
        v["conflicts"] = serde_json::to_value(&marks).map_err(|e| Fail::Other(e.to_string()))?;
    }
    ctx.emit(&v, || human() + &conflict_lines(&marks, id, ctx.style))
}
