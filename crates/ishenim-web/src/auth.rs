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
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ishenim_sid";
/// Name of the pre-login CSRF cookie (double submit on the login and setup forms).
pub const PRE_COOKIE: &str = "ishenim_pre";
/// Largest urlencoded form read by the CSRF check (the same as the body limit of forms).
const FORM_LIMIT: usize = crate::FORM_BODY_LIMIT;
/// Failed logins an account may have within [`LOCK_WINDOW`] before every further try has
/// to wait ([`LoginLimiter::reserve`]).
pub const MAX_FAILURES: usize = 5;
/// Failed logins one client address may have within [`LOCK_WINDOW`] before it has to
/// wait: more than an account's, because one office PC serves several people.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// How long failures are remembered.
pub const LOCK_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest wait between tries once the free failures are used up.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);

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
    /// Receipt-code slips and the notice-board list.
    Receipts,
    /// Choose the boxes a redacted copy blacks out.
    Redact,
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
/// | receipt slips, notice board | ✓ | | | ✓ |
/// | redaction boxes | | ✓ | ✓ | ✓ |
pub fn allowed(area: Area, role: Role) -> bool {
    use Area::*;
    use Role::*;
    match area {
        OpeningsRead => true,
        OpeningsWrite | Receipts => matches!(role, Clerk | Admin),
        Queue | Amend => matches!(role, Reviewer | Admin),
        JournalRead | FollowUp | Search | Redact => matches!(role, Reviewer | Commission | Admin),
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
        Lang::or_kyrgyz(&self.user.lang)
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

/// Counts failed logins per key (client address, account) in a sliding window and makes
/// further tries wait: after `free` failures the next try must wait 1 s after the last
/// failure, then 2 s, 4 s, … up to [`MAX_DELAY`]. Growing delays rather than a hard lock,
/// so that five wrong passwords typed by someone else do not lock the admin out for a
/// quarter of an hour, while guessing stays slow (about 15 tries per account per window).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// One limiter key with the failures it may have before tries must wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitKey {
    /// `ip:ADDR` or `user:LOGIN`.
    pub key: String,
    /// Failures allowed without delay.
    pub free: usize,
}

/// A try that passed the limiter: counted as a failure from the moment it was reserved,
/// so that parallel tries see it; [`LoginLimiter::succeed`] or
/// [`LoginLimiter::release`] take it back.
#[derive(Debug)]
#[must_use]
pub struct Reservation {
    keys: Vec<LimitKey>,
    at: Instant,
}

/// Wait before the next try when `n` failures are remembered (`free` of them are free).
fn delay(n: usize, free: usize) -> Duration {
    if n < free {
        return Duration::ZERO;
    }
    let steps = u32::try_from(n - free).unwrap_or(u32::MAX).min(16);
    Duration::from_secs(1u64 << steps).min(MAX_DELAY)
}

impl LoginLimiter {
    fn recent(list: &mut Vec<Instant>, now: Instant) -> usize {
        list.retain(|t| now.duration_since(*t) < LOCK_WINDOW);
        list.len()
    }

    /// Checks every key and, when none has to wait, records a failure on all of them at
    /// once, under one lock: a try is counted *before* its password is checked, so that
    /// many tries sent in parallel cannot all pass the check. `Err` carries how long the
    /// longest-waiting key still has to wait.
    pub fn reserve(&self, keys: &[LimitKey]) -> Result<Reservation, Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for k in keys {
            if let Some(list) = map.get_mut(&k.key) {
                let failures = Self::recent(list, now);
                if let Some(last) = list.last() {
                    let ready = *last + delay(failures, k.free);
                    wait = wait.max(ready.saturating_duration_since(now));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if map.len() > 10_000 {
            map.retain(|_, l| {
                l.retain(|t| now.duration_since(*t) < LOCK_WINDOW);
                !l.is_empty()
            });
        }
        for k in keys {
            map.entry(k.key.clone()).or_default().push(now);
        }
        Ok(Reservation {
            keys: keys.to_vec(),
            at: now,
        })
    }

    fn take_back(&self, r: &Reservation) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in &r.keys {
            if let Some(list) = map.get_mut(&k.key) {
                if let Some(i) = list.iter().rposition(|t| *t == r.at) {
                    list.remove(i);
                }
            }
        }
    }

    /// The try was not made (the server was busy): it does not count.
    pub fn release(&self, r: Reservation) {
        self.take_back(&r);
    }

    /// The password was right: the try does not count, and the account's earlier
    /// failures are forgotten (the address keeps its other failures).
    pub fn succeed(&self, r: Reservation) {
        self.take_back(&r);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in r.keys.iter().filter(|k| k.key.starts_with("user:")) {
            map.remove(&k.key);
        }
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
    set_cookie_at(state, name, value, max_age, "/")
}

/// A `HttpOnly; SameSite=Strict` cookie for `path` (`Secure` with `--secure-cookies`).
pub(crate) fn set_cookie_at(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: i64,
    path: &str,
) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The address of the client: the peer of the connection, or, when the peer is the
/// configured trusted proxy (`--trusted-proxy`), the last address of its
/// `X-Forwarded-For` (the one the proxy itself added; earlier ones are whatever the
/// client sent). `X-Forwarded-For` from anyone else is ignored. `None` when unknown (a
/// request through the proxy without the header, or no connection info in tests).
pub fn client_addr(
    state: &AppState,
    req_ext: &axum::http::Extensions,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = req_ext.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    if state.config.trusted_proxy != Some(peer) {
        return Some(peer);
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|a| a.trim().parse::<IpAddr>().ok())
}

/// The name part of a `Host` header (`name:port` → `name`, `[::1]:80` → `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

/// Middleware of `/login` and `/setup`: with `--public-host NAME`, any other `Host` is
/// refused (400) before a form is shown or read, so that a page served under a foreign
/// name (DNS rebinding, a look-alike name pointed at this PC) cannot collect passwords.
pub async fn check_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(want) = state.config.public_host.as_deref() {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !host.eq_ignore_ascii_case(want) && !host_name(host).eq_ignore_ascii_case(want) {
            tracing::warn!(
                "{} {} refused: unexpected Host",
                req.method(),
                req.uri().path()
            );
            return AppError::BadRequest("host".into()).into_response();
        }
    }
    next.run(req).await
}

/// A request that changes something must come from our own pages: the `Origin` header,
/// when present, must name this host, and `Sec-Fetch-Site` must not be `cross-site`.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
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
    if let Some(token) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok((Some(token.to_string()), req));
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
        let (token, passed_on) = match csrf_token(req).await {
            Ok(x) => x,
            Err(e) => return e.into_response(),
        };
        req = passed_on;
        if !token.is_some_and(|sent| constant_time_eq(&sent, &session.csrf)) {
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

/// First path segments of the pages a `next=` or `back=` target may lead to.
const KNOWN_ROUTES: &[&str] = &[
    "", "queue", "journal", "openings", "files", "pages", "search", "reports", "admin", "scanner",
];

/// A `next=` / `back=` target is followed only when it is a plain local path of one of
/// our pages: letters, digits and `/_.-` in the path (no `//`, no `..`, no backslash, no
/// percent escapes, no control or space characters, which browsers drop or turn into
/// another host), an optional query of letters, digits and `_.-%=&+~`, under 200
/// characters. Anything else goes to the start page.
fn local_path(next: Option<&str>) -> Option<String> {
    let target = next?;
    if target.len() >= 200 || !target.starts_with('/') {
        return None;
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | '-');
    if !path.chars().all(plain) || path.contains("//") {
        return None;
    }
    let mut segs = path[1..].split('/');
    if !KNOWN_ROUTES.contains(&segs.next().unwrap_or("")) || segs.any(|s| s == "." || s == "..") {
        return None;
    }
    if let Some(query) = query {
        if !query
            .chars()
            .all(|c| plain(c) && c != '/' || matches!(c, '%' | '=' | '&' | '+' | '~'))
        {
            return None;
        }
    }
    Some(target.to_string())
}

pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|x| format!("{x:02x}")).collect()
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
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Response {
    if state
        .store
        .list_users()
        .map(|u| u.is_empty())
        .unwrap_or(false)
    {
        return Redirect::to("/setup").into_response();
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(session)) = state.store.session(&token) {
            return Redirect::to(start_page(session.user.role)).into_response();
        }
    }
    login_form(
        &state,
        Lang::or_kyrgyz(query.lang.as_deref().unwrap_or("ky")),
        query.next.as_deref(),
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

/// `POST /login`: a new session (new id) on success. Every try is counted against the
/// account and the client address *before* the password is checked
/// ([`LoginLimiter::reserve`]); at most [`crate::Config::login_checks`] password checks
/// (argon2, ~19 MiB each) run at once, further tries get 503 at once. A login longer than
/// the login rules allow is refused before any lookup and is never a limiter key.
pub async fn login_submit(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, AppError> {
    let headers = req.headers().clone();
    let addr = client_addr(&state, req.extensions(), &headers);
    let ip = addr.map(|a| a.to_string()).unwrap_or_else(|| "-".into());
    if !same_origin(&headers) {
        tracing::warn!("login refused: cross-origin request");
        return Err(AppError::Csrf);
    }
    let form: LoginForm = match Form::from_request(req, &state).await {
        Ok(Form(form)) => form,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge),
        Err(_) => return Err(AppError::BadRequest("form".into())),
    };
    let lang = Lang::or_kyrgyz(form.lang.as_deref().unwrap_or("ky"));
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !constant_time_eq(&pre, &form.pre) {
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
    let login = form.login.trim().to_string();
    let plausible =
        login.chars().count() <= ishenim_store::MAX_LOGIN && !login.chars().any(char::is_control);
    let mut keys = Vec::new();
    if let Some(addr) = addr {
        keys.push(LimitKey {
            key: format!("ip:{addr}"),
            free: MAX_FAILURES_PER_ADDRESS,
        });
    }
    if plausible {
        keys.push(LimitKey {
            key: format!("user:{}", login.to_lowercase()),
            free: MAX_FAILURES,
        });
    }
    let refuse = |status: StatusCode, key: &str| {
        let mut page = login_form(&state, lang, form.next.as_deref(), Some(key));
        *page.status_mut() = status;
        page
    };
    let reservation = match state.limiter.reserve(&keys) {
        Ok(r) => r,
        Err(wait) => {
            let who = if plausible {
                audit_login(&state, &login)
            } else {
                "-".into()
            };
            let _ = state.store.audit(&who, "login_blocked", &ip);
            let mut resp = refuse(StatusCode::TOO_MANY_REQUESTS, "login_blocked");
            if let Ok(retry_after) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, retry_after);
            }
            return Ok(resp);
        }
    };
    if !plausible {
        let _ = state.store.audit("-", "login_failed", &ip);
        return Ok(refuse(StatusCode::UNAUTHORIZED, "login_failed"));
    }
    let Ok(permit) = state.login_checks.clone().try_acquire_owned() else {
        state.limiter.release(reservation);
        tracing::warn!("login refused: too many password checks at once");
        let mut resp = refuse(StatusCode::SERVICE_UNAVAILABLE, "login_busy");
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Ok(resp);
    };
    let store = state.store.clone();
    let (login_copy, password) = (login.clone(), form.password);
    let user = tokio::task::spawn_blocking(move || {
        let verified = store.verify_password(&login_copy, &password);
        drop(permit);
        verified
    })
    .await
    .map_err(AppError::internal)??;
    let Some(user) = user else {
        let _ = state
            .store
            .audit(&audit_login(&state, &login), "login_failed", &ip);
        return Ok(refuse(StatusCode::UNAUTHORIZED, "login_failed"));
    };
    state.limiter.succeed(reservation);
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.delete_session(&old);
    }
    let session = state
        .store
        .create_session(user.id, chrono::Duration::hours(state.config.session_hours))?;
    let _ = state.store.audit(&user.login, "login", &ip);
    let _ = state.store.purge_sessions();
    let to = local_path(form.next.as_deref()).unwrap_or_else(|| start_page(user.role).to_string());
    let mut resp = Redirect::to(&to).into_response();
    let resp_headers = resp.headers_mut();
    resp_headers.append(
        header::SET_COOKIE,
        set_cookie(
            &state,
            SESSION_COOKIE,
            &session.token,
            state.config.session_hours * 3600,
        ),
    );
    resp_headers.append(header::SET_COOKIE, set_cookie(&state, PRE_COOKIE, "", 0));
    Ok(resp)
}

/// The login written to the audit log for a failed or delayed try: the account's name
/// when it exists, else `-`. What people type into the login field is sometimes their
/// password; it must not end up in a log that the commission reads.
fn audit_login(state: &AppState, login: &str) -> String {
    match state.store.get_user(login) {
        Ok(Some(u)) => u.login,
        _ => "-".into(),
    }
}

use axum::extract::FromRequest;

/// `POST /logout`: deletes the session and its cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(session)) = state.store.session(&token) {
            let _ = state.store.audit(&session.user.login, "logout", "");
        }
        let _ = state.store.delete_session(&token);
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
    let lang = Lang::or_kyrgyz(&f.lang);
    state.store.set_user_lang(me.login(), lang.code())?;
    let to = local_path(f.back.as_deref()).unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&to).into_response())
}

