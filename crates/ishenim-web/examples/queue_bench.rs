//! Benchmark of the review queue's server time with a large journal.
//!
//! `cargo run --release -p ishenim-web --example queue_bench -- [ENTRIES] [SAMPLES]`
//!
//! Builds a store with ENTRIES registered appeals (default 10,000) and 300 pending drafts,
//! then measures through the real router and middleware (session lookup, CSRF, audit
//! write, template): the review page of a pending letter (`GET /queue/{id}` as a full page
//! and as the fragment the script swaps in), `GET /queue`, the first journal page, and the
//! approval round trip (`POST /queue/{id}/approve`). Prints p50/p95/max in milliseconds.

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use ishenim_draft::{draft_letters, Models};
use ishenim_store::{ApprovedFields, DraftScope, NewDraft, NewOpening, Role, Store};
use std::time::Instant;
use tower::ServiceExt;

const LETTER: &str = "Манас айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Асанова Гүлнара Бекматовнадан\nМанас айылы, Ленин көчөсү, 5-үй\nтел.: 0555 123 456\n\nАРЫЗ\n\nАйыл өкмөтүнүн кызматкери жер үлүшүн каттоо үчүн менден акча талап кылды. Жер тилкесинин документтерин бир айдан бери бербей жатат. Бул маселени текшерип, мыйзамсыз талапты токтотууну суранам.\n\n02.10.2024-ж.\nКолу: Асанова Г.";

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, String, Vec<String>) {
    let r = router.clone().oneshot(req).await.expect("response");
    let status = r.status();
    let cookies = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    let body = to_bytes(r.into_body(), 64 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&body).into_owned(), cookies)
}

fn cookie(set: &[String], name: &str) -> String {
    set.iter()
        .find_map(|c| {
            let (k, v) = c.split(';').next()?.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
        .expect("cookie")
}

fn report(name: &str, mut v: Vec<f64>) {
    let n = v.len();
    let p50 = percentile(&mut v, 0.50);
    let p95 = percentile(&mut v, 0.95);
    let max = percentile(&mut v, 1.0);
    println!("{name:<34} n={n:<4} p50 {p50:>6.2} ms   p95 {p95:>6.2} ms   max {max:>6.2} ms");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let entries: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let samples: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let pending = 300usize;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let t = Instant::now();
    let o = store
        .new_opening(NewOpening {
            opened_at: chrono::Local::now().naive_local(),
            members: vec!["A".into()],
            seal_removed: "1".into(),
            seal_applied: "2".into(),
            letters_found: (entries + pending) as u32,
            notes: String::new(),
        })
        .expect("opening");
    let img = image::GrayImage::from_pixel(1240, 1754, image::Luma([255u8]));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let file = store.add_file(o, "stack.png", &png).expect("file").id();
    let total = entries + pending;
    let records: Vec<_> = (0..total)
        .map(|i| {
            let mut r = ishenim_draft::eval::page_from_text(&format!("p{i}"), LETTER);
            r.page = i as u32 + 1;
            r
        })
        .collect();
    let page_ids = store.save_pages(file, &records).expect("pages");
    let models = Models::embedded();
    let template = draft_letters(&records[..1], &models)[0].clone();
    let drafts: Vec<NewDraft> = page_ids
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut data = template.clone();
            data.pages = vec![format!("p{i}")];
            NewDraft {
                page_ids: vec![*p],
                data,
            }
        })
        .collect();
    let saved = store
        .save_drafts(DraftScope::File(file), &drafts)
        .expect("drafts");
    let items: Vec<_> = saved[..entries]
        .iter()
        .map(|o| {
            let d = store.get_draft(o.id()).expect("draft");
            (d.id, ApprovedFields::from_draft(&d))
        })
        .collect();
    for chunk in items.chunks(1000) {
        store.approve_drafts(chunk, "bench").expect("approve");
    }
    store
        .add_user("rev", "bench-password-1", Role::Reviewer, "ky")
        .expect("user");
    println!(
        "store: {} entries, {} pending drafts, built in {:.1} s",
        store.journal_count().expect("count"),
        pending,
        t.elapsed().as_secs_f64()
    );

    let state = ishenim_web::app(
        store.clone(),
        ishenim_web::Config {
            scan_jobs: 1,
            ..ishenim_web::Config::default()
        },
        models,
    );
    let router = ishenim_web::router(state);
    let (_, _, set) = call(
        &router,
        Request::get("/login").body(Body::empty()).expect("req"),
    )
    .await;
    let pre = cookie(&set, "ishenim_pre");
    let form = format!("login=rev&password=bench-password-1&pre={pre}");
    let (st, _, set) = call(
        &router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("ishenim_pre={pre}"))
            .body(Body::from(form))
            .expect("req"),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "login");
    let sid = cookie(&set, "ishenim_sid");
    let get = |path: String, fragment: bool| {
        let mut b = Request::get(path).header(header::COOKIE, format!("ishenim_sid={sid}"));
        if fragment {
            b = b.header("x-fragment", "1");
        }
        b.body(Body::empty()).expect("req")
    };
    let (_, page, _) = call(&router, get("/queue".into(), false)).await;
    let csrf = page
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let pending_ids: Vec<i64> = saved[entries..].iter().map(|o| o.id().0).collect();

    // Warm-up (template compile, page cache).
    for id in pending_ids.iter().take(10) {
        call(&router, get(format!("/queue/{id}"), false)).await;
    }
    let mut full = Vec::new();
    let mut frag = Vec::new();
    let mut first = Vec::new();
    let mut journal = Vec::new();
    for i in 0..samples {
        let id = pending_ids[i % pending_ids.len()];
        let t = Instant::now();
        let (st, _, _) = call(&router, get(format!("/queue/{id}"), false)).await;
        full.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(st, StatusCode::OK);
        let t = Instant::now();
        call(&router, get(format!("/queue/{id}"), true)).await;
        frag.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        call(&router, get("/queue".into(), false)).await;
        first.push(t.elapsed().as_secs_f64() * 1e3);
        if i < 30 {
            let t = Instant::now();
            call(&router, get("/journal".into(), false)).await;
            journal.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let mut approve = Vec::new();
    for id in pending_ids.iter().take(samples.min(pending - 10)) {
        let body = format!("csrf={csrf}&applicant_name=A&brief=b&category=land&official=");
        let req = Request::post(format!("/queue/{id}/approve"))
            .header(header::COOKIE, format!("ishenim_sid={sid}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-fragment", "1")
            .body(Body::from(body))
            .expect("req");
        let t = Instant::now();
        let (st, _, _) = call(&router, req).await;
        approve.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(st, StatusCode::OK, "approve");
    }
    println!(
        "server time through the router ({} entries in the journal):",
        entries
    );
    report("GET /queue/{id} (full page)", full);
    report("GET /queue/{id} (fragment, no reload)", frag);
    report("GET /queue (next letter)", first);
    report("GET /journal (first 100 rows)", journal);
    report("POST /queue/{id}/approve (serial)", approve);
}
