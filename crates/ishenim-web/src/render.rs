//! Templates, static files, error pages and the access log.

use crate::auth::CurrentUser;
use crate::i18n::{self, Lang};
use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, Value};
use serde_json::json;
use std::time::Instant;

/// Every template, compiled into the binary: (name, source).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("setup.html", include_str!("../templates/setup.html")),
    ("queue.html", include_str!("../templates/queue.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("journal.html", include_str!("../templates/journal.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("print.html", include_str!("../templates/print.html")),
    ("openings.html", include_str!("../templates/openings.html")),
    ("opening.html", include_str!("../templates/opening.html")),
    ("failed.html", include_str!("../templates/failed.html")),
    ("act.html", include_str!("../templates/act.html")),
    ("admin.html", include_str!("../templates/admin.html")),
    ("scanner.html", include_str!("../templates/scanner.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    (
        "report_print.html",
        include_str!("../templates/report_print.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    ("status.html", include_str!("../templates/status.html")),
    ("receipts.html", include_str!("../templates/receipts.html")),
];

/// Static files: (name, content type, bytes).
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
];

/// A rendered page.
pub type Page = Response;

/// The template environment.
pub struct Renderer {
    env: Environment<'static>,
}

/// `2026-11-25` or `2026-11-25T10:00:00` → `25.11.2026` (`… 10:00` with time).
fn dmy(value: Value) -> String {
    let text = value.to_string();
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((day, time)) => (
            day.to_string(),
            Some(time.chars().take(5).collect::<String>()),
        ),
        None => (text.clone(), None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    if parts.len() != 3 || value.is_none() || value.is_undefined() {
        return if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            text
        };
    }
    match time {
        Some(time) => format!("{}.{}.{} {time}", parts[2], parts[1], parts[0]),
        None => format!("{}.{}.{}", parts[2], parts[1], parts[0]),
    }
}

impl Renderer {
    /// Loads all templates (a broken template is a build-time bug caught by the tests).
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            if let Err(e) = env.add_template(name, src) {
                tracing::error!("template {name}: {e}");
            }
        }
        env.add_filter("dmy", dmy);
        Renderer { env }
    }

    /// Renders `name` in `lang` with `ctx` (plus `m`, the messages, and `lang`).
    pub fn page(&self, name: &str, lang: Lang, ctx: serde_json::Value) -> Page {
        self.render(name, lang, None, ctx)
    }

    /// Renders `name` for the signed-in user (navigation by role, CSRF token, language).
    pub fn page_for(&self, name: &str, me: &CurrentUser, ctx: serde_json::Value) -> Page {
        self.render(name, me.lang(), Some(me), ctx)
    }

    fn render(
        &self,
        name: &str,
        lang: Lang,
        me: Option<&CurrentUser>,
        ctx: serde_json::Value,
    ) -> Page {
        match self.render_string(name, lang, me, ctx) {
            Ok(html) => Html(html).into_response(),
            Err(e) => AppError::internal(e).into_response(),
        }
    }

    /// Renders to a string (used for fragments swapped in by the review screen).
    pub fn render_string(
        &self,
        name: &str,
        lang: Lang,
        me: Option<&CurrentUser>,
        ctx: serde_json::Value,
    ) -> Result<String, minijinja::Error> {
        use crate::auth::Area;
        let nav = me.map(|u| {
            json!({
                "login": u.user.login,
                "role": u.user.role.as_str(),
                "csrf": u.csrf,
                "openings": u.may(Area::OpeningsRead),
                "queue": u.may(Area::Queue),
                "journal": u.may(Area::JournalRead),
                "search": u.may(Area::Search),
                "reports": u.may(Area::Reports),
                "admin": u.may(Area::Users),
                "audit": u.may(Area::Audit),
                "receipts": u.may(Area::Receipts),
                "amend": u.may(Area::Amend),
                "followup": u.may(Area::FollowUp),
                "redact": u.may(Area::Redact),
                "write_openings": u.may(Area::OpeningsWrite),
            })
        });
        let tpl = self.env.get_template(name)?;
        tpl.render(minijinja::context! {
            m => Value::from_serialize(i18n::catalogue(lang)),
            lang => lang.code(),
            me => Value::from_serialize(&nav),
            ..Value::from_serialize(&ctx)
        })
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new()
    }
}

/// `GET /static/{file}`: embedded CSS and JavaScript, cached for a day.
pub async fn static_file(Path(file): Path<String>) -> Response {
    let receipt_css = match file.as_str() {
        "slips.css" => Some(ishenim_receipt::sheet::SLIP_CSS),
        "board.css" => Some(ishenim_receipt::sheet::BOARD_CSS),
        _ => None,
    };
    if let Some(css) = receipt_css {
        return (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            css,
        )
            .into_response();
    }
    if file == "report.css" {
        return (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            ishenim_report::STYLESHEET,
        )
            .into_response();
    }
    match STATIC.iter().find(|(n, _, _)| *n == file) {
        Some((_, ctype, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=86400"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => AppError::NotFound.into_response(),
    }
}

/// Logs method, path, status and time of every request. Paths carry ids and serials only;
/// query strings (search words) and bodies are never logged.
pub async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    tracing::info!(
        target: "ishenim::http",
        "{method} {path} {} {:.1} ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1e3
    );
    resp
}

/// axum's own rejections (a path parameter that is not a number, a malformed form, a
/// body over the limit, a wrong content type) are plain text that echoes part of the
/// request; they become the generic error page in both languages, with the same status.
pub async fn generic_rejections(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/plain"));
    if !plain || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let err = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        s if s.is_client_error() => AppError::BadRequest("rejected by the framework".into()),
        s => AppError::Internal(format!("framework error {s}")),
    };
    let mut resp = err.into_response();
    *resp.status_mut() = status;
    resp
}

/// What a handler can fail with. The page says it in both languages; details of internal
/// errors go to the log only (they carry ids, never appeal text).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No session (for unsafe requests; safe ones are redirected to the login).
    #[error("not signed in")]
    Unauthorized,
    /// The role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// CSRF token or origin check failed.
    #[error("csrf")]
    Csrf,
    /// No such thing.
    #[error("not found")]
    NotFound,
    /// Request too large.
    #[error("too large")]
    TooLarge,
    /// Malformed request.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Invalid input: the message key (or the store's explanation).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Someone else changed it first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database is held by another writer: try again in a moment.
    #[error("busy")]
    Busy,
    /// A bug or an I/O failure.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// Wraps an unexpected error (logged, shown as a generic message).
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "err_unauthorized",
            AppError::Forbidden => "err_forbidden",
            AppError::Csrf => "err_csrf",
            AppError::NotFound => "err_not_found",
            AppError::TooLarge => "err_too_large",
            AppError::BadRequest(_) => "err_bad_request",
            AppError::Invalid(_) => "err_invalid",
            AppError::Conflict(_) => "err_conflict",
            AppError::Busy => "err_busy",
            AppError::Internal(_) => "err_internal",
        }
    }
}

