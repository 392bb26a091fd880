//! Talking to the daemon: connect, handshake, one request at a time, and
//! starting the daemon when it is not running.
//!
//! Blocking std IO on purpose: a CLI invocation makes one or two requests,
//! and starting no async runtime keeps each call fast.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tandem_proto::api::{Call, HandshakeReply, Hello, Request, Response};
use tandem_proto::{PROTOCOL_VERSION, frame, paths};

use crate::fail::Fail;
use crate::reply::{Found, PassOn, Stop};

/// How long to wait for a started daemon's socket.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for one reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to the daemon.
pub struct Client {
    stream: UnixStream,
}

fn unreachable(socket: &Path, e: impl std::fmt::Display) -> Fail {
    Fail::Unreachable(format!("cannot reach tandemd at {}: {e}", socket.display()))
}

impl Client {
    /// Connects to the daemon of `home`, starting it first if allowed.
    pub fn connect(home: &Path, autostart: bool) -> Result<Client, Fail> {
        let socket = paths::socket_path(home);
        match Client::try_connect(&socket) {
            Ok(c) => Ok(c),
            Err(e) if !autostart => Err(Fail::Unreachable(format!(
                "tandemd is not running for home {} ({e}); start it with `tandem daemon start`",
                home.display()
            ))),
            Err(_) => {
                start_daemon(home)?;
                Client::try_connect(&socket)
            }
        }
    }

    /// Connects and shakes hands, without starting anything.
    pub fn try_connect(socket: &Path) -> Result<Client, Fail> {
        let stream = UnixStream::connect(socket).map_err(|e| unreachable(socket, e))?;
        stream
            .set_read_timeout(Some(REPLY_TIMEOUT))
            .map_err(|e| unreachable(socket, e))?;
        let mut client = Client { stream };
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: format!("tandem {}", env!("CARGO_PKG_VERSION")),
        };
        client.send(&hello).map_err(|e| unreachable(socket, e))?;
        match client
            .recv::<HandshakeReply>()
            .map_err(|e| unreachable(socket, e))?
        {
            HandshakeReply::Welcome(_) => Ok(client),
            HandshakeReply::Error(e) => Err(Fail::Unreachable(e.message)),
        }
    }

    fn send<T: serde::Serialize>(&mut self, msg: &T) -> std::io::Result<()> {
        let bytes = frame::encode(msg, frame::MAX_REQUEST).map_err(std::io::Error::other)?;
        self.stream.write_all(&bytes)
    }

    fn recv<T: serde::de::DeserializeOwned>(&mut self) -> std::io::Result<T> {
        let body = self.recv_body()?;
        frame::decode(&body).map_err(std::io::Error::other)
    }

    /// The body of the next frame, as it came.
    fn recv_body(&mut self) -> std::io::Result<Vec<u8>> {
        let mut header = [0u8; frame::HEADER_LEN];
        self.stream.read_exact(&mut header)?;
        let len = frame::body_len(header, frame::MAX_RESPONSE).map_err(std::io::Error::other)?;
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body)?;
        Ok(body)
    }

    /// Reads the next frame of a stream (`tandem watch`), waiting as long as it takes.
    pub fn next(&mut self) -> Result<Response, Fail> {
        let _ = self.stream.set_read_timeout(None);
        match self.recv::<Response>() {
            Ok(Response::Error(e)) => Err(e.into()),
            Ok(r) => Ok(r),
            Err(e) => Err(lost(e)),
        }
    }

    fn send_request(&mut self, request: Request) -> Result<(), Fail> {
        self.send(&request)
            .map_err(|e| match e.downcast::<frame::FrameError>() {
                Ok(fe) => Fail::Usage(format!("request refused before sending: {fe}")),
                Err(e) => lost(e),
            })
    }

    /// Sends one request and writes the value at `path` in its reply
    /// (`["plans"]`, or `["plan", "goals"]` for one list of the plan) to
    /// `out`, laid out, as the daemon wrote it: for `--json` output, which
    /// passes it on without decoding it into types and encoding it again.
    /// The reply is read in pieces as it arrives ([`crate::reply`]). An
    /// error reply becomes a [`Fail`], and so does a reply without the
    /// path; neither writes anything.
    pub fn call_passed_on<C: Call>(
        &mut self,
        request: C,
        path: &[&str],
        out: impl std::io::Write,
    ) -> Result<(), Fail> {
        self.send_request(request.into())?;
        let mut header = [0u8; frame::HEADER_LEN];
        self.stream.read_exact(&mut header).map_err(lost)?;
        let mut left = frame::body_len(header, frame::MAX_RESPONSE).map_err(lost)?;
        let mut reply = PassOn::new(path, out);
        let mut piece = vec![0u8; PIECE.min(left)];
        while left > 0 {
            let want = piece.len().min(left);
            let n = match self.stream.read(&mut piece[..want]) {
                Ok(0) => return Err(lost("the reply was cut short")),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(lost(e)),
            };
            left -= n;
            reply.feed(&piece[..n]).map_err(stopped)?;
        }
        match reply.finish().map_err(stopped)? {
            Found::Passed => Ok(()),
            Found::Error(e) => Err(e.into()),
            Found::Missing(key) => Err(Fail::Other(format!(
                "tandemd answered a {} request without {} (it sent {key}); are tandem and tandemd the same build?",
                C::WHAT,
                path.join(".")
            ))),
        }
    }

    /// Sends one request and returns its reply; an error reply becomes a
    /// [`Fail`], and so does a reply of another kind than the request gets.
    pub fn call<C: Call>(&mut self, request: C) -> Result<C::Reply, Fail> {
        self.send_request(request.into())?;
        let response = match self.recv::<Response>() {
            Ok(Response::Error(e)) => return Err(e.into()),
            Ok(r) => r,
            Err(e) => return Err(lost(e)),
        };
        C::reply(response).map_err(|other| {
            Fail::Other(format!(
                "tandemd answered a {} request with {other:?}; are tandem and tandemd the same build?",
                C::WHAT
            ))
        })
    }
}

