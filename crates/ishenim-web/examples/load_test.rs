//! Load test of the real `ishenim serve` over real HTTP, with an ingest running at the same
//! time. A benchmark that prints figures, not a test that passes or fails on time.
//!
//! ```text
//! cargo build --release -p ishenim-cli
//! cargo run --release -p ishenim-web --example load_test -- [--users 20] [--seconds 300]
//!     [--entries 3000] [--pending 1000] [--think-ms 1000] [--bin target/release/ishenim]
//!     [--data DIR (kept)]
//! ```
//!
//! 1. Builds a data folder through the store's API (fast, no OCR): ENTRIES registered
//!    appeals and PENDING drafts made from varied Kyrgyz and Russian letters, one opening,
//!    and one account per simulated user (half reviewers, a quarter commission, a quarter
//!    clerks) plus one clerk who uploads.
//! 2. Starts the real binary as a child process: `ishenim --data DIR serve --listen
//!    127.0.0.1:PORT` with `OMP_THREAD_LIMIT=1`, and waits for the port.
//! 3. Every user logs in with its own account (`GET /login`, `POST /login`), then loops for
//!    SECONDS with a think time of THINK-MS ± 50 % between clicks, each click on its own
//!    keep-alive connection like a browser tab:
//!    - reviewers: a journal page, an entry and its page image, a search, the queue, then
//!      one of their own pending letters (page, thumbnail and the large image) and its
//!      approval (`POST /queue/{id}/approve`, the script's JSON answer);
//!    - commission: a journal page (sometimes filtered), an entry, a search;
//!    - clerks: the openings list, the newest opening, its progress.
//! 4. At the same time the uploading clerk records openings and uploads the `samples/`
//!    files through the real upload route (every round the files get a few unique bytes, so
//!    each is really stored and read by Tesseract), polls the progress until the round is
//!    drafted, and starts the next round, until the time is up.
//! 5. Stops the server with SIGTERM and runs `ishenim journal verify --full`; checks that every
//!    approval answered 200 is in the journal.
//!
//! Prints per-route and overall p50/p95/p99/max latency and errors (an error is a transport
//! failure or an unexpected status), and a Markdown table for `docs/benchmarks.md`.

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use ishenim_draft::{draft_letters, Models};
use ishenim_store::{ApprovedFields, DraftScope, NewDraft, NewOpening, Role, Store};
use rand::Rng;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "load-test-password-1";

/// Command-line settings.
#[derive(Debug, Clone)]
struct Opts {
    users: usize,
    seconds: u64,
    entries: usize,
    pending: usize,
    think_ms: u64,
    bin: PathBuf,
    data: Option<PathBuf>,
}

fn parse_opts() -> Opts {
    let default_bin = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("ishenim")))
        .unwrap_or_else(|| PathBuf::from("target/release/ishenim"));
    let mut o = Opts {
        users: 20,
        seconds: 300,
        entries: 3000,
        pending: 1000,
        think_ms: 1000,
        bin: default_bin,
        data: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        let num = |s: &str| -> u64 {
            s.parse()
                .unwrap_or_else(|_| panic!("{} needs a number, not {s:?}", args[i]))
        };
        match args[i].as_str() {
            "--users" => o.users = num(&v) as usize,
            "--seconds" => o.seconds = num(&v),
            "--entries" => o.entries = num(&v) as usize,
            "--pending" => o.pending = num(&v) as usize,
            "--think-ms" => o.think_ms = num(&v),
            "--bin" => o.bin = PathBuf::from(v),
            "--data" => o.data = Some(PathBuf::from(v)),
            other => panic!("unknown flag {other}; see the header of examples/load_test.rs"),
        }
        i += 2;
    }
    o
}

// ---------------------------------------------------------------------------------------
// The data folder.

