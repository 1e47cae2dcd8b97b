//! `ishenim ingest --opening ID PATH...`: store, scan, draft; crash-safe and resumable.
//!
//! Three stages, each committed in small steps so that `kill -9` at any instant loses at
//! most the work in progress and rerunning the same command continues:
//!
//! 1. **store**: every input file is added with [`Store::add_file`] (idempotent by
//!    SHA-256; the blob is durable before its row commits);
//! 2. **scan**: every file of the opening still `stored` is read back from the store and
//!    scanned; its pages are saved in one transaction ([`Store::save_pages`]), or the file
//!    goes to quarantine with the reason (unreadable file or page);
//! 3. **draft**: the pages of every `scanned` file of the opening are grouped into letters
//!    and saved with [`Store::save_drafts`] in one transaction (a page already in a draft is
//!    never drafted twice).
//!
//! Exit codes: 0 everything stored and drafted, 1 some inputs unreadable or quarantined,
//! 2 usage or store error. Messages name files and ids, never letter text.

use crate::cmd::ctx::{self, Global, ScanFlags};
use crate::inputs;
use anyhow::Context;
use ishenim_ingest::{draft_scanned, scan_pending, store_bytes, Problem, Summary};
use ishenim_store::{OpeningId, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `ishenim ingest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The box opening these scans belong to (`ishenim opening new` prints it).
    #[arg(long, required = true)]
    pub opening: OpeningId,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Scanner flags.
    #[command(flatten)]
    pub scan: ScanFlags,
    /// Files or folders (folders are read recursively, in name order). Without paths, only
    /// the opening's unfinished work is done (after a crash or `ishenim quarantine retry`).
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let models = global.models()?;
    let store = global.store()?;
    let opening = store
        .get_opening(args.opening)
        .with_context(|| format!("opening {}", args.opening))?
        .id;
    let mut sum = Summary {
        opening: opening.0,
        ..Summary::default()
    };
    let show = !args.json;

    let started = Instant::now();
    store_inputs(&store, opening, &args.paths, &mut sum, show)?;
    sum.store_ms = started.elapsed().as_millis() as u64;

    let started = Instant::now();
    let bar = ctx::progress(0, "files scanned", show);
    scan_pending(
        &store,
        opening,
        &args.scan.options(),
        &mut sum,
        |progress| {
            bar.set_length(progress.total as u64);
            bar.set_position(progress.done as u64);
        },
    )?;
    bar.finish_and_clear();
    sum.scan_ms = started.elapsed().as_millis() as u64;

    let started = Instant::now();
    draft_scanned(&store, opening, &models, &mut sum)?;
    sum.draft_ms = started.elapsed().as_millis() as u64;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer(&mut out, &sum)?;
        writeln!(out)?;
    } else {
        print_summary(&mut out, &sum)?;
    }
    Ok(ExitCode::from(if sum.problems.is_empty() { 0 } else { 1 }))
}

/// Stage 1: add every input to the store. Files already known are left as they are; files
/// quarantined earlier are reported again.
fn store_inputs(
    store: &Store,
    opening: OpeningId,
    paths: &[PathBuf],
    sum: &mut Summary,
    show: bool,
) -> anyhow::Result<()> {
    let files = inputs::expand(paths);
    sum.inputs = files.len();
    let max = ishenim_intake::Limits::default().max_bytes;
    let bar = ctx::progress(files.len() as u64, "files stored", show);
    for p in files {
        bar.inc(1);
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string());
        let bytes = match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => Err("is a folder".to_string()),
            Ok(m) if m.len() > max => Err(format!(
                "file is too large ({} MiB; the limit is {} MiB)",
                m.len() >> 20,
                max >> 20
            )),
            Ok(_) => std::fs::read(&p).map_err(|e| format!("cannot read: {e}")),
            Err(e) => Err(format!("cannot read: {e}")),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(reason) => {
                sum.problems.push(Problem {
                    file: p.display().to_string(),
                    file_id: None,
                    reason,
                });
                continue;
            }
        };
        store_bytes(store, opening, &name, &bytes, sum)
            .with_context(|| format!("storing {}", p.display()))?;
    }
    bar.finish_and_clear();
    Ok(())
}

fn print_summary(out: &mut impl Write, s: &Summary) -> anyhow::Result<()> {
    writeln!(
        out,
        "opening {}: {} inputs, {} stored ({} already stored{}), {} files scanned ({} pages), {} quarantined, {} new drafts{}",
        s.opening,
        s.inputs,
        s.stored_new,
        s.already_stored,
        if s.in_other_opening > 0 {
            format!(", {} of them in another opening", s.in_other_opening)
        } else {
            String::new()
        },
        s.files_scanned,
        s.pages_saved,
        s.quarantined,
        s.drafts_new,
        if s.drafts_known > 0 {
            format!(" ({} already drafted)", s.drafts_known)
        } else {
            String::new()
        }
    )?;
    for p in &s.problems {
        match p.file_id {
            Some(id) => writeln!(out, "QUARANTINE {} (file {}): {}", p.file, id, p.reason)?,
            None => writeln!(out, "NOT STORED {}: {}", p.file, p.reason)?,
        }
    }
    writeln!(
        out,
        "time: store {:.2} s, scan {:.2} s, draft {:.2} s",
        s.store_ms as f64 / 1e3,
        s.scan_ms as f64 / 1e3,
        s.draft_ms as f64 / 1e3
    )?;
    Ok(())
}
