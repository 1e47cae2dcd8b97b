//! The crash test at full scale: `kill -9` of `ishenim ingest` at 20 random instants
//! of a 200-page batch, then a rerun to completion. Nothing may be lost or duplicated.
//!
//! The 200 files are the single-page image samples, copied round-robin with a few unique
//! bytes appended after the end of the image (decoders stop at the image's end marker), so
//! every file has its own SHA-256 and is stored, scanned and drafted on its own.
//!
//! The kill instants come from a seeded generator (printed; set `ISHENIM_CRASH_SEED` to
//! replay one): 0.5–8 s after each spawn, so early rounds die while storing and later ones
//! while scanning (about 0.7 s a page on two cores, so 20 kills land well inside the scan).
//! One more run is then killed just after its scan stage, while it drafts; the final rerun
//! completes. Where the process actually is at each instant depends on the machine; the
//! checks do not.

use crate::{ishenim, root, NewOpening};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PAGES: usize = 200;
const KILLS: usize = 20;
const DEFAULT_SEED: u64 = 0x015E_414D_2026;

/// splitmix64: small, good enough, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn between_ms(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// 200 distinct single-page files in `dir`, named so that folder order is batch order.
fn make_batch(dir: &Path) -> Vec<PathBuf> {
    let mut samples: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "png" | "jpg" | "tif"))
        })
        .collect();
    samples.sort();
    assert!(samples.len() >= 10, "{samples:?}");
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut out = Vec::with_capacity(PAGES);
    for i in 0..PAGES {
        let src = &samples[i % samples.len()];
        let mut bytes = std::fs::read(src).expect("read sample");
        bytes.extend_from_slice(format!("\nishenim-crash-test copy {i:04}\n").as_bytes());
        let name = format!(
            "p{i:03}-{}",
            src.file_name().and_then(|n| n.to_str()).expect("name")
        );
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write copy");
        out.push(p);
    }
    out
}

