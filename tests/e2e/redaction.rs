//! The reviewer's redaction box editor in a real browser (issue 18): the real `ishenim
//! serve` on a register with one letter read by the real Tesseract, driven by Debian's
//! headless Chromium. The reviewer drags a box over a word of the letter on the entry
//! page and saves; the register holds the box; `journal pdf --redact` then has the word
//! neither in its text nor on its image; a click on the box and Save take it back.
//!
//! With `ISHENIM_SCREENSHOTS=DIR` the editor is saved as `redact-ky.png` and
//! `redact-ru.png`.

use crate::web::{add_user, find, free_port, log_in, shot, wait_port, Guard};
use crate::{command, root, run_in};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, ClientBuilder};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "redaction-test-pass";

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, Path::new("data"), args)
}

/// The editor's state of the page as the register has it (`journal redact` JSON line).
fn page_view(dir: &Path) -> Value {
    let line = ok(&run(dir, &["journal", "redact", "2026-0001"]));
    serde_json::from_str(line.lines().next().expect("a page")).expect("json")
}

/// Where Tesseract read `word` on page `page` (from the page record in the register).
fn word_box(dir: &Path, page: i64, word: &str) -> [u32; 4] {
    let db = rusqlite::Connection::open(dir.join("data/ishenim.sqlite3")).expect("db");
    let record: String = db
        .query_row("SELECT record FROM pages WHERE id = ?1", [page], |r| {
            r.get(0)
        })
        .expect("record");
    let record: Value = serde_json::from_str(&record).expect("json");
    let w = record["words"]
        .as_array()
        .expect("words")
        .iter()
        .find(|w| w["text"].as_str().is_some_and(|t| t.contains(word)))
        .unwrap_or_else(|| panic!("{word} read"));
    let b: Vec<u32> = w["bbox"]
        .as_array()
        .expect("bbox")
        .iter()
        .map(|v| v.as_u64().expect("n") as u32)
        .collect();
    [b[0], b[1], b[2], b[3]]
}

