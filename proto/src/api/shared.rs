//! A reply value handed out by reference and encoded at most once.
//!
//! The daemon keeps the whole view of each plan it has read, and the plan
//! list, in memory. Answering `plan show` or `plan list` used to copy that
//! value on the engine's thread and encode it again for every call (5,000
//! plans: 1.2 MB of JSON each time). A [`Shared`] value is an `Arc`: the
//! engine hands out a pointer, and the first connection to send it encodes
//! it (off the engine's thread) into JSON text that every later send of the
//! same, unchanged value copies as it is. Changing the value through
//! [`Shared::make_mut`] forgets that text, so what is sent is always the
//! value as it is now.
//!
//! The daemon API travels as compact JSON (serde_json, see
//! [`crate::frame`]): the kept text is compact JSON passed to serde_json as
//! a raw value, which it writes verbatim. So a `Shared` value is for
//! replies: another format would not read the raw value, and a pretty
//! writer would leave the kept text compact (clients take the value out
//! with [`Shared::into_inner`] before printing it). Reading one back is
//! reading the value itself.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A value shared between the daemon's cache and its replies (see the
/// module doc), with its JSON text kept once made.
pub struct Shared<T> {
    value: Arc<T>,
    json: Arc<OnceLock<Box<RawValue>>>,
}

impl<T> Shared<T> {
    /// Shares `value`, not encoded yet.
    pub fn new(value: T) -> Shared<T> {
        Shared {
            value: Arc::new(value),
            json: Arc::new(OnceLock::new()),
        }
    }

    /// The value, to change in place: copied first if a reply still holds
    /// it, and its JSON text forgotten either way.
    pub fn make_mut(&mut self) -> &mut T
    where
        T: Clone,
    {
        self.json = Arc::new(OnceLock::new());
        Arc::make_mut(&mut self.value)
    }

    /// The value itself: moved out when nothing else holds it (a reply the
    /// client read), copied otherwise.
    pub fn into_inner(self) -> T
    where
        T: Clone,
    {
        Arc::unwrap_or_clone(self.value)
    }

    /// Whether its JSON text has been made (for tests).
    pub fn is_encoded(&self) -> bool {
        self.json.get().is_some()
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared {
            value: Arc::clone(&self.value),
            json: Arc::clone(&self.json),
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Shared<T> {
        Shared::new(value)
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = match self.json.get() {
            Some(json) => json,
            None => {
                let made = serde_json::value::to_raw_value(&*self.value)
                    .map_err(serde::ser::Error::custom)?;
                // Two sends racing both encode; the first text is kept, and
                // both are the same value's.
                self.json.get_or_init(|| made)
            }
        };
        json.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shared<T>, D::Error> {
        T::deserialize(deserializer).map(Shared::new)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Shared;

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Doc {
        title: String,
        goals: Vec<String>,
    }

    fn doc() -> Doc {
        Doc {
            title: "Plan \"A\"\n".into(),
            goals: vec!["one".into(), "two \u{1F600}".into()],
        }
    }

    /// Encoded, kept or not, inside another value or alone: the same JSON
    /// as the plain value's, and it reads back as the value.
    #[test]
    fn a_shared_value_travels_as_the_value_itself() {
        let shared = Shared::new(doc());
        let plain = serde_json::to_string(&doc()).unwrap();
        assert!(!shared.is_encoded());
        assert_eq!(serde_json::to_string(&shared).unwrap(), plain);
        assert!(shared.is_encoded());
        assert_eq!(serde_json::to_string(&shared).unwrap(), plain);
        let wrapped = serde_json::json!({ "plan": shared.clone() }).to_string();
        assert_eq!(wrapped, serde_json::json!({ "plan": doc() }).to_string());
        let back: Shared<Doc> = serde_json::from_str(&plain).unwrap();
        assert_eq!(back, shared);
        assert_eq!(back.into_inner(), doc());
    }

    /// A change made through `make_mut` is what the next send carries, and
    /// a reply holding the old value keeps sending the old one.
    #[test]
    fn a_change_forgets_the_kept_text() {
        let mut cache = Shared::new(doc());
        let in_flight = cache.clone();
        let _ = serde_json::to_string(&cache).unwrap();
        cache.make_mut().title = "Renamed".into();
        assert!(!cache.is_encoded());
        let now: Doc = serde_json::from_str(&serde_json::to_string(&cache).unwrap()).unwrap();
        assert_eq!(now.title, "Renamed");
        let then: Doc = serde_json::from_str(&serde_json::to_string(&in_flight).unwrap()).unwrap();
        assert_eq!(then, doc());
    }
}
