//! The app over HTTP, against a real daemon: who is let in (session, Host,
//! Origin), that its forms go through the same API as the CLI (same
//! validation, same plan), and that what people typed is shown as text.

use tandem_e2e::{Home, http};

/// A signed-in session's Cookie header for `h`'s app (at `app`).
fn session(h: &Home, app: &str) -> String {
    assert_eq!(h.app(), app);
    let (pair, cookie) = h.app_session();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    pair
}

#[test]
fn nothing_without_a_session_the_own_host_and_the_own_origin() {
    let h = Home::new();
    let plan = h.id_of(&["plan", "new", "Onboarding"]);
    let app = h.app();
    let origin = format!("http://{app}");
    let gets = [
        "/".to_string(),
        "/join".to_string(),
        "/events".to_string(),
        format!("/plans/{plan}"),
        format!("/plans/{plan}/items/goal/00"),
        format!("/plans/{plan}/items/goal/00/remove"),
        format!("/plans/{plan}/record/00"),
        format!("/plans/{plan}/people"),
        format!("/plans/{plan}/members/00/remove"),
        format!("/plans/{plan}/history"),
        format!("/plans/{plan}/settings"),
    ];
    let posts = [
        "/plans".to_string(),
        "/join".to_string(),
        format!("/offers/{plan}/accept"),
        format!("/plans/{plan}/items/goal"),
        format!("/plans/{plan}/items/action"),
        format!("/plans/{plan}/items/goal/00"),
        format!("/plans/{plan}/items/action/00/done"),
        format!("/plans/{plan}/items/goal/00/milestone"),
        format!("/plans/{plan}/items/goal/00/remove"),
        format!("/plans/{plan}/items/goal/00/resolve"),
        format!("/plans/{plan}/invites"),
        format!("/plans/{plan}/invites/00/revoke"),
        format!("/plans/{plan}/members/00/remove"),
        format!("/plans/{plan}/settings/plan"),
        format!("/plans/{plan}/undo"),
        format!("/plans/{plan}/calendar/new"),
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
    let plan = h.id_of(&["plan", "new", "<b>MLS</b> onboarding", "--mentor", "Dana"]);
    let app = h.app();
    let cookie = session(&h, &app);
    let origin = format!("http://{app}");
    let with = [("Cookie", cookie.as_str()), ("Origin", origin.as_str())];
    let base = format!("/plans/{plan}");

    // Refused input: the daemon's message next to the field, what was typed kept.
    let (status, _, body) = http(
        &app,
        "POST",
        &format!("{base}/items/action"),
        &app,
        &with,
        "title=Read+the+SOP&owner=mentee&due=whenever",
    );
    assert_eq!(status, 422);
    assert!(
        body.contains(r#"role="alert">due: invalid date 'whenever'"#),
        "{body}"
    );
    assert!(body.contains(r#"value="Read the SOP""#), "{body}");
    let (status, _, body) = http(
        &app,
        "POST",
        &format!("{base}/items/goal"),
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
        &format!("{base}/items/goal"),
        &app,
        &with,
        &format!("title={title}&category=certification&target_date=2027-03-01"),
    );
    assert_eq!(status, 303, "{head}");
    let (status, _, _) = http(
        &app,
        "POST",
        &format!("{base}/items/action"),
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
        &format!("{base}/items/action/{action}/done"),
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
        &format!("{base}/items/goal/{goal}/remove"),
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
        &format!("{base}/items/goal/{goal}/remove"),
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
    let plan = h.id_of(&["plan", "new", "Onboarding"]);
    let other = h.id_of(&["plan", "new", "Another"]);
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

/// POSTs a form as the app's own page would, and returns (status, body).
fn post(h: &Home, app: &str, cookie: &str, path: &str, form: &str) -> (u16, String) {
    let origin = format!("http://{app}");
    let with = [("Cookie", cookie), ("Origin", origin.as_str())];
    let _ = h;
    let (status, _, body) = http(app, "POST", path, app, &with, form);
    (status, body)
}

fn get(app: &str, cookie: &str, path: &str) -> (u16, String) {
    let (status, _, body) = http(app, "GET", path, app, &[("Cookie", cookie)], "");
    (status, body)
}

#[test]
fn every_kind_is_edited_from_its_page_and_only_what_was_changed_is_sent() {
    let h = Home::new();
    let plan = h.id_of(&[
        "plan",
        "new",
        "Onboarding",
        "--mentor",
        "Dana",
        "--mentee",
        "Ana",
    ]);
    let app = h.app();
    let cookie = session(&h, &app);
    let base = format!("/plans/{plan}");
    // One of every kind, from its form on the plan's page.
    let adds = [
        (
            "goal",
            "title=Pass+MLS&category=certification&target_date=2027-05-01&description=&success_criteria=",
        ),
        ("action", "title=Read+SOP&owner=mentee&due=&goal=&notes="),
        (
            "meeting",
            "start=2027-02-01+14%3A00&duration_minutes=45&location=Lab+office",
        ),
        ("competency", "system=Chemistry+analyzer"),
        (
            "feedback",
            "kind=praise&body=Great+%3Ci%3Ework%3C%2Fi%3E&goal=",
        ),
        ("note", "body=First+week&tags=week1%2C+sop"),
        (
            "ce",
            "title=Lab+safety&provider=ASCLS&date=2027-01-10&points=1.5&category=&certificate=",
        ),
        (
            "certification",
            "credential=MLS(ASCP)&status=planned&exam_date=2027-06-01&earned_on=&renewal_due=&ce_required=",
        ),
        (
            "contact",
            "name=Sam&organization=Hospital+lab&how_met=&introduced_by=&notes=",
        ),
    ];
    for (kind, form) in adds {
        let (status, body) = post(&h, &app, &cookie, &format!("{base}/items/{kind}"), form);
        assert_eq!(status, 303, "{kind}: {body}");
    }
    let p = h.plan(&plan).unwrap();
    for list in [
        "goals",
        "actions",
        "meetings",
        "competencies",
        "feedback",
        "notes",
        "ce",
        "certifications",
        "contacts",
    ] {
        assert_eq!(p[list].as_array().unwrap().len(), 1, "{list}: {p}");
    }
    assert_eq!(p["notes"][0]["tags"], serde_json::json!(["week1", "sop"]));
    assert_eq!(p["ce"][0]["points"], 1.5);
    assert_eq!(p["meetings"][0]["duration_minutes"], 45);
    let (_, page) = get(&app, &cookie, &base);
    assert!(page.contains("Great &lt;i&gt;work&lt;/i&gt;"), "{page}");

    // A typing error names its field and keeps what was typed.
    let (status, body) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/ce"),
        "title=X&date=2027-01-10&points=lots",
    );
    assert_eq!(status, 422);
    assert!(
        body.contains("points: &#39;lots&#39; is not a number")
            || body.contains("points: 'lots' is not a number"),
        "{body}"
    );

    // The edit form sends only what the person changed: a title changed
    // meanwhile on another device (the CLI) is not put back.
    let goal = p["goals"][0]["id"].as_str().unwrap().to_string();
    let (status, page) = get(&app, &cookie, &format!("{base}/items/goal/{goal}"));
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"name="was:title" value="Pass MLS""#),
        "{page}"
    );
    h.json(&["goal", "edit", &goal, "--title", "Pass the MLS exam"]);
    let (status, body) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/goal/{goal}"),
        "title=Pass+MLS&was%3Atitle=Pass+MLS&status=done&was%3Astatus=active&target_date=&was%3Atarget_date=2027-05-01",
    );
    assert_eq!(status, 303, "{body}");
    let g = &h.plan(&plan).unwrap()["goals"][0];
    assert_eq!(g["title"], "Pass the MLS exam", "not overwritten");
    assert_eq!(g["status"], "done");
    assert_eq!(
        g["target_date"],
        serde_json::Value::Null,
        "emptied is cleared"
    );

    // Milestones checked off in place; the item's history lists its changes.
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/goal/{goal}/milestone"),
        "title=Read+chapter+1",
    );
    assert_eq!(status, 303);
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/goal/{goal}/milestone-toggle"),
        "position=1&done=true",
    );
    assert_eq!(status, 303);
    assert_eq!(
        h.plan(&plan).unwrap()["goals"][0]["milestones"][0]["done"],
        true
    );
    let (_, page) = get(&app, &cookie, &format!("{base}/items/goal/{goal}"));
    assert!(page.contains(r#"aria-checked="true""#), "{page}");
    assert!(
        page.contains("milestone add") && page.contains("goal add: Pass MLS"),
        "{page}"
    );
    assert!(
        !page.contains("action add"),
        "another item's change: {page}"
    );
    let log = h.json(&["log", "--item", &goal]);
    assert_eq!(log.as_array().unwrap().len(), 5, "{log}");

    // Meetings: agenda, held. Competencies: an assessment, a sign-off refused with the daemon's words.
    let meeting = p["meetings"][0]["id"].as_str().unwrap();
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/meeting/{meeting}/agenda"),
        "text=QC+review",
    );
    assert_eq!(status, 303);
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/meeting/{meeting}/status"),
        "status=held",
    );
    assert_eq!(status, 303);
    let m = &h.plan(&plan).unwrap()["meetings"][0];
    assert_eq!(m["agenda"][0]["text"], "QC review");
    assert_eq!(m["status"], "held");
    let comp = p["competencies"][0]["id"].as_str().unwrap();
    let (status, body) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/competency/{comp}/assessment"),
        "element=1&date=2027-01-12&assessor=Dana&method=Observed+a+run&result=pass",
    );
    assert_eq!(status, 303, "{body}");
    let (status, body) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/competency/{comp}/signoff"),
        "",
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("role=\"alert\""), "{body}");
    let (status, record) = get(&app, &cookie, &format!("{base}/record/{comp}"));
    assert_eq!(status, 200);
    assert!(
        record.contains("Observed a run")
            && record.contains("not assessed")
            && record.contains("Assessment in progress (not signed off yet)"),
        "{record}"
    );
    let (status, pdf) = get(&app, &cookie, &format!("{base}/record/{comp}.pdf"));
    assert_eq!(status, 200);
    assert!(pdf.starts_with("%PDF-"), "the record's PDF");

    // Plan and agreement from the settings page.
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/settings/agreement"),
        "cadence=Every+other+Tuesday&was%3Acadence=",
    );
    assert_eq!(status, 303);
    assert_eq!(
        h.plan(&plan).unwrap()["agreement"]["cadence"],
        "Every other Tuesday"
    );

    // Removal asks first, for every kind.
    let contact = p["contacts"][0]["id"].as_str().unwrap();
    let (status, ask) = get(
        &app,
        &cookie,
        &format!("{base}/items/contact/{contact}/remove"),
    );
    assert_eq!(status, 200);
    assert!(ask.contains("Remove this contact?"), "{ask}");
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/contact/{contact}/remove"),
        "",
    );
    assert_eq!(status, 303);
    assert!(
        h.plan(&plan).unwrap()["contacts"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn invitations_show_their_ticket_and_the_calendar_feed_has_its_own_secret() {
    let h = Home::new();
    let plan = h.id_of(&["plan", "new", "Onboarding", "--mentor", "Dana"]);
    h.json(&["meeting", "add", "2027-02-01 14:00", "--plan", &plan]);
    let app = h.app();
    let cookie = session(&h, &app);
    let base = format!("/plans/{plan}");
    let (status, page) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/invites"),
        "link=false&role=mentee&name=Ana&valid=7d",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(">TANDEM"), "the ticket: {page}");
    assert!(
        page.contains("<svg") && page.contains("<path d=\"M"),
        "its QR code"
    );
    let invites = h.json(&["invite", "list"]);
    assert_eq!(invites.as_array().unwrap().len(), 1, "{invites}");
    let id = invites[0]["id"].as_str().unwrap();
    let (status, _) = post(
        &h,
        &app,
        &cookie,
        &format!("{base}/invites/{id}/revoke"),
        "",
    );
    assert_eq!(status, 303);
    assert_eq!(h.json(&["invite", "list"])[0]["revoked"], true);
    let (_, people) = get(&app, &cookie, &format!("{base}/people"));
    assert!(
        people.contains("Dana") && people.contains("this device"),
        "{people}"
    );
    assert!(people.contains("Ana as mentee (revoked)"), "{people}");

    // The feed: no session needed, but its secret is; a new address ends the old one.
    let (_, settings) = get(&app, &cookie, &format!("{base}/settings"));
    let at = settings.find("/calendar/").expect("the feed's address");
    let feed: String = settings[at..].chars().take_while(|c| *c != '"').collect();
    assert!(feed.ends_with(".ics"), "{feed}");
    let (status, head, ics) = http(&app, "GET", &feed, &app, &[], "");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/calendar"), "{head}");
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("DTSTART:20270201T140000Z"),
        "{ics}"
    );
    let (status, _, _) = http(&app, "GET", "/calendar/0123.ics", &app, &[], "");
    assert_eq!(status, 404, "a wrong secret");
    let (status, _, _) = http(&app, "GET", &feed, "evil.example:80", &[], "");
    assert_eq!(status, 421, "the Host check holds for the feed too");
    let (status, _) = post(&h, &app, &cookie, &format!("{base}/calendar/new"), "");
    assert_eq!(status, 303);
    let (status, _, _) = http(&app, "GET", &feed, &app, &[], "");
    assert_eq!(status, 404, "the old address no longer works");
}

