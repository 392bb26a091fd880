//! The mentoring agreement: what both sides commit to, four collaborative
//! texts made with the plan.
//!
//! ```text
//! agreement: map { cadence, communication, confidentiality, expectations: text }
//! ```

use serde::{Deserialize, Serialize};

use super::fields::{ValidationError, check_opt, check_text};

/// The agreement's map under the document root.
pub const KEY: &str = "agreement";
/// Its texts, in the order they are shown.
pub const TEXTS: [&str; 4] = [
    "cadence",
    "communication",
    "confidentiality",
    "expectations",
];

/// The mentoring agreement: what both sides commit to. All four are collaborative text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// How often and how the pair meets, e.g. "every second Tuesday, 30 min".
    pub cadence: String,
    /// Communication norms: channels, response times.
    pub communication: String,
    /// What stays between the two of them.
    pub confidentiality: String,
    /// What each side expects of the other.
    pub expectations: String,
}

/// Changes to the agreement; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementPatch {
    /// Meeting cadence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cadence: Option<String>,
    /// Communication norms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication: Option<String>,
    /// Confidentiality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<String>,
    /// Expectations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<String>,
}

impl AgreementPatch {
    /// The texts it gives, by key.
    fn texts(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("cadence", &self.cadence),
            ("communication", &self.communication),
            ("confidentiality", &self.confidentiality),
            ("expectations", &self.expectations),
        ]
    }
}

impl Agreement {
    /// Every text, as a patch that sets them all.
    pub fn as_patch(&self) -> AgreementPatch {
        AgreementPatch {
            cadence: Some(self.cadence.clone()),
            communication: Some(self.communication.clone()),
            confidentiality: Some(self.confidentiality.clone()),
            expectations: Some(self.expectations.clone()),
        }
    }
}

/// What can be done to the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AgreementOp {
    /// Edit the agreement.
    Edit(AgreementPatch),
}

/// The checks of the agreement's texts, whoever writes them.
pub fn check(p: &AgreementPatch) -> Result<(), ValidationError> {
    for (key, text) in p.texts() {
        check_opt(text, |t| check_text(key, t))?;
    }
    Ok(())
}

impl AgreementOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            AgreementOp::Edit(p) => check(p),
        }
    }
}

#[cfg(feature = "doc")]
pub(super) use doc::{read, write};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjType, ReadDoc};

    use super::super::doc::{Applied, R, Target, Writer, damaged, object, string};
    use super::{Agreement, AgreementOp, AgreementPatch, KEY};

    pub(crate) fn read<R: ReadDoc>(d: &R) -> Agreement {
        let Some(a) = object(d, &automerge::ROOT, KEY, ObjType::Map) else {
            return Agreement::default();
        };
        Agreement {
            cadence: string(d, &a, "cadence"),
            communication: string(d, &a, "communication"),
            confidentiality: string(d, &a, "confidentiality"),
            expectations: string(d, &a, "expectations"),
        }
    }

    /// Writes the texts a patch gives; returns which.
    fn write_patch(w: &mut Writer, p: &AgreementPatch) -> R<Vec<&'static str>> {
        let obj = object(w.tx, &automerge::ROOT, KEY, ObjType::Map)
            .ok_or_else(|| damaged("plan document has no agreement map".into()))?;
        let mut changed = Vec::new();
        for (key, text) in p.texts() {
            if let Some(t) = text {
                w.put_text(&obj, key, t)?;
                changed.push(key);
            }
        }
        Ok(changed)
    }

    /// Writes an imported agreement.
    pub(crate) fn write(w: &mut Writer, a: &Agreement) -> R<()> {
        write_patch(w, &a.as_patch()).map(drop)
    }

    impl AgreementOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                AgreementOp::Edit(p) => {
                    let changed = write_patch(w, p)?;
                    Ok(Applied {
                        message: format!("agreement edit: {}", changed.join(", ")),
                        target: Target::Agreement,
                    })
                }
            }
        }
    }
}
