//! The register through the real binary: opening → ingest → drafts → approve → journal,
//! idempotent re-ingest, quarantine, tamper detection, backup/restore, `kill -9` during
//! ingest, users. Real Tesseract and a real SQLite file in temporary data folders.

use crate::{ishenim, ok, root, run, s, stdout, NewOpening};
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

fn new_opening(data: &Path) -> String {
    NewOpening {
        members: "Асанов Бакыт,Токтогулова Айгүл,Иванов Пётр",
        seal_removed: "0041",
        seal_applied: "0042",
        letters: "4",
        at: Some("2026-03-02 10:15"),
    }
    .record(data)
}

fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
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
    let printed: Vec<String> = stdout(&f.approve).lines().map(str::to_string).collect();
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
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
    assert!(stdout(&v).contains(&format!("serial {y}-0004")));

    // Nothing pending any more; approving again registers nothing.
    let again = run(&f.data, &["drafts", "approve", "--all"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).trim().is_empty());
    let table = stdout(&run(&f.data, &["journal", "list"]));
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
    let out = stdout(&f.first);
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
    let verify = stdout(&run(&f.data, &["journal", "verify"]));
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
    assert!(stdout(&o).contains(&hash));

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
        stdout(&ok)
    );
    let head = stdout(&ok)
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
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(
        stdout(&v).contains(&format!("serial {y}-0002")),
        "names the row: {}",
        stdout(&v)
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
        stdout(&v)
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
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("BROKEN"), "{}", stdout(&v));
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
    assert!(stdout(&o).contains("4 entries"), "{}", stdout(&o));
    let restored = tmp.path().join("restored");
    let o = run(&restored, &["restore", s(&archive)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = run(&restored, &["journal", "verify", "--full"]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
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
    assert!(stdout(&o).contains("moved to"));
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
        let mut child = crate::spawn_quiet(&root(), &args);
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
        stdout(&o)
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
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
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
    assert!(stdout(&o).contains("stored"), "{}", stdout(&o));
    // Ingest without paths does the opening's unfinished work: the file fails again.
    let opening = list[0]["opening_id"].to_string();
    let o = run(&data, &["ingest", "--opening", &opening, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let sum: Value = serde_json::from_slice(&o.stdout).expect("summary");
    assert_eq!(sum["quarantined"], 1);
    assert_eq!(sum["drafts_new"], 0);
    let list = json_lines(&run(&data, &["quarantine", "list", "--json"]));
    assert_eq!(list[0]["retries"], 1);
    let v = run(&data, &["journal", "verify"]);
    assert_eq!(v.status.code(), Some(0));
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn entry(data: &Path, serial: &str) -> Value {
    let o = run(data, &["journal", "show", serial, "--json"]);
    let v: Value = serde_json::from_str(&ok(&o)).expect("show --json");
    v["entry"].clone()
}

#[test]
fn amendments_and_follow_up_are_chained_shown_and_in_the_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = copy_of_fixture(tmp.path());
    let serial = format!("{}-0001", year());
    let sr = serial.as_str();
    let before = entry(&data, sr);
    let old_brief = before["brief"].as_str().expect("brief").to_string();

    let new_brief = "Көчөдөгү жарык иштебейт (оңдолгон)";
    let o = run(
        &data,
        &[
            "--user",
            "reviewer2",
            "journal",
            "amend",
            sr,
            "--field",
            "brief",
            "--value",
            new_brief,
            "--reason",
            "OCR туура эмес окуду",
        ],
    );
    assert!(ok(&o).contains("→"), "{}", stdout(&o));
    let o = run(
        &data,
        &[
            "journal",
            "amend",
            sr,
            "--field",
            "box-date",
            "--value",
            "01.03.2026",
            "--reason",
            "кутуча 1-мартта ачылган",
        ],
    );
    ok(&o);
    let after = entry(&data, sr);
    assert_eq!(after["brief"], new_brief, "show reads the amended value");
    assert_eq!(after["box_date"], "2026-03-01");
    assert_eq!(after["amendments"], 2);
    let human = ok(&run(&data, &["journal", "show", sr]));
    assert!(human.contains(new_brief), "{human}");
    assert!(human.contains("01.03.2026"), "dates dd.mm.yyyy: {human}");

    // Follow-up columns as dated events.
    ok(&run(
        &data,
        &["journal", "assign", sr, "--official", "Асанов Бакыт"],
    ));
    assert_eq!(entry(&data, sr)["status"], "assigned");
    ok(&run(
        &data,
        &["journal", "measures", sr, "--text", "Электрик жиберилди"],
    ));
    let deadline = date(before["deadline"].as_str().expect("deadline"));
    let o = ok(&run(
        &data,
        &[
            "journal",
            "extend",
            sr,
            "--days",
            "10",
            "--reason",
            "текшерүү созулду",
        ],
    ));
    assert!(o.contains("extended"), "{o}");
    let extended = date(entry(&data, sr)["deadline"].as_str().expect("deadline"));
    assert!(extended >= deadline + chrono::Days::new(10), "{extended}");
    ok(&run(
        &data,
        &[
            "journal",
            "reply",
            sr,
            "--number",
            "12-34",
            "--date",
            "2026-03-20",
        ],
    ));
    let e = entry(&data, sr);
    assert_eq!(e["status"], "answered");
    assert_eq!(e["reply_no"], "12-34");
    assert_eq!(e["reply_date"], "2026-03-20");
    assert_eq!(e["official"], "Асанов Бакыт");
    assert_eq!(e["measures"][0], "Электрик жиберилди");
    ok(&run(
        &data,
        &[
            "journal",
            "status",
            sr,
            "--set",
            "closed",
            "--reason",
            "чечилди",
        ],
    ));
    assert_eq!(entry(&data, sr)["status"], "closed");

    // Refusals: exit 2, nothing appended.
    for bad in [
        vec![
            "journal", "amend", sr, "--field", "serial", "--value", "x", "--reason", "r",
        ],
        vec![
            "journal", "amend", sr, "--field", "brief", "--value", new_brief, "--reason", "r",
        ],
        vec![
            "journal", "amend", sr, "--field", "brief", "--value", "x", "--reason", " ",
        ],
        vec!["journal", "status", sr, "--set", "closed"],
        vec!["journal", "status", sr, "--set", "lost"],
        vec!["journal", "extend", sr, "--days", "0", "--reason", "r"],
        vec![
            "journal",
            "reply",
            sr,
            "--number",
            "1",
            "--date",
            "2026-02-30",
        ],
        vec!["journal", "assign", "2026-9999", "--official", "X"],
    ] {
        let o = run(&data, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?} refused: {}", stdout(&o));
    }

    // History, old → new with reasons, in chain order.
    let h = ok(&run(&data, &["journal", "history", sr]));
    assert!(
        h.contains(&format!("brief «{old_brief}» → «{new_brief}»"))
            && h.contains("OCR туура эмес окуду")
            && h.contains("reviewer2"),
        "{h}"
    );
    assert!(h.contains("box_date «2026-03-02» → «2026-03-01»"), "{h}");
    assert!(h.contains("status registered → assigned"), "{h}");
    assert!(h.contains("status «answered» → «closed»"), "{h}");
    assert!(h.contains("chain head"), "{h}");
    let items = json_lines(&run(&data, &["journal", "history", sr, "--json"]));
    assert_eq!(items.len(), 7, "{items:?}");
    let seqs: Vec<i64> = items
        .iter()
        .map(|i| i["seq"].as_i64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "chain order: {seqs:?}"
    );
    assert_eq!(items[0]["type"], "amendment");
    assert_eq!(items[0]["old"], old_brief.as_str());
    assert_eq!(items[0]["new"], new_brief);
    assert_eq!(items[0]["reason"], "OCR туура эмес окуду");
    let kinds: Vec<&str> = items[2..]
        .iter()
        .map(|i| i["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["assign", "measures", "extend", "reply", "status"]);

    // The chain covers the 4 entries, 2 amendments and 5 events, and still verifies.
    let v = ok(&run(&data, &["journal", "verify", "--full"]));
    assert!(v.contains("11 rows checked"), "{v}");
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let actions: Vec<String> = db
        .prepare("SELECT action FROM audit ORDER BY id")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("audit");
    for a in [
        "amend",
        "assign",
        "measures",
        "extend",
        "reply",
        "status",
        "view_history",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
    // Tampering with an amendment is named by verify.
    db.execute_batch(
        "DROP TRIGGER IF EXISTS amendments_no_update;
         UPDATE amendments SET reason = 'подделка' WHERE id = 1;",
    )
    .expect("tamper");
    let v = run(&data, &["journal", "verify"]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("amendment 1"), "{}", stdout(&v));
}

#[test]
fn due_soon_and_overdue_follow_the_deadline_and_the_calendar() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = copy_of_fixture(tmp.path());
    let y = year();
    let list = json_lines(&run(&data, &["journal", "list", "--json"]));
    let d = date(list[0]["deadline"].as_str().expect("deadline"));
    assert!(
        list.iter().all(|e| e["deadline"] == list[0]["deadline"]),
        "approved together, same deadline"
    );
    let iso = |x: chrono::NaiveDate| x.format("%Y-%m-%d").to_string();
    let day = |n: i64| d + chrono::Duration::days(n);
    let serials = |o: &Output| -> Vec<String> {
        json_lines(o)
            .iter()
            .map(|e| e["serial"].as_str().expect("serial").to_string())
            .collect()
    };
    // The third appeal is closed: no deadline applies any more.
    ok(&run(
        &data,
        &["journal", "status", &format!("{y}-0003"), "--set", "closed"],
    ));
    let open: Vec<String> = [1, 2, 4].iter().map(|n| format!("{y}-{n:04}")).collect();

    let o = run(
        &data,
        &["journal", "overdue", "--json", "--today", &iso(day(1))],
    );
    assert_eq!(serials(&o), open, "{}", stdout(&o));
    assert!(json_lines(&o).iter().all(|e| e["days_left"] == -1));
    let o = run(&data, &["journal", "overdue", "--json", "--today", &iso(d)]);
    assert!(serials(&o).is_empty(), "due today is not overdue yet");
    let o = run(
        &data,
        &[
            "journal",
            "due",
            "--days",
            "3",
            "--json",
            "--today",
            &iso(day(-3)),
        ],
    );
    assert_eq!(serials(&o), open);
    assert!(json_lines(&o).iter().all(|e| e["days_left"] == 3));
    let o = run(
        &data,
        &[
            "journal",
            "due",
            "--days",
            "3",
            "--json",
            "--today",
            &iso(day(-4)),
        ],
    );
    assert!(serials(&o).is_empty());
    // Today (real clock): registered today, so nothing overdue and all due within a month.
    assert!(serials(&run(&data, &["journal", "overdue", "--json"])).is_empty());
    assert_eq!(
        serials(&run(&data, &["journal", "due", "--days", "40", "--json"])),
        open
    );
    let human = ok(&run(
        &data,
        &[
            "journal",
            "overdue",
            "--today",
            &d.format("%d.%m.%Y").to_string(),
        ],
    ));
    assert!(human.contains("0 entries overdue"), "{human}");
    let human = ok(&run(
        &data,
        &["journal", "overdue", "--today", &iso(day(5))],
    ));
    assert!(
        human.contains(&d.format("%d.%m.%Y").to_string()) && human.contains("3 entries overdue"),
        "{human}"
    );

    // The admin's calendar moves an extended deadline: days 10..12 after the deadline are
    // holidays by decree, day 13 a working day by decree.
    for n in 10..=12 {
        ok(&run(
            &data,
            &[
                "calendar",
                "add",
                &iso(day(n)),
                "--kind",
                "holiday",
                "--note",
                "токтом №1",
            ],
        ));
    }
    ok(&run(
        &data,
        &[
            "calendar",
            "add",
            &day(13).format("%d.%m.%Y").to_string(),
            "--kind",
            "workday",
        ],
    ));
    let s1 = format!("{y}-0001");
    ok(&run(
        &data,
        &[
            "journal",
            "extend",
            &s1,
            "--days",
            "10",
            "--reason",
            "суроо жиберилди",
        ],
    ));
    assert_eq!(entry(&data, &s1)["deadline"], iso(day(13)));
    let o = run(
        &data,
        &["journal", "overdue", "--json", "--today", &iso(day(1))],
    );
    assert_eq!(
        serials(&o),
        open[1..],
        "the extended appeal is no longer overdue"
    );

    let cal_year = day(13).format("%Y").to_string();
    let cal = json_lines(&run(
        &data,
        &["calendar", "list", "--year", &cal_year, "--json"],
    ));
    let marked: Vec<&Value> = cal.iter().filter(|c| c["source"] == "admin").collect();
    assert!(!marked.is_empty(), "{cal:?}");
    let w = cal
        .iter()
        .find(|c| c["date"] == iso(day(13)).as_str())
        .expect("the workday mark");
    assert_eq!(w["kind"], "workday");
    assert_eq!(w["working"], true);
    assert!(cal.iter().any(
        |c| c["source"] == "fixed" && c["note"].as_str().is_some_and(|n| n.contains("Нооруз"))
    ));
    let human = ok(&run(&data, &["calendar", "list", "--year", &cal_year]));
    assert!(
        human.contains(&day(13).format("%d.%m.%Y").to_string()),
        "{human}"
    );
    ok(&run(&data, &["calendar", "remove", &iso(day(13))]));
    let o = run(&data, &["calendar", "remove", &iso(day(13))]);
    assert_eq!(o.status.code(), Some(2), "nothing to remove");
    let o = run(
        &data,
        &["calendar", "add", "2026-13-01", "--kind", "holiday"],
    );
    assert_eq!(o.status.code(), Some(2), "bad date");
    let o = run(
        &data,
        &["calendar", "add", "2026-05-02", "--kind", "weekend"],
    );
    assert_eq!(o.status.code(), Some(2), "bad kind");
    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'calendar'",
            [],
            |r| r.get(0),
        )
        .expect("audit");
    assert_eq!(n, 5, "calendar changes audited");
    ok(&run(&data, &["journal", "verify"]));
}
