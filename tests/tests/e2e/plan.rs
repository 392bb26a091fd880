//! A whole plan built through the CLI, every field checked through `--json`,
//! then a daemon restart, then exports.

use serde_json::Value;
use tandem_e2e::Home;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn full_plan_round_trips_every_field_and_survives_restart() {
    let h = Home::new();
    let plan = h.json(&[
        "plan",
        "new",
        "MLS onboarding",
        "--mentor",
        "Dana",
        "--mentee",
        "Ana",
    ]);
    assert_eq!(plan["title"], "MLS onboarding");
    assert_eq!(plan["mentor"], "Dana");
    assert_eq!(plan["mentee"], "Ana");
    assert_eq!(plan["status"], "active");
    assert_eq!(plan["schema"], 1);
    let plan_id = s(&plan["id"]).to_string();

    let goal = h.json(&[
        "goal",
        "add",
        "Pass the MLS exam",
        "--category",
        "certification",
        "--status",
        "proposed",
        "--target",
        "2027-03-01",
        "--description",
        "Study the BOC content outline",
        "--criteria",
        "Score over 400",
    ]);
    assert_eq!(goal["title"], "Pass the MLS exam");
    assert_eq!(goal["category"], "certification");
    assert_eq!(goal["status"], "proposed");
    assert_eq!(goal["target_date"], "2027-03-01");
    assert_eq!(goal["description"], "Study the BOC content outline");
    assert_eq!(goal["success_criteria"], "Score over 400");
    // The author is the member this device is, not the OS user.
    assert_eq!(goal["created_by"], "Dana");
    assert_eq!(goal["progress"], 0);
    assert_eq!(goal["progress_source"], "none");
    let gid = s(&goal["id"]).to_string();
    let g = &gid[..6];

    h.json(&["goal", "milestone", "add", g, "Read the guide"]);
    h.json(&["goal", "milestone", "add", g, "Two practice exams"]);
    h.json(&["goal", "milestone", "add", g, "Book the exam"]);
    let after = h.json(&["goal", "milestone", "done", g, "1"]);
    assert_eq!(after["progress"], 33);
    assert_eq!(after["progress_source"], "milestones");
    assert_eq!(after["milestones"][0]["done"], true);
    assert!(after["milestones"][0]["done_at"].is_string());
    let after = h.json(&["goal", "milestone", "rm", g, "3"]);
    assert_eq!(after["milestones"].as_array().unwrap().len(), 2);
    assert_eq!(after["progress"], 50);
    let after = h.json(&["goal", "status", g, "active"]);
    assert_eq!(after["status"], "active");
    let after = h.json(&["goal", "progress", g, "70"]);
    assert_eq!(
        (
            after["progress"].as_u64(),
            after["progress_source"].as_str()
        ),
        (Some(70), Some("manual"))
    );
    let after = h.json(&["goal", "progress", g, "auto"]);
    assert_eq!(after["progress"], 50);
    let desc = h.run_stdin(
        &["goal", "edit", g, "--description", "-", "--json"],
        "Line one\nLine two\n",
    );
    assert!(
        desc.status.success(),
        "{}",
        String::from_utf8_lossy(&desc.stderr)
    );
    let after: Value = serde_json::from_slice(&desc.stdout).unwrap();
    assert_eq!(after["description"], "Line one\nLine two");
    let after = h.json(&[
        "goal",
        "edit",
        g,
        "--target",
        "none",
        "--title",
        "Pass the ASCP MLS exam",
    ]);
    assert_eq!(after["target_date"], Value::Null);
    assert_eq!(after["title"], "Pass the ASCP MLS exam");

    let meeting = h.json(&[
        "meeting",
        "add",
        "2027-01-05T10:00[America/Chicago]",
        "--duration",
        "1h",
        "--location",
        "Lab office",
        "--agenda",
        "Goals review",
        "--agenda",
        "QC questions",
    ]);
    assert_eq!(
        meeting["start"],
        "2027-01-05T10:00:00-06:00[America/Chicago]"
    );
    assert_eq!(meeting["duration_minutes"], 60);
    assert_eq!(meeting["location"], "Lab office");
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["agenda"][1]["text"], "QC questions");
    let mid = s(&meeting["id"]).to_string();
    let m = h.json(&["meeting", "agenda", &mid[..6], "Next steps"]);
    assert_eq!(m["agenda"].as_array().unwrap().len(), 3);
    let m = h.json(&["meeting", "agenda", &mid[..6], "--rm", "2"]);
    assert_eq!(m["agenda"][1]["text"], "Next steps");
    let m = h.json(&[
        "meeting",
        "notes",
        &mid[..6],
        "Ana will shadow QC on Tuesday",
    ]);
    assert_eq!(m["notes"], "Ana will shadow QC on Tuesday");
    let m = h.json(&["meeting", "held", &mid[..6]]);
    assert_eq!(m["status"], "held");

    let action = h.json(&[
        "action",
        "add",
        "Book the exam slot",
        "--owner",
        "mentee",
        "--due",
        "2027-01-20",
        "--goal",
        g,
        "--meeting",
        &mid[..6],
        "--notes",
        "Use the employer voucher",
    ]);
    assert_eq!(action["owner"], "mentee");
    assert_eq!(action["due"], "2027-01-20");
    assert_eq!(action["goal"], gid.as_str());
    assert_eq!(action["meeting"], mid.as_str());
    assert_eq!(action["notes"], "Use the employer voucher");
    assert_eq!(action["status"], "open");
    let aid = s(&action["id"]).to_string();
    let done = h.json(&["action", "done", &aid[..6]]);
    assert_eq!(done["status"], "done");
    assert!(done["done_at"].is_string());
    let reopened = h.json(&["action", "reopen", &aid[..6]]);
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["done_at"], Value::Null);
    h.json(&[
        "action",
        "add",
        "Old task",
        "--owner",
        "mentor",
        "--due",
        "2020-01-01",
    ]);

    let fb = h.json(&[
        "feedback",
        "add",
        "Careful QC review",
        "--kind",
        "praise",
        "--goal",
        g,
        "--author",
        "Dana",
    ]);
    assert_eq!(
        (
            fb["kind"].as_str(),
            fb["author"].as_str(),
            fb["goal"].as_str()
        ),
        (Some("praise"), Some("Dana"), Some(gid.as_str()))
    );
    assert_eq!(fb["body"], "Careful QC review");
    let note = h.json(&[
        "note",
        "add",
        "Felt confident today",
        "--tag",
        "reflection",
        "--tag",
        "#qc",
    ]);
    assert_eq!(note["tags"], serde_json::json!(["reflection", "qc"]));
    assert_eq!(note["author"], "Dana");
    let c = h.json(&[
        "contact",
        "add",
        "Sam Lee",
        "--org",
        "ASCP",
        "--how-met",
        "Conference",
        "--introduced-by",
        "Dana",
    ]);
    assert_eq!(
        (
            c["organization"].as_str(),
            c["how_met"].as_str(),
            c["introduced_by"].as_str()
        ),
        (Some("ASCP"), Some("Conference"), Some("Dana"))
    );
    let a = h.json(&[
        "agreement",
        "edit",
        "--cadence",
        "Every other Tuesday",
        "--expectations",
        "Come prepared",
    ]);
    assert_eq!(a["cadence"], "Every other Tuesday");
    assert_eq!(a["expectations"], "Come prepared");
    assert_eq!(a["confidentiality"], "");

    // Filters.
    let overdue = h.json(&["action", "list", "--overdue"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1);
    assert_eq!(overdue[0]["title"], "Old task");
    assert_eq!(
        h.json(&["action", "list", "--owner", "mentee"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.json(&["action", "list", "--goal", g])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.json(&["goal", "list", "--status", "done"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        h.json(&["feedback", "list", "--goal", g])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.json(&["note", "list", "--tag", "qc"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // History names the author and says what changed.
    let log = h.json(&["log"]);
    let messages: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["message"]))
        .collect();
    assert!(
        messages.contains(&"goal add: Pass the MLS exam"),
        "{messages:?}"
    );
    assert!(messages.contains(&"plan new: MLS onboarding"));
    assert_eq!(log[0]["name"], "Dana");
    assert_eq!(log[0]["role"], "mentor");

    // Restart: everything is still there, byte for byte.
    let before = h.json(&["plan", "show"]);
    let out = h.run(&["daemon", "stop"]);
    assert!(out.status.success());
    assert!(!h.socket().exists());
    let after = h.json(&["plan", "show", &plan_id[..5]]);
    assert_eq!(before, after);

    // Exports.
    let export = h.json(&["export", "--format", "json"]);
    assert_eq!(export["tandem_export"], 1);
    assert_eq!(export["plan"], after);
    let md = h.run(&["export", "--format", "markdown"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("# MLS onboarding\n"), "{md}");
    assert!(md.contains("### Pass the ASCP MLS exam (50%, active)"));
    assert!(md.contains("- [x] Read the guide"));
    assert!(md.contains("| [ ] | Book the exam slot | mentee | 2027-01-20 |"));

    // Removal.
    let rm = h.json(&["goal", "rm", g]);
    assert_eq!(rm, serde_json::json!({ "removed": "goal", "id": gid }));
    assert_eq!(h.json(&["goal", "list"]).as_array().unwrap().len(), 0);
}

#[test]
fn plans_are_chosen_by_prefix_current_or_only() {
    let h = Home::new();
    let err = h.fails(&["goal", "list"], 2);
    assert!(err.contains("no plans yet"), "{err}");
    let a = h.json(&["plan", "new", "A"]);
    let b = h.json(&["plan", "new", "B"]);
    let (a, b) = (s(&a["id"]).to_string(), s(&b["id"]).to_string());
    h.json(&["goal", "add", "in B"]);
    h.json(&["plan", "use", &a[..4]]);
    h.json(&["goal", "add", "in A"]);
    assert_eq!(h.json(&["goal", "list"])[0]["title"], "in A");
    assert_eq!(h.json(&["goal", "list", "--plan", &b])[0]["title"], "in B");
    let list = h.json(&["plan", "list"]);
    let current: Vec<bool> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let renamed = h.json(&["plan", "rename", "A prime"]);
    assert_eq!(renamed["title"], "A prime");
    let archived = h.json(&["plan", "archive"]);
    assert_eq!(archived["status"], "archived");
}

#[test]
fn plan_show_fits_the_terminal_width_and_pipes_get_whole_lines() {
    let h = Home::new();
    let title = "Onboarding a new technician to the chemistry bench and its analyzers";
    h.json(&["plan", "new", title, "--template", "onboarding"]);
    let show = |columns: Option<&str>| {
        let mut cmd = h.cmd(&["plan", "show"]);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // Piped without COLUMNS: nothing is cut, and no colors.
    let whole = show(None);
    assert!(whole.contains(title), "{whole}");
    assert!(whole.lines().any(|l| l.chars().count() > 80));
    assert!(!whole.contains('\x1b'));
    assert!(whole.contains("[----------]   0%"), "{whole}");
    for (columns, bar) in [(100, "[----------]"), (72, "[-----]"), (50, "  0%")] {
        let text = show(Some(&columns.to_string()));
        for line in text.lines() {
            assert!(line.chars().count() <= columns, "{columns}: {line:?}");
        }
        assert!(text.contains('…'), "{columns}: something is cut: {text}");
        assert!(text.contains(bar), "{columns}: {text}");
        assert_eq!(text.lines().count(), whole.lines().count());
    }
    let narrow = show(Some("50"));
    assert!(!narrow.contains("[--"), "no bar on a very narrow terminal");
    // Titles are cut first, so what follows them stays in view.
    assert!(narrow.contains("…  due in"), "{narrow}");
    assert!(narrow.contains("…  training 0/6 unsigned"), "{narrow}");
    let wide = show(Some("100"));
    assert!(
        wide.contains("elements 0/6 passed  not signed off"),
        "{wide}"
    );
}
