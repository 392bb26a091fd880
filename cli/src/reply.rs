//! Finding one value in a reply as it arrives, and passing it on laid
//! out: the `goals` of `{"plan": {..., "goals": [...], ...}}`, or the
//! `plans` of `{"plans": [...]}`, for `--json` lists.
//!
//! The reply is fed in pieces as they come off the socket ([`PassOn`]);
//! [`crate::scan`] checks it is JSON and hands on its tokens, [`Route`]
//! follows the path's keys and hands the tokens of the value at the path to
//! a [`Layout`], which writes them out. Nothing is written unless the path
//! is there: an error reply (`{"error": ...}`, the first key) is kept and
//! decoded instead, and a reply without the path is named by its key. The
//! rest of the reply is still checked after the value, so text that is not
//! JSON is refused, though after the value was written.
//!
//! Before, the whole reply was read into one buffer (1.2 MB of fresh pages
//! for 5,000 plans), checked with serde (0.84 ms), and laid out in a second
//! pass.

use std::io::Write;

use tandem_proto::ApiError;

use crate::layout::Layout;
use crate::scan::{Piece, ScanError, Scanner, Tokens};

/// What a reply held.
#[derive(Debug)]
pub enum Found {
    /// The value at the path, now written out.
    Passed,
    /// The reply was an error.
    Error(ApiError),
    /// The reply held something else: the first key it had where the path
    /// wanted another (`plan` for a `plans` request, or `goals` missing
    /// from the plan).
    Missing(String),
}

/// Why passing a reply on stopped.
#[derive(Debug, thiserror::Error)]
pub enum Stop {
    /// The reply is not JSON.
    #[error("tandemd sent a reply that is {0}")]
    NotJson(#[from] ScanError),
    /// The output could not be written (closed by `| head`, a full disk).
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
}

/// A reply fed in pieces, the value at `path` laid out to `out`.
#[derive(Debug)]
pub struct PassOn<'p, W: Write> {
    scanner: Scanner,
    route: Route<'p, Layout<W>>,
}

impl<'p, W: Write> PassOn<'p, W> {
    /// Looks for the value at `path` (object keys, outermost first).
    pub fn new(path: &'p [&'p str], out: W) -> Self {
        PassOn {
            scanner: Scanner::new(),
            route: Route::new(path, Layout::new(out)),
        }
    }

    /// The next piece of the reply.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.scanner.feed(bytes, &mut self.route)?;
        match self.route.inner.take_failure() {
            // No point in reading on.
            Some(e) => Err(Stop::Write(e)),
            None => Ok(()),
        }
    }

    /// The end of the reply: what it held, the value written out in full.
    pub fn finish(mut self) -> Result<Found, Stop> {
        self.scanner.finish(&mut self.route)?;
        let found = self.route.found();
        if let Found::Passed = found {
            self.route.inner.finish()?;
        }
        Ok(found)
    }
}

/// Follows a path of keys through the tokens of a reply, handing the
/// value at its end to `inner`.
#[derive(Debug)]
pub struct Route<'p, S> {
    path: &'p [&'p str],
    /// Keys of the path found: the object looked in is the one `matched + 1`
    /// brackets deep.
    matched: usize,
    /// Brackets open.
    depth: usize,
    /// The key being read in the object looked in, as written.
    key: Vec<u8>,
    /// What the value after the last key read is for.
    next: Next,
    mode: Mode,
    found: Option<Found>,
    /// The text of an error reply's value.
    error: Vec<u8>,
    inner: S,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Skip,
    /// The next key of the path: look inside.
    Descend,
    /// The value at the path.
    Pass,
    /// An error reply's.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Look,
    /// Handing tokens to `inner` until the value that began this many
    /// brackets deep ends.
    Pass(usize),
    /// Keeping the error reply's value until it ends.
    Error(usize),
}

/// Longest key kept for comparing: longer ones match no path.
const KEY_MAX: usize = 1024;
/// Longest error reply kept.
const ERROR_MAX: usize = 64 * 1024;

