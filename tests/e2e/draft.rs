//! `ishenim draft` and `ishenim eval`: the per-letter JSON contract on real scans, fields
//! against samples/truth.jsonl, the readable table, the eval report on a tiny corpus.

use crate::{ishenim, root};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The sample stack: a Kyrgyz letter, an anonymous one, a two-letter PDF and a blank sheet.
const STACK: &[&str] = &[
    "samples/L003p1.png",
    "samples/L002p1.tif",
    "samples/opening-scan.pdf",
    "samples/B01.jpg",
];

fn truth() -> HashMap<String, Value> {
    let body = std::fs::read_to_string(root().join("samples/truth.jsonl")).expect("truth");
    body.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect()
}

/// `ishenim draft --json STACK` once for all tests.
fn drafted() -> &'static (Vec<Value>, i32) {
    static RUN: OnceLock<(Vec<Value>, i32)> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut args = vec!["draft", "--json"];
        args.extend_from_slice(STACK);
        let out = ishenim(&root(), &args);
        let rows = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        (rows, out.status.code().unwrap_or(-1))
    })
}

fn letter_with<'a>(rows: &'a [Value], stem: &str) -> &'a Value {
    rows.iter()
        .find(|r| {
            r["pages"]
                .as_array()
                .is_some_and(|p| p.iter().any(|s| s == stem))
        })
        .unwrap_or_else(|| panic!("no letter holds page {stem}"))
}

#[test]
fn draft_json_follows_the_contract() {
    let (rows, code) = drafted();
    assert_eq!(*code, 0);
    assert_eq!(
        rows.len(),
        4,
        "four letters (the blank sheet is not a letter): {rows:?}"
    );
    for r in rows {
        for k in [
            "pages",
            "lang",
            "applicant",
            "address",
            "phone",
            "date",
            "summary",
            "category",
            "corruption",
            "confidence",
            "needs_transcription",
        ] {
            assert!(r.get(k).is_some(), "missing {k} in {r}");
        }
        assert!(r["applicant"].get("name").is_some() && r["applicant"]["anonymous"].is_boolean());
        assert!(
            matches!(r["lang"].as_str(), Some("ky" | "ru")),
            "{}",
            r["lang"]
        );
        assert!(r["corruption"]["flag"].is_boolean() && r["corruption"]["score"].is_number());
        assert!(r["needs_transcription"].is_boolean() && r["confidence"].is_object());
        let pages: Vec<&str> = r["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(!pages.is_empty());
        let summary = r["summary"].as_str().expect("summary");
        assert!(
            !summary.is_empty() && summary.chars().count() <= 200,
            "summary {summary:?}"
        );
        for reason in r["corruption"]["reasons"].as_array().expect("reasons") {
            let page = reason["page"].as_str().expect("page");
            assert!(
                pages.contains(&page),
                "reason on a page of the letter: {reason}"
            );
            assert!(reason["phrase"].as_str().is_some_and(|p| !p.is_empty()));
            let b = reason["bbox"].as_array().expect("bbox");
            assert_eq!(b.len(), 4);
        }
        if let Some(d) = r["date"].as_str() {
            assert!(d.len() == 10 && d.as_bytes()[4] == b'-', "ISO date {d}");
        }
    }
    // The blank backside is attached to the letter before it, never a letter of its own.
    let b = letter_with(rows, "B01");
    assert!(b["pages"].as_array().is_some_and(|p| p.len() == 2));
}

#[test]
fn draft_fields_match_the_truth_where_ocr_is_clean() {
    let (rows, _) = drafted();
    let truth = truth();
    for stem in ["L003p1", "L002p1", "opening-scan-1", "opening-scan-2"] {
        let d = letter_with(rows, stem);
        let t = &truth[stem];
        assert_eq!(
            d["applicant"]["anonymous"], t["anonymous"],
            "{stem}: anonymous"
        );
        assert_eq!(
            d["corruption"]["flag"], t["corruption"],
            "{stem}: corruption flag"
        );
        assert_eq!(d["lang"], t["lang"], "{stem}: lang");
    }
    for stem in ["L002p1", "opening-scan-1", "opening-scan-2"] {
        let d = letter_with(rows, stem);
        let t = &truth[stem];
        assert_eq!(d["phone"], t["phone"], "{stem}: phone");
        assert_eq!(d["applicant"]["name"], t["name"], "{stem}: name");
        assert_eq!(d["date"], t["date"], "{stem}: date");
    }
    // The anonymous letter: no invented name.
    assert!(letter_with(rows, "L002p1")["applicant"]["name"].is_null());
}

#[test]
fn draft_table_is_readable_and_bad_files_give_exit_1() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.png");
    std::fs::write(&bad, b"not an image at all").expect("write");
    let o = ishenim(
        &root(),
        &[
            "draft",
            "samples/L002p1.tif",
            bad.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "an unreadable input gives exit 1");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("1 letters from 1 pages, 1 errors"), "{out}");
    assert!(out.contains("Анонимдүү") && out.contains("ERROR"), "{out}");
    // Appeal text goes to stdout only, never to stderr.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("күйүүчү"), "no letter text on stderr: {err}");
}

#[test]
fn eval_scores_a_small_corpus() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("corpus");
    std::fs::create_dir(&c).expect("mkdir");
    let mut truth = String::new();
    for (file, id) in [
        ("L002p1.tif", "L002p1"),
        ("opening-scan.pdf", "opening-scan"),
    ] {
        std::fs::copy(root().join("samples").join(file), c.join(file)).expect("copy");
        for line in std::fs::read_to_string(root().join("samples/truth.jsonl"))
            .expect("truth")
            .lines()
        {
            let v: Value = serde_json::from_str(line).expect("json");
            if v["id"].as_str().is_some_and(|s| s.starts_with(id)) {
                truth.push_str(line);
                truth.push('\n');
            }
        }
    }
    std::fs::write(c.join("truth.jsonl"), truth).expect("write");
    let o = ishenim(&root(), &["eval", "--json", c.to_str().unwrap_or_default()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["letters"], 3);
    assert_eq!(v["pages"], 3);
    assert_eq!(v["grouping"]["rate"], 1.0);
    assert_eq!(v["anonymous"]["rate"], 1.0);
    assert_eq!(v["phone"]["rate"], 1.0);
    for k in ["name", "date", "address", "corruption"] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert!(v["corruption"]["f1"].as_f64().is_some());
    // The readable report names every measure.
    let o = ishenim(&root(), &["eval", c.to_str().unwrap_or_default()]);
    let out = String::from_utf8_lossy(&o.stdout);
    for m in [
        "letter grouping",
        "phone",
        "name",
        "anonymous",
        "date",
        "address",
        "corruption F1",
    ] {
        assert!(out.contains(m), "{m} in {out}");
    }
    // No truth file: a usage error.
    let o = ishenim(&root(), &["eval", dir.path().to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(2));
}
