//! The watched scan folder through the real binary (`ishenim watch`, `ishenim serve
//! --inbox`): a file written in pieces is taken only when complete (held open for
//! writing, then growing between polls), many files at once, a file the register already
//! holds is moved but not stored again (restart), a broken file goes to `failed/` with its
//! reason and to quarantine. Real Tesseract, real SQLite, real folders.

use crate::browser::{Guard, Server};
use crate::{command, root, run, s, NewOpening};
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

fn new_opening(data: &Path) -> String {
    NewOpening {
        members: "Асанов Бакыт",
        seal_removed: "1",
        seal_applied: "2",
        letters: "1",
        at: None,
    }
    .record(data)
}

fn out(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Files of the register: (name, status) through `ishenim quarantine list` is not
/// enough, so the SQLite file is read directly (read-only).
fn files(data: &Path) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let mut st = c
        .prepare("SELECT original_name, status, sha256 FROM files ORDER BY id")
        .expect("prepare");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn wait_for(what: &str, limit: Duration, ok: impl Fn() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A small grey PNG, distinct per `n` (a few dark squares), blank to the reader.
fn small_png(n: u32) -> Vec<u8> {
    let mut img = image::GrayImage::from_pixel(400, 300, image::Luma([250]));
    for k in 0..=n {
        let x = 10 + (k * 23) % 370;
        for dx in 0..3 {
            for dy in 0..3 {
                img.put_pixel(x + dx, 10 + dy, image::Luma([20]));
            }
        }
    }
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png");
    bytes
}

#[test]
fn a_file_written_in_pieces_is_taken_only_when_complete() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let inbox = tmp.path().join("inbox");
    let opening = new_opening(&data);
    let log_path = tmp.path().join("watch.log");
    let child = command(
        &root(),
        [
            "--data",
            s(&data),
            "watch",
            s(&inbox),
            "--opening",
            &opening,
            "--poll-ms",
            "200",
            "--jobs",
            "1",
        ],
    )
    .stdout(std::fs::File::create(&log_path).expect("log"))
    .stderr(Stdio::null())
    .spawn()
    .expect("watch");
    let _watch = Guard(child);
    wait_for("the watcher", Duration::from_secs(20), || {
        std::fs::read_to_string(&log_path).is_ok_and(|l| l.contains("watching"))
    });

    let sample = std::fs::read(root().join("samples/L003p1.png")).expect("sample");
    let target = inbox.join("L003p1.png");
    let pieces: Vec<&[u8]> = sample.chunks(sample.len() / 8 + 1).collect();
    // First half: held open for writing, with pauses longer than two polls (only the
    // open-for-writing check keeps it from being taken).
    let mut f = std::fs::File::create(&target).expect("create");
    for p in &pieces[..4] {
        f.write_all(p).expect("write");
        f.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(500));
        assert!(target.is_file(), "taken while open for writing");
    }
    drop(f);
    // Second half: opened, appended and closed again every 50 ms (the size keeps changing).
    for p in &pieces[4..] {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .expect("append");
        f.write_all(p).expect("write");
        drop(f);
        assert!(target.is_file(), "taken while still growing");
        std::thread::sleep(Duration::from_millis(50));
    }
    let done = inbox.join("done/L003p1.png");
    wait_for("the file in done/", Duration::from_secs(30), || {
        done.is_file()
    });
    assert_eq!(std::fs::read(&done).expect("done"), sample, "moved whole");
    wait_for("the scan", Duration::from_secs(90), || {
        files(&data).iter().all(|f| f.1 == "drafted")
    });
    let held = files(&data);
    assert_eq!(held.len(), 1, "stored once: {held:?}");
    assert_eq!(held[0].0, "L003p1.png");
    assert!(names(&inbox.join("failed")).is_empty());
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(log.contains("TAKEN L003p1.png"), "{log}");
}

