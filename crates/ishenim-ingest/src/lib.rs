//! The register's intake pipeline, shared by `ishenim ingest` and the web server's uploads.
//!
//! Three stages, each committed in small steps so that `kill -9` at any instant loses at
//! most the work in progress and running the pipeline again continues:
//!
//! 1. **store** ([`store_bytes`]): every input file is added with [`Store::add_file`]
//!    (idempotent by SHA-256; the blob is durable before its row commits);
//! 2. **scan** ([`scan_pending`]): every file of the opening still `stored` is read back from
//!    the store and scanned; its pages are saved in one transaction
//!    ([`Store::save_pages`]), or the file goes to quarantine with the reason;
//! 3. **draft** ([`draft_scanned`]): the pages of every `scanned` file of the opening are
//!    grouped into letters and saved with [`Store::save_drafts`] in one transaction (a page
//!    already in a draft is never drafted twice).
//!
//! Messages name files and ids, never letter text.

use ishenim_draft::{draft_letters, Models};
use ishenim_ocr::Lexicon;
use ishenim_page::{FileError, PageRecord};
use ishenim_scan::{BatchEvent, BatchOptions, Input};
use ishenim_store::{
    AddFileOutcome, DraftScope, FileId, FileInfo, FileStatus, NewDraft, OpeningId, PageId,
    SaveDraftOutcome, Store, StoreError,
};
use serde::Serialize;
use std::collections::VecDeque;

/// Why a stage stopped. Files that are merely unreadable are not errors: they are
/// quarantined and reported in the [`Summary`].
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store refused a read or write.
    #[error("{what}: {source}")]
    Store {
        /// What was being done.
        what: String,
        /// The store's error.
        #[source]
        source: StoreError,
    },
    /// Tesseract could not be started.
    #[error("starting Tesseract: {0}")]
    Engine(String),
    /// The scanner and the pipeline disagree about the batch (a bug; nothing is lost).
    #[error("internal: {0}")]
    Internal(String),
}

fn st(what: impl FnOnce() -> String) -> impl FnOnce(StoreError) -> IngestError {
    move |source| IngestError::Store {
        what: what(),
        source,
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, IngestError>;

/// A file that did not make it (not stored, or quarantined), with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The file's name as given.
    pub file: String,
    /// Its id when it is in the store.
    pub file_id: Option<FileId>,
    /// Why (one line).
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// The opening.
    pub opening: i64,
    /// Input files given.
    pub inputs: usize,
    /// Files stored for the first time.
    pub stored_new: usize,
    /// Files that were already in the store (same content).
    pub already_stored: usize,
    /// Of those, files that belong to another opening.
    pub in_other_opening: usize,
    /// Files scanned in this run.
    pub files_scanned: usize,
    /// Pages saved in this run.
    pub pages_saved: usize,
    /// Files quarantined in this run.
    pub quarantined: usize,
    /// New drafts.
    pub drafts_new: usize,
    /// Drafts that were already there.
    pub drafts_known: usize,
    /// Files not stored or quarantined, with reasons.
    pub problems: Vec<Problem>,
    /// Milliseconds storing.
    pub store_ms: u64,
    /// Milliseconds scanning.
    pub scan_ms: u64,
    /// Milliseconds drafting.
    pub draft_ms: u64,
}

/// Stores one input file's bytes in the opening (idempotent by content). A file already
/// known is left as it is; one quarantined earlier is reported again as a problem.
pub fn store_bytes(
    store: &Store,
    opening: OpeningId,
    name: &str,
    bytes: &[u8],
    sum: &mut Summary,
) -> Result<FileId> {
    let outcome = store
        .add_file(opening, name, bytes)
        .map_err(st(|| format!("storing input {}", sum.inputs)))?;
    match outcome {
        AddFileOutcome::New(id) => {
            sum.stored_new += 1;
            Ok(id)
        }
        AddFileOutcome::Known(id) => {
            sum.already_stored += 1;
            let f = store.get_file(id).map_err(st(|| format!("file {id}")))?;
            if f.opening_id != opening {
                sum.in_other_opening += 1;
            } else if f.status == FileStatus::Quarantined {
                sum.problems.push(Problem {
                    file: name.to_string(),
                    file_id: Some(id),
                    reason: format!("quarantined earlier: {}", f.reason.unwrap_or_default()),
                });
            }
            Ok(id)
        }
    }
}

/// Progress of the scan stage: `done` of `total` files finished (saved or quarantined).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScanProgress {
    /// Files finished.
    pub done: usize,
    /// Files to scan in this run.
    pub total: usize,
    /// Pages saved so far in this run.
    pub pages: usize,
}

