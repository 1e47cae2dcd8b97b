//! Upgrade from the previous release on its own data: `fixtures/store-v1.tar` was written by
//! the schema-1 release's `ishenim backup` after real use (see `fixtures/README.md`). It must
//! restore, migrate on open, keep every entry, event and the hash chain (same head as the
//! previous release printed), and go on registering.

use chrono::NaiveDate;
use ishenim_store::{
    AnonymousPolicy, ApprovedFields, DayKind, DraftStatus, EntryStatus, Serial, Store,
    SCHEMA_VERSION,
};
use std::path::Path;

/// The head the previous release printed after the last change (on paper, in the README).
const V1_HEAD: &str = "1de9b7d60fa33ac7ce494b238d9617c0f4aa610a0e312fdf42906e54050b6ada";

fn fixture() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/store-v1.tar"
    ))
}

fn serial(n: u32) -> Serial {
    Serial {
        year: 2026,
        number: n,
    }
}

#[test]
fn a_register_of_the_previous_release_restores_migrates_and_keeps_working() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let check = Store::verify_backup(fixture()).expect("the v1 archive is sound");
    assert_eq!(check.schema_version, 1);
    let rep = Store::restore(fixture(), &data, false).expect("restore v1");
    assert_eq!((rep.entries, rep.files), (4, 5));

    let s = Store::open(&data).expect("open migrates");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    assert!(s.integrity_check().expect("integrity").is_empty());
    assert!(s.check_blobs().expect("blobs").is_empty());
    let r = s.verify().expect("verify");
    assert!(r.ok, "{r:?}");
    assert_eq!(r.rows_checked, 11);
    let head = r.head.expect("head");
    assert_eq!(
        (head.label.as_str(), head.hash.as_str()),
        ("event 6", V1_HEAD)
    );
    assert!(s.verify_against(V1_HEAD).expect("against").ok);

    // Rows as the previous release wrote them.
    let list = s.journal_list(Some(2026)).expect("journal");
    let serials: Vec<String> = list.iter().map(|e| e.serial.to_string()).collect();
    assert_eq!(
        serials,
        ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    );
    assert!(list[0].anonymous);
    let e = s.entry_current_view(serial(2)).expect("2026-0002");
    assert_eq!(e.applicant, "Төлөнбай уулу Нурлан");
    assert_eq!(e.phone.as_deref(), Some("+996550669785"), "amended");
    assert_eq!(e.official.as_deref(), Some("Жумабеков Н."));
    assert_eq!(e.measures, ["Аянтча үчүн жер бөлүндү"]);
    assert_eq!(e.reply_no.as_deref(), Some("01-15/77"));
    assert!(e.deadline_extended);
    assert_eq!(e.status, EntryStatus::Closed);
    assert_eq!((e.amendments, e.events), (1, 5));
    let first = s.entry_as_registered(serial(2)).expect("as registered");
    assert_eq!(first.phone.as_deref(), Some("+996550669784"));
    assert!(first.deadline < e.deadline);
    assert_eq!(
        s.entry_current_view(serial(3)).expect("3").status,
        EntryStatus::Assigned
    );
    assert_eq!(
        s.calendar_days().expect("calendar"),
        [(
            NaiveDate::from_ymd_opt(2026, 3, 20).expect("date"),
            DayKind::Holiday,
            "Орозо айт".to_string()
        )]
    );
    assert!(s
        .verify_password("admin1", "another secret pass")
        .expect("login")
        .is_some());
    assert!(s
        .verify_password("reviewer1", "correct horse battery")
        .expect("login")
        .is_some());

    // Settings: schema 1 wrote `register`; it now reads as the explicit default.
    assert_eq!(
        s.anonymous_policy().expect("policy"),
        AnonymousPolicy::RegisterAndConsider
    );
    let settings = s.settings().expect("settings");
    assert!(
        settings.iter().all(|v| v.is_default),
        "nothing was changed in v1: {settings:?}"
    );

    // And it goes on: the pending anonymous draft gets the next serial and is considered.
    let pending = s.pending_drafts().expect("pending");
    assert_eq!(pending.len(), 1);
    let d = &pending[0];
    assert_eq!(d.status, DraftStatus::Pending);
    let at = NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|x| x.and_hms_opt(10, 0, 0))
        .expect("time");
    let next = s
        .approve_draft_at(d.id, "reviewer1", &ApprovedFields::from_draft(d), at)
        .expect("approve after upgrade");
    assert_eq!(next, serial(5));
    let v = s.entry_current_view(next).expect("view");
    assert!(v.anonymous);
    assert_eq!(v.status, EntryStatus::Registered);
    s.set_setting("consideration_unit", "working", "admin1")
        .expect("settings after upgrade");
    let r = s.verify().expect("verify");
    assert!(r.ok && r.rows_checked == 12, "{r:?}");
    assert!(
        s.verify_against(V1_HEAD)
            .expect("old head still in chain")
            .ok
    );

    // A backup of the migrated register is sound and says schema 2.
    let b = tmp.path().join("after.tar");
    s.backup(&b, "admin1").expect("backup");
    let c = Store::verify_backup(&b).expect("verify backup");
    assert_eq!(c.schema_version, SCHEMA_VERSION);
    assert_eq!(c.entries, 5);
}
