//! The competency record an inspector is handed: for each test system, the
//! laboratory and the person (the plan's profile), the stage, each of the
//! six CLIA elements with its date, method, result and assessor, each
//! sign-off with its assessment type, the assessor's qualification and
//! whether its signature verifies, the technician's acknowledgement, the
//! remediations, and what the signatures cover.
//!
//! [`sheet`] decides what the record says (pure, from a plan); [`html`],
//! [`markdown`] and [`pdf`] only lay it out. The CLI (`tandem competency
//! record`) and the app (`/plans/{plan}/record/...`) both print from here,
//! so the two never disagree.

pub mod html;
pub mod markdown;
pub mod pdf;
pub mod sheet;
pub mod words;

pub use sheet::Sheet;

/// Paper a PDF record is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// US Letter, 8.5 x 11 in.
    #[default]
    Letter,
    /// ISO A4, 210 x 297 mm.
    A4,
}

impl Paper {
    /// Width and height in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Paper::Letter => (215.9, 279.4),
            Paper::A4 => (210.0, 297.0),
        }
    }
}
