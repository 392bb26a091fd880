//! Tests of [`super::Scanner`]: serde_json's verdict on any text, in
//! pieces cut anywhere.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde::de::IgnoredAny;

use super::{Piece, ScanError, Scanner, Tokens, string_stop};

/// The tokens handed on, written back as compact text.
#[derive(Default)]
struct Text {
    out: Vec<u8>,
    /// A token in progress (a piece without `last`).
    open_piece: bool,
}

impl Tokens for Text {
    fn open(&mut self, bracket: u8) {
        assert!(!self.open_piece);
        self.out.push(bracket);
    }
    fn close(&mut self, bracket: u8) {
        assert!(!self.open_piece);
        self.out.push(bracket);
    }
    fn colon(&mut self) {
        assert!(!self.open_piece);
        self.out.push(b':');
    }
    fn comma(&mut self) {
        assert!(!self.open_piece);
        self.out.push(b',');
    }
    fn piece(&mut self, piece: Piece<'_>) {
        // Pieces of one token come in order: first, ..., last.
        assert_eq!(piece.first, !self.open_piece, "{piece:?}");
        self.open_piece = !piece.last;
        self.out.extend_from_slice(piece.bytes);
    }
}

/// Scans `bytes` fed in pieces ending at `cuts`; the compact text of the
/// tokens, or why not.
fn scan_cut(bytes: &[u8], cuts: &[usize]) -> Result<Vec<u8>, ScanError> {
    let mut scanner = Scanner::new();
    let mut text = Text::default();
    let mut from = 0;
    for &to in cuts.iter().chain([&bytes.len()]) {
        let to = to.clamp(from, bytes.len());
        scanner.feed(&bytes[from..to], &mut text)?;
        from = to;
    }
    scanner.finish(&mut text)?;
    assert!(!text.open_piece);
    Ok(text.out)
}

fn scan(text: &str) -> Result<Vec<u8>, ScanError> {
    scan_cut(text.as_bytes(), &[])
}

#[test]
fn json_is_handed_on_token_by_token() {
    let text = " { \"a\" : [ 1 , -0.5e+3 , true , null , \"x\\\"y\" ] , \"b\":{} }\n";
    assert_eq!(
        String::from_utf8(scan(text).unwrap()).unwrap(),
        r#"{"a":[1,-0.5e+3,true,null,"x\"y"],"b":{}}"#
    );
    for top in ["0", "-1", "1.5", "2e9", "\"s\"", "true", "[]", "{}", " 7 "] {
        assert!(scan(top).is_ok(), "{top}");
    }
}

#[test]
fn what_is_wrong_is_named_with_where() {
    let cases = [
        ("[1,]", "something other than a value", 3),
        ("{\"a\" 1}", "a key without its colon", 5),
        ("{1:2}", "something other than a key", 1),
        ("[01]", "something other than a comma or a close", 2),
        ("[1.]", "a number cut short", 3),
        ("\"a\u{1}b\"", "a control character in a string", 2),
        ("\"\\x\"", "an unknown escape", 2),
        ("\"\\u12g4\"", "a \\u escape without four hex digits", 5),
        ("nul", "the end of the text, cut short", 3),
        ("[tru]", "a misspelt true, false or null", 4),
        ("[] []", "more after the value", 3),
        ("[}", "something other than a value", 1),
        ("{]", "something other than a key", 1),
    ];
    for (text, what, at) in cases {
        assert_eq!(scan(text), Err(ScanError { what, at }), "{text}");
    }
}

#[test]
fn utf8_is_checked_across_pieces() {
    let text = "[\"é😀\"]".as_bytes();
    // Cut inside each multi-byte character.
    for cut in 1..text.len() {
        assert_eq!(scan_cut(text, &[cut]).unwrap(), text, "cut at {cut}");
        assert_eq!(
            scan_cut(text, &[cut, cut + 1]).unwrap(),
            text,
            "cut at {cut}"
        );
    }
    for bad in [
        &b"[\"\xff\"]"[..],
        b"[\"\xc3\"]",
        b"\"\xf0\x9f\x98",
        b"\"\xed\xa0\x80\"",
    ] {
        assert!(scan_cut(bad, &[]).is_err(), "{bad:?}");
        assert!(scan_cut(bad, &[2, 3]).is_err(), "{bad:?}");
    }
}

/// Text near JSON: its punctuation, escapes, numbers, words and a few
/// other characters, most of it not JSON.
fn near_json() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\\", "\\u00e9", "\\n", "true", "nul", " ",
        "\u{1}", "é",
    ];
    // One number for every sixteen other pieces.
    let atom = prop_oneof![
        16 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => "-?[0-9]{0,3}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{0,2})?",
    ];
    prop::collection::vec(atom, 0..24).prop_map(|atoms| atoms.concat())
}

/// Any JSON value, with keys and strings of any characters and some
/// strings made of JSON's punctuation (also the layout's tests').
pub(crate) fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[\"\\\\:,{}\\[\\] a]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..400, 0..8).prop_map(|mut c| {
        c.sort_unstable();
        c
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The eight-at-a-time search stops where a byte-by-byte one does.
    #[test]
    fn a_string_stops_at_its_first_quote_backslash_or_control(
        bytes in prop::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x21, 0x7eu8..=0xff, any::<u8>()], 0..40),
        plain in 0usize..20,
    ) {
        let mut text = vec![b'a'; plain];
        text.extend_from_slice(&bytes);
        let naive = text.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        prop_assert_eq!(string_stop(&text), naive);
    }

    /// Text is JSON for the scanner exactly when it is for serde_json,
    /// wherever the pieces are cut.
    #[test]
    fn the_verdict_is_serde_jsons(text in near_json(), cuts in cuts()) {
        let serde = serde_json::from_str::<IgnoredAny>(&text).is_ok();
        let ours = scan_cut(text.as_bytes(), &cuts);
        prop_assert_eq!(ours.is_ok(), serde, "{:?}: {:?}", text, ours);
    }

    /// Any bytes at all: a verdict, never a panic.
    #[test]
    fn any_bytes_get_a_verdict(bytes in prop::collection::vec(any::<u8>(), 0..64), cuts in cuts()) {
        let whole = scan_cut(&bytes, &[]).is_ok();
        prop_assert_eq!(scan_cut(&bytes, &cuts).is_ok(), whole);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            prop_assert_eq!(whole, serde_json::from_str::<IgnoredAny>(text).is_ok());
        }
    }

    /// What serde_json writes, compact or pretty, is accepted and handed
    /// on as the compact text, wherever the pieces are cut.
    #[test]
    fn serde_jsons_text_is_handed_on_whole(v in any_json(), cuts in cuts()) {
        let compact = serde_json::to_string(&v).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert_eq!(scan_cut(compact.as_bytes(), &cuts).unwrap(), compact.as_bytes());
        prop_assert_eq!(scan_cut(pretty.as_bytes(), &cuts).unwrap(), compact.as_bytes());
    }
}
