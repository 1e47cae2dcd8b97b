//! Backup and restore: one tar archive holding a consistent copy of the database (SQLite
//! online backup API, safe while other processes write), the referenced originals and a
//! manifest of SHA-256s.
//!
//! Archive layout (format `ishenim-backup`, version 1):
//!
//! ```text
//! manifest.json            {"format","version","created_at","schema_version","entries","head","files":[{path,sha256,size}]}
//! ishenim.sqlite3          the database, journal_mode=DELETE (a single self-contained file)
//! files/ab/abcdef…         every original referenced by the `files` table
//! ```

use crate::blobs::{blob_path, hash_file, is_sha_hex, rel_path, sync_dir};
use crate::chain::{verify_conn, ChainHead};
use crate::{fmt_ts, integrity_problems, now, Result, Store, StoreError, DB_FILE, FILES_DIR};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const FORMAT: &str = "ishenim-backup";
const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestFile {
    path: String,
    sha256: String,
    size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    created_at: String,
    schema_version: i64,
    entries: u64,
    head: Option<ChainHead>,
    files: Vec<ManifestFile>,
}

/// What [`Store::backup`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// The archive.
    pub path: PathBuf,
    /// Journal entries in the copy.
    pub entries: u64,
    /// Originals included.
    pub files: u64,
    /// Archive size in bytes.
    pub bytes: u64,
    /// Chain head of the copy (print it next to the backup).
    pub head: Option<ChainHead>,
}

/// What [`Store::verify_backup`] found in an archive that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupCheck {
    /// When the archive was written (local time, from its manifest).
    pub created_at: String,
    /// Schema version of the database in the archive.
    pub schema_version: i64,
    /// Journal entries in the archive.
    pub entries: u64,
    /// Originals in the archive.
    pub files: u64,
    /// Chain head of the archived journal (verified).
    pub head: Option<ChainHead>,
}

/// What [`Store::restore`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The data directory now holding the restored store.
    pub data_dir: PathBuf,
    /// Journal entries restored.
    pub entries: u64,
    /// Originals restored.
    pub files: u64,
    /// Chain head of the restored journal (verified).
    pub head: Option<ChainHead>,
    /// Where the replaced store was moved (only with `overwrite`); it is never deleted.
    pub replaced: Option<PathBuf>,
}