#[test]
fn an_item_edited_on_two_devices_at_once_is_marked_until_its_value_is_kept() {
    let (a, b) = (Home::new(), Home::new());
    let plan = a.share_new_plan("Onboarding", &b);
    b.json(&["peer", "add", &a.dial_addr()]);
    tandem_e2e::eventually("the plan reaches B", || b.plan(&plan).is_some());
    let goal = a.id_of(&["goal", "add", "Pass MLS", "--plan", &plan]);
    tandem_e2e::eventually("the goal reaches B", || {
        b.plan(&plan)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 1))
    });
    // Apart: B edits while A is down, then A while B is down.
    a.json(&["daemon", "stop"]);
    b.json(&[
        "goal",
        "edit",
        &goal,
        "--title",
        "Pass the MLS exam",
        "--plan",
        &plan,
    ]);
    b.json(&["daemon", "stop"]);
    a.json(&[
        "goal",
        "edit",
        &goal,
        "--title",
        "Pass MLS (ASCP)",
        "--plan",
        &plan,
    ]);
    b.json(&["peer", "add", &a.dial_addr()]);
    tandem_e2e::eventually("both edits meet on A", || {
        a.plan(&plan)
            .is_some_and(|p| p["conflicts"].as_array().is_some_and(|c| !c.is_empty()))
    });
    let app = a.app();
    let cookie = session(&a, &app);
    let base = format!("/plans/{plan}");
    let (_, overview) = get(&app, &cookie, &base);
    assert!(
        overview.contains("Edited at the same time on two devices"),
        "{overview}"
    );
    assert!(
        overview.contains("title edited at the same time by"),
        "{overview}"
    );
    let (_, page) = get(&app, &cookie, &format!("{base}/items/goal/{goal}"));
    assert!(page.contains("Keep the current values"), "{page}");
    let (status, _) = post(
        &a,
        &app,
        &cookie,
        &format!("{base}/items/goal/{goal}/resolve"),
        "",
    );
    assert_eq!(status, 303);
    let left = a.plan(&plan).unwrap()["conflicts"].clone();
    assert!(left.as_array().is_none_or(|c| c.is_empty()), "{left}");
    let (_, page) = get(&app, &cookie, &format!("{base}/items/goal/{goal}"));
    assert!(!page.contains("Keep the current values"), "{page}");
}

