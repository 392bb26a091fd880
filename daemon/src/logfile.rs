//! The daemon's log file, rotated by size so that it can never fill the
//! disk: `tandemd.log` holds up to [`MAX_BYTES`] (a line that crosses the
//! limit is finished first), then moves to `tandemd.log.1` and the older
//! ones shift up, and only [`KEEP`] of them are kept. Rotation is the
//! `file-rotate` crate's; lines peers can cause are rate-limited before
//! they get here ([`crate::ratelog`]).

use std::path::Path;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

/// Largest log file before it is rotated.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Rotated files kept besides the current one.
pub const KEEP: usize = 3;

/// The rotating writer for the log at `path`, `max_bytes` per file.
pub fn writer(path: &Path, max_bytes: usize) -> FileRotate<AppendCount> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut open = std::fs::OpenOptions::new();
    open.read(true).create(true).append(true).mode(0o600);
    FileRotate::new(
        path,
        AppendCount::new(KEEP),
        ContentLimit::BytesSurpassed(max_bytes.max(1)),
        Compression::None,
        Some(open),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_log_never_holds_more_than_its_files_allow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tandemd.log");
        let mut w = writer(&path, 1000);
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..10_000 {
            w.write_all(line.as_bytes()).unwrap();
        }
        w.flush().unwrap();
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), KEEP + 1, "{files:?}");
        let total: u64 = files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        assert!(
            total <= ((KEEP + 1) * (1000 + line.len())) as u64,
            "{total} bytes"
        );
        // Whole lines only.
        for f in &files {
            assert!(
                std::fs::read_to_string(f)
                    .unwrap()
                    .lines()
                    .all(|l| l.len() == 99)
            );
        }
    }
}
