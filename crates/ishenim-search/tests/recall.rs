//! Recall and precision of word search on a hand-labelled set (`tests/recall/`).
//!
//! `letters.json`: the project's 67 letters (dev, tuning and held-out) and 23 copies as OCR
//! reads them (ө ү ң as о у н, Latin look-alikes, capitals). `labels.json`: for each lemma,
//! the inflected forms that occur in those letters, chosen by hand; and queries (a lemma or
//! one of its inflected forms, not necessarily present in any letter). A letter is relevant
//! to a query when its text contains one of the lemma's forms (compared after lowercasing and
//! writing ө ү ң as о у н, nothing else: the labels do not depend on the code under test),
//! and an `#ocr` copy exactly when its original is. The letters are registered in a real
//! store, indexed and searched through the public API.
//!
//! Fails when micro-averaged recall < 0.98 or precision < 0.9 (e.g. when stemming breaks);
//! exact word matching reaches a recall far below that on this set (printed as a baseline).

use chrono::NaiveDate;
use ishenim_search::seed::{register, SeedLetter};
use ishenim_search::{Index, Query};
use ishenim_store::{ApprovedFields, Store};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn fold_plain(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ө' => 'о',
            'ү' => 'у',
            'ң' => 'н',
            c => c,
        })
        .collect()
}

fn words_plain(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold_plain)
        .collect()
}

#[test]
fn recall_and_precision_on_the_labelled_letters() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let letters: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/tests/recall/letters.json")).unwrap(),
    )
    .unwrap();
    let labels: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/tests/recall/labels.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<String> = letters
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    let texts: Vec<String> = letters
        .iter()
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect();

    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("data")).unwrap();
    let seed: Vec<SeedLetter> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| SeedLetter {
            pages: vec![t.clone()],
            fields: ApprovedFields {
                applicant_name: None,
                anonymous: true,
                address: None,
                phone: None,
                brief: format!("{}", i + 1),
                category: "other".into(),
                corruption: false,
                official: None,
            },
            at: None,
        })
        .collect();
    let opened = NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let serials = register(&store, opened, &seed, "test").unwrap();
    let by_serial: HashMap<String, usize> = serials
        .iter()
        .enumerate()
        .map(|(i, s)| (s.to_string(), i))
        .collect();
    let index = Index::open(&store).unwrap();
    assert_eq!(index.sync(&store).unwrap().total, letters.len() as u64);

    // Relevance from the labels only.
    let doc_words: HashMap<&str, HashSet<String>> = ids
        .iter()
        .zip(&texts)
        .map(|(id, t)| (id.as_str(), words_plain(t)))
        .collect();
    let relevant = |lemma: &str| -> HashSet<usize> {
        let forms: HashSet<String> = labels["lemmas"][lemma]
            .as_array()
            .unwrap_or_else(|| panic!("no lemma {lemma}"))
            .iter()
            .map(|f| fold_plain(f.as_str().unwrap()))
            .collect();
        ids.iter()
            .enumerate()
            .filter(|(_, id)| {
                let original = id.split('#').next().unwrap();
                doc_words[original].iter().any(|w| forms.contains(w))
            })
            .map(|(i, _)| i)
            .collect()
    };

    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    // Baseline: exact (folded) word match, to show the set needs stemming.
    let (mut base_tp, mut base_fn) = (0usize, 0usize);
    let mut worst: Vec<(String, usize, usize, usize)> = Vec::new();
    let queries = labels["queries"].as_array().unwrap();
    for q in queries {
        let (text, lemma) = (q[0].as_str().unwrap(), q[1].as_str().unwrap());
        let want = relevant(lemma);
        assert!(!want.is_empty(), "label {lemma} matches no letter");
        let got: HashSet<usize> = index
            .search(&Query::parse(text).unwrap(), 1000, 0)
            .unwrap()
            .into_iter()
            .map(|h| by_serial[&h.serial])
            .collect();
        let exact: HashSet<usize> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| doc_words[id.split('#').next().unwrap()].contains(&fold_plain(text)))
            .map(|(i, _)| i)
            .collect();
        base_tp += exact.intersection(&want).count();
        base_fn += want.difference(&exact).count();
        let t = got.intersection(&want).count();
        let (f, n) = (got.len() - t, want.len() - t);
        tp += t;
        fp += f;
        fneg += n;
        if f + n > 0 {
            worst.push((text.to_string(), t, f, n));
        }
    }
    let recall = tp as f64 / (tp + fneg) as f64;
    let precision = tp as f64 / (tp + fp) as f64;
    println!(
        "recall test: {} queries, {} letters: recall {recall:.3} precision {precision:.3} (tp {tp}, fp {fp}, fn {fneg})",
        queries.len(),
        letters.len()
    );
    let base_recall = base_tp as f64 / (base_tp + base_fn) as f64;
    println!("  baseline without stemming (exact word): recall {base_recall:.3}");
    for (q, t, f, n) in &worst {
        println!("  {q}: found {t} right, {f} wrong, {n} missed");
    }
    assert!(recall >= 0.98, "recall {recall:.3} < 0.98");
    assert!(precision >= 0.9, "precision {precision:.3} < 0.9");
    assert!(base_recall < 0.8, "the labelled set should need stemming");
}
