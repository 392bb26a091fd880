//! Where a Tandem home lives and what is in it, as pure path arithmetic.
//!
//! The daemon and the CLI must agree on these paths; the environment is
//! passed in, so this module does no IO.
//!
//! ```text
//! $TANDEM_HOME/            (0700) or $XDG_DATA_HOME/tandem, or ~/.local/share/tandem
//!   tandem.redb            the database (plans, index, device identity)
//!   tandemd.lock           held (flock) by the running daemon; holds its pid
//!   tandemd.log            the daemon's log
//!   run/                   (0700)
//!     tandemd.sock         (0600) the API socket
//! ```

use std::path::{Path, PathBuf};

/// The environment variable that names the home directory.
pub const HOME_ENV: &str = "TANDEM_HOME";

/// The home directory: `explicit`, else `$TANDEM_HOME`, else `$XDG_DATA_HOME/tandem`,
/// else `$HOME/.local/share/tandem`. Empty values count as unset.
pub fn home_dir(
    explicit: Option<&Path>,
    tandem_home: Option<&str>,
    xdg_data_home: Option<&str>,
    user_home: Option<&str>,
) -> Option<PathBuf> {
    let set = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(PathBuf::from);
    explicit
        .map(Path::to_path_buf)
        .or_else(|| set(tandem_home))
        .or_else(|| set(xdg_data_home).map(|d| d.join("tandem")))
        .or_else(|| set(user_home).map(|h| h.join(".local/share/tandem")))
}

/// The database file.
pub fn db_path(home: &Path) -> PathBuf {
    home.join("tandem.redb")
}

/// The device's secret key (ed25519, libp2p protobuf encoding).
pub fn key_path(home: &Path) -> PathBuf {
    home.join("device.key")
}

/// The daemon's lock file.
pub fn lock_path(home: &Path) -> PathBuf {
    home.join("tandemd.lock")
}

/// The daemon's log file.
pub fn log_path(home: &Path) -> PathBuf {
    home.join("tandemd.log")
}

/// The private directory that holds the socket.
pub fn socket_dir(home: &Path) -> PathBuf {
    home.join("run")
}

/// The API socket.
pub fn socket_path(home: &Path) -> PathBuf {
    socket_dir(home).join("tandemd.sock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let p = |e, t, x, h| home_dir(e, t, x, h).unwrap();
        assert_eq!(
            p(Some(Path::new("/e")), Some("/t"), None, None),
            PathBuf::from("/e")
        );
        assert_eq!(
            p(None, Some("/t"), Some("/x"), Some("/h")),
            PathBuf::from("/t")
        );
        assert_eq!(
            p(None, Some(""), Some("/x"), Some("/h")),
            PathBuf::from("/x/tandem")
        );
        assert_eq!(
            p(None, None, None, Some("/h")),
            PathBuf::from("/h/.local/share/tandem")
        );
        assert_eq!(home_dir(None, None, None, None), None);
    }
}