#[test]
fn many_files_at_once_a_broken_one_and_a_restart_store_each_file_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let inbox = tmp.path().join("inbox");
    let opening = new_opening(&data);
    let sub = inbox.join(&opening);
    std::fs::create_dir_all(&sub).expect("mkdir");
    let originals = tmp.path().join("originals");
    std::fs::create_dir_all(&originals).expect("mkdir");
    for n in 0..12 {
        std::fs::write(originals.join(format!("scan{n:04}.png")), small_png(n)).expect("png");
    }
    // One of them the register holds already (stored, then the watcher was stopped
    // before it could move the file).
    let first = originals.join("scan0000.png");
    let o = run(&data, &["ingest", "--opening", &opening, s(&first)]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let drop_all = || {
        for n in 0..12 {
            let name = format!("scan{n:04}.png");
            std::fs::copy(originals.join(&name), sub.join(&name)).expect("copy");
        }
    };
    drop_all();
    std::fs::write(
        sub.join("broken.png"),
        b"\x89PNG\r\n\x1a\nthis is not a picture",
    )
    .expect("write");
    std::fs::write(sub.join("scan0099.png.part"), b"still coming").expect("write");
    let watch = |extra: &[&str]| {
        let mut a = vec!["watch", s(&inbox), "--once", "--poll-ms", "300"];
        a.extend_from_slice(extra);
        run(&data, &a)
    };
    let o = watch(&[]);
    assert_eq!(o.status.code(), Some(1), "a file failed: {}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("TAKEN scan0000.png") && text.contains("(already in the register)"),
        "{text}"
    );
    let done = names(&inbox.join("done"));
    assert_eq!(done.len(), 12, "{done:?}");
    assert_eq!(
        names(&inbox.join("failed")),
        vec!["broken.png", "broken.png.reason.txt"]
    );
    let reason =
        std::fs::read_to_string(inbox.join("failed/broken.png.reason.txt")).expect("reason");
    assert!(
        reason.contains("quarantined") && reason.contains("Файл не принят"),
        "{reason}"
    );
    assert_eq!(names(&sub), vec!["scan0099.png.part"], "temp file left");
    let held = files(&data);
    assert_eq!(held.len(), 13, "{held:?}");
    assert_eq!(held.iter().filter(|f| f.1 == "quarantined").count(), 1);
    assert!(held
        .iter()
        .filter(|f| f.0 != "broken.png")
        .all(|f| f.1 == "drafted"));

    // The scanner sends the same pages again after a restart: moved, not stored again.
    drop_all();
    let o = watch(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert_eq!(
        out(&o).matches("(already in the register)").count(),
        12,
        "{}",
        out(&o)
    );
    assert_eq!(files(&data).len(), 13, "no duplicates");
    assert_eq!(names(&inbox.join("done")).len(), 24, "nothing deleted");
}

#[test]
fn serve_with_an_inbox_takes_files_into_the_newest_opening() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let inbox = tmp.path().join("inbox");
    new_opening(&data);
    let newest = new_opening(&data);
    let _server = Server::start(
        &root(),
        &data,
        &[
            "--jobs",
            "1",
            "--inbox",
            s(&inbox),
            "--inbox-poll-ms",
            "200",
        ],
        Stdio::null(),
    );
    let tmp_name = inbox.join("L003p1.png.part");
    std::fs::copy(root().join("samples/L003p1.png"), &tmp_name).expect("copy");
    std::thread::sleep(Duration::from_millis(600));
    assert!(tmp_name.is_file(), "a .part file is never taken");
    std::fs::rename(&tmp_name, inbox.join("L003p1.png")).expect("rename");
    wait_for("the file in done/", Duration::from_secs(30), || {
        inbox.join("done/L003p1.png").is_file()
    });
    wait_for("the draft", Duration::from_secs(90), || {
        files(&data).iter().all(|f| f.1 == "drafted")
    });
    let o = run(&data, &["drafts", "list", "--json"]);
    let drafts = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(drafts.lines().count(), 1, "{drafts}");
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let in_opening: i64 = c
        .query_row("SELECT opening_id FROM files", [], |r| r.get(0))
        .expect("file");
    assert_eq!(in_opening.to_string(), newest);
}

