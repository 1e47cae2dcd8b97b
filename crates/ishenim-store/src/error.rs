//! The store's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store. Messages never contain appeal text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another connection or process held the database lock longer than the busy timeout.
    #[error("the database is busy (another process is writing); try again")]
    Busy,
    /// The named object does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller passed a value the store refuses (empty reason, bad serial, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The operation conflicts with the current state (draft already decided, page already used, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database was written by a newer program version.
    #[error("the store has schema version {found}, newer than this program knows ({known}); upgrade Ishenim")]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A file-system operation failed.
    #[error("I/O error at {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A backup archive failed a check; nothing was restored.
    #[error("corrupt or foreign backup archive: {0}")]
    CorruptArchive(String),
    /// Restore refused to overwrite an existing, non-empty store.
    #[error("{0} already holds a store; pass overwrite to replace it")]
    NotEmpty(PathBuf),
    /// Stored data could not be read back (bad JSON, bad date, ...): a sign of tampering or a bug.
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Password(String),
    /// The disk that holds the register is full. What was being written was not committed
    /// (a transaction is all or nothing; a blob is renamed into place only when complete).
    #[error("the disk holding the register is full: free some space and run it again, nothing was half-written / диск толду: орун бошотуп, кайра аткарыңыз / диск заполнен: освободите место и повторите")]
    DiskFull,
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) {
                return StoreError::Busy;
            }
            if f.code == rusqlite::ErrorCode::DiskFull {
                return StoreError::DiskFull;
            }
        }
        StoreError::Sqlite(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Malformed(format!("JSON: {e}"))
    }
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::StorageFull {
            return StoreError::DiskFull;
        }
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// True when retrying the same call later may succeed (the database was busy).
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy)
    }
}

/// Shorthand for results of store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// After a failure to open the database: is the data folder's disk full? SQLite reports a
/// shared-memory file it cannot grow as a plain "disk I/O error", so a small probe write
/// tells the two apart.
pub(crate) fn disk_is_full(dir: &std::path::Path) -> bool {
    let probe = dir.join(".ishenim-space-probe");
    let r = std::fs::write(&probe, [0u8; 64 << 10]);
    let _ = std::fs::remove_file(&probe);
    matches!(r, Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_named_as_such() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let e = StoreError::from(full);
        assert!(matches!(e, StoreError::DiskFull));
        assert!(e.to_string().contains("disk holding the register is full"));
        assert!(e.to_string().contains("диск заполнен"));
        let io = StoreError::io("/x", std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert!(matches!(io, StoreError::DiskFull));
        let other = StoreError::io("/x", std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(matches!(other, StoreError::Io { .. }));
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(StoreError::from(busy).is_busy());
        let d = tempfile::tempdir().unwrap();
        assert!(!disk_is_full(d.path()), "a disk with room is not full");
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            0,
            "probe removed"
        );
    }
}
