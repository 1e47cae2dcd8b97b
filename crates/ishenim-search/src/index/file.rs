//! The index file itself: its schema, opening it (rebuilt when it is missing, corrupt or
//! of another schema version, since it is only a cache of the register) and writing
//! documents in one transaction.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::doc::Doc;
use crate::stem::ANALYZER_VERSION;
use crate::{Result, SearchError};

/// Version of the index schema; a file with another version is rebuilt.
const SCHEMA_VERSION: i64 = 1;

/// `docs` holds the filterable columns and the texts, `fts` the analysed text (FTS5),
/// `fts_vocab` the document frequencies that `similar` uses to find rare words.
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    id            INTEGER PRIMARY KEY,   -- year * 1000000 + number
    serial        TEXT NOT NULL,
    reg_date      TEXT NOT NULL,         -- YYYY-MM-DD of registration
    status        TEXT NOT NULL,
    category      TEXT NOT NULL,
    corruption    INTEGER NOT NULL,
    anonymous     INTEGER NOT NULL,
    official_key  TEXT,
    village_key   TEXT,
    applicant_key TEXT,
    phone_key     TEXT,
    address_key   TEXT,
    lang          TEXT NOT NULL,
    meta_text     TEXT NOT NULL,         -- summary, applicant, address, official, measures, reply
    body_text     TEXT NOT NULL          -- page texts
);
CREATE INDEX docs_date ON docs (reg_date);
CREATE INDEX docs_status ON docs (status, reg_date);
CREATE INDEX docs_category ON docs (category, reg_date);
CREATE INDEX docs_corruption ON docs (corruption, reg_date);
CREATE INDEX docs_anonymous ON docs (anonymous, reg_date);
CREATE INDEX docs_official ON docs (official_key, reg_date);
CREATE INDEX docs_village ON docs (village_key, reg_date);
CREATE INDEX docs_applicant ON docs (applicant_key);
CREATE INDEX docs_phone ON docs (phone_key);
CREATE INDEX docs_address ON docs (address_key);
CREATE VIRTUAL TABLE fts USING fts5(
    meta, body, words, lang, tags,
    content = '', contentless_delete = 1, tokenize = 'ascii'
);
CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row');
";

/// One connection, tuned as a cache: waits for a busy file, WAL, no fsync per commit.
fn open_conn(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    c.busy_timeout(Duration::from_secs(30))?;
    // A cache: a commit lost to a power cut is redone by the next sync.
    c.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    c.execute_batch("PRAGMA synchronous=NORMAL;")?;
    Ok(c)
}

/// Opens the file, creating or recreating the schema when it is missing, of another version,
/// or unreadable (it is a cache: deleting it loses nothing).
pub(super) fn open_or_recreate(path: &Path) -> Result<Connection> {
    let usable = |c: &Connection| -> rusqlite::Result<bool> {
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v != SCHEMA_VERSION {
            return Ok(false);
        }
        let a: Option<String> = c
            .query_row("SELECT value FROM meta WHERE key = 'analyzer'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(a.as_deref() == Some(ANALYZER_VERSION.to_string().as_str()))
    };
    if let Ok(c) = open_conn(path) {
        if usable(&c).unwrap_or(false) {
            return Ok(c);
        }
    }
    // Start over with a fresh file.
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(SearchError::Io { path: p, source }),
        }
    }
    let mut c = open_conn(path)?;
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let v: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if v == 0 {
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('analyzer', ?1), ('seq', '0'), ('hash', '')",
            [ANALYZER_VERSION.to_string()],
        )?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(c)
}

/// Empties the index and forgets the chain position it had reached, in one transaction,
/// so the next sync indexes the whole journal (for a rebuild, or a register that no
/// longer holds the entries the index has seen).
pub(super) fn empty(c: &mut Connection) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "DELETE FROM docs; DELETE FROM fts; DELETE FROM meta WHERE key = 'total';
         UPDATE meta SET value = '0' WHERE key = 'seq';
         UPDATE meta SET value = '' WHERE key = 'hash';",
    )?;
    tx.commit()?;
    Ok(())
}

/// Replaces the documents in one transaction, so a sync cut short leaves each chunk
/// either indexed whole or not at all.
pub(super) fn write_docs(c: &mut Connection, docs: &[Doc]) -> Result<()> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut del = tx.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?;
        let mut ins_doc = tx.prepare_cached(
            "INSERT OR REPLACE INTO docs (id, serial, reg_date, status, category, corruption,
                anonymous, official_key, village_key, applicant_key, phone_key, address_key,
                lang, meta_text, body_text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut ins_fts = tx.prepare_cached(
            "INSERT INTO fts (rowid, meta, body, words, lang, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut known = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM docs WHERE id = ?1)")?;
        for d in docs {
            // Deleting a row that is not there would still leave a tombstone in FTS5.
            if known.query_row([d.id], |r| r.get::<_, bool>(0))? {
                del.execute([d.id])?;
            }
            ins_doc.execute(rusqlite::params_from_iter(d.values.iter()))?;
            ins_fts.execute(params![
                d.id,
                d.meta,
                d.body,
                d.words,
                d.lang.code(),
                d.tags
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
