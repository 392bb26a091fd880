//! The Automerge sync protocol on a plan document, with the checks a
//! document from a peer needs before it is trusted.
//!
//! Incoming changes are parsed strictly first (Automerge's own receive path
//! would skip a chunk it cannot parse), and whatever a message did change is
//! returned as bytes to store, even when the message is refused part-way, so
//! nothing applied in memory is ever missing from disk.

use automerge::sync::{ChunkList, Message, State, SyncDoc};
use automerge::{ActorId, Automerge, Bundle, Change, LoadOptions, OnPartialLoad, VerificationMode};

use tandem_proto::api::Touched;

use tandem_proto::items::doc::Target;

use super::PlanDoc;

/// What receiving a sync message did.
#[derive(Debug, Default)]
pub struct Received {
    /// The new changes, encoded for storage; `None` when the document did
    /// not change, or was empty before (a first content is stored whole,
    /// with [`PlanDoc::save`]).
    pub change: Option<Vec<u8>>,
    /// Why the message was refused, if it was.
    pub refused: Option<String>,
    /// What the new changes touched (left empty when the document was empty before).
    pub touched: Vec<Touched>,
    /// The whole document the message carried into an empty one, as it
    /// came (loaded strictly, so known good): what to store, instead of
    /// saving (and compressing) the same document again.
    pub arrived: Option<Vec<u8>>,
}

/// The first bytes of every Automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Splits the first Automerge chunk off `data`: (chunk type, whole chunk, rest).
///
/// A chunk is: magic (4 bytes), checksum (4), type (1), ULEB128 body length, body.
fn split_chunk(data: &[u8]) -> Result<(u8, &[u8], &[u8]), &'static str> {
    if data.len() < 9 || data[..4] != MAGIC {
        return Err("not an Automerge chunk");
    }
    let (mut len, mut shift, mut i) = (0u64, 0u32, 9usize);
    loop {
        let byte = *data.get(i).ok_or("truncated chunk header")?;
        len |= u64::from(byte & 0x7f)
            .checked_shl(shift)
            .ok_or("chunk length overflows")?;
        i += 1;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return Err("chunk length overflows");
        }
    }
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| i.checked_add(l))
        .filter(|e| *e <= data.len())
        .ok_or("truncated chunk")?;
    Ok((data[8], &data[..end], &data[end..]))
}

/// Checks that `data` is a sequence of whole, valid chunks.
///
/// Automerge's receive path loads what it can and silently drops the rest,
/// so a truncated or corrupt message would be half-applied without a word.
/// Each chunk is parsed and verified by automerge according to its type.
pub(super) fn check_changes(mut data: &[u8]) -> Result<(), String> {
    while !data.is_empty() {
        let (kind, chunk, rest) = split_chunk(data)?;
        match kind {
            // A whole document (sent when the peer has nothing yet): it must load entirely.
            0 => {
                let opts = LoadOptions::new()
                    .on_partial_load(OnPartialLoad::Error)
                    .verification_mode(VerificationMode::Check);
                Automerge::load_with_options(chunk, opts)
                    .map(drop)
                    .map_err(|e| e.to_string())?
            }
            // A change, plain or compressed.
            1 | 2 => Change::try_from(chunk)
                .map(drop)
                .map_err(|e| e.to_string())?,
            // A bundle of changes.
            _ => Bundle::try_from(chunk)
                .map_err(|e| e.to_string())
                .and_then(|b| b.to_changes().map(drop).map_err(|e| e.to_string()))?,
        }
        data = rest;
    }
    Ok(())
}

/// The messages of the changes in `data` (stored or received change bytes), oldest first.
/// Whole documents and unreadable chunks contribute nothing.
pub fn change_messages(mut data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok((_, chunk, rest)) = split_chunk(data) {
        if let Ok(change) = Change::try_from(chunk) {
            out.push(change.message().map(str::to_string).unwrap_or_default());
        }
        data = rest;
    }
    out
}

/// The document chunk of a message that carries one whole document and
/// nothing else (what a peer sends to a device that has nothing yet).
fn whole_document(msg: &Message) -> Option<Vec<u8>> {
    let mut chunks = msg.changes.iter();
    let (first, more) = (chunks.next()?, chunks.next());
    match split_chunk(first) {
        Ok((0, chunk, rest)) if rest.is_empty() && more.is_none() => Some(chunk.to_vec()),
        _ => None,
    }
}

