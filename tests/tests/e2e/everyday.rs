//! Everyday editing through the real CLI: every kind edited and removed,
//! undo (also across two daemons), dates as people write them, and text
//! that two offline devices edited merging word by word.

use serde_json::Value;
use tandem_e2e::{Home, eventually};

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

#[test]
fn every_kind_is_edited_and_removed_without_asking_a_script() {
    let h = Home::new();
    h.json(&[
        "plan",
        "new",
        "Onboarding",
        "--mentor",
        "Dana",
        "--mentee",
        "Ana",
    ]);
    let goal = id(&h.json(&["goal", "add", "Pass the MLS exam"]));
    let meeting = id(&h.json(&["meeting", "add", "2027-01-05 10:00", "-a", "QC review"]));

    // An action's every field changes; --owner takes a member's name.
    let action = id(&h.json(&["action", "add", "Call the vendor", "--due", "2027-01-10"]));
    let a = h.json(&[
        "action",
        "edit",
        &action,
        "--title",
        "Call Roche",
        "--owner",
        "Dana",
        "--due",
        "none",
        "--goal",
        &goal[..6],
        "--meeting",
        &meeting[..6],
        "--notes",
        "ask about reagents",
    ]);
    assert_eq!(a["title"], "Call Roche");
    assert_eq!(a["owner"], "mentor");
    assert_eq!(a["due"], Value::Null);
    assert_eq!(a["goal"], goal.as_str());
    assert_eq!(a["meeting"], meeting.as_str());
    assert_eq!(a["notes"], "ask about reagents");
    let shown = h.text(&["action", "show", &action]);
    assert!(
        shown.contains("Action: Call Roche") && shown.contains("Pass the MLS exam"),
        "{shown}"
    );
    let a = h.json(&["action", "edit", &action, "--goal", "none"]);
    assert_eq!(a["goal"], Value::Null);
    let err = h.fails(&["action", "edit", &action, "--owner", "Zed"], 2);
    assert!(
        err.contains("neither mentor, mentee nor both, nor a member's name"),
        "{err}"
    );

    // A meeting is rescheduled, edited, its agenda item renamed, then removed.
    let m = h.json(&[
        "meeting",
        "reschedule",
        &meeting,
        "2027-01-06 11:30",
        "--duration",
        "45m",
    ]);
    assert!(
        m["start"].as_str().unwrap().starts_with("2027-01-06T11:30"),
        "{m}"
    );
    assert_eq!(m["duration_minutes"], 45);
    let m = h.json(&["meeting", "edit", &meeting, "--location", "Lab 2"]);
    assert_eq!(m["location"], "Lab 2");
    let m = h.json(&[
        "meeting",
        "agenda",
        &meeting,
        "QC and calibration",
        "--edit",
        "1",
    ]);
    assert_eq!(m["agenda"][0]["text"], "QC and calibration");

    // Notes, feedback, contacts, CE and certifications: edit, then rm.
    let note = id(&h.json(&["note", "add", "Learn the analyzer", "-t", "qc"]));
    let n = h.json(&[
        "note",
        "edit",
        &note,
        "Learn the Roche analyzer",
        "-t",
        "roche",
    ]);
    assert_eq!(
        (n["body"].as_str(), n["tags"][0].as_str()),
        (Some("Learn the Roche analyzer"), Some("roche"))
    );
    assert_eq!(n["author"], "Dana", "the author is this device's member");
    let fb = id(&h.json(&["feedback", "add", "Good catch", "--kind", "praise"]));
    let f = h.json(&[
        "feedback",
        "edit",
        &fb,
        "--kind",
        "suggestion",
        "--goal",
        &goal,
    ]);
    assert_eq!(
        (f["kind"].as_str(), f["goal"].as_str()),
        (Some("suggestion"), Some(goal.as_str()))
    );
    let contact = id(&h.json(&["contact", "add", "Sam Lee", "--org", "Roche"]));
    let c = h.json(&[
        "contact",
        "edit",
        &contact,
        "--org",
        "Beckman",
        "--how-met",
        "ASCLS",
    ]);
    assert_eq!(
        (c["organization"].as_str(), c["how_met"].as_str()),
        (Some("Beckman"), Some("ASCLS"))
    );
    let ce = id(&h.json(&[
        "ce",
        "add",
        "--title",
        "Safety",
        "--hours",
        "1",
        "--date",
        "2026-11-01",
    ]));
    let e = h.json(&[
        "ce",
        "edit",
        &ce,
        "--points",
        "1.5",
        "--certificate-ref",
        "ASCP transcript",
    ]);
    assert_eq!(
        (e["points"].as_f64(), e["certificate"].as_str()),
        (Some(1.5), Some("ASCP transcript"))
    );
    let err = h.fails(
        &["ce", "edit", &ce, "--certificate", "/no/such/file.pdf"],
        2,
    );
    assert!(err.contains("no such file"), "{err}");
    let cert = id(&h.json(&[
        "cert",
        "add",
        "MLS",
        "--renewal-due",
        "2029-12-31",
        "--ce-required",
        "36",
    ]));
    let c = h.json(&[
        "cert",
        "update",
        &cert,
        "--renewal-due",
        "none",
        "--ce-required",
        "none",
    ]);
    assert_eq!(
        (c["renewal_due"].clone(), c["ce_required"].clone()),
        (Value::Null, Value::Null)
    );

    // Without a terminal nobody is asked; each removal says what it removed.
    for (kind, item) in [
        ("note", &note),
        ("feedback", &fb),
        ("contact", &contact),
        ("ce", &ce),
        ("cert", &cert),
        ("action", &action),
        ("meeting", &meeting),
        ("goal", &goal),
    ] {
        let out = h.text(&[kind, "rm", item]);
        assert!(out.starts_with("Removed "), "{kind}: {out}");
    }
    let plan = h.json(&["plan", "show"]);
    for list in [
        "goals",
        "actions",
        "meetings",
        "notes",
        "feedback",
        "contacts",
        "ce",
        "certifications",
    ] {
        assert_eq!(
            plan[list].as_array().map(Vec::len),
            Some(0),
            "{list}: {plan}"
        );
    }
}