const VILLAGES: &[&str] = &[
    "Манас",
    "Ак-Жол",
    "Кара-Суу",
    "Бостери",
    "Таш-Булак",
    "Жаңы-Жер",
];
const NAMES: &[&str] = &[
    "Асанова Гүлнара Бекматовна",
    "Токтогулов Бакыт Асанович",
    "Осмонова Айгүл",
    "Мамытов Үсөн Сагынбекович",
    "Жумабек кызы Сезим",
    "Төлөнбай уулу Нурлан",
    "Иванова Мария Петровна",
];
/// (language, topic sentences)
const TOPICS: &[(&str, &str)] = &[
    ("ky", "Айыл өкмөтүнүн кызматкери жер үлүшүн каттоо үчүн менден акча талап кылды. Жер тилкесинин документтерин бир айдан бери бербей жатат."),
    ("ky", "Биздин көчөдө бир айдан бери ичүүчү суу жок. Суу түтүгүн оңдоону суранам."),
    ("ky", "Мектепке баруучу жол бузулуп калды, балдар кыйналып жатат. Жолду оңдоону суранам."),
    ("ky", "Мектептин директору бүтүрүүчүлөрдөн аттестат үчүн акча чогултуп жатат. Бул маселени текшерүүнү суранам."),
    ("ky", "ФАПта дары-дармек жок, медайым көп учурда жумушта болбойт."),
    ("ky", "Паспорт столунун кызматкери туулгандыгы тууралуу күбөлүк берүү үчүн пара сурады."),
    ("ky", "Көчөдө түнкүсүн жарык күйбөйт, балдар мектептен караңгыда кайтышат. Жарыкты орнотууну суранам."),
    ("ky", "Көп балалуу үй-бүлөгө жөлөкпул бир жылдан бери төлөнбөй жатат."),
    ("ru", "Прошу проверить распределение угля для малоимущих семей в нашем селе. Уголь получили не все."),
    ("ru", "Медсестра прямо говорит, что без оплаты очередь будет долгой. Прошу принять меры."),
];

fn letter(v: usize) -> String {
    let village = VILLAGES[v % VILLAGES.len()];
    let name = NAMES[(v / VILLAGES.len()) % NAMES.len()];
    let (lang, topic) = TOPICS[(v / (VILLAGES.len() * NAMES.len())) % TOPICS.len()];
    let phone = format!("0555 {:03} {:03}", v % 1000, (v * 7) % 1000);
    if lang == "ru" {
        format!("Главе айыл окмоту {village}\nот жителя села {village} {name}\n{village}, ул. Ленина, {n}\nтел.: {phone}\n\nЗАЯВЛЕНИЕ\n\n{topic}\n\n02.10.2024 г.\nПодпись: {name}", n = v % 90 + 1)
    } else {
        format!("{village} айыл өкмөтүнүн башчысына\n{village} айылынын тургуну {name}дан\n{village} айылы, Ленин көчөсү, {n}-үй\nтел.: {phone}\n\nАРЫЗ\n\n{topic}\n\n02.10.2024-ж.\nКолу: {name}", n = v % 90 + 1)
    }
}

/// Logins of the simulated users and their roles.
fn accounts(users: usize) -> Vec<(String, Role)> {
    (0..users)
        .map(|i| {
            let role = match i % 4 {
                0 | 2 => Role::Reviewer,
                1 => Role::Commission,
                _ => Role::Clerk,
            };
            (format!("{}{i:02}", role.as_str()), role)
        })
        .collect()
}

