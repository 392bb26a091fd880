//! Every decoder a peer can reach, fed arbitrary bytes: each input decodes
//! or errors, nothing panics, and nothing larger than the limit is read.

use futures::executor::block_on;
use futures::io::Cursor;
use libp2p::StreamProtocol;
use libp2p::request_response::Codec;
use proptest::prelude::*;
use tandem_proto::peer::{
    Envelope, JOIN_PROTOCOL, JoinReply, JoinRequest, MAX_JOIN_MESSAGE, MAX_MESSAGE, PeerMessage,
    SYNC_PROTOCOL,
};

use crate::doc::PlanDoc;

fn sync_codec() -> super::codec::SyncCodec {
    super::codec::SyncCodec::new(super::codec::INBOUND_BUDGET)
}

fn join_codec() -> libp2p::request_response::cbor::codec::Codec<JoinRequest, JoinReply> {
    libp2p::request_response::cbor::codec::Codec::default()
        .set_request_size_maximum(MAX_JOIN_MESSAGE as u64)
        .set_response_size_maximum(MAX_JOIN_MESSAGE as u64)
}

fn decode_all(bytes: &[u8]) {
    let (sync, join) = (
        StreamProtocol::new(SYNC_PROTOCOL),
        StreamProtocol::new(JOIN_PROTOCOL),
    );
    let _ = block_on(sync_codec().read_request(&sync, &mut Cursor::new(bytes)));
    let _ = block_on(sync_codec().read_response(&sync, &mut Cursor::new(bytes)));
    let _ = block_on(join_codec().read_request(&join, &mut Cursor::new(bytes)));
    let _ = block_on(join_codec().read_response(&join, &mut Cursor::new(bytes)));
    // The Automerge sync message inside a Sync message, on a fresh and on a real plan.
    let mut state = automerge::sync::State::new();
    let _ = PlanDoc::empty(automerge::ActorId::random()).receive_sync(&mut state, bytes);
}

proptest! {
    #[test]
    fn arbitrary_bytes_decode_or_error(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&bytes);
    }

    /// Bytes that start like a real envelope, then go wrong.
    #[test]
    fn mangled_envelopes_decode_or_error(cut in 0usize..200, flip in 0usize..200, byte in any::<u8>()) {
        let env = Envelope { messages: vec![
            PeerMessage::Sync { plan: "00000000000000a1".into(), data: vec![0x42, 1, 2, 3] },
            PeerMessage::Reset { plan: "00000000000000a1".into() },
        ], sent_at_ms: Some(1)};
        let mut bytes = Vec::new();
        block_on(sync_codec().write_request(&StreamProtocol::new(SYNC_PROTOCOL), &mut bytes, env)).unwrap();
        if flip < bytes.len() { bytes[flip] = byte; }
        bytes.truncate(cut.max(1));
        decode_all(&bytes);
    }
}

#[test]
fn a_request_over_the_limit_is_refused() {
    let big = vec![0u8; MAX_MESSAGE + 1];
    let sync = StreamProtocol::new(SYNC_PROTOCOL);
    assert!(block_on(sync_codec().read_request(&sync, &mut Cursor::new(&big[..]))).is_err());
    let join = StreamProtocol::new(JOIN_PROTOCOL);
    let big = vec![0u8; MAX_JOIN_MESSAGE + 1];
    assert!(block_on(join_codec().read_request(&join, &mut Cursor::new(&big[..]))).is_err());
}
