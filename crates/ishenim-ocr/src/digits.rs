//! Second reading of numbers.
//!
//! Tesseract's `kir` (and `rus`) models misread digits in some common fonts (a PT Sans "3"
//! comes out as "5": 2023 → 2025; Computer Modern "759" as "799"), which spoils dates, phone
//! numbers and house numbers. Words that contain digits are therefore read again, restricted
//! to digits and number punctuation, three ways: the `eng` model as a line and as a word,
//! and the `rus` model as a line. The runs of digits the readings agree on (two of three)
//! replace the word's own number runs; letters are never touched. One reading alone only
//! replaces runs of the same lengths (or any run of a word the text engine was unsure of).

use crate::{Engine, OcrError, Segmentation};
use image::GrayImage;

/// Characters the digit readers may output (no `/` or `:`: with them a 7 often comes out
/// as a slash).
pub const DIGIT_WHITELIST: &str = "0123456789+-.,()";

/// Number punctuation: separates the runs of a number ("12-34-56", "02.10.2024").
const NUMBER_PUNCT: &str = "+-–.,:;/()";

/// The engines that read a word again as a number: one per thread, like [`Engine`].
pub struct DigitReader {
    eng: Engine,
    rus: Option<Engine>,
}

impl DigitReader {
    /// Loads the `eng` model (required) and the `rus` model (used when installed), both
    /// limited to [`DIGIT_WHITELIST`].
    pub fn new(datapath: Option<&str>) -> Result<DigitReader, OcrError> {
        let limited = |lang: &str| -> Result<Engine, OcrError> {
            let mut e = Engine::new(datapath, lang)?;
            e.set_variable("tessedit_char_whitelist", DIGIT_WHITELIST)?;
            Ok(e)
        };
        Ok(DigitReader {
            eng: limited("eng")?,
            rus: limited("rus").ok(),
        })
    }

    /// The readings of a crop holding one number: `eng` as a line, `eng` as a word, `rus`
    /// as a line (when loaded). A reading that fails is left out.
    pub fn readings(&mut self, crop: &GrayImage, dpi: u32) -> Vec<String> {
        let mut out = Vec::with_capacity(3);
        let mut read = |e: &mut Engine, seg| {
            if let Ok(words) = e.recognize(crop, dpi, seg) {
                out.push(words.iter().map(|w| w.text.as_str()).collect::<String>());
            }
        };
        read(&mut self.eng, Segmentation::SingleLine);
        read(&mut self.eng, Segmentation::SingleWord);
        if let Some(rus) = self.rus.as_mut() {
            read(rus, Segmentation::SingleLine);
        }
        out
    }
}

/// True when a word is worth a second reading.
pub fn has_digits(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
}

/// Letters that OCR puts into numbers.
fn lookalike(c: char) -> bool {
    matches!(
        c,
        'О' | 'о' | 'O' | 'o' | '©' | 'З' | 'з' | 'Э' | 'б' | 'l' | 'I' | '|' | 'Ч' | 'ч'
    )
}

/// Marks that are no letter of a Kyrgyz or Russian text: inside a number they are a digit
/// read wrong ("202%", "Зә").
fn junk(c: char) -> bool {
    if "%?#*&@$^~_".contains(c) {
        return true;
    }
    let cyrillic = ('\u{0400}'..='\u{04FF}').contains(&c);
    let kyrgyz_or_russian = ('А'..='я').contains(&c) || "ЁёӨөҮүҢң".contains(c);
    cyrillic && !kyrgyz_or_russian
}

fn digit_like(c: char) -> bool {
    c.is_ascii_digit() || lookalike(c) || junk(c)
}

