//! Corruption flag and category: lexicon matches over the letter body, with reasons.

use crate::models::{any_match, Models};
use crate::text::{spans_of, Doc};
use serde::{Deserialize, Serialize};

/// Why a letter was (or was not) flagged: one matched phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The words as written in the letter.
    pub phrase: String,
    /// Page stem where the phrase starts.
    pub page: String,
    /// Union box of the phrase's words on that page (null without word boxes).
    pub bbox: Option<[u32; 4]>,
    /// The lexicon entry that matched.
    pub term: String,
    /// What the match added to the raw score.
    pub weight: f32,
    /// `negated`, `rumour` or `thanks` when the match was discounted; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// Index of the first matched token in the letter (internal).
    #[serde(skip)]
    pub(crate) tok: Option<usize>,
}

/// The corruption verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corruption {
    /// True when the letter reports corruption.
    pub flag: bool,
    /// `raw / (raw + threshold)`: 0 = nothing found, ≥ 0.5 = flagged.
    pub score: f32,
    /// Matched phrases, strongest first.
    pub reasons: Vec<Reason>,
}

fn reason(doc: &Doc, at: &[usize], term: &str, weight: f32, note: Option<&str>) -> Reason {
    let first = at.first().copied().unwrap_or(0);
    let last = at.last().copied().unwrap_or(first);
    let words: Vec<usize> = (first..=last).collect();
    let phrase = words
        .iter()
        .filter_map(|&i| doc.toks.get(i))
        .map(|t| crate::text::trim_punct(&t.text))
        .collect::<Vec<_>>()
        .join(" ");
    let page_of_first = doc.toks.get(first).map(|t| t.page);
    let on_first: Vec<usize> = words
        .into_iter()
        .filter(|&i| doc.toks.get(i).map(|t| t.page) == page_of_first)
        .collect();
    let span = spans_of(doc, &on_first).into_iter().next();
    Reason {
        phrase,
        page: span.as_ref().map(|s| s.page.clone()).unwrap_or_default(),
        bbox: span.and_then(|s| s.bbox),
        term: term.to_string(),
        weight: (weight * 100.0).round() / 100.0,
        note: note.map(String::from),
        tok: Some(first),
    }
}

/// Token indices inside «…» or "…" quotes.
fn quoted(doc: &Doc, body: std::ops::Range<usize>) -> Vec<bool> {
    let mut out = vec![false; doc.toks.len()];
    let mut depth = 0i32;
    for i in body {
        let t = doc.toks[i]
            .text
            .trim_end_matches(['.', ',', '!', '?', ';', ':']);
        if t.starts_with(['«', '“', '„']) || (t.starts_with('"') && depth == 0) {
            depth += 1;
        }
        out[i] = depth > 0;
        if depth > 0 && (t.ends_with(['»', '”']) || (t.ends_with('"') && t.chars().count() > 1))
        {
            depth -= 1;
        }
    }
    out
}

