//! Words out of OCR text: tokenising with byte offsets (for snippets), character
//! normalisation (case, Unicode look-alikes, Latin letters inside Cyrillic words, OCR
//! stand-ins), the ө/ү/ң fold used for matching, and a per-document language guess.
//!
//! The look-alike tables follow `ishenim-ocr`'s `normalize` (copied, not linked: that crate
//! links Tesseract, which the web server and the search index do not need). They differ in
//! one way: the OCR crate only replaces a stand-in when a word list confirms it, while here
//! every text, document or query, goes through the same fold, so a doubtful letter only has
//! to fold to the same thing on both sides.

use unicode_normalization::UnicodeNormalization;

/// A word of a text with its byte range in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The word as written.
    pub text: &'a str,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

/// Language of a document or a word, for choosing the stemmer. It is also the language a
/// draft was decided to be in, stored and printed as its code (`"ky"`, `"ru"`), so serde
/// spells it as [`Lang::code`] does. It is not the interface language (the report crate's
/// `Lang`, which the web uses too): what a letter is written in and what a clerk reads the
/// product in are different questions that today have the same two answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Kyrgyz: suffix stripping with vowel harmony.
    Ky,
    /// Russian: the Snowball Russian stemmer.
    Ru,
}

impl Lang {
    /// Short code stored in the index (`ky`, `ru`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
        }
    }

    /// Parses a code written by [`Lang::code`]; anything else is Kyrgyz.
    pub fn from_code(s: &str) -> Lang {
        if s == "ru" {
            Lang::Ru
        } else {
            Lang::Ky
        }
    }
}

/// Characters that are part of a word: letters, digits, combining marks, and the OCR
/// stand-ins that are not letters (`©`, `°` read for ө).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c) || matches!(c, '©' | '°')
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Apostrophe-like ticks that OCR puts inside words (`айы'лы`); neither Kyrgyz nor Russian
/// uses them, so they are skipped inside a word.
fn is_tick(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '‘' | '’' | '´' | 'ʼ' | '\u{00AD}' | '\u{200B}'
    )
}

