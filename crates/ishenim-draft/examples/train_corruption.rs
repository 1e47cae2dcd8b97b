//! Trains the learned corruption weights (`models/corruption-learned.tsv`) on labelled
//! letters, and measures them by cross-validation against the lexicon alone.
//!
//! usage: cargo run --release -p ishenim-draft --example train_corruption -- BATCH.jsonl...
//!        [--split tests/letters/split.txt] [--l2 X] [--min-df N] [--threshold T] [--out FILE]
//!
//! Letters marked `blind` in the split file are never trained on: they stay an honest measure.
//! Without `--out` it prints, for several regularisation strengths and thresholds, the
//! five-fold cross-validated precision and recall of the learned model alone, of the lexicon
//! alone and of both (flag when either flags). With `--out` it trains on every letter and
//! writes the weights.

use ishenim_draft::training::{
    category_features, letter_features, summary_candidates, train, Trained,
};
use ishenim_draft::{draft_letters, eval, Models};
use std::collections::HashSet;

struct Row {
    id: String,
    /// Index of the batch file: `--by-file` holds out one writer's whole batch at a time.
    file: usize,
    feats: Vec<String>,
    /// The category model's features (body with subject line, and the lexicon's hits).
    cat_feats: Vec<String>,
    truth: bool,
    lexicon: bool,
    /// The truth's category, the lexicon's, and the lexicon's confidence.
    category: (String, String, f32),
}

fn arg(args: &[String], k: &str) -> Option<String> {
    args.iter()
        .position(|a| a == k)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn blind_ids(path: &str) -> HashSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, p)| p.trim() == "blind")
        .map(|(id, _)| id.to_string())
        .collect()
}

fn load(files: &[String], blind: &HashSet<String>, models: &Models) -> Vec<Row> {
    let mut rows = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json row");
            let id = v["id"].as_str().unwrap_or_default().to_string();
            if blind.contains(&id) {
                continue;
            }
            let page = eval::page_from_text(&id, v["text"].as_str().unwrap_or_default());
            let feats = letter_features(&[&page], models);
            let cat_feats = category_features(&[&page], models);
            let drafts = draft_letters(std::slice::from_ref(&page), models);
            let lexicon = drafts.iter().any(|d| d.corruption.flag);
            let truth = v["truth"]["corruption"].as_bool().unwrap_or(false);
            let category = (
                v["truth"]["category"]
                    .as_str()
                    .unwrap_or("other")
                    .to_string(),
                drafts
                    .first()
                    .map(|d| d.category.clone())
                    .unwrap_or_default(),
                drafts.first().map_or(0.0, |d| d.confidence.category),
            );
            rows.push(Row {
                id,
                file: fi,
                feats,
                cat_feats,
                truth,
                lexicon,
                category,
            });
        }
    }
    rows
}

fn fold_of(id: &str) -> usize {
    // FNV-1a: stable across runs and platforms.
    let h = id.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    (h % 5) as usize
}

fn fit(rows: &[&Row], l2: f32, min_df: usize) -> Trained {
    let data: Vec<(Vec<String>, bool)> = rows.iter().map(|r| (r.feats.clone(), r.truth)).collect();
    train(&data, l2, min_df, 400)
}

/// Precision and recall of `pred` against the truth.
fn pr(rows: &[Row], pred: impl Fn(usize) -> bool) -> (f32, f32) {
    let (mut tp, mut fp, mut fn_) = (0.0f32, 0.0f32, 0.0f32);
    for (i, r) in rows.iter().enumerate() {
        match (pred(i), r.truth) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            _ => {}
        }
    }
    (tp / (tp + fp).max(1.0), tp / (tp + fn_).max(1.0))
}

