//! HTTP tests of the real router (all middleware included) on a real SQLite store: the role
//! matrix (every route × every role), CSRF and origin rejection, session rotation, the
//! login rate limit, security headers and escaping of hostile OCR text; the items of the
//! security checklist (`docs/security.md`) that can be shown over HTTP: upload limits with
//! reasons, generic 5xx pages, escaping of user-typed fields, session expiry.

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use ishenim_draft::Models;
use ishenim_store::{NewOpening, Role, Store};
use ishenim_web::{app, router, Config};
use std::collections::HashMap;
use tower::ServiceExt;

const LETTER: &str = "Манас айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Асанова Гүлнара Бекматовнадан\nМанас айылы, Ленин көчөсү, 5-үй\nтел.: 0555 123 456\n\nАРЫЗ\n\nАйыл өкмөтүнүн кызматкери жер үлүшүн каттоо үчүн менден пара талап кылды. <script>alert(1)</script>\nЖардам беришиңизди суранам.\n\n02.10.2024-ж.\nКолу: Асанова Г.";

fn png() -> Vec<u8> {
    let img = image::GrayImage::from_pixel(60, 80, image::Luma([255u8]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

struct Fixture {
    _dir: tempfile::TempDir,
    router: Router,
    store: Store,
}

fn fixture() -> Fixture {
    fixture_with(Config {
        scan_jobs: 1,
        ..Config::default()
    })
}

fn fixture_with(config: Config) -> Fixture {
    fixture_full(config, Models::embedded())
}

fn fixture_full(config: Config, models: Models) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let o = store
        .new_opening(NewOpening {
            opened_at: chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
                .and_then(|d| d.and_hms_opt(10, 0, 0))
                .expect("date"),
            members: vec!["A".into(), "B".into()],
            seal_removed: "1".into(),
            seal_applied: "2".into(),
            letters_found: 2,
            notes: String::new(),
        })
        .expect("opening");
    let mut sum = ishenim_ingest::Summary::default();
    for (i, name) in ["a.png", "b.png"].iter().enumerate() {
        let mut bytes = png();
        bytes.extend_from_slice(&[i as u8]); // distinct content
        let f = ishenim_ingest::store_bytes(&store, o, name, &bytes, &mut sum).expect("store");
        let stem = name.trim_end_matches(".png");
        let rec = ishenim_draft::eval::page_from_text(stem, LETTER);
        store.save_pages(f, &[rec]).expect("pages");
    }
    ishenim_ingest::draft_scanned(&store, o, &Models::embedded(), &mut sum).expect("drafts");
    for r in ["clerk", "reviewer", "commission", "admin"] {
        store
            .add_user(
                r,
                &format!("pass-{r}-123"),
                Role::parse(r).expect("role"),
                "ky",
            )
            .expect("user");
    }
    // One registered entry for the journal routes.
    let d = store.pending_drafts().expect("pending")[0].clone();
    let fields = ishenim_store::ApprovedFields::from_draft(&d);
    store
        .approve_draft(d.id, "admin", &fields)
        .expect("approve");
    let state = app(store.clone(), config, models);
    Fixture {
        _dir: dir,
        router: router(state),
        store,
    }
}

/// (method, path, form, roles allowed)
type Case<'a> = (Method, &'a str, Vec<(&'a str, &'a str)>, &'a [&'a str]);

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(router: &Router, req: Request<Body>) -> Resp {
    let r = router.clone().oneshot(req).await.expect("response");
    let status = r.status();
    let headers = r.headers().clone();
    let body = to_bytes(r.into_body(), 64 << 20).await.expect("body");
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn cookie_of(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let first = v.split(';').next()?;
            let (k, val) = first.split_once('=')?;
            (k == name).then(|| val.to_string())
        })
}

/// A signed-in browser: session cookie and CSRF token.
struct Session {
    sid: String,
    csrf: String,
}

async fn login_raw(router: &Router, login: &str, password: &str, old_sid: Option<&str>) -> Resp {
    let page = send(
        router,
        Request::get("/login").body(Body::empty()).expect("req"),
    )
    .await;
    let pre = cookie_of(&page, "ishenim_pre").expect("pre cookie");
    let form = serde_urlencoded::to_string([
        ("login", login),
        ("password", password),
        ("pre", pre.as_str()),
    ])
    .expect("form");
    let mut cookie = format!("ishenim_pre={pre}");
    if let Some(s) = old_sid {
        cookie.push_str(&format!("; ishenim_sid={s}"));
    }
    send(
        router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(form))
            .expect("req"),
    )
    .await
}

