//! A competency in the app: its stage, the six CLIA elements (42 CFR
//! 493.1451(b)(8)) with each one's latest assessment, the form to record
//! an assessment, the sign-off by a mentor's device with each sign-off's
//! verification in words, and the printable record.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use tandem_proto::competency::ELEMENTS;
use tandem_proto::model::{Competency, Plan, Signoff};
use tandem_proto::signing::{VerifyError, verify};

use super::form;
use super::kinds;
use super::pages::{self, Refused, Tab, field_error};
use super::{App, reply};

/// Whether a sign-off verifies, and why, naming people rather than keys.
pub(super) fn verification(p: &Plan, c: &Competency, s: &Signoff) -> (bool, String) {
    let who = |peer: &str| {
        p.members
            .iter()
            .find(|m| m.peer == peer)
            .map_or_else(|| format!("{} (no longer a member)", s.name), |m| m.who())
    };
    match verify(p, c, s) {
        Ok(()) => {
            let on = match p.members.iter().find(|m| m.peer == s.assessor) {
                Some(m) if !m.device.trim().is_empty() => format!(", on the device “{}”", m.device),
                Some(_) => String::new(),
                None => " then, on a device since retired".to_string(),
            };
            (
                true,
                format!("Verified: signed by {}, a mentor of this plan{on}", s.name),
            )
        }
        Err(VerifyError::Changed) => (
            false,
            "Not verified: the record was changed after it was signed".into(),
        ),
        Err(VerifyError::NotAMentor(peer)) => (
            false,
            format!(
                "Not verified: {} was not a mentor of this plan when it signed",
                who(&peer)
            ),
        ),
        Err(VerifyError::Compromised(peer, since)) => (
            false,
            format!(
                "Needs review: {} was removed as compromised from {}, and this was signed after",
                who(&peer),
                since.strftime("%Y-%m-%d %H:%M UTC")
            ),
        ),
        Err(VerifyError::NotTheTechnician(peer)) => (
            false,
            format!(
                "Not verified: {} was not the technician's device when it signed",
                who(&peer)
            ),
        ),
        Err(e @ (VerifyError::BadKey | VerifyError::NotThatDevice(_))) => {
            (false, format!("Not verified: {e}"))
        }
    }
}

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
                @let (ok, why) = verification(p, c, s);
                li {
                    "Signed off by " span.title { (s.name) } " on " (s.signed_at.strftime("%Y-%m-%d %H:%M UTC")) " — "
                    span class=(if ok { "verified" } else { "late" }) { (why) }
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
                    button type="submit" { "Record the assessment" }
                }
            }
        }
        section.card aria-labelledby="signoff-h" {
            h2 #signoff-h { "Sign-off" }
            (signoffs(p, c))
            form method="post" action={ (base) "/signoff" } {
                (field_error(refused.other_error("signoff", &[])))
                p.quiet { "A mentor signs off from their own device once all six elements are assessed and passed; the signature is checked on every device. " (tandem_proto::competency::SIGNATURE_COVERS) }
                button type="submit" { "Sign off this competency" }
            }
            p { a href={ "/plans/" (p.id) "/record/" (c.id) } { "Printable record" } }
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

/// The printable record of one competency.
pub(super) async fn record(
    State(app): State<App>,
    Path((plan, id)): Path<(String, String)>,
) -> Response {
    let p = match app.plan(&plan).await {
        Ok(p) => p,
        Err(r) => return r,
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
    let title = format!("Competency record: {}", c.system);
    reply(
        StatusCode::OK,
        pages::layout_for(
            &title,
            Some(&p),
            Tab::None,
            html! {
                div.record {
                    h1 { (title) }
                    dl.facts {
                        dt { "Employee" } dd { (p.mentee) }
                        dt { "Assessor (mentor)" } dd { (p.mentor) }
                        dt { "Test system" } dd { (c.system) }
                        dt { "Stage" } dd { (c.stage) }
                        @if let Some(t) = c.trained_on { dt { "Training completed" } dd { (t) } }
                        @if let Some(d) = p.competency_schedule.next_due(c) { dt { "Next assessment due" } dd { (d) } }
                    }
                    (elements(c))
                    h2 { "Sign-offs" }
                    (signoffs(&p, c))
                    p.quiet { (tandem_proto::competency::SIGNATURE_COVERS) }
                    div.signatures {
                        p { "Employee: ______________________________  Date: ____________" }
                        p { "Assessor: ______________________________  Date: ____________" }
                    }
                    p.noprint { button type="button" data-print { "Print" } }
                }
            },
        ),
    )
}
