//! `tandem undo`: revert this device's last change (or a named one) as a
//! new change, and `undo --list` to see what it would revert.

use tandem_proto::api::{Undo, UndoList};

use super::Ctx;
use crate::fail::Fail;

/// `tandem undo`.
#[derive(Debug, clap::Args)]
pub struct UndoArgs {
    /// The change to undo: its id (or a prefix) as `tandem log` shows it.
    /// Default: this device's newest change that is not undone yet.
    change: Option<String>,
    /// List this device's recent changes that can be undone, newest first.
    #[arg(long, short, conflicts_with = "change")]
    list: bool,
}

pub(crate) fn run(UndoArgs { change, list }: UndoArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    let plan = ctx.plan.clone();
    if list {
        let all = ctx.call(UndoList { plan })?;
        return ctx.emit(&all, || {
            if all.is_empty() {
                return "Nothing to undo: this device has no change to this plan that is not undone yet.\n".into();
            }
            let mut out = String::from("This device's changes, newest first (tandem undo reverts the first):\n");
            for u in &all {
                out += &format!(
                    "  {}  {}  {}\n",
                    s.dim(tandem_proto::ids::short(&u.hash)),
                    u.time.strftime("%Y-%m-%d %H:%M"),
                    u.message
                );
            }
            out
        });
    }
    let done = ctx.call(Undo { plan, change })?;
    ctx.emit(&done, || format!("Undid: {}\n", done.undone.message))
}
