//! Snippets: a window of the original text around the best matches, cut into plain
//! segments and hit segments. The caller escapes the text and marks hits (`<mark>` on the
//! web); nothing here builds markup.

use crate::stem::{Analyzed, Analyzer};
use crate::text::{tokenize, Lang};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A piece of a snippet: original text, and whether it is a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Original text (not escaped).
    pub text: String,
    /// True for a word that matches the query.
    pub hit: bool,
}

/// What to highlight: stems of words, stem sequences of phrases, folded prefixes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Highlight {
    /// Stems of plain words, in any document.
    pub words: HashSet<String>,
    /// Russian stems of plain words, in Russian documents only.
    pub words_ru: HashSet<String>,
    /// Phrases: stems in order, and whether only in Russian documents.
    pub phrases: Vec<(Vec<String>, bool)>,
    /// Folded prefixes.
    pub prefixes: Vec<String>,
}

impl Highlight {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.prefixes.is_empty()
    }
}

/// Words shown around the matches.
const WINDOW_WORDS: usize = 28;

/// Analysed words already seen (snippets of one result page share most words).
#[derive(Default)]
pub(crate) struct WordCache {
    map: HashMap<(String, Lang), Option<Analyzed>>,
}

impl WordCache {
    fn get(&mut self, word: &str, lang: Lang) -> Option<Analyzed> {
        if let Some(a) = self.map.get(&(word.to_string(), lang)) {
            return a.clone();
        }
        let a = Analyzer.doc_word(word, lang);
        self.map.insert((word.to_string(), lang), a.clone());
        a
    }
}

/// Which tokens of `text` match: a flag per token.
fn marks<'t>(
    text: &'t str,
    lang: Lang,
    hl: &Highlight,
    cache: &mut WordCache,
) -> (Vec<crate::text::Token<'t>>, Vec<bool>) {
    let toks = tokenize(text);
    let analysed: Vec<Option<Analyzed>> = toks.iter().map(|t| cache.get(t.text, lang)).collect();
    let mut hit = vec![false; toks.len()];
    for (i, an) in analysed.iter().enumerate() {
        let Some(an) = an else { continue };
        if hl.words.contains(&an.stem)
            || (lang == Lang::Ru && hl.words_ru.contains(&an.stem))
            || hl.prefixes.iter().any(|p| an.surface.starts_with(p))
        {
            hit[i] = true;
        }
    }
    for (ph, ru_only) in &hl.phrases {
        if ph.is_empty() || ph.len() > toks.len() || (*ru_only && lang != Lang::Ru) {
            continue;
        }
        for start in 0..=toks.len() - ph.len() {
            let all = ph.iter().enumerate().all(|(k, stem)| {
                analysed[start + k]
                    .as_ref()
                    .is_some_and(|an| an.stem == *stem)
            });
            if all {
                for h in &mut hit[start..start + ph.len()] {
                    *h = true;
                }
            }
        }
    }
    (toks, hit)
}

/// The snippet of a hit: from the page text when it has a match (or when the journal
/// fields have none), else from the journal fields (summary, applicant, address, …); for a
/// query without words, the summary.
pub(crate) fn snippet_for(
    meta: &str,
    body: &str,
    lang: Lang,
    hl: &Highlight,
    cache: &mut WordCache,
) -> Vec<Segment> {
    if hl.is_empty() {
        return snippet(meta.lines().next().unwrap_or(""), lang, hl, cache);
    }
    let (toks, hit) = marks(body, lang, hl, cache);
    if hit.iter().any(|&h| h) {
        return window(body, &toks, &hit);
    }
    let meta = meta.replace('\n', " · ");
    let (mtoks, mhit) = marks(&meta, lang, hl, cache);
    if mhit.iter().any(|&h| h) {
        return window(&meta, &mtoks, &mhit);
    }
    window(body, &toks, &hit)
}

/// The snippet of `text`: the window of [`WINDOW_WORDS`] words with the most hits (the
/// start of the text when there is none), `…` where it is cut, line breaks as spaces.
pub(crate) fn snippet(
    text: &str,
    lang: Lang,
    hl: &Highlight,
    cache: &mut WordCache,
) -> Vec<Segment> {
    let (toks, hit) = marks(text, lang, hl, cache);
    window(text, &toks, &hit)
}

