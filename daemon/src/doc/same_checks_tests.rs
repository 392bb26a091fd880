//! Property: an import refuses exactly the values an edit refuses. For
//! every free-form field of every kind, a value goes in once as an edit
//! and once in an exported plan; both must be refused or both accepted
//! (drift between the two paths let imports bring in empty note bodies and
//! tags with spaces that no edit could write).

use proptest::prelude::*;
use serde_json::{Value, json};
use tandem_proto::edit::Edit;
use tandem_proto::model::Plan;

use super::tests::{device, new_plan, now, peer};

/// A plan with one item of every kind (and of every part: a milestone, an
/// agenda item, an assessment, a sign-off), as exported JSON, and the ids
/// the field templates refer to.
fn base() -> (Value, Value) {
    let mut d = new_plan();
    let mut n = 0u64;
    let mut next = || {
        n += 1;
        format!("{n:016x}")
    };
    let mut add = |e: Value| {
        let edit: Edit =
            serde_json::from_value(e.clone()).unwrap_or_else(|err| panic!("{e}: {err}"));
        let item = d.apply(&edit, &device(1), now(), &mut next).unwrap().item;
        serde_json::to_value(item).unwrap()["item"]["id"].clone()
    };
    let goal =
        add(json!({"goal": {"op": "add", "title": "g", "category": "skill", "status": "active"}}));
    add(json!({"milestone": {"op": "add", "goal": goal, "title": "m"}}));
    add(json!({"action": {"op": "add", "title": "a", "owner": "mentee"}}));
    let meeting = add(
        json!({"meeting": {"op": "add", "start": "2027-01-05T10:00:00+01:00[Europe/Berlin]", "duration_minutes": 30, "location": "", "agenda": ["x"]}}),
    );
    add(json!({"feedback": {"op": "add", "author": "Dana", "kind": "praise", "body": "b"}}));
    add(json!({"note": {"op": "add", "author": "Ana", "body": "b", "tags": ["t"]}}));
    add(
        json!({"contact": {"op": "add", "name": "n", "organization": "", "how_met": "", "introduced_by": "", "notes": ""}}),
    );
    let comp = add(json!({"competency": {"op": "add", "system": "s"}}));
    add(
        json!({"assessment": {"op": "add", "competency": comp, "element": 1, "date": "2027-01-05", "assessor": "Dana", "method": "m", "result": "pass"}}),
    );
    add(
        json!({"signoff": {"op": "add", "competency": comp, "signoff": {"assessor": peer(1), "name": "Dana", "signed_at": "2027-01-05T10:00:00Z", "public_key": "08", "signature": "ab"}}}),
    );
    add(
        json!({"ce": {"op": "add", "title": "c", "provider": "", "date": "2027-01-05", "points": 1.0, "category": "", "certificate": ""}}),
    );
    add(json!({"certification": {"op": "add", "credential": "MLS", "status": "planned"}}));
    let ids = json!({"goal": goal, "meeting": meeting, "competency": comp});
    (serde_json::to_value(d.view()).unwrap(), ids)
}

