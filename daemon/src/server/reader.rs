//! Reading request frames from a socket client, bounded in memory and time.
//!
//! A frame is a 4-byte big-endian length and that many bytes
//! ([`tandem_proto::frame`]). The buffer grows with the bytes that actually
//! arrive, never with the length a header announces, so a client that
//! announces 32 MiB and sends one byte costs one byte. Waiting for a frame
//! to *start* has no time limit (an idle client holds no request slot);
//! once its first byte is in, the whole frame must arrive within
//! [`FRAME_TIME`], or the connection is closed.

use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// How long one frame may take to arrive once it has started.
pub const FRAME_TIME: Duration = Duration::from_secs(30);
/// The most the buffer grows by for one read.
const READ_CHUNK: usize = 64 * 1024;

/// Why no frame could be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The announced length is over the limit.
    #[error("a frame of {len} bytes is announced; the limit is {max} bytes")]
    TooLarge {
        /// Announced.
        len: usize,
        /// Allowed.
        max: usize,
    },
    /// The frame did not arrive in time.
    #[error("the frame did not arrive within {} s", FRAME_TIME.as_secs())]
    TooSlow,
    /// The client hung up in the middle of a frame.
    #[error("the connection closed in the middle of a frame")]
    Truncated,
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Frames from one client.
pub struct FrameReader<R> {
    inner: R,
    buf: BytesMut,
    max: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Reads frames of at most `max` bytes from `inner`.
    pub fn new(inner: R, max: usize) -> FrameReader<R> {
        FrameReader {
            inner,
            buf: BytesMut::new(),
            max,
        }
    }

    /// The next frame's body; `None` when the client hung up between frames.
    ///
    /// Cancel-safe: bytes read before a cancellation stay buffered.
    pub async fn next(&mut self) -> Result<Option<Bytes>, ReadError> {
        while self.buf.is_empty() {
            if self.fill(1).await? == 0 {
                return Ok(None);
            }
        }
        tokio::time::timeout(FRAME_TIME, self.rest())
            .await
            .map_err(|_| ReadError::TooSlow)?
            .map(Some)
    }

    async fn rest(&mut self) -> Result<Bytes, ReadError> {
        while self.buf.len() < 4 {
            if self.fill(4 - self.buf.len()).await? == 0 {
                return Err(ReadError::Truncated);
            }
        }
        let len = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize;
        if len > self.max {
            return Err(ReadError::TooLarge { len, max: self.max });
        }
        while self.buf.len() < 4 + len {
            if self.fill(4 + len - self.buf.len()).await? == 0 {
                return Err(ReadError::Truncated);
            }
        }
        let mut frame = self.buf.split_to(4 + len);
        frame.advance(4);
        Ok(frame.freeze())
    }

    /// Reads once, making room for at most `want` (capped at a chunk) more bytes.
    async fn fill(&mut self, want: usize) -> std::io::Result<usize> {
        let room = want.clamp(1, READ_CHUNK);
        if self.buf.capacity() - self.buf.len() < room {
            self.buf.reserve(room);
        }
        self.inner.read_buf(&mut self.buf).await
    }

    /// Bytes buffered now (for tests).
    #[cfg(test)]
    fn buffered_capacity(&self) -> usize {
        self.buf.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn frames_come_whole_and_in_order_whatever_the_chunks() {
        let (mut client, server) = tokio::io::duplex(7);
        let mut r = FrameReader::new(server, 1024);
        let writer = tokio::spawn(async move {
            for body in [&b"hello"[..], b"", &[9u8; 300]] {
                client
                    .write_all(&(body.len() as u32).to_be_bytes())
                    .await
                    .unwrap();
                client.write_all(body).await.unwrap();
            }
        });
        assert_eq!(r.next().await.unwrap().unwrap(), &b"hello"[..]);
        assert_eq!(r.next().await.unwrap().unwrap(), &b""[..]);
        assert_eq!(r.next().await.unwrap().unwrap().len(), 300);
        writer.await.unwrap();
        assert!(r.next().await.unwrap().is_none(), "a clean hang-up");
    }

    #[tokio::test]
    async fn an_announced_length_costs_nothing_until_the_bytes_arrive() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut r = FrameReader::new(server, 32 * 1024 * 1024);
        client
            .write_all(&(32u32 * 1024 * 1024).to_be_bytes())
            .await
            .unwrap();
        client.write_all(b"x").await.unwrap();
        let read = tokio::time::timeout(Duration::from_millis(100), r.next()).await;
        assert!(read.is_err(), "still waiting for the rest");
        assert!(
            r.buffered_capacity() <= 2 * READ_CHUNK,
            "the buffer grew to {} bytes for 5 that arrived",
            r.buffered_capacity()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_frame_sent_too_slowly_is_cut_off_but_an_idle_client_may_wait() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut r = FrameReader::new(server, 1024);
        // Idle for an hour: no limit before a frame starts.
        let idle = tokio::time::timeout(Duration::from_secs(3600), r.next()).await;
        assert!(idle.is_err());
        client.write_all(&100u32.to_be_bytes()).await.unwrap();
        client.write_all(b"only some").await.unwrap();
        let started = tokio::time::Instant::now();
        assert!(matches!(r.next().await, Err(ReadError::TooSlow)));
        assert!(started.elapsed() >= FRAME_TIME);
    }

    #[tokio::test]
    async fn an_oversized_announcement_is_refused_at_once() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut r = FrameReader::new(server, 10);
        client.write_all(&11u32.to_be_bytes()).await.unwrap();
        assert!(matches!(
            r.next().await,
            Err(ReadError::TooLarge { len: 11, max: 10 })
        ));
    }
}
