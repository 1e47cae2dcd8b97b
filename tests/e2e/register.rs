//! The register through the real binary: opening → ingest → drafts → approve → journal,
//! idempotent re-ingest, quarantine, tamper detection, backup/restore, `kill -9` during
//! ingest, users. Real Tesseract and a real SQLite file in temporary data folders.

use crate::{ishenim, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STACK: &[&str] = &[
    "samples/L003p1.png",
    "samples/L002p1.tif",
    "samples/opening-scan.pdf",
    "samples/B01.jpg",
];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_lines(o: &Output) -> Vec<Value> {
    text(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// `ishenim --data DATA args...` in the repository root.
fn run(data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--data", s(data)];
    all.extend_from_slice(args);
    ishenim(&root(), &all)
}

fn new_opening(data: &Path) -> String {
    let o = run(
        data,
        &[
            "opening",
            "new",
            "--members",
            "Асанов Бакыт,Токтогулова Айгүл,Иванов Пётр",
            "--seal-removed",
            "0041",
            "--seal-applied",
            "0042",
            "--letters",
            "4",
            "--at",
            "2026-03-02 10:15",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let id = text(&o).trim().to_string();
    assert!(
        id.parse::<i64>().is_ok(),
        "opening new prints just the id: {id:?}"
    );
    id
}

fn ingest_args<'a>(opening: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["ingest", "--opening", opening];
    a.extend_from_slice(STACK);
    a.extend_from_slice(extra);
    a
}

/// A store with the sample stack (plus one corrupt file) ingested twice and approved.
struct Fixture {
    data: PathBuf,
    bad: PathBuf,
    first: Output,
    second: Output,
    pending: Vec<Value>,
    approve: Output,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-register");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let data = dir.join("data");
        let bad = dir.join("broken-scan.png");
        let png = std::fs::read(root().join("samples/L003p1.png")).expect("png");
        std::fs::write(&bad, &png[..png.len() / 4]).expect("write");
        let id = new_opening(&data);
        let first = run(&data, &ingest_args(&id, &[s(&bad)]));
        let mut a = ingest_args(&id, &[s(&bad)]);
        a.push("--json");
        let second = run(&data, &a);
        let pending = json_lines(&run(&data, &["drafts", "list", "--json"]));
        let approve = run(
            &data,
            &["--user", "reviewer1", "drafts", "approve", "--all"],
        );
        Fixture {
            data,
            bad,
            first,
            second,
            pending,
            approve,
        }
    })
}

/// A private copy of the fixture's register, made with `backup` + `restore`.
fn copy_of_fixture(tmp: &Path) -> PathBuf {
    let f = fixture();
    let archive = tmp.join("copy.tar");
    let o = run(&f.data, &["backup", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let data = tmp.join("data");
    let o = run(&data, &["restore", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    data
}

fn year() -> String {
    // Serials carry the year of registration (now); the fixture approves today.
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Good enough for the year (days since epoch → civil year), without a date crate.
    let days = (secs / 86_400) as i64;
    let (mut y, mut d) = (1970i64, days);
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            366
        } else {
            365
        };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    y.to_string()
}

#[test]
fn ingest_then_approve_all_gives_gap_free_serials_and_a_verified_chain() {
    let f = fixture();
    assert_eq!(
        f.first.status.code(),
        Some(1),
        "a quarantined file makes exit 1"
    );
    assert_eq!(f.pending.len(), 4, "four letters drafted: {:?}", f.pending);
    for d in &f.pending {
        assert_eq!(d["status"], "pending");
        assert!(d["summary"].as_str().is_some_and(|s| !s.is_empty()));
    }
    assert_eq!(
        f.approve.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&f.approve.stderr)
    );
    let y = year();
    let printed: Vec<String> = text(&f.approve).lines().map(str::to_string).collect();
    let want: Vec<String> = (1..=4).map(|n| format!("{y}-{n:04}")).collect();
    assert_eq!(printed, want, "approve prints the serials");

    let list = run(&f.data, &["journal", "list", "--json"]);
    assert_eq!(list.status.code(), Some(0));
    let serials: Vec<String> = json_lines(&list)
        .iter()
        .map(|e| e["serial"].as_str().expect("serial").to_string())
        .collect();
    assert_eq!(
        serials, want,
        "journal list --json: one object per entry, gap-free"
    );
    assert!(
        String::from_utf8_lossy(&list.stderr).contains(&format!("serial {y}-0004")),
        "head printed"
    );
    let entries = json_lines(&list);
    let anon = entries
        .iter()
        .find(|e| e["anonymous"] == true)
        .expect("the anonymous letter");
    assert_eq!(anon["applicant"], "Анонимдүү");
    assert!(entries
        .iter()
        .all(|e| e["approved_by"] == "reviewer1" && e["box_date"] == "2026-03-02"));

    let v = run(&f.data, &["journal", "verify", "--full"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
    assert!(text(&v).contains(&format!("serial {y}-0004")));

    // Nothing pending any more; approving again registers nothing.
    let again = run(&f.data, &["drafts", "approve", "--all"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again).trim().is_empty());
    let table = text(&run(&f.data, &["journal", "list"]));
    assert!(
        table.contains(&format!("{y}-0003")) && table.contains("chain head"),
        "{table}"
    );
}

#[test]
fn ingesting_the_same_files_again_adds_nothing() {
    let f = fixture();
    assert_eq!(
        f.second.status.code(),
        Some(1),
        "the quarantined file is reported again"
    );
    let sum: Value = serde_json::from_slice(&f.second.stdout).expect("summary JSON");
    assert_eq!(sum["stored_new"], 0);
    assert_eq!(sum["already_stored"], 5);
    assert_eq!(sum["files_scanned"], 0);
    assert_eq!(sum["pages_saved"], 0);
    assert_eq!(sum["drafts_new"], 0);
    let all = json_lines(&run(
        &f.data,
        &["drafts", "list", "--json", "--status", "all"],
    ));
    assert_eq!(all.len(), 4, "no draft twice");
    let openings = json_lines(&run(&f.data, &["opening", "list", "--json"]));
    assert_eq!(openings.len(), 1);
    assert_eq!(openings[0]["files"], 5);
    assert_eq!(openings[0]["members"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_corrupt_file_is_quarantined_with_its_reason_and_the_rest_is_stored() {
    let f = fixture();
    let out = text(&f.first);
    let name = f.bad.file_name().and_then(|n| n.to_str()).expect("name");
    let line = out
        .lines()
        .find(|l| l.contains("QUARANTINE"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains(name), "{line}");
    assert!(line.split(':').count() >= 2, "a reason is given: {line}");
    assert!(
        out.contains("4 files scanned (5 pages), 1 quarantined, 4 new drafts"),
        "{out}"
    );
    let db = rusqlite::Connection::open(f.data.join("ishenim.sqlite3")).expect("db");
    let (status, reason): (String, Option<String>) = db
        .query_row(
            "SELECT status, reason FROM files WHERE original_name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert_eq!(status, "quarantined");
    assert!(reason.is_some_and(|r| !r.is_empty()));
    let drafted: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM files WHERE status = 'drafted'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(drafted, 4);
}

#[test]
fn views_and_exports_are_audited_and_exports_carry_the_head() {
    let f = fixture();
    let tmp = tempfile::tempdir().expect("tmp");
    let y = year();
    let show = run(&f.data, &["drafts", "show", "1", "--json"]);
    assert_eq!(show.status.code(), Some(0));
    let d: Value = serde_json::from_slice(&show.stdout).expect("json");
    assert_eq!(d["status"], "approved");
    let e = run(
        &f.data,
        &["journal", "show", &format!("{y}-0002"), "--json"],
    );
    assert_eq!(e.status.code(), Some(0));
    let e: Value = serde_json::from_slice(&e.stdout).expect("json");
    assert_eq!(e["entry"]["serial"], format!("{y}-0002"));
    assert!(e["act_of_receipt"].is_object());

    let csv = tmp.path().join("journal.csv");
    let o = run(&f.data, &["journal", "export", "--csv", s(&csv)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let verify = text(&run(&f.data, &["journal", "verify"]));
    let hash = verify.split_whitespace().last().expect("hash").to_string();
    assert_eq!(hash.len(), 64, "{verify}");
    let body = std::fs::read_to_string(&csv).expect("csv");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 6, "header, 4 entries, head: {body}");
    let last = lines[lines.len() - 1];
    assert!(
        last.contains(&hash) && last.contains(&format!("serial {y}-0004")),
        "{last}"
    );
    assert!(lines[1].starts_with(&format!("{y}-0001,")));

    let xlsx = tmp.path().join("journal.xlsx");
    let o = run(&f.data, &["journal", "export", "--xlsx", s(&xlsx)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&xlsx).expect("xlsx");
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    assert!(text(&o).contains(&hash));

    let db = rusqlite::Connection::open(f.data.join("ishenim.sqlite3")).expect("db");
    let actions: Vec<String> = db
        .prepare("SELECT action FROM audit ORDER BY id")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("audit");
    for a in ["view_draft", "view_entry", "export_csv", "export_xlsx"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[test]
fn an_edited_or_deleted_journal_row_is_named_by_verify() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = copy_of_fixture(tmp.path());
    let y = year();
    let ok = run(&data, &["journal", "verify"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the copy verifies: {}",
        text(&ok)
    );
    let head = text(&ok)
        .split_whitespace()
        .last()
        .expect("hash")
        .to_string();
    {
        let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
        db.execute_batch(
            "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;
             UPDATE entries SET applicant_name = 'Башка Адам' WHERE number = 2;",
        )
        .expect("tamper");
    }
    let v = run(&data, &["journal", "verify"]);
    assert_eq!(v.status.code(), Some(1), "{}", text(&v));
    assert!(
        text(&v).contains(&format!("serial {y}-0002")),
        "names the row: {}",
        text(&v)
    );

    // Deleting the last row leaves a consistent chain: only the recorded head catches it.
    let tmp2 = tempfile::tempdir().expect("tmp");
    let data2 = copy_of_fixture(tmp2.path());
    {
        let db = rusqlite::Connection::open(data2.join("ishenim.sqlite3")).expect("db");
        db.execute_batch("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE number = 4;")
            .expect("tamper");
    }
    let v = run(&data2, &["journal", "verify", "--head", &head]);
    assert_ne!(
        v.status.code(),
        Some(0),
        "a recorded head that is gone fails: {}",
        text(&v)
    );
    // Deleting a row in the middle is named without a head.
    let tmp3 = tempfile::tempdir().expect("tmp");
    let data3 = copy_of_fixture(tmp3.path());
    {
        let db = rusqlite::Connection::open(data3.join("ishenim.sqlite3")).expect("db");
        db.execute_batch("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE number = 3;")
            .expect("tamper");
    }
    let v = run(&data3, &["journal", "verify"]);
    assert_eq!(v.status.code(), Some(1), "{}", text(&v));
    assert!(text(&v).contains("BROKEN"), "{}", text(&v));
}

#[test]
fn backup_and_restore_round_trip_verifies_and_refuses_bad_input() {
    let f = fixture();
    let tmp = tempfile::tempdir().expect("tmp");
    let archive = tmp.path().join("b.tar");
    let o = run(&f.data, &["backup", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text(&o).contains("4 entries"), "{}", text(&o));
    let restored = tmp.path().join("restored");
    let o = run(&restored, &["restore", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = run(&restored, &["journal", "verify", "--full"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
    let a = json_lines(&run(&f.data, &["journal", "list", "--json"]));
    let b = json_lines(&run(&restored, &["journal", "list", "--json"]));
    assert_eq!(a, b, "same journal after restore");
    // Restoring over an existing register needs --force and keeps the old one aside.
    let o = run(&restored, &["restore", s(&archive)]);
    assert_eq!(o.status.code(), Some(2), "refused without --force");
    let o = run(&restored, &["restore", "--force", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text(&o).contains("moved to"));
    // A damaged archive is refused and nothing is written.
    let mut bytes = std::fs::read(&archive).expect("archive");
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let bad = tmp.path().join("bad.tar");
    std::fs::write(&bad, &bytes).expect("write");
    let target = tmp.path().join("never");
    let o = run(&target, &["restore", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!target.join("ishenim.sqlite3").exists());
}

#[test]
fn users_are_added_with_a_password_from_stdin_only() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ishenim"))
        .args([
            "--data",
            s(&data),
            "user",
            "add",
            "aigul",
            "--role",
            "reviewer",
            "--lang",
            "ky",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"uzun-syrsoz-2026\n")
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let users = json_lines(&run(&data, &["user", "list", "--json"]));
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "aigul");
    assert_eq!(users[0]["role"], "reviewer");
    // No password on the command line, and no prompt without a terminal.
    let o = run(
        &data,
        &[
            "user",
            "add",
            "x",
            "--role",
            "clerk",
            "--password",
            "secret123",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_ishenim"))
        .args(["--data", s(&data), "user", "add", "y", "--role", "admin"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--password-stdin"));
    let o = run(
        &data,
        &["user", "add", "z", "--role", "boss", "--password-stdin"],
    );
    assert_eq!(o.status.code(), Some(2), "unknown role");
}

/// A pseudo-random number from the clock (no extra dev-dependency).
fn jitter(max_ms: u64) -> u64 {
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0) as u64;
    let x = n
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (x >> 33) % max_ms.max(1)
}

#[test]
fn kill_9_during_ingest_then_rerun_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let id = new_opening(&data);
    let files = [
        "samples/L003p1.png",
        "samples/L002p1.tif",
        "samples/opening-scan.pdf",
        "samples/B01.jpg",
        "samples/L005p1.tif",
        "samples/L006p1.png",
    ];
    let mut args = vec!["--data", s(&data), "ingest", "--opening", id.as_str()];
    args.extend_from_slice(&files);
    let mut killed = 0;
    for round in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ishenim"))
            .args(&args)
            .current_dir(root())
            .env("OMP_THREAD_LIMIT", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Early rounds die while storing or scanning, later ones anywhere.
        let wait = 30 + jitter(1000 + 1000 * round);
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(wait) {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(killed > 0, "at least one run was killed mid-way");
    let o = ishenim(&root(), &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the rerun completes: {}",
        text(&o)
    );
    // Once more: nothing left to do.
    let mut j = args.clone();
    j.push("--json");
    let again: Value = serde_json::from_slice(&ishenim(&root(), &j).stdout).expect("summary");
    assert_eq!(again["stored_new"], 0);
    assert_eq!(again["drafts_new"], 0);

    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let q = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(q("SELECT COUNT(*) FROM files"), 6, "every file once");
    assert_eq!(
        q("SELECT COUNT(*) FROM files WHERE status = 'drafted'"),
        6,
        "every file drafted"
    );
    assert_eq!(q("SELECT COUNT(*) FROM pages"), 7, "every page once");
    assert_eq!(q("SELECT COUNT(*) FROM (SELECT page_id FROM draft_pages GROUP BY page_id HAVING COUNT(*) > 1)"), 0);
    assert_eq!(
        q("SELECT COUNT(*) FROM pages WHERE blank = 0 AND id NOT IN (SELECT page_id FROM draft_pages)"),
        0,
        "every written page is in a draft"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM drafts"),
        6,
        "one draft per letter, none twice"
    );
    let v = run(&data, &["journal", "verify", "--full"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
}

#[test]
fn quarantined_files_are_listed_and_retried() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = copy_of_fixture(tmp.path());
    let list = json_lines(&run(&data, &["quarantine", "list", "--json"]));
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["original_name"], "broken-scan.png");
    assert!(list[0]["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(list[0]["retries"], 0);
    let id = list[0]["id"].to_string();
    let o = run(&data, &["quarantine", "retry", &id]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text(&o).contains("stored"), "{}", text(&o));
    // Ingest without paths does the opening's unfinished work: the file fails again.
    let opening = list[0]["opening_id"].to_string();
    let o = run(&data, &["ingest", "--opening", &opening, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let sum: Value = serde_json::from_slice(&o.stdout).expect("summary");
    assert_eq!(sum["quarantined"], 1);
    assert_eq!(sum["drafts_new"], 0);
    let list = json_lines(&run(&data, &["quarantine", "list", "--json"]));
    assert_eq!(list[0]["retries"], 1);
    let v = run(&data, &["journal", "verify"]);
    assert_eq!(v.status.code(), Some(0));
}
