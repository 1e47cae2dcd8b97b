//! `ishenim_search::Query::parse` and the stemmers on arbitrary text, and the parsed query
//! run against a real (empty) search index, so the FTS5 MATCH expression and the filter SQL
//! built from it are checked by SQLite itself.
//!
//! Properties: never panics; a parsed query has a term or a filter, at most 32 terms, no
//! prefix shorter than 2 letters, and survives a JSON round trip; `parse_lenient` fails only
//! where `parse` does, never for emptiness; `search` and `count` on the parsed query succeed
//! (or say "nothing to search for"); a Kyrgyz stem is never longer than the folded word.
#![no_main]

use ishenim_search::stem::{kyrgyz_stem, russian_stem, Analyzer};
use ishenim_search::text::{fold, guess_lang, normalize_word, tokenize, Lang};
use ishenim_search::{Index, Query, QueryError, SearchError, Term};
use ishenim_store::Store;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// An empty register and its index, made once per fuzzing process (on tmpfs when there is one).
static INDEX: LazyLock<(tempfile::TempDir, Store, Index)> = LazyLock::new(|| {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("temp dir");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let index = Index::open(&store).expect("index");
    index.sync(&store).expect("sync");
    (dir, store, index)
});

fn check_stems(text: &str) {
    let a = Analyzer;
    for t in tokenize(text).into_iter().take(200) {
        let n = normalize_word(t.text);
        let ky = kyrgyz_stem(&n);
        assert!(
            ky.chars().count() <= fold(&n, Lang::Ky).chars().count(),
            "Kyrgyz stem longer than the word"
        );
        let _ = russian_stem(&n);
        let _ = a.doc_word(t.text, Lang::Ky);
        let _ = a.doc_word(t.text, Lang::Ru);
        let _ = a.query_terms(t.text);
        assert!(!a.query_prefix(t.text).is_empty());
    }
    let _ = guess_lang(text);
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_stems(&text);
    let lenient = Query::parse_lenient(&text);
    let q = match Query::parse(&text) {
        Ok(q) => q,
        Err(QueryError::Empty) => {
            assert!(matches!(&lenient, Ok(l) if l.terms.is_empty() && l.filters.is_empty()));
            return;
        }
        Err(e) => {
            assert_eq!(lenient, Err(e), "parse and parse_lenient disagree");
            return;
        }
    };
    assert_eq!(
        lenient.as_ref().ok(),
        Some(&q),
        "parse and parse_lenient disagree"
    );
    assert!(q.has_terms() || !q.filters.is_empty());
    assert!(q.terms.len() <= 32, "{} terms", q.terms.len());
    for t in &q.terms {
        if let Term::Prefix(p) = t {
            assert!(p.chars().count() >= 2, "one-letter prefix");
        }
    }
    let json = serde_json::to_string(&q).expect("serialise");
    let back: Query = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, q, "JSON round trip");

    let (_, _, index) = &*INDEX;
    for r in [
        index.search(&q, 10, 0).map(|h| h.len() as u64),
        index.count(&q),
    ] {
        match r {
            Ok(n) => assert_eq!(n, 0, "hits in an empty index"),
            Err(SearchError::Query(QueryError::Empty)) => {}
            Err(e) => panic!("search failed: {e}"),
        }
    }
});
