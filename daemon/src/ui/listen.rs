//! The app's listener, with a bound on open connections: anyone on the
//! machine can connect to 127.0.0.1, so how many connections the app
//! holds at once is capped. At the cap, new connections wait in the
//! kernel's queue until one closes.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Most connections the app holds open at once (pages, their event
/// streams, calendar apps).
pub const CONNECTIONS_MAX: usize = 256;

/// A listener that holds at most `max` connections.
pub struct Bounded {
    inner: TcpListener,
    slots: Arc<Semaphore>,
}

impl Bounded {
    /// Wraps `inner`.
    pub fn new(inner: TcpListener, max: usize) -> Bounded {
        Bounded {
            inner,
            slots: Arc::new(Semaphore::new(max)),
        }
    }
}

/// A connection with its slot, given back when it closes.
pub struct Held {
    io: TcpStream,
    _slot: Option<OwnedSemaphorePermit>,
}

impl axum::serve::Listener for Bounded {
    type Io = Held;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Held, std::net::SocketAddr) {
        loop {
            // The semaphore is this listener's and never closed, so
            // acquiring does not fail; if it did, the connection would go
            // without a slot rather than the loop spinning.
            let slot = self.slots.clone().acquire_owned().await.ok();
            match self.inner.accept().await {
                Ok((io, addr)) => return (Held { io, _slot: slot }, addr),
                Err(e) => {
                    // Out of descriptors and the like: wait a little, as axum does.
                    tracing::debug!(error = %e, "the app could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsyncRead for Held {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Held {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn at_the_cap_a_new_connection_waits_until_one_closes() {
        let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = inner.local_addr().unwrap();
        let mut l = Bounded::new(inner, 2);
        let _a = TcpStream::connect(addr).await.unwrap();
        let _b = TcpStream::connect(addr).await.unwrap();
        let _c = TcpStream::connect(addr).await.unwrap();
        let first = l.accept().await.0;
        let _second = l.accept().await.0;
        let third = tokio::time::timeout(std::time::Duration::from_millis(200), l.accept()).await;
        assert!(third.is_err(), "a third is held back while two are open");
        drop(first);
        let third = tokio::time::timeout(std::time::Duration::from_secs(5), l.accept()).await;
        assert!(third.is_ok(), "and let in when one closes");
    }
}
