//! The app over HTTP, against a real daemon: who is let in (session, Host,
//! Origin), that its forms go through the same API as the CLI (same
//! validation, same plan), and that what people typed is shown as text.

use tandem_e2e::{Home, http};

/// A signed-in session's Cookie header for `h`'s app.
fn session(h: &Home, app: &str) -> String {
    let (status, head, _) = http(app, "GET", &h.login_path(), app, &[], "");
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

#[test]
fn nothing_without_a_session_the_own_host_and_the_own_origin() {
    let h = Home::new();
    let plan = h.json(&["plan", "new", "Onboarding"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let app = h.app();
    let origin = format!("http://{app}");
    let gets = [
        "/".to_string(),
        format!("/plans/{plan}"),
        format!("/plans/{plan}/remove/goal/00"),
    ];
    let posts = [
        format!("/plans/{plan}/goals"),
        format!("/plans/{plan}/actions"),
        format!("/plans/{plan}/actions/00/done"),
        format!("/plans/{plan}/remove/goal/00"),
    ];
    // No session: every route answers 401 with the page that says what to run.
    for path in &gets {
        let (status, _, body) = http(&app, "GET", path, &app, &[], "");
        assert_eq!(status, 401, "GET {path}");
        assert!(body.contains("tandem ui"), "{body}");
    }
    for path in &posts {
        let (status, _, _) = http(&app, "POST", path, &app, &[("Origin", &origin)], "title=x");
        assert_eq!(status, 401, "POST {path}");
    }
    // A login link works once.
    let login = h.login_path();
    let (status, _, _) = http(&app, "GET", &login, &app, &[], "");
    assert_eq!(status, 303);
    let (status, _, _) = http(&app, "GET", &login, &app, &[], "");
    assert_eq!(status, 401, "a used link");
    let cookie = session(&h, &app);
    let with = [("Cookie", cookie.as_str())];
    let (status, head, body) = http(&app, "GET", "/", &app, &with, "");
    assert_eq!(status, 200, "{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-security-policy"),
        "{head}"
    );
    assert!(body.contains("Onboarding"));
    // Another Host (DNS rebinding) is refused, session or not.
    for path in gets.iter().chain(&posts) {
        let (status, _, _) = http(&app, "GET", path, "evil.example:80", &with, "");
        assert_eq!(status, 421, "{path}");
    }
    // A change needs the app's own Origin, even with the session.
    for path in &posts {
        let (status, _, _) = http(&app, "POST", path, &app, &with, "title=x");
        assert_eq!(status, 403, "no Origin: {path}");
        let evil = [
            ("Cookie", cookie.as_str()),
            ("Origin", "http://evil.example"),
        ];
        let (status, _, _) = http(&app, "POST", path, &app, &evil, "title=x");
        assert_eq!(status, 403, "foreign Origin: {path}");
    }
    assert!(
        h.plan(&plan).unwrap()["goals"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
}

#[test]
fn forms_go_through_the_same_api_and_text_stays_text() {
    let h = Home::new();
    let plan = h.json(&["plan", "new", "<b>MLS</b> onboarding", "--mentor", "Dana"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let app = h.app();
    let cookie = session(&h, &app);
    let origin = format!("http://{app}");
    let with = [("Cookie", cookie.as_str()), ("Origin", origin.as_str())];
    let base = format!("/plans/{plan}");

    // Refused input: the daemon's message next to the field, what was typed kept.
    let (status, _, body) = http(
        &app,
        "POST",
        &format!("{base}/actions"),
        &app,
        &with,
        "title=Read+the+SOP&owner=mentee&due=whenever",
    );
    assert_eq!(status, 422);
    assert!(
        body.contains(r#"role="alert">due date: invalid date 'whenever'"#),
        "{body}"
    );
    assert!(body.contains(r#"value="Read the SOP""#), "{body}");
    let (status, _, body) = http(
        &app,
        "POST",
        &format!("{base}/goals"),
        &app,
        &with,
        "title=+&category=skill",
    );
    assert_eq!(status, 422);
    assert!(body.contains("title: must not be empty"), "{body}");

    // Accepted: stored through the same API, so the CLI sees it, authored by the member.
    let title = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let (status, head, _) = http(
        &app,
        "POST",
        &format!("{base}/goals"),
        &app,
        &with,
        &format!("title={title}&category=certification&target=2027-03-01"),
    );
    assert_eq!(status, 303, "{head}");
    let (status, _, _) = http(
        &app,
        "POST",
        &format!("{base}/actions"),
        &app,
        &with,
        "title=Book+the+exam&owner=mentee&due=2027-02-01",
    );
    assert_eq!(status, 303);
    let p = h.plan(&plan).unwrap();
    assert_eq!(p["goals"][0]["title"], "<script>alert(1)</script>");
    assert_eq!(p["goals"][0]["created_by"], "Dana");
    assert_eq!(p["goals"][0]["target_date"], "2027-03-01");
    let action = p["actions"][0]["id"].as_str().unwrap().to_string();
    let log = h.json(&["log", "-n", "1"]);
    assert_eq!(log[0]["message"], "action add: Book the exam");

    // Every user-supplied text is escaped: no tag of ours but the page's own.
    let (_, _, page) = http(&app, "GET", &base, &app, &with, "");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;b&gt;MLS&lt;/b&gt; onboarding"), "{page}");
    assert!(
        !page.contains("<script>") && !page.contains("<b>MLS"),
        "{page}"
    );
    let (_, _, home) = http(&app, "GET", "/", &app, &with, "");
    assert!(!home.contains("<b>MLS"), "{home}");

    // One click marks the action done; a removal asks first, then removes.
    let (status, _, _) = http(
        &app,
        "POST",
        &format!("{base}/actions/{action}/done"),
        &app,
        &with,
        "",
    );
    assert_eq!(status, 303);
    assert_eq!(h.plan(&plan).unwrap()["actions"][0]["status"], "done");
    let goal = p["goals"][0]["id"].as_str().unwrap().to_string();
    let (status, _, ask) = http(
        &app,
        "GET",
        &format!("{base}/remove/goal/{goal}"),
        &app,
        &with,
        "",
    );
    assert_eq!(status, 200);
    assert!(
        ask.contains("Remove this goal?") && ask.contains("&lt;script&gt;"),
        "{ask}"
    );
    assert_eq!(
        h.plan(&plan).unwrap()["goals"].as_array().unwrap().len(),
        1,
        "asking removes nothing"
    );
    let (status, _, _) = http(
        &app,
        "POST",
        &format!("{base}/remove/goal/{goal}"),
        &app,
        &with,
        "",
    );
    assert_eq!(status, 303);
    assert!(
        h.plan(&plan).unwrap()["goals"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Undone from the CLI like any edit.
    h.json(&["undo"]);
    assert_eq!(h.plan(&plan).unwrap()["goals"].as_array().unwrap().len(), 1);
}

#[test]
fn open_pages_hear_of_every_change_to_their_plan() {
    use std::io::{BufRead, BufReader, Write};
    let h = Home::new();
    let plan = h.json(&["plan", "new", "Onboarding"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = h.json(&["plan", "new", "Another"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let app = h.app();
    let cookie = session(&h, &app);
    // The plan's page loads the live script, which the policy allows.
    let (_, head, page) = http(
        &app,
        "GET",
        &format!("/plans/{plan}"),
        &app,
        &[("Cookie", &cookie)],
        "",
    );
    assert!(page.contains(r#"<script src="/app.js" defer>"#), "{page}");
    assert!(head.contains("script-src 'self'"), "{head}");
    let (status, head, js) = http(&app, "GET", "/app.js", &app, &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(
        head.contains("text/javascript") && js.contains("EventSource"),
        "{head}"
    );
    let (status, _, _) = http(&app, "GET", &format!("/events?plan={plan}"), &app, &[], "");
    assert_eq!(status, 401, "events need the session too");

    let mut s = std::net::TcpStream::connect(&app).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "GET /events?plan={plan} HTTP/1.1\r\nHost: {app}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut lines = BufReader::new(s);
    let mut status = String::new();
    lines.read_line(&mut status).unwrap();
    assert!(status.contains("200"), "{status}");
    // A change to another plan is not this page's; one to this plan is.
    h.json(&["goal", "add", "Elsewhere", "--plan", &other]);
    h.json(&["goal", "add", "Pass the MLS exam", "--plan", &plan]);
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("the stream ended: {seen:?}");
        }
        if line.starts_with("data:") {
            seen.push(line.clone());
            assert!(!line.contains("Elsewhere"), "another plan's change: {line}");
            if line.contains("goal add: Pass the MLS exam") {
                break;
            }
        }
    }
    // An open stream does not hold the daemon up when it stops: it ends
    // (`daemon stop` fails if the daemon is still there after its wait).
    let out = h.run(&["daemon", "stop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => panic!("the stream did not end with the daemon: {e}"),
        }
    }
}
