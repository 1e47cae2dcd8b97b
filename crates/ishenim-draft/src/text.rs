//! Text normalisation and the letter's token stream with word boxes.

use ishenim_page::PageRecord;

/// Folds a character to the form used for matching: lowercase, Latin look-alikes to Cyrillic, `ё`→`е`.
pub(crate) fn fold_char(c: char) -> char {
    let c = match c {
        'A' | 'a' => 'а',
        'B' => 'в',
        'E' | 'e' => 'е',
        'K' | 'k' => 'к',
        'M' => 'м',
        'H' => 'н',
        'O' | 'o' => 'о',
        'P' | 'p' => 'р',
        'C' | 'c' => 'с',
        'T' => 'т',
        'X' | 'x' => 'х',
        'Y' | 'y' => 'у',
        'Ё' | 'ё' => 'е',
        'Ӊ' | 'ӊ' | 'Ҥ' | 'ҥ' => 'ң',
        // Letters of other Cyrillic alphabets that OCR gives for Kyrgyz ones ("кїйїї").
        'Ұ' | 'ұ' | 'Ү' | 'Ї' | 'ї' => 'ү',
        'Җ' | 'җ' => 'ж',
        'Қ' | 'қ' => 'к',
        'Ɵ' | 'ɵ' | 'Ө' | 'θ' => 'ө',
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// Lowercased, look-alike-folded word without surrounding punctuation.
pub(crate) fn norm_word(w: &str) -> String {
    trim_punct(w).chars().map(fold_char).collect()
}

/// Matching key: [`norm_word`] plus `ө`→`о`, `ү`→`у`, `ң`→`н` (OCR often misses these letters).
pub(crate) fn key_word(w: &str) -> String {
    trim_punct(w)
        .chars()
        .map(|c| key_char(fold_char(c)))
        .collect()
}

/// `ө`→`о`, `ү`→`у`, `ң`→`н` on an already folded character.
pub(crate) fn key_char(c: char) -> char {
    match c {
        'ө' => 'о',
        'ү' => 'у',
        'ң' => 'н',
        _ => c,
    }
}

/// Trims punctuation (anything neither alphanumeric nor `-`, `+`, `*`) from both ends; also leading `-`.
pub(crate) fn trim_punct(w: &str) -> &str {
    w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '+' || c == '*'))
        .trim_end_matches('-')
        .trim_start_matches('-')
}

/// Key of a whole line: words keyed and joined by one space.
pub(crate) fn key_line(s: &str) -> String {
    s.split_whitespace()
        .map(key_word)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Levenshtein distance over chars (small strings only).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// True when `key` equals `label` or, for labels of 5+ chars, is one edit away (OCR noise).
pub(crate) fn fuzzy_eq(key: &str, label: &str) -> bool {
    key == label || (label.chars().count() >= 5 && edit_distance(key, label) <= 1)
}

/// Union of two boxes.
pub(crate) fn union(a: Option<[u32; 4]>, b: Option<[u32; 4]>) -> Option<[u32; 4]> {
    match (a, b) {
        (Some(a), Some(b)) => Some([
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]),
        (x, None) | (None, x) => x,
    }
}

/// The analyser's stems of a word (see [`Tok::stems`]).
pub(crate) fn stems_of(word: &str) -> Vec<String> {
    ishenim_text::stem::Analyzer.query_terms(trim_punct(word))
}

/// One whitespace-separated token of the letter.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    /// As written (OCR output).
    pub text: String,
    /// Matching key ([`key_word`]).
    pub key: String,
    /// Stems of the word by the analyser search uses (Kyrgyz first, then Russian when it
    /// differs): lexicon words without `*` match every inflected form through these.
    pub stems: Vec<String>,
    /// Index of the line in [`Doc::lines`].
    pub line: usize,
    /// Index of the page in [`Doc::stems`].
    pub page: usize,
    /// Box on the original page, when the scanner gave word boxes.
    pub bbox: Option<[u32; 4]>,
    /// Word confidence 0–100.
    pub conf: f32,
    /// Sentence number inside the letter.
    pub sentence: usize,
}

