//! JSON checked as it arrives, one piece at a time, and handed on as
//! tokens: the reader of a long `--json` reply (5,000 plans are 1.2 MB)
//! that needs neither the whole reply in memory nor a second pass over it.
//!
//! [`Scanner`] is a state machine without IO: it is fed the bytes of a
//! reply in pieces of any size ([`Scanner::feed`]), and calls a
//! [`Tokens`] sink for each bracket, colon and comma, and for each string,
//! number or literal: those as written (quotes, escapes), in one or more
//! [`Piece`]s when the token spans the end of a piece of input. Between
//! tokens, whitespace is dropped. It accepts exactly the JSON that
//! serde_json accepts (RFC 8259: no trailing commas, no leading zeros, no
//! raw control characters in strings, `\u` followed by four hex digits),
//! save that it sets no limit on nesting (serde_json stops at 128 levels),
//! and checks UTF-8 across the pieces; a property test holds it to
//! serde_json's verdict.
//!
//! Replaces reading the reply whole and checking it with serde before
//! laying it out: at 5,000 plans that was a 1.2 MB buffer of fresh pages
//! (one page fault each) and 0.84 ms of serde's check; see BENCHMARKS.md.
//! Hand-written because the crates that read JSON as it comes
//! (json-event-parser, struson) hand on decoded strings, which would have
//! to be encoded again, the cost the layout exists to avoid.

/// What a scanner hands on.
pub trait Tokens {
    /// `{` or `[`.
    fn open(&mut self, bracket: u8);
    /// `}` or `]`.
    fn close(&mut self, bracket: u8);
    /// The `:` after a key.
    fn colon(&mut self);
    /// The `,` between values.
    fn comma(&mut self);
    /// A string, number or literal, or part of one.
    fn piece(&mut self, piece: Piece<'_>);
}

/// A string (quotes and escapes as written), number or literal, or the
/// part of one that was in one piece of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    /// Its bytes.
    pub bytes: &'a [u8],
    /// The token starts here.
    pub first: bool,
    /// The token ends here.
    pub last: bool,
    /// The token is an object's key.
    pub key: bool,
}

/// Why text is not JSON, and where (the byte from the start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not JSON: {what} at byte {at}")]
pub struct ScanError {
    /// What was wrong.
    pub what: &'static str,
    /// Where, counted from the first byte fed.
    pub at: usize,
}

/// Checks JSON fed in pieces; see the module doc.
#[derive(Debug)]
pub struct Scanner {
    /// What may come next between tokens.
    expect: Expect,
    /// A string, number or literal cut at the end of the last piece.
    partial: Option<Partial>,
    /// The brackets open, innermost last (`{` or `[`).
    open: Vec<u8>,
    /// Bytes fed before the current piece.
    offset: usize,
    /// The start of a UTF-8 character cut off at the end of the last piece.
    held: [u8; 4],
    held_len: usize,
}

/// What may come next between tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value; `]` may come instead right after `[`.
    Value { close: bool },
    /// A key; `}` may come instead right after `{`.
    Key { close: bool },
    /// The `:` after a key.
    Colon,
    /// After a value inside brackets: `,` or the closing bracket.
    After,
    /// After the whole value: only whitespace.
    Done,
}

impl Expect {
    /// What is wrong with another byte here.
    fn unexpected(self) -> &'static str {
        match self {
            Expect::Value { .. } => "something other than a value",
            Expect::Key { .. } => "something other than a key",
            Expect::Colon => "a key without its colon",
            Expect::After => "something other than a comma or a close",
            Expect::Done => "more after the value",
        }
    }
}

/// A token cut at the end of a piece: where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partial {
    Str {
        key: bool,
        escape: Escape,
    },
    Num(Num),
    /// `true`, `false` or `null`, matched up to `at`.
    Word {
        word: &'static [u8],
        at: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// Just after a backslash.
    Backslash,
    /// This many hex digits of a `\u` still to come.
    Hex(u8),
}

/// Where in a number's grammar (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    E,
    ESign,
    Exp,
}

