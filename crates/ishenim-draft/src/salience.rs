//! How much a word says about what a letter is about: its stem's rarity in citizens'
//! letters (inverse document frequency) times how often this letter repeats it.
//!
//! Why: the summary must name the subject ("жер", "кезек", "жээн"), and the sentence that
//! does is the one with the letter's own rare, repeated words, not the one with the most
//! cue words. Common words of every letter ("айыл", "өкмөт", "прошу") weigh little because
//! most letters have them. The frequencies live in `models/word-df.tsv`, counted over
//! labelled letters by `examples/train_corruption.rs --df`; without them every word weighs
//! the same and the summary falls back to its cue words.

use crate::models::ModelError;
use crate::text::Doc;
use std::collections::HashMap;

/// Built-in copy of `models/word-df.tsv`.
pub const WORD_DF_TSV: &str = include_str!("../../../models/word-df.tsv");

/// Document frequencies of word stems.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordDf {
    docs: f32,
    df: HashMap<String, u32>,
}

impl WordDf {
    /// Parses `docs<TAB>N` and `stem<TAB>count` lines (`#` comments).
    pub fn parse(src: &str, file: &str) -> Result<WordDf, ModelError> {
        let mut m = WordDf::default();
        for (n, line) in src.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line
                .split_once('\t')
                .and_then(|(k, v)| Some((k, v.trim().parse::<u32>().ok()?)));
            let Some((k, v)) = parsed else {
                return Err(ModelError::Parse {
                    file: file.to_string(),
                    msg: format!("line {}: expected stem<TAB>count", n + 1),
                });
            };
            if k == "docs" {
                m.docs = v as f32;
            } else {
                m.df.insert(k.to_string(), v);
            }
        }
        Ok(m)
    }

    /// Inverse document frequency; a stem never counted is as rare as one seen once.
    fn idf(&self, stem: &str) -> f32 {
        let df = self.df.get(stem).copied().unwrap_or(1) as f32;
        ((self.docs + 1.0) / (df + 1.0)).ln().max(0.0)
    }
}

/// Each ordinary word of `body` (token index, stem, weight): idf × (1 + ln tf), where tf is
/// how often the body uses the stem.
pub(crate) fn word_weights(
    doc: &Doc,
    body: std::ops::Range<usize>,
    df: &WordDf,
) -> Vec<(usize, String, f32)> {
    let words: Vec<(usize, &str)> = body
        .filter_map(|i| crate::learned::word_stem(doc, i).map(|s| (i, s)))
        .collect();
    let mut tf: HashMap<&str, u32> = HashMap::new();
    for (_, s) in &words {
        *tf.entry(s).or_default() += 1;
    }
    words
        .iter()
        .map(|&(i, s)| {
            let w = df.idf(s) * (1.0 + (tf[s] as f32).ln());
            (i, s.to_string(), w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_words_weigh_more_than_common_ones() {
        let df = WordDf::parse("docs\t100\nайыл\t90\nжер\t10\n", "t").unwrap();
        assert!(df.idf("жер") > df.idf("айыл"));
        assert!(df.idf("жээн") > df.idf("жер"));
        assert!(WordDf::parse("docs 100\n", "t").is_err());
    }
}