/// `GET /setup`: the first-run screen that creates the first admin (only while there are
/// no users at all).
pub async fn setup_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Result<Response, AppError> {
    if !state.store.list_users()?.is_empty() {
        return Ok(Redirect::to("/login").into_response());
    }
    let lang = Lang::or_kyrgyz(q.lang.as_deref().unwrap_or("ky"));
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
    if !state.store.list_users()?.is_empty() {
        return Ok(Redirect::to("/login").into_response());
    }
    let lang = Lang::or_kyrgyz(f.lang.as_deref().unwrap_or("ky"));
    if f.password != f.password2 {
        return Err(AppError::Invalid("passwords_differ".into()));
    }
    let store = state.store.clone();
    let login = f.login.trim().to_string();
    let l2 = login.clone();
    tokio::task::spawn_blocking(move || store.add_user(&l2, &f.password, Role::Admin, lang.code()))
        .await
        .map_err(AppError::internal)??;
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
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !cacheable && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
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

    fn key(k: &str, free: usize) -> LimitKey {
        LimitKey {
            key: k.into(),
            free,
        }
    }

    #[test]
    fn limiter_reserves_before_the_check_and_then_makes_tries_wait() {
        let l = LoginLimiter::default();
        let keys = [key("ip:1", 20), key("user:a", MAX_FAILURES)];
        // Tries reserved at once (in parallel) count before any password is checked.
        let mut held: Vec<_> = (0..MAX_FAILURES)
            .map(|_| l.reserve(&keys).expect("free try"))
            .collect();
        let wait = l.reserve(&keys).expect_err("the sixth waits");
        assert!(wait > Duration::from_millis(500) && wait <= Duration::from_secs(1));
        assert!(
            l.reserve(&[key("user:b", MAX_FAILURES)]).is_ok(),
            "other accounts"
        );
        // A try the server did not make does not count.
        l.release(held.pop().expect("one"));
        let r = l.reserve(&keys).expect("released try is free again");
        // A right password forgets the account's failures.
        l.succeed(r);
        assert!(l.reserve(&[key("user:a", MAX_FAILURES)]).is_ok());
        assert_eq!(delay(4, 5), Duration::ZERO);
        assert_eq!(delay(5, 5), Duration::from_secs(1));
        assert_eq!(delay(7, 5), Duration::from_secs(4));
        assert_eq!(delay(60, 5), MAX_DELAY);
    }

    #[test]
    fn next_must_be_a_plain_path_of_our_pages() {
        assert_eq!(local_path(Some("/queue")), Some("/queue".into()));
        assert_eq!(local_path(Some("/")), Some("/".into()));
        assert_eq!(
            local_path(Some("/scanner/failed")),
            Some("/scanner/failed".into())
        );
        assert_eq!(
            local_path(Some("/journal?page=2&flag=1")),
            Some("/journal?page=2&flag=1".into())
        );
        assert!(local_path(Some("/search?q=%D1%81%D1%83%D1%83")).is_some());
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/\t/evil.example/x",
            "/%09/evil.example/x",
            "/\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/evil.example/x",
            "/queue/../..//x",
            "/queue/%2F%2Fevil",
            "/journal?x=<script>",
            "/journal?x=//evil",
            "queue",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("ishenim.local"), "ishenim.local");
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