impl<'p, S: Tokens> Route<'p, S> {
    /// A route along `path` to `inner`.
    pub fn new(path: &'p [&'p str], inner: S) -> Self {
        Route {
            path,
            matched: 0,
            depth: 0,
            key: Vec::new(),
            next: Next::Skip,
            mode: Mode::Look,
            found: None,
            error: Vec::new(),
            inner,
        }
    }

    /// What the reply held (once it has ended).
    pub fn found(&mut self) -> Found {
        self.found
            .take()
            .unwrap_or_else(|| Found::Missing(self.wanted()))
    }

    /// The key of the path looked for now.
    fn wanted(&self) -> String {
        self.path.get(self.matched).unwrap_or(&"").to_string()
    }

    /// A value begins (`bracket` if it is an object or a list).
    fn value_begins(&mut self, bracket: Option<u8>) {
        match std::mem::replace(&mut self.next, Next::Skip) {
            Next::Skip => {}
            Next::Pass => self.mode = Mode::Pass(self.depth),
            Next::Error => self.mode = Mode::Error(self.depth),
            Next::Descend if bracket == Some(b'{') => self.matched += 1,
            Next::Descend => self.missing(),
        }
    }

    /// The value that began `at` brackets deep may have ended.
    fn value_may_end(&mut self, at: usize, error: bool) {
        if self.depth != at {
            return;
        }
        self.mode = Mode::Look;
        let found = if error {
            match serde_json::from_slice(&self.error) {
                Ok(e) => Found::Error(e),
                Err(_) => Found::Missing("error".into()),
            }
        } else {
            Found::Passed
        };
        self.found.get_or_insert(found);
    }

    fn missing(&mut self) {
        let key = self.wanted();
        self.found.get_or_insert(Found::Missing(key));
    }

    /// A key of the object looked in was read whole (as written, quotes
    /// included; one too long to keep is `"\`, which names nothing).
    fn key_read(&mut self) {
        let key = std::mem::take(&mut self.key);
        let is = |name: &str| match key.get(1..key.len().saturating_sub(1)) {
            Some(inner) if !inner.contains(&b'\\') => inner == name.as_bytes(),
            // Escapes are compared by what they mean.
            _ => serde_json::from_slice::<String>(&key).is_ok_and(|k| k == name),
        };
        self.next = if self.path.get(self.matched).is_some_and(|k| is(k)) {
            if self.matched + 1 == self.path.len() {
                Next::Pass
            } else {
                Next::Descend
            }
        } else if self.matched == 0 && is("error") {
            Next::Error
        } else {
            if self.matched == 0 {
                // A reply holds one key: this one is not what was asked.
                let name = serde_json::from_slice::<String>(&key)
                    .unwrap_or_else(|_| String::from_utf8_lossy(&key).into_owned());
                self.found.get_or_insert(Found::Missing(name));
            }
            Next::Skip
        };
    }

    fn keep(&mut self, bytes: &[u8]) {
        if self.error.len() + bytes.len() <= ERROR_MAX {
            self.error.extend_from_slice(bytes);
        }
    }
}

