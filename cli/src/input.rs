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
/// Lines starting with `#` are instructions and are removed.
pub fn editor(what: &str, initial: &str) -> Result<String, Fail> {
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "tandem-{}-{}.md",
        what.replace(' ', "-"),
        std::process::id()
    ));
    let template =
        format!("{initial}\n# Write the {what} above. Lines starting with '#' are ignored.\n");
    std::fs::write(&path, template)
        .map_err(|e| Fail::Other(format!("cannot write {}: {e}", path.display())))?;
    // The editor command may carry flags (e.g. "code --wait"), so let the shell split it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| Fail::Other(format!("cannot run editor '{editor}': {e}")));
    let content = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    let status = status?;
    if !status.success() {
        return Err(Fail::Other(format!(
            "editor '{editor}' failed ({status}); nothing was changed"
        )));
    }
    let content = content.map_err(|e| Fail::Other(format!("cannot read back the {what}: {e}")))?;
    let kept: Vec<&str> = content.lines().filter(|l| !l.starts_with('#')).collect();
    Ok(kept.join("\n").trim().to_string())
}
