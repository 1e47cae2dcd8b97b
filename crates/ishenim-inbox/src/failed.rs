//! The files a folder could not hand to the register, kept in `failed/` with
//! `NAME.reason.txt` beside each (the scanner's `<data>/scanner/failed/` and a scan
//! folder's `DIR/failed/`). Listing them with their reason and opening lets the office see
//! them without a shell; a file leaves `failed/` only through [`retry`] or
//! [`quarantine`], and only once the register holds its bytes — nothing the register does
//! not hold is ever deleted.

use crate::{file_name, read_sorted, sync_dir, InboxError, FAILED};
use ishenim_ingest::{store_bytes, Summary};
use ishenim_store::{FileId, FileStatus, OpeningId, Store, StoreError};
use std::path::{Path, PathBuf};

/// What follows a failed file's name to make the name of its reason note.
pub const NOTE_SUFFIX: &str = ".reason.txt";

/// The line of a reason note that names the opening the file was meant for.
pub const OPENING_PREFIX: &str = "Ачуу / Вскрытие: ";

/// The first words of every reason note (an orphaned note is recognised by them).
const NOTE_HEAD: &str = "Файл кабыл алынган жок";

/// Why a failed file could not be retried or quarantined; the file stays where it is.
#[derive(Debug, thiserror::Error)]
pub enum FailedError {
    /// No such file in `failed/` (or the name is not a plain file name there).
    #[error("no such file in failed/: {0}")]
    NotFound(String),
    /// Too large for the reader: retrying would fail the same way.
    #[error("file is too large ({mib} MiB; the limit is {limit} MiB)")]
    TooLarge {
        /// Its size.
        mib: u64,
        /// The reader's limit.
        limit: u64,
    },
    /// An empty file is no page.
    #[error("file is empty")]
    Empty,
    /// Reading or moving failed.
    #[error(transparent)]
    Inbox(#[from] InboxError),
    /// The register refused.
    #[error(transparent)]
    Ingest(#[from] ishenim_ingest::IngestError),
    /// The register refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One file of `failed/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedFile {
    /// Its name in `failed/`.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// Last change, seconds since the Unix epoch (when it was put there).
    pub modified: i64,
    /// Why it failed (the note's reason line; empty when it has no note).
    pub reason: String,
    /// The opening it was meant for, when the note says so (notes written before the
    /// opening was recorded do not).
    pub opening: Option<OpeningId>,
}

/// `<data>/scanner/failed/`: where the scanner's work folders put pages the register
/// refused (one folder for all openings; each note names its opening).
pub fn scanner_failed_dir(store: &Store) -> PathBuf {
    store.data_dir().join("scanner").join(FAILED)
}

/// The files of a `failed/` folder, oldest first, with their reason and opening; a
/// missing folder is an empty one. Notes are not files of their own.
pub fn list(dir: &Path) -> Result<Vec<FailedFile>, FailedError> {
    let entries = match read_sorted(dir) {
        Ok(e) => e,
        Err(InboxError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    let names: std::collections::HashSet<&str> =
        entries.iter().map(|(_, n, _)| n.as_str()).collect();
    let mut out = Vec::new();
    for (path, name, meta) in &entries {
        if !meta.is_file() || is_note(path, name, &names) {
            continue;
        }
        let (reason, opening) = read_note(&dir.join(format!("{name}{NOTE_SUFFIX}")));
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        out.push(FailedFile {
            name: name.clone(),
            size: meta.len(),
            modified,
            reason,
            opening,
        });
    }
    out.sort_by(|a, b| (a.modified, &a.name).cmp(&(b.modified, &b.name)));
    Ok(out)
}

/// A note: `X.reason.txt` beside its file `X`, or one whose file is gone (recognised by
/// its first words, so that a scanned file that happens to end in `.reason.txt` is still
/// listed).
fn is_note(path: &Path, name: &str, names: &std::collections::HashSet<&str>) -> bool {
    let Some(file) = name.strip_suffix(NOTE_SUFFIX) else {
        return false;
    };
    names.contains(file) || std::fs::read_to_string(path).is_ok_and(|t| t.starts_with(NOTE_HEAD))
}

/// The reason (second line) and the opening of a note; empty and `None` without one.
fn read_note(note: &Path) -> (String, Option<OpeningId>) {
    let Ok(text) = std::fs::read_to_string(note) else {
        return (String::new(), None);
    };
    let reason = text.lines().nth(1).unwrap_or_default().trim().to_string();
    let opening = text
        .lines()
        .find_map(|l| l.strip_prefix(OPENING_PREFIX))
        .and_then(|n| n.trim().parse().ok())
        .map(OpeningId);
    (reason, opening)
}

/// What [`retry`] or [`quarantine`] did with a failed file (now out of `failed/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handled {
    /// The register's file with its bytes.
    pub file: FileId,
    /// That file's opening (another one when the register already held the same bytes
    /// there: a file belongs to one opening).
    pub opening: OpeningId,
    /// The register did not hold these bytes before.
    pub new: bool,
    /// The opening has something to read now (the caller queues or runs the reading).
    pub to_read: bool,
}

/// Stores the failed file `name` of `dir` into `opening` again (the upload path) so that
/// it is read — or, when the register already held it in quarantine, sends that file back
/// to be read — and only then removes it and its note from `failed/`. A file still too
/// large stays.
pub fn retry(
    store: &Store,
    dir: &Path,
    name: &str,
    opening: OpeningId,
) -> Result<Handled, FailedError> {
    let path = failed_file(dir, name)?;
    let bytes = read_within_limit(&path)?;
    let mut sum = Summary::default();
    let id = store_bytes(store, opening, name, &bytes, &mut sum)?;
    let mut info = store.get_file(id)?;
    if info.status == FileStatus::Quarantined {
        store.retry_quarantined(id)?;
        info = store.get_file(id)?;
    }
    let to_read = matches!(info.status, FileStatus::Stored | FileStatus::Scanned);
    forget(store, dir, &path, name, &bytes)?;
    Ok(Handled {
        file: id,
        opening: info.opening_id,
        new: sum.stored_new > 0,
        to_read,
    })
}

/// Puts the failed file `name` of `dir` into the register's quarantine of `opening` with
/// its reason (stored first, so the register holds it and the opening's page lists it
/// with the retry button), then removes it and its note from `failed/`. Bytes the
/// register already held stay as they are there (quarantined or read).
pub fn quarantine(
    store: &Store,
    dir: &Path,
    name: &str,
    opening: OpeningId,
) -> Result<Handled, FailedError> {
    let path = failed_file(dir, name)?;
    let bytes = std::fs::read(&path).map_err(crate::io(&path))?;
    if bytes.is_empty() {
        return Err(FailedError::Empty);
    }
    let (reason, _) = read_note(&dir.join(format!("{name}{NOTE_SUFFIX}")));
    let mut sum = Summary::default();
    let id = store_bytes(store, opening, name, &bytes, &mut sum)?;
    let new = sum.stored_new > 0;
    if new {
        let why = if reason.is_empty() {
            "kept from the failed folder".to_string()
        } else {
            format!("kept from the failed folder: {reason}")
        };
        match store.quarantine(id, &why) {
            // Read meanwhile by a worker that found it stored: nothing left to hold back.
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let info = store.get_file(id)?;
    forget(store, dir, &path, name, &bytes)?;
    Ok(Handled {
        file: id,
        opening: info.opening_id,
        new,
        to_read: false,
    })
}

/// The bytes of the failed file `name` of `dir`, under the same name rules and size limit
/// as [`retry`], for a preview; nothing moves.
pub fn read(dir: &Path, name: &str) -> Result<Vec<u8>, FailedError> {
    read_within_limit(&failed_file(dir, name)?)
}

/// The path of a plain file `name` directly in `dir` (no folders, links or notes).
fn failed_file(dir: &Path, name: &str) -> Result<PathBuf, FailedError> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).file_name().is_some_and(|n| n == name);
    let path = dir.join(name);
    let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
    let beside = name
        .strip_suffix(NOTE_SUFFIX)
        .filter(|f| dir.join(f).is_file())
        .into_iter()
        .collect();
    if !plain || !is_file || is_note(&path, name, &beside) {
        return Err(FailedError::NotFound(name.to_string()));
    }
    Ok(path)
}

fn read_within_limit(path: &Path) -> Result<Vec<u8>, FailedError> {
    let limit = ishenim_intake::Limits::default().max_bytes;
    let size = std::fs::metadata(path).map_err(crate::io(path))?.len();
    if size > limit {
        return Err(FailedError::TooLarge {
            mib: size >> 20,
            limit: limit >> 20,
        });
    }
    let bytes = std::fs::read(path).map_err(crate::io(path))?;
    if bytes.is_empty() {
        return Err(FailedError::Empty);
    }
    Ok(bytes)
}

/// Removes a failed file and its note, after checking that the register holds exactly
/// these bytes.
fn forget(
    store: &Store,
    dir: &Path,
    path: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<(), FailedError> {
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let held = store.find_file_by_sha256(&sha)?;
    if held.is_none() {
        return Err(
            StoreError::NotFound(format!("the register's copy of {}", file_name(path))).into(),
        );
    }
    std::fs::remove_file(path).map_err(crate::io(path))?;
    let note = dir.join(format!("{name}{NOTE_SUFFIX}"));
    match std::fs::remove_file(&note) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(crate::io(&note)(e).into()),
    }
    sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{tests::store_with_opening, to_failed};

    /// Puts `bytes` into `dir/failed/` the way a folder does, for `opening`.
    fn failed_with(dir: &Path, name: &str, bytes: &[u8], opening: OpeningId, why: &str) {
        std::fs::create_dir_all(dir.join(FAILED)).expect("mkdir");
        let src = dir.join(name);
        std::fs::write(&src, bytes).expect("write");
        to_failed(dir, &src, name, opening, why).expect("to failed");
    }

    #[test]
    fn failed_files_are_listed_with_reason_and_opening_and_leave_only_once_held() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, o) = store_with_opening(t.path());
        let dir = t.path().join("scan");
        failed_with(&dir, "a.png", b"page a", o, "cannot read: denied");
        failed_with(&dir, "b.png", b"page b", o, "file is too large");
        // A scanned file whose name ends like a note, and a note written before openings
        // were recorded (no opening line).
        failed_with(&dir, "x.reason.txt", b"odd name", o, "odd");
        std::fs::write(dir.join("failed/old.png"), b"old").expect("write");
        std::fs::write(
            dir.join("failed/old.png.reason.txt"),
            "Файл кабыл алынган жок / Файл не принят: old.png\nolder reason\n",
        )
        .expect("write");
        let failed = dir.join(FAILED);
        let listed = list(&failed).expect("list");
        let names: Vec<&str> = listed.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        for n in ["a.png", "b.png", "x.reason.txt", "old.png"] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        let a = listed.iter().find(|f| f.name == "a.png").expect("a");
        assert_eq!(
            (a.reason.as_str(), a.opening),
            ("cannot read: denied", Some(o))
        );
        let old = listed.iter().find(|f| f.name == "old.png").expect("old");
        assert_eq!((old.reason.as_str(), old.opening), ("older reason", None));

        // Names that are not a plain failed file are refused and nothing moves.
        for bad in [
            "../scan/failed/a.png",
            "a.png.reason.txt",
            "",
            "..",
            "nope.png",
        ] {
            assert!(
                matches!(
                    retry(&store, &failed, bad, o),
                    Err(FailedError::NotFound(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(list(&failed).expect("list").len(), 4);

        let h = retry(&store, &failed, "a.png", o).expect("retry");
        assert!(h.new && h.to_read && h.opening == o);
        assert_eq!(store.read_file(h.file).expect("bytes"), b"page a");
        assert!(!failed.join("a.png").exists() && !failed.join("a.png.reason.txt").exists());

        let q = quarantine(&store, &failed, "b.png", o).expect("quarantine");
        let info = store.get_file(q.file).expect("file");
        assert_eq!(info.status, FileStatus::Quarantined);
        assert!(info
            .reason
            .unwrap_or_default()
            .contains("file is too large"));
        assert!(!failed.join("b.png").exists());

        // Retrying bytes the register holds in quarantine sends that file back to be read.
        failed_with(&dir, "b-again.png", b"page b", o, "quarantined earlier");
        let r = retry(&store, &failed, "b-again.png", o).expect("retry");
        assert_eq!((r.file, r.new, r.to_read), (q.file, false, true));
        assert_eq!(
            store.get_file(q.file).expect("file").status,
            FileStatus::Stored
        );
        assert_eq!(store.list_files(o).expect("files").len(), 2);
    }

    #[test]
    fn a_file_too_large_to_read_is_not_retried_and_stays() {
        let t = tempfile::tempdir().expect("tempdir");
        let (store, o) = store_with_opening(t.path());
        let dir = t.path().join("scan");
        std::fs::create_dir_all(dir.join(FAILED)).expect("mkdir");
        let big = dir.join(FAILED).join("big.png");
        let f = std::fs::File::create(&big).expect("create");
        f.set_len(ishenim_intake::Limits::default().max_bytes + 1)
            .expect("sparse");
        let failed = dir.join(FAILED);
        assert!(matches!(
            retry(&store, &failed, "big.png", o),
            Err(FailedError::TooLarge { .. })
        ));
        assert!(big.is_file());
        assert!(store.list_files(o).expect("files").is_empty());
    }
}
