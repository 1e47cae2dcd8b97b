//! Appeals similar to one entry: the same applicant, phone or address, or strongly
//! overlapping distinctive words.

use std::collections::{HashMap, HashSet};

use ishenim_store::{Serial, Store};
use rusqlite::{params, Connection, OptionalExtension};

use super::doc::{build_doc, Doc, Terms};
use super::matching::quote;
use super::{Index, Similar, SimilarReason, BM25, RANK_WINDOW, SIMILAR_TEXT_MIN};
use crate::text::Lang;
use crate::Result;

/// Most similar appeals returned.
const SIMILAR_MAX: usize = 20;

/// The appeals found so far, by document id: serial and the reasons, in the order found.
type Found = HashMap<i64, (String, Vec<SimilarReason>)>;

impl Index {
    /// Appeals similar to entry `serial` (for its page): same applicant, same phone, same
    /// address, or strongly overlapping text (at least [`SIMILAR_TEXT_MIN`] of distinctive
    /// words in common), most reasons first. Reads the entry itself from the store, so it
    /// works on a fresh entry the index has not seen yet; candidates come from the index.
    pub fn similar(&self, store: &Store, serial: Serial) -> Result<Vec<Similar>> {
        let view = store.entry_current_view(serial)?;
        let pages = store.letter_page_texts(view.draft_id, &view.page_ids)?;
        let doc = build_doc(&view, &pages, &mut Terms::default());
        let c = self.conn();
        let mut found = Found::new();
        same_keys(&c, &doc, &mut found)?;
        similar_text(&c, &doc, &mut found)?;
        Ok(ranked(found))
    }
}

/// Other appeals with the same applicant, phone or address key (the newest 200 of each).
fn same_keys(c: &Connection, doc: &Doc, found: &mut Found) -> Result<()> {
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
        let rows = st.query_map(params![k, doc.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for r in rows {
            let (id, s): (i64, String) = r?;
            found
                .entry(id)
                .or_insert_with(|| (s, Vec::new()))
                .1
                .push(reason.clone());
        }
    }
    Ok(())
}

/// Text: the letter's rarest words find candidates; overlap of distinctive stems decides.
/// A letter with fewer than five distinctive words is too short to compare.
fn similar_text(c: &Connection, doc: &Doc, found: &mut Found) -> Result<()> {
    let mut rarity = Rarity::new(c)?;
    // The letter's own words (page text; the summary when there is none).
    let mine = if doc.body.trim().is_empty() {
        rarity.distinctive(&doc.meta)?
    } else {
        rarity.distinctive(&doc.body)?
    };
    if mine.len() < 5 {
        return Ok(());
    }
    let probe = rarity.probe(&mine)?;
    if probe.is_empty() {
        return Ok(());
    }
    let cands = text_candidates(c, &probe, doc.id)?;
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
        let theirs = rarity.distinctive(&st2)?;
        let inter = mine.intersection(&theirs).count() as f64;
        let union = mine.union(&theirs).count() as f64;
        let overlap = if union > 0.0 { inter / union } else { 0.0 };
        if overlap >= SIMILAR_TEXT_MIN {
            found
                .entry(id)
                .or_insert_with(|| (s, Vec::new()))
                .1
                .push(SimilarReason::SimilarText {
                    overlap: (overlap * 100.0).round() / 100.0,
                });
        }
    }
    Ok(())
}

/// The 40 best-ranked other letters for the probe words, among the newest
/// [`RANK_WINDOW`] that contain any of them (the same window as search, for the same
/// reason: bounded time on a large register).
fn text_candidates(c: &Connection, probe: &[String], me: i64) -> Result<Vec<(i64, String)>> {
    let expr = format!("{{meta body}} : ({})", probe.join(" OR "));
    let mut st = c.prepare_cached(&format!(
        "WITH cand AS MATERIALIZED (
            SELECT rowid AS id, {BM25} AS r FROM fts WHERE fts MATCH ?1
            ORDER BY rowid DESC LIMIT {RANK_WINDOW})
         SELECT c.id, d.serial FROM cand c JOIN docs d ON d.id = c.id
         WHERE c.id != ?2 ORDER BY c.r LIMIT 40"
    ))?;
    let rows = st.query_map(params![expr, me], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Most reasons first, then the higher text overlap, then the newest; at most
/// [`SIMILAR_MAX`].
fn ranked(found: Found) -> Vec<Similar> {
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
    out.into_iter().map(|(_, s)| s).collect()
}

/// How common each stem is in the index (`fts_vocab`), cached per call: a stem found in
/// more than a twentieth of the letters (at least 5) says nothing about two letters being
/// about the same thing.
struct Rarity<'c> {
    c: &'c Connection,
    common: i64,
    cache: HashMap<String, i64>,
}

impl<'c> Rarity<'c> {
    fn new(c: &'c Connection) -> Result<Self> {
        let total: i64 = c.query_row("SELECT COUNT(*) FROM docs", [], |r| r.get(0))?;
        Ok(Rarity {
            c,
            common: (total / 20).max(5),
            cache: HashMap::new(),
        })
    }

    /// Number of letters containing stem `t`.
    fn df(&mut self, t: &str) -> Result<i64> {
        if let Some(n) = self.cache.get(t) {
            return Ok(*n);
        }
        let n: i64 = self
            .c
            .prepare_cached("SELECT doc FROM fts_vocab WHERE term = ?1")?
            .query_row([t], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        self.cache.insert(t.to_string(), n);
        Ok(n)
    }

    /// The distinct stems of `stems` (space-separated) that are at least three letters,
    /// not a number and not common.
    fn distinctive(&mut self, stems: &str) -> Result<HashSet<String>> {
        let mut set = HashSet::new();
        for s in stems.split_whitespace() {
            if s.chars().count() >= 3
                && !s.chars().all(|c| c.is_ascii_digit())
                && !set.contains(s)
                && self.df(s)? <= self.common
            {
                set.insert(s.to_string());
            }
        }
        Ok(set)
    }

    /// The 16 rarest of `mine` that some letter contains, quoted for FTS5: the words most
    /// likely to find a letter about the same thing.
    fn probe(&mut self, mine: &HashSet<String>) -> Result<Vec<String>> {
        let mut ranked: Vec<(i64, &String)> = Vec::new();
        for s in mine {
            ranked.push((self.df(s)?, s));
        }
        ranked.sort();
        Ok(ranked
            .iter()
            .filter(|(n, _)| *n >= 1)
            .take(16)
            .map(|(_, s)| quote(s))
            .collect())
    }
}
