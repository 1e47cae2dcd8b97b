//! The index against a real register: inflected and OCR-read words, filters, sync after
//! amendments and events, the file as a rebuildable cache, similar appeals.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use ishenim_store::{ApprovedFields, EntryField, EntryStatus, Serial};

use super::doc::date_tags;
use super::*;
use crate::query::{Query, QueryError};
use crate::seed::{register, SeedLetter};
use crate::snippet::plain;
use crate::SearchError;

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(10, 0, 0))
        .unwrap()
}

fn letter(
    name: Option<&str>,
    address: &str,
    phone: &str,
    brief: &str,
    pages: &[&str],
) -> SeedLetter {
    SeedLetter {
        pages: pages.iter().map(|s| s.to_string()).collect(),
        fields: ApprovedFields {
            applicant_name: name.map(str::to_string),
            anonymous: name.is_none(),
            address: Some(address.to_string()),
            phone: (!phone.is_empty()).then(|| phone.to_string()),
            brief: brief.to_string(),
            category: "land".into(),
            corruption: false,
            official: None,
        },
        at: None,
    }
}

/// Four letters: Kyrgyz with inflected forms, Kyrgyz as OCR reads it, Russian, unrelated.
fn fixture() -> (tempfile::TempDir, Store, Vec<Serial>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut a = letter(
        Some("Асанов Бакыт"),
        "Кара-Суу айылы, Достук көчөсү, 7-үй",
        "+996 700 123 456",
        "Жер тилкеси үчүн пара талап кылынды",
        &[
            "Айыл өкмөтүнүн кызматкери жер тилкесин берүү үчүн парасын сурады.",
            "Кызматкерлеринин аты-жөнүн жазам. Жерлерин сатып жатышат.",
        ],
    );
    a.fields.corruption = true;
    a.at = Some(at(2026, 1, 15));
    let mut b = letter(
        None,
        "Кара-Суу айылы",
        "",
        "Көчө жарыгы",
        &["Окмотуно кайрылабыз: кочолордо жарык жок, паралар жонундо да угабыз."],
    );
    b.at = Some(at(2026, 2, 10));
    b.fields.category = "utilities".into();
    let mut c = letter(
        Some("Иванов Пётр"),
        "с. Ак-Суу, ул. Ленина, д. 5",
        "0700 123456",
        "Взятка за справку",
        &["Прошу проверить: секретарь требует взятку за справку. Взятки берут все."],
    );
    c.fields.corruption = true;
    c.at = Some(at(2026, 3, 5));
    let mut d = letter(
        Some("Бакыт Асанов"),
        "Ак-Суу айылы",
        "",
        "Спорт аянтчасы",
        &["Балдар үчүн спорт аянтчасын курууну суранабыз."],
    );
    d.at = Some(at(2026, 4, 1));
    let serials = register(&store, at(2026, 1, 14), &[a, b, c, d], "rev").unwrap();
    (dir, store, serials)
}

fn serials(idx: &Index, q: &str) -> Vec<String> {
    let mut v: Vec<String> = idx
        .search(&Query::parse(q).unwrap(), 50, 0)
        .unwrap()
        .into_iter()
        .map(|h| h.serial)
        .collect();
    v.sort();
    v
}

#[test]
fn finds_inflected_forms_ocr_readings_and_russian_stems() {
    let (_d, store, s) = fixture();
    let idx = Index::open(&store).unwrap();
    let st = idx.sync(&store).unwrap();
    assert_eq!((st.indexed, st.total, st.rebuilt), (4, 4, false));
    let (a, b, c) = (s[0].to_string(), s[1].to_string(), s[2].to_string());
    assert_eq!(serials(&idx, "пара"), vec![a.clone(), b.clone()]);
    assert_eq!(serials(&idx, "ПАРАГА"), vec![a.clone(), b.clone()]);
    assert_eq!(serials(&idx, "жерди"), vec![a.clone()]);
    assert_eq!(serials(&idx, "кызматкерине"), vec![a.clone()]);
    // OCR wrote о/у for ө/ү: found both ways.
    assert_eq!(serials(&idx, "өкмөтү"), vec![a.clone(), b.clone()]);
    assert_eq!(serials(&idx, "көчөлөрдө"), vec![a.clone(), b.clone()]);
    assert_eq!(serials(&idx, "взятки"), vec![c.clone()]);
    assert_eq!(serials(&idx, "пара кызматкер"), vec![a.clone()]);
    // Phrases: in order only.
    assert_eq!(serials(&idx, "\"жер тилкесин\""), vec![a.clone()]);
    assert!(serials(&idx, "\"тилкеси жер\"").is_empty());
    assert_eq!(serials(&idx, "\"требует взятки\""), vec![c.clone()]);
    // Prefixes on the written form.
    assert_eq!(serials(&idx, "кызматк*"), vec![a.clone()]);
    assert_eq!(serials(&idx, "справ*"), vec![c.clone()]);
    // Journal fields are searchable too.
    assert_eq!(serials(&idx, "Асанов"), vec![a.clone(), s[3].to_string()]);
    assert!(serials(&idx, "бензин").is_empty());
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Index>();
}

