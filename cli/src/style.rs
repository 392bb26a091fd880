//! Terminal styling: colors only on a terminal, and never with NO_COLOR.

use std::io::IsTerminal;

/// How to decorate human output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colors when stdout is a terminal and NO_COLOR is unset or empty.
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    /// No decoration (tests).
    #[cfg(test)]
    pub fn plain() -> Style {
        Style { color: false }
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
