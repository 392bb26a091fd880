//! The app in a real headless Chromium, two devices each with its own
//! daemon and browser: a mentor makes a plan, a goal and an action and
//! invites the mentee; the mentee joins by pasting the ticket; edits in
//! one browser appear on the other's open page without a reload (an
//! action, a milestone checked off, a competency signed off and verified);
//! and the main flow works with the keyboard alone. Screenshots of the main
//! pages are saved in `target/screenshots/`.

use tandem_e2e::Home;
use tandem_e2e::browser::{self, Browser, Driver};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Waits until the page's live stream is open, and marks the page so a
/// reload would show (the mark is gone after one).
async fn watching(w: &Browser) {
    w.wait_live().await;
    w.client
        .execute("window.tandemMark = 'not reloaded'", vec![])
        .await
        .unwrap();
}

async fn not_reloaded(w: &Browser) {
    let mark = w
        .client
        .execute("return window.tandemMark || 'reloaded'", vec![])
        .await
        .unwrap();
    assert_eq!(mark, "not reloaded", "the page was reloaded");
}

#[test]
fn two_people_share_a_plan_from_their_browsers_and_see_each_others_edits_live() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let a = Home::new();
    let b = Home::new();
    let (app_a, app_b) = (a.app(), b.app());
    browser::run(async {
        let wa = driver.browser().await;
        let wb = driver.browser().await;

        // A, the mentor, makes a plan, a goal and an action in the browser.
        wa.open(&a, "/").await;
        wa.screenshot("home-empty").await;
        wa.fill("#new-plan-title", "Chemistry onboarding").await;
        wa.fill("#new-plan-mentor", "Dana").await;
        wa.fill("#new-plan-mentee", "Ana").await;
        wa.click("form[action='/plans'] button").await;
        wa.wait_text("h1", "Chemistry onboarding").await;
        let plan_path = wa.path().await;
        let plan = plan_path.trim_start_matches("/plans/").to_string();
        wa.click("#goal summary").await;
        wa.fill("#add-goal-title", "Pass the MLS exam").await;
        wa.fill("#add-goal-target_date", "2027-05-01").await;
        wa.click("#goal form[action$='/items/goal'] button").await;
        wa.wait_text("#list-goal", "Pass the MLS exam").await;
        wa.click("#action summary").await;
        wa.fill("#add-action-title", "Read the QC SOP").await;
        wa.fill("#add-action-due", "2027-01-20").await;
        wa.click("#action form[action$='/items/action'] button")
            .await;
        wa.wait_text("#list-action", "Read the QC SOP").await;
        let p = a.plan(&plan).unwrap();
        assert_eq!(p["goals"][0]["title"], "Pass the MLS exam");
        assert_eq!(p["actions"][0]["due"], "2027-01-20");
        wa.click("#meeting summary").await;
        wa.fill("#add-meeting-start", "2027-01-18 14:00").await;
        wa.fill("#add-meeting-location", "Chemistry lab office")
            .await;
        wa.click("#meeting form[action$='/items/meeting'] button")
            .await;
        wa.wait_text("#list-meeting", "Chemistry lab office").await;

        // A invites B; B pastes the ticket in its own browser and joins.
        wa.go(&app_a, &format!("{plan_path}/people")).await;
        wa.fill("#invite-name", "Ana").await;
        wa.click("form[action$='/invites'] button").await;
        let ticket = wa
            .find("#ticket-line")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(ticket.starts_with("TANDEM"), "{ticket}");
        wa.find(".qr svg").await;
        wa.screenshot("invite").await;
        wb.open(&b, "/join").await;
        wb.fill("#join-ticket", &ticket).await;
        wb.fill("#join-device", "home laptop").await;
        wb.click("form[action='/join'] button").await;
        wb.wait_text("h1", "Chemistry onboarding").await;
        assert_eq!(wb.path().await, plan_path);
        wb.screenshot("joined").await;

        // An edit in B's browser appears on A's open page without a reload.
        wa.go(&app_a, &plan_path).await;
        watching(&wa).await;
        wb.click("#action summary").await;
        wb.fill("#add-action-title", "Book the exam").await;
        wb.click("#action form[action$='/items/action'] button")
            .await;
        wb.wait_text("#list-action", "Book the exam").await;
        wa.wait_text("#list-action", "Book the exam").await;
        not_reloaded(&wa).await;
        wa.screenshot("plan").await;

        // A milestone checked on A shows on B's open goal page.
        let goal = a.plan(&plan).unwrap()["goals"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let goal_path = format!("{plan_path}/items/goal/{goal}");
        wb.go(&app_b, &goal_path).await;
        watching(&wb).await;
        wa.go(&app_a, &goal_path).await;
        wa.fill("#milestone-title", "Read chapter 1").await;
        wa.click("form[action$='/milestone'] button").await;
        wa.wait_text("#item-live", "Read chapter 1").await;
        wa.click("button.check").await;
        wa.find("button.check[aria-checked='true']").await;
        wb.wait_text("#item-live", "100%").await;
        wb.find("button.check[aria-checked='true']").await;
        not_reloaded(&wb).await;
        wa.screenshot("goal").await;

        // A competency signed off on A (a mentor's device) shows as verified on B.
        let c = a.id_of(&["competency", "add", "Chemistry analyzer", "--plan", &plan]);
        for e in 1..=6 {
            let e = e.to_string();
            a.json(&[
                "competency",
                "assess",
                &c,
                "-e",
                &e,
                "-r",
                "pass",
                "-a",
                "Dana",
                "-d",
                "2027-01-12",
                "--plan",
                &plan,
            ]);
        }
        let comp_path = format!("{plan_path}/items/competency/{c}");
        tandem_e2e::eventually("the competency reaches B", || {
            b.plan(&plan).is_some_and(|p| {
                p["competencies"][0]["assessments"]
                    .as_array()
                    .is_some_and(|a| a.len() == 6)
            })
        });
        wb.go(&app_b, &comp_path).await;
        watching(&wb).await;
        wa.go(&app_a, &comp_path).await;
        // The qualification is asked for, never guessed.
        wa.find("#signoff-qualification")
            .await
            .select_by_value("technical-supervisor")
            .await
            .expect("a qualification to choose");
        wa.click("form[action$='/signoff'] button").await;
        wa.wait_text("#item-live", "Verified").await;
        wb.wait_text(
            "#item-live",
            "Verified: signed by Dana, a mentor of this plan",
        )
        .await;
        not_reloaded(&wb).await;
        // The technician acknowledges it from their own browser and device.
        wb.click("form[action$='/acknowledge'] button").await;
        wa.wait_text(
            "#item-live",
            "Verified: acknowledged by Ana, the technician",
        )
        .await;
        wa.screenshot("competency").await;
        wa.go(&app_a, &format!("{plan_path}/record/{c}")).await;
        wa.screenshot("record").await;
        record_prints_with_its_header_on_every_page(&wa).await;
        wa.go(&app_a, &format!("{plan_path}/people")).await;
        wa.wait_text("#members-live", "Ana").await;
        wa.screenshot("people").await;
        wa.go(&app_a, "/matrix").await;
        wa.wait_text("table.matrix", "Chemistry analyzer").await;
        wa.screenshot("matrix").await;
        wa.go(&app_a, "/").await;
        wa.screenshot("home").await;
        wa.close().await;
        wb.close().await;
    });
}

