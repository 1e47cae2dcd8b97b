//! Scores drafting on a rendered corpus.
//!
//! usage: cargo run --release -p ishenim-draft --example eval -- CORPUS_DIR [--scan SCAN.jsonl] [--models DIR]
//!        [--dump] [--errors]
//!        cargo run --release -p ishenim-draft --example eval -- --text LETTER.txt [--explain]
//! Without `--scan` the pages are built from the ground-truth text; with it, from `ishenim scan --json` output
//! (JSON lines or one JSON array of page records; file-error records are skipped).

use ishenim_draft::{draft_letters, eval, Models};
use ishenim_page::PageRecord;
use std::time::Instant;

fn read_scan(path: &str) -> Result<Vec<PageRecord>, String> {
    let s = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let t = s.trim_start();
    if t.starts_with('[') {
        let v: Vec<serde_json::Value> = serde_json::from_str(t).map_err(|e| e.to_string())?;
        return Ok(v
            .into_iter()
            .filter_map(|x| serde_json::from_value(x).ok())
            .collect());
    }
    Ok(s.lines()
        .filter_map(|l| serde_json::from_str::<PageRecord>(l).ok())
        .collect())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--text FILE`: draft one letter from a plain text file and print the draft.
    if args.first().is_some_and(|a| a == "--text") {
        let Some(text) = args.get(1).and_then(|p| std::fs::read_to_string(p).ok()) else {
            eprintln!("usage: eval --text FILE");
            std::process::exit(2);
        };
        let pages = vec![eval::page_from_text("p1", &text)];
        if args.iter().any(|a| a == "--explain") {
            let refs: Vec<&PageRecord> = pages.iter().collect();
            for l in ishenim_draft::fuzzing::explain_names(&refs) {
                println!("{l}");
            }
        }
        for d in draft_letters(&pages, &Models::embedded()) {
            println!("{}", serde_json::to_string(&d).unwrap_or_default());
        }
        return;
    }
    let Some(corpus) = args.first() else {
        eprintln!("usage: eval CORPUS_DIR [--scan SCAN.jsonl] [--models DIR] [--dump] [--errors]");
        std::process::exit(2);
    };
    let opt = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let truth = match std::fs::read_to_string(format!("{corpus}/truth.jsonl")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{corpus}/truth.jsonl: {e}");
            std::process::exit(2);
        }
    };
    let models = match opt("--models") {
        Some(d) => match Models::load(std::path::Path::new(&d)) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
        None => Models::embedded(),
    };
    let pages = match opt("--scan") {
        Some(p) => match read_scan(&p) {
            Ok(mut v) => {
                v.sort_by(|a, b| a.stem.cmp(&b.stem));
                v
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
        None => match eval::pages_from_truth(&truth) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
    };
    let runs = 20;
    let t0 = Instant::now();
    let mut drafts = Vec::new();
    for _ in 0..runs {
        drafts = draft_letters(&pages, &models);
    }
    let per_run = t0.elapsed().as_secs_f64() / runs as f64;
    if args.iter().any(|a| a == "--dump") {
        for d in &drafts {
            println!("{}", serde_json::to_string(d).unwrap_or_default());
        }
    }
    let rep = match eval::evaluate(&drafts, &truth) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    println!(
        "pages={} drafts={} letters={}",
        pages.len(),
        drafts.len(),
        rep.letters
    );
    print!("{rep}");
    println!(
        "drafting time: {:.3} ms for all pages, {:.1} µs per letter",
        per_run * 1e3,
        per_run * 1e6 / drafts.len().max(1) as f64
    );
    if args.iter().any(|a| a == "--errors") {
        for m in &rep.mismatches {
            println!("  {m}");
        }
    }
}
