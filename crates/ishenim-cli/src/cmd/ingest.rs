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
use ishenim_draft::{draft_letters, Models};
use ishenim_page::{FileError, PageRecord};
use ishenim_scan::{BatchEvent, Input};
use ishenim_store::{
    AddFileOutcome, DraftScope, FileId, FileInfo, FileStatus, NewDraft, OpeningId, PageId,
    SaveDraftOutcome, Store,
};
use serde::Serialize;
use std::collections::VecDeque;
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

/// A file that did not make it (not stored, or quarantined), with the reason.
#[derive(Debug, Serialize)]
struct Problem {
    file: String,
    file_id: Option<FileId>,
    reason: String,
}

/// What the run did; printed at the end.
#[derive(Debug, Default, Serialize)]
struct Summary {
    opening: i64,
    inputs: usize,
    stored_new: usize,
    already_stored: usize,
    in_other_opening: usize,
    files_scanned: usize,
    pages_saved: usize,
    quarantined: usize,
    drafts_new: usize,
    drafts_known: usize,
    problems: Vec<Problem>,
    store_ms: u64,
    scan_ms: u64,
    draft_ms: u64,
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

    let t = Instant::now();
    store_inputs(&store, opening, &args.paths, &mut sum, show)?;
    sum.store_ms = t.elapsed().as_millis() as u64;

    let t = Instant::now();
    scan_pending(&store, opening, &args.scan, &mut sum, show)?;
    sum.scan_ms = t.elapsed().as_millis() as u64;

    let t = Instant::now();
    draft_scanned(&store, opening, &models, &mut sum)?;
    sum.draft_ms = t.elapsed().as_millis() as u64;

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
        let outcome = store
            .add_file(opening, &name, &bytes)
            .with_context(|| format!("storing {}", p.display()))?;
        match outcome {
            AddFileOutcome::New(_) => sum.stored_new += 1,
            AddFileOutcome::Known(id) => {
                sum.already_stored += 1;
                let f = store.get_file(id)?;
                if f.opening_id != opening {
                    sum.in_other_opening += 1;
                } else if f.status == FileStatus::Quarantined {
                    sum.problems.push(Problem {
                        file: p.display().to_string(),
                        file_id: Some(id),
                        reason: format!("quarantined earlier: {}", f.reason.unwrap_or_default()),
                    });
                }
            }
        }
    }
    bar.finish_and_clear();
    Ok(())
}

/// The file whose pages are arriving.
struct Current {
    info: FileInfo,
    expected: usize,
    seen: usize,
    pages: Vec<PageRecord>,
    errors: Vec<String>,
}

/// Stage 2: scan every `stored` file of the opening, in intake order.
fn scan_pending(
    store: &Store,
    opening: OpeningId,
    flags: &ScanFlags,
    sum: &mut Summary,
    show: bool,
) -> anyhow::Result<()> {
    let todo: Vec<FileInfo> = store
        .files_pending(opening)?
        .into_iter()
        .filter(|f| f.status == FileStatus::Stored)
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let bar = ctx::progress(todo.len() as u64, "files scanned", show);
    let reader_store = store.clone();
    let ids: Vec<(FileId, String)> = todo
        .iter()
        .map(|f| (f.id, f.original_name.clone()))
        .collect();
    let reader = ids.into_iter().map(move |(id, name)| Input {
        bytes: reader_store
            .read_file(id)
            .map_err(|e| format!("stored original unreadable: {e}")),
        file: name,
    });
    let mut queue: VecDeque<FileInfo> = todo.into();
    let mut current: Option<Current> = None;
    let mut fatal: Option<anyhow::Error> = None;
    let opts = flags.options();
    let lex = ishenim_ocr::Lexicon::kyrgyz();
    ishenim_scan::run_batch(reader, &opts, &lex, |ev| {
        if fatal.is_some() {
            return;
        }
        let step = (|| -> anyhow::Result<()> {
            match ev {
                BatchEvent::FileOpened { pages, .. } => {
                    let info = queue
                        .pop_front()
                        .context("scanner reported more files than were given")?;
                    current = Some(Current {
                        info,
                        expected: pages,
                        seen: 0,
                        pages: Vec::with_capacity(pages),
                        errors: Vec::new(),
                    });
                }
                BatchEvent::Page(rec) => {
                    let c = current.as_mut().context("a page before its file")?;
                    c.seen += 1;
                    c.pages.push(*rec);
                }
                BatchEvent::Error(FileError {
                    page: None,
                    error,
                    code,
                    ..
                }) => {
                    let info = queue
                        .pop_front()
                        .context("scanner reported more files than were given")?;
                    quarantine(store, &info, &format!("{code}: {error}"), sum)?;
                    bar.inc(1);
                }
                BatchEvent::Error(FileError {
                    page: Some(p),
                    error,
                    code,
                    ..
                }) => {
                    let c = current.as_mut().context("a page error before its file")?;
                    c.seen += 1;
                    c.errors.push(format!("page {p}: {code}: {error}"));
                }
            }
            if current.as_ref().is_some_and(|c| c.seen >= c.expected) {
                if let Some(c) = current.take() {
                    finish_file(store, c, sum)?;
                    bar.inc(1);
                }
            }
            Ok(())
        })();
        if let Err(e) = step {
            fatal = Some(e);
        }
    })
    .context("starting Tesseract")?;
    bar.finish_and_clear();
    if let Some(e) = fatal {
        return Err(e);
    }
    Ok(())
}

