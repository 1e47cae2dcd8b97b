//! `ishenim scan`: golden accuracy on samples/, the output contract, bad input, exit codes.

use crate::{ishenim, root};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

#[path = "../../crates/ishenim-cli/src/score.rs"]
#[allow(dead_code)]
mod score;

/// Truth rows of samples/truth.jsonl by id.
fn truth() -> HashMap<String, Value> {
    let body = std::fs::read_to_string(root().join("samples/truth.jsonl")).expect("truth");
    body.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect()
}

/// `ishenim scan --json samples` once for all tests (it takes a while on 2 cores).
fn scanned() -> &'static (Vec<Value>, i32) {
    static RUN: OnceLock<(Vec<Value>, i32)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = ishenim(&root(), &["scan", "--json", "samples"]);
        let rows = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        (rows, out.status.code().unwrap_or(-1))
    })
}

#[test]
fn samples_read_with_low_error_per_page() {
    let (rows, code) = scanned();
    assert_eq!(*code, 0, "all samples are readable");
    let truth = truth();
    assert_eq!(rows.len(), truth.len(), "one record per page");
    let mut all = score::Score::default();
    for r in rows {
        let stem = r["stem"].as_str().expect("stem");
        let t = &truth[stem];
        assert_eq!(r["blank"], t["blank"], "{stem}: blank verdict");
        if t["blank"].as_bool() == Some(true) {
            assert_eq!(r["text"], "", "{stem}: blank pages have no text");
            continue;
        }
        assert_eq!(
            r["rotation"].as_u64(),
            t["turned"].as_u64(),
            "{stem}: rotation"
        );
        let s = score::score_page(
            t["text"].as_str().unwrap_or_default(),
            r["text"].as_str().unwrap_or_default(),
        );
        // Pages in fonts without ө ү ң glyphs are read through the word list; allow them more.
        let bound = if t["font"]
            .as_str()
            .unwrap_or_default()
            .contains("Liberation")
        {
            6.0
        } else {
            2.0
        };
        assert!(s.cer() <= bound, "{stem}: CER {:.2}% > {bound}%", s.cer());
        all.add(&s);
    }
    assert!(all.cer() < 1.0, "overall CER {:.2}%", all.cer());
    assert!(
        all.ky_recall() > 95.0,
        "ө ү ң recall {:.2}%",
        all.ky_recall()
    );
}

#[test]
fn json_records_follow_the_contract() {
    let (rows, _) = scanned();
    let keys = [
        "file",
        "page",
        "blank",
        "rotation",
        "skew_deg",
        "dpi",
        "lang",
        "mean_conf",
        "text",
        "words",
        "timings_ms",
    ];
    for r in rows {
        for k in keys {
            assert!(r.get(k).is_some(), "missing key {k} in {r}");
        }
        let size = r["size"].as_array().expect("size");
        let (w, h) = (size[0].as_u64().unwrap_or(0), size[1].as_u64().unwrap_or(0));
        for word in r["words"].as_array().expect("words") {
            let b: Vec<u64> = word["bbox"]
                .as_array()
                .expect("bbox")
                .iter()
                .map(|v| v.as_u64().unwrap_or(0))
                .collect();
            assert!(
                b[0] <= b[2] && b[1] <= b[3] && b[2] <= w && b[3] <= h,
                "bbox {b:?} inside {w}x{h}"
            );
        }
    }
    // Multi-page PDF pages get numbered stems.
    let stems: Vec<&str> = rows.iter().filter_map(|r| r["stem"].as_str()).collect();
    assert!(stems.contains(&"opening-scan-1") && stems.contains(&"opening-scan-2"));
}

#[test]
fn word_boxes_of_a_turned_page_land_on_the_original_image() {
    // L010p1 was scanned turned by a quarter, so the stored original is landscape and a
    // text line runs top to bottom: word boxes must be given in those coordinates.
    let (rows, _) = scanned();
    let r = rows.iter().find(|r| r["stem"] == "L010p1").expect("L010p1");
    let size = r["size"].as_array().expect("size");
    assert!(
        size[0].as_u64() > size[1].as_u64(),
        "the turned sample is landscape"
    );
    // On a page turned by a quarter, a text line is a vertical strip of the original.
    let words = r["words"].as_array().expect("words");
    let long = words
        .iter()
        .find(|w| w["text"].as_str().is_some_and(|t| t.chars().count() >= 8))
        .expect("a long word");
    let b: Vec<u64> = long["bbox"]
        .as_array()
        .expect("bbox")
        .iter()
        .map(|v| v.as_u64().unwrap_or(0))
        .collect();
    assert!(
        b[3] - b[1] > b[2] - b[0],
        "a long word is taller than wide on the turned original: {b:?}"
    );
}

#[test]
fn out_dir_gets_txt_and_json_per_page() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    let o = ishenim(
        &root(),
        &[
            "scan",
            "--out",
            out.to_str().unwrap_or_default(),
            "samples/L003p1.png",
            "samples/opening-scan.pdf",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for stem in ["L003p1", "opening-scan-1", "opening-scan-2"] {
        let txt = std::fs::read_to_string(out.join(format!("{stem}.txt"))).expect("txt");
        assert!(
            txt.split_whitespace().count() > 20,
            "{stem}.txt has the page text"
        );
        let json: Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(format!("{stem}.json"))).expect("json"),
        )
        .expect("valid");
        assert_eq!(json["stem"], stem);
    }
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("3 pages read"), "{summary}");
}

#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("empty.png"), b"").expect("write");
    let png = std::fs::read(root().join("samples/L003p1.png")).expect("png");
    std::fs::write(d.join("truncated.png"), &png[..png.len() / 3]).expect("write");
    // A PNG header claiming 60000 x 60000 pixels (a decompression bomb).
    let mut bomb = png[..33].to_vec();
    bomb[16..20].copy_from_slice(&60000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60000u32.to_be_bytes());
    std::fs::write(d.join("bomb.png"), &bomb).expect("write");
    std::fs::write(d.join("letter.jpg"), "this is not an image").expect("write");
    std::fs::write(
        d.join("broken.pdf"),
        b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer garbage",
    )
    .expect("write");
    // A real page with a wrong extension is still read: the type comes from the content.
    std::fs::copy(root().join("samples/L002p1.tif"), d.join("scan.jpg")).expect("copy");
    let args = [
        "scan",
        "--json",
        "empty.png",
        "truncated.png",
        "bomb.png",
        "letter.jpg",
        "broken.pdf",
        "scan.jpg",
    ];
    let o = ishenim(d, &args);
    assert_eq!(o.status.code(), Some(1), "some inputs failed");
    let rows: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let by_file: HashMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["file"].as_str().unwrap_or_default(), r))
        .collect();
    for bad in [
        "empty.png",
        "truncated.png",
        "bomb.png",
        "letter.jpg",
        "broken.pdf",
    ] {
        let r = by_file.get(bad).unwrap_or_else(|| panic!("{bad} reported"));
        let e = r["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{bad} has an error: {r}"));
        assert!(
            !e.is_empty() && !e.contains('\n'),
            "{bad}: one-line reason, got {e:?}"
        );
    }
    let good = by_file.get("scan.jpg").expect("scan.jpg read");
    assert!(
        good["text"].as_str().unwrap_or_default().len() > 200,
        "the good page is read"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let o = ishenim(&root(), &["scan"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ishenim(&root(), &["scan", "--no-such-flag", "x"]);
    assert_eq!(o.status.code(), Some(2));
}
