//! A scan whose server is killed (issue 18, item 2): the real `ishenim serve` scans
//! through the real `scanimage` and SANE's `test` backend (slowed, its own
//! `SANE_CONFIG_DIR`); the moment the first whole page lies in the opening's work folder,
//! before the server's next look could take it, the server gets SIGKILL. scanimage then
//! stops (the kernel's SIGTERM when its parent dies), leaving the whole page and perhaps a
//! half one. The server is started again on the same register: the opening's page says in
//! Kyrgyz that the scan was interrupted and how many pages are not stored, a clerk presses
//! the button in headless Chromium, and the pages are in the opening — each content once —
//! read by the worker, the work folder empty, the notice gone, the action audited.
//! Before that, in Russian, a page more appears in the work folder and the page's script
//! counts it in the notice without a reload.

use crate::browser::{find, log_in, switch_lang, Browser, Server};
use crate::scan_live::{scanner_opening, slow_sane};
use fantoccini::{Client, Locator};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const PASS: &str = "scan-killed-pass";

/// The Russian notice for `n` pages (the noun and participle agree with `n`).
fn notice_ru(n: usize) -> String {
    let (noun, verb) = match (n % 10, n % 100) {
        (1, r) if r != 11 => ("страница", "сохранена"),
        (2..=4, r) if !(12..=14).contains(&r) => ("страницы", "сохранены"),
        _ => ("страниц", "сохранены"),
    };
    format!("Сканирование прервано: {n} {noun} не {verb}.")
}

/// Puts one more whole page into the work folder the way scanimage does (written as
/// `*.part`, renamed when whole): a real letter, so the reader drafts it.
fn add_page(work: &Path, name: &str) -> String {
    let part = work.join(format!("{name}.part"));
    std::fs::copy(crate::root().join("samples/L003p1.png"), &part).expect("copy");
    std::fs::rename(&part, work.join(name)).expect("rename");
    sha256(&work.join(name))
}