#[test]
fn holding_a_meeting_in_the_future_warns() {
    let h = Home::new();
    h.json(&["plan", "new", "Onboarding"]);
    let m = id(&h.json(&["meeting", "add", "2099-01-05 10:00"]));
    let out = h.run(&["meeting", "held", &m]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: The meeting") && err.contains("has not happened yet"),
        "{err}"
    );
    let old = id(&h.json(&["meeting", "add", "2020-01-05 10:00"]));
    let out = h.run(&["meeting", "held", &old, "--yes"]);
    assert!(
        out.stderr.is_empty(),
        "--yes asks nothing and warns of nothing"
    );
}

#[test]
fn undo_reverts_this_devices_last_edit_and_syncs_and_refuses_anothers() {
    let (a, b) = (Home::new(), Home::new());
    let plan = a.share_new_plan("Onboarding", &b);
    let goal = id(&a.json(&["goal", "add", "Pass the MLS exam", "--plan", &plan]));
    a.json(&[
        "goal",
        "edit",
        &goal,
        "--title",
        "Pass the MLT exam",
        "--plan",
        &plan,
    ]);
    let list = a.json(&["undo", "--list", "--plan", &plan]);
    assert_eq!(list[0]["message"], "goal edit: Pass the MLT exam");
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the edit", || {
        b.plan(&plan)
            .is_some_and(|p| p["goals"][0]["title"] == "Pass the MLT exam")
    });
    let out = a.text(&["undo", "--plan", &plan]);
    assert_eq!(out, "Undid: goal edit: Pass the MLT exam\n");
    assert_eq!(
        a.plan(&plan).unwrap()["goals"][0]["title"],
        "Pass the MLS exam"
    );
    eventually("the undo reaches B like any edit", || {
        b.plan(&plan)
            .is_some_and(|p| p["goals"][0]["title"] == "Pass the MLS exam")
    });
    // B edits; A cannot undo B's change, and is told whose it is.
    b.json(&[
        "goal",
        "edit",
        &goal,
        "--title",
        "Pass the ASCP exam",
        "--plan",
        &plan,
    ]);
    eventually("A has B's edit", || a.plan(&plan) == b.plan(&plan));
    let theirs = a.json(&["log", "--plan", &plan, "-n", "1"])[0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let err = a.fails(&["undo", &theirs[..8], "--plan", &plan], 5);
    assert!(err.contains("was made by Ana"), "{err}");
    // A's own last edit is the title B changed since: undo refuses to overwrite it.
    let err = a.fails(&["undo", "--plan", &plan], 2);
    assert!(err.contains("changed again since"), "{err}");
    assert_eq!(
        a.plan(&plan).unwrap()["goals"][0]["title"],
        "Pass the ASCP exam"
    );
}

