//! Exit codes and error messages of the CLI.

use tandem_e2e::Home;

#[test]
fn bad_input_gets_a_clear_message_and_the_documented_exit_code() {
    let h = Home::new();
    h.json(&["plan", "new", "P"]);
    let g = h.json(&["goal", "add", "G"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = h.json(&["plan", "show"]);

    let cases: &[(&[&str], i32, &str)] = &[
        (&["goal", "add", ""], 2, "title: must not be empty"),
        (
            &["goal", "add", "x", "--target", "2026-02-30"],
            2,
            "invalid date '2026-02-30'",
        ),
        (
            &["goal", "add", "x", "--category", "hobby"],
            2,
            "invalid value 'hobby' for '--category <CATEGORY>'
  [possible values: skill, certification, career, networking, knowledge, other]",
        ),
        (
            &["goal", "status", &g, "finished"],
            2,
            "[possible values: proposed, active, done, dropped]",
        ),
        (
            &["goal", "progress", &g, "140"],
            2,
            "invalid progress '140'",
        ),
        (
            &["goal", "show", "abcdef99"],
            3,
            "no goal with id 'abcdef99'",
        ),
        (&["goal", "rm", "nothex"], 2, "is not a goal id"),
        (&["goal", "milestone", "done", &g, "4"], 3, "no milestone 4"),
        (&["action", "done", "0000"], 3, "no action with id '0000'"),
        (
            &["meeting", "add", "someday"],
            2,
            "invalid date-time 'someday'",
        ),
        (
            &["meeting", "add", "tomorrow 10:00", "--duration", "0"],
            2,
            "duration: must be between 1 and 1440",
        ),
        (
            &["plan", "use", "ffffffff"],
            3,
            "no plan with id 'ffffffff'",
        ),
        (&["goal", "edit", &g], 2, "nothing to change"),
        (&["frobnicate"], 2, "unrecognized subcommand"),
    ];
    let long = "x".repeat(201);
    let mut all: Vec<(Vec<&str>, i32, &str)> =
        cases.iter().map(|(a, c, m)| (a.to_vec(), *c, *m)).collect();
    all.push((
        vec!["goal", "add", &long],
        2,
        "title: is 201 characters long; the limit is 200",
    ));
    for (args, code, msg) in all {
        let err = h.fails(&args, code);
        assert!(
            err.contains(msg),
            "tandem {args:?}: expected '{msg}' in: {err}"
        );
    }
    assert_eq!(
        h.json(&["plan", "show"]),
        before,
        "a refused command changed the plan"
    );

    // Ambiguous prefixes list the candidates.
    for i in 0..40 {
        h.json(&["note", "add", &format!("n{i}")]);
    }
    let goals: Vec<String> = (0..20)
        .map(|i| {
            h.json(&["goal", "add", &format!("g{i}")])["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let first = &goals[0][..1];
    if goals.iter().filter(|id| id.starts_with(first)).count() > 1 {
        let err = h.fails(&["goal", "show", first], 2);
        assert!(err.contains("is ambiguous: it matches"), "{err}");
    }

    // --json errors are JSON on stderr.
    let out = h.run(&["goal", "show", "abcdef99", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
}

#[test]
fn completions_and_man_pages_come_from_the_clap_definitions() {
    let h = Home::new();
    for (shell, marker) in [
        ("bash", "_tandem()"),
        ("zsh", "#compdef tandem"),
        ("fish", "complete -c tandem"),
    ] {
        let out = h.run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: no {marker}");
        assert!(
            text.contains("competency") && text.contains("join"),
            "{shell}"
        );
    }
    h.fails(&["completions", "nosh"], 2);
    // A reader that goes away early (`| head`) ends it quietly, not with a panic.
    let mut child = h
        .cmd(&["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    assert_eq!(out.status.code(), Some(0));

    let dir = h.path().join("man1");
    assert!(h.run(&["man", dir.to_str().unwrap()]).status.success());
    let page = std::fs::read_to_string(dir.join("tandem-join.1")).unwrap();
    assert!(page.contains(".TH tandem-join"), "{page}");
    assert!(dir.join("tandem.1").exists() && dir.join("tandem-competency-signoff.1").exists());
}

/// `--json` lists passed on as the daemon wrote them (no filter) print the
/// very bytes the typed path prints (a filter that keeps everything), and
/// `plan list --json` the bytes of the summaries decoded and encoded again.
#[test]
fn lists_passed_on_print_what_the_typed_path_prints() {
    let h = Home::new();
    let plan = h.json(&["plan", "new", "P \"quoted\" — ünïcödé"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    for title in [
        "plain",
        "\"quoted\" / slash",
        "emoji 🧪 and \\ backslash",
        "ünïcödé",
    ] {
        h.json(&[
            "goal",
            "add",
            title,
            "--description",
            "line one\n\ttab \u{2028} two",
        ]);
    }
    h.json(&["plan", "new", "Second"]);
    let passed = h.text(&["goal", "list", "--plan", &plan, "--json"]);
    let typed = h.text(&[
        "goal", "list", "--plan", &plan, "--status", "active", "--json",
    ]);
    assert_eq!(passed, typed);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&passed)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let list = h.text(&["plan", "list", "--json"]);
    let summaries: Vec<tandem_proto::model::PlanSummary> = serde_json::from_str(&list).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&summaries).unwrap() + "\n",
        list
    );
    let members = h.text(&["member", "list", "--plan", &plan, "--json"]);
    let typed: Vec<tandem_proto::model::Member> = serde_json::from_str(&members).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&typed).unwrap() + "\n",
        members
    );
}
