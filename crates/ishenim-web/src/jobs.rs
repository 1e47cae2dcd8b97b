//! The background ingest of uploaded scans: one worker thread takes openings with stored
//! but unscanned files, scans them (one Tesseract engine per scan thread) and drafts the
//! letters, publishing progress for the openings screen.
//!
//! Uploads are stored (durably, by [`ishenim_ingest::store_bytes`]) before they are
//! queued here, so a crash or restart loses nothing: at start the worker resumes every
//! opening that still has stored or scanned-but-undrafted files.

use crate::Config;
use ishenim_draft::Models;
use ishenim_ingest::{draft_scanned, scan_pending, Summary};
use ishenim_scan::BatchOptions;
use ishenim_store::{FileStatus, OpeningId, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};

/// State of an opening's ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for the worker.
    Queued,
    /// Reading pages.
    Scanning,
    /// Grouping pages into letters.
    Drafting,
    /// Finished.
    Done,
    /// Stopped by an error (the files stay stored; a retry continues).
    Failed,
}

/// Progress of an opening's ingest, as the openings screen polls it.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    /// Where it is.
    pub state: JobState,
    /// Files finished in this run.
    pub done: usize,
    /// Files to scan in this run.
    pub total: usize,
    /// Pages saved in this run.
    pub pages: usize,
    /// Files quarantined in this run.
    pub quarantined: usize,
    /// New drafts in this run.
    pub drafts_new: usize,
    /// Why it failed (ids only, never letter text).
    pub error: Option<String>,
}

impl JobStatus {
    fn queued() -> JobStatus {
        JobStatus {
            state: JobState::Queued,
            done: 0,
            total: 0,
            pages: 0,
            quarantined: 0,
            drafts_new: 0,
            error: None,
        }
    }
}

type StatusMap = Arc<Mutex<HashMap<OpeningId, JobStatus>>>;

/// Handle to the ingest worker.
pub struct Jobs {
    tx: Mutex<Option<Sender<OpeningId>>>,
    status: StatusMap,
}

fn lock(m: &StatusMap) -> std::sync::MutexGuard<'_, HashMap<OpeningId, JobStatus>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Openings with work left: stored files not yet scanned, or scanned files not drafted.
fn unfinished(store: &Store) -> Vec<OpeningId> {
    let Ok(openings) = store.list_openings() else {
        return Vec::new();
    };
    openings
        .into_iter()
        .filter(|o| {
            store.files_pending(o.id).is_ok_and(|f| {
                f.iter()
                    .any(|f| matches!(f.status, FileStatus::Stored | FileStatus::Scanned))
            })
        })
        .map(|o| o.id)
        .collect()
}

