//! `tandem plan profile`: the laboratory and person details printed at the
//! head of every page of a competency record. Without options it shows them.

use tandem_proto::edit::{Edit, PlanOp, ProfilePatch};
use tandem_proto::model::Profile;

use super::Ctx;
use crate::fail::Fail;

// What `plan profile` sets; what is not given stays as it is (give "" to clear).
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// The laboratory's name.
    #[arg(long)]
    lab_name: Option<String>,
    /// Its CLIA number (two digits, D, seven digits, e.g. 05D0642827).
    #[arg(long = "clia")]
    clia_number: Option<String>,
    /// The laboratory director.
    #[arg(long = "director")]
    lab_director: Option<String>,
    /// The section or department, e.g. Hematology.
    #[arg(long = "section")]
    lab_section: Option<String>,
    /// The employee's full name.
    #[arg(long)]
    full_name: Option<String>,
    /// The employee id.
    #[arg(long)]
    employee_id: Option<String>,
    /// The employee's position, e.g. "Medical Laboratory Scientist".
    #[arg(long)]
    position: Option<String>,
}

/// The profile's labels, by field.
fn label(key: &str) -> &'static str {
    match key {
        "lab_name" => "Laboratory",
        "clia_number" => "CLIA number",
        "lab_director" => "Director",
        "lab_section" => "Section",
        "full_name" => "Employee",
        "employee_id" => "Employee id",
        _ => "Position",
    }
}

fn lines(p: &Profile) -> String {
    p.fields()
        .into_iter()
        .map(|(k, v)| {
            let v = if v.is_empty() { "not given" } else { v };
            format!("{:<12} {v}\n", format!("{}:", label(k)))
        })
        .collect()
}

/// Shows or sets the current plan's profile.
pub(crate) fn run(a: ProfileArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let patch = ProfilePatch {
        lab_name: a.lab_name,
        clia_number: a.clia_number.map(|c| c.trim().to_uppercase()),
        lab_director: a.lab_director,
        lab_section: a.lab_section,
        full_name: a.full_name,
        employee_id: a.employee_id,
        position: a.position,
    };
    if patch.given().is_empty() {
        let plan = ctx.fetch_plan()?;
        let text = lines(&plan.profile);
        return ctx.emit(&plan.profile, || text.clone());
    }
    ctx.edit(Edit::Plan(PlanOp::Profile(Box::new(patch))))?;
    let plan = ctx.fetch_plan()?;
    let text = format!("Profile saved.\n{}", lines(&plan.profile));
    ctx.emit(&plan.profile, || text.clone())
}
