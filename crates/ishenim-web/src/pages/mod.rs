//! The screens. Each handler checks the role table first ([`CurrentUser::require`]),
//! writes the audit record for every view of an appeal and every change, and renders a
//! template; nothing here speaks SQL.

pub mod admin;
pub mod journal;
pub mod openings;
pub mod queue;
pub mod reports;
pub mod search;

use crate::auth::{start_page, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

/// `GET /`: the role's start page.
pub async fn home(Extension(me): Extension<CurrentUser>) -> Response {
    Redirect::to(start_page(me.user.role)).into_response()
}

/// Anything else: 404.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// True when the browser asked for a fragment (the review screen swaps letters in place).
pub fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("x-fragment")
}

/// Audits a view or change; a failing audit write fails the request (no silent views).
pub fn audit(
    state: &AppState,
    me: &CurrentUser,
    action: &str,
    object: &str,
) -> Result<(), AppError> {
    state
        .store
        .audit(me.login(), action, object)
        .map_err(AppError::internal)
}

/// A file to save (`Content-Disposition: attachment`).
pub fn download(bytes: Vec<u8>, ctype: &'static str, name: &str) -> Response {
    use axum::http::{header, HeaderValue};
    let disp = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disp)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}