fn window(text: &str, toks: &[crate::text::Token<'_>], hit: &[bool]) -> Vec<Segment> {
    if toks.is_empty() {
        return Vec::new();
    }
    let n = toks.len();
    let w = WINDOW_WORDS.min(n);
    // Best window by hit count; ties go to the earliest.
    let mut count: usize = hit[..w].iter().filter(|&&h| h).count();
    let (mut best, mut best_start) = (count, 0usize);
    for s in 1..=n - w {
        count = count + usize::from(hit[s + w - 1]) - usize::from(hit[s - 1]);
        if count > best {
            best = count;
            best_start = s;
        }
    }
    // Start a few words before the first hit of the window, for context.
    let first_hit = (best_start..best_start + w).find(|&i| hit[i]);
    let start = match first_hit {
        Some(f) => f
            .saturating_sub(4)
            .max(best_start.saturating_sub(4))
            .min(n - w),
        None => 0,
    };
    let end = (start + w).min(n);
    let mut segs: Vec<Segment> = Vec::new();
    let mut push = |t: &str, h: bool| {
        let t = t.replace(['\n', '\r', '\t'], " ");
        if t.is_empty() {
            return;
        }
        match segs.last_mut() {
            Some(last) if last.hit == h && !h => last.text.push_str(&t),
            _ => segs.push(Segment { text: t, hit: h }),
        }
    };
    if start > 0 {
        push("… ", false);
    }
    let mut pos = toks[start].start;
    for i in start..end {
        push(&text[pos..toks[i].start], false);
        push(&text[toks[i].start..toks[i].end], hit[i]);
        pos = toks[i].end;
    }
    if end < n {
        push(" …", false);
    } else {
        // Trailing punctuation of the text.
        push(text[pos..].trim_end(), false);
    }
    // Collapse runs of spaces left by line breaks.
    for s in &mut segs {
        while s.text.contains("  ") {
            s.text = s.text.replace("  ", " ");
        }
    }
    segs
}

/// The snippet as plain text (for `--json` and logs-free terminals).
pub fn plain(segs: &[Segment]) -> String {
    segs.iter().map(|s| s.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(words: &[&str]) -> Highlight {
        let a = Analyzer;
        let mut h = Highlight::default();
        for w in words {
            h.words.extend(a.query_terms(w));
        }
        h
    }

    #[test]
    fn hits_are_original_inflected_words() {
        let text =
            "Айыл өкмөтүнүн катчысы мени чакырып, паранын өлчөмүн айтты. Мен парага каршымын.";
        let s = snippet(text, Lang::Ky, &hl(&["пара"]), &mut WordCache::default());
        let hits: Vec<&str> = s
            .iter()
            .filter(|x| x.hit)
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(hits, vec!["паранын", "парага"]);
        assert_eq!(plain(&s), text);
    }

    #[test]
    fn long_text_is_cut_around_the_hits() {
        let filler = "бир эки үч төрт беш алты жети сегиз тогуз он ".repeat(20);
        let text = format!("{filler} жер тилкесин сатып алышты. {filler}");
        let s = snippet(&text, Lang::Ky, &hl(&["жер"]), &mut WordCache::default());
        let p = plain(&s);
        assert!(p.starts_with("… ") && p.ends_with(" …"), "{p}");
        assert!(s.iter().any(|x| x.hit && x.text == "жер"));
        assert!(p.split_whitespace().count() <= WINDOW_WORDS + 2);
    }

    #[test]
    fn phrases_highlight_only_in_sequence() {
        let a = Analyzer;
        let mut h = Highlight::default();
        h.phrases.push((
            ["жер", "тилкеси"]
                .iter()
                .map(|w| a.query_terms(w)[0].clone())
                .collect(),
            false,
        ));
        let s = snippet(
            "тилкеси жок. Жер тилкесин берди.",
            Lang::Ky,
            &h,
            &mut WordCache::default(),
        );
        let hits: Vec<&str> = s
            .iter()
            .filter(|x| x.hit)
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(hits, vec!["Жер", "тилкесин"]);
        assert!(snippet("", Lang::Ky, &h, &mut WordCache::default()).is_empty());
    }
}
