//! Scanning into an opening through the real `scanimage` with SANE's `test` backend,
//! enabled in a SANE configuration folder of the test's own (`SANE_CONFIG_DIR`, `dll.conf`
//! with `test`, `test.conf` choosing the picture and what `sane_read` returns): the feeder
//! is picked by itself and its ten pages are stored and read; a jam, an empty feeder and
//! a missing device are clear Kyrgyz and Russian messages, and pages scanned before stay.

use crate::{command, root, s, NewOpening};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// A SANE configuration folder with the `test` backend; `status` is what `sane_read`
/// returns (`Default`, `SANE_STATUS_JAMMED`, …).
fn sane_dir(root_dir: &Path, name: &str, status: &str) -> std::path::PathBuf {
    let d = root_dir.join(name);
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(d.join("dll.conf"), "test\n").expect("dll.conf");
    std::fs::write(
        d.join("test.conf"),
        format!("number_of_devices 1\ntest-picture \"Grid\"\nread-status-code \"{status}\"\n"),
    )
    .expect("test.conf");
    d
}

fn run(data: &Path, sane: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--data", s(data)];
    all.extend_from_slice(args);
    command(&root(), &all)
        .env("SANE_CONFIG_DIR", sane)
        .env("ISHENIM_SCAN_STALL_SECS", "30")
        .output()
        .expect("run ishenim")
}

