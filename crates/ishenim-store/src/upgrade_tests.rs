//! Upgrade path: a store made at every earlier schema version, filled through the API as
//! that release used it, opens with [`Store::open`], migrates, keeps every row and the
//! hash chain, and goes on working. (`tests/upgrade.rs` does the same with an archive
//! written by the previous release's binary.)

use crate::journal::tests::{drafts, fields};
use crate::testutil::store;
use crate::{
    AnonymousPolicy, DayKind, EntryField, EntryStatus, Role, Serial, Store, MIGRATIONS,
    SCHEMA_VERSION,
};
use chrono::{NaiveDate, NaiveDateTime};

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(10, 0, 0))
        .expect("date")
}

fn serial(n: u32) -> Serial {
    Serial {
        year: 2026,
        number: n,
    }
}

/// Everything a register holds after some weeks of use.
fn fill(s: &Store) -> Vec<crate::DraftId> {
    let d = drafts(s, 5);
    let mut a = fields("Асанов Бакыт");
    a.official = Some("Бекова Г.".into());
    s.approve_draft_at(d[0], "rev", &a, at(2026, 3, 2))
        .expect("approve");
    let mut anon = fields("");
    anon.applicant_name = None;
    anon.anonymous = true;
    s.approve_draft_at(d[1], "rev", &anon, at(2026, 3, 3))
        .expect("approve");
    s.approve_draft_at(d[2], "rev", &fields("Токтогулова Айгүл"), at(2026, 3, 10))
        .expect("approve");
    s.amend_entry(
        serial(1),
        "rev",
        EntryField::Phone,
        Some("0555 123 456"),
        "телефон туура эмес окулган",
    )
    .expect("amend");
    s.assign_official(serial(3), "admin", "Жумабеков Н.")
        .expect("assign");
    s.record_measures(serial(3), "clerk", "Жер өлчөндү")
        .expect("measures");
    s.extend_deadline(serial(3), "admin", at(2026, 4, 10).date(), "комиссия")
        .expect("extend");
    s.record_reply(serial(3), "clerk", "01-15/77", at(2026, 4, 1).date())
        .expect("reply");
    s.set_status(serial(3), "admin", EntryStatus::Closed, Some("чечилди"))
        .expect("status");
    s.reject_draft(d[3], "rev", "кайталанган").expect("reject");
    s.set_calendar_day(
        at(2026, 3, 20).date(),
        DayKind::Holiday,
        "Орозо айт",
        "admin",
    )
    .expect("calendar");
    s.add_user("admin1", "another secret pass", Role::Admin, "ru")
        .expect("user");
    // An admin of the schema-1 release changed a deadline the only way it could.
    s.conn()
        .expect("conn")
        .execute(
            "UPDATE settings SET value = '10' WHERE key = 'consideration_days'",
            [],
        )
        .expect("setting");
    d
}

#[test]
fn every_earlier_schema_version_migrates_on_real_data() {
    assert!(MIGRATIONS.len() >= 2, "an upgrade to test");
    for version in 1..MIGRATIONS.len() {
        let (dir, fresh) = store();
        drop(fresh);
        let data = dir.path().join(format!("v{version}"));
        let old = Store::open_at_version(&data, version).expect("old store");
        assert_eq!(old.schema_version().expect("version"), version as i64);
        let d = fill(&old);
        let journal = old.journal_list(None).expect("journal");
        let head = old.chain_head().expect("head").expect("non-empty chain");
        let rows = old.verify().expect("verify").rows_checked;
        let pending = old.pending_drafts().expect("pending");
        let calendar = old.calendar_days().expect("calendar");
        let audits = old.list_audit(1000).expect("audit").len();
        let history = old.entry_history(serial(3)).expect("history");
        drop(old);

        let s = Store::open(&data).expect("migrating open");
        assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
        let applied: i64 = s
            .conn()
            .expect("conn")
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .expect("schema_version rows");
        assert_eq!(applied, SCHEMA_VERSION, "from v{version}");
        assert!(s.integrity_check().expect("integrity").is_empty());
        assert!(s.check_blobs().expect("blobs").is_empty());
        assert_eq!(s.journal_list(None).expect("journal"), journal);
        assert_eq!(s.entry_history(serial(3)).expect("history"), history);
        let r = s.verify().expect("verify");
        assert!(r.ok, "from v{version}: {r:?}");
        assert_eq!(r.rows_checked, rows);
        assert_eq!(r.head.as_ref(), Some(&head));
        assert!(s.verify_against(&head.hash).expect("against").ok);
        assert_eq!(s.pending_drafts().expect("pending"), pending);
        assert_eq!(s.calendar_days().expect("calendar"), calendar);
        assert!(s.list_audit(1000).expect("audit").len() >= audits);
        assert!(s
            .verify_password("admin1", "another secret pass")
            .expect("login")
            .is_some());
        // Settings: the old change kept, the old spelling translated.
        assert_eq!(
            s.deadline_settings().expect("deadlines").consideration_days,
            10
        );
        assert_eq!(
            s.anonymous_policy().expect("policy"),
            AnonymousPolicy::RegisterAndConsider
        );
        assert_eq!(
            s.setting("anonymous_policy").expect("raw").as_deref(),
            Some("register_and_consider")
        );

        // And it goes on: the pending draft gets the next serial, settings record who.
        let next = s
            .approve_draft_at(d[4], "rev", &fields("Жаңы"), at(2026, 3, 11))
            .expect("approve after upgrade");
        assert_eq!(next, serial(4));
        // 11 March + 10 calendar days = Saturday 21 March (Nooruz) → Monday 23 March.
        assert_eq!(
            s.entry_current_view(next).expect("view").deadline,
            at(2026, 3, 23).date(),
            "the migrated 10-day setting applies"
        );
        let v = s
            .set_setting("anonymous_policy", "register_only", "admin1")
            .expect("set after upgrade");
        assert_eq!(v.updated_by.as_deref(), Some("admin1"));
        let r = s.verify().expect("verify");
        assert!(r.ok && r.rows_checked == rows + 1, "{r:?}");
        drop(s);
        // Opening again migrates nothing.
        let again = Store::open(&data).expect("reopen");
        assert_eq!(again.schema_version().expect("version"), SCHEMA_VERSION);
    }
}

#[test]
fn a_newer_store_is_refused_and_left_alone() {
    let (dir, s) = store();
    let data = s.data_dir().to_path_buf();
    s.conn()
        .expect("conn")
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("pragma");
    drop(s);
    assert!(matches!(
        Store::open(&data),
        Err(crate::StoreError::SchemaTooNew { .. })
    ));
    assert!(matches!(
        Store::open_at_version(&data, 1),
        Err(crate::StoreError::SchemaTooNew { .. })
    ));
    drop(dir);
}
