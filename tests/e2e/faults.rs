//! Fault tests: the real binary meets a full disk, a database locked by another process, a
//! stored original that has gone, and `kill -9` of the web server in the middle of
//! approvals. Each fault must end with a clear message (ids and causes, no appeal text), no
//! partial entry, a journal whose serials have no gaps, and a register that verifies — and
//! the work must go on once the fault is gone.
//!
//! The full disk is a small tmpfs mounted for the test (root only; CI runs as root). When
//! the tests do not run as root, or the sandbox refuses the mount, the disk-full test says
//! so (SKIPPED on stderr) and does nothing.

use crate::browser::{add_user, Server};
use crate::{command, ishenim, root, run, s, stderr, stdout, NewOpening};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// A new opening in `data`; returns its id.
fn new_opening(data: &Path) -> String {
    NewOpening {
        members: "Асанов Б.,Осмонова Г.",
        seal_removed: "3001",
        seal_applied: "3002",
        letters: "16",
        at: Some("2026-03-02 10:15"),
    }
    .record(data)
}

fn run_as(data: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["--data", s(data), "--user", user];
    all.extend_from_slice(args);
    ishenim(&root(), &all)
}

/// Copies of the small fax samples (fast to read), `copies` of each, with unique bytes
/// after the image's end so that every copy is a file of its own.
fn fax_batch(dir: &Path, copies: usize) -> usize {
    std::fs::create_dir_all(dir).expect("mkdir");
    let faxes = ["L002p1.tif", "L005p1.tif", "L008p1.tif", "L019p1.tif"];
    let mut n = 0;
    for c in 0..copies {
        for f in faxes {
            let mut b = std::fs::read(root().join("samples").join(f)).expect("sample");
            b.extend_from_slice(format!("\nishenim-fault-test copy {c}\n").as_bytes());
            std::fs::write(dir.join(format!("c{c}-{f}")), b).expect("write");
            n += 1;
        }
    }
    n
}

fn ingest(data: &Path, opening: &str, batch: &Path) -> Output {
    run(
        data,
        &[
            "ingest",
            "--opening",
            opening,
            "--jobs",
            "2",
            "--json",
            s(batch),
        ],
    )
}

fn db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("open database")
}

fn count(data: &Path, sql: &str) -> i64 {
    db(data)
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn pending_ids(data: &Path) -> Vec<i64> {
    let c = db(data);
    let mut st = c
        .prepare("SELECT id FROM drafts WHERE status = 'pending' ORDER BY id")
        .expect("prepare");
    let ids = st
        .query_map([], |r| r.get(0))
        .and_then(|r| r.collect::<Result<Vec<i64>, _>>())
        .expect("ids");
    ids
}

/// Every invariant of a register after a fault: integrity, chain, originals, serials
/// 1..N without gaps, one entry per approved draft and no approved draft without entry,
/// files whose status says "read" have their pages and the others have none.
fn assert_register_sound(data: &Path) {
    let o = run(data, &["journal", "verify", "--full"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "journal verify --full: {} {}",
        stdout(&o),
        stderr(&o)
    );
    let c = db(data);
    let mut st = c
        .prepare("SELECT year, number FROM entries ORDER BY year, number")
        .expect("prepare");
    let serials: Vec<(i64, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect())
        .expect("serials");
    let mut by_year: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for (y, n) in serials {
        by_year.entry(y).or_default().push(n);
    }
    for (y, ns) in by_year {
        let want: Vec<i64> = (1..=ns.len() as i64).collect();
        assert_eq!(ns, want, "serials of {y} are 1..N without gaps");
    }
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(
        q("SELECT COUNT(*) FROM drafts WHERE status = 'approved'"),
        q("SELECT COUNT(*) FROM entries"),
        "one entry per approved draft"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM entries e JOIN drafts d ON d.id = e.draft_id WHERE d.status <> 'approved'"),
        0,
        "no entry of a draft that is not approved"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM files f WHERE f.status = 'stored' AND EXISTS (SELECT 1 FROM pages p WHERE p.file_id = f.id)"),
        0,
        "a file not yet read has no pages (no half-saved file)"
    );
    assert_eq!(
        q("SELECT COUNT(*) FROM files f WHERE f.status IN ('scanned', 'drafted') AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.file_id = f.id)"),
        0,
        "a read file has its pages"
    );
}

// ---------------------------------------------------------------------------------------
// (a) A full disk.

/// A tmpfs mounted on a temporary folder for the life of the value.
struct Tmpfs {
    dir: PathBuf,
    _parent: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts `size` (e.g. `"2m"`); `None` (with a note) when not root.
    fn mount(size: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let euid = unsafe { libc::geteuid() };
        if euid != 0 {
            eprintln!(
                "SKIPPED disk-full test: mounting a small tmpfs needs root (euid {euid}); CI runs as root"
            );
            return None;
        }
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("disk");
        std::fs::create_dir(&dir).expect("mkdir");
        let o = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                s(&dir),
            ])
            .output();
        // A sandbox without CAP_SYS_ADMIN cannot mount: say so loudly instead of failing
        // the whole suite on the environment (the other fault tests still run).
        match o {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                eprintln!(
                    "SKIPPED disk-full test: `mount -t tmpfs` failed (no CAP_SYS_ADMIN?): {}",
                    stderr(&o)
                );
                return None;
            }
            Err(e) => {
                eprintln!("SKIPPED disk-full test: cannot run mount: {e}");
                return None;
            }
        }
        Some(Tmpfs {
            dir,
            _parent: parent,
        })
    }

    fn resize(&self, size: &str) {
        let o = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}"), s(&self.dir)])
            .output()
            .expect("remount");
        assert!(o.status.success(), "remount: {}", stderr(&o));
    }

    /// Fills the file system to the last block with `filler`, leaving `keep` bytes free
    /// (rounded to blocks); returns the filler's path.
    fn fill(&self, keep: usize) -> PathBuf {
        let reserve = self.dir.join("reserve");
        if keep > 0 {
            std::fs::write(&reserve, vec![0u8; keep]).expect("reserve");
        }
        let path = self.dir.join("filler");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .expect("filler");
        for chunk in [1 << 20, 64 << 10, 4 << 10, 512] {
            let buf = vec![0u8; chunk];
            while f.write_all(&buf).is_ok() {}
        }
        drop(f);
        if keep > 0 {
            std::fs::remove_file(&reserve).expect("free the reserve");
        }
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .args(["-l", s(&self.dir)])
            .status();
    }
}

