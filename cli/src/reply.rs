//! Finding one value in a reply's JSON without decoding the rest: the
//! `goals` of `{"plan": {..., "goals": [...], ...}}`, borrowed from the
//! frame, in a single pass.
//!
//! `--json` lists pass the daemon's text on (see [`crate::layout`]). The
//! text around the wanted value is skipped with serde's `IgnoredAny`, which
//! still checks that it is JSON; the value itself is kept as a `RawValue`
//! (also checked). Before, the reply was read into a map of raw values and
//! the plan into another: two passes over the same 150 KB for `goal list`
//! of 500 goals, each about 0.12 ms.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use tandem_proto::ApiError;

/// What a reply held.
#[derive(Debug)]
pub enum Found<'de> {
    /// The value at the path.
    Value(&'de RawValue),
    /// The reply was an error.
    Error(ApiError),
    /// The reply held something else: the first key it had where the path
    /// wanted another (`plan` for a `plans` request, or `goals` missing
    /// from the plan).
    Missing(String),
}

/// Finds the value at `path` (object keys, outermost first) in the reply
/// `json`; an error reply (`{"error": ...}`) is returned as such.
pub fn find<'de>(json: &'de [u8], path: &[&str]) -> serde_json::Result<Found<'de>> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let found = At { path, top: true }.deserialize(&mut de)?;
    de.end()?;
    Ok(found)
}

/// A seed that descends `path` through nested objects.
struct At<'p> {
    path: &'p [&'p str],
    /// At the reply's own level, where `error` means an error reply.
    top: bool,
}

impl<'de> DeserializeSeed<'de> for At<'_> {
    type Value = Found<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        match self.path.split_first() {
            None => <&RawValue>::deserialize(d).map(Found::Value),
            Some((key, rest)) => d.deserialize_map(Within {
                key,
                rest,
                top: self.top,
            }),
        }
    }
}

/// Visits one object of the path, looking for `key`.
struct Within<'p> {
    key: &'p str,
    rest: &'p [&'p str],
    top: bool,
}

impl<'de> Visitor<'de> for Within<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with {}", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key::<String>()? {
            if found.is_some() {
                map.next_value::<IgnoredAny>()?;
            } else if k == self.key {
                found = Some(map.next_value_seed(At {
                    path: self.rest,
                    top: false,
                })?);
            } else if self.top && k == "error" {
                found = Some(Found::Error(map.next_value()?));
            } else {
                map.next_value::<IgnoredAny>()?;
                if self.top {
                    // A reply holds one key: this one is not what was asked.
                    found = Some(Found::Missing(k));
                }
            }
        }
        Ok(found.unwrap_or_else(|| Found::Missing(self.key.to_string())))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{Found, find};

    fn value(json: &str, path: &[&str]) -> String {
        match find(json.as_bytes(), path).unwrap() {
            Found::Value(v) => v.get().to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_value_at_the_path_is_found_as_written() {
        let reply = r#"{"plan":{"id":"x","goals":[ {"a":1}, {"b":"\"}"} ],"notes":[]}}"#;
        assert_eq!(
            value(reply, &["plan", "goals"]),
            r#"[ {"a":1}, {"b":"\"}"} ]"#
        );
        assert_eq!(value(reply, &["plan", "notes"]), "[]");
        assert_eq!(value(r#"{"plans":[]}"#, &["plans"]), "[]");
        // Keys with escapes are compared by what they mean.
        assert_eq!(
            value(r#"{"pl\u0061n":{"go\u0061ls":7}}"#, &["plan", "goals"]),
            "7"
        );
    }

    #[test]
    fn an_error_reply_is_read_as_one() {
        let reply = r#"{"error":{"code":"not_found","message":"no plan matches x"}}"#;
        match find(reply.as_bytes(), &["plan", "goals"]).unwrap() {
            Found::Error(e) => assert_eq!(e.message, "no plan matches x"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn another_reply_or_a_missing_list_is_named() {
        let missing = |json: &str, path: &[&str]| match find(json.as_bytes(), path).unwrap() {
            Found::Missing(k) => k,
            other => panic!("{other:?}"),
        };
        assert_eq!(missing(r#"{"plans":[]}"#, &["plan", "goals"]), "plans");
        assert_eq!(
            missing(r#"{"plan":{"notes":[]}}"#, &["plan", "goals"]),
            "goals"
        );
        assert_eq!(missing(r#"{}"#, &["plans"]), "plans");
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
            assert!(find(bad.as_bytes(), &["plan", "goals"]).is_err(), "{bad}");
        }
    }
}
