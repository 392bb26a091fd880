//! Running the daemon: the whole life of a `tandemd` process.
//!
//! The `tandemd` binary runs it (`tandem daemon run` and the CLI's
//! autostart start the `tandemd` installed beside `tandem`). Order matters: the umask is set
//! before anything is created; the instance lock is taken before the socket
//! is touched; the socket is bound only once the store is open, so a socket
//! that answers means a daemon that is ready.

use std::path::PathBuf;

use tandem_proto::paths;
use tracing_subscriber::prelude::*;

use crate::doc::Device;
use crate::engine::{self, Engine, Info};
use crate::home::{Home, HomeError};
use crate::server;
use crate::store::{Store, StoreError};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The home directory; `None` for the default (`$TANDEM_HOME`, XDG, `~`).
    pub home: Option<PathBuf>,
    /// Log only to the log file, not to stderr.
    pub background: bool,
    /// Multiaddrs to listen on for peers; empty for all interfaces on port 4455 (or any).
    pub listen: Vec<String>,
    /// Turn mDNS discovery on the LAN off.
    pub no_mdns: bool,
    /// Peers to dial at start (multiaddrs ending in `/p2p/<peer-id>`).
    pub peers: Vec<String>,
    /// Relays to keep a reservation on (multiaddrs ending in `/p2p/<relay-id>`).
    pub relays: Vec<String>,
    /// Run as a relay server for other daemons, holding no plans.
    pub relay_server: bool,
    /// The relay server's limits.
    pub relay_limits: crate::config::RelayLimits,
    /// The app's port on 127.0.0.1 (`None`: [`crate::ui::DEFAULT_PORT`]; 0: any free one).
    pub ui_port: Option<u16>,
    /// Serve no app.
    pub no_ui: bool,
}

/// The daemon's flags, shared by `tandemd` and `tandem daemon run` (which
/// checks them, then hands them to `tandemd` with [`Flags::to_args`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct Flags {
    /// Log only to the log file, not to stderr.
    #[arg(long)]
    pub background: bool,
    /// Listen for peers on this multiaddr (repeatable; default: all interfaces, TCP and QUIC, port 4455). Env: TANDEM_LISTEN.
    #[arg(long, value_name = "MULTIADDR")]
    pub listen: Vec<String>,
    /// Do not discover peers on the LAN with mDNS. Env: TANDEM_NO_MDNS=1.
    #[arg(long)]
    pub no_mdns: bool,
    /// Dial this peer at start (a multiaddr ending in /p2p/PEER-ID; repeatable). Env: TANDEM_PEERS.
    #[arg(long, value_name = "MULTIADDR")]
    pub peer: Vec<String>,
    /// Keep a reservation on this relay, so members reach this device through it
    /// (a multiaddr ending in /p2p/RELAY-ID; repeatable). Env: TANDEM_RELAYS.
    #[arg(long = "use-relay", value_name = "MULTIADDR")]
    pub use_relay: Vec<String>,
    /// Run as a relay for other devices' daemons (circuit relay v2), holding no
    /// plans: for a small public host. Env: TANDEM_RELAY=1.
    #[arg(long)]
    pub relay: bool,
    /// Serve the app on this port of 127.0.0.1 (default 4456; 0 for any free
    /// port). Env: TANDEM_UI_PORT; config: `port` under [ui].
    #[arg(long, value_name = "PORT")]
    pub ui_port: Option<u16>,
    /// Do not serve the app. Env: TANDEM_NO_UI=1; config: `enabled = false` under [ui].
    #[arg(long)]
    pub no_ui: bool,
}

impl Flags {
    /// The command-line arguments that give these flags back (for handing
    /// them on to `tandemd`).
    pub fn to_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut switch = |on: bool, name: &str| {
            if on {
                out.push(name.to_string());
            }
        };
        switch(self.background, "--background");
        switch(self.no_mdns, "--no-mdns");
        switch(self.relay, "--relay");
        switch(self.no_ui, "--no-ui");
        let lists = [
            ("--listen", &self.listen),
            ("--peer", &self.peer),
            ("--use-relay", &self.use_relay),
        ];
        for (name, values) in lists {
            for v in values {
                out.push(format!("{name}={v}"));
            }
        }
        if let Some(port) = self.ui_port {
            out.push(format!("--ui-port={port}"));
        }
        out
    }

    /// The options these flags ask for, completed from the environment.
    pub fn options(self, home: Option<PathBuf>) -> Options {
        Options {
            home,
            background: self.background,
            listen: self.listen,
            no_mdns: self.no_mdns,
            peers: self.peer,
            relays: self.use_relay,
            relay_server: self.relay,
            relay_limits: crate::config::RelayLimits::default(),
            ui_port: self.ui_port,
            no_ui: self.no_ui,
        }
        .with_env()
    }
}

