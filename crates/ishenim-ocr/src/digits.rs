//! Second reading of numbers.
//!
//! Tesseract's `kir` (and `rus`) models misread digits in some common fonts (a PT Sans "3"
//! comes out as "5": 2023 → 2025; Computer Modern "759" as "799"), which spoils dates, phone
//! numbers and house numbers. Words that contain digits are therefore read again, restricted
//! to digits and number punctuation: the `eng` LSTM model as a line and as a word, the `rus`
//! LSTM model as a line and, when its model is installed, the legacy (pre-LSTM) `eng`
//! classifier as a line. The LSTM models share some mistakes (all of them read some "3"s
//! as "5"); the legacy classifier makes different ones. Each run of digits is decided by a
//! vote of the readings (a tie goes to the value read with more summed confidence) and
//! replaces the word's own run; letters are never touched. A value read only once replaces
//! a run of the same length (or any run of a word the text engine was unsure of).

use crate::{Engine, OcrError, Recognizer, Segmentation};
use image::GrayImage;
use std::path::{Path, PathBuf};

/// Characters the digit readers may output (no `/` or `:`: with them a 7 often comes out
/// as a slash).
pub const DIGIT_WHITELIST: &str = "0123456789+-.,()";

/// Number punctuation: separates the runs of a number ("12-34-56", "02.10.2024").
const NUMBER_PUNCT: &str = "+-–.,:;/()";

/// The folder of the legacy `eng` model: `$ISHENIM_LEGACY_TESSDATA` when set, else the
/// first of `models/tessdata` (relative to the working directory, like the other models;
/// `make setup` downloads the model there) and `/usr/local/share/ishenim/tessdata` (where
/// `ops/install.sh` puts it) that holds `eng.traineddata`.
pub fn legacy_model_dir() -> Option<PathBuf> {
    let has_model = |d: &Path| d.join("eng.traineddata").is_file();
    if let Some(dir) = std::env::var_os("ISHENIM_LEGACY_TESSDATA") {
        let dir = PathBuf::from(dir);
        return has_model(&dir).then_some(dir);
    }
    ["models/tessdata", "/usr/local/share/ishenim/tessdata"]
        .into_iter()
        .map(PathBuf::from)
        .find(|d| has_model(d))
}

/// One reading of a number crop.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// What the reader saw (digits and number punctuation).
    pub text: String,
    /// True for the legacy classifier: it votes, but a value it alone read is not taken.
    pub legacy: bool,
    /// The reader's confidence (0–100; the lowest of its words): breaks ties.
    pub conf: f32,
}

impl Reading {
    /// An LSTM reading with confidence `conf`.
    pub fn lstm(text: &str, conf: f32) -> Reading {
        Reading {
            text: text.to_string(),
            legacy: false,
            conf,
        }
    }

    /// A legacy-classifier reading with confidence `conf`.
    pub fn legacy(text: &str, conf: f32) -> Reading {
        Reading {
            text: text.to_string(),
            legacy: true,
            conf,
        }
    }
}

/// Readings that must agree on a value before it replaces a run, and the number that may
/// change a run's length even in a word the text engine was sure of.
const AGREED: usize = 2;
const STRONG: usize = 3;

/// The engines that read a word again as a number: one per thread, like [`Engine`].
pub struct DigitReader {
    eng: Engine,
    rus: Option<Engine>,
    legacy: Option<Engine>,
}

impl DigitReader {
    /// Loads the `eng` LSTM model (required), the `rus` one (used when installed) and the
    /// legacy `eng` classifier from `legacy_dir` (used when given and loadable), all limited
    /// to [`DIGIT_WHITELIST`].
    pub fn new(datapath: Option<&str>, legacy_dir: Option<&Path>) -> Result<DigitReader, OcrError> {
        let limited = |path: Option<&str>, lang: &str, r| -> Result<Engine, OcrError> {
            let mut e = Engine::with_recognizer(path, lang, r)?;
            e.set_variable("tessedit_char_whitelist", DIGIT_WHITELIST)?;
            Ok(e)
        };
        // The legacy classifier adapts to the pages it has seen; switched off so that a
        // page reads the same whatever came before it.
        let legacy = legacy_dir
            .and_then(|d| d.to_str())
            .and_then(|d| limited(Some(d), "eng", Recognizer::Legacy).ok())
            .and_then(|mut e| {
                e.set_variable("classify_enable_learning", "0").ok()?;
                Some(e)
            });
        Ok(DigitReader {
            eng: limited(datapath, "eng", Recognizer::Lstm)?,
            rus: limited(datapath, "rus", Recognizer::Lstm).ok(),
            legacy,
        })
    }

    /// True when the legacy classifier is loaded.
    pub fn has_legacy(&self) -> bool {
        self.legacy.is_some()
    }

