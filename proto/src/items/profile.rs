//! The record's profile: the laboratory and the person a plan's
//! competency records are about, printed at the head of every page of a
//! record. An inspector expects the laboratory's name and CLIA number
//! (42 CFR 493.1105 keeps records attributable to the certificate's
//! laboratory), its director and section, and the employee's full name,
//! employee id and position.
//!
//! ```text
//! profile: map { lab_name, clia_number, lab_director, lab_section,
//!                full_name, employee_id, position: str }
//! ```

use serde::{Deserialize, Serialize};

use super::fields::{NAME_MAX, TITLE_MAX, ValidationError, bad, check_opt, check_optional_line};

/// The profile's map under the document root.
pub const KEY: &str = "profile";

/// Defines the profile, its patch and their fields in one place.
macro_rules! profile {
    ($($(#[$meta:meta])* $field:ident: $max:ident),+ $(,)?) => {
        /// The laboratory and the person a plan's records are about (empty: not given).
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Profile {
            $($(#[$meta])* #[serde(default)] pub $field: String,)+
        }

        /// Changes to the profile; absent fields stay as they are.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ProfilePatch {
            $($(#[$meta])* #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $field: Option<String>,)+
        }

        /// Every field's key and longest length, in order.
        pub const FIELDS: &[(&str, usize)] = &[$((stringify!($field), $max)),+];

        impl Profile {
            /// Each field's key and value, in order.
            pub fn fields(&self) -> Vec<(&'static str, &str)> {
                vec![$((stringify!($field), self.$field.as_str())),+]
            }

            /// Every field, as a patch that sets it.
            pub fn to_patch(&self) -> ProfilePatch {
                ProfilePatch { $($field: Some(self.$field.clone()),)+ }
            }

            /// `patch` applied.
            pub fn patched(&self, patch: &ProfilePatch) -> Profile {
                Profile { $($field: patch.$field.clone().unwrap_or_else(|| self.$field.clone()),)+ }
            }
        }

        impl ProfilePatch {
            /// Sets the field `key` (one of [`FIELDS`]); other keys are ignored.
            pub fn set(&mut self, key: &str, value: &str) {
                $(if key == stringify!($field) { self.$field = Some(value.to_string()); })+
            }

            /// Each given field's key and value, in order.
            pub fn given(&self) -> Vec<(&'static str, &str)> {
                let mut out = Vec::new();
                $(if let Some(v) = &self.$field { out.push((stringify!($field), v.as_str())); })+
                out
            }
        }
    };
}

profile!(
    /// The laboratory's name.
    lab_name: TITLE_MAX,
    /// Its CLIA number: ten characters, two digits, "D", seven digits.
    clia_number: NAME_MAX,
    /// The laboratory director.
    lab_director: NAME_MAX,
    /// The section or department, e.g. "Hematology".
    lab_section: NAME_MAX,
    /// The employee's full name.
    full_name: NAME_MAX,
    /// The employee id.
    employee_id: NAME_MAX,
    /// The employee's position, e.g. "Medical Laboratory Scientist".
    position: NAME_MAX,
);

/// A CLIA number as CMS issues it: two digits, the letter D, seven digits
/// (e.g. 05D0642827).
fn check_clia(v: &str) -> Result<(), ValidationError> {
    let b = v.as_bytes();
    let ok = b.len() == 10
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[2] == b'D'
        && b[3..].iter().all(u8::is_ascii_digit);
    if v.is_empty() || ok {
        Ok(())
    } else {
        Err(bad(
            "clia_number",
            format!("'{v}' is not a CLIA number (two digits, D, seven digits, e.g. 05D0642827)"),
        ))
    }
}

/// The checks of the profile's fields, whoever writes them.
pub fn check(p: &ProfilePatch) -> Result<(), ValidationError> {
    for (key, value) in p.given() {
        let max = FIELDS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(NAME_MAX, |f| f.1);
        // The keys are `'static` field names, as `bad` wants.
        check_optional_line(key, value, max)?;
    }
    check_opt(&p.clia_number, |v| check_clia(v))
}

/// The checks of an imported profile.
pub fn check_imported(p: &Profile) -> Result<(), ValidationError> {
    check(&p.to_patch())
}

#[cfg(feature = "doc")]
pub use doc::{read, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjType, ReadDoc};

    use super::super::doc::{R, Writer, object, string};
    use super::{FIELDS, KEY, Profile, ProfilePatch};

    /// The plan's profile (empty fields where none is kept).
    pub fn read<R: ReadDoc>(d: &R) -> Profile {
        let Some(map) = object(d, &automerge::ROOT, KEY, ObjType::Map) else {
            return Profile::default();
        };
        let mut patch = ProfilePatch::default();
        for (key, _) in FIELDS {
            patch.set(key, &string(d, &map, key));
        }
        Profile::default().patched(&patch)
    }

    /// Writes the fields `patch` gives; returns their keys.
    pub fn write(w: &mut Writer, patch: &ProfilePatch) -> R<Vec<&'static str>> {
        // Plans made before profiles get the map on first use.
        let map = w.root_map(KEY, true)?;
        let given = patch.given();
        for (key, value) in &given {
            w.put_str(&map, key, value)?;
        }
        Ok(given.into_iter().map(|(k, _)| k).collect())
    }
}