impl Options {
    /// Fills what flags and the environment left unset from the config file
    /// (see [`crate::config`]).
    pub fn with_config(mut self, cfg: &crate::config::Config) -> Options {
        if self.listen.is_empty() {
            self.listen = cfg.daemon.listen.clone();
        }
        if self.peers.is_empty() {
            self.peers = cfg.daemon.peers.clone();
        }
        if self.relays.is_empty() {
            self.relays = cfg.daemon.relays.clone();
        }
        if cfg.daemon.mdns == Some(false) {
            self.no_mdns = true;
        }
        self.relay_server |= cfg.relay.enabled;
        self.relay_limits = cfg.relay.limits();
        self.ui_port = self.ui_port.or(cfg.ui.port);
        self.no_ui |= cfg.ui.enabled == Some(false);
        self
    }

    /// Fills network settings left empty from `TANDEM_LISTEN` (comma separated),
    /// `TANDEM_NO_MDNS` and `TANDEM_PEERS` (comma separated).
    pub fn with_env(mut self) -> Options {
        let list = |name: &str| -> Vec<String> {
            env(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        if self.listen.is_empty() {
            self.listen = list("TANDEM_LISTEN");
        }
        if self.peers.is_empty() {
            self.peers = list("TANDEM_PEERS");
        }
        if self.relays.is_empty() {
            self.relays = list("TANDEM_RELAYS");
        }
        self.relay_server |= env("TANDEM_RELAY").is_some_and(|v| !v.is_empty() && v != "0");
        self.no_mdns |= env("TANDEM_NO_MDNS").is_some_and(|v| !v.is_empty() && v != "0");
        self.no_ui |= env("TANDEM_NO_UI").is_some_and(|v| !v.is_empty() && v != "0");
        if self.ui_port.is_none() {
            self.ui_port = env("TANDEM_UI_PORT").and_then(|v| v.trim().parse().ok());
        }
        self
    }
}

/// The daemon could not start, or failed while running.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No home directory could be determined.
    #[error("no home directory: set TANDEM_HOME or HOME")]
    NoHome,
    /// The home could not be prepared, or another daemon serves it.
    #[error(transparent)]
    Home(#[from] HomeError),
    /// The database could not be opened.
    #[error("cannot open database {path}: {source}{}", advice(.source))]
    Store {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: StoreError,
    },
    /// The home has a device key but its database is gone.
    #[error(
        "the database {path} is missing, but this home has a device key, so it held plans before; restore tandem.redb from a backup, or move the home aside to start over as a new device"
    )]
    MissingDatabase {
        /// Where it should be.
        path: PathBuf,
    },
    /// The device key could not be loaded or created.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// A setting is malformed.
    #[error("{0}")]
    Config(String),
    /// The network could not start.
    #[error(transparent)]
    Net(#[from] crate::net::NetError),
    /// Some other IO failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// What to do about a database that cannot be opened.
fn advice(e: &StoreError) -> &'static str {
    match e {
        StoreError::Damaged { .. }
        | StoreError::Empty
        | StoreError::Redb(_)
        | StoreError::BadValue { .. } => {
            "; nothing was changed. Restore tandem.redb from a backup (stop the daemon first), or move the home aside to start over as a new device"
        }
        StoreError::TooNew { .. } | StoreError::Unavailable => "",
    }
}

impl RunError {
    /// Whether the failure is the database's: missing, damaged, truncated,
    /// or of another version (tandemd exits with its own code for these).
    pub fn is_database(&self) -> bool {
        matches!(
            self,
            RunError::Store { .. } | RunError::MissingDatabase { .. }
        )
    }
}

pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> RunError {
    let what = what.into();
    move |source| RunError::Io { what, source }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Runs the daemon until SIGTERM, SIGINT or a `Shutdown` request.
pub fn run(opts: Options) -> Result<(), RunError> {
    // Everything the daemon creates (database, log, socket) is private to the user.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let opts = match crate::config::path(
        env("TANDEM_CONFIG").as_deref(),
        env("XDG_CONFIG_HOME").as_deref(),
        env("HOME").as_deref(),
    ) {
        Some(path) => {
            let cfg =
                crate::config::Config::load(&path).map_err(|e| RunError::Config(e.to_string()))?;
            opts.with_config(&cfg)
        }
        None => opts,
    };
    let root = paths::home_dir(
        opts.home.as_deref(),
        env(paths::HOME_ENV).as_deref(),
        env("XDG_DATA_HOME").as_deref(),
        env("HOME").as_deref(),
    )
    .ok_or(RunError::NoHome)?;
    let home = Home::prepare(root)?;
    let _lock = home.lock()?;
    let _log_guard = init_logging(home.root(), opts.background)?;
    // A panic is a bug (the store turns redb's into errors): it goes to the
    // log as one line with where it happened, not as a trace on stderr.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%at, "internal error (a panic): {what}");
    }));
    if opts.relay_server {
        let key = crate::identity::load_or_create(home.root())?;
        let listen = parse_addrs("listen", &opts.listen)?;
        return crate::relay::run(key, listen, opts.relay_limits).map_err(RunError::from);
    }

    let started = std::time::Instant::now();
    let db_path = paths::db_path(home.root());
    let store_err = |source| RunError::Store {
        path: db_path.clone(),
        source,
    };
    // A home that already has a device key held a database: it must still
    // be there, whole. Only a first start creates one.
    let existing = crate::identity::key_path(home.root()).exists();
    let store = if existing {
        if !db_path.exists() {
            return Err(RunError::MissingDatabase { path: db_path });
        }
        Store::open_existing(&db_path)
    } else {
        Store::open(&db_path)
    }
    .map_err(store_err)?;
    let actor = store.device_actor().map_err(store_err)?;
    let key = crate::identity::load_or_create(home.root())?;
    let device = Device {
        peer: crate::identity::peer_id(&key).to_string(),
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
    let ui = if opts.no_ui {
        None
    } else {
        bind_ui(home.root(), opts.ui_port.unwrap_or(crate::ui::DEFAULT_PORT))
    };
    let info = Info {
        home: home.root().display().to_string(),
        socket: socket.display().to_string(),
        started_at: jiff::Timestamp::now(),
        ui: ui
            .as_ref()
            .map(|(_, access)| format!("http://{}", access.authority)),
    };
    let parse = parse_addrs;
    let dial = parse_peer_addrs("peer", &opts.peers)?;
    // The address book: member devices and peers added by hand are dialed
    // again (the network dials only those the engine says are members).
    let book = match store.peers() {
        Ok(book) => book
            .into_iter()
            .filter_map(|(peer, row)| {
                Some((peer.parse().ok()?, row.addr.parse().ok()?, row.manual))
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the address book");
            Vec::new()
        }
    };
    // `--listen none`: no direct listener, reachable through relays only.
    let direct = opts.listen != ["none"];
    let mut relays = parse_peer_addrs("relay", &opts.relays)?;
    match store.relays() {
        Ok(learned) => relays.extend(learned.iter().filter_map(|a| a.parse().ok())),
        Err(e) => tracing::warn!(error = %e, "cannot read the relays learned from tickets"),
    }
    let net_cfg = crate::net::NetConfig {
        listen: if direct {
            parse("listen", &opts.listen)?
        } else {
            Vec::new()
        },
        mdns: !opts.no_mdns,
        dial,
        book,
        direct,
        relays,
    };
    let (outbox_tx, outbox_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut engine = Engine::with_os_rng(store, device, info);
    engine.set_signer(key.clone());
    let trust = engine.trust();
    let (handle, queue) = engine::thread::queue(&engine);
    let listener =
        server::bind(&socket).map_err(io(format!("cannot listen on {}", socket.display())))?;
    // The async side (client sockets, the network, the app) runs on threads
    // of its own and the engine on this one, the process's main thread:
    // what the engine allocates comes from glibc's main arena, which a
    // plan's first load fills faster than a new thread's arena (BENCHMARKS
    // §18). The engine stops once the async side is gone and with it every
    // handle.
    let side = crate::serve::AsyncSide {
        listener,
        home: home.root().to_path_buf(),
        started,
        key,
        net: net_cfg,
        engine: handle,
        outbox: outbox_rx,
        trust,
        ui,
    };
    let async_side = std::thread::Builder::new()
        .name("tandem-async".into())
        .spawn(move || side.run())
        .map_err(io("cannot start the async runtime's thread"))?;
    engine::thread::run(engine, queue, Some(outbox_tx));
    // The engine stopped: every handle is gone, so the async side has ended
    // (or is ending, after a panic the hook logged).
    async_side.join().map_err(|_| RunError::Io {
        what: "the async runtime stopped".into(),
        source: std::io::Error::other("it panicked (the log says where)"),
    })??;
    let _ = std::fs::remove_file(&socket);
    tracing::info!("tandemd stopped");
    Ok(())
}

/// The app's listener on 127.0.0.1 and who may use it; `None` (logged)
/// when the port is taken or the secret cannot be had: the daemon runs on
/// without the app.
fn bind_ui(
    home: &std::path::Path,
    port: u16,
) -> Option<(std::net::TcpListener, crate::ui::access::Access)> {
    let secret = match crate::ui::access::secret(home) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "the app is off");
            return None;
        }
    };
    let listener = match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(port, error = %e, "the app is off: its port is not free (set --ui-port)");
            return None;
        }
    };
    let addr = listener.local_addr().ok()?;
    listener.set_nonblocking(true).ok()?;
    Some((
        listener,
        crate::ui::access::Access::new(secret, addr.to_string()),
    ))
}