/// The file whose pages are arriving.
struct Current {
    info: FileInfo,
    expected: usize,
    seen: usize,
    pages: Vec<PageRecord>,
    errors: Vec<String>,
}

/// Stage 2: scans every `stored` file of the opening, in intake order, calling `progress`
/// after each file. Returns when all are saved or quarantined.
pub fn scan_pending(
    store: &Store,
    opening: OpeningId,
    opts: &BatchOptions,
    sum: &mut Summary,
    mut progress: impl FnMut(ScanProgress),
) -> Result<()> {
    let todo: Vec<FileInfo> = store
        .files_pending(opening)
        .map_err(st(|| format!("files of opening {opening}")))?
        .into_iter()
        .filter(|f| f.status == FileStatus::Stored)
        .collect();
    let total = todo.len();
    progress(ScanProgress {
        done: 0,
        total,
        pages: 0,
    });
    if todo.is_empty() {
        return Ok(());
    }
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
    let mut fatal: Option<IngestError> = None;
    let mut done = 0usize;
    let pages_before = sum.pages_saved;
    let lex = Lexicon::kyrgyz();
    let internal = |m: &str| IngestError::Internal(m.to_string());
    ishenim_scan::run_batch(reader, opts, &lex, |ev| {
        if fatal.is_some() {
            return;
        }
        let step = (|| -> Result<bool> {
            let mut finished = false;
            match ev {
                BatchEvent::FileOpened { pages, .. } => {
                    let info = queue
                        .pop_front()
                        .ok_or_else(|| internal("scanner reported more files than given"))?;
                    current = Some(Current {
                        info,
                        expected: pages,
                        seen: 0,
                        pages: Vec::with_capacity(pages),
                        errors: Vec::new(),
                    });
                }
                BatchEvent::Page(rec) => {
                    let c = current
                        .as_mut()
                        .ok_or_else(|| internal("a page before its file"))?;
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
                        .ok_or_else(|| internal("scanner reported more files than given"))?;
                    quarantine(store, &info, &format!("{code}: {error}"), sum)?;
                    finished = true;
                }
                BatchEvent::Error(FileError {
                    page: Some(p),
                    error,
                    code,
                    ..
                }) => {
                    let c = current
                        .as_mut()
                        .ok_or_else(|| internal("a page error before its file"))?;
                    c.seen += 1;
                    c.errors.push(format!("page {p}: {code}: {error}"));
                }
            }
            if current.as_ref().is_some_and(|c| c.seen >= c.expected) {
                if let Some(c) = current.take() {
                    finish_file(store, c, sum)?;
                    finished = true;
                }
            }
            Ok(finished)
        })();
        match step {
            Ok(true) => {
                done += 1;
                progress(ScanProgress {
                    done,
                    total,
                    pages: sum.pages_saved - pages_before,
                });
            }
            Ok(false) => {}
            Err(e) => fatal = Some(e),
        }
    })
    .map_err(|e| IngestError::Engine(e.to_string()))?;
    match fatal {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// All pages of a file are in: save them, or quarantine the file when a page failed (a
/// file is stored whole or not at all, so no page is silently missing).
fn finish_file(store: &Store, c: Current, sum: &mut Summary) -> Result<()> {
    if !c.errors.is_empty() {
        return quarantine(store, &c.info, &c.errors.join("; "), sum);
    }
    if c.pages.is_empty() {
        return quarantine(store, &c.info, "no pages in the file", sum);
    }
    let id = c.info.id;
    let ids = store
        .save_pages(id, &c.pages)
        .map_err(st(|| format!("saving the pages of file {id}")))?;
    sum.files_scanned += 1;
    sum.pages_saved += ids.len();
    Ok(())
}

fn quarantine(store: &Store, f: &FileInfo, reason: &str, sum: &mut Summary) -> Result<()> {
    store
        .quarantine(f.id, reason)
        .map_err(st(|| format!("quarantining file {}", f.id)))?;
    sum.quarantined += 1;
    sum.problems.push(Problem {
        file: f.original_name.clone(),
        file_id: Some(f.id),
        reason: reason.to_string(),
    });
    Ok(())
}

/// Stage 3: drafts the pages of every `scanned` file of the opening as one stack.
pub fn draft_scanned(
    store: &Store,
    opening: OpeningId,
    models: &Models,
    sum: &mut Summary,
) -> Result<()> {
    let files: Vec<FileInfo> = store
        .files_pending(opening)
        .map_err(st(|| format!("files of opening {opening}")))?
        .into_iter()
        .filter(|f| f.status == FileStatus::Scanned)
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for f in &files {
        for p in store
            .pages_of_file(f.id)
            .map_err(st(|| format!("pages of file {}", f.id)))?
        {
            records.push(
                store
                    .page_record(p.id)
                    .map_err(st(|| format!("page {}", p.id)))?,
            );
            ids.push(p.id);
        }
    }
    let mut drafts = draft_letters(&records, models);
    let opened = store
        .get_opening(opening)
        .map_err(st(|| format!("opening {opening}")))?
        .opened_at
        .date();
    for d in &mut drafts {
        check_date_against_opening(d, opened);
    }
    let mut new = Vec::with_capacity(drafts.len());
    let mut cursor = 0usize;
    for d in &drafts {
        let page_ids = match_pages(&d.pages, &records, &ids, &mut cursor)?;
        new.push(NewDraft {
            page_ids,
            data: d.clone(),
        });
    }
    let outcomes = store
        .save_drafts(DraftScope::Opening(opening), &new)
        .map_err(st(|| "saving the drafts".to_string()))?;
    for o in outcomes {
        match o {
            SaveDraftOutcome::New(_) => sum.drafts_new += 1,
            SaveDraftOutcome::Known(_) => sum.drafts_known += 1,
        }
    }
    Ok(())
}

/// A letter cannot be dated after the box was opened: such a date is a misreading (or a
/// wrong date on the letter). The reviewer is told (warning `date_after_opening`, low
/// confidence, so the review screen marks the field); the date is kept as read.
fn check_date_against_opening(d: &mut ishenim_draft::LetterDraft, opened: chrono::NaiveDate) {
    let after = d
        .date
        .as_deref()
        .and_then(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .is_some_and(|date| date > opened);
    if after {
        d.confidence.date = d.confidence.date.min(0.3);
        d.warnings.push("date_after_opening".into());
    }
}

/// Maps a draft's page stems to page ids. Drafts list their pages in scan order and never
/// reorder the stack, so walking forward from `cursor` is exact even when two files of the
/// batch have the same name (and so the same stems).
fn match_pages(
    stems: &[String],
    records: &[PageRecord],
    ids: &[PageId],
    cursor: &mut usize,
) -> Result<Vec<PageId>> {
    let mut out = Vec::with_capacity(stems.len());
    for s in stems {
        let at = records[*cursor..]
            .iter()
            .position(|r| &r.stem == s)
            .map(|i| i + *cursor)
            .ok_or_else(|| {
                IngestError::Internal(format!("a draft page is not in the scanned stack ({s})"))
            })?;
        out.push(ids[at]);
        *cursor = at + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(stem: &str) -> PageRecord {
        ishenim_draft::eval::page_from_text(stem, "")
    }

    #[test]
    fn a_letter_dated_after_the_opening_is_marked_for_the_reviewer() {
        let page = ishenim_draft::eval::page_from_text(
            "p1",
            "Айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Асанов Бакыт\nАРЫЗ\n\
             Көпүрөнү оңдоп берүүнү суранам.\n2025-жылдын 5-майы\nКолу: Асанов Бакыт",
        );
        let mut d = draft_letters(&[page], &Models::embedded()).remove(0);
        assert_eq!(d.date.as_deref(), Some("2025-05-05"));
        let opened = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        check_date_against_opening(&mut d, opened("2025-05-05"));
        assert!(
            d.warnings.is_empty() && d.confidence.date > 0.3,
            "the same day is fine"
        );
        check_date_against_opening(&mut d, opened("2025-05-04"));
        assert_eq!(d.warnings, ["date_after_opening"]);
        assert!(d.confidence.date <= 0.3);
        assert_eq!(d.date.as_deref(), Some("2025-05-05"), "kept as read");
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

    #[test]
    fn storing_twice_is_recognised() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let o = store
            .new_opening(ishenim_store::NewOpening {
                opened_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
                    .and_then(|d| d.and_hms_opt(10, 0, 0))
                    .expect("date"),
                members: vec!["A".into()],
                seal_removed: "1".into(),
                seal_applied: "2".into(),
                letters_found: 1,
                notes: String::new(),
            })
            .expect("opening");
        let mut sum = Summary::default();
        let a = store_bytes(&store, o, "a.png", b"not really a png", &mut sum).expect("a");
        let b = store_bytes(&store, o, "b.png", b"not really a png", &mut sum).expect("b");
        assert_eq!(a, b);
        assert_eq!((sum.stored_new, sum.already_stored), (1, 1));
    }
}