/// Presses Tab until the focused element's HTML contains `want`.
/// Prints the record page open in `w` as Chromium would (Letter and A4),
/// and reads the PDF back: the laboratory, the person and "Page n of N"
/// on every page (CSS page-margin boxes).
async fn record_prints_with_its_header_on_every_page(w: &Browser) {
    let Some(_) = tandem_e2e::browser::tool("pdftotext", "Debian: apt-get install poppler-utils")
    else {
        return;
    };
    for (paper, width, height) in [("letter", 21.59, 27.94), ("a4", 21.0, 29.7)] {
        let config = fantoccini::wd::PrintConfiguration::builder()
            .size(fantoccini::wd::PrintSize { width, height })
            .build()
            .expect("a print configuration");
        let pdf = w.client.print(config).await.expect("the page prints");
        let dir = tandem_e2e::bin_dir().join("..").join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("record-printed-{paper}.pdf"));
        std::fs::write(&file, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", file.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let pages: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert!(!pages.is_empty(), "the {paper} print is empty");
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains("Laboratory not given")
                    && page.contains(&format!("Page {} of {}", i + 1, pages.len())),
                "{paper} page {}:\n{page}",
                i + 1
            );
        }
        // In reading order, lines joined: a sentence wrapped in its cell reads whole.
        let raw = std::process::Command::new("pdftotext")
            .args(["-raw", file.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let flat = String::from_utf8_lossy(&raw.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains("Verified: signed by Dana, a mentor of this plan")
                && flat.contains("Verified: acknowledged by Ana, the technician"),
            "{paper}:\n{text}"
        );
    }
}

async fn tab_to(w: &Browser, want: &str) {
    for _ in 0..80 {
        w.keys(TAB).await;
        if w.focused().await.contains(want) {
            return;
        }
    }
    panic!("Tab never reached {want:?}");
}

#[test]
fn the_main_flow_works_with_the_keyboard_alone() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let a = Home::new();
    browser::run(async {
        let w = driver.browser().await;
        w.open(&a, "/").await;
        // The first Tab reaches the skip link, which moves the focus to the content.
        w.keys(TAB).await;
        assert!(
            w.focused().await.contains("Skip to the content"),
            "{}",
            w.focused().await
        );
        w.keys(ENTER).await;
        // `n` opens the first form to add something (here: a plan), focused on its first field.
        w.client
            .execute("document.activeElement.blur()", vec![])
            .await
            .unwrap();
        w.find("body").await.send_keys("n").await.unwrap();
        assert!(
            w.focused().await.contains("new-plan-title"),
            "{}",
            w.focused().await
        );
        w.keys("Keyboard plan").await;
        w.keys(ENTER).await;
        w.wait_text("h1", "Keyboard plan").await;
        // On the plan: `n` opens "Add a goal"; Enter submits it.
        w.find("body").await.send_keys("n").await.unwrap();
        assert!(
            w.focused().await.contains("add-goal-title"),
            "{}",
            w.focused().await
        );
        w.keys("Learn the analyzer").await;
        w.keys(ENTER).await;
        w.wait_text("#list-goal", "Learn the analyzer").await;
        // Tab to "Add an action", open it with Enter, type, submit with Enter.
        tab_to(&w, "Add an action").await;
        w.keys(ENTER).await;
        w.keys(TAB).await;
        assert!(
            w.focused().await.contains("add-action-title"),
            "{}",
            w.focused().await
        );
        w.keys("Run the QC").await;
        w.keys(ENTER).await;
        w.wait_text("#list-action", "Run the QC").await;
        // Tab to its Done button and press it.
        tab_to(&w, "Mark done: Run the QC").await;
        w.keys(ENTER).await;
        w.wait_text("#list-action", "Done or dropped (1)").await;
        let plan = w.path().await.trim_start_matches("/plans/").to_string();
        let p = a.plan(&plan).unwrap();
        assert_eq!(p["goals"][0]["title"], "Learn the analyzer");
        assert_eq!(p["actions"][0]["status"], "done");
        w.close().await;
    });
}
