//! Keeping the index up to date with the register: incremental sync from the chain
//! position last seen, and a full rebuild.

use std::collections::{HashMap, HashSet};

use ishenim_store::{EntryView, Serial, Store};
use rusqlite::OptionalExtension;

use super::doc::{build_doc, Terms};
use super::file::{empty, write_docs};
use super::{Index, SyncStats, BULK, CHUNK, OPTIMIZE_AFTER};
use crate::Result;

impl Index {
    /// Brings the index up to date with the store: indexes entries registered, amended or
    /// followed up since the last sync. Idempotent and crash-safe (a sync cut short is
    /// redone by the next one); cheap when nothing changed (two small queries). Empties the
    /// index first when the store no longer holds the chain position it had seen.
    pub fn sync(&self, store: &Store) -> Result<SyncStats> {
        let mut c = self.conn();
        let (mut seen, hash): (i64, String) = {
            let get = |k: &str| -> rusqlite::Result<String> {
                c.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            };
            (get("seq")?.parse().unwrap_or(0), get("hash")?)
        };
        let head = store.chain_head()?;
        let mut stats = SyncStats::default();
        let still_ours = seen == 0 || store.chain_hash_at(seen)?.as_deref() == Some(&hash);
        if !still_ours {
            empty(&mut c)?;
            seen = 0;
            stats.rebuilt = true;
        }
        let (target, target_hash) = head.map(|h| (h.seq, h.hash)).unwrap_or((0, String::new()));
        if target != seen {
            let changed = store.entries_changed_since(seen)?;
            let mut terms = Terms::default();
            let mut all: Option<HashMap<Serial, EntryView>> = None;
            if changed.len() > BULK {
                let want: HashSet<Serial> = changed.iter().copied().collect();
                all = Some(
                    store
                        .journal_list(None)?
                        .into_iter()
                        .filter(|v| want.contains(&v.serial))
                        .map(|v| (v.serial, v))
                        .collect(),
                );
            }
            for chunk in changed.chunks(CHUNK) {
                let mut docs = Vec::with_capacity(chunk.len());
                for s in chunk {
                    let view = match all.as_mut().and_then(|m| m.remove(s)) {
                        Some(v) => v,
                        None => store.entry_current_view(*s)?,
                    };
                    let pages = store.letter_page_texts(view.draft_id, &view.page_ids)?;
                    docs.push(build_doc(&view, &pages, &mut terms));
                }
                write_docs(&mut c, &docs)?;
                stats.indexed += docs.len();
            }
            if stats.indexed >= OPTIMIZE_AFTER {
                // Merge the segments written by a big sync into one (faster queries).
                c.execute("INSERT INTO fts (fts) VALUES ('optimize')", [])?;
            }
            c.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'seq'",
                [target.to_string()],
            )?;
            c.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'hash'",
                [&target_hash],
            )?;
        }
        stats.seq = target;
        // Counting 100,000 rows costs milliseconds: only after a change.
        let cached: Option<String> = c
            .query_row("SELECT value FROM meta WHERE key = 'total'", [], |r| {
                r.get(0)
            })
            .optional()?;
        stats.total = match cached.and_then(|t| t.parse().ok()) {
            Some(t) if stats.indexed == 0 && !stats.rebuilt => t,
            _ => {
                let n = c.query_row("SELECT COUNT(*) FROM docs", [], |r| r.get::<_, i64>(0))?;
                c.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('total', ?1)",
                    [n.to_string()],
                )?;
                n.max(0) as u64
            }
        };
        Ok(stats)
    }

    /// Empties the index and indexes the whole journal again.
    pub fn rebuild(&self, store: &Store) -> Result<SyncStats> {
        // The guard is a temporary: the lock is released before `sync` takes it again.
        empty(&mut self.conn())?;
        let mut s = self.sync(store)?;
        s.rebuilt = true;
        Ok(s)
    }
}
