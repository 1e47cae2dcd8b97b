//! A learned corruption score beside the lexicon: logistic regression over the stems and
//! concepts of a letter's body.
//!
//! Why: the lexicon and its rules catch an accusation told in the words they list; letters
//! tell the same thing as stories ("the land specialist's nephew got the plot we queued
//! for"), and every new wording needed a new rule. Weights learned from labelled letters
//! (`examples/train_corruption.rs`, with cross-validation) generalise over such stories
//! because they weigh many ordinary words a little each. The reviewer still sees why: the
//! reason lists the letter's words that pushed the score most.
//!
//! The weights live in `models/corruption-learned.tsv` (`feature<TAB>weight` lines plus
//! `bias`, `threshold`); the commission may delete the file's weights to turn the model off.

use crate::models::{ModelError, Models};
use crate::text::{Doc, Tok};
use std::collections::{BTreeMap, HashMap};

/// Built-in copy of `models/corruption-learned.tsv`.
pub const LEARNED_TSV: &str = include_str!("../../../models/corruption-learned.tsv");

/// Compiled weights. Without weights the model is off and scores nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Learned {
    bias: f32,
    /// Probability at which the model alone flags a letter.
    pub threshold: f32,
    weights: HashMap<String, f32>,
}

/// One feature of a letter: its name and the first token it was seen at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Feature {
    pub name: String,
    pub tok: usize,
}

impl Learned {
    /// Parses the TSV: `#` comments, `bias`/`threshold` lines and `feature<TAB>weight` lines.
    pub fn parse(src: &str, file: &str) -> Result<Learned, ModelError> {
        let bad = |n: usize, msg: &str| ModelError::Parse {
            file: file.to_string(),
            msg: format!("line {n}: {msg}"),
        };
        let mut m = Learned {
            threshold: 0.5,
            ..Learned::default()
        };
        for (n, line) in src.lines().enumerate() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once('\t')
                .ok_or_else(|| bad(n + 1, "expected feature<TAB>weight"))?;
            let v: f32 = v
                .trim()
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| bad(n + 1, "weight is not a number"))?;
            match k {
                "bias" => m.bias = v,
                "threshold" if v > 0.0 && v < 1.0 => m.threshold = v,
                "threshold" => return Err(bad(n + 1, "threshold must be in (0, 1)")),
                _ => {
                    m.weights.insert(k.to_string(), v);
                }
            }
        }
        Ok(m)
    }

    /// True when the file gave weights.
    pub fn is_on(&self) -> bool {
        !self.weights.is_empty()
    }

    /// Probability that the letter reports corruption, with each known feature's share of
    /// the logit (largest first).
    pub fn score<'a>(&self, feats: &'a [Feature]) -> (f32, Vec<(&'a Feature, f32)>) {
        let mut parts: Vec<(&Feature, f32)> = feats
            .iter()
            .filter_map(|f| self.weights.get(&f.name).map(|&w| (f, w)))
            .collect();
        let z = self.bias + parts.iter().map(|p| p.1).sum::<f32>();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1));
        (sigmoid(z), parts)
    }
}

/// Each known feature of a letter with its share of the logit.
pub(crate) type Shares<'a> = Vec<(&'a Feature, f32)>;

/// Built-in copy of `models/summary-learned.tsv` (the summary's report-sentence selector).
pub const SUMMARY_TSV: &str = include_str!("../../../models/summary-learned.tsv");

/// Built-in copy of `models/category-learned.tsv`.
pub const CATEGORY_TSV: &str = include_str!("../../../models/category-learned.tsv");

/// One-vs-rest category weights (`<key>|<feature>` lines) and the lexicon confidence below
/// which the learned category is taken instead of the lexicon's (`below`).
#[derive(Debug, Clone, Default)]
pub(crate) struct CategoryLearned {
    pub below: f32,
    per: Vec<(String, Learned)>,
}

