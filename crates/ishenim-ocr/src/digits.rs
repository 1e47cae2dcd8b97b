//! Second reading of numbers.
//!
//! Tesseract's `kir` (and `rus`) models misread digits in some common fonts (a PT Sans "3"
//! comes out as "5": 2023 → 2025), which spoils dates, phone numbers and house numbers. The
//! `eng` model reads digits well. Words that contain digits are read again with an `eng`
//! engine restricted to digits and number punctuation, and each run of digits is taken from
//! that reading when the runs line up one to one with the same lengths; letters are never
//! touched.

use crate::{Engine, OcrError};

/// Characters the digit reader may output.
pub const DIGIT_WHITELIST: &str = "0123456789+-.,:/()";

/// An `eng` engine limited to digits and number punctuation.
pub fn digit_engine(datapath: Option<&str>) -> Result<Engine, OcrError> {
    let mut e = Engine::new(datapath, "eng")?;
    e.set_variable("tessedit_char_whitelist", DIGIT_WHITELIST)?;
    Ok(e)
}

/// True when a word is worth a second reading.
pub fn has_digits(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
}

fn digit_runs(s: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                runs.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        runs.push((st, s.len()));
    }
    runs
}

/// Replaces the digit runs of `word` with those of `reread` when both have runs of the same
/// lengths, in order (extra trailing runs in `reread`, read from letters, are ignored).
pub fn merge_digits(word: &str, reread: &str) -> Option<String> {
    merge(word, reread, true)
}

/// Like [`merge_digits`], but a run may change length: for words the text engine itself
/// was unsure of (low confidence) while the digit reading is confident.
pub fn merge_digits_unsure(word: &str, reread: &str) -> Option<String> {
    merge(word, reread, false)
}

fn merge(word: &str, reread: &str, same_lengths: bool) -> Option<String> {
    let a = digit_runs(word);
    let b = digit_runs(reread);
    if a.is_empty() || b.len() < a.len() {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut last = 0;
    let mut changed = false;
    for (&(s, e), &(rs, re)) in a.iter().zip(&b) {
        if same_lengths && e - s != re - rs {
            return None;
        }
        out.push_str(&word[last..s]);
        out.push_str(&reread[rs..re]);
        changed |= word[s..e] != reread[rs..re];
        last = e;
    }
    out.push_str(&word[last..]);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_are_replaced_only_when_they_line_up() {
        assert_eq!(
            merge_digits("2025-жылдын", "2023-1111").as_deref(),
            Some("2023-жылдын")
        );
        assert_eq!(
            merge_digits("05.05.2024", "03.03.2024").as_deref(),
            Some("03.03.2024")
        );
        assert_eq!(merge_digits("50-үй", "30-").as_deref(), Some("30-үй"));
        assert_eq!(merge_digits("86В", "868"), None, "different lengths: keep");
        assert_eq!(merge_digits("2024", "2024"), None, "nothing to change");
        assert_eq!(merge_digits("үй", "11"), None, "no digits in the word");
        assert_eq!(
            merge_digits_unsure("28.06.20238-ж.", "28.06.2023-").as_deref(),
            Some("28.06.2023-ж.")
        );
        assert_eq!(
            merge_digits_unsure("12.05", "12"),
            None,
            "runs must pair up"
        );
    }
}
