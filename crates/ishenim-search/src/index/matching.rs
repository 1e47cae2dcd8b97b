//! From a parsed query to SQL: the FTS5 MATCH expression (built only from analysed
//! terms, never from the user's text), the filter tags and conditions, and running it.

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::doc::{date_tags, tag};
use crate::keys::{text_key, village_key};
use crate::query::{Filters, Query, QueryError, Term};
use crate::snippet::Highlight;
use crate::stem::{kyrgyz_stem, russian_stem, Analyzer};
use crate::text::{has_kyrgyz_letter, normalize_word, Lang};
use crate::Result;

/// What a search and its count both select by: the FTS5 MATCH expression (the terms and
/// the filter tags) and the exact filter conditions on `docs d`. Built once here so that
/// the count of a query always counts what its search pages through.
pub(super) struct Where {
    /// The MATCH expression (bound as `?1`), `None` for a filter-only query.
    pub(super) expr: Option<String>,
    /// What the snippets highlight.
    pub(super) highlight: Highlight,
    /// The filter conditions on `docs d` (see [`filter_sql`]).
    pub(super) filters: String,
    /// Their parameters, bound after the caller's own (see [`bind_all`]).
    pub(super) params: Vec<Value>,
}

impl Where {
    /// The where-clause parts of `q`. Fails with [`QueryError::Empty`] when the query has
    /// neither a term nor a filter.
    pub(super) fn of(q: &Query, c: &Connection) -> Result<Where> {
        let (expr, highlight) = match_expr(&q.terms);
        if expr.is_none() && q.filters.is_empty() {
            return Err(QueryError::Empty.into());
        }
        let (filters, params) = filter_sql(&q.filters);
        let expr = match (expr, tag_expr(&q.filters, c)?) {
            (Some(e), Some(t)) => Some(format!("{e} AND {t}")),
            (e, _) => e,
        };
        Ok(Where {
            expr,
            highlight,
            filters,
            params,
        })
    }
}

/// FTS terms on the `tags` column for the filters: a coarse, fast pre-selection (the exact
/// filters on `docs` still apply). `None` when there is no filter.
pub(super) fn tag_expr(f: &Filters, c: &Connection) -> Result<Option<String>> {
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

/// An FTS5 string literal: the term can never be read as an operator.
pub(super) fn quote(t: &str) -> String {
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
pub(super) fn match_expr(terms: &[Term]) -> (Option<String>, Highlight) {
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
pub(super) fn filter_sql(f: &Filters) -> (String, Vec<Value>) {
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
pub(super) fn bind_all(lead: Vec<(usize, Value)>, filters: Vec<Value>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = lead
        .into_iter()
        .map(|(i, v)| (format!("?{i}"), v))
        .collect();
    for (i, v) in filters.into_iter().enumerate() {
        out.push((format!("?{}", i + 101), v));
    }
    out
}

/// Runs `sql` with the named parameters it uses (others are skipped), as
/// `(id, serial, rank)` rows.
pub(super) fn query_rows(
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
