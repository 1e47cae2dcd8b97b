//! The reviewer's redaction box editor in a real browser (issue 18): the real `ishenim
//! serve` on a register with one letter read by the real Tesseract, driven by Debian's
//! headless Chromium. The reviewer drags a box over a word of the letter on the entry
//! page and saves; the register holds the box; `journal pdf --redact` then has the word
//! neither in its text nor on its image; a click on the box and Save take it back.
//!
//! With `ISHENIM_SCREENSHOTS=DIR` the editor is saved as `redact-ky.png` and
//! `redact-ru.png`.

use crate::browser::{add_user, find, log_in, shot, switch_lang, Browser, Server};
use crate::pdf;
use crate::{ok, root, run_in, NewOpening};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Client;
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const PASS: &str = "redaction-test-pass";

fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, Path::new("data"), args)
}

/// The editor's state of the page as the register has it (`journal redact` JSON line).
fn page_view(dir: &Path) -> Value {
    let line = ok(&run(dir, &["journal", "redact", "2026-0001"]));
    serde_json::from_str(line.lines().next().expect("a page")).expect("json")
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
    let opening = NewOpening {
        members: "A,B,C",
        seal_removed: "1",
        seal_applied: "2",
        letters: "1",
        at: Some("2026-03-02 10:15"),
    };
    let id = ok(&run(dir, &opening.args()));
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
    add_user(&dir.join("data"), "rev1", "reviewer", PASS);
    let before = page_view(dir);
    let page = before["page"].as_i64().expect("page");
    let auto = before["automatic"].as_array().expect("auto").len();
    assert!(auto >= 3, "name, address and phone boxes: {before}");
    assert!(before["saved"].is_null());
    let [w, h] = [
        before["size"][0].as_f64().expect("w"),
        before["size"][1].as_f64().expect("h"),
    ];
    let target = pdf::word_box(&dir.join("data"), page, "директор");

    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let server = Server::start(dir, Path::new("data"), &["--jobs", "1"], log);
    let browser = Browser::start();
    let c = &browser.client;
    let base = server.base();
    let form = format!("#redact-{page}");

    // Draw a box round «директору» (a few pixels of margin) and save.
    browser.block_on(async {
        log_in(c, &base, "rev1", PASS).await;
        c.goto(&format!("{base}/journal/2026-0001"))
            .await
            .expect("entry");
        let (left, top, width, height) = image_rect(c, &form).await;
        let to_view = |x: usize, y: usize| {
            (
                (left + x as f64 * width / w).round() as i64,
                (top + y as f64 * height / h).round() as i64,
            )
        };
        drag(
            c,
            to_view(target[0].saturating_sub(6), target[1].saturating_sub(6)),
            to_view(target[2] + 6, target[3] + 6),
        )
        .await;
        let added = find(c, &format!("{form} .rbox.added")).await;
        assert!(added.attr("data-v").await.expect("attr").is_some());
        let count = find(c, &format!("{form} .rbox-count"))
            .await
            .text()
            .await
            .expect("n");
        assert_eq!(count, (auto + 1).to_string(), "the list counts the new box");
        shot(c, "redact-ky").await;
        find(c, &format!("{form} button.redact-save"))
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
        new[0] <= target[0] as u64
            && new[1] <= target[1] as u64
            && new[2] >= target[2] as u64
            && new[3] >= target[3] as u64,
        "drawn {new:?} covers the word at {target:?}"
    );

    // The redacted PDF uses it: the word is out of the text, black on the image.
    let redacted = dir.join("redacted.pdf");
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
            redacted.to_str().expect("p"),
        ],
    ));
    let text = pdf::text(&redacted);
    assert!(
        !text.contains("директор"),
        "the boxed word is in the redacted PDF"
    );
    assert!(text.contains("аттестат"), "the rest stays searchable");

    // The page after the save shows the saved box; a click on it and Save take it back.
    browser.block_on(async {
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
        image_rect(c, &form).await;
        c.execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![Value::from(sel.as_str())],
        )
        .await
        .expect("scroll");
        find(c, &sel).await.click().await.expect("click the box");
        let cls = find(c, &sel)
            .await
            .attr("class")
            .await
            .expect("class")
            .unwrap_or_default();
        assert!(cls.contains("off"), "clicked box marked removed: {cls}");
        find(c, &format!("{form} button.redact-save"))
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
    browser.block_on(async {
        switch_lang(c).await;
        let title = find(c, "#redact h2").await.text().await.expect("title");
        assert!(title.contains("Области скрытия"), "{title}");
        image_rect(c, &form).await;
        shot(c, "redact-ru").await;
        switch_lang(c).await;
    });
    browser.close();
}