impl Num {
    fn start(b: u8) -> Option<Num> {
        match b {
            b'-' => Some(Num::Minus),
            b'0' => Some(Num::Zero),
            b'1'..=b'9' => Some(Num::Int),
            _ => None,
        }
    }

    /// The state after `b`; `None` when `b` is not part of the number.
    fn step(self, b: u8) -> Option<Num> {
        use Num::*;
        let digit = b.is_ascii_digit();
        match (self, b) {
            (Minus, b'0') => Some(Zero),
            (Minus, _) if digit => Some(Int),
            (Int, _) if digit => Some(Int),
            (Zero | Int, b'.') => Some(Dot),
            (Dot | Frac, _) if digit => Some(Frac),
            (Zero | Int | Frac, b'e' | b'E') => Some(E),
            (E, b'+' | b'-') => Some(ESign),
            (E | ESign | Exp, _) if digit => Some(Exp),
            _ => None,
        }
    }

    /// Whether the number may end here.
    fn complete(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::Exp)
    }
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            expect: Expect::Value { close: false },
            partial: None,
            open: Vec::new(),
            offset: 0,
            held: [0; 4],
            held_len: 0,
        }
    }
}

/// How a token ended, or that the piece ended first.
enum Ends {
    /// Just before this index.
    At(usize),
    /// Not in this piece: where it stopped.
    Cut(Partial),
}

impl Scanner {
    /// A scanner at the start of a text.
    pub fn new() -> Scanner {
        Scanner::default()
    }

    /// Checks the next piece of the text and hands its tokens to `sink`.
    /// A UTF-8 character may be cut between two pieces.
    pub fn feed(&mut self, mut bytes: &[u8], sink: &mut impl Tokens) -> Result<(), ScanError> {
        if self.held_len > 0 {
            // Finish the character cut off at the end of the last piece.
            while let Some((&b, rest)) = bytes.split_first() {
                let mut held = self.held;
                held[self.held_len] = b;
                self.held = held;
                self.held_len += 1;
                bytes = rest;
                match std::str::from_utf8(&held[..self.held_len]) {
                    Ok(_) => {
                        let n = self.held_len;
                        self.held_len = 0;
                        self.scan(&held[..n], sink)?;
                        break;
                    }
                    Err(e) if e.error_len().is_some() || self.held_len == 4 => {
                        return Err(self.error("a byte that is not UTF-8", 0));
                    }
                    Err(_) => {}
                }
            }
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(_) => bytes,
            Err(e) if e.error_len().is_none() => {
                // A character cut off at the end: kept for the next piece.
                let (text, cut) = bytes.split_at(e.valid_up_to());
                self.held[..cut.len()].copy_from_slice(cut);
                self.held_len = cut.len();
                text
            }
            Err(e) => {
                self.scan(&bytes[..e.valid_up_to()], sink)?;
                return Err(self.error("a byte that is not UTF-8", 0));
            }
        };
        self.scan(text, sink)
    }

    /// Checks that the text ended where a value may end.
    pub fn finish(&mut self, sink: &mut impl Tokens) -> Result<(), ScanError> {
        if self.held_len > 0 {
            return Err(self.error("a UTF-8 character cut short", 0));
        }
        match self.partial {
            None if self.expect == Expect::Done => Ok(()),
            Some(Partial::Num(n)) if n.complete() && self.open.is_empty() => {
                sink.piece(Piece {
                    bytes: &[],
                    first: false,
                    last: true,
                    key: false,
                });
                self.partial = None;
                self.expect = Expect::Done;
                Ok(())
            }
            _ => Err(self.error("the end of the text, cut short", 0)),
        }
    }

    fn error(&self, what: &'static str, i: usize) -> ScanError {
        ScanError {
            what,
            at: self.offset + i,
        }
    }

    /// What may come after a whole value.
    fn after_value(&self) -> Expect {
        if self.open.is_empty() {
            Expect::Done
        } else {
            Expect::After
        }
    }

