//! Who may do what: login with argon2 hashes from the register, sessions stored in the
//! SQLite file (id rotated on every login, flushed on logout), a login rate limit, CSRF
//! protection on every unsafe request, security headers, and the role table.

use crate::i18n::Lang;
use crate::render::{AppError, Page};
use crate::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use ishenim_store::{Role, User};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ishenim_sid";
/// Name of the pre-login CSRF cookie (double submit on the login and setup forms).
pub const PRE_COOKIE: &str = "ishenim_pre";
/// Largest urlencoded form read by the CSRF check.
const FORM_LIMIT: usize = 2 << 20;
/// Failed logins allowed per IP address or per account within [`LOCK_WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// Window of the login rate limit.
pub const LOCK_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The screens and actions the role table speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// See openings, their files and quarantine.
    OpeningsRead,
    /// Record openings, upload scans, retry quarantined files.
    OpeningsWrite,
    /// The review queue: see, approve, reject, split/merge, transcribe drafts.
    Queue,
    /// Read the journal and its entries (and page images of registered letters).
    JournalRead,
    /// Amend registration fields of an entry.
    Amend,
    /// Follow-up columns: official, measures, reply, status, deadline extension.
    FollowUp,
    /// Full-text search.
    Search,
    /// Half-year reports.
    Reports,
    /// Users.
    Users,
    /// The audit log.
    Audit,
}

/// The role table: may `role` use `area`?
///
/// | area | clerk | reviewer | commission | admin |
/// |---|---|---|---|---|
/// | openings (read) | ✓ | ✓ | ✓ | ✓ |
/// | openings (write), uploads, quarantine | ✓ | | | ✓ |
/// | review queue | | ✓ | | ✓ |
/// | journal (read), print, export | | ✓ | ✓ | ✓ |
/// | amendments | | ✓ | | ✓ |
/// | follow-up (official, measures, reply) | | ✓ | ✓ | ✓ |
/// | search | | ✓ | ✓ | ✓ |
/// | reports | | | ✓ | ✓ |
/// | users | | | | ✓ |
/// | audit log | | | ✓ | ✓ |
pub fn allowed(area: Area, role: Role) -> bool {
    use Area::*;
    use Role::*;
    match area {
        OpeningsRead => true,
        OpeningsWrite => matches!(role, Clerk | Admin),
        Queue | Amend => matches!(role, Reviewer | Admin),
        JournalRead | FollowUp | Search => matches!(role, Reviewer | Commission | Admin),
        Reports | Audit => matches!(role, Commission | Admin),
        Users => matches!(role, Admin),
    }
}

/// The signed-in user of a request (inserted by [`require_session`]).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// The session's CSRF token (put in every form).
    pub csrf: String,
}

impl CurrentUser {
    /// Interface language of this user.
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.user.lang)
    }

    /// Fails with 403 unless the role table allows `area`.
    pub fn require(&self, area: Area) -> Result<(), AppError> {
        if allowed(area, self.user.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// May this user use `area`? (for showing or hiding links)
    pub fn may(&self, area: Area) -> bool {
        allowed(area, self.user.role)
    }

    /// Login name (for the audit log).
    pub fn login(&self) -> &str {
        &self.user.login
    }
}

/// The start page of a role.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::Clerk => "/openings",
        Role::Reviewer => "/queue",
        Role::Commission => "/journal",
        Role::Admin => "/admin",
    }
}

/// Counts failed logins per key (IP address, account) in a sliding window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    fn recent(list: &mut Vec<Instant>, now: Instant) -> usize {
        list.retain(|t| now.duration_since(*t) < LOCK_WINDOW);
        list.len()
    }

    /// True when any of `keys` has used up its failures.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().any(|k| {
            map.get_mut(k)
                .is_some_and(|l| Self::recent(l, now) >= MAX_FAILURES)
        })
    }

    /// Records a failure for every key.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, l| {
                l.retain(|t| now.duration_since(*t) < LOCK_WINDOW);
                !l.is_empty()
            });
        }
        for k in keys {
            map.entry(k.clone()).or_default().push(now);
        }
    }

    /// Clears the account's counter after a successful login.
    pub fn succeed(&self, account_key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(account_key);
    }
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Value of cookie `name` in the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn client_ip(req_ext: &axum::http::Extensions) -> String {
    req_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

/// A request that changes something must come from our own pages: the `Origin` header,
/// when present, must name this host, and `Sec-Fetch-Site` must not be `cross-site`.
fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, Some("cross-site" | "same-site")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        // Browsers send `null` under some referrer policies; trust it only when the
        // browser itself says the request comes from our own pages.
        return site == Some("same-origin");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    !host.is_empty() && origin_host == host
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Takes the CSRF token of a request: the `X-CSRF-Token` header, the `csrf` field of an
/// urlencoded form (the body is read and put back), or the `csrf` query parameter of a
/// multipart upload. Returns the request to pass on.
async fn csrf_token(req: Request) -> Result<(Option<String>, Request), AppError> {
    if let Some(t) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok((Some(t.to_string()), req));
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ctype.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|p| p.1));
        return Ok((token, Request::from_parts(parts, Body::from(bytes))));
    }
    if ctype.starts_with("multipart/form-data") {
        let token = req.uri().query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|p| p.1)
        });
        return Ok((token, req));
    }
    Ok((None, req))
}

