//! The record as a PDF (made with `printpdf`, in the standard Helvetica
//! fonts every reader has): on every page the laboratory and the person at
//! the top and "Page n of N" at the bottom; each test system from a new
//! page; table rows never split across pages (the header row repeats);
//! text wrapped to its column, measured with the font's own widths, so
//! nothing runs past the margin on Letter or A4; signature and date lines
//! under each test system.

use printpdf::{
    BuiltinFont, Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use crate::Paper;
use crate::sheet::{Section, Sheet, SignoffRow};

/// Margins in points: left and right, above the body (the page header
/// sits in it), below the body (the footer sits in it).
const SIDE: f32 = 42.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = 54.0;
/// Body text size and line height, in points.
const SIZE: f32 = 9.5;
const LEAD: f32 = 12.0;
/// Padding inside a table cell.
const PAD: f32 = 3.0;

/// Measures text in the two fonts used.
struct Fonts {
    regular: Option<ParsedFont>,
    bold: Option<ParsedFont>,
}

impl Fonts {
    fn new() -> Fonts {
        Fonts {
            regular: BuiltinFont::Helvetica.get_parsed_font(),
            bold: BuiltinFont::HelveticaBold.get_parsed_font(),
        }
    }

    /// The width of `s` at `size` points.
    fn width(&self, s: &str, bold: bool, size: f32) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let Some(f) = font else {
            // Not expected (the fonts are built in); half an em per character.
            return s.chars().count() as f32 * size * 0.5;
        };
        let em = f32::from(f.pdf_font_metrics.units_per_em.max(1));
        let units: f32 = s
            .chars()
            .map(|c| {
                f.lookup_glyph_index(u32::from(c))
                    .and_then(|g| f.get_glyph_width(g))
                    .map_or(em * 0.55, f32::from)
            })
            .sum();
        units / em * size
    }

    /// `s` broken into lines no wider than `max` points (words longer
    /// than a line are broken between characters).
    fn wrap(&self, s: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in s.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, bold, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for ch in word.chars() {
                    line.push(ch);
                    if self.width(&line, bold, size) > max && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::replace(&mut line, ch.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// A table cell: its text, and whether it is a failure to show in red.
struct Cell {
    text: String,
    alarm: bool,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        alarm: false,
    }
}

/// The pages being laid out, top to bottom.
struct Layout<'s> {
    fonts: Fonts,
    sheet: &'s Sheet,
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    /// Where the next line's top is, in points from the bottom.
    y: f32,
}

const BLACK: Rgb = Rgb {
    r: 0.07,
    g: 0.07,
    b: 0.07,
    icc_profile: None,
};
const RED: Rgb = Rgb {
    r: 0.66,
    g: 0.0,
    b: 0.0,
    icc_profile: None,
};
const GREY: Rgb = Rgb {
    r: 0.33,
    g: 0.33,
    b: 0.33,
    icc_profile: None,
};

impl<'s> Layout<'s> {
    fn new(sheet: &'s Sheet, paper: Paper) -> Layout<'s> {
        let (w, h) = paper.size_mm();
        let mut l = Layout {
            fonts: Fonts::new(),
            sheet,
            width: Pt::from(Mm(w)).0,
            height: Pt::from(Mm(h)).0,
            pages: Vec::new(),
            y: 0.0,
        };
        l.new_page();
        l
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, baseline: f32, s: &str, bold: bool, size: f32, color: &Rgb) {
        let font = if bold {
            BuiltinFont::HelveticaBold
        } else {
            BuiltinFont::Helvetica
        };
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor {
                col: Color::Rgb(color.clone()),
            },
            Op::SetFont {
                font: PdfFontHandle::Builtin(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let p = |x, y| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(GREY),
            },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(x1, y1), p(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Starts a page with the laboratory and the person at its top.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let top = self.height - 30.0;
        let right = self.width - SIDE;
        let lab = self.sheet.lab.clone();
        let person = self.sheet.person.clone();
        let body = right - SIDE;
        let (lab_w, person_w) = (
            self.fonts.width(&lab, true, 8.5),
            self.fonts.width(&person, false, 8.5),
        );
        // Side by side when both fit, else the person under the laboratory.
        let rule = if lab_w + person_w + 12.0 <= body {
            self.text(SIDE, top, &lab, true, 8.5, &BLACK);
            self.text(right - person_w, top, &person, false, 8.5, &BLACK);
            top - 5.0
        } else {
            let lab = self.fit(&lab, body, 8.5, true);
            let person = self.fit(&person, body, 8.5, false);
            self.text(SIDE, top + 6.0, &lab, true, 8.5, &BLACK);
            self.text(SIDE, top - 5.0, &person, false, 8.5, &BLACK);
            top - 10.0
        };
        self.rule(SIDE, rule, right, rule, 0.6);
        self.y = self.height - TOP;
    }

    /// `s`, shortened with an ellipsis to fit `max` points.
    fn fit(&self, s: &str, max: f32, size: f32, bold: bool) -> String {
        if self.fonts.width(s, bold, size) <= max {
            return s.to_string();
        }
        let mut out: String = s.to_string();
        while !out.is_empty() && self.fonts.width(&format!("{out}…"), bold, size) > max {
            out.pop();
        }
        format!("{out}…")
    }

    /// Makes room for `h` points, on a new page if this one has not.
    fn room(&mut self, h: f32) -> bool {
        if self.y - h < BOTTOM {
            self.new_page();
            return true;
        }
        false
    }

    fn body_width(&self) -> f32 {
        self.width - 2.0 * SIDE
    }

    /// A wrapped paragraph.
    fn para(&mut self, s: &str, bold: bool, size: f32, color: &Rgb) {
        let lead = size * 1.3;
        for line in self.fonts.wrap(s, bold, size, self.body_width()) {
            self.room(lead);
            self.text(SIDE, self.y - size, &line, bold, size, color);
            self.y -= lead;
        }
    }

    /// (label, value) lines.
    fn facts(&mut self, facts: &[(&str, String)]) {
        let label_w = facts
            .iter()
            .map(|(k, _)| self.fonts.width(k, true, SIZE))
            .fold(0.0, f32::max)
            + 10.0;
        for (k, v) in facts {
            let lines = self.fonts.wrap(v, false, SIZE, self.body_width() - label_w);
            self.room(LEAD * lines.len() as f32);
            self.text(SIDE, self.y - SIZE, k, true, SIZE, &BLACK);
            for line in lines {
                self.text(SIDE + label_w, self.y - SIZE, &line, false, SIZE, &BLACK);
                self.y -= LEAD;
            }
        }
        self.y -= 4.0;
    }

    /// One table row at the current position; `widths` in points.
    fn row(&mut self, cells: &[Cell], widths: &[f32], bold: bool) -> f32 {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| self.fonts.wrap(&c.text, bold, SIZE, w - 2.0 * PAD))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f32 * LEAD + 2.0 * PAD;
        let top = self.y;
        let mut x = SIDE;
        for ((c, lines), w) in cells.iter().zip(&wrapped).zip(widths) {
            let color = if c.alarm { &RED } else { &BLACK };
            for (i, line) in lines.iter().enumerate() {
                let baseline = top - PAD - SIZE - i as f32 * LEAD + 1.5;
                self.text(x + PAD, baseline, line, bold || c.alarm, SIZE, color);
            }
            self.rule(x, top, x, top - h, 0.4);
            x += w;
        }
        self.rule(x, top, x, top - h, 0.4);
        self.rule(SIDE, top, x, top, 0.4);
        self.rule(SIDE, top - h, x, top - h, 0.4);
        self.y -= h;
        h
    }

    fn row_height(&self, cells: &[Cell], widths: &[f32], bold: bool) -> f32 {
        let lines = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| self.fonts.wrap(&c.text, bold, SIZE, w - 2.0 * PAD).len())
            .max()
            .unwrap_or(1)
            .max(1);
        lines as f32 * LEAD + 2.0 * PAD
    }

    /// A table: its header row repeats on every page it runs onto; a row
    /// that does not fit goes whole to the next page.
    fn table(&mut self, header: &[&str], fractions: &[f32], rows: Vec<Vec<Cell>>) {
        let total: f32 = fractions.iter().sum();
        let widths: Vec<f32> = fractions
            .iter()
            .map(|f| f / total * self.body_width())
            .collect();
        let head: Vec<Cell> = header.iter().map(|h| cell(*h)).collect();
        let head_h = self.row_height(&head, &widths, true);
        let first = rows
            .first()
            .map_or(0.0, |r| self.row_height(r, &widths, false));
        self.room(head_h + first);
        self.row(&head, &widths, true);
        for r in rows {
            let h = self.row_height(&r, &widths, false);
            if self.room(h) {
                self.row(&head, &widths, true);
            }
            self.row(&r, &widths, false);
        }
        self.y -= 6.0;
    }

    fn heading(&mut self, s: &str, size: f32, keep: f32) {
        self.room(size * 1.6 + keep);
        self.y -= size * 0.4;
        self.para(s, true, size, &BLACK);
    }

    /// Lines to sign and date on paper, kept together.
    fn signature_lines(&mut self) {
        let h = 2.0 * 34.0;
        self.room(h + 6.0);
        let w = self.body_width();
        for who in ["Assessor signature", "Employee signature"] {
            self.y -= 26.0;
            let y = self.y;
            self.rule(SIDE, y, SIDE + w * 0.62, y, 0.7);
            self.rule(SIDE + w * 0.7, y, SIDE + w, y, 0.7);
            self.text(SIDE, y - 9.0, who, false, 8.0, &GREY);
            self.text(SIDE + w * 0.7, y - 9.0, "Date", false, 8.0, &GREY);
            self.y -= 8.0;
        }
        self.y -= 6.0;
    }

    fn section(&mut self, s: &Section) {
        self.heading(&format!("Test system: {}", s.system), 13.0, 60.0);
        self.facts(&s.facts);
        for round in &s.rounds {
            self.heading(&round.heading, 11.0, 40.0);
            let rows = round
                .elements
                .iter()
                .map(|e| {
                    vec![
                        cell(format!("{}. {}", e.number, e.name)),
                        cell(e.date.clone()),
                        Cell {
                            text: e.result.clone(),
                            alarm: !e.passed,
                        },
                        cell(e.assessor.clone()),
                        cell(e.method.clone()),
                    ]
                })
                .collect();
            self.table(
                &["Element", "Date", "Result", "Assessor", "Method"],
                &[26.0, 11.0, 10.0, 15.0, 38.0],
                rows,
            );
            if let Some(r) = &round.signoff {
                self.signoff(r);
            }
        }
        if !s.remediations.is_empty() {
            self.heading("Remediation", 11.0, 20.0);
            for r in &s.remediations {
                self.para(&format!("• {r}"), false, SIZE, &BLACK);
            }
            self.y -= 4.0;
        }
        self.signature_lines();
    }

    /// A sign-off's two signatures, the assessor's and the employee's.
    fn signoff(&mut self, r: &SignoffRow) {
        let who = if r.format_1 {
            "assessor (format 1)"
        } else {
            "assessor"
        };
        let mut rows = vec![vec![
            cell(who),
            cell(r.name.clone()),
            cell(r.qualification.clone()),
            cell(r.signed_at.clone()),
            Cell {
                text: r.check.text.clone(),
                alarm: !r.check.ok,
            },
        ]];
        rows.push(match &r.acknowledgement {
            Some((name, at, check)) => vec![
                cell("employee"),
                cell(name.clone()),
                cell("technician"),
                cell(at.clone()),
                Cell {
                    text: check.text.clone(),
                    alarm: !check.ok,
                },
            ],
            None => vec![
                cell("employee"),
                cell(""),
                cell(""),
                cell(""),
                cell("Not acknowledged by the technician yet."),
            ],
        });
        self.table(
            &[
                "Signature",
                "Signed by",
                "Qualification",
                "Signed at",
                "Verification",
            ],
            &[12.0, 14.0, 20.0, 19.0, 35.0],
            rows,
        );
    }

    /// Writes each page's footer, now that their number is known.
    fn footers(&mut self) {
        let n = self.pages.len();
        let printed = format!("Printed {} · Tandem", self.sheet.printed);
        let right = self.width - SIDE;
        for i in 0..n {
            let label = format!("Page {} of {n}", i + 1);
            let w = self.fonts.width(&label, false, 8.0);
            // Write into page i: swap it to the end, draw, swap back.
            let page = std::mem::take(&mut self.pages[i]);
            self.pages.push(page);
            self.rule(SIDE, 40.0, right, 40.0, 0.4);
            self.text(SIDE, 28.0, &printed, false, 8.0, &GREY);
            self.text(right - w, 28.0, &label, false, 8.0, &GREY);
            if let Some(done) = self.pages.pop() {
                self.pages[i] = done;
            }
        }
    }
}

/// The record as PDF bytes, laid out for `paper`.
pub fn render(sheet: &Sheet, paper: Paper) -> Vec<u8> {
    let mut l = Layout::new(sheet, paper);
    l.heading(&sheet.title, 16.0, 40.0);
    let mut facts: Vec<(&str, String)> = vec![
        ("Laboratory", sheet.lab.clone()),
        ("Employee", sheet.person.clone()),
    ];
    facts.extend(sheet.facts.iter().cloned());
    l.facts(&facts);
    if sheet.sections.is_empty() {
        l.para("No competency records.", false, SIZE, &BLACK);
    }
    for (i, s) in sheet.sections.iter().enumerate() {
        if i > 0 {
            l.new_page();
        }
        l.section(s);
    }
    for c in &sheet.covers {
        l.y -= 4.0;
        l.para(c, false, 8.5, &GREY);
    }
    l.footers();
    let (w, h) = paper.size_mm();
    let pages = l
        .pages
        .into_iter()
        .map(|ops| PdfPage::new(Mm(w), Mm(h), ops))
        .collect();
    let mut doc = PdfDocument::new(&sheet.title);
    doc.metadata.info.creator = "Tandem".into();
    doc.metadata.info.producer = "Tandem".into();
    doc.with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_their_width_and_keep_every_word() {
        let f = Fonts::new();
        let text = "testing previously analysed specimens, blind samples or external PT samples \
                    Averyveryverylongwordwithoutanyspacethatmustbebrokenbetweencharacters";
        for max in [40.0, 90.0, 200.0] {
            let lines = f.wrap(text, false, SIZE, max);
            for l in &lines {
                assert!(
                    f.width(l, false, SIZE) <= max + 0.01,
                    "{l:?} wider than {max}"
                );
            }
            let joined: String = lines.concat().split_whitespace().collect();
            let want: String = text.split_whitespace().collect();
            assert_eq!(joined, want, "nothing lost at {max}");
        }
        // Helvetica's own widths: "Hello" is 2.278 em.
        assert!((f.width("Hello", false, 10.0) - 22.78).abs() < 0.05);
    }

    #[test]
    fn a_long_record_runs_onto_pages_that_each_have_header_and_number() {
        let mut sheet = crate::sheet::tests::sheet_with(40);
        sheet.lab = "Riverside Hospital Laboratory · CLIA 05D0642827".into();
        let bytes = render(&sheet, Paper::A4);
        assert!(bytes.starts_with(b"%PDF-"));
        let mut l = Layout::new(&sheet, Paper::A4);
        for s in &sheet.sections {
            l.section(s);
        }
        assert!(l.pages.len() > 1, "40 systems fill more than a page");
        // Nothing is drawn below the bottom margin but the footer.
        assert!(l.y >= BOTTOM - 0.01);
    }
}