async fn login(router: &Router, role: &str) -> Session {
    let r = login_raw(router, role, &format!("pass-{role}-123"), None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {role}: {}", r.body);
    let sid = cookie_of(&r, "ishenim_sid").expect("session cookie");
    // The CSRF token is in every page for the signed-in user.
    let page = send(
        router,
        Request::get("/openings")
            .header(header::COOKIE, format!("ishenim_sid={sid}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let csrf = page
        .body
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf meta")
        .to_string();
    Session { sid, csrf }
}

fn get(s: &Session, path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, format!("ishenim_sid={}", s.sid))
        .body(Body::empty())
        .expect("req")
}

fn post(s: &Session, path: &str, form: &[(&str, &str)], csrf: Option<&str>) -> Request<Body> {
    let mut pairs: Vec<(&str, &str)> = form.to_vec();
    if let Some(c) = csrf {
        pairs.push(("csrf", c));
    }
    Request::post(path)
        .header(header::COOKIE, format!("ishenim_sid={}", s.sid))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::from(
            serde_urlencoded::to_string(pairs).expect("form"),
        ))
        .expect("req")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_matrix_every_route_every_role() {
    let fx = fixture();
    let r = &fx.router;
    let serial = fx.store.journal_list(None).expect("journal")[0]
        .serial
        .to_string();
    let draft = fx.store.pending_drafts().expect("pending")[0].id.0;
    let page = fx
        .store
        .pages_of_opening(ishenim_store::OpeningId(1))
        .expect("pages")[0]
        .id
        .0;
    let roles = ["clerk", "reviewer", "commission", "admin"];
    let mut sessions = HashMap::new();
    for role in roles {
        sessions.insert(role, login(r, role).await);
    }
    // (method, path, form, roles allowed)
    let q = format!("/queue/{draft}");
    let img = format!("/pages/{page}/image?w=240");
    let entry = format!("/journal/{serial}");
    let amend = format!("/journal/{serial}/amend");
    let event = format!("/journal/{serial}/event");
    let reject = format!("/queue/{draft}/reject");
    let transcribe = format!("/queue/{draft}/transcribe");
    let page_s = page.to_string();
    let redaction = format!("/journal/{serial}/redaction");
    let entry_page = fx.store.journal_list(None).expect("journal")[0].page_ids[0]
        .0
        .to_string();
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            &redaction,
            vec![("page", &entry_page), ("box", "10,10,400,90")],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/openings",
            vec![],
            &["clerk", "reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/openings/1",
            vec![],
            &["clerk", "reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/openings/1/act",
            vec![],
            &["clerk", "reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/openings/1/progress",
            vec![],
            &["clerk", "reviewer", "commission", "admin"],
        ),
        (
            Method::POST,
            "/openings",
            vec![
                ("opened_at", "2026-03-09T10:00"),
                ("members", "A"),
                ("letters_found", "1"),
                ("seal_removed", "7"),
                ("seal_applied", "8"),
            ],
            &["clerk", "admin"],
        ),
        (Method::POST, "/files/1/retry", vec![], &["clerk", "admin"]),
        (
            Method::POST,
            "/openings/1/scan/cancel",
            vec![],
            &["clerk", "admin"],
        ),
        (
            Method::POST,
            "/openings/1/scan/left",
            vec![],
            &["clerk", "admin"],
        ),
        (Method::GET, "/scanner/failed", vec![], &["clerk", "admin"]),
        (
            Method::GET,
            "/scanner/failed/preview?name=none.png",
            vec![],
            &["clerk", "admin"],
        ),
        (
            Method::POST,
            "/scanner/failed",
            vec![("do", "retry"), ("name", "none.png"), ("opening", "1")],
            &["clerk", "admin"],
        ),
        (Method::GET, "/receipts", vec![], &["clerk", "admin"]),
        (Method::GET, "/receipts/board", vec![], &["clerk", "admin"]),
        (
            Method::POST,
            "/receipts/slips",
            vec![("count", "2")],
            &["clerk", "admin"],
        ),
        (Method::GET, "/queue", vec![], &["reviewer", "admin"]),
        (Method::GET, &q, vec![], &["reviewer", "admin"]),
        (
            Method::POST,
            &transcribe,
            vec![("page", &page_s), ("text", "")],
            &["reviewer", "admin"],
        ),
        (
            Method::POST,
            &reject,
            vec![("kind", "duplicate")],
            &["reviewer", "admin"],
        ),
        (
            Method::GET,
            &img,
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/journal",
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            &entry,
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/journal/print",
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/journal/export.csv",
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/journal/export.xlsx",
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::POST,
            &amend,
            vec![
                ("field", "phone"),
                ("value", "+996555000111"),
                ("reason", "typo"),
            ],
            &["reviewer", "admin"],
        ),
        (
            Method::POST,
            &event,
            vec![("kind", "measures"), ("measures", "checked")],
            &["reviewer", "commission", "admin"],
        ),
        (
            Method::GET,
            "/search",
            vec![],
            &["reviewer", "commission", "admin"],
        ),
        (Method::GET, "/reports", vec![], &["commission", "admin"]),
        (Method::GET, "/admin", vec![], &["admin"]),
        (
            Method::POST,
            "/admin/users",
            vec![
                ("login", "x1"),
                ("password", "long-password-1"),
                ("role", "clerk"),
            ],
            &["admin"],
        ),
        (
            Method::GET,
            "/admin/audit",
            vec![],
            &["commission", "admin"],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, form, allowed) in &cases {
        // Forbidden roles first, so that a mutation by an allowed role cannot mask a 403.
        let mut order: Vec<&str> = roles
            .iter()
            .copied()
            .filter(|x| !allowed.contains(x))
            .collect();
        order.extend(roles.iter().copied().filter(|x| allowed.contains(x)));
        for role in order {
            let s = &sessions[role];
            let req = if *method == Method::GET {
                get(s, path)
            } else {
                post(s, path, form, Some(&s.csrf))
            };
            let resp = send(r, req).await;
            let ok = if allowed.contains(&role) {
                resp.status != StatusCode::FORBIDDEN && !resp.status.is_server_error()
            } else {
                resp.status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!("{method} {path} as {role}: {}", resp.status));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_login_and_unsafe_requests_need_csrf_and_origin() {
    let fx = fixture();
    let r = &fx.router;
    for path in [
        "/",
        "/queue",
        "/journal",
        "/openings",
        "/admin",
        "/search",
        "/reports",
    ] {
        let resp = send(r, Request::get(path).body(Body::empty()).expect("req")).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{path}");
        let to = resp
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(to.starts_with("/login"), "{path} → {to}");
    }
    let anon = send(
        r,
        Request::post("/openings").body(Body::empty()).expect("req"),
    )
    .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);

    let s = login(r, "clerk").await;
    let form = [
        ("opened_at", "2026-03-09T10:00"),
        ("members", "A"),
        ("letters_found", "1"),
        ("seal_removed", "7"),
        ("seal_applied", "8"),
    ];
    let before = fx.store.list_openings().expect("openings").len();
    let no_token = send(r, post(&s, "/openings", &form, None)).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let bad_token = send(r, post(&s, "/openings", &form, Some(&"0".repeat(64)))).await;
    assert_eq!(bad_token.status, StatusCode::FORBIDDEN);
    let mut cross = post(&s, "/openings", &form, Some(&s.csrf));
    cross
        .headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().expect("hv"));
    assert_eq!(send(r, cross).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fx.store.list_openings().expect("openings").len(),
        before,
        "nothing created"
    );
    let good = send(r, post(&s, "/openings", &form, Some(&s.csrf))).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert_eq!(
        fx.store.list_openings().expect("openings").len(),
        before + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_id_rotates_on_login_and_dies_on_logout() {
    let fx = fixture();
    let r = &fx.router;
    let first = login(r, "reviewer").await;
    let again = login_raw(r, "reviewer", "pass-reviewer-123", Some(&first.sid)).await;
    let second = cookie_of(&again, "ishenim_sid").expect("new sid");
    assert_ne!(first.sid, second, "a new id at every login");
    let old = send(r, get(&first, "/queue")).await;
    assert_eq!(
        old.status,
        StatusCode::SEE_OTHER,
        "the old id no longer works"
    );
    let s2 = Session {
        sid: second,
        csrf: String::new(),
    };
    assert_eq!(send(r, get(&s2, "/queue")).await.status, StatusCode::OK);
    let page = send(r, get(&s2, "/queue")).await;
    let csrf = page
        .body
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let out = send(r, post(&s2, "/logout", &[], Some(&csrf))).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(r, get(&s2, "/queue")).await.status,
        StatusCode::SEE_OTHER
    );
    // Cookies: HttpOnly, SameSite=Strict, not Secure by default (plain HTTP on a LAN).
    let l = login_raw(r, "reviewer", "pass-reviewer-123", None).await;
    let set = l
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ishenim_sid="))
        .expect("set-cookie")
        .to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_rate_limited_per_account() {
    let fx = fixture();
    let r = &fx.router;
    for _ in 0..ishenim_web::auth::MAX_FAILURES {
        let bad = login_raw(r, "admin", "wrong-password", None).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = login_raw(r, "admin", "pass-admin-123", None).await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password"
    );
    let audit = fx.store.list_audit(50).expect("audit");
    assert!(audit.iter().filter(|a| a.action == "login_failed").count() >= 5);
    assert!(audit.iter().any(|a| a.action == "login_blocked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_letter_text_is_escaped_and_views_are_audited() {
    let fx = fixture();
    let r = &fx.router;
    let s = login(r, "reviewer").await;
    let q = send(r, get(&s, "/queue")).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(
        !q.body.contains("<script>alert(1)"),
        "OCR text must be escaped"
    );
    assert!(q.body.contains("&lt;script&gt;alert(1)"));
    let h = &q.headers;
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(
        h.get(header::X_CONTENT_TYPE_OPTIONS)
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        h.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let audit = fx.store.list_audit(20).expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.user == "reviewer" && a.action == "view" && a.object.starts_with("draft ")));
    assert!(
        audit.iter().all(|a| !a.object.contains("Асанова")),
        "no appeal text in the audit log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_by_fragment_gives_the_serial_and_the_next_letter() {
    let fx = fixture();
    let r = &fx.router;
    let s = login(r, "reviewer").await;
    let d = fx.store.pending_drafts().expect("pending")[0].id.0;
    // Missing name and not anonymous: the letter comes back with the message, nothing registered.
    let before = fx.store.journal_count().expect("count");
    let bad = send(
        r,
        post(
            &s,
            &format!("/queue/{d}/approve"),
            &[("brief", "x"), ("category", "land")],
            Some(&s.csrf),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("form-error"));
    assert_eq!(fx.store.journal_count().expect("count"), before);
    let mut req = post(
        &s,
        &format!("/queue/{d}/approve"),
        &[
            ("applicant_name", "Асанова Гүлнара"),
            ("brief", "Жер үлүшү"),
            ("category", "land"),
            ("corruption", "on"),
        ],
        Some(&s.csrf),
    );
    req.headers_mut()
        .insert("x-fragment", "1".parse().expect("hv"));
    let ok = send(r, req).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let v: serde_json::Value = serde_json::from_str(&ok.body).expect("json");
    let serial = v["serial"].as_str().expect("serial");
    assert!(serial.ends_with("-0002"), "{serial}");
    let e = fx
        .store
        .entry_current_view(serial.parse().expect("serial"))
        .expect("entry");
    assert!(e.fields.corruption && e.applicant == "Асанова Гүлнара");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commission_searches_inflected_words_and_reads_the_half_year_report() {
    let fx = fixture();
    let r = &fx.router;
    let s = login(r, "commission").await;
    let serial = fx.store.journal_list(None).expect("journal")[0]
        .serial
        .to_string();
    // The letter says «пара талап кылды»; the query uses other forms of both words.
    let q = serde_urlencoded::to_string([("q", "паранын талаптар")]).expect("query");
    let hit = send(r, get(&s, &format!("/search?{q}"))).await;
    assert_eq!(hit.status, StatusCode::OK);
    assert!(
        hit.body.contains(&format!("/journal/{serial}")),
        "search finds {serial}"
    );
    assert!(hit.body.contains("<mark>"), "matches are marked");
    let audit = fx.store.list_audit(10).expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.action == "search" && a.user == "commission"));
    let q = serde_urlencoded::to_string([("q", "трактор")]).expect("query");
    let miss = send(r, get(&s, &format!("/search?{q}"))).await;
    assert!(
        !miss.body.contains(&format!("/journal/{serial}")),
        "an absent word finds nothing"
    );
    let year = &serial[..4];
    let report = send(r, get(&s, &format!("/reports?half={year}H1"))).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("<svg"), "charts are drawn");
    let csv = send(r, get(&s, &format!("/reports/export.csv?half={year}H1"))).await;
    assert_eq!(csv.status, StatusCode::OK);
    let bad = send(r, get(&s, "/reports?half=2026H3")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// A multipart body with the given files in the `files` field: (content type, body).
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "ishenim-test-boundary-7d1e";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(s: &Session, opening: i64, files: &[(&str, &[u8])]) -> Request<Body> {
    let (ctype, body) = multipart(files);
    Request::post(format!("/openings/{opening}/upload?csrf={}", s.csrf))
        .header(header::COOKIE, format!("ishenim_sid={}", s.sid))
        .header(header::CONTENT_TYPE, ctype)
        .header(header::HOST, "127.0.0.1:8080")
        .header("x-fragment", "1")
        .body(Body::from(body))
        .expect("req")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_refuse_empty_and_oversize_files_with_a_reason_and_store_nothing() {
    let fx = fixture_with(Config {
        scan_jobs: 1,
        max_upload_bytes: 64 << 10,
        ..Config::default()
    });
    let r = &fx.router;
    let s = login(r, "clerk").await;
    let files = |st: &Store| {
        st.list_files(ishenim_store::OpeningId(1))
            .expect("files")
            .len()
    };
    let before = files(&fx.store);

    let empty = send(r, upload(&s, 1, &[("empty.png", b"")])).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    let v: serde_json::Value = serde_json::from_str(&empty.body).expect("json");
    assert_eq!(v["stored"], 0);
    assert_eq!(v["refused"][0]["file"], "empty.png");
    assert_eq!(v["refused"][0]["reason"], "empty_file");
    assert_eq!(
        v["refused"][0]["message"], "бош файл",
        "said in the user's language"
    );

    // Over the server's request limit: refused as too large, not as a broken upload.
    let big = vec![7u8; 100 << 10];
    let over = send(r, upload(&s, 1, &[("big.tif", &big)])).await;
    assert_eq!(over.status, StatusCode::OK, "{}", over.body);
    let v: serde_json::Value = serde_json::from_str(&over.body).expect("json");
    assert_eq!(v["stored"], 0, "{v}");
    assert_eq!(v["refused"][0]["reason"], "too_large", "{v}");
    assert_eq!(v["refused"][0]["message"], "өтө чоң файл", "{v}");
    assert_eq!(files(&fx.store), before, "nothing stored");
    let audit = fx.store.list_audit(5).expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.action == "upload" && a.object.contains("1 refused")));

    // A plain form post over the limit is refused the same way (no half file stored).
    let (ctype, body) = multipart(&[("big.tif", &big)]);
    let plain = Request::post(format!("/openings/1/upload?csrf={}", s.csrf))
        .header(header::COOKIE, format!("ishenim_sid={}", s.sid))
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .expect("req");
    let plain = send(r, plain).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(files(&fx.store), before, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internal_error_shows_a_generic_page_and_no_detail() {
    let fx = fixture();
    let r = &fx.router;
    let s = login(r, "reviewer").await;
    let page = fx
        .store
        .pages_of_opening(ishenim_store::OpeningId(1))
        .expect("pages")[0]
        .clone();
    // The stored original of the page is gone: the image cannot be made.
    let path = fx.store.file_path(page.file_id).expect("path");
    std::fs::remove_file(&path).expect("remove original");
    let resp = send(r, get(&s, &format!("/pages/{}/image?w=240", page.id.0))).await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    let ky = ishenim_web::i18n::msg(ishenim_web::i18n::Lang::Ky, "err_internal");
    let ru = ishenim_web::i18n::msg(ishenim_web::i18n::Lang::Ru, "err_internal");
    assert!(
        resp.body.contains(&ky) && resp.body.contains(&ru),
        "{}",
        resp.body
    );
    let sha = path.file_name().and_then(|n| n.to_str()).expect("name");
    for secret in [sha, "files/", "os error", "No such file", "I/O"] {
        assert!(
            !resp.body.contains(secret),
            "{secret} leaked: {}",
            resp.body
        );
    }
    assert!(resp.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert_eq!(
        resp.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    // The server goes on.
    assert_eq!(send(r, get(&s, "/queue")).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_typed_by_users_are_escaped_on_every_page_that_shows_them() {
    let fx = fixture();
    let r = &fx.router;
    let clerk = login(r, "clerk").await;
    let form = [
        ("opened_at", "2026-03-09T10:00"),
        ("members", "<script>alert('member')</script>, Б"),
        ("letters_found", "1"),
        ("seal_removed", "\"><svg onload=alert('seal')>"),
        ("seal_applied", "8"),
        ("notes", "<img src=x onerror=alert('notes')>"),
    ];
    let created = send(r, post(&clerk, "/openings", &form, Some(&clerk.csrf))).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let at = created
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    let raw = ["<script>alert(", "<svg onload", "<img src=x"];
    for path in ["/openings".to_string(), at.clone(), format!("{at}/act")] {
        let p = send(r, get(&clerk, &path)).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for bad in raw {
            assert!(!p.body.contains(bad), "{path} shows {bad} unescaped");
        }
        assert!(p.body.contains("&lt;script&gt;alert("), "{path}");
    }

    // Follow-up and amendment fields of a registered entry.
    let rev = login(r, "reviewer").await;
    let serial = fx.store.journal_list(None).expect("journal")[0]
        .serial
        .to_string();
    let ev = send(
        r,
        post(
            &rev,
            &format!("/journal/{serial}/event"),
            &[
                ("kind", "assign"),
                ("official", "<script>alert('official')</script>"),
            ],
            Some(&rev.csrf),
        ),
    )
    .await;
    assert_eq!(ev.status, StatusCode::SEE_OTHER, "{}", ev.body);
    let am = send(
        r,
        post(
            &rev,
            &format!("/journal/{serial}/amend"),
            &[
                ("field", "applicant_name"),
                ("value", "<img src=x onerror=alert('name')>"),
                ("reason", "<svg onload=alert('reason')>"),
            ],
            Some(&rev.csrf),
        ),
    )
    .await;
    assert_eq!(am.status, StatusCode::SEE_OTHER, "{}", am.body);
    for path in [
        format!("/journal/{serial}"),
        "/journal".to_string(),
        "/journal/print".to_string(),
    ] {
        let p = send(r, get(&rev, &path)).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for bad in raw {
            assert!(!p.body.contains(bad), "{path} shows {bad} unescaped");
        }
        assert!(p.body.contains("&lt;"), "{path} shows the fields, escaped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused_and_the_cookie_lives_no_longer_than_the_session() {
    let fx = fixture_with(Config {
        scan_jobs: 1,
        session_hours: 3,
        ..Config::default()
    });
    let r = &fx.router;
    let user = fx
        .store
        .get_user("reviewer")
        .expect("user")
        .expect("reviewer");
    let expired = fx
        .store
        .create_session(user.id, chrono::Duration::seconds(-1))
        .expect("session");
    let s = Session {
        sid: expired.token.clone(),
        csrf: expired.csrf.clone(),
    };
    let page = send(r, get(&s, "/queue")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "sent to the login");
    let change = send(
        r,
        post(
            &s,
            "/journal/2026-0001/event",
            &[("kind", "measures"), ("measures", "x")],
            Some(&s.csrf),
        ),
    )
    .await;
    assert_eq!(change.status, StatusCode::UNAUTHORIZED);
    // A malformed or unknown token is the same as none.
    for sid in [
        "",
        "abc",
        &"0".repeat(64),
        &"'; DROP TABLE sessions; --".repeat(3),
    ] {
        let s = Session {
            sid: sid.to_string(),
            csrf: String::new(),
        };
        assert_eq!(
            send(r, get(&s, "/queue")).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let l = login_raw(r, "reviewer", "pass-reviewer-123", None).await;
    let set = l
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ishenim_sid="))
        .expect("set-cookie")
        .to_string();
    assert!(set.contains("Max-Age=10800"), "{set}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_login_does_not_tell_whether_the_account_exists() {
    let fx = fixture();
    let r = &fx.router;
    let unknown = login_raw(r, "no-such-user", "wrong-password", None).await;
    let wrong = login_raw(r, "admin", "wrong-password", None).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    // The pages differ only in the fresh form token.
    let strip = |b: &str| {
        b.split("name=\"pre\" value=\"")
            .map(|part| part.split_once('"').map(|x| x.1).unwrap_or(part))
            .collect::<String>()
    };
    assert_eq!(strip(&unknown.body), strip(&wrong.body));
    assert!(!unknown.body.contains("no-such-user"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_readers_see_only_pages_of_registered_letters() {
    let fx = fixture();
    let r = &fx.router;
    let pending = fx.store.pending_drafts().expect("pending")[0].page_ids[0].0;
    let entry = fx.store.journal_list(None).expect("journal")[0].page_ids[0].0;
    let com = login(r, "commission").await;
    let rev = login(r, "reviewer").await;
    let url = |p: i64| format!("/pages/{p}/image?w=240");
    assert_eq!(
        send(r, get(&com, &url(pending))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(send(r, get(&com, &url(entry))).await.status, StatusCode::OK);
    assert_eq!(
        send(r, get(&rev, &url(pending))).await.status,
        StatusCode::OK
    );
}

// ---- Issue 15: findings of the attacker's probe, each shown fixed over HTTP. ----

/// The real server on a free loopback port (connection info included, as `ishenim serve`
/// runs it), for what needs real connections: parallel logins and client addresses.
async fn real_server(router: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// One `POST /login` over its own TCP connection, with the attacker's own form token
/// (`ishenim_pre=x`, `pre=x`) and optionally an `X-Forwarded-For`. Returns the status and
/// the raw response head.
async fn raw_login(
    addr: std::net::SocketAddr,
    login: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body =
        serde_urlencoded::to_string([("login", login), ("password", password), ("pre", "x")])
            .expect("form");
    let xff = forwarded_for
        .map(|a| format!("X-Forwarded-For: {a}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Cookie: ishenim_pre=x\r\nContent-Length: {}\r\nConnection: close\r\n{xff}\r\n{body}",
        body.len()
    );
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_string();
    (status, head)
}

fn count(statuses: &[u16], s: u16) -> usize {
    statuses.iter().filter(|x| **x == s).count()
}

/// Item 1: 30 logins sent at once (29 wrong passwords and the right one) used to be checked
/// all, the right one logging in. Now every try is counted before its password is checked:
/// at most five passwords of the account are ever checked, the rest wait (429) or find the
/// server busy (503).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_logins_cannot_outrun_the_limit() {
    let fx = fixture();
    let addr = real_server(fx.router.clone()).await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let pw = if i == 17 {
            "pass-admin-123".to_string()
        } else {
            format!("wrong-{i}")
        };
        tasks.push(tokio::spawn(async move {
            raw_login(addr, "admin", &pw, None).await.0
        }));
    }
    let mut st = Vec::new();
    for t in tasks {
        st.push(t.await.expect("task"));
    }
    let checked = count(&st, 401) + count(&st, 303);
    assert!(checked <= 5, "{checked} passwords checked: {st:?}");
    assert_eq!(checked + count(&st, 429) + count(&st, 503), 30, "{st:?}");
}

/// Item 1: each password check holds ~19 MiB (argon2) — 60 at once took the server to
/// 867 MB. Now at most `login_checks` run at once; the others are told to come back (503,
/// `Retry-After`) at once and are not counted as failures.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_checks_at_once_are_bounded() {
    let fx = fixture_with(Config {
        scan_jobs: 1,
        login_checks: 1,
        ..Config::default()
    });
    let addr = real_server(fx.router.clone()).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            tokio::spawn(async move {
                raw_login(addr, &format!("nobody{i}"), "wrong-password", None).await
            })
        })
        .collect();
    let mut st = Vec::new();
    let mut busy_head = String::new();
    for t in tasks {
        let (s, head) = t.await.expect("task");
        if s == 503 {
            busy_head = head;
        }
        st.push(s);
    }
    assert_eq!(count(&st, 401) + count(&st, 503), 16, "{st:?}");
    assert!(count(&st, 503) >= 1, "some were turned away: {st:?}");
    assert!(
        busy_head.to_ascii_lowercase().contains("retry-after: 1"),
        "{busy_head}"
    );
}

/// Item 2: the login form was read up to the upload limit (512 MiB) before any session, and
/// a 100 MB "login" stayed in memory as a limiter key. Now `/login` and `/setup` take a
/// few KiB, other forms 64 KiB; a login longer than any account's is refused before any
/// lookup and never becomes a key or an audit row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_are_small_except_uploads() {
    let fx = fixture();
    let r = &fx.router;
    let page = send(r, Request::get("/login").body(Body::empty()).expect("req")).await;
    let pre = cookie_of(&page, "ishenim_pre").expect("pre");
    let big_login = "a".repeat(100 << 10);
    let body = serde_urlencoded::to_string([
        ("login", big_login.as_str()),
        ("password", "x"),
        ("pre", pre.as_str()),
    ])
    .expect("form");
    let resp = send(
        r,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("ishenim_pre={pre}"))
            .body(Body::from(body))
            .expect("req"),
    )
    .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        resp.body.contains("<html"),
        "the generic page: {}",
        resp.body
    );
    // A login too long for any account, within the body limit: refused, never looked up.
    let long = "b".repeat(ishenim_store::MAX_LOGIN + 1);
    let resp = login_raw(r, &long, "wrong-password", None).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert!(fx
        .store
        .list_audit(50)
        .expect("audit")
        .iter()
        .all(|a| !a.user.contains("bbbb") && !a.object.contains("bbbb")));
    // A signed-in form over 64 KiB is refused; an upload of 200 KiB is not.
    let s = login(r, "clerk").await;
    let notes = "n".repeat(70 << 10);
    let form = [
        ("opened_at", "2026-03-09T10:00"),
        ("members", "A"),
        ("letters_found", "1"),
        ("seal_removed", "7"),
        ("seal_applied", "8"),
        ("notes", notes.as_str()),
    ];
    let before = fx.store.list_openings().expect("openings").len();
    let resp = send(r, post(&s, "/openings", &form, Some(&s.csrf))).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(fx.store.list_openings().expect("openings").len(), before);
    let opening = fx.store.list_openings().expect("openings")[0].id.0;
    let mut big_png = png();
    big_png.extend(std::iter::repeat_n(0u8, 200 << 10));
    let up = send(r, upload(&s, opening, &[("big.png", &big_png)])).await;
    assert_ne!(up.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", up.body);
}

/// Item 3: page images were `private, max-age=86400`: the next user of the same browser saw
/// a scan without asking the server. Now `no-store`, like every page with appeal content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_images_are_not_kept_by_the_browser() {
    let fx = fixture();
    let r = &fx.router;
    let page = fx.store.pending_drafts().expect("pending")[0].page_ids[0].0;
    let rev = login(r, "reviewer").await;
    let img = send(r, get(&rev, &format!("/pages/{page}/image?w=240"))).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(
        img.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}

/// Item 4: after an admin set a new password, the user's old session went on working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_the_users_sessions() {
    let fx = fixture();
    let r = &fx.router;
    let clerk = login(r, "clerk").await;
    assert_eq!(
        send(r, get(&clerk, "/openings")).await.status,
        StatusCode::OK
    );
    let admin = login(r, "admin").await;
    let resp = send(
        r,
        post(
            &admin,
            "/admin/users/clerk",
            &[("action", "password"), ("password", "a-new-password-1")],
            Some(&admin.csrf),
        ),
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let old = send(r, get(&clerk, "/openings")).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER, "the old cookie is dead");
    assert_eq!(
        login_raw(r, "clerk", "a-new-password-1", None).await.status,
        StatusCode::SEE_OTHER
    );
}

/// Item 5: `next=/%09/evil.example/x` redirected to `/<TAB>/evil.example/x` (the browser
/// goes to evil.example) and `next=/%0d%0a…` gave a plain-text 500 with the session set.
/// Now only plain paths of our pages are followed, anything else goes to the start page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_login_only_plain_local_paths_are_followed() {
    let fx = fixture();
    let r = &fx.router;
    for (next, to) in [
        ("/\t/evil.example/x", "/admin"),
        ("/\r\nSet-Cookie: a=b", "/admin"),
        ("/\\evil.example", "/admin"),
        ("/evil.example/x", "/admin"),
        ("/journal?page=2", "/journal?page=2"),
    ] {
        let page = send(r, Request::get("/login").body(Body::empty()).expect("req")).await;
        let pre = cookie_of(&page, "ishenim_pre").expect("pre");
        let form = serde_urlencoded::to_string([
            ("login", "admin"),
            ("password", "pass-admin-123"),
            ("pre", pre.as_str()),
            ("next", next),
        ])
        .expect("form");
        let resp = send(
            r,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("ishenim_pre={pre}"))
                .body(Body::from(form))
                .expect("req"),
        )
        .await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "{next:?}: {}",
            resp.body
        );
        let location = resp
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(location, to, "{next:?}");
    }
}

fn models_with_pastures() -> Models {
    let cats = format!(
        "{}\n[[category]]\nkey = \"pastures\"\nky = \"Жайыттар\"\nru = \"Пастбища\"\nterms = [\"жайыт*\"]\n",
        ishenim_draft::CATEGORIES_TOML
    );
    Models::from_toml(ishenim_draft::CORRUPTION_TOML, &cats).expect("models")
}

/// Item 6: `amend field=category value=<anything>` was stored, and the brief could be
/// amended past the 1,000 characters approval allows. The store now checks amendments as
/// approvals, against the categories of the council's models (a category added to the
/// file is offered by the form and accepted; the web no longer has its own list).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendments_are_checked_like_approvals_against_the_councils_categories() {
    let fx = fixture_full(
        Config {
            scan_jobs: 1,
            ..Config::default()
        },
        models_with_pastures(),
    );
    let r = &fx.router;
    let serial = fx.store.journal_list(None).expect("journal")[0]
        .serial
        .to_string();
    let rev = login(r, "reviewer").await;
    let url = format!("/journal/{serial}/amend");
    let history = |fx: &Fixture| {
        let s = serial.parse().expect("serial");
        fx.store.entry_history(s).expect("history").0.len()
    };
    let long = "ж".repeat(1001);
    for (field, value) in [
        ("category", "bogus"),
        ("category", "<script>"),
        ("brief", long.as_str()),
    ] {
        let resp = send(
            r,
            post(
                &rev,
                &url,
                &[("field", field), ("value", value), ("reason", "probe")],
                Some(&rev.csrf),
            ),
        )
        .await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{field}={value:.20}");
        assert_eq!(history(&fx), 0, "nothing amended");
    }
    let ok = send(
        r,
        post(
            &rev,
            &url,
            &[
                ("field", "category"),
                ("value", "pastures"),
                ("reason", "commission's new category"),
            ],
            Some(&rev.csrf),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(history(&fx), 1);
    let entry = send(r, get(&rev, &format!("/journal/{serial}"))).await;
    assert!(entry.body.contains("Жайыттар"), "label from the models");
    // The review form offers it, approval takes it, and refuses an unknown one.
    let draft = fx.store.pending_drafts().expect("pending")[0].id.0;
    let q = send(r, get(&rev, &format!("/queue/{draft}"))).await;
    assert!(q.body.contains("value=\"pastures\""), "offered by the form");
    let form = |cat: &'static str| {
        vec![
            ("applicant_name", "Асанова Г."),
            ("brief", "Жайыт боюнча"),
            ("category", cat),
        ]
    };
    let bad = send(
        r,
        post(
            &rev,
            &format!("/queue/{draft}/approve"),
            &form("bogus"),
            Some(&rev.csrf),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let good = send(
        r,
        post(
            &rev,
            &format!("/queue/{draft}/approve"),
            &form("pastures"),
            Some(&rev.csrf),
        ),
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
}

/// Item 7 and 9: `POST /admin/users/admin2%20 action=role` as admin2 demoted admin2 (the
/// guard compared the raw name, the store trimmed it); logins with `/` could be made but
/// not managed. Logins are normalised once, and are letters, digits and `._-` only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_normalised_before_the_not_on_yourself_guard() {
    let fx = fixture();
    let r = &fx.router;
    fx.store
        .add_user("admin2", "pass-admin2-123", Role::Admin, "ky")
        .expect("admin2");
    let login2 = login_raw(r, "admin2", "pass-admin2-123", None).await;
    let sid = cookie_of(&login2, "ishenim_sid").expect("sid");
    let page = send(
        r,
        Request::get("/admin")
            .header(header::COOKIE, format!("ishenim_sid={sid}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let csrf = page
        .body
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let s = Session { sid, csrf };
    for path in ["/admin/users/admin2%20", "/admin/users/%20admin2"] {
        for form in [
            vec![("action", "role"), ("role", "clerk")],
            vec![("action", "disable")],
        ] {
            let resp = send(r, post(&s, path, &form, Some(&s.csrf))).await;
            assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{path} {form:?}");
        }
    }
    let me = fx.store.get_user("admin2").expect("get").expect("admin2");
    assert_eq!((me.role, me.active), (Role::Admin, true));
    let resp = send(
        r,
        post(
            &s,
            "/admin/users",
            &[
                ("login", "clerk/2"),
                ("password", "pass-clerk2-123"),
                ("role", "clerk"),
            ],
            Some(&s.csrf),
        ),
    )
    .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(fx.store.get_user("clerk/2").expect("get").is_none());
}

/// Item 8: five wrong passwords locked any account, admin included, for 15 minutes. Now
/// the next try waits one second, then two, four, …
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_password_costs_seconds_not_a_quarter_hour() {
    let fx = fixture();
    let r = &fx.router;
    for _ in 0..5 {
        let bad = login_raw(r, "admin", "wrong-password", None).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    }
    let early = login_raw(r, "admin", "pass-admin-123", None).await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    let retry = early
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(retry, "1");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = login_raw(r, "admin", "pass-admin-123", None).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);
}

/// Item 8: behind the HTTPS proxy every client had the proxy's address, so one person's
/// typos locked out the whole office. With `--trusted-proxy` the proxy's
/// `X-Forwarded-For` names the client; from anyone else that header is ignored, so a
/// direct client cannot escape its own limit by inventing addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_behind_the_trusted_proxy_are_told_apart_and_others_cannot_pose_as_them() {
    let loopback: std::net::IpAddr = [127, 0, 0, 1].into();
    for trusted in [true, false] {
        let fx = fixture_with(Config {
            scan_jobs: 1,
            trusted_proxy: trusted.then_some(loopback),
            ..Config::default()
        });
        let addr = real_server(fx.router.clone()).await;
        // One client guesses at 20 different accounts (its free failures).
        for i in 0..ishenim_web::auth::MAX_FAILURES_PER_ADDRESS {
            let (s, _) = raw_login(
                addr,
                &format!("guess{i}"),
                "wrong-password",
                Some("10.0.0.1"),
            )
            .await;
            assert_eq!(s, 401, "try {i}");
        }
        let (s, _) = raw_login(addr, "guess99", "wrong-password", Some("10.0.0.1")).await;
        assert_eq!(s, 429, "that client now waits (trusted proxy: {trusted})");
        // Another person in the office logs in at once.
        let (s, _) = raw_login(addr, "clerk", "pass-clerk-123", Some("10.0.0.2")).await;
        let want = if trusted { 303 } else { 429 };
        assert_eq!(s, want, "trusted proxy: {trusted}");
    }
}

/// Item 9: `/queue/abc` got axum's plain-text rejection echoing the input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_path_parameters_get_the_generic_error_page() {
    let fx = fixture();
    let r = &fx.router;
    let rev = login(r, "reviewer").await;
    for path in [
        "/queue/zzqx%3Cb%3E",
        "/pages/zzqx/image",
        "/queue/99999999999999999999999",
    ] {
        let resp = send(r, get(&rev, path)).await;
        assert!(resp.status.is_client_error(), "{path}: {}", resp.status);
        let ctype = resp
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        assert!(
            !resp.body.contains("zzqx") && !resp.body.contains("9999999"),
            "{}",
            resp.body
        );
        assert_eq!(
            resp.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
}

/// Item 9: with `--public-host`, `/login` and `/setup` refuse other `Host` headers (no
/// login page under a foreign name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_setup_answer_only_the_public_host() {
    let fx = fixture_with(Config {
        scan_jobs: 1,
        public_host: Some("ishenim.local".into()),
        ..Config::default()
    });
    let r = &fx.router;
    for (host, want) in [
        ("evil.example", StatusCode::BAD_REQUEST),
        ("ishenim.local.evil.example", StatusCode::BAD_REQUEST),
        ("ishenim.local:8080", StatusCode::OK),
        ("ISHENIM.local", StatusCode::OK),
    ] {
        let resp = send(
            r,
            Request::get("/login")
                .header(header::HOST, host)
                .body(Body::empty())
                .expect("req"),
        )
        .await;
        assert_eq!(resp.status, want, "{host}");
    }
    let page = send(
        r,
        Request::get("/login")
            .header(header::HOST, "ishenim.local")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    let pre = cookie_of(&page, "ishenim_pre").expect("pre");
    let form = serde_urlencoded::to_string([
        ("login", "admin"),
        ("password", "pass-admin-123"),
        ("pre", pre.as_str()),
    ])
    .expect("form");
    for (host, want) in [
        ("evil.example", StatusCode::BAD_REQUEST),
        ("ishenim.local", StatusCode::SEE_OTHER),
    ] {
        let resp = send(
            r,
            Request::post("/login")
                .header(header::HOST, host)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("ishenim_pre={pre}"))
                .body(Body::from(form.clone()))
                .expect("req"),
        )
        .await;
        assert_eq!(resp.status, want, "POST with Host {host}");
    }
    let setup = send(
        r,
        Request::post("/setup")
            .header(header::HOST, "evil.example")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(setup.status, StatusCode::BAD_REQUEST);
}

/// Item 9: failed-login audit rows stored whatever was typed as the login, which is
/// sometimes a password. Now only the name of an existing account, else `-`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_audited_without_what_was_typed() {
    let fx = fixture();
    let r = &fx.router;
    login_raw(r, "pass-admin-123", "pass-admin-123", None).await;
    login_raw(r, "admin", "wrong-password", None).await;
    let failed: Vec<_> = fx
        .store
        .list_audit(50)
        .expect("audit")
        .into_iter()
        .filter(|a| a.action == "login_failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed
        .iter()
        .all(|a| !a.user.contains("pass-") && !a.object.contains("pass-")));
    assert!(failed.iter().any(|a| a.user == "admin"));
    assert!(failed.iter().any(|a| a.user == "-"));
}

/// Slips printed on the web carry each new code on both halves with its QR, the register
/// gains their hashes only; the review form links a confirmed code and refuses one whose
/// check symbol does not match (issue 17).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slips_from_the_web_and_a_code_confirmed_at_approval() {
    let fx = fixture();
    let r = &fx.router;
    let clerk = login(r, "clerk").await;
    let sheet = send(
        r,
        post(
            &clerk,
            "/receipts/slips",
            &[("count", "3")],
            Some(&clerk.csrf),
        ),
    )
    .await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(sheet.body.matches("<svg ").count(), 3);
    assert!(sheet.body.contains("/static/slips.css") && !sheet.body.contains(" style=\""));
    let codes: Vec<String> = sheet
        .body
        .split(['>', '<'])
        .filter(|w| ishenim_receipt::Code::parse(w).is_ok() && w.len() == 14)
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 6, "three codes, two halves each");
    assert_eq!(fx.store.receipts_issued().expect("issued"), 3);
    let css = send(
        r,
        Request::get("/static/slips.css")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(css.status, StatusCode::OK);
    // Approval: a code with one wrong symbol comes back with the message, nothing registered.
    let rev = login(r, "reviewer").await;
    let d = fx.store.pending_drafts().expect("pending")[0].id.0;
    let before = fx.store.journal_count().expect("count");
    let mut wrong: Vec<char> = codes[0].chars().collect();
    wrong[0] = if wrong[0] == 'K' { 'M' } else { 'K' };
    let wrong: String = wrong.into_iter().collect();
    let form = |code: &str| {
        vec![
            ("applicant_name", "Асанова Гүлнара".to_string()),
            ("brief", "Жер үлүшү".to_string()),
            ("category", "land".to_string()),
            ("receipt_code", code.to_string()),
        ]
    };
    let f = form(&wrong);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = send(
        r,
        post(&rev, &format!("/queue/{d}/approve"), &f, Some(&rev.csrf)),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("form-error"));
    assert_eq!(fx.store.journal_count().expect("count"), before);
    let f = form(&codes[0].to_lowercase());
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ok = send(
        r,
        post(&rev, &format!("/queue/{d}/approve"), &f, Some(&rev.csrf)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let code = ishenim_receipt::Code::parse(&codes[0]).expect("code");
    let link = ishenim_web::receipts::link_for(&fx.store, &code).expect("link");
    let check = fx.store.receipt_check(&link.hash).expect("check");
    assert!(check.issued);
    assert_eq!(check.used_by.len(), 1);
}

/// A SANE configuration folder with the `test` backend whose reads return `status`.
fn sane_config(dir: &std::path::Path, status: &str) -> std::path::PathBuf {
    sane_config_with(dir, status, "")
}

/// The same with more `test.conf` lines (`extra`), e.g. a slow read.
fn sane_config_with(dir: &std::path::Path, status: &str, extra: &str) -> std::path::PathBuf {
    let d = dir.join(format!("{status}{}", extra.len()));
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(d.join("dll.conf"), "test\n").expect("dll.conf");
    std::fs::write(
        d.join("test.conf"),
        format!(
            "number_of_devices 1\ntest-picture \"Grid\"\nread-status-code \"{status}\"\n{extra}"
        ),
    )
    .expect("test.conf");
    d
}

/// A second opening (9 March), for tests that move pages between openings.
fn second_opening(store: &Store) -> ishenim_store::OpeningId {
    store
        .new_opening(NewOpening {
            opened_at: chrono::NaiveDate::from_ymd_opt(2026, 3, 9)
                .and_then(|d| d.and_hms_opt(10, 0, 0))
                .expect("date"),
            members: vec!["A".into()],
            seal_removed: "5".into(),
            seal_applied: "6".into(),
            letters_found: 1,
            notes: String::new(),
        })
        .expect("opening")
}

/// The scanner tests set `SANE_CONFIG_DIR` for the whole process: one at a time.
static SANE_ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn scan_ended(r: &Router, s: &Session) -> serde_json::Value {
    let t = std::time::Instant::now();
    loop {
        let p = send(r, get(s, "/openings/1/progress")).await;
        let v: serde_json::Value = serde_json::from_str(&p.body).expect("json");
        if v["scan"]["running"] == false {
            return v["scan"].clone();
        }
        // A liveness bound, not a speed target: on a loaded 2-core machine with this file's
        // other tests reading pages beside it, a scan once needed more than 30 s.
        assert!(t.elapsed().as_secs() < 120, "scan did not end: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The scanner through the real `scanimage` and SANE's `test` backend: the admin picks it
/// from what SANE finds, a clerk scans into an opening (CSRF, roles), the pages are stored;
/// a jam is said in the clerk's language and the pages stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_picks_the_scanner_and_a_clerk_scans_into_an_opening() {
    let _one = SANE_ENV.lock().await;
    let sane = tempfile::tempdir().expect("tempdir");
    // Only this test runs `scanimage`; its children inherit the variable.
    std::env::set_var("SANE_CONFIG_DIR", sane_config(sane.path(), "Default"));
    let fx = fixture();
    let r = &fx.router;
    let admin = login(r, "admin").await;
    let clerk = login(r, "clerk").await;
    let reviewer = login(r, "reviewer").await;
    let page = send(r, get(&admin, "/admin/scanner")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("test:0") && page.body.contains("Automatic Document Feeder"));
    assert_eq!(
        send(r, get(&clerk, "/admin/scanner")).await.status,
        StatusCode::FORBIDDEN
    );
    let form = [
        ("device", "test:0"),
        ("source", "auto"),
        ("resolution", "100"),
    ];
    let saved = send(r, post(&admin, "/admin/scanner", &form, Some(&admin.csrf))).await;
    assert!(saved.status.is_redirection(), "{}", saved.status);
    assert_eq!(
        fx.store
            .setting("scanner_device")
            .expect("setting")
            .as_deref(),
        Some("test:0")
    );
    let opening = send(r, get(&clerk, "/openings/1")).await;
    assert!(opening.body.contains("/openings/1/scan"), "the Scan button");
    assert_eq!(
        send(r, post(&clerk, "/openings/1/scan", &[], None))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    let rs = send(
        r,
        post(&reviewer, "/openings/1/scan", &[], Some(&reviewer.csrf)),
    )
    .await;
    assert_eq!(rs.status, StatusCode::FORBIDDEN, "reviewers do not scan");
    let files_before = fx
        .store
        .list_files(ishenim_store::OpeningId(1))
        .expect("files")
        .len();
    let go = send(r, post(&clerk, "/openings/1/scan", &[], Some(&clerk.csrf))).await;
    assert!(go.status.is_redirection(), "{}", go.status);
    let scan = scan_ended(r, &clerk).await;
    assert!(scan["problem"].is_null(), "{scan}");
    assert!(scan["pages"].as_u64().is_some_and(|n| n >= 1), "{scan}");
    let files = fx
        .store
        .list_files(ishenim_store::OpeningId(1))
        .expect("files");
    assert!(files.len() > files_before, "pages stored");

    std::env::set_var(
        "SANE_CONFIG_DIR",
        sane_config(sane.path(), "SANE_STATUS_JAMMED"),
    );
    let go = send(r, post(&clerk, "/openings/1/scan", &[], Some(&clerk.csrf))).await;
    assert!(go.status.is_redirection());
    let scan = scan_ended(r, &clerk).await;
    assert_eq!(scan["problem"], "scan_jammed", "{scan}");
    let page = send(r, get(&clerk, "/openings/1")).await;
    assert!(page.body.contains("кагаз тыгылып калды"), "Kyrgyz message");
    let after = fx
        .store
        .list_files(ishenim_store::OpeningId(1))
        .expect("files");
    assert_eq!(after.len(), files.len(), "what was scanned stays");
    let audit = fx.store.list_audit(100).expect("audit");
    assert!(audit.iter().any(|a| a.action == "scan"));
}

/// Processes whose command line mentions `needle` (a scanimage left running).
fn processes_naming(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| String::from_utf8_lossy(c).contains(needle))
        .count()
}

/// A slow feeder (the `test` backend waits 0.2 s at each read) is cancelled by the clerk
/// through the real `scanimage`: Cancel needs CSRF and a clerk or admin; scanimage's
/// process group is gone, the pages already stored stay, the page says cancelled and
/// that they were kept (in the clerk's language), and the audit has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_cancels_a_running_scan_and_the_pages_stored_stay() {
    let _one = SANE_ENV.lock().await;
    let sane = tempfile::tempdir().expect("tempdir");
    let slow =
        "read-limit true\nread-limit-size 4096\nread-delay true\nread-delay-duration 200000\n";
    std::env::set_var(
        "SANE_CONFIG_DIR",
        sane_config_with(sane.path(), "Default", slow),
    );
    let fx = fixture();
    let r = &fx.router;
    fx.store
        .set_setting("scanner_device", "test:0", "admin")
        .expect("device");
    fx.store
        .set_setting("scanner_resolution", "100", "admin")
        .expect("resolution");
    let clerk = login(r, "clerk").await;
    let reviewer = login(r, "reviewer").await;
    let commission = login(r, "commission").await;
    let opening = ishenim_store::OpeningId(1);
    let before = fx.store.list_files(opening).expect("files").len();
    let go = send(r, post(&clerk, "/openings/1/scan", &[], Some(&clerk.csrf))).await;
    assert!(go.status.is_redirection(), "{}", go.status);
    // Wait for the first page to be stored (about a second a page).
    let t = std::time::Instant::now();
    loop {
        let p = send(r, get(&clerk, "/openings/1/progress")).await;
        let v: serde_json::Value = serde_json::from_str(&p.body).expect("json");
        assert_eq!(v["scan"]["running"], true, "still feeding: {v}");
        if v["scan"]["pages"].as_u64() >= Some(1) {
            assert_eq!(v["scan"]["stored"], 1, "{v}");
            assert!(v["scan"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Сканерленип жатат")));
            break;
        }
        assert!(t.elapsed().as_secs() < 20, "no page: {v}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page = send(r, get(&clerk, "/openings/1")).await;
    assert!(
        page.body.contains("/openings/1/scan/cancel"),
        "Cancel shown"
    );
    assert!(
        page.body.contains("http-equiv=\"refresh\""),
        "refreshes without JS"
    );
    let cancel = "/openings/1/scan/cancel";
    assert_eq!(
        send(r, post(&clerk, cancel, &[], None)).await.status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    for (who, s) in [("reviewer", &reviewer), ("commission", &commission)] {
        let resp = send(r, post(s, cancel, &[], Some(&s.csrf))).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "{who}");
    }
    let ok = send(r, post(&clerk, cancel, &[], Some(&clerk.csrf))).await;
    assert!(ok.status.is_redirection(), "{}", ok.status);
    let scan = scan_ended(r, &clerk).await;
    assert!(
        t.elapsed().as_secs() < 9,
        "stopped early, not at the feeder's end"
    );
    assert_eq!(scan["problem"], "scan_cancelled", "{scan}");
    assert_eq!(scan["cancelled"], true);
    let pages = scan["pages"].as_u64().expect("pages");
    assert!((1..10).contains(&pages), "{scan}");
    assert!(scan["message"]
        .as_str()
        .is_some_and(|m| m.contains("барактар сакталды")));
    let files = fx.store.list_files(opening).expect("files");
    assert_eq!(
        files.len(),
        before + 1,
        "the scanned page stays (identical pages are one file)"
    );
    let work = fx.store.data_dir().join("scanner").join("1");
    let left: Vec<_> = std::fs::read_dir(&work).expect("work").flatten().collect();
    assert!(left.is_empty(), "no page nor partial page left: {left:?}");
    assert_eq!(
        processes_naming(&work.display().to_string()),
        0,
        "scanimage is gone"
    );
    let page = send(r, get(&clerk, "/openings/1")).await;
    assert!(
        page.body.contains("Сканерлөө токтотулду"),
        "said on the page"
    );
    assert!(!page.body.contains("http-equiv=\"refresh\""));
    let again = send(r, post(&clerk, cancel, &[], Some(&clerk.csrf))).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "nothing to cancel");
    let audit = fx.store.list_audit(100).expect("audit");
    assert!(audit
        .iter()
        .any(|a| a.action == "scan_cancel" && a.object == "opening 1" && a.user == "clerk"));
}

/// Pages a scan killed with its server left in the opening's work folder: the page says
/// so (to those who may scan) with a CSRF-protected button; pressing it stores them (the
/// same page twice is one file), removes the half page, leaves another opening's folder
/// alone, queues the reading — a page the reader cannot read is quarantined with its
/// reason, not lost — and is audited; the notice is gone afterwards. While a scan runs
/// the button is refused (the scan takes such pages itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_a_killed_scan_left_are_announced_and_stored_on_request() {
    let _one = SANE_ENV.lock().await;
    let fx = fixture();
    let r = &fx.router;
    let o1 = ishenim_store::OpeningId(1);
    let o2 = second_opening(&fx.store);
    let work = fx.store.data_dir().join("scanner");
    let (w1, w2) = (work.join("1"), work.join(o2.0.to_string()));
    std::fs::create_dir_all(&w1).expect("mkdir");
    std::fs::create_dir_all(&w2).expect("mkdir");
    let mut page = png();
    page.push(9);
    std::fs::write(w1.join("b1-p0001.png"), &page).expect("page");
    std::fs::write(w1.join("b1-p0002.png"), &page).expect("same page");
    std::fs::write(w1.join("b1-p0003.png"), b"\x89PNG broken page").expect("broken");
    std::fs::write(w1.join("b1-p0004.png.part"), b"half").expect("part");
    // Over the register's size limit (sparse: no disk used): refused, kept with a reason.
    std::fs::File::create(w1.join("b1-p0005.png"))
        .and_then(|f| f.set_len(201 << 20))
        .expect("large page");
    std::fs::write(w2.join("b1-p0001.png"), b"another opening").expect("other");
    let clerk = login(r, "clerk").await;
    let reviewer = login(r, "reviewer").await;
    let commission = login(r, "commission").await;
    let notice = "Сканерлөө үзүлгөн: 4 барак сакталган жок.";
    let shown = send(r, get(&clerk, "/openings/1")).await;
    assert!(shown.body.contains(notice), "notice for the clerk");
    assert!(shown.body.contains("action=\"/openings/1/scan/left\""));
    let for_reviewer = send(r, get(&reviewer, "/openings/1")).await;
    assert!(
        !for_reviewer.body.contains(notice),
        "not for who may not scan"
    );

    let left = "/openings/1/scan/left";
    let before = fx.store.list_files(o1).expect("files").len();
    assert_eq!(
        send(r, post(&clerk, left, &[], None)).await.status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    for s in [&reviewer, &commission] {
        let resp = send(r, post(s, left, &[], Some(&s.csrf))).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(fx.store.list_files(o1).expect("files").len(), before);
    assert!(w1.join("b1-p0001.png").is_file(), "refused: nothing moved");

    let ok = send(r, post(&clerk, left, &[], Some(&clerk.csrf))).await;
    assert!(ok.status.is_redirection(), "{}", ok.status);
    let to = ok.headers[header::LOCATION].to_str().expect("location");
    assert_eq!(to, "/openings/1?left_failed=1#scanner");
    let told = send(r, get(&clerk, to)).await;
    assert!(
        told.body
            .contains("барактардын айрымдары реестрге сакталган жок"),
        "the clerk is told of the refused page"
    );
    let mangled = send(r, get(&clerk, "/openings/1?left_failed=x")).await;
    assert_eq!(
        mangled.status,
        StatusCode::OK,
        "a mangled link still shows the page"
    );
    assert!(work.join("failed/b1-p0005.png").is_file(), "not lost");
    let why =
        std::fs::read_to_string(work.join("failed/b1-p0005.png.reason.txt")).expect("reason file");
    assert!(why.contains("too large"), "{why}");
    let files = fx.store.list_files(o1).expect("files");
    assert_eq!(files.len(), before + 2, "the page twice is one file");
    let rest: Vec<_> = std::fs::read_dir(&w1).expect("work").flatten().collect();
    assert!(rest.is_empty(), "pages and the half page gone: {rest:?}");
    assert!(
        w2.join("b1-p0001.png").is_file(),
        "another opening's page stays"
    );
    let broken = files
        .iter()
        .find(|f| f.original_name == "b1-p0003.png")
        .expect("the broken page is in the register")
        .id;
    let t = std::time::Instant::now();
    let info = loop {
        let i = fx.store.get_file(broken).expect("file");
        if i.status != ishenim_store::FileStatus::Stored {
            break i;
        }
        assert!(t.elapsed().as_secs() < 60, "not read");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        info.status,
        ishenim_store::FileStatus::Quarantined,
        "kept, with a reason"
    );
    assert!(info.reason.is_some_and(|r| !r.is_empty()));
    let after = send(r, get(&clerk, "/openings/1")).await;
    assert!(!after.body.contains("Сканерлөө үзүлгөн"), "notice gone");
    assert!(
        after.body.contains("b1-p0003.png"),
        "in the quarantine list"
    );
    let audit = fx.store.list_audit(100).expect("audit");
    assert!(audit.iter().any(|a| a.action == "scan_left"
        && a.user == "clerk"
        && a.object == "opening 1: 3 pages stored, 1 failed"));

    // While a scan runs it takes such pages itself: the button is refused.
    let sane = tempfile::tempdir().expect("tempdir");
    let slow =
        "read-limit true\nread-limit-size 4096\nread-delay true\nread-delay-duration 200000\n";
    std::env::set_var(
        "SANE_CONFIG_DIR",
        sane_config_with(sane.path(), "Default", slow),
    );
    fx.store
        .set_setting("scanner_device", "test:0", "admin")
        .expect("device");
    let go = send(r, post(&clerk, "/openings/1/scan", &[], Some(&clerk.csrf))).await;
    assert!(go.status.is_redirection(), "{}", go.status);
    let busy = send(r, post(&clerk, left, &[], Some(&clerk.csrf))).await;
    assert_eq!(busy.status, StatusCode::BAD_REQUEST);
    assert!(busy.body.contains("Сканер бош эмес"), "said why");
    let cancel = "/openings/1/scan/cancel";
    send(r, post(&clerk, cancel, &[], Some(&clerk.csrf))).await;
    scan_ended(r, &clerk).await;
}

/// Pages the register refused from a scanner work folder (`scanner/failed/`) are listed
/// for the clerk and the admin with their reason and opening; a retry stores one into an
/// opening and sends it to be read, "quarantine" puts one into the register's quarantine
/// with its reason; a file leaves the folder only then. Both are CSRF-protected, refused
/// to the other roles, audited; a file still too large to read is not retried and stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_scanner_pages_are_listed_retried_and_quarantined() {
    let fx = fixture();
    let r = &fx.router;
    let o1 = ishenim_store::OpeningId(1);
    let o2 = second_opening(&fx.store);
    // A page quarantined earlier, left again by a killed scan, and a page over the size
    // limit (sparse): the real store-left path puts both into scanner/failed/.
    let broken = b"\x89PNG broken page, quarantined before".to_vec();
    let held = match fx.store.add_file(o1, "earlier.png", &broken).expect("add") {
        ishenim_store::AddFileOutcome::New(id) => id,
        other => panic!("{other:?}"),
    };
    fx.store
        .quarantine(held, "not an image")
        .expect("quarantine");
    let w1 = fx.store.data_dir().join("scanner").join("1");
    std::fs::create_dir_all(&w1).expect("mkdir");
    std::fs::write(w1.join("b2-p0001.png"), &broken).expect("page");
    std::fs::File::create(w1.join("b2-p0002.png"))
        .and_then(|f| f.set_len(201 << 20))
        .expect("large page");
    let clerk = login(r, "clerk").await;
    let admin = login(r, "admin").await;
    let reviewer = login(r, "reviewer").await;
    let commission = login(r, "commission").await;
    let left = send(
        r,
        post(&clerk, "/openings/1/scan/left", &[], Some(&clerk.csrf)),
    )
    .await;
    assert_eq!(
        left.headers[header::LOCATION].to_str().expect("location"),
        "/openings/1?left_failed=2#scanner"
    );
    let failed = fx.store.data_dir().join("scanner/failed");
    let opening_page = send(r, get(&clerk, "/openings/1?left_failed=2")).await;
    assert!(
        opening_page.body.contains("href=\"/scanner/failed\""),
        "linked"
    );
    assert!(opening_page.body.contains("id=\"scan-failed-count\""));

    let list = send(r, get(&clerk, "/scanner/failed")).await;
    assert_eq!(list.status, StatusCode::OK);
    for want in [
        "Сканердин кабыл алынбаган файлдары",
        "b2-p0001.png",
        "b2-p0002.png",
        "quarantined earlier",
        "too large",
        "href=\"/openings/1\"",
        "name=\"csrf\"",
    ] {
        assert!(list.body.contains(want), "{want} on the page");
    }
    for s in [&reviewer, &commission] {
        assert_eq!(
            send(r, get(s, "/scanner/failed")).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let form = |action: &'static str, name: &'static str, opening: &'static str| {
        vec![("do", action), ("name", name), ("opening", opening)]
    };
    let act = "/scanner/failed";
    for s in [&reviewer, &commission] {
        let f = form("retry", "b2-p0001.png", "1");
        let resp = send(r, post(s, act, &f, Some(&s.csrf))).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN);
    }
    let f = form("retry", "b2-p0001.png", "1");
    assert_eq!(
        send(r, post(&clerk, act, &f, None)).await.status,
        StatusCode::FORBIDDEN,
        "CSRF"
    );
    for (name, why) in [
        ("b2-p0002.png", "өтө чоң"),
        ("../ishenim.sqlite3", "папкасында жок"),
        ("b2-p0001.png.reason.txt", "папкасында жок"),
    ] {
        let f = vec![("do", "retry"), ("name", name), ("opening", "1")];
        let resp = send(r, post(&clerk, act, &f, Some(&clerk.csrf))).await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{name}");
        assert!(resp.body.contains(why), "{name}: {why}");
    }
    assert!(failed.join("b2-p0001.png").is_file() && failed.join("b2-p0002.png").is_file());

    // The clerk retries the page quarantined earlier: that register file is read again.
    let f = form("retry", "b2-p0001.png", "1");
    let done = send(r, post(&clerk, act, &f, Some(&clerk.csrf))).await;
    assert!(done.status.is_redirection(), "{}", done.status);
    assert_eq!(
        done.headers[header::LOCATION].to_str().expect("location"),
        format!("/scanner/failed?done=failed_retried&file={held}")
    );
    let info = fx.store.get_file(held).expect("file");
    assert_eq!(info.retries, 1, "sent back to be read");
    assert!(!failed.join("b2-p0001.png").exists());
    assert!(!failed.join("b2-p0001.png.reason.txt").exists());
    let told = send(r, get(&clerk, "/scanner/failed?done=failed_retried&file=x")).await;
    assert!(told.body.contains("окууга жөнөтүлдү"), "said what was done");

    // The admin puts the large page into the quarantine of the second opening.
    let o2s = o2.0.to_string();
    let f = vec![
        ("do", "quarantine"),
        ("name", "b2-p0002.png"),
        ("opening", o2s.as_str()),
    ];
    let done = send(r, post(&admin, act, &f, Some(&admin.csrf))).await;
    assert!(done.status.is_redirection(), "{}", done.status);
    let q = fx.store.list_files(o2).expect("files");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].status, ishenim_store::FileStatus::Quarantined);
    assert_eq!(q[0].size, 201 << 20);
    assert!(q[0]
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("too large")));
    let rest: Vec<_> = std::fs::read_dir(&failed)
        .expect("failed")
        .flatten()
        .collect();
    assert!(rest.is_empty(), "nothing left: {rest:?}");
    let empty = send(r, get(&admin, "/scanner/failed")).await;
    assert!(empty.body.contains("Кабыл алынбаган файлдар жок."));

    let audit = fx.store.list_audit(100).expect("audit");
    assert!(audit.iter().any(|a| a.action == "scan_failed_retry"
        && a.user == "clerk"
        && a.object == format!("scanner/failed b2-p0001.png -> opening 1 file {held}")));
    assert!(audit.iter().any(|a| a.action == "scan_failed_quarantine"
        && a.user == "admin"
        && a.object
            == format!(
                "scanner/failed b2-p0002.png -> opening {o2} file {} (new)",
                q[0].id
            )));
}

/// Waits up to `limit` for `ok`.
async fn wait_until(what: &str, limit: std::time::Duration, ok: impl Fn() -> bool) {
    let t = std::time::Instant::now();
    while !ok() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The files the watched scan folder (`serve --inbox DIR`) could not hand to the register
/// reach `DIR/failed/` through the real inbox thread and reader (a broken PNG the reader
/// quarantines, a page over the size limit) and are listed on `/scanner/failed` in a second
/// section beside the scanner's, over a real TCP server: a preview of a file's first page
/// (clerk and admin only, audited as a view, not for a file the reader cannot open), retry
/// and quarantine from that folder with the same roles, CSRF and audit as the scanner's
/// files; the opening's page counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_folders_failed_files_are_listed_previewed_retried_and_quarantined() {
    let inbox = tempfile::tempdir().expect("inbox");
    let fx = fixture_with(Config {
        scan_jobs: 1,
        inbox: Some(inbox.path().to_path_buf()),
        inbox_poll_ms: 100,
        ..Config::default()
    });
    let o2 = second_opening(&fx.store);
    let failed = inbox.path().join("failed");
    // A broken page dropped into the folder (the newest opening, o2), a page over the size
    // limit (sparse) into opening 1's folder: the inbox thread and the reader fail them.
    std::fs::write(
        inbox.path().join("broken.png"),
        b"\x89PNG broken scan-folder page",
    )
    .expect("broken");
    std::fs::create_dir_all(inbox.path().join("1")).expect("mkdir");
    std::fs::File::create(inbox.path().join("1/huge.png"))
        .and_then(|f| f.set_len(201 << 20))
        .expect("huge");
    let limit = std::time::Duration::from_secs(120);
    wait_until("both files in failed/", limit, || {
        failed.join("broken.png").is_file() && failed.join("huge.png").is_file()
    })
    .await;
    // A readable page left there with its note (as an earlier run of the folder leaves
    // one), for the preview and the retry.
    let page = image::GrayImage::from_fn(600, 800, |x, y| {
        image::Luma([if (x / 40 + y / 40) % 2 == 0 { 30 } else { 240 }])
    });
    let mut kept = Vec::new();
    page.write_to(
        &mut std::io::Cursor::new(&mut kept),
        image::ImageFormat::Png,
    )
    .expect("png");
    std::fs::write(failed.join("kept.png"), &kept).expect("kept");
    std::fs::write(
        failed.join("kept.png.reason.txt"),
        "Файл кабыл алынган жок / Файл не принят: kept.png\nnot an image\nАчуу / Вскрытие: 1\n",
    )
    .expect("note");

    let addr = real_server(fx.router.clone()).await;
    let r = &fx.router;
    let clerk = login(r, "clerk").await;
    let admin = login(r, "admin").await;
    let reviewer = login(r, "reviewer").await;
    let opening_page = http(addr, "GET", "/openings/1", &clerk.sid, None).await;
    assert!(
        opening_page.2.contains("id=\"scan-failed-count\""),
        "counted"
    );
    let (status, _, list) = http(addr, "GET", "/scanner/failed", &clerk.sid, None).await;
    assert_eq!(status, 200);
    for want in [
        "Кабыл алынбаган файлдар",
        "Скан папкасы",
        "id=\"inbox-failed-files\"",
        "id=\"failed-empty\"",
        "broken.png",
        "huge.png",
        "kept.png",
        "too large",
        "name=\"from\" value=\"inbox\"",
        "/scanner/failed/preview?from=inbox&amp;name=kept.png",
    ] {
        assert!(list.contains(want), "{want} on the page");
    }
    let broken_row = list.split("data-name=\"broken.png\"").nth(1).expect("row");
    let broken_reason = broken_row.split("failed-reason\">").nth(1).unwrap_or("");
    assert!(
        !broken_reason.starts_with('—'),
        "the reader's reason is shown: {broken_row}"
    );
    for path in [
        "/scanner/failed",
        "/scanner/failed/preview?from=inbox&name=kept.png",
    ] {
        assert_eq!(http(addr, "GET", path, &reviewer.sid, None).await.0, 403);
    }

    // Previews: the first page, 240 px wide, audited once per view; none for what the
    // reader cannot open or may not read, none outside the folder.
    let preview = "/scanner/failed/preview?from=inbox&name=kept.png";
    let shown = send(r, get(&clerk, preview)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(shown.headers[header::CACHE_CONTROL], "no-store");
    let raw = send_bytes(r, get(&clerk, preview)).await;
    let thumb = image::load_from_memory(&raw).expect("a JPEG");
    assert_eq!((thumb.width(), thumb.height()), (240, 320));
    for (path, code, why) in [
        (
            "/scanner/failed/preview?from=inbox&name=broken.png",
            400,
            "көрүү жок",
        ),
        (
            "/scanner/failed/preview?from=inbox&name=huge.png",
            400,
            "өтө чоң",
        ),
        (
            "/scanner/failed/preview?from=inbox&name=..%2Fbroken.png",
            404,
            "",
        ),
        (
            "/scanner/failed/preview?from=inbox&name=kept.png.reason.txt",
            404,
            "",
        ),
        ("/scanner/failed/preview?name=kept.png", 404, ""),
        (
            "/scanner/failed/preview?from=elsewhere&name=kept.png",
            400,
            "",
        ),
    ] {
        let (status, _, body) = http(addr, "GET", path, &clerk.sid, None).await;
        assert_eq!(status, code, "{path}");
        assert!(body.contains(why), "{path}: {why}");
    }
    let views: Vec<_> = fx
        .store
        .list_audit(200)
        .expect("audit")
        .into_iter()
        .filter(|a| a.action == "scan_failed_view")
        .collect();
    assert_eq!(views.len(), 2, "two successful views: {views:?}");
    assert!(views
        .iter()
        .all(|a| a.user == "clerk" && a.object == "inbox/failed kept.png"));

    // Actions: CSRF, roles, then the clerk's retry and the admin's quarantine.
    let form = |csrf: &str, action: &str, name: &str, opening: &str| {
        serde_urlencoded::to_string([
            ("do", action),
            ("from", "inbox"),
            ("name", name),
            ("opening", opening),
            ("csrf", csrf),
        ])
        .expect("form")
    };
    let no_csrf = form("", "retry", "kept.png", "1");
    let refused = http(addr, "POST", "/scanner/failed", &clerk.sid, Some(&no_csrf)).await;
    assert_eq!(refused.0, 403, "CSRF");
    let theirs = form(&reviewer.csrf, "retry", "kept.png", "1");
    let refused = http(
        addr,
        "POST",
        "/scanner/failed",
        &reviewer.sid,
        Some(&theirs),
    )
    .await;
    assert_eq!(refused.0, 403, "reviewer");
    let large = form(&clerk.csrf, "retry", "huge.png", "1");
    let refused = http(addr, "POST", "/scanner/failed", &clerk.sid, Some(&large)).await;
    assert_eq!(refused.0, 400);
    assert!(refused.2.contains("өтө чоң"));
    assert!(failed.join("kept.png").is_file() && failed.join("huge.png").is_file());

    let retry = form(&clerk.csrf, "retry", "kept.png", "1");
    let (status, head, _) = http(addr, "POST", "/scanner/failed", &clerk.sid, Some(&retry)).await;
    assert_eq!(status, 303, "{head}");
    let files = fx
        .store
        .list_files(ishenim_store::OpeningId(1))
        .expect("files");
    let stored = files
        .iter()
        .find(|f| f.original_name == "kept.png")
        .expect("kept.png in opening 1");
    assert!(
        head.contains(&format!(
            "location: /scanner/failed?done=failed_retried&file={}#inbox-failed",
            stored.id
        )),
        "{head}"
    );
    assert_eq!(fx.store.read_file(stored.id).expect("bytes"), kept);
    assert!(!failed.join("kept.png").exists() && !failed.join("kept.png.reason.txt").exists());

    let o2s = o2.0.to_string();
    let quarantine = form(&admin.csrf, "quarantine", "huge.png", &o2s);
    let (status, _, _) = http(
        addr,
        "POST",
        "/scanner/failed",
        &admin.sid,
        Some(&quarantine),
    )
    .await;
    assert_eq!(status, 303);
    let held = fx.store.list_files(o2).expect("files");
    let huge = held
        .iter()
        .find(|f| f.original_name == "huge.png")
        .expect("huge held");
    assert_eq!(huge.status, ishenim_store::FileStatus::Quarantined);
    assert_eq!(huge.size, 201 << 20);
    assert!(!failed.join("huge.png").exists());

    let audit = fx.store.list_audit(200).expect("audit");
    assert!(audit.iter().any(|a| a.action == "scan_failed_retry"
        && a.user == "clerk"
        && a.object
            == format!(
                "inbox/failed kept.png -> opening 1 file {} (new)",
                stored.id
            )));
    assert!(audit.iter().any(|a| a.action == "scan_failed_quarantine"
        && a.user == "admin"
        && a.object
            == format!(
                "inbox/failed huge.png -> opening {o2} file {} (new)",
                huge.id
            )));
    let (_, _, after) = http(addr, "GET", "/scanner/failed", &clerk.sid, None).await;
    assert!(after.contains("broken.png") && !after.contains("data-name=\"kept.png\""));
}

/// The body of a response as bytes (images).
async fn send_bytes(router: &Router, req: Request<Body>) -> Vec<u8> {
    let r = router.clone().oneshot(req).await.expect("response");
    to_bytes(r.into_body(), 64 << 20)
        .await
        .expect("body")
        .to_vec()
}

// ---- Issue 18: the reviewer's redaction boxes. ----

/// One request over its own TCP connection to the real server: (status, head, body).
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    sid: &str,
    body: Option<&str>,
) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: ishenim_sid={sid}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_string(), rest.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_save_redaction_boxes_checked_audited_and_csrf_protected() {
    let fx = fixture();
    let addr = real_server(fx.router.clone()).await;
    let e = fx.store.journal_list(None).expect("journal")[0].clone();
    let serial = e.serial;
    let page = e.page_ids[0];
    let rev = login(&fx.router, "reviewer").await;
    let com = login(&fx.router, "commission").await;
    let clerk = login(&fx.router, "clerk").await;
    let path = format!("/journal/{serial}/redaction");
    let form = |csrf: &str, boxes: &[&str]| {
        let mut pairs = vec![("csrf", csrf.to_string()), ("page", page.0.to_string())];
        pairs.extend(boxes.iter().map(|b| ("box", b.to_string())));
        serde_urlencoded::to_string(pairs).expect("form")
    };

    // The entry page shows the editor with the automatic boxes of the field spans.
    let (st, _, body) = http(addr, "GET", &format!("/journal/{serial}"), &rev.sid, None).await;
    assert_eq!(st, 200);
    assert!(body.contains("class=\"redact-form\""), "editor shown");
    let auto_boxes = body.matches("<rect class=\"rbox auto\"").count();
    assert!(auto_boxes >= 2, "name and address boxes: {auto_boxes}");
    assert!(body.contains("Жашыруу кутучалары"), "Kyrgyz title");

    // No CSRF token: refused, nothing saved.
    let (st, _, _) = http(
        addr,
        "POST",
        &path,
        &rev.sid,
        Some(&form("", &["10,10,400,90"])),
    )
    .await;
    assert_eq!(st, 403);
    // A clerk may not choose boxes.
    let (st, _, _) = http(
        addr,
        "POST",
        &path,
        &clerk.sid,
        Some(&form(&clerk.csrf, &["10,10,400,90"])),
    )
    .await;
    assert_eq!(st, 403);
    // Outside the page (2480 × 3508), too small, malformed, too many: 400 with the reason.
    for (boxes, word) in [
        (vec!["10,10,2481,90"], "чегинен"),
        (vec!["10,10,12,90"], "кичинекей"),
        (vec!["10,10,90"], "координаттары"),
    ] {
        let (st, _, body) = http(
            addr,
            "POST",
            &path,
            &rev.sid,
            Some(&form(&rev.csrf, &boxes)),
        )
        .await;
        assert_eq!(st, 400, "{boxes:?}");
        assert!(body.contains(word), "{boxes:?}: reason shown");
    }
    let many: Vec<String> = (0..201).map(|i| format!("{i},0,{},10", i + 10)).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let (st, _, _) = http(addr, "POST", &path, &rev.sid, Some(&form(&rev.csrf, &many))).await;
    assert_eq!(st, 400);
    // A page of another letter cannot be given boxes through this entry.
    let other = fx.store.pending_drafts().expect("pending")[0].page_ids[0];
    let body = serde_urlencoded::to_string([
        ("csrf", rev.csrf.as_str()),
        ("page", &other.0.to_string()),
        ("box", "10,10,400,90"),
    ])
    .expect("form");
    let (st, _, _) = http(addr, "POST", &path, &rev.sid, Some(&body)).await;
    assert_eq!(st, 400);
    assert!(
        fx.store.redactions(serial).expect("saved").is_empty(),
        "nothing saved yet"
    );

    // The reviewer keeps one automatic box, drops the rest and adds one: saved, redirected.
    let view = ishenim_export::redaction_view(&fx.store, serial).expect("view");
    let kept = view[0].automatic[0];
    let kept_s = format!("{},{},{},{}", kept[0], kept[1], kept[2], kept[3]);
    let (st, head, _) = http(
        addr,
        "POST",
        &path,
        &rev.sid,
        Some(&form(&rev.csrf, &[&kept_s, "100,2000,900,2100"])),
    )
    .await;
    assert_eq!(st, 303, "{head}");
    assert!(head.contains(&format!("/journal/{serial}#redact-{}", page.0)));
    let saved = fx.store.redactions(serial).expect("saved");
    assert_eq!(saved[&page].boxes, vec![kept, [100, 2000, 900, 2100]]);
    assert_eq!(saved[&page].saved_by, "reviewer");
    let (_, _, body) = http(addr, "GET", &format!("/journal/{serial}"), &com.sid, None).await;
    assert!(
        body.contains("data-v=\"100,2000,900,2100\""),
        "the added box is shown"
    );
    assert_eq!(
        body.matches("<rect class=\"rbox ").count() + body.matches("<rect class=\"rbox\"").count(),
        2,
        "only the kept boxes"
    );
    assert!(body.contains("Кутучаларды тандаган: reviewer"));

    // The commission goes back to the automatic boxes.
    let body = serde_urlencoded::to_string([
        ("csrf", com.csrf.as_str()),
        ("page", &page.0.to_string()),
        ("do", "automatic"),
    ])
    .expect("form");
    let (st, _, _) = http(addr, "POST", &path, &com.sid, Some(&body)).await;
    assert_eq!(st, 303);
    assert!(fx.store.redactions(serial).expect("saved").is_empty());

    // Every save is in the audit log with ids and counts, never coordinates or text.
    let audit: Vec<_> = fx
        .store
        .list_audit(100)
        .expect("audit")
        .into_iter()
        .filter(|a| a.action == "redaction_boxes")
        .collect();
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0].user, "commission");
    assert!(audit[0].object.ends_with("automatic"));
    assert_eq!(audit[1].user, "reviewer");
    assert_eq!(
        audit[1].object,
        format!("entry {serial} page {} boxes 2", page.0)
    );
}
