//! Dates and times as people type them.
//!
//! Dates: ISO 8601 (`2026-12-01`), `today`, `tomorrow`, `yesterday`, a
//! weekday (`friday`, `next friday`: the next one after today), or an offset
//! from today in jiff's friendly span syntax (`+3d`, `in 2 weeks`, `1 month`).
//!
//! Date-times (meeting starts): RFC 9557 with a zone
//! (`2026-12-01T10:00[Europe/Berlin]`), RFC 3339 with an offset
//! (`2026-12-01T10:00-05:00`), or a local form in the given zone
//! (`2026-12-01 10:00`, `2026-12-01T10:00`, `tomorrow 14:30`, `friday 9:00`).
//!
//! The clock is a parameter, so parsing is pure and testable.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, ZonedDateTime};

/// A date or time could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} '{given}': {hint}")]
pub struct DateError {
    /// "date" or "date-time".
    pub what: &'static str,
    /// What was given.
    pub given: String,
    /// What would have been accepted.
    pub hint: String,
}

const DATE_HINT: &str =
    "use YYYY-MM-DD, today, tomorrow, a weekday, or an offset like +3d or 'in 2 weeks'";
const DATETIME_HINT: &str = "use YYYY-MM-DD HH:MM (local time), YYYY-MM-DDTHH:MM[Zone/Name], an RFC 3339 time with offset, or 'tomorrow 14:30'";

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

/// Parses a date relative to `today`.
pub fn parse_date(input: &str, today: Date) -> Result<Date, DateError> {
    let err = |hint: String| DateError {
        what: "date",
        given: input.to_string(),
        hint,
    };
    let s = input.trim().to_ascii_lowercase();
    match s.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return today.tomorrow().map_err(|e| err(e.to_string())),
        "yesterday" => return today.yesterday().map_err(|e| err(e.to_string())),
        _ => {}
    }
    if let Some(day) = weekday(s.strip_prefix("next ").unwrap_or(&s)) {
        return today.nth_weekday(1, day).map_err(|e| err(e.to_string()));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) && s.contains('-') && !s.starts_with('+') {
        return s
            .parse::<Date>()
            .map_err(|e| err(format!("{e}; {DATE_HINT}")));
    }
    let span_text = s
        .strip_prefix('+')
        .or_else(|| s.strip_prefix("in "))
        .unwrap_or(&s)
        .trim();
    let span: Span = span_text.parse().map_err(|_| err(DATE_HINT.to_string()))?;
    today.checked_add(span).map_err(|e| err(e.to_string()))
}

/// Parses a date-time; local forms are read in `tz`, relative dates against `now`.
pub fn parse_datetime(
    input: &str,
    now: &ZonedDateTime,
    tz: &TimeZone,
) -> Result<ZonedDateTime, DateError> {
    let err = |hint: String| DateError {
        what: "date-time",
        given: input.to_string(),
        hint,
    };
    let s = input.trim();
    if s.contains('[') {
        return s
            .parse::<ZonedDateTime>()
            .map_err(|e| err(format!("{e}; {DATETIME_HINT}")));
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        // An explicit offset: keep it as a fixed-offset zone, unless it agrees with `tz`.
        let offset = jiff::fmt::temporal::DateTimeParser::new()
            .parse_pieces(s)
            .ok()
            .and_then(|p| p.offset().map(|o| o.to_numeric_offset()));
        let zoned = ts.to_zoned_datetime(tz.clone());
        return Ok(match offset {
            Some(o) if o != zoned.offset() => ts.to_zoned_datetime(TimeZone::fixed(o)),
            _ => zoned,
        });
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned_datetime(tz.clone())
            .map_err(|e| err(e.to_string()));
    }
    // "<date words> HH:MM"
    let Some((day, time)) = s.rsplit_once(' ') else {
        return Err(err(DATETIME_HINT.to_string()));
    };
    let time: Time = time.parse().map_err(|_| err(DATETIME_HINT.to_string()))?;
    let date = parse_date(day, now.date()).map_err(|_| err(DATETIME_HINT.to_string()))?;
    date.to_datetime(time)
        .to_zoned_datetime(tz.clone())
        .map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 29); // a Sunday

    #[test]
    fn iso_and_words() {
        assert_eq!(parse_date("2027-01-15", TODAY), Ok(date(2027, 1, 15)));
        assert_eq!(parse_date("today", TODAY), Ok(TODAY));
        assert_eq!(parse_date("Tomorrow", TODAY), Ok(date(2026, 11, 30)));
        assert_eq!(parse_date("friday", TODAY), Ok(date(2026, 12, 4)));
        assert_eq!(parse_date("next sunday", TODAY), Ok(date(2026, 12, 6)));
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_date("+3d", TODAY), Ok(date(2026, 12, 2)));
        assert_eq!(parse_date("in 2 weeks", TODAY), Ok(date(2026, 12, 13)));
        assert_eq!(parse_date("1 month", TODAY), Ok(date(2026, 12, 29)));
    }

    #[test]
    fn invalid_dates_name_the_input() {
        let e = parse_date("2026-02-30", TODAY).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid date '2026-02-30'"),
            "{e}"
        );
        assert!(parse_date("someday", TODAY).is_err());
        assert!(parse_date("", TODAY).is_err());
    }

    #[test]
    fn datetimes() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let now = date(2026, 11, 29)
            .at(9, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap();
        let z = parse_datetime("2026-12-01 10:00", &now, &tz).unwrap();
        assert_eq!(z.to_string(), "2026-12-01T10:00:00-05:00[America/New_York]");
        let z = parse_datetime("tomorrow 14:30", &now, &tz).unwrap();
        assert_eq!(z.to_string(), "2026-11-30T14:30:00-05:00[America/New_York]");
        let z = parse_datetime("2026-12-01T10:00[Europe/Berlin]", &now, &tz).unwrap();
        assert_eq!(z.time_zone().iana_name(), Some("Europe/Berlin"));
        let z = parse_datetime("2026-12-01T10:00+02:00", &now, &tz).unwrap();
        assert_eq!(z.to_string(), "2026-12-01T10:00:00+02:00[+02:00]");
        assert!(parse_datetime("next week sometime", &now, &tz).is_err());
        assert!(parse_datetime("2026-13-01 10:00", &now, &tz).is_err());
    }
}
