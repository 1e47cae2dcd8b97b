//! The office scanner on the web: the admin chooses the device and its settings from what
//! `scanimage -L` finds (`/admin/scanner`); a clerk presses "Scan" on an opening's page
//! (`POST /openings/{id}/scan`), which runs `ishenim_inbox::scan_into` on a thread: pages
//! are stored as they come (the upload path) and the ingest worker reads them, so the
//! opening's progress shows them like uploads. One scan at a time (one scanner). A jam,
//! an empty feeder or a missing scanner is shown in the user's language; pages scanned
//! before it stay stored. The page polls `/openings/{id}/progress` for the scan's counts
//! and message, and a clerk can cancel a running scan (`POST /openings/{id}/scan/cancel`):
//! scanimage's process group is stopped, the pages already whole are stored.

use super::audit;
use crate::auth::{Area, CurrentUser};
use crate::i18n::{msg, Lang};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use ishenim_inbox::{sane, scan_into, scan_settings, ScanError};
use ishenim_ingest::Summary;
use ishenim_store::{FileId, FileStatus, OpeningId, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The last scan started since the server started.
#[derive(Debug, Clone, Serialize)]
pub struct ScanStatus {
    /// Its opening.
    pub opening: OpeningId,
    /// Still feeding.
    pub running: bool,
    /// Pages the scanner delivered and the register took (identical pages count each).
    pub pages: usize,
    /// Distinct files of the register these pages are (identical pages are one file).
    pub stored: usize,
    /// Of those, files the reader put into quarantine.
    pub quarantined: usize,
    /// A clerk pressed Cancel.
    pub cancelled: bool,
    /// Message key of the problem (`scan_jammed`, `scan_cancelled`, …), if any.
    pub problem: Option<String>,
    /// The register's files of this scan.
    #[serde(skip)]
    files: Vec<FileId>,
    /// Set by Cancel; the scan thread stops scanimage when it sees it.
    #[serde(skip)]
    stop: Arc<AtomicBool>,
}

/// The scanner's state (one device, one scan at a time).
#[derive(Default)]
pub struct Scanner {
    last: Mutex<Option<ScanStatus>>,
    /// Held by whatever takes pages out of the work folders (a scan, or storing what a
    /// killed scan left), so that two never store and remove the same page at once.
    work: Mutex<()>,
}

impl Scanner {
    /// The last scan of `opening`, with the stored/quarantined counts read from the
    /// register now.
    pub fn status(&self, store: &Store, opening: OpeningId) -> Option<ScanStatus> {
        let mut scan = {
            let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            last.as_ref()
                .filter(|scan| scan.opening == opening)
                .cloned()?
        };
        scan.stored = scan.files.len();
        scan.quarantined = scan
            .files
            .iter()
            .filter(|id| {
                store
                    .get_file(**id)
                    .is_ok_and(|file| file.status == FileStatus::Quarantined)
            })
            .count();
        Some(scan)
    }

    fn update(&self, f: impl FnOnce(&mut ScanStatus)) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(scan) = last.as_mut() {
            f(scan);
        }
    }

    /// True while a scan (into any opening) runs in this server.
    fn running(&self) -> bool {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref().is_some_and(|scan| scan.running)
    }

    /// The work folders, unless a scan or another store holds them.
    fn try_work(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        match self.work.try_lock() {
            Ok(work) => Some(work),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// Claims the scanner for `opening`; false while another scan runs.
    fn claim(&self, opening: OpeningId) -> Option<Arc<AtomicBool>> {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.as_ref().is_some_and(|scan| scan.running) {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        *last = Some(ScanStatus {
            opening,
            running: true,
            pages: 0,
            stored: 0,
            quarantined: 0,
            cancelled: false,
            problem: None,
            files: Vec::new(),
            stop: stop.clone(),
        });
        Some(stop)
    }

    /// Asks the running scan of `opening` to stop; false when none runs.
    fn cancel(&self, opening: OpeningId) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match last.as_mut() {
            Some(scan) if scan.running && scan.opening == opening => {
                scan.cancelled = true;
                scan.stop.store(true, Ordering::SeqCst);
                true
            }
            _ => false,
        }
    }
}

/// The scan's state for the page and `/openings/{id}/progress`: the status plus its
/// message in the user's language.
pub fn status_json(state: &AppState, lang: Lang, opening: OpeningId) -> serde_json::Value {
    match state.scanner.status(&state.store, opening) {
        None => serde_json::Value::Null,
        Some(scan) => {
            let message = if scan.running && scan.cancelled {
                msg(lang, "scan_cancelling")
            } else if scan.running {
                msg(lang, "scan_running")
            } else if let Some(problem) = &scan.problem {
                msg(lang, problem)
            } else {
                msg(lang, "scan_finished")
            };
            let mut json = serde_json::to_value(&scan).unwrap_or_default();
            json["message"] = message.into();
            json
        }
    }
}

/// `POST /openings/{id}/scan`: starts the scanner into the opening (clerk, admin).
pub async fn scan(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(id))?.id;
    let Some(stop) = state.scanner.claim(opening) else {
        return Err(AppError::Invalid("scan_busy".into()));
    };
    audit(&state, &me, "scan", &format!("opening {opening}"))?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || run(&st, opening, &stop));
    Ok(Redirect::to(&format!("/openings/{opening}#scanner")).into_response())
}