/// Not found → 404, invalid → 400 with its text, conflict → 409, a busy database → 503
/// (try again), the rest → 500.
impl From<ishenim_store::StoreError> for AppError {
    fn from(e: ishenim_store::StoreError) -> AppError {
        use ishenim_store::StoreError as S;
        match e {
            S::NotFound(_) => AppError::NotFound,
            S::Invalid(m) => AppError::Invalid(m),
            S::Conflict(m) => AppError::Conflict(m),
            S::Busy => AppError::Busy,
            other => AppError::internal(other),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            AppError::Internal(m) => {
                tracing::error!(target: "ishenim::http", "internal error: {m}");
                None
            }
            AppError::Invalid(m) | AppError::Conflict(m) => Some(m.clone()),
            _ => None,
        };
        // Both languages: the error page may be shown before we know the user.
        let key = self.key();
        let detail_ky = detail.as_deref().map(|d| i18n::msg(Lang::Ky, d));
        let detail_ru = detail.as_deref().map(|d| i18n::msg(Lang::Ru, d));
        let rendered = Renderer::global().render_string(
            "error.html",
            Lang::Ky,
            None,
            json!({
                "status": status.as_u16(),
                "ky": i18n::msg(Lang::Ky, key),
                "ru": i18n::msg(Lang::Ru, key),
                "detail_ky": detail_ky,
                "detail_ru": detail_ru,
                "no_nav": true,
            }),
        );
        let body = rendered.unwrap_or_else(|_| format!("{status}"));
        (status, Html(body)).into_response()
    }
}

impl Renderer {
    /// A process-wide renderer for error pages.
    pub fn global() -> &'static Renderer {
        static R: std::sync::OnceLock<Renderer> = std::sync::OnceLock::new();
        R.get_or_init(Renderer::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ishenim_store::StoreError;

    #[test]
    fn store_errors_map_to_one_status_each() {
        let status = |e: StoreError| AppError::from(e).status();
        assert_eq!(status(StoreError::Busy), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            status(StoreError::NotFound("x".into())),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(StoreError::Invalid("x".into())),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(StoreError::Conflict("x".into())),
            StatusCode::CONFLICT
        );
        assert_eq!(AppError::from(StoreError::Busy).key(), "err_busy");
    }

    #[test]
    fn dates_are_written_day_first() {
        assert_eq!(dmy(Value::from("2026-11-25")), "25.11.2026");
        assert_eq!(dmy(Value::from("2026-11-25T09:05:00")), "25.11.2026 09:05");
        assert_eq!(dmy(Value::from(())), "");
        assert_eq!(dmy(Value::from("abc")), "abc");
    }

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        env.add_filter("dmy", dmy);
        for (name, src) in TEMPLATES {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn ocr_text_is_escaped() {
        let r = Renderer::new();
        let html = r
            .render_string(
                "error.html",
                Lang::Ky,
                None,
                json!({"status": 400, "ky": "<script>x</script>", "ru": "", "no_nav": true}),
            )
            .expect("render");
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
