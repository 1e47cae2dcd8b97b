//! # ishenim-store — the system of record
//!
//! The only crate that speaks SQL. It keeps the council's legal registration journal and
//! everything that leads to it: box openings, uploaded originals, scanned pages, letter
//! drafts, the numbered journal with its amendments and follow-up events, the working-day
//! calendar, users, sessions and the audit log. Nothing here does OCR, HTTP or printing.
//!
//! ## On disk
//!
//! ```text
//! <data>/ishenim.sqlite3        one SQLite database (WAL, synchronous=FULL, foreign_keys=ON)
//! <data>/files/ab/abcdef…       uploaded originals, unmodified, named by SHA-256 (hex)
//! ```
//!
//! A blob is written to a temporary file, fsynced, renamed into place and its directory
//! fsynced *before* the database transaction that references it commits, so a committed row
//! always has its file. An orphan blob (crash between the two) is harmless and is reused when
//! the same file is added again. Blobs are never deleted by the store.
//!
//! Every connection sets `journal_mode=WAL`, `synchronous=FULL` (with NORMAL a power cut can
//! roll back a registration that already reported success), `foreign_keys=ON` and a busy
//! timeout. Connections are pooled behind a mutex; [`Store`] is `Clone + Send + Sync` and can
//! be shared by threads; several processes may open the same directory. Schema migrations
//! are numbered SQL files embedded in the binary (`migrations/NNNN_name.sql`), applied in one
//! `BEGIN IMMEDIATE` transaction at [`Store::open`]; the version is kept in `PRAGMA
//! user_version` and logged in the `schema_version` table.
//!
//! ## Pipeline and idempotency
//!
//! opening → [`Store::add_file`] (status `stored`; idempotent by SHA-256 across the whole
//! store) → [`Store::save_pages`] (status `scanned`; pages and status change in one
//! transaction) → [`Store::save_drafts`] (status `drafted`; a page belongs to at most one
//! draft, so a re-run after a crash skips drafts whose pages are already taken) →
//! [`Store::approve_draft`] (journal entry with a serial) or [`Store::reject_draft`].
//! A file that cannot be read goes to [`Store::quarantine`] with its reason; the reason and
//! the retry count live in the database ([`Store::list_quarantine`],
//! [`Store::retry_quarantined`]). [`Store::files_pending`] lists what an interrupted ingest
//! still has to do.
//!
//! ## Numbering scheme
//!
//! One journal per calendar year. A serial is `(year, number)`, displayed `2026-0001`
//! (four digits, more when a year passes 9999). The year is the year of *registration*
//! (the moment of approval, local time), not of the box opening: a letter taken from the
//! box on 31 December and approved on 3 January is `2027-0001`, and its "date from the box"
//! column still says 31 December. Numbers start at 1 each year and are gap-free and never
//! reused: a serial is assigned only on approval, as `MAX(number)+1` for the year, inside the
//! same `BEGIN IMMEDIATE` transaction that inserts the entry (no AUTOINCREMENT, no counter
//! table). A rejected draft never consumes a number. `UNIQUE(year, number)` backs this up.
//!
//! ## Append-only and the hash chain
//!
//! Entries, amendments, events and the audit log are append-only: triggers `RAISE(ABORT)` on
//! `UPDATE`/`DELETE`. A correction of a registration field is an amendment row (who, when,
//! why, field, old → new); follow-up columns (official, measures, reply, status, deadline
//! extension) are event rows. [`Store::entry_current_view`] folds them.
//!
//! Because anyone with the file can drop the triggers, entries, amendments and events form
//! **one hash chain** ordered by a global position `seq` (1, 2, 3, … with no gaps):
//!
//! ```text
//! hash_n = SHA-256( "ishenim-chain" 0x00 | version:u8 | kind:u8 | prev_hash_{n-1}:32 bytes | fields… )
//! prev_hash_0 = 32 zero bytes;  kind = b'E' entry, b'A' amendment, b'V' event
//! field  = 0x00                                  NULL
//!        | 0x01 i64 big-endian (8 bytes)          INTEGER
//!        | 0x02 f64 bits big-endian (8 bytes)     REAL
//!        | 0x03 u32 big-endian length, UTF-8      TEXT
//!        | 0x04 u32 big-endian length, bytes      BLOB
//! ```
//!
//! The fields of version 1 are every column of the row except `hash`, in a fixed order
//! (see `chain.rs`): they include the row id, `seq`, the serial (`year`, `number`) for
//! entries, the entry id for amendments/events, and `chain_v`. [`Store::verify`] recomputes
//! the chain and names the first broken row (`serial 2026-0042`, `amendment 17`,
//! `event 5`): an edited field changes that row's hash; a deleted row leaves a hole in `seq`
//! (and in the year's serials); swapped rows change both hashes. Whoever can write the file
//! can also recompute the whole chain, so the head (label + hash, [`Store::chain_head`]) must
//! be printed on every printout and export; [`Store::verify_against`] checks that a head
//! recorded on paper is still part of the chain.
//!
//! ## Deadlines
//!
//! Law No. 67 (2007) on citizens' appeals: register within 1 *working* day of receipt
//! (receipt = the box opening date) and consider within 14 days. We read "14 days" as 14
//! *calendar* days counted from registration, with a due date falling on a non-working day
//! moved to the next working day (the usual rule for time limits). Both numbers and the unit
//! (`calendar` or `working`, for the proposed "10 working days") are settings
//! ([`DeadlineSettings`]). The calendar ([`calendar::Calendar`]) knows weekends, the fixed
//! Kyrgyz holidays and admin-edited extra holidays and moved working days.
//! The settings live in the `settings` table (see [`SETTINGS`]) and are read inside the
//! approval transaction, so a change applies to the next approval and never to existing
//! deadlines. Anonymous appeals follow [`AnonymousPolicy`]: by default registered and
//! considered; with `register_only` they still get a serial and are closed at once by a
//! status event that names the setting ([`REGISTER_ONLY_REASON`]).
//!
//! ## API at a glance (for the CLI and web crates)
//!
//! | command | calls |
//! | --- | --- |
//! | `opening new` | [`Store::new_opening`] → print the [`OpeningId`]; [`Store::get_opening`], [`Store::list_openings`] |
//! | `ingest` | per input: [`Store::add_file`]; if the file's status is `stored`: scan [`Store::read_file`] / [`Store::file_path`] then [`Store::save_pages`] (or [`Store::quarantine`] with the reason); then draft with [`Store::pages_of_file`] / [`Store::page_record`] and [`Store::save_drafts`]. Resume: [`Store::files_pending`]. Quarantine: [`Store::list_quarantine`], [`Store::retry_quarantined`] |
//! | `drafts list/show` | [`Store::pending_drafts`], [`Store::list_drafts`], [`Store::get_draft`] |
//! | `drafts approve` | [`Store::approve_draft`] with [`ApprovedFields`] (or [`ApprovedFields::from_draft`]); `--all`: [`Store::approve_drafts`] (one transaction) |
//! | `drafts reject` / regroup | [`Store::reject_draft`]; [`Store::move_pages`], [`Store::split_draft`], [`Store::merge_drafts`], [`Store::set_draft_data`] |
//! | `journal list/show` | [`Store::journal_list`] (`EntryView` serialises with `"serial": "2026-0001"`), [`Store::entry_current_view`], [`Store::entry_history`], [`Store::act_of_receipt`]; print [`Store::chain_head`] on every printout/export |
//! | follow-up | [`Store::assign_official`], [`Store::record_measures`], [`Store::record_reply`], [`Store::set_status`], [`Store::extend_deadline`], [`Store::amend_entry`] |
//! | `journal verify` | [`Store::verify`] / [`Store::verify_against`]; exit non-zero unless `report.ok` |
//! | deadlines | [`Store::due_soon`], [`Store::overdue`], [`Store::deadline_settings`], [`Store::set_calendar_day`] |
//! | `user add`, login | [`Store::add_user`], [`Store::verify_password`], [`Store::create_session`], [`Store::session`], [`Store::delete_session`] |
//! | audit | [`Store::audit`] (views, exports, logins: ids only), [`Store::list_audit`]; approvals, rejections, amendments, events and backups audit themselves |
//! | `backup` / `restore` | [`Store::backup`], [`Store::verify_backup`] (checks an archive without restoring), [`Store::restore`] (no `Store` open on the target) |
//! | `settings` | [`Store::settings`], [`Store::set_setting`] (validated, audited), [`Store::anonymous_policy`], [`Store::backup_dir`]; deadlines: [`Store::deadline_settings`] |
//! | health | [`Store::integrity_check`], [`Store::check_blobs`] |
//! | receipt codes | [`Store::receipt_secret`], [`Store::issue_receipts`], [`Store::approve_draft_with_receipt`], [`Store::link_receipt`], [`Store::receipt_check`], [`Store::receipt_lookup`] (audited by hash prefix), [`Store::receipt_board`] |
//!
//! ## Errors
//!
//! Every fallible call returns [`StoreError`]; `SQLITE_BUSY`/`LOCKED` after the busy
//! timeout becomes [`StoreError::Busy`] (retryable). The store never panics on bad data.

