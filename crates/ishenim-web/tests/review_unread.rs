//! The review screen draws the regions the reader gave up on (`PageRecord::unread`) on the
//! page image, with a note in the user's language, so the reviewer types what is missing.

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use ishenim_draft::Models;
use ishenim_page::UnreadRegion;
use ishenim_store::{NewOpening, Role, Store};
use ishenim_web::{app, router, Config};
use tower::ServiceExt;

const LETTER: &str = "Манас айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Асанова Гүлнара\n\nАРЫЗ\n\nКөпүрөнү оңдоп берүүнү суранам.\n\nКолу: Асанова Г.";

async fn send(r: &Router, req: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let resp = r.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    let body = to_bytes(resp.into_body(), 1 << 22).await.expect("body");
    (status, cookies, String::from_utf8_lossy(&body).into_owned())
}

fn cookie<'a>(cookies: &'a [String], name: &str) -> &'a str {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .expect("cookie")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_regions_are_drawn_on_the_page() {
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
            letters_found: 1,
            notes: String::new(),
        })
        .expect("opening");
    let mut sum = ishenim_ingest::Summary::default();
    let mut png = Vec::new();
    image::GrayImage::from_pixel(60, 80, image::Luma([255u8]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let f = ishenim_ingest::store_bytes(&store, o, "a.png", &png, &mut sum).expect("store");
    let mut rec = ishenim_draft::eval::page_from_text("a", LETTER);
    rec.unread.push(UnreadRegion {
        bbox: [120, 900, 1500, 960],
        reason: "no_words".into(),
    });
    store.save_pages(f, &[rec]).expect("pages");
    ishenim_ingest::draft_scanned(&store, o, &Models::embedded(), &mut sum).expect("drafts");
    store
        .add_user("rev", "pass-reviewer-123", Role::Reviewer, "ky")
        .expect("user");
    let r = router(app(store, Config::default(), Models::embedded()));

    let (_, pre, _) = send(&r, Request::get("/login").body(Body::empty()).expect("req")).await;
    let pre = cookie(&pre, "ishenim_pre").to_string();
    let form = serde_urlencoded::to_string([
        ("login", "rev"),
        ("password", "pass-reviewer-123"),
        ("pre", pre.as_str()),
    ])
    .expect("form");
    let (st, c, _) = send(
        &r,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("ishenim_pre={pre}"))
            .body(Body::from(form))
            .expect("req"),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let sid = cookie(&c, "ishenim_sid").to_string();
    let (st, _, body) = send(
        &r,
        Request::get("/queue")
            .header(header::COOKIE, format!("ishenim_sid={sid}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.contains(r#"<rect class="unread" data-reason="no_words" x="120" y="900" width="1380" height="60">"#),
        "unread region drawn"
    );
    assert!(body.contains("Бул жер окулган жок"), "with a Kyrgyz note");
}
