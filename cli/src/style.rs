//! Terminal styling: colors only on a terminal, and never with NO_COLOR;
//! lines fitted to the terminal's width, and never cut when output is piped.

use std::io::IsTerminal;

/// How to decorate human output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
    /// Columns to fit lines into; `None`: do not cut (not a terminal).
    width: Option<usize>,
}

impl Style {
    /// Colors when stdout is a terminal and NO_COLOR is unset or empty.
    /// Width: `COLUMNS` when set, else the terminal's, and none when stdout
    /// is not a terminal (so scripts and files get whole lines).
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let tty = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c > 0);
        let width = if tty {
            columns.or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        } else {
            columns
        };
        Style {
            color: !no_color && tty,
            width,
        }
    }

    /// No decoration, no width (tests).
    #[cfg(test)]
    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
        }
    }

    /// No decoration, `width` columns (tests).
    #[cfg(test)]
    pub fn with_width(width: usize) -> Style {
        Style {
            color: false,
            width: Some(width),
        }
    }

    /// `line` cut to the width, if there is one.
    pub fn fit(&self, line: &str) -> String {
        match self.width {
            Some(w) => crate::fit::fit(line, w),
            None => line.to_string(),
        }
    }

    /// The same style for lines indented by `n` columns.
    pub fn indented(&self, n: usize) -> Style {
        Style {
            width: self.width.map(|w| w.saturating_sub(n)),
            ..*self
        }
    }

    /// `prefix`, `middle` and `suffix` on one line, cutting `middle` (a
    /// title) first so that what follows it (a due date) stays in view.
    pub fn fit_middle(&self, prefix: &str, middle: &str, suffix: &str) -> String {
        use crate::fit::{fit, width};
        let Some(w) = self.width else {
            return format!("{prefix}{middle}{suffix}");
        };
        let room = w.saturating_sub(width(prefix) + width(suffix));
        if width(middle) <= room {
            return format!("{prefix}{middle}{suffix}");
        }
        if room >= 12 {
            return format!("{prefix}{}{suffix}", fit(middle, room));
        }
        fit(&format!("{prefix}{middle}{suffix}"), w)
    }

    /// Whether lines should take their compact forms (under 80 columns).
    pub fn narrow(&self) -> bool {
        self.width.is_some_and(|w| w < 80)
    }

    /// Cells of a progress bar: 10, 5 on a narrow terminal, none on a very narrow one.
    pub fn bar_cells(&self) -> usize {
        match self.width {
            Some(w) if w < 60 => 0,
            Some(w) if w < 80 => 5,
            _ => 10,
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dimmed.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Red: overdue, concerns.
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    /// Green: done.
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Yellow: due soon.
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
}
