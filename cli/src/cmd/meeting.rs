//! `tandem meeting ...`: its syntax and how it is carried out.

use clap::Subcommand;
use tandem_proto::api::Item;
use tandem_proto::edit::{AgendaOp, Edit, MeetingOp, MeetingPatch, NewMeeting};
use tandem_proto::ids::{self, short};
use tandem_proto::model::{Meeting, MeetingStatus, Plan};

use super::Ctx;
use super::goal::api;
use super::items::{self, RmArgs};
use crate::durations::minutes;
use crate::fail::Fail;
use crate::{input, render};

/// Meeting commands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum MeetingCmd {
    /// Schedule a meeting.
    Add {
        /// Start: "2026-12-01 10:00" (local), "tomorrow at 14:30", "friday 9am", "Dec 4 2pm", or with a zone "2026-12-01T10:00[Europe/Berlin]".
        start: String,
        /// Length: minutes, or a span like 45m or 1h30m.
        #[arg(long, short, default_value = "30m")]
        duration: String,
        /// Room or link.
        #[arg(long, short, default_value = "")]
        location: String,
        /// Agenda item (repeat for several).
        #[arg(long, short)]
        agenda: Vec<String>,
    },
    /// List meetings.
    List {
        /// Only scheduled meetings from now on.
        #[arg(long)]
        upcoming: bool,
    },
    /// Show a meeting with its agenda, notes and actions.
    Show {
        /// Meeting id or prefix.
        id: String,
    },
    /// Add an item to a meeting's agenda (or change one with --edit N,
    /// remove one with --rm N).
    Agenda {
        /// Meeting id or prefix.
        id: String,
        /// The topic to add (or, with --edit, its new text).
        item: Option<String>,
        /// Change agenda item N (1-based) to the given text.
        #[arg(long, value_name = "N", requires = "item", conflicts_with = "rm")]
        edit: Option<u32>,
        /// Remove agenda item N (1-based) instead.
        #[arg(long, value_name = "N", conflicts_with = "item")]
        rm: Option<u32>,
    },
    /// Set a meeting's notes (text, `-` for stdin, or $EDITOR when omitted).
    Notes {
        /// Meeting id or prefix.
        id: String,
        /// The notes.
        text: Option<String>,
    },
    /// Change a meeting's time, length or place.
    Edit {
        /// Meeting id or prefix.
        id: String,
        /// New start (same forms as `meeting add`).
        #[arg(long, short)]
        start: Option<String>,
        /// New length: minutes, or a span like 45m or 1h30m.
        #[arg(long, short)]
        duration: Option<String>,
        /// New room or link (empty to clear).
        #[arg(long, short)]
        location: Option<String>,
    },
    /// Move a meeting to another time.
    Reschedule {
        /// Meeting id or prefix.
        id: String,
        /// The new start (same forms as `meeting add`).
        start: String,
        /// New length: minutes, or a span like 45m or 1h30m.
        #[arg(long, short)]
        duration: Option<String>,
    },
    /// Mark a meeting as held (asks first, on a terminal, if it is in the
    /// future or more than a year ago).
    Held {
        /// Meeting id or prefix.
        id: String,
        /// Do not ask.
        #[arg(long, short)]
        yes: bool,
    },
    /// Remove a meeting with its agenda.
    Rm(RmArgs),
    /// Cancel a meeting.
    Cancel {
        /// Meeting id or prefix.
        id: String,
    },
}

fn find<'p>(plan: &'p Plan, prefix: &str) -> Result<&'p Meeting, Fail> {
    let id = ids::resolve(
        "meeting",
        prefix,
        plan.meetings.iter().map(|m| m.id.as_str()),
    )
    .map_err(api)?;
    plan.meetings
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Fail::NotFound(format!("no meeting with id '{prefix}'")))
}

/// Why marking `m` held looks like a slip: it has not started yet, or it
/// was more than a year ago.
fn held_doubt(m: &Meeting, now: &jiff::ZonedDateTime) -> Option<String> {
    let start = m.start.timestamp();
    if start > now.timestamp() {
        return Some(format!(
            "The meeting {} has not happened yet.",
            render::when(m)
        ));
    }
    let year_ago = now.checked_sub(jiff::Span::new().years(1)).ok()?;
    (start < year_ago.timestamp())
        .then(|| format!("The meeting {} was more than a year ago.", render::when(m)))
}

fn described(item: &Item, verb: &str) -> String {
    match item {
        Item::Meeting(m) => format!("{verb} meeting {}: {}", short(&m.id), render::when(m)),
        _ => verb.to_string(),
    }
}

fn edit(ctx: &mut Ctx, id: String, patch: MeetingPatch, verb: &str) -> Result<(), Fail> {
    let item = ctx.edit(Edit::Meeting(MeetingOp::Edit { meeting: id, patch }))?;
    ctx.emit_item(&item, &described(&item, verb))
}

