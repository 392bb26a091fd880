//! Meetings of the pair: when (with the time zone it was planned in), how
//! long, where, the agenda (see `agenda`), the notes, and whether it took
//! place.
//!
//! ```text
//! meetings: map id -> { start: str (RFC 9557), duration_minutes: uint, location: str,
//!                       agenda: list (see `agenda`), notes: text, status: str,
//!                       created_at, updated_at: timestamp }
//! ```

use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use super::agenda::{self, AgendaItem};
use super::fields::{
    TITLE_MAX, ValidationError, check_duration, check_opt, check_optional_line, check_prefix,
    check_text,
};
use super::{Collected, Item, ItemKind};
use crate::ids::ItemId;
use crate::string_enum;

/// The meetings' map under the document root.
pub const KEY: &str = "meetings";

/// Longest location (a room, or a link).
pub const LOCATION_MAX: usize = TITLE_MAX * 4;

string_enum!(
    /// Whether a meeting happened.
    MeetingStatus, "meeting status", {
    /// Planned.
    Scheduled => "scheduled",
    /// Took place.
    Held => "held",
    /// Called off.
    Cancelled => "cancelled",
});

/// A mentoring meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Stable id.
    pub id: ItemId,
    /// When it starts, with its time zone (RFC 9557, e.g. `2026-12-01T10:00:00-05:00[America/New_York]`).
    pub start: ZonedDateTime,
    /// Planned length in minutes.
    pub duration_minutes: u32,
    /// A room or a link.
    pub location: String,
    /// Ordered agenda.
    pub agenda: Vec<AgendaItem>,
    /// Collaborative text.
    pub notes: String,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// A new meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMeeting {
    /// Start, with time zone.
    pub start: ZonedDateTime,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Room or link.
    #[serde(default)]
    pub location: String,
    /// Initial agenda.
    #[serde(default)]
    pub agenda: Vec<String>,
}

/// Changes to a meeting; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingPatch {
    /// New start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ZonedDateTime>,
    /// New length in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// New room or link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New notes (replaces the text; merged with concurrent edits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MeetingStatus>,
}

/// What can be done to meetings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MeetingOp {
    /// Add a meeting.
    Add(NewMeeting),
    /// Change a meeting.
    Edit {
        /// Meeting id or prefix.
        meeting: String,
        /// What changes.
        patch: MeetingPatch,
    },
    /// Remove a meeting (its agenda goes with it).
    Rm {
        /// Meeting id or prefix.
        meeting: String,
    },
}

/// The checks of a meeting's fields, whoever writes them.
pub fn check(p: &MeetingPatch) -> Result<(), ValidationError> {
    check_opt(&p.duration_minutes, |d| check_duration(*d))?;
    check_opt(&p.location, |t| {
        check_optional_line("location", t, LOCATION_MAX)
    })?;
    check_opt(&p.notes, |t| check_text("notes", t))
}

impl MeetingOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            MeetingOp::Add(m) => {
                check(&MeetingPatch {
                    duration_minutes: Some(m.duration_minutes),
                    location: Some(m.location.clone()),
                    ..Default::default()
                })?;
                m.agenda.iter().try_for_each(|t| agenda::check(t))
            }
            MeetingOp::Edit { meeting, patch } => {
                check_prefix("meeting", meeting)?;
                check(patch)
            }
            MeetingOp::Rm { meeting } => check_prefix("meeting", meeting),
        }
    }
}