/// Parses multiaddrs from settings, naming the one that is wrong.
fn parse_addrs(what: &str, list: &[String]) -> Result<Vec<libp2p::Multiaddr>, RunError> {
    list.iter()
        .map(|a| {
            a.parse()
                .map_err(|e| RunError::Config(format!("invalid {what} address '{a}': {e}")))
        })
        .collect()
}

/// Parses multiaddrs that must name the device they reach (`.../p2p/<id>`):
/// one without cannot be dialed as that device, so it is an error naming
/// it rather than an entry silently ignored.
fn parse_peer_addrs(what: &str, list: &[String]) -> Result<Vec<libp2p::Multiaddr>, RunError> {
    let addrs = parse_addrs(what, list)?;
    for (a, text) in addrs.iter().zip(list) {
        if !matches!(a.iter().last(), Some(libp2p::multiaddr::Protocol::P2p(_))) {
            return Err(RunError::Config(format!(
                "invalid {what} address '{text}': it must end in /p2p/<peer-id> (the device's PeerId, from `tandem device show` on it)"
            )));
        }
    }
    Ok(addrs)
}

fn init_logging(
    home: &std::path::Path,
    background: bool,
) -> Result<tracing_appender::non_blocking::WorkerGuard, RunError> {
    let path = paths::log_path(home);
    // Opened here first, so a home where the log cannot be written is an
    // error naming it; the rotating writer then owns it.
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io(format!("cannot open the log file {}", path.display())))?;
    let file = crate::logfile::writer(&path, crate::logfile::MAX_BYTES);
    let (writer, guard) = tracing_appender::non_blocking(file);
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = || crate::logfile::filter(rust_log.as_deref());
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(filter());
    let stderr_layer = (!background).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    // A second call in one process (only in tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    Ok(guard)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Flags;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        flags: Flags,
    }

    fn parse(args: &[String]) -> Flags {
        Cmd::try_parse_from(std::iter::once("tandemd".to_string()).chain(args.iter().cloned()))
            .unwrap()
            .flags
    }

    #[test]
    fn flags_handed_on_parse_back_the_same() {
        let every = [
            "--background",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--listen=/ip4/127.0.0.1/udp/0/quic-v1",
            "--no-mdns",
            "--peer",
            "/ip4/10.0.0.2/tcp/4455/p2p/12D3KooWPeer",
            "--use-relay",
            "/dns4/relay.example/tcp/4455/p2p/12D3KooWRelay",
            "--relay",
            "--ui-port",
            "0",
            "--no-ui",
        ]
        .map(String::from);
        for given in [&every[..], &[], &every[5..9]] {
            let flags = parse(given);
            assert_eq!(parse(&flags.to_args()), flags, "{given:?}");
        }
        // A value that looks like a flag still travels as the value.
        let odd = Flags {
            listen: vec!["--relay".into()],
            ..Flags::default()
        };
        assert_eq!(parse(&odd.to_args()), odd);
    }
}
