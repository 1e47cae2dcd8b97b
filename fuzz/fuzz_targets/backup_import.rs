//! Restoring a backup archive: `Store::verify_backup` and `Store::restore` on an arbitrary
//! archive, in a scratch folder of its own (on tmpfs when there is one).
//!
//! Input: first byte even — the rest is the archive as it is (tar parsing, names, types).
//! First byte odd — the rest is a list of entries that this harness packs into a tar and
//! for which it writes a manifest with the right SHA-256s and sizes, so the fuzzer gets past
//! the hashes to the database checks (SQLite `integrity_check` and the hash chain on a
//! mutated database) and the name rules. Each entry: one selector byte, a 3-byte
//! little-endian length, the content. Selector bits 0–2 pick the name:
//! 0 manifest template (JSON whose fields other than `files` are kept; not JSON: used as
//! `manifest.json` verbatim), 1 `ishenim.sqlite3`, 2 `files/xx/<sha>` (its right address),
//! 3 `files/xx/<sha>` of other content, 4 `../escape`, 5 `/tmp/ishenim-fuzz-escape`,
//! 6 `files/../../escape`, 7 the name is the content up to its first newline;
//! bit 3 symlink, bit 4 directory, bit 5 hard link (to `/etc/passwd`); bit 6 left out of the
//! manifest; bit 7 wrong size in the manifest.
//!
//! With `BACKUP_IMPORT_SAVE_TAR=<path>` the packed archive is also written to `<path>` (to
//! turn a finding into a regression-test fixture).
//!
//! Properties: never panics; nothing is written outside the scratch folder and nothing but
//! the restored store is left in it (no staging folder, no stray file); a failed restore
//! leaves no data folder; a restored store holds only the database (and SQLite's side
//! files) and content-addressed originals; `verify_backup` and `restore` agree.
#![no_main]

use ishenim_store::Store;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::path::Path;

fn sha_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn header(name: &[u8], kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    let n = name.len().min(100);
    h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o600);
    if !kind.is_file() {
        h.set_link_name("/etc/passwd").ok();
    }
    h.set_cksum();
    h
}