/// Builds the register: entries, pending drafts (ids returned, oldest first), users.
fn build_store(dir: &Path, o: &Opts) -> Vec<i64> {
    let t = Instant::now();
    let store = Store::open(dir).expect("store");
    let total = o.entries + o.pending;
    let opening = store
        .new_opening(NewOpening {
            opened_at: chrono::Local::now().naive_local() - chrono::Duration::days(1),
            members: vec!["Асанов Б.".into(), "Осмонова Г.".into()],
            seal_removed: "1041".into(),
            seal_applied: "1042".into(),
            letters_found: total as u32,
            notes: String::new(),
        })
        .expect("opening");
    // One scan per letter, like a box of single-page letters: an A4 page at 300 dpi with
    // lines of "text", so the page images the users open are real decoding work. Every
    // file gets a few unique bytes after the image's end, so each is stored on its own.
    let img = image::GrayImage::from_fn(2480, 3508, |x, y| {
        let ink = (y / 60) % 3 == 0 && (x / 24 + y / 60) % 7 != 0 && x > 200 && x < 2280;
        image::Luma([if ink { 40 } else { 235 }])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let records: Vec<_> = (0..total)
        .map(|i| ishenim_draft::eval::page_from_text(&format!("p{i}"), &letter(i)))
        .collect();
    let mut page_ids = Vec::with_capacity(total);
    for (i, rec) in records.iter().enumerate() {
        let mut bytes = png.clone();
        bytes.extend_from_slice(format!("\nload-test letter {i}\n").as_bytes());
        let file = store
            .add_file(opening, &format!("p{i:05}.png"), &bytes)
            .expect("file")
            .id();
        page_ids.extend(
            store
                .save_pages(file, std::slice::from_ref(rec))
                .expect("page"),
        );
    }
    println!(
        "data: {total} scans of {} KiB stored in {:.1} s",
        png.len() >> 10,
        t.elapsed().as_secs_f64()
    );
    let variants = VILLAGES.len() * NAMES.len() * TOPICS.len();
    let models = Models::embedded();
    let mut cache: HashMap<usize, ishenim_store::LetterDraft> = HashMap::new();
    let drafts: Vec<NewDraft> = page_ids
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v = i % variants;
            let mut data = cache
                .entry(v)
                .or_insert_with(|| draft_letters(&records[i..=i], &models)[0].clone())
                .clone();
            data.pages = vec![format!("p{i}")];
            NewDraft {
                page_ids: vec![*p],
                data,
            }
        })
        .collect();
    let saved = store
        .save_drafts(DraftScope::Opening(opening), &drafts)
        .expect("drafts");
    let items: Vec<_> = saved[..o.entries]
        .iter()
        .map(|s| {
            let d = store.get_draft(s.id()).expect("draft");
            let mut f = ApprovedFields::from_draft(&d);
            if f.brief.is_empty() {
                f.brief = "Кайрылуу".into();
            }
            (d.id, f)
        })
        .collect();
    for chunk in items.chunks(1000) {
        for r in store.approve_drafts(chunk, "setup").expect("approve") {
            r.expect("approved");
        }
    }
    for (login, role) in accounts(o.users) {
        store.add_user(&login, PASSWORD, role, "ky").expect("user");
    }
    store
        .add_user("uploader", PASSWORD, Role::Clerk, "ky")
        .expect("user");
    println!(
        "data: {} entries, {} pending drafts, {} users, built in {:.1} s",
        store.journal_count().expect("count"),
        o.pending,
        o.users + 1,
        t.elapsed().as_secs_f64()
    );
    saved[o.entries..].iter().map(|s| s.id().0).collect()
}

// ---------------------------------------------------------------------------------------
// The server.

/// The server child; SIGKILLed if still running when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn start_server(bin: &Path, data: &Path, port: u16) -> Server {
    assert!(
        bin.exists(),
        "{} not found: run `cargo build --release -p ishenim-cli` first (or pass --bin)",
        bin.display()
    );
    let log = std::fs::File::create(data.join("serve.log")).expect("log");
    let child = Command::new(bin)
        .args(["--data"])
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn ishenim serve");
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server(child)
}

fn peak_rss_mib(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

// ---------------------------------------------------------------------------------------
// A browser-like HTTP/1.1 client: one keep-alive connection, one session cookie.

type Body = Full<Bytes>;

struct Resp {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: Bytes,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Default)]
struct Stats {
    /// route → latencies (ms) of successful requests
    ok: BTreeMap<String, Vec<f64>>,
    /// route → errors
    errors: BTreeMap<String, usize>,
    /// A few error descriptions.
    samples: Vec<String>,
}

type Shared = Arc<Mutex<Stats>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Stats> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