#[test]
fn date_tags_cover_the_range_exactly_by_month() {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    assert_eq!(
        date_tags(d(2025, 11, 15), d(2026, 2, 1)),
        vec!["m202511", "m202512", "m202601", "m202602"]
    );
    assert_eq!(
        date_tags(d(2024, 12, 1), d(2026, 12, 31)),
        vec!["m202412", "y2025", "y2026"]
    );
    assert_eq!(date_tags(d(2026, 3, 1), d(2026, 3, 31)), vec!["m202603"]);
}

#[test]
fn snippets_mark_the_original_words() {
    let (_d, store, _s) = fixture();
    let idx = Index::open(&store).unwrap();
    idx.sync(&store).unwrap();
    let hits = idx.search(&Query::parse("пара").unwrap(), 10, 0).unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.score > 0.0));
    let marked: Vec<&str> = hits
        .iter()
        .flat_map(|h| h.snippet.iter().filter(|s| s.hit).map(|s| s.text.as_str()))
        .collect();
    assert!(marked.contains(&"парасын"), "{marked:?}");
    assert!(marked.contains(&"паралар"), "{marked:?}");
    // A match only in the journal fields shows those.
    let h = idx.search(&Query::parse("Иванов").unwrap(), 10, 0).unwrap();
    assert!(plain(&h[0].snippet).contains("Иванов"), "{h:?}");
}

#[test]
fn filters_and_filter_only_queries() {
    let (_d, store, s) = fixture();
    let idx = Index::open(&store).unwrap();
    idx.sync(&store).unwrap();
    let ss: Vec<String> = s.iter().map(|x| x.to_string()).collect();
    assert_eq!(
        serials(&idx, "flag:yes"),
        vec![ss[0].clone(), ss[2].clone()]
    );
    assert_eq!(serials(&idx, "пара flag:no"), vec![ss[1].clone()]);
    assert_eq!(serials(&idx, "anonymous:yes"), vec![ss[1].clone()]);
    assert_eq!(
        serials(&idx, "from:2026-02-01 to:2026-03-31"),
        vec![ss[1].clone(), ss[2].clone()]
    );
    assert_eq!(
        serials(&idx, "village:\"Кара-Суу айылы\""),
        vec![ss[0].clone(), ss[1].clone()]
    );
    assert_eq!(
        serials(&idx, "village:Ак-Суу"),
        vec![ss[2].clone(), ss[3].clone()]
    );
    assert_eq!(serials(&idx, "category:utilities"), vec![ss[1].clone()]);
    assert_eq!(serials(&idx, "status:registered").len(), 4);
    // Filter-only results come newest first.
    let h = idx
        .search(&Query::parse("status:registered").unwrap(), 2, 0)
        .unwrap();
    assert_eq!(h[0].serial, ss[3]);
    assert_eq!(h[0].score, 0.0);
    let h2 = idx
        .search(&Query::parse("status:registered").unwrap(), 2, 2)
        .unwrap();
    assert_eq!(h2.len(), 2);
    assert_eq!(idx.count(&Query::parse("пара").unwrap()).unwrap(), 2);
    assert!(matches!(
        idx.search(&Query::default(), 10, 0),
        Err(SearchError::Query(QueryError::Empty))
    ));
}