    /// Scans `bytes`, valid UTF-8 (checked by [`Scanner::feed`]).
    fn scan(&mut self, bytes: &[u8], sink: &mut impl Tokens) -> Result<(), ScanError> {
        let mut i = 0;
        if let Some(partial) = self.partial.take() {
            // The rest of the token cut at the end of the last piece.
            match self.token(partial, bytes, 0)? {
                Ends::At(end) => {
                    let key = matches!(partial, Partial::Str { key: true, .. });
                    self.token_ends(sink, &bytes[..end], false, key);
                    i = end;
                }
                Ends::Cut(partial) => {
                    self.token_cut(sink, bytes, false, partial);
                    self.offset += bytes.len();
                    return Ok(());
                }
            }
        }
        while let Some(&b) = bytes.get(i) {
            let expect = self.expect;
            // Where a string, number or literal starting here starts.
            let from = i;
            let start = match (b, expect) {
                (b' ' | b'\n' | b'\r' | b'\t', _) => {
                    i += 1;
                    continue;
                }
                (b'"', Expect::Key { .. } | Expect::Value { .. }) => {
                    let key = matches!(expect, Expect::Key { .. });
                    // Most strings have no escape and end in this piece.
                    let rest = &bytes[i + 1..];
                    if let Some(k) = string_stop(rest)
                        && rest[k] == b'"'
                    {
                        let end = i + k + 2;
                        self.token_ends(sink, &bytes[i..end], true, key);
                        i = self.punctuation(bytes, end, sink);
                        continue;
                    }
                    Partial::Str {
                        key,
                        escape: Escape::None,
                    }
                }
                (b':', Expect::Colon) => {
                    self.colon(sink);
                    i += 1;
                    continue;
                }
                (b',', Expect::After) => {
                    self.comma(sink);
                    i += 1;
                    continue;
                }
                (b'{' | b'[', Expect::Value { .. }) => {
                    sink.open(b);
                    self.open.push(b);
                    self.expect = if b == b'{' {
                        Expect::Key { close: true }
                    } else {
                        Expect::Value { close: true }
                    };
                    i += 1;
                    continue;
                }
                (b']', Expect::Value { close: true } | Expect::After)
                | (b'}', Expect::Key { close: true } | Expect::After)
                    if self.open.last() == Some(&if b == b']' { b'[' } else { b'{' }) =>
                {
                    sink.close(b);
                    self.open.pop();
                    self.expect = self.after_value();
                    i += 1;
                    continue;
                }
                (b't', Expect::Value { .. }) => Partial::Word {
                    word: b"true",
                    at: 0,
                },
                (b'f', Expect::Value { .. }) => Partial::Word {
                    word: b"false",
                    at: 0,
                },
                (b'n', Expect::Value { .. }) => Partial::Word {
                    word: b"null",
                    at: 0,
                },
                (_, Expect::Value { .. }) => match Num::start(b) {
                    Some(n) => {
                        i += 1;
                        Partial::Num(n)
                    }
                    None => return Err(self.error(expect.unexpected(), i)),
                },
                _ => return Err(self.error(expect.unexpected(), i)),
            };
            if let Partial::Str { .. } = start {
                i += 1;
            }
            match self.token(start, bytes, i)? {
                Ends::At(end) => {
                    let key = matches!(start, Partial::Str { key: true, .. });
                    self.token_ends(sink, &bytes[from..end], true, key);
                    i = self.punctuation(bytes, end, sink);
                }
                Ends::Cut(partial) => {
                    self.token_cut(sink, &bytes[from..], true, partial);
                    break;
                }
            }
        }
        self.offset += bytes.len();
        Ok(())
    }