/// Packs the structured input (see the module docs) into a tar.
fn structured(mut data: &[u8]) -> Vec<u8> {
    let mut entries: Vec<(Vec<u8>, tar::EntryType, Vec<u8>)> = Vec::new();
    let mut template: Option<serde_json::Map<String, serde_json::Value>> = None;
    let mut raw_manifest: Option<Vec<u8>> = None;
    let mut listed = Vec::new();
    while data.len() >= 4 {
        let sel = data[0];
        let len = u32::from_le_bytes([data[1], data[2], data[3], 0]) as usize;
        let body = &data[4..];
        let content = &body[..len.min(body.len())];
        data = &body[content.len()..];
        let kind = if sel & 8 != 0 {
            tar::EntryType::Symlink
        } else if sel & 16 != 0 {
            tar::EntryType::Directory
        } else if sel & 32 != 0 {
            tar::EntryType::Link
        } else {
            tar::EntryType::Regular
        };
        let mut content = content.to_vec();
        let name: Vec<u8> = match sel & 7 {
            0 => {
                match serde_json::from_slice::<serde_json::Value>(&content) {
                    Ok(serde_json::Value::Object(m)) => template = Some(m),
                    _ => raw_manifest = Some(content),
                }
                continue;
            }
            1 => b"ishenim.sqlite3".to_vec(),
            2 => {
                let s = sha_hex(&content);
                format!("files/{}/{s}", &s[..2]).into_bytes()
            }
            3 => {
                let mut other = content.clone();
                other.push(0);
                let s = sha_hex(&other);
                format!("files/{}/{s}", &s[..2]).into_bytes()
            }
            4 => b"../escape".to_vec(),
            5 => b"/tmp/ishenim-fuzz-escape".to_vec(),
            6 => b"files/../../escape".to_vec(),
            _ => {
                let cut = content
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(content.len());
                let rest = content.split_off(cut.min(content.len()));
                let name = std::mem::replace(&mut content, rest.get(1..).unwrap_or(&[]).to_vec());
                name
            }
        };
        if sel & 64 == 0 {
            let size = content.len() as u64 + u64::from(sel >> 7);
            listed.push(serde_json::json!({
                "path": String::from_utf8_lossy(&name),
                "sha256": sha_hex(&content),
                "size": size,
            }));
        }
        entries.push((name, kind, content));
    }
    let manifest = match raw_manifest {
        Some(m) => m,
        None => {
            let mut m = template.unwrap_or_else(|| {
                serde_json::json!({
                    "format": "ishenim-backup", "version": 1,
                    "created_at": "2026-01-01 00:00:00", "schema_version": 1,
                    "entries": 0, "head": null,
                })
                .as_object()
                .cloned()
                .unwrap_or_default()
            });
            m.insert("files".into(), serde_json::Value::Array(listed));
            serde_json::to_vec(&m).unwrap_or_default()
        }
    };
    let mut b = tar::Builder::new(Vec::new());
    let h = header(
        b"manifest.json",
        tar::EntryType::Regular,
        manifest.len() as u64,
    );
    b.append(&h, &manifest[..]).expect("in memory");
    for (name, kind, content) in &entries {
        let size = if kind.is_file() {
            content.len() as u64
        } else {
            0
        };
        let h = header(name, *kind, size);
        let body: &[u8] = if kind.is_file() { content } else { &[] };
        b.append(&h, body).expect("in memory");
    }
    b.into_inner().expect("in memory")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A restored store holds the database (maybe with SQLite's side files) and `files/xx/<sha>`.
fn check_restored(data: &Path) {
    for n in names(data) {
        match n.as_str() {
            "ishenim.sqlite3"
            | "ishenim.sqlite3-wal"
            | "ishenim.sqlite3-shm"
            | "ishenim.sqlite3-journal" => {}
            "files" => {
                for d in names(&data.join("files")) {
                    assert!(d.len() == 2, "restored files/{d}");
                    let p = data.join("files").join(&d);
                    assert!(p.is_dir() && !p.is_symlink(), "files/{d} is not a folder");
                    for f in names(&p) {
                        assert!(is_hex64(&f) && f.starts_with(&d), "restored files/{d}/{f}");
                        let fp = p.join(&f);
                        assert!(fp.is_file() && !fp.is_symlink(), "files/{d}/{f} not a file");
                    }
                }
            }
            other => panic!("restored an unexpected {other:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let archive = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        structured(rest)
    };
    if let Some(p) = std::env::var_os("BACKUP_IMPORT_SAVE_TAR") {
        std::fs::write(p, &archive).expect("save the archive");
    }
    let shm = Path::new("/dev/shm");
    let scratch = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("scratch dir");
    let root = scratch.path().join("run");
    std::fs::create_dir(&root).expect("run dir");
    let tar_path = root.join("in.tar");
    std::fs::write(&tar_path, &archive).expect("write archive");
    let data_dir = root.join("data");

    let verified = Store::verify_backup(&tar_path);
    assert_eq!(names(&root), ["in.tar"], "verify_backup left files behind");
    let restored = Store::restore(&tar_path, &data_dir, false);
    assert_eq!(
        verified.is_ok(),
        restored.is_ok(),
        "verify_backup and restore disagree: {:?} / {:?}",
        verified.as_ref().err().map(|e| e.to_string()),
        restored.as_ref().err().map(|e| e.to_string()),
    );
    assert_eq!(
        names(scratch.path()),
        ["run"],
        "restore wrote outside its folder"
    );
    match &restored {
        Ok(_) => {
            assert_eq!(
                names(&root),
                ["data", "in.tar"],
                "restore left files behind"
            );
            check_restored(&data_dir);
            // A store that passed every check opens (or refuses with an error).
            let _ = Store::open(&data_dir);
        }
        Err(_) => assert_eq!(
            names(&root),
            ["in.tar"],
            "a failed restore left files behind"
        ),
    }
    assert!(
        !Path::new("/tmp/ishenim-fuzz-escape").exists() && !shm.join("escape").exists(),
        "an archive entry escaped"
    );
});