/// `kill -9` of the watcher after it stored the files and moved them to `done/`, before
/// the scan had quarantined the broken one: the next run (its resume path) reads what was
/// left and moves the quarantined file on to `failed/` with its reason; the letter stays
/// in `done/`, read and drafted; nothing is stored twice.
#[test]
fn a_file_quarantined_after_a_kill_goes_on_to_failed_at_the_restart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let inbox = tmp.path().join("inbox");
    let opening = new_opening(&data);
    std::fs::create_dir_all(&inbox).expect("mkdir");
    // The letter sorts first, so the reader is busy with it when the watcher dies.
    std::fs::copy(
        root().join("samples/L003p1.png"),
        inbox.join("a-letter.png"),
    )
    .expect("copy");
    let mut broken = b"\x89PNG\r\n\x1a\n".to_vec();
    broken.extend_from_slice(&[7u8; 300]);
    std::fs::write(inbox.join("b-broken.png"), &broken).expect("write");
    let watch = |extra: &[&str]| {
        let mut args = vec![
            "--data",
            s(&data),
            "watch",
            s(&inbox),
            "--opening",
            &opening,
        ];
        args.extend_from_slice(&["--poll-ms", "200", "--jobs", "1"]);
        args.extend_from_slice(extra);
        command(&root(), args)
    };
    let mut child = watch(&[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch");
    let done = inbox.join("done");
    let t = Instant::now();
    while names(&done).len() < 2 && t.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    assert_eq!(names(&done), ["a-letter.png", "b-broken.png"], "both moved");
    assert!(
        names(&inbox.join("failed")).is_empty(),
        "killed before the settle"
    );
    let held = files(&data);
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(
        held[1].1 == "stored" || held[1].1 == "quarantined",
        "{held:?}"
    );

    let o = watch(&["--once"]).output().expect("watch --once");
    assert_eq!(o.status.code(), Some(1), "a file failed: {}", out(&o));
    assert!(out(&o).contains("FAILED b-broken.png"), "{}", out(&o));
    assert_eq!(names(&done), ["a-letter.png"]);
    assert_eq!(
        names(&inbox.join("failed")),
        ["b-broken.png", "b-broken.png.reason.txt"]
    );
    let reason =
        std::fs::read_to_string(inbox.join("failed/b-broken.png.reason.txt")).expect("reason");
    assert!(
        reason.contains("Файл не принят") && reason.contains("quarantined"),
        "{reason}"
    );
    let held = files(&data);
    let status: Vec<&str> = held.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(status, ["drafted", "quarantined"], "nothing stored twice");
}

/// `serve --inbox` (issue 18, session 9): a broken page dropped into the folder reaches
/// `failed/` through the real server and reader, and a clerk in headless Chromium sees the
/// folder's failed files on `/scanner/failed` beside the scanner's: a preview of a real
/// letter left there with its note (240 px wide), none for the broken file, the reader's
/// reason, the section in Russian; the Retry button stores the letter into its opening,
/// where it is read and drafted, and the file and its note leave `failed/`. The view and
/// the retry are in the audit log.
#[test]
fn the_scan_folders_failed_files_are_previewed_and_retried_in_the_browser() {
    use crate::browser::{add_user, find, log_in, shot, switch_lang, Browser};
    const PASS: &str = "inbox-failed-pass";
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let inbox = tmp.path().join("inbox");
    let opening = new_opening(&data);
    add_user(&data, "clerk1", "clerk", PASS);
    std::fs::create_dir_all(&inbox).expect("mkdir");
    let log = std::fs::File::create(tmp.path().join("serve.log")).expect("log");
    let server = Server::start(
        &root(),
        &data,
        &[
            "--jobs",
            "1",
            "--inbox",
            s(&inbox),
            "--inbox-poll-ms",
            "200",
        ],
        log,
    );
    let mut broken = b"\x89PNG\r\n\x1a\n".to_vec();
    broken.extend_from_slice(&[7u8; 300]);
    std::fs::write(inbox.join("b-broken.png"), &broken).expect("write");
    let failed = inbox.join("failed");
    wait_for(
        "the broken file in failed/",
        Duration::from_secs(60),
        || failed.join("b-broken.png.reason.txt").is_file(),
    );
    // A real letter left in failed/ with its note, as an earlier run leaves a file it
    // could not store (e.g. on a full disk).
    std::fs::copy(
        root().join("samples/L003p1.png"),
        failed.join("a-letter.png"),
    )
    .expect("copy");
    std::fs::write(
        failed.join("a-letter.png.reason.txt"),
        format!("Файл кабыл алынган жок / Файл не принят: a-letter.png\nno space left on device\nАчуу / Вскрытие: {opening}\n"),
    )
    .expect("note");

    let base = server.base();
    let browser = Browser::start();
    browser.block_on(async {
        let c = &browser.client;
        log_in(c, &base, "clerk1", PASS).await;
        c.goto(&format!("{base}/scanner/failed"))
            .await
            .expect("goto");
        let row = "#inbox-failed-files tr[data-name='b-broken.png']";
        let reason = find(c, &format!("{row} .failed-reason"))
            .await
            .text()
            .await
            .expect("reason");
        assert!(reason.contains("quarantined"), "{reason}");
        let width = |name: &str| {
            format!(
                "const i = document.querySelector(\"#inbox-failed-files tr[data-name='{name}'] img\"); \
                 return i.complete ? i.naturalWidth : -1;"
            )
        };
        let mut shown = (-1, -1);
        for _ in 0..100 {
            let w = |n: &str| {
                let js = width(n);
                async move {
                    c.execute(&js, vec![])
                        .await
                        .expect("js")
                        .as_i64()
                        .unwrap_or(-1)
                }
            };
            shown = (w("a-letter.png").await, w("b-broken.png").await);
            if shown.0 >= 0 && shown.1 >= 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, (240, 0), "a preview of the letter, none of the broken file");
        shot(c, "inbox-failed-ky").await;
        switch_lang(c).await;
        let heading = find(c, "#inbox-failed h2").await.text().await.expect("h2");
        assert!(heading.contains("Папка сканирования"), "{heading}");
        find(
            c,
            "#inbox-failed-files tr[data-name='a-letter.png'] button[value=retry]",
        )
        .await
        .click()
        .await
        .expect("retry");
        let done = find(c, "#failed-done").await.text().await.expect("done");
        assert!(done.contains("Файл сохранён в реестре"), "{done}");
        let rows = c
            .find_all(fantoccini::Locator::Css("#inbox-failed-files tr[data-name]"))
            .await
            .expect("rows");
        assert_eq!(rows.len(), 1, "only the broken file is left");
    });
    browser.close();
    assert_eq!(
        names(&failed),
        ["b-broken.png", "b-broken.png.reason.txt"],
        "the letter and its note left failed/"
    );
    wait_for("the letter drafted", Duration::from_secs(90), || {
        files(&data)
            .iter()
            .any(|f| f.0 == "a-letter.png" && f.1 == "drafted")
    });
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let audit = |action: &str| -> Vec<String> {
        let mut st = c
            .prepare("SELECT object FROM audit WHERE user = 'clerk1' AND action = ?1")
            .expect("prepare");
        st.query_map([action], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    // One view a page load (the list is loaded again after the switch of language).
    let views = audit("scan_failed_view");
    assert!(
        !views.is_empty() && views.iter().all(|v| v == "inbox/failed a-letter.png"),
        "{views:?}"
    );
    let retried = audit("scan_failed_retry");
    assert_eq!(retried.len(), 1, "{retried:?}");
    assert!(
        retried[0].starts_with(&format!(
            "inbox/failed a-letter.png -> opening {opening} file "
        )),
        "{retried:?}"
    );
    drop(server);
}
