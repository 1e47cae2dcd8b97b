//! `ishenim eval CORPUS... [--json] [--errors]`: scan a rendered corpus (a folder with
//! `truth.jsonl`), draft its letters and score the drafts against the truth.

use crate::cmd::ctx::{self, Global, ScanFlags};
use crate::inputs;
use anyhow::Context;
use ishenim_draft::draft_letters;
use ishenim_draft::eval::{evaluate, pages_from_truth, EvalReport, Ratio};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `ishenim eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print one JSON object per corpus.
    #[arg(long)]
    pub json: bool,
    /// Also list every mismatch (`letter field: expected … got …`).
    #[arg(long)]
    pub errors: bool,
    /// Draft from each truth row's text instead of scanning the images (the drafting alone,
    /// as if OCR were perfect): whole-letter corpora from `tests/letters/to_corpus.py`.
    #[arg(long)]
    pub truth_text: bool,
    /// Scanner flags.
    #[command(flatten)]
    pub scan: ScanFlags,
    /// Corpus folders, each with a `truth.jsonl`.
    #[arg(required = true)]
    pub corpora: Vec<PathBuf>,
}

/// Runs the command: exit 0 when every page was read, 1 when some were not.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    for corpus in &args.corpora {
        let truth_path = corpus.join("truth.jsonl");
        let truth = std::fs::read_to_string(&truth_path)
            .with_context(|| format!("reading {}", truth_path.display()))?;
        let started = Instant::now();
        let (pages, errors) = if args.truth_text {
            (pages_from_truth(&truth)?, Vec::new())
        } else {
            let files = inputs::expand(std::slice::from_ref(corpus));
            ctx::scan_files(files, &args.scan, !args.json)?
        };
        let scan_ms = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let drafts = draft_letters(&pages, &models);
        let draft_ms = started.elapsed().as_secs_f64() * 1e3;
        let rep = evaluate(&drafts, &truth)
            .with_context(|| format!("scoring against {}", truth_path.display()))?;
        failed |= !errors.is_empty();
        if args.json {
            let mut report =
                report_json(corpus, &rep, pages.len(), drafts.len(), scan_ms, draft_ms);
            report["read_errors"] = json!(errors.len());
            if args.errors {
                report["mismatches"] = json!(rep.mismatches);
            }
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}: {} pages, {} drafts, {} truth letters, {} unreadable",
                corpus.display(),
                pages.len(),
                drafts.len(),
                rep.letters,
                errors.len()
            )?;
            write!(out, "{rep}")?;
            writeln!(
                out,
                "time: scan {:.1} s, drafting {:.1} ms ({:.2}% of the scan)",
                scan_ms / 1e3,
                draft_ms,
                100.0 * draft_ms / scan_ms.max(1e-9)
            )?;
            if args.errors {
                for m in &rep.mismatches {
                    writeln!(out, "  {m}")?;
                }
            }
            writeln!(out)?;
        }
    }
    Ok(ExitCode::from(if failed { 1 } else { 0 }))
}

fn ratio(r: &Ratio) -> Value {
    json!({"rate": r.rate(), "ok": r.ok, "total": r.total})
}

/// The report as one JSON object (rates 0–1).
fn report_json(
    corpus: &Path,
    rep: &EvalReport,
    pages: usize,
    drafts: usize,
    scan_ms: f64,
    draft_ms: f64,
) -> Value {
    let mut report = json!({
        "corpus": corpus.display().to_string(),
        "pages": pages,
        "drafts": drafts,
        "scan_ms": scan_ms.round(),
        "draft_ms": draft_ms,
    });
    merge(&mut report, scores_json(rep));
    report["by_level"] = rep
        .by_level
        .iter()
        .map(|(level, level_rep)| (level.clone(), scores_json(level_rep)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    report
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(fields), Value::Object(extra)) = (into.as_object_mut(), from) {
        fields.extend(extra);
    }
}

/// The measures of a report (rates 0–1).
fn scores_json(rep: &EvalReport) -> Value {
    let corruption = &rep.corruption;
    json!({
        "letters": rep.letters,
        "grouping": ratio(&rep.grouping),
        "phone": ratio(&rep.phone),
        "name": ratio(&rep.name),
        "anonymous": ratio(&rep.anonymous),
        "date": ratio(&rep.date),
        "address": ratio(&rep.address),
        "lang": ratio(&rep.lang),
        "category": ratio(&rep.category),
        "summary": ratio(&rep.summary),
        "calibration": ratio(&rep.calibrated),
        "corruption": {
            "precision": corruption.precision(), "recall": corruption.recall(), "f1": corruption.f1(),
            "tp": corruption.tp, "fp": corruption.fp, "fn": corruption.fn_, "tn": corruption.tn,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_json_has_every_measure() {
        let rep = EvalReport::default();
        let v = report_json(Path::new("c"), &rep, 3, 2, 1000.0, 1.0);
        for k in [
            "grouping",
            "phone",
            "name",
            "anonymous",
            "date",
            "address",
            "corruption",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["phone"]["rate"], 1.0);
        assert!(v["corruption"]["f1"].is_f64());
        assert_eq!(v["scan_ms"], 1000.0);
        let mut rep = EvalReport::default();
        rep.by_level.insert("heavy".into(), EvalReport::default());
        let v = report_json(Path::new("c"), &rep, 3, 2, 1000.0, 1.0);
        assert!(v["by_level"]["heavy"]["phone"]["rate"].is_f64());
    }
}
