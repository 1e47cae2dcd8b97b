//! Content-addressed blob folder: `files/ab/abcdef…` named by SHA-256 hex.

use crate::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// True for a 64-character lowercase hex string.
pub(crate) fn is_sha_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Relative path of a blob: `files/ab/abcdef…` (with `/` separators, for archives too).
pub(crate) fn rel_path(sha: &str) -> String {
    format!("{}/{}/{}", crate::FILES_DIR, prefix(sha), sha)
}

/// First two characters of a hash; never panics on a malformed (tampered) value.
fn prefix(sha: &str) -> &str {
    sha.get(..2).unwrap_or("xx")
}

/// Absolute path of a blob under `files_dir`.
pub(crate) fn blob_path(files_dir: &Path, sha: &str) -> PathBuf {
    files_dir.join(prefix(sha)).join(sha)
}

/// fsync a directory so a rename inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let d = File::open(dir).map_err(|e| StoreError::io(dir, e))?;
        d.sync_all().map_err(|e| StoreError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
    }
    Ok(())
}

/// Hash a file on disk (streaming), lowercase hex, and its size.
pub(crate) fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| StoreError::io(path, e))?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((hex::encode(h.finalize()), n))
}

/// Write `bytes` as the blob `sha` durably: temp file + fsync + rename + fsync dir.
/// An existing blob with the right content is kept; a damaged one is replaced.
pub(crate) fn write_blob(files_dir: &Path, sha: &str, bytes: &[u8]) -> Result<PathBuf> {
    let dir = files_dir.join(prefix(sha));
    let path = dir.join(sha);
    if let Ok(meta) = fs::metadata(&path) {
        if meta.len() == bytes.len() as u64 {
            if let Ok((h, _)) = hash_file(&path) {
                if h == sha {
                    return Ok(path);
                }
            }
        }
    }
    fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(&dir)
        .map_err(|e| StoreError::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| StoreError::io(&dir, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| StoreError::io(&dir, e))?;
    tmp.persist(&path)
        .map_err(|e| StoreError::io(&path, e.error))?;
    sync_dir(&dir)?;
    sync_dir(files_dir)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_is_idempotent_and_repairs() {
        let d = tempfile::tempdir().unwrap();
        let sha = sha256_hex(b"hello");
        assert!(is_sha_hex(&sha));
        let p = write_blob(d.path(), &sha, b"hello").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        write_blob(d.path(), &sha, b"hello").unwrap();
        fs::write(&p, b"HELLO").unwrap();
        write_blob(d.path(), &sha, b"hello").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        assert_eq!(hash_file(&p).unwrap(), (sha.clone(), 5));
        assert_eq!(rel_path(&sha), format!("files/{}/{}", &sha[..2], sha));
        assert!(!is_sha_hex("ABC"));
        // Malformed hashes from a tampered database never panic.
        let _ = blob_path(d.path(), "aж");
        assert_eq!(rel_path("aж"), "files/xx/aж");
    }
}
