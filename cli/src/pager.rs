//! Long output through `$PAGER`, as git does: only on a terminal, only
//! when the text is taller than it, and never when `PAGER` is empty.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

/// Shows `text` in the pager; `Ok(false)` when no pager is wanted (not a
/// terminal, the text fits, `PAGER` set empty), so the caller prints it.
pub fn page(text: &str) -> std::io::Result<bool> {
    if !std::io::stdout().is_terminal() {
        return Ok(false);
    }
    let rows = terminal_size::terminal_size().map_or(24, |(_, h)| usize::from(h.0));
    if text.lines().count() < rows {
        return Ok(false);
    }
    let pager = match std::env::var("PAGER") {
        Ok(p) if p.trim().is_empty() => return Ok(false),
        Ok(p) => p,
        Err(_) => "less".to_string(),
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&pager).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        // Quit when the text fits, keep colors, leave the text on screen.
        cmd.env("LESS", "FRX");
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(_) => return Ok(false),
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit early closes the pipe: that is no error.
        let _ = stdin.write_all(text.as_bytes());
    }
    child.wait()?;
    Ok(true)
}
