//! The daemon's log file, rotated by size so that it can never fill the
//! disk: `tandemd.log` holds up to [`MAX_BYTES`] (a line that crosses the
//! limit is finished first), then moves to `tandemd.log.1` and the older
//! ones shift up, and only [`KEEP`] of them are kept. Rotation is the
//! `file-rotate` crate's; lines peers can cause are rate-limited before
//! they get here ([`crate::ratelog`]). What goes in it is [`filter`]'s.

use std::path::Path;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

/// Largest log file before it is rotated.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Rotated files kept besides the current one.
pub const KEEP: usize = 3;

/// The default filter: `info`, but Automerge's spans and lines only from
/// `warn` on.
///
/// Automerge 0.12 opens an INFO span in every load of changes (each
/// received sync message), every transaction commit and every document
/// load, with its arguments as fields; the log layers format the fields of
/// every span they let in, and `load_changes` takes the whole change graph
/// as an argument. Formatting it was a fifth of a receiving engine's time
/// and grew with the plan's history: an edit's propagation to a peer went
/// from 2.9 to 6.1 ms as a plan grew from 200 to 1,100 goals.
pub const DEFAULT_FILTER: &str = "info,automerge=warn";

/// The log's filter: `RUST_LOG` when set and valid (`rust_log`), else
/// [`DEFAULT_FILTER`].
pub fn filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    rust_log
        .and_then(|directives| tracing_subscriber::EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER))
}

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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    /// Counts the spans its filter lets in.
    struct Spans(Arc<AtomicUsize>);

    impl<S: tracing::Subscriber> Layer<S> for Spans {
        fn on_new_span(
            &self,
            _: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: Context<'_, S>,
        ) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Spans a layer with `rust_log`'s filter lets in while a document
    /// is edited, saved, loaded and synced, and one span of ours is opened.
    fn spans_let_in(rust_log: Option<&str>) -> usize {
        use automerge::transaction::Transactable;
        let count = Arc::new(AtomicUsize::new(0));
        let layer = Spans(count.clone()).with_filter(filter(rust_log));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let mut a = automerge::AutoCommit::new();
            a.put(automerge::ROOT, "goal", "Pass the MLS exam").unwrap();
            let mut b = automerge::AutoCommit::load(&a.save()).unwrap();
            b.put(automerge::ROOT, "note", "x").unwrap();
            a.load_incremental(&b.save_incremental()).unwrap();
            let _ours = tracing::info_span!("ours").entered();
        });
        count.load(Ordering::Relaxed)
    }

    /// Automerge's INFO spans stay out of the log by default (formatting
    /// their fields cost as much as the work they wrap); ours, and
    /// Automerge's when `RUST_LOG` asks for them, get in.
    #[test]
    fn automerge_spans_stay_out_of_the_log_unless_asked_for() {
        assert_eq!(spans_let_in(None), 1);
        assert_eq!(spans_let_in(Some("not a [filter")), 1);
        assert!(spans_let_in(Some("info")) > 3);
    }

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