fn cross_validate(rows: &[Row], min_df: usize, by_file: bool) {
    let folds = if by_file {
        rows.iter().map(|r| r.file + 1).max().unwrap_or(1)
    } else {
        5
    };
    let fold = |r: &Row| if by_file { r.file } else { fold_of(&r.id) };
    let (lp, lr) = pr(rows, |i| rows[i].lexicon);
    println!(
        "{} letters, {} corrupt; lexicon alone P {lp:.3} R {lr:.3}",
        rows.len(),
        rows.iter().filter(|r| r.truth).count()
    );
    for l2 in [0.1f32, 0.3, 1.0, 3.0] {
        let mut p = vec![0.0f32; rows.len()];
        for k in 0..folds {
            let train_rows: Vec<&Row> = rows.iter().filter(|r| fold(r) != k).collect();
            let m = fit(&train_rows, l2, min_df);
            for (i, r) in rows.iter().enumerate().filter(|(_, r)| fold(r) == k) {
                p[i] = m.prob(&r.feats);
            }
        }
        if by_file {
            per_file(rows, &p, l2);
        }
        for t in [0.15f32, 0.2, 0.3, 0.4, 0.5] {
            let (ap, ar) = pr(rows, |i| p[i] >= t);
            let (cp, cr) = pr(rows, |i| p[i] >= t || rows[i].lexicon);
            println!("l2 {l2:>4} t {t:.2}: learned P {ap:.3} R {ar:.3} | with lexicon P {cp:.3} R {cr:.3}");
        }
    }
}

/// Held-out precision and recall of each batch at threshold 0.5 (learned / lexicon).
fn per_file(rows: &[Row], p: &[f32], l2: f32) {
    let files = rows.iter().map(|r| r.file + 1).max().unwrap_or(0);
    let mut line = format!("l2 {l2:>4} per file (learned | lexicon | both), t 0.5:");
    for f in 0..files {
        let sub: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].file == f).collect();
        let rs: Vec<Row> = sub
            .iter()
            .map(|&i| Row {
                id: rows[i].id.clone(),
                file: f,
                feats: vec![],
                cat_feats: vec![],
                truth: rows[i].truth,
                lexicon: rows[i].lexicon,
                category: rows[i].category.clone(),
            })
            .collect();
        let (ap, ar) = pr(&rs, |k| p[sub[k]] >= 0.5);
        let (lp, lr) = pr(&rs, |k| rs[k].lexicon);
        let (bp, br) = pr(&rs, |k| p[sub[k]] >= 0.5 || rs[k].lexicon);
        line.push_str(&format!(
            "\n  file {f}: {ap:.2}/{ar:.2} | {lp:.2}/{lr:.2} | {bp:.2}/{br:.2}"
        ));
    }
    println!("{line}");
}

/// One letter's report-sentence candidates: features and whether each names the subject.
struct SummaryLetter {
    file: usize,
    cands: Vec<(Vec<String>, bool)>,
}

/// The first characters of a sentence that fit in a summary beside the request.
fn shown(text: &str) -> String {
    text.chars().take(110).collect()
}

fn load_summaries(
    files: &[String],
    blind: &HashSet<String>,
    models: &Models,
) -> Vec<SummaryLetter> {
    let mut out = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json row");
            let id = v["id"].as_str().unwrap_or_default();
            let stems: Vec<String> = v["truth"]["summary_stems"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if blind.contains(id) || stems.is_empty() {
                continue;
            }
            let page = eval::page_from_text(id, v["text"].as_str().unwrap_or_default());
            let cands = summary_candidates(&[&page], models)
                .into_iter()
                .map(|c| {
                    let hit = eval::names_subject(&shown(&c.text), &stems);
                    (c.feats, hit)
                })
                .collect();
            out.push(SummaryLetter { file: fi, cands });
        }
    }
    out
}

/// Share of letters whose best-scored candidate names the subject.
fn picked_rate(letters: &[&SummaryLetter], m: &Trained) -> f32 {
    let hits = letters
        .iter()
        .filter(|l| {
            l.cands
                .iter()
                .map(|(f, hit)| (m.prob(f), *hit))
                .fold(None, |b: Option<(f32, bool)>, c| match b {
                    Some(b) if b.0 >= c.0 => Some(b),
                    _ => Some(c),
                })
                .is_some_and(|b| b.1)
        })
        .count();
    hits as f32 / letters.len().max(1) as f32
}

