//! A code printed or written on the letter, in OCR words.

use crate::{fold_char, is_separator, Code, LEN};

/// A code found in a run of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextCode {
    /// The code (its check holds).
    pub code: Code,
    /// Index of the first word it was read from.
    pub first: usize,
    /// Index of the last word it was read from (inclusive).
    pub last: usize,
    /// Symbols repaired between ambiguous readings (see [`Code::repair`]).
    pub changed: usize,
}

/// The part of a word that may belong to a code: a label glued to it (`Код:`, `№`) and
/// punctuation around it are cut off.
fn code_part(word: &str) -> &str {
    let w = word.rsplit([':', '№']).next().unwrap_or(word);
    w.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '«' | '»' | '"' | '\'' | '!'))
        .trim_end_matches('.')
}

/// Symbols of a word if every character is a code symbol or separator.
fn symbols(word: &str) -> Option<Vec<u8>> {
    let mut v = Vec::new();
    for c in word.chars() {
        if is_separator(c) {
            continue;
        }
        v.push(fold_char(c)?);
    }
    Some(v)
}

/// Every receipt code in `words` (the words of one line, in order). A code is twelve
/// symbols in one word or in up to three neighbouring words (the printed groups), with at
/// least two digits (generated codes always have them, so a run of words made of letters
/// that look Latin is never taken for a code), and its check must hold after
/// [`Code::repair`].
pub fn find_in_text(words: &[&str]) -> Vec<TextCode> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut acc = String::new();
        let mut n = 0usize;
        let mut hit = None;
        for (j, w) in words.iter().enumerate().skip(i).take(3) {
            let part = if j == i {
                code_part(w)
            } else {
                w.trim_end_matches(['.', ',', ';'])
            };
            let Some(s) = symbols(part) else { break };
            if s.is_empty() {
                break;
            }
            n += s.len();
            acc.push_str(part);
            if n > LEN {
                break;
            }
            if n == LEN {
                let digits = acc
                    .chars()
                    .filter_map(fold_char)
                    .filter(|&d| d < 10)
                    .count();
                if digits >= 2 {
                    if let Ok(r) = Code::repair(&acc) {
                        hit = Some(TextCode {
                            code: r.code,
                            first: i,
                            last: j,
                            changed: r.changed,
                        });
                    }
                }
                break;
            }
        }
        match hit {
            Some(h) => {
                i = h.last + 1;
                out.push(h);
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_groups_labelled_or_not_are_found() {
        let c = Code::generate().unwrap();
        let s = c.to_string();
        let g: Vec<&str> = s.split('-').collect();
        let line = ["Текшерүү", "коду:", g[0], g[1], g[2]];
        let f = find_in_text(&line);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, f[0].first, f[0].last), (c, 2, 4));
        let glued = format!("Код:{s}.");
        let f = find_in_text(&["Мен", &glued, "жаздым"]);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].first, f[0].last), (1, 1));
    }

    #[test]
    fn ocr_readings_are_repaired_or_refused() {
        // Find a code with a B, read as 8 by OCR.
        let (c, s) = loop {
            let c = Code::generate().unwrap();
            let s = c.to_string();
            if s.contains('B') {
                break (c, s);
            }
        };
        let misread = s.replacen('B', "8", 1).to_lowercase();
        let f = find_in_text(&[&misread]);
        if let Some(t) = f.first() {
            assert_eq!(t.code, c);
            assert_eq!(t.changed, 1);
        }
    }

    /// One symbol wrong in a way OCR does not confuse: never read as written, never read as
    /// the original code (a repair only ever swaps B/8, S/5, Z/2, G/6, D/0).
    #[test]
    fn a_wrong_symbol_is_never_accepted_as_read() {
        for _ in 0..300 {
            let c = Code::generate().unwrap();
            let mut b: Vec<char> = c.to_string().chars().collect();
            b[1] = if b[1] == 'K' { 'M' } else { 'K' };
            let wrong: String = b.into_iter().collect();
            for t in find_in_text(&[&wrong]) {
                assert_ne!(t.code, c);
                assert!(t.changed > 0);
            }
        }
    }

    #[test]
    fn words_are_not_codes() {
        let line = [
            "АКМАТОВ",
            "МАХАТ",
            "ТЕКЕ",
            "САКЕ",
            "ВАКА",
            "НАМА",
            "ОКМОТУ",
            "2026-жылы",
        ];
        assert!(find_in_text(&line).is_empty());
        assert!(find_in_text(&[]).is_empty());
        assert!(find_in_text(&["", "-", "----"]).is_empty());
    }
}