struct Client {
    addr: SocketAddr,
    conn: Option<SendRequest<Body>>,
    sid: Option<String>,
    csrf: String,
    stats: Shared,
}

impl Client {
    fn new(addr: SocketAddr, stats: Shared) -> Client {
        Client {
            addr,
            conn: None,
            sid: None,
            csrf: String::new(),
            stats,
        }
    }

    async fn connection(&mut self) -> Result<&mut SendRequest<Body>, String> {
        let alive = match self.conn.as_mut() {
            Some(c) => c.ready().await.is_ok(),
            None => false,
        };
        if !alive {
            let stream = tokio::net::TcpStream::connect(self.addr)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake: {e}"))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.conn = Some(sender);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| "no connection".to_string())
    }

    async fn raw(&mut self, req: Request<Body>) -> Result<Resp, String> {
        let conn = self.connection().await?;
        let r = match conn.send_request(req).await {
            Ok(r) => r,
            Err(e) => {
                self.conn = None;
                return Err(format!("send: {e}"));
            }
        };
        let status = r.status();
        let location = r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let cookies = r
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let body = r
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e}"))?
            .to_bytes();
        Ok(Resp {
            status,
            location,
            cookies,
            body,
        })
    }

    fn builder(&self, method: &str, path: &str) -> hyper::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.addr.to_string());
        if let Some(s) = &self.sid {
            b = b.header(header::COOKIE, format!("ishenim_sid={s}"));
        }
        b
    }

    /// Sends, times and records a request under `route`; `want` is the expected status.
    async fn timed(&mut self, route: &str, req: Request<Body>, want: StatusCode) -> Option<Resp> {
        let t = Instant::now();
        let r = self.raw(req).await;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let mut st = lock(&self.stats);
        match r {
            Ok(r) if r.status == want => {
                st.ok.entry(route.to_string()).or_default().push(ms);
                Some(r)
            }
            Ok(r) => {
                *st.errors.entry(route.to_string()).or_default() += 1;
                if st.samples.len() < 20 {
                    st.samples
                        .push(format!("{route}: {} (wanted {want})", r.status));
                }
                None
            }
            Err(e) => {
                *st.errors.entry(route.to_string()).or_default() += 1;
                if st.samples.len() < 20 {
                    st.samples.push(format!("{route}: {e}"));
                }
                None
            }
        }
    }

    async fn get(&mut self, route: &str, path: &str) -> Option<Resp> {
        let req = self
            .builder("GET", path)
            .body(Body::default())
            .expect("request");
        self.timed(route, req, StatusCode::OK).await
    }

    async fn post_form(
        &mut self,
        route: &str,
        path: &str,
        form: &[(&str, &str)],
        fragment: bool,
        want: StatusCode,
    ) -> Option<Resp> {
        let mut pairs = form.to_vec();
        pairs.push(("csrf", &self.csrf));
        let body = serde_urlencoded::to_string(pairs).expect("form");
        let mut b = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if fragment {
            b = b.header("x-fragment", "1");
        }
        let req = b.body(Body::from(body)).expect("request");
        self.timed(route, req, want).await
    }

    async fn login(&mut self, login: &str) -> bool {
        let Some(page) = self.get("GET /login", "/login").await else {
            return false;
        };
        let Some(pre) = cookie(&page.cookies, "ishenim_pre") else {
            return false;
        };
        let form = serde_urlencoded::to_string([
            ("login", login),
            ("password", PASSWORD),
            ("pre", pre.as_str()),
        ])
        .expect("form");
        let req = self
            .builder("POST", "/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("ishenim_pre={pre}"))
            .body(Body::from(form))
            .expect("request");
        let Some(r) = self.timed("POST /login", req, StatusCode::SEE_OTHER).await else {
            return false;
        };
        self.sid = cookie(&r.cookies, "ishenim_sid");
        let Some(start) = r.location else {
            return false;
        };
        let Some(page) = self.get("GET / (start page after login)", &start).await else {
            return false;
        };
        match csrf_of(&page.text()) {
            Some(t) => {
                self.csrf = t;
                true
            }
            None => false,
        }
    }
}

