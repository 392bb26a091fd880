//! `peers-v2` rows: the address book.

use serde::{Deserialize, Serialize};

use super::{ROW_V, decode_row};

/// An address-book entry (`peers-v2`): where a peer can be dialed, and
/// whether it was added by hand (`tandem peer add`, the config's `peers`),
/// which keeps it dialed even while it is a member of no plan here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// A multiaddr ending in `/p2p/<peer-id>`.
    pub addr: String,
    /// Added by hand.
    pub manual: bool,
}

impl PeerRow {
    /// A row for `addr`.
    pub fn new(addr: &str, manual: bool) -> PeerRow {
        PeerRow {
            v: ROW_V,
            addr: addr.to_string(),
            manual,
        }
    }

    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<PeerRow, String> {
        decode_row(bytes, |r: &PeerRow| r.v)
    }
}
