//! `--json` output laid out for people: the tokens of JSON text from
//! tandemd ([`crate::scan`]), indented as serde_json's pretty writer
//! indents a value (two spaces, `"key": value`, `[]` and `{}` when empty),
//! without decoding it.
//!
//! Long lists (`plan list` of 5,000 plans, `goal list` of a big plan) are
//! passed on as the daemon wrote them. Laying them out by decoding and
//! encoding every token again (serde-transcode; the jsonformat crate runs
//! at the same speed) was the largest part of such a command: 2.7 ms for
//! the 1.2 MB of 5,000 plans, into a fresh 1.6 MB buffer. This copies each
//! token as it came and replaces the whitespace between them, writing
//! through one small buffer as the reply arrives. For text serde_json
//! wrote, the result is byte for byte what `serde_json::to_string_pretty`
//! writes for the value (a property test checks this).

use std::io::Write;

use crate::scan::{Piece, Tokens};

/// Lays out the tokens it is handed and writes them to `sink`, whole
/// lines at a time, [`CHUNK`] bytes or more at once.
#[derive(Debug)]
pub struct Layout<W: Write> {
    sink: W,
    out: Vec<u8>,
    depth: usize,
    /// Just after `[` or `{`: the next value goes on a new line, unless the
    /// next token closes it (`[]`).
    opened: bool,
    /// The first failed write, until taken.
    failed: Option<std::io::Error>,
    /// A write failed: nothing more is written.
    broken: bool,
}

impl<W: Write> Layout<W> {
    /// A layout writing to `sink`.
    pub fn new(sink: W) -> Self {
        Layout {
            sink,
            out: Vec::with_capacity(CHUNK + CHUNK / 4),
            depth: 0,
            opened: false,
            failed: None,
            broken: false,
        }
    }

    /// The error of a failed write (stdout closed by `| head`), once.
    pub fn take_failure(&mut self) -> Option<std::io::Error> {
        self.failed.take()
    }

    /// Ends the text with a newline and writes what is left.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.push(b'\n');
        self.write_out();
        match self.failed.take() {
            Some(e) => Err(e),
            None => self.sink.flush().map(|()| self.sink),
        }
    }

    #[cold]
    #[inline(never)]
    fn write_out(&mut self) {
        if !self.broken
            && let Err(e) = self.sink.write_all(&self.out)
        {
            self.failed = Some(e);
            self.broken = true;
        }
        self.out.clear();
    }

    /// A new line at the current depth. Lines are written out here, whole:
    /// stdout is line-buffered, and would write the tail of a chunk that
    /// ends mid-line on its own.
    #[inline(always)]
    fn newline(&mut self) {
        self.out.push(b'\n');
        if self.out.len() >= CHUNK {
            self.write_out();
        }
        // Two spaces a level: the depths of a list are few, and copying
        // a run of spaces compiled to a call to `memset` each line.
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }
}

impl<W: Write> Tokens for Layout<W> {
    fn open(&mut self, bracket: u8) {
        if self.opened {
            self.newline();
        }
        self.out.push(bracket);
        self.depth += 1;
        self.opened = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth = self.depth.saturating_sub(1);
        if !self.opened {
            self.newline();
        }
        self.opened = false;
        self.out.push(bracket);
    }

    fn colon(&mut self) {
        self.out.extend_from_slice(b": ");
    }

    fn comma(&mut self) {
        self.out.push(b',');
        self.newline();
    }

    fn piece(&mut self, piece: Piece<'_>) {
        if piece.first && self.opened {
            self.newline();
            self.opened = false;
        }
        self.out.extend_from_slice(piece.bytes);
    }
}

/// How much laid-out text is written at once: the output of a long list
/// goes through one small buffer rather than a copy of its whole size
/// (1.6 MB for 5,000 plans), whose fresh pages each cost a page fault.
const CHUNK: usize = 64 * 1024;

/// `json` laid out, as a [`Layout`] writes it; `None` if it is not JSON.
#[cfg(test)]
pub fn pretty(json: &str) -> Option<Vec<u8>> {
    let mut scanner = crate::scan::Scanner::new();
    let mut layout = Layout::new(Vec::new());
    scanner.feed(json.as_bytes(), &mut layout).ok()?;
    scanner.finish(&mut layout).ok()?;
    layout.finish().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use serde_json::Value;

    use super::{Layout, pretty};
    use crate::scan::Scanner;
    use crate::scan::tests::any_json;

    /// A sink that keeps each write apart.
    #[derive(Default)]
    struct Lines {
        writes: Vec<Vec<u8>>,
    }

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn as_serde_json(v: &Value) -> String {
        serde_json::to_string_pretty(v).unwrap() + "\n"
    }

    #[test]
    fn awkward_values_are_laid_out_as_serde_json_lays_them_out() {
        for text in [
            r#"[]"#,
            r#"{}"#,
            r#"[[],{},[{}],{"a":[]}]"#,
            r#"{"a\"b":"c\\","d":"\\\"","e":"x:y,z[{}]","\u0001":-1.5e-7}"#,
            r#""just a string""#,
            r#"null"#,
            r#"[true,false,null,0,12345678901234567890]"#,
            r#"{"é":"ünïcødé 😀","tab":"a\tb\nc"}"#,
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            let compact = serde_json::to_string(&v).unwrap();
            assert_eq!(
                String::from_utf8(pretty(&compact).unwrap()).unwrap(),
                as_serde_json(&v),
                "{text}"
            );
        }
    }

    /// Text with whitespace between tokens (another writer's) gets the same
    /// layout as the compact text.
    #[test]
    fn whitespace_between_tokens_is_replaced() {
        let spaced = "[ 1 ,\n\t{ \"a\" : [ ] , \"b\":\"x y\" } ]";
        let v: Value = serde_json::from_str(spaced).unwrap();
        assert_eq!(
            String::from_utf8(pretty(spaced).unwrap()).unwrap(),
            as_serde_json(&v)
        );
    }

    proptest! {
        /// Whatever serde_json writes compactly comes out as its pretty
        /// writer would have written it.
        #[test]
        fn the_layout_is_serde_jsons(v in any_json()) {
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(String::from_utf8(pretty(&compact).unwrap()).unwrap(), as_serde_json(&v));
        }

        /// Fed in pieces cut anywhere (inside strings, numbers, UTF-8
        /// characters, escapes), the same text is laid out the same, and
        /// written whole lines at a time.
        #[test]
        fn pieces_are_laid_out_as_the_whole(v in any_json(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12)) {
            let compact = serde_json::to_string(&v).unwrap();
            let bytes = compact.as_bytes();
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            at.sort_unstable();
            let mut scanner = Scanner::new();
            let mut layout = Layout::new(Lines::default());
            let mut from = 0;
            for to in at.into_iter().chain([bytes.len()]) {
                scanner.feed(&bytes[from..to], &mut layout).unwrap();
                from = to;
            }
            scanner.finish(&mut layout).unwrap();
            let written = layout.finish().unwrap();
            prop_assert!(written.writes.iter().all(|w| w.ends_with(b"\n")));
            prop_assert_eq!(String::from_utf8(written.writes.concat()).unwrap(), as_serde_json(&v));
        }
    }
}
