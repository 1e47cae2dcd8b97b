//! The web queue in a real browser: the real `ishenim serve` (real Tesseract, real SQLite)
//! driven by Debian's headless Chromium through chromedriver. A clerk uploads a batch and
//! watches it finish; a reviewer approves a letter with one keystroke and sees its serial;
//! the journal shows it; an amendment appears in its history; the print view renders with
//! the chain head; the server log holds no appeal text.
//!
//! With `ISHENIM_SCREENSHOTS=DIR` the main screens are saved there as PNG
//! (`make screenshots` keeps `docs/screenshots/` current).

use crate::browser::{add_user, find, log_in, shot, Browser, Server};
use crate::{ishenim, root, NewOpening};
use fantoccini::{Client, Locator};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

async fn text_of(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.expect("text")
}

/// The text of `css` once `ready` holds for it, or whatever it is after 20 s: right after a
/// form is submitted the old page (with an element of the same name) may still be showing.
async fn text_when(c: &Client, css: &str, ready: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ready(&text) || Instant::now() > deadline {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One real key press on whatever has the focus (the page itself here).
async fn press(c: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.expect("key press");
}

async fn log_out(c: &Client) {
    find(c, "form[action='/logout'] button")
        .await
        .click()
        .await
        .expect("logout");
    find(c, "input[name=login]").await;
}

#[test]
fn browser_upload_review_journal_amend_print() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let opening = NewOpening {
        members: "Асанов Б.,Осмонова Г.",
        seal_removed: "1041",
        seal_applied: "1042",
        letters: "3",
        at: None,
    };
    let out = ishenim(dir, &[&["--data", "data"], &opening.args()[..]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (login, role) in [
        ("clerk1", "clerk"),
        ("rev1", "reviewer"),
        ("com1", "commission"),
    ] {
        add_user(&dir.join("data"), login, role, "browser-test-pass");
    }

    // Kept after the run (in cargo's temporary folder for tests) so a failure can be read.
    let log_path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-web-serve.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let server = Server::start(dir, Path::new("data"), &["--jobs", "2"], log);
    let browser = Browser::start();
    let base = server.base();
    let samples = root().join("samples");
    let files: Vec<String> = ["L001p1.jpg", "L002p1.tif", "L003p1.png"]
        .iter()
        .map(|f| samples.join(f).display().to_string())
        .collect();
    let names: Vec<String> = browser.block_on(async {
        let c = &browser.client;

        // Clerk: upload the batch and watch it finish.
        c.goto(&format!("{base}/login")).await.expect("goto");
        shot(c, "login").await;
        log_in(c, &base, "clerk1", "browser-test-pass").await;
        c.goto(&format!("{base}/openings/1"))
            .await
            .expect("opening");
        find(c, "#files")
            .await
            .send_keys(&files.join("\n"))
            .await
            .expect("choose files");
        find(c, "#upload-form button[type=submit]")
            .await
            .click()
            .await
            .expect("upload");
        let t = Instant::now();
        loop {
            // The page reloads itself when the ingest is done.
            if let Ok(e) = c.find(Locator::Css("#scan-state[data-state=done]")).await {
                let _ = e;
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(240),
                "ingest did not finish"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let counts = text_of(c, "#file-counts").await;
        assert!(counts.contains('3'), "three files: {counts}");
        shot(c, "opening").await;
        c.goto(&format!("{base}/openings")).await.expect("openings");
        shot(c, "openings").await;
        log_out(c).await;

        // Reviewer: one keystroke approves the first letter; the next one is swapped in.
        log_in(c, &base, "rev1", "browser-test-pass").await;
        c.goto(&format!("{base}/queue")).await.expect("queue");
        let first = find(c, ".review")
            .await
            .attr("data-draft")
            .await
            .expect("attr")
            .expect("draft id");
        let name = find(c, "input[name=applicant_name]")
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        shot(c, "review").await;
        press(c, 'a').await;
        let serial = text_of(c, "#flash .serial").await;
        assert!(serial.ends_with("-0001"), "serial {serial}");
        let now_showing = find(c, ".review")
            .await
            .attr("data-draft")
            .await
            .expect("attr");
        assert_ne!(
            now_showing.as_deref(),
            Some(first.as_str()),
            "the next letter is shown"
        );
        assert!(
            c.current_url()
                .await
                .expect("url")
                .path()
                .starts_with("/queue/"),
            "no full reload needed"
        );

        // Journal: the serial is there; amend the phone and see the history.
        c.goto(&format!("{base}/journal")).await.expect("journal");
        let table = text_of(c, "table.journal").await;
        assert!(table.contains(&serial), "journal lists {serial}");
        shot(c, "journal").await;
        c.goto(&format!("{base}/journal/{serial}"))
            .await
            .expect("entry");
        find(c, "#amend-box summary")
            .await
            .click()
            .await
            .expect("open amend");
        let form = find(c, "#amend-form").await;
        form.find(Locator::Css("select[name=field] option[value=phone]"))
            .await
            .expect("option")
            .click()
            .await
            .expect("select");
        form.find(Locator::Css("input[name=value]"))
            .await
            .expect("value")
            .send_keys("+996700123456")
            .await
            .expect("type");
        form.find(Locator::Css("input[name=reason]"))
            .await
            .expect("reason")
            .send_keys("OCR error")
            .await
            .expect("type");
        form.find(Locator::Css("button"))
            .await
            .expect("button")
            .click()
            .await
            .expect("amend");
        let history = text_when(c, "table.history", |t| t.contains("OCR error")).await;
        assert!(
            history.contains("+996700123456") && history.contains("OCR error"),
            "history: {history}"
        );
        shot(c, "entry").await;

        // Print view: the paper register with the chain head.
        c.goto(&format!("{base}/journal/print"))
            .await
            .expect("print");
        let foot = text_of(c, ".print-foot").await;
        assert!(
            foot.contains("SHA-256") && foot.contains(&serial[..4]),
            "footer: {foot}"
        );
        shot(c, "print").await;
        c.goto(&format!("{base}/journal")).await.expect("journal");
        log_out(c).await;

        // Commission: reads the journal but has no amendment form.
        log_in(c, &base, "com1", "browser-test-pass").await;
        c.goto(&format!("{base}/journal/{serial}"))
            .await
            .expect("entry");
        assert!(
            c.find(Locator::Css("#amend-form")).await.is_err(),
            "commission cannot amend"
        );
        c.goto(&format!(
            "{base}/search?q=%D1%82%D0%B0%D0%BB%D0%B0%D0%BF%D1%82%D0%B0%D1%80"
        ))
        .await
        .expect("search");
        let hits = text_of(c, "ol.hits").await;
        assert!(
            hits.contains(&serial),
            "«талаптар» finds the letter with «талап»: {hits}"
        );
        shot(c, "search").await;
        c.goto(&format!("{base}/reports")).await.expect("reports");
        find(c, ".report svg").await;
        shot(c, "report").await;
        c.goto(&format!("{base}/queue")).await.expect("queue");
        let body = text_of(c, "body").await;
        assert!(body.contains("403"), "commission has no queue");
        vec![name]
    });
    browser.close();

    // The server's log names ids, never letter text.
    let log = std::fs::read_to_string(&log_path).expect("log");
    for n in names.iter().filter(|n| n.chars().count() > 3) {
        assert!(
            !log.contains(n.as_str()),
            "an applicant name leaked into the log"
        );
    }
    assert!(
        !log.contains("пара") && !log.contains("арыз"),
        "letter words leaked into the log"
    );
}
