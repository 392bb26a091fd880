//! Two homes behind two NATs, and a relay on a shared "public" segment,
//! built from network namespaces, veth pairs and nftables masquerade:
//!
//! ```text
//!   ha 192.168.1.2 ── la [nata] wa 5.5.5.1 ──┐
//!                                              br0 (ns pub) ── r0 5.5.5.10 [rly: tandemd --relay]
//!   hb 192.168.2.2 ── lb [natb] wb 5.5.5.2 ──┘
//! ```
//!
//! A (in ha) and B (in hb) cannot dial each other's private addresses; they
//! meet through the relay, converge, and then DCUtR tries to punch a hole
//! through both NATs. The outcome, direct or relayed, is printed.
//!
//! Needs root, `ip` (iproute2) and `nft` (nftables; `.ci/run` installs it
//! when missing). Where any is missing, or namespaces cannot be made, the
//! test says so loudly on stderr (not captured by the test harness): under
//! `CI=true` that is a failure, elsewhere it passes (the loopback relay test
//! in `relay.rs` always runs).

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use tandem_e2e::{Home, Relay, eventually};

/// Writes to the real stderr, past the test harness's capture.
fn loud(msg: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** netns test: {msg} ***\n");
}

/// The test cannot run here: fine on a developer's machine, a failure in CI.
fn cannot_run(why: &str) {
    loud(&format!("SKIPPED, {why}"));
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the NAT test must run in CI (CI=true), but {why}"
    );
}

fn sh(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The namespaces of one test run, deleted on drop.
struct Topology {
    names: Vec<String>,
    prefix: String,
}

impl Topology {
    fn ns(&self, short: &str) -> String {
        format!("{}{short}", self.prefix)
    }

    fn exec(&self, short: &str, args: &[&str]) -> Result<(), String> {
        let ns = self.ns(short);
        let mut all = vec!["ip", "netns", "exec", ns.as_str()];
        all.extend_from_slice(args);
        sh(&all)
    }

    fn add_ns(&mut self, short: &str) -> Result<(), String> {
        let ns = self.ns(short);
        sh(&["ip", "netns", "add", &ns])?;
        self.names.push(ns);
        self.exec(short, &["ip", "link", "set", "lo", "up"])
    }

    /// A veth pair: `a` in namespace `na` with `addr_a` (if any), `b` in `nb`.
    fn veth(
        &self,
        na: &str,
        a: &str,
        nb: &str,
        b: &str,
        addr_a: Option<&str>,
    ) -> Result<(), String> {
        let (ns_a, ns_b) = (self.ns(na), self.ns(nb));
        sh(&[
            "ip", "link", "add", a, "netns", &ns_a, "type", "veth", "peer", "name", b, "netns",
            &ns_b,
        ])?;
        if let Some(addr) = addr_a {
            self.exec(na, &["ip", "addr", "add", addr, "dev", a])?;
        }
        self.exec(na, &["ip", "link", "set", a, "up"])?;
        self.exec(nb, &["ip", "link", "set", b, "up"])
    }

    fn build() -> Result<Topology, String> {
        let mut t = Topology {
            names: Vec::new(),
            prefix: format!("tdm{}", std::process::id() % 100_000),
        };
        for ns in ["pub", "rly", "nata", "natb", "ha", "hb"] {
            t.add_ns(ns)?;
        }
        t.exec("pub", &["ip", "link", "add", "br0", "type", "bridge"])?;
        t.exec("pub", &["ip", "link", "set", "br0", "up"])?;
        // The public segment: the relay and the two routers' WAN sides.
        for (ns, inner, outer, addr) in [
            ("rly", "r0", "pr", "5.5.5.10/24"),
            ("nata", "wa", "pa", "5.5.5.1/24"),
            ("natb", "wb", "pb", "5.5.5.2/24"),
        ] {
            t.veth(ns, inner, "pub", outer, Some(addr))?;
            t.exec("pub", &["ip", "link", "set", outer, "master", "br0"])?;
        }
        // Each home network behind its router, masqueraded on the way out.
        for (nat, host, lan, eth, gw, host_addr, wan) in [
            (
                "nata",
                "ha",
                "la",
                "ea",
                "192.168.1.1",
                "192.168.1.2/24",
                "wa",
            ),
            (
                "natb",
                "hb",
                "lb",
                "eb",
                "192.168.2.1",
                "192.168.2.2/24",
                "wb",
            ),
        ] {
            t.veth(nat, lan, host, eth, Some(&format!("{gw}/24")))?;
            t.exec(host, &["ip", "addr", "add", host_addr, "dev", eth])?;
            t.exec(host, &["ip", "route", "add", "default", "via", gw])?;
            t.exec(nat, &["sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"])?;
            t.exec(nat, &["nft", "add", "table", "ip", "nat"])?;
            t.exec(
                nat,
                &[
                    "nft",
                    "add chain ip nat post { type nat hook postrouting priority 100 ; }",
                ],
            )?;
            t.exec(
                nat,
                &[
                    "nft",
                    &format!("add rule ip nat post oifname \"{wan}\" masquerade"),
                ],
            )?;
            // Like a home router: unsolicited packets from outside are dropped
            // (not answered with a reset), which is what lets a hole be punched.
            t.exec(nat, &["nft", "add", "table", "inet", "filter"])?;
            t.exec(
                nat,
                &[
                    "nft",
                    "add chain inet filter input { type filter hook input priority 0 ; }",
                ],
            )?;
            t.exec(
                nat,
                &[
                    "nft",
                    &format!("add rule inet filter input iifname \"{wan}\" ct state new drop"),
                ],
            )?;
        }
        Ok(t)
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = sh(&["ip", "netns", "del", ns]);
        }
    }
}

