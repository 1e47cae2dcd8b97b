//! The screens. Each handler checks the role table first ([`CurrentUser::require`]),
//! writes the audit record for every view of an appeal and every change, and renders a
//! template; nothing here speaks SQL.

pub mod admin;
pub mod failed;
pub mod journal;
pub mod openings;
pub mod queue;
pub mod receipts;
pub mod redaction;
pub mod reports;
pub mod scanner;
pub mod search;
pub mod status;

use crate::auth::{start_page, CurrentUser};
use crate::i18n::Lang;
use crate::render::AppError;
use crate::AppState;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

/// `GET /`: the role's start page.
pub async fn home(Extension(me): Extension<CurrentUser>) -> Response {
    Redirect::to(start_page(me.user.role)).into_response()
}

/// The council's categories (`models/categories.toml` as the drafting crate reads it,
/// `other` last) as `{key, label}` in `lang`, in file order: the one list behind the
/// review form, the search filter and the store's check, so a category the commission
/// adds to the file is proposed by drafts and accepted everywhere.
pub fn categories(state: &AppState, lang: Lang) -> Vec<serde_json::Value> {
    state
        .models
        .categories()
        .into_iter()
        .map(|(key, ky, ru)| {
            let label = if lang == Lang::Ru { ru } else { ky };
            serde_json::json!({ "key": key, "label": label })
        })
        .collect()
}

/// The label of category `key` in `lang` (the key itself when the file no longer has it).
pub fn category_label(state: &AppState, lang: Lang, key: &str) -> String {
    state
        .models
        .categories()
        .into_iter()
        .find(|c| c.0 == key)
        .map(|(_, ky, ru)| if lang == Lang::Ru { ru } else { ky })
        .unwrap_or_else(|| key.to_string())
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
