//! Lengths of time as people type them: "30s", "2m", "1h30m", "45".

use jiff::{Span, Unit};

use crate::fail::Fail;

/// A duration from "30s", "2m", "1h" (a bare number is seconds).
pub fn wait_duration(s: &str) -> Result<std::time::Duration, Fail> {
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
    let total = span.total(Unit::Minute).map_err(|_| bad())?;
    if !(0.0..=f64::from(u32::MAX)).contains(&total) {
        return Err(bad());
    }
    Ok(total.round() as u32)
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