fn missing_prerequisite() -> Option<String> {
    if !is_root() {
        return Some("not running as root".into());
    }
    for tool in ["ip", "nft"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!("`{tool}` is not installed (iproute2 / nftables)"));
        }
    }
    None
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn two_homes_behind_nat_sync_through_a_public_relay() {
    if let Some(why) = missing_prerequisite() {
        cannot_run(&format!("NAT topology not built: {why}"));
        return;
    }
    let topo = match Topology::build() {
        Ok(t) => t,
        Err(e) => {
            cannot_run(&format!("network namespaces could not be set up: {e}"));
            return;
        }
    };
    let relay = Relay::start_in(
        Some(&topo.ns("rly")),
        "/ip4/5.5.5.10/tcp/4455,/ip4/5.5.5.10/udp/4455/quic-v1",
    );
    let listen = "/ip4/0.0.0.0/tcp/4455,/ip4/0.0.0.0/udp/4455/quic-v1";
    let env = [
        ("TANDEM_LISTEN", listen),
        ("TANDEM_RELAYS", relay.addr.as_str()),
        ("RUST_LOG", "info,libp2p_dcutr=debug"),
    ];
    let a = Home::new();
    let b = Home::new();
    let _da = a.start_daemon_in(Some(&topo.ns("ha")), &env);
    let _db = b.start_daemon_in(Some(&topo.ns("hb")), &env);
    let reserved = |h: &Home| {
        h.json(&["status"])["relays"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["reserved"] == true))
    };
    eventually("A reserves on the public relay", || reserved(&a));
    eventually("B reserves on the public relay", || reserved(&b));

    let id = a.json(&["plan", "new", "Across two NATs"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.json(&["goal", "add", "Written at home A"]);
    let ticket = a.json(&["invite", "--name", "Ana"])["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    b.json(&["join", &ticket]);
    b.json(&["goal", "add", "Written at home B", "--plan", &id]);
    let both = |h: &Home| {
        h.plan(&id)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 2))
    };
    eventually("A and B converge through the relay", || {
        both(&a) && both(&b)
    });

    // DCUtR tries to upgrade the relayed connection; give it a few seconds.
    let a_id = a.peer_id();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut link = String::new();
    while Instant::now() < deadline {
        link = b
            .peer_info(&a_id)
            .map(|i| i["link"].to_string())
            .unwrap_or_default();
        if link.contains("direct") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    loud(&format!(
        "A (behind NAT 5.5.5.1) and B (behind NAT 5.5.5.2) converged through the relay; link after hole punching: {link}"
    ));
    if !link.contains("direct") {
        // Why not: what each daemon logged about hole punching and its NAT.
        for (name, h) in [("A", &a), ("B", &b)] {
            let log = std::fs::read_to_string(h.path().join("tandemd.log")).unwrap_or_default();
            let lines: Vec<&str> = log
                .lines()
                .filter(|l| {
                    l.contains("hole punching") || l.contains("NAT status") || l.contains("dcutr")
                })
                .collect();
            loud(&format!(
                "{name}'s log on hole punching:\n{}",
                lines.join("\n")
            ));
        }
    }
    // These routers drop unsolicited packets (they do not reset them) and
    // keep the source port, so the NAT type allows a hole to be punched.
    assert!(
        link.contains("direct"),
        "hole punching did not upgrade the relayed connection: {link}"
    );
    // Edits keep flowing, now over the direct connection.
    a.json(&["goal", "add", "After hole punching"]);
    eventually("B gets A's next edit", || {
        b.plan(&id)
            .is_some_and(|p| p["goals"].as_array().is_some_and(|g| g.len() == 3))
    });
}