/// Splits `text` into words: runs of letters and digits; a tick or soft hyphen between two
/// letters stays inside the word; hyphens, punctuation and spaces separate words
/// (`Ак-Суу` is two words, `2023-жылдын` is `2023` and `жылдын`).
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if is_tick(c) && start.is_some() {
            if let Some(&(_, next)) = it.peek() {
                if is_word_char(next) {
                    continue;
                }
            }
        }
        if let Some(s) = start.take() {
            out.push(Token {
                text: &text[s..i],
                start: s,
                end: i,
            });
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Latin letters that Tesseract reads for Cyrillic ones: (Latin, Cyrillic, the glyphs look
/// the same in print). Lowercase `b m h t` look like `в м н т` only as capitals; they are in
/// the table for keys, which are lowercased first ("TOKTOГУЛ" → "toktoгул" → "токтогул").
const LOOKALIKES: &[(char, char, bool)] = &[
    ('a', 'а', true),
    ('b', 'в', false),
    ('e', 'е', true),
    ('o', 'о', true),
    ('p', 'р', true),
    ('c', 'с', true),
    ('x', 'х', true),
    ('y', 'у', true),
    ('k', 'к', true),
    ('m', 'м', false),
    ('h', 'н', false),
    ('t', 'т', false),
    ('A', 'А', true),
    ('B', 'В', true),
    ('E', 'Е', true),
    ('K', 'К', true),
    ('M', 'М', true),
    ('H', 'Н', true),
    ('O', 'О', true),
    ('P', 'Р', true),
    ('C', 'С', true),
    ('T', 'Т', true),
    ('X', 'Х', true),
    ('Y', 'У', true),
];

/// The Cyrillic letter a Latin look-alike stands for, for keys and grouping (any case).
pub fn latin_to_cyrillic(c: char) -> Option<char> {
    LOOKALIKES.iter().find(|l| l.0 == c).map(|l| l.1)
}

/// The Cyrillic letter a Latin letter is in print, only where the glyphs are identical: for
/// repairing OCR text shown to people, where a wrong letter would be visible.
pub fn latin_print_lookalike(c: char) -> Option<char> {
    LOOKALIKES.iter().find(|l| l.0 == c && l.2).map(|l| l.1)
}

/// Lowercases and cleans one word: Unicode look-alikes of ө ү ң (`ɵ`, `ӊ`, `ұ`, …) and the
/// kir model's stand-ins that are not Kyrgyz or Russian letters (`і ї ў ÿ ә © °`) become
/// the Kyrgyz letters; in a word that is mostly Cyrillic, Latin look-alikes become Cyrillic
/// and a `0` becomes `ө`; ticks are dropped. `ё` is kept (its reading depends on the
/// language, see [`fold`]). Wholly Latin words and numbers are only lowercased.
pub fn normalize_word(word: &str) -> String {
    let lower: Vec<char> = word
        .nfc()
        .filter(|&c| !is_tick(c) && !is_mark(c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ӊ' | 'ҥ' => 'ң',
            'ɵ' | 'ѳ' | 'ӫ' | 'ә' | '©' | '°' => 'ө',
            'ʏ' | 'ұ' | 'ӱ' | 'ў' | 'ÿ' | 'ї' | 'і' => 'ү',
            other => other,
        })
        .collect();
    let cyr = lower.iter().filter(|&&c| is_cyrillic(c)).count();
    let lat = lower.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let all_look_alike = lower
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .all(|&c| latin_to_cyrillic(c).is_some());
    if cyr > 0 && (cyr >= lat || all_look_alike) {
        lower
            .iter()
            .map(|&c| match c {
                '0' => 'ө',
                c if c.is_ascii_alphabetic() => latin_to_cyrillic(c).unwrap_or(c),
                c => c,
            })
            .collect()
    } else {
        lower.into_iter().collect()
    }
}

/// True when a normalised word has a letter only Kyrgyz uses (ө ү ң).
pub fn has_kyrgyz_letter(word: &str) -> bool {
    word.chars().any(|c| matches!(c, 'ө' | 'ү' | 'ң'))
}

/// The matching fold of a normalised word: ө→о, ү→у, ң→н (what OCR often writes for them),
/// and ё→о in Kyrgyz (the kir model's reading of ө) or ё→е in Russian.
pub fn fold(word: &str, lang: Lang) -> String {
    word.chars()
        .map(|c| match c {
            'ө' => 'о',
            'ү' => 'у',
            'ң' => 'н',
            'ё' if lang == Lang::Ky => 'о',
            'ё' => 'е',
            c => c,
        })
        .collect()
}

/// Frequent words that tell the two languages apart.
const KY_WORDS: &[&str] = &[
    "жана",
    "менен",
    "үчүн",
    "боюнча",
    "деп",
    "бул",
    "мен",
    "биз",
    "эле",
    "эмес",
    "бирок",
    "анын",
    "ошол",
    "дагы",
    "жок",
    "бар",
    "айыл",
    "өкмөтү",
    "арыз",
    "суранам",
    "жыл",
    "болуп",
    "келет",
    "деген",
    "бир",
    "ал",
    "алар",
    "жатат",
];
const RU_WORDS: &[&str] = &[
    "и",
    "в",
    "на",
    "не",
    "что",
    "с",
    "по",
    "я",
    "мы",
    "от",
    "для",
    "к",
    "за",
    "из",
    "о",
    "это",
    "как",
    "но",
    "а",
    "у",
    "же",
    "так",
    "нас",
    "нам",
    "прошу",
    "просим",
    "уже",
    "год",
    "был",
    "была",
    "были",
    "его",
    "все",
];

/// Guesses the language of a text from its words: Kyrgyz letters and frequent Kyrgyz words
/// against frequent Russian words. Kyrgyz when unsure.
pub fn guess_lang(text: &str) -> Lang {
    let mut ky = 0usize;
    let mut ru = 0usize;
    for t in tokenize(text) {
        let w = normalize_word(t.text);
        if has_kyrgyz_letter(&w) || KY_WORDS.contains(&w.as_str()) {
            ky += 1;
        } else if RU_WORDS.contains(&w.as_str()) {
            ru += 1;
        }
    }
    if ru > ky {
        Lang::Ru
    } else {
        Lang::Ky
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn tokens_split_on_hyphens_and_punctuation_keep_offsets() {
        assert_eq!(
            words("Ак-Суу айылы, 2023-жылдын 14-июлу."),
            vec!["Ак", "Суу", "айылы", "2023", "жылдын", "14", "июлу"]
        );
        let s = "«Пара» — айы'лы!";
        let t = tokenize(s);
        assert_eq!(t[0].text, "Пара");
        assert_eq!(&s[t[0].start..t[0].end], "Пара");
        assert_eq!(t[1].text, "айы'лы");
        assert!(tokenize("  ,.;—  ").is_empty());
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn normalize_folds_look_alikes_and_latin_inside_cyrillic() {
        assert_eq!(normalize_word("ӨКМӨТҮ"), "өкмөтү");
        assert_eq!(normalize_word("кɵчɵсұ"), "көчөсү");
        assert_eq!(normalize_word("жаӊы"), "жаңы");
        assert_eq!(normalize_word("Манаc"), "манас");
        assert_eq!(normalize_word("пapa"), "пара");
        assert_eq!(normalize_word("айы'лы"), "айылы");
        assert_eq!(normalize_word("к0ч0"), "көчө");
        assert_eq!(normalize_word("Google"), "google");
        assert_eq!(normalize_word("2023"), "2023");
        assert_eq!(normalize_word("тїз"), "түз");
        // Decomposed й (и + breve) is composed, not stripped.
        assert_eq!(normalize_word("жи\u{0306}"), "жй");
    }

    #[test]
    fn fold_makes_ocr_readings_meet() {
        for (a, b) in [("өкмөтү", "окмоту"), ("көчөсү", "кочосу"), ("жаңы", "жаны")]
        {
            assert_eq!(fold(a, Lang::Ky), fold(b, Lang::Ky));
        }
        assert_eq!(fold("кёчё", Lang::Ky), "кочо");
        assert_eq!(fold("ещё", Lang::Ru), "еще");
    }

    #[test]
    fn language_guess() {
        assert_eq!(
            guess_lang("Айыл өкмөтүнүн кызматкери пара сурады деп угабыз."),
            Lang::Ky
        );
        assert_eq!(
            guess_lang("Прошу проверить, что глава села требует взятку за справку."),
            Lang::Ru
        );
        assert_eq!(guess_lang(""), Lang::Ky);
    }
}
