//! A plan's side of air-gapped bundles: which bytes go into one, and
//! merging one in with the same strict checks as changes from the network.

use automerge::{
    ActorId, Automerge, ChangeHash, LoadOptions, OnPartialLoad, ReadDoc, VerificationMode,
};

use super::PlanDoc;
use super::sync::{Received, check_changes};

impl PlanDoc {
    /// The heads, as hex.
    pub fn heads_hex(&self) -> Vec<String> {
        self.doc
            .get_heads()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// The bytes for a bundle: the changes after those of `since` that this
    /// document holds, or the whole document when none of them is known
    /// here. Returns the bytes and the heads they build on (empty: whole).
    pub fn bundle_changes(&self, since: &[String]) -> (Vec<u8>, Vec<String>) {
        let known: Vec<ChangeHash> = since
            .iter()
            .filter_map(|h| h.parse::<ChangeHash>().ok())
            .filter(|h| self.doc.get_change_by_hash(h).is_some())
            .collect();
        if known.is_empty() {
            return (self.doc.save(), Vec::new());
        }
        let hex = known.iter().map(ToString::to_string).collect();
        (self.doc.save_after(&known), hex)
    }

    /// Merges a bundle's changes (already verified as signed by a member).
    /// `refused` says why nothing was merged; `change` is `None` when the
    /// bundle held nothing new (importing twice changes nothing).
    pub fn absorb(&mut self, bytes: &[u8]) -> Received {
        let refuse = |why: String| Received {
            refused: Some(why),
            ..Received::default()
        };
        if let Err(e) = check_changes(bytes) {
            return refuse(format!("the bundle's changes are unreadable: {e}"));
        }
        // Merged into a copy first: changes whose dependencies are missing
        // would otherwise wait inside the document, applied later by surprise.
        let mut trial = self.doc.fork();
        if let Err(e) = trial.load_incremental(bytes) {
            return refuse(format!("the bundle's changes do not apply: {e}"));
        }
        if !trial.get_missing_deps(&[]).is_empty() {
            return refuse(
                "the bundle builds on changes this device does not have; export the whole plan \
                 (`tandem bundle export --all`) and import that"
                    .into(),
            );
        }
        let before = self.doc.get_heads();
        if let Err(e) = self.doc.load_incremental(bytes) {
            return refuse(format!("the bundle's changes do not apply: {e}"));
        }
        let (change, touched) = self.settle(&before);
        Received {
            change,
            refused: None,
            touched,
            arrived: None,
        }
    }

    /// A plan new to this device, from a whole-plan bundle, loaded strictly.
    pub fn from_bundle(bytes: &[u8], actor: ActorId) -> Result<PlanDoc, String> {
        let opts = LoadOptions::new()
            .on_partial_load(OnPartialLoad::Error)
            .verification_mode(VerificationMode::Check);
        let doc = Automerge::load_with_options(bytes, opts)
            .map_err(|e| format!("the bundle's plan is unreadable: {e}"))?;
        if doc.get_heads().is_empty() {
            return Err("the bundle holds an empty plan".into());
        }
        Ok(PlanDoc::wrap(doc.with_actor(actor)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::tests::{device, new_plan, now};
    use tandem_proto::edit::*;

    fn note(d: &mut PlanDoc, body: &str) {
        let mut next = || format!("{:016x}", rand::random::<u64>());
        let e = Edit::Note(NoteOp::Add(NewNote {
            author: "Ana".into(),
            body: body.into(),
            tags: vec![],
        }));
        d.apply(&e, &device(1), now(), &mut next).unwrap();
    }

    #[test]
    fn changes_since_known_heads_merge_once() {
        let mut a = new_plan();
        let mut b = PlanDoc::from_bundle(&a.save(), device(2).actor).unwrap();
        assert_eq!(b.view(), a.view());
        let since = b.heads_hex();
        note(&mut a, "first");
        note(&mut a, "second");
        let (bytes, base) = a.bundle_changes(&since);
        assert_eq!(base, since, "only the changes after what B has");
        assert!(bytes.len() < a.save().len());
        let r = b.absorb(&bytes);
        assert!(r.refused.is_none() && r.change.is_some(), "{:?}", r.refused);
        assert_eq!(b.view(), a.view());
        assert!(
            r.touched
                .iter()
                .any(|t| t.kind == tandem_proto::items::ItemKind::Note)
        );
        // Again: nothing new.
        let r = b.absorb(&bytes);
        assert!(r.refused.is_none() && r.change.is_none());
    }

    #[test]
    fn unknown_heads_give_the_whole_plan() {
        let a = new_plan();
        let (bytes, base) = a.bundle_changes(&["00".repeat(32)]);
        assert!(base.is_empty());
        assert_eq!(bytes, a.save());
    }

    #[test]
    fn changes_with_missing_dependencies_or_garbage_are_refused_untouched() {
        let mut a = new_plan();
        let b0 = PlanDoc::from_bundle(&a.save(), device(2).actor).unwrap();
        note(&mut a, "first");
        let mid = a.heads_hex();
        note(&mut a, "second");
        let (after_mid, _) = a.bundle_changes(&mid);
        let mut b = PlanDoc::from_bundle(&b0.save(), device(2).actor).unwrap();
        let r = b.absorb(&after_mid);
        assert!(r.refused.unwrap().contains("does not have"));
        assert_eq!(b.view(), b0.view());
        let r = b.absorb(b"not automerge");
        assert!(r.refused.unwrap().contains("unreadable"));
        assert!(PlanDoc::from_bundle(b"junk", device(2).actor).is_err());
    }
}
