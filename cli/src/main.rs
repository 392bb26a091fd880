//! `tandem`: the command-line companion of the Tandem daemon.
//!
//! Parses arguments (`args`), carries them out against the daemon (`cmd`,
//! `client`), and maps failures to the documented exit codes (`fail`).

mod args;
mod client;
mod cmd;
mod details;
mod durations;
mod fail;
mod fit;
mod input;
mod layout;
mod markdown;
mod pager;
mod people;
mod progress;
mod record;
mod render;
mod reply;
mod scan;
mod style;
mod templates;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tandem_proto::paths;

use crate::fail::Fail;

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print and succeed; real usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { fail::EXIT_USAGE } else { 0 });
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if json {
                eprintln!(
                    "{}",
                    serde_json::json!({ "error": { "code": f.code(), "message": f.to_string() } })
                );
            } else {
                eprintln!("tandem: {f}");
            }
            ExitCode::from(f.exit_code())
        }
    }
}

/// The command line, parsed: what `clap::Parser::try_parse` does, except
/// that clap's tree of commands and arguments is left for the process's
/// end to free. Dropping it, one allocation at a time, was 0.2 M of the
/// 1.3 M instructions of `tandem --version` and 0.5 M of `goal list`'s
/// (valgrind); the tree is built once per process and needed until it
/// parsed the arguments.
fn parse() -> Result<args::Cli, clap::Error> {
    let mut command = args::Cli::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|mut matches| {
            args::Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
        });
    std::mem::forget(command);
    parsed
}

fn run(cli: args::Cli) -> Result<(), Fail> {
    cli.color.apply();
    // Generated from the clap definitions: no home or daemon needed.
    match &cli.command {
        args::Command::Completions(a) => return cmd::shell::write_completions(a),
        args::Command::Man(a) => return cmd::shell::write_man(a),
        _ => {}
    }
    let env = |k: &str| std::env::var(k).ok();
    let home = paths::home_dir(
        cli.home.as_deref(),
        env(paths::HOME_ENV).as_deref(),
        env("XDG_DATA_HOME").as_deref(),
        env("HOME").as_deref(),
    )
    .ok_or_else(|| Fail::Usage("no home directory: set TANDEM_HOME or HOME".into()))?;
    let mut ctx = cmd::Ctx::new(&cli, home);
    cli.command.run(&mut ctx)
}
