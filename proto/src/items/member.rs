//! Member devices: who may hold the plan, and with which role. A removed
//! device is remembered (`removed`), so one that was offline is told of its
//! removal when it comes back.
//!
//! Membership has a history too (`member_history`): each stretch of time a
//! device held a role, from when it was added (or its role changed) until
//! it was removed (or its role changed again). A sign-off is valid when its
//! device was a mentor of the plan when it signed, so retiring a mentor's
//! old laptop leaves its past sign-offs valid; removing a device reported
//! compromised marks the time from which its signatures are in doubt.
//!
//! ```text
//! members: map peer-id -> { name, role, device: str, added_at }
//! removed: map peer-id -> { name, role: str, removed_at }   (absent in plans made before it
//!          existed: made with the first removal; its record's op id names the removal change)
//! member_history: map "<peer-id>-<id>" -> { peer, name, role, from, until?, compromised_from? }
//!          (made with the first membership change after it existed; a device removed
//!          before it is read from `removed` as a mentor until its removal)
//! ```

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::fields::{
    NAME_MAX, PEER_ID_MAX, ValidationError, check_line, check_optional_line, check_peer_id,
};
use crate::ids::PeerId;
use crate::string_enum;
use crate::{ApiError, ErrorCode};

/// The members' map under the document root.
pub const KEY: &str = "members";
/// Who is behind each Automerge actor: `devices: map actor-hex -> { user,
/// host, peer }`, written by the daemon once per device and plan.
pub const DEVICES_KEY: &str = "devices";
/// The removed devices' map under the document root.
pub const REMOVED_KEY: &str = "removed";
/// The membership history's map under the document root.
pub const HISTORY_KEY: &str = "member_history";

/// How far a sign-off's time may be before its device's membership began
/// (the signer's clock against the adder's; a joiner more than five
/// minutes off is told so when it joins).
pub const CLOCK_GRACE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// One stretch of time a device was a member of the plan with one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenure {
    /// The device.
    pub peer: PeerId,
    /// The person using it.
    pub name: String,
    /// Its role in that time.
    pub role: Role,
    /// When it began (added, or the role changed).
    pub from: Timestamp,
    /// When it ended (removed, or the role changed); `None`: it goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// When the device was removed as compromised: from when its
    /// signatures are in doubt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_from: Option<Timestamp>,
}

impl Tenure {
    /// Whether `t` (a signer's clock) falls in this stretch.
    pub fn covers(&self, t: Timestamp) -> bool {
        let from = self.from.checked_sub(CLOCK_GRACE).unwrap_or(self.from);
        from <= t && self.until.is_none_or(|u| t < u)
    }
}

string_enum!(
    /// What a member device may do in a plan.
    Role, "role", {
    /// Guides the mentee; may invite and remove members.
    Mentor => "mentor",
    /// Is mentored; edits the plan content.
    Mentee => "mentee",
    /// Reads only (e.g. a lab supervisor).
    Observer => "observer",
});

/// A device that shares a plan. Only member devices ever receive a plan's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The device's libp2p PeerId (base58).
    pub peer: PeerId,
    /// The person using the device.
    pub name: String,
    /// What the device may do.
    pub role: Role,
    /// A label for the device, e.g. "lab workstation".
    pub device: String,
    /// When it was added.
    pub added_at: Timestamp,
}

/// A device to share the plan with (or whose member record to update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    /// The device's PeerId.
    pub peer: PeerId,
    /// The person using it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// A label for the device.
    #[serde(default)]
    pub device: String,
}

/// What can be done to the plan's member devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MemberOp {
    /// Share the plan with a device (or update its member record).
    Add(NewMember),
    /// Stop sharing the plan with a device.
    Rm {
        /// The device's PeerId, or a unique prefix of it.
        peer: String,
        /// The device is reported compromised (lost, stolen, its key
        /// copied): its signatures from this time on are flagged for
        /// review. `None`: it is retired, and its past signatures stay valid.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compromised: Option<Timestamp>,
    },
}

