//! `tandem meeting ...`

use jiff::{Span, Unit};
use tandem_proto::api::Item;
use tandem_proto::dates::parse_datetime;
use tandem_proto::edit::{Edit, MeetingPatch, NewMeeting};
use tandem_proto::ids::{self, short};
use tandem_proto::model::{Meeting, MeetingStatus, Plan};

use super::Ctx;
use super::goal::api;
use crate::args::MeetingCmd;
use crate::fail::Fail;
use crate::{input, render};

/// A duration from "30s", "2m", "1h" (a bare number is seconds).
pub(super) fn wait_duration(s: &str) -> Result<std::time::Duration, Fail> {
    let bad = || {
        Fail::Usage(format!(
            "invalid duration '{s}': use a span like 30s, 2m or 1h"
        ))
    };
    if let Ok(n) = s.trim().parse::<u64>() {
        return Ok(std::time::Duration::from_secs(n));
    }
    let span: Span = s.trim().parse().map_err(|_| bad())?;
    let secs = span.total(Unit::Second).map_err(|_| bad())?;
    if !(0.0..=86_400.0 * 365.0).contains(&secs) {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Minutes from "45", "45m", "1h30m" or "1.5h".
pub(super) fn minutes(s: &str) -> Result<u32, Fail> {
    let bad = || {
        Fail::Usage(format!(
            "invalid duration '{s}': use minutes (45) or a span like 45m or 1h30m"
        ))
    };
    if let Ok(n) = s.trim().parse::<u32>() {
        return Ok(n);
    }
    let span: Span = s.trim().parse().map_err(|_| bad())?;
    let total = span.total(Unit::Minute).map_err(|_| bad())?;
    if !(0.0..=f64::from(u32::MAX)).contains(&total) {
        return Err(bad());
    }
    Ok(total.round() as u32)
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

pub(super) fn run(cmd: MeetingCmd, ctx: &mut Ctx) -> Result<(), Fail> {
    let s = ctx.style;
    match cmd {
        MeetingCmd::Add {
            start,
            duration,
            location,
            agenda,
        } => {
            let start = parse_datetime(&start, ctx.now(), ctx.now().time_zone())?;
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
            ctx.emit(m, || render::meeting_detail(m, &plan, today, s))
        }
        MeetingCmd::Agenda { id, item, rm } => {
            let e = match (item, rm) {
                (_, Some(position)) => Edit::Agenda(AgendaOp::Rm {
                    meeting: id,
                    position,
                }),
                (Some(text), None) => Edit::Agenda(AgendaOp::Add { meeting: id, text }),
                (None, None) => {
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
        MeetingCmd::Held { id } => edit(
            ctx,
            id,
            MeetingPatch {
                status: Some(MeetingStatus::Held),
                ..Default::default()
            },
            "Held:",
        ),
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

#[cfg(test)]
mod tests {
    use super::minutes;

    #[test]
    fn durations() {
        assert_eq!(minutes("45").unwrap(), 45);
        assert_eq!(minutes("45m").unwrap(), 45);
        assert_eq!(minutes("1h30m").unwrap(), 90);
        assert!(minutes("soon").is_err());
    }
}