impl<S: Tokens> Tokens for Route<'_, S> {
    fn open(&mut self, bracket: u8) {
        if self.mode == Mode::Look {
            if self.depth == 0 && bracket != b'{' {
                self.found
                    .get_or_insert(Found::Missing("something other than an object".into()));
            } else {
                self.value_begins(Some(bracket));
            }
        }
        match self.mode {
            Mode::Pass(_) => self.inner.open(bracket),
            Mode::Error(_) => self.keep(&[bracket]),
            Mode::Look => {}
        }
        self.depth += 1;
    }

    fn close(&mut self, bracket: u8) {
        self.depth = self.depth.saturating_sub(1);
        match self.mode {
            Mode::Pass(at) => {
                self.inner.close(bracket);
                self.value_may_end(at, false);
            }
            Mode::Error(at) => {
                self.keep(&[bracket]);
                self.value_may_end(at, true);
            }
            Mode::Look if self.depth == self.matched => self.missing(),
            Mode::Look => {}
        }
    }

    fn colon(&mut self) {
        match self.mode {
            Mode::Pass(_) => self.inner.colon(),
            Mode::Error(_) => self.keep(b":"),
            Mode::Look => {}
        }
    }

    fn comma(&mut self) {
        match self.mode {
            Mode::Pass(_) => self.inner.comma(),
            Mode::Error(_) => self.keep(b","),
            Mode::Look => {}
        }
    }

    #[inline(always)]
    fn piece(&mut self, piece: Piece<'_>) {
        if let Mode::Pass(at) = self.mode {
            // Most of a long reply: first, and in few steps.
            self.inner.piece(piece);
            if piece.last {
                self.value_may_end(at, false);
            }
            return;
        }
        if self.mode == Mode::Look && piece.first && !piece.key {
            self.value_begins(None);
        }
        match self.mode {
            Mode::Pass(at) => {
                self.inner.piece(piece);
                if piece.last {
                    self.value_may_end(at, false);
                }
            }
            Mode::Error(at) => {
                self.keep(piece.bytes);
                if piece.last {
                    self.value_may_end(at, true);
                }
            }
            Mode::Look if piece.key && self.depth == self.matched + 1 && self.found.is_none() => {
                if self.key.len() + piece.bytes.len() <= KEY_MAX {
                    self.key.extend_from_slice(piece.bytes);
                } else {
                    // Too long for any path: kept as a key that is no name,
                    // not cut to a prefix that could be one.
                    self.key.clear();
                    self.key.extend_from_slice(b"\"\\");
                }
                if piece.last {
                    self.key_read();
                }
            }
            Mode::Look => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::{Found, PassOn, Stop};

    /// What passing `json` on, fed in pieces of `size` bytes, found and wrote.
    fn pass_in(json: &str, path: &[&str], size: usize) -> (Result<Found, Stop>, String) {
        let mut out = Vec::new();
        let mut pass = PassOn::new(path, &mut out);
        let fed = json
            .as_bytes()
            .chunks(size.max(1))
            .try_for_each(|piece| pass.feed(piece));
        let found = fed.and_then(|()| pass.finish());
        (found, String::from_utf8(out).unwrap())
    }

    fn pass(json: &str, path: &[&str]) -> (Result<Found, Stop>, String) {
        pass_in(json, path, json.len())
    }

    /// The value at `path`, as written out.
    fn value(json: &str, path: &[&str]) -> String {
        match pass(json, path) {
            (Ok(Found::Passed), out) => out,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_value_at_the_path_is_written_out_laid_out() {
        let reply = r#"{"plan":{"id":"x","goals":[ {"a":1}, {"b":"\"}"} ],"notes":[]}}"#;
        assert_eq!(
            value(reply, &["plan", "goals"]),
            "[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": \"\\\"}\"\n  }\n]\n"
        );
        assert_eq!(value(reply, &["plan", "notes"]), "[]\n");
        assert_eq!(value(reply, &["plan", "id"]), "\"x\"\n");
        assert_eq!(value(r#"{"plans":[]}"#, &["plans"]), "[]\n");
        // Keys with escapes are compared by what they mean.
        assert_eq!(
            value(r#"{"pl\u0061n":{"go\u0061ls":7}}"#, &["plan", "goals"]),
            "7\n"
        );
        // Keys of the same name deeper down are not the path's.
        assert_eq!(
            value(
                r#"{"plan":{"x":{"goals":1},"goals":2}}"#,
                &["plan", "goals"]
            ),
            "2\n"
        );
    }

    /// A key too long to keep, cut between two pieces after `"planx`, is
    /// not taken for `plan` (its first piece less the last byte, as a
    /// whole key less its closing quote).
    #[test]
    fn a_key_too_long_to_keep_matches_no_path() {
        let long = format!("plan{}", "x".repeat(super::KEY_MAX));
        let reply = format!(r#"{{"{long}":{{"goals":[1]}}}}"#);
        let cut = r#"{"planx"#.len();
        let mut out = Vec::new();
        let mut pass = PassOn::new(&["plan", "goals"], &mut out);
        pass.feed(&reply.as_bytes()[..cut]).unwrap();
        pass.feed(&reply.as_bytes()[cut..]).unwrap();
        match pass.finish().unwrap() {
            Found::Missing(k) => assert!(k.starts_with("\""), "{k}"),
            other => panic!("{other:?}"),
        }
        assert!(out.is_empty());
    }

    #[test]
    fn an_error_reply_is_read_as_one_and_nothing_is_written() {
        let reply = r#"{"error":{"code":"not_found","message":"no plan matches x"}}"#;
        match pass(reply, &["plan", "goals"]) {
            (Ok(Found::Error(e)), out) => {
                assert_eq!(e.message, "no plan matches x");
                assert_eq!(out, "");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn another_reply_or_a_missing_list_is_named_and_nothing_is_written() {
        let missing = |json: &str, path: &[&str]| match pass(json, path) {
            (Ok(Found::Missing(k)), out) if out.is_empty() => k,
            other => panic!("{other:?}"),
        };
        assert_eq!(missing(r#"{"plans":[]}"#, &["plan", "goals"]), "plans");
        assert_eq!(
            missing(r#"{"plan":{"notes":[]}}"#, &["plan", "goals"]),
            "goals"
        );
        assert_eq!(missing(r#"{"plan":[1]}"#, &["plan", "goals"]), "plan");
        assert_eq!(missing(r#"{}"#, &["plans"]), "plans");
        assert_eq!(
            missing(r#"[]"#, &["plans"]),
            "something other than an object"
        );
        assert_eq!(missing(r#"{"error":7}"#, &["plans"]), "error");
    }

    #[test]
    fn text_that_is_not_json_is_refused_even_outside_the_value() {
        for bad in [
            r#"{"plan":{"goals":[],"notes":[}}"#,
            r#"{"plan":{"goals":[]}} trailing"#,
            r#"{"plan":{"goals":[1,]}}"#,
            r#"{"plan":"#,
            "",
        ] {
            assert!(
                matches!(pass(bad, &["plan", "goals"]).0, Err(Stop::NotJson(_))),
                "{bad}"
            );
        }
    }

    /// A sink that takes `room` bytes, then refuses like a closed pipe.
    struct Closed {
        room: usize,
    }

    impl std::io::Write for Closed {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            self.room -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_output_stops_the_reading() {
        let reply = format!(
            r#"{{"plans":[{}]}}"#,
            vec![r#""a plan with a long enough name""#; 10_000].join(",")
        );
        let mut pass = PassOn::new(&["plans"], Closed { room: 1000 });
        let pieces: Vec<&[u8]> = reply.as_bytes().chunks(16 * 1024).collect();
        let stopped = pieces
            .iter()
            .map(|piece| pass.feed(piece))
            .position(|fed| matches!(fed, Err(Stop::Write(_))));
        // Stopped at the piece that filled the output's buffer, long
        // before the end.
        assert!(
            stopped.is_some_and(|at| at < pieces.len() / 2),
            "{stopped:?} of {}",
            pieces.len()
        );
    }

    proptest! {
        /// Wherever the pieces are cut, the same is found and written.
        #[test]
        fn pieces_find_and_write_what_the_whole_does(size in 1usize..40, which in 0usize..4) {
            let reply = r#"{"plan":{"id":"x\u00e9","title":"é😀","goals":[{"a":-1.5e3,"b":[true,null]}],"notes":[]}}"#;
            let path: &[&str] = [&["plan", "goals"][..], &["plan", "notes"], &["plan", "title"], &["plans"]][which];
            let (whole, whole_out) = pass(reply, path);
            let (cut, cut_out) = pass_in(reply, path, size);
            prop_assert_eq!(format!("{whole:?}"), format!("{cut:?}"));
            prop_assert_eq!(whole_out, cut_out);
        }
    }
}