/// Scores corruption over the token range `body`; `thanks_scope` is the token range searched for thanks words.
pub(crate) fn corruption(
    doc: &Doc,
    body: std::ops::Range<usize>,
    thanks_scope: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> Corruption {
    let m = &models.corruption;
    let keys: Vec<&str> = doc.toks[body.clone()]
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    let off = body.start;
    let mut blocked = vec![false; keys.len()];
    for n in &m.neutral {
        for at in n.find_all(&keys) {
            if let (Some(&a), Some(&b)) = (at.first(), at.last()) {
                blocked[a..=b].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    // Candidate matches: (term index, positions relative to body).
    let mut cands: Vec<(usize, Vec<usize>)> = Vec::new();
    for (ti, t) in m.terms.iter().enumerate() {
        if t.lang.as_deref().is_some_and(|l| l != lang) {
            continue;
        }
        for at in t.pat.find_all(&keys) {
            if !blocked[at[0]] {
                cands.push((ti, at));
            }
        }
    }
    cands.sort_by(|a, b| {
        let (wa, wb) = (m.terms[a.0].weight, m.terms[b.0].weight);
        wb.total_cmp(&wa)
            .then(b.1.len().cmp(&a.1.len()))
            .then(a.1[0].cmp(&b.1[0]))
    });
    let mut used = vec![false; keys.len()];
    let quotes = quoted(doc, body.clone());
    let thanks = doc.toks[thanks_scope]
        .iter()
        .any(|t| any_match(&m.thanks, &t.key));
    let mut per_term: Vec<(f32, usize)> = vec![(0.0, 0); m.terms.len()];
    let mut reasons = Vec::new();
    for (ti, at) in cands {
        if at.iter().any(|&i| used[i]) {
            continue;
        }
        at.iter().for_each(|&i| used[i] = true);
        let term = &m.terms[ti];
        let (a, b) = (at[0], at[at.len() - 1]);
        let sent = doc.toks[off + a].sentence;
        let same = |i: usize| doc.toks[off + i].sentence == sent;
        let neg_before =
            (a.saturating_sub(2)..a).any(|i| same(i) && any_match(&m.neg_before, keys[i]));
        let neg_after =
            (b + 1..(b + 4).min(keys.len())).any(|i| same(i) && any_match(&m.neg_after, keys[i]));
        let rumour = quotes[off + a]
            || doc.toks[body.clone()]
                .iter()
                .any(|t| t.sentence == sent && any_match(&m.rumour, &t.key));
        let (factor, note) = if term.negatable && (neg_before || neg_after) {
            (m.negated_factor, Some("negated"))
        } else if rumour {
            (m.rumour_factor, Some("rumour"))
        } else if thanks {
            (m.thanks_factor, Some("thanks"))
        } else {
            (1.0, None)
        };
        let abs: Vec<usize> = at.iter().map(|&i| i + off).collect();
        let (sum, n) = per_term[ti];
        let add = if n == 0 {
            term.weight
        } else {
            (term.weight * 0.25).min(2.0 * term.weight - sum).max(0.0)
        };
        let w = add * factor;
        per_term[ti] = (sum + add, n + 1);
        reasons.push((reason(doc, &abs, &term.phrase, w, note), w));
    }
    let raw: f32 = reasons.iter().map(|r| r.1).sum();
    reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
    let score = if raw > 0.0 {
        raw / (raw + m.threshold)
    } else {
        0.0
    };
    Corruption {
        flag: raw >= m.threshold,
        score: (score * 1000.0).round() / 1000.0,
        reasons: reasons.into_iter().map(|r| r.0).collect(),
    }
}

/// The category verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryResult {
    /// Category key (`land`, `water`, `roads`, `utilities`, `social_aid`, `education`, `health`, `documents`,
    /// `staff_conduct`, `other`).
    pub key: String,
    /// Label in the letter's language.
    pub label: String,
    /// 0–1: how clearly the winner beat the runner-up.
    pub confidence: f32,
    /// Matched phrases of the winning category.
    pub reasons: Vec<Reason>,
}

/// Picks the category over the token range `body`.
pub(crate) fn category(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> CategoryResult {
    let cm = &models.categories;
    let keys: Vec<&str> = doc.toks[body.clone()]
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    let mut best: Option<(usize, f32, Vec<Reason>)> = None;
    let mut second = 0.0f32;
    for (ci, c) in cm.categories.iter().enumerate() {
        let mut used = vec![false; keys.len()];
        let mut score = 0.0;
        let mut reasons = Vec::new();
        let mut hits: Vec<(&str, f32, Vec<usize>)> = Vec::new();
        for (name, p, w) in &c.phrases {
            for at in p.find_all(&keys) {
                hits.push((name, *w, at));
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.len().cmp(&a.2.len())));
        for (name, w, at) in hits {
            if at.iter().any(|&i| used[i]) {
                continue;
            }
            at.iter().for_each(|&i| used[i] = true);
            score += w;
            let abs: Vec<usize> = at.iter().map(|&i| i + body.start).collect();
            reasons.push(reason(doc, &abs, name, w, None));
        }
        match &best {
            Some((_, bs, _)) if score <= *bs => second = second.max(score),
            _ => {
                if let Some((_, bs, _)) = &best {
                    second = second.max(*bs);
                }
                best = Some((ci, score, reasons));
            }
        }
    }
    match best {
        Some((ci, s, reasons)) if s >= cm.min_score => {
            let c = &cm.categories[ci];
            CategoryResult {
                key: c.key.clone(),
                label: if lang == "ru" {
                    c.label_ru.clone()
                } else {
                    c.label_ky.clone()
                },
                confidence: (((s - second) / (s + 1.0)).clamp(0.0, 1.0) * 100.0).round() / 100.0,
                reasons,
            }
        }
        _ => CategoryResult {
            key: "other".into(),
            label: if lang == "ru" {
                "Другое".into()
            } else {
                "Башка".into()
            },
            confidence: 0.5,
            reasons: vec![],
        },
    }
}
