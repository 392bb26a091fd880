//! Competency sign-offs across devices: a mentor signs on one device, the
//! mentee's device receives the plan and verifies the signature.

use tandem_e2e::{Home, eventually};

#[test]
fn a_mentor_signs_off_and_the_mentees_device_verifies_it() {
    let (a, b) = (Home::new(), Home::new());
    let id = a.id_of(&["plan", "new", "Hematology", "--mentor", "Dana"]);
    let c = a.id_of(&["competency", "add", "Sysmex XN-1000 CBC"]);
    a.json(&[
        "competency",
        "stage",
        &c,
        "supervised",
        "--trained-on",
        "2026-08-31",
    ]);
    for e in 1..=5 {
        a.json(&[
            "competency",
            "assess",
            &c,
            "-e",
            &e.to_string(),
            "-r",
            "pass",
            "-a",
            "Dana",
            "-d",
            "2026-11-02",
            "-m",
            "observed 10 runs",
        ]);
    }
    // Not all six elements yet: refused, nothing signed.
    let err = a.fails(
        &["competency", "signoff", &c, "-q", "technical-supervisor"],
        2,
    );
    assert!(err.contains("not yet: 6"), "{err}");
    a.json(&[
        "competency",
        "assess",
        &c,
        "-e",
        "6",
        "-r",
        "pass",
        "-a",
        "Dana",
        "-d",
        "2026-11-03",
    ]);
    let signed = a.json(&["competency", "signoff", &c, "-q", "technical-supervisor"]);
    assert_eq!(signed["signoffs"].as_array().unwrap().len(), 1);
    let shown = a.json(&["competency", "show", &c]);
    assert_eq!(shown["verification"][0]["valid"], true);
    assert_eq!(shown["next_due"], "2027-02-28", "6 months after 31 August");

    // The mentee joins on another device and verifies the mentor's signature there.
    let ticket = a.json(&["invite", "--name", "Ana", "--plan", &id])["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    b.json(&["join", &ticket]);
    let v = b.json(&["competency", "verify", "--plan", &id]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["valid"], true, "{v}");
    // Only a mentor's device may sign off.
    b.fails(&["competency", "signoff", &c, "--plan", &id], 5);

    // A new assessment after the sign-off leaves it standing: it signed its own copy.
    b.json(&[
        "competency",
        "assess",
        &c,
        "-e",
        "3",
        "-r",
        "needs-work",
        "-a",
        "Ana",
        "--plan",
        &id,
    ]);
    let v = b.json(&["competency", "verify", "--plan", &id]);
    assert_eq!(v[0]["valid"], true, "{v}");
    // A signed assessment rewritten in place (its date kept) makes
    // verification fail, visibly, on both devices.
    b.json(&[
        "competency",
        "assess",
        &c,
        "-e",
        "3",
        "-r",
        "needs-work",
        "-a",
        "Ana",
        "-d",
        "2026-11-02",
        "--plan",
        &id,
    ]);
    let out = b.run(&["competency", "verify", "--plan", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAILED"));
    eventually("the mentor's device sees the failure too", || {
        a.run(&["competency", "verify", "--plan", &id])
            .status
            .code()
            == Some(1)
    });

    // The plan's dashboard flags it.
    let shown = a.run(&["plan", "show", &id]);
    let dash = String::from_utf8_lossy(&shown.stdout);
    assert!(
        dash.contains("Competencies (1)") && dash.contains("SIGN-OFF INVALID"),
        "{dash}"
    );

    // The printable record says so too, in Markdown and in HTML.
    let out = a.run(&["competency", "record", "--plan", &id]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("## Sysmex XN-1000 CBC"), "{md}");
    assert!(
        md.contains("each element's number, date, result, assessor and method"),
        "what is signed is said: {md}"
    );
    assert!(md.contains("| 3 | review of worksheets"), "{md}");
    assert!(
        md.contains("needs work")
            && md.contains("Not verified: the record was changed after it was signed"),
        "{md}"
    );
    let file = a.path().join("record.html");
    a.run(&[
        "competency",
        "record",
        "--plan",
        &id,
        "-f",
        "html",
        "-o",
        file.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("class=\"failed\""),
        "{page}"
    );
    assert!(
        page.contains("<h2>Test system: Sysmex XN-1000 CBC</h2>"),
        "{page}"
    );
}

#[test]
fn ce_activities_count_toward_each_certification_cycle() {
    let h = Home::new();
    h.json(&["plan", "new", "CE"]);
    let mls = h.json(&[
        "cert",
        "add",
        "MLS",
        "--status",
        "earned",
        "--earned-on",
        "2025-06-30",
        "--renewal-due",
        "2028-06-30",
        "--ce-required",
        "36",
    ]);
    assert_eq!(mls["status"], "earned");
    let cert_file = h.path().join("safety.pdf");
    std::fs::write(&cert_file, b"%PDF certificate").unwrap();
    let a = h.json(&[
        "ce",
        "add",
        "--title",
        "Lab safety update",
        "--provider",
        "ASCP",
        "--date",
        "2026-03-02",
        "--hours",
        "2.5",
        "--category",
        "safety",
        "--certificate",
        cert_file.to_str().unwrap(),
    ]);
    assert_eq!(a["points"], 2.5);
    let recorded = a["certificate"].as_str().unwrap();
    assert!(
        recorded.starts_with("file:") && recorded.contains("sha256:"),
        "{recorded}"
    );
    h.json(&[
        "ce",
        "add",
        "--title",
        "Hematology webinar",
        "--date",
        "2027-01-10",
        "--points",
        "1",
    ]);
    h.json(&[
        "ce",
        "add",
        "--title",
        "Too old",
        "--date",
        "2024-01-10",
        "--points",
        "5",
    ]);

    let summary = h.json(&["ce", "summary"]);
    assert_eq!(summary[0]["credential"], "MLS");
    assert_eq!(summary[0]["points"], 3.5);
    assert_eq!(summary[0]["remaining"], 32.5);
    assert_eq!(summary[0]["start"], "2025-06-30");

    // Bad input is refused with the field named.
    let err = h.fails(&["ce", "add", "--title", "x", "--points", "-1"], 2);
    assert!(err.contains("points"), "{err}");
    h.fails(
        &["ce", "add", "--title", "x", "--points", "1", "--hours", "1"],
        2,
    );
    let err = h.fails(&["cert", "add", "MLS", "--status", "pending"], 2);
    assert!(
        err.contains("[possible values: planned, scheduled, earned, expired]"),
        "{err}"
    );

    let id = mls["id"].as_str().unwrap();
    let updated = h.json(&["cert", "update", id, "--status", "expired"]);
    assert_eq!(updated["status"], "expired");
    assert_eq!(
        updated["renewal_due"], "2028-06-30",
        "untouched fields stay"
    );
    assert_eq!(h.json(&["ce", "list"]).as_array().unwrap().len(), 3);
}

/// Adds competency `system` on `h` with all six elements passed, and signs it off there.
fn signed_off(h: &Home, plan: &str, system: &str) -> String {
    let c = h.id_of(&["competency", "add", system, "--plan", plan]);
    for e in 1..=6 {
        h.json(&[
            "competency",
            "assess",
            &c,
            "-e",
            &e.to_string(),
            "-r",
            "pass",
            "-a",
            "Dana",
            "-d",
            "2026-11-03",
            "--plan",
            plan,
        ]);
    }
    h.json(&[
        "competency",
        "signoff",
        &c,
        "-q",
        "technical-supervisor",
        "--plan",
        plan,
    ]);
    c
}

fn verification(h: &Home, plan: &str, c: &str) -> serde_json::Value {
    h.json(&["competency", "show", c, "--plan", plan])["verification"][0].clone()
}

#[test]
fn a_retired_devices_signoffs_stay_valid_and_a_compromised_ones_are_flagged() {
    // Dana's laptop, workstation and tablet, all mentor devices of one plan.
    let (laptop, desk, tablet) = (Home::new(), Home::new(), Home::new());
    let id = laptop.id_of(&["plan", "new", "Chemistry", "--mentor", "Dana"]);
    laptop.json(&["status"]);
    for (h, label) in [(&desk, "workstation"), (&tablet, "tablet")] {
        let link = laptop.json(&["device", "link", "--plan", &id])["ticket"]
            .as_str()
            .unwrap()
            .to_string();
        h.json(&["join", &link, "--device", label]);
    }
    let by_laptop = signed_off(&laptop, &id, "Chemistry analyzer");
    let by_tablet = signed_off(&tablet, &id, "Blood gas analyzer");
    eventually("both sign-offs reach the workstation", || {
        desk.plan(&id).is_some_and(|p| {
            p["competencies"].as_array().is_some_and(|c| {
                c.len() == 2
                    && c.iter()
                        .all(|c| c["signoffs"].as_array().is_some_and(|s| s.len() == 1))
            })
        })
    });
    assert_eq!(verification(&desk, &id, &by_laptop)["valid"], true);

    // The old laptop is retired: its sign-off stays valid.
    let laptop_peer = laptop.peer_id();
    desk.json(&["member", "remove", &laptop_peer, "--plan", &id]);
    let v = verification(&desk, &id, &by_laptop);
    assert_eq!(v["valid"], true, "{v}");

    // The tablet was stolen an hour ago: what it signed since needs review,
    // and the laptop's sign-off is untouched.
    let tablet_peer = tablet.peer_id();
    let hour_ago = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1))
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    desk.json(&[
        "member",
        "remove",
        &tablet_peer,
        "--compromised",
        "--since",
        &hour_ago,
        "--plan",
        &id,
    ]);
    let v = verification(&desk, &id, &by_tablet);
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["error"].as_str().unwrap().contains("compromised"), "{v}");
    assert_eq!(verification(&desk, &id, &by_laptop)["valid"], true);
    let log = desk.json(&["log", "-n", "1", "--plan", &id]);
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .contains("compromised since"),
        "{log}"
    );
    // The workstation's own view and its printed record agree.
    let out = desk.run(&["competency", "verify", "--plan", &id]);
    assert_eq!(out.status.code(), Some(1), "one sign-off needs review");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("needs review"), "{text}");
}

