//! `tandemd`: the Tandem background daemon.
//!
//! Usually started by the `tandem` CLI on first use; run it by hand with
//! `tandemd` (logs to stderr and to `tandemd.log` in the home) or stop it
//! with `tandem daemon stop`, SIGTERM or SIGINT.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use tandem_daemon::doc::Device;
use tandem_daemon::engine::{Engine, Info};
use tandem_daemon::home::{Home, HomeError};
use tandem_daemon::store::Store;
use tandem_daemon::{engine, server};
use tandem_proto::paths;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

/// Exit code when another daemon already serves this home.
const EXIT_ALREADY_RUNNING: u8 = 3;

/// The Tandem daemon: keeps mentoring plans and serves them to the `tandem` CLI.
#[derive(Debug, Parser)]
#[command(name = "tandemd", version)]
struct Args {
    /// Home directory (default: $TANDEM_HOME, else $XDG_DATA_HOME/tandem, else ~/.local/share/tandem).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Log only to the log file, not to stderr (used when the CLI starts the daemon).
    #[arg(long)]
    background: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tandemd: {e:#}");
            if matches!(
                e.downcast_ref::<HomeError>(),
                Some(HomeError::AlreadyRunning { .. })
            ) {
                return ExitCode::from(EXIT_ALREADY_RUNNING);
            }
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn run(args: Args) -> anyhow::Result<()> {
    // Everything the daemon creates (database, log, socket) is private to the user.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let root = paths::home_dir(
        args.home.as_deref(),
        env(paths::HOME_ENV).as_deref(),
        env("XDG_DATA_HOME").as_deref(),
        env("HOME").as_deref(),
    )
    .context("no home directory: set TANDEM_HOME or HOME")?;
    let home = Home::prepare(root)?;
    let _lock = home.lock()?;
    let _log_guard = init_logging(home.root(), args.background)?;

    let started = std::time::Instant::now();
    let db_path = paths::db_path(home.root());
    let store = Store::open(&db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    let actor = store.device_actor()?;
    let device = Device {
        actor: automerge::ActorId::from(actor),
        user: env("TANDEM_USER")
            .or_else(|| env("USER"))
            .unwrap_or_else(|| "me".into()),
        host: rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned(),
    };
    let socket = paths::socket_path(home.root());
    let info = Info {
        home: home.root().display().to_string(),
        socket: socket.display().to_string(),
        started_at: jiff::Timestamp::now(),
    };
    let (handle, engine_thread) = engine::thread::spawn(Engine::new(store, device, info))?;
    let listener =
        server::bind(&socket).with_context(|| format!("cannot listen on {}", socket.display()))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::UnixListener::from_std(listener)?;
        tracing::info!(home = %home.root().display(), pid = std::process::id(), ready_ms = started.elapsed().as_millis() as u64, "tandemd ready");
        let shutdown = CancellationToken::new();
        tokio::spawn(on_signals(shutdown.clone()));
        server::serve(listener, handle, shutdown).await;
        anyhow::Ok(())
    })?;
    // Every engine handle is gone: the engine drains its queue and stops.
    if engine_thread.join().is_err() {
        tracing::error!("engine thread panicked");
    }
    let _ = std::fs::remove_file(&socket);
    tracing::info!("tandemd stopped");
    Ok(())
}

async fn on_signals(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down"),
    }
    shutdown.cancel();
}

fn init_logging(
    home: &std::path::Path,
    background: bool,
) -> anyhow::Result<tracing_appender::non_blocking::WorkerGuard> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(paths::log_path(home))
        .context("cannot open the log file")?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(filter());
    let stderr_layer = (!background).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .init();
    Ok(guard)
}
