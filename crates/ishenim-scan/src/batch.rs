//! Many files, many pages, several worker threads; results in input order.

use crate::page::{scan_page, Engines, PageInput, ScanConfig};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use ishenim_intake::{open, Limits};
use ishenim_ocr::digits::DigitReader;
use ishenim_ocr::{Engine, Lexicon, OcrError};
use ishenim_page::{FileError, PageRecord};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// One input file: its display name and its bytes (or why they could not be read).
pub struct Input {
    /// File name as given by the user.
    pub file: String,
    /// Contents, or a one-line read error.
    pub bytes: Result<Vec<u8>, String>,
}

/// Settings of a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads, each with its own Tesseract engine.
    pub jobs: usize,
    /// Tesseract languages, e.g. `kir` or `kir+rus`.
    pub lang: String,
    /// Tesseract data folder, or its default.
    pub datapath: Option<String>,
    /// Folder of the legacy `eng` model that votes on numbers (default:
    /// [`ishenim_ocr::digits::legacy_model_dir`]); without it numbers get LSTM votes only.
    pub legacy_digits: Option<std::path::PathBuf>,
    /// Input safety limits.
    pub limits: Limits,
    /// Page-level settings.
    pub config: ScanConfig,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            jobs: 2,
            lang: "kir".into(),
            datapath: None,
            legacy_digits: ishenim_ocr::digits::legacy_model_dir(),
            limits: Limits::default(),
            config: ScanConfig::default(),
        }
    }
}

/// What the batch reports, in input order.
#[derive(Debug)]
pub enum BatchEvent {
    /// A file was opened and has this many pages.
    FileOpened {
        /// File name.
        file: String,
        /// Page count.
        pages: usize,
    },
    /// A page was scanned.
    Page(Box<PageRecord>),
    /// A file (or one of its pages) could not be read.
    Error(FileError),
}

enum Work {
    Page(PageInput),
}

/// Output stem of a page: the file name without extension (`-<n>` added for multi-page
/// files), made safe to use as a file name (no separators, no leading dot).
fn stem_of(file: &str, page: usize, pages: usize) -> String {
    let name = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    if pages > 1 {
        format!("{name}-{}", page + 1)
    } else {
        name
    }
}

/// Scans all `inputs` with `opts.jobs` threads and hands every event to `sink` in input
/// order. Fails only when the engines cannot start (e.g. a language is not installed).
///
/// One producer thread opens the files and numbers every event ([`produce`]), the workers
/// scan the pages, and the calling thread puts the results back in order ([`in_order`]).
pub fn run_batch<I>(
    inputs: I,
    opts: &BatchOptions,
    lex: &Lexicon,
    sink: impl FnMut(BatchEvent),
) -> Result<(), OcrError>
where
    I: Iterator<Item = Input> + Send,
{
    let jobs = opts.jobs.max(1);
    let engines = start_engines(opts, jobs)?;
    let (work_tx, work_rx) = bounded::<(u64, Work)>(jobs);
    let (done_tx, done_rx) = unbounded::<(u64, BatchEvent)>();
    std::thread::scope(|s| {
        for mut engine in engines {
            let rx = work_rx.clone();
            let tx = done_tx.clone();
            let cfg = &opts.config;
            s.spawn(move || {
                for (seq, Work::Page(p)) in rx {
                    let rec = scan_page(&mut engine, lex, cfg, p);
                    if tx.send((seq, BatchEvent::Page(Box::new(rec)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(work_rx);
        let producer_done = done_tx.clone();
        let limits = opts.limits;
        s.spawn(move || produce(inputs, limits, work_tx, producer_done));
        drop(done_tx);
        in_order(done_rx, sink);
    });
    Ok(())
}

/// One set of engines a worker: text, and the digit and code readers when their models
/// are there.
fn start_engines(opts: &BatchOptions, jobs: usize) -> Result<Vec<Engines>, OcrError> {
    let mut engines = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        engines.push(Engines {
            text: Engine::new(opts.datapath.as_deref(), &opts.lang)?,
            digits: DigitReader::new(opts.datapath.as_deref(), opts.legacy_digits.as_deref()).ok(),
            codes: crate::codes::CodeReader::new(opts.datapath.as_deref()).ok(),
        });
    }
    Ok(engines)
}

/// The producer: opens each input in turn and numbers every event. Pages go to the
/// workers (`work_tx`); what needs no scanning (an opened file, a file or page that cannot
/// be read) goes straight to `done`. Stops when the workers are gone.
fn produce<I>(
    inputs: I,
    limits: Limits,
    work_tx: Sender<(u64, Work)>,
    done: Sender<(u64, BatchEvent)>,
) where
    I: Iterator<Item = Input>,
{
    let mut seq = 0u64;
    let emit = |ev: BatchEvent, seq: &mut u64| {
        let _ = done.send((*seq, ev));
        *seq += 1;
    };
    for input in inputs {
        let bytes = match input.bytes {
            Ok(b) => b,
            Err(e) => {
                emit(
                    BatchEvent::Error(FileError {
                        file: input.file,
                        page: None,
                        error: e,
                        code: "unreadable".into(),
                    }),
                    &mut seq,
                );
                continue;
            }
        };
        let doc = match open(&bytes, &limits) {
            Ok(d) => d,
            Err(e) => {
                emit(
                    BatchEvent::Error(FileError {
                        file: input.file,
                        page: None,
                        error: e.to_string(),
                        code: e.code().into(),
                    }),
                    &mut seq,
                );
                continue;
            }
        };
        let pages = doc.page_count();
        emit(
            BatchEvent::FileOpened {
                file: input.file.clone(),
                pages,
            },
            &mut seq,
        );
        for i in 0..pages {
            let t = Instant::now();
            match doc.page(i) {
                Ok(p) => {
                    let work = Work::Page(PageInput {
                        file: input.file.clone(),
                        page: i as u32 + 1,
                        stem: stem_of(&input.file, i, pages),
                        image: p.image,
                        dpi: p.dpi,
                        decode_ms: t.elapsed().as_millis() as u64,
                    });
                    if work_tx.send((seq, work)).is_err() {
                        return;
                    }
                    seq += 1;
                }
                Err(e) => emit(
                    BatchEvent::Error(FileError {
                        file: input.file.clone(),
                        page: Some(i as u32 + 1),
                        error: e.to_string(),
                        code: e.code().into(),
                    }),
                    &mut seq,
                ),
            }
        }
    }
    drop(work_tx);
}

/// Hands the numbered events to `sink` in their order as they come back from the
/// workers (whatever is left when the channel closes, in order too).
fn in_order(done_rx: Receiver<(u64, BatchEvent)>, mut sink: impl FnMut(BatchEvent)) {
    let mut next = 0u64;
    let mut pending: BTreeMap<u64, BatchEvent> = BTreeMap::new();
    for (seq, ev) in done_rx {
        pending.insert(seq, ev);
        while let Some(ev) = pending.remove(&next) {
            sink(ev);
            next += 1;
        }
    }
    for (_, ev) in pending {
        sink(ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem_of("dir/L001p1.png", 0, 1), "L001p1");
        assert_eq!(stem_of("scan.tif", 2, 5), "scan-3");
        assert_eq!(stem_of("../../x.png", 0, 1), "x");
        assert_eq!(stem_of("..png", 0, 1), "_.");
        assert_eq!(stem_of("dir/.hidden.png", 0, 1), "_.hidden");
    }
}
