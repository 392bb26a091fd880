//! Item ids and git-like unique-prefix resolution.
//!
//! Ids are 16 lowercase hex digits (64 random bits), made by the daemon.
//! Anywhere an id is expected, a unique prefix of it will do; an ambiguous
//! prefix is an error that lists the candidates.

use serde::{Deserialize, Serialize};

/// Length of a full id in hex digits.
pub const ID_LEN: usize = 16;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as it is.
            pub fn new(id: impl Into<String>) -> $name {
                $name(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The first [`SHORT_LEN`] characters, for people.
            pub fn short(&self) -> &str {
                short(&self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

id_type!(
    /// A plan's id: 16 lowercase hex digits, made when the plan is.
    PlanId
);
id_type!(
    /// A plan item's id (goal, action, meeting, milestone, ...): 16
    /// lowercase hex digits, made by the daemon.
    ItemId
);
id_type!(
    /// A device's libp2p PeerId, as text (base58, `12D3KooW...`).
    PeerId
);

/// How many digits people are shown by default.
pub const SHORT_LEN: usize = 8;

/// An id or prefix did not name exactly one item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No item of that kind has an id starting with the prefix.
    #[error("no {kind} with id '{prefix}'")]
    NotFound {
        /// "goal", "plan", ...
        kind: &'static str,
        /// What was given.
        prefix: String,
    },
    /// More than one item matches.
    #[error("{kind} id '{prefix}' is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous {
        /// "goal", "plan", ...
        kind: &'static str,
        /// What was given.
        prefix: String,
        /// The matching ids (at most ten).
        candidates: Vec<String>,
    },
    /// The text cannot be an id.
    #[error("'{prefix}' is not a {kind} id: ids are hex digits (0-9, a-f)")]
    Malformed {
        /// "goal", "plan", ...
        kind: &'static str,
        /// What was given.
        prefix: String,
    },
}

/// Whether `s` is a whole id: [`ID_LEN`] lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The first [`SHORT_LEN`] digits of an id.
pub fn short(id: &str) -> &str {
    id.get(..SHORT_LEN).unwrap_or(id)
}

/// Finds the one candidate that starts with `prefix` (case-insensitive).
///
/// An exact match wins even when it is also a prefix of another id.
pub fn resolve<'a, I>(
    kind: &'static str,
    prefix: &str,
    candidates: I,
) -> Result<&'a str, ResolveError>
where
    I: IntoIterator<Item = &'a str>,
{
    let p = prefix.trim().to_ascii_lowercase();
    if p.is_empty() || p.len() > ID_LEN || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ResolveError::Malformed {
            kind,
            prefix: prefix.to_string(),
        });
    }
    let mut found: Vec<&'a str> = Vec::new();
    for c in candidates {
        if c == p {
            return Ok(c);
        }
        if c.starts_with(&p) {
            found.push(c);
        }
    }
    match found.len() {
        0 => Err(ResolveError::NotFound {
            kind,
            prefix: prefix.to_string(),
        }),
        1 => Ok(found[0]),
        _ => {
            found.sort_unstable();
            Err(ResolveError::Ambiguous {
                kind,
                prefix: prefix.to_string(),
                candidates: found.iter().take(10).map(|s| s.to_string()).collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_prefix_resolves() {
        let ids = ["abc123", "abd456", "ff0000"];
        assert_eq!(resolve("goal", "abc", ids), Ok("abc123"));
        assert_eq!(resolve("goal", "FF", ids), Ok("ff0000"));
    }

    #[test]
    fn ambiguous_prefix_lists_candidates() {
        let err = resolve("goal", "ab", ["abd456", "abc123"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "goal id 'ab' is ambiguous: it matches abc123, abd456"
        );
    }

    #[test]
    fn unknown_and_malformed_are_told_apart() {
        assert!(matches!(
            resolve("goal", "99", ["abc"]),
            Err(ResolveError::NotFound { .. })
        ));
        assert!(matches!(
            resolve("goal", "xyz", ["abc"]),
            Err(ResolveError::Malformed { .. })
        ));
        assert!(matches!(
            resolve("goal", "", ["abc"]),
            Err(ResolveError::Malformed { .. })
        ));
    }
}
