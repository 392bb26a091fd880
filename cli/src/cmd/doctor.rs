//! `tandem doctor`: checks this device's connectivity and set-up, and says
//! in plain words what is wrong and what to do about it.
//!
//! What the daemon knows (listeners, AutoNAT's verdict, relay reservations,
//! every member device's link and last error) comes from `status`; file
//! permissions are checked here. Exit code 1 when any check fails.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde::Serialize;
use tandem_proto::api::{DaemonStatus, Link, Nat};
use tandem_proto::ids::PeerId;

use super::Ctx;
use super::peer::short_peer;
use super::status::{daemon_status, nat_words};
use crate::fail::Fail;
use crate::people::People;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Ok,
    Info,
    Warn,
    Fail,
}

/// One finding.
#[derive(Debug, Serialize)]
struct Check {
    check: String,
    status: Level,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

fn check(name: &str, status: Level, detail: impl Into<String>, fix: Option<&str>) -> Check {
    Check {
        check: name.to_string(),
        status,
        detail: detail.into(),
        fix: fix.map(str::to_string),
    }
}

fn is_loopback(a: &str) -> bool {
    a.starts_with("/ip4/127.") || a.starts_with("/ip6/::1/")
}

/// Listeners: bound, reachable beyond this machine, failures.
fn listening(st: &DaemonStatus, out: &mut Vec<Check>) {
    let direct: Vec<&String> = st
        .listen
        .iter()
        .filter(|a| !a.contains("/p2p-circuit"))
        .collect();
    for e in &st.listen_errors {
        out.push(check(
            "listen",
            Level::Fail,
            format!("a listen address failed: {e}"),
            Some("pick a free port or an address of this machine: `listen` in the config file, --listen or TANDEM_LISTEN"),
        ));
    }
    if direct.is_empty() {
        out.push(check(
            "listen",
            if st.relays.is_empty() { Level::Fail } else { Level::Info },
            "no direct listener: other devices can reach this one only through a relay",
            st.relays.is_empty().then_some("add a relay (`relays` in the config, --use-relay, or a ticket that has one), or listen on an address"),
        ));
    } else if direct.iter().all(|a| is_loopback(a)) {
        out.push(check(
            "listen",
            Level::Warn,
            format!("listening on loopback only ({}): no other machine can dial this one", direct.len()),
            Some("listen on a LAN or public address, e.g. `listen = [\"/ip4/0.0.0.0/tcp/4455\"]`, or use a relay"),
        ));
    } else {
        let shown: Vec<&str> = direct.iter().map(|a| a.as_str()).collect();
        out.push(check(
            "listen",
            Level::Ok,
            format!("listening on {}", shown.join(", ")),
            None,
        ));
    }
}

/// NAT status and relay reservations.
fn reachability(st: &DaemonStatus, out: &mut Vec<Check>) {
    let reserved = st.relays.iter().filter(|r| r.reserved).count();
    let (level, fix) = match (st.nat, reserved) {
        (Nat::Public, _) => (Level::Ok, None),
        (Nat::Private, 0) => (
            Level::Fail,
            Some(
                "members outside this network cannot reach this device: add a relay (`relays` in the config, or --use-relay)",
            ),
        ),
        (Nat::Private, _) => (Level::Ok, None),
        (Nat::Unknown, _) => (Level::Info, None),
    };
    out.push(check("nat", level, nat_words(st.nat), fix));
    for r in &st.relays {
        if r.reserved {
            out.push(check(
                "relay",
                Level::Ok,
                format!(
                    "reservation held on {}; reachable at {}",
                    r.addr,
                    r.circuit_addrs.join(", ")
                ),
                None,
            ));
        } else {
            let why = match (&r.last_error, r.last_error_at) {
                (Some(e), Some(at)) => {
                    format!(": {e} (at {})", at.strftime("%Y-%m-%d %H:%M:%S UTC"))
                }
                (Some(e), None) => format!(": {e}"),
                _ => " yet".into(),
            };
            out.push(check(
                "relay",
                Level::Warn,
                format!("no reservation on {}{why}", r.addr),
                Some("check that the relay host is up (tandemd --relay), that its port is open, and that the address ends in the relay's /p2p/ PeerId"),
            ));
        }
    }
}

/// Every member device: direct, relayed, or unreachable, with the last error.
fn members(st: &DaemonStatus, people: &People, out: &mut Vec<Check>) {
    if st.member_devices.is_empty() {
        out.push(check(
            "members",
            Level::Info,
            "no plan here is shared with another device yet",
            None,
        ));
    }
    for m in &st.member_devices {
        let name = people.name(m);
        match st.peers.iter().find(|p| &p.peer == m) {
            Some(p) if p.connected => {
                let how = match (p.link, &p.relay) {
                    (Some(Link::Relayed), Some(r)) => format!("connected through relay {}", short_peer(r)),
                    (Some(Link::Relayed), None) => "connected through a relay".to_string(),
                    (Some(Link::Direct) | None, _) => "connected directly".to_string(),
                };
                out.push(check("member", Level::Ok, format!("{name}: {how}"), None));
            }
            Some(p) => {
                let seen = p
                    .last_seen
                    .map(|t| format!("; last connected {}", t.strftime("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_else(|| "; never connected since this daemon started".into());
                let err = match (&p.last_error, p.last_error_at) {
                    (Some(e), Some(at)) => format!("; last error at {}: {e}", at.strftime("%H:%M:%S UTC")),
                    _ => String::new(),
                };
                out.push(check(
                    "member",
                    Level::Warn,
                    format!("{name}: not reachable now (tried {}){seen}{err}", p.addr),
                    Some("make sure its daemon runs; if it changed networks, a relay you both use finds it again; or `tandem peer add <its address>`; with no network at all, use `tandem bundle`"),
                ));
            }
            None => out.push(check(
                "member",
                Level::Warn,
                format!("{name}: no address known for it"),
                Some("`tandem peer add <its address>` (from `tandem status` on that device), or share a relay; with no network, use `tandem bundle`"),
            )),
        }
    }
}

/// How far each connected member device's clock is from this one's, as
/// measured from the sync messages it sent (each carries its sender's
/// clock). Over five minutes is a warning: schedules, due dates and
/// invitations are judged by clocks.
fn clocks(st: &DaemonStatus, people: &People, out: &mut Vec<Check>) {
    let measured: Vec<(&PeerId, i64)> = st
        .member_devices
        .iter()
        .filter_map(|m| {
            let p = st.peers.iter().find(|p| &p.peer == m && p.connected)?;
            Some((m, p.clock_skew_ms?))
        })
        .collect();
    if measured.is_empty() {
        out.push(check(
            "clock",
            Level::Info,
            "no member device is connected, so no clock was compared",
            None,
        ));
    }
    for (m, skew) in measured {
        let name = people.name(m);
        let (amount, direction) = skew_words(skew);
        if skew.unsigned_abs() > 5 * 60 * 1000 {
            out.push(check(
                "clock",
                Level::Warn,
                format!("{name}: its clock is {amount} {direction} this device's"),
                Some("set the clock right on whichever device is wrong (automatic time, NTP); invitations expire and competencies fall due by the clock"),
            ));
        } else {
            let how = if amount.is_empty() {
                "within a second".to_string()
            } else {
                format!("{amount} {}", direction.trim_end_matches(" of"))
            };
            out.push(check(
                "clock",
                Level::Ok,
                format!("{name}: clocks agree ({how})"),
                None,
            ));
        }
    }
}

/// A clock difference as (amount, direction): ("3 s", "ahead of"),
/// ("2 hours", "behind"); the amount is empty within a second.
fn skew_words(ms: i64) -> (String, &'static str) {
    let s = ms.unsigned_abs() / 1000;
    let amount = match s {
        0 => String::new(),
        1..=119 => format!("{s} s"),
        120..=7_199 => format!("{} minutes", s / 60),
        7_200..=172_799 => format!("{} hours", s / 3600),
        _ => format!("{} days", s / 86_400),
    };
    (amount, if ms > 0 { "ahead of" } else { "behind" })
}

/// Permissions of the home, the socket and the device key.
fn permissions(home: &Path, out: &mut Vec<Check>) {
    let items = [
        (home.to_path_buf(), 0o700, "home directory"),
        (
            tandem_proto::paths::socket_dir(home),
            0o700,
            "socket directory",
        ),
        (tandem_proto::paths::socket_path(home), 0o600, "socket"),
        (tandem_proto::paths::key_path(home), 0o600, "device key"),
    ];
    let mut bad = 0;
    for (path, want, what) in items {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bad += 1;
            out.push(check(
                "permissions",
                Level::Fail,
                format!(
                    "the {what} {} is open to others (mode {mode:o})",
                    path.display()
                ),
                Some(&format!("chmod {want:o} {}", path.display())),
            ));
        }
    }
    if bad == 0 {
        out.push(check(
            "permissions",
            Level::Ok,
            format!(
                "{} and its socket and key are private to you",
                home.display()
            ),
            None,
        ));
    }
}

/// `tandem doctor` (no arguments).
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {}

pub(crate) fn run(_: DoctorArgs, ctx: &mut Ctx) -> Result<(), Fail> {
    let st = daemon_status(ctx)?;
    let mut checks = vec![check(
        "daemon",
        Level::Ok,
        format!(
            "tandemd {} running (pid {}), device {}",
            st.version, st.pid, st.peer_id
        ),
        None,
    )];
    listening(&st, &mut checks);
    reachability(&st, &mut checks);
    let people = People::fetch(ctx)?;
    members(&st, &people, &mut checks);
    clocks(&st, &people, &mut checks);
    permissions(Path::new(&st.home), &mut checks);
    let failed = checks.iter().filter(|c| c.status == Level::Fail).count();
    let s = ctx.style;
    let value = serde_json::json!({ "ok": failed == 0, "checks": checks });
    ctx.emit(&value, || {
        let mut out = String::new();
        for c in &checks {
            let mark = match c.status {
                Level::Ok => s.green("ok  "),
                Level::Info => s.dim("info"),
                Level::Warn => s.yellow("warn"),
                Level::Fail => s.red("FAIL"),
            };
            out += &format!("{mark}  {:<11} {}\n", c.check, c.detail);
            if let Some(f) = &c.fix {
                out += &format!("      {:<11} fix: {f}\n", "");
            }
        }
        let warned = checks.iter().filter(|c| c.status == Level::Warn).count();
        out += &match (failed, warned) {
            (0, 0) => "No problems found.\n".to_string(),
            (0, w) => format!("Nothing is broken; {w} warning(s) above.\n"),
            (f, _) => format!("{f} problem(s) found.\n"),
        };
        out
    })?;
    if failed > 0 {
        return Err(Fail::Other(format!("doctor: {failed} problem(s) found")));
    }
    Ok(())
}