#![forbid(unsafe_code)]

mod backup;
mod blobs;
pub mod calendar;
mod chain;
mod drafts;
mod error;
mod feed;
mod intake;
mod journal;
mod openings;
mod receipts;
mod redaction;
mod rows;
mod settings;
pub mod stats;
mod users;

pub use backup::{BackupCheck, BackupReport, RestoreReport};
pub use calendar::{Calendar, DayKind, DeadlineSettings, DeadlineUnit};
pub use chain::{BrokenRow, ChainHead, VerifyReport};
pub use drafts::{Draft, DraftScope, DraftStatus, NewDraft, QueuePosition, SaveDraftOutcome};
pub use error::{Result, StoreError};
pub use intake::{AddFileOutcome, FileInfo, FileStatus, PageInfo};
/// The draft the store keeps (the draft crate's proposal, read back tolerantly).
pub use ishenim_draft::{Applicant, Corruption, Lang, LetterDraft};
pub use journal::{
    check_field, ActOfReceipt, Amendment, ApprovedFields, EntryEvent, EntryField, EntryStatus,
    EntryView, EventKind, ReceiptLink, Serial, MAX_BRIEF, MAX_LINE,
};
pub use openings::{NewOpening, Opening};
pub use receipts::{ReceiptCheck, ReceiptStage, ReceiptStatus, DEFAULT_EXPIRY_MONTHS};
pub use redaction::{
    check_boxes, BoxFault, RedactionBox, SavedBoxes, MAX_BOXES_PER_PAGE, MIN_BOX_SIDE,
};
pub use settings::{
    validate_setting, AnonymousPolicy, SettingSpec, SettingValue, REGISTER_ONLY_REASON, SETTINGS,
};
pub use users::{normalize_login, AuditRecord, NewSession, Role, SessionInfo, User, MAX_LOGIN};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Name of the SQLite file inside the data directory.
pub const DB_FILE: &str = "ishenim.sqlite3";
/// Name of the blob folder inside the data directory.
pub const FILES_DIR: &str = "files";
/// How long a connection waits for a lock before [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Display text for an anonymous applicant (journal column "applicant").
pub const ANONYMOUS: &str = "Анонимдүү";

