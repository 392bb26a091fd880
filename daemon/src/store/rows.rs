//! The rows the store keeps in its tables, as their own versioned types
//! (never API types, which change with the socket protocol).
//!
//! Each row is JSON with a `v` field naming its version, so a row written
//! by this build is read back by later ones, and a row from a newer build
//! is refused by name instead of being half-read.

use serde::{Deserialize, Serialize};

/// The version of [`PlanMeta`] rows this build writes.
pub const PLAN_META_V: u32 = 1;

/// What is stored of one plan besides its bytes, so that loading can prove
/// the bytes are all there (`plan-meta-v1`).
///
/// The changes stored after the snapshot are exactly `first_seq..next_seq`;
/// `heads` are the document's heads once they are all applied (empty when
/// not known, for plans stored before this row existed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanMeta {
    /// Row version ([`PLAN_META_V`]).
    pub v: u32,
    /// Sequence number of the first change after the snapshot.
    pub first_seq: u64,
    /// Sequence number the next change will get.
    pub next_seq: u64,
    /// Whether a snapshot is stored.
    pub snapshot: bool,
    /// The document's heads after the last stored change (hex).
    #[serde(default)]
    pub heads: Vec<String>,
}

impl PlanMeta {
    /// A row for a plan whose changes `first_seq..next_seq` follow its snapshot (if any).
    pub fn new(first_seq: u64, next_seq: u64, snapshot: bool, heads: Vec<String>) -> PlanMeta {
        PlanMeta {
            v: PLAN_META_V,
            first_seq,
            next_seq,
            snapshot,
            heads,
        }
    }

    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        // A struct of integers, a bool and strings always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row, refusing one of a version this build does not know.
    pub fn decode(bytes: &[u8]) -> Result<PlanMeta, String> {
        let m: PlanMeta = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if m.v != PLAN_META_V {
            return Err(format!(
                "row version {} is not {PLAN_META_V} (written by another tandemd?)",
                m.v
            ));
        }
        if m.first_seq > m.next_seq {
            return Err(format!(
                "first change {} is after the next one {}",
                m.first_seq, m.next_seq
            ));
        }
        Ok(m)
    }

    /// Why stored changes numbered `seqs` (ascending) and a snapshot
    /// (present or not) are not what this row says, if they are not.
    pub fn mismatch(&self, seqs: &[u64], snapshot: bool) -> Option<String> {
        if snapshot != self.snapshot {
            return Some(if self.snapshot {
                "its snapshot is missing".to_string()
            } else {
                "a snapshot is stored that its record does not know of".to_string()
            });
        }
        let expected = self.next_seq - self.first_seq;
        let inside: Vec<u64> = seqs
            .iter()
            .copied()
            .filter(|s| (self.first_seq..self.next_seq).contains(s))
            .collect();
        // Ascending and within the range: the first gap is a missing change.
        let mut want = self.first_seq;
        for &s in &inside {
            if s != want {
                break;
            }
            want += 1;
        }
        if want != self.next_seq {
            let missing = want;
            return Some(format!(
                "stored change {missing} is missing ({} of {expected} found, numbered {} to {})",
                inside.len(),
                self.first_seq,
                self.next_seq - 1
            ));
        }
        if let Some(extra) = seqs.iter().find(|s| !inside.contains(s)) {
            return Some(format!(
                "a stored change numbered {extra} is not in its record"
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meta_row_round_trips_and_names_what_does_not_match() {
        let m = PlanMeta::new(3, 6, true, vec!["ab".into()]);
        assert_eq!(PlanMeta::decode(&m.encode()).unwrap(), m);
        assert_eq!(m.mismatch(&[3, 4, 5], true), None);
        assert!(
            m.mismatch(&[3, 5], true)
                .unwrap()
                .contains("change 4 is missing")
        );
        assert!(
            m.mismatch(&[3, 4], true)
                .unwrap()
                .contains("change 5 is missing")
        );
        assert!(
            m.mismatch(&[3, 4, 5, 6], true)
                .unwrap()
                .contains("numbered 6")
        );
        assert!(
            m.mismatch(&[4, 5], true)
                .unwrap()
                .contains("change 3 is missing")
        );
        assert!(
            m.mismatch(&[3, 4, 5], false)
                .unwrap()
                .contains("snapshot is missing")
        );
        let empty = PlanMeta::new(0, 0, false, Vec::new());
        assert_eq!(empty.mismatch(&[], false), None);
        assert!(
            PlanMeta::decode(br#"{"v":9,"first_seq":0,"next_seq":0,"snapshot":false}"#).is_err()
        );
        assert!(
            PlanMeta::decode(br#"{"v":1,"first_seq":5,"next_seq":1,"snapshot":false}"#).is_err()
        );
        assert!(PlanMeta::decode(b"garbage").is_err());
    }
}

/// The version of the address-book, offer, declined and join rows this build writes.
pub const ROW_V: u32 = 1;

fn decode_row<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    v: impl Fn(&T) -> u32,
) -> Result<T, String> {
    let row: T = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    match v(&row) {
        ROW_V => Ok(row),
        other => Err(format!(
            "row version {other} is not {ROW_V} (written by another tandemd?)"
        )),
    }
}

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

/// A plan offered by a device this one shares nothing with, waiting for
/// the user to accept or decline it (`plan-offers-v1`; its bytes are in
/// `plan-offer-bytes-v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// The offering device.
    pub from: String,
    /// Its person's name and role in the plan, as the plan says.
    pub from_name: String,
    /// Its role.
    pub from_role: String,
    /// This device's role in the plan, as the plan says.
    pub my_role: String,
    /// The plan's title.
    pub title: String,
    /// When it was offered (ms since the epoch).
    pub offered_at_ms: i64,
    /// The size of the document, in bytes.
    pub bytes: u64,
}

impl OfferRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<OfferRow, String> {
        decode_row(bytes, |r: &OfferRow| r.v)
    }
}

/// A plan declined here (`plans-declined-v1`): refused from then on,
/// whoever offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclinedRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// Who had offered it.
    pub from: String,
    /// When it was declined (ms since the epoch).
    pub at_ms: i64,
}

impl DeclinedRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<DeclinedRow, String> {
        decode_row(bytes, |r: &DeclinedRow| r.v)
    }
}

/// A plan this device asked to join with a ticket (`plans-joined-v1`):
/// joining is consent, so when the plan arrives it is stored at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// The inviting device.
    pub inviter: String,
    /// When the join was asked for (ms since the epoch).
    pub at_ms: i64,
}

impl JoinRow {
    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<JoinRow, String> {
        decode_row(bytes, |r: &JoinRow| r.v)
    }
}
