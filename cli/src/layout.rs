//! `--json` output laid out for people: JSON text from tandemd, indented
//! as serde_json's pretty writer indents a value (two spaces, `"key": value`,
//! `[]` and `{}` when empty), without decoding it.
//!
//! Long lists (`plan list` of 5,000 plans, `goal list` of a big plan) are
//! passed on as the daemon wrote them. Laying them out by decoding and
//! encoding every token again (serde-transcode; the jsonformat crate runs
//! at the same speed) was the largest part of such a command: 2.7 ms for
//! the 1.2 MB of 5,000 plans, into a fresh 1.6 MB buffer. This copies each
//! string in one piece (found with memchr), looks only at the bytes
//! between strings, and writes through one small buffer: 1.3 ms.
//!
//! The text must be JSON, checked before (the client reads it as a
//! `RawValue`, which parses it); its tokens are copied as they are and
//! the whitespace between them is replaced. For text serde_json wrote, the
//! result is byte for byte what `serde_json::to_string_pretty` writes for
//! the value (a property test checks this).

use std::io::Write;

/// Writes `json` laid out with two-space indents, then a newline, to
/// `sink`, [`CHUNK`] bytes at a time.
pub fn write(json: &str, sink: &mut impl Write) -> std::io::Result<()> {
    let bytes = json.as_bytes();
    let mut out = Vec::with_capacity(CHUNK + CHUNK / 4);
    let mut depth = 0usize;
    // Just after `[` or `{`: the next value goes on a new line, unless the
    // next byte closes it (`[]`).
    let mut opened = false;
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if out.len() >= CHUNK {
            // Whole lines only: stdout is line-buffered, and would write
            // the tail of a chunk that ends mid-line on its own.
            let cut = out
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(out.len(), |k| k + 1);
            sink.write_all(&out[..cut])?;
            out.drain(..cut);
        }
        match c {
            b'"' => {
                if opened {
                    newline(&mut out, depth);
                    opened = false;
                }
                let end = string_end(bytes, i);
                out.extend_from_slice(&bytes[i..end]);
                i = punctuation(bytes, end, &mut out, depth);
                continue;
            }
            b'[' | b'{' => {
                if opened {
                    newline(&mut out, depth);
                }
                out.push(c);
                depth += 1;
                opened = true;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if !opened {
                    newline(&mut out, depth);
                }
                opened = false;
                out.push(c);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            b' ' | b'\n' | b'\r' | b'\t' => {}
            _ => {
                if opened {
                    newline(&mut out, depth);
                    opened = false;
                }
                // A number, `true`, `false` or `null`: copied in one piece.
                let end = bytes[i..]
                    .iter()
                    .position(|b| {
                        matches!(b, b',' | b']' | b'}' | b':' | b' ' | b'\n' | b'\r' | b'\t')
                    })
                    .map_or(bytes.len(), |k| i + k);
                out.extend_from_slice(&bytes[i..end]);
                i = punctuation(bytes, end, &mut out, depth);
                continue;
            }
        }
        i += 1;
    }
    out.push(b'\n');
    sink.write_all(&out)
}

/// Lays out the `:` or `,` at `i`, if there is one, and returns where the
/// next token starts. A key's colon, and the comma after a value, come
/// right after a string or a number: handled there, they cost no trip
/// through [`write`]'s `match` on the next byte, whose jump the CPU
/// mispredicts often (the tokens of a list alternate). 0.8 instead of
/// 1.1 ms for the 1.2 MB of 5,000 plans.
fn punctuation(bytes: &[u8], i: usize, out: &mut Vec<u8>, depth: usize) -> usize {
    match bytes.get(i) {
        Some(b':') => {
            out.extend_from_slice(b": ");
            i + 1
        }
        Some(b',') => {
            out.push(b',');
            newline(out, depth);
            i + 1
        }
        _ => i,
    }
}

/// `json` laid out, as [`write`] writes it.
#[cfg(test)]
pub fn pretty(json: &str) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec does not fail.
    let _ = write(json, &mut out);
    out
}

/// How much laid-out text is written at once: the output of a long list
/// goes through one small buffer rather than a copy of its whole size
/// (1.6 MB for 5,000 plans), whose fresh pages each cost a page fault.
const CHUNK: usize = 64 * 1024;

/// Where the string starting with the quote at `start` ends (just after
/// its closing quote; the end of the text if it has none).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(k) = bytes.get(i..).and_then(quote_or_backslash) {
        i += k;
        if bytes[i] == b'"' {
            return i + 1;
        }
        // A backslash escapes the byte after it (`\"`, `\\`, `\u...`).
        i += 2;
    }
    bytes.len()
}

/// Where the first `"` or `\` in `rest` is.
///
/// On x86-64 this asks memchr's SSE2 searcher directly (every x86-64 CPU
/// has SSE2, known when compiling): memchr's own entry point picks AVX2 if
/// the CPU has it, and finding out runs `cpuid` on first use, which traps
/// to the hypervisor on a virtual machine: ~45 µs of each `goal list
/// --json` on the 2-core VM of BENCHMARKS.md, more than the whole search.
/// JSON strings are short; 16 bytes at a time is as fast for them.
fn quote_or_backslash(rest: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(sse2) = memchr::arch::x86_64::sse2::memchr::Two::new(b'"', b'\\') {
        return sse2.find(rest);
    }
    memchr::memchr2(b'"', b'\\', rest)
}

fn newline(out: &mut Vec<u8>, depth: usize) {
    // A newline and the indent of the usual depths, copied in one piece.
    const INDENTS: &[u8; 33] = b"\n                                ";
    match INDENTS.get(..1 + 2 * depth) {
        Some(line) => out.extend_from_slice(line),
        None => {
            out.push(b'\n');
            out.resize(out.len() + 2 * depth, b' ');
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;
    use serde_json::Value;

    use super::pretty;

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
                String::from_utf8(pretty(&compact)).unwrap(),
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
            String::from_utf8(pretty(spaced)).unwrap(),
            as_serde_json(&v)
        );
    }

    fn any_json() -> impl Strategy<Value = Value> {
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

    proptest! {
        /// Whatever serde_json writes compactly comes out as its pretty
        /// writer would have written it.
        #[test]
        fn the_layout_is_serde_jsons(v in any_json()) {
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(String::from_utf8(pretty(&compact)).unwrap(), as_serde_json(&v));
        }

        /// Text that is not JSON (cut short, a lone backslash at the end,
        /// more closing than opening brackets) is laid out somehow, never
        /// a panic, and every byte but whitespace outside strings is kept.
        #[test]
        fn any_text_is_laid_out_without_a_panic(text in r#"[\[\]{}",:\\ a1\n]{0,40}"#) {
            let out = pretty(&text);
            let kept = |b: &[u8]| b.iter().filter(|c| !c.is_ascii_whitespace()).count();
            prop_assert_eq!(kept(&out), kept(text.as_bytes()));
        }
    }
}
