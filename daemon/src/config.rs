//! The optional TOML config file: `$TANDEM_CONFIG`, else
//! `$XDG_CONFIG_HOME/tandem/config.toml`, else `~/.config/tandem/config.toml`.
//!
//! ```toml
//! [daemon]
//! listen = ["/ip4/0.0.0.0/tcp/4455", "/ip4/0.0.0.0/udp/4455/quic-v1"]
//! mdns = true
//! peers = ["/dns4/lab-ws.example.org/tcp/4455/p2p/12D3KooW..."]
//! relays = ["/dns4/relay.lab.example.org/tcp/4455/p2p/12D3KooW..."]
//!
//! [relay]                 # only on a relay host (`tandemd --relay`)
//! enabled = false
//! max_circuit_minutes = 60
//! max_circuit_mib = 64
//! max_circuits = 256
//! max_reservations = 512
//! announce = ["/ip4/203.0.113.5/tcp/4455"]
//!
//! [dates]                 # how `tandem` reads 12/4 (env TANDEM_DATE_ORDER)
//! order = "month-day"     # or "day-month"
//!
//! [ui]                    # the local web app on 127.0.0.1 (`tandem ui`)
//! enabled = true
//! port = 4456
//! ```
//!
//! Every option is also a flag and an environment variable; a flag wins
//! over the environment, which wins over the file. A missing file is no
//! error; an unreadable or invalid one stops the daemon with the file, line
//! and column named (unknown keys included, so a typo is not ignored).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The config file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Daemon settings.
    #[serde(default)]
    pub daemon: DaemonConfig,
    /// Relay server settings (`tandemd --relay`).
    #[serde(default)]
    pub relay: RelayConfig,
    /// How the CLI reads dates.
    #[serde(default)]
    pub dates: DatesConfig,
    /// The local web app.
    #[serde(default)]
    pub ui: UiConfig,
}

/// The `[ui]` table: the local web app (`tandem ui`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    /// Serve it (default true; flag `--no-ui`, env `TANDEM_NO_UI=1`).
    pub enabled: Option<bool>,
    /// Its port on 127.0.0.1 (default 4456; flag `--ui-port`, env `TANDEM_UI_PORT`).
    pub port: Option<u16>,
}

/// The `[dates]` table: how `tandem` reads the dates people type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatesConfig {
    /// `month-day` (the default: 12/4 is December 4) or `day-month`
    /// (12/4 is 12 April); env `TANDEM_DATE_ORDER`.
    pub order: Option<String>,
}

/// The `[relay]` table: running as a relay for other daemons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    /// Run as a relay server (flag `--relay`, env `TANDEM_RELAY=1`).
    #[serde(default)]
    pub enabled: bool,
    /// Longest life of one relayed connection, in minutes (default 60).
    pub max_circuit_minutes: Option<u64>,
    /// Most bytes one relayed connection may carry each way, in MiB (default 64).
    pub max_circuit_mib: Option<u64>,
    /// Most relayed connections at once (default 256).
    pub max_circuits: Option<usize>,
    /// Most devices holding a reservation at once (default 512).
    pub max_reservations: Option<usize>,
    /// Addresses to announce, when the host's public address is not on an
    /// interface (e.g. `/ip4/203.0.113.5/tcp/4455`).
    #[serde(default)]
    pub announce: Vec<String>,
}

impl RelayConfig {
    /// The limits, with defaults for what is not set.
    pub fn limits(&self) -> RelayLimits {
        let d = RelayLimits::default();
        RelayLimits {
            max_circuit_duration: self
                .max_circuit_minutes
                .map_or(d.max_circuit_duration, |m| {
                    Duration::from_secs(m.saturating_mul(60))
                }),
            max_circuit_bytes: self
                .max_circuit_mib
                .map_or(d.max_circuit_bytes, |m| m.saturating_mul(1024 * 1024)),
            max_circuits: self.max_circuits.unwrap_or(d.max_circuits),
            max_reservations: self.max_reservations.unwrap_or(d.max_reservations),
            announce: self.announce.clone(),
        }
    }
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
    /// Relays to keep a reservation on (flag `--use-relay`, env `TANDEM_RELAYS`).
    #[serde(default)]
    pub relays: Vec<String>,
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

/// What one relay allows (`[relay]` in the config, or the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayLimits {
    /// Longest life of one relayed connection.
    pub max_circuit_duration: Duration,
    /// Most bytes one relayed connection carries each way.
    pub max_circuit_bytes: u64,
    /// Most relayed connections at once.
    pub max_circuits: usize,
    /// Most devices with a reservation at once.
    pub max_reservations: usize,
    /// Extra addresses to announce (e.g. a public IP not on an interface).
    pub announce: Vec<String>,
}

impl Default for RelayLimits {
    fn default() -> Self {
        RelayLimits {
            max_circuit_duration: Duration::from_secs(60 * 60),
            max_circuit_bytes: 64 * 1024 * 1024,
            max_circuits: 256,
            max_reservations: 512,
            announce: Vec::new(),
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