#[test]
fn the_schedule_is_shown_without_arguments_and_changed_only_where_given() {
    let h = Home::new();
    h.json(&["plan", "new", "Chemistry"]);
    let shown = h.text(&["competency", "schedule"]);
    assert_eq!(
        shown.trim(),
        "Competencies fall due 6 and 12 months after training, then every 12 months."
    );
    assert_eq!(
        h.json(&["competency", "schedule"]),
        serde_json::json!({"first": [6, 12], "every": 12})
    );
    let set = h.text(&["competency", "schedule", "--every", "24"]);
    assert!(
        set.contains("6 and 12 months after training, then every 24 months."),
        "{set}"
    );
    assert_eq!(
        h.json(&["competency", "schedule"]),
        serde_json::json!({"first": [6, 12], "every": 24})
    );
}

#[test]
fn the_matrix_shows_every_person_and_test_system_most_urgent_first() {
    let h = Home::new();
    let ana = h.id_of(&[
        "plan",
        "new",
        "Ana's plan",
        "--mentor",
        "Dana",
        "--mentee",
        "Ana",
    ]);
    let ben = h.id_of(&[
        "plan",
        "new",
        "Ben's plan",
        "--mentor",
        "Dana",
        "--mentee",
        "Ben",
    ]);
    // Ana's chemistry: trained long ago, never reassessed: overdue.
    let c = h.id_of(&["competency", "add", "Chemistry analyzer", "--plan", &ana]);
    h.json(&[
        "competency",
        "stage",
        &c,
        "supervised",
        "--trained-on",
        "2025-01-10",
        "--plan",
        &ana,
    ]);
    // Ben's blood gas: an element needs work.
    let g = h.id_of(&["competency", "add", "Blood gas", "--plan", &ben]);
    h.json(&[
        "competency",
        "assess",
        &g,
        "-e",
        "2",
        "-r",
        "needs-work",
        "-a",
        "Dana",
        "--plan",
        &ben,
    ]);
    // Ben's urinalysis: nothing yet.
    h.json(&["competency", "add", "Urinalysis", "--plan", &ben]);

    let table = h.text(&["matrix"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("PERSON"), "{table}");
    assert!(
        lines[1].contains("Ana")
            && lines[1].contains("Chemistry analyzer")
            && lines[1].contains("overdue by"),
        "{table}"
    );
    assert!(
        lines[2].contains("Ben")
            && lines[2].contains("Blood gas")
            && lines[2].contains("in remediation"),
        "{table}"
    );
    assert!(
        lines[3].contains("Urinalysis") && lines[3].contains("never assessed"),
        "{table}"
    );
    let json = h.json(&["matrix"]);
    assert_eq!(json[0]["status"], "overdue");
    assert_eq!(json[1]["status"], "in_remediation");
    assert_eq!(json[2]["status"], "never_assessed");
    let csv = h.text(&["matrix", "--format", "csv"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "person,test system,status,due,plan,plan id,competency id"
    );
    assert!(
        rows[2].starts_with("Ben,Blood gas,in remediation,"),
        "{csv}"
    );
    assert!(
        rows[1].contains("\"Ana's plan\"") || rows[1].contains("Ana's plan"),
        "{csv}"
    );

    // The app shows the same, in the same order, and gives the same file.
    let app = h.app();
    let (cookie, _) = h.app_session();
    let cookies = [("Cookie", cookie.as_str())];
    let (status, _, page) = tandem_e2e::http(&app, "GET", "/matrix", &app, &cookies, "");
    assert_eq!(status, 200);
    let at = |s: &str| {
        page.find(s)
            .unwrap_or_else(|| panic!("{s} not on the page: {page}"))
    };
    assert!(at("Chemistry analyzer") < at("Blood gas") && at("Blood gas") < at("Urinalysis"));
    assert!(
        page.contains("in remediation")
            && page.contains(&format!("/plans/{ben}/items/competency/{g}"))
    );
    let (status, _, file) = tandem_e2e::http(&app, "GET", "/matrix.csv", &app, &cookies, "");
    assert_eq!(status, 200);
    assert_eq!(file, csv, "the app's CSV is the CLI's");
}

#[test]
fn the_agenda_of_every_plan_puts_the_late_ones_first() {
    let h = Home::new();
    let calm = h.id_of(&["plan", "new", "Alpha calm", "--mentee", "Ben"]);
    h.json(&[
        "action",
        "add",
        "Read the SOP",
        "--due",
        "+3d",
        "--plan",
        &calm,
    ]);
    let late = h.id_of(&["plan", "new", "Zeta late", "--mentee", "Ana"]);
    h.json(&[
        "action",
        "add",
        "Order controls",
        "--due",
        "2026-01-05",
        "--plan",
        &late,
    ]);
    h.id_of(&["plan", "new", "Quiet", "--mentee", "Cy"]);
    let all = h.json(&["agenda", "--all", "--days", "7"]);
    let titles: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "action")
        .map(|e| e["plan_title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Zeta late", "Alpha calm"], "overdue first: {all}");
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|e| e["plan"].is_string())
    );
    let text = h.text(&["agenda", "--all", "--days", "7"]);
    let (z, a) = (
        text.find("Zeta late").unwrap(),
        text.find("Alpha calm").unwrap(),
    );
    assert!(z < a && text.contains("Order controls"), "{text}");
    // --all is every plan: naming one as well is a mistake.
    h.fails(&["agenda", "--all", "--plan", &calm], 2);
}
