//! Collaborative texts, changed word by word.
//!
//! A text edit is turned into Automerge splices by a diff of *words*, not
//! characters: a character diff of "Learn the analyzer" against "Learn the
//! Beckman analyzer" may keep letters of "Beckman" that "analyzer" happens
//! to share, so that a concurrent "Roche" lands inside it ("BRoche
//! eckman"). Here the text is cut into tokens of a separator run followed
//! by a word (`"Learn"`, `" the"`, `" analyzer."`), the token sequences are
//! diffed (similar's Myers), and each inserted or removed run of tokens
//! becomes one splice. A token carries its leading separator, so a word
//! one side inserts and a word the other side deletes next to it never
//! glue into a word neither wrote.
//!
//! The start and the end of a text have no separator of their own, so a
//! text is stored between two newlines (the *sentinels*, never shown:
//! [`read`] takes them off): every token then starts with a separator,
//! the first one with the leading sentinel. The diff compares tokens by
//! their words only, so a word whose separator changed (the first word,
//! when a word is put before it) is kept, and only its separator is
//! spliced: the new one inserted after the old one, which is then deleted.
//! So every run inserted starts with a separator and is followed by one,
//! whatever the other side deletes around it.

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, TextEncoding};
use similar::{Algorithm, DiffOp, capture_diff_slices_by_key};

/// Whether `c` separates words.
fn separator(c: char) -> bool {
    c.is_whitespace()
}

