//! Helpers for Tandem's end-to-end tests: real `tandemd` processes in
//! temporary homes, driven through the real `tandem` binary.
//!
//! # Finding the binaries
//!
//! `CARGO_BIN_EXE_*` is only set for tests of the package that owns a
//! binary, so this crate looks next to its own test executable
//! (`target/<profile>/deps/..`), where cargo puts the workspace's binaries.
//! `cargo test --workspace` builds them before any test runs (the daemon
//! and CLI packages have integration tests of their own, which makes cargo
//! build their binaries). Set `TANDEM_BIN_DIR` to test other builds.
//!
//! The `bench` binary (src/bin/bench.rs) uses the same helpers against
//! release builds; see BENCHMARKS.md. [`hostile`] is a stranger's libp2p
//! client, for the hardening tests and the flood benchmark.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed step should fail the test loudly

pub mod browser;
pub mod hostile;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tandem_proto::paths;

/// The directory [`use_bin_dir`] chose, if any.
static CHOSEN_BIN_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Runs `tandem` and `tandemd` from `dir` from now on (the bench's copies
/// of them, made as `cargo install` makes them). Only the first call counts.
pub fn use_bin_dir(dir: PathBuf) {
    let _ = CHOSEN_BIN_DIR.set(dir);
}

/// The directory holding `tandem` and `tandemd`.
pub fn bin_dir() -> PathBuf {
    if let Some(d) = CHOSEN_BIN_DIR.get() {
        return d.clone();
    }
    if let Some(d) = std::env::var_os("TANDEM_BIN_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("current exe");
    // A test runs from target/<profile>/deps, the bench binary from target/<profile>.
    let here = exe.parent().expect("exe dir");
    let dir = if here.ends_with("deps") {
        here.parent().expect("target dir")
    } else {
        here
    }
    .to_path_buf();
    for name in ["tandem", "tandemd"] {
        assert!(
            dir.join(name).is_file(),
            "{} not found in {}: run the tests with `cargo test --workspace` (or build the binaries first)",
            name,
            dir.display()
        );
    }
    dir
}

/// One temporary Tandem home.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    /// A fresh, empty home.
    pub fn new() -> Home {
        // Short paths: a Unix socket path must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("tdm")
            .tempdir_in("/tmp")
            .expect("tempdir");
        Home { dir }
    }

    /// The home directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The socket path.
    pub fn socket(&self) -> PathBuf {
        paths::socket_path(self.path())
    }

    /// A `tandem` command for this home, with a scrubbed environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin_dir().join("tandem"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TANDEM_HOME", self.path())
            .env("TANDEM_USER", "tester")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            // Tests talk to peers on loopback only, and never multicast.
            .env("TANDEM_NO_MDNS", "1")
            .env("TANDEM_LISTEN", "/ip4/127.0.0.1/tcp/0")
            // Each daemon its own app port, so parallel tests never share one.
            .env("TANDEM_UI_PORT", "0")
            .stdin(Stdio::null());
        c
    }

    /// The app's address (`127.0.0.1:PORT`) of this home's daemon (started if needed).
    pub fn app(&self) -> String {
        let st = self.json(&["status"]);
        let url = st["ui"].as_str().expect("the daemon serves the app");
        url.trim_start_matches("http://").to_string()
    }

    /// A one-time login path (`/login?t=...`) from `tandem ui`.
    pub fn login_path(&self) -> String {
        let v = self.json(&["ui"]);
        let url = v["url"].as_str().expect("url");
        url[url.find("/login").expect("login path")..].to_string()
    }

    /// Runs `tandem --json ARGS` and returns the `id` of what it made
    /// (`plan new`, `goal add`, `competency add`, ...).
    pub fn id_of(&self, args: &[&str]) -> String {
        let v = self.json(args);
        v["id"]
            .as_str()
            .unwrap_or_else(|| panic!("tandem {args:?} gave no id: {v}"))
            .to_string()
    }

    /// Signs in to the app with a fresh login link: the session's
    /// `name=value` for a Cookie header, and the whole Set-Cookie header.
    pub fn app_session(&self) -> (String, String) {
        let app = self.app();
        let (status, head, _) = http(&app, "GET", &self.login_path(), &app, &[], "");
        assert_eq!(status, 303, "{head}");
        let set = head
            .lines()
            .find_map(|l| {
                l.strip_prefix("set-cookie: ")
                    .or_else(|| l.strip_prefix("Set-Cookie: "))
            })
            .expect("a session cookie")
            .to_string();
        let pair = set.split(';').next().unwrap_or_default().to_string();
        (pair, set)
    }

    /// Runs `tandem` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run tandem")
    }

    /// Runs `tandem`, expects success, and returns what it printed.
    pub fn text(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tandem {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `tandem` with `stdin` as input.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    /// Runs `tandem ARGS --json`, asserts success, and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "tandem {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "tandem {args:?}: bad JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Runs `tandem`, asserts it fails with `code`, and returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "tandem {args:?}: expected exit {code}, stderr: {err}"
        );
        err
    }

    /// Starts `tandemd` in the foreground of a child process and waits until it answers.
    pub fn start_daemon(&self) -> Daemon {
        let child = self
            .daemon_cmd()
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn tandemd");
        wait_for_socket(&self.socket());
        Daemon { child }
    }

    /// A `tandemd` command for this home.
    pub fn daemon_cmd(&self) -> Command {
        self.daemon_cmd_in(None)
    }

    /// A `tandemd` command for this home, run inside network namespace
    /// `netns` when given (`ip netns exec`).
    pub fn daemon_cmd_in(&self, netns: Option<&str>) -> Command {
        let mut c = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(bin_dir().join("tandemd"));
                c
            }
            None => Command::new(bin_dir().join("tandemd")),
        };
        c.arg("--home")
            .arg(self.path())
            .env("TANDEM_UI_PORT", "0")
            .env("RUST_LOG", "info")
            .env("TANDEM_CONFIG", self.path().join("config.toml"))
            .env("TANDEM_NO_MDNS", "1")
            .env("TANDEM_LISTEN", "/ip4/127.0.0.1/tcp/0")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        c
    }

    /// This home's PeerId (`tandem device show`).
    pub fn peer_id(&self) -> String {
        self.json(&["device", "show"])["peer_id"]
            .as_str()
            .expect("peer id")
            .to_string()
    }

    /// A multiaddr another daemon can dial this one at (`tandem status`).
    /// Waits (bounded) for the daemon's listener, which comes up just after its socket.
    pub fn dial_addr(&self) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let st = self.json(&["status"]);
            if let Some(listen) = st["listen"][0].as_str() {
                let peer = st["peer_id"].as_str().expect("peer id");
                return format!("{listen}/p2p/{peer}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the daemon never listened: {st}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Creates a plan here, shares it with `other` as its mentee (which
    /// accepts it ahead, as its user would), and returns the plan id.
    pub fn share_new_plan(&self, title: &str, other: &Home) -> String {
        let id = self.json(&["plan", "new", title])["id"]
            .as_str()
            .expect("plan id")
            .to_string();
        self.add_member(other, "Ana", "mentee", &id);
        id
    }

    /// Adds `other` to plan `id` here with `name` and `role`; `other`
    /// accepts the plan ahead of its arrival (consent, as a join would give).
    pub fn add_member(&self, other: &Home, name: &str, role: &str, id: &str) {
        self.json(&[
            "member",
            "add",
            &other.peer_id(),
            "--name",
            name,
            "--role",
            role,
            "--plan",
            id,
        ]);
        other.json(&["plan", "accept", id]);
    }

    /// Starts tandemd on this home and returns (exit code, stderr) if it
    /// stops by itself within 10 s; `None` once it serves (it is left
    /// running: stop it with `daemon stop`).
    pub fn start_or_refuse(&self) -> Option<(Option<i32>, String)> {
        let mut child = self.daemon_cmd().stderr(Stdio::piped()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return Some((status.code(), err));
            }
            if UnixStream::connect(self.socket()).is_ok() {
                // Serving: hand it over to the CLI's stop.
                std::mem::forget(child);
                return None;
            }
            assert!(
                Instant::now() < deadline,
                "tandemd neither served nor stopped"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The pid of the running daemon, from its lock file (works while it is busy).
    pub fn daemon_pid_any(&self) -> u32 {
        let text = std::fs::read_to_string(self.path().join("tandemd.lock")).expect("lock file");
        text.trim().parse().expect("pid in lock file")
    }

    /// The pid of the daemon serving this home (from `tandem daemon status`).
    pub fn daemon_pid(&self) -> u32 {
        let v = self.json(&["daemon", "status", "--no-autostart"]);
        v["pid"].as_u64().expect("pid") as u32
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        // Stop whatever daemon still serves this home, so none outlives the test.
        if let Ok(out) = self.cmd(&["daemon", "stop"]).output()
            && !out.status.success()
        {
            eprintln!("daemon stop: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// Waits (bounded, 30 s) until `check` holds: sync is asynchronous.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Home {
    /// What this daemon's `status` says of `peer`, if it knows it.
    pub fn peer_info(&self, peer: &str) -> Option<Value> {
        let st = self.json(&["status"]);
        st["peers"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["peer"] == peer).cloned())
    }

    /// Whether a connection to `peer` is up.
    pub fn connected_to(&self, peer: &str) -> bool {
        self.peer_info(peer).is_some_and(|p| p["connected"] == true)
    }

    /// Sync payload bytes (sent, received) exchanged with `peer` since the daemon started.
    pub fn sync_bytes(&self, peer: &str) -> (u64, u64) {
        let p = self
            .peer_info(peer)
            .unwrap_or_else(|| panic!("{peer} is not among this daemon's peers"));
        let n = |k: &str| p[k].as_u64().expect("a byte count");
        (n("sync_sent"), n("sync_received"))
    }

    /// A plan as `plan show --json` prints it, or `None` when it is not here.
    pub fn plan(&self, id: &str) -> Option<Value> {
        let out = self.run(&["plan", "show", id, "--json"]);
        out.status
            .success()
            .then(|| serde_json::from_slice(&out.stdout).expect("plan JSON"))
    }
}

/// Waits until a daemon accepts connections on `socket`.
pub fn wait_for_socket(socket: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while UnixStream::connect(socket).is_err() {
        assert!(
            Instant::now() < deadline,
            "tandemd did not come up on {}",
            socket.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A daemon started by a test.
pub struct Daemon {
    /// The process.
    pub child: Child,
}

impl Daemon {
    /// Sends SIGKILL and reaps the process.
    pub fn kill9(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends SIGKILL to a pid.
pub fn kill9_pid(pid: u32) {
    let status = Command::new("kill")
        .arg("-9")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{pid}")).exists() {
        // A zombie whose parent (an exited CLI) is gone gets reaped by init.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.contains(") Z ") {
            break;
        }
        assert!(Instant::now() < deadline, "pid {pid} did not die");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A raw socket connection, for feeding the daemon bad bytes.
pub struct Raw {
    /// The stream.
    pub stream: UnixStream,
}

impl Raw {
    /// Connects without a handshake.
    pub fn connect(socket: &Path) -> Raw {
        let stream = UnixStream::connect(socket).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        Raw { stream }
    }

    /// Connects and completes the handshake.
    pub fn hello(socket: &Path) -> Raw {
        let mut raw = Raw::connect(socket);
        raw.send_json(
            &serde_json::json!({ "protocol": tandem_proto::PROTOCOL_VERSION, "client": "e2e" }),
        );
        let reply = raw.recv().expect("welcome");
        assert!(reply.get("welcome").is_some(), "handshake refused: {reply}");
        raw
    }

    /// Sends raw bytes.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Sends a frame with this body.
    pub fn send_frame(&mut self, body: &[u8]) {
        let mut f = (body.len() as u32).to_be_bytes().to_vec();
        f.extend_from_slice(body);
        self.send_bytes(&f);
    }

    /// Sends a JSON frame.
    pub fn send_json(&mut self, v: &Value) {
        self.send_frame(&serde_json::to_vec(v).expect("json"));
    }

    /// Reads one frame as JSON; `None` when the daemon closed the connection.
    pub fn recv(&mut self) -> Option<Value> {
        let mut header = [0u8; 4];
        self.stream.read_exact(&mut header).ok()?;
        let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
        self.stream.read_exact(&mut body).ok()?;
        Some(serde_json::from_slice(&body).expect("reply is JSON"))
    }
}

impl Home {
    /// Starts `tandemd` with extra environment (e.g. `TANDEM_LISTEN=none`,
    /// `TANDEM_RELAYS`) and waits until it answers.
    pub fn start_daemon_with(&self, env: &[(&str, &str)]) -> Daemon {
        self.start_daemon_in(None, env)
    }

    /// Like [`Home::start_daemon_with`], inside network namespace `netns`.
    pub fn start_daemon_in(&self, netns: Option<&str>, env: &[(&str, &str)]) -> Daemon {
        let mut cmd = self.daemon_cmd_in(netns);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.stderr(Stdio::null()).spawn().expect("spawn tandemd");
        wait_for_socket(&self.socket());
        Daemon { child }
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; good enough for tests).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A relay (`tandemd --relay`) on a fixed loopback port, so a restart keeps its address.
pub struct Relay {
    home: Home,
    child: Option<Child>,
    netns: Option<String>,
    listen: String,
    /// Its address, ending in `/p2p/<relay-id>`.
    pub addr: String,
}

impl Relay {
    /// Starts a relay and waits until it announces its address.
    pub fn start() -> Relay {
        let listen = format!("/ip4/127.0.0.1/tcp/{}", free_port());
        Relay::start_in(None, &listen)
    }

    /// Starts a relay listening on `listen` (comma-separated multiaddrs),
    /// inside network namespace `netns` when given.
    pub fn start_in(netns: Option<&str>, listen: &str) -> Relay {
        let mut r = Relay {
            home: Home::new(),
            child: None,
            netns: netns.map(String::from),
            listen: listen.to_string(),
            addr: String::new(),
        };
        r.spawn();
        r
    }

    fn spawn(&mut self) {
        use std::io::BufRead;
        let mut child = self
            .home
            .daemon_cmd_in(self.netns.as_deref())
            .arg("--relay")
            .env("TANDEM_LISTEN", &self.listen)
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn relay");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(addr) = line.strip_prefix("tandem relay ready at ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        self.addr = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the relay never said it was ready");
        self.child = Some(child);
    }

    /// Stops the relay (SIGKILL) and starts it again on the same port, with the same key.
    pub fn restart(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.spawn();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// One HTTP/1.1 exchange with the app at `authority`: `(status, headers,
/// body)`. `host` is sent as the Host header (the app's own unless a test
/// tries another); `extra` are more header lines.
pub fn http(
    authority: &str,
    method: &str,
    path: &str,
    host: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(authority).expect("connect to the app");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in extra {
        req += &format!("{k}: {v}\r\n");
    }
    if !body.is_empty() || method == "POST" {
        req += &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    req += "\r\n";
    req += body;
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    // Bodies come whole (Content-Length) or chunked; undo the chunking.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n {
                break;
            }
            out += &tail[..n];
            rest = tail[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        rest.to_string()
    };
    (status, head.to_string(), body)
}
