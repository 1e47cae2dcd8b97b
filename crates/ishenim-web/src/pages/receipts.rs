//! `/receipts`: slips for the box and the notice-board list (admin and clerk).

use crate::auth::{Area, CurrentUser};
use crate::pages::audit;
use crate::render::AppError;
use crate::AppState;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use ishenim_receipt::sheet::{self, Css};
use serde::Deserialize;
use serde_json::json;

/// `GET /receipts`: how many slips to print, how many were printed, the board link.
pub async fn page(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    me.require(Area::Receipts)?;
    let store = state.store.clone();
    let today = chrono::Local::now().date_naive();
    let (issued, coded) = tokio::task::spawn_blocking(move || {
        Ok::<_, ishenim_store::StoreError>((
            store.receipts_issued()?,
            store.receipt_board(today)?.len(),
        ))
    })
    .await
    .map_err(AppError::internal)??;
    Ok(crate::auth::page(
        &state,
        &me,
        "receipts.html",
        json!({ "issued": issued, "coded": coded, "per_sheet": sheet::SLIPS_PER_SHEET }),
    )
    .into_response())
}

/// Form of `POST /receipts/slips`.
#[derive(Debug, Deserialize)]
pub struct SlipsForm {
    count: usize,
}

/// `POST /receipts/slips`: new codes, recorded by hash, as the A4 print page.
pub async fn slips(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Form(f): Form<SlipsForm>,
) -> Result<Response, AppError> {
    me.require(Area::Receipts)?;
    let store = state.store.clone();
    let user = me.login().to_string();
    let count = f.count;
    let codes = tokio::task::spawn_blocking(move || crate::receipts::issue(&store, count, &user))
        .await
        .map_err(AppError::internal)??;
    let url = state
        .config
        .public_host
        .as_deref()
        .map(|h| format!("http://{h}/status"));
    Ok(Html(sheet::slips_html(
        &codes,
        url.as_deref(),
        Css::Link("/static/slips.css"),
    ))
    .into_response())
}

/// `GET /receipts/board`: the notice-board print view.
pub async fn board(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    me.require(Area::Receipts)?;
    let store = state.store.clone();
    let today = chrono::Local::now().date_naive();
    let rows = tokio::task::spawn_blocking(move || crate::receipts::board_rows(&store, today))
        .await
        .map_err(AppError::internal)??;
    audit(
        &state,
        &me,
        "receipts_board",
        &format!("{} lines", rows.len()),
    )?;
    let made = today.format("%d.%m.%Y").to_string();
    Ok(Html(sheet::board_html(
        &rows,
        &made,
        Css::Link("/static/board.css"),
    ))
    .into_response())
}
