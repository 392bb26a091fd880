//! Fitting lines to the terminal: display width and truncation that know
//! about colors (ANSI escape sequences) and wide or combining characters.
//!
//! Widths come from `unicode-width`; escape sequences take no columns, and
//! the ones before the cut are kept so colors stay balanced.

use unicode_width::UnicodeWidthChar;

/// The marker that ends a cut line.
const ELLIPSIS: char = '…';

/// Splits `s` into escape sequences (`Err`, zero width) and characters (`Ok`).
fn pieces(s: &str) -> impl Iterator<Item = Result<char, &str>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        if c == '\x1b' && rest[1..].starts_with('[') {
            // CSI: ESC [ parameters, then one final byte in '@'..='~'.
            let end = rest[2..]
                .find(|c: char| ('@'..='~').contains(&c))
                .map_or(rest.len(), |i| i + 3);
            let (seq, tail) = rest.split_at(end);
            rest = tail;
            return Some(Err(seq));
        }
        rest = &rest[c.len_utf8()..];
        Some(Ok(c))
    })
}

/// Columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    pieces(s)
        .map(|p| p.map_or(0, |c| c.width().unwrap_or(0)))
        .sum()
}

/// `s` cut to at most `max` columns, ending in `…` when something was cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut styled = false;
    for p in pieces(s) {
        match p {
            Err(seq) => {
                styled = true;
                out.push_str(seq);
            }
            Ok(c) => {
                let w = c.width().unwrap_or(0);
                if used + w + 1 > max {
                    break;
                }
                used += w;
                out.push(c);
            }
        }
    }
    if max > 0 {
        out.push(ELLIPSIS);
    }
    if styled {
        out.push_str("\x1b[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_left_alone() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("", 0), "");
    }

    #[test]
    fn long_lines_end_in_an_ellipsis_within_the_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(width(&fit("abcdef", 4)), 4);
        assert_eq!(fit("abcdef", 1), "…");
    }

    #[test]
    fn colors_take_no_columns_and_are_closed() {
        let s = "\x1b[1mbold title\x1b[0m and more";
        assert_eq!(width(s), 19);
        let cut = fit(s, 6);
        assert_eq!(cut, "\x1b[1mbold …\x1b[0m");
        assert_eq!(width(&cut), 6);
    }

    #[test]
    fn wide_characters_count_double_and_are_not_split() {
        assert_eq!(width("血液検査"), 8);
        assert_eq!(fit("血液検査", 6), "血液…");
        assert_eq!(width(&fit("血液検査", 6)), 5);
        assert_eq!(width("e\u{301}"), 1, "a combining accent takes no column");
    }
}