/// `--summary`: leave-one-batch-out accuracy of the report-sentence selector, or with
/// `--out` its weights trained on every letter.
fn summary_mode(files: &[String], blind: &HashSet<String>, models: &Models, out: Option<String>) {
    let letters = load_summaries(files, blind, models);
    let rows = |ls: &[&SummaryLetter]| -> Vec<(Vec<String>, bool)> {
        ls.iter().flat_map(|l| l.cands.iter().cloned()).collect()
    };
    let all: Vec<&SummaryLetter> = letters.iter().collect();
    let oracle = all.iter().filter(|l| l.cands.iter().any(|c| c.1)).count();
    println!(
        "{} letters; a candidate names the subject in {:.3}",
        all.len(),
        oracle as f32 / all.len().max(1) as f32
    );
    let rule = all
        .iter()
        .filter(|l| {
            let score = |f: &[String]| -> f32 {
                let num = |p: &str| {
                    f.iter()
                        .find_map(|x| x.strip_prefix(p).and_then(|v| v.parse::<f32>().ok()))
                        .unwrap_or(0.0)
                };
                let has = |k: &str| f.iter().any(|x| x == k);
                num("top:") + 2.0 * num("rea:")
                    - if has("meta") { 10.0 } else { 0.0 }
                    - if has("intro") { 3.0 } else { 0.0 }
            };
            let mut best: Option<(f32, bool)> = None;
            for (f, hit) in &l.cands {
                let s = score(f);
                if best.is_none_or(|b| s > b.0) {
                    best = Some((s, *hit));
                }
            }
            best.is_some_and(|b| b.1)
        })
        .count();
    println!(
        "cue-word rule picks one that does in {:.3}",
        rule as f32 / all.len().max(1) as f32
    );
    if let Some(out) = out {
        let m = train(&rows(&all), 30.0, 3, 400);
        write_summary(&out, &m, all.len(), files).unwrap_or_else(|e| panic!("{out}: {e}"));
        return;
    }
    for l2 in [1.0f32, 10.0, 30.0, 100.0] {
        let (mut hit, mut n) = (0.0, 0.0);
        for k in 0..files.len() {
            let test: Vec<&SummaryLetter> = all.iter().copied().filter(|l| l.file == k).collect();
            let train_ls: Vec<&SummaryLetter> =
                all.iter().copied().filter(|l| l.file != k).collect();
            let m = train(&rows(&train_ls), l2, 3, 400);
            hit += picked_rate(&test, &m) * test.len() as f32;
            n += test.len() as f32;
        }
        println!(
            "l2 {l2:>4}: held-out batch, picked sentence names the subject {:.3}",
            hit / n
        );
    }
}

fn write_summary(path: &str, m: &Trained, n: usize, files: &[String]) -> std::io::Result<()> {
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap_or(f))
        .collect();
    let mut w: Vec<&(String, f32)> = m.weights.iter().filter(|(_, v)| v.abs() >= 0.005).collect();
    w.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    let mut out = format!(
        "# Learned report-sentence selector of the summary: logistic regression over a sentence's\n\
         # position, length, word rarity rank, topic and corruption words and stems (w:).\n\
         # Written by `cargo run --release -p ishenim-draft --example train_corruption -- ...\n\
         # --summary --out`; retrain instead of editing. Without weights the cue-word rule picks.\n\
         # trained on: {n} letters of {} (blind parts left out), l2 30, min-df 3\nbias\t{:.4}\n",
        names.join(" "),
        m.bias
    );
    for (k, v) in w {
        out.push_str(&format!("{k}\t{v:.4}\n"));
    }
    std::fs::write(path, out)?;
    println!("wrote {path}");
    Ok(())
}

/// Writes how many letters use each body stem (`models/word-df.tsv`, for the summary's
/// word weights); stems of a single letter are left out (they weigh as unseen ones).
fn write_df(path: &str, rows: &[Row], files: &[String]) -> std::io::Result<()> {
    let mut df: std::collections::BTreeMap<&str, u32> = Default::default();
    for r in rows {
        for f in r.feats.iter().filter_map(|f| f.strip_prefix("s:")) {
            *df.entry(f).or_default() += 1;
        }
    }
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap_or(f))
        .collect();
    let mut out = format!(
        "# How many letters use each word stem of a body: the summary weighs a word by its\n\
         # rarity. Written by `cargo run --release -p ishenim-draft --example train_corruption --\n\
         # ... --df --out models/word-df.tsv`; retrain instead of editing.\n\
         # counted on: {} letters of {} (blind parts left out)\ndocs\t{}\n",
        rows.len(),
        names.join(" "),
        rows.len()
    );
    for (k, v) in df.iter().filter(|(_, &v)| v >= 2) {
        out.push_str(&format!("{k}\t{v}\n"));
    }
    std::fs::write(path, out)?;
    println!(
        "wrote {path}: {} stems",
        df.values().filter(|&&v| v >= 2).count()
    );
    Ok(())
}

