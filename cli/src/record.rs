//! `tandem competency record`: the inspection-ready competency record (see
//! `tandem_record`), in Markdown, HTML (to print) or PDF.

use jiff::civil::Date;
use tandem_proto::model::{Competency, Plan};
use tandem_record::{Paper, Sheet};

/// How a competency record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// Markdown, for a repository or a quick look.
    Markdown,
    /// A web page with a print stylesheet (header and page numbers on every page).
    Html,
    /// A PDF, ready to hand to an inspector.
    Pdf,
}

/// Paper for a PDF record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaperArg {
    /// US Letter.
    Letter,
    /// ISO A4.
    A4,
}

/// The record of `list` from `plan`, printed on `today`.
pub fn render(
    plan: &Plan,
    list: &[&Competency],
    format: RecordFormat,
    paper: PaperArg,
    today: Date,
) -> Vec<u8> {
    let sheet = Sheet::of(plan, list, today);
    match format {
        RecordFormat::Markdown => tandem_record::markdown::render(&sheet).into_bytes(),
        RecordFormat::Html => tandem_record::html::render(&sheet).into_bytes(),
        RecordFormat::Pdf => tandem_record::pdf::render(
            &sheet,
            match paper {
                PaperArg::Letter => Paper::Letter,
                PaperArg::A4 => Paper::A4,
            },
        ),
    }
}
