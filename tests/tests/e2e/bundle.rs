//! Air-gapped sync: plans carried between daemons that never connect, as
//! signed bundle files. Export, import, import again (nothing changes),
//! changes back the other way, and every kind of bad bundle refused with
//! nothing merged.

use serde_json::Value;
use tandem_e2e::Home;

fn goals(h: &Home, plan: &str) -> usize {
    h.plan(plan)
        .map_or(0, |p| p["goals"].as_array().unwrap().len())
}

fn path(h: &Home, name: &str) -> String {
    h.path().join(name).to_str().unwrap().to_string()
}

#[test]
fn bundles_carry_a_plan_both_ways_and_bad_ones_are_refused() {
    let a = Home::new();
    let b = Home::new();
    let plan = a.share_new_plan("Air-gapped bench", &b);
    a.json(&["goal", "add", "Written on A"]);

    // A -> B: the whole plan; B's daemon has never connected to A's.
    let f1 = path(&a, "whole.tandem");
    let out = a.json(&["bundle", "export", "-o", &f1]);
    assert_eq!(out["whole"], true);
    let got = b.json(&["bundle", "import", &f1]);
    assert_eq!(
        (got["new_plan"].as_bool(), got["changed"].as_bool()),
        (Some(true), Some(true)),
        "{got}"
    );
    assert_eq!(got["signer"], a.peer_id().as_str());
    assert_eq!(goals(&b, &plan), 1);
    assert!(
        b.json(&["status"])["peers"].as_array().unwrap().is_empty(),
        "no network involved"
    );
    // Again: idempotent.
    let again = b.json(&["bundle", "import", &f1]);
    assert_eq!(again["changed"], false);
    let text = String::from_utf8(b.run(&["bundle", "import", &f1]).stdout).unwrap();
    assert!(text.starts_with("Nothing new"), "{text}");
    assert_eq!(goals(&b, &plan), 1);

    // B -> A: only what A lacks (B learned A's heads from A's bundle).
    b.json(&["goal", "add", "Written on B", "--plan", &plan]);
    let f2 = path(&b, "back.tandem");
    let out = b.json(&[
        "bundle",
        "export",
        "--for",
        &a.peer_id()[..12],
        "-o",
        &f2,
        "--plan",
        &plan,
    ]);
    assert_eq!(out["whole"], false, "{out}");
    assert!(out["bytes"].as_u64().unwrap() < std::fs::metadata(&f1).unwrap().len());
    let got = a.json(&["bundle", "import", &f2]);
    assert_eq!(got["changed"], true);
    assert_eq!(
        got["messages"],
        serde_json::json!(["goal add: Written on B"])
    );
    assert_eq!(goals(&a, &plan), 2);
    assert_eq!(
        a.plan(&plan).unwrap()["goals"],
        b.plan(&plan).unwrap()["goals"]
    );

    // Tampered: one byte of the changes flipped -> refused, nothing merged.
    b.json(&["goal", "add", "Third", "--plan", &plan]);
    let f3 = path(&b, "third.tandem");
    b.json(&["bundle", "export", "-o", &f3, "--plan", &plan]);
    let good = std::fs::read(&f3).unwrap();
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 100] ^= 0x01;
    let tampered = path(&a, "tampered.tandem");
    std::fs::write(&tampered, &bad).unwrap();
    let err = a.fails(&["bundle", "import", &tampered], 5);
    assert!(err.contains("signature does not match"), "{err}");
    // Truncated.
    let cut = path(&a, "cut.tandem");
    std::fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let err = a.fails(&["bundle", "import", &cut], 2);
    assert!(err.contains("truncated"), "{err}");
    // Not a bundle at all.
    let err = a.fails(
        &[
            "bundle",
            "import",
            &f1.replace("whole.tandem", "tandemd.log"),
        ],
        2,
    );
    assert!(err.contains("not a Tandem bundle"), "{err}");
    assert_eq!(goals(&a, &plan), 2, "nothing merged from bad bundles");

    // Signed by a device that is no longer a member: refused.
    a.json(&["member", "remove", &b.peer_id()]);
    let err = a.fails(&["bundle", "import", &f3], 5);
    assert!(err.contains("not a member device"), "{err}");
    assert_eq!(goals(&a, &plan), 2);

    // A device that is not a member cannot take the plan in from a bundle.
    let stranger = Home::new();
    let err = stranger.fails(&["bundle", "import", &f1], 5);
    assert!(err.contains("is not a member of plan"), "{err}");
    let plans: Value = stranger.json(&["plan", "list"]);
    assert!(plans.as_array().unwrap().is_empty());
}
