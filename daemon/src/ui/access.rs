//! Who may use the web app: the user who runs the daemon, and nobody else
//! on the machine.
//!
//! The app listens on the loopback interface only, so other machines never
//! reach it; other *users* of the same machine could, so every route but the
//! login needs a session. `tandem ui` (run by the user, who can read the
//! home) makes a one-time login link from the secret `ui-secret` in the home
//! (0600): `/login?t=<unix seconds>.<random nonce>.<hex of SHA-256(secret,
//! "tandem-ui-login", seconds, nonce)>`, valid for two minutes and once. The login sets an HttpOnly,
//! SameSite=Strict session cookie (a fresh random value, kept in memory:
//! a restarted daemon asks for `tandem ui` again).
//!
//! Every request must name the app's own address in `Host` (a page on
//! another site that resolves its name to 127.0.0.1 — DNS rebinding — sends
//! its own name), and a request that changes anything must come with the
//! session and an `Origin` of the app itself (a form on another site posts
//! with its own origin), so there is no CORS and no cross-site request.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The secret's file in the home.
pub const SECRET_FILE: &str = "ui-secret";
/// How long a login link is good for.
pub const LOGIN_SECONDS: i64 = 120;
/// Most sessions kept (the oldest goes first).
pub const SESSIONS_MAX: usize = 64;
/// The session cookie's name.
pub const COOKIE: &str = "tandem_session";

/// Why the secret could not be had.
#[derive(Debug, thiserror::Error)]
#[error("ui secret {path}: {why}")]
pub struct SecretError {
    path: PathBuf,
    why: String,
}

/// Reads the home's secret, making it (0600) on first use.
pub fn secret(home: &Path) -> Result<Vec<u8>, SecretError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = home.join(SECRET_FILE);
    let err = |why: String| SecretError {
        path: path.clone(),
        why,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => return hex::decode(text.trim()).map_err(|e| err(e.to_string())),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(err(e.to_string())),
        Err(_) => {}
    }
    let mut bytes = vec![0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| err(e.to_string()))?;
    f.write_all(hex::encode(&bytes).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| err(e.to_string()))?;
    Ok(bytes)
}

/// The login proof for `seconds` and `nonce`.
fn proof(secret: &[u8], seconds: i64, nonce: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret);
    h.update(b"tandem-ui-login");
    h.update(seconds.to_string().as_bytes());
    h.update(b".");
    h.update(nonce.as_bytes());
    hex::encode(h.finalize())
}

/// A login link's token for `now` (what `tandem ui` puts in the URL), each
/// one different.
pub fn login_token(secret: &[u8], now: Timestamp) -> String {
    let seconds = now.as_second();
    let mut n = [0u8; 16];
    rand::rng().fill_bytes(&mut n);
    let nonce = hex::encode(n);
    format!("{seconds}.{nonce}.{}", proof(secret, seconds, &nonce))
}

/// The app's sessions and the logins used, shared by its handlers.
#[derive(Clone)]
pub struct Access {
    secret: Arc<Vec<u8>>,
    /// The app's own address, `127.0.0.1:PORT`.
    pub authority: String,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    sessions: VecDeque<String>,
    /// Login tokens used, with when they stop mattering (they expire).
    used: HashMap<String, i64>,
}

impl Access {
    /// Access for the app at `authority` with the home's `secret`.
    pub fn new(secret: Vec<u8>, authority: String) -> Access {
        Access {
            secret: Arc::new(secret),
            authority,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Whether `host` (a request's Host header) names the app itself.
    pub fn is_own_host(&self, host: Option<&str>) -> bool {
        let port = self.authority.rsplit(':').next().unwrap_or("");
        match host {
            Some(h) => h == self.authority || h == format!("localhost:{port}"),
            None => false,
        }
    }

    /// Whether `origin` (a request's Origin header) is the app itself.
    pub fn is_own_origin(&self, origin: Option<&str>) -> bool {
        let port = self.authority.rsplit(':').next().unwrap_or("");
        matches!(origin, Some(o) if o == format!("http://{}", self.authority)
            || o == format!("http://localhost:{port}"))
    }

    /// Trades a login token for a new session's cookie value, once.
    pub fn login(&self, token: &str, now: Timestamp) -> Option<String> {
        let mut parts = token.splitn(3, '.');
        let (seconds, nonce, given) = (parts.next()?, parts.next()?, parts.next()?);
        let hexy = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        if seconds.is_empty() || !seconds.bytes().all(|b| b.is_ascii_digit()) || !hexy(nonce) {
            return None;
        }
        let seconds: i64 = seconds.parse().ok()?;
        let age = now.as_second() - seconds;
        if !(-5..=LOGIN_SECONDS).contains(&age) {
            return None;
        }
        if !same(&proof(&self.secret, seconds, nonce), given) {
            return None;
        }
        let mut st = self.state.lock().ok()?;
        let horizon = now.as_second() - LOGIN_SECONDS - 10;
        st.used.retain(|_, at| *at > horizon);
        if st.used.insert(token.to_string(), seconds).is_some() {
            return None;
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let session = hex::encode(bytes);
        if st.sessions.len() >= SESSIONS_MAX {
            st.sessions.pop_front();
        }
        st.sessions.push_back(session.clone());
        Some(session)
    }

    /// Whether a request's Cookie header carries a live session.
    pub fn has_session(&self, cookie_header: Option<&str>) -> bool {
        let Some(header) = cookie_header else {
            return false;
        };
        let Ok(st) = self.state.lock() else {
            return false;
        };
        header
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, v)| k == COOKIE && st.sessions.iter().any(|s| same(s, v)))
    }
}

/// Whether two secrets are equal, compared whole (no early exit on the
/// first difference, which another user of the machine could time).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        Access::new(vec![7; 32], "127.0.0.1:4456".into())
    }

    #[test]
    fn a_login_link_works_once_and_only_while_fresh() {
        let a = access();
        let now = Timestamp::from_second(1_900_000_000).unwrap();
        let token = login_token(&[7; 32], now);
        let session = a.login(&token, now).expect("fresh token");
        assert!(a.has_session(Some(&format!("x=1; {COOKIE}={session}"))));
        assert!(a.login(&token, now).is_none(), "used once");
        let old = login_token(
            &[7; 32],
            now - jiff::SignedDuration::from_secs(LOGIN_SECONDS + 1),
        );
        assert!(a.login(&old, now).is_none(), "expired");
        let forged = login_token(&[8; 32], now);
        assert!(a.login(&forged, now).is_none(), "another secret");
        assert!(a.login("123.abc", now).is_none());
        let again = login_token(&[7; 32], now);
        assert_ne!(again, token, "each link is new");
        assert!(a.login(&again, now).is_some());
        assert!(!a.has_session(Some(&format!("{COOKIE}=deadbeef"))));
        assert!(!a.has_session(None));
    }

    #[test]
    fn only_the_apps_own_host_and_origin_pass() {
        let a = access();
        assert!(a.is_own_host(Some("127.0.0.1:4456")));
        assert!(a.is_own_host(Some("localhost:4456")));
        assert!(!a.is_own_host(Some("evil.example:4456")));
        assert!(!a.is_own_host(None));
        assert!(a.is_own_origin(Some("http://127.0.0.1:4456")));
        assert!(!a.is_own_origin(Some("http://evil.example")));
        assert!(!a.is_own_origin(None));
    }
}