impl Jobs {
    /// Starts the worker thread and queues every unfinished opening.
    pub fn start(store: Store, config: &Config, models: Models) -> Jobs {
        let (tx, rx) = channel::<OpeningId>();
        let status: StatusMap = Arc::default();
        let opts = BatchOptions {
            jobs: config.scan_jobs.max(1),
            lang: "kir".into(),
            datapath: config.tessdata.clone(),
            ..BatchOptions::default()
        };
        let st = status.clone();
        let worker_store = store.clone();
        let spawned = std::thread::Builder::new()
            .name("ingest".into())
            .spawn(move || {
                lower_priority();
                while let Ok(opening) = rx.recv() {
                    run_opening(&worker_store, opening, &opts, &models, &st);
                }
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the ingest worker: {e}");
        }
        let jobs = Jobs {
            tx: Mutex::new(Some(tx)),
            status,
        };
        for o in unfinished(&store) {
            tracing::info!("resuming the ingest of opening {o}");
            jobs.enqueue(o);
        }
        jobs
    }

    /// Queues an opening (no-op when it is already queued or running).
    pub fn enqueue(&self, opening: OpeningId) {
        {
            let mut map = lock(&self.status);
            if let Some(job) = map.get(&opening) {
                if job.state == JobState::Queued {
                    return;
                }
            }
            map.insert(opening, JobStatus::queued());
        }
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = tx.as_ref() {
            let _ = tx.send(opening);
        }
    }

    /// Latest progress of an opening (`None`: nothing ran since the server started).
    pub fn status(&self, opening: OpeningId) -> Option<JobStatus> {
        lock(&self.status).get(&opening).cloned()
    }

    /// True while any opening is queued or running.
    pub fn busy(&self) -> bool {
        lock(&self.status).values().any(|s| {
            matches!(
                s.state,
                JobState::Queued | JobState::Scanning | JobState::Drafting
            )
        })
    }

    /// Stops taking new work (the running file finishes or is redone after restart).
    pub fn shutdown(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

/// Nice value of the ingest thread and of the scan threads it starts.
pub const INGEST_NICE: i32 = 10;

/// Lowers the calling thread's CPU priority to [`INGEST_NICE`]. On Linux the nice value
/// belongs to each thread and threads started later inherit it, so the scan workers that
/// `run_batch` starts from the ingest thread run at it too. Tesseract then gives the cores
/// to the requests people are waiting on and still uses all of them when nobody is: the
/// load test (`examples/load_test.rs`) measured the screens during an ingest.
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `gettid` and `setpriority` take plain integers and touch no memory
        // of ours; a failure (not allowed) only leaves the priority as it was.
        let rc = unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, INGEST_NICE)
        };
        if rc != 0 {
            tracing::warn!(
                "cannot lower the ingest priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

fn set(st: &StatusMap, opening: OpeningId, f: impl FnOnce(&mut JobStatus)) {
    let mut map = lock(st);
    let job = map.entry(opening).or_insert_with(JobStatus::queued);
    f(job);
}

fn run_opening(
    store: &Store,
    opening: OpeningId,
    opts: &BatchOptions,
    models: &Models,
    st: &StatusMap,
) {
    let mut sum = Summary {
        opening: opening.0,
        ..Summary::default()
    };
    // Files uploaded while a run is under way are picked up by the next round.
    for _round in 0..1000 {
        set(st, opening, |s| s.state = JobState::Scanning);
        let scanned = scan_pending(store, opening, opts, &mut sum, |p| {
            set(st, opening, |s| {
                s.done = p.done;
                s.total = p.total;
                s.pages = p.pages;
            });
        });
        if let Err(e) = scanned {
            tracing::error!("ingest of opening {opening} failed: {e}");
            set(st, opening, |s| {
                s.state = JobState::Failed;
                s.error = Some(e.to_string());
            });
            return;
        }
        set(st, opening, |s| s.state = JobState::Drafting);
        if let Err(e) = draft_scanned(store, opening, models, &mut sum) {
            tracing::error!("drafting of opening {opening} failed: {e}");
            set(st, opening, |s| {
                s.state = JobState::Failed;
                s.error = Some(e.to_string());
            });
            return;
        }
        let more = store
            .files_pending(opening)
            .is_ok_and(|f| f.iter().any(|f| f.status == FileStatus::Stored));
        if !more {
            break;
        }
    }
    tracing::info!(
        "opening {opening}: {} files scanned, {} pages, {} quarantined, {} new drafts",
        sum.files_scanned,
        sum.pages_saved,
        sum.quarantined,
        sum.drafts_new
    );
    set(st, opening, |s| {
        s.state = JobState::Done;
        s.quarantined = sum.quarantined;
        s.drafts_new = sum.drafts_new;
        s.pages = sum.pages_saved;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn nice_of_this_thread() -> i32 {
        // SAFETY: plain integer arguments; errno is not needed for a nice value in 0..=19.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_ingest_thread_and_the_threads_it_starts_run_at_low_priority() {
        let before = nice_of_this_thread();
        let (own, child) = std::thread::spawn(|| {
            lower_priority();
            let child = std::thread::spawn(nice_of_this_thread)
                .join()
                .expect("child");
            (nice_of_this_thread(), child)
        })
        .join()
        .expect("thread");
        assert_eq!(own, before.max(INGEST_NICE));
        assert_eq!(child, own, "scan workers inherit it");
        assert_eq!(nice_of_this_thread(), before, "other threads keep theirs");
    }
}
