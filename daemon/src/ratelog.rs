//! Rate-limited log lines, so no peer can fill the log (and the disk) by
//! making the daemon refuse it over and over.
//!
//! [`RateLog::allow`] says whether to log an event now: the first event of
//! a key in each [`RateLog::window_ms`] is logged, later ones are counted.
//! [`RateLog::flush`] hands back, for every window that ended with events
//! left unlogged, one summary line's worth: the key, how many, and the last
//! reason. Keys are bounded ([`MAX_KEYS`]): past that, events are counted
//! under one shared key, so a flood of fresh identities costs a constant.
//! Sans-IO: the caller passes the time.

use std::collections::HashMap;

/// Keys tracked at once; beyond, events share [`OTHERS`].
pub const MAX_KEYS: usize = 1024;
/// The key events share once [`MAX_KEYS`] are tracked.
pub const OTHERS: &str = "(other peers)";
/// The default window: one line per key per minute.
pub const WINDOW_MS: u64 = 60_000;

#[derive(Debug)]
struct Entry {
    since: u64,
    unlogged: u64,
    last: String,
}

/// Which events to log, per key.
#[derive(Debug)]
pub struct RateLog {
    /// One line per key per this many milliseconds.
    pub window_ms: u64,
    entries: HashMap<String, Entry>,
}

impl Default for RateLog {
    fn default() -> RateLog {
        RateLog::new(WINDOW_MS)
    }
}

/// Events of one key that were counted but not logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The key (a peer).
    pub key: String,
    /// How many.
    pub count: u64,
    /// The last one's reason.
    pub last: String,
    /// Over how long, in milliseconds.
    pub window_ms: u64,
}

impl RateLog {
    /// A limiter with this window.
    pub fn new(window_ms: u64) -> RateLog {
        RateLog {
            window_ms,
            entries: HashMap::new(),
        }
    }

    /// Whether an event of `key` at `now` should be logged; if not it is counted.
    pub fn allow(&mut self, now: u64, key: &str, reason: &str) -> bool {
        let key = if self.entries.contains_key(key) || self.entries.len() < MAX_KEYS {
            key
        } else {
            OTHERS
        };
        match self.entries.get_mut(key) {
            Some(e) if now.saturating_sub(e.since) < self.window_ms => {
                e.unlogged += 1;
                if e.last != reason {
                    e.last = reason.to_string();
                }
                false
            }
            Some(e) => {
                // A new window; what the last one left unlogged waits for `flush`.
                e.since = now;
                true
            }
            None => {
                self.entries.insert(
                    key.to_string(),
                    Entry {
                        since: now,
                        unlogged: 0,
                        last: String::new(),
                    },
                );
                true
            }
        }
    }

    /// Windows that ended by `now` with unlogged events, and forgets keys
    /// that have gone quiet.
    pub fn flush(&mut self, now: u64) -> Vec<Suppressed> {
        let window = self.window_ms;
        let mut out = Vec::new();
        self.entries.retain(|key, e| {
            if now.saturating_sub(e.since) < window {
                return true;
            }
            if e.unlogged > 0 {
                out.push(Suppressed {
                    key: key.clone(),
                    count: e.unlogged,
                    last: std::mem::take(&mut e.last),
                    window_ms: window,
                });
                e.unlogged = 0;
                e.since = now;
                return true;
            }
            false
        });
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// Keys tracked now (for tests).
    pub fn keys(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_peer_per_window_then_a_count() {
        let mut log = RateLog::new(1000);
        assert!(log.allow(0, "eve", "not a member"));
        for t in 1..=500 {
            assert!(!log.allow(t, "eve", "not a member"));
        }
        assert!(
            log.allow(10, "dana", "bad message"),
            "others are logged apart"
        );
        assert!(log.flush(999).is_empty(), "the window is still open");
        let s = log.flush(1000);
        assert_eq!(
            s,
            vec![Suppressed {
                key: "eve".into(),
                count: 500,
                last: "not a member".into(),
                window_ms: 1000
            }]
        );
        assert!(log.flush(5000).is_empty());
        assert_eq!(log.keys(), 0, "quiet keys are forgotten");
    }

    #[test]
    fn fresh_identities_share_one_key_past_the_bound() {
        let mut log = RateLog::new(1000);
        for i in 0..(MAX_KEYS + 5000) {
            log.allow(0, &format!("peer{i}"), "x");
        }
        assert_eq!(log.keys(), MAX_KEYS + 1);
        let s = log.flush(1000);
        assert_eq!(
            s.iter().find(|s| s.key == OTHERS).map(|s| s.count),
            Some(4999)
        );
    }
}
