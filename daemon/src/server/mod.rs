//! The local API socket: binding, the handshake, framing, and one task per connection.
//!
//! Every frame is a 4-byte big-endian length and a JSON body
//! ([`tandem_proto::frame`]). Requests over [`frame::MAX_REQUEST`] bytes are
//! refused and the connection closed (its byte stream cannot be trusted any
//! more); a malformed or unknown request gets an error reply and the
//! connection stays usable. A client that vanishes mid-request harms
//! nothing: its edit still completes, and the reply is dropped.
//!
//! **Slots.** Up to [`MAX_OPEN`] connections are served at once, but only
//! [`MAX_ACTIVE`] requests are worked on at once: a connection takes a
//! request slot from the moment a whole request frame has arrived until its
//! reply is sent. A client that said hello and then sends nothing, and a
//! `tandem watch` stream, hold no request slot, so hundreds of them never
//! keep a CLI call waiting. Frames are read by [`reader`]: memory grows with
//! the bytes that arrive, and a frame that has started must finish within
//! [`reader::FRAME_TIME`].

pub mod api;
mod reader;
pub(crate) mod route;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tandem_proto::api::{HandshakeReply, Hello, Request, Response, Welcome};

use route::Route;
use tandem_proto::{ApiError, ErrorCode, PROTOCOL_VERSION, frame};
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::engine::thread::EngineHandle;
use crate::net::NetHandle;

