//! A real headless Chromium for the app's browser tests and benchmarks,
//! driven over WebDriver (fantoccini) through `chromedriver` (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs as root).
//!
//! Without them a test is skipped with a message, except under `CI=true`,
//! where a missing browser is a failure: CI never passes a browser test it
//! did not run. Screenshots go to `target/screenshots/`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::Home;

/// The chromedriver process, stopped on drop.
pub struct Driver {
    child: Child,
    /// Its WebDriver address.
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The program `name` on the PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join(name))
        .find(|p| p.is_file())
}

/// The program `name` a test needs; `None` (with the reason printed) when
/// it is missing and this is not CI; under `CI=true` a missing tool fails
/// the test. `install` says how to get it.
pub fn tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = which(name);
    if found.is_none() {
        let msg = format!("{name} is not installed ({install})");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI: this test needs {msg}");
        }
        eprintln!("skipped: {msg}");
    }
    found
}

/// The browser binary.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| which(n))
}

impl Driver {
    /// Starts chromedriver; `None` (with the reason printed) when Chromium
    /// or chromedriver is missing and this is not CI.
    pub fn start() -> Option<Driver> {
        let missing = match (chromium(), which("chromedriver")) {
            (Some(_), Some(_)) => None,
            (None, _) => Some("chromium"),
            (_, None) => Some("chromedriver"),
        };
        if let Some(what) = missing {
            let msg = format!(
                "{what} is not installed (Debian: apt-get install chromium chromium-driver)"
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI: the browser tests need {msg}");
            }
            eprintln!("skipped: {msg}");
            return None;
        }
        let port = crate::free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Driver { child, url })
    }

    /// A new browser (its own profile: its own cookies).
    pub async fn browser(&self) -> Browser {
        let mut caps = serde_json::Map::new();
        let binary = chromium().expect("chromium");
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1100,1400", "--no-first-run", "--disable-extensions"],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a browser session");
        Browser { client }
    }
}

/// One browser window.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
}

/// How long a step waits for what it expects.
pub const PATIENCE: Duration = Duration::from_secs(20);

impl Browser {
    /// Signs in to `home`'s app (a fresh `tandem ui` link) and opens `path`.
    pub async fn open(&self, home: &Home, path: &str) {
        let app = home.app();
        let login = home.login_path();
        let next: String = path
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.client
            .goto(&format!("http://{app}{login}&next={next}"))
            .await
            .expect("the app opens");
    }

    /// Goes to `path` of the app at `app`.
    pub async fn go(&self, app: &str, path: &str) {
        self.client
            .goto(&format!("http://{app}{path}"))
            .await
            .expect("goto");
    }

    /// Types `text` into the field `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Clicks `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Waits for `css` and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
    }

    /// The text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until the text of `css` contains `want`; the time it took.
    pub async fn wait_text(&self, css: &str, want: &str) -> Duration {
        let start = Instant::now();
        loop {
            // The page may be between two loads, or its live part swapped:
            // an element gone stale is looked up again.
            let now = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if now.contains(want) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{css} never showed {want:?}; it shows {now:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the page's live stream (`/events`) is open.
    pub async fn wait_live(&self) {
        let start = Instant::now();
        loop {
            let ready = self
                .client
                .execute("return document.body.dataset.liveReady || ''", vec![])
                .await
                .expect("script");
            if ready == "1" {
                return;
            }
            assert!(start.elapsed() < PATIENCE, "the live stream never opened");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Presses keys on whatever has the focus.
    pub async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(keys)
            .await
            .expect("keys");
    }

    /// The focused element's outer HTML (for keyboard tests).
    pub async fn focused(&self) -> String {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .html(false)
            .await
            .expect("html")
    }

    /// The current path.
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_string()
    }

    /// Saves a screenshot as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = crate::bin_dir().join("..").join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Runs a browser test's body on a runtime of its own.
pub fn run<F: std::future::Future<Output = ()>>(f: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f);
}
