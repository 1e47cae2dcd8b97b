//! `/status`: the public status lookup by receipt code (no login).
//!
//! What it may say of an appeal is what [`ishenim_store::ReceiptStatus`] holds: the box
//! date, the registration number and the stage. A wrong, unknown or expired code gets one
//! and the same answer (byte for byte), the typed code is never echoed, and the lookup is
//! audited by a hash prefix (never the code, never the address). The form carries its own
//! double-submit CSRF token (cookie + field, as the login form) and the origin check;
//! lookups are limited per client address and overall ([`crate::receipts::StatusLimits`]),
//! counted before the register is asked.

use crate::auth::{client_addr, constant_time_eq, cookie};
use crate::i18n::Lang;
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::time::Instant;

/// The status form's CSRF cookie.
pub const STATUS_COOKIE: &str = "ishenim_status";

/// Query of `GET /status`.
#[derive(Debug, Deserialize, Default)]
pub struct StatusQuery {
    lang: Option<String>,
}

/// Form of `POST /status`.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    t: String,
    #[serde(default)]
    lang: String,
}

fn render(
    state: &AppState,
    lang: Lang,
    token: &str,
    result: serde_json::Value,
    status: StatusCode,
) -> Response {
    let mut resp = state
        .render
        .page(
            "status.html",
            lang,
            json!({ "t": token, "result": result, "no_nav": true }),
        )
        .into_response();
    *resp.status_mut() = status;
    resp.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::set_cookie_at(state, STATUS_COOKIE, token, 3600, "/status"),
    );
    resp
}

/// `GET /status`: the form.
pub async fn page(State(state): State<AppState>, Query(q): Query<StatusQuery>) -> Response {
    let lang = Lang::or_kyrgyz(q.lang.as_deref().unwrap_or("ky"));
    render(
        &state,
        lang,
        &crate::auth::random_token(),
        json!(null),
        StatusCode::OK,
    )
}

/// `POST /status`: the lookup.
pub async fn lookup(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers: HeaderMap = parts.headers.clone();
    if !crate::auth::same_origin(&headers) {
        return AppError::Csrf.into_response();
    }
    let bytes = match axum::body::to_bytes(body, crate::LOGIN_BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return AppError::TooLarge.into_response(),
    };
    let Ok(form) = serde_urlencoded::from_bytes::<StatusForm>(&bytes) else {
        return AppError::BadRequest("form".into()).into_response();
    };
    let token = cookie(&headers, STATUS_COOKIE).unwrap_or_default();
    if token.len() != 64 || !constant_time_eq(&token, &form.t) {
        return AppError::Csrf.into_response();
    }
    let lang = Lang::or_kyrgyz(&form.lang);
    let addr = client_addr(&state, &parts.extensions, &headers);
    if !state
        .status_limiter
        .take(&state.config.status_limits, addr, Instant::now())
    {
        let mut resp = render(
            &state,
            lang,
            &token,
            json!({"throttled": true}),
            StatusCode::TOO_MANY_REQUESTS,
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("600"));
        return resp;
    }
    let store = state.store.clone();
    let today = chrono::Local::now().date_naive();
    let typed = form.code;
    let found = tokio::task::spawn_blocking(move || {
        crate::receipts::lookup(&store, &typed, "public", today)
    })
    .await;
    let found = match found {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return AppError::internal(e).into_response(),
        Err(e) => return AppError::internal(e).into_response(),
    };
    let code = lang.code();
    let appeals: Vec<_> = found
        .iter()
        .map(|appeal| {
            json!({
                "box_date": appeal.box_date.format("%d.%m.%Y").to_string(),
                "number": appeal.registration_number.to_string(),
                "stage": appeal.stage_text(code),
            })
        })
        .collect();
    render(
        &state,
        lang,
        &token,
        json!({ "appeals": appeals, "none": appeals.is_empty() }),
        StatusCode::OK,
    )
}