fn write(path: &str, m: &Trained, threshold: f32, about: &str) -> std::io::Result<()> {
    let mut w: Vec<&(String, f32)> = m.weights.iter().filter(|(_, v)| v.abs() >= 0.005).collect();
    w.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    let mut out = String::from(
        "# Learned corruption weights: logistic regression over a letter body's word stems (s:),\n\
         # the lexicon's concepts (c:) and pairs of concepts in one sentence (cc:), and the\n\
         # lexicon's evidence: terms and rules that counted (lr:), discounts (ln:), its size\n\
         # against the threshold (lraw:). Its verdict is the letter's when it is on.\n\
         # Written by `cargo run --release -p ishenim-draft --example train_corruption -- ... --out`;\n\
         # do not edit by hand (retrain instead). Delete every weight line to turn the model off.\n",
    );
    out.push_str(&format!("# trained on: {about}\n"));
    out.push_str(&format!("bias\t{:.4}\nthreshold\t{threshold}\n", m.bias));
    for (k, v) in w {
        out.push_str(&format!("{k}\t{v:.4}\n"));
    }
    std::fs::write(path, out)
}

/// Leave-one-batch-out accuracy of a one-vs-rest learned category against the lexicon's,
/// and of the learned one where the lexicon is unsure (confidence below a bound).
fn category_cv(rows: &[Row], min_df: usize) {
    let cats: Vec<String> = {
        let mut c: Vec<String> = rows.iter().map(|r| r.category.0.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let files = rows.iter().map(|r| r.file + 1).max().unwrap_or(0);
    for l2 in [0.3f32, 1.0, 3.0] {
        let mut pred = vec![String::new(); rows.len()];
        for f in 0..files {
            let tr: Vec<&Row> = rows.iter().filter(|r| r.file != f).collect();
            let models: Vec<Trained> = cats
                .iter()
                .map(|c| {
                    let d: Vec<(Vec<String>, bool)> = tr
                        .iter()
                        .map(|r| (r.cat_feats.clone(), &r.category.0 == c))
                        .collect();
                    train(&d, l2, min_df, 300)
                })
                .collect();
            for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.file == f) {
                let best = models
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.prob(&r.cat_feats).total_cmp(&b.1.prob(&r.cat_feats)))
                    .map_or(0, |b| b.0);
                pred[i] = cats[best].clone();
            }
        }
        let acc = |f: &dyn Fn(usize) -> bool| {
            (0..rows.len()).filter(|&i| f(i)).count() as f32 / rows.len() as f32
        };
        let lex = acc(&|i| rows[i].category.1 == rows[i].category.0);
        let learned = acc(&|i| pred[i] == rows[i].category.0);
        let mut line = format!("l2 {l2}: lexicon {lex:.3} learned {learned:.3}");
        for bound in [0.3f32, 0.5, 0.7, 1.01] {
            let mixed = acc(&|i| {
                let r = &rows[i];
                let p = if r.category.2 < bound || r.category.1 == "other" {
                    &pred[i]
                } else {
                    &r.category.1
                };
                *p == r.category.0
            });
            line.push_str(&format!(" | learned below {bound}: {mixed:.3}"));
        }
        println!("{line}");
        let mut per = String::from("  per file (lexicon / mixed below 0.5):");
        for f in 0..files {
            let ids: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].file == f).collect();
            let n = ids.len().max(1) as f32;
            let lex = ids
                .iter()
                .filter(|&&i| rows[i].category.1 == rows[i].category.0)
                .count() as f32
                / n;
            let mix = ids
                .iter()
                .filter(|&&i| {
                    let r = &rows[i];
                    let p = if r.category.2 < 0.5 || r.category.1 == "other" {
                        &pred[i]
                    } else {
                        &r.category.1
                    };
                    *p == r.category.0
                })
                .count() as f32
                / n;
            per.push_str(&format!(" {f}:{lex:.2}/{mix:.2}"));
        }
        println!("{per}");
    }
}

