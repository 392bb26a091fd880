//! The device key: one ed25519 keypair per home, whose libp2p PeerId names
//! this device in plan member lists.
//!
//! Stored as `device.key` (libp2p protobuf encoding) with mode 0600, written
//! once and never replaced: an unreadable key is an error naming the file,
//! because a new key would make this device a stranger to every plan.
//! The key is never logged.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use libp2p_identity::{Keypair, PeerId};

/// The device key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Reading or writing the key file failed.
    #[error("device key {path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file exists but holds no ed25519 key.
    #[error(
        "device key {path} is unreadable ({why}); it was left untouched: restore it from a backup or move it away to make this a new device"
    )]
    Unreadable {
        /// The key file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

pub use tandem_proto::paths::key_path;

/// Loads the device key, creating it on first use.
pub fn load_or_create(home: &Path) -> Result<Keypair, IdentityError> {
    let path = key_path(home);
    let io = |source| IdentityError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let unreadable = |why: String| IdentityError::Unreadable {
                path: path.clone(),
                why,
            };
            let key =
                Keypair::from_protobuf_encoding(&bytes).map_err(|e| unreadable(e.to_string()))?;
            if key.clone().try_into_ed25519().is_err() {
                return Err(unreadable("not an ed25519 key".into()));
            }
            // Keep the file private even if someone loosened it.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            Ok(key)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let key = Keypair::generate_ed25519();
            let bytes = key
                .to_protobuf_encoding()
                .map_err(|e| io(std::io::Error::other(e.to_string())))?;
            // create_new: two daemons racing cannot both write a key.
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(io)?;
            f.write_all(&bytes)
                .and_then(|()| f.sync_all())
                .map_err(io)?;
            Ok(key)
        }
        Err(e) => Err(io(e)),
    }
}

/// The PeerId of a key, as text.
pub fn peer_id(key: &Keypair) -> PeerId {
    key.public().to_peer_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(key_path(dir.path()))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(peer_id(&a), peer_id(&b));
        assert!(peer_id(&a).to_string().starts_with("12D3KooW"));
    }

    #[test]
    fn a_damaged_key_is_an_error_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(key_path(dir.path()), b"junk").unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("unreadable"), "{err}");
        assert_eq!(std::fs::read(key_path(dir.path())).unwrap(), b"junk");
    }
}
