//! Openings: record a box opening (the opening act), upload its scans (many files, drag
//! and drop), watch the pages being read, see the quarantine with reasons and retry.

use super::audit;
use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::{Extension, Form};
use chrono::NaiveDateTime;
use ishenim_ingest::{store_bytes, Summary};
use ishenim_store::{FileId, FileStatus, NewOpening, OpeningId};
use serde::Deserialize;
use serde_json::json;

/// `GET /openings`.
pub async fn list(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsRead)?;
    let mut openings = state.store.list_openings()?;
    openings.sort_by_key(|o| std::cmp::Reverse(o.opened_at));
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    Ok(crate::auth::page(
        &state,
        &me,
        "openings.html",
        json!({ "openings": openings, "now": now }),
    ))
}

/// Form of `POST /openings` (the opening act).
#[derive(Debug, Deserialize)]
pub struct OpeningForm {
    opened_at: String,
    #[serde(default)]
    members: String,
    #[serde(default)]
    seal_removed: String,
    #[serde(default)]
    seal_applied: String,
    #[serde(default)]
    letters_found: String,
    #[serde(default)]
    notes: String,
}

/// `POST /openings`: records an opening; goes to its page for the uploads.
pub async fn create(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(f): Form<OpeningForm>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opened_at = NaiveDateTime::parse_from_str(f.opened_at.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(f.opened_at.trim(), "%d.%m.%Y %H:%M"))
        .map_err(|_| AppError::Invalid("bad_date".into()))?;
    let members: Vec<String> = f
        .members
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect();
    if members.is_empty() {
        return Err(AppError::Invalid("need_members".into()));
    }
    if f.seal_removed.trim().is_empty() || f.seal_applied.trim().is_empty() {
        return Err(AppError::Invalid("need_seals".into()));
    }
    let letters_found = f
        .letters_found
        .trim()
        .parse::<u32>()
        .map_err(|_| AppError::Invalid("need_count".into()))?;
    let id = state.store.new_opening(NewOpening {
        opened_at,
        members,
        seal_removed: f.seal_removed.trim().to_string(),
        seal_applied: f.seal_applied.trim().to_string(),
        letters_found,
        notes: f.notes.trim().to_string(),
    })?;
    audit(&state, &me, "opening_new", &format!("opening {id}"))?;
    Ok(Redirect::to(&format!("/openings/{id}")).into_response())
}

fn counts(state: &AppState, id: OpeningId) -> Result<serde_json::Value, AppError> {
    let files = state.store.list_files(id)?;
    let count_of = |status: FileStatus| files.iter().filter(|file| file.status == status).count();
    Ok(json!({
        "files": files.len(),
        "stored": count_of(FileStatus::Stored),
        "scanned": count_of(FileStatus::Scanned),
        "drafted": count_of(FileStatus::Drafted),
        "quarantined": count_of(FileStatus::Quarantined),
        "pages": files.iter().map(|file| file.pages).sum::<u32>(),
    }))
}

/// Query of `GET /openings/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// Pages left by a stopped scan that the register just refused (see
    /// `scanner::store_left`); a string, so that a mangled link still shows the page.
    left_failed: Option<String>,
}

/// `GET /openings/{id}`: files, progress, quarantine, upload.
pub async fn show(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsRead)?;
    let id = OpeningId(id);
    let opening = state.store.get_opening(id)?;
    let files = state.store.list_files(id)?;
    let quarantine: Vec<_> = files
        .iter()
        .filter(|f| f.status == FileStatus::Quarantined)
        .cloned()
        .collect();
    Ok(crate::auth::page(
        &state,
        &me,
        "opening.html",
        json!({
            "o": opening,
            "files": files,
            "quarantine": quarantine,
            "counts": counts(&state, id)?,
            "job": state.jobs.status(id),
            "scan": super::scanner::status_json(&state, me.lang(), id),
            "left": super::scanner::left_json(&state, me.lang(), id),
            "left_failed": q
                .left_failed
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n > 0),
            "scanner_set": state.store.setting("scanner_device")?.is_some(),
            "failed_count": failed_count(&state, id),
        }),
    ))
}

/// Files in `scanner/failed/` and in the scan folder's `failed/` (`--inbox`) meant for
/// this opening or for no known one (the clerk is sent to `/scanner/failed` for them).
fn failed_count(state: &AppState, id: OpeningId) -> usize {
    let scanner = ishenim_inbox::failed::scanner_failed_dir(&state.store);
    let inbox = state
        .config
        .inbox
        .as_ref()
        .map(|d| d.join(ishenim_inbox::FAILED));
    std::iter::once(scanner)
        .chain(inbox)
        .filter_map(|dir| ishenim_inbox::failed::list(&dir).ok())
        .flatten()
        .filter(|f| f.opening.is_none_or(|o| o == id))
        .count()
}

