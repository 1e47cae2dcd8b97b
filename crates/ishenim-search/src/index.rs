//! The index file (`<data>/search.sqlite`): schema, sync from the store, search, similar
//! appeals.

use crate::keys::{name_key, phone_key, text_key, village_key};
use crate::query::{Filters, Query, QueryError, Term};
use crate::snippet::{snippet_for, Highlight, Segment, WordCache};
use crate::stem::{kyrgyz_stem, russian_stem, Analyzed, Analyzer, ANALYZER_VERSION};
use crate::text::{guess_lang, has_kyrgyz_letter, normalize_word, tokenize, Lang};
use crate::{Result, SearchError};
use chrono::{Datelike, NaiveDate};
use ishenim_store::{EntryView, Serial, Store};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Name of the index file inside the store's data directory.
pub const INDEX_FILE: &str = "search.sqlite";

/// Version of the index schema; a file with another version is rebuilt.
const SCHEMA_VERSION: i64 = 1;
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

/// Most similar appeals returned.
const SIMILAR_MAX: usize = 20;
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

fn serial_id(s: Serial) -> i64 {
    i64::from(s.year) * 1_000_000 + i64::from(s.number)
}

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
fn open_or_recreate(path: &Path) -> Result<Connection> {
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

/// Analysis with a per-sync cache of words already seen (most words repeat).
#[derive(Default)]
struct Terms {
    cache: HashMap<(String, Lang), Option<Analyzed>>,
}

impl Terms {
    /// Stems and folded surfaces of `text`, space-separated.
    fn of(&mut self, text: &str, lang: Lang, stems: &mut String, words: &mut String) {
        for t in tokenize(text) {
            let an = self
                .cache
                .entry((t.text.to_string(), lang))
                .or_insert_with(|| Analyzer.doc_word(t.text, lang));
            if let Some(an) = an {
                stems.push_str(&an.stem);
                stems.push(' ');
                words.push_str(&an.surface);
                words.push(' ');
            }
        }
        if self.cache.len() > 500_000 {
            self.cache.clear();
        }
    }
}

/// The text fields of an entry for the index.
fn meta_text(v: &EntryView) -> String {
    let mut parts: Vec<&str> = vec![v.fields.brief.as_str()];
    if let Some(n) = v
        .fields
        .applicant_name
        .as_deref()
        .filter(|_| !v.fields.anonymous)
    {
        parts.push(n);
    }
    parts.extend(v.fields.address.as_deref());
    parts.extend(v.fields.official.as_deref());
    parts.extend(v.measures.iter().map(String::as_str));
    parts.extend(v.reply_no.as_deref());
    parts.join("\n")
}

struct Doc {
    id: i64,
    lang: Lang,
    tags: String,
    /// The row of `docs`, in the column order of its `INSERT`.
    values: Vec<Value>,
    /// The keys that find the same writer or place (`similar`), as stored in `values`.
    keys: SameKeys,
    meta: String,
    body: String,
    words: String,
}

/// The matching keys of an entry: `applicant_key`, `phone_key`, `address_key` of `docs`.
struct SameKeys {
    applicant: Option<String>,
    phone: Option<String>,
    address: Option<String>,
}

fn build_doc(v: &EntryView, pages: &[String], terms: &mut Terms) -> Doc {
    let meta = meta_text(v);
    let body = pages
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let lang = guess_lang(&format!("{}\n{}", v.fields.brief, body));
    let (mut ms, mut bs, mut ws) = (String::new(), String::new(), String::new());
    terms.of(&meta, lang, &mut ms, &mut ws);
    terms.of(&body, lang, &mut bs, &mut ws);
    let keys = SameKeys {
        applicant: v
            .fields
            .applicant_name
            .as_deref()
            .filter(|_| !v.fields.anonymous)
            .and_then(name_key),
        phone: v.fields.phone.as_deref().and_then(phone_key),
        address: v.fields.address.as_deref().and_then(text_key),
    };
    let opt = |s: Option<String>| s.map(Value::Text).unwrap_or(Value::Null);
    let values = vec![
        Value::Integer(serial_id(v.serial)),
        Value::Text(v.serial.to_string()),
        Value::Text(v.registered_at.date().format("%Y-%m-%d").to_string()),
        Value::Text(v.status.as_str().to_string()),
        Value::Text(v.fields.category.to_lowercase()),
        Value::Integer(i64::from(v.fields.corruption)),
        Value::Integer(i64::from(v.fields.anonymous)),
        opt(v.fields.official.as_deref().and_then(text_key)),
        opt(v.fields.address.as_deref().and_then(village_key)),
        opt(keys.applicant.clone()),
        opt(keys.phone.clone()),
        opt(keys.address.clone()),
        Value::Text(lang.code().to_string()),
        Value::Text(meta),
        Value::Text(body),
    ];
    let reg = v.registered_at.date();
    let mut tags = vec![
        tag("xs", v.status.as_str()),
        tag("xc", &v.fields.category),
        tag("xf", if v.fields.corruption { "1" } else { "0" }),
        tag("xa", if v.fields.anonymous { "1" } else { "0" }),
        format!("y{}", reg.year()),
        format!("m{}", reg.format("%Y%m")),
    ];
    if let Some(k) = v.fields.address.as_deref().and_then(village_key) {
        tags.push(tag("xv", &k));
    }
    if let Some(k) = v.fields.official.as_deref().and_then(text_key) {
        tags.extend(k.split(' ').map(|w| tag("xo", w)));
    }
    Doc {
        id: serial_id(v.serial),
        lang,
        tags: tags.join(" "),
        values,
        keys,
        meta: ms,
        body: bs,
        words: ws,
    }
}

/// A filter tag: a marker and the value's letters and digits, one FTS token.
fn tag(marker: &str, value: &str) -> String {
    let v: String = value
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    format!("{marker}{v}")
}

/// Year and month tags covering `[lo, hi]` (whole years as `y2025`, other months as
/// `m202503`).
fn date_tags(lo: NaiveDate, hi: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (lo.year(), lo.month());
    while (y, m) <= (hi.year(), hi.month()) {
        if m == 1 && (y, 12) <= (hi.year(), hi.month()) {
            out.push(format!("y{y}"));
            y += 1;
            continue;
        }
        out.push(format!("m{y}{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// FTS terms on the `tags` column for the filters: a coarse, fast pre-selection (the exact
/// filters on `docs` still apply). `None` when there is no filter.
fn tag_expr(f: &Filters, c: &Connection) -> Result<Option<String>> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = f.status {
        parts.push(quote(&tag("xs", s.as_str())));
    }
    if let Some(cat) = &f.category {
        parts.push(quote(&tag("xc", cat.trim())));
    }
    if let Some(b) = f.corruption {
        parts.push(quote(&tag("xf", if b { "1" } else { "0" })));
    }
    if let Some(b) = f.anonymous {
        parts.push(quote(&tag("xa", if b { "1" } else { "0" })));
    }
    if let Some(v) = &f.village {
        parts.push(quote(&tag("xv", &village_key(v).unwrap_or_default())));
    }
    if let Some(o) = &f.official {
        for w in text_key(o)
            .unwrap_or_default()
            .split(' ')
            .filter(|w| !w.is_empty())
        {
            parts.push(format!("{}*", quote(&tag("xo", w))));
        }
    }
    if f.from.is_some() || f.to.is_some() {
        let (min, max): (Option<String>, Option<String>) =
            c.query_row("SELECT MIN(reg_date), MAX(reg_date) FROM docs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let parse =
            |s: Option<String>| s.and_then(|x| NaiveDate::parse_from_str(&x, "%Y-%m-%d").ok());
        if let (Some(min), Some(max)) = (parse(min), parse(max)) {
            let lo = f.from.map_or(min, |d| d.max(min));
            let hi = f.to.map_or(max, |d| d.min(max));
            let tags = if lo > hi {
                vec!["y0".to_string()]
            } else {
                date_tags(lo, hi)
            };
            let ors: Vec<String> = tags.iter().map(|t| quote(t)).collect();
            parts.push(format!("({})", ors.join(" OR ")));
        }
    }
    Ok((!parts.is_empty()).then(|| format!("tags : ({})", parts.join(" AND "))))
}

fn write_docs(c: &mut Connection, docs: &[Doc]) -> Result<()> {
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

fn quote(t: &str) -> String {
    format!("\"{}\"", t.replace('"', "\"\""))
}

/// Stems of a phrase in one language reading (Kyrgyz letters always Kyrgyz).
fn phrase_stems(words: &[String], lang: Lang) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            let n = normalize_word(w);
            if lang == Lang::Ru && !has_kyrgyz_letter(&n) {
                russian_stem(&n)
            } else {
                kyrgyz_stem(&n)
            }
        })
        .collect()
}

/// The FTS5 MATCH expression for the terms, built only from analysed terms (letters and
/// digits, quoted), never from the user's text; and what to highlight.
fn match_expr(terms: &[Term]) -> (Option<String>, Highlight) {
    let a = Analyzer;
    let mut parts = Vec::new();
    let mut hl = Highlight::default();
    for t in terms {
        match t {
            Term::Word(w) => {
                let Some((ky, ru)) = a.query_stems(w) else {
                    continue;
                };
                // The Russian stem only counts in Russian letters (`айыл` is `ай` to Snowball,
                // and `ай` is a month in Kyrgyz).
                parts.push(match &ru {
                    Some(r) => format!(
                        "({{meta body}} : {} OR ({{meta body}} : {} AND lang : \"ru\"))",
                        quote(&ky),
                        quote(r)
                    ),
                    None => format!("{{meta body}} : {}", quote(&ky)),
                });
                hl.words.insert(ky);
                hl.words_ru.extend(ru);
            }
            Term::Phrase(ws) => {
                let ws: Vec<String> = ws
                    .iter()
                    .filter(|w| w.chars().any(char::is_alphanumeric))
                    .cloned()
                    .collect();
                if ws.is_empty() {
                    continue;
                }
                let ky = phrase_stems(&ws, Lang::Ky);
                let ru = phrase_stems(&ws, Lang::Ru);
                if ru != ky {
                    parts.push(format!(
                        "({{meta body}} : {} OR ({{meta body}} : {} AND lang : \"ru\"))",
                        quote(&ky.join(" ")),
                        quote(&ru.join(" "))
                    ));
                    hl.phrases.push((ru, true));
                } else {
                    parts.push(format!("{{meta body}} : {}", quote(&ky.join(" "))));
                }
                hl.phrases.push((ky, false));
            }
            Term::Prefix(p) => {
                let prefixes = a.query_prefix(p);
                let ors: Vec<String> = prefixes.iter().map(|s| format!("{}*", quote(s))).collect();
                parts.push(format!("{{words}} : ({})", ors.join(" OR ")));
                hl.prefixes.extend(prefixes);
            }
        }
    }
    let expr = (!parts.is_empty()).then(|| parts.join(" AND "));
    (expr, hl)
}

/// SQL conditions on `docs` (alias `d`) and their parameters.
fn filter_sql(f: &Filters) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    let mut add = |cond: &str, v: Value, p: &mut Vec<Value>| {
        p.push(v);
        conds.push(cond.replace('?', &format!("?{}", p.len() + 100)));
    };
    if let Some(d) = f.from {
        add(
            "d.reg_date >= ?",
            Value::Text(d.format("%Y-%m-%d").to_string()),
            &mut p,
        );
    }
    if let Some(d) = f.to {
        add(
            "d.reg_date <= ?",
            Value::Text(d.format("%Y-%m-%d").to_string()),
            &mut p,
        );
    }
    if let Some(s) = f.status {
        add("d.status = ?", Value::Text(s.as_str().to_string()), &mut p);
    }
    if let Some(c) = &f.category {
        add(
            "d.category = ?",
            Value::Text(c.trim().to_lowercase()),
            &mut p,
        );
    }
    if let Some(b) = f.corruption {
        add("d.corruption = ?", Value::Integer(i64::from(b)), &mut p);
    }
    if let Some(b) = f.anonymous {
        add("d.anonymous = ?", Value::Integer(i64::from(b)), &mut p);
    }
    if let Some(o) = &f.official {
        // Prefix range on the folded name: `Токтогулов` finds `Токтогулов Н.`.
        let k = text_key(o).unwrap_or_default();
        add("d.official_key >= ?", Value::Text(k.clone()), &mut p);
        add(
            "d.official_key < ?",
            Value::Text(format!("{k}\u{10FFFF}")),
            &mut p,
        );
    }
    if let Some(v) = &f.village {
        add(
            "d.village_key = ?",
            Value::Text(village_key(v).unwrap_or_default()),
            &mut p,
        );
    }
    let sql = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    (sql, p)
}

/// Binds filter parameters numbered from 101 and the given leading ones.
fn bind_all(lead: Vec<(usize, Value)>, filters: Vec<Value>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = lead
        .into_iter()
        .map(|(i, v)| (format!("?{i}"), v))
        .collect();
    for (i, v) in filters.into_iter().enumerate() {
        out.push((format!("?{}", i + 101), v));
    }
    out
}

fn query_rows(
    c: &Connection,
    sql: &str,
    binds: &[(String, Value)],
) -> Result<Vec<(i64, String, f64)>> {
    let mut st = c.prepare_cached(sql)?;
    for (name, v) in binds {
        if let Some(i) = st.parameter_index(name)? {
            st.raw_bind_parameter(i, v)?;
        }
    }
    let mut rows = st.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?, r.get(2)?));
    }
    Ok(out)
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
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(
                "DELETE FROM docs; DELETE FROM fts; DELETE FROM meta WHERE key = 'total';
                 UPDATE meta SET value = '0' WHERE key = 'seq';
                 UPDATE meta SET value = '' WHERE key = 'hash';",
            )?;
            tx.commit()?;
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
        {
            let mut c = self.conn();
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(
                "DELETE FROM docs; DELETE FROM fts; DELETE FROM meta WHERE key = 'total';
                 UPDATE meta SET value = '0' WHERE key = 'seq';
                 UPDATE meta SET value = '' WHERE key = 'hash';",
            )?;
            tx.commit()?;
        }
        let mut s = self.sync(store)?;
        s.rebuilt = true;
        Ok(s)
    }

    /// Searches: hits ordered by relevance (bm25; the summary and journal fields weigh more
    /// than page text; when more than [`RANK_WINDOW`] appeals match, the most recent of them
    /// are ranked), or newest first for a filter-only query. `limit` is capped at
    /// [`MAX_LIMIT`]. Fails with [`QueryError::Empty`] when the query has neither a term
    /// nor a filter.
    pub fn search(&self, q: &Query, limit: usize, offset: usize) -> Result<Vec<Hit>> {
        let limit = limit.min(MAX_LIMIT) as i64;
        let offset = offset.min(i64::MAX as usize) as i64;
        let (expr, hl) = match_expr(&q.terms);
        if expr.is_none() && q.filters.is_empty() {
            return Err(QueryError::Empty.into());
        }
        let (fsql, fparams) = filter_sql(&q.filters);
        let c = self.conn();
        let expr = match (expr, tag_expr(&q.filters, &c)?) {
            (Some(e), Some(t)) => Some(format!("{e} AND {t}")),
            (e, _) => e,
        };
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
        let (expr, _) = match_expr(&q.terms);
        if expr.is_none() && q.filters.is_empty() {
            return Err(QueryError::Empty.into());
        }
        let (fsql, fparams) = filter_sql(&q.filters);
        let c = self.conn();
        let expr = match (expr, tag_expr(&q.filters, &c)?) {
            (Some(e), Some(t)) => Some(format!("{e} AND {t}")),
            (e, _) => e,
        };
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

    /// Appeals similar to entry `serial` (for its page): same applicant, same phone, same
    /// address, or strongly overlapping text (at least [`SIMILAR_TEXT_MIN`] of distinctive
    /// words in common), most reasons first. Reads the entry itself from the store, so it
    /// works on a fresh entry the index has not seen yet; candidates come from the index.
    pub fn similar(&self, store: &Store, serial: Serial) -> Result<Vec<Similar>> {
        let view = store.entry_current_view(serial)?;
        let pages = store.letter_page_texts(view.draft_id, &view.page_ids)?;
        let doc = build_doc(&view, &pages, &mut Terms::default());
        let me = doc.id;
        let c = self.conn();
        let mut found: HashMap<i64, (String, Vec<SimilarReason>)> = HashMap::new();
        for (col, key, reason) in [
            (
                "applicant_key",
                &doc.keys.applicant,
                SimilarReason::SameApplicant,
            ),
            ("phone_key", &doc.keys.phone, SimilarReason::SamePhone),
            ("address_key", &doc.keys.address, SimilarReason::SameAddress),
        ] {
            let Some(k) = key else { continue };
            let mut st = c.prepare_cached(&format!(
                "SELECT id, serial FROM docs WHERE {col} = ?1 AND id != ?2 ORDER BY id DESC LIMIT 200"
            ))?;
            let rows = st.query_map(params![k, me], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for r in rows {
                let (id, s): (i64, String) = r?;
                found
                    .entry(id)
                    .or_insert_with(|| (s, Vec::new()))
                    .1
                    .push(reason.clone());
            }
        }
        // Text: the letter's rarest words find candidates; overlap of distinctive stems decides.
        let total: i64 = c.query_row("SELECT COUNT(*) FROM docs", [], |r| r.get(0))?;
        let mut df_cache: HashMap<String, i64> = HashMap::new();
        let mut df = |t: &str| -> Result<i64> {
            if let Some(n) = df_cache.get(t) {
                return Ok(*n);
            }
            let n: i64 = c
                .prepare_cached("SELECT doc FROM fts_vocab WHERE term = ?1")?
                .query_row([t], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            df_cache.insert(t.to_string(), n);
            Ok(n)
        };
        let common = (total / 20).max(5);
        let distinctive =
            |stems: &str, df: &mut dyn FnMut(&str) -> Result<i64>| -> Result<HashSet<String>> {
                let mut set = HashSet::new();
                for s in stems.split_whitespace() {
                    if s.chars().count() >= 3
                        && !s.chars().all(|c| c.is_ascii_digit())
                        && !set.contains(s)
                        && df(s)? <= common
                    {
                        set.insert(s.to_string());
                    }
                }
                Ok(set)
            };
        // The letter's own words (page text; the summary when there is none).
        let mine = if doc.body.trim().is_empty() {
            distinctive(&doc.meta, &mut df)?
        } else {
            distinctive(&doc.body, &mut df)?
        };
        if mine.len() >= 5 {
            let mut ranked: Vec<(i64, &String)> = Vec::new();
            for s in &mine {
                ranked.push((df(s)?, s));
            }
            ranked.sort();
            let probe: Vec<String> = ranked
                .iter()
                .filter(|(n, _)| *n >= 1)
                .take(16)
                .map(|(_, s)| quote(s))
                .collect();
            if !probe.is_empty() {
                let expr = format!("{{meta body}} : ({})", probe.join(" OR "));
                let cands: Vec<(i64, String)> = {
                    let mut st = c.prepare_cached(&format!(
                        "WITH cand AS MATERIALIZED (
                            SELECT rowid AS id, {BM25} AS r FROM fts WHERE fts MATCH ?1
                            ORDER BY rowid DESC LIMIT {RANK_WINDOW})
                         SELECT c.id, d.serial FROM cand c JOIN docs d ON d.id = c.id
                         WHERE c.id != ?2 ORDER BY c.r LIMIT 40"
                    ))?;
                    let rows = st.query_map(params![expr, me], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                let mut text_st =
                    c.prepare_cached("SELECT lang, meta_text, body_text FROM docs WHERE id = ?1")?;
                let mut terms = Terms::default();
                for (id, s) in cands {
                    let (lang, meta, body): (String, String, String) =
                        text_st.query_row([id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))?;
                    let (mut st2, mut ws) = (String::new(), String::new());
                    let lang = Lang::from_code(&lang);
                    if body.trim().is_empty() {
                        terms.of(&meta, lang, &mut st2, &mut ws);
                    } else {
                        terms.of(&body, lang, &mut st2, &mut ws);
                    }
                    let theirs = distinctive(&st2, &mut df)?;
                    let inter = mine.intersection(&theirs).count() as f64;
                    let union = mine.union(&theirs).count() as f64;
                    let overlap = if union > 0.0 { inter / union } else { 0.0 };
                    if overlap >= SIMILAR_TEXT_MIN {
                        found.entry(id).or_insert_with(|| (s, Vec::new())).1.push(
                            SimilarReason::SimilarText {
                                overlap: (overlap * 100.0).round() / 100.0,
                            },
                        );
                    }
                }
            }
        }
        let mut out: Vec<(i64, Similar)> = found
            .into_iter()
            .map(|(id, (serial, reasons))| (id, Similar { serial, reasons }))
            .collect();
        let text_of = |s: &Similar| {
            s.reasons
                .iter()
                .find_map(|r| match r {
                    SimilarReason::SimilarText { overlap } => Some(*overlap),
                    _ => None,
                })
                .unwrap_or(0.0)
        };
        out.sort_by(|a, b| {
            b.1.reasons
                .len()
                .cmp(&a.1.reasons.len())
                .then(text_of(&b.1).total_cmp(&text_of(&a.1)))
                .then(b.0.cmp(&a.0))
        });
        out.truncate(SIMILAR_MAX);
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{register, SeedLetter};
    use crate::snippet::plain;
    use chrono::{NaiveDate, NaiveDateTime};
    use ishenim_store::{ApprovedFields, EntryField, EntryStatus};

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|x| x.and_hms_opt(10, 0, 0))
            .unwrap()
    }

    fn letter(
        name: Option<&str>,
        address: &str,
        phone: &str,
        brief: &str,
        pages: &[&str],
    ) -> SeedLetter {
        SeedLetter {
            pages: pages.iter().map(|s| s.to_string()).collect(),
            fields: ApprovedFields {
                applicant_name: name.map(str::to_string),
                anonymous: name.is_none(),
                address: Some(address.to_string()),
                phone: (!phone.is_empty()).then(|| phone.to_string()),
                brief: brief.to_string(),
                category: "land".into(),
                corruption: false,
                official: None,
            },
            at: None,
        }
    }

    /// Four letters: Kyrgyz with inflected forms, Kyrgyz as OCR reads it, Russian, unrelated.
    fn fixture() -> (tempfile::TempDir, Store, Vec<Serial>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let mut a = letter(
            Some("Асанов Бакыт"),
            "Кара-Суу айылы, Достук көчөсү, 7-үй",
            "+996 700 123 456",
            "Жер тилкеси үчүн пара талап кылынды",
            &[
                "Айыл өкмөтүнүн кызматкери жер тилкесин берүү үчүн парасын сурады.",
                "Кызматкерлеринин аты-жөнүн жазам. Жерлерин сатып жатышат.",
            ],
        );
        a.fields.corruption = true;
        a.at = Some(at(2026, 1, 15));
        let mut b = letter(
            None,
            "Кара-Суу айылы",
            "",
            "Көчө жарыгы",
            &["Окмотуно кайрылабыз: кочолордо жарык жок, паралар жонундо да угабыз."],
        );
        b.at = Some(at(2026, 2, 10));
        b.fields.category = "utilities".into();
        let mut c = letter(
            Some("Иванов Пётр"),
            "с. Ак-Суу, ул. Ленина, д. 5",
            "0700 123456",
            "Взятка за справку",
            &["Прошу проверить: секретарь требует взятку за справку. Взятки берут все."],
        );
        c.fields.corruption = true;
        c.at = Some(at(2026, 3, 5));
        let mut d = letter(
            Some("Бакыт Асанов"),
            "Ак-Суу айылы",
            "",
            "Спорт аянтчасы",
            &["Балдар үчүн спорт аянтчасын курууну суранабыз."],
        );
        d.at = Some(at(2026, 4, 1));
        let serials = register(&store, at(2026, 1, 14), &[a, b, c, d], "rev").unwrap();
        (dir, store, serials)
    }

    fn serials(idx: &Index, q: &str) -> Vec<String> {
        let mut v: Vec<String> = idx
            .search(&Query::parse(q).unwrap(), 50, 0)
            .unwrap()
            .into_iter()
            .map(|h| h.serial)
            .collect();
        v.sort();
        v
    }

    #[test]
    fn finds_inflected_forms_ocr_readings_and_russian_stems() {
        let (_d, store, s) = fixture();
        let idx = Index::open(&store).unwrap();
        let st = idx.sync(&store).unwrap();
        assert_eq!((st.indexed, st.total, st.rebuilt), (4, 4, false));
        let (a, b, c) = (s[0].to_string(), s[1].to_string(), s[2].to_string());
        assert_eq!(serials(&idx, "пара"), vec![a.clone(), b.clone()]);
        assert_eq!(serials(&idx, "ПАРАГА"), vec![a.clone(), b.clone()]);
        assert_eq!(serials(&idx, "жерди"), vec![a.clone()]);
        assert_eq!(serials(&idx, "кызматкерине"), vec![a.clone()]);
        // OCR wrote о/у for ө/ү: found both ways.
        assert_eq!(serials(&idx, "өкмөтү"), vec![a.clone(), b.clone()]);
        assert_eq!(serials(&idx, "көчөлөрдө"), vec![a.clone(), b.clone()]);
        assert_eq!(serials(&idx, "взятки"), vec![c.clone()]);
        assert_eq!(serials(&idx, "пара кызматкер"), vec![a.clone()]);
        // Phrases: in order only.
        assert_eq!(serials(&idx, "\"жер тилкесин\""), vec![a.clone()]);
        assert!(serials(&idx, "\"тилкеси жер\"").is_empty());
        assert_eq!(serials(&idx, "\"требует взятки\""), vec![c.clone()]);
        // Prefixes on the written form.
        assert_eq!(serials(&idx, "кызматк*"), vec![a.clone()]);
        assert_eq!(serials(&idx, "справ*"), vec![c.clone()]);
        // Journal fields are searchable too.
        assert_eq!(serials(&idx, "Асанов"), vec![a.clone(), s[3].to_string()]);
        assert!(serials(&idx, "бензин").is_empty());
    }

    #[test]
    fn the_index_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Index>();
    }

    #[test]
    fn date_tags_cover_the_range_exactly_by_month() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            date_tags(d(2025, 11, 15), d(2026, 2, 1)),
            vec!["m202511", "m202512", "m202601", "m202602"]
        );
        assert_eq!(
            date_tags(d(2024, 12, 1), d(2026, 12, 31)),
            vec!["m202412", "y2025", "y2026"]
        );
        assert_eq!(date_tags(d(2026, 3, 1), d(2026, 3, 31)), vec!["m202603"]);
    }

    #[test]
    fn snippets_mark_the_original_words() {
        let (_d, store, _s) = fixture();
        let idx = Index::open(&store).unwrap();
        idx.sync(&store).unwrap();
        let hits = idx.search(&Query::parse("пара").unwrap(), 10, 0).unwrap();
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().all(|h| h.score > 0.0));
        let marked: Vec<&str> = hits
            .iter()
            .flat_map(|h| h.snippet.iter().filter(|s| s.hit).map(|s| s.text.as_str()))
            .collect();
        assert!(marked.contains(&"парасын"), "{marked:?}");
        assert!(marked.contains(&"паралар"), "{marked:?}");
        // A match only in the journal fields shows those.
        let h = idx.search(&Query::parse("Иванов").unwrap(), 10, 0).unwrap();
        assert!(plain(&h[0].snippet).contains("Иванов"), "{h:?}");
    }

    #[test]
    fn filters_and_filter_only_queries() {
        let (_d, store, s) = fixture();
        let idx = Index::open(&store).unwrap();
        idx.sync(&store).unwrap();
        let ss: Vec<String> = s.iter().map(|x| x.to_string()).collect();
        assert_eq!(
            serials(&idx, "flag:yes"),
            vec![ss[0].clone(), ss[2].clone()]
        );
        assert_eq!(serials(&idx, "пара flag:no"), vec![ss[1].clone()]);
        assert_eq!(serials(&idx, "anonymous:yes"), vec![ss[1].clone()]);
        assert_eq!(
            serials(&idx, "from:2026-02-01 to:2026-03-31"),
            vec![ss[1].clone(), ss[2].clone()]
        );
        assert_eq!(
            serials(&idx, "village:\"Кара-Суу айылы\""),
            vec![ss[0].clone(), ss[1].clone()]
        );
        assert_eq!(
            serials(&idx, "village:Ак-Суу"),
            vec![ss[2].clone(), ss[3].clone()]
        );
        assert_eq!(serials(&idx, "category:utilities"), vec![ss[1].clone()]);
        assert_eq!(serials(&idx, "status:registered").len(), 4);
        // Filter-only results come newest first.
        let h = idx
            .search(&Query::parse("status:registered").unwrap(), 2, 0)
            .unwrap();
        assert_eq!(h[0].serial, ss[3]);
        assert_eq!(h[0].score, 0.0);
        let h2 = idx
            .search(&Query::parse("status:registered").unwrap(), 2, 2)
            .unwrap();
        assert_eq!(h2.len(), 2);
        assert_eq!(idx.count(&Query::parse("пара").unwrap()).unwrap(), 2);
        assert!(matches!(
            idx.search(&Query::default(), 10, 0),
            Err(SearchError::Query(QueryError::Empty))
        ));
    }

    #[test]
    fn sync_follows_amendments_and_events_and_is_idempotent() {
        let (_d, store, s) = fixture();
        let idx = Index::open(&store).unwrap();
        idx.sync(&store).unwrap();
        let again = idx.sync(&store).unwrap();
        assert_eq!((again.indexed, again.total), (0, 4));
        store
            .assign_official(s[1], "admin", "Токтогулов Н.")
            .unwrap();
        store
            .record_reply(
                s[1],
                "clerk",
                "01-12/45",
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            )
            .unwrap();
        store
            .amend_entry(s[3], "rev", EntryField::Corruption, Some("true"), "seen")
            .unwrap();
        store
            .amend_entry(
                s[3],
                "rev",
                EntryField::Brief,
                Some("Спорт аянтчасы, пара"),
                "typo",
            )
            .unwrap();
        let st = idx.sync(&store).unwrap();
        assert_eq!(st.indexed, 2);
        let ss: Vec<String> = s.iter().map(|x| x.to_string()).collect();
        assert_eq!(serials(&idx, "status:answered"), vec![ss[1].clone()]);
        assert_eq!(serials(&idx, "official:токтогулов"), vec![ss[1].clone()]);
        assert_eq!(serials(&idx, "flag:yes").len(), 3);
        assert!(serials(&idx, "пара").contains(&ss[3]));
        let _ = EntryStatus::Answered;
        // A new entry after the last sync.
        let mut e = letter(
            Some("Жаңы"),
            "Ак-Суу айылы",
            "",
            "Суу жок",
            &["Сугат суусу жетпейт."],
        );
        e.at = Some(at(2026, 5, 5));
        let new = register(&store, at(2026, 5, 4), &[e], "rev").unwrap();
        assert_eq!(idx.sync(&store).unwrap().indexed, 1);
        assert_eq!(serials(&idx, "сугатка"), vec![new[0].to_string()]);
    }

    #[test]
    fn the_file_is_a_cache_deleted_or_replaced_it_is_rebuilt() {
        let (_d, store, _s) = fixture();
        {
            let idx = Index::open(&store).unwrap();
            idx.sync(&store).unwrap();
        }
        std::fs::remove_file(store.data_dir().join(INDEX_FILE)).unwrap();
        let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-wal"));
        let idx = Index::open(&store).unwrap();
        assert_eq!(idx.sync(&store).unwrap().indexed, 4);
        drop(idx);
        // Garbage in the file: recreated.
        std::fs::write(
            store.data_dir().join(INDEX_FILE),
            b"not a database at all, really",
        )
        .unwrap();
        let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-wal"));
        let _ = std::fs::remove_file(store.data_dir().join("search.sqlite-shm"));
        let idx = Index::open(&store).unwrap();
        assert_eq!(idx.sync(&store).unwrap().total, 4);
        // An index that saw another journal (e.g. before a restore) starts over.
        let other = tempfile::tempdir().unwrap();
        let store2 = Store::open(&other.path().join("data")).unwrap();
        let mut l = letter(Some("Бирөө"), "Ош", "", "Башка", &["башка кат"]);
        l.at = Some(at(2026, 1, 20));
        register(&store2, at(2026, 1, 19), &[l.clone(), l], "rev").unwrap();
        let st = idx.sync(&store2).unwrap();
        assert!(st.rebuilt);
        assert_eq!(st.total, 2);
        let r = idx.rebuild(&store).unwrap();
        assert!(r.rebuilt);
        assert_eq!(r.total, 4);
    }

    #[test]
    fn similar_appeals_by_applicant_phone_address_and_text() {
        let (_d, store, s) = fixture();
        let idx = Index::open(&store).unwrap();
        idx.sync(&store).unwrap();
        let sim = idx.similar(&store, s[0]).unwrap();
        let by: HashMap<String, Vec<SimilarReason>> =
            sim.into_iter().map(|x| (x.serial, x.reasons)).collect();
        // Same name in another order.
        assert_eq!(by[&s[3].to_string()], vec![SimilarReason::SameApplicant]);
        // Same phone written otherwise.
        assert_eq!(by[&s[2].to_string()], vec![SimilarReason::SamePhone]);
        assert!(!by.contains_key(&s[0].to_string()));
        // A repeated complaint: same text from another person.
        let mut rep = letter(
            Some("Токтосунов Эрлан"),
            "Талас шаары",
            "",
            "Жер тилкеси",
            &[
                "Айыл өкмөтүнүн кызматкери жер тилкесин берүү үчүн парасын сурады.",
                "Кызматкерлеринин аты-жөнүн жазам. Жерлерин сатып жатышат.",
            ],
        );
        rep.at = Some(at(2026, 6, 1));
        let r = register(&store, at(2026, 5, 30), &[rep], "rev").unwrap();
        idx.sync(&store).unwrap();
        let sim = idx.similar(&store, r[0]).unwrap();
        assert_eq!(sim[0].serial, s[0].to_string());
        assert!(
            matches!(sim[0].reasons[0], SimilarReason::SimilarText { overlap } if overlap > 0.8)
        );
        assert!(matches!(
            idx.similar(
                &store,
                Serial {
                    year: 2030,
                    number: 1
                }
            ),
            Err(SearchError::Store(_))
        ));
    }
}
