//! `tandemd`: the Tandem background daemon.
//!
//! Installed beside `tandem` (`cargo install --path cli`), which starts it
//! on first use; run it by hand with
//! `tandemd` (logs to stderr and to `tandemd.log` in the home) or stop it
//! with `tandem daemon stop`, SIGTERM or SIGINT.
//!
//! Exit codes: 0 after a clean stop, 3 when another daemon already serves
//! the home, 4 when the database is missing, damaged, truncated or of a
//! newer version (its path is named; nothing was changed), 1 on any other
//! failure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tandem_daemon::home::HomeError;
use tandem_daemon::run::{Flags, RunError, run};

/// Exit code when another daemon already serves this home.
const EXIT_ALREADY_RUNNING: u8 = 3;
/// Exit code when the database cannot be used (missing, damaged, truncated, too new).
const EXIT_DATABASE: u8 = 4;

/// The Tandem daemon: keeps mentoring plans and serves them to the `tandem` CLI.
#[derive(Debug, Parser)]
#[command(name = "tandemd", version)]
struct Args {
    /// Home directory (default: $TANDEM_HOME, else $XDG_DATA_HOME/tandem, else ~/.local/share/tandem).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(flatten)]
    flags: Flags,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args.flags.options(args.home)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandemd: {e}");
            match e {
                RunError::Home(HomeError::AlreadyRunning { .. }) => {
                    ExitCode::from(EXIT_ALREADY_RUNNING)
                }
                e if e.is_database() => ExitCode::from(EXIT_DATABASE),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