impl PlanDoc {
    /// Receives a whole document into an empty one, loading it once, strictly.
    ///
    /// Automerge would load it with partial loads ignored; checking it first
    /// would load it twice. Instead it is loaded here and the message is then
    /// received without its changes, which updates the sync state as the
    /// full message would have, except that automerge takes "heads equal to
    /// ours, no changes" as an echo of what we sent: `last_sent_heads` is
    /// restored so that we still answer with our new heads.
    fn receive_first(&mut self, state: &mut State, mut msg: Message, chunk: Vec<u8>) -> Received {
        let opts = LoadOptions::new()
            .on_partial_load(OnPartialLoad::Error)
            .verification_mode(VerificationMode::Check);
        let doc = match Automerge::load_with_options(&chunk, opts) {
            Ok(d) => d,
            Err(e) => {
                return Received {
                    refused: Some(format!("sync message carries an unreadable document: {e}")),
                    ..Received::default()
                };
            }
        };
        let actor = self.doc.get_actor().clone();
        self.doc = doc.with_actor(actor);
        self.cache.take();
        msg.changes = ChunkList::from(Vec::<Vec<u8>>::new());
        let last_sent = state.last_sent_heads.clone();
        let result = self.doc.receive_sync_message(state, msg);
        state.last_sent_heads = last_sent;
        Received {
            change: None,
            refused: result.err().map(|e| format!("sync message refused: {e}")),
            touched: Vec::new(),
            arrived: Some(chunk),
        }
    }

    /// The PeerIds of the devices that made the changes in `data` (change
    /// bytes as stored), each once, in order; an actor this plan does not
    /// name is shown by its id.
    pub fn authors(&self, mut data: &[u8]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        while let Ok((_, chunk, rest)) = split_chunk(data) {
            if let Ok(change) = Change::try_from(chunk) {
                let actor = change.actor_id().to_hex_string();
                let peer = super::devices::of(&self.doc, &actor)
                    .map(|(_, _, peer)| peer)
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| format!("actor:{actor}"));
                if !out.contains(&peer) {
                    out.push(peer);
                }
            }
            data = rest;
        }
        out
    }

    /// An empty document, to receive a plan a peer shares with us.
    pub fn empty(actor: ActorId) -> PlanDoc {
        PlanDoc::wrap(Automerge::new().with_actor(actor))
    }

    /// Whether the document holds no change yet.
    pub fn is_empty(&self) -> bool {
        self.doc.get_heads().is_empty()
    }

    /// The next sync message for the peer behind `state`, encoded; `None` when
    /// there is nothing to say (the peer is up to date, or a message is in flight).
    pub fn generate_sync(&self, state: &mut State) -> Option<Vec<u8>> {
        self.doc.generate_sync_message(state).map(Message::encode)
    }

    /// Applies an encoded sync message from the peer behind `state`.
    ///
    /// The message is refused whole when any change in it is unreadable.
    pub fn receive_sync(&mut self, state: &mut State, data: &[u8]) -> Received {
        let msg = match Message::decode(data) {
            Ok(m) => m,
            Err(e) => {
                return Received {
                    refused: Some(format!("undecodable sync message: {e}")),
                    ..Received::default()
                };
            }
        };
        match whole_document(&msg) {
            Some(doc) if self.is_empty() => self.receive_first(state, msg, doc),
            _ => self.receive_checked(state, msg),
        }
    }

    /// Receives a message after checking every chunk it carries.
    fn receive_checked(&mut self, state: &mut State, msg: Message) -> Received {
        for chunk in msg.changes.iter() {
            if let Err(e) = check_changes(chunk) {
                return Received {
                    refused: Some(format!("sync message carries unreadable changes: {e}")),
                    ..Received::default()
                };
            }
        }
        let before = self.doc.get_heads();
        let result = self.doc.receive_sync_message(state, msg);
        let (change, touched) = self.settle(&before);
        Received {
            change,
            refused: result.err().map(|e| format!("sync message refused: {e}")),
            touched,
            arrived: None,
        }
    }

    /// After changes were applied on top of `before`: refreshes the view and
    /// returns the new changes' bytes (to store) and what they touched.
    pub(super) fn settle(
        &mut self,
        before: &[automerge::ChangeHash],
    ) -> (Option<Vec<u8>>, Vec<Touched>) {
        let warm = self.cache.borrow().is_some();
        let mut touched = Vec::new();
        if self.doc.get_heads() == before {
            return (None, touched);
        }
        if before.is_empty() {
            self.cache.take();
        } else {
            match super::touched::since(&self.doc, before) {
                Some(targets) => {
                    if warm {
                        for t in &targets {
                            self.refresh(t);
                        }
                    }
                    touched = targets.iter().map(Target::touched).collect();
                }
                None => {
                    self.cache.take();
                    touched.push(Target::Plan.touched());
                }
            }
        }
        (
            (!before.is_empty()).then(|| self.doc.save_after(before)),
            touched,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    fn changes() -> Vec<u8> {
        let mut doc = Automerge::new();
        for i in 0..3 {
            doc.transact(|tx| tx.put(automerge::ROOT, "k", i)).unwrap();
        }
        doc.get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect()
    }

    #[test]
    fn whole_change_chunks_pass_and_damaged_ones_do_not() {
        let data = changes();
        assert_eq!(check_changes(&data), Ok(()));
        assert_eq!(change_messages(&data).len(), 3);
        assert!(
            change_messages(&data[..data.len() - 3]).len() == 2,
            "a truncated last chunk is skipped"
        );
        assert!(check_changes(&data[..data.len() - 3]).is_err());
        let mut flipped = data.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(check_changes(&flipped).is_err());
        assert!(check_changes(b"\x85\x6f\x4a\x83garbage").is_err());
        assert!(
            check_changes(&[
                0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0x7f
            ])
            .is_err()
        );
    }
}