fn corrupt(msg: impl Into<String>) -> StoreError {
    StoreError::CorruptArchive(msg.into())
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Referenced blob hashes and entry count of a database copy.
fn db_facts(c: &Connection) -> Result<(Vec<String>, u64)> {
    let mut st = c.prepare("SELECT sha256 FROM files ORDER BY id")?;
    let shas = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let n: i64 = c.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
    Ok((shas, n.max(0) as u64))
}

/// Copies the database `src` to `dest` with SQLite's online backup API, in one step from
/// a read snapshot (retrying for up to 30 s while the database is locked), as a
/// self-contained file (no WAL).
fn copy_db(src: &Connection, dest: &Path) -> Result<()> {
    let mut dst = Connection::open(dest)?;
    {
        let b = Backup::new(src, &mut dst)?;
        let mut tries = 0u32;
        loop {
            match b.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    tries += 1;
                    if tries > 600 {
                        return Err(StoreError::Busy);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => {}
            }
        }
    }
    let _: String = dst.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
    dst.close().map_err(|(_, e)| StoreError::from(e))?;
    Ok(())
}

/// What the manifest records of a database copy.
struct CopyFacts {
    /// Hashes of the originals it references.
    shas: Vec<String>,
    entries: u64,
    head: Option<ChainHead>,
    schema_version: i64,
}

/// Checks the database copy at `db_copy` before it is packed (SQLite's integrity check
/// and the whole chain: a backup of a damaged register is refused) and reads its facts.
fn check_copy(db_copy: &Path) -> Result<CopyFacts> {
    let c = Connection::open_with_flags(db_copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let problems = integrity_problems(&c)?;
    if !problems.is_empty() {
        return Err(StoreError::Malformed(format!(
            "the database copy fails integrity_check: {}",
            problems.join("; ")
        )));
    }
    let report = verify_conn(&c, None)?;
    if let Some(b) = &report.first_broken {
        return Err(StoreError::Malformed(format!(
            "the journal chain is broken at {}: {}; run verify before backing up",
            b.row, b.reason
        )));
    }
    let (shas, entries) = db_facts(&c)?;
    let schema_version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(CopyFacts {
        shas,
        entries,
        head: report.head,
        schema_version,
    })
}

impl Store {
    /// Write a consistent backup archive to `dest` (replaced atomically if it exists).
    /// Safe while other threads or processes write: the database is copied with SQLite's
    /// online backup API in one step from a read snapshot; originals are immutable.
    /// The copy is integrity-checked and its chain verified before packing.
    pub fn backup(&self, dest: &Path, user: &str) -> Result<BackupReport> {
        let parent = parent_of(dest);
        fs::create_dir_all(&parent).map_err(|e| StoreError::io(&parent, e))?;
        let stage = tempfile::Builder::new()
            .prefix(".ishenim-backup-")
            .tempdir_in(&parent)
            .map_err(|e| StoreError::io(&parent, e))?;
        let db_copy = stage.path().join(DB_FILE);
        copy_db(&*self.conn()?, &db_copy)?;
        let CopyFacts {
            shas,
            entries,
            head,
            schema_version,
        } = check_copy(&db_copy)?;
        let (db_sha, db_size) = hash_file(&db_copy)?;
        let mut files = vec![ManifestFile {
            path: DB_FILE.to_string(),
            sha256: db_sha,
            size: db_size,
        }];
        for sha in &shas {
            let p = blob_path(self.files_dir(), sha);
            let (h, size) = hash_file(&p)?;
            if &h != sha {
                return Err(StoreError::Malformed(format!(
                    "stored original {} is damaged (hash mismatch)",
                    rel_path(sha)
                )));
            }
            files.push(ManifestFile {
                path: rel_path(sha),
                sha256: h,
                size,
            });
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            created_at: fmt_ts(now()),
            schema_version,
            entries,
            head: head.clone(),
            files,
        };
        let manifest_json = serde_json::to_vec_pretty(&manifest)?;

        let tmp = tempfile::Builder::new()
            .prefix(".ishenim-backup-")
            .suffix(".tar.part")
            .tempfile_in(&parent)
            .map_err(|e| StoreError::io(&parent, e))?;
        {
            let mut tar = tar::Builder::new(tmp.as_file());
            let mut header = tar::Header::new_gnu();
            header.set_size(manifest_json.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_cksum();
            tar.append_data(&mut header, MANIFEST, manifest_json.as_slice())
                .map_err(|e| StoreError::io(dest, e))?;
            tar.append_path_with_name(&db_copy, DB_FILE)
                .map_err(|e| StoreError::io(&db_copy, e))?;
            for sha in &shas {
                let p = blob_path(self.files_dir(), sha);
                tar.append_path_with_name(&p, rel_path(sha))
                    .map_err(|e| StoreError::io(&p, e))?;
            }
            tar.finish().map_err(|e| StoreError::io(dest, e))?;
        }
        let mut f = tmp.as_file();
        f.flush().map_err(|e| StoreError::io(dest, e))?;
        f.sync_all().map_err(|e| StoreError::io(dest, e))?;
        let bytes = f.metadata().map_err(|e| StoreError::io(dest, e))?.len();
        tmp.persist(dest)
            .map_err(|e| StoreError::io(dest, e.error))?;
        sync_dir(&parent)?;
        self.audit(user, "backup", &format!("{} entries", entries))?;
        Ok(BackupReport {
            path: dest.to_path_buf(),
            entries,
            files: shas.len() as u64,
            bytes,
            head,
        })
    }

    /// Restore `archive` into `data_dir`. Checks every SHA-256 against the manifest, runs
    /// `PRAGMA integrity_check`, verifies the hash chain and that every referenced original
    /// is present, before touching `data_dir`. An existing non-empty `data_dir` is refused
    /// unless `overwrite`; then it is moved aside to `<data_dir>.replaced-<time>` (never
    /// deleted). No [`Store`] may be open on `data_dir` while restoring.
    pub fn restore(archive: &Path, data_dir: &Path, overwrite: bool) -> Result<RestoreReport> {
        let non_empty = match fs::read_dir(data_dir) {
            Ok(mut it) => it.next().is_some(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(StoreError::io(data_dir, e)),
        };
        if non_empty && !overwrite {
            return Err(StoreError::NotEmpty(data_dir.to_path_buf()));
        }
        let parent = parent_of(data_dir);
        fs::create_dir_all(&parent).map_err(|e| StoreError::io(&parent, e))?;
        let stage = tempfile::Builder::new()
            .prefix(".ishenim-restore-")
            .tempdir_in(&parent)
            .map_err(|e| StoreError::io(&parent, e))?;
        let staged = unpack(archive, stage.path(), |_| true)?;
        let checked = check_staged(&staged, stage.path())?;
        let (entries, files, head) = (checked.entries, checked.files, checked.head);
        fs::create_dir_all(stage.path().join(FILES_DIR))
            .map_err(|e| StoreError::io(stage.path(), e))?;

        // Swap into place.
        let mut replaced = None;
        if data_dir.exists() {
            if non_empty {
                let stamp = now().format("%Y%m%d-%H%M%S");
                let mut aside = PathBuf::from(format!("{}.replaced-{stamp}", data_dir.display()));
                let mut i = 1;
                while aside.exists() {
                    aside = PathBuf::from(format!("{}.replaced-{stamp}-{i}", data_dir.display()));
                    i += 1;
                }
                fs::rename(data_dir, &aside).map_err(|e| StoreError::io(data_dir, e))?;
                replaced = Some(aside);
            } else {
                fs::remove_dir(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
            }
        }
        let staged_path = stage.keep();
        if let Err(e) = fs::rename(&staged_path, data_dir) {
            // Put the old store back if we moved it.
            if let Some(aside) = &replaced {
                let _ = fs::rename(aside, data_dir);
            }
            return Err(StoreError::io(data_dir, e));
        }
        sync_dir(&parent)?;
        Ok(RestoreReport {
            data_dir: data_dir.to_path_buf(),
            entries,
            files,
            head,
            replaced,
        })
    }
}

/// Check an unpacked archive: manifest format, every SHA-256 and size, nothing unlisted,
/// `PRAGMA integrity_check` and the hash chain of the database copy (which must be in
/// `stage`), the head against the manifest, every referenced original present.
fn check_staged(staged: &Staged, stage: &Path) -> Result<BackupCheck> {
    let manifest_bytes = staged
        .manifest
        .as_ref()
        .ok_or_else(|| corrupt("manifest.json is missing"))?;
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| corrupt(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(corrupt(format!(
            "not an Ishenim backup (format {:?} version {})",
            manifest.format, manifest.version
        )));
    }
    let mut listed = BTreeSet::new();
    for mf in &manifest.files {
        let got = staged
            .files
            .get(&mf.path)
            .ok_or_else(|| corrupt(format!("{} is listed but missing", mf.path)))?;
        if got.0 != mf.sha256 || got.1 != mf.size {
            return Err(corrupt(format!("{} does not match its SHA-256", mf.path)));
        }
        listed.insert(mf.path.clone());
    }
    if let Some(extra) = staged.files.keys().find(|k| !listed.contains(*k)) {
        return Err(corrupt(format!("{extra} is not in the manifest")));
    }
    let db = stage.join(DB_FILE);
    if !db.is_file() {
        return Err(corrupt("the database is missing"));
    }
    let c = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| corrupt(format!("database: {e}")))?;
    let problems = integrity_problems(&c).map_err(|e| corrupt(format!("database: {e}")))?;
    if !problems.is_empty() {
        return Err(corrupt(format!("integrity_check: {}", problems.join("; "))));
    }
    let report = verify_conn(&c, None).map_err(|e| corrupt(format!("database: {e}")))?;
    if let Some(b) = report.first_broken {
        return Err(corrupt(format!(
            "journal chain broken at {}: {}",
            b.row, b.reason
        )));
    }
    if report.head != manifest.head {
        return Err(corrupt("the chain head differs from the manifest"));
    }
    let (shas, entries) = db_facts(&c).map_err(|e| corrupt(format!("database: {e}")))?;
    for sha in &shas {
        if !is_sha_hex(sha) || !staged.files.contains_key(&rel_path(sha)) {
            return Err(corrupt(format!("original {sha} is missing")));
        }
    }
    let schema_version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| corrupt(format!("database: {e}")))?;
    Ok(BackupCheck {
        created_at: manifest.created_at,
        schema_version,
        entries,
        files: shas.len() as u64,
        head: report.head,
    })
}

impl Store {
    /// Check an archive written by [`Store::backup`] without restoring it: every SHA-256
    /// and size against the manifest, `PRAGMA integrity_check`, the hash chain and its
    /// head, every original present. Only the database is unpacked (into a temporary
    /// folder next to the archive, removed afterwards); originals are hashed as they are
    /// read. Errors: [`StoreError::CorruptArchive`] naming the first problem.
    pub fn verify_backup(archive: &Path) -> Result<BackupCheck> {
        let parent = parent_of(archive);
        let stage = tempfile::Builder::new()
            .prefix(".ishenim-verify-")
            .tempdir_in(&parent)
            .map_err(|e| StoreError::io(&parent, e))?;
        let staged = unpack(archive, stage.path(), |p| p == DB_FILE)?;
        check_staged(&staged, stage.path())
    }
}

struct Staged {
    manifest: Option<Vec<u8>>,
    /// path → (sha256, size)
    files: BTreeMap<String, (String, u64)>,
}

/// Only these names may appear in an archive.
fn allowed(path: &str) -> bool {
    if path == DB_FILE {
        return true;
    }
    let parts: Vec<&str> = path.split('/').collect();
    parts.len() == 3 && parts[0] == FILES_DIR && is_sha_hex(parts[2]) && parts[1] == &parts[2][..2]
}

/// Read `archive`, hashing every entry; entries for which `keep` is true are written under
/// `stage`, the others are only hashed.
fn unpack(archive: &Path, stage: &Path, keep: impl Fn(&str) -> bool) -> Result<Staged> {
    let f = File::open(archive).map_err(|e| StoreError::io(archive, e))?;
    let mut ar = tar::Archive::new(f);
    let mut out = Staged {
        manifest: None,
        files: BTreeMap::new(),
    };
    let entries = ar
        .entries()
        .map_err(|e| corrupt(format!("not a tar archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(format!("unreadable archive: {e}")))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(corrupt("unexpected non-file entry"));
        }
        let path = entry
            .path()
            .map_err(|e| corrupt(format!("bad entry name: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        if path == MANIFEST {
            if out.manifest.is_some() {
                return Err(corrupt("two manifests"));
            }
            let mut buf = Vec::new();
            entry
                .by_ref()
                .take(16 << 20)
                .read_to_end(&mut buf)
                .map_err(|e| corrupt(format!("manifest: {e}")))?;
            out.manifest = Some(buf);
            continue;
        }
        if !allowed(&path) {
            return Err(corrupt(format!("unexpected entry {path:?}")));
        }
        if out.files.contains_key(&path) {
            return Err(corrupt(format!("{path} appears twice")));
        }
        let target = stage.join(&path);
        let mut w = if keep(&path) {
            if let Some(d) = target.parent() {
                fs::create_dir_all(d).map_err(|e| StoreError::io(d, e))?;
            }
            Some(File::create(&target).map_err(|e| StoreError::io(&target, e))?)
        } else {
            None
        };
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0u64;
        loop {
            let k = entry
                .read(&mut buf)
                .map_err(|e| corrupt(format!("{path}: {e}")))?;
            if k == 0 {
                break;
            }
            h.update(&buf[..k]);
            if let Some(w) = w.as_mut() {
                w.write_all(&buf[..k])
                    .map_err(|e| StoreError::io(&target, e))?;
            }
            n += k as u64;
        }
        if let Some(w) = w {
            w.sync_all().map_err(|e| StoreError::io(&target, e))?;
        }
        out.files.insert(path, (hex::encode(h.finalize()), n));
    }
    for d in [stage.to_path_buf(), stage.join(FILES_DIR)] {
        if d.is_dir() {
            sync_dir(&d)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `backup_import` fuzz target: an archive whose hashes all match but whose
    /// database holds a journal row with text that is not UTF-8 made `verify_backup` and
    /// `restore` panic (in rusqlite, while verifying the chain). Both refuse it now.
    #[test]
    fn fuzz_archive_with_text_that_is_not_utf8_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let archive = d.path().join("a.tar");
        fs::write(
            &archive,
            include_bytes!("../tests/fuzz/chain_invalid_utf8.tar"),
        )
        .unwrap();
        let e = Store::verify_backup(&archive).unwrap_err();
        assert!(
            matches!(&e, StoreError::CorruptArchive(m) if m.contains("chain broken")),
            "{e}"
        );
        let data = d.path().join("data");
        let e = Store::restore(&archive, &data, false).unwrap_err();
        assert!(
            matches!(&e, StoreError::CorruptArchive(m) if m.contains("chain broken")),
            "{e}"
        );
        assert!(!data.exists());
    }

    #[test]
    fn verify_backup_passes_a_good_archive_and_names_damage() {
        let (d, s) = crate::testutil::store();
        let ids = crate::journal::tests::drafts(&s, 2);
        s.approve_draft(ids[0], "rev", &crate::journal::tests::fields("Асанов"))
            .unwrap();
        let path = d.path().join("b.tar");
        let rep = s.backup(&path, "admin").unwrap();
        let check = Store::verify_backup(&path).unwrap();
        assert_eq!(check.entries, 1);
        assert_eq!(check.files, rep.files);
        assert_eq!(check.head, rep.head);
        assert_eq!(check.schema_version, crate::SCHEMA_VERSION);
        // Nothing but the archive is left next to it.
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "data")
            .collect();
        assert_eq!(names, ["b.tar"]);
        // One flipped byte in the last original: named, never accepted.
        let mut bytes = fs::read(&path).unwrap();
        let at = bytes.len() - 1024 - 512 - 1;
        let damaged = d.path().join("damaged.tar");
        let mut flipped = false;
        for i in (0..=at).rev() {
            if bytes[i] != 0 {
                bytes[i] ^= 0x55;
                flipped = true;
                break;
            }
        }
        assert!(flipped);
        fs::write(&damaged, &bytes).unwrap();
        assert!(matches!(
            Store::verify_backup(&damaged),
            Err(StoreError::CorruptArchive(_))
        ));
        let truncated = d.path().join("truncated.tar");
        fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        assert!(Store::verify_backup(&truncated).is_err());
    }

    #[test]
    fn allowed_names() {
        let sha = "ab".to_string() + &"0".repeat(62);
        assert!(allowed(DB_FILE));
        assert!(allowed(&format!("files/ab/{sha}")));
        assert!(!allowed(&format!("files/cd/{sha}")));
        assert!(!allowed("../etc/passwd"));
        assert!(!allowed(&format!("files/ab/../{sha}")));
    }
}
