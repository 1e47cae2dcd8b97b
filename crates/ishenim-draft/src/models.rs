//! Lexicons and weights: `models/corruption.toml` and `models/categories.toml`, compiled into matchers.

use crate::places::Places;
use crate::text::key_word;
use serde::Deserialize;
use std::path::Path;

/// Built-in copy of `models/corruption.toml`.
pub const CORRUPTION_TOML: &str = include_str!("../../../models/corruption.toml");
/// Built-in copy of `models/categories.toml`.
pub const CATEGORIES_TOML: &str = include_str!("../../../models/categories.toml");
/// Built-in copy of `models/places.toml`.
pub const PLACES_TOML: &str = include_str!("../../../models/places.toml");

/// Errors while reading or compiling a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file exists but could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// File path.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{file}: {msg}")]
    Parse {
        /// File name.
        file: String,
        /// What is wrong.
        msg: String,
    },
}

/// A word of the letter as patterns see it: its matching key and the analyser's stems.
pub(crate) trait Keyed {
    /// [`key_word`] of the word.
    fn key(&self) -> &str;
    /// Stems by the shared analyser (empty when unknown: only the key is compared).
    fn stems(&self) -> &[String];
}

impl Keyed for &str {
    fn key(&self) -> &str {
        self
    }
    fn stems(&self) -> &[String] {
        &[]
    }
}

impl Keyed for crate::text::Tok {
    fn key(&self) -> &str {
        &self.key
    }
    fn stems(&self) -> &[String] {
        &self.stems
    }
}

/// One alternative of a pattern word.
#[derive(Debug, Clone)]
struct Alt {
    key: String,
    prefix: bool,
    /// Stems of an exact word: it also matches every word with one of these stems (its
    /// inflected forms: `акча` → `акчаны`, `акчасын`; `взятка` → `взятку`).
    stems: Vec<String>,
}

/// One word of a pattern: alternatives, each exact (any inflection, through the shared
/// stemmer) or a stem (`prefix*`).
#[derive(Debug, Clone)]
pub(crate) struct TokPat {
    alts: Vec<Alt>,
}

impl TokPat {
    fn parse(s: &str) -> Option<TokPat> {
        let alts: Vec<Alt> = s
            .split('|')
            .filter_map(|a| {
                let prefix = a.ends_with('*');
                // `=word`: this form only, not its other inflections ("=чайга", "for tea",
                // is a euphemism; "чай" is tea).
                let surface = a.starts_with('=');
                let raw = a.trim_end_matches('*').trim_start_matches('=');
                let key = key_word(raw);
                let stems = if prefix || surface {
                    vec![]
                } else {
                    crate::text::stems_of(raw)
                };
                (!key.is_empty()).then_some(Alt { key, prefix, stems })
            })
            .collect();
        (!alts.is_empty()).then_some(TokPat { alts })
    }

    /// True when the token key matches.
    pub(crate) fn matches(&self, key: &str) -> bool {
        self.matches_word(&key)
    }

    /// True when the word matches: a prefix alternative by its key, an exact one by its key
    /// or by a shared stem.
    pub(crate) fn matches_word(&self, w: &impl Keyed) -> bool {
        let key = w.key();
        self.alts.iter().any(|a| {
            if a.prefix {
                key.starts_with(a.key.as_str())
            } else {
                key == a.key || w.stems().iter().any(|s| a.stems.contains(s))
            }
        })
    }
}

/// A phrase pattern: words in order with at most `gap` words between them.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    toks: Vec<TokPat>,
    gap: usize,
    any_order: bool,
}

impl Phrase {
    pub(crate) fn parse(s: &str, gap: usize, any_order: bool) -> Option<Phrase> {
        let toks: Option<Vec<TokPat>> = s.split_whitespace().map(TokPat::parse).collect();
        let toks = toks?;
        (!toks.is_empty()).then_some(Phrase {
            toks,
            gap,
            any_order,
        })
    }