/// The page image's place in the viewport once it is loaded: (left, top, width, height).
async fn image_rect(c: &Client, form: &str) -> (f64, f64, f64, f64) {
    let t = Instant::now();
    loop {
        let r = c
            .execute(
                "var f = document.querySelector(arguments[0]); f.scrollIntoView({block: 'start'});
                 var loaded = performance.getEntriesByType('resource')
                     .some(function (e) { return e.name.indexOf('/image?w=900') >= 0; });
                 var r = f.querySelector('.redact-page').getBoundingClientRect();
                 if (!loaded || !r.height) return null;
                 return [r.left, r.top, r.width, r.height];",
                vec![Value::from(form)],
            )
            .await
            .expect("rect");
        if let Some(v) = r.as_array() {
            let n: Vec<f64> = v.iter().map(|x| x.as_f64().unwrap_or(0.0)).collect();
            return (n[0], n[1], n[2], n[3]);
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "page image not shown"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Drags with the mouse from `a` to `b` (viewport pixels).
async fn drag(c: &Client, a: (i64, i64), b: (i64, i64)) {
    let step = Some(Duration::from_millis(50));
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: step,
            x: a.0,
            y: a.1,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: step,
            x: (a.0 + b.0) / 2,
            y: (a.1 + b.1) / 2,
        })
        .then(PointerAction::MoveTo {
            duration: step,
            x: b.0,
            y: b.1,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(mouse).await.expect("drag");
}

/// Waits until the register holds `n` reviewer's boxes for the page (the form posts and
/// the page reloads).
fn wait_saved(dir: &Path, n: usize) -> Value {
    let t = Instant::now();
    loop {
        let v = page_view(dir);
        if v["saved"].is_array() && v["boxes"].as_array().map(Vec::len) == Some(n) {
            return v;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "not saved: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_reviewer_draws_a_box_saves_it_and_the_redacted_pdf_hides_the_word() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let id = ok(&run(
        dir,
        &[
            "opening",
            "new",
            "--members",
            "A,B,C",
            "--seal-removed",
            "1",
            "--seal-applied",
            "2",
            "--letters",
            "1",
            "--at",
            "2026-03-02 10:15",
        ],
    ));
    let letter = root().join("samples/L003p1.png");
    ok(&run(
        dir,
        &[
            "ingest",
            "--opening",
            id.trim(),
            letter.to_str().expect("path"),
        ],
    ));
    ok(&run(dir, &["--user", "rev", "drafts", "approve", "--all"]));
    add_user(dir, "rev1", "reviewer", PASS);
    let before = page_view(dir);
    let page = before["page"].as_i64().expect("page");
    let auto = before["automatic"].as_array().expect("auto").len();
    assert!(auto >= 3, "name, address and phone boxes: {before}");
    assert!(before["saved"].is_null());
    let [w, h] = [
        before["size"][0].as_f64().expect("w"),
        before["size"][1].as_f64().expect("h"),
    ];
    let target = word_box(dir, page, "директор");

    let port = free_port();
    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let server = command(
        dir,
        [
            "--data",
            "data",
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--jobs",
            "1",
        ],
    )
    .stdout(Stdio::null())
    .stderr(log)
    .spawn()
    .expect("serve");
    let _server = Guard(server);
    wait_port(port, "ishenim serve");
    let dport = free_port();
    let driver = std::process::Command::new("chromedriver")
        .arg(format!("--port={dport}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt install chromium-driver; `make test` does)");
    let _driver = Guard(driver);
    wait_port(dport, "chromedriver");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let base = format!("http://127.0.0.1:{port}");
    let form = format!("#redact-{page}");
    let c = rt.block_on(async {
        let mut caps = serde_json::map::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--window-size=1400,900"]}),
        );
        ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{dport}"))
            .await
            .expect("chromedriver")
    });

    // Draw a box round «директору» (a few pixels of margin) and save.
    rt.block_on(async {
        log_in(&c, &base, "rev1", PASS).await;
        c.goto(&format!("{base}/journal/2026-0001"))
            .await
            .expect("entry");
        let (left, top, width, height) = image_rect(&c, &form).await;
        let to_view = |x: u32, y: u32| {
            (
                (left + f64::from(x) * width / w).round() as i64,
                (top + f64::from(y) * height / h).round() as i64,
            )
        };
        drag(
            &c,
            to_view(target[0].saturating_sub(6), target[1].saturating_sub(6)),
            to_view(target[2] + 6, target[3] + 6),
        )
        .await;
        let added = find(&c, &format!("{form} .rbox.added")).await;
        assert!(added.attr("data-v").await.expect("attr").is_some());
        let count = find(&c, &format!("{form} .rbox-count"))
            .await
            .text()
            .await
            .expect("n");
        assert_eq!(count, (auto + 1).to_string(), "the list counts the new box");
        shot(&c, "redact-ky").await;
        find(&c, &format!("{form} button.redact-save"))
            .await
            .click()
            .await
            .expect("save");
    });
    let saved = wait_saved(dir, auto + 1);
    let new: Vec<u64> = saved["boxes"]
        .as_array()
        .expect("boxes")
        .iter()
        .find(|b| !before["automatic"].as_array().expect("auto").contains(b))
        .expect("the drawn box")
        .as_array()
        .expect("box")
        .iter()
        .map(|v| v.as_u64().expect("n"))
        .collect();
    // The drawn box covers the word (screen pixels are ~2.8 page pixels here).
    assert!(
        new[0] <= u64::from(target[0])
            && new[1] <= u64::from(target[1])
            && new[2] >= u64::from(target[2])
            && new[3] >= u64::from(target[3]),
        "drawn {new:?} covers the word at {target:?}"
    );

    // The redacted PDF uses it: the word is out of the text, black on the image.
    let pdf = dir.join("redacted.pdf");
    ok(&run(
        dir,
        &[
            "--user",
            "rev1",
            "journal",
            "pdf",
            "2026-0001",
            "--redact",
            "--out",
            pdf.to_str().expect("p"),
        ],
    ));
    let text = Command::new("pdftotext")
        .args([pdf.to_str().expect("p"), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        !text.contains("директор"),
        "the boxed word is in the redacted PDF"
    );
    assert!(text.contains("аттестат"), "the rest stays searchable");

    // The page after the save shows the saved box; a click on it and Save take it back.
    rt.block_on(async {
        let sel = format!(
            "{form} .rbox[data-v=\"{},{},{},{}\"]",
            new[0], new[1], new[2], new[3]
        );
        // The reloaded page: the box is the register's now (no longer one drawn here).
        let t = Instant::now();
        loop {
            let done = c
                .execute(
                    "return !document.querySelector(arguments[0] + ' .rbox.added')
                        && !!document.querySelector(arguments[1]);",
                    vec![Value::from(form.as_str()), Value::from(sel.as_str())],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if done {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "page not reloaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        image_rect(&c, &form).await;
        c.execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![Value::from(sel.as_str())],
        )
        .await
        .expect("scroll");
        find(&c, &sel).await.click().await.expect("click the box");
        let cls = find(&c, &sel)
            .await
            .attr("class")
            .await
            .expect("class")
            .unwrap_or_default();
        assert!(cls.contains("off"), "clicked box marked removed: {cls}");
        find(&c, &format!("{form} button.redact-save"))
            .await
            .click()
            .await
            .expect("save");
    });
    let after = wait_saved(dir, auto);
    assert_eq!(
        after["boxes"], before["automatic"],
        "the automatic boxes remain"
    );

    // The editor in Russian (for the screenshots).
    rt.block_on(async {
        find(&c, "form[action='/lang'] button")
            .await
            .click()
            .await
            .expect("ru");
        let title = find(&c, "#redact h2").await.text().await.expect("title");
        assert!(title.contains("Области скрытия"), "{title}");
        image_rect(&c, &form).await;
        shot(&c, "redact-ru").await;
        find(&c, "form[action='/lang'] button")
            .await
            .click()
            .await
            .expect("ky");
        c.clone().close().await.expect("close");
    });
}
