//! A redb backend that fails on demand, to test what a full disk does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redb::StorageBackend;
use redb::backends::InMemoryBackend;

/// An in-memory backend whose writes and syncs fail while `failing` is set.
#[derive(Debug, Clone)]
pub struct FaultyBackend {
    inner: Arc<InMemoryBackend>,
    /// Set to make every write and sync fail with "no space left on device".
    pub failing: Arc<AtomicBool>,
}

impl FaultyBackend {
    /// A new backend and its switch.
    pub fn new() -> (FaultyBackend, Arc<AtomicBool>) {
        let failing = Arc::new(AtomicBool::new(false));
        (
            FaultyBackend {
                inner: Arc::new(InMemoryBackend::new()),
                failing: failing.clone(),
            },
            failing,
        )
    }

    fn check(&self) -> std::io::Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
        }
        Ok(())
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.check()?;
        self.inner.set_len(len)
    }

    fn sync_data(&self) -> std::io::Result<()> {
        self.check()?;
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.inner.write(offset, data)
    }
}

thread_local! {
    static BEGIN_FAILS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes every `Store::begin` on this thread fail (with ENOSPC) while `on`.
pub fn fail_begin(on: bool) {
    BEGIN_FAILS.with(|b| b.set(on));
}

/// Whether `Store::begin` on this thread is made to fail.
pub(super) fn begin_fails() -> bool {
    BEGIN_FAILS.with(std::cell::Cell::get)
}
