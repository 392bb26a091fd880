//! The bytes each row type writes, checked in (`golden/*.json`): rows
//! written by this build must read back in every later one, so a change
//! to these bytes fails here and needs a new row version and a migration.
//! (`TANDEM_BLESS=1 cargo test -p tandem-daemon golden` writes the files
//! afresh, for a new row version only.)

use jiff::Timestamp;
use tandem_proto::model::{PlanStatus, Role};
use tandem_proto::ticket::TicketKind;

use super::*;

fn t(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

/// Checks that `row` encodes to the golden file's bytes and that the file
/// decodes to `row`.
fn golden<T: PartialEq + std::fmt::Debug>(
    file: &str,
    row: T,
    encode: impl Fn(&T) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<T, String>,
) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/store/rows/golden")
        .join(file);
    if std::env::var_os("TANDEM_BLESS").is_some() {
        let mut bytes = encode(&row);
        bytes.push(b'\n');
        std::fs::write(&path, bytes).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    assert_eq!(
        String::from_utf8_lossy(&encode(&row)),
        String::from_utf8_lossy(bytes),
        "{file}: this build writes other bytes than the checked-in ones"
    );
    assert_eq!(decode(bytes).unwrap(), row, "{file}");
}

#[test]
fn every_row_type_writes_and_reads_its_checked_in_bytes() {
    golden(
        "plan-meta.json",
        PlanMeta::new(3, 7, true, vec!["a1b2".into()]),
        PlanMeta::encode,
        PlanMeta::decode,
    );
    golden(
        "peer.json",
        PeerRow::new("/ip4/192.0.2.7/tcp/4455/p2p/12D3KooWGolden", true),
        PeerRow::encode,
        PeerRow::decode,
    );
    golden(
        "offer.json",
        OfferRow {
            v: ROW_V,
            from: "12D3KooWGolden".into(),
            from_name: "Dana".into(),
            from_role: Role::Mentor,
            my_role: Role::Mentee,
            title: "Onboarding".into(),
            offered_at_ms: 1_800_000_000_000,
            bytes: 4096,
        },
        OfferRow::encode,
        OfferRow::decode,
    );
    golden(
        "declined.json",
        DeclinedRow {
            v: ROW_V,
            from: "12D3KooWGolden".into(),
            at_ms: 1_800_000_000_000,
        },
        DeclinedRow::encode,
        DeclinedRow::decode,
    );
    golden(
        "join.json",
        JoinRow {
            v: ROW_V,
            inviter: "12D3KooWGolden".into(),
            at_ms: 1_800_000_000_000,
        },
        JoinRow::encode,
        JoinRow::decode,
    );
    golden(
        "index.json",
        IndexRow {
            v: ROW_V,
            title: "Onboarding".into(),
            mentor: "Dana".into(),
            mentee: "Ana".into(),
            status: PlanStatus::Active,
            goals: 4,
            open_actions: 2,
            updated_at: t(1_800_000_000),
            members: vec!["12D3KooWGolden".into()],
        },
        IndexRow::encode,
        IndexRow::decode,
    );
    golden(
        "invite.json",
        InviteRow {
            v: ROW_V,
            id: "a1b2c3d4e5f6".into(),
            plan: "00000000000000a1".into(),
            kind: TicketKind::Invite,
            role: Role::Mentee,
            name: "Ana".into(),
            created_at: t(1_800_000_000),
            expires_at: t(1_800_172_800),
            used: 1,
            uses: 2,
            revoked: false,
            secret_hash: "5e".repeat(32),
            joined: vec!["12D3KooWGolden".into()],
        },
        InviteRow::encode,
        InviteRow::decode,
    );
}
