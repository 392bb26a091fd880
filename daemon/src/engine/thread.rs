//! Runs the [`Engine`] on a dedicated thread, so redb and Automerge work
//! never blocks the async runtime, and gives async code a cheap handle.
//!
//! The thread takes whatever requests are queued (up to [`MAX_BATCH`]) as
//! one batch, so concurrent clients share fsyncs. When the queue is empty
//! it compacts plans that need it, one per turn, so a compaction never
//! delays a waiting request by more than one plan's worth of work.

use std::thread::JoinHandle;

use tandem_proto::api::{Request, Response};
use tandem_proto::{ApiError, ErrorCode};
use tokio::sync::{mpsc, oneshot};

use super::Engine;

/// Most requests handled as one batch.
pub const MAX_BATCH: usize = 256;
/// Requests queued before callers wait.
const QUEUE: usize = 1024;

type Cmd = (oneshot::Sender<Response>, Request);

/// A cloneable async handle to the engine thread.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    tx: mpsc::Sender<Cmd>,
}

impl EngineHandle {
    /// Sends a request and waits for its reply.
    pub async fn call(&self, req: Request) -> Response {
        let (reply, rx) = oneshot::channel();
        if self.tx.send((reply, req)).await.is_err() {
            return Response::Error(ApiError::new(
                ErrorCode::ShuttingDown,
                "the daemon is shutting down",
            ));
        }
        rx.await.unwrap_or_else(|_| {
            Response::Error(ApiError::new(
                ErrorCode::Internal,
                "the engine dropped the request",
            ))
        })
    }
}

/// Starts the engine thread. It ends once every handle is dropped and the queue is drained.
pub fn spawn(mut engine: Engine) -> std::io::Result<(EngineHandle, JoinHandle<()>)> {
    let (tx, mut rx) = mpsc::channel::<Cmd>(QUEUE);
    let join = std::thread::Builder::new()
        .name("tandem-engine".into())
        .spawn(move || {
            while let Some(first) = rx.blocking_recv() {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(cmd) => batch.push(cmd),
                        Err(_) => break,
                    }
                }
                // A client that went away has dropped its receiver; its reply is simply discarded.
                engine.process(batch, |reply, resp| {
                    let _ = reply.send(resp);
                });
                while rx.is_empty() && engine.has_compaction() {
                    engine.compact_one();
                }
            }
            tracing::debug!("engine thread finished");
        })?;
    Ok((EngineHandle { tx }, join))
}
