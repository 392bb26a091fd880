//! The coordinator's view in the app: every person × test system across
//! the plans on this device, most urgent first (`proto::matrix`, as `tandem
//! matrix` shows it), each cell linked to its competency, and the same as a
//! CSV file for a spreadsheet.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use tandem_proto::api::{PlanGet, PlanList};
use tandem_proto::matrix::{CSV_HEADER, Cell, Standing, cells};
use tandem_proto::model::Plan;

use super::pages::{self, Tab};
use super::{App, failed, reply};

/// Every readable plan on this device.
async fn plans(app: &App) -> Result<Vec<Plan>, Response> {
    let list = app.api.call(PlanList).await.map_err(|e| failed(&e))?;
    let mut out = Vec::new();
    for s in list.iter().filter(|p| p.error.is_none()) {
        if let Ok(p) = app
            .api
            .call(PlanGet {
                plan: Some(s.id.to_string()),
            })
            .await
        {
            out.push(*p);
        }
    }
    Ok(out)
}

fn class(s: &Standing) -> &'static str {
    match s {
        Standing::Overdue { .. } | Standing::InRemediation => "late",
        Standing::DueSoon { .. } => "due",
        Standing::SignedUntil => "ok",
        Standing::NeverAssessed | Standing::InProgress { .. } => "quiet",
    }
}

pub(super) async fn page(State(app): State<App>) -> Response {
    let all = match plans(&app).await {
        Ok(p) => cells(&p, pages::today(jiff::Timestamp::now())),
        Err(r) => return r,
    };
    let late = all
        .iter()
        .filter(|c| matches!(c.standing, Standing::Overdue { .. }))
        .count();
    reply(
        StatusCode::OK,
        pages::layout_for(
            "Competencies across plans",
            None,
            Tab::None,
            html! {
                h1 { "Competencies across plans" }
                p.meta {
                    (all.len()) (if all.len() == 1 { " competency record · " } else { " competency records · " }) (late) " overdue · "
                    a href="/matrix.csv" download="competency-matrix.csv" { "Download as CSV" }
                }
                @if all.is_empty() {
                    p.quiet { "No competency records in the plans on this device yet." }
                } @else {
                    table.matrix {
                        caption { "Every person and test system, most urgent first" }
                        thead { tr { th scope="col" { "Person" } th scope="col" { "Test system" } th scope="col" { "Where it stands" } th scope="col" { "Plan" } } }
                        tbody {
                            @for c in &all {
                                tr {
                                    th scope="row" { (c.person) }
                                    td { a href={ "/plans/" (c.plan) "/items/competency/" (c.competency) } { (c.system) } }
                                    td class=(class(&c.standing)) { (c.standing.words(c.due)) }
                                    td { a href={ "/plans/" (c.plan) } { (c.plan_title) } }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

fn csv_of(all: &[Cell]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for c in all {
        w.write_record(c.csv_row())?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub(super) async fn csv_file(State(app): State<App>) -> Response {
    let all = match plans(&app).await {
        Ok(p) => cells(&p, pages::today(jiff::Timestamp::now())),
        Err(r) => return r,
    };
    match csv_of(&all) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"competency-matrix.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::message("Cannot write the file", &e.to_string()),
        ),
    }
}