fn cookie(set: &[String], name: &str) -> Option<String> {
    set.iter().find_map(|c| {
        let (k, v) = c.split(';').next()?.split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

fn csrf_of(html: &str) -> Option<String> {
    html.split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_string)
}

// ---------------------------------------------------------------------------------------
// The simulated users.

/// What the users share: the pending drafts each reviewer may approve, acknowledged
/// approvals, the newest opening, the end time.
struct World {
    end: Instant,
    think_ms: u64,
    entries: usize,
    queues: Mutex<HashMap<String, Vec<i64>>>,
    approved: Mutex<Vec<(i64, String)>>,
    newest_opening: Mutex<i64>,
}

const SEARCHES: &[&str] = &[
    "суу",
    "паранын",
    "жер үлүшү",
    "мектептин директору",
    "жолдор",
    "уголь",
    "медсестра",
    "жарык",
    "жөлөкпул",
    "күбөлүк",
];

async fn think(w: &World) {
    if w.think_ms == 0 {
        tokio::task::yield_now().await;
        return;
    }
    let ms = rand::rng().random_range(w.think_ms / 2..=w.think_ms * 3 / 2);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn serial_of(i: usize) -> String {
    format!("{}-{:04}", chrono::Local::now().format("%Y"), i)
}

async fn browse_journal(c: &mut Client, w: &World, filtered: bool) {
    let pages = w.entries.div_ceil(100).max(1);
    let page = rand::rng().random_range(1..=pages);
    if filtered {
        c.get("GET /journal?flag=1 (filtered)", "/journal?flag=1")
            .await;
    } else {
        c.get("GET /journal?page=N", &format!("/journal?page={page}"))
            .await;
    }
    think(w).await;
    let n = rand::rng().random_range(1..=w.entries.max(1));
    if let Some(r) = c
        .get(
            "GET /journal/{serial}",
            &format!("/journal/{}", serial_of(n)),
        )
        .await
    {
        let html = r.text();
        if let Some(img) = image_url(&html, "?w=900") {
            c.get("GET /pages/{id}/image?w=900", &img).await;
        }
    }
    think(w).await;
    let q = SEARCHES[rand::rng().random_range(0..SEARCHES.len())];
    let qs = serde_urlencoded::to_string([("q", q)]).expect("query");
    c.get("GET /search?q=…", &format!("/search?{qs}")).await;
    think(w).await;
}

fn image_url(html: &str, width: &str) -> Option<String> {
    let at = html.find(width)?;
    let start = html[..at].rfind("/pages/")?;
    Some(html[start..at + width.len()].to_string())
}

async fn reviewer(mut c: Client, login: String, w: Arc<World>) {
    while Instant::now() < w.end {
        browse_journal(&mut c, &w, false).await;
        c.get("GET /queue", "/queue").await;
        think(&w).await;
        let next = lock_q(&w).get_mut(&login).and_then(|q| q.pop());
        let Some(id) = next else {
            continue;
        };
        if let Some(r) = c.get("GET /queue/{id}", &format!("/queue/{id}")).await {
            let html = r.text();
            for width in ["?w=240", "?w=1500"] {
                if let Some(img) = image_url(&html, width) {
                    c.get(&format!("GET /pages/{{id}}/image{width}"), &img)
                        .await;
                }
            }
        }
        think(&w).await;
        let form = [
            ("applicant_name", "Асанова Гүлнара"),
            ("address", "Манас айылы"),
            ("phone", "+996555123456"),
            ("brief", "Жер үлүшү"),
            ("category", "land"),
        ];
        let path = format!("/queue/{id}/approve");
        if let Some(r) = c
            .post_form(
                "POST /queue/{id}/approve",
                &path,
                &form,
                true,
                StatusCode::OK,
            )
            .await
        {
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            if let Some(s) = v["serial"].as_str() {
                w.approved
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((id, s.to_string()));
            }
        }
        think(&w).await;
    }
}

fn lock_q(w: &World) -> std::sync::MutexGuard<'_, HashMap<String, Vec<i64>>> {
    w.queues.lock().unwrap_or_else(|p| p.into_inner())
}

async fn commission(mut c: Client, w: Arc<World>) {
    let mut round = 0u32;
    while Instant::now() < w.end {
        round += 1;
        browse_journal(&mut c, &w, round.is_multiple_of(3)).await;
    }
}

async fn clerk(mut c: Client, w: Arc<World>) {
    while Instant::now() < w.end {
        c.get("GET /openings", "/openings").await;
        think(&w).await;
        let id = *w.newest_opening.lock().unwrap_or_else(|p| p.into_inner());
        c.get("GET /openings/{id}", &format!("/openings/{id}"))
            .await;
        think(&w).await;
        c.get(
            "GET /openings/{id}/progress",
            &format!("/openings/{id}/progress"),
        )
        .await;
        think(&w).await;
    }
}

/// Ingest figures.
#[derive(Debug, Default)]
struct Ingest {
    rounds: usize,
    files: usize,
    pages: u64,
    quarantined: u64,
    drafts: u64,
}

fn multipart(boundary: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

async fn uploader(mut c: Client, samples: Vec<(String, Vec<u8>)>, w: Arc<World>) -> Ingest {
    let mut ing = Ingest::default();
    while Instant::now() < w.end {
        ing.rounds += 1;
        let round = ing.rounds;
        let at = chrono::Local::now().format("%Y-%m-%dT%H:%M").to_string();
        let letters = samples.len().to_string();
        let form = [
            ("opened_at", at.as_str()),
            ("members", "Асанов Б., Осмонова Г."),
            ("letters_found", letters.as_str()),
            ("seal_removed", "2001"),
            ("seal_applied", "2002"),
        ];
        let Some(r) = c
            .post_form(
                "POST /openings",
                "/openings",
                &form,
                false,
                StatusCode::SEE_OTHER,
            )
            .await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let Some(id) = r
            .location
            .as_deref()
            .and_then(|l| l.rsplit('/').next())
            .and_then(|s| s.parse::<i64>().ok())
        else {
            continue;
        };
        *w.newest_opening.lock().unwrap_or_else(|p| p.into_inner()) = id;
        // Unique bytes after the image's end: every file is new and really read.
        let files: Vec<(String, Vec<u8>)> = samples
            .iter()
            .map(|(n, b)| {
                let mut b = b.clone();
                b.extend_from_slice(format!("\nload-test round {round}\n").as_bytes());
                (n.clone(), b)
            })
            .collect();
        let boundary = format!("ishenim-load-{round}-{}", rand::rng().random::<u64>());
        let body = multipart(&boundary, &files);
        let req = c
            .builder(
                "POST",
                &format!("/openings/{id}/upload?csrf={}", c.csrf.clone()),
            )
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("x-fragment", "1")
            .body(Body::from(body))
            .expect("request");
        if c.timed(
            "POST /openings/{id}/upload (16 files, 3.5 MB)",
            req,
            StatusCode::OK,
        )
        .await
        .is_none()
        {
            continue;
        }
        ing.files += files.len();
        // Poll like the opening page does, until every file is drafted or quarantined.
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let Some(r) = c
                .get(
                    "GET /openings/{id}/progress (upload page polling)",
                    &format!("/openings/{id}/progress"),
                )
                .await
            else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let n = |k: &str| v["counts"][k].as_u64().unwrap_or(0);
            let state = v["job"]["state"].as_str().unwrap_or("");
            let finished = n("files") > 0 && n("drafted") + n("quarantined") == n("files");
            let over = Instant::now() > w.end;
            if finished || state == "failed" || over {
                ing.pages += n("pages");
                ing.quarantined += n("quarantined");
                ing.drafts += v["job"]["drafts_new"].as_u64().unwrap_or(0);
                break;
            }
        }
    }
    ing
}

// ---------------------------------------------------------------------------------------
// Report.

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn report(stats: &Stats, seconds: f64) -> (String, f64) {
    let mut md = String::from(
        "| route | requests | errors | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    println!(
        "\n{:<52} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "route", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut all = Vec::new();
    let mut routes: Vec<&String> = stats.ok.keys().chain(stats.errors.keys()).collect();
    routes.sort();
    routes.dedup();
    let mut total_err = 0;
    for r in routes {
        let mut v = stats.ok.get(r).cloned().unwrap_or_default();
        v.sort_by(|a, b| a.total_cmp(b));
        let e = stats.errors.get(r).copied().unwrap_or(0);
        total_err += e;
        all.extend_from_slice(&v);
        let row = [
            pct(&v, 0.50),
            pct(&v, 0.95),
            pct(&v, 0.99),
            v.last().copied().unwrap_or(f64::NAN),
        ];
        println!(
            "{:<52} {:>7} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            r,
            v.len() + e,
            e,
            row[0],
            row[1],
            row[2],
            row[3]
        );
        md.push_str(&format!(
            "| `{r}` | {} | {e} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
            v.len() + e,
            row[0],
            row[1],
            row[2],
            row[3]
        ));
    }
    all.sort_by(|a, b| a.total_cmp(b));
    let p95 = pct(&all, 0.95);
    let row = [
        pct(&all, 0.50),
        p95,
        pct(&all, 0.99),
        all.last().copied().unwrap_or(0.0),
    ];
    println!(
        "{:<52} {:>7} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
        "ALL",
        all.len() + total_err,
        total_err,
        row[0],
        row[1],
        row[2],
        row[3]
    );
    md.push_str(&format!(
        "| **all** | {} | {total_err} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
        all.len() + total_err,
        row[0],
        row[1],
        row[2],
        row[3]
    ));
    println!(
        "throughput: {:.1} requests/s over {:.0} s",
        (all.len() + total_err) as f64 / seconds,
        seconds
    );
    (md, p95)
}

fn load_samples() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("samples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "png" | "jpg" | "tif" | "pdf"))
        })
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("x")
                .to_string();
            (name, std::fs::read(&p).expect("read sample"))
        })
        .collect();
    v.sort();
    v
}