/// `POST /openings/{id}/scan/cancel`: stops the running scan (clerk, admin; audited).
/// Pages already stored stay in the register.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(id))?.id;
    if !state.scanner.cancel(opening) {
        return Err(AppError::Invalid("scan_not_running".into()));
    }
    audit(&state, &me, "scan_cancel", &format!("opening {opening}"))?;
    Ok(Redirect::to(&format!("/openings/{opening}#scanner")).into_response())
}

fn run(state: &AppState, opening: OpeningId, stop: &AtomicBool) {
    let work = state.scanner.work.lock().unwrap_or_else(|p| p.into_inner());
    let result = scan_settings(&state.store, None, None).and_then(|settings| {
        let mut sum = Summary::default();
        scan_into(
            &state.store,
            opening,
            &settings,
            std::time::Duration::from_millis(500),
            stop,
            &mut sum,
            |round| {
                if !round.openings.is_empty() {
                    state.jobs.enqueue(opening);
                }
                state.scanner.update(|scan| {
                    for event in &round.events {
                        if let ishenim_inbox::Event::Taken { file, .. } = event {
                            scan.pages += 1;
                            if !scan.files.contains(file) {
                                scan.files.push(*file);
                            }
                        }
                    }
                });
            },
        )
    });
    let problem = match result {
        Ok(outcome) => outcome.problem.map(|p| p.key().to_string()),
        Err(ScanError::Scanner(p)) => Some(p.key().to_string()),
        Err(ScanError::NotSet) => Some("scan_not_set".to_string()),
        Err(e) => {
            tracing::error!("scan into opening {opening}: {e}");
            Some("scan_failed".to_string())
        }
    };
    if let Some(key) = &problem {
        tracing::warn!("scan into opening {opening} stopped: {key}");
    }
    drop(work);
    state.scanner.update(|scan| {
        scan.running = false;
        scan.problem = problem;
    });
}

/// Whole pages left in the opening's work folder while no scan runs: a scan stores its
/// pages as they come, so these are what a scan stopped without its server (killed,
/// power cut) wrote after its last look. `None` when there are none or a scan runs (it
/// takes them itself). The notice is in the user's language.
pub fn left_json(state: &AppState, lang: Lang, opening: OpeningId) -> serde_json::Value {
    if state.scanner.running() {
        return serde_json::Value::Null;
    }
    let left = ishenim_inbox::left_pages(&state.store, opening);
    if left.pages == 0 {
        return serde_json::Value::Null;
    }
    json!({
        "pages": left.pages,
        "parts": left.parts,
        "notice": left_notice(lang, left.pages),
    })
}

/// «Сканерлөө үзүлгөн: N барак сакталган жок.» / «Сканирование прервано: N страниц не
/// сохранены.», with the Russian noun agreeing with N.
fn left_notice(lang: Lang, n: usize) -> String {
    let form = match (n % 10, n % 100) {
        (1, r) if r != 11 => "scan_left_one",
        (2..=4, r) if !(12..=14).contains(&r) => "scan_left_few",
        _ => "scan_left_many",
    };
    msg(lang, form).replace("{n}", &n.to_string())
}

