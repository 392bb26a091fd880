//! `plan-meta-v1` rows: which changes of a plan are stored, so a plan
//! missing one is found corrupt instead of read shorter.

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
