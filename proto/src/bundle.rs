//! Air-gapped sync bundles: a plan's changes in a signed file
//! (`tandem bundle export` / `tandem bundle import`).
//!
//! Layout, all integers big-endian:
//!
//! ```text
//! "TANDEM-BUNDLE 1\n"          16 bytes: magic and format version
//! u32 header length, header    JSON BundleHeader
//! u64 changes length, changes  Automerge bytes: a whole document, or changes
//! u16 signature length, signature
//! ```
//!
//! The signature is the exporting device's ed25519 signature over every
//! byte before the signature length, so a changed byte anywhere, a cut
//! file or a swapped header fails to verify. This module only frames and
//! parses (no keys, no IO); the daemon signs, verifies and merges.

use serde::{Deserialize, Serialize};

use crate::ids::{PeerId, PlanId};

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 16] = b"TANDEM-BUNDLE 1\n";

/// Largest header accepted, in bytes.
pub const MAX_HEADER: usize = 64 * 1024;

/// What a bundle says about itself (signed with the changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// The plan's id.
    pub plan: PlanId,
    /// Its title when exported.
    pub title: String,
    /// The exporting device's PeerId.
    pub signer: PeerId,
    /// Its public key (libp2p protobuf encoding, hex).
    pub public_key: String,
    /// When the bundle was made.
    pub created_at: jiff::Timestamp,
    /// Whether `changes` is the whole plan (else the changes after `since`).
    pub whole: bool,
    /// The heads the changes build on (hex change hashes; empty when whole).
    pub since: Vec<String>,
    /// The exporter's heads: what the importer holds once it merged.
    pub heads: Vec<String>,
    /// The device it was made for, if any.
    pub for_peer: Option<PeerId>,
}

/// A parsed bundle, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// The header.
    pub header: BundleHeader,
    /// The Automerge bytes.
    pub changes: &'a [u8],
    /// The bytes the signature covers.
    pub signed: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// Why a file is not a readable bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle at all.
    #[error("not a Tandem bundle (it does not start with the bundle marker)")]
    NotABundle,
    /// Cut short.
    #[error("the bundle is truncated: {0} is incomplete (was the copy cut short?)")]
    Truncated(&'static str),
    /// Bytes after the signature.
    #[error("the bundle has {0} unexpected bytes after its signature")]
    Trailing(usize),
    /// The header does not parse.
    #[error("the bundle's header is unreadable: {0}")]
    Header(String),
    /// A length field is out of bounds.
    #[error("the bundle's {0} is larger than allowed")]
    TooLarge(&'static str),
}

/// Reads `n` bytes off the front of `data`.
fn take<'a>(data: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8], BundleError> {
    if data.len() < n {
        return Err(BundleError::Truncated(what));
    }
    let (head, rest) = data.split_at(n);
    *data = rest;
    Ok(head)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |n, b| (n << 8) | u64::from(*b))
}

/// The bytes a signature covers: magic, header and changes, framed.
pub fn signed_bytes(header: &BundleHeader, changes: &[u8]) -> Vec<u8> {
    // A derived Serialize of plain strings, bools and a timestamp cannot fail.
    let json = serde_json::to_vec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(16 + 4 + json.len() + 8 + changes.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&(changes.len() as u64).to_be_bytes());
    out.extend_from_slice(changes);
    out
}

/// The whole file: the signed bytes followed by the signature.
pub fn encode(signed: Vec<u8>, signature: &[u8]) -> Vec<u8> {
    let mut out = signed;
    out.extend_from_slice(&(signature.len() as u16).to_be_bytes());
    out.extend_from_slice(signature);
    out
}

/// Parses a bundle file (without checking the signature).
pub fn parse(file: &[u8]) -> Result<Parsed<'_>, BundleError> {
    let mut data = file;
    let magic = take(&mut data, MAGIC.len(), "the marker").map_err(|_| BundleError::NotABundle)?;
    if magic != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let header_len = be(take(&mut data, 4, "the header length")?) as usize;
    if header_len > MAX_HEADER {
        return Err(BundleError::TooLarge("header"));
    }
    let header_bytes = take(&mut data, header_len, "the header")?;
    let changes_len = usize::try_from(be(take(&mut data, 8, "the changes length")?))
        .map_err(|_| BundleError::TooLarge("changes"))?;
    let changes = take(&mut data, changes_len, "the changes")?;
    let signed = &file[..file.len() - data.len()];
    let sig_len = be(take(&mut data, 2, "the signature length")?) as usize;
    let signature = take(&mut data, sig_len, "the signature")?;
    if !data.is_empty() {
        return Err(BundleError::Trailing(data.len()));
    }
    let header: BundleHeader =
        serde_json::from_slice(header_bytes).map_err(|e| BundleError::Header(e.to_string()))?;
    Ok(Parsed {
        header,
        changes,
        signed,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header() -> BundleHeader {
        BundleHeader {
            plan: "0123456789abcdef".into(),
            title: "Onboarding".into(),
            signer: "12D3KooWexample".into(),
            public_key: "0801".into(),
            created_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            whole: true,
            since: vec![],
            heads: vec!["ab".into()],
            for_peer: None,
        }
    }

    fn file() -> Vec<u8> {
        encode(signed_bytes(&header(), b"automerge bytes"), &[7u8; 64])
    }

    #[test]
    fn a_bundle_parses_back() {
        let f = file();
        let p = parse(&f).unwrap();
        assert_eq!(p.header, header());
        assert_eq!(p.changes, b"automerge bytes");
        assert_eq!(p.signature, &[7u8; 64]);
        assert_eq!(p.signed, &signed_bytes(&header(), b"automerge bytes")[..]);
    }

    #[test]
    fn every_truncation_and_extra_bytes_are_refused() {
        let f = file();
        for n in 0..f.len() {
            assert!(parse(&f[..n]).is_err(), "cut at {n} parsed");
        }
        let mut longer = f.clone();
        longer.push(0);
        assert_eq!(parse(&longer), Err(BundleError::Trailing(1)));
        assert_eq!(
            parse(b"PK\x03\x04 a zip file"),
            Err(BundleError::NotABundle)
        );
        assert!(
            parse(&f[..100])
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }

    proptest! {
        /// Arbitrary bytes, or a bundle with one byte changed, never panic the parser.
        #[test]
        fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), at in any::<usize>(), x in any::<u8>()) {
            let _ = parse(&bytes);
            let mut f = file();
            let i = at % f.len();
            f[i] ^= x | 1;
            let _ = parse(&f);
        }
    }
}