/// Middleware of every protected route: a live session or a redirect to `/login`; for
/// unsafe methods also the origin check and the session's CSRF token.
pub async fn require_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE);
    let session = match token {
        Some(t) if t.len() == 64 => match state.store.session(&t) {
            Ok(s) => s,
            Err(e) => return AppError::internal(e).into_response(),
        },
        _ => None,
    };
    let Some(session) = session else {
        if is_safe(req.method()) {
            let path = req.uri().path();
            let next = if path == "/" || path.starts_with("//") {
                String::new()
            } else {
                format!("?next={}", urlencode(path))
            };
            return Redirect::to(&format!("/login{next}")).into_response();
        }
        return AppError::Unauthorized.into_response();
    };
    let mut req = req;
    if !is_safe(req.method()) {
        if !same_origin(req.headers()) {
            tracing::warn!(
                "{} {} refused: cross-origin request",
                req.method(),
                req.uri().path()
            );
            return AppError::Csrf.into_response();
        }
        let (t, r) = match csrf_token(req).await {
            Ok(x) => x,
            Err(e) => return e.into_response(),
        };
        req = r;
        if !t.is_some_and(|t| constant_time_eq(&t, &session.csrf)) {
            tracing::warn!(
                "{} {} refused: missing or wrong CSRF token",
                req.method(),
                req.uri().path()
            );
            return AppError::Csrf.into_response();
        }
    }
    req.extensions_mut().insert(CurrentUser {
        user: session.user,
        csrf: session.csrf,
    });
    next.run(req).await
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|v| v[2..].to_string())
        .unwrap_or_default()
}

/// A `next=` target is followed only when it is a local path.
fn local_path(next: Option<&str>) -> Option<String> {
    let n = next?;
    (n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 200)
        .then(|| n.to_string())
}

fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Query of `GET /login`.
#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

fn login_form(state: &AppState, lang: Lang, next: Option<&str>, error: Option<&str>) -> Response {
    let pre = random_token();
    let body = state.render.page(
        "login.html",
        lang,
        json!({ "pre": pre, "next": local_path(next), "error": error, "no_nav": true }),
    );
    let mut resp = body.into_response();
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, PRE_COOKIE, &pre, 3600),
    );
    resp
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    if state
        .store
        .list_users()
        .map(|u| u.is_empty())
        .unwrap_or(false)
    {
        return Redirect::to("/setup").into_response();
    }
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(s)) = state.store.session(&t) {
            return Redirect::to(start_page(s.user.role)).into_response();
        }
    }
    login_form(
        &state,
        Lang::parse(q.lang.as_deref().unwrap_or("ky")),
        q.next.as_deref(),
        None,
    )
}

/// Form of `POST /login`.
#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    pre: String,
    next: Option<String>,
    lang: Option<String>,
}

/// `POST /login`: rate-limited per IP and account; a new session (new id) on success.
pub async fn login_submit(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    let ip = client_ip(req.extensions());
    let headers = req.headers().clone();
    if !same_origin(&headers) {
        tracing::warn!("login refused: cross-origin request");
        return Err(AppError::Csrf);
    }
    let Form(f): Form<LoginForm> = Form::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("form".into()))?;
    let lang = Lang::parse(f.lang.as_deref().unwrap_or("ky"));
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !constant_time_eq(&pre, &f.pre) {
        tracing::warn!(
            "login refused: form token {} the cookie",
            if pre.is_empty() {
                "without"
            } else {
                "differs from"
            }
        );
        return Err(AppError::Csrf);
    }
    let login = f.login.trim().to_string();
    let keys = vec![format!("ip:{ip}"), format!("user:{}", login.to_lowercase())];
    if state.limiter.blocked(&keys) {
        let _ = state
            .store
            .audit(&login_label(&login), "login_blocked", &ip);
        let mut r = login_form(&state, lang, f.next.as_deref(), Some("login_blocked"));
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    let store = state.store.clone();
    let (l2, p2) = (login.clone(), f.password);
    let user = tokio::task::spawn_blocking(move || store.verify_password(&l2, &p2))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let Some(user) = user else {
        state.limiter.fail(&keys);
        let _ = state.store.audit(&login_label(&login), "login_failed", &ip);
        return Ok(login_form(
            &state,
            lang,
            f.next.as_deref(),
            Some("login_failed"),
        ));
    };
    state.limiter.succeed(&keys[1]);
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.delete_session(&old);
    }
    let s = state
        .store
        .create_session(user.id, chrono::Duration::hours(state.config.session_hours))
        .map_err(AppError::internal)?;
    let _ = state.store.audit(&user.login, "login", &ip);
    let _ = state.store.purge_sessions();
    let to = local_path(f.next.as_deref()).unwrap_or_else(|| start_page(user.role).to_string());
    let mut resp = Redirect::to(&to).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            SESSION_COOKIE,
            &s.token,
            state.config.session_hours * 3600,
        ),
    );
    h.append(header::SET_COOKIE, set_cookie(&state, PRE_COOKIE, "", 0));
    Ok(resp)
}

