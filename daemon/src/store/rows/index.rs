//! `plan-index-v2` rows: what `plan list` shows of a plan, kept so that
//! listing reads no document.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tandem_proto::model::{PlanStatus, PlanSummary};

use super::{ROW_V, decode_row};

/// One plan's line in the index (its id is the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRow {
    /// Row version ([`ROW_V`]).
    pub v: u32,
    /// Title.
    pub title: String,
    /// The mentor's name.
    pub mentor: String,
    /// The mentee's name.
    pub mentee: String,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// Number of goals.
    pub goals: usize,
    /// Number of open action items.
    pub open_actions: usize,
    /// When the plan last changed on this device.
    pub updated_at: Timestamp,
    /// The member devices' PeerIds.
    pub members: Vec<String>,
}

impl IndexRow {
    /// The row of a plan's summary.
    pub fn of(s: &PlanSummary) -> IndexRow {
        IndexRow {
            v: ROW_V,
            title: s.title.clone(),
            mentor: s.mentor.clone(),
            mentee: s.mentee.clone(),
            status: s.status,
            goals: s.goals,
            open_actions: s.open_actions,
            updated_at: s.updated_at,
            members: s.members.iter().map(ToString::to_string).collect(),
        }
    }

    /// The summary of plan `id` this row describes (neither current nor
    /// flagged: those are the store's and engine's to say).
    pub fn summary(self, id: &str) -> PlanSummary {
        PlanSummary {
            id: id.into(),
            title: self.title,
            mentor: self.mentor,
            mentee: self.mentee,
            status: self.status,
            goals: self.goals,
            open_actions: self.open_actions,
            updated_at: self.updated_at,
            current: false,
            error: None,
            members: self.members.into_iter().map(Into::into).collect(),
        }
    }

    /// Encodes the row.
    pub fn encode(&self) -> Vec<u8> {
        // Strings, numbers, a timestamp and a string enum always serialize.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Decodes a row.
    pub fn decode(bytes: &[u8]) -> Result<IndexRow, String> {
        decode_row(bytes, |r: &IndexRow| r.v)
    }
}
