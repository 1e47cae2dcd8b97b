//! `ishenim scan [--out DIR] [--json] [--jobs N] [--lang kir+rus] PATH...`

use crate::cmd::ctx::{progress, ScanFlags};
use crate::inputs;
use anyhow::Context;
use ishenim_ocr::Lexicon;
use ishenim_page::PageRecord;
use ishenim_scan::{run_batch, BatchEvent};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `ishenim scan`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write `<stem>.txt` and `<stem>.json` for every page into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object per page (or per unreadable file) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Engine settings.
    #[command(flatten)]
    pub engine: ScanFlags,
    /// Files or folders (folders are read recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Default worker count: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Writes `<stem>.txt` and `<stem>.json` of a page.
pub fn write_page(dir: &Path, rec: &PageRecord) -> anyhow::Result<()> {
    let base = dir.join(&rec.stem);
    std::fs::write(
        base.with_extension("txt"),
        format!("{}\n", rec.text).trim_start_matches('\n'),
    )
    .with_context(|| format!("writing {}", base.with_extension("txt").display()))?;
    let json = serde_json::to_string_pretty(rec)?;
    std::fs::write(base.with_extension("json"), json)
        .with_context(|| format!("writing {}", base.with_extension("json").display()))?;
    Ok(())
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let files = inputs::expand(&args.paths);
    let opts = args.engine.options();
    let bar = progress(files.len() as u64, "files", !args.json);
    let lex = Lexicon::kyrgyz();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0usize;
    let mut rows: Vec<(PageRecord, usize)> = Vec::new();
    let mut errors = Vec::new();
    let mut write_err: Option<anyhow::Error> = None;
    run_batch(
        inputs::reader(files, opts.limits.max_bytes),
        &opts,
        &lex,
        |ev| match ev {
            BatchEvent::FileOpened { .. } => bar.inc(1),
            BatchEvent::Page(rec) => {
                if let Some(dir) = &args.out {
                    if let Err(e) = write_page(dir, &rec) {
                        write_err.get_or_insert(e);
                    }
                }
                if args.json {
                    let _ = serde_json::to_writer(&mut out, &rec);
                    let _ = writeln!(out);
                } else {
                    bar.set_message(rec.stem.clone());
                    let mut row = *rec;
                    let words = row.words.len();
                    row.words = Vec::new();
                    row.text = String::new();
                    rows.push((row, words));
                }
            }
            BatchEvent::Error(e) => {
                failed += 1;
                if e.page.is_none() {
                    bar.inc(1);
                }
                if args.json {
                    let _ = serde_json::to_writer(&mut out, &e);
                    let _ = writeln!(out);
                } else {
                    errors.push(e);
                }
            }
        },
    )
    .context("starting Tesseract")?;
    bar.finish_and_clear();
    if let Some(e) = write_err {
        return Err(e);
    }
    if !args.json {
        print_summary(&mut out, &rows, &errors)?;
    }
    Ok(ExitCode::from(if failed > 0 { 1 } else { 0 }))
}

fn print_summary(
    out: &mut impl Write,
    rows: &[(PageRecord, usize)],
    errors: &[ishenim_page::FileError],
) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:<28} {:>5} {:>4} {:>6} {:>5} {:>5} {:>6} {:>7}",
        "page", "blank", "rot", "skew", "dpi", "conf", "words", "ms"
    )?;
    for (r, n) in rows {
        let total: u64 = r.timings_ms.values().sum();
        writeln!(
            out,
            "{:<28} {:>5} {:>4} {:>6.2} {:>5} {:>5.1} {:>6} {:>7}",
            r.stem,
            if r.blank { "yes" } else { "" },
            r.rotation,
            r.skew_deg,
            r.dpi,
            r.mean_conf,
            n,
            total
        )?;
    }
    for e in errors {
        match e.page {
            Some(p) => writeln!(out, "ERROR {} page {}: {}", e.file, p, e.error)?,
            None => writeln!(out, "ERROR {}: {}", e.file, e.error)?,
        }
    }
    let blank = rows.iter().filter(|(r, _)| r.blank).count();
    writeln!(
        out,
        "{} pages read ({} blank), {} errors",
        rows.len(),
        blank,
        errors.len()
    )?;
    Ok(())
}
