//! Length-prefixed framing for the local socket, as pure functions.
//!
//! A frame is a 4-byte big-endian body length followed by that many bytes of
//! UTF-8 JSON. The first frame from a client is a [`crate::api::Hello`]; the
//! daemon answers with a [`crate::api::HandshakeReply`]. After that each
//! [`crate::api::Request`] frame gets exactly one [`crate::api::Response`] frame.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bytes in a frame header.
pub const HEADER_LEN: usize = 4;

/// Largest request body the daemon accepts (an imported plan must fit).
pub const MAX_REQUEST: usize = 32 * 1024 * 1024;

/// Largest response body the daemon sends (a whole plan must fit).
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// A frame could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The body is larger than the limit.
    #[error("frame of {len} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// The body length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body is not valid JSON for the expected message.
    #[error("malformed message: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// Encodes `msg` as one frame: header and body.
pub fn encode<T: Serialize>(msg: &T, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; HEADER_LEN];
    serde_json::to_writer(&mut out, msg)?;
    let len = out.len() - HEADER_LEN;
    let header = u32::try_from(len)
        .ok()
        .filter(|_| len <= max)
        .ok_or(FrameError::TooLarge { len, max })?;
    out[..HEADER_LEN].copy_from_slice(&header.to_be_bytes());
    Ok(out)
}

/// The body length announced by a header, checked against `max`.
pub fn body_len(header: [u8; HEADER_LEN], max: usize) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(len)
}

/// Decodes a frame body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    Ok(serde_json::from_slice(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Request;

    #[test]
    fn round_trip() {
        let frame = encode(&Request::PlanList, MAX_REQUEST).unwrap();
        let len = body_len(frame[..4].try_into().unwrap(), MAX_REQUEST).unwrap();
        assert_eq!(len, frame.len() - 4);
        let back: Request = decode(&frame[4..]).unwrap();
        assert_eq!(back, Request::PlanList);
    }

    #[test]
    fn oversized_header_is_refused() {
        assert!(matches!(
            body_len([0xff; 4], MAX_REQUEST),
            Err(FrameError::TooLarge { .. })
        ));
        let big = "x".repeat(100);
        assert!(matches!(
            encode(&big, 10),
            Err(FrameError::TooLarge { len: 102, max: 10 })
        ));
    }

    #[test]
    fn unknown_request_is_malformed() {
        assert!(matches!(
            decode::<Request>(br#"{"launch_rockets":{}}"#),
            Err(FrameError::Malformed(_))
        ));
    }
}
