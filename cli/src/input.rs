//! Long text input: from an argument, from stdin (`-`), or from `$EDITOR`.

use std::io::Read;
use std::process::Command;

use crate::fail::Fail;

/// Reads all of stdin.
pub fn stdin() -> Result<String, Fail> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Fail::Usage(format!("cannot read stdin: {e}")))?;
    Ok(s.trim_end_matches('\n').to_string())
}

/// The argument itself, or stdin when it is `-`.
pub fn text(arg: String) -> Result<String, Fail> {
    if arg == "-" { stdin() } else { Ok(arg) }
}

/// Like [`text`] for an optional argument.
pub fn opt_text(arg: Option<String>) -> Result<Option<String>, Fail> {
    arg.map(text).transpose()
}

/// Body text: the argument, stdin for `-`, or `$EDITOR` when absent.
pub fn body(arg: Option<String>, what: &str) -> Result<String, Fail> {
    match arg {
        Some(t) => text(t),
        None => editor(what, ""),
    }
}

/// Opens `$VISUAL`/`$EDITOR` (else `vi`) on `initial` and returns what was saved.
///
/// Lines starting with `#` are instructions and are removed. The file is
/// private to the user (0600) and its name unpredictable (tempfile), and
/// removed afterwards; with no terminal to edit in, nothing is started.
pub fn editor(what: &str, initial: &str) -> Result<String, Fail> {
    use std::io::{IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Fail::Usage(format!(
            "no terminal to open an editor in: give the {what} as an argument, or `-` to read it from stdin"
        )));
    }
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let mut file = tempfile::Builder::new()
        .prefix(&format!("tandem-{}-", what.replace(' ', "-")))
        .suffix(".md")
        .tempfile()
        .map_err(|e| Fail::Other(format!("cannot make a file to edit the {what} in: {e}")))?;
    let template =
        format!("{initial}\n# Write the {what} above. Lines starting with '#' are ignored.\n");
    file.write_all(template.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Fail::Other(format!("cannot write {}: {e}", file.path().display())))?;
    // The editor command may carry flags (e.g. "code --wait"), so let the shell split it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| Fail::Other(format!("cannot run editor '{editor}': {e}")))?;
    if !status.success() {
        return Err(Fail::Other(format!(
            "editor '{editor}' failed ({status}); nothing was changed"
        )));
    }
    // Read by path: editors often replace the file rather than write into it.
    let content = std::fs::read_to_string(file.path())
        .map_err(|e| Fail::Other(format!("cannot read back the {what}: {e}")))?;
    let kept: Vec<&str> = content.lines().filter(|l| !l.starts_with('#')).collect();
    Ok(kept.join("\n").trim().to_string())
}