/// `text` cut into tokens: a run of separators, then a run of anything
/// else (the first token may have no separator, the last no word).
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if separator(c) {
            if in_word {
                out.push(&text[start..i]);
                start = i;
                in_word = false;
            }
        } else {
            in_word = true;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// What a stored text starts and ends with (see the module docs).
pub const SENTINEL: char = '\n';

/// A stored text as people see it: without its sentinels (texts stored by
/// earlier builds have none).
pub fn read(stored: &str) -> &str {
    let s = stored.strip_prefix(SENTINEL).unwrap_or(stored);
    s.strip_suffix(SENTINEL).unwrap_or(s)
}

/// How a text people wrote is stored: between its sentinels.
pub fn stored(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push(SENTINEL);
    s.push_str(text);
    s.push(SENTINEL);
    s
}

/// A token's word: what follows its leading separators.
fn word(token: &str) -> &str {
    token.trim_start_matches(separator)
}

/// How long `s` is in the document's text units.
fn width(encoding: TextEncoding, s: &str) -> usize {
    match encoding {
        TextEncoding::Utf8CodeUnit => s.len(),
        TextEncoding::Utf16CodeUnit => s.encode_utf16().count(),
        // Graphemes are never configured here; code points are the default.
        TextEncoding::UnicodeCodePoint | TextEncoding::GraphemeCluster => s.chars().count(),
    }
}

/// Turns the text object `text` (now holding `old`, as stored) into `new`
/// (as stored) with as few word-sized splices as the diff finds.
pub fn update<T: Transactable + ReadDoc>(
    tx: &mut T,
    text: &ObjId,
    old: &str,
    new: &str,
) -> Result<(), automerge::AutomergeError> {
    if old == new {
        return Ok(());
    }
    let encoding = tx.text_encoding();
    let (a, b) = (tokens(old), tokens(new));
    let span = |toks: &[&str]| -> (usize, String) {
        let s: String = toks.concat();
        (width(encoding, &s), s)
    };
    // Position in the text as it is being changed, in text units.
    let mut pos = 0usize;
    for op in capture_diff_slices_by_key(Algorithm::Myers, &a, &b, |t| word(t)) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                // The same words; a separator may have changed. The new one
                // goes in after the old one, which is then deleted, so a word
                // the other side put before it is still followed by one.
                for (o, n) in a[old_index..old_index + len]
                    .iter()
                    .zip(&b[new_index..new_index + len])
                {
                    let (os, ns) = (&o[..o.len() - word(o).len()], &n[..n.len() - word(n).len()]);
                    if os != ns {
                        let ow = width(encoding, os);
                        tx.splice_text(text, pos + ow, 0, ns)?;
                        tx.splice_text(text, pos, ow as isize, "")?;
                    }
                    pos += width(encoding, n);
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                let (w, _) = span(&a[old_index..old_index + old_len]);
                tx.splice_text(text, pos, w as isize, "")?;
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                let (w, s) = span(&b[new_index..new_index + new_len]);
                tx.splice_text(text, pos, 0, &s)?;
                pos += w;
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let (del, _) = span(&a[old_index..old_index + old_len]);
                let (w, s) = span(&b[new_index..new_index + new_len]);
                tx.splice_text(text, pos, del as isize, &s)?;
                pos += w;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ObjType, ROOT};
    use proptest::prelude::*;

    #[test]
    fn tokens_carry_their_leading_separator() {
        assert_eq!(
            tokens("Learn the  analyzer.\nDone"),
            vec!["Learn", " the", "  analyzer.", "\nDone"]
        );
        assert_eq!(tokens("  lead"), vec!["  lead"]);
        assert_eq!(tokens("trail "), vec!["trail", " "]);
        assert_eq!(tokens(""), Vec::<&str>::new());
        assert_eq!(tokens("é ü"), vec!["é", " ü"]);
    }

    /// A document holding one text, and its text object.
    fn doc(text: &str) -> (AutoCommit, ObjId) {
        let mut d = AutoCommit::new();
        let t = d.put_object(ROOT, "t", ObjType::Text).unwrap();
        d.splice_text(&t, 0, 0, text).unwrap();
        d.commit();
        (d, t)
    }

    /// Edits of `base` on two forks, merged, as people read it.
    fn merged(base: &str, a: &str, b: &str) -> String {
        let (mut d, t) = doc(&stored(base));
        let mut other = d.fork();
        update(&mut d, &t, &stored(base), &stored(a)).unwrap();
        update(&mut other, &t, &stored(base), &stored(b)).unwrap();
        d.merge(&mut other).unwrap();
        read(&d.text(&t).unwrap()).to_string()
    }

    /// The scenario: each side's inserted word stays whole.
    #[test]
    fn concurrent_inserted_words_stay_whole() {
        let base = "Learn the analyzer. Each morning calibrate the analyzer before running controls. Record results in the QC log.";
        let a = "Learn the Roche analyzer. Each morning calibrate the analyzer before running controls. Record results in the QC log.";
        let b = "Learn the Beckman analyzer. Record results in the QC log.";
        let m = merged(base, a, b);
        let words: Vec<&str> = m.split_whitespace().collect();
        assert!(
            words.contains(&"Roche") && words.contains(&"Beckman"),
            "{m}"
        );
        assert!(m.ends_with("Record results in the QC log."), "{m}");
        assert!(!m.contains("calibrate"), "B's deletion kept: {m}");
    }

    #[test]
    fn an_edit_of_one_side_reads_back_exactly() {
        for (old, new) in [
            ("", "hello"),
            ("hello", ""),
            ("a b c", "a x c"),
            ("a  b", "a b"),
            ("line one\nline two", "line one\nline 2\n"),
            ("é ü ñ", "ü é ñ 🧪"),
            ("a a", "b a"),
            ("a b", "x y z b"),
            ("one", "two"),
        ] {
            let (mut d, t) = doc(old);
            update(&mut d, &t, old, new).unwrap();
            assert_eq!(d.text(&t).unwrap(), new, "{old:?} -> {new:?}");
            let (mut d, t) = doc(&stored(old));
            update(&mut d, &t, &stored(old), &stored(new)).unwrap();
            assert_eq!(read(&d.text(&t).unwrap()), new, "{old:?} -> {new:?}");
        }
    }

    /// A word-level edit of a text: insert, delete or replace one word.
    #[derive(Debug, Clone)]
    enum WordEdit {
        Insert(usize, String),
        Delete(usize),
        Replace(usize, String),
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z]{1,6}"
    }

    fn edit() -> impl Strategy<Value = WordEdit> {
        prop_oneof![
            (any::<usize>(), word()).prop_map(|(i, w)| WordEdit::Insert(i, w)),
            any::<usize>().prop_map(WordEdit::Delete),
            (any::<usize>(), word()).prop_map(|(i, w)| WordEdit::Replace(i, w)),
        ]
    }

    fn apply(words: &mut Vec<String>, e: &WordEdit) {
        match e {
            WordEdit::Insert(i, w) => {
                let at = i % (words.len() + 1);
                words.insert(at, w.clone());
            }
            WordEdit::Delete(i) if !words.is_empty() => {
                let at = i % words.len();
                words.remove(at);
            }
            WordEdit::Replace(i, w) if !words.is_empty() => {
                let at = i % words.len();
                words[at] = w.clone();
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random concurrent word-level edits on two forks never produce a
        /// word that neither side wrote.
        #[test]
        fn merged_words_are_words_someone_wrote(
            base in prop::collection::vec(word(), 0..12),
            ea in prop::collection::vec(edit(), 0..6),
            eb in prop::collection::vec(edit(), 0..6),
        ) {
            let (mut wa, mut wb) = (base.clone(), base.clone());
            for e in &ea { apply(&mut wa, e); }
            for e in &eb { apply(&mut wb, e); }
            let (base_t, a_t, b_t) = (base.join(" "), wa.join(" "), wb.join(" "));
            let m = merged(&base_t, &a_t, &b_t);
            let known: std::collections::BTreeSet<&str> =
                base.iter().chain(&wa).chain(&wb).map(String::as_str).collect();
            for w in m.split_whitespace() {
                prop_assert!(known.contains(w), "'{}' in {:?} (base {:?}, a {:?}, b {:?})", w, m, base_t, a_t, b_t);
            }
        }
    }
}
