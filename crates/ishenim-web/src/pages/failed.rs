//! `/scanner/failed`: the pages the scanner's work folders could not hand to the register
//! (`<data>/scanner/failed/`, one folder for all openings), listed with their reason and
//! the opening each was meant for, so that the clerk or the administrator can act on them
//! without a shell: retry a file into an opening (stored as an upload and read), or put it
//! into the register's quarantine with its reason. Either way it leaves the folder only
//! once the register holds its bytes; nothing is deleted otherwise. Both actions are
//! POSTs (CSRF by the middleware) and audited with the file's name and ids only.

use super::audit;
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use ishenim_inbox::failed::{self, FailedError};
use ishenim_store::OpeningId;
use serde::Deserialize;
use serde_json::json;

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
    let dir = failed::scanner_failed_dir(&state.store);
    let files = tokio::task::spawn_blocking(move || failed::list(&dir))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let mut openings = state.store.list_openings()?;
    openings.sort_by_key(|o| std::cmp::Reverse(o.opened_at));
    let newest = openings.first().map(|o| o.id);
    let rows: Vec<_> = files
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
        .collect();
    let done = q
        .done
        .filter(|d| matches!(d.as_str(), "failed_retried" | "failed_quarantined"));
    let file = q.file.and_then(|f| f.parse::<i64>().ok());
    Ok(crate::auth::page(
        &state,
        &me,
        "failed.html",
        json!({ "files": rows, "openings": openings, "done": done, "file": file }),
    ))
}

/// Form of `POST /scanner/failed`.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    /// `retry` or `quarantine`.
    #[serde(rename = "do")]
    action: String,
    /// The file's name in `scanner/failed/`.
    name: String,
    /// The opening to store it into.
    opening: i64,
}

/// `POST /scanner/failed`: retries a failed page into an opening or puts it into the
/// register's quarantine (clerk, admin; CSRF by the middleware; audited
/// `scan_failed_retry` / `scan_failed_quarantine`). 400 with a reason when the file is
/// gone, still too large to read, or empty; the file then stays.
pub async fn act(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(f.opening))?.id;
    let retrying = match f.action.as_str() {
        "retry" => true,
        "quarantine" => false,
        _ => return Err(AppError::Invalid("failed_bad_action".into())),
    };
    let st = state.clone();
    let name = f.name.clone();
    let handled = tokio::task::spawn_blocking(move || {
        let dir = failed::scanner_failed_dir(&st.store);
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
            "scanner/failed {} -> opening {} file {}{}",
            f.name.escape_debug(),
            handled.opening,
            handled.file,
            if handled.new { " (new)" } else { "" }
        ),
    )?;
    Ok(Redirect::to(&format!(
        "/scanner/failed?done={done}&file={}",
        handled.file
    ))
    .into_response())
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