fn files(data: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open_with_flags(
        data.join("ishenim.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("db");
    let mut st = c
        .prepare("SELECT status FROM files ORDER BY id")
        .expect("prepare");
    st.query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect()
}

fn json(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn the_feeder_is_scanned_into_the_opening_and_scanner_troubles_are_said_clearly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let ok = sane_dir(tmp.path(), "sane-ok", "Default");
    let opening = new_opening(&data, &ok);
    let o = run(&data, &ok, &["scanner", "devices"]);
    let list = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        list.contains("test:0") && list.contains("Automatic Document Feeder"),
        "{list}"
    );
    let set = |k: &str, v: &str| {
        let o = run(&data, &ok, &["settings", "set", k, v]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    set("scanner_device", "test:0");
    set("scanner_resolution", "100");

    // `auto` picks the feeder: the test backend's feeder holds ten pages.
    let o = run(
        &data,
        &ok,
        &[
            "scanner",
            "scan",
            "--opening",
            &opening,
            "--json",
            "--jobs",
            "1",
        ],
    );
    let v = json(&o);
    assert_eq!(v["pages"], 10, "{v}");
    // SANE's test backend has once hung in a futex wait after its last page (a clean-clone
    // run, session 10): the watchdog then stops it and says so, with all ten pages kept.
    if v["problem"] == "scan_stalled" {
        eprintln!("the test backend hung after its pages; the watchdog stopped it");
        assert_eq!(o.status.code(), Some(1));
    } else {
        assert!(v["problem"].is_null(), "{v}");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The test backend's pages are identical: the register keeps those bytes once.
    let held = files(&data);
    assert!(!held.is_empty(), "pages stored");
    assert!(
        held.iter().all(|s| s == "drafted" || s == "scanned"),
        "{held:?}"
    );
    let work = data.join("scanner").join(&opening);
    let left: Vec<_> = std::fs::read_dir(&work).expect("work").flatten().collect();
    assert!(left.is_empty(), "every page taken from the work folder");

    // A jam: said in both languages; what was scanned before stays.
    let jam = sane_dir(tmp.path(), "sane-jam", "SANE_STATUS_JAMMED");
    let o = run(
        &data,
        &jam,
        &["scanner", "scan", "--opening", &opening, "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["problem"], "scan_jammed", "{v}");
    let m = v["message"].as_str().expect("message");
    assert!(
        m.contains("кагаз тыгылып") && m.contains("Замятие бумаги"),
        "{m}"
    );
    assert_eq!(files(&data), held, "kept");

    // An empty feeder.
    let empty = sane_dir(tmp.path(), "sane-empty", "SANE_STATUS_NO_DOCS");
    let o = run(
        &data,
        &empty,
        &["scanner", "scan", "--opening", &opening, "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["problem"], "scan_no_paper", "{v}");
    assert!(v["message"]
        .as_str()
        .is_some_and(|m| m.contains("нет бумаги")));

    // The scanner unplugged (a device SANE does not know).
    let o = run(
        &data,
        &ok,
        &[
            "scanner",
            "scan",
            "--opening",
            &opening,
            "--device",
            "test:7",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["problem"], "scan_no_device", "{v}");
    assert!(v["message"]
        .as_str()
        .is_some_and(|m| m.contains("Сканер табылган жок")));
    assert_eq!(files(&data), held, "nothing lost");
}

/// `scanner store-left` on the real binary: the pages a killed scan left in the
/// opening's work folder are stored (read and drafted) without scanning, the half page
/// removed, a page over the size limit kept in `scanner/failed/` with its reason and its
/// opening (exit 1), another opening's folder untouched; a second run finds nothing; while
/// a process still writes into the folder the command refuses and moves nothing.
#[test]
fn store_left_stores_a_killed_scans_pages_without_scanning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let opening = |members| {
        NewOpening {
            members,
            seal_removed: "1",
            seal_applied: "2",
            letters: "2",
            at: None,
        }
        .record(&data)
    };
    let (o1, o2) = (opening("Асанов"), opening("Бекова"));
    let work = data.join("scanner").join(&o1);
    let other = data.join("scanner").join(&o2);
    std::fs::create_dir_all(&work).expect("mkdir");
    std::fs::create_dir_all(&other).expect("mkdir");
    for (from, to) in [
        ("L003p1.png", "b1-p0001.png"),
        ("L006p1.png", "b1-p0002.png"),
    ] {
        std::fs::copy(root().join("samples").join(from), work.join(to)).expect("copy");
    }
    std::fs::write(work.join("b1-p0003.png.part"), b"half a page").expect("part");
    std::fs::File::create(work.join("b1-p0004.png"))
        .and_then(|f| f.set_len(201 << 20))
        .expect("large page");
    std::fs::copy(
        root().join("samples/L009p1.png"),
        other.join("b1-p0001.png"),
    )
    .expect("copy");

    // A process naming the folder (as scanimage --batch=DIR/… does): refused, nothing moves.
    let mut writer = std::process::Command::new("sh")
        .args([
            "-c",
            "sleep 30",
            &format!("{}/b9-p%04d.png", work.display()),
        ])
        .spawn()
        .expect("sh");
    let busy = crate::run(&data, &["scanner", "store-left", "--opening", &o1]);
    writer.kill().expect("kill");
    writer.wait().expect("wait");
    assert_eq!(busy.status.code(), Some(1), "{}", crate::stdout(&busy));
    assert!(
        crate::stdout(&busy).contains("Сканер занят"),
        "{}",
        crate::stdout(&busy)
    );
    assert!(work.join("b1-p0001.png").is_file() && files(&data).is_empty());

    let o = crate::run(&data, &["scanner", "store-left", "--opening", &o1]);
    let out = crate::stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a page failed: {out}{}",
        crate::stderr(&o)
    );
    for want in [
        "TAKEN b1-p0001.png",
        "TAKEN b1-p0002.png",
        "FAILED b1-p0004.png: file is too large",
        "2 page(s) stored, 1 failed",
        "1 half page(s) removed",
    ] {
        assert!(out.contains(want), "{want} in {out}");
    }
    assert_eq!(files(&data), vec!["drafted", "drafted"], "read and drafted");
    let rest: Vec<_> = std::fs::read_dir(&work).expect("work").flatten().collect();
    assert!(rest.is_empty(), "work folder emptied: {rest:?}");
    let failed = data.join("scanner/failed");
    assert_eq!(
        std::fs::metadata(failed.join("b1-p0004.png"))
            .expect("kept")
            .len(),
        201 << 20
    );
    let why = std::fs::read_to_string(failed.join("b1-p0004.png.reason.txt")).expect("reason");
    assert!(
        why.contains("too large") && why.contains(&format!("Вскрытие: {o1}")),
        "{why}"
    );
    assert!(
        other.join("b1-p0001.png").is_file(),
        "another opening's page stays"
    );

    let again = crate::run(&data, &["scanner", "store-left", "--opening", &o1]);
    assert_eq!(again.status.code(), Some(0), "{}", crate::stdout(&again));
    assert!(crate::stdout(&again).contains("0 page(s) stored, 0 failed"));
    assert_eq!(files(&data).len(), 2);
}

/// A scanner that stops answering mid-batch (the real `scanimage` writes its pages, then
/// a wrapper stands for a hung driver and never exits): the watchdog stops it after
/// `ISHENIM_SCAN_STALL_SECS` of nothing written, says so in both languages, keeps every
/// page written before, and leaves no process of the batch behind.
#[test]
fn a_scanner_that_hangs_is_stopped_and_its_pages_kept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let ok = sane_dir(tmp.path(), "sane-ok", "Default");
    let marker = format!("sleep 599.{}", std::process::id());
    let wrapper = tmp.path().join("scanimage-hangs");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nscanimage \"$@\" || exit $?\ncase \"$*\" in *--batch*) exec {marker};; esac\n"
        ),
    )
    .expect("wrapper");
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let opening = new_opening(&data, &ok);
    for (k, v) in [("scanner_device", "test:0"), ("scanner_resolution", "100")] {
        let o = run(&data, &ok, &["settings", "set", k, v]);
        assert_eq!(o.status.code(), Some(0));
    }
    let args = [
        "--data",
        s(&data),
        "scanner",
        "scan",
        "--opening",
        &opening,
        "--json",
        "--jobs",
        "1",
    ];
    let o = command(&root(), &args)
        .env("SANE_CONFIG_DIR", &ok)
        .env("ISHENIM_SCANIMAGE", &wrapper)
        .env("ISHENIM_SCAN_STALL_SECS", "3")
        .output()
        .expect("run ishenim");
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["problem"], "scan_stalled", "{v}");
    assert_eq!(v["pages"], 10, "every page written before the hang: {v}");
    let m = v["message"].as_str().expect("message");
    assert!(
        m.contains("жооп бербей") && m.contains("перестал отвечать"),
        "{m}"
    );
    let held = files(&data);
    assert!(
        !held.is_empty() && held.iter().all(|s| s == "drafted" || s == "scanned"),
        "{held:?}"
    );
    let hung = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .expect("pgrep");
    assert!(hung.stdout.is_empty(), "the hung process is gone");
}

/// A new opening through the CLI; its id.
fn new_opening(data: &Path, sane: &Path) -> String {
    let o = run(
        data,
        sane,
        &NewOpening {
            members: "Асанов",
            seal_removed: "1",
            seal_applied: "2",
            letters: "1",
            at: None,
        }
        .args(),
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}