impl Collected for Meeting {
    const KIND: ItemKind = ItemKind::Meeting;
    const PARTS: &'static [ItemKind] = &[ItemKind::AgendaItem];
    const KEY: &'static str = KEY;
    const FIELD: &'static str = "meetings";
    fn id(&self) -> &ItemId {
        &self.id
    }
    fn created_at(&self) -> Timestamp {
        self.created_at
    }
    fn in_plan(plan: &super::plan::Plan) -> &Vec<Self> {
        &plan.meetings
    }
    fn in_plan_mut(plan: &mut super::plan::Plan) -> &mut Vec<Self> {
        &mut plan.meetings
    }
    fn label(&self) -> String {
        self.start.strftime("%Y-%m-%d %H:%M").to_string()
    }
    fn check(&self) -> Result<(), ValidationError> {
        check(&MeetingPatch {
            start: Some(self.start.clone()),
            duration_minutes: Some(self.duration_minutes),
            location: Some(self.location.clone()),
            notes: Some(self.notes.clone()),
            status: Some(self.status),
        })?;
        agenda::check_imported(&self.agenda)
    }
    fn into_item(self) -> Item {
        Item::Meeting(self)
    }
    #[cfg(feature = "doc")]
    fn read<R: automerge::ReadDoc>(d: &R, id: &str, obj: &automerge::ObjId) -> Meeting {
        doc::read(d, id, obj)
    }
    #[cfg(feature = "doc")]
    fn write(&self, w: &mut super::doc::Writer) -> super::doc::R<()> {
        doc::write(w, self)
    }
}

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ReadDoc};
    use jiff::{Timestamp, ZonedDateTime};

    use super::super::doc::{
        Applied, CREATED_AT, R, Target, UPDATED_AT, Writer, parsed, string, ts_or_epoch, uint,
    };
    use super::super::{ItemKind, agenda};
    use super::{KEY, Meeting, MeetingOp, MeetingPatch, MeetingStatus};

    pub(super) fn read<R: ReadDoc>(d: &R, id: &str, obj: &ObjId) -> Meeting {
        let start = string(d, obj, "start")
            .parse::<ZonedDateTime>()
            .unwrap_or_else(|_| Timestamp::UNIX_EPOCH.to_zoned_datetime(jiff::tz::TimeZone::UTC));
        Meeting {
            id: id.into(),
            start,
            duration_minutes: uint(d, obj, "duration_minutes")
                .map_or(0, |m| m.min(u64::from(u32::MAX)) as u32),
            location: string(d, obj, "location"),
            agenda: agenda::read_all(d, obj),
            notes: string(d, obj, "notes"),
            status: parsed(d, obj, "status", MeetingStatus::Scheduled),
            created_at: ts_or_epoch(d, obj, CREATED_AT),
            updated_at: ts_or_epoch(d, obj, UPDATED_AT),
        }
    }

    /// Writes the fields a patch gives.
    fn write_patch(w: &mut Writer, obj: &ObjId, p: &MeetingPatch) -> R<()> {
        if let Some(s) = &p.start {
            w.put_str(obj, "start", &s.to_string())?;
        }
        if let Some(d) = p.duration_minutes {
            w.put_uint(obj, "duration_minutes", u64::from(d))?;
        }
        if let Some(l) = &p.location {
            w.put_str(obj, "location", l)?;
        }
        if let Some(n) = &p.notes {
            w.put_text(obj, "notes", n)?;
        }
        if let Some(s) = p.status {
            w.put_str(obj, "status", s.as_str())?;
        }
        Ok(())
    }

    pub(super) fn write(w: &mut Writer, m: &Meeting) -> R<()> {
        let (_, obj) = w.create::<Meeting>(Some((m.id.as_str(), m.created_at)))?;
        write_patch(
            w,
            &obj,
            &MeetingPatch {
                start: Some(m.start.clone()),
                duration_minutes: Some(m.duration_minutes),
                location: Some(m.location.clone()),
                notes: Some(m.notes.clone()),
                status: Some(m.status),
            },
        )?;
        w.list(&obj, agenda::KEY)?;
        for a in &m.agenda {
            agenda::write(w, &obj, a)?;
        }
        w.put_ts(&obj, UPDATED_AT, m.updated_at)
    }

    /// A meeting's start as people read it in messages.
    pub(crate) fn when(start: &str) -> String {
        start
            .parse::<ZonedDateTime>()
            .map(|z| z.strftime("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_else(|_| start.to_string())
    }

    impl MeetingOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                MeetingOp::Add(m) => {
                    let (id, obj) = w.create::<Meeting>(None)?;
                    write_patch(
                        w,
                        &obj,
                        &MeetingPatch {
                            start: Some(m.start.clone()),
                            duration_minutes: Some(m.duration_minutes),
                            location: Some(m.location.clone()),
                            notes: Some(String::new()),
                            status: Some(MeetingStatus::Scheduled),
                        },
                    )?;
                    w.list(&obj, agenda::KEY)?;
                    for text in &m.agenda {
                        agenda::append(w, &obj, text)?;
                    }
                    w.touch(&obj)?;
                    Ok(Applied {
                        message: format!("meeting add: {}", m.start.strftime("%Y-%m-%d %H:%M %Z")),
                        target: Target::Item(ItemKind::Meeting, id),
                    })
                }
                MeetingOp::Edit { meeting, patch } => {
                    let (id, obj) = w.resolve(ItemKind::Meeting, KEY, meeting)?;
                    write_patch(w, &obj, patch)?;
                    w.touch(&obj)?;
                    let when = when(&string(w.tx, &obj, "start"));
                    let verb = match (patch.status, patch.notes.is_some()) {
                        (Some(MeetingStatus::Held), _) => "held",
                        (Some(MeetingStatus::Cancelled), _) => "cancel",
                        (None, true) => "notes",
                        _ => "edit",
                    };
                    Ok(Applied {
                        message: format!("meeting {verb}: {when}"),
                        target: Target::Item(ItemKind::Meeting, id),
                    })
                }
                MeetingOp::Rm { meeting } => super::super::remove::<Meeting>(w, meeting, "start"),
            }
        }
    }
}