/// Trains one model per category on every row and writes `models/category-learned.tsv`.
fn write_categories(path: &str, rows: &[Row], l2: f32, min_df: usize, below: f32, about: &str) {
    let mut cats: Vec<&str> = rows.iter().map(|r| r.category.0.as_str()).collect();
    cats.sort_unstable();
    cats.dedup();
    let mut out = String::from(
        "# Learned category weights: one logistic regression per category (one-vs-rest) over a\n\
         # letter body's word stems (s:), the corruption lexicon's concepts (c:) and concept pairs\n\
         # (cc:), and what the category lexicon heard (lh:, lh2:) and chose (lx:). The learned\n\
         # category is taken when the lexicon's confidence is below `below` or the lexicon says\n\
         # `other`. Written by `cargo run --release -p ishenim-draft --example\n\
         # train_corruption -- --category ... --out`; retrain instead of editing.\n",
    );
    out.push_str(&format!("# trained on: {about}\nbelow\t{below}\n"));
    for c in cats {
        let d: Vec<(Vec<String>, bool)> = rows
            .iter()
            .map(|r| (r.cat_feats.clone(), r.category.0 == c))
            .collect();
        let m = train(&d, l2, min_df, 300);
        out.push_str(&format!("{c}|bias\t{:.4}\n", m.bias));
        let mut w: Vec<&(String, f32)> =
            m.weights.iter().filter(|(_, v)| v.abs() >= 0.01).collect();
        w.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        for (k, v) in w {
            out.push_str(&format!("{c}|{k}\t{v:.4}\n"));
        }
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
    println!("wrote {path}");
}

/// Options followed by a value.
const VALUED: &[&str] = &[
    "--split",
    "--l2",
    "--min-df",
    "--threshold",
    "--out",
    "--below",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            a.ends_with(".jsonl") && (*i == 0 || !VALUED.contains(&args[i - 1].as_str()))
        })
        .map(|(_, a)| a.clone())
        .collect();
    let split = arg(&args, "--split").unwrap_or_else(|| "tests/letters/split.txt".into());
    let min_df: usize = arg(&args, "--min-df")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let models = Models::embedded().without_learned();
    if args.iter().any(|a| a == "--summary") {
        summary_mode(&files, &blind_ids(&split), &models, arg(&args, "--out"));
        return;
    }
    let rows = load(&files, &blind_ids(&split), &models);
    if args.iter().any(|a| a == "--df") {
        let out = arg(&args, "--out").unwrap_or_else(|| "models/word-df.tsv".into());
        write_df(&out, &rows, &files).unwrap_or_else(|e| panic!("{out}: {e}"));
        return;
    }
    match arg(&args, "--out") {
        None if args.iter().any(|a| a == "--category") => category_cv(&rows, min_df),
        None => cross_validate(&rows, min_df, args.iter().any(|a| a == "--by-file")),
        Some(out) => {
            let l2: f32 = arg(&args, "--l2")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1.0);
            let t: f32 = arg(&args, "--threshold")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0.5);
            let names: Vec<&str> = files
                .iter()
                .map(|f| f.rsplit('/').next().unwrap_or(f))
                .collect();
            if args.iter().any(|a| a == "--category") {
                let below: f32 = arg(&args, "--below")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0.5);
                let about = format!(
                    "{} letters of {} (blind parts left out), l2 {l2}, min-df {min_df}",
                    rows.len(),
                    names.join(" ")
                );
                write_categories(&out, &rows, l2, min_df, below, &about);
                return;
            }
            let all: Vec<&Row> = rows.iter().collect();
            let m = fit(&all, l2, min_df);
            let about = format!(
                "{} letters of {} (blind parts left out), l2 {l2}, min-df {min_df}",
                rows.len(),
                names.join(" ")
            );
            write(&out, &m, t, &about).unwrap_or_else(|e| panic!("{out}: {e}"));
            println!("wrote {out}: {} weights", m.weights.len());
        }
    }
}
