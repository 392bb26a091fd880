//! The checks of single fields that every kind of item uses: one-line
//! fields, collaborative texts, points, PeerIds, positions. A kind's own
//! `check` function combines them; edits, imports and anything else that
//! writes call that one function.

/// Longest title or other one-line field, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest person or organization name, in characters.
pub const NAME_MAX: usize = 100;
/// Longest collaborative text (description, notes, body), in characters.
pub const TEXT_MAX: usize = 65_536;
/// Most tags on one journal note.
pub const TAGS_MAX: usize = 20;
/// Longest tag, in characters.
pub const TAG_MAX: usize = 40;
/// Longest meeting, in minutes.
pub const DURATION_MAX: u32 = 24 * 60;

/// A field failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ValidationError {
    /// The field, as the CLI names it (e.g. `title`, `progress`).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// A validation error of `field`.
pub fn bad(field: &'static str, problem: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        problem: problem.into(),
    }
}

/// A required one-line field: not blank, no control characters, at most `max` characters.
pub fn check_line(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(bad(field, "must not be empty"));
    }
    check_optional_line(field, value, max)
}

/// An optional one-line field: may be empty; no control characters, at most `max` characters.
pub fn check_optional_line(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n > max {
        return Err(bad(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(
            field,
            "must be a single line without control characters",
        ));
    }
    if let Some(c) = value.chars().find(|c| is_bidi_control(*c)) {
        return Err(bad(
            field,
            format!(
                "contains the bidirectional control character U+{:04X}, which could make it look like something else to other members",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// Unicode bidirectional embedding, override and isolate controls
/// (U+202A–U+202E, U+2066–U+2069): they reorder how the text around them
/// is shown, so a title could read differently from what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A collaborative text: may be empty or span lines; at most [`TEXT_MAX`] characters.
pub fn check_text(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if n > TEXT_MAX {
        return Err(bad(
            field,
            format!("is {n} characters long; the limit is {TEXT_MAX}"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(bad(field, "contains control characters"));
    }
    Ok(())
}

/// Runs `f` on the value when there is one (an edit that leaves the field as it is).
pub fn check_opt<T>(
    v: &Option<T>,
    f: impl FnOnce(&T) -> Result<(), ValidationError>,
) -> Result<(), ValidationError> {
    v.as_ref().map_or(Ok(()), f)
}

/// `Option<Option<T>>` in JSON: absent means "keep", `null` means "clear".
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serializes the inner option (`None` as `null`); pair with `skip_serializing_if = "Option::is_none"`.
    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    /// A present field becomes `Some(..)`, even when it is `null`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Longest PeerId text accepted.
pub const PEER_ID_MAX: usize = 128;

/// Credit points: finite, positive, at most 1,000.
pub fn check_points(field: &'static str, p: Option<f64>) -> Result<(), ValidationError> {
    match p {
        Some(p) if !(p.is_finite() && p > 0.0 && p <= 1000.0) => Err(bad(
            field,
            format!("{p} is not a number of points between 0 and 1000"),
        )),
        _ => Ok(()),
    }
}

/// A PeerId as text: base58 (Bitcoin alphabet), 32 to [`PEER_ID_MAX`] characters.
///
/// This checks the shape only; the daemon parses it fully.
pub fn check_peer_id(peer: &str) -> Result<(), ValidationError> {
    const B58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let n = peer.chars().count();
    if !(32..=PEER_ID_MAX).contains(&n) || !peer.chars().all(|c| B58.contains(c)) {
        return Err(bad(
            "peer",
            format!(
                "'{peer}' is not a PeerId (base58, like 12D3KooW...; see `tandem device show` on that device)"
            ),
        ));
    }
    Ok(())
}

/// A 1-based position in a list (milestones, agenda items).
pub fn check_position(p: u32) -> Result<(), ValidationError> {
    if p == 0 {
        return Err(bad("position", "positions start at 1"));
    }
    Ok(())
}

/// A meeting's length: 1 minute to [`DURATION_MAX`].
pub fn check_duration(minutes: u32) -> Result<(), ValidationError> {
    if minutes == 0 || minutes > DURATION_MAX {
        return Err(bad(
            "duration",
            format!("must be between 1 and {DURATION_MAX} minutes, got {minutes}"),
        ));
    }
    Ok(())
}

/// A progress figure: 0 to 100.
pub fn check_progress(p: u8) -> Result<(), ValidationError> {
    if p > 100 {
        return Err(bad(
            "progress",
            format!("must be between 0 and 100, got {p}"),
        ));
    }
    Ok(())
}

/// A reference to another item (a goal, a meeting): a whole id.
pub fn check_ref(field: &'static str, id: Option<&str>) -> Result<(), ValidationError> {
    match id {
        Some(id) if !crate::ids::is_id(id) => Err(bad(field, format!("'{id}' is not an item id"))),
        _ => Ok(()),
    }
}

/// A reference to an item as the user gave it: an id or a prefix of one.
pub fn check_prefix(field: &'static str, id: &str) -> Result<(), ValidationError> {
    check_line(field, id, crate::ids::ID_LEN * 4)
}

/// The ids of an item's parts (milestones, agenda items): each a whole id, none twice.
pub fn check_part_ids<'a>(
    field: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), ValidationError> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if !crate::ids::is_id(id) {
            return Err(bad(
                field,
                format!("{}: '{id}' is not 16 lowercase hex digits", i + 1),
            ));
        }
        if !seen.insert(id) {
            return Err(bad(field, format!("{}: '{id}' appears twice", i + 1)));
        }
    }
    Ok(())
}

/// The first line of a text, cut to 60 characters, for change messages.
pub fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}
