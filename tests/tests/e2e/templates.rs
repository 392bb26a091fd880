//! Plans seeded from templates: the built-in ones, a user's own, a broken one.

use serde_json::Value;
use tandem_e2e::Home;

/// Runs tandem with its config dir inside the test's home.
fn run(h: &Home, args: &[&str]) -> std::process::Output {
    h.cmd(args)
        .env("XDG_CONFIG_HOME", h.path().join("config"))
        .output()
        .unwrap()
}

fn json(h: &Home, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(h, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn built_in_and_user_templates_seed_a_plan_and_a_broken_one_makes_nothing() {
    let h = Home::new();
    let names: Vec<String> = json(&h, &["plan", "templates"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["exam-prep", "new-instrument", "onboarding"]);

    let p = json(
        &h,
        &[
            "plan",
            "new",
            "Ana's onboarding",
            "--template",
            "onboarding",
        ],
    );
    assert_eq!(p["goals"].as_array().unwrap().len(), 3);
    assert_eq!(p["goals"][0]["milestones"].as_array().unwrap().len(), 4);
    assert_eq!(p["competencies"].as_array().unwrap().len(), 2);
    assert!(
        p["agreement"]["cadence"]
            .as_str()
            .unwrap()
            .starts_with("weekly")
    );
    assert!(
        p["goals"][0]["target_date"].is_string(),
        "dates relative to today"
    );

    // Plan and template are one change, made in one transaction: a daemon
    // killed while making it leaves the whole plan or nothing.
    let log = json(&h, &["log"]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert!(
        log[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("plan new: Ana's onboarding"),
        "{log}"
    );

    // The daemon bounds what a seed may hold, whoever sends it.
    let plans = json(&h, &["plan", "list"]).as_array().unwrap().len();
    let step = serde_json::json!({"milestone": {"goal": 0, "title": "x"}});
    let goal = serde_json::json!({"edit": {"goal": {"op": "add", "title": "g", "category": "skill", "status": "active"}}});
    let mut seed = vec![goal];
    seed.extend(std::iter::repeat_n(step, tandem_proto::edit::SEED_MAX));
    let mut raw = tandem_e2e::Raw::hello(&h.socket());
    raw.send_json(&serde_json::json!({"plan_new": {"title": "Huge", "seed": seed}}));
    let reply = raw.recv().unwrap();
    assert_eq!(reply["error"]["code"], "invalid", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1001 steps"),
        "{reply}"
    );
    let early = serde_json::json!([{"milestone": {"goal": 0, "title": "before its goal"}}]);
    raw.send_json(&serde_json::json!({"plan_new": {"title": "Early", "seed": early}}));
    assert_eq!(raw.recv().unwrap()["error"]["code"], "invalid");
    assert_eq!(json(&h, &["plan", "list"]).as_array().unwrap().len(), plans);

    let dir = h.path().join("config/tandem/templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("phlebotomy.toml"),
        "description = \"phlebotomy refresher\"\n[[goals]]\ntitle = \"Order of draw\"\nmilestones = [\"Review\", \"Quiz\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("broken.toml"),
        "description = \"x\"\n[[goals]]\ntitel = \"typo\"\n",
    )
    .unwrap();
    let p = json(
        &h,
        &["plan", "new", "Refresher", "--template", "phlebotomy"],
    );
    assert_eq!(p["goals"][0]["title"], "Order of draw");

    let before = json(&h, &["plan", "list"]).as_array().unwrap().len();
    let out = run(&h, &["plan", "new", "Nope", "--template", "broken"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("titel") && err.contains("line 3"), "{err}");
    let out = run(&h, &["plan", "new", "Nope", "--template", "missing"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        json(&h, &["plan", "list"]).as_array().unwrap().len(),
        before,
        "no half-made plan"
    );
}