#[test]
fn dates_and_times_as_people_write_them() {
    let h = Home::new();
    h.json(&["plan", "new", "Onboarding"]);
    let a = h.json(&["action", "add", "Read the SOP", "--due", "Dec 4, 2027"]);
    assert_eq!(a["due"], "2027-12-04");
    let a = h.json(&["action", "add", "Order controls", "--due", "12/4/2027"]);
    assert_eq!(a["due"], "2027-12-04", "slashes are month/day by default");
    let out = h
        .cmd(&["--json", "action", "add", "Order", "--due", "12/4/2027"])
        .env("TANDEM_DATE_ORDER", "day-month")
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["due"], "2027-04-12");
    let err = h.fails(&["action", "add", "X", "--due", "13/4/2027"], 2);
    assert!(
        err.contains("month/day") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    let err = h.fails(&["action", "add", "X", "--due", "whenever"], 2);
    assert!(err.contains("try 2026-12-04"), "{err}");
    let m = h.json(&["meeting", "add", "tomorrow at 14:30"]);
    assert!(m["start"].as_str().unwrap().contains("T14:30"), "{m}");
    let m = h.json(&["meeting", "add", "friday 9am"]);
    assert!(m["start"].as_str().unwrap().contains("T09:00"), "{m}");
}

#[test]
fn words_written_on_two_offline_devices_stay_whole_when_they_meet() {
    let (a, b) = (Home::new(), Home::new());
    let plan = a.share_new_plan("Onboarding", &b);
    let original = "Learn the analyzer. Each morning calibrate the analyzer before running controls. Record results in the QC log.";
    let goal = id(&a.json(&["goal", "add", "Analyzer", "-d", original, "--plan", &plan]));
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("B has the goal", || b.plan(&plan) == a.plan(&plan));
    // Both go offline and edit the same text.
    b.run(&["daemon", "stop"]);
    let roche = original.replace("Learn the analyzer", "Learn the Roche analyzer");
    a.json(&["goal", "edit", &goal, "-d", &roche, "--plan", &plan]);
    a.run(&["daemon", "stop"]);
    let beckman = "Learn the Beckman analyzer. Record results in the QC log.";
    b.json(&["goal", "edit", &goal, "-d", beckman, "--plan", &plan]);
    b.json(&["peer", "add", &a.dial_addr()]);
    eventually("they meet and agree", || {
        a.plan(&plan).is_some() && a.plan(&plan) == b.plan(&plan)
    });
    let merged = a.plan(&plan).unwrap()["goals"][0]["description"]
        .as_str()
        .unwrap()
        .to_string();
    let known: Vec<&str> = original
        .split_whitespace()
        .chain(["Roche", "Beckman"])
        .collect();
    for word in merged.split_whitespace() {
        assert!(
            known.contains(&word),
            "'{word}' was written by neither side: {merged}"
        );
    }
    assert!(
        merged.contains("Roche") && merged.contains("Beckman"),
        "{merged}"
    );
}
