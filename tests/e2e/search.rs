//! `ishenim search` through the real binary: letters stored as pending drafts with the
//! store's API (no scanning), approved with `ishenim drafts approve --all`, then found by an
//! inflected form, by a prefix, a phrase and a filter; the query is audited, the index is a
//! cache that is rebuilt when deleted.

use crate::{ok, run};
use chrono::NaiveDate;
use ishenim_search::seed::{add_drafts, SeedLetter};
use ishenim_store::{ApprovedFields, Store};
use serde_json::Value;
use std::path::Path;

fn letter(name: Option<&str>, text: &str, corruption: bool) -> SeedLetter {
    SeedLetter {
        pages: vec![text.to_string()],
        fields: ApprovedFields {
            applicant_name: name.map(str::to_string),
            anonymous: name.is_none(),
            address: Some("Кара-Суу айылы, Достук көчөсү, 7-үй".into()),
            phone: None,
            brief: "Арыз".into(),
            category: "land".into(),
            corruption,
            official: None,
        },
        at: None,
    }
}

fn hits(data: &Path, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["--user", "commission1", "search", "--json"];
    a.extend_from_slice(args);
    ok(&run(data, &a))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn serials(v: &[Value]) -> Vec<String> {
    let mut s: Vec<String> = v
        .iter()
        .map(|h| h["serial"].as_str().expect("serial").to_string())
        .collect();
    s.sort();
    s
}

#[test]
fn search_finds_inflected_forms_of_approved_appeals_and_is_audited() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    {
        let store = Store::open(&data).expect("store");
        let opened = NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date");
        add_drafts(
            &store,
            opened,
            &[
                letter(
                    Some("Асанов Бакыт"),
                    "Айыл өкмөтүнүн кызматкери жер тилкесин берүү үчүн парасын сурады.",
                    true,
                ),
                letter(None, "Окмотуно кайрылабыз: кочолордо жарык жок.", false),
                letter(
                    Some("Иванов Пётр"),
                    "Секретарь требует взятку за справку.",
                    true,
                ),
            ],
        )
        .expect("drafts");
    }
    // Nothing is approved yet: nothing to find.
    assert!(hits(&data, &["пара"]).is_empty());
    ok(&run(
        &data,
        &["--user", "reviewer1", "drafts", "approve", "--all"],
    ));
    let list: Vec<Value> = ok(&run(&data, &["journal", "list", "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let all: Vec<String> = serials(&list);
    assert_eq!(all.len(), 3);

    // The inflected form "парага" finds "парасын"; keys are a contract.
    let h = hits(&data, &["парага"]);
    assert_eq!(serials(&h), vec![all[0].clone()]);
    let o = h[0].as_object().expect("object");
    for key in ["serial", "snippet", "score"] {
        assert!(o.contains_key(key), "{key} missing: {o:?}");
    }
    assert!(h[0]["snippet"]
        .as_str()
        .expect("snippet")
        .contains("парасын"));
    assert!(h[0]["score"].as_f64().expect("score") > 0.0);
    // ө read as о by OCR, both ways; Russian stems; prefixes; phrases; filters.
    assert_eq!(
        serials(&hits(&data, &["өкмөтү"])),
        vec![all[0].clone(), all[1].clone()]
    );
    assert_eq!(serials(&hits(&data, &["взятки"])), vec![all[2].clone()]);
    assert_eq!(serials(&hits(&data, &["кызмат*"])), vec![all[0].clone()]);
    assert_eq!(
        serials(&hits(&data, &["\"жер тилкеси\""])),
        vec![all[0].clone()]
    );
    assert_eq!(
        serials(&hits(&data, &["--flag", "yes", "--anonymous", "no"])),
        vec![all[0].clone(), all[2].clone()]
    );
    assert_eq!(
        serials(&hits(&data, &["жарык", "--village", "Кара-Суу"])),
        vec![all[1].clone()]
    );
    // Plain output marks the hit; garbage is a usage error, not a crash.
    let text = ok(&run(&data, &["search", "паралар"]));
    assert!(
        text.contains(&all[0]) && text.contains("*парасын*"),
        "{text}"
    );
    let bad = run(&data, &["search", "***"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&bad.stderr).contains("panicked"));

    // The query is audited under --user, never the letter text.
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let rows: Vec<(String, String)> = db
        .prepare("SELECT user, object FROM audit WHERE action = 'search'")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(rows
        .iter()
        .any(|(u, o)| u == "commission1" && o.contains("парага")));
    assert!(rows.iter().all(|(_, o)| !o.contains("сурады")));

    // The index is a cache: deleted, it is rebuilt by the next search.
    std::fs::remove_file(data.join("search.sqlite")).expect("rm index");
    let _ = std::fs::remove_file(data.join("search.sqlite-wal"));
    let _ = std::fs::remove_file(data.join("search.sqlite-shm"));
    assert_eq!(serials(&hits(&data, &["парага"])), vec![all[0].clone()]);
}
