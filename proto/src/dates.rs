//! Dates and times as people type them.
//!
//! Dates: ISO 8601 (`2026-12-01`, read exactly as written), `today`,
//! `tomorrow`, `yesterday`, a weekday (`friday`, `next friday`: the next
//! one after today), an offset from today in jiff's friendly span syntax
//! (`+3d`, `in 2 weeks`, `1 month`), and what the `interim` crate reads
//! (`next week`, `next month`, `Dec 4`, `4 Dec 2026`, `12/4`). A date with
//! slashes is month/day unless the [`DayOrder`] says day/month; one that
//! makes no sense in that order (`13/4` as month/day) is refused with the
//! ISO form to use instead.
//!
//! Date-times (meeting starts): RFC 9557 with a zone
//! (`2026-12-01T10:00[Europe/Berlin]`), RFC 3339 with an offset
//! (`2026-12-01T10:00-05:00`), or a local form in the given zone: a date
//! as above, then a time (`14:30`, `9am`, `2pm`, `noon`), with or without
//! `at` (`2026-12-01 10:00`, `tomorrow at 14:30`, `friday 9:00`, `9am`
//! alone for today).
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

const DATE_HINT: &str = "try 2026-12-04, tomorrow, friday, next week, Dec 4, 12/4 or +3d";
const DATETIME_HINT: &str =
    "try '2026-12-04 14:30', 'tomorrow at 14:30', 'friday 9am', or 2026-12-04T14:30[Europe/Berlin]";

/// How a date with slashes is read: `12/4` is December 4 in month/day
/// (the default, as in the US) and 12 April in day/month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DayOrder {
    /// `12/4` is December 4.
    #[default]
    MonthDay,
    /// `12/4` is 12 April.
    DayMonth,
}

impl std::str::FromStr for DayOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<DayOrder, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month-day" | "mdy" | "us" => Ok(DayOrder::MonthDay),
            "day-month" | "dmy" | "uk" => Ok(DayOrder::DayMonth),
            other => Err(format!(
                "date order '{other}': use month-day (12/4 is December 4) or day-month (12/4 is 12 April)"
            )),
        }
    }
}

/// What people write, made plain: lower case, single spaces, `at` dropped
/// before a time, `noon` and `midnight` as clock times.
fn normalized(input: &str) -> String {
    let words: Vec<&str> = input.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.to_lowercase();
        match w.as_str() {
            "at" | "@" if i > 0 && i + 1 < words.len() => continue,
            "noon" => out.push("12:00".into()),
            "midnight" => out.push("00:00".into()),
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// A slash date's two first numbers that cannot be month and day in `order`.
fn impossible_slash(s: &str, order: DayOrder) -> Option<String> {
    let mut parts = s.split('/').map(|p| p.trim().parse::<u32>());
    let (Some(Ok(a)), Some(Ok(b))) = (parts.next(), parts.next()) else {
        return None;
    };
    let (month, day) = match order {
        DayOrder::MonthDay => (a, b),
        DayOrder::DayMonth => (b, a),
    };
    let reading = match order {
        DayOrder::MonthDay => "month/day",
        DayOrder::DayMonth => "day/month",
    };
    (!(1..=12).contains(&month) || !(1..=31).contains(&day)).then(|| {
        format!(
            "dates with slashes are read as {reading} here, and {month} is no month; \
             write it as YYYY-MM-DD, or set `order` under [dates] in the config \
             (month-day or day-month)"
        )
    })
}

/// What `interim` reads, as a local date and time (`None` when the text
/// gives no time).
fn natural(s: &str, now: jiff::civil::DateTime, order: DayOrder) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, TimeZone, Timelike};
    let naive = chrono::NaiveDate::from_ymd_opt(
        i32::from(now.year()),
        u32::try_from(now.month()).ok()?,
        u32::try_from(now.day()).ok()?,
    )?
    .and_hms_opt(
        u32::try_from(now.hour()).ok()?,
        u32::try_from(now.minute()).ok()?,
        0,
    )?;
    // Civil fields only: reading them as UTC leaves no DST to trip on.
    let base = chrono::Utc.from_utc_datetime(&naive);
    let dialect = match order {
        DayOrder::MonthDay => interim::Dialect::Us,
        DayOrder::DayMonth => interim::Dialect::Uk,
    };
    // "Dec 4 2027" is read as "Dec 4, 2027".
    let with_comma = match s.split(' ').collect::<Vec<_>>().as_slice() {
        [m, d, y] if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{m} {}, {y}", d.trim_end_matches(',')))
        }
        _ => None,
    };
    let got = interim::parse_date_string(s, base, dialect)
        .ok()
        .or_else(|| interim::parse_date_string(with_comma.as_deref()?, base, dialect).ok())?;
    jiff::civil::date(
        i16::try_from(got.year()).ok()?,
        i8::try_from(got.month()).ok()?,
        i8::try_from(got.day()).ok()?,
    )
    .at(
        i8::try_from(got.hour()).ok()?,
        i8::try_from(got.minute()).ok()?,
        0,
        0,
    )
    .into()
}

/// A clock time as people write it: `14:30`, `9:00`, `9am`, `2pm`, `9:30pm`.
fn clock(s: &str) -> Option<Time> {
    if let Ok(t) = s.parse::<Time>() {
        return Some(t);
    }
    let (digits, pm) = match (s.strip_suffix("am"), s.strip_suffix("pm")) {
        (Some(d), _) => (d.trim(), false),
        (_, Some(d)) => (d.trim(), true),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?),
        None => (digits.parse::<i8>().ok()?, 0),
    };
    if !(1..=12).contains(&h) {
        return None;
    }
    let h = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    Time::new(h, m, 0, 0).ok()
}

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

