//! Long work shown on a terminal (a spinner with what is going on, by
//! indicatif, on stderr) and nothing on a pipe or with `--json`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner while something takes time; gone when dropped.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts a spinner saying `what`, if stderr is a terminal and the
    /// output is for people.
    pub fn start(json: bool, what: &str) -> Progress {
        if json || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Says what is going on now.
    pub fn say(&self, what: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.set_message(what.into());
        }
    }

    /// Prints a line above the spinner (or on stderr when there is none
    /// and `always`).
    pub fn line(&self, text: &str, always: bool) {
        match &self.0 {
            Some(b) => b.println(text),
            None if always => eprintln!("{text}"),
            None => {}
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
