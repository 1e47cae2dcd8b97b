//! The index file (`<data>/search.sqlite`): schema, sync from the store, search, similar
//! appeals.

mod doc;
mod file;
mod matching;
mod search;
mod similar;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ishenim_store::Store;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use self::file::open_or_recreate;
use crate::snippet::Segment;
use crate::Result;

/// Name of the index file inside the store's data directory.
pub const INDEX_FILE: &str = "search.sqlite";
/// Entries written per index transaction during a sync.
const CHUNK: usize = 1000;
/// Above this many changed entries a sync reads the whole journal at once instead of
/// entry by entry.
const BULK: usize = 500;
/// When more appeals than this match a query (after filters), the most recent ones are
/// ranked (a word found in nearly every letter gives the newest relevant letters quickly).
pub const RANK_WINDOW: usize = 1000;
/// A sync that indexed at least this many entries merges the index segments afterwards.
const OPTIMIZE_AFTER: usize = 5000;
/// Most hits returned by one call.
pub const MAX_LIMIT: usize = 1000;
/// Column weights for bm25: summary and other journal fields, page text, word prefixes,
/// language marker, filter tags.
const BM25: &str = "bm25(fts, 2.0, 1.0, 0.5, 0.0, 0.0)";

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStats {
    /// Entries (re)indexed by this sync.
    pub indexed: usize,
    /// True when the index was emptied first (new file, other analysis version, or the
    /// register no longer contains the chain position the index had seen, e.g. after a
    /// restore).
    pub rebuilt: bool,
    /// Entries in the index now.
    pub total: u64,
    /// Chain position the index is up to date with.
    pub seq: i64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Serial of the journal entry, `2026-0001`.
    pub serial: String,
    /// Relevance (higher is better; 0 for filter-only queries, which come newest first).
    pub score: f64,
    /// Snippet of the original text with the matching words marked.
    pub snippet: Vec<Segment>,
}

/// Why an appeal is shown as similar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SimilarReason {
    /// Same applicant name (any word order, any reading of ө/ү/ң).
    SameApplicant,
    /// Same phone number.
    SamePhone,
    /// Same address.
    SameAddress,
    /// Much of the text is the same: share of distinctive words in common (0–1).
    SimilarText {
        /// Jaccard overlap of the two letters' distinctive stems.
        overlap: f64,
    },
}

/// An appeal similar to the one on the entry page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Similar {
    /// Its serial.
    pub serial: String,
    /// Why (at least one).
    pub reasons: Vec<SimilarReason>,
}

/// Text overlap from which two letters count as "strongly overlapping".
pub const SIMILAR_TEXT_MIN: f64 = 0.4;

/// The search index of one register. `Send + Sync`: calls are serialised on one
/// connection.
pub struct Index {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("path", &self.path).finish()
    }
}

impl Index {
    /// Opens (creating or rebuilding if needed) the index of `store`, at
    /// `<data>/search.sqlite`. Does not sync: call [`Index::sync`].
    pub fn open(store: &Store) -> Result<Index> {
        let path = store.data_dir().join(INDEX_FILE);
        let conn = open_or_recreate(&path)?;
        Ok(Index {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// Path of the index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests;