/// Embedded migrations, in order. Version = position + 1. Only ever append: a released
/// database records its version in `PRAGMA user_version`, so reordering or editing a
/// released migration breaks upgrades (see `upgrade_tests`).
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    (
        "0002_settings",
        include_str!("../migrations/0002_settings.sql"),
    ),
    (
        "0003_receipts",
        include_str!("../migrations/0003_receipts.sql"),
    ),
    (
        "0004_redaction",
        include_str!("../migrations/0004_redaction.sql"),
    ),
];

/// The schema version this build writes (number of embedded migrations).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Connections kept idle in the pool.
const POOL_MAX_IDLE: usize = 8;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = StoreError;
            fn from_str(s: &str) -> Result<Self> {
                s.trim()
                    .parse::<i64>()
                    .map($name)
                    .map_err(|_| StoreError::Invalid(format!("not a number: {s:?}")))
            }
        }
    };
}

id_type!(
    /// Id of a box opening.
    OpeningId
);
id_type!(
    /// Id of an uploaded file.
    FileId
);
id_type!(
    /// Id of a scanned page.
    PageId
);
id_type!(
    /// Id of a letter draft.
    DraftId
);
id_type!(
    /// Id of a user.
    UserId
);

struct Inner {
    data_dir: PathBuf,
    db_path: PathBuf,
    files_dir: PathBuf,
    pool: Mutex<Vec<Connection>>,
    categories: std::sync::RwLock<Option<Arc<Vec<String>>>>,
}

/// Handle to one data directory. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("data_dir", &self.inner.data_dir)
            .finish()
    }
}

/// A pooled connection; returned to the pool on drop.
pub(crate) struct Conn<'a> {
    conn: Option<Connection>,
    store: &'a Store,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Always Some until drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            // A connection left inside a transaction (should not happen) is not reused.
            if !c.is_autocommit() {
                return;
            }
            let mut pool = match self.store.inner.pool.lock() {
                Ok(p) => p,
                Err(poisoned) => poisoned.into_inner(),
            };
            if pool.len() < POOL_MAX_IDLE {
                pool.push(c);
            }
        }
    }
}

/// Open one connection with the per-connection settings.
pub(crate) fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Malformed(format!(
            "could not switch the database to WAL (got {mode})"
        )));
    }
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    Ok(conn)
}

