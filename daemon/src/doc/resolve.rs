//! `tandem resolve`: keeping the current value of an item's fields that two
//! devices changed at the same time (see `tandem_proto::items::conflict`),
//! as one change that syncs like any edit.

use automerge::transaction::CommitOptions;
use jiff::Timestamp;
use tandem_proto::ApiError;
use tandem_proto::items;
use tandem_proto::items::conflict::{self, Conflict};
use tandem_proto::items::doc::{Target, Writer};

use super::{Device, Edited, PlanDoc, devices};

impl PlanDoc {
    /// Resolves every conflicted field of the item named by `prefix`.
    pub fn resolve(
        &mut self,
        prefix: &str,
        device: &Device,
        now: Timestamp,
    ) -> Result<(Edited, Vec<Conflict>), ApiError> {
        let (kind, id, obj) = items::find_any(&self.doc, prefix)?;
        let found = conflict::conflicts_in(&self.doc, kind, &id, &obj);
        let noun = kind.noun();
        if found.is_empty() {
            return Err(ApiError::new(
                tandem_proto::ErrorCode::Invalid,
                format!(
                    "{noun} {} has no field edited at the same time on two devices: nothing to resolve",
                    tandem_proto::ids::short(&id)
                ),
            ));
        }
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        let message = format!(
            "resolve: {noun} {}: kept {}",
            tandem_proto::ids::short(&id),
            fields.join(", ")
        );
        let before = self.doc.get_heads();
        let actor_hex = device.actor.to_hex_string();
        let opts = CommitOptions::default()
            .with_message(message.clone())
            .with_time(now.as_second());
        let mut fresh = fresh_ids(device, now);
        self.doc
            .transact_with(
                |_| opts,
                |tx| -> Result<(), ApiError> {
                    let mut w = Writer {
                        tx,
                        now,
                        new_id: &mut fresh,
                        author: String::new(),
                    };
                    conflict::resolve(&mut w, kind, &id, &obj)?;
                    devices::register(&mut w, &actor_hex, &device.user, &device.host, &device.peer)
                },
            )
            .map_err(|f| f.error)?;
        let change = Some(self.doc.save_after(&before));
        let item = self.refresh(&Target::Item(kind, id));
        Ok((
            Edited {
                item,
                change,
                message,
            },
            found,
        ))
    }
}

/// Fresh stamps for a resolve (no item is made): unique to the device and
/// the moment, and counting up within the change.
fn fresh_ids(device: &Device, now: Timestamp) -> impl FnMut() -> String {
    let base = format!("{}{}", device.actor.to_hex_string(), now.as_millisecond());
    let mut n = 0u32;
    move || {
        n += 1;
        format!("{base}-{n}")
    }
}