#[test]
fn every_text_people_type_is_shown_as_text_on_every_page() {
    let h = Home::new();
    let plan = h.id_of(&[
        "plan", "new", "P<i>lan", "--mentor", "D<i>ana", "--mentee", "A<i>na",
    ]);
    let app = h.app();
    let cookie = session(&h, &app);
    let base = format!("/plans/{plan}");
    let x = "%3Ci%3E"; // <i>
    let adds = [
        (
            "goal",
            format!("title=G{x}&category=skill&description=D{x}&success_criteria=S{x}"),
        ),
        ("action", format!("title=A{x}&owner=mentee&notes=N{x}")),
        (
            "meeting",
            format!("start=2027-02-01+14%3A00&duration_minutes=30&location=L{x}"),
        ),
        ("competency", format!("system=C{x}")),
        ("feedback", format!("kind=praise&body=B{x}")),
        ("note", format!("body=N{x}&tags=t{x}")),
        (
            "ce",
            format!(
                "title=T{x}&provider=P{x}&date=2027-01-10&points=1&category=C{x}&certificate=X{x}"
            ),
        ),
        ("certification", format!("credential=C{x}&status=planned")),
        (
            "contact",
            format!("name=N{x}&organization=O{x}&how_met=H{x}&introduced_by=I{x}&notes=N{x}"),
        ),
    ];
    for (kind, form) in &adds {
        let (status, body) = post(&h, &app, &cookie, &format!("{base}/items/{kind}"), form);
        assert_eq!(status, 303, "{kind}: {body}");
    }
    let p = h.plan(&plan).unwrap();
    let meeting = p["meetings"][0]["id"].as_str().unwrap();
    post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/meeting/{meeting}/agenda"),
        &format!("text=A{x}"),
    );
    let goal = p["goals"][0]["id"].as_str().unwrap();
    post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/goal/{goal}/milestone"),
        &format!("title=M{x}"),
    );
    let comp = p["competencies"][0]["id"].as_str().unwrap();
    post(
        &h,
        &app,
        &cookie,
        &format!("{base}/items/competency/{comp}/assessment"),
        &format!("element=1&date=2027-01-12&assessor=A{x}&method=M{x}&result=pass"),
    );
    post(
        &h,
        &app,
        &cookie,
        &format!("{base}/settings/agreement"),
        &format!("cadence=C{x}&expectations=E{x}"),
    );
    let mut pages = vec![
        "/".to_string(),
        base.clone(),
        format!("{base}/people"),
        format!("{base}/history"),
        format!("{base}/settings"),
        format!("{base}/record/{comp}"),
    ];
    let p = h.plan(&plan).unwrap();
    for (kind, list) in [
        ("goal", "goals"),
        ("action", "actions"),
        ("meeting", "meetings"),
        ("competency", "competencies"),
        ("feedback", "feedback"),
        ("note", "notes"),
        ("ce", "ce"),
        ("certification", "certifications"),
        ("contact", "contacts"),
    ] {
        let id = p[list][0]["id"].as_str().unwrap();
        pages.push(format!("{base}/items/{kind}/{id}"));
        pages.push(format!("{base}/items/{kind}/{id}/remove"));
    }
    for path in &pages {
        let (status, page) = get(&app, &cookie, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !page.contains("<i>"),
            "{path} shows markup people typed: {page}"
        );
        assert!(
            page.contains("&lt;i&gt;"),
            "{path} shows what people typed: {page}"
        );
    }
}