impl Store {
    /// Open (creating if needed) the store in `data_dir`: creates the directory and the blob
    /// folder, sets the connection pragmas and runs pending migrations.
    ///
    /// Fails with [`StoreError::SchemaTooNew`] when the file was written by a newer build.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Self::open_at_version(data_dir, MIGRATIONS.len())
    }

    /// [`Store::open`] applying only the first `version` migrations: a store as an earlier
    /// release made it (upgrade tests).
    pub(crate) fn open_at_version(data_dir: &Path, version: usize) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
        let files_dir = data_dir.join(FILES_DIR);
        std::fs::create_dir_all(&files_dir).map_err(|e| StoreError::io(&files_dir, e))?;
        let db_path = data_dir.join(DB_FILE);
        let full = |e: StoreError| match e {
            StoreError::Sqlite(_) | StoreError::Io { .. } if error::disk_is_full(data_dir) => {
                StoreError::DiskFull
            }
            e => e,
        };
        let mut conn = open_connection(&db_path).map_err(full)?;
        migrate(&mut conn, version).map_err(full)?;
        let store = Store {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_path_buf(),
                db_path,
                files_dir,
                pool: Mutex::new(vec![conn]),
                categories: std::sync::RwLock::new(None),
            }),
        };
        Ok(store)
    }

    /// The category keys approvals and amendments must use: the council's
    /// `models/categories.toml` as the drafting crate reads it (`Models::categories`). The
    /// store does not read model files itself; every program that registers letters (the
    /// web server, `ishenim drafts approve`, `ishenim journal amend`) sets the list once
    /// after opening, for every clone of this handle. Until then a category only has to be
    /// spelled like a key.
    pub fn set_categories(&self, keys: Vec<String>) {
        let mut g = self
            .inner
            .categories
            .write()
            .unwrap_or_else(|p| p.into_inner());
        *g = Some(Arc::new(keys));
    }

    /// The list given to [`Store::set_categories`], if any.
    pub fn categories(&self) -> Option<Arc<Vec<String>>> {
        self.inner
            .categories
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The data directory this store was opened on.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Path of the SQLite file.
    pub fn db_path(&self) -> &Path {
        &self.inner.db_path
    }

    /// Current schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<i64> {
        let c = self.conn()?;
        Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Run `PRAGMA integrity_check`; returns the problems found (empty = ok).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let c = self.conn()?;
        integrity_problems(&c)
    }

    pub(crate) fn files_dir(&self) -> &Path {
        &self.inner.files_dir
    }

    pub(crate) fn conn(&self) -> Result<Conn<'_>> {
        let pooled = {
            let mut pool = match self.inner.pool.lock() {
                Ok(p) => p,
                Err(poisoned) => poisoned.into_inner(),
            };
            pool.pop()
        };
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.inner.db_path)?,
        };
        Ok(Conn {
            conn: Some(conn),
            store: self,
        })
    }
}

pub(crate) fn integrity_problems(c: &Connection) -> Result<Vec<String>> {
    let mut st = c.prepare("PRAGMA integrity_check")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        let r = r?;
        if r != "ok" {
            out.push(r);
        }
    }
    Ok(out)
}

/// Apply the migrations the database does not have yet, up to version `target` (all of
/// them outside tests), in one `BEGIN IMMEDIATE` transaction.
fn migrate(conn: &mut Connection, target: usize) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let target = target.min(MIGRATIONS.len()) as i64;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    if current >= target {
        return Ok(());
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current || version > target {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, fmt_ts(now())],
        )?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}

/// Local wall-clock time, truncated to seconds.
pub(crate) fn now() -> NaiveDateTime {
    let n = chrono::Local::now().naive_local();
    n.with_nanosecond_zero()
}

trait NanoZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl NanoZero for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

pub(crate) const TS_FMT: &str = "%Y-%m-%dT%H:%M:%S";
pub(crate) const DATE_FMT: &str = "%Y-%m-%d";

pub(crate) fn fmt_ts(t: NaiveDateTime) -> String {
    t.format(TS_FMT).to_string()
}

pub(crate) fn fmt_date(d: NaiveDate) -> String {
    d.format(DATE_FMT).to_string()
}

pub(crate) fn parse_ts(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, TS_FMT)
        .map_err(|_| StoreError::Malformed(format!("bad timestamp {s:?}")))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, DATE_FMT)
        .map_err(|_| StoreError::Malformed(format!("bad date {s:?}")))
}

/// Refuse empty or whitespace-only text for required fields.
pub(crate) fn required(what: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{what} must not be empty")));
    }
    Ok(t.to_string())
}

/// Trim an optional text; empty becomes `None`.
pub(crate) fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// A fresh store in a temp dir (the dir lives as long as the returned guard).
    pub fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(&dir.path().join("data")).expect("open");
        (dir, s)
    }
}

#[cfg(test)]
mod upgrade_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sets_pragmas_and_migrates_once() {
        let (_d, s) = testutil::store();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let c = s.conn().unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "FULL");
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(c);
        // Reopen: no second migration.
        let s2 = Store::open(s.data_dir()).unwrap();
        let n: i64 = s2
            .conn()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);
        assert!(s2.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn newer_schema_is_refused() {
        let (_d, s) = testutil::store();
        s.conn()
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open(s.data_dir()).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 99, .. }));
    }
}