/// The checks of a member record, whoever writes it.
pub fn check(m: &NewMember) -> Result<(), ValidationError> {
    check_peer_id(&m.peer)?;
    check_line("name", &m.name, NAME_MAX)?;
    check_optional_line("device", &m.device, NAME_MAX)
}

impl MemberOp {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            MemberOp::Add(m) => check(m),
            MemberOp::Rm { peer, .. } => check_line("peer", peer, PEER_ID_MAX),
        }
    }
}

/// How people are named in messages: "Ana (laptop)", or "Ana" when the
/// device has no label.
pub fn who(name: &str, device: &str) -> String {
    match (name.trim(), device.trim()) {
        ("", "") => "someone".to_string(),
        ("", d) => format!("a device ({d})"),
        (n, "") => n.to_string(),
        (n, d) => format!("{n} ({d})"),
    }
}

impl Member {
    /// "Ana (laptop)".
    pub fn who(&self) -> String {
        who(&self.name, &self.device)
    }
}

/// A member's PeerId from an exact id, a unique prefix, the person's name
/// (when one device carries it) or "name (device)".
pub fn resolve_peer(members: &[Member], given: &str) -> Result<PeerId, ApiError> {
    if let Some(m) = members.iter().find(|m| m.peer == given) {
        return Ok(m.peer.clone());
    }
    let wanted = given.trim().to_lowercase();
    let mut found: Vec<&Member> = members
        .iter()
        .filter(|m| m.peer.starts_with(given))
        .collect();
    if found.is_empty() {
        found = members
            .iter()
            .filter(|m| m.who().to_lowercase() == wanted)
            .collect();
    }
    if found.is_empty() {
        found = members
            .iter()
            .filter(|m| m.name.to_lowercase() == wanted)
            .collect();
    }
    match found.as_slice() {
        [one] => Ok(one.peer.clone()),
        [] => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no member device '{given}' (give a member's name or PeerId)"),
        )),
        many => Err(ApiError::new(
            ErrorCode::Ambiguous,
            format!(
                "member '{given}' is ambiguous: it matches {}",
                many.iter()
                    .map(|m| format!("{} {}", m.who(), m.peer))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

#[cfg(feature = "doc")]
pub use doc::{read, read_all, read_history, removal_record};

#[cfg(feature = "doc")]
mod doc {
    use automerge::{ObjId, ObjType, ReadDoc};

    use jiff::Timestamp;

    use super::super::doc::{
        Applied, R, Target, Writer, map_maps_of, object, parsed, string, timestamp, ts_or_epoch,
    };
    use super::{HISTORY_KEY, KEY, Member, MemberOp, REMOVED_KEY, Role, Tenure, resolve_peer};
    use crate::{ApiError, ErrorCode};

    /// The member devices, sorted by PeerId.
    pub fn read_all<R: ReadDoc>(d: &R) -> Vec<Member> {
        let Some(map) = object(d, &automerge::ROOT, KEY, ObjType::Map) else {
            return Vec::new();
        };
        let mut peers: Vec<String> = d.keys(&map).collect();
        peers.sort_unstable();
        peers
            .into_iter()
            .filter_map(|peer| read_in(d, &map, peer))
            .collect()
    }

    /// One member device, if `peer` is one (what [`read_all`] gives of it,
    /// without reading the others).
    pub fn read<R: ReadDoc>(d: &R, peer: &str) -> Option<Member> {
        let map = object(d, &automerge::ROOT, KEY, ObjType::Map)?;
        read_in(d, &map, peer.to_string())
    }

    /// Member `peer` of the members' map `map`.
    fn read_in<R: ReadDoc>(d: &R, map: &automerge::ObjId, peer: String) -> Option<Member> {
        let m = object(d, map, &peer, ObjType::Map)?;
        Some(Member {
            name: string(d, &m, "name"),
            role: parsed(d, &m, "role", Role::Observer),
            device: string(d, &m, "device"),
            added_at: ts_or_epoch(d, &m, "added_at"),
            peer: peer.into(),
        })
    }

    /// The membership history, by device then time. A device removed
    /// before the history existed is read from its removal record: a
    /// member with its last role until its removal.
    pub fn read_history<R: ReadDoc>(d: &R) -> Vec<Tenure> {
        let mut out: Vec<Tenure> = object(d, &automerge::ROOT, HISTORY_KEY, ObjType::Map)
            .map(|h| {
                map_maps_of(d, &h)
                    .into_iter()
                    .map(|(_, t)| Tenure {
                        peer: string(d, &t, "peer").into(),
                        name: string(d, &t, "name"),
                        role: parsed(d, &t, "role", Role::Observer),
                        from: ts_or_epoch(d, &t, "from"),
                        until: timestamp(d, &t, "until"),
                        compromised_from: timestamp(d, &t, "compromised_from"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(removed) = object(d, &automerge::ROOT, REMOVED_KEY, ObjType::Map) {
            for (peer, r) in map_maps_of(d, &removed) {
                if !out.iter().any(|t| t.peer == peer.as_str()) {
                    out.push(Tenure {
                        peer: peer.into(),
                        name: string(d, &r, "name"),
                        role: parsed(d, &r, "role", Role::Observer),
                        from: Timestamp::UNIX_EPOCH,
                        until: timestamp(d, &r, "removed_at"),
                        compromised_from: None,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.peer.as_str(), a.from).cmp(&(b.peer.as_str(), b.from)));
        out
    }

    /// The open stretches of `peer`'s membership (normally one).
    fn open_tenures(w: &Writer, hist: &ObjId, peer: &str) -> Vec<ObjId> {
        map_maps_of(w.tx, hist)
            .into_iter()
            .filter(|(_, t)| {
                string(w.tx, t, "peer") == peer && timestamp(w.tx, t, "until").is_none()
            })
            .map(|(_, t)| t)
            .collect()
    }

    /// Starts a stretch of `peer`'s membership.
    fn begin(
        w: &mut Writer,
        hist: &ObjId,
        peer: &str,
        name: &str,
        role: Role,
        from: Timestamp,
    ) -> R<ObjId> {
        let key = format!("{peer}-{}", (w.new_id)());
        let t = w.new_map(hist, &key)?;
        w.put_str(&t, "peer", peer)?;
        w.put_str(&t, "name", name)?;
        w.put_str(&t, "role", role.as_str())?;
        w.put_ts(&t, "from", from)?;
        Ok(t)
    }

    /// The object of the record kept of `peer`'s removal, if any.
    pub fn removal_record<R: ReadDoc>(d: &R, peer: &str) -> Option<ObjId> {
        let removed = object(d, &automerge::ROOT, REMOVED_KEY, ObjType::Map)?;
        object(d, &removed, peer, ObjType::Map)
    }

    impl MemberOp {
        /// Applies the operation inside an open transaction.
        pub fn apply(&self, w: &mut Writer) -> R<Applied> {
            match self {
                MemberOp::Add(n) => {
                    // The record as it was (a member from before the history has no stretch yet).
                    let before = read_all(w.tx).into_iter().find(|m| m.peer == n.peer);
                    let members = w.root_map(KEY, true)?;
                    let m = match object(w.tx, &members, &n.peer, ObjType::Map) {
                        Some(m) => m,
                        None => {
                            let m = w.new_map(&members, &n.peer)?;
                            let now = w.now;
                            w.put_ts(&m, "added_at", now)?;
                            m
                        }
                    };
                    w.put_str(&m, "name", &n.name)?;
                    w.put_str(&m, "role", n.role.as_str())?;
                    w.put_str(&m, "device", &n.device)?;
                    // The history: a new stretch when the device joins or its role changes.
                    let hist = w.root_map(HISTORY_KEY, true)?;
                    let open = open_tenures(w, &hist, &n.peer);
                    let now = w.now;
                    let same_role = open
                        .iter()
                        .any(|t| string(w.tx, t, "role") == n.role.as_str());
                    if same_role {
                        for t in &open {
                            w.put_str(t, "name", &n.name)?;
                        }
                    } else {
                        for t in &open {
                            w.put_ts(t, "until", now)?;
                        }
                        // A member from before the history: its first stretch closes now.
                        if let Some(b) = before.filter(|_| open.is_empty()) {
                            let t = begin(w, &hist, &n.peer, &b.name, b.role, b.added_at)?;
                            w.put_ts(&t, "until", now)?;
                        }
                        begin(w, &hist, &n.peer, &n.name, n.role, now)?;
                    }
                    // Added again after a removal: no longer a removed device.
                    if removal_record(w.tx, &n.peer).is_some() {
                        let removed = w.root_map(REMOVED_KEY, false)?;
                        w.delete(&removed, &n.peer)?;
                    }
                    let label = if n.device.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", n.device)
                    };
                    Ok(Applied {
                        // People, not keys: the PeerId is in the change's actor and the record.
                        message: format!("member add: {}{label} as {}", n.name, n.role),
                        target: Target::Member(n.peer.as_str().into()),
                    })
                }
                MemberOp::Rm { peer, compromised } => {
                    let members = w.root_map(KEY, true)?;
                    let all = read_all(w.tx);
                    let peer = resolve_peer(&all, peer)?;
                    let Some(gone) = all.iter().find(|m| m.peer == peer) else {
                        return Err(ApiError::new(
                            ErrorCode::NotFound,
                            format!("no member device '{peer}'"),
                        ));
                    };
                    let mentors = all.iter().filter(|m| m.role == Role::Mentor).count();
                    if gone.role == Role::Mentor && mentors == 1 {
                        return Err(ApiError::new(
                            ErrorCode::Invalid,
                            format!(
                                "{} is the plan's only mentor device; add another mentor device first",
                                gone.who()
                            ),
                        ));
                    }
                    let message = match compromised {
                        None => format!("member remove: {} ({})", gone.who(), gone.role),
                        Some(since) => format!(
                            "member remove: {} ({}), compromised since {}",
                            gone.who(),
                            gone.role,
                            since.strftime("%Y-%m-%d %H:%M UTC")
                        ),
                    };
                    w.delete(&members, &peer)?;
                    // The history: its stretch ends now (one from before the history is made whole).
                    let hist = w.root_map(HISTORY_KEY, true)?;
                    let mut open = open_tenures(w, &hist, &peer);
                    if open.is_empty() {
                        open.push(begin(
                            w,
                            &hist,
                            &peer,
                            &gone.name,
                            gone.role,
                            gone.added_at,
                        )?);
                    }
                    let now = w.now;
                    for t in &open {
                        w.put_ts(t, "until", now)?;
                    }
                    // Every stretch of a compromised device is in doubt from `since`.
                    if let Some(since) = compromised {
                        for (_, t) in map_maps_of(w.tx, &hist) {
                            if string(w.tx, &t, "peer") == peer.as_str() {
                                w.put_ts(&t, "compromised_from", *since)?;
                            }
                        }
                    }
                    // Remembered, so a device removed while it was offline is
                    // told so when it next connects (its removal is this change).
                    let removed = w.root_map(REMOVED_KEY, true)?;
                    let record = w.new_map(&removed, &peer)?;
                    w.put_str(&record, "name", &gone.name)?;
                    w.put_str(&record, "role", gone.role.as_str())?;
                    let now = w.now;
                    w.put_ts(&record, "removed_at", now)?;
                    Ok(Applied {
                        message,
                        target: Target::MemberRemoved(peer),
                    })
                }
            }
        }
    }
}
