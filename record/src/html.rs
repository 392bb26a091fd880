//! The record as one self-contained web page, made to be printed: on
//! Letter or A4 every page carries the laboratory and the person at the top
//! and "Page n of N" at the bottom (CSS page-margin boxes), no table row is
//! split across pages (header rows repeat), long text wraps inside its
//! column instead of running past the margin, each test system starts on a
//! new page and ends with signature and date lines.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::sheet::{Round, Section, Sheet, SignoffRow};

/// `s` as a CSS string literal, safe inside a `<style>` element.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            // No markup may end the style element early.
            '<' => out.push_str("\\3C "),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The stylesheet, with the page header's text.
fn style(sheet: &Sheet) -> String {
    let lab = css_string(&sheet.lab);
    let person = css_string(&sheet.person);
    let printed = css_string(&format!("Printed {} · Tandem", sheet.printed));
    format!(
        r#"
:root {{ color: #111; font: 10.5pt/1.4 system-ui, "Helvetica Neue", Arial, sans-serif; }}
body {{ max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }}
.head {{ display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #999; padding-bottom: .3rem; font-size: 9pt; color: #333; }}
h1 {{ font-size: 16pt; margin: .8rem 0 .4rem; }}
h2 {{ font-size: 13pt; margin: 1.2rem 0 .3rem; }}
h3 {{ font-size: 11pt; margin: .8rem 0 .3rem; }}
dl.facts {{ display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .3rem 0; }}
dl.facts dt {{ font-weight: 600; }}
dl.facts dd {{ margin: 0; }}
table {{ width: 100%; table-layout: fixed; border-collapse: collapse; margin: .3rem 0; }}
th, td {{ border: 1px solid #888; padding: .2rem .35rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }}
thead th {{ background: #eee; }}
.failed {{ color: #a00; font-weight: 600; }}
td.date {{ white-space: nowrap; }}
.ok {{ color: #075; }}
.sign {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem 2rem; margin: 1.2rem 0 .5rem; }}
.sign div {{ border-top: 1px solid #111; padding-top: .15rem; font-size: 9pt; }}
.covers {{ font-size: 9pt; color: #333; }}
tr, .sign, .keep, li {{ break-inside: avoid; page-break-inside: avoid; }}
thead {{ display: table-header-group; }}
h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
@page {{
  margin: 20mm 14mm 18mm;
  @top-left {{ content: {lab}; font: 8.5pt Arial, sans-serif; color: #333; }}
  @top-right {{ content: {person}; font: 8.5pt Arial, sans-serif; color: #333; }}
  @bottom-left {{ content: {printed}; font: 8pt Arial, sans-serif; color: #555; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: 8pt Arial, sans-serif; color: #555; }}
}}
@media print {{
  :root {{ font-size: 9.5pt; }}
  body {{ max-width: none; margin: 0; padding: 0; }}
  .head, .noprint {{ display: none; }}
  section.system + section.system {{ break-before: page; page-break-before: always; }}
}}
"#
    )
}

fn elements(r: &Round) -> Markup {
    html! {
        table.elements {
            colgroup { col style="width:24%"; col style="width:13%"; col style="width:10%"; col style="width:15%"; col; }
            thead { tr { th { "Element" } th { "Date" } th { "Result" } th { "Assessor" } th { "Method" } } }
            tbody {
                @for e in &r.elements {
                    tr {
                        td { (e.number) ". " (e.name) }
                        td.date { (e.date) }
                        td class=(if e.passed { "ok" } else { "failed" }) { (e.result) }
                        td { (e.assessor) }
                        td { (e.method) }
                    }
                }
            }
        }
    }
}

fn signoff(r: &SignoffRow) -> Markup {
    html! {
        table.signoffs {
            colgroup { col style="width:16%"; col style="width:17%"; col style="width:17%"; col style="width:17%"; col; }
            thead { tr { th { "Signature" } th { "Signed by" } th { "Qualification" } th { "Signed at" } th { "Verification" } } }
            tbody {
                tr {
                    td { "assessor" @if r.format_1 { " (format 1)" } }
                    td { (r.name) }
                    td { (r.qualification) }
                    td { (r.signed_at) }
                    td class=(if r.check.ok { "ok" } else { "failed" }) { (r.check.text) }
                }
                tr {
                    td { "employee" }
                    @match &r.acknowledgement {
                        Some((name, at, check)) => {
                            td { (name) } td { "technician" } td { (at) }
                            td class=(if check.ok { "ok" } else { "failed" }) { (check.text) }
                        }
                        None => { td colspan="4" { "Not acknowledged by the technician yet." } }
                    }
                }
            }
        }
    }
}

fn section(s: &Section) -> Markup {
    html! {
        section.system {
            h2 { "Test system: " (s.system) }
            dl.facts { @for (k, v) in &s.facts { dt { (k) } dd { (v) } } }
            @for r in &s.rounds {
                h3 { (r.heading) }
                (elements(r))
                @if let Some(so) = &r.signoff { (signoff(so)) }
            }
            @if !s.remediations.is_empty() {
                h3 { "Remediation" }
                ul { @for r in &s.remediations { li { (r) } } }
            }
            div.sign {
                div { "Assessor signature" } div { "Date" }
                div { "Employee signature" } div { "Date" }
            }
        }
    }
}

/// The record as a printable HTML page.
pub fn render(sheet: &Sheet) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (sheet.title) }
                style { (PreEscaped(style(sheet))) }
            }
            body {
                div.head { span { (sheet.lab) } span { (sheet.person) } }
                h1 { (sheet.title) }
                dl.facts {
                    dt { "Laboratory" } dd { (sheet.lab) }
                    dt { "Employee" } dd { (sheet.person) }
                    @for (k, v) in &sheet.facts { dt { (k) } dd { (v) } }
                    dt { "Printed" } dd { (sheet.printed) }
                }
                @if sheet.sections.is_empty() { p { "No competency records." } }
                @for s in &sheet.sections { (section(s)) }
                @for c in &sheet.covers { p.covers { (c) } }
            }
        }
    };
    page.into_string()
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn header_text_cannot_leave_its_css_string() {
        assert_eq!(css_string(r#"Lab "A" \ B"#), r#""Lab \"A\" \\ B""#);
        let s = css_string("x</style><script>");
        assert!(!s.contains('<'), "{s}");
        assert_eq!(css_string("a\nb"), "\"a b\"");
    }
}