/// Each free-form field an import brings in: the edit that sets it (`V`
/// marks the value), and where the exported plan holds it.
fn fields(ids: &Value) -> Vec<(Value, &'static str)> {
    let (g, m, c) = (&ids["goal"], &ids["meeting"], &ids["competency"]);
    let goal = |f: &str| json!({"goal": {"op": "add", "title": if f == "title" { "V" } else { "g" }, "category": "skill", "status": "active", f: "V"}});
    let contact = |f: &str| {
        let mut e = json!({"contact": {"op": "add", "name": "n", "organization": "", "how_met": "", "introduced_by": "", "notes": ""}});
        e["contact"][f] = json!("V");
        e
    };
    let ce = |f: &str| {
        let mut e = json!({"ce": {"op": "add", "title": "c", "provider": "", "date": "2027-01-05", "points": 1.0, "category": "", "certificate": ""}});
        e["ce"][f] = json!("V");
        e
    };
    let assess = |f: &str| {
        let mut e = json!({"assessment": {"op": "add", "competency": c, "element": 1, "date": "2027-01-05", "assessor": "Dana", "method": "m", "result": "pass"}});
        e["assessment"][f] = json!("V");
        e
    };
    vec![
        (json!({"plan": {"op": "edit", "title": "V"}}), "/title"),
        (json!({"plan": {"op": "edit", "mentor": "V"}}), "/mentor"),
        (json!({"plan": {"op": "edit", "mentee": "V"}}), "/mentee"),
        (
            json!({"agreement": {"op": "edit", "cadence": "V"}}),
            "/agreement/cadence",
        ),
        (
            json!({"agreement": {"op": "edit", "communication": "V"}}),
            "/agreement/communication",
        ),
        (
            json!({"agreement": {"op": "edit", "confidentiality": "V"}}),
            "/agreement/confidentiality",
        ),
        (
            json!({"agreement": {"op": "edit", "expectations": "V"}}),
            "/agreement/expectations",
        ),
        (goal("title"), "/goals/0/title"),
        (goal("description"), "/goals/0/description"),
        (goal("success_criteria"), "/goals/0/success_criteria"),
        (goal("created_by"), "/goals/0/created_by"),
        (
            json!({"milestone": {"op": "add", "goal": g, "title": "V"}}),
            "/goals/0/milestones/0/title",
        ),
        (
            json!({"action": {"op": "add", "title": "V", "owner": "mentee"}}),
            "/actions/0/title",
        ),
        (
            json!({"action": {"op": "add", "title": "a", "owner": "mentee", "notes": "V"}}),
            "/actions/0/notes",
        ),
        (
            json!({"meeting": {"op": "add", "start": "2027-01-05T10:00:00+01:00[Europe/Berlin]", "duration_minutes": 30, "location": "V", "agenda": []}}),
            "/meetings/0/location",
        ),
        (
            json!({"meeting": {"op": "edit", "meeting": m, "patch": {"notes": "V"}}}),
            "/meetings/0/notes",
        ),
        (
            json!({"agenda_item": {"op": "add", "meeting": m, "text": "V"}}),
            "/meetings/0/agenda/0/text",
        ),
        (
            json!({"feedback": {"op": "add", "author": "V", "kind": "praise", "body": "b"}}),
            "/feedback/0/author",
        ),
        (
            json!({"feedback": {"op": "add", "author": "Dana", "kind": "praise", "body": "V"}}),
            "/feedback/0/body",
        ),
        (
            json!({"note": {"op": "add", "author": "V", "body": "b", "tags": []}}),
            "/notes/0/author",
        ),
        (
            json!({"note": {"op": "add", "author": "Ana", "body": "V", "tags": []}}),
            "/notes/0/body",
        ),
        (
            json!({"note": {"op": "add", "author": "Ana", "body": "b", "tags": ["V"]}}),
            "/notes/0/tags/0",
        ),
        (contact("name"), "/contacts/0/name"),
        (contact("organization"), "/contacts/0/organization"),
        (contact("how_met"), "/contacts/0/how_met"),
        (contact("introduced_by"), "/contacts/0/introduced_by"),
        (contact("notes"), "/contacts/0/notes"),
        (
            json!({"competency": {"op": "add", "system": "V"}}),
            "/competencies/0/system",
        ),
        (assess("assessor"), "/competencies/0/assessments/0/assessor"),
        (assess("method"), "/competencies/0/assessments/0/method"),
        (
            json!({"signoff": {"op": "add", "competency": c, "signoff": {"assessor": peer(1), "name": "V", "signed_at": "2027-01-05T10:00:00Z", "public_key": "08", "signature": "ab"}}}),
            "/competencies/0/signoffs/0/name",
        ),
        (ce("title"), "/ce/0/title"),
        (ce("provider"), "/ce/0/provider"),
        (ce("category"), "/ce/0/category"),
        (ce("certificate"), "/ce/0/certificate"),
        (
            json!({"certification": {"op": "add", "credential": "V", "status": "planned"}}),
            "/certifications/0/credential",
        ),
        // Members are not imported (the importing device is the new
        // plan's only member), so they have no import check to agree with.
    ]
}

/// Replaces every `"V"` string in `v` by `value`.
fn fill(v: &Value, value: &str) -> Value {
    match v {
        Value::String(s) if s == "V" => Value::String(value.to_string()),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill(x, value)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), fill(x, value))).collect())
        }
        other => other.clone(),
    }
}

/// Whether the edit path and the import path agree on `value` in every field.
fn agree(plan: &Value, ids: &Value, value: &str) -> Result<(), String> {
    for (template, pointer) in fields(ids) {
        let edit: Edit = serde_json::from_value(fill(&template, value))
            .map_err(|e| format!("{template}: {e}"))?;
        let by_edit = edit.validate().err().map(|e| e.to_string());
        let mut p = plan.clone();
        *p.pointer_mut(pointer)
            .ok_or_else(|| format!("no {pointer} in the base plan"))? = json!(value);
        let p: Plan = serde_json::from_value(p).map_err(|e| e.to_string())?;
        let by_import = tandem_proto::export::check(&p).err().map(|e| e.to_string());
        if by_edit.is_some() != by_import.is_some() {
            return Err(format!(
                "{pointer} = {value:?}: the edit says {by_edit:?}, the import says {by_import:?}"
            ));
        }
    }
    Ok(())
}

/// Values at every boundary the checks know of.
fn boundary_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "ok",
        "two words",
        "  padded  ",
        "é accent",
        "#tag",
        "line\nbreak",
        "tab\tin",
        "cr\rin",
        "nul\u{0}in",
        "bell\u{7}",
        "\u{202e}reversed",
        "zero\u{200b}width",
        "\u{2066}isolate",
        "emoji 🧪",
    ]
    .map(String::from)
    .to_vec();
    for n in [40, 41, 100, 101, 200, 201, 512, 513, 65_536, 65_537] {
        v.push("a".repeat(n));
    }
    v
}

#[test]
fn import_refuses_exactly_what_an_edit_refuses_at_every_boundary() {
    let (plan, ids) = base();
    let p: Plan = serde_json::from_value(plan.clone()).unwrap();
    tandem_proto::export::check(&p).expect("the base plan imports");
    for value in boundary_values() {
        if let Err(e) = agree(&plan, &ids, &value) {
            panic!("{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn import_refuses_exactly_what_an_edit_refuses(value in "(\\PC|[\\n\\t\\r\\u{0}-\\u{1f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]){0,48}") {
        let (plan, ids) = base();
        agree(&plan, &ids, &value).map_err(TestCaseError::fail)?;
    }
}
