//! The query language and its parser.
//!
//! ```text
//! пара жер                 every word, in any inflected form (AND)
//! "жер тилкеси"            a phrase: the words in this order, each in any inflected form
//! кызмат*                  words starting with these letters (at least 2)
//! Ак-Суу                   a hyphenated word is a phrase of its parts
//! from:2026-01-01 to:2026-06-30 status:answered category:land flag:yes anonymous:no
//! official:Токтогулов village:"Кара-Суу"
//! ```
//!
//! Filters may also be given as a [`Filters`] value (CLI flags, web form fields). The parser
//! never fails on odd text: characters that are not letters or digits separate words, a
//! missing closing quote ends the phrase at the end of the query, an unknown `key:` is read
//! as words. It fails with a [`QueryError`] only when nothing is left to search for, when a
//! prefix is shorter than two letters, or when a filter value is not understood.

use crate::text::{normalize_word, tokenize};
use chrono::NaiveDate;
use ishenim_store::EntryStatus;
use serde::{Deserialize, Serialize};

/// Why a query was refused. Messages are bilingual and never repeat more than the value
/// the user typed for a filter key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No word, phrase, prefix or filter.
    #[error("nothing to search for / издөө үчүн сөз жок")]
    Empty,
    /// A prefix query with fewer than two letters.
    #[error("a prefix needs at least 2 letters before * / * алдында кеминде 2 тамга керек")]
    PrefixTooShort,
    /// A filter value that is not understood.
    #[error("bad value for {key}: {value:?} ({expected}) / {key} маанисi туура эмес")]
    BadFilter {
        /// Filter key.
        key: &'static str,
        /// The value given.
        value: String,
        /// What is expected.
        expected: &'static str,
    },
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Term {
    /// A word, found in any inflected form.
    Word(String),
    /// Words in this order, each in any inflected form.
    Phrase(Vec<String>),
    /// Words starting with these letters (normalised, at least two).
    Prefix(String),
}

