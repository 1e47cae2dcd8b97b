//! Upgrade from the previous release on its own data: `fixtures/store-v1.tar` was written by
//! the schema-1 release's `ishenim backup` after real use (see `fixtures/README.md`). It must
//! restore, migrate on open, keep every entry, event and the hash chain (same head as the
//! previous release printed), and go on registering.

use chrono::NaiveDate;
use ishenim_store::{
    AnonymousPolicy, ApprovedFields, DayKind, DraftStatus, EntryStatus, Lang, LetterDraft, Serial,
    Store, SCHEMA_VERSION,
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
    assert!(list[0].fields.anonymous);
    let e = s.entry_current_view(serial(2)).expect("2026-0002");
    assert_eq!(e.applicant, "Төлөнбай уулу Нурлан");
    assert_eq!(e.fields.phone.as_deref(), Some("+996550669785"), "amended");
    assert_eq!(e.fields.official.as_deref(), Some("Жумабеков Н."));
    assert_eq!(e.measures, ["Аянтча үчүн жер бөлүндү"]);
    assert_eq!(e.reply_no.as_deref(), Some("01-15/77"));
    assert!(e.deadline_extended);
    assert_eq!(e.status, EntryStatus::Closed);
    assert_eq!((e.amendments, e.events), (1, 5));
    let first = s.entry_as_registered(serial(2)).expect("as registered");
    assert_eq!(first.fields.phone.as_deref(), Some("+996550669784"));
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
    assert!(v.fields.anonymous);
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

/// The head `ishenim backup` printed for `fixtures/store-v3.tar` (see `fixtures/README.md`).
const V3_HEAD: &str = "29e737b8563e02051ef6a4cbd6faec438d76b51d3d569a51ce7ff311efb8e0a1";

fn fixture_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Drafts exactly as the release before the typed contract stored them (`drafts.data`
/// of `store-v3.tar`, one web-transcribed and one regrouped shape) load as [`LetterDraft`]
/// with every value, and write back the same JSON: a re-save loses no key.
#[test]
fn drafts_stored_by_the_previous_release_load_typed_and_write_back_unchanged() {
    let text = std::fs::read_to_string(fixture_file("drafts-v3.jsonl")).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let drafts: Vec<LetterDraft> = lines
        .iter()
        .map(|l| LetterDraft::from_stored_json(l).expect("loads"))
        .collect();
    assert!(drafts[0].applicant.anonymous && drafts[0].corruption.flag);
    assert_eq!(drafts[0].category, "utilities");
    let d = &drafts[1];
    assert_eq!(d.applicant.name.as_deref(), Some("Төлөнбай уулу Нурлан"));
    assert_eq!(d.phone.as_deref(), Some("+996550669784"));
    assert_eq!(d.date.as_deref(), Some("2024-06-08"));
    assert_eq!(d.pages, ["L005p1"]);
    assert!((d.confidence.summary - 0.5).abs() < 1e-6);
    assert_eq!(d.spans["applicant"][0].page, "L005p1");
    assert_eq!(d.category_detail.reasons.len(), 3);
    assert_eq!(
        drafts[3].transcription("L019p1"),
        Some("Медсестра акысыз кезек жок дейт.")
    );
    assert_eq!(drafts[4].regrouped_from, [1, 3]);
    // The language, once a string, reads as the text toolkit's `Lang` (and writes back
    // as the same code below); the regrouped draft had none.
    let langs: Vec<Option<Lang>> = drafts.iter().map(|d| d.lang).collect();
    assert_eq!(
        langs,
        [
            Some(Lang::Ky),
            Some(Lang::Ky),
            Some(Lang::Ru),
            Some(Lang::Ru),
            None
        ]
    );
    for (line, d) in lines.iter().zip(&drafts) {
        let stored: serde_json::Value = serde_json::from_str(line).expect("json");
        let mut written = serde_json::to_value(d).expect("json");
        if stored.get("receipt_code").is_none() {
            // A regrouped draft had no keys; written back it has them all (empty).
            written = serde_json::json!({"regrouped_from": written["regrouped_from"]});
        }
        assert!(same(&written, &stored), "{written}\n{stored}");
    }
}

/// JSON equality with numbers compared as the `f32` the draft holds (the previous release
/// sometimes printed the last digit of a widened `f32` differently).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::{Array, Number, Object};
    match (a, b) {
        (Number(x), Number(y)) => x.as_f64().map(|v| v as f32) == y.as_f64().map(|v| v as f32),
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Object(x), Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A register made by the release before the typed draft and the chained-row structs
/// (`fixtures/store-v3.tar`): restores, migrates, verifies to the same head, its drafts
/// load typed with their columns, and it goes on registering.
#[test]
fn a_register_of_the_release_before_the_typed_draft_verifies_and_keeps_working() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let archive = fixture_file("store-v3.tar");
    assert_eq!(
        Store::verify_backup(&archive)
            .expect("sound")
            .schema_version,
        3
    );
    Store::restore(&archive, &data, false).expect("restore v3");
    let s = Store::open(&data).expect("open migrates");
    let r = s.verify().expect("verify");
    assert!(r.ok && r.rows_checked == 5, "{r:?}");
    let head = r.head.expect("head");
    assert_eq!(
        (head.label.as_str(), head.hash.as_str()),
        ("event 2", V3_HEAD)
    );
    let e = s.entry_current_view(serial(2)).expect("2026-0002");
    assert_eq!(e.applicant, "Төлөнбай уулу Нурлан");
    assert_eq!(e.fields.phone.as_deref(), Some("+996550669785"), "amended");
    assert_eq!(e.fields.official.as_deref(), Some("Жумабеков Н."));
    assert_eq!(e.measures, ["Жер өлчөндү"]);
    let d2 = s.get_draft(e.draft_id).expect("draft");
    assert_eq!(d2.data.applicant.name, d2.applicant_name);
    assert_eq!(d2.data.phone.as_deref(), Some("+996550669784"));
    let pending = s.pending_drafts().expect("pending");
    assert_eq!(pending.len(), 1);
    let d = &pending[0];
    assert!(d.anonymous && d.data.corruption.flag);
    assert_eq!(d.category.as_deref(), Some("health"));
    let at = NaiveDate::from_ymd_opt(2026, 12, 7)
        .and_then(|x| x.and_hms_opt(10, 0, 0))
        .expect("time");
    let next = s
        .approve_draft_at(d.id, "rev", &ApprovedFields::from_draft(d), at)
        .expect("approve after upgrade");
    assert_eq!(next, serial(3));
    let r = s.verify().expect("verify");
    assert!(r.ok && r.rows_checked == 6, "{r:?}");
    assert!(s.verify_against(V3_HEAD).expect("old head").ok);
}
