//! `tandem daemon start|stop|status|run`: its syntax and how it is carried out.

use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use clap::Subcommand;
use tandem_proto::api::{Shutdown, Status};
use tandem_proto::paths;

use super::Ctx;
use crate::client::{Client, start_daemon};
use crate::fail::Fail;

/// Daemon commands.
#[derive(Debug, Subcommand)]
pub enum DaemonCmd {
    /// Start the daemon in the background if it is not running.
    Start,
    /// Stop the daemon gracefully.
    Stop,
    /// Show whether the daemon runs, and its figures.
    Status,
    /// Run the daemon in the foreground (what `start` runs in the background).
    ///
    /// This process becomes the `tandemd` installed beside `tandem`, with its
    /// exit codes: 3 when a daemon already serves the home, 4 when the
    /// database cannot be used.
    Run {
        #[command(flatten)]
        flags: tandem_daemon::run::Flags,
    },
}

pub(crate) fn run(cmd: DaemonCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let socket = paths::socket_path(&ctx.home);
    match cmd {
        DaemonCmd::Start => {
            let already = Client::try_connect(&socket).is_ok();
            if !already {
                start_daemon(&ctx.home)?;
            }
            let status = Client::try_connect(&socket)?.call(Status)?;
            let verb = if already {
                "already running"
            } else {
                "started"
            };
            ctx.emit(&status, || {
                format!(
                    "tandemd {verb} (pid {}) for home {}\n",
                    status.pid, status.home
                )
            })
        }
        DaemonCmd::Stop => {
            let Ok(mut client) = Client::try_connect(&socket) else {
                return ctx.emit(
                    &serde_json::json!({ "stopped": false, "running": false }),
                    || "tandemd is not running\n".into(),
                );
            };
            client.call(Shutdown)?;
            // Gone means its lock is free too: it removes the socket first
            // and closes its database after, and a daemon started in
            // between would find the home taken.
            let deadline = Instant::now() + Duration::from_secs(10);
            while socket.exists() || tandem_daemon::home::is_locked(&ctx.home) {
                if Instant::now() >= deadline {
                    return Err(Fail::Other("tandemd did not stop within 10s".into()));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            ctx.emit(&serde_json::json!({ "stopped": true }), || {
                "tandemd stopped\n".into()
            })
        }
        DaemonCmd::Run { flags } => {
            // This process becomes the daemon: same pid, signals and exit codes as `tandemd`.
            let bin = crate::client::daemon_binary()?;
            let err = std::process::Command::new(&bin)
                .arg("--home")
                .arg(&ctx.home)
                .args(flags.to_args())
                .exec();
            Err(Fail::Unreachable(format!(
                "cannot run {}: {err}",
                bin.display()
            )))
        }
        DaemonCmd::Status => {
            let status = match Client::try_connect(&socket) {
                Ok(mut c) => c.call(Status)?,
                Err(e) => {
                    if ctx.json {
                        super::print(&format!("{}\n", serde_json::json!({ "running": false })))?;
                    }
                    return Err(e);
                }
            };
            ctx.emit(&status, || {
                format!(
                    "tandemd {} running (pid {}) since {}\n  home:    {}\n  socket:  {}\n  peer id: {}\n  actor:   {}\n  plans:   {} stored, {} loaded\n",
                    status.version,
                    status.pid,
                    status.started_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    status.home,
                    status.socket,
                    status.peer_id,
                    status.device,
                    status.plans_stored,
                    status.plans_loaded
                )
            })
        }
    }
}
