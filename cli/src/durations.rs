//! Lengths of time as people type them: "30s", "2m", "1h30m", "45".

use jiff::{Span, SpanTotal, Unit};

use crate::fail::Fail;

/// `unit`s in `span`, a day counting 24 hours and a week 7 days (an
/// invitation valid for "7d" is valid for 168 hours, whatever the calendar).
fn total(span: Span, unit: Unit) -> Option<f64> {
    let relative = SpanTotal::from(unit).days_are_24_hours();
    span.total(relative).ok()
}

/// A duration from "30s", "2m", "1h", "7d" (a bare number is seconds).
pub fn wait_duration(s: &str) -> Result<std::time::Duration, Fail> {
    let bad = || {
        Fail::Usage(format!(
            "invalid duration '{s}': use a span like 30s, 2m, 1h or 7d"
        ))
    };
    if let Ok(n) = s.trim().parse::<u64>() {
        return Ok(std::time::Duration::from_secs(n));
    }
    let span: Span = s.trim().parse().map_err(|_| bad())?;
    let secs = total(span, Unit::Second).ok_or_else(bad)?;
    if !(0.0..=86_400.0 * 365.0).contains(&secs) {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Minutes from "45", "45m", "1h30m" or "1.5h".
pub fn minutes(s: &str) -> Result<u32, Fail> {
    let bad = || {
        Fail::Usage(format!(
            "invalid duration '{s}': use minutes (45) or a span like 45m or 1h30m"
        ))
    };
    if let Ok(n) = s.trim().parse::<u32>() {
        return Ok(n);
    }
    let span: Span = s.trim().parse().map_err(|_| bad())?;
    let n = total(span, Unit::Minute).ok_or_else(bad)?;
    if !(0.0..=f64::from(u32::MAX)).contains(&n) {
        return Err(bad());
    }
    Ok(n.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::{minutes, wait_duration};

    /// Regression: "7d", which the help of `invite --expires` suggests, was
    /// refused (a day is a calendar unit to jiff).
    #[test]
    fn days_and_weeks_are_24_hours_and_7_days() {
        let secs = |s: &str| wait_duration(s).unwrap().as_secs();
        assert_eq!(secs("7d"), 7 * 86_400);
        assert_eq!(secs("1w"), 7 * 86_400);
        assert_eq!(secs("48h"), 48 * 3600);
        assert_eq!(secs("90"), 90);
        assert_eq!(minutes("1d").unwrap(), 1440);
        assert!(wait_duration("2y").is_err(), "over a year");
        assert!(wait_duration("soon").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(minutes("45").unwrap(), 45);
        assert_eq!(minutes("45m").unwrap(), 45);
        assert_eq!(minutes("1h30m").unwrap(), 90);
        assert!(minutes("soon").is_err());
    }
}
