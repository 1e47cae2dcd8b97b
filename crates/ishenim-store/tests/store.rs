//! Integration tests on real SQLite files in temp dirs: concurrency (threads and processes),
//! tampering with the triggers dropped, crash/resume, backup/restore.

mod common;

use common::*;
use ishenim_store::{AddFileOutcome, DraftScope, FileStatus, NewDraft, Serial, Store, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CHILD_ENV: &str = "ISHENIM_STORE_TEST_CHILD";

/// Run this test binary again as a child running only `child_entry`.
fn spawn_child(mode: &str) -> std::process::Child {
    let exe = std::env::current_exe().expect("current exe");
    Command::new(exe)
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child")
}

/// Entry point of child processes; does nothing in a normal test run.
#[test]
fn child_entry() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = mode.splitn(3, '|').collect();
    match parts.as_slice() {
        ["approve", dir, k] => child_approve(Path::new(dir), k.parse().expect("k")),
        ["ingest", dir] => child_ingest(Path::new(dir)),
        _ => panic!("bad child mode {mode}"),
    }
}

fn approve_retrying(s: &Store, id: ishenim_store::DraftId, i: usize) -> Option<Serial> {
    loop {
        match s.approve_draft_at(id, "reviewer", &fields(i), at()) {
            Ok(serial) => return Some(serial),
            Err(StoreError::Conflict(_)) => return None,
            Err(StoreError::Busy) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("approve {id}: {e}"),
        }
    }
}

fn child_approve(dir: &Path, k: usize) {
    let s = Store::open(dir).expect("open");
    let ids: Vec<_> = s
        .pending_drafts()
        .expect("pending")
        .iter()
        .map(|d| d.id)
        .collect();
    let n = ids.len();
    for j in 0..n {
        // Child 0 goes up, child 1 goes down: they meet and collide in the middle.
        let i = if k == 0 { j } else { n - 1 - j };
        approve_retrying(&s, ids[i], i);
    }
}

const INGEST_FILES: usize = 200;

fn pages_of(i: usize) -> u32 {
    (i % 3) as u32 + 1
}

/// What `ishenim ingest` does per file, resumable at any point, then approves everything.
fn child_ingest(dir: &Path) {
    let s = Store::open(dir).expect("open");
    let o = match s.list_openings().expect("openings").first() {
        Some(o) => o.id,
        None => s.new_opening(opening()).expect("opening"),
    };
    for i in 0..INGEST_FILES {
        let bytes = format!("letter-{i}").into_bytes();
        let f = s
            .add_file(o, &format!("scan-{i}.pdf"), &bytes)
            .expect("add")
            .id();
        let info = s.get_file(f).expect("get");
        let pages = match info.status {
            FileStatus::Stored => {
                let recs: Vec<_> = (1..=pages_of(i))
                    .map(|p| page(&format!("scan-{i}"), p))
                    .collect();
                s.save_pages(f, &recs).expect("pages")
            }
            FileStatus::Scanned => s
                .pages_of_file(f)
                .expect("pages")
                .iter()
                .map(|p| p.id)
                .collect(),
            FileStatus::Drafted | FileStatus::Quarantined => continue,
        };
        s.save_drafts(
            DraftScope::File(f),
            &[NewDraft {
                page_ids: pages,
                data: draft_json(i),
            }],
        )
        .expect("drafts");
    }
    for d in s.pending_drafts().expect("pending") {
        approve_retrying(&s, d.id, 0);
    }
}