/// Parses a date relative to `today`, slash dates as month/day.
pub fn parse_date(input: &str, today: Date) -> Result<Date, DateError> {
    parse_date_in(input, today, DayOrder::MonthDay)
}

/// Parses a date relative to `today`, slash dates in `order`.
pub fn parse_date_in(input: &str, today: Date, order: DayOrder) -> Result<Date, DateError> {
    let err = |hint: String| DateError {
        what: "date",
        given: input.to_string(),
        hint,
    };
    let s = normalized(input);
    if let Some(why) = impossible_slash(&s, order).filter(|_| s.contains('/')) {
        return Err(err(why));
    }
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
    if let Ok(span) = span_text.parse::<Span>() {
        return today.checked_add(span).map_err(|e| err(e.to_string()));
    }
    if s.is_empty() {
        return Err(err(DATE_HINT.to_string()));
    }
    natural(&s, today.to_datetime(Time::midnight()), order)
        .map(|dt| dt.date())
        .ok_or_else(|| err(DATE_HINT.to_string()))
}

/// Parses a date-time; local forms are read in `tz`, relative dates
/// against `now`, slash dates as month/day.
pub fn parse_datetime(
    input: &str,
    now: &ZonedDateTime,
    tz: &TimeZone,
) -> Result<ZonedDateTime, DateError> {
    parse_datetime_in(input, now, tz, DayOrder::MonthDay)
}

/// Parses a date-time, slash dates in `order`.
pub fn parse_datetime_in(
    input: &str,
    now: &ZonedDateTime,
    tz: &TimeZone,
    order: DayOrder,
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
    let s = normalized(s);
    if let Some(why) = impossible_slash(&s, order).filter(|_| s.contains('/')) {
        return Err(err(why));
    }
    let local = |dt: jiff::civil::DateTime| {
        dt.to_zoned_datetime(tz.clone())
            .map_err(|e| err(e.to_string()))
    };
    // A time alone is today's.
    if let Some(t) = clock(&s) {
        return local(now.date().to_datetime(t));
    }
    // "<date> <time>", the date in any form `parse_date` reads.
    if let Some((Some(t), Ok(d))) = s
        .rsplit_once(' ')
        .map(|(day, time)| (clock(time), parse_date_in(day, now.date(), order)))
    {
        return local(d.to_datetime(t));
    }
    // What interim reads, when it names a time ("next friday 9").
    let has_time = s.contains(':') || s.ends_with("am") || s.ends_with("pm");
    match natural(&s, now.datetime(), order) {
        Some(dt) if has_time => local(dt),
        Some(_) => Err(err(format!("give a time too; {DATETIME_HINT}"))),
        None => Err(err(DATETIME_HINT.to_string())),
    }
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

    /// The forms people write, each checked against the date it means
    /// (today is Sunday 2026-11-29).
    #[test]
    fn dates_as_people_write_them() {
        for (given, want) in [
            ("next week", date(2026, 12, 6)),
            ("next month", date(2026, 12, 29)),
            ("Dec 4", date(2026, 12, 4)),
            ("4 Dec 2026", date(2026, 12, 4)),
            ("December 4, 2027", date(2027, 12, 4)),
            ("Dec 4 2027", date(2027, 12, 4)),
            ("12/4", date(2026, 12, 4)),
            ("12/4/2027", date(2027, 12, 4)),
            ("  Friday ", date(2026, 12, 4)),
        ] {
            assert_eq!(parse_date(given, TODAY), Ok(want), "{given}");
        }
        assert_eq!(
            parse_date_in("12/4", TODAY, DayOrder::DayMonth),
            Ok(date(2026, 4, 12))
        );
        assert_eq!("day-month".parse::<DayOrder>(), Ok(DayOrder::DayMonth));
    }

    #[test]
    fn nonsense_is_refused_with_an_example_that_works() {
        let e = parse_date("13/4", TODAY).unwrap_err();
        assert!(e.to_string().contains("month/day"), "{e}");
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        let e = parse_date("whenever", TODAY).unwrap_err();
        assert!(e.hint.contains("try 2026-12-04"), "{e}");
        let e = parse_date_in("4/13", TODAY, DayOrder::DayMonth).unwrap_err();
        assert!(e.to_string().contains("day/month"), "{e}");
    }

    #[test]
    fn times_as_people_write_them() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let now = date(2026, 11, 29)
            .at(8, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap();
        for (given, want) in [
            ("friday 9:00", "2026-12-04T09:00"),
            ("9am", "2026-11-29T09:00"),
            ("2pm", "2026-11-29T14:00"),
            ("tomorrow at 14:30", "2026-11-30T14:30"),
            ("tomorrow noon", "2026-11-30T12:00"),
            ("Dec 4 at 9:30am", "2026-12-04T09:30"),
            ("12/4 2pm", "2026-12-04T14:00"),
            ("next friday 9:00", "2026-12-04T09:00"),
        ] {
            let z = parse_datetime(given, &now, &tz).unwrap_or_else(|e| panic!("{given}: {e}"));
            assert_eq!(
                z.datetime().strftime("%Y-%m-%dT%H:%M").to_string(),
                want,
                "{given}"
            );
        }
        let e = parse_datetime("next week", &now, &tz).unwrap_err();
        assert!(e.hint.contains("give a time"), "{e}");
    }
}