/// All pages of a file are in: save them, or quarantine the file when a page failed (a
/// file is stored whole or not at all, so no page is silently missing).
fn finish_file(store: &Store, c: Current, sum: &mut Summary) -> anyhow::Result<()> {
    if !c.errors.is_empty() {
        return quarantine(store, &c.info, &c.errors.join("; "), sum);
    }
    if c.pages.is_empty() {
        return quarantine(store, &c.info, "no pages in the file", sum);
    }
    let ids = store
        .save_pages(c.info.id, &c.pages)
        .with_context(|| format!("saving the pages of file {}", c.info.id))?;
    sum.files_scanned += 1;
    sum.pages_saved += ids.len();
    Ok(())
}

fn quarantine(store: &Store, f: &FileInfo, reason: &str, sum: &mut Summary) -> anyhow::Result<()> {
    store
        .quarantine(f.id, reason)
        .with_context(|| format!("quarantining file {}", f.id))?;
    sum.quarantined += 1;
    sum.problems.push(Problem {
        file: f.original_name.clone(),
        file_id: Some(f.id),
        reason: reason.to_string(),
    });
    Ok(())
}

/// Stage 3: draft the pages of every `scanned` file of the opening as one stack.
fn draft_scanned(
    store: &Store,
    opening: OpeningId,
    models: &Models,
    sum: &mut Summary,
) -> anyhow::Result<()> {
    let files: Vec<FileInfo> = store
        .files_pending(opening)?
        .into_iter()
        .filter(|f| f.status == FileStatus::Scanned)
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for f in &files {
        for p in store.pages_of_file(f.id)? {
            records.push(store.page_record(p.id)?);
            ids.push(p.id);
        }
    }
    let drafts = draft_letters(&records, models);
    let mut new = Vec::with_capacity(drafts.len());
    let mut cursor = 0usize;
    for d in &drafts {
        let page_ids = match_pages(&d.pages, &records, &ids, &mut cursor)?;
        new.push(NewDraft {
            page_ids,
            data: serde_json::to_value(d)?,
        });
    }
    let outcomes = store
        .save_drafts(DraftScope::Opening(opening), &new)
        .context("saving the drafts")?;
    for o in outcomes {
        match o {
            SaveDraftOutcome::New(_) => sum.drafts_new += 1,
            SaveDraftOutcome::Known(_) => sum.drafts_known += 1,
        }
    }
    Ok(())
}

/// Maps a draft's page stems to page ids. Drafts list their pages in scan order and never
/// reorder the stack, so walking forward from `cursor` is exact even when two files of the
/// batch have the same name (and so the same stems).
fn match_pages(
    stems: &[String],
    records: &[PageRecord],
    ids: &[PageId],
    cursor: &mut usize,
) -> anyhow::Result<Vec<PageId>> {
    let mut out = Vec::with_capacity(stems.len());
    for s in stems {
        let at = records[*cursor..]
            .iter()
            .position(|r| &r.stem == s)
            .map(|i| i + *cursor)
            .with_context(|| format!("draft page {s:?} is not in the scanned stack"))?;
        out.push(ids[at]);
        *cursor = at + 1;
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(stem: &str) -> PageRecord {
        ishenim_draft::eval::page_from_text(stem, "")
    }

    #[test]
    fn pages_are_matched_in_order_even_with_repeated_stems() {
        let records = vec![rec("a"), rec("b"), rec("a"), rec("c")];
        let ids = vec![PageId(10), PageId(11), PageId(12), PageId(13)];
        let mut cur = 0;
        let first = match_pages(&["a".into(), "b".into()], &records, &ids, &mut cur);
        assert_eq!(first.ok(), Some(vec![PageId(10), PageId(11)]));
        let second = match_pages(&["a".into(), "c".into()], &records, &ids, &mut cur);
        assert_eq!(second.ok(), Some(vec![PageId(12), PageId(13)]));
        assert!(match_pages(&["a".into()], &records, &ids, &mut cur).is_err());
    }

    #[test]
    fn dropped_blank_pages_are_skipped() {
        let records = vec![rec("blank"), rec("x"), rec("y")];
        let ids = vec![PageId(1), PageId(2), PageId(3)];
        let mut cur = 0;
        assert_eq!(
            match_pages(&["y".into()], &records, &ids, &mut cur).ok(),
            Some(vec![PageId(3)])
        );
    }
}
