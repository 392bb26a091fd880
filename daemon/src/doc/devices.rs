//! Who is behind each Automerge actor: the `devices` map, written once per
//! device and plan, read by the history and to name the authors of changes.

use automerge::{ObjType, ReadDoc};
use tandem_proto::items::doc::{R, Writer, object, string};

use super::layout::DEVICES;

/// Records who is behind this transaction's actor, once per plan.
pub(crate) fn register(
    w: &mut Writer,
    actor_hex: &str,
    user: &str,
    host: &str,
    peer: &str,
) -> R<()> {
    let Some(devices) = object(w.tx, &automerge::ROOT, DEVICES, ObjType::Map) else {
        return Ok(());
    };
    if object(w.tx, &devices, actor_hex, ObjType::Map).is_some() {
        return Ok(());
    }
    let dev = w.new_map(&devices, actor_hex)?;
    w.put_str(&dev, "user", user)?;
    w.put_str(&dev, "host", host)?;
    w.put_str(&dev, "peer", peer)
}

/// (user, host, PeerId) of the device behind `actor_hex`, if the plan knows it.
pub(crate) fn of<R: ReadDoc>(d: &R, actor_hex: &str) -> Option<(String, String, String)> {
    let devices = object(d, &automerge::ROOT, DEVICES, ObjType::Map)?;
    let dev = object(d, &devices, actor_hex, ObjType::Map)?;
    Some((
        string(d, &dev, "user"),
        string(d, &dev, "host"),
        string(d, &dev, "peer"),
    ))
}
