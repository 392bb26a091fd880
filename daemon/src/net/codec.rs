//! The sync protocol's codec: libp2p's CBOR codec, with every inbound
//! request's bytes counted against one budget shared by all connections.
//!
//! One envelope may be up to [`MAX_MESSAGE`] bytes (a first sync of a big
//! plan), and request-response reads a request whole before decoding it.
//! Without a shared bound, many peers each streaming large requests at
//! once could make the daemon hold gigabytes; with it, requests being read
//! at any moment hold at most [`INBOUND_BUDGET`] bytes together, and a
//! request that would go over fails (its sender's session resets and
//! retries, as after a lost message).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use futures::{AsyncRead, AsyncWrite};
use libp2p::StreamProtocol;
use libp2p::request_response::{self, Codec};
use tandem_proto::peer::{Envelope, MAX_MESSAGE};

use super::Ack;

/// Bytes of inbound sync requests being read at once, in all.
pub const INBOUND_BUDGET: usize = 64 * 1024 * 1024;

type Inner = request_response::cbor::codec::Codec<Envelope, Ack>;

/// The sync codec with the shared inbound budget.
#[derive(Clone)]
pub struct SyncCodec {
    inner: Inner,
    in_flight: Arc<AtomicUsize>,
    budget: usize,
}

impl SyncCodec {
    /// A codec whose inbound requests share `budget` bytes.
    pub fn new(budget: usize) -> SyncCodec {
        SyncCodec {
            inner: Inner::default()
                .set_request_size_maximum(MAX_MESSAGE as u64)
                .set_response_size_maximum(1024),
            in_flight: Arc::new(AtomicUsize::new(0)),
            budget,
        }
    }
}

/// A reader that counts what it reads against the shared budget, and
/// gives it back when dropped.
struct Metered<'a, T> {
    io: &'a mut T,
    in_flight: &'a AtomicUsize,
    budget: usize,
    taken: usize,
}

impl<T: AsyncRead + Unpin> AsyncRead for Metered<'_, T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let n = match Pin::new(&mut *this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(n)) => n,
            other => return other,
        };
        let now = this.in_flight.fetch_add(n, Ordering::SeqCst) + n;
        this.taken += n;
        if now > this.budget {
            return Poll::Ready(Err(io::Error::other(format!(
                "inbound sync requests are over their budget of {} MiB; try again",
                this.budget / (1024 * 1024)
            ))));
        }
        Poll::Ready(Ok(n))
    }
}

impl<T> Drop for Metered<'_, T> {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(self.taken, Ordering::SeqCst);
    }
}

impl Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = Envelope;
    type Response = Ack;

    async fn read_request<T>(&mut self, p: &StreamProtocol, io: &mut T) -> io::Result<Envelope>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut metered = Metered {
            io,
            in_flight: &self.in_flight,
            budget: self.budget,
            taken: 0,
        };
        self.inner.read_request(p, &mut metered).await
    }

    async fn read_response<T>(&mut self, p: &StreamProtocol, io: &mut T) -> io::Result<Ack>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.inner.read_response(p, io).await
    }

    async fn write_request<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
        req: Envelope,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.inner.write_request(p, io, req).await
    }

    async fn write_response<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
        res: Ack,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.inner.write_response(p, io, res).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_proto::peer::PeerMessage;

    fn encoded(len: usize) -> Vec<u8> {
        let env = Envelope {
            messages: vec![PeerMessage::Sync {
                plan: "00000000000000a1".into(),
                data: vec![7; len],
            }],
            sent_at_ms: None,
        };
        let mut out = Vec::new();
        futures::executor::block_on(async {
            let mut c = SyncCodec::new(INBOUND_BUDGET);
            c.write_request(&StreamProtocol::new("/t"), &mut out, env)
                .await
                .unwrap();
        });
        out
    }

    #[test]
    fn requests_share_one_budget_and_give_it_back() {
        let bytes = encoded(1000);
        let mut c = SyncCodec::new(1500);
        let p = StreamProtocol::new("/t");
        futures::executor::block_on(async {
            let mut io = futures::io::Cursor::new(bytes.clone());
            assert!(c.read_request(&p, &mut io).await.is_ok());
            assert_eq!(c.in_flight.load(Ordering::SeqCst), 0, "given back");
            // Another request is reading 1000 bytes now: this one does not fit.
            c.in_flight.fetch_add(1000, Ordering::SeqCst);
            let mut io = futures::io::Cursor::new(bytes);
            let err = c.read_request(&p, &mut io).await.unwrap_err();
            assert!(err.to_string().contains("budget"), "{err}");
            assert_eq!(c.in_flight.load(Ordering::SeqCst), 1000);
        });
    }
}