    fn match_seq<'a, K: Keyed>(
        pats: impl Iterator<Item = &'a TokPat> + Clone,
        words: &[K],
        start: usize,
        gap: usize,
    ) -> Option<Vec<usize>> {
        let mut it = pats;
        let first = it.next()?;
        if !first.matches_word(&words[start]) {
            return None;
        }
        let mut at = vec![start];
        let mut pos = start;
        for p in it {
            let end = (pos + gap + 2).min(words.len());
            let next = (pos + 1..end).find(|&j| p.matches_word(&words[j]))?;
            at.push(next);
            pos = next;
        }
        Some(at)
    }

    /// All matches as the token positions of the phrase words, first start first, non-overlapping per start.
    pub(crate) fn find_all<K: Keyed>(&self, words: &[K]) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for i in 0..words.len() {
            if let Some(m) = Self::match_seq(self.toks.iter(), words, i, self.gap) {
                out.push(m);
            } else if self.any_order && self.toks.len() > 1 {
                if let Some(m) = Self::match_seq(self.toks.iter().rev(), words, i, self.gap) {
                    out.push(m);
                }
            }
        }
        out
    }
}

/// Parses a list of single-word patterns.
fn word_list(list: &[String]) -> Vec<TokPat> {
    list.iter().filter_map(|s| TokPat::parse(s)).collect()
}

/// True when any pattern matches the key.
pub(crate) fn any_match(list: &[TokPat], key: &str) -> bool {
    list.iter().any(|p| p.matches(key))
}

