//! `/scanner/failed`: the files the scanner's work folders (`<data>/scanner/failed/`, one
//! folder for all openings) and the watched scan folder of `ishenim serve --inbox DIR`
//! (`DIR/failed/`, a second section) could not hand to the register, listed with their
//! reason and the opening each was meant for, so that the clerk or the administrator can
//! act on them without a shell: retry a file into an opening (stored as an upload and
//! read), or put it into the register's quarantine with its reason. Either way it leaves
//! the folder only once the register holds its bytes; nothing is deleted otherwise. Both
//! actions are POSTs (CSRF by the middleware) and audited with the folder, the file's name
//! and ids only. The two folders share one page so that the clerk has one place to look,
//! with the same roles for both.

use super::audit;
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use ishenim_inbox::failed::{self, FailedError};
use ishenim_store::OpeningId;
use serde::Deserialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Which `failed/` folder a request means: the form's `from` (`scanner`, the default, or
/// `inbox`). Returns the folder and the name it has in the audit log; `inbox` without
/// `--inbox` is no folder at all.
fn folder(state: &AppState, from: Option<&str>) -> Result<(PathBuf, &'static str), AppError> {
    match from.unwrap_or("scanner") {
        "scanner" => Ok((failed::scanner_failed_dir(&state.store), "scanner/failed")),
        "inbox" => match &state.config.inbox {
            Some(dir) => Ok((dir.join(ishenim_inbox::FAILED), "inbox/failed")),
            None => Err(AppError::Invalid("failed_not_found".into())),
        },
        _ => Err(AppError::Invalid("failed_bad_action".into())),
    }
}

/// The rows of one `failed/` folder for the page (read on the blocking pool).
async fn rows(dir: PathBuf, newest: Option<OpeningId>) -> Result<Vec<serde_json::Value>, AppError> {
    let files = tokio::task::spawn_blocking(move || failed::list(&dir))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(files
        .iter()
        .map(|f| {
            let when = chrono::DateTime::from_timestamp(f.modified, 0)
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%d.%m.%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            json!({
                "name": f.name,
                "kib": f.size.div_ceil(1024),
                "when": when,
                "reason": f.reason,
                "opening": f.opening,
                "target": f.opening.or(newest),
            })
        })
        .collect())
}

/// Query of `GET /scanner/failed`: what the last action did (a message key and a file
/// id; strings, so that a mangled link still shows the page).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    file: Option<String>,
}

/// `GET /scanner/failed` (clerk, admin).
pub async fn list(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let mut openings = state.store.list_openings()?;
    openings.sort_by_key(|o| std::cmp::Reverse(o.opened_at));
    let newest = openings.first().map(|o| o.id);
    let mut sections = vec![json!({
        "from": "scanner",
        "anchor": "scanner-failed",
        "table": "failed-files",
        "empty": "failed-empty",
        "title": "failed_scanner_section",
        "hint": "failed_hint",
        "files": rows(folder(&state, None)?.0, newest).await?,
    })];
    if let Some(dir) = &state.config.inbox {
        sections.push(json!({
            "from": "inbox",
            "anchor": "inbox-failed",
            "table": "inbox-failed-files",
            "empty": "inbox-failed-empty",
            "title": "failed_inbox_section",
            "hint": "failed_inbox_hint",
            "dir": dir.join(ishenim_inbox::FAILED).display().to_string(),
            "files": rows(folder(&state, Some("inbox"))?.0, newest).await?,
        }));
    }
    let done = q
        .done
        .filter(|d| matches!(d.as_str(), "failed_retried" | "failed_quarantined"));
    let file = q.file.and_then(|f| f.parse::<i64>().ok());
    Ok(crate::auth::page(
        &state,
        &me,
        "failed.html",
        json!({
            "sections": sections,
            "inbox": state.config.inbox.is_some(),
            "openings": openings,
            "done": done,
            "file": file,
        }),
    ))
}

/// Form of `POST /scanner/failed`.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    /// `retry` or `quarantine`.
    #[serde(rename = "do")]
    action: String,
    /// The file's name in that `failed/` folder.
    name: String,
    /// Which folder: `scanner` (the default) or `inbox`.
    #[serde(default)]
    from: Option<String>,
    /// The opening to store it into.
    opening: i64,
}

