//! Runs the [`Engine`] on a thread of its own, so redb and Automerge work
//! never blocks the async runtime, and gives async code a cheap handle.
//! [`queue`] makes the handle and the queue it feeds; [`run`] serves the
//! queue on the calling thread (tandemd's main thread, with the runtime on
//! threads of its own: see `run.rs`).
//!
//! The thread takes whatever client requests are queued (up to
//! [`MAX_BATCH`]) as one batch, so concurrent clients share fsyncs; network
//! events are handled one by one in arrival order between batches, and
//! whatever the sync core then has to send goes to the network task's
//! channel. When the queue is empty it compacts plans that need it, and
//! checks stored plans against their records, one plan per turn, so idle
//! work never delays a waiting request by more than one plan's worth.

use jiff::Timestamp;
use tandem_proto::api::Response;
use tandem_proto::{ApiError, ErrorCode};
use tokio::sync::{mpsc, oneshot};

use tandem_proto::peer::PeerMessage;

use super::{Ask, Engine, NetEvent};

/// Most requests handled as one batch.
pub const MAX_BATCH: usize = 256;
/// Requests queued before callers wait.
const QUEUE: usize = 1024;

/// What the engine thread is fed.
#[derive(Debug)]
enum Input {
    /// A client request and where to send its reply.
    Client(oneshot::Sender<Response>, Ask),
    /// Something the network saw, with the time in milliseconds.
    Net(u64, NetEvent),
    /// A device asks to join a plan with a ticket: (time in ms, where it
    /// came from, the request, where to answer).
    Join(
        u64,
        super::join_limit::JoinFrom,
        tandem_proto::peer::JoinRequest,
        oneshot::Sender<tandem_proto::peer::JoinReply>,
    ),
    /// This device is about to ask to join (plan, inviter): consent for the
    /// plan; `None` takes it back (the join was refused).
    Expect(
        String,
        Option<String>,
        oneshot::Sender<Result<(), ApiError>>,
    ),
}

/// Where the engine sends peer messages: (PeerId, message).
pub type Outbox = mpsc::UnboundedSender<(String, PeerMessage)>;

/// A cloneable async handle to the engine thread.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    tx: mpsc::Sender<Input>,
    events: tokio::sync::broadcast::Sender<tandem_proto::api::WatchEvent>,
}

impl EngineHandle {
    /// Sends a request and waits for its reply.
    pub async fn call(&self, req: impl Into<Ask>) -> Response {
        let (reply, rx) = oneshot::channel();
        if self
            .tx
            .send(Input::Client(reply, req.into()))
            .await
            .is_err()
        {
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

impl EngineHandle {
    /// A stream of the engine's events, for `tandem watch`.
    pub fn watch(&self) -> tokio::sync::broadcast::Receiver<tandem_proto::api::WatchEvent> {
        self.events.subscribe()
    }

    /// Answers a device's join request (the network task calls this).
    pub async fn join(
        &self,
        from: super::join_limit::JoinFrom,
        req: tandem_proto::peer::JoinRequest,
    ) -> tandem_proto::peer::JoinReply {
        let now_ms = Timestamp::now().as_millisecond().max(0) as u64;
        let (reply, rx) = oneshot::channel();
        let gone = || tandem_proto::peer::JoinReply::Refused {
            reason: tandem_proto::peer::JoinRefusal::NotAllowed,
            message: "the inviting daemon is shutting down".into(),
            now_ms: None,
        };
        if self
            .tx
            .send(Input::Join(now_ms, from, req, reply))
            .await
            .is_err()
        {
            return gone();
        }
        rx.await.unwrap_or_else(|_| gone())
    }

    /// Records that this device is about to join `plan` through `inviter`,
    /// so the plan is stored when it arrives (joining is consent).
    pub async fn expect_plan(&self, plan: String, inviter: Option<String>) -> Result<(), ApiError> {
        let (reply, rx) = oneshot::channel();
        let gone = || ApiError::new(ErrorCode::ShuttingDown, "the daemon is shutting down");
        self.tx
            .send(Input::Expect(plan, inviter, reply))
            .await
            .map_err(|_| gone())?;
        rx.await.unwrap_or_else(|_| Err(gone()))
    }

    /// Reports a network event (the network task calls this).
    pub async fn net(&self, event: NetEvent) {
        let now_ms = Timestamp::now().as_millisecond().max(0) as u64;
        let _ = self.tx.send(Input::Net(now_ms, event)).await;
    }
}

/// The engine's end of the queue that [`EngineHandle`]s feed.
#[derive(Debug)]
pub struct Queue {
    rx: mpsc::Receiver<Input>,
}

/// A handle to `engine`, and the queue it feeds, for [`run`].
pub fn queue(engine: &Engine) -> (EngineHandle, Queue) {
    let (tx, rx) = mpsc::channel::<Input>(QUEUE);
    let events = engine.events();
    (EngineHandle { tx, events }, Queue { rx })
}

/// Serves `queue` on the calling thread until every handle is dropped and
/// the queue is drained. Peer messages go to `outbox` when there is one
/// (with no network they are dropped).
pub fn run(mut engine: Engine, queue: Queue, outbox: Option<Outbox>) {
    let mut rx = queue.rx;
    // The network learns whom to trust before anything else happens.
    engine.publish_trust();
    while let Some(first) = rx.blocking_recv() {
        // Client requests queued together form one batch (one fsync);
        // a network event ends the batch and is handled on its own.
        let mut batch = Vec::new();
        let mut input = Some(first);
        while let Some(i) = input.take() {
            match i {
                Input::Client(reply, req) => batch.push((reply, req)),
                Input::Net(now_ms, event) => {
                    run_batch(&mut engine, std::mem::take(&mut batch));
                    engine.net(now_ms, event);
                }
                Input::Join(now_ms, from, req, reply) => {
                    run_batch(&mut engine, std::mem::take(&mut batch));
                    let _ = reply.send(engine.join(now_ms, &from, &req));
                }
                Input::Expect(plan, inviter, reply) => {
                    run_batch(&mut engine, std::mem::take(&mut batch));
                    let now = Timestamp::now();
                    let _ = reply.send(engine.expect_plan(now, &plan, inviter.as_deref()));
                }
            }
            if batch.len() < MAX_BATCH {
                input = rx.try_recv().ok();
            }
        }
        run_batch(&mut engine, batch);
        for msg in engine.take_outbox() {
            if let Some(out) = &outbox {
                let _ = out.send(msg);
            }
        }
        while rx.is_empty() && engine.has_idle_work() {
            engine.idle_step();
        }
    }
    engine.flush_sync_states();
    tracing::debug!("engine finished");
}

fn run_batch(engine: &mut Engine, batch: Vec<(oneshot::Sender<Response>, Ask)>) {
    if batch.is_empty() {
        return;
    }
    // A client that went away has dropped its receiver; its reply is simply discarded.
    engine.process(Timestamp::now(), batch, |reply, resp| {
        let _ = reply.send(resp);
    });
}