fn q(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Files stored / scanned-or-drafted / pages / drafts so far (read while nothing runs).
fn progress(data: &Path) -> String {
    let Ok(db) = rusqlite::Connection::open(data.join("ishenim.sqlite3")) else {
        return "no database yet".into();
    };
    let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(-1);
    format!(
        "{} files stored, {} scanned, {} pages, {} drafts",
        count("SELECT COUNT(*) FROM files"),
        count("SELECT COUNT(*) FROM files WHERE status IN ('scanned', 'drafted')"),
        count("SELECT COUNT(*) FROM pages"),
        count("SELECT COUNT(*) FROM drafts")
    )
}

/// Files of the batch whose scan stage is over (read while the ingest runs; WAL readers
/// do not block it).
fn scanned(data: &Path) -> i64 {
    rusqlite::Connection::open(data.join("ishenim.sqlite3"))
        .and_then(|db| {
            db.query_row(
                "SELECT COUNT(*) FROM files WHERE status IN ('scanned', 'drafted', 'quarantined')",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or(0)
}

#[test]
fn kill_9_at_20_random_instants_of_a_200_page_ingest_loses_and_duplicates_nothing() {
    let seed = std::env::var("ISHENIM_CRASH_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_SEED);
    eprintln!("crash test seed: {seed} (replay with ISHENIM_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let started = Instant::now();

    let tmp = tempfile::tempdir().expect("tmp");
    let batch = tmp.path().join("batch");
    let files = make_batch(&batch);
    let data = tmp.path().join("data");
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    let new_opening = NewOpening {
        members: "Асанов Бакыт,Токтогулова Айгүл,Иванов Пётр",
        seal_removed: "0101",
        seal_applied: "0102",
        letters: "200",
        at: Some("2026-03-02 10:15"),
    };
    let data_arg = s(&data);
    let o = ishenim(
        &root(),
        &[&["--data", data_arg.as_str()], &new_opening.args()[..]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let opening = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let args: Vec<String> = vec![
        "--data".into(),
        s(&data),
        "ingest".into(),
        "--opening".into(),
        opening,
        "--jobs".into(),
        "2".into(),
        s(&batch),
    ];

    let mut kills = 0;
    let mut finished_alone = 0;
    let mut round = 0;
    while kills < KILLS {
        round += 1;
        assert!(round <= KILLS * 3, "could not land {KILLS} kills");
        let wait = rng.between_ms(500, 8000);
        let mut child = crate::spawn_quiet(&root(), &args);
        let t = Instant::now();
        let mut exited = None;
        while t.elapsed() < Duration::from_millis(wait) {
            if let Some(st) = child.try_wait().expect("try_wait") {
                exited = Some(st);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        match exited {
            Some(st) => {
                // The batch completed before this instant: nothing left to interrupt.
                finished_alone += 1;
                eprintln!("round {round}: ingest exited by itself ({st}) before {wait} ms");
                break;
            }
            None => {
                child.kill().expect("SIGKILL");
                let st = child.wait().expect("wait");
                assert_eq!(
                    std::os::unix::process::ExitStatusExt::signal(&st),
                    Some(9),
                    "killed by SIGKILL"
                );
                kills += 1;
                eprintln!("round {round}: killed after {wait} ms; {}", progress(&data));
            }
        }
    }
    eprintln!(
        "{kills} kills, {finished_alone} runs finished alone, {:.1} s so far",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(kills, KILLS, "the batch outlasted fewer than {KILLS} kills");

    // One more run, killed once its scan stage is over: inside the drafting stage (or just
    // after it, on a fast machine). It does the scanning the final rerun would do anyway.
    if finished_alone == 0 {
        let delay = rng.between_ms(0, 300);
        let mut child = crate::spawn_quiet(&root(), &args);
        loop {
            if child.try_wait().expect("try_wait").is_some() {
                eprintln!("drafting round: ingest finished before the kill");
                break;
            }
            if scanned(&data) == PAGES as i64 {
                std::thread::sleep(Duration::from_millis(delay));
                let _ = child.kill();
                let st = child.wait().expect("wait");
                eprintln!(
                    "drafting round: {st} {delay} ms after the scan stage; {}",
                    progress(&data)
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    // The rerun finishes the job; a second rerun has nothing left to do.
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.push("--json");
    let o = ishenim(&root(), &all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the rerun completes: {} {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let again: Value = serde_json::from_slice(&ishenim(&root(), &all).stdout).expect("summary");
    assert_eq!(again["stored_new"], 0, "{again}");
    assert_eq!(again["already_stored"], PAGES, "{again}");
    assert_eq!(again["files_scanned"], 0, "{again}");
    assert_eq!(again["drafts_new"], 0, "{again}");
    assert_eq!(again["quarantined"], 0, "{again}");

    let db = rusqlite::Connection::open(data.join("ishenim.sqlite3")).expect("db");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM files") as usize,
        PAGES,
        "every file once"
    );
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM files WHERE status = 'drafted'") as usize,
        PAGES,
        "every file scanned and drafted, none quarantined"
    );
    // Each stored file is one of ours, byte for byte (by name and size).
    let mut st = db
        .prepare("SELECT original_name, size FROM files ORDER BY original_name")
        .expect("prepare");
    let stored: Vec<(String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .expect("files");
    let mut want: Vec<(String, i64)> = files
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .and_then(|n| n.to_str())
                    .expect("name")
                    .to_string(),
                std::fs::metadata(p).expect("meta").len() as i64,
            )
        })
        .collect();
    want.sort();
    assert_eq!(stored, want, "every input stored once, unmodified");
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM pages") as usize,
        PAGES,
        "no page lost or doubled"
    );
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM files WHERE (SELECT COUNT(*) FROM pages p WHERE p.file_id = files.id) <> 1"),
        0,
        "one page per file"
    );
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM pages WHERE blank = 0 AND id NOT IN (SELECT page_id FROM draft_pages)"),
        0,
        "every written page is in a draft"
    );
    assert_eq!(
        q(
            &db,
            "SELECT COUNT(*) FROM drafts WHERE id NOT IN (SELECT draft_id FROM draft_pages)"
        ),
        0,
        "no empty draft"
    );
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM drafts WHERE status <> 'pending'"),
        0,
        "nothing superseded or decided by a crash"
    );
    // No draft twice: a page belongs to one draft (primary key), and no two drafts start
    // on the same page set.
    assert_eq!(
        q(&db, "SELECT COUNT(*) FROM (SELECT g FROM (SELECT group_concat(page_id) AS g FROM (SELECT draft_id, page_id FROM draft_pages ORDER BY draft_id, ord) GROUP BY draft_id) GROUP BY g HAVING COUNT(*) > 1)"),
        0,
        "no draft twice"
    );
    let drafts = q(&db, "SELECT COUNT(*) FROM drafts");
    drop(st);
    drop(db);
    eprintln!("{} after the rerun", progress(&data));

    let o = ishenim(
        &root(),
        &[
            "--data",
            &s(&data),
            "--user",
            "reviewer1",
            "drafts",
            "approve",
            "--all",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let serials = String::from_utf8_lossy(&o.stdout).lines().count() as i64;
    assert_eq!(serials, drafts, "one serial per draft");
    let o = ishenim(
        &root(),
        &["--data", &s(&data), "journal", "verify", "--full"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    eprintln!(
        "crash test done in {:.1} s ({drafts} drafts registered)",
        started.elapsed().as_secs_f64()
    );
}