/// True when any pattern matches the word (key or stem).
pub(crate) fn any_match_word(list: &[TokPat], w: &impl Keyed) -> bool {
    list.iter().any(|p| p.matches_word(w))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorruptionFile {
    threshold: f32,
    gap: usize,
    negated_factor: f32,
    rumour_factor: f32,
    thanks_factor: f32,
    negation: NegationFile,
    rumour: WordsFile,
    thanks: WordsFile,
    #[serde(default)]
    neutral: Vec<String>,
    #[serde(default)]
    term: Vec<TermFile>,
    /// Factor for a match in a sentence that describes innocent money (a bill, a state fee
    /// with a receipt, neighbours collecting among themselves).
    #[serde(default = "one")]
    innocent_factor: f32,
    #[serde(default)]
    innocent: Option<WordsFile>,
    /// A letter that takes an earlier complaint back ("прошу не рассматривать", "арызымды
    /// кайтарып алам"): its accusation is told to be withdrawn.
    withdrawal: Option<WordsFile>,
    #[serde(default = "one")]
    withdrawal_factor: f32,
    #[serde(default)]
    concepts: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    rule: Vec<RuleFile>,
}

fn one() -> f32 {
    1.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    all: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
    weight: f32,
    #[serde(default)]
    reach: Option<usize>,
    #[serde(default)]
    lang: Option<String>,
}

/// A rule of the structure of an accusation: every concept of `all` in one sentence, and,
/// when `any` is given, one of those within `reach` sentences ("an official" + "demanded"
/// + "money").
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub name: String,
    pub all: Vec<usize>,
    pub any: Vec<usize>,
    pub weight: f32,
    pub reach: usize,
    pub lang: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationFile {
    before: Vec<String>,
    after: Vec<String>,
    #[serde(default)]
    idioms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermFile {
    phrase: String,
    pattern: String,
    weight: f32,
    lang: Option<String>,
    negatable: Option<bool>,
    any_order: Option<bool>,
    gap: Option<usize>,
}

/// One corruption term.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub phrase: String,
    pub pat: Phrase,
    pub weight: f32,
    pub lang: Option<String>,
    pub negatable: bool,
}

/// Compiled corruption lexicon.
#[derive(Debug, Clone)]
pub(crate) struct CorruptionModel {
    pub threshold: f32,
    pub negated_factor: f32,
    pub rumour_factor: f32,
    pub thanks_factor: f32,
    pub neg_before: Vec<TokPat>,
    pub neg_after: Vec<TokPat>,
    /// Phrases whose negative word negates nothing ("жок дегенде", at least; "не только").
    pub neg_idioms: Vec<Phrase>,
    /// Markers of hearsay, one word or a phrase ("ушак", "айтылып жүрөт", "деген сөз").
    pub rumour: Vec<Phrase>,
    pub thanks: Vec<TokPat>,
    pub neutral: Vec<Phrase>,
    pub terms: Vec<Term>,
    pub innocent_factor: f32,
    pub innocent: Vec<Phrase>,
    pub withdrawal_factor: f32,
    pub withdrawal: Vec<Phrase>,
    /// Named word classes (money, demand, official, ...), each a list of phrases.
    pub concepts: Vec<(String, Vec<Phrase>)>,
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    min_score: f32,
    gap: usize,
    category: Vec<CategoryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    key: String,
    ky: String,
    ru: String,
    #[serde(default)]
    strong: Vec<String>,
    #[serde(default)]
    terms: Vec<String>,
}

/// One category with its weighted phrases.
#[derive(Debug, Clone)]
pub(crate) struct Category {
    pub key: String,
    pub label_ky: String,
    pub label_ru: String,
    pub phrases: Vec<(String, Phrase, f32)>,
}

/// Compiled category lexicon.
#[derive(Debug, Clone)]
pub(crate) struct CategoryModel {
    pub min_score: f32,
    pub categories: Vec<Category>,
}

fn bad(file: &str, msg: impl Into<String>) -> ModelError {
    ModelError::Parse {
        file: file.to_string(),
        msg: msg.into(),
    }
}

fn compile_corruption(src: &str, file: &str) -> Result<CorruptionModel, ModelError> {
    let f: CorruptionFile = toml::from_str(src).map_err(|e| bad(file, e.to_string()))?;
    if f.threshold.is_nan() || f.threshold <= 0.0 {
        return Err(bad(file, "threshold must be > 0"));
    }
    let mut terms = Vec::new();
    for t in f.term {
        let pat = Phrase::parse(
            &t.pattern,
            t.gap.unwrap_or(f.gap),
            t.any_order.unwrap_or(false),
        )
        .ok_or_else(|| bad(file, format!("empty pattern in term {:?}", t.phrase)))?;
        if let Some(l) = &t.lang {
            if l != "ky" && l != "ru" {
                return Err(bad(
                    file,
                    format!("term {:?}: lang must be ky or ru", t.phrase),
                ));
            }
        }
        terms.push(Term {
            phrase: t.phrase,
            pat,
            weight: t.weight,
            lang: t.lang,
            negatable: t.negatable.unwrap_or(true),
        });
    }
    let neutral = f
        .neutral
        .iter()
        .filter_map(|s| Phrase::parse(s, 1, false))
        .collect();
    let phrases = |list: &[String]| -> Vec<Phrase> {
        list.iter()
            .filter_map(|s| Phrase::parse(s, 1, false))
            .collect()
    };
    let concepts: Vec<(String, Vec<Phrase>)> = f
        .concepts
        .iter()
        .map(|(k, v)| (k.clone(), phrases(v)))
        .collect();
    let concept = |name: &str, rule: &str| {
        concepts
            .iter()
            .position(|(k, _)| k == name)
            .ok_or_else(|| bad(file, format!("rule {rule:?}: unknown concept {name:?}")))
    };
    let mut rules = Vec::new();
    for r in &f.rule {
        if r.all.is_empty() {
            return Err(bad(file, format!("rule {:?}: `all` is empty", r.name)));
        }
        rules.push(Rule {
            name: r.name.clone(),
            all: r
                .all
                .iter()
                .map(|c| concept(c, &r.name))
                .collect::<Result<_, _>>()?,
            any: r
                .any
                .iter()
                .map(|c| concept(c, &r.name))
                .collect::<Result<_, _>>()?,
            weight: r.weight,
            reach: r.reach.unwrap_or(1),
            lang: r.lang.clone(),
        });
    }
    Ok(CorruptionModel {
        innocent_factor: f.innocent_factor,
        innocent: f
            .innocent
            .as_ref()
            .map(|w| phrases(&w.words))
            .unwrap_or_default(),
        withdrawal_factor: f.withdrawal_factor,
        withdrawal: f
            .withdrawal
            .as_ref()
            .map(|w| phrases(&w.words))
            .unwrap_or_default(),
        concepts,
        rules,
        threshold: f.threshold,
        negated_factor: f.negated_factor,
        rumour_factor: f.rumour_factor,
        thanks_factor: f.thanks_factor,
        neg_before: word_list(&f.negation.before),
        neg_after: word_list(&f.negation.after),
        neg_idioms: phrases(&f.negation.idioms),
        rumour: phrases(&f.rumour.words),
        thanks: word_list(&f.thanks.words),
        neutral,
        terms,
    })
}

fn compile_categories(src: &str, file: &str) -> Result<CategoryModel, ModelError> {
    let f: CategoriesFile = toml::from_str(src).map_err(|e| bad(file, e.to_string()))?;
    let mut categories = Vec::new();
    for c in f.category {
        let mut phrases = Vec::new();
        for (list, w) in [(&c.strong, 2.0), (&c.terms, 1.0)] {
            for s in list {
                let p = Phrase::parse(s, f.gap, false)
                    .ok_or_else(|| bad(file, format!("empty term in {}", c.key)))?;
                phrases.push((s.clone(), p, w));
            }
        }
        categories.push(Category {
            key: c.key,
            label_ky: c.ky,
            label_ru: c.ru,
            phrases,
        });
    }
    Ok(CategoryModel {
        min_score: f.min_score,
        categories,
    })
}

/// Lexicons and weights used by drafting.
#[derive(Debug, Clone)]
pub struct Models {
    pub(crate) corruption: CorruptionModel,
    pub(crate) categories: CategoryModel,
    pub(crate) places: Places,
    pub(crate) learned: crate::learned::Learned,
    pub(crate) category_learned: crate::learned::CategoryLearned,
    pub(crate) word_df: crate::salience::WordDf,
    pub(crate) summary_learned: crate::learned::Learned,
}

impl Models {
    /// Compiles models from the text of `corruption.toml` and `categories.toml` (with the
    /// built-in `places.toml`).
    pub fn from_toml(corruption: &str, categories: &str) -> Result<Models, ModelError> {
        Ok(Models {
            corruption: compile_corruption(corruption, "corruption.toml")?,
            categories: compile_categories(categories, "categories.toml")?,
            places: Places::from_toml(PLACES_TOML, "places.toml")?,
            learned: crate::learned::Learned::parse(
                crate::learned::LEARNED_TSV,
                "corruption-learned.tsv",
            )?,
            category_learned: crate::learned::CategoryLearned::parse(
                crate::learned::CATEGORY_TSV,
                "category-learned.tsv",
            )?,
            word_df: crate::salience::WordDf::parse(crate::salience::WORD_DF_TSV, "word-df.tsv")?,
            summary_learned: crate::learned::Learned::parse(
                crate::learned::SUMMARY_TSV,
                "summary-learned.tsv",
            )?,
        })
    }

    /// Reads `corruption.toml`, `categories.toml` and `places.toml` from `dir`; a file that
    /// does not exist there is taken from the built-in copy, a file that exists but is wrong
    /// is an error.
    pub fn load(dir: &Path) -> Result<Models, ModelError> {
        let read = |name: &str, builtin: &'static str| -> Result<String, ModelError> {
            let p = dir.join(name);
            match std::fs::read_to_string(&p) {
                Ok(s) => Ok(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(builtin.to_string()),
                Err(source) => Err(ModelError::Io {
                    file: p.display().to_string(),
                    source,
                }),
            }
        };
        let c = read("corruption.toml", CORRUPTION_TOML)?;
        let k = read("categories.toml", CATEGORIES_TOML)?;
        let p = read("places.toml", PLACES_TOML)?;
        let l = read("corruption-learned.tsv", crate::learned::LEARNED_TSV)?;
        let cl = read("category-learned.tsv", crate::learned::CATEGORY_TSV)?;
        let wd = read("word-df.tsv", crate::salience::WORD_DF_TSV)?;
        let sl = read("summary-learned.tsv", crate::learned::SUMMARY_TSV)?;
        Ok(Models {
            corruption: compile_corruption(&c, &dir.join("corruption.toml").display().to_string())?,
            categories: compile_categories(&k, &dir.join("categories.toml").display().to_string())?,
            places: Places::from_toml(&p, &dir.join("places.toml").display().to_string())?,
            learned: crate::learned::Learned::parse(
                &l,
                &dir.join("corruption-learned.tsv").display().to_string(),
            )?,
            category_learned: crate::learned::CategoryLearned::parse(
                &cl,
                &dir.join("category-learned.tsv").display().to_string(),
            )?,
            word_df: crate::salience::WordDf::parse(
                &wd,
                &dir.join("word-df.tsv").display().to_string(),
            )?,
            summary_learned: crate::learned::Learned::parse(
                &sl,
                &dir.join("summary-learned.tsv").display().to_string(),
            )?,
        })
    }

    /// The models built into the program (the `models/*.toml` of the source tree at build time).
    pub fn embedded() -> Models {
        static EMBEDDED: std::sync::OnceLock<Result<Models, String>> = std::sync::OnceLock::new();
        match EMBEDDED.get_or_init(|| {
            Models::from_toml(CORRUPTION_TOML, CATEGORIES_TOML).map_err(|e| e.to_string())
        }) {
            Ok(m) => m.clone(),
            // The built-in files are checked by a unit test; an empty model is the safe fallback.
            Err(_) => Models {
                corruption: CorruptionModel {
                    threshold: 1.0,
                    negated_factor: 0.0,
                    rumour_factor: 0.3,
                    thanks_factor: 0.3,
                    neg_before: vec![],
                    neg_after: vec![],
                    neg_idioms: vec![],
                    rumour: vec![],
                    thanks: vec![],
                    neutral: vec![],
                    terms: vec![],
                    innocent_factor: 1.0,
                    innocent: vec![],
                    withdrawal_factor: 1.0,
                    withdrawal: vec![],
                    concepts: vec![],
                    rules: vec![],
                },
                categories: CategoryModel {
                    min_score: 1.0,
                    categories: vec![],
                },
                places: Places::default(),
                learned: Default::default(),
                category_learned: Default::default(),
                word_df: Default::default(),
                summary_learned: Default::default(),
            },
        }
    }

    /// The same models with the learned corruption score off: the lexicon alone (for
    /// training the learned model against it and for comparisons).
    pub fn without_learned(mut self) -> Models {
        self.learned = Default::default();
        self.category_learned = Default::default();
        self
    }

    /// Category keys with their Kyrgyz and Russian labels, in file order (plus `other`).
    pub fn categories(&self) -> Vec<(String, String, String)> {
        let mut v: Vec<_> = self
            .categories
            .categories
            .iter()
            .map(|c| (c.key.clone(), c.label_ky.clone(), c.label_ru.clone()))
            .collect();
        // "other" always last, whether the file lists its words or not.
        let other = v.iter().position(|c| c.0 == "other").map(|i| v.remove(i));
        v.push(other.unwrap_or_else(|| ("other".into(), "Башка".into(), "Другое".into())));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_models_compile() {
        let m = Models::from_toml(CORRUPTION_TOML, CATEGORIES_TOML).expect("built-in models");
        assert!(m.corruption.terms.len() > 20);
        assert_eq!(m.categories().len(), 10);
    }

    #[test]
    fn bad_model_is_an_error_not_a_panic() {
        assert!(Models::from_toml("threshold = 'x'", CATEGORIES_TOML).is_err());
        assert!(Models::from_toml(CORRUPTION_TOML, "min_score = 1").is_err());
    }

    #[test]
    fn load_falls_back_to_builtin_for_missing_files() {
        let m = Models::load(Path::new("/nonexistent-dir-ishenim")).expect("fallback");
        assert!(!m.corruption.terms.is_empty());
    }

    fn check_phrase(pat: &str, text: &str, expected: bool) {
        let p = Phrase::parse(pat, 3, false).expect("pattern");
        let keys: Vec<String> = text.split_whitespace().map(key_word).collect();
        let refs: Vec<&str> = keys.iter().map(|s| s.as_str()).collect();
        assert_eq!(!p.find_all(&refs).is_empty(), expected, "{pat} in {text}");
    }

    #[test]
    fn phrases_are_inflection_aware() {
        check_phrase("пара*", "ал парасын сурады", true);
        check_phrase("акча*|сом* талап* кыл*", "беш жүз сомдон талап кылат", true);
        check_phrase(
            "акча*|сом* талап* кыл*",
            "акчаны да эч качан талап кылган",
            true,
        );
        check_phrase("акча* талап* кыл*", "акча керек. Биз талап кылабыз", true);
        check_phrase(
            "акча* талап* кыл*",
            "акча бир эки үч төрт талап кылабыз",
            false,
        );
        check_phrase("взятк*|взяток", "никаких взяток", true);
        check_phrase(
            "кызмат* абал* пайдалан*",
            "кызмат абалынан пайдаланып",
            true,
        );
        check_phrase("көмүр* сат*", "комурду сатып", true);
    }
}
