//! `tandem import`: a JSON export read back into a daemon, on another device
//! and on the same one, gives the same plan; bad files make no plan.

use serde_json::Value;
use tandem_e2e::Home;

/// A plan with something in every collection, made through the CLI.
fn rich_plan(h: &Home) -> String {
    let p = h.json(&["plan", "new", "Onboarding", "--template", "onboarding"]);
    let id = p["id"].as_str().unwrap().to_string();
    let goal = p["goals"][0]["id"].as_str().unwrap().to_string();
    h.json(&["goal", "milestone", "done", &goal, "1"]);
    h.json(&["goal", "edit", &goal, "--description", "Line one\nLine two"]);
    h.json(&["agreement", "edit", "--cadence", "Every other Tuesday"]);
    let m = h.json(&[
        "meeting",
        "add",
        "2027-01-05T10:00[America/Chicago]",
        "--agenda",
        "QC review",
    ]);
    h.json(&["meeting", "held", m["id"].as_str().unwrap()]);
    let actions = h.json(&["action", "list"]);
    h.json(&["action", "done", actions[0]["id"].as_str().unwrap()]);
    h.json(&["feedback", "add", "Careful QC", "--goal", &goal]);
    h.json(&["note", "add", "Confident today", "--tag", "qc"]);
    h.json(&["contact", "add", "Sam Lee", "--org", "ASCP"]);
    h.json(&[
        "ce",
        "add",
        "--title",
        "Coag",
        "--date",
        "2026-03-02",
        "--points",
        "1.5",
    ]);
    h.json(&[
        "cert",
        "add",
        "MLS",
        "--status",
        "planned",
        "--ce-required",
        "36",
    ]);
    let c = h.json(&["competency", "add", "Sysmex XN"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    for e in 1..=6 {
        let e = e.to_string();
        let result = if e == "6" { "needs-work" } else { "pass" };
        h.json(&[
            "competency",
            "assess",
            &c,
            "-e",
            &e,
            "-r",
            result,
            "-a",
            "Dana",
        ]);
    }
    h.json(&[
        "competency",
        "assess",
        &c,
        "-e",
        "6",
        "-r",
        "pass",
        "-a",
        "Dana",
    ]);
    h.json(&["competency", "signoff", &c, "-q", "technical-supervisor"]);
    id
}

/// What an import keeps: everything but the plan id and the member devices.
fn kept(mut plan: Value) -> Value {
    plan["id"] = Value::Null;
    plan["members"] = Value::Null;
    // Who was a member when: this device's, like `members`.
    plan["member_history"] = Value::Null;
    plan
}

#[test]
fn export_then_import_on_another_device_round_trips() {
    let a = Home::new();
    let original = rich_plan(&a);
    let file = a.path().join("plan.json");
    let f = file.to_str().unwrap();
    a.run(&["export", "--format", "json", "-o", f]);
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for key in [
        "goals", "actions", "meetings", "feedback", "notes", "contacts", "ce",
    ] {
        assert!(
            !exported["plan"][key].as_array().unwrap().is_empty(),
            "{key} empty"
        );
    }

    let b = Home::new();
    let out = b.run(&["import", f]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("(from plan {original})")), "{text}");
    assert!(text.contains("1 sign-off(s) came along"), "{text}");

    // B's export of the imported plan is A's export, but for id and members.
    let again = b.json(&["export", "--format", "json"]);
    assert_eq!(again["tandem_export"], 1);
    assert_ne!(again["plan"]["id"], exported["plan"]["id"]);
    assert_eq!(kept(again["plan"].clone()), kept(exported["plan"].clone()));
    let members = again["plan"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["peer"], b.peer_id());
    assert_eq!(members[0]["role"], "mentor");

    // The copy is an ordinary plan: it takes edits, and survives a restart.
    let goal = again["plan"]["goals"][0]["id"].as_str().unwrap();
    b.json(&["goal", "progress", goal, "80"]);
    b.run(&["daemon", "stop"]);
    assert_eq!(b.json(&["goal", "show", goal])["progress"], 80);
    // The sign-off attests the original plan, so it does not verify in the copy.
    let out = b.run(&["competency", "verify"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn import_on_the_same_device_makes_a_second_plan_and_reads_stdin() {
    let h = Home::new();
    let original = rich_plan(&h);
    let export = h.run(&["export", "--format", "json"]);
    let out = h.run_stdin(
        &["import", "-", "--json"],
        &String::from_utf8(export.stdout).unwrap(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(copy["id"].as_str().unwrap(), original);
    let plans = h.json(&["plan", "list"]);
    assert_eq!(plans.as_array().unwrap().len(), 2);
    // The copy is now current; the original is unchanged.
    assert_eq!(h.json(&["plan", "show"])["id"], copy["id"]);
    assert_eq!(
        kept(h.json(&["plan", "show", "--plan", &original])),
        kept(copy)
    );
}

#[test]
fn bad_exports_are_refused_by_name_and_make_no_plan() {
    let h = Home::new();
    rich_plan(&h);
    let export = String::from_utf8(h.run(&["export", "--format", "json"]).stdout).unwrap();
    let path = h.path().join("bad.json");
    let p = path.to_str().unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            export[..export.len() / 2].to_string(),
            "not a Tandem JSON export",
        ),
        (
            export.replacen("\"tandem_export\": 1", "\"tandem_export\": 7", 1),
            "format version 7",
        ),
        (
            export.replacen("\"status\": \"active\"", "\"status\": \"finished\"", 1),
            "finished",
        ),
        (
            export.replacen("\"name\": \"Sam Lee\"", "\"name\": \"\"", 1),
            "contacts[0]",
        ),
        ("{}".to_string(), "tandem_export"),
    ];
    for (text, expected) in cases {
        std::fs::write(&path, &text).unwrap();
        let err = h.fails(&["import", p], 2);
        assert!(
            err.contains(expected) && err.contains("bad.json"),
            "{expected}: {err}"
        );
    }
    let err = h.fails(&["import", "/nonexistent/plan.json"], 2);
    assert!(err.contains("cannot read /nonexistent/plan.json"), "{err}");
    assert_eq!(h.json(&["plan", "list"]).as_array().unwrap().len(), 1);
}
