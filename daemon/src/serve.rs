//! The daemon's async side: the tokio runtime and what runs on it (client
//! sockets, the network, the app), on threads of its own. The engine runs
//! on the process's main thread meanwhile (`run.rs`), and every request
//! reaches it through the [`EngineHandle`] this side holds.

use std::path::PathBuf;
use std::time::Instant;

use libp2p_identity::Keypair;
use tandem_proto::peer::PeerMessage;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::engine::Trust;
use crate::engine::thread::EngineHandle;
use crate::run::{RunError, io};
use crate::server;

/// What the async side serves, handed over from the main thread.
pub struct AsyncSide {
    /// The client socket, bound.
    pub listener: std::os::unix::net::UnixListener,
    /// The home directory.
    pub home: PathBuf,
    /// When the daemon started (for the "ready" line of the log).
    pub started: Instant,
    /// The device key.
    pub key: Keypair,
    /// How the network starts.
    pub net: crate::net::NetConfig,
    /// The engine.
    pub engine: EngineHandle,
    /// What the engine sends to peers.
    pub outbox: mpsc::UnboundedReceiver<(String, PeerMessage)>,
    /// Whom the engine says to trust.
    pub trust: watch::Receiver<Trust>,
    /// The app's listener and who may use it, when the app is served.
    pub ui: Option<(std::net::TcpListener, crate::ui::access::Access)>,
}

impl AsyncSide {
    /// Builds the runtime and serves until a shutdown; every engine handle
    /// is gone when this returns.
    pub fn run(self) -> Result<(), RunError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(io("cannot start the async runtime"))?;
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> Result<(), RunError> {
        let AsyncSide {
            listener,
            home,
            started,
            key,
            net,
            engine,
            outbox,
            trust,
            ui,
        } = self;
        let listener =
            tokio::net::UnixListener::from_std(listener).map_err(io("cannot use the socket"))?;
        tracing::info!(
            home = %home.display(),
            pid = std::process::id(),
            ready_ms = started.elapsed().as_millis() as u64,
            "tandemd ready"
        );
        let shutdown = CancellationToken::new();
        tokio::spawn(crate::signals::on_signals(shutdown.clone()));
        let (network, net) = crate::net::start(key, net)?;
        let net_task = tokio::spawn(network.run(engine.clone(), outbox, trust, shutdown.clone()));
        let ui_task = match ui {
            Some((listener, access)) => match tokio::net::TcpListener::from_std(listener) {
                Ok(l) => {
                    let api = server::api::Api::new(engine.clone(), Some(net.clone()));
                    Some(tokio::spawn(crate::ui::serve(
                        l,
                        api,
                        access,
                        home,
                        shutdown.clone(),
                    )))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot serve the app");
                    None
                }
            },
            None => None,
        };
        server::serve(listener, engine, Some(net), shutdown).await;
        if let Some(t) = ui_task {
            let _ = t.await;
        }
        let _ = net_task.await;
        Ok(())
    }
}
