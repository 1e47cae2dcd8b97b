//! One register entry as an index document: its analysed text (stems and folded words),
//! the filter tags and the keys that find the same writer or place. Built the same way
//! for indexing and for `similar`, so both compare like with like.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use ishenim_store::{EntryView, Serial};
use rusqlite::types::Value;

use crate::keys::{name_key, phone_key, text_key, village_key};
use crate::stem::{Analyzed, Analyzer};
use crate::text::{guess_lang, tokenize, Lang};

/// The entry's row id: year and number in one integer, so ids sort like serials and
/// `ORDER BY id DESC` is newest first.
fn serial_id(s: Serial) -> i64 {
    i64::from(s.year) * 1_000_000 + i64::from(s.number)
}

/// Analysis with a per-sync cache of words already seen (most words repeat).
#[derive(Default)]
pub(super) struct Terms {
    pub(super) cache: HashMap<(String, Lang), Option<Analyzed>>,
}

impl Terms {
    /// Stems and folded surfaces of `text`, space-separated.
    pub(super) fn of(&mut self, text: &str, lang: Lang, stems: &mut String, words: &mut String) {
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

/// One entry as the index stores it: a `docs` row and the matching `fts` row.
pub(super) struct Doc {
    pub(super) id: i64,
    pub(super) lang: Lang,
    pub(super) tags: String,
    /// The row of `docs`, in the column order of its `INSERT`.
    pub(super) values: Vec<Value>,
    /// The keys that find the same writer or place (`similar`), as stored in `values`.
    pub(super) keys: SameKeys,
    pub(super) meta: String,
    pub(super) body: String,
    pub(super) words: String,
}

/// The matching keys of an entry: `applicant_key`, `phone_key`, `address_key` of `docs`.
pub(super) struct SameKeys {
    pub(super) applicant: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) address: Option<String>,
}

/// The document of an entry from its current view and page texts; `terms` caches the
/// analysis of words already seen in this sync.
pub(super) fn build_doc(v: &EntryView, pages: &[String], terms: &mut Terms) -> Doc {
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
pub(super) fn tag(marker: &str, value: &str) -> String {
    let v: String = value
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    format!("{marker}{v}")
}

/// Year and month tags covering `[lo, hi]` (whole years as `y2025`, other months as
/// `m202503`).
pub(super) fn date_tags(lo: NaiveDate, hi: NaiveDate) -> Vec<String> {
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
