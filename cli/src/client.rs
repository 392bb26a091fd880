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
use crate::reply::Found;

/// How long to wait for a started daemon's socket.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for one reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to the daemon.
pub struct Client {
    stream: UnixStream,
    /// The socket, for errors.
    socket: PathBuf,
    /// Whether the daemon's answer to our hello has been read. A command's
    /// first request goes out right behind the hello, without waiting for
    /// that answer (it is read before the request's reply): one round trip
    /// fewer for every command.
    welcomed: bool,
}

fn unreachable(socket: &Path, e: impl std::fmt::Display) -> Fail {
    Fail::Unreachable(format!("cannot reach tandemd at {}: {e}", socket.display()))
}

impl Client {
    /// Connects to the daemon of `home`, starting it first if allowed.
    pub fn connect(home: &Path, autostart: bool) -> Result<Client, Fail> {
        let socket = paths::socket_path(home);
        match Client::open(&socket) {
            Ok(c) => Ok(c),
            Err(e) if !autostart => Err(Fail::Unreachable(format!(
                "tandemd is not running for home {} ({e}); start it with `tandem daemon start`",
                home.display()
            ))),
            Err(_) => {
                start_daemon(home)?;
                Client::open(&socket)
            }
        }
    }

    /// Connects and shakes hands, without starting anything.
    pub fn try_connect(socket: &Path) -> Result<Client, Fail> {
        let mut client = Client::open(socket)?;
        client.welcome()?;
        Ok(client)
    }

    /// Connects and says hello, without waiting for the answer.
    fn open(socket: &Path) -> Result<Client, Fail> {
        let stream = UnixStream::connect(socket).map_err(|e| unreachable(socket, e))?;
        stream
            .set_read_timeout(Some(REPLY_TIMEOUT))
            .map_err(|e| unreachable(socket, e))?;
        let mut client = Client {
            stream,
            socket: socket.to_path_buf(),
            welcomed: false,
        };
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: format!("tandem {}", env!("CARGO_PKG_VERSION")),
        };
        client.send(&hello).map_err(|e| unreachable(socket, e))?;
        Ok(client)
    }

    /// Reads the daemon's answer to our hello, once.
    fn welcome(&mut self) -> Result<(), Fail> {
        if self.welcomed {
            return Ok(());
        }
        match self.recv::<HandshakeReply>() {
            Ok(HandshakeReply::Welcome(_)) => {
                self.welcomed = true;
                Ok(())
            }
            Ok(HandshakeReply::Error(e)) => Err(Fail::Unreachable(e.message)),
            Err(e) => Err(unreachable(&self.socket, e)),
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
            Err(e) => Err(Fail::Unreachable(format!(
                "lost the connection to tandemd: {e}"
            ))),
        }
    }

    /// Sends a request, then reads the answer to our hello if it is still
    /// due: a refused hello (another protocol version) is the error to
    /// report, also when the daemon closed before the request arrived.
    fn send_request(&mut self, request: Request) -> Result<(), Fail> {
        let sent = self.send(&request);
        self.welcome()?;
        sent.map_err(|e| match e.downcast::<frame::FrameError>() {
            Ok(fe) => Fail::Usage(format!("request refused before sending: {fe}")),
            Err(e) => Fail::Unreachable(format!("lost the connection to tandemd: {e}")),
        })
    }

    /// Sends one request and hands `with` the value at `path` in its reply
    /// (`["plans"]`, or `["plan", "goals"]` for one list of the plan) as
    /// the daemon wrote it, unparsed and borrowed from the frame: for
    /// `--json` output that passes it on without decoding it into types and
    /// encoding it again. The reply is read once ([`crate::reply`]). An
    /// error reply becomes a [`Fail`], and so does a reply without the path.
    pub fn call_raw<C: Call, T>(
        &mut self,
        request: C,
        path: &[&str],
        with: impl FnOnce(&serde_json::value::RawValue) -> Result<T, Fail>,
    ) -> Result<T, Fail> {
        self.send_request(request.into())?;
        let lost = |e: &dyn std::fmt::Display| {
            Fail::Unreachable(format!("lost the connection to tandemd: {e}"))
        };
        let body = self.recv_body().map_err(|e| lost(&e))?;
        match crate::reply::find(&body, path).map_err(|e| lost(&e))? {
            Found::Value(value) => with(value),
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
            Err(e) => {
                return Err(Fail::Unreachable(format!(
                    "lost the connection to tandemd: {e}"
                )));
            }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::time::Duration;

    use tandem_proto::api::{HandshakeReply, PlanList, Response, Welcome};
    use tandem_proto::{ApiError, ErrorCode, PROTOCOL_VERSION, frame};

    use super::Client;
    use crate::fail::Fail;

    fn read_frame(s: &mut UnixStream) -> serde_json::Value {
        let mut header = [0u8; frame::HEADER_LEN];
        s.read_exact(&mut header).unwrap();
        let mut body = vec![0u8; frame::body_len(header, frame::MAX_REQUEST).unwrap()];
        s.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn write_frame<T: serde::Serialize>(s: &mut UnixStream, msg: &T) {
        s.write_all(&frame::encode(msg, frame::MAX_RESPONSE).unwrap())
            .unwrap();
    }

    /// A daemon played by `serve` on a socket in a fresh directory.
    fn fake_daemon(
        serve: impl FnOnce(UnixStream) + Send + 'static,
    ) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tandemd.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            serve(stream);
        });
        (dir, socket)
    }

    /// The first request goes out behind the hello: this daemon reads both
    /// before it answers either, which would leave a client that waited
    /// for the welcome first stuck (and this daemon's read timing out).
    #[test]
    fn the_first_request_does_not_wait_for_the_welcome() {
        let (_dir, socket) = fake_daemon(|mut s| {
            assert_eq!(read_frame(&mut s)["protocol"], PROTOCOL_VERSION);
            assert_eq!(read_frame(&mut s), "plan_list");
            let welcome = Welcome {
                protocol: PROTOCOL_VERSION,
                daemon_version: "test".into(),
            };
            write_frame(&mut s, &HandshakeReply::Welcome(welcome));
            write_frame(&mut s, &Response::Plans(Vec::new().into()));
        });
        let mut client = Client::open(&socket).unwrap();
        assert!(client.call(PlanList).unwrap().is_empty());
    }

    /// A daemon that refuses the hello and hangs up without reading the
    /// request that followed it: its reason is what the command reports.
    #[test]
    fn a_refused_hello_is_reported_though_a_request_followed_it() {
        let (_dir, socket) = fake_daemon(|mut s| {
            read_frame(&mut s);
            let refusal = ApiError::new(ErrorCode::VersionMismatch, "speaks another version");
            write_frame(&mut s, &HandshakeReply::Error(refusal));
        });
        let mut client = Client::open(&socket).unwrap();
        // The daemon may be gone before the request is written.
        std::thread::sleep(Duration::from_millis(50));
        match client.call(PlanList) {
            Err(Fail::Unreachable(m)) => assert_eq!(m, "speaks another version"),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