/// One text line of the letter.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// As written.
    pub text: String,
    /// Index of the page in [`Doc::stems`].
    pub page: usize,
    /// Token range `[start, end)` in [`Doc::toks`].
    pub start: usize,
    /// End of the token range.
    pub end: usize,
}

/// The text of one letter: lines and tokens over all its non-blank pages.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    /// Stems of the pages whose text is in the doc, in order.
    pub stems: Vec<String>,
    /// All lines, page after page.
    pub lines: Vec<Line>,
    /// All tokens.
    pub toks: Vec<Tok>,
}

const ABBREV: &[&str] = &[
    "с", "ул", "д", "г", "кв", "ж", "м", "т", "б", "обл", "им", "тел", "р-н", "мкр", "көч", "кеч",
];

/// Lines of one page with the words that belong to each.
fn page_lines(page: &PageRecord) -> Vec<(String, Vec<&ishenim_page::Word>, bool)> {
    let mut text_lines = Vec::new();
    let mut para = false;
    let raw: Vec<&str> = page.text.split('\n').collect();
    let mut raw_nonempty_idx = Vec::new();
    for (i, l) in raw.iter().enumerate() {
        if l.trim().is_empty() {
            para = true;
            continue;
        }
        text_lines.push((l.trim().to_string(), Vec::new(), para));
        raw_nonempty_idx.push(i);
        para = false;
    }
    if page.words.is_empty() {
        return text_lines;
    }
    let mut groups: Vec<(u32, Vec<&ishenim_page::Word>)> = Vec::new();
    for w in &page.words {
        match groups.iter_mut().find(|g| g.0 == w.line) {
            Some(g) => g.1.push(w),
            None => groups.push((w.line, vec![w])),
        }
    }
    if groups.len() == text_lines.len() {
        for (tl, g) in text_lines.iter_mut().zip(groups) {
            tl.1 = g.1;
        }
        return text_lines;
    }
    let by_raw = groups
        .iter()
        .all(|g| raw_nonempty_idx.contains(&(g.0 as usize)));
    if by_raw {
        for g in groups {
            if let Some(pos) = raw_nonempty_idx.iter().position(|&i| i == g.0 as usize) {
                text_lines[pos].1 = g.1;
            }
        }
        return text_lines;
    }
    // Text and words disagree: trust the words.
    groups
        .into_iter()
        .map(|g| {
            let t =
                g.1.iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
            (t, g.1, false)
        })
        .collect()
}

impl Doc {
    /// Builds the doc from the non-blank pages of a letter.
    pub(crate) fn build(pages: &[&PageRecord]) -> Doc {
        let mut doc = Doc::default();
        let mut sentence = 0;
        for page in pages.iter().filter(|p| !p.blank) {
            let pi = doc.stems.len();
            doc.stems.push(page.stem.clone());
            for (text, words, para_start) in page_lines(page) {
                let li = doc.lines.len();
                let start = doc.toks.len();
                let parts: Vec<&str> = text.split_whitespace().collect();
                let line_box = words.iter().fold(None, |acc, w| union(acc, Some(w.bbox)));
                let line_conf = if words.is_empty() {
                    page.mean_conf
                } else {
                    words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32
                };
                if para_start && start > 0 {
                    sentence += 1;
                }
                for (k, p) in parts.iter().enumerate() {
                    let (bbox, conf) = if parts.len() == words.len() {
                        (Some(words[k].bbox), words[k].conf)
                    } else {
                        (line_box, line_conf)
                    };
                    doc.toks.push(Tok {
                        text: (*p).to_string(),
                        key: key_word(p),
                        stems: stems_of(p),
                        line: li,
                        page: pi,
                        bbox,
                        conf,
                        sentence,
                    });
                    let ends = p.ends_with(['.', '!', '?']);
                    // An initial ("Байтуров А. говорит …") ends no sentence.
                    let initial = p.trim_end_matches('.').chars().count() == 1
                        && p.chars().next().is_some_and(char::is_uppercase);
                    if ends && !initial && !ABBREV.contains(&norm_word(p).as_str()) {
                        sentence += 1;
                    }
                }
                doc.lines.push(Line {
                    text,
                    page: pi,
                    start,
                    end: doc.toks.len(),
                });
            }
        }
        doc
    }

