//! `tandem`: the command-line companion of the Tandem daemon.
//!
//! Parses arguments (`args`), carries them out against the daemon (`cmd`,
//! `client`), and maps failures to the documented exit codes (`fail`).

mod args;
mod client;
mod cmd;
mod durations;
mod fail;
mod fit;
mod ics;
mod input;
mod markdown;
mod record;
mod render;
mod style;
mod templates;

use std::process::ExitCode;

use clap::Parser;
use tandem_proto::paths;

use crate::fail::Fail;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
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

fn run(cli: args::Cli) -> Result<(), Fail> {
    // Generated from the clap definitions; no daemon needed.
    match &cli.command {
        args::Command::Completions { shell } => {
            let mut cmd = <args::Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a failed write
            // (`| head`), and `print` ends quietly on a closed pipe instead.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "tandem", &mut script);
            return cmd::print(&String::from_utf8_lossy(&script));
        }
        args::Command::Man { dir } => {
            let cmd = <args::Cli as clap::CommandFactory>::command();
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(cmd, dir))
                .map_err(|e| {
                    Fail::Other(format!("cannot write man pages to {}: {e}", dir.display()))
                })?;
            println!("Wrote man pages to {}", dir.display());
            return Ok(());
        }
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
    cmd::run(cli, &mut ctx)
}