/// The runs of a word that stand for numbers, as byte ranges: stretches of digits and
/// digit-like characters holding a digit ("202%" in "202%-жылдын", "6б"), and, in a word
/// with digits, a part between number punctuation made only of digit-like characters
/// ("Зә" in "98-06-Зә").
pub fn number_runs(word: &str) -> Vec<(usize, usize)> {
    if !has_digits(word) {
        return Vec::new();
    }
    let mut runs = Vec::new();
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !digit_like(chars[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && digit_like(chars[j].1) {
            j += 1;
        }
        let bounded = |k: Option<usize>| k.is_none_or(|k| NUMBER_PUNCT.contains(chars[k].1));
        let whole_part = bounded(i.checked_sub(1)) && bounded((j < chars.len()).then_some(j));
        if chars[i..j].iter().any(|(_, c)| c.is_ascii_digit()) || whole_part {
            let end = chars.get(j).map_or(word.len(), |&(b, _)| b);
            runs.push((chars[i].0, end));
        }
        i = j;
    }
    runs
}

fn digit_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The word with its number runs taken from the readings, or `None` to keep it as it is.
///
/// A reading counts when it has at least as many digit runs as the word has number runs
/// (extra trailing runs, read from letters, are ignored). Each run is decided on its own:
/// a value two readings agree on is taken, and may change the run's length only when the
/// word was read with confidence under 80 or the run held a character that is not a digit;
/// without agreement the first reading's value is taken when it has the same length, or
/// any length when the word's confidence is under 50.
pub fn settle(word: &str, conf: f32, readings: &[String]) -> Option<String> {
    let runs = number_runs(word);
    if runs.is_empty() {
        return None;
    }
    let cands: Vec<Vec<&str>> = readings
        .iter()
        .map(|r| digit_runs(r))
        .filter(|r| r.len() >= runs.len())
        .collect();
    let mut out = String::with_capacity(word.len());
    let mut last = 0;
    for (i, &(s, e)) in runs.iter().enumerate() {
        let old = &word[s..e];
        let values: Vec<&str> = cands.iter().map(|c| c[i]).collect();
        let agreed = values
            .iter()
            .find(|v| values.iter().filter(|o| o == v).count() >= 2);
        let choice = match agreed {
            Some(v) => Some((*v, conf < 80.0 || !old.bytes().all(|b| b.is_ascii_digit()))),
            None => values.first().map(|v| (*v, conf < 50.0)),
        };
        out.push_str(&word[last..s]);
        match choice {
            Some((new, free)) if free || new.len() == old.chars().count() => out.push_str(new),
            _ => out.push_str(old),
        }
        last = e;
    }
    out.push_str(&word[last..]);
    (out != word).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn number_runs_include_misread_digits() {
        let runs = |w: &str| -> Vec<String> {
            number_runs(w)
                .iter()
                .map(|&(s, e)| w[s..e].to_string())
                .collect()
        };
        assert_eq!(runs("202%-жылдын"), ["202%"]);
        assert_eq!(runs("98-06-Зә"), ["98", "06", "Зә"]);
        assert_eq!(runs("6б"), ["6б"]);
        assert_eq!(runs("2025г."), ["2025"]);
        assert_eq!(runs("т71-үй"), ["71"]);
        assert_eq!(runs("О555"), ["О555"]);
        assert!(runs("үй").is_empty());
        assert!(runs("Зә").is_empty(), "no digit at all: not a number");
    }

    #[test]
    fn two_readings_that_agree_win() {
        let three = r(&["799", "759", "759"]);
        assert_eq!(settle("799", 92.0, &three).as_deref(), Some("759"));
        assert_eq!(
            settle("202%-жылдын", 82.0, &r(&["2023-,", "2023-", "2025-"])).as_deref(),
            Some("2023-жылдын")
        );
        assert_eq!(
            settle("98-06-Зә", 4.8, &r(&["98-06-35", "98-06-35", "98-06-35"])).as_deref(),
            Some("98-06-35")
        );
        assert_eq!(
            settle("6б", 64.9, &r(&["6", "6", "(8"])).as_deref(),
            Some("6"),
            "a speck read as a letter: the readings agree on one digit"
        );
        assert_eq!(
            settle("2024", 95.0, &r(&["2024", "2024", "2021"])),
            None,
            "nothing to change"
        );
        assert_eq!(
            settle("1234", 95.0, &r(&["12345", "12345", "1234"])),
            None,
            "a confident word keeps its lengths"
        );
    }

    #[test]
    fn without_agreement_only_runs_of_the_same_length_are_taken() {
        assert_eq!(
            settle("2025-жылдын", 90.0, &r(&["2023-1111", "2028", "2021"])).as_deref(),
            Some("2023-жылдын")
        );
        assert_eq!(
            settle("05.05.2024", 90.0, &r(&["03.03.2024"])).as_deref(),
            Some("03.03.2024")
        );
        assert_eq!(
            settle("50-үй", 90.0, &r(&["30-"])).as_deref(),
            Some("30-үй")
        );
        assert_eq!(
            settle("86В", 90.0, &r(&["868"])),
            None,
            "different lengths: keep"
        );
        assert_eq!(
            settle("үй", 10.0, &r(&["11", "11", "11"])),
            None,
            "no digits"
        );
        assert_eq!(
            settle("28.06.20238-ж.", 40.0, &r(&["28.06.2023-"])).as_deref(),
            Some("28.06.2023-ж.")
        );
        assert_eq!(
            settle("12.05", 40.0, &r(&["12"])),
            None,
            "runs must pair up"
        );
        assert_eq!(
            settle(
                "25.01.2025-ж.",
                91.0,
                &r(&["25.01.2023", "23.01.2023", "25.01.2025"])
            )
            .as_deref(),
            Some("25.01.2023-ж."),
            "each run is voted on by itself"
        );
        assert_eq!(settle("12", 40.0, &[]), None, "no reading");
    }
}