/// Login names in the audit log are cut and stripped of control characters.
fn login_label(login: &str) -> String {
    let s: String = login.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

use axum::extract::FromRequest;

/// `POST /logout`: deletes the session and its cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(s)) = state.store.session(&t) {
            let _ = state.store.audit(&s.user.login, "logout", "");
        }
        let _ = state.store.delete_session(&t);
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    resp
}

/// Form of `POST /lang`.
#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    back: Option<String>,
}

/// `POST /lang`: the user's interface language (kept in their account).
pub async fn set_lang(
    State(state): State<AppState>,
    axum::Extension(me): axum::Extension<CurrentUser>,
    Form(f): Form<LangForm>,
) -> Result<Response, AppError> {
    let lang = Lang::parse(&f.lang);
    state
        .store
        .set_user_lang(me.login(), lang.code())
        .map_err(AppError::internal)?;
    let to = local_path(f.back.as_deref()).unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&to).into_response())
}

/// `GET /setup`: the first-run screen that creates the first admin (only while there are
/// no users at all).
pub async fn setup_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Result<Response, AppError> {
    if !state
        .store
        .list_users()
        .map_err(AppError::internal)?
        .is_empty()
    {
        return Ok(Redirect::to("/login").into_response());
    }
    let lang = Lang::parse(q.lang.as_deref().unwrap_or("ky"));
    let pre = random_token();
    let mut resp = state
        .render
        .page("setup.html", lang, json!({ "pre": pre, "no_nav": true }))
        .into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, PRE_COOKIE, &pre, 3600),
    );
    Ok(resp)
}

/// Form of `POST /setup`.
#[derive(Deserialize)]
pub struct SetupForm {
    login: String,
    password: String,
    password2: String,
    pre: String,
    lang: Option<String>,
}

static SETUP_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `POST /setup`: creates the first admin, then asks to log in.
pub async fn setup_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Csrf);
    }
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !constant_time_eq(&pre, &f.pre) {
        return Err(AppError::Csrf);
    }
    let _guard = SETUP_LOCK.lock().await;
    if !state
        .store
        .list_users()
        .map_err(AppError::internal)?
        .is_empty()
    {
        return Ok(Redirect::to("/login").into_response());
    }
    let lang = Lang::parse(f.lang.as_deref().unwrap_or("ky"));
    if f.password != f.password2 {
        return Err(AppError::Invalid("passwords_differ".into()));
    }
    let store = state.store.clone();
    let login = f.login.trim().to_string();
    let l2 = login.clone();
    tokio::task::spawn_blocking(move || store.add_user(&l2, &f.password, Role::Admin, lang.code()))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from_store)?;
    let _ = state
        .store
        .audit(&login, "user_add", &format!("{login} admin (setup)"));
    Ok(Redirect::to("/login").into_response())
}

/// Adds the security headers to every response: CSP, no framing, no sniffing, referrer only
/// to our own pages,
/// and `no-store` for everything but static files and images.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let cacheable = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !cacheable && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Renders a page for the current user (shortcut used by the screens).
pub fn page(state: &AppState, me: &CurrentUser, name: &str, ctx: serde_json::Value) -> Page {
    state.render.page_for(name, me, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_table_matches_the_issue() {
        assert!(allowed(Area::OpeningsWrite, Role::Clerk));
        assert!(!allowed(Area::Queue, Role::Clerk));
        assert!(!allowed(Area::JournalRead, Role::Clerk));
        assert!(allowed(Area::Queue, Role::Reviewer));
        assert!(!allowed(Area::Reports, Role::Reviewer));
        assert!(allowed(Area::JournalRead, Role::Commission));
        assert!(!allowed(Area::Amend, Role::Commission));
        assert!(!allowed(Area::Queue, Role::Commission));
        assert!(allowed(Area::Audit, Role::Commission));
        assert!(!allowed(Area::Users, Role::Commission));
        assert!(allowed(Area::Users, Role::Admin));
    }

    #[test]
    fn limiter_blocks_after_five_failures_per_key() {
        let l = LoginLimiter::default();
        let keys = vec!["ip:1".to_string(), "user:a".to_string()];
        for _ in 0..MAX_FAILURES - 1 {
            l.fail(&keys);
        }
        assert!(!l.blocked(&keys));
        l.fail(&keys);
        assert!(l.blocked(&keys));
        assert!(l.blocked(&["user:a".to_string()]));
        assert!(!l.blocked(&["user:b".to_string()]));
    }

    #[test]
    fn next_must_be_local() {
        assert_eq!(local_path(Some("/queue")), Some("/queue".into()));
        assert_eq!(local_path(Some("//evil.example")), None);
        assert_eq!(local_path(Some("https://evil.example")), None);
        assert_eq!(local_path(Some("/\\evil")), None);
    }

    #[test]
    fn origin_check() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_are_parsed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ishenim_sid=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc".into()));
        assert_eq!(cookie(&h, "c"), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