/// Most connections open at once; more wait in the kernel's backlog.
pub const MAX_OPEN: usize = 4096;
/// Most requests being worked on at once (idle and watching connections take none).
pub const MAX_ACTIVE: usize = 128;
/// How long a new connection may take to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds the socket at `path`, removing a leftover one first.
///
/// Call only while holding the instance lock: then any existing socket is
/// stale. The process umask (0o077, set by `main`) makes the socket 0600
/// from the moment it exists; the mode is then set explicitly as well.
pub fn bind(path: &Path) -> std::io::Result<std::os::unix::net::UnixListener> {
    match std::fs::remove_file(path) {
        Ok(()) => tracing::info!(socket = %path.display(), "removed a stale socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = std::os::unix::net::UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Serves connections until `shutdown` is cancelled (by a signal or a
/// `Shutdown` request), then waits for open connections to finish their
/// current request.
pub async fn serve(
    listener: UnixListener,
    engine: EngineHandle,
    net: Option<NetHandle>,
    shutdown: CancellationToken,
) {
    let tracker = TaskTracker::new();
    let open = Arc::new(Semaphore::new(open_limit()));
    let active = Arc::new(Semaphore::new(MAX_ACTIVE));
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = shutdown.cancelled() => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let engine = engine.clone();
        let shutdown = shutdown.clone();
        let net = net.clone();
        let active = active.clone();
        tracker.spawn(async move {
            if let Err(e) = connection(stream, engine, net, active, shutdown).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracker.close();
    tracker.wait().await;
}

/// How many connections may be open: [`MAX_OPEN`], or fewer when the
/// process may not open that many files (keeping room for the database,
/// the log and peer connections). The soft limit is raised to the hard one.
fn open_limit() -> usize {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    if let (Some(cur), Some(max)) = (lim.current, lim.maximum)
        && cur < max
    {
        lim.current = Some(max);
        if setrlimit(Resource::Nofile, lim).is_err() {
            lim.current = Some(cur);
        }
    }
    let files = lim
        .current
        .map_or(MAX_OPEN, |c| usize::try_from(c).unwrap_or(MAX_OPEN));
    // Half the files for local clients, the rest for everything else.
    (files / 2).clamp(64, MAX_OPEN)
}

type Reader = reader::FrameReader<tokio::net::unix::OwnedReadHalf>;
type Writer = tokio::net::unix::OwnedWriteHalf;

/// Sends `msg` as one frame. The frame (header and body) is made in one
/// buffer and written from it: a framing codec copied it again into its own
/// buffer first, fresh pages for each connection (1.2 MB for `plan list`
/// of 5,000 plans) before the first byte went out.
async fn send<T: serde::Serialize>(w: &mut Writer, msg: &T) -> std::io::Result<()> {
    let failed = |err: ApiError| frame::encode(&Response::Error(err), frame::MAX_RESPONSE);
    let frame = match frame::encode(msg, frame::MAX_RESPONSE) {
        Ok(frame) => frame,
        Err(frame::FrameError::TooLarge { len, max }) => failed(ApiError::new(
            ErrorCode::TooLarge,
            format!("the reply of {len} bytes is over the limit of {max} bytes"),
        ))
        .map_err(std::io::Error::other)?,
        Err(e) => failed(ApiError::new(ErrorCode::Internal, e.to_string()))
            .map_err(std::io::Error::other)?,
    };
    w.write_all(&frame).await
}

async fn connection(
    stream: UnixStream,
    engine: EngineHandle,
    net: Option<NetHandle>,
    active: Arc<Semaphore>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let (r, mut writer) = stream.into_split();
    let mut reader: Reader = reader::FrameReader::new(r, frame::MAX_REQUEST);

    let hello = match tokio::time::timeout(HELLO_TIMEOUT, reader.next()).await {
        Ok(Ok(Some(body))) => frame::decode::<Hello>(&body),
        Ok(Err(e)) => {
            return refuse(
                &mut writer,
                ErrorCode::TooLarge,
                &format!("bad handshake frame: {e}"),
            )
            .await;
        }
        Ok(Ok(None)) | Err(_) => return Ok(()),
    };
    match hello {
        Ok(h) if h.protocol == PROTOCOL_VERSION => {
            tracing::trace!(client = %h.client, "client connected");
            let welcome = Welcome {
                protocol: PROTOCOL_VERSION,
                daemon_version: env!("CARGO_PKG_VERSION").into(),
            };
            send(&mut writer, &HandshakeReply::Welcome(welcome)).await?;
        }
        Ok(h) => {
            let msg = format!(
                "protocol version mismatch: client speaks {}, tandemd speaks {PROTOCOL_VERSION}; use matching tandem and tandemd builds",
                h.protocol
            );
            return refuse(&mut writer, ErrorCode::VersionMismatch, &msg).await;
        }
        Err(e) => {
            return refuse(
                &mut writer,
                ErrorCode::BadRequest,
                &format!("expected a hello frame: {e}"),
            )
            .await;
        }
    }

    loop {
        let next = tokio::select! {
            n = reader.next() => n,
            () = shutdown.cancelled() => return Ok(()),
        };
        let body = match next {
            Ok(None) => return Ok(()),
            Ok(Some(body)) => body,
            Err(e) => {
                // Oversized (or unreadable) frame: the stream position is lost, so reply and close.
                let err = ApiError::new(
                    ErrorCode::TooLarge,
                    format!("request refused: {e} (limit {} bytes)", frame::MAX_REQUEST),
                );
                let _ = send(&mut writer, &Response::Error(err)).await;
                return Ok(());
            }
        };
        let request = match frame::decode::<Request>(&body) {
            Ok(r) => r,
            Err(e) => {
                let err = ApiError::new(
                    ErrorCode::BadRequest,
                    format!("request not understood: {e}"),
                );
                send(&mut writer, &Response::Error(err)).await?;
                continue;
            }
        };
        let reply = match Route::of(request) {
            Route::Watch(w) => {
                return watch(&mut reader, &mut writer, &engine, w.plan, &shutdown).await;
            }
            Route::Shutdown => {
                send(&mut writer, &Response::ShuttingDown).await?;
                tracing::info!("shutdown requested by a client");
                shutdown.cancel();
                return Ok(());
            }
            Route::Reply(reply) => reply,
        };
        // A request slot, held until its reply is sent.
        let Ok(_slot) = active.acquire().await else {
            return Ok(());
        };
        let response = reply.answer(&engine, net.as_ref()).await;
        send(&mut writer, &response).await?;
    }
}

/// Streams events to a `tandem watch` client until it hangs up or the daemon stops.
async fn watch(
    reader: &mut Reader,
    writer: &mut Writer,
    engine: &EngineHandle,
    plan: Option<String>,
    shutdown: &CancellationToken,
) -> std::io::Result<()> {
    use tokio::sync::broadcast::error::RecvError;
    let mut events = engine.watch();
    send(writer, &Response::Watching).await?;
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(e) => {
                    let wanted = match (&plan, e.plan()) {
                        (Some(want), Some(p)) => p.starts_with(want.as_str()),
                        (Some(_), None) | (None, _) => true,
                    };
                    if wanted {
                        send(writer, &Response::Event(e)).await?;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    let err = ApiError::new(ErrorCode::TooLarge, format!("this watcher fell behind and missed {n} events"));
                    send(writer, &Response::Error(err)).await?;
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            // Anything from the client, or its hang-up, ends the stream.
            _ = reader.next() => return Ok(()),
            () = shutdown.cancelled() => {
                // A last frame, so the watcher knows the stream ended on purpose.
                let _ = send(writer, &Response::ShuttingDown).await;
                return Ok(());
            }
        }
    }
}

async fn refuse(w: &mut Writer, code: ErrorCode, msg: &str) -> std::io::Result<()> {
    send(w, &HandshakeReply::Error(ApiError::new(code, msg))).await
}
