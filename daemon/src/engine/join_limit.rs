//! The rate limit on failed joins: per device, per connection and per IP
//! address, since a new device identity costs an attacker nothing.
//!
//! A join asked while any of the three has [`JoinLimits`]' number of
//! failures within the window is refused unheard. Failures older than the
//! window are forgotten, and at most [`MAX_KEYS`] keys are kept (the oldest
//! go first), so a flood of identities costs a constant. Sans-IO: the
//! caller passes the time.

use std::collections::{HashMap, VecDeque};

/// Keys kept at most.
pub const MAX_KEYS: usize = 4096;

/// How many failures each key may have in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinLimits {
    /// Per device (PeerId).
    pub per_peer: usize,
    /// Per connection.
    pub per_connection: usize,
    /// Per IP address (higher: a hospital's devices may share one).
    pub per_ip: usize,
    /// The window, in milliseconds.
    pub window_ms: u64,
}

impl Default for JoinLimits {
    fn default() -> JoinLimits {
        JoinLimits {
            per_peer: 5,
            per_connection: 5,
            per_ip: 20,
            window_ms: 10 * 60 * 1000,
        }
    }
}

/// Where a join request came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinFrom {
    /// The device's PeerId.
    pub peer: String,
    /// The connection it came on (the network's connection id).
    pub connection: Option<u64>,
    /// The remote IP address, when the connection has one.
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Peer(String),
    Connection(u64),
    Ip(String),
}

/// Failed joins per key.
#[derive(Debug, Default)]
pub struct JoinLimiter {
    limits: JoinLimits,
    failures: HashMap<Key, VecDeque<u64>>,
}

impl JoinLimiter {
    /// A limiter with these limits.
    pub fn new(limits: JoinLimits) -> JoinLimiter {
        JoinLimiter {
            limits,
            failures: HashMap::new(),
        }
    }

    fn keys(from: &JoinFrom, limits: &JoinLimits) -> Vec<(Key, usize, &'static str)> {
        let mut keys = vec![(Key::Peer(from.peer.clone()), limits.per_peer, "this device")];
        if let Some(c) = from.connection {
            keys.push((Key::Connection(c), limits.per_connection, "this connection"));
        }
        if let Some(ip) = &from.ip {
            keys.push((Key::Ip(ip.clone()), limits.per_ip, "this network address"));
        }
        keys
    }

    /// Who is turned away unheard at `now`, if anyone: "this device", "this
    /// connection" or "this network address".
    pub fn refused(&mut self, now: u64, from: &JoinFrom) -> Option<&'static str> {
        let window = self.limits.window_ms;
        self.failures.retain(|_, times| {
            while times
                .front()
                .is_some_and(|t| now.saturating_sub(*t) >= window)
            {
                times.pop_front();
            }
            !times.is_empty()
        });
        JoinLimiter::keys(from, &self.limits)
            .into_iter()
            .find(|(k, max, _)| self.failures.get(k).map_or(0, VecDeque::len) >= *max)
            .map(|(_, _, who)| who)
    }

    /// Counts a failed join.
    pub fn failed(&mut self, now: u64, from: &JoinFrom) {
        for (key, max, _) in JoinLimiter::keys(from, &self.limits) {
            if !self.failures.contains_key(&key) && self.failures.len() >= MAX_KEYS {
                // Forget the key whose last failure is oldest.
                let oldest = self
                    .failures
                    .iter()
                    .min_by_key(|(_, t)| t.back().copied().unwrap_or(0))
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.failures.remove(&k);
                }
            }
            let times = self.failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > max {
                times.pop_front();
            }
        }
    }

    /// Keys kept now (for tests).
    pub fn keys_kept(&self) -> usize {
        self.failures.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, conn: u64, ip: &str) -> JoinFrom {
        JoinFrom {
            peer: peer.into(),
            connection: Some(conn),
            ip: Some(ip.into()),
        }
    }

    #[test]
    fn fresh_identities_meet_the_connection_and_address_limits() {
        // Tighter per connection than per device, to see each limit apart.
        let limits = JoinLimits {
            per_peer: 10,
            per_connection: 3,
            ..JoinLimits::default()
        };
        let mut l = JoinLimiter::new(limits);
        // Noise binds one identity to a connection, so in practice the
        // connection and the device limits meet; each is counted anyway.
        for _ in 0..limits.per_connection {
            assert_eq!(l.refused(0, &from("a", 1, "10.0.0.9")), None);
            l.failed(0, &from("a", 1, "10.0.0.9"));
        }
        assert_eq!(
            l.refused(1, &from("a", 1, "10.0.0.9")),
            Some("this connection")
        );
        // New identities on new connections from one address.
        for i in 0..(limits.per_ip - limits.per_connection) {
            let f = from(&format!("p{i}"), 100 + i as u64, "10.0.0.9");
            assert_eq!(l.refused(2, &f), None);
            l.failed(2, &f);
        }
        let next = from("fresh", 999, "10.0.0.9");
        assert_eq!(l.refused(3, &next), Some("this network address"));
        // Someone else on another address is not affected.
        assert_eq!(l.refused(3, &from("ana", 5, "10.0.0.7")), None);
        // The window passes.
        assert_eq!(l.refused(limits.window_ms + 3, &next), None);
        assert_eq!(l.keys_kept(), 0);
    }

    #[test]
    fn one_device_is_limited_across_connections_and_keys_are_bounded() {
        let limits = JoinLimits::default();
        let mut l = JoinLimiter::new(limits);
        for c in 0..limits.per_peer as u64 {
            l.failed(0, &from("eve", c, &format!("10.0.1.{c}")));
        }
        assert_eq!(
            l.refused(1, &from("eve", 77, "10.0.2.1")),
            Some("this device")
        );
        for i in 0..(MAX_KEYS as u64 * 2) {
            l.failed(
                i,
                &JoinFrom {
                    peer: format!("id{i}"),
                    connection: None,
                    ip: None,
                },
            );
        }
        assert!(l.keys_kept() <= MAX_KEYS);
    }
}