/// The store's own words for a full disk (in English, Kyrgyz and Russian), not SQLite's
/// "disk I/O error".
fn disk_full_message(text: &str) -> bool {
    text.contains("the disk holding the register is full") && text.contains("диск заполнен")
}

#[test]
fn disk_full_while_storing_scanning_and_approving_fails_cleanly_and_the_work_resumes() {
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let data = disk.dir.join("data");
    let opening = new_opening(&data);
    // The whole samples folder (3.5 MB) does not fit on 2 MB: the store stage fails.
    let batch = root().join("samples");
    let inputs = 16;
    let o = ingest(&data, &opening, &batch);
    assert_eq!(o.status.code(), Some(2), "{} {}", stdout(&o), stderr(&o));
    assert!(
        disk_full_message(&stderr(&o)) && stderr(&o).contains("storing"),
        "says which step and that the disk is full: {}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let stored = count(&data, "SELECT COUNT(*) FROM files");
    assert!(stored > 0 && stored < inputs, "{stored} files stored");
    disk.resize("64m");
    assert_register_sound(&data);

    // The disk fills up while pages are being read: saving a file's pages fails whole.
    let mut child = command(
        &root(),
        [
            "--data",
            s(&data),
            "ingest",
            "--opening",
            &opening,
            "--jobs",
            "2",
            "--json",
            s(&batch),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("ingest");
    let t = Instant::now();
    loop {
        let scanned = db(&data)
            .query_row(
                "SELECT COUNT(*) FROM files WHERE status IN ('scanned', 'drafted', 'quarantined')",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0);
        if scanned > 0 {
            break;
        }
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "ingest ended before the first file was read"
        );
        assert!(t.elapsed() < Duration::from_secs(120), "no file read");
        std::thread::sleep(Duration::from_millis(20));
    }
    let filler = disk.fill(0);
    let o = child.wait_with_output().expect("ingest");
    assert_ne!(
        o.status.code(),
        Some(0),
        "the ingest cannot finish on a full disk"
    );
    assert!(
        disk_full_message(&stderr(&o)),
        "says the disk is full: {}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    std::fs::remove_file(&filler).expect("free the disk");
    assert_register_sound(&data);
    let read = count(
        &data,
        "SELECT COUNT(*) FROM files WHERE status IN ('scanned', 'drafted', 'quarantined')",
    );
    assert!(read < inputs, "the fault hit before the end ({read} read)");

    // With space again the same command finishes the job: nothing lost, nothing twice.
    let o = ingest(&data, &opening, &batch);
    assert_eq!(o.status.code(), Some(0), "{} {}", stdout(&o), stderr(&o));
    assert_eq!(count(&data, "SELECT COUNT(*) FROM files"), inputs);
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM files WHERE status = 'drafted'"),
        inputs,
        "every file read and drafted"
    );
    assert_register_sound(&data);
    let drafts = pending_ids(&data);
    assert!(drafts.len() >= 10, "{} drafts", drafts.len());

    // Approval on a full disk: refused with the reason, no entry, no number used.
    let filler = disk.fill(0);
    let o = run_as(&data, "rev1", &["drafts", "approve", "--all"]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).trim().is_empty(),
        "no serial printed: {}",
        stdout(&o)
    );
    assert!(
        disk_full_message(&stderr(&o)),
        "says the disk is full: {}",
        stderr(&o)
    );
    std::fs::remove_file(&filler).expect("free");
    assert_eq!(count(&data, "SELECT COUNT(*) FROM entries"), 0);
    assert_register_sound(&data);

    // Almost full: one approval per process until the disk runs out in the middle of a
    // transaction (an open connection keeps the write-ahead log, which grows with each
    // approval). Every serial printed is in the journal; the one that failed left nothing.
    let watcher = db(&data);
    let _: i64 = watcher
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .expect("watch");
    let filler = disk.fill(160 << 10);
    let mut printed = Vec::new();
    let mut failure = None;
    for id in &drafts {
        let o = run_as(&data, "rev1", &["drafts", "approve", &id.to_string()]);
        if o.status.code() == Some(0) {
            printed.push((*id, stdout(&o).trim().to_string()));
        } else {
            failure = Some((*id, stderr(&o)));
            break;
        }
    }
    std::fs::remove_file(&filler).expect("free");
    drop(watcher);
    eprintln!(
        "almost full disk: {} approvals went through, then {:?}",
        printed.len(),
        failure.as_ref().map(|f| f.1.trim())
    );
    assert!(
        failure.is_some(),
        "160 KiB cannot hold {} approvals",
        drafts.len()
    );
    if let Some((id, msg)) = &failure {
        assert!(disk_full_message(msg), "says the disk is full: {msg}");
        assert_eq!(
            count(
                &data,
                &format!("SELECT COUNT(*) FROM drafts WHERE id = {id} AND status = 'pending'")
            ),
            1,
            "the failed draft is still pending"
        );
    }
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM entries") as usize,
        printed.len()
    );
    for (id, serial) in &printed {
        let number: i64 = serial
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("serial");
        assert_eq!(
            count(
                &data,
                &format!(
                    "SELECT COUNT(*) FROM entries WHERE draft_id = {id} AND number = {number}"
                )
            ),
            1,
            "acknowledged {serial} is there"
        );
    }
    assert_register_sound(&data);
    let o = run_as(&data, "rev1", &["drafts", "approve", "--all"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM entries") as usize,
        drafts.len()
    );
    assert_register_sound(&data);
    drop(tmp);
}

// ---------------------------------------------------------------------------------------
// (b) The database locked by another process.

/// Holds SQLite's write lock from this process (as another program would) until dropped.
fn hold_write_lock(data: &Path) -> rusqlite::Connection {
    let c = db(data);
    c.execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    c
}

#[test]
fn a_locked_database_makes_approval_wait_then_fail_clearly_without_a_partial_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let batch = tmp.path().join("batch");
    fax_batch(&batch, 1);
    let opening = new_opening(&data);
    let o = ingest(&data, &opening, &batch);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let drafts = pending_ids(&data);
    assert!(drafts.len() >= 2, "{drafts:?}");

    // Held for longer than the busy timeout (30 s): a clear message, non-zero exit, no entry.
    let lock = hold_write_lock(&data);
    let o = run_as(&data, "rev1", &["drafts", "approve", "--all"]);
    drop(lock);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).trim().is_empty(),
        "no serial printed: {}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("busy") && stderr(&o).contains("try again"),
        "tells what happened and what to do: {}",
        stderr(&o)
    );
    assert_eq!(count(&data, "SELECT COUNT(*) FROM entries"), 0);
    assert_eq!(pending_ids(&data), drafts, "every draft still pending");
    assert_register_sound(&data);

    // Held for a moment: the approval waits for it and goes through with serial 1.
    let lock = hold_write_lock(&data);
    let mut child = command(
        &root(),
        [
            "--data",
            s(&data),
            "--user",
            "rev1",
            "drafts",
            "approve",
            &drafts[0].to_string(),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("approve");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "the approval waits while the lock is held"
    );
    assert_eq!(count(&data, "SELECT COUNT(*) FROM entries"), 0);
    drop(lock);
    let o = child.wait_with_output().expect("approve");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).trim().ends_with("-0001"), "{}", stdout(&o));
    assert_register_sound(&data);
}