impl CategoryLearned {
    /// Parses `below<TAB>x` and `<key>|bias` / `<key>|<feature>` weight lines.
    pub fn parse(src: &str, file: &str) -> Result<CategoryLearned, ModelError> {
        let mut below = 0.0;
        let mut per: BTreeMap<&str, String> = BTreeMap::new();
        for line in src
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            match line.split_once('\t') {
                Some(("below", v)) => {
                    below = v.trim().parse().map_err(|_| ModelError::Parse {
                        file: file.to_string(),
                        msg: format!("below is not a number: {v}"),
                    })?;
                }
                Some((k, v)) => {
                    let (cat, feat) = k.split_once('|').ok_or_else(|| ModelError::Parse {
                        file: file.to_string(),
                        msg: format!("expected <category>|<feature>: {k}"),
                    })?;
                    let body = per.entry(cat).or_default();
                    body.push_str(&format!("{feat}\t{v}\n"));
                }
                None => {
                    return Err(ModelError::Parse {
                        file: file.to_string(),
                        msg: format!("expected <name><TAB><value>: {line}"),
                    })
                }
            }
        }
        let per = per
            .into_iter()
            .map(|(k, body)| Ok((k.to_string(), Learned::parse(&body, file)?)))
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(CategoryLearned { below, per })
    }

    /// True when the file gave weights.
    pub fn is_on(&self) -> bool {
        self.per.iter().any(|(_, l)| l.is_on())
    }

    /// The most probable category, its probability and its features' shares.
    pub fn best<'a>(&self, feats: &'a [Feature]) -> Option<(&str, f32, Shares<'a>)> {
        self.per
            .iter()
            .map(|(k, l)| {
                let (p, parts) = l.score(feats);
                (k.as_str(), p, parts)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// The features of the body: the stem of every ordinary word (not a name, not a number),
/// each concept of the lexicon that occurs, and each pair of concepts that share a sentence
/// (an official and a relative in one sentence says more than both apart).
pub(crate) fn features(doc: &Doc, body: std::ops::Range<usize>, models: &Models) -> Vec<Feature> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for i in body.clone() {
        if let Some(stem) = word_stem(doc, i) {
            seen.entry(format!("s:{stem}")).or_insert(i);
        }
    }
    let hits = crate::analysis::concept_hits(doc, body, models);
    let names: Vec<&str> = models
        .corruption
        .concepts
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    for (ci, h) in hits.iter().enumerate() {
        if let Some(&(_, tok)) = h.first() {
            seen.entry(format!("c:{}", names[ci])).or_insert(tok);
        }
        for (cj, g) in hits.iter().enumerate().skip(ci + 1) {
            let shared = h.iter().find(|a| g.iter().any(|b| b.0 == a.0));
            if let Some(&(_, tok)) = shared {
                let (a, b) = ordered(names[ci], names[cj]);
                seen.entry(format!("cc:{a}+{b}")).or_insert(tok);
            }
        }
    }
    let mut out: Vec<Feature> = seen
        .into_iter()
        .map(|(name, tok)| Feature { name, tok })
        .collect();
    out.sort_by_key(|f| f.tok);
    out
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The stem of an ordinary word: none for a number, a short word, or a capitalised word
/// inside a sentence (a person's or a village's name says nothing about corruption, and
/// learning names would learn the test letters).
pub(crate) fn word_stem(doc: &Doc, i: usize) -> Option<&str> {
    let t: &Tok = &doc.toks[i];
    if t.key.chars().any(|c| c.is_ascii_digit()) || t.key.chars().count() < 3 {
        return None;
    }
    let sentence_start = i == 0 || doc.toks[i - 1].sentence != t.sentence;
    if t.text.starts_with(char::is_uppercase) && !sentence_start {
        return None;
    }
    let stem = t.stems.first().map_or(t.key.as_str(), String::as_str);
    (stem.chars().count() >= 3).then_some(stem)
}

/// Trains an L2-regularised logistic regression by full-batch gradient descent (Adam).
/// `rows` are (feature names, label); returns the bias and the weights of features seen in
/// at least `min_df` rows. Deterministic: same rows, same weights.
pub fn train(rows: &[(Vec<String>, bool)], l2: f32, min_df: usize, epochs: usize) -> Trained {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (f, _) in rows {
        for n in f {
            *df.entry(n.as_str()).or_default() += 1;
        }
    }
    let mut vocab: Vec<&str> = df
        .iter()
        .filter(|(_, &c)| c >= min_df)
        .map(|(k, _)| *k)
        .collect();
    vocab.sort_unstable();
    let index: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let x: Vec<Vec<usize>> = rows
        .iter()
        .map(|(f, _)| {
            f.iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect()
        })
        .collect();
    let y: Vec<f32> = rows.iter().map(|r| f32::from(u8::from(r.1))).collect();
    let mut w = vec![0.0f32; vocab.len() + 1]; // last = bias
    let mut adam = Adam::new(w.len());
    let n = rows.len().max(1) as f32;
    for _ in 0..epochs {
        let mut g = vec![0.0f32; w.len()];
        for (xi, yi) in x.iter().zip(&y) {
            let z = w[vocab.len()] + xi.iter().map(|&j| w[j]).sum::<f32>();
            let err = sigmoid(z) - yi;
            xi.iter().for_each(|&j| g[j] += err / n);
            g[vocab.len()] += err / n;
        }
        for j in 0..vocab.len() {
            g[j] += l2 * w[j] / n;
        }
        adam.step(&mut w, &g);
    }
    Trained {
        bias: w[vocab.len()],
        weights: vocab
            .iter()
            .zip(&w)
            .map(|(k, &v)| (k.to_string(), v))
            .collect(),
    }
}

/// A trained model, before it is written out.
#[derive(Debug, Clone)]
pub struct Trained {
    /// Intercept.
    pub bias: f32,
    /// Feature → weight.
    pub weights: Vec<(String, f32)>,
}

impl Trained {
    /// Probability for one row of feature names.
    pub fn prob(&self, feats: &[String]) -> f32 {
        let w: HashMap<&str, f32> = self.weights.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        sigmoid(self.bias + feats.iter().filter_map(|f| w.get(f.as_str())).sum::<f32>())
    }
}

struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    fn step(&mut self, w: &mut [f32], g: &[f32]) {
        const RATE: f32 = 0.05;
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.t += 1;
        for j in 0..w.len() {
            self.m[j] = B1 * self.m[j] + (1.0 - B1) * g[j];
            self.v[j] = B2 * self.v[j] + (1.0 - B2) * g[j] * g[j];
            let mh = self.m[j] / (1.0 - B1.powi(self.t));
            let vh = self.v[j] / (1.0 - B2.powi(self.t));
            w[j] -= RATE * mh / (vh.sqrt() + 1e-8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(words: &[&str], y: bool) -> (Vec<String>, bool) {
        (words.iter().map(|w| w.to_string()).collect(), y)
    }

    #[test]
    fn learns_a_separable_word_and_ignores_rare_ones() {
        let mut rows = Vec::new();
        for i in 0..20 {
            rows.push(row(&["s:тууган", "s:жер", &format!("s:rare{i}")], true));
            rows.push(row(&["s:жол", "s:жер"], false));
        }
        let t = train(&rows, 0.1, 3, 300);
        let w = |k: &str| t.weights.iter().find(|x| x.0 == k).map(|x| x.1);
        assert!(w("s:тууган").unwrap() > 1.0);
        assert!(w("s:жол").unwrap() < -1.0);
        assert_eq!(w("s:rare3"), None);
        let p = t.prob(&["s:тууган".into(), "s:жер".into()]);
        assert!(p > 0.9, "{p} {t:?}");
        assert!(t.prob(&["s:жол".into(), "s:жер".into()]) < 0.1);
    }

    #[test]
    fn parses_weights_and_refuses_bad_lines() {
        let m = Learned::parse("# c\nbias\t-1.5\nthreshold\t0.6\ns:пара\t2\n", "x").unwrap();
        assert!(m.is_on());
        assert_eq!(m.threshold, 0.6);
        let f = [Feature {
            name: "s:пара".into(),
            tok: 0,
        }];
        let (p, parts) = m.score(&f);
        assert!((p - sigmoid(0.5)).abs() < 1e-6);
        assert_eq!(parts.len(), 1);
        assert!(Learned::parse("s:x 2\n", "x").is_err());
        assert!(Learned::parse("threshold\t1.5\n", "x").is_err());
        assert!(!Learned::parse("# nothing\nbias\t0\n", "x").unwrap().is_on());
    }
}