/// `GET /openings/{id}/act`: the printable opening act.
pub async fn act(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsRead)?;
    let opening = state.store.get_opening(OpeningId(id))?;
    audit(&state, &me, "print", &format!("opening act {id}"))?;
    Ok(crate::auth::page(
        &state,
        &me,
        "act.html",
        json!({ "o": opening, "no_nav": true }),
    ))
}

/// Keeps only the last path component of an uploaded name and drops control characters.
pub fn safe_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = name.trim().trim_start_matches('.').to_string();
    if name.is_empty() {
        "upload".into()
    } else {
        name
    }
}

/// `POST /openings/{id}/upload` (multipart, field `files`): stores every file durably
/// (recognising files already stored by their content), then queues the scan. Answers JSON
/// for the script, or redirects a plain form back to the opening.
pub async fn upload(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let opening = state.store.get_opening(OpeningId(id))?.id;
    let max = ishenim_intake::Limits::default().max_bytes;
    let mut sum = Summary {
        opening: opening.0,
        ..Summary::default()
    };
    let lang = me.lang();
    // A refused file: its name, the reason's key and the reason in the user's language.
    let refuse = |file: &str, reason: &str| json!({ "file": file, "reason": reason, "message": crate::i18n::msg(lang, reason) });
    // Past the server's request limit the body stops with 413: the file is too large,
    // not cut.
    let cut_reason = |e: &axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "upload_cut"
        }
    };
    let mut refused = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!("upload to opening {opening} cut short: {e}");
                refused.push(refuse("?", cut_reason(&e)));
                break;
            }
        };
        let Some(name) = field.file_name().map(safe_name) else {
            continue;
        };
        // Read in chunks so that an oversized file is refused without holding all of it.
        let mut field = field;
        let mut bytes: Vec<u8> = Vec::new();
        let mut too_large = false;
        let mut cut = None;
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    if too_large || (bytes.len() + c.len()) as u64 > max {
                        too_large = true;
                        bytes = Vec::new();
                    } else {
                        bytes.extend_from_slice(&c);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("upload to opening {opening} cut short: {e}");
                    cut = Some(cut_reason(&e));
                    break;
                }
            }
        }
        if let Some(reason) = cut {
            refused.push(refuse(&name, reason));
            break;
        }
        sum.inputs += 1;
        if too_large {
            refused.push(refuse(&name, "too_large"));
            continue;
        }
        if bytes.is_empty() {
            refused.push(refuse(&name, "empty_file"));
            continue;
        }
        let store = state.store.clone();
        let mut task_sum = std::mem::take(&mut sum);
        let file_name = name.clone();
        let (task_sum, stored) = tokio::task::spawn_blocking(move || {
            let stored = store_bytes(&store, opening, &file_name, &bytes, &mut task_sum);
            (task_sum, stored)
        })
        .await
        .map_err(AppError::internal)?;
        sum = task_sum;
        stored.map_err(AppError::internal)?;
    }
    audit(
        &state,
        &me,
        "upload",
        &format!(
            "opening {opening}: {} new, {} known, {} refused",
            sum.stored_new,
            sum.already_stored,
            refused.len()
        ),
    )?;
    state.jobs.enqueue(opening);
    if headers.contains_key("x-fragment") {
        return Ok(Json(json!({
            "stored": sum.stored_new,
            "known": sum.already_stored,
            "refused": refused,
            "problems": sum.problems.iter().map(|p| json!({"file": p.file, "reason": p.reason})).collect::<Vec<_>>(),
        }))
        .into_response());
    }
    Ok(Redirect::to(&format!("/openings/{opening}")).into_response())
}

/// `GET /openings/{id}/progress`: the ingest's live state (polled by the page).
pub async fn progress(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsRead)?;
    let id = OpeningId(id);
    state.store.get_opening(id)?;
    Ok(Json(json!({
        "job": state.jobs.status(id),
        "scan": super::scanner::status_json(&state, me.lang(), id),
        // The interrupted-scan notice is the clerk's (it comes with a button to store).
        "left": if me.may(Area::OpeningsWrite) {
            super::scanner::left_json(&state, me.lang(), id)
        } else {
            serde_json::Value::Null
        },
        "counts": counts(&state, id)?,
    }))
    .into_response())
}

/// `POST /files/{id}/retry`: sends a quarantined file back to be read again.
pub async fn retry(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    me.require(Area::OpeningsWrite)?;
    let file = state.store.get_file(FileId(id))?;
    state.store.retry_quarantined(file.id)?;
    audit(&state, &me, "retry", &format!("file {id}"))?;
    state.jobs.enqueue(file.opening_id);
    Ok(Redirect::to(&format!("/openings/{}", file.opening_id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_lose_their_folders() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\scans\\a.png"), "a.png");
        assert_eq!(safe_name("..."), "upload");
        assert_eq!(safe_name("a\u{0}b.png"), "ab.png");
    }
}