/// The `tandemd` to run: `$TANDEMD` if set, else the one installed beside
/// this `tandem` (`cargo install --path cli` installs both), so the daemon
/// is the same build as the CLI that starts it.
pub fn daemon_binary() -> Result<PathBuf, Fail> {
    if let Some(bin) = std::env::var_os("TANDEMD").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let me = std::env::current_exe()
        .map_err(|e| Fail::Unreachable(format!("cannot find own executable: {e}")))?;
    let bin = me.with_file_name("tandemd");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(Fail::Unreachable(format!(
            "cannot start the daemon: no tandemd beside {} (install both with `cargo install --path cli`, or set TANDEMD to a tandemd binary)",
            me.display()
        )))
    }
}

/// The command that starts the daemon for `home` in the background.
fn daemon_command(home: &Path) -> Result<Command, Fail> {
    let mut cmd = Command::new(daemon_binary()?);
    cmd.arg("--background").arg("--home").arg(home);
    // The daemon must not inherit a plan choice or autostart switch meant for this command.
    cmd.env_remove("TANDEM_PLAN");
    Ok(cmd)
}

/// Starts `tandemd` for `home` in the background and waits until its socket answers.
pub fn start_daemon(home: &Path) -> Result<(), Fail> {
    // The daemon's stderr goes to its log, which outlives this process.
    let log_path = paths::log_path(home);
    let log = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(home)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&log_path)
        })
        .map_err(|e| Fail::Unreachable(format!("cannot prepare home {}: {e}", home.display())))?;
    let mut child = daemon_command(home)?
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0) // not killed by the terminal's Ctrl-C
        .spawn()
        .map_err(|e| Fail::Unreachable(format!("cannot start tandemd: {e}")))?;
    let socket = paths::socket_path(home);
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            // Lost a race with another starter: that daemon serves us just as well.
            if Client::try_connect(&socket).is_ok() {
                return Ok(());
            }
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let last = log.lines().last().unwrap_or("").trim();
            let last = last
                .strip_prefix("tandem: ")
                .or_else(|| last.strip_prefix("tandemd: "))
                .unwrap_or(last)
                .to_string();
            return Err(Fail::Unreachable(format!(
                "tandemd exited ({status}): {last}"
            )));
        }
        if UnixStream::connect(&socket).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Fail::Unreachable(format!(
                "tandemd did not answer on {} within {}s; see {}",
                socket.display(),
                START_TIMEOUT.as_secs(),
                paths::log_path(home).display()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The connection broke, or what came over it cannot be read.
fn lost(e: impl std::fmt::Display) -> Fail {
    Fail::Unreachable(format!("lost the connection to tandemd: {e}"))
}

/// How much of a reply passed on is read from the socket at once.
const PIECE: usize = 64 * 1024;

/// A reply passed on that stopped: not JSON, or the output closed.
fn stopped(stop: Stop) -> Fail {
    match stop {
        Stop::NotJson(e) => lost(e),
        Stop::Write(e) => Fail::output(e),
    }
}