#[tokio::main]
async fn main() {
    let o = parse_opts();
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = match &o.data {
        Some(d) => {
            assert!(!d.exists(), "{} exists; give a new folder", d.display());
            d.clone()
        }
        None => tmp.path().join("data"),
    };
    let pending = build_store(&data, &o);
    let accounts = accounts(o.users);
    let reviewers: Vec<&String> = accounts
        .iter()
        .filter(|(_, r)| *r == Role::Reviewer)
        .map(|(l, _)| l)
        .collect();
    // Each reviewer approves its own share of the pending letters (no two on one letter).
    let mut queues: HashMap<String, Vec<i64>> = HashMap::new();
    for (i, id) in pending.iter().rev().enumerate() {
        if !reviewers.is_empty() {
            queues
                .entry(reviewers[i % reviewers.len()].clone())
                .or_default()
                .push(*id);
        }
    }

    let port = free_port();
    let t = Instant::now();
    let server = start_server(&o.bin, &data, port);
    let pid = server.0.id();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    println!(
        "server: {} (pid {pid}) on {addr}, up in {:.1} s",
        o.bin.display(),
        t.elapsed().as_secs_f64()
    );
    let stats: Shared = Arc::default();

    // Log everyone in (argon2 per login, as in the morning), then warm the search index
    // (a live server keeps it in sync; the first search after a fresh build indexes all).
    let mut clients = Vec::new();
    for (login, role) in &accounts {
        let mut c = Client::new(addr, stats.clone());
        assert!(
            c.login(login).await,
            "login {login}: {:?}",
            lock(&stats).samples
        );
        clients.push((login.clone(), *role, c));
    }
    let mut up = Client::new(addr, stats.clone());
    assert!(up.login("uploader").await, "login uploader");
    let t = Instant::now();
    if let Some((_, _, c)) = clients.iter_mut().find(|(_, r, _)| *r == Role::Commission) {
        c.get("warm-up search", "/search?q=%D1%81%D1%83%D1%83")
            .await;
    }
    println!(
        "{} users logged in; search index warmed in {:.1} s",
        clients.len() + 1,
        t.elapsed().as_secs_f64()
    );
    {
        // Setup requests are not part of the figures.
        let mut s = lock(&stats);
        s.ok.retain(|k, _| k.contains("/login"));
    }

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let started = Instant::now();
    let world = Arc::new(World {
        end: started + Duration::from_secs(o.seconds),
        think_ms: o.think_ms,
        entries: o.entries,
        queues: Mutex::new(queues),
        approved: Mutex::new(Vec::new()),
        newest_opening: Mutex::new(1),
    });
    let ingest = tokio::spawn(uploader(up, load_samples(), world.clone()));
    let mut tasks = Vec::new();
    for (login, role, c) in clients {
        let w = world.clone();
        tasks.push(tokio::spawn(async move {
            match role {
                Role::Reviewer => reviewer(c, login, w).await,
                Role::Commission => commission(c, w).await,
                _ => clerk(c, w).await,
            }
        }));
    }
    for t in tasks {
        t.await.expect("user task");
    }
    let users_elapsed = started.elapsed().as_secs_f64();
    let ing = ingest.await.expect("ingest task");
    println!(
        "\n{} users for {:.0} s (think time {} ms ± 50 %), load average at start: {}",
        o.users,
        users_elapsed,
        o.think_ms,
        load.trim()
    );
    println!(
        "ingest during the run: {} rounds, {} files uploaded, {} pages read, {} drafts, {} quarantined ({:.0} s)",
        ing.rounds,
        ing.files,
        ing.pages,
        ing.drafts,
        ing.quarantined,
        started.elapsed().as_secs_f64()
    );
    let rss = peak_rss_mib(pid);
    let s = lock(&stats);
    let (md, p95) = report(&s, users_elapsed);
    for e in &s.samples {
        println!("error: {e}");
    }
    drop(s);

    // Stop gracefully, then check the register.
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let mut server = server;
    let t = Instant::now();
    while server.0.try_wait().ok().flatten().is_none() && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let approved = world
        .approved
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let store = Store::open(&data).expect("reopen");
    let count = store.journal_count().expect("count");
    let mut missing = 0;
    for (id, serial) in &approved {
        let d = store.get_draft(ishenim_store::DraftId(*id)).expect("draft");
        if d.serial.map(|s| s.to_string()).as_deref() != Some(serial.as_str()) {
            missing += 1;
        }
    }
    let verify = Command::new(&o.bin)
        .arg("--data")
        .arg(&data)
        .args(["journal", "verify", "--full"])
        .output()
        .expect("verify");
    let internal = std::fs::read_to_string(data.join("serve.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("internal error"))
        .count();
    println!(
        "approvals answered 200: {}; journal {} → {} entries; acknowledged but missing: {missing}",
        approved.len(),
        o.entries,
        count
    );
    println!(
        "journal verify --full: exit {:?}: {}",
        verify.status.code(),
        String::from_utf8_lossy(&verify.stdout)
            .trim()
            .replace('\n', "; ")
    );
    println!(
        "server: peak RSS {} MiB, {internal} internal errors in its log",
        rss.map(|r| format!("{r:.0}")).unwrap_or_else(|| "?".into())
    );
    println!(
        "\nMarkdown ({} users, {} s, think {} ms):\n\n{md}",
        o.users, o.seconds, o.think_ms
    );
    println!(
        "target: zero errors and p95 < 200 ms — p95 {p95:.1} ms{}",
        if p95 < 200.0 { " (met)" } else { " (NOT met)" }
    );
    if o.data.is_some() {
        println!("data kept in {}", data.display());
    }
}
