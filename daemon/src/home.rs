//! The daemon's home directory: creation with private permissions, and the
//! single-instance lock.
//!
//! The lock is an advisory `flock` on `tandemd.lock`, held for the daemon's
//! whole life and released by the kernel when the process dies, even by
//! `kill -9`. Holding it is what makes removing a leftover socket safe: no
//! other daemon can be serving on it.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tandem_proto::paths;

/// The home could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// Creating or securing a directory failed.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another daemon holds the lock.
    #[error("tandemd is already running for home {home}{}", pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    AlreadyRunning {
        /// The home.
        home: PathBuf,
        /// The running daemon's pid, if it could be read.
        pid: Option<u32>,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HomeError + '_ {
    move |source| HomeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A prepared home directory.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

/// Holds the single-instance lock until dropped.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

fn private_dir(path: &Path) -> Result<(), HomeError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io_err(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(io_err(path))
}

impl Home {
    /// Creates the home and its socket directory (both 0700) if needed.
    pub fn prepare(root: PathBuf) -> Result<Home, HomeError> {
        private_dir(&root)?;
        private_dir(&paths::socket_dir(&root))?;
        Ok(Home { root })
    }

    /// The home directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the single-instance lock and records our pid in it.
    pub fn lock(&self) -> Result<InstanceLock, HomeError> {
        let path = paths::lock_path(&self.root);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut s = String::new();
                let pid = file
                    .read_to_string(&mut s)
                    .ok()
                    .and_then(|_| s.trim().parse().ok());
                return Err(HomeError::AlreadyRunning {
                    home: self.root.clone(),
                    pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
        file.set_len(0).map_err(io_err(&path))?;
        file.rewind().map_err(io_err(&path))?;
        write!(file, "{}", std::process::id()).map_err(io_err(&path))?;
        Ok(InstanceLock { _file: file })
    }
}

/// Whether a daemon holds the lock of the home at `root`. Asking takes the
/// lock for a moment (and lets it go); a lock file that cannot be opened or
/// asked counts as not held, so a caller waiting for the lock to be free
/// does not wait on what it cannot see.
pub fn is_locked(root: &Path) -> bool {
    match File::open(paths::lock_path(root)) {
        Ok(file) => matches!(file.try_lock(), Err(TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_one_home_is_refused_with_pid() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::prepare(dir.path().join("h")).unwrap();
        let mode = fs::metadata(home.root()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let _first = home.lock().unwrap();
        let err = home.lock().unwrap_err();
        assert!(
            matches!(err, HomeError::AlreadyRunning { pid: Some(p), .. } if p == std::process::id()),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("tandemd is already running for home")
        );
    }

    #[test]
    fn is_locked_while_a_daemon_holds_the_lock_and_not_after() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::prepare(dir.path().join("h")).unwrap();
        assert!(!is_locked(home.root()), "no lock file yet");
        let held = home.lock().unwrap();
        assert!(is_locked(home.root()));
        assert!(is_locked(home.root()), "asking does not take it away");
        drop(held);
        assert!(!is_locked(home.root()));
        assert!(home.lock().is_ok(), "asking left it free");
    }
}