#[test]
fn eight_threads_approve_1000_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let (_o, _f, ids) = bulk_drafts(&s, 1000);
    let ids = Arc::new(ids);
    let won = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for t in 0..8 {
        let (s, ids, won) = (s.clone(), ids.clone(), won.clone());
        handles.push(std::thread::spawn(move || {
            // Every thread tries every draft, starting at a different place.
            let n = ids.len();
            for j in 0..n {
                let i = (j + t * n / 8) % n;
                if approve_retrying(&s, ids[i], i).is_some() {
                    won.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(won.load(Ordering::Relaxed), 1000);
    assert_eq!(numbers(&s, 2026), (1..=1000).collect::<Vec<u32>>());
    let r = s.verify().unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.rows_checked, 1000);
    assert!(s.pending_drafts().unwrap().is_empty());
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn two_processes_approve_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    bulk_drafts(&s, 1000);
    drop(s);
    let d = dir.path().display().to_string();
    let mut a = spawn_child(&format!("approve|{d}|0"));
    let mut b = spawn_child(&format!("approve|{d}|1"));
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(numbers(&s, 2026), (1..=1000).collect::<Vec<u32>>());
    let r = s.verify().unwrap();
    assert!(r.ok, "{r:?}");
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn kill_9_during_ingest_and_approval_then_resume() {
    use rand::Rng;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let mut rng = rand::rng();
    for _round in 0..6 {
        let mut child = spawn_child(&format!("ingest|{d}"));
        std::thread::sleep(Duration::from_millis(rng.random_range(30..700)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let mut last = spawn_child(&format!("ingest|{d}"));
    assert!(last.wait().unwrap().success(), "final ingest run failed");

    let s = Store::open(dir.path()).unwrap();
    assert!(s.integrity_check().unwrap().is_empty());
    let o = s.list_openings().unwrap();
    assert_eq!(o.len(), 1, "the opening was created once");
    let files = s.list_files(o[0].id).unwrap();
    assert_eq!(files.len(), INGEST_FILES, "no file lost or duplicated");
    assert!(files.iter().all(|f| f.status == FileStatus::Drafted));
    let expect_pages: u32 = (0..INGEST_FILES).map(pages_of).sum();
    let pages = s.pages_of_opening(o[0].id).unwrap();
    assert_eq!(
        pages.len() as u32,
        expect_pages,
        "no page lost or duplicated"
    );
    let drafts = s.list_drafts(None).unwrap();
    assert_eq!(drafts.len(), INGEST_FILES, "no draft twice");
    let mut seen = std::collections::HashSet::new();
    for d in &drafts {
        for p in &d.page_ids {
            assert!(seen.insert(*p), "page in two drafts");
        }
    }
    assert_eq!(seen.len() as u32, expect_pages);
    assert_eq!(
        numbers(&s, 2026),
        (1..=INGEST_FILES as u32).collect::<Vec<_>>()
    );
    assert!(s.verify().unwrap().ok);
    assert!(s.check_blobs().unwrap().is_empty());
}

#[test]
fn resume_after_dropping_the_store_mid_batch() {
    let dir = tempfile::tempdir().unwrap();
    let o;
    {
        let s = Store::open(dir.path()).unwrap();
        o = s.new_opening(opening()).unwrap();
        for i in 0..5 {
            let f = s
                .add_file(o, &format!("{i}.jpg"), format!("img{i}").as_bytes())
                .unwrap()
                .id();
            if i < 3 {
                s.save_pages(f, &[page(&i.to_string(), 1)]).unwrap();
            }
        }
        // "Crash": the store is dropped with 2 files stored and 3 scanned, none drafted.
    }
    let s = Store::open(dir.path()).unwrap();
    let pending = s.files_pending(o).unwrap();
    assert_eq!(pending.len(), 5);
    assert_eq!(
        pending
            .iter()
            .filter(|f| f.status == FileStatus::Scanned)
            .count(),
        3
    );
    // Re-running the whole batch: every add is Known, nothing is duplicated.
    for i in 0..5 {
        let out = s
            .add_file(o, &format!("{i}.jpg"), format!("img{i}").as_bytes())
            .unwrap();
        assert!(matches!(out, AddFileOutcome::Known(_)));
        let f = out.id();
        let pages = s.save_pages(f, &[page(&i.to_string(), 1)]).unwrap();
        s.save_drafts(
            DraftScope::File(f),
            &[NewDraft {
                page_ids: pages.clone(),
                data: draft_json(i),
            }],
        )
        .unwrap();
        let again = s
            .save_drafts(
                DraftScope::File(f),
                &[NewDraft {
                    page_ids: pages,
                    data: draft_json(i),
                }],
            )
            .unwrap();
        assert!(matches!(
            again[0],
            ishenim_store::SaveDraftOutcome::Known(_)
        ));
    }
    assert!(s.files_pending(o).unwrap().is_empty());
    assert_eq!(s.pending_drafts().unwrap().len(), 5);
    assert_eq!(s.pages_of_opening(o).unwrap().len(), 5);
}

#[test]
fn malformed_inputs_go_to_quarantine_rest_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let o = s.new_opening(opening()).unwrap();
    let mut bad = Vec::new();
    for i in 0..6usize {
        let f = s
            .add_file(o, &format!("{i}.png"), format!("png{i}").as_bytes())
            .unwrap()
            .id();
        if i.is_multiple_of(3) {
            s.quarantine(f, "truncated: image data ends early").unwrap();
            bad.push(f);
        } else {
            let p = s.save_pages(f, &[page(&i.to_string(), 1)]).unwrap();
            s.save_drafts(
                DraftScope::File(f),
                &[NewDraft {
                    page_ids: p,
                    data: draft_json(i),
                }],
            )
            .unwrap();
        }
    }
    let q = s.list_quarantine().unwrap();
    assert_eq!(q.iter().map(|f| f.id).collect::<Vec<_>>(), bad);
    assert!(q
        .iter()
        .all(|f| f.reason.as_deref() == Some("truncated: image data ends early")));
    assert_eq!(s.pending_drafts().unwrap().len(), 4);
    assert_eq!(s.retry_quarantined(bad[0]).unwrap(), FileStatus::Stored);
    assert_eq!(s.files_pending(o).unwrap().len(), 1);
    assert_eq!(s.get_file(bad[0]).unwrap().retries, 1);
}

mod tamper {
    use super::*;

    /// A store with `n` approved entries, plus one amendment on entry 3 and one event on 4.
    fn journal(n: usize) -> (tempfile::TempDir, Store, Vec<Serial>) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let (_o, _f, ids) = bulk_drafts(&s, n);
        let items: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, fields(i)))
            .collect();
        let serials: Vec<Serial> = s
            .approve_drafts(&items, "reviewer")
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        s.amend_entry(
            serials[2],
            "reviewer",
            ishenim_store::EntryField::Phone,
            Some("0700 111 222"),
            "typo",
        )
        .unwrap();
        s.assign_official(serials[3], "admin", "Токтогулов Н.")
            .unwrap();
        assert!(s.verify().unwrap().ok);
        (dir, s, serials)
    }

    /// What an attacker with the sqlite3 shell does: drop the triggers, then edit.
    fn attacker(s: &Store) -> Connection {
        let c = Connection::open(s.db_path()).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        for t in [
            "entries_no_update",
            "entries_no_delete",
            "amendments_no_update",
            "amendments_no_delete",
            "events_no_update",
            "events_no_delete",
        ] {
            c.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
        }
        c
    }

    fn broken_row(s: &Store) -> (String, String) {
        let r = s.verify().unwrap();
        assert!(!r.ok);
        let b = r.first_broken.expect("a broken row");
        (b.row, b.reason)
    }

    #[test]
    fn edited_field_is_named() {
        let (_d, s, serials) = journal(60);
        let c = attacker(&s);
        c.execute(
            "UPDATE entries SET applicant_name = 'Башка Адам' WHERE year = ?1 AND number = 42",
            [serials[0].year],
        )
        .unwrap();
        let (row, _) = broken_row(&s);
        assert_eq!(row, format!("serial {}-0042", serials[0].year));
    }

    #[test]
    fn deleted_entry_is_named() {
        let (_d, s, serials) = journal(60);
        let c = attacker(&s);
        c.execute(
            "DELETE FROM entries WHERE year = ?1 AND number = 42",
            [serials[0].year],
        )
        .unwrap();
        let (row, reason) = broken_row(&s);
        assert_eq!(row, format!("serial {}-0042", serials[0].year), "{reason}");
    }

    #[test]
    fn swapped_rows_are_named() {
        let (_d, s, serials) = journal(60);
        let c = attacker(&s);
        // Swap the chain positions of entries 10 and 11 (reorder).
        let y = serials[0].year;
        c.execute_batch(&format!(
            "UPDATE entries SET seq = -1 WHERE year = {y} AND number = 10;
             UPDATE entries SET seq = seq - 1 WHERE year = {y} AND number = 11;
             UPDATE entries SET seq = (SELECT seq + 1 FROM entries WHERE year = {y} AND number = 11)
                 WHERE year = {y} AND number = 10;"
        ))
        .unwrap();
        let (row, _) = broken_row(&s);
        assert_eq!(row, format!("serial {y}-0011"));
        // Swapping the contents (names) of two rows is caught too.
        drop(c);
        let (_d2, s2, serials2) = journal(20);
        let c2 = attacker(&s2);
        let y = serials2[0].year;
        c2.execute_batch(&format!(
            "UPDATE entries SET applicant_name = CASE number WHEN 5 THEN 'Асанов Бакыт 5' ELSE 'Асанов Бакыт 4' END
             WHERE year = {y} AND number IN (5, 6)"
        ))
        .unwrap();
        assert_eq!(broken_row(&s2).0, format!("serial {y}-0005"));
    }

    #[test]
    fn amendment_and_event_tampering_is_named() {
        let (_d, s, _) = journal(10);
        let c = attacker(&s);
        c.execute("UPDATE amendments SET new_value = '0555 000 000'", [])
            .unwrap();
        assert_eq!(broken_row(&s).0, "amendment 1");
        drop(c);
        let (_d, s, _) = journal(10);
        let c = attacker(&s);
        c.execute("DELETE FROM amendments", []).unwrap();
        let (row, reason) = broken_row(&s);
        assert_eq!(row, "chain position 11", "{reason}");
        assert!(
            reason.contains("serial") && reason.contains("event 1"),
            "{reason}"
        );
        drop(c);
        let (_d, s, _) = journal(10);
        let c = attacker(&s);
        c.execute("UPDATE events SET official = 'Башка'", [])
            .unwrap();
        assert_eq!(broken_row(&s).0, "event 1");
    }

    #[test]
    fn truncation_is_caught_against_the_printed_head() {
        let (_d, s, serials) = journal(10);
        let printed = s.chain_head().unwrap().unwrap();
        let c = attacker(&s);
        c.execute("DELETE FROM events", []).unwrap();
        // Removing the tail leaves a valid shorter chain: only the printed head shows it.
        assert!(s.verify().unwrap().ok);
        let r = s.verify_against(&printed.hash).unwrap();
        assert!(!r.ok);
        assert_eq!(r.first_broken.unwrap().row, "recorded head");
        let _ = serials;
    }

    #[test]
    fn journal_of_5000_builds_in_one_transaction_and_verifies() {
        let (_d, s, _) = journal(5000);
        let r = s.verify().unwrap();
        assert!(r.ok);
        assert_eq!(r.rows_checked, 5002);
    }

    /// Timing of verify over 100,000 entries (run with `--ignored --nocapture`, or use
    /// `cargo run --release -p ishenim-store --example verify_bench`).
    #[test]
    #[ignore]
    fn verify_100k_timing() {
        let (_d, s, _) = journal(100_000);
        let t = std::time::Instant::now();
        let r = s.verify().unwrap();
        eprintln!("verify of {} rows: {:?}", r.rows_checked, t.elapsed());
        assert!(r.ok);
    }
}

mod backup {
    use super::*;

    #[test]
    fn backup_during_writes_restores_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let s = Store::open(&data).unwrap();
        let (o, _f, ids) = bulk_drafts(&s, 300);
        let writer = {
            let s = s.clone();
            std::thread::spawn(move || {
                for (i, id) in ids.iter().enumerate() {
                    approve_retrying(&s, *id, i);
                    if i.is_multiple_of(10) {
                        let f = s
                            .add_file(o, "x.jpg", format!("during-{i}").as_bytes())
                            .unwrap()
                            .id();
                        s.save_pages(f, &[page("x", 1)]).unwrap();
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(150));
        let archive = dir.path().join("backup.tar");
        let rep = s.backup(&archive, "admin").unwrap();
        writer.join().unwrap();
        assert!(rep.bytes > 0);

        let target = dir.path().join("restored");
        let rr = Store::restore(&archive, &target, false).unwrap();
        assert_eq!(rr.entries, rep.entries);
        assert_eq!(rr.head, rep.head);
        let r = Store::open(&target).unwrap();
        let v = r.verify().unwrap();
        assert!(v.ok, "{v:?}");
        assert_eq!(r.journal_count().unwrap(), rep.entries);
        let numbers = numbers(&r, 2026);
        assert_eq!(numbers, (1..=rep.entries as u32).collect::<Vec<_>>());
        assert!(r.check_blobs().unwrap().is_empty());
        assert!(r.integrity_check().unwrap().is_empty());
        assert_eq!(r.list_files(o).unwrap().len() as u64, rep.files);

        // A non-empty store is not overwritten without the flag...
        assert!(matches!(
            Store::restore(&archive, &target, false),
            Err(StoreError::NotEmpty(_))
        ));
        // ...and with it, the old one is moved aside, not deleted.
        drop(r);
        let rr2 = Store::restore(&archive, &target, true).unwrap();
        assert!(rr2
            .replaced
            .as_ref()
            .is_some_and(|p| p.join("ishenim.sqlite3").is_file()));
    }

    #[test]
    fn corrupt_archives_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("data")).unwrap();
        let (_o, _f, ids) = bulk_drafts(&s, 20);
        for (i, id) in ids.iter().enumerate() {
            s.approve_draft_at(*id, "rev", &fields(i), at()).unwrap();
        }
        let archive = dir.path().join("b.tar");
        s.backup(&archive, "admin").unwrap();
        let good = std::fs::read(&archive).unwrap();

        // Flip one byte inside the database image (after the first 512-byte header + manifest).
        let db_at = find(&good, b"SQLite format 3\0").expect("db in archive");
        for (k, off) in [(0usize, db_at + 5000), (1, db_at + 100)] {
            let mut bad = good.clone();
            bad[off] ^= 0x55;
            let p = dir.path().join(format!("bad{k}.tar"));
            std::fs::write(&p, &bad).unwrap();
            let err = Store::restore(&p, &dir.path().join(format!("r{k}")), false).unwrap_err();
            assert!(matches!(err, StoreError::CorruptArchive(_)), "{err}");
            assert!(
                !dir.path().join(format!("r{k}")).exists(),
                "nothing restored"
            );
        }
        // Truncated archive.
        let p = dir.path().join("short.tar");
        std::fs::write(&p, &good[..good.len() / 2]).unwrap();
        assert!(matches!(
            Store::restore(&p, &dir.path().join("r-short"), false),
            Err(StoreError::CorruptArchive(_))
        ));
        // Not an archive at all.
        let p = dir.path().join("junk.tar");
        std::fs::write(&p, b"hello").unwrap();
        assert!(Store::restore(&p, &dir.path().join("r-junk"), false).is_err());
        // A consistent archive whose database was tampered with and re-hashed in the
        // manifest is still refused by the chain check.
        let tampered = tamper_and_repack(&good, dir.path());
        let err = Store::restore(&tampered, &dir.path().join("r-t"), false).unwrap_err();
        assert!(
            matches!(err, StoreError::CorruptArchive(ref m) if m.contains("chain")),
            "{err}"
        );
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    /// Unpack, edit an entry with the triggers dropped, fix the manifest hashes, repack.
    fn tamper_and_repack(archive: &[u8], tmp: &Path) -> std::path::PathBuf {
        use sha2::{Digest, Sha256};
        let work = tmp.join("repack");
        std::fs::create_dir_all(&work).unwrap();
        tar::Archive::new(archive).unpack(&work).unwrap();
        let db = work.join("ishenim.sqlite3");
        {
            let c = Connection::open(&db).unwrap();
            c.execute_batch(
                "DROP TRIGGER entries_no_update; UPDATE entries SET brief = 'x' WHERE number = 7;",
            )
            .unwrap();
        }
        let bytes = std::fs::read(&db).unwrap();
        let sha = hex::encode(Sha256::digest(&bytes));
        let mut m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(work.join("manifest.json")).unwrap()).unwrap();
        for f in m["files"].as_array_mut().unwrap() {
            if f["path"] == "ishenim.sqlite3" {
                f["sha256"] = sha.clone().into();
                f["size"] = (bytes.len() as u64).into();
            }
        }
        std::fs::write(work.join("manifest.json"), serde_json::to_vec(&m).unwrap()).unwrap();
        let out = tmp.join("tampered.tar");
        let mut b = tar::Builder::new(std::fs::File::create(&out).unwrap());
        b.append_path_with_name(work.join("manifest.json"), "manifest.json")
            .unwrap();
        for sub in std::fs::read_dir(work.join("files")).unwrap() {
            let sub = sub.unwrap().path();
            for f in std::fs::read_dir(&sub).unwrap() {
                let f = f.unwrap().path();
                let name = format!(
                    "files/{}/{}",
                    sub.file_name().unwrap().to_string_lossy(),
                    f.file_name().unwrap().to_string_lossy()
                );
                b.append_path_with_name(&f, name).unwrap();
            }
        }
        b.append_path_with_name(&db, "ishenim.sqlite3").unwrap();
        b.finish().unwrap();
        out
    }
}