    /// Tokens of line `i`.
    pub(crate) fn line_toks(&self, i: usize) -> &[Tok] {
        &self.toks[self.lines[i].start..self.lines[i].end]
    }

    /// Key of line `i` (tokens keyed, joined by spaces).
    pub(crate) fn line_key(&self, i: usize) -> String {
        self.line_toks(i)
            .iter()
            .map(|t| t.key.as_str())
            .filter(|k| !k.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Source span of an extracted value: the page stem and the union box of its words there.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Page stem.
    pub page: String,
    /// `[x0, y0, x1, y1]` on the original page, or null when the scanner gave no word boxes.
    pub bbox: Option<[u32; 4]>,
}

/// Spans (one per page touched) of a token range.
pub(crate) fn spans_of(doc: &Doc, toks: &[usize]) -> Vec<Span> {
    let mut out: Vec<(usize, Option<[u32; 4]>)> = Vec::new();
    for &t in toks {
        let Some(tok) = doc.toks.get(t) else { continue };
        match out.iter_mut().find(|s| s.0 == tok.page) {
            Some(s) => s.1 = union(s.1, tok.bbox),
            None => out.push((tok.page, tok.bbox)),
        }
    }
    out.into_iter()
        .map(|(p, bbox)| Span {
            page: doc.stems[p].clone(),
            bbox,
        })
        .collect()
}

/// Mean confidence (0–1) of tokens.
pub(crate) fn conf_of(doc: &Doc, toks: &[usize]) -> f32 {
    if toks.is_empty() {
        return 0.0;
    }
    let s: f32 = toks
        .iter()
        .filter_map(|&t| doc.toks.get(t))
        .map(|t| t.conf)
        .sum();
    (s / toks.len() as f32 / 100.0).clamp(0.0, 1.0)
}

/// True when the one-letter token `j` of a line is an initial beside a name ("Гаврилюк С.
/// И.", "С. И. Гаврилюк"), not the village abbreviation "с." it looks like.
pub(crate) fn initial_beside_name(toks: &[Tok], j: usize) -> bool {
    let one = |s: &str| {
        let s = s.trim_end_matches(',');
        s.chars().count() == 2 && s.ends_with('.') && s.starts_with(char::is_uppercase)
    };
    if !one(&toks[j].text) {
        return false;
    }
    let next = toks.get(j + 1).map(|t| t.text.as_str());
    let prev = j.checked_sub(1).map(|p| toks[p].text.as_str());
    let after_surname = prev
        .is_some_and(|p| !p.ends_with([',', '.', ':']) && crate::applicant::name_token(p))
        && next.is_none_or(one);
    next.is_some_and(one) || prev.is_some_and(one) || after_surname
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_key(input: &str, expected: &str) {
        assert_eq!(key_word(input), expected, "{input}");
    }

    #[test]
    fn keys_fold_case_lookalikes_and_kyrgyz_letters() {
        check_key("«Пара»,", "пара");
        check_key("Төлөгөнов", "тологонов");
        check_key("пapa", "пара");
        check_key("Жеңиш", "жениш");
        check_key("ЁЛКА", "елка");
        check_key("(555)", "555");
        check_key("-үй", "уй");
    }

    #[test]
    fn edit_distance_small_cases() {
        assert_eq!(edit_distance("дареги", "дарети"), 1);
        assert_eq!(edit_distance("", "абв"), 3);
        assert!(fuzzy_eq("дарегн", "дареги"));
        assert!(!fuzzy_eq("тел", "тол"));
    }
}
