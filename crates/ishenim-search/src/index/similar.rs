//! Appeals similar to one entry: the same applicant, phone or address, or strongly
//! overlapping distinctive words.

use std::collections::{HashMap, HashSet};

use ishenim_store::{Serial, Store};
use rusqlite::{params, OptionalExtension};

use super::doc::{build_doc, Terms};
use super::matching::quote;
use super::{Index, Similar, SimilarReason, BM25, RANK_WINDOW, SIMILAR_TEXT_MIN};
use crate::text::Lang;
use crate::Result;

/// Most similar appeals returned.
const SIMILAR_MAX: usize = 20;

impl Index {
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