/// Filters on the journal columns. All set filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Registered on or after this date.
    pub from: Option<NaiveDate>,
    /// Registered on or before this date.
    pub to: Option<NaiveDate>,
    /// Current status.
    pub status: Option<EntryStatus>,
    /// Category key (`land`, `other`, …), exact.
    pub category: Option<String>,
    /// Corruption flag.
    pub corruption: Option<bool>,
    /// Anonymous or signed.
    pub anonymous: Option<bool>,
    /// Assigned official: every word given must start a word of the official's name
    /// (`Токтогулов` finds `Токтогулов Н.`), case and ө/ү/ң readings ignored.
    pub official: Option<String>,
    /// Village, as read from the address (`Кара-Суу`, `Кара-Суу айылы`, `с. Кара-Суу`).
    pub village: Option<String>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Sets `key` (`from`, `to`, `status`, `category`, `flag`/`corruption`, `anonymous`,
    /// `official`, `village`) from text. Returns `Ok(false)` for an unknown key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, QueryError> {
        let v = value.trim();
        match key.to_lowercase().as_str() {
            "from" | "дата_от" => self.from = Some(parse_date("from", v)?),
            "to" | "дата_до" => self.to = Some(parse_date("to", v)?),
            "status" => {
                self.status = Some(EntryStatus::parse(&v.to_lowercase()).map_err(|_| {
                    QueryError::BadFilter {
                        key: "status",
                        value: v.to_string(),
                        expected: "registered, assigned, answered, redirected or closed",
                    }
                })?)
            }
            "category" => {
                if v.is_empty() {
                    return Err(QueryError::BadFilter {
                        key: "category",
                        value: v.to_string(),
                        expected: "a category key",
                    });
                }
                self.category = Some(v.to_lowercase());
            }
            "flag" | "corruption" => self.corruption = Some(parse_bool("flag", v)?),
            "anonymous" => self.anonymous = Some(parse_bool("anonymous", v)?),
            "official" => self.official = non_empty("official", v)?,
            "village" => self.village = non_empty("village", v)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn non_empty(key: &'static str, v: &str) -> Result<Option<String>, QueryError> {
    if tokenize(v).is_empty() {
        return Err(QueryError::BadFilter {
            key,
            value: v.to_string(),
            expected: "a name",
        });
    }
    Ok(Some(v.to_string()))
}

fn parse_date(key: &'static str, v: &str) -> Result<NaiveDate, QueryError> {
    for fmt in ["%Y-%m-%d", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(v, fmt) {
            return Ok(d);
        }
    }
    Err(QueryError::BadFilter {
        key,
        value: v.to_string(),
        expected: "a date like 2026-01-31",
    })
}

fn parse_bool(key: &'static str, v: &str) -> Result<bool, QueryError> {
    match v.to_lowercase().as_str() {
        "yes" | "true" | "1" | "ооба" | "да" | "y" => Ok(true),
        "no" | "false" | "0" | "жок" | "нет" | "n" => Ok(false),
        _ => Err(QueryError::BadFilter {
            key,
            value: v.to_string(),
            expected: "yes or no",
        }),
    }
}

/// A parsed query: terms (all must match) and filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Words, phrases and prefixes; all must match.
    pub terms: Vec<Term>,
    /// Filters on the journal columns.
    pub filters: Filters,
}

/// Longest query text read; the rest is ignored (a search box is not a document).
const MAX_QUERY_CHARS: usize = 1000;
/// Most terms kept from one query.
const MAX_TERMS: usize = 32;

impl Query {
    /// Parses the query language (see the module docs). Fails only when nothing is left to
    /// search for, on a one-letter prefix, or on a filter value that is not understood.
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        let q = Query::parse_lenient(input)?;
        if q.terms.is_empty() && q.filters.is_empty() {
            return Err(QueryError::Empty);
        }
        Ok(q)
    }

    /// Like [`Query::parse`] but an empty query is allowed (filters may come from elsewhere).
    pub fn parse_lenient(input: &str) -> Result<Query, QueryError> {
        let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let mut q = Query::default();
        let chars: Vec<char> = input.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            if is_quote(c) {
                let end = (i + 1..chars.len())
                    .find(|&j| is_quote(chars[j]))
                    .unwrap_or(chars.len());
                let inner: String = chars[i + 1..end].iter().collect();
                q.push_phrase(&inner);
                i = end + 1;
                continue;
            }
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let item: String = chars[i..end].iter().collect();
            i = end;
            if let Some((key, rest)) = item.split_once(':') {
                // key:"quoted value"
                let (value, next) = if rest.is_empty() && i < chars.len() {
                    (String::new(), i)
                } else if rest.starts_with(is_quote) {
                    let start = i - item.chars().count() + key.chars().count() + 2;
                    let close = (start..chars.len())
                        .find(|&j| is_quote(chars[j]))
                        .unwrap_or(chars.len());
                    (chars[start..close].iter().collect(), close + 1)
                } else {
                    (rest.to_string(), i)
                };
                if !value.trim().is_empty() && q.filters.set(key, &value)? {
                    i = next;
                    continue;
                }
            }
            q.push_item(&item)?;
        }
        q.terms.truncate(MAX_TERMS);
        Ok(q)
    }

    fn push_phrase(&mut self, text: &str) {
        let words: Vec<String> = tokenize(text)
            .into_iter()
            .map(|t| normalize_word(t.text))
            .collect();
        match words.len() {
            0 => {}
            1 => self.terms.push(Term::Word(words[0].clone())),
            _ => self.terms.push(Term::Phrase(words)),
        }
    }

    fn push_item(&mut self, item: &str) -> Result<(), QueryError> {
        let prefix = item.trim_end_matches(is_quote).ends_with('*');
        let toks = tokenize(item);
        if prefix {
            // The last word is the prefix; any earlier ones are plain words.
            let Some((last, before)) = toks.split_last() else {
                return Ok(());
            };
            for t in before {
                self.terms.push(Term::Word(normalize_word(t.text)));
            }
            let p = normalize_word(last.text);
            if p.chars().count() < 2 {
                return Err(QueryError::PrefixTooShort);
            }
            self.terms.push(Term::Prefix(p));
            return Ok(());
        }
        match toks.len() {
            0 => {}
            1 => self.terms.push(Term::Word(normalize_word(toks[0].text))),
            _ => self.terms.push(Term::Phrase(
                toks.iter().map(|t| normalize_word(t.text)).collect(),
            )),
        }
        Ok(())
    }

    /// True when there is no term (a filter-only query).
    pub fn has_terms(&self) -> bool {
        !self.terms.is_empty()
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '«' | '»' | '“' | '”' | '„')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<Term> {
        Query::parse(s).unwrap().terms
    }

    #[test]
    fn words_phrases_prefixes() {
        assert_eq!(
            terms("Пара  ЖЕРДИ"),
            vec![Term::Word("пара".into()), Term::Word("жерди".into())]
        );
        assert_eq!(
            terms("\"жер тилкеси\" кызмат*"),
            vec![
                Term::Phrase(vec!["жер".into(), "тилкеси".into()]),
                Term::Prefix("кызмат".into())
            ]
        );
        assert_eq!(
            terms("Ак-Суу"),
            vec![Term::Phrase(vec!["ак".into(), "суу".into()])]
        );
        assert_eq!(terms("«пара"), vec![Term::Word("пара".into())]);
        assert_eq!(terms("\"пара"), vec![Term::Word("пара".into())]);
        assert_eq!(terms("(пара)"), vec![Term::Word("пара".into())]);
    }

    #[test]
    fn filters_inline() {
        let q = Query::parse(
            "пара from:2026-01-01 to:31.03.2026 status:Answered flag:yes anonymous:no \
             official:\"Токтогулов Н.\" village:Кара-Суу category:Land",
        )
        .unwrap();
        assert_eq!(q.terms, vec![Term::Word("пара".into())]);
        let f = q.filters;
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(f.to, NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(f.status, Some(EntryStatus::Answered));
        assert_eq!(f.corruption, Some(true));
        assert_eq!(f.anonymous, Some(false));
        assert_eq!(f.official.as_deref(), Some("Токтогулов Н."));
        assert_eq!(f.village.as_deref(), Some("Кара-Суу"));
        assert_eq!(f.category.as_deref(), Some("land"));
        // Filter-only query.
        let q = Query::parse("flag:yes").unwrap();
        assert!(!q.has_terms());
        // Unknown keys are words.
        assert_eq!(
            terms("саат:9"),
            vec![Term::Phrase(vec!["саат".into(), "9".into()])]
        );
    }

    #[test]
    fn garbage_is_refused_clearly_never_panics() {
        for s in ["", "   ", "***", "\"\"", "«»", "—;:!", ":", "\"", "*"] {
            assert_eq!(Query::parse(s), Err(QueryError::Empty), "{s:?}");
        }
        assert_eq!(Query::parse("а*"), Err(QueryError::PrefixTooShort));
        assert!(matches!(
            Query::parse("from:yesterday"),
            Err(QueryError::BadFilter { key: "from", .. })
        ));
        assert!(matches!(
            Query::parse("status:lost"),
            Err(QueryError::BadFilter { key: "status", .. })
        ));
        // FTS5 syntax is just text here.
        assert_eq!(
            terms("NEAR(a b) OR x AND ^y"),
            vec![
                Term::Phrase(vec!["near".into(), "a".into()]),
                Term::Word("b".into()),
                Term::Word("or".into()),
                Term::Word("x".into()),
                Term::Word("and".into()),
                Term::Word("y".into()),
            ]
        );
        let long = "сөз ".repeat(5000);
        assert_eq!(Query::parse(&long).unwrap().terms.len(), MAX_TERMS);
        let _ = Query::parse("key:\"unterminated");
        let _ = Query::parse("official:\"");
        let _ = Query::parse("village: x");
    }
}
