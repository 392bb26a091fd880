//! The optional TOML config file: `$TANDEM_CONFIG`, else
//! `$XDG_CONFIG_HOME/tandem/config.toml`, else `~/.config/tandem/config.toml`.
//!
//! ```toml
//! [daemon]
//! listen = ["/ip4/0.0.0.0/tcp/4455", "/ip4/0.0.0.0/udp/4455/quic-v1"]
//! mdns = true
//! peers = ["/dns4/lab-ws.example.org/tcp/4455/p2p/12D3KooW..."]
//! ```
//!
//! Every option is also a flag and an environment variable; a flag wins
//! over the environment, which wins over the file. A missing file is no
//! error; an unreadable or invalid one stops the daemon with the file, line
//! and column named (unknown keys included, so a typo is not ignored).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The config file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Daemon settings.
    #[serde(default)]
    pub daemon: DaemonConfig,
}

/// The `[daemon]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonConfig {
    /// Multiaddrs to listen on (flag `--listen`, env `TANDEM_LISTEN`).
    #[serde(default)]
    pub listen: Vec<String>,
    /// mDNS discovery on the LAN (flag `--no-mdns`, env `TANDEM_NO_MDNS`).
    #[serde(default)]
    pub mdns: Option<bool>,
    /// Peers to dial at start (flag `--peer`, env `TANDEM_PEERS`).
    #[serde(default)]
    pub peers: Vec<String>,
}

/// The config file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("config file {path}: {why}")]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub why: String,
}

/// Where the config file is, from the environment values given.
pub fn path(
    tandem_config: Option<&str>,
    xdg_config_home: Option<&str>,
    home: Option<&str>,
) -> Option<PathBuf> {
    let set = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(PathBuf::from);
    set(tandem_config)
        .or_else(|| set(xdg_config_home).map(|d| d.join("tandem").join("config.toml")))
        .or_else(|| set(home).map(|h| h.join(".config").join("tandem").join("config.toml")))
}

impl Config {
    /// Reads the file at `path`; a missing file is the default config.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |why: String| ConfigError {
            path: path.to_path_buf(),
            why,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| err(e.to_string().trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(err(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_found_read_and_checked() {
        assert_eq!(
            path(Some("/x/c.toml"), Some("/cfg"), Some("/h")),
            Some(PathBuf::from("/x/c.toml"))
        );
        assert_eq!(
            path(None, Some("/cfg"), Some("/h")),
            Some(PathBuf::from("/cfg/tandem/config.toml"))
        );
        assert_eq!(
            path(None, Some(""), Some("/h")),
            Some(PathBuf::from("/h/.config/tandem/config.toml"))
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("config.toml");
        assert_eq!(
            Config::load(&f).unwrap(),
            Config::default(),
            "missing is fine"
        );
        std::fs::write(
            &f,
            "[daemon]\nlisten = [\"/ip4/127.0.0.1/tcp/0\"]\nmdns = false\n",
        )
        .unwrap();
        let c = Config::load(&f).unwrap();
        assert_eq!(c.daemon.listen, vec!["/ip4/127.0.0.1/tcp/0"]);
        assert_eq!(c.daemon.mdns, Some(false));
        std::fs::write(&f, "[daemon]\nlisen = []\n").unwrap();
        let e = Config::load(&f).unwrap_err().to_string();
        assert!(
            e.contains("config.toml") && e.contains("lisen") && e.contains("line 2"),
            "{e}"
        );
    }
}