/// Waits until the notice says `want` with the page's marker still set (no reload).
async fn notice_becomes(c: &Client, want: &str) {
    let t = Instant::now();
    loop {
        let text = find(c, "#scan-left-notice")
            .await
            .text()
            .await
            .expect("notice");
        let mark = c
            .execute("return document.body.dataset.mark || '';", vec![])
            .await
            .expect("mark");
        assert_eq!(mark.as_str(), Some("live"), "the page was reloaded");
        if text.trim() == want {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(15),
            "the notice stayed {text:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whole pages in the work folder (what scanimage renamed from `*.part`).
fn whole_pages(work: &Path) -> Vec<String> {
    let Ok(d) = std::fs::read_dir(work) else {
        return Vec::new();
    };
    d.flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect()
}

/// The SHA-256 the register keys files by (coreutils' `sha256sum`).
fn sha256(path: &Path) -> String {
    let o = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string()
}

/// The opening's register files: (SHA-256, status, name).
fn register(data: &Path, opening: &str) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let mut st = c
        .prepare(
            "SELECT sha256, status, original_name FROM files WHERE opening_id = ?1 ORDER BY id",
        )
        .expect("prepare");
    st.query_map([opening], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

fn audited(data: &Path, action: &str) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let mut st = c
        .prepare("SELECT user, object FROM audit WHERE action = ?1")
        .expect("prepare");
    st.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

/// Processes whose command line names `needle` (a scanimage still writing there).
fn processes_naming(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| String::from_utf8_lossy(c).contains(needle))
        .count()
}

/// Opens the opening's page (signing in again only if the session did not survive).
async fn open_opening(c: &Client, base: &str, id: &str) {
    c.goto(&format!("{base}/openings/{id}"))
        .await
        .expect("opening");
    if c.find(Locator::Css("input[name=password]")).await.is_ok() {
        log_in(c, base, "clerk1", PASS).await;
        c.goto(&format!("{base}/openings/{id}"))
            .await
            .expect("opening");
    }
    find(c, "#progress").await;
}

/// Starts a scan from the page and kills the server (SIGKILL) as soon as a whole page
/// is in the work folder; returns once scanimage is gone too. Whether the page is still
/// there depends on the server not having looked in the instant between the two, so the
/// caller checks.
fn scan_and_kill(server: Server, browser: &Browser, base: &str, id: &str, work: &Path) {
    browser.block_on(async {
        let c = &browser.client;
        open_opening(c, base, id).await;
        find(c, "#scan-button").await.click().await.expect("scan");
    });
    let t = Instant::now();
    while whole_pages(work).is_empty() {
        assert!(t.elapsed() < Duration::from_secs(30), "no page scanned");
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(server); // SIGKILL, then reaped
    let t = Instant::now();
    while processes_naming(&work.display().to_string()) > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "scanimage outlived its server"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_scan_killed_with_its_server_is_announced_and_its_pages_stored_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let data = Path::new("data");
    let id = scanner_opening(dir, data, PASS);
    let sane = slow_sane(dir);
    let work = dir.join("data").join("scanner").join(&id);
    let start = |n: usize| {
        let log = std::fs::File::create(dir.join(format!("serve-{n}.log"))).expect("log");
        Server::start_with_env(
            dir,
            data,
            &["--jobs", "1"],
            &[("SANE_CONFIG_DIR", &sane)],
            log,
        )
    };
    let browser = Browser::start();
    let first = start(0);
    let base = first.base();
    browser.block_on(log_in(&browser.client, &base, "clerk1", PASS));
    scan_and_kill(first, &browser, &base, &id, &work);
    // The server looks every 0.5 s; should it have taken the page in the instant before
    // the kill, a new scan (which stores such pages first) is killed again.
    let mut tries = 1;
    while whole_pages(&work).is_empty() {
        assert!(tries < 5, "the server took the page before each kill");
        let s = start(tries);
        let b = s.base();
        scan_and_kill(s, &browser, &b, &id, &work);
        tries += 1;
    }
    let left = whole_pages(&work);
    let parts = std::fs::read_dir(&work)
        .expect("work")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .count();
    eprintln!(
        "killed after {tries} scan(s): {} whole page(s), {parts} half page(s) left",
        left.len()
    );
    let mut contents: BTreeSet<String> = left.iter().map(|n| sha256(&work.join(n))).collect();
    let before = register(&dir.join("data"), &id);

    let server = start(9);
    let base = server.base();
    let notice = format!("Сканерлөө үзүлгөн: {} барак сакталган жок.", left.len());
    browser.block_on(async {
        let c = &browser.client;
        open_opening(c, &base, &id).await;
        let text = find(c, "#scan-left-notice")
            .await
            .text()
            .await
            .expect("notice");
        assert_eq!(text.trim(), notice);
        let token = find(c, "#scan-left form input[name=csrf]")
            .await
            .attr("value")
            .await
            .expect("csrf");
        assert!(token.is_some_and(|t| !t.is_empty()), "the form's token");
        // In Russian, and live: a page more in the work folder is counted without a reload.
        switch_lang(c).await;
        find(c, "#progress").await;
        let text = find(c, "#scan-left-notice")
            .await
            .text()
            .await
            .expect("notice");
        assert_eq!(text.trim(), notice_ru(left.len()));
        c.execute("document.body.dataset.mark = 'live'; return 1;", vec![])
            .await
            .expect("mark");
        contents.insert(add_page(&work, "zz-extra-p0001.png"));
        notice_becomes(c, &notice_ru(left.len() + 1)).await;
        find(c, "#scan-left-store")
            .await
            .click()
            .await
            .expect("store");
        find(c, "#progress").await;
        assert!(
            c.find(Locator::Css("#scan-left")).await.is_err(),
            "the notice is gone"
        );
    });
    assert!(
        std::fs::read_dir(&work).expect("work").next().is_none(),
        "no page nor half page left in the work folder"
    );
    // Every page's content is in the register once, read by the worker.
    let t = Instant::now();
    let after = loop {
        let r = register(&dir.join("data"), &id);
        if r.iter().all(|(_, st, _)| st != "stored") {
            break r;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "not read: {r:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let shas: Vec<&String> = after.iter().map(|(s, _, _)| s).collect();
    let distinct: BTreeSet<&String> = shas.iter().copied().collect();
    assert_eq!(distinct.len(), shas.len(), "no content twice: {after:?}");
    assert!(contents.iter().all(|c| distinct.contains(c)), "pages kept");
    let old: BTreeSet<&String> = before.iter().map(|(s, _, _)| s).collect();
    assert_eq!(
        after.len(),
        old.union(&contents.iter().collect()).count(),
        "exactly the pages before and the pages left: {after:?}"
    );
    let rows = audited(&dir.join("data"), "scan_left");
    assert_eq!(
        rows,
        vec![(
            "clerk1".to_string(),
            format!("opening {id}: {} pages stored, 0 failed", left.len() + 1)
        )]
    );
    // The opening's page lists its files and no longer tells of pages left.
    browser.block_on(async {
        let c = &browser.client;
        open_opening(c, &base, &id).await;
        let src = c.source().await.expect("source");
        for (_, _, name) in &after {
            assert!(src.contains(name.as_str()), "{name} listed");
        }
        assert!(!src.contains("Сканерлөө үзүлгөн") && !src.contains("Сканирование прервано"));
    });
    drop(server);
    browser.close();
}