pub(crate) fn run(cmd: MeetingCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        MeetingCmd::Add {
            start,
            duration,
            location,
            agenda,
        } => {
            let start = ctx.datetime(&start)?;
            let m = NewMeeting {
                start,
                duration_minutes: minutes(&duration)?,
                location,
                agenda,
            };
            let item = ctx.edit(Edit::Meeting(MeetingOp::Add(m)))?;
            ctx.emit_item(&item, &described(&item, "Scheduled"))
        }
        MeetingCmd::List { upcoming } => {
            let plan = ctx.fetch_plan()?;
            let now = ctx.now().timestamp();
            let mut meetings: Vec<&Meeting> = plan
                .meetings
                .iter()
                .filter(|m| {
                    !upcoming
                        || (m.status == MeetingStatus::Scheduled && m.start.timestamp() >= now)
                })
                .collect();
            meetings.sort_by_key(|m| m.start.timestamp());
            ctx.emit(&meetings, || {
                if meetings.is_empty() {
                    return "No meetings. Schedule one with: tandem meeting add \"tomorrow 10:00\" --agenda \"Goals review\"\n".into();
                }
                meetings.iter().map(|m| render::meeting_line(m, s) + "\n").collect()
            })
        }
        MeetingCmd::Show { id } => {
            let plan = ctx.fetch_plan()?;
            let m = find(&plan, &id)?;
            let today = ctx.today();
            items::show(ctx, &plan, m, || render::meeting_detail(m, &plan, today, s))
        }
        MeetingCmd::Agenda { id, item, edit, rm } => {
            let e = match (item, edit, rm) {
                (_, _, Some(position)) => Edit::AgendaItem(AgendaOp::Rm {
                    meeting: id,
                    position,
                }),
                (Some(text), Some(position), None) => Edit::AgendaItem(AgendaOp::Edit {
                    meeting: id,
                    position,
                    text,
                }),
                (Some(text), None, None) => Edit::AgendaItem(AgendaOp::Add { meeting: id, text }),
                (None, _, None) => {
                    return Err(Fail::Usage(
                        "give an agenda item to add, or --rm N to remove one".into(),
                    ));
                }
            };
            let item = ctx.edit(e)?;
            ctx.emit_item(&item, &described(&item, "Agenda of"))
        }
        MeetingCmd::Notes { id, text } => {
            let notes = match text {
                Some(t) => input::text(t)?,
                None => {
                    let plan = ctx.fetch_plan()?;
                    let current = find(&plan, &id)?.notes.clone();
                    input::editor("meeting notes", &current)?
                }
            };
            edit(
                ctx,
                id,
                MeetingPatch {
                    notes: Some(notes),
                    ..Default::default()
                },
                "Notes saved for",
            )
        }
        MeetingCmd::Edit {
            id,
            start,
            duration,
            location,
        } => {
            let patch = MeetingPatch {
                start: start.map(|s| ctx.datetime(&s)).transpose()?,
                duration_minutes: duration.as_deref().map(minutes).transpose()?,
                location,
                ..Default::default()
            };
            if patch == MeetingPatch::default() {
                return Err(Fail::Usage(
                    "nothing to change: give --start, --duration or --location".into(),
                ));
            }
            edit(ctx, id, patch, "Updated")
        }
        MeetingCmd::Reschedule {
            id,
            start,
            duration,
        } => {
            let patch = MeetingPatch {
                start: Some(ctx.datetime(&start)?),
                duration_minutes: duration.as_deref().map(minutes).transpose()?,
                ..Default::default()
            };
            edit(ctx, id, patch, "Rescheduled")
        }
        MeetingCmd::Held { id, yes } => {
            if !yes && !ctx.json {
                let plan = ctx.fetch_plan()?;
                let m = find(&plan, &id)?;
                if let Some(doubt) = held_doubt(m, ctx.now())
                    && !items::confirm_or_warn(&doubt, "Mark it held anyway?")?
                {
                    return Err(Fail::Other("Not marked held.".into()));
                }
            }
            edit(
                ctx,
                id,
                MeetingPatch {
                    status: Some(MeetingStatus::Held),
                    ..Default::default()
                },
                "Held:",
            )
        }
        MeetingCmd::Rm(args) => items::remove::<Meeting>(ctx, args, |meeting| {
            Edit::Meeting(MeetingOp::Rm { meeting })
        }),
        MeetingCmd::Cancel { id } => edit(
            ctx,
            id,
            MeetingPatch {
                status: Some(MeetingStatus::Cancelled),
                ..Default::default()
            },
            "Cancelled",
        ),
    }
}
