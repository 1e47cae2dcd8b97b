//! # ishenim-search — full-text search of approved appeals
//!
//! Finds journal entries by the words of their letters whatever the Kyrgyz or Russian
//! endings (`пара` finds `парасын`, `паралар`, `парага`; `взятка` finds `взятку`), whatever
//! OCR did to ө/ү/ң (`өкмөтү` = `окмоту`) or to look-alike Latin letters, and in any case.
//!
//! ## Design
//!
//! FTS5's own tokenizers know nothing of Kyrgyz and rusqlite cannot register a tokenizer
//! written in Rust, so the analysis happens here ([`text`], [`stem`]): every word becomes a
//! *stem* (Kyrgyz suffix stripping with vowel harmony, or Snowball Russian for the words of
//! a Russian letter) folded so that ө/ү/ң and о/у/н meet. FTS5 indexes these terms with
//! its plain `ascii` tokenizer (which splits on spaces only for non-ASCII text). Queries go
//! through the same analysis; a query word matches either its Kyrgyz or its Russian stem.
//! The original text is kept beside the index for snippets.
//!
//! The index is a derived file, `<data>/search.sqlite`, next to the register: the store's
//! database stays the only source of truth. [`Index::sync`] brings the index up to date
//! using the store's change feed (entries, amendments and events share one gap-free chain
//! position, so "everything after position N" is exact): new entries are indexed and
//! entries with new amendments or follow-up events are re-indexed (status, official, category
//! and the other filter columns follow). A sync is idempotent and crash-safe; the file can
//! be deleted at any time and is rebuilt by the next sync. If the register is replaced (a
//! restore), the index notices that the chain position it had seen now has another hash and
//! rebuilds.
//!
//! ## API (for the CLI and the web crate)
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ishenim_search::{Index, Query};
//! let store = ishenim_store::Store::open(std::path::Path::new("ishenim-data"))?;
//! let index = Index::open(&store)?;          // creates or opens <data>/search.sqlite
//! index.sync(&store)?;                        // before searching
//! let mut q = Query::parse("парасын \"жер тилкеси\" кызмат* flag:yes")?;
//! q.filters.village = Some("Кара-Суу".into()); // filters may also be set directly
//! for hit in index.search(&q, 20, 0)? {
//!     // hit.serial, hit.score, hit.snippet: Vec<Segment { text, hit }>; escape `text`
//!     // and wrap the `hit` segments in <mark>.
//!     println!("{} {:.2}", hit.serial, hit.score);
//! }
//! let serial = "2026-0001".parse()?;
//! for s in index.similar(&store, serial)? {
//!     println!("{} {:?}", s.serial, s.reasons);
//! }
//! # Ok(()) }
//! ```
//!
//! Audit: searching reads appeals, so the caller records the query (never the text) in the
//! store's audit log, as the CLI's `ishenim search` does.
//!
//! ## Confidentiality
//!
//! Errors name serials and counts only; nothing here logs.

#![forbid(unsafe_code)]

mod index;
pub mod keys;
mod query;
pub mod seed;
mod snippet;
pub use ishenim_text::stem;
pub use ishenim_text::text;

pub use index::{
    Hit, Index, Similar, SimilarReason, SyncStats, INDEX_FILE, MAX_LIMIT, SIMILAR_TEXT_MIN,
};
pub use query::{Filters, Query, QueryError, Term};
pub use snippet::{plain, Segment};

use std::path::PathBuf;

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query was refused (nothing to search for, bad filter value, …).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Reading the register failed.
    #[error("register: {0}")]
    Store(#[from] ishenim_store::StoreError),
    /// The index file failed.
    #[error("search index: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file operation on the index failed.
    #[error("search index {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, SearchError>;