    /// The readings of a crop holding one number: `eng` as a line, `eng` as a word, `rus`
    /// as a line and the legacy `eng` as a line (those loaded). A reading that fails is left out.
    pub fn readings(&mut self, crop: &GrayImage, dpi: u32) -> Vec<Reading> {
        let mut out = Vec::with_capacity(4);
        let mut read = |e: &mut Engine, seg, legacy| {
            if let Ok(words) = e.recognize(crop, dpi, seg) {
                let text: String = words.iter().map(|w| w.text.as_str()).collect();
                let conf = words.iter().map(|w| w.conf).fold(100.0, f32::min);
                out.push(Reading { text, legacy, conf });
            }
        };
        read(&mut self.eng, Segmentation::SingleLine, false);
        read(&mut self.eng, Segmentation::SingleWord, false);
        if let Some(rus) = self.rus.as_mut() {
            read(rus, Segmentation::SingleLine, false);
        }
        if let Some(legacy) = self.legacy.as_mut() {
            read(legacy, Segmentation::SingleLine, true);
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
/// Spaces inside a reading are dropped (the word itself has none). A reading counts when it
/// has at least as many digit runs as the word has number runs (extra trailing runs, read
/// from letters, are ignored). Each run is decided on its own: the value most readings give
/// (on a tie, the one with the higher summed confidence) is taken when at least two agree,
/// and may change the run's length only when three agree, the word was read with
/// confidence under 80 or the run held a character that is not a digit. Without agreement
/// the first LSTM reading's value is taken when it has the same length, or any length when
/// the word's confidence is under 50. A word of digits and punctuation read with confidence
/// under 50 is replaced whole by a longer number two readings agree on.
pub fn settle(word: &str, conf: f32, readings: &[Reading]) -> Option<String> {
    let runs = number_runs(word);
    if runs.is_empty() {
        return None;
    }
    let joined: Vec<(String, &Reading)> = readings
        .iter()
        .map(|r| (r.text.split_whitespace().collect(), r))
        .collect();
    let cands: Vec<(Vec<&str>, &Reading)> = joined
        .iter()
        .map(|(t, r)| (digit_runs(t), *r))
        .filter(|(runs_read, _)| runs_read.len() >= runs.len())
        .collect();
    // A word of digits the text engine was unsure of and read short ("02" for the date
    // "02.11.2025"): taken whole when readers agree on a longer number.
    if conf < 50.0 && !word.chars().any(char::is_alphabetic) {
        let longer = joined.iter().find(|(t, _)| {
            digit_runs(t).len() > runs.len()
                && joined.iter().filter(|(o, _)| o == t).count() >= AGREED
        });
        if let Some((t, _)) = longer {
            return (t != word).then(|| t.clone());
        }
    }
    let mut out = String::with_capacity(word.len());
    let mut last = 0;
    for (i, &(s, e)) in runs.iter().enumerate() {
        let old = &word[s..e];
        let mut tally: Vec<(&str, usize, f32)> = Vec::new();
        for (c, r) in &cands {
            match tally.iter_mut().find(|(v, _, _)| *v == c[i]) {
                Some(t) => {
                    t.1 += 1;
                    t.2 += r.conf;
                }
                None => tally.push((c[i], 1, r.conf)),
            }
        }
        let best = tally
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)))
            .copied();
        let free_old = conf < 80.0 || !old.bytes().all(|b| b.is_ascii_digit());
        let choice = match best {
            Some((v, n, _)) if n >= AGREED => Some((v, n >= STRONG || free_old)),
            _ => cands
                .iter()
                .find(|(_, r)| !r.legacy)
                .map(|(c, _)| (c[i], conf < 50.0)),
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

    fn r(v: &[&str]) -> Vec<Reading> {
        v.iter().map(|s| Reading::lstm(s, 90.0)).collect()
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
        assert_eq!(
            settle("02", 16.1, &r(&["02.11.2025", "02.11.2025", "02.11"])).as_deref(),
            Some("02.11.2025"),
            "an unsure short reading of a date: the agreed longer number"
        );
        assert_eq!(
            settle("02", 90.0, &r(&["02.11.2025", "02.11.2025"])),
            None,
            "a confident word keeps its runs"
        );
    }

    #[test]
    fn ties_go_to_the_more_confident_value_and_three_readings_may_change_a_length() {
        // Readings and confidences seen on the rendered corpora: eng line, eng word, rus, legacy.
        let four = |v: [(&str, f32); 4]| {
            vec![
                Reading::lstm(v[0].0, v[0].1),
                Reading::lstm(v[1].0, v[1].1),
                Reading::lstm(v[2].0, v[2].1),
                Reading::legacy(v[3].0, v[3].1),
            ]
        };
        assert_eq!(
            settle(
                "7598",
                90.8,
                &four([
                    ("7598", 74.8),
                    ("7398", 56.2),
                    ("75 98", 0.0),
                    ("73 98", 78.2)
                ])
            )
            .as_deref(),
            Some("7398"),
            "two against two: the summed confidence decides; spaces are dropped"
        );
        assert_eq!(
            settle(
                "2025-жылдын",
                95.4,
                &four([
                    ("2025-", 82.8),
                    ("2025-", 92.0),
                    ("2925-", 91.8),
                    ("2925-", 78.0)
                ])
            ),
            None
        );
        assert_eq!(
            settle(
                "84-52-56",
                96.5,
                &four([
                    ("84-42-46", 94.6),
                    ("84-32-36", 95.8),
                    ("84-52-56", 95.9),
                    ("84-32-36", 76.5)
                ])
            )
            .as_deref(),
            Some("84-32-36")
        );
        assert_eq!(
            settle(
                "5370",
                82.7,
                &four([("370", 87.5), ("370", 95.7), ("3570", 76.0), ("370", 81.2)])
            )
            .as_deref(),
            Some("370"),
            "three readings agree: an inserted digit goes even in a confident word"
        );
        assert_eq!(
            settle(
                "0",
                95.2,
                &four([("", 100.0), ("", 100.0), ("", 100.0), ("9", 80.0)])
            ),
            None,
            "a value only the legacy classifier read is not taken"
        );
        assert_eq!(
            settle(
                "1234",
                95.0,
                &four([
                    ("12345", 90.0),
                    ("1234", 90.0),
                    ("1234", 90.0),
                    ("12345", 90.0)
                ])
            ),
            None,
            "two readings are not enough to change a confident word's length"
        );
    }
}
