//! Finding plan templates: the user's own (`$XDG_CONFIG_HOME/tandem/templates/NAME.toml`,
//! else `~/.config/tandem/templates`), then those built in.

use std::path::PathBuf;

use tandem_proto::template::{BUILT_IN, Template};

use crate::fail::Fail;

/// The directory of the user's own templates.
pub fn user_dir() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("tandem").join("templates"))
}

/// Every template by name: (name, where from, description or the error that makes it unusable).
pub fn list() -> Vec<(String, String, Result<String, String>)> {
    let mut out: Vec<(String, String, Result<String, String>)> = Vec::new();
    if let Some(dir) = user_dir()
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "toml")
                && let Some(name) = path.file_stem().and_then(|s| s.to_str())
            {
                let parsed = std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|t| Template::parse(name, &t).map_err(|e| e.why));
                out.push((
                    name.to_string(),
                    path.display().to_string(),
                    parsed.map(|t| t.description),
                ));
            }
        }
    }
    for (name, text) in BUILT_IN {
        if !out.iter().any(|(n, _, _)| n == name) {
            let parsed = Template::parse(name, text)
                .map(|t| t.description)
                .map_err(|e| e.why);
            out.push((name.to_string(), "built in".into(), parsed));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Loads a template by name: the user's file if there is one, else a built-in.
pub fn load(name: &str) -> Result<Template, Fail> {
    if let Some(path) = user_dir().map(|d| d.join(format!("{name}.toml")))
        && path.is_file()
    {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Fail::Usage(format!("cannot read template {}: {e}", path.display())))?;
        return Template::parse(name, &text)
            .map_err(|e| Fail::Usage(format!("{e} (in {})", path.display())));
    }
    match BUILT_IN.iter().find(|(n, _)| *n == name) {
        Some((n, text)) => Template::parse(n, text).map_err(|e| Fail::Other(e.to_string())),
        None => {
            let names: Vec<String> = list().into_iter().map(|(n, _, _)| n).collect();
            Err(Fail::NotFound(format!(
                "no template '{name}'; there are: {}",
                names.join(", ")
            )))
        }
    }
}
