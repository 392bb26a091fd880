//! `tandemd`: the Tandem background daemon.
//!
//! Usually started by the `tandem` CLI on first use; run it by hand with
//! `tandemd` (logs to stderr and to `tandemd.log` in the home) or stop it
//! with `tandem daemon stop`, SIGTERM or SIGINT.
//!
//! Exit codes: 0 after a clean stop, 3 when another daemon already serves
//! the home, 1 on any other failure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tandem_daemon::home::HomeError;
use tandem_daemon::run::{Options, RunError, run};

/// Exit code when another daemon already serves this home.
const EXIT_ALREADY_RUNNING: u8 = 3;

/// The Tandem daemon: keeps mentoring plans and serves them to the `tandem` CLI.
#[derive(Debug, Parser)]
#[command(name = "tandemd", version)]
struct Args {
    /// Home directory (default: $TANDEM_HOME, else $XDG_DATA_HOME/tandem, else ~/.local/share/tandem).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Log only to the log file, not to stderr.
    #[arg(long)]
    background: bool,
    /// Listen for peers on this multiaddr (repeatable; default: all interfaces, TCP and QUIC, port 4455). Env: TANDEM_LISTEN.
    #[arg(long, value_name = "MULTIADDR")]
    listen: Vec<String>,
    /// Do not discover peers on the LAN with mDNS. Env: TANDEM_NO_MDNS=1.
    #[arg(long)]
    no_mdns: bool,
    /// Dial this peer at start (a multiaddr ending in /p2p/PEER-ID; repeatable). Env: TANDEM_PEERS.
    #[arg(long, value_name = "MULTIADDR")]
    peer: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opts = Options {
        home: args.home,
        background: args.background,
        listen: args.listen,
        no_mdns: args.no_mdns,
        peers: args.peer,
    };
    match run(opts.with_env()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandemd: {e}");
            match e {
                RunError::Home(HomeError::AlreadyRunning { .. }) => {
                    ExitCode::from(EXIT_ALREADY_RUNNING)
                }
                _ => ExitCode::FAILURE,
            }
        }
    }
}
