//! Searching the index: ranked or newest-first hits with snippets, and their count.

use rusqlite::types::Value;

use super::matching::{bind_all, query_rows, Where};
use super::{Hit, Index, BM25, MAX_LIMIT, RANK_WINDOW};
use crate::query::Query;
use crate::snippet::{snippet_for, WordCache};
use crate::text::Lang;
use crate::Result;

impl Index {
    /// Searches: hits ordered by relevance (bm25; the summary and journal fields weigh more
    /// than page text; when more than [`RANK_WINDOW`] appeals match, the most recent of them
    /// are ranked), or newest first for a filter-only query. `limit` is capped at
    /// [`MAX_LIMIT`]. Fails with [`QueryError::Empty`](crate::query::QueryError::Empty) when the query has neither a term
    /// nor a filter.
    pub fn search(&self, q: &Query, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        let limit = limit.min(MAX_LIMIT) as i64;
        let offset = offset.min(i64::MAX as usize) as i64;
        let c = self.conn();
        let Where {
            expr,
            highlight: hl,
            filters: fsql,
            params: fparams,
        } = Where::of(q, &c)?;
        let rows = match &expr {
            Some(e) => {
                // Matches are visited newest first (FTS5 walks its doclists backwards) and at
                // most RANK_WINDOW of them, after the filters, are ranked: a word found in
                // most letters stays fast.
                let join = if q.filters.is_empty() {
                    String::new()
                } else {
                    format!("CROSS JOIN docs d ON d.id = fts.rowid WHERE {fsql} AND")
                };
                let wh = if join.is_empty() { "WHERE" } else { "" };
                let sql = format!(
                    "WITH cand AS MATERIALIZED (
                        SELECT fts.rowid AS id, {BM25} AS r FROM fts {join} {wh} fts MATCH ?1
                        ORDER BY fts.rowid DESC LIMIT {RANK_WINDOW})
                     SELECT c.id, d.serial, c.r FROM cand c JOIN docs d ON d.id = c.id
                     ORDER BY c.r, c.id DESC LIMIT ?2 OFFSET ?3"
                );
                let binds = bind_all(
                    vec![
                        (1, Value::Text(e.clone())),
                        (2, Value::Integer(limit)),
                        (3, Value::Integer(offset)),
                    ],
                    fparams,
                );
                query_rows(&c, &sql, &binds)?
            }
            None => {
                let sql = format!(
                    "SELECT d.id, d.serial, 0.0 FROM docs d WHERE {fsql}
                     ORDER BY d.reg_date DESC, d.id DESC LIMIT ?2 OFFSET ?3"
                );
                let binds = bind_all(
                    vec![(2, Value::Integer(limit)), (3, Value::Integer(offset))],
                    fparams,
                );
                query_rows(&c, &sql, &binds)?
            }
        };
        let mut st =
            c.prepare_cached("SELECT lang, meta_text, body_text FROM docs WHERE id = ?1")?;
        let mut hits = Vec::with_capacity(rows.len());
        let mut cache = WordCache::default();
        for (id, serial, r) in rows {
            let (lang, meta, body): (String, String, String) =
                st.query_row([id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))?;
            let lang = Lang::from_code(&lang);
            let snip = snippet_for(&meta, &body, lang, &hl, &mut cache);
            hits.push(Hit {
                serial,
                score: -r,
                snippet: snip,
            });
        }
        Ok(hits)
    }

    /// Number of entries matching the query (for paging).
    pub fn count(&self, q: &Query) -> Result<u64> {
        let c = self.conn();
        let Where {
            expr,
            filters: fsql,
            params: fparams,
            ..
        } = Where::of(q, &c)?;
        let (sql, lead) = match expr {
            Some(e) => (
                format!(
                    "SELECT COUNT(*), '', 0.0 FROM fts JOIN docs d ON d.id = fts.rowid
                     WHERE fts MATCH ?1 AND {fsql}"
                ),
                vec![(1, Value::Text(e))],
            ),
            None => (
                format!("SELECT COUNT(*), '', 0.0 FROM docs d WHERE {fsql}"),
                vec![],
            ),
        };
        let rows = query_rows(&c, &sql, &bind_all(lead, fparams))?;
        Ok(rows.first().map_or(0, |r| r.0.max(0) as u64))
    }
}
