//! Sync envelopes on their way to each peer: at most [`PER_PEER`] in flight
//! at once; what the engine queues meanwhile waits here and goes out packed
//! together when an envelope is answered or fails.
//!
//! A connection holds at most [`super::MAX_STREAMS`] request streams, both
//! directions together; past that, libp2p's request-response drops a new
//! request ("max sub-streams reached") and the plan's sync session sits out
//! its reset before it sends again. A device receiving 200 plans from
//! another sent that many envelopes back and forth at once: 33 plans came
//! in 50 ms, then nothing for 5.6 s. Each side keeping to half the streams
//! leaves room for the other's.

use std::collections::HashMap;

use libp2p::PeerId;
use tandem_proto::peer::{Envelope, PeerMessage};

/// Envelopes one side keeps in flight to one peer.
pub const PER_PEER: usize = super::MAX_STREAMS / 2;

/// Every peer's envelopes in flight and messages waiting.
#[derive(Debug, Default)]
pub struct Flights {
    peers: HashMap<PeerId, Peer>,
}

#[derive(Debug, Default)]
struct Peer {
    in_flight: usize,
    waiting: Vec<PeerMessage>,
}

impl Flights {
    /// Queues `messages` for `peer`; returns the envelopes to send now.
    pub fn send(&mut self, peer: PeerId, messages: Vec<PeerMessage>) -> Vec<Envelope> {
        let p = self.peers.entry(peer).or_default();
        p.waiting.extend(messages);
        release(p)
    }

    /// One envelope to `peer` was answered, or failed; returns the
    /// envelopes that may go now.
    pub fn settled(&mut self, peer: &PeerId) -> Vec<Envelope> {
        let Some(p) = self.peers.get_mut(peer) else {
            return Vec::new();
        };
        p.in_flight = p.in_flight.saturating_sub(1);
        let out = release(p);
        if p.in_flight == 0 && p.waiting.is_empty() {
            self.peers.remove(peer);
        }
        out
    }

    /// `peer` is gone: what waited for it is dropped (its sync sessions
    /// start over from their stored states when it is back), and answers
    /// still due are no longer counted.
    pub fn forget(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
    }

    /// Envelopes in flight to `peer`, and messages waiting for it.
    #[cfg(test)]
    fn state(&self, peer: &PeerId) -> (usize, usize) {
        self.peers
            .get(peer)
            .map_or((0, 0), |p| (p.in_flight, p.waiting.len()))
    }
}

/// Packs what waits into envelopes for the free slots; the rest waits on,
/// in order.
fn release(p: &mut Peer) -> Vec<Envelope> {
    let free = PER_PEER.saturating_sub(p.in_flight);
    if free == 0 || p.waiting.is_empty() {
        return Vec::new();
    }
    let mut out = Envelope::pack(std::mem::take(&mut p.waiting));
    if out.len() > free {
        for env in out.drain(free..) {
            p.waiting.extend(env.messages);
        }
    }
    p.in_flight += out.len();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tandem_proto::ids::PlanId;
    use tandem_proto::peer::{PACK_BYTES, PeerMessage};

    use super::{Flights, PER_PEER};

    fn big(n: u8) -> PeerMessage {
        // One message per envelope: each fills one.
        PeerMessage::Sync {
            plan: PlanId::new(format!("{n:016x}")),
            data: vec![n; PACK_BYTES],
        }
    }

    #[test]
    fn no_more_than_half_the_streams_are_in_flight_to_a_peer() {
        let (mut f, peer) = (Flights::default(), libp2p::PeerId::random());
        let sent = f.send(peer, (0..40).map(big).collect());
        assert_eq!(sent.len(), PER_PEER);
        assert_eq!(f.state(&peer), (PER_PEER, 40 - PER_PEER));
        // An answer frees one slot; what waited goes out in order.
        let next = f.settled(&peer);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].messages, vec![big(PER_PEER as u8)]);
        // Small messages that wait together travel together.
        let small = |n: u8| PeerMessage::Sync {
            plan: PlanId::new(format!("{n:016x}")),
            data: vec![n; 10],
        };
        let (mut f, peer) = (Flights::default(), libp2p::PeerId::random());
        assert_eq!(
            f.send(peer, (0..PER_PEER as u8).map(big).collect()).len(),
            PER_PEER
        );
        assert!(f.send(peer, (0..50).map(small).collect()).is_empty());
        let next = f.settled(&peer);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].messages.len(), 50);
        // Once all is answered, the peer is not kept.
        for _ in 0..PER_PEER {
            f.settled(&peer);
        }
        assert_eq!(f.state(&peer), (0, 0));
        assert!(f.peers.is_empty());
        // A peer gone takes what waited with it.
        f.send(peer, (0..40).map(big).collect());
        f.forget(&peer);
        assert!(f.peers.is_empty() && f.settled(&peer).is_empty());
    }
}