// ---------------------------------------------------------------------------------------
// (c) A stored original missing.

const PASSWORD: &str = "fault-test-password";

/// `ishenim serve` on the register in `data`, its log appended to `log` (a restarted
/// server writes on where the killed one stopped).
fn serve(data: &Path, log: &Path) -> Server {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log");
    Server::start(&root(), data, &["--jobs", "1"], log)
}

/// One HTTP/1.1 exchange (`Connection: close`): status, headers (lower-case names), body.
struct Http {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| {
                let (k, val) = v.split(';').next()?.split_once('=')?;
                (k == name && !val.is_empty()).then(|| val.to_string())
            })
    }
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Http> {
    let mut c = TcpStream::connect(("127.0.0.1", port))?;
    c.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if !body.is_empty() {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    c.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    c.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut r = rest;
        while let Some((size, tail)) = r.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || tail.len() < n {
                break;
            }
            out.push_str(&tail[..n]);
            r = tail[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        rest.to_string()
    };
    Ok(Http {
        status,
        headers,
        body,
    })
}

/// A signed-in session: (cookie header, CSRF token).
fn web_login(port: u16, login: &str) -> (String, String) {
    let page = http(port, "GET", "/login", "", &[], "").expect("login page");
    let pre = page.cookie("ishenim_pre").expect("pre cookie");
    let form = format!("login={login}&password={PASSWORD}&pre={pre}");
    let r = http(
        port,
        "POST",
        "/login",
        &format!("ishenim_pre={pre}"),
        &[],
        &form,
    )
    .expect("login");
    assert_eq!(r.status, 303, "login {login}: {}", r.body);
    let sid = r.cookie("ishenim_sid").expect("session cookie");
    let cookie = format!("ishenim_sid={sid}");
    let start = r.header("location").unwrap_or("/").to_string();
    let page = http(port, "GET", &start, &cookie, &[], "").expect("start page");
    let csrf = page
        .body
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    (cookie, csrf)
}

#[test]
fn a_missing_original_is_named_by_verify_and_doctor_and_nothing_else_breaks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let batch = tmp.path().join("batch");
    fax_batch(&batch, 1);
    let opening = new_opening(&data);
    let o = ingest(&data, &opening, &batch);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let drafts = pending_ids(&data);
    let o = run_as(
        &data,
        "rev1",
        &["drafts", "approve", &drafts[0].to_string()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let serial = stdout(&o).trim().to_string();

    // The original of the registered letter's first page goes missing.
    let (file_id, sha, name, page): (i64, String, String, i64) = db(&data)
        .query_row(
            "SELECT f.id, f.sha256, f.original_name, p.id FROM entries e
             JOIN pages p ON p.id = json_extract(e.page_ids, '$[0]')
             JOIN files f ON f.id = p.file_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("original of the entry");
    let blob = data.join("files").join(&sha[..2]).join(&sha);
    std::fs::remove_file(&blob).expect("delete the original");

    let o = run(&data, &["journal", "verify", "--full"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("ORIGINAL MISSING OR DAMAGED: file {file_id}")),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("journal ok"),
        "the chain itself is fine: {}",
        stdout(&o)
    );
    let o = run(&data, &["doctor", "--json"]);
    let report: Value = serde_json::from_slice(&o.stdout).expect("doctor json");
    let blobs = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "blobs")
        .expect("blobs check");
    assert_eq!(blobs["status"], "fail", "{blobs}");
    assert!(
        blobs["detail"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("file {file_id}")),
        "{blobs}"
    );
    assert_eq!(o.status.code(), Some(2), "doctor fails");

    // Everything else works: the journal, the entry, approving the other letters.
    let o = run(&data, &["journal", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&data, &["journal", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&data, &["journal", "show", &serial]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_as(&data, "rev1", &["drafts", "approve", "--all"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // The web server shows the entry; only its page image fails, and the server goes on.
    add_user(&data, "rev1", "reviewer", PASSWORD);
    let log = tmp.path().join("serve.log");
    let server = serve(&data, &log);
    let port = server.port;
    let (cookie, _) = web_login(port, "rev1");
    let entry = http(port, "GET", &format!("/journal/{serial}"), &cookie, &[], "").expect("entry");
    assert_eq!(entry.status, 200);
    let img = http(
        port,
        "GET",
        &format!("/pages/{page}/image?w=900"),
        &cookie,
        &[],
        "",
    )
    .expect("image");
    assert!(
        img.status == 404 || img.status == 500,
        "an error page, not a crash: {}",
        img.status
    );
    assert!(
        !img.body.contains(&sha) && !img.body.contains("files/"),
        "no path in the page"
    );
    let list = http(port, "GET", "/journal", &cookie, &[], "").expect("journal");
    assert_eq!(list.status, 200, "the server goes on");
    drop(server);
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(
        log.contains(&format!("/pages/{page}/image")),
        "the failure is in the log"
    );

    // Giving the same file again puts the original back.
    let o = ingest(&data, &opening, &batch.join(&name));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(blob.exists(), "the original is restored from the same file");
    assert_register_sound(&data);
}

// ---------------------------------------------------------------------------------------
// (d) kill -9 of the web server during approvals.

#[test]
fn kill_9_of_the_server_during_http_approvals_loses_no_acknowledged_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let batch = tmp.path().join("batch");
    fax_batch(&batch, 3);
    let opening = new_opening(&data);
    let o = ingest(&data, &opening, &batch);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let drafts = pending_ids(&data);
    assert!(drafts.len() >= 8, "{} drafts", drafts.len());
    add_user(&data, "rev1", "reviewer", PASSWORD);
    let log = tmp.path().join("serve.log");

    // Three reviewers' tabs approve in parallel; the server is killed after a few answers,
    // with requests still in flight; restarted; killed again; then the rest is approved.
    let mut acked: Vec<(i64, String)> = Vec::new();
    let mut kills = 0;
    for kill_after in [3usize, 4, usize::MAX] {
        let mut server = serve(&data, &log);
        let port = server.port;
        let (cookie, csrf) = web_login(port, "rev1");
        let todo = pending_ids(&data);
        let (tx, rx) = std::sync::mpsc::channel::<(i64, Result<Http, String>)>();
        let mut tabs = Vec::new();
        for t in 0..3 {
            let mine: Vec<i64> = todo.iter().skip(t).step_by(3).copied().collect();
            let (tx, cookie, csrf) = (tx.clone(), cookie.clone(), csrf.clone());
            tabs.push(std::thread::spawn(move || {
                for id in mine {
                    let form = format!(
                        "csrf={csrf}&applicant_name=%D0%90%D1%81%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0&brief=%D0%96%D0%B5%D1%80&category=land"
                    );
                    let r = http(
                        port,
                        "POST",
                        &format!("/queue/{id}/approve"),
                        &cookie,
                        &[("x-fragment", "1")],
                        &form,
                    )
                    .map_err(|e| e.to_string());
                    let dead = r.is_err();
                    if tx.send((id, r)).is_err() || dead {
                        return;
                    }
                }
            }));
        }
        drop(tx);
        let mut answered = 0;
        let mut killed = false;
        for (id, r) in rx.iter() {
            match r {
                Ok(h) if h.status == 200 => {
                    let v: Value = serde_json::from_str(&h.body).expect("json");
                    acked.push((id, v["serial"].as_str().expect("serial").to_string()));
                    answered += 1;
                }
                Ok(h) => panic!("approval of draft {id}: {} {}", h.status, h.body),
                Err(_) => {} // in flight when the server died
            }
            if !killed && answered >= kill_after {
                killed = true;
                server.child.0.kill().expect("SIGKILL");
                let st = server.child.0.wait().expect("wait");
                assert_eq!(std::os::unix::process::ExitStatusExt::signal(&st), Some(9));
                kills += 1;
            }
        }
        for t in tabs {
            t.join().expect("tab");
        }
        drop(server);
        assert_register_sound(&data);
    }
    assert_eq!(kills, 2, "two kills landed");
    assert!(
        pending_ids(&data).is_empty(),
        "everything approved in the end"
    );
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM entries") as usize,
        drafts.len()
    );
    for (id, serial) in &acked {
        let number: i64 = serial
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("serial");
        assert_eq!(
            count(
                &data,
                &format!(
                    "SELECT COUNT(*) FROM entries WHERE draft_id = {id} AND number = {number}"
                )
            ),
            1,
            "acknowledged {serial} (draft {id}) is in the journal"
        );
    }
    assert_register_sound(&data);
}