#[test]
fn sync_follows_amendments_and_events_and_is_idempotent() {
    let (_d, store, s) = fixture();
    let idx = Index::open(&store).unwrap();
    idx.sync(&store).unwrap();
    let again = idx.sync(&store).unwrap();
    assert_eq!((again.indexed, again.total), (0, 4));
    store
        .assign_official(s[1], "admin", "Токтогулов Н.")
        .unwrap();
    store
        .record_reply(
            s[1],
            "clerk",
            "01-12/45",
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        )
        .unwrap();
    store
        .amend_entry(s[3], "rev", EntryField::Corruption, Some("true"), "seen")
        .unwrap();
    store
        .amend_entry(
            s[3],
            "rev",
            EntryField::Brief,
            Some("Спорт аянтчасы, пара"),
            "typo",
        )
        .unwrap();
    let st = idx.sync(&store).unwrap();
    assert_eq!(st.indexed, 2);
    let ss: Vec<String> = s.iter().map(|x| x.to_string()).collect();
    assert_eq!(serials(&idx, "status:answered"), vec![ss[1].clone()]);
    assert_eq!(serials(&idx, "official:токтогулов"), vec![ss[1].clone()]);
    assert_eq!(serials(&idx, "flag:yes").len(), 3);
    assert!(serials(&idx, "пара").contains(&ss[3]));
    let _ = EntryStatus::Answered;
    // A new entry after the last sync.
    let mut e = letter(
        Some("Жаңы"),
        "Ак-Суу айылы",
        "",
        "Суу жок",
        &["Сугат суусу жетпейт."],
    );
    e.at = Some(at(2026, 5, 5));
    let new = register(&store, at(2026, 5, 4), &[e], "rev").unwrap();
    assert_eq!(idx.sync(&store).unwrap().indexed, 1);
    assert_eq!(serials(&idx, "сугатка"), vec![new[0].to_string()]);
}

#[test]
fn the_file_is_a_cache_deleted_or_replaced_it_is_rebuilt() {
    let (_d, store, _s) = fixture();
    {
        let idx = Index::open(&store).unwrap();
        idx.sync(&store).unwrap();
    }
    std::fs::remove_file(store.data_dir().join(INDEX_FILE)).unwrap();
    let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-wal"));
    let idx = Index::open(&store).unwrap();
    assert_eq!(idx.sync(&store).unwrap().indexed, 4);
    drop(idx);
    // Garbage in the file: recreated.
    std::fs::write(
        store.data_dir().join(INDEX_FILE),
        b"not a database at all, really",
    )
    .unwrap();
    let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-wal"));
    let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-shm"));
    let idx = Index::open(&store).unwrap();
    assert_eq!(idx.sync(&store).unwrap().total, 4);
    // An index that saw another journal (e.g. before a restore) starts over.
    let other = tempfile::tempdir().unwrap();
    let store2 = Store::open(&other.path().join("data")).unwrap();
    let mut l = letter(Some("Бирөө"), "Ош", "", "Башка", &["башка кат"]);
    l.at = Some(at(2026, 1, 20));
    register(&store2, at(2026, 1, 19), &[l.clone(), l], "rev").unwrap();
    let st = idx.sync(&store2).unwrap();
    assert!(st.rebuilt);
    assert_eq!(st.total, 2);
    let r = idx.rebuild(&store).unwrap();
    assert!(r.rebuilt);
    assert_eq!(r.total, 4);
}

#[test]
fn similar_appeals_by_applicant_phone_address_and_text() {
    let (_d, store, s) = fixture();
    let idx = Index::open(&store).unwrap();
    idx.sync(&store).unwrap();
    let sim = idx.similar(&store, s[0]).unwrap();
    let by: HashMap<String, Vec<SimilarReason>> =
        sim.into_iter().map(|x| (x.serial, x.reasons)).collect();
    // Same name in another order.
    assert_eq!(by[&s[3].to_string()], vec![SimilarReason::SameApplicant]);
    // Same phone written otherwise.
    assert_eq!(by[&s[2].to_string()], vec![SimilarReason::SamePhone]);
    assert!(!by.contains_key(&s[0].to_string()));
    // A repeated complaint: same text from another person.
    let mut rep = letter(
        Some("Токтосунов Эрлан"),
        "Талас шаары",
        "",
        "Жер тилкеси",
        &[
            "Айыл өкмөтүнүн кызматкери жер тилкесин берүү үчүн парасын сурады.",
            "Кызматкерлеринин аты-жөнүн жазам. Жерлерин сатып жатышат.",
        ],
    );
    rep.at = Some(at(2026, 6, 1));
    let r = register(&store, at(2026, 5, 30), &[rep], "rev").unwrap();
    idx.sync(&store).unwrap();
    let sim = idx.similar(&store, r[0]).unwrap();
    assert_eq!(sim[0].serial, s[0].to_string());
    assert!(matches!(sim[0].reasons[0], SimilarReason::SimilarText { overlap } if overlap > 0.8));
    assert!(matches!(
        idx.similar(
            &store,
            Serial {
                year: 2030,
                number: 1
            }
        ),
        Err(SearchError::Store(_))
    ));
}
