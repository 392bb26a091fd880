//! Terminal styling: colors as the ecosystem's rules say (anstream's
//! choice: a terminal, NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM=dumb, and
//! `--color`, which sets colorchoice's global); lines fitted to the
//! terminal's width, and never cut when output is piped.

use std::io::IsTerminal;

/// How to decorate human output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
    /// Columns to fit lines into; `None`: do not cut (not a terminal).
    width: Option<usize>,
}

impl Style {
    /// Colors when anstream would write them to stdout.
    /// Width: `COLUMNS` when set, else the terminal's, and none when stdout
    /// is not a terminal (so scripts and files get whole lines).
    pub fn detect() -> Style {
        let color = !matches!(
            anstream::AutoStream::choice(&std::io::stdout()),
            anstream::ColorChoice::Never
        );
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
        Style { color, width }
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

    fn paint(&self, style: anstyle::Style, s: &str) -> String {
        if self.color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }

    fn fg(color: anstyle::AnsiColor) -> anstyle::Style {
        anstyle::Style::new().fg_color(Some(color.into()))
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint(anstyle::Style::new().bold(), s)
    }
    /// Dimmed.
    pub fn dim(&self, s: &str) -> String {
        self.paint(anstyle::Style::new().dimmed(), s)
    }
    /// Red: overdue, concerns.
    pub fn red(&self, s: &str) -> String {
        self.paint(Style::fg(anstyle::AnsiColor::Red), s)
    }
    /// Green: done.
    pub fn green(&self, s: &str) -> String {
        self.paint(Style::fg(anstyle::AnsiColor::Green), s)
    }
    /// Yellow: due soon.
    pub fn yellow(&self, s: &str) -> String {
        self.paint(Style::fg(anstyle::AnsiColor::Yellow), s)
    }
}
