//! The scan's live status on an opening's page in a real browser (issue 18): the real
//! `ishenim serve` with the real `scanimage` and SANE's `test` backend made slow (its own
//! `SANE_CONFIG_DIR`, given to the server only), driven by Debian's headless Chromium. A
//! clerk starts a scan; the page's script updates the page count and the Kyrgyz message
//! by itself (no reload) until «Сканерлөө бүттү.»; a second scan is stopped with the
//! page's Cancel form (CSRF token included) and the page says the scan was stopped.

use crate::browser::{add_user, find, log_in, Browser, Server};
use crate::{ok, run_in, NewOpening};
use fantoccini::Client;
use std::path::Path;
use std::time::{Duration, Instant};

const PASS: &str = "scan-live-pass";

/// A SANE folder whose `test` device feeds ten grid pages, each read in 4 KB pieces
/// 100 ms apart (about half a second a page).
pub(crate) fn slow_sane(dir: &Path) -> std::path::PathBuf {
    let d = dir.join("sane");
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(d.join("dll.conf"), "test\n").expect("dll.conf");
    std::fs::write(
        d.join("test.conf"),
        "number_of_devices 1\ntest-picture \"Grid\"\nread-limit true\nread-limit-size 4096\n\
         read-delay true\nread-delay-duration 100000\n",
    )
    .expect("test.conf");
    d
}

/// What the scanner card shows now: (page marker still set, pages scanned, message).
async fn status(c: &Client) -> (bool, u64, String) {
    let v = c
        .execute(
            "return [document.body.dataset.mark === 'same',
                     document.getElementById('scan-pages').textContent,
                     document.getElementById('scan-message').textContent];",
            vec![],
        )
        .await
        .expect("status");
    let same = v[0].as_bool().unwrap_or(false);
    let pages = v[1]
        .as_str()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    (same, pages, v[2].as_str().unwrap_or("").to_string())
}

/// Waits (20 s at most) until the scanner card's message contains `text`.
async fn wait_message(c: &Client, text: &str) -> (bool, u64, String) {
    let t = Instant::now();
    loop {
        let s = status(c).await;
        if s.2.contains(text) {
            return s;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "no «{text}»: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks Scan and waits for the page the form leads back to, with the scan running;
/// marks that page so a reload shows.
/// True while the page shows its Cancel form (a scan is running).
async fn cancel_shown(c: &Client) -> bool {
    find(c, "#scan-cancel-form")
        .await
        .is_displayed()
        .await
        .expect("shown?")
}

async fn start_scan(c: &Client) {
    find(c, "#scan-button").await.click().await.expect("scan");
    find(c, "#scan-live[data-running='1']").await;
    c.execute("document.body.dataset.mark = 'same';", vec![])
        .await
        .expect("mark");
}

/// A register in `dir` with one opening, the SANE test scanner at 100 dpi as the council's
/// scanner and a clerk `clerk1` with password `pass`: the start of every browser scan test. Returns the opening id.
pub(crate) fn scanner_opening(dir: &Path, data: &Path, pass: &str) -> String {
    let opening = NewOpening {
        members: "Асанов",
        seal_removed: "1",
        seal_applied: "2",
        letters: "1",
        at: None,
    };
    let id = ok(&run_in(dir, data, &opening.args())).trim().to_string();
    for (k, v) in [("scanner_device", "test:0"), ("scanner_resolution", "100")] {
        ok(&run_in(dir, data, &["settings", "set", k, v]));
    }
    add_user(&dir.join("data"), "clerk1", "clerk", pass);
    id
}

#[test]
fn the_scan_status_updates_by_itself_and_the_cancel_form_stops_the_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let data = Path::new("data");
    let id = scanner_opening(dir, data, PASS);
    let sane = slow_sane(dir);
    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let server = Server::start_with_env(
        dir,
        data,
        &["--jobs", "1"],
        &[("SANE_CONFIG_DIR", &sane)],
        log,
    );
    let browser = Browser::start();
    let c = &browser.client;
    let base = server.base();

    browser.block_on(async {
        log_in(c, &base, "clerk1", PASS).await;
        c.goto(&format!("{base}/openings/{id}"))
            .await
            .expect("opening");
        start_scan(c).await;

        // While it runs, the page's own polling moves the count on (the marker shows that
        // the page was not reloaded) with the Kyrgyz running message.
        let (_, first, _) = status(c).await;
        let t = Instant::now();
        let moved = loop {
            let s = status(c).await;
            if s.0 && s.1 > first && s.2.contains("Сканерленип жатат") {
                break s;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "no update: {s:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(moved.1 < 10, "seen while feeding: {moved:?}");
        let done = wait_message(c, "Сканерлөө бүттү.").await;
        assert_eq!(done.1, 10, "the whole feeder: {done:?}");
        assert!(!cancel_shown(c).await, "no Cancel once finished");

        // A second scan, stopped from the page after its first page.
        start_scan(c).await;
        let t = Instant::now();
        while status(c).await.1 < 1 {
            assert!(t.elapsed() < Duration::from_secs(20), "no page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let token = find(c, "#scan-cancel-form input[name=csrf]")
            .await
            .attr("value")
            .await
            .expect("csrf");
        assert!(
            token.is_some_and(|t| !t.is_empty()),
            "the form carries its token"
        );
        find(c, "#scan-cancel").await.click().await.expect("cancel");
        let stopped = wait_message(c, "Сканерлөө токтотулду").await;
        assert!((1..10).contains(&stopped.1), "stopped early: {stopped:?}");
        assert!(!cancel_shown(c).await, "no Cancel once stopped");
    });
    browser.close();
}