    /// Follows a token from `partial` at `bytes[i]` to its end.
    fn token(&self, partial: Partial, bytes: &[u8], mut i: usize) -> Result<Ends, ScanError> {
        match partial {
            Partial::Str { key, mut escape } => loop {
                match escape {
                    Escape::None => {
                        let Some(k) = string_stop(&bytes[i..]) else {
                            return Ok(Ends::Cut(Partial::Str { key, escape }));
                        };
                        i += k;
                        match bytes[i] {
                            b'"' => return Ok(Ends::At(i + 1)),
                            b'\\' => escape = Escape::Backslash,
                            _ => return Err(self.error("a control character in a string", i)),
                        }
                        i += 1;
                    }
                    Escape::Backslash => {
                        let Some(&b) = bytes.get(i) else {
                            return Ok(Ends::Cut(Partial::Str { key, escape }));
                        };
                        escape = match b {
                            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Escape::None,
                            b'u' => Escape::Hex(4),
                            _ => return Err(self.error("an unknown escape", i)),
                        };
                        i += 1;
                    }
                    Escape::Hex(n) => {
                        let Some(&b) = bytes.get(i) else {
                            return Ok(Ends::Cut(Partial::Str { key, escape }));
                        };
                        if !b.is_ascii_hexdigit() {
                            return Err(self.error("a \\u escape without four hex digits", i));
                        }
                        escape = if n == 1 {
                            Escape::None
                        } else {
                            Escape::Hex(n - 1)
                        };
                        i += 1;
                    }
                }
            },
            Partial::Num(mut n) => loop {
                let Some(&b) = bytes.get(i) else {
                    return Ok(Ends::Cut(Partial::Num(n)));
                };
                match n.step(b) {
                    Some(next) => n = next,
                    // `b` belongs to what comes next.
                    None if n.complete() => return Ok(Ends::At(i)),
                    None => return Err(self.error("a number cut short", i)),
                }
                i += 1;
            },
            Partial::Word { word, mut at } => loop {
                let Some(&b) = bytes.get(i) else {
                    return Ok(Ends::Cut(Partial::Word { word, at }));
                };
                if word.get(at) != Some(&b) {
                    return Err(self.error("a misspelt true, false or null", i));
                }
                i += 1;
                at += 1;
                if at == word.len() {
                    return Ok(Ends::At(i));
                }
            },
        }
    }

    /// The `:` after a key, or the `,` after a value, if it is at `i`:
    /// where the next token starts. Handled here, right after the token,
    /// they cost no trip through [`Scanner::scan`]'s dispatch on the next
    /// byte, whose jump the CPU mispredicts often (the tokens of a list
    /// alternate).
    fn punctuation(&mut self, bytes: &[u8], i: usize, sink: &mut impl Tokens) -> usize {
        match (bytes.get(i), self.expect) {
            (Some(b':'), Expect::Colon) => self.colon(sink),
            (Some(b','), Expect::After) => self.comma(sink),
            _ => return i,
        }
        i + 1
    }

    fn colon(&mut self, sink: &mut impl Tokens) {
        sink.colon();
        self.expect = Expect::Value { close: false };
    }

    fn comma(&mut self, sink: &mut impl Tokens) {
        sink.comma();
        self.expect = if self.open.last() == Some(&b'{') {
            Expect::Key { close: false }
        } else {
            Expect::Value { close: false }
        };
    }

    fn token_ends(&mut self, sink: &mut impl Tokens, bytes: &[u8], first: bool, key: bool) {
        sink.piece(Piece {
            bytes,
            first,
            last: true,
            key,
        });
        self.expect = if key {
            Expect::Colon
        } else {
            self.after_value()
        };
    }

    /// The part of a token at the end of a piece of input.
    fn token_cut(&mut self, sink: &mut impl Tokens, bytes: &[u8], first: bool, partial: Partial) {
        let key = matches!(partial, Partial::Str { key: true, .. });
        sink.piece(Piece {
            bytes,
            first,
            last: false,
            key,
        });
        self.partial = Some(partial);
    }
}

/// Where the first byte that ends a string's plain run is in `rest`: a
/// `"`, a `\`, or a control character (not allowed raw in a string).
///
/// Eight bytes at a time in a `u64` (the classic "has a byte equal to" and
/// "has a byte less than" tricks): for each test, the lowest flagged byte is
/// a true match (a false flag can only sit above a true one), so the lowest
/// of the three is the first stop. JSON strings are short (keys, ids,
/// timestamps); this beat memchr's SSE2 search plus a separate check for
/// control characters, which compiled to a loop over each byte.
fn string_stop(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let equal = |x: u64, b: u8| {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y
    };
    let mut chunks = rest.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let stops = (equal(x, b'"') | equal(x, b'\\') | control) & HIGHS;
        if stops != 0 {
            return Some(at + (stops.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|k| at + k)
}

#[cfg(test)]
#[path = "scan_tests.rs"]
pub(crate) mod tests;