/// `POST /openings/{id}/scan/left`: stores now the whole pages a stopped scan left in the
/// opening's work folder, removes its half pages and queues the reading (clerk, admin;
/// CSRF by the middleware; audited `scan_left` with the counts). 400 `scan_busy` while a
/// scan runs (it takes them itself). A page that cannot be stored goes to
/// `<data>/scanner/failed/` with its reason; one the reader cannot read is quarantined.
pub async fn store_left(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(id))?.id;
    if state.scanner.running() {
        return Err(AppError::Invalid("scan_busy".into()));
    }
    let st = state.clone();
    let round = tokio::task::spawn_blocking(move || {
        let Some(_work) = st.scanner.try_work() else {
            return Ok(None);
        };
        let mut sum = Summary::default();
        ishenim_inbox::store_left_pages(&st.store, opening, &mut sum).map(Some)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let Some(round) = round else {
        return Err(AppError::Invalid("scan_busy".into()));
    };
    let (mut taken, mut failed) = (0, 0);
    for e in &round.events {
        match e {
            ishenim_inbox::Event::Taken { .. } => taken += 1,
            ishenim_inbox::Event::Failed { name, reason } => {
                failed += 1;
                tracing::warn!(
                    "opening {opening}: page {name} left by a scan not stored: {reason}"
                );
            }
            ishenim_inbox::Event::Waiting { .. } => {}
        }
    }
    if !round.openings.is_empty() {
        state.jobs.enqueue(opening);
    }
    audit(
        &state,
        &me,
        "scan_left",
        &format!("opening {opening}: {taken} pages stored, {failed} failed"),
    )?;
    // The clerk is told of pages the register refused (kept in `scanner/failed/`).
    let to = if failed > 0 {
        format!("/openings/{opening}?left_failed={failed}#scanner")
    } else {
        format!("/openings/{opening}#scanner")
    };
    Ok(Redirect::to(&to).into_response())
}

/// `GET /admin/scanner`: the devices SANE finds and the current settings (admin).
pub async fn page(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    me.require(Area::Users)?;
    let (devices, settings) = {
        let store = state.store.clone();
        tokio::task::spawn_blocking(move || {
            let devices: Vec<_> = sane::devices()
                .unwrap_or_default()
                .into_iter()
                .map(|device| {
                    let sources = sane::sources(&device.name).unwrap_or_default();
                    json!({"name": device.name, "label": device.label, "sources": sources})
                })
                .collect();
            let get = |k: &str| store.setting(k).ok().flatten().unwrap_or_default();
            let settings = json!({
                "device": get("scanner_device"),
                "source": get("scanner_source"),
                "mode": get("scanner_mode"),
                "resolution": get("scanner_resolution"),
            });
            (devices, settings)
        })
        .await
        .map_err(AppError::internal)?
    };
    Ok(crate::auth::page(
        &state,
        &me,
        "scanner.html",
        json!({ "devices": devices, "s": settings }),
    ))
}

/// Form of `POST /admin/scanner`.
#[derive(Debug, Deserialize)]
pub struct ScannerForm {
    device: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    resolution: String,
}

/// `POST /admin/scanner`: saves the scanner settings (admin; each change audited by the
/// store).
pub async fn save(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(form): Form<ScannerForm>,
) -> Result<Response, AppError> {
    me.require(Area::Users)?;
    let store = &state.store;
    let source = if form.source.trim().is_empty() {
        "auto"
    } else {
        form.source.trim()
    };
    let resolution = if form.resolution.trim().is_empty() {
        "300"
    } else {
        form.resolution.trim()
    };
    store.set_setting("scanner_device", &form.device, me.login())?;
    store.set_setting("scanner_source", source, me.login())?;
    store.set_setting("scanner_mode", &form.mode, me.login())?;
    store.set_setting("scanner_resolution", resolution, me.login())?;
    Ok(Redirect::to("/admin/scanner").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_left_pages_notice_counts_in_both_languages() {
        assert_eq!(
            left_notice(Lang::Ky, 3),
            "Сканерлөө үзүлгөн: 3 барак сакталган жок."
        );
        let ru = |n| left_notice(Lang::Ru, n);
        assert_eq!(ru(1), "Сканирование прервано: 1 страница не сохранена.");
        assert_eq!(ru(3), "Сканирование прервано: 3 страницы не сохранены.");
        assert_eq!(ru(5), "Сканирование прервано: 5 страниц не сохранены.");
        assert!(ru(11).contains("11 страниц "));
        assert!(ru(12).contains("12 страниц "));
        assert!(ru(21).contains("21 страница "));
        assert!(ru(22).contains("22 страницы "));
    }
}