/// `POST /scanner/failed`: retries a failed file of either folder into an opening or puts
/// it into the register's quarantine (clerk, admin; CSRF by the middleware; audited
/// `scan_failed_retry` / `scan_failed_quarantine`, the object naming the folder). 400 with
/// a reason when the file is gone, still too large to read, or empty; the file then stays.
pub async fn act(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(f.opening))?.id;
    let (dir, label) = folder(&state, f.from.as_deref())?;
    let retrying = match f.action.as_str() {
        "retry" => true,
        "quarantine" => false,
        _ => return Err(AppError::Invalid("failed_bad_action".into())),
    };
    let st = state.clone();
    let name = f.name.clone();
    let handled = tokio::task::spawn_blocking(move || {
        if retrying {
            failed::retry(&st.store, &dir, &name, opening)
        } else {
            failed::quarantine(&st.store, &dir, &name, opening)
        }
    })
    .await
    .map_err(AppError::internal)?
    .map_err(refusal)?;
    if handled.to_read {
        state.jobs.enqueue(handled.opening);
    }
    let (action, done) = if retrying {
        ("scan_failed_retry", "failed_retried")
    } else {
        ("scan_failed_quarantine", "failed_quarantined")
    };
    audit(
        &state,
        &me,
        action,
        &format!(
            "{label} {} -> opening {} file {}{}",
            f.name.escape_debug(),
            handled.opening,
            handled.file,
            if handled.new { " (new)" } else { "" }
        ),
    )?;
    let anchor = if label == "inbox/failed" {
        "#inbox-failed"
    } else {
        ""
    };
    Ok(Redirect::to(&format!(
        "/scanner/failed?done={done}&file={}{anchor}",
        handled.file
    ))
    .into_response())
}

/// Query of `GET /scanner/failed/preview`.
#[derive(Debug, Deserialize)]
pub struct PreviewQuery {
    /// Which folder: `scanner` (the default) or `inbox`.
    #[serde(default)]
    from: Option<String>,
    /// The file's name in that folder.
    name: String,
}

/// Width of a preview: enough to tell a letter from a blank page, a photo or a form, small
/// enough for a row of the list.
const PREVIEW_WIDTH: u32 = 240;

/// `GET /scanner/failed/preview?from=inbox&name=X`: the first page of a failed file as a
/// small JPEG (clerk, admin), so that the clerk sees what a file is before retrying it or
/// putting it into quarantine. A page of an appeal is personal data: audited as a view
/// (`scan_failed_view`, the folder and name) and never kept by the browser. 404 when the
/// file is gone, 400 when it is too large to read or no image the reader can open.
pub async fn preview(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let (dir, label) = folder(&state, q.from.as_deref())?;
    let name = q.name.clone();
    let jpeg = tokio::task::spawn_blocking(move || thumbnail(&dir, &name))
        .await
        .map_err(AppError::internal)??;
    audit(
        &state,
        &me,
        "scan_failed_view",
        &format!("{label} {}", q.name.escape_debug()),
    )?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        jpeg,
    )
        .into_response())
}

/// The first page of `dir/name`, [`PREVIEW_WIDTH`] wide, through the reader's own decoder
/// and limits (a file it refuses has no preview).
fn thumbnail(dir: &Path, name: &str) -> Result<Vec<u8>, AppError> {
    let bytes = failed::read(dir, name).map_err(|e| match e {
        FailedError::NotFound(_) => AppError::NotFound,
        e => refusal(e),
    })?;
    let no_preview = |_| AppError::Invalid("failed_no_preview".into());
    let doc =
        ishenim_intake::open(&bytes, &ishenim_intake::Limits::default()).map_err(no_preview)?;
    let page = doc.page(0).map_err(no_preview)?;
    crate::images::jpeg_rendition(page.image, PREVIEW_WIDTH).map_err(AppError::internal)
}

/// A refusal the clerk can act on as a 400 with its reason; the rest is the server's.
fn refusal(e: FailedError) -> AppError {
    match e {
        FailedError::NotFound(_) => AppError::Invalid("failed_not_found".into()),
        FailedError::TooLarge { .. } => AppError::Invalid("failed_too_large".into()),
        FailedError::Empty => AppError::Invalid("failed_empty".into()),
        e => AppError::internal(e),
    }
}
