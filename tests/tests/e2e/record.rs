//! The inspection-ready competency record across two devices: the
//! laboratory and person profile, an initial assessment that releases the
//! technician, the technician's acknowledgement from their own device,
//! a failed element's remediation on the agenda until it passes, the
//! assessment types, and the PDF read back with pdftotext.

use tandem_e2e::browser::tool;
use tandem_e2e::{Home, eventually};

/// Records element `e` of `c` as `result` on `date`.
fn assess(h: &Home, plan: &str, c: &str, e: u8, result: &str, date: &str, extra: &[&str]) {
    let e = e.to_string();
    let mut args = vec![
        "competency",
        "assess",
        c,
        "-e",
        &e,
        "-r",
        result,
        "-a",
        "Dana Ruiz",
        "-d",
        date,
        "-m",
        "observed 10 patient CBCs",
        "--plan",
        plan,
    ];
    args.extend_from_slice(extra);
    h.json(&args);
}

#[test]
fn both_parties_sign_a_record_an_inspector_can_read() {
    let (mentor, tech) = (Home::new(), Home::new());
    let id = mentor.id_of(&[
        "plan",
        "new",
        "Hematology onboarding",
        "--mentor",
        "Dana Ruiz",
        "--mentee",
        "Sam",
    ]);
    // A CLIA number that is not one is refused, naming the field.
    let err = mentor.fails(&["plan", "profile", "--clia", "12345"], 2);
    assert!(
        err.contains("clia_number") && err.contains("not a CLIA number"),
        "{err}"
    );
    mentor.json(&[
        "plan",
        "profile",
        "--lab-name",
        "Riverside Hospital Laboratory",
        "--clia",
        "05d0642827",
        "--director",
        "Dr. Ana Ortiz",
        "--section",
        "Hematology",
        "--full-name",
        "Samuel Lee",
        "--employee-id",
        "E-4471",
        "--position",
        "Medical Laboratory Scientist",
    ]);
    let profile = mentor.json(&["plan", "profile"]);
    assert_eq!(profile["clia_number"], "05D0642827", "{profile}");

    let ticket = mentor.json(&["invite", "--name", "Sam", "--plan", &id])["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    tech.json(&["join", &ticket]);

    let c = mentor.id_of(&["competency", "add", "Sysmex XN-1000 CBC", "--plan", &id]);
    for e in 1..=6 {
        assess(&mentor, &id, &c, e, "pass", "2027-01-10", &[]);
    }
    // No qualification yet: asked for, nothing signed.
    let err = mentor.fails(&["competency", "signoff", &c, "--plan", &id], 2);
    assert!(err.contains("technical-supervisor"), "{err}");
    // Only the initial assessment can come first.
    let err = mentor.fails(
        &[
            "competency",
            "signoff",
            &c,
            "--type",
            "annual",
            "-q",
            "technical-supervisor",
            "--plan",
            &id,
        ],
        2,
    );
    assert!(err.contains("initial assessment comes first"), "{err}");
    let err = mentor.fails(
        &[
            "competency",
            "signoff",
            &c,
            "--type",
            "problem-triggered",
            "-q",
            "director",
            "--plan",
            &id,
        ],
        2,
    );
    assert!(err.contains("initial assessment comes first"), "{err}");
    let signed = mentor.json(&[
        "competency",
        "signoff",
        &c,
        "-q",
        "technical-supervisor",
        "--plan",
        &id,
    ]);
    assert_eq!(
        signed["stage"], "independent",
        "the initial sign-off releases: {signed}"
    );
    assert_eq!(signed["signoffs"][0]["kind"], "initial");
    assert_eq!(
        signed["signoffs"][0]["qualification"],
        "technical-supervisor"
    );
    assert!(
        signed["trained_on"].is_string(),
        "the schedule counts from it: {signed}"
    );

    // The mentor cannot acknowledge for the technician; the technician's device can.
    let err = mentor.fails(&["competency", "acknowledge", &c, "--plan", &id], 5);
    assert!(err.contains("technician"), "{err}");
    eventually("the sign-off reaches the technician", || {
        tech.plan(&id).is_some_and(|p| {
            p["competencies"][0]["signoffs"]
                .as_array()
                .is_some_and(|s| s.len() == 1)
        })
    });
    let acked = tech.json(&["competency", "acknowledge", &c, "--plan", &id]);
    assert_eq!(
        acked["signoffs"][0]["acknowledgement"]["name"], "Sam",
        "{acked}"
    );
    let again = tech.fails(&["competency", "acknowledge", &c, "--plan", &id], 2);
    assert!(again.contains("was acknowledged by Sam"), "{again}");
    eventually("both signatures verify on the mentor's device", || {
        let v = mentor.json(&["competency", "verify", "--plan", &id]);
        v[0]["valid"] == true && v[0]["acknowledgement"]["valid"] == true
    });

    // Six months on, element 3 needs work: a remediation opens and is on the agenda.
    assess(
        &mentor,
        &id,
        &c,
        3,
        "needs-work",
        "2027-07-01",
        &[
            "--retrain",
            "QC review and Westgard rules",
            "--by",
            "Lee Park",
            "--reassess-by",
            "2027-07-20",
        ],
    );
    let agenda = mentor.json(&["agenda", "--plan", &id, "--days", "1"]);
    let entry = agenda
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "remediation")
        .unwrap_or_else(|| panic!("no remediation on the agenda: {agenda}"));
    assert!(
        entry["why"].as_str().unwrap().contains(
            "retrain “QC review and Westgard rules” with Lee Park, reassess by 2027-07-20"
        ),
        "{entry}"
    );
    let text = mentor.text(&["competency", "show", &c, "--plan", &id]);
    assert!(
        text.contains("Remediation of element 3, opened 2027-07-01") && text.contains("(open)"),
        "{text}"
    );
    // A reassessment leaves the initial sign-off standing: it signed its own copy.
    let v = mentor.json(&["competency", "verify", "--plan", &id]);
    assert_eq!(v[0]["valid"], true, "{v}");

    // Reassessed and passed: the remediation closes; the 6-month sign-off reuses the qualification.
    for e in 1..=6 {
        assess(&mentor, &id, &c, e, "pass", "2027-07-18", &[]);
    }
    let agenda = mentor.json(&["agenda", "--plan", &id, "--days", "1"]);
    assert!(
        !agenda
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "remediation"),
        "{agenda}"
    );
    let signed = mentor.json(&["competency", "signoff", &c, "--plan", &id]);
    assert_eq!(signed["signoffs"][1]["kind"], "6-month", "{signed}");
    assert_eq!(
        signed["signoffs"][1]["qualification"],
        "technical-supervisor"
    );
    assert_eq!(
        signed["remediations"][0]["closed_on"], "2027-07-18",
        "{signed}"
    );

    // The audit trail of the record: who changed which field, from what to what.
    let log = mentor.json(&["log", "--item", &c, "--plan", &id]);
    let failed = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["message"]
                .as_str()
                .unwrap()
                .contains("element 3: needs-work")
        })
        .unwrap_or_else(|| panic!("no needs-work change: {log}"));
    assert_eq!(failed["name"], "Dana Ruiz");
    assert_eq!(failed["role"], "mentor");
    let changes = failed["changes"].as_array().unwrap();
    let result = changes
        .iter()
        .find(|c| c["field"] == "assessments[2].result")
        .unwrap_or_else(|| panic!("no result change: {failed}"));
    assert_eq!(
        (result["old"].as_str(), result["new"].as_str()),
        (Some("pass"), Some("needs-work"))
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "remediations[0].retrain"
                && c["old"].is_null()
                && c["new"] == "QC review and Westgard rules"),
        "{failed}"
    );
    let text = mentor.text(&["log", "--item", &c, "--plan", &id]);
    assert!(
        text.contains("assessments[2].result: “pass” → “needs-work”"),
        "{text}"
    );
    let csv = mentor.text(&["log", "--item", &c, "--plan", &id, "--format", "csv"]);
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("time,member,role,device,peer id,change,field,old value,new value,change hash")
    );
    assert!(
        rows.any(|r| r.contains(",Dana Ruiz,mentor,")
            && r.contains(",assessments[2].result,pass,needs-work,")),
        "{csv}"
    );

    // The PDF an inspector gets, read back as text.
    let Some(_) = tool("pdftotext", "Debian: apt-get install poppler-utils") else {
        return;
    };
    eventually("the 6-month sign-off reaches the technician", || {
        tech.plan(&id).is_some_and(|p| {
            p["competencies"][0]["signoffs"]
                .as_array()
                .is_some_and(|s| s.len() == 2)
        })
    });
    for paper in ["letter", "a4"] {
        let pdf = tech.path().join(format!("record-{paper}.pdf"));
        tech.json(&[
            "competency",
            "record",
            "--plan",
            &id,
            "-f",
            "pdf",
            "--paper",
            paper,
            "-o",
            pdf.to_str().unwrap(),
        ]);
        // In the order it was drawn (each cell whole), lines joined: a
        // phrase wrapped inside its column reads as one.
        let out = std::process::Command::new("pdftotext")
            .args(["-raw", pdf.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pdftotext failed on the {paper} record"
        );
        // Kept to look at, with the browser tests' screenshots.
        let keep = tandem_e2e::bin_dir().join("..").join("screenshots");
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, keep.join(format!("record-{paper}.pdf"))).unwrap();
        let raw = String::from_utf8_lossy(&out.stdout).to_string();
        let text = raw
            .split('\u{c}')
            .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\u{c}");
        for want in [
            "Riverside Hospital Laboratory · CLIA 05D0642827 · Hematology",
            "Samuel Lee · employee E-4471 · Medical Laboratory Scientist",
            "Test system: Sysmex XN-1000 CBC",
            "1. direct observation of routine test performance",
            "6. assessment of problem-solving skills",
            "2027-07-18",
            "Dana Ruiz",
            "technical supervisor",
            "Verified: signed by Dana Ruiz, a mentor of this plan",
            "Verified: acknowledged by Sam, the technician",
            "Remediation of element 3, opened 2027-07-01: retrain “QC review and Westgard rules” with Lee Park, reassess by 2027-07-20 (closed 2027-07-18, the element passed)",
            "Initial assessment",
            "6-month assessment",
            "observed 10 patient CBCs",
            "Remediation of element 3, opened 2027-07-01",
            "Assessor signature",
            "Employee signature",
            "Page 1 of",
        ] {
            assert!(
                text.contains(want),
                "the {paper} PDF lacks “{want}”:\n{text}"
            );
        }
        // The header is on every page.
        let pages: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert!(!pages.is_empty());
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains("CLIA 05D0642827")
                    && page.contains(&format!("Page {} of {}", i + 1, pages.len())),
                "page {}:\n{page}",
                i + 1
            );
        }
    }
}
