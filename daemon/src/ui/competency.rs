//! A competency in the app: its stage, the six CLIA elements (42 CFR
//! 493.1451(b)(8)) with each one's latest assessment, the form to record
//! an assessment, the sign-off by a mentor's device with each sign-off's
//! verification in words, and the printable record.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tandem_proto::competency::ELEMENTS;
use tandem_proto::model::{Competency, Plan};
use tandem_record::{Paper, Sheet, words};

use super::form;
use super::kinds;
use super::pages::{self, Refused, field_error};
use super::{App, reply};

fn elements(c: &Competency) -> Markup {
    html! {
        table.elements {
            caption { "The six elements of competency assessment" }
            thead { tr { th scope="col" { "Element" } th scope="col" { "Assessed" } th scope="col" { "By" } th scope="col" { "How" } th scope="col" { "Result" } } }
            tbody {
                @for (i, name) in ELEMENTS.iter().enumerate() {
                    @let a = c.assessments.iter().find(|a| usize::from(a.element) == i + 1);
                    tr {
                        th scope="row" { (i + 1) ". " (pages::words(name)) }
                        @match a {
                            Some(a) => {
                                td { (a.date) } td { (a.assessor) } td { (a.method) }
                                td class=(if a.result == tandem_proto::model::AssessmentResult::Pass { "ok" } else { "late" }) { (pages::words(a.result.as_str())) }
                            }
                            None => { td colspan="4" { span.quiet { "not assessed yet" } } }
                        }
                    }
                }
            }
        }
    }
}

fn signoffs(p: &Plan, c: &Competency) -> Markup {
    html! {
        @if c.signoffs.is_empty() { p.quiet { "Not signed off yet." } }
        ul.items {
            @for s in &c.signoffs {
                @let check = words::signoff(p, c, s);
                li {
                    @match s.kind { Some(k) => { (pages::words(k.as_str())) " assessment" } None => { "Assessment" } }
                    " signed off by " span.title { (s.name) }
                    @if let Some(q) = s.qualification { ", " (q.label()) "," }
                    " on " (s.signed_at.strftime("%Y-%m-%d %H:%M UTC")) " — "
                    span class=(if check.ok { "verified" } else { "late" }) { (check.text) }
                    br;
                    @match &s.acknowledgement {
                        Some(a) => {
                            @let ack = words::acknowledgement(p, c, s, a);
                            "Acknowledged by " (a.name) " on " (a.signed_at.strftime("%Y-%m-%d %H:%M UTC")) " — "
                            span class=(if ack.ok { "verified" } else { "late" }) { (ack.text) }
                        }
                        None => { span.quiet { "Not acknowledged by the technician yet." } }
                    }
                }
            }
        }
        @if !c.remediations.is_empty() {
            h3 { "Remediation" }
            ul.items {
                @for r in &c.remediations {
                    li class=(if r.is_open() { "late" } else { "" }) { (r.describe()) }
                }
            }
        }
    }
}

/// The competency's part of its item page.
pub(super) fn section(p: &Plan, c: &Competency, base: &str, refused: &Refused) -> Markup {
    let today = pages::today(jiff::Timestamp::now());
    let due = p.competency_schedule.next_due(c);
    let stage_now = |f: &form::Field| match f.key {
        "stage" => c.stage.as_str().to_string(),
        _ => c.trained_on.map(|d| d.to_string()).unwrap_or_default(),
    };
    let element = refused.value("assessment", "element").unwrap_or_default();
    let expected = p.competency_schedule.next_kind(c);
    // The assessment due is proposed; the qualification is the signer's
    // to state each time (another mentor's must never be the default).
    let signoff_now = |f: &form::Field| match f.key {
        "kind" => expected.as_str().to_string(),
        _ => String::new(),
    };
    html! {
        section.card aria-labelledby="elements-h" {
            h2 #elements-h { "Assessment" }
            p.meta {
                "Stage: " (c.stage)
                @if let Some(t) = c.trained_on { " · trained on " (t) }
                @if let Some(d) = due { " · " span class=(if d < today { "due late" } else { "due" }) { "next assessment " (form::date_words(d, today)) } }
            }
            (elements(c))
            details open[refused.is("assessment")] {
                summary data-add { "Record an assessment" }
                form method="post" action={ (base) "/assessment" } {
                    label for="assessment-element" { "Element" }
                    select #assessment-element name="element" {
                        @for (i, name) in ELEMENTS.iter().enumerate() {
                            option value=(i + 1) selected[element == (i + 1).to_string()] { (i + 1) ". " (pages::words(name)) }
                        }
                    }
                    (form::inputs("assessment", kinds::ASSESSMENT, p, &|f| f.start.to_string(), refused, false))
                    fieldset {
                        legend { "If it needs work: the remediation (it stays on the agenda until the element passes)" }
                        (form::inputs("assessment", kinds::REMEDIATION, p, &|_| String::new(), refused, false))
                    }
                    button type="submit" { "Record the assessment" }
                }
            }
        }
        section.card aria-labelledby="signoff-h" {
            h2 #signoff-h { "Sign-off" }
            (signoffs(p, c))
            form method="post" action={ (base) "/signoff" } {
                p.quiet { "A mentor signs off from their own device once all six elements are assessed and passed; the first sign-off is the initial assessment and releases the technician to work alone. The signature is checked on every device. " (tandem_proto::competency::SIGNATURE_COVERS) }
                (form::inputs("signoff", kinds::SIGNOFF, p, &signoff_now, refused, false))
                button type="submit" { "Sign off this competency" }
            }
            @if c.signoffs.last().is_some_and(|s| s.acknowledgement.is_none()) {
                form method="post" action={ (base) "/acknowledge" } {
                    (field_error(refused.other_error("acknowledge", &[])))
                    p.quiet { "The technician acknowledges the latest sign-off from their own device, with its own signature." }
                    button type="submit" { "Acknowledge as the technician" }
                }
            }
            p {
                a href={ "/plans/" (p.id) "/record/" (c.id) } { "Printable record" }
                " · "
                a href={ "/plans/" (p.id) "/record/" (c.id) ".pdf" } { "PDF" }
            }
        }
        section.card aria-labelledby="stage-h" {
            h2 #stage-h { "Stage" }
            form method="post" action={ (base) "/stage" } {
                (form::inputs("stage", kinds::STAGE, p, &stage_now, refused, false))
                button type="submit" { "Save the stage" }
            }
        }
    }
}

/// The printable record of one competency (`{id}`), or its PDF (`{id}.pdf`):
/// the very record `tandem competency record` prints.
pub(super) async fn record(
    State(app): State<App>,
    Path((plan, id)): Path<(String, String)>,
) -> Response {
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (id, pdf) = match id.strip_suffix(".pdf") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let Some(c) = p.competencies.iter().find(|c| c.id.as_str() == id) else {
        return reply(
            StatusCode::NOT_FOUND,
            pages::message(
                "Not found",
                "This competency is not in the plan (any more).",
            ),
        );
    };
    let sheet = Sheet::of(&p, &[c], pages::today(jiff::Timestamp::now()));
    if pdf {
        let name = format!("competency-record-{}.pdf", c.id);
        return (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            tandem_record::pdf::render(&sheet, Paper::Letter),
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        tandem_record::html::render(&sheet),
    )
        .into_response()
}
