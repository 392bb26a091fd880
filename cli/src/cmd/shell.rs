//! `tandem completions` and `tandem man`: generated from the command-line
//! definitions, with no daemon.

use std::path::PathBuf;

use super::{Ctx, print};
use crate::args::Cli;
use crate::fail::Fail;

/// `tandem completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `tandem man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Where to write them, e.g. ~/.local/share/man/man1.
    pub dir: PathBuf,
}

/// Prints the completion script.
pub(crate) fn completions(args: CompletionsArgs, _: &mut Ctx) -> Result<(), Fail> {
    write_completions(&args)
}

/// Prints the completion script (no context needed).
pub(crate) fn write_completions(args: &CompletionsArgs) -> Result<(), Fail> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics on a failed write (`| head`),
    // and `print` ends quietly on a closed pipe instead.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tandem", &mut script);
    print(&String::from_utf8_lossy(&script))
}

/// Writes the man pages.
pub(crate) fn man(args: ManArgs, _: &mut Ctx) -> Result<(), Fail> {
    write_man(&args)
}

/// Writes the man pages (no context needed).
pub(crate) fn write_man(args: &ManArgs) -> Result<(), Fail> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(cmd, dir))
        .map_err(|e| Fail::Other(format!("cannot write man pages to {}: {e}", dir.display())))?;
    print(&format!("Wrote man pages to {}\n", dir.display()))
}
