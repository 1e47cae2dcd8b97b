//! Phone numbers and dates: parsing from text as written.

use regex::Regex;
use std::sync::LazyLock;

/// A phone found in text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Phone {
    /// E.164 (`+996XXXXXXXXX`) or, for a short village landline, the number as written.
    pub value: String,
    /// True when look-alike letters had to be read as digits.
    pub repaired: bool,
    /// True when the value is a full E.164 number.
    pub e164: bool,
}

/// Reads a character as a digit, allowing typical OCR confusions when `repair` is set.
pub(crate) fn digit(c: char, repair: bool) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    if !repair {
        return None;
    }
    match c {
        'О' | 'о' | 'O' | 'o' | 'Q' | 'D' | 'Ө' | 'ө' => Some('0'),
        'З' | 'з' | 'Э' => Some('3'),
        'б' | 'Б' => Some('6'),
        'l' | 'I' | '|' | 'і' | 'І' | '!' => Some('1'),
        'S' | 's' => Some('5'),
        'B' | 'В' => Some('8'),
        'Ч' | 'ч' => Some('4'),
        _ => None,
    }
}

/// True when 9 national digits look like a Kyrgyz number (mobile or area code), without a closed operator list.
fn valid_national(d: &str) -> bool {
    d.len() == 9 && d.bytes().all(|b| b.is_ascii_digit()) && matches!(d.as_bytes()[0], b'2'..=b'9')
}

fn to_e164(digits: &str) -> Option<String> {
    let national = if let Some(r) = digits.strip_prefix("996") {
        r
    } else if let Some(r) = digits.strip_prefix('0') {
        r
    } else {
        digits
    };
    let national = if national.len() == 10 && national.starts_with('0') {
        &national[1..]
    } else {
        national
    };
    valid_national(national).then(|| format!("+996{national}"))
}

/// Characters that may be part of a phone as written.
fn phone_char(c: char) -> bool {
    c.is_ascii_digit() || " +-()–.".contains(c) || digit(c, true).is_some()
}

/// Parses a phone from a short piece of text (typically what follows «Тел.:»).
pub(crate) fn parse_phone(s: &str) -> Option<Phone> {
    // "+9%6 770 ..." : one unreadable character inside the country code.
    let fixed_cc = BROKEN_CC.replace(s, "+996 ");
    let s = fixed_cc.as_ref();
    // Candidate runs: maximal stretches of phone characters that contain at least 5 real digits.
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !phone_char(chars[i]) || chars[i] == ' ' {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && phone_char(chars[j]) {
            j += 1;
        }
        let run: String = chars[i..j].iter().collect();
        // "5-61-18 (дом.)": an opening bracket of the remark after the number is not its part.
        let run = run
            .trim()
            .trim_end_matches(['-', '.', '–', '(', ' '])
            .trim_start_matches(['-', '.', '–', ')', ' '])
            .trim();
        i = j.max(i + 1);
        let real_digits = run.chars().filter(|c| c.is_ascii_digit()).count();
        if real_digits < 4 {
            continue;
        }
        let plain: String = run.chars().filter_map(|c| digit(c, false)).collect();
        if let Some(v) = to_e164(&plain) {
            return Some(Phone {
                value: v,
                repaired: false,
                e164: true,
            });
        }
        let fixed: String = run.chars().filter_map(|c| digit(c, true)).collect();
        if fixed != plain {
            if let Some(v) = to_e164(&fixed) {
                return Some(Phone {
                    value: v,
                    repaired: true,
                    e164: true,
                });
            }
        }
        // Village landline without area code: 5–6 digits, kept as written.
        if (5..=6).contains(&plain.len())
            && plain.len() == fixed.len()
            && !run.contains('+')
            && !plain.starts_with('0')
        {
            return Some(Phone {
                value: run.to_string(),
                repaired: false,
                e164: false,
            });
        }
    }
    None
}

/// Country code with one unreadable character: "+9%6", "+99б", "+9 6".
static BROKEN_CC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\+\s*0?(?:9[^\s]6|99[^\d\s]|[^\d\s]96)\s*").expect("static regex")
});

/// Regex for an unlabelled mobile number in free text: with its prefix ("0555 12 34 56",
/// "+996 555 ...") or with the operator code in brackets ("(707) 53 14 01"), or a district
/// landline with its four-digit area code ("(03137) 2-11-45", "03222 5-12-40").
static LOOSE_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:\+\s*996|\b996|\b0)[\s\-()]*\(?\s*[2-9]\d{2}\s*\)?|\(\s*[2-9]\d{2}\s*\))",
        r"[\s\-]*\d{2,3}[\s\-]*\d{2,3}[\s\-]*\d{0,2}",
        r"|\(?\s*\b0\s*3\d{3}\s*\)?[\s\-]*\d{1,2}[\s\-]*\d{2}[\s\-]*\d{2}\b"
    ))
    .expect("static regex")
});

/// Every unlabelled full phone number in a line, in order.
pub(crate) fn find_loose_phones(s: &str) -> Vec<Phone> {
    LOOSE_PHONE
        .find_iter(s)
        .filter_map(|m| {
            let digits: String = m.as_str().chars().filter(|c| c.is_ascii_digit()).collect();
            to_e164(&digits).map(|v| Phone {
                value: v,
                repaired: false,
                e164: true,
            })
        })
        .collect()
}

/// Finds an unlabelled full phone number in a line.
pub(crate) fn find_loose_phone(s: &str) -> Option<Phone> {
    LOOSE_PHONE.find_iter(s).find_map(|m| {
        let digits: String = m.as_str().chars().filter(|c| c.is_ascii_digit()).collect();
        to_e164(&digits).map(|v| Phone {
            value: v,
            repaired: false,
            e164: true,
        })
    })
}

const MONTHS: [&[&str]; 12] = [
    &["январ", "үчтүн айы"],
    &["феврал", "бирдин айы"],
    &["март", "жалган куран"],
    &["апрел", "чын куран"],
    &["май", "мая", "мае", "бугу"],
    &["июн", "кулжа"],
    &["июл", "теке"],
    &["август", "баш оона"],
    &["сентябр", "аяк оона"],
    &["октябр", "тогуздун айы"],
    &["ноябр", "жетинин айы"],
    &["декабр", "бештин айы"],
];

/// "ноябрь 2026", "Ноябрь, 2026-ж.": a short line of a month and a year, a letter dated
/// without its day (which is no letter date, but ends the letter like one).
pub(crate) fn month_year_line(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let year = |w: &String| {
        let d: String = w.chars().take_while(char::is_ascii_digit).collect();
        d.len() == 4 && (d.starts_with("19") || d.starts_with("20"))
    };
    (2..=4).contains(&words.len())
        && words.iter().any(year)
        && words
            .iter()
            .any(|w| MONTHS.iter().any(|m| m.iter().any(|s| w.starts_with(s))))
}

/// The long month stems without their first letter: what is left when the scanner garbles
/// the start of the word ("хях^нваря").
const MONTH_TAILS: [(&str, u32); 8] = [
    ("нвар", 1),
    ("еврал", 2),
    ("прел", 4),
    ("вгуст", 8),
    ("ентябр", 9),
    ("ктябр", 10),
    ("оябр", 11),
    ("екабр", 12),
];

/// The month a word names. Only called on the word between a day and a year, so a word
/// that merely holds the rest of a long month stem is taken for it.
fn month_of(word: &str) -> Option<u32> {
    let w: String = word.chars().map(crate::text::fold_char).collect();
    for (i, stems) in MONTHS.iter().enumerate() {
        for s in stems.iter() {
            // Short stems must match whole words or their inflections, not unrelated words.
            if w.starts_with(s)
                && (s.chars().count() >= 4 || w.chars().count() <= s.chars().count() + 4)
            {
                return Some(i as u32 + 1);
            }
        }
    }
    MONTH_TAILS
        .iter()
        .find(|(tail, _)| w.contains(tail))
        .map(|&(_, m)| m)
}

/// Replaces look-alike letters between digits/dots with digits ("О2.1О.2О24" → "02.10.2024").
fn digitise(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let near = |k: Option<usize>| {
            k.and_then(|k| chars.get(k))
                .is_some_and(|n| n.is_ascii_digit() || *n == '.')
        };
        if !c.is_ascii_digit() && (near(i.checked_sub(1)) || near(Some(i + 1))) {
            if let Some(d) = digit(c, true) {
                if c != '.' {
                    out.push(d);
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// A speck read as a digit between a year and its suffix ("20251г.", "20231-ж.").
static STRAY_YEAR_DIGIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:19|20)\d{2})\d(\s?(?:г\.|г\b|-?\s?ж\b|-?\s?ж\.|-?\s?жыл))")
        .expect("static regex")
});
/// "21.XI.2026", "10.XI.26": the month in Roman numerals.
static ROMAN_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(\d{1,2})\s?([./-])\s?(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\s?[./-]\s?(\d{2,4})\b",
    )
    .expect("static regex")
});
/// "21-го ноября": the Russian ordinal ending after the day.
static DAY_ENDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})-(?:го|ого|е|ое)\b").expect("static regex"));
/// "ноябрдын 21и", "ноябрдын 28-и": the Kyrgyz month in the genitive before its day.
static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([^\s\d.,]+)\s+(\d{1,2})-?(?:и|сы|си|ы|у|ү|су|сү)\b").expect("static regex")
});

/// The written date forms the parsers do not read, put in forms they do: a Roman month
/// ("21.XI.2026" → "21.11.2026"), a Russian ordinal day ("21-го ноября" → "21 ноября") and a
/// Kyrgyz month before its day ("ноябрдын 21и" → "21-ноябрдын").
fn usual_date_forms(line: &str) -> String {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let s = ROMAN_MONTH.replace_all(line, |c: &regex::Captures| {
        let m = ROMAN.iter().position(|r| *r == &c[3]).map_or(0, |i| i + 1);
        format!("{}{}{m:02}{}{}", &c[1], &c[2], &c[2], &c[4])
    });
    let s = DAY_ENDING.replace_all(&s, "$1");
    MONTH_FIRST
        .replace_all(&s, |c: &regex::Captures| match month_of(&c[1]) {
            Some(_) => format!("{}-{}", &c[2], &c[1]),
            None => c[0].to_string(),
        })
        .into_owned()
}

/// A single letter, a hyphen and a word: a day misread as a letter, when the word is a month.
static LOOKALIKE_DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|\s)(\w)-(\w+)").expect("static regex"));
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})\s?[./,;]\s?(\d{1,2})\s?[./,;]\s?(\d{4})(?:\D|$)")
        .expect("static regex")
});
/// A date with a two-digit year and full stops or slashes only ("17.04.23", "21/11/26");
/// dashes and spaces would take pieces of a phone number for a date.
static SHORT_YEAR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d./])(\d{1,2})[./](\d{1,2})[./](\d{2})(?:[^\d./]|\.?$|\.\s)")
        .expect("static regex")
});
/// "3 апреля 26г.", "5-май 25-ж.": a day, a month name and a two-digit year with its suffix.
static TEXT_SHORT_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(\d{1,2})\s*[»”"']?\s*-?\s*([^\s\d.,»”"'-]+)\s+(\d{2})\s*-?\s*(?:г|ж)(?:\.|\b)"#,
    )
    .expect("static regex")
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("static regex"));
static KY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{4})\s*-?\s*ж\w*\.?,?\s+(\d{1,2})\s*-?\s*([^\s\d.,]+(?:\s(?:айы|куран|оона))?)",
    )
    .expect("static regex")
});
static TEXT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(\d{1,2})\s*[»”"']?\s*-?\s*([^\s\d.,»”"'-]+(?:\s(?:айы|куран|оона))?)\s*,?\s*(\d{4})(?:\D|$)"#,
    )
    .expect("static regex")
});

fn iso(y: u32, m: u32, d: u32) -> Option<String> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let ok = (1990..=2100).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days[(m - 1) as usize];
    ok.then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date found in a line: ISO value and the byte range of the match in the (digitised) line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundDate {
    pub iso: String,
    /// Share of the line's non-space characters covered by the date (1.0 = the line is just the date).
    pub coverage: f32,
}

/// The line with digits read as look-alike letters put back: the day before a Kyrgyz month
/// ("В-май" for "8-май") and a stray digit inside a year.
fn date_text(line: &str) -> String {
    let s = digitise(&usual_date_forms(line));
    let s = LOOKALIKE_DAY
        .replace_all(&s, |c: &regex::Captures| {
            match (
                digit(c[2].chars().next().unwrap_or(' '), true),
                month_of(&c[3]),
            ) {
                (Some(d), Some(_)) => format!("{}{d}-{}", &c[1], &c[3]),
                _ => c[0].to_string(),
            }
        })
        .into_owned();
    STRAY_YEAR_DIGIT.replace_all(&s, "$1$2").into_owned()
}

/// Length of the year suffix ("-ж.", "г.", "-жылы") right after byte `end` of `s`: it is part
/// of the date when the share of the line the date covers is counted.
fn year_suffix_len(s: &str, end: usize) -> usize {
    let rest = s[end..].trim_start();
    let r: String = rest.chars().take(6).collect::<String>().to_lowercase();
    let suffix = r.starts_with("-ж")
        || r.starts_with("ж.")
        || r.starts_with("г.")
        || r.starts_with("г ")
        || r == "г";
    if suffix {
        rest.split_whitespace()
            .next()
            .map_or(0, |w| w.chars().count())
    } else {
        0
    }
}

/// Finds all dates in a line, in any of the written forms.
pub(crate) fn find_dates(line: &str) -> Vec<FoundDate> {
    let s = date_text(line);
    let total = s.chars().filter(|c| !c.is_whitespace()).count().max(1) as f32;
    let cover = |m: &str| m.chars().filter(|c| !c.is_whitespace()).count() as f32;
    let tail_bonus = |end: usize| year_suffix_len(&s, end);
    let mut out = Vec::new();
    let parse = |a: &str| a.parse::<u32>().ok();
    for c in KY_DATE.captures_iter(&s) {
        let (Some(y), Some(d)) = (parse(&c[1]), parse(&c[2])) else {
            continue;
        };
        let Some(m) = month_of(&c[3]) else { continue };
        if let Some(v) = iso(y, m, d) {
            let m0 = c.get(0).map_or("", |m| m.as_str());
            out.push(FoundDate {
                iso: v,
                coverage: (cover(m0) / total).min(1.0),
            });
        }
    }
    for c in TEXT_DATE.captures_iter(&s) {
        let (Some(d), Some(y)) = (parse(&c[1]), parse(&c[3])) else {
            continue;
        };
        let Some(m) = month_of(&c[2]) else { continue };
        if let (Some(v), Some(m0)) = (iso(y, m, d), c.get(0)) {
            let extra = tail_bonus(m0.end()) as f32;
            out.push(FoundDate {
                iso: v,
                coverage: ((cover(m0.as_str()) + extra) / total).min(1.0),
            });
        }
    }
    for c in NUMERIC_DATE.captures_iter(&s) {
        let (Some(d), Some(m), Some(y)) = (parse(&c[1]), parse(&c[2]), parse(&c[3])) else {
            continue;
        };
        if let (Some(v), Some(m0)) = (iso(y, m, d), c.get(0)) {
            let extra = tail_bonus(m0.end()) as f32;
            out.push(FoundDate {
                iso: v,
                coverage: ((cover(m0.as_str()) + extra) / total).min(1.0),
            });
        }
    }
    for c in TEXT_SHORT_YEAR.captures_iter(&s) {
        let (Some(d), Some(y)) = (parse(&c[1]), parse(&c[3])) else {
            continue;
        };
        let Some(m) = month_of(&c[2]) else { continue };
        if let (Some(v), Some(m0)) = (
            iso(2000 + y, m, d).filter(|_| (15..=49).contains(&y)),
            c.get(0),
        ) {
            out.push(FoundDate {
                iso: v,
                coverage: (cover(m0.as_str()) / total).min(1.0),
            });
        }
    }
    for c in SHORT_YEAR_DATE.captures_iter(&s) {
        let (Some(d), Some(m), Some(y)) = (parse(&c[1]), parse(&c[2]), parse(&c[3])) else {
            continue;
        };
        if let (Some(v), Some(m0)) = (
            iso(2000 + y, m, d).filter(|_| (15..=49).contains(&y)),
            c.get(0),
        ) {
            let extra = tail_bonus(m0.end()) as f32;
            out.push(FoundDate {
                iso: v,
                coverage: ((cover(m0.as_str().trim_matches(|c: char| !c.is_ascii_digit()))
                    + extra)
                    / total)
                    .min(1.0),
            });
        }
    }
    for c in ISO_DATE.captures_iter(&s) {
        let (Some(y), Some(m), Some(d)) = (parse(&c[1]), parse(&c[2]), parse(&c[3])) else {
            continue;
        };
        if let (Some(v), Some(m0)) = (iso(y, m, d), c.get(0)) {
            out.push(FoundDate {
                iso: v,
                coverage: (cover(m0.as_str()) / total).min(1.0),
            });
        }
    }
    out
}

/// The chosen letter date: ISO value, confidence and the tokens of its line.
pub(crate) struct DateChoice {
    pub date: Option<String>,
    pub confidence: f32,
    pub toks: Vec<usize>,
}

/// The letter date: a date on a line of its own or beside the signature, in the last lines
/// (preferred) or the top block; a date inside a sentence of the body is an event of the
/// story, not the letter date, so a letter without a dated line has none.
pub(crate) fn choose_date(doc: &crate::text::Doc, lay: &crate::layout::Layout) -> DateChoice {
    let n = doc.lines.len();
    let tail = (n.saturating_sub(8).max(lay.body_start.min(n))..n).rev();
    let top = 0..lay.body_start.min(n).max(lay.header_end.min(n));
    for li in tail.chain(top) {
        let text = doc.lines[li].text.trim();
        let words = doc.line_toks(li).len();
        // A signature line ("2025-ж. 3-март   Колу: ____ Токтосунов Э.") is no sentence.
        let key = crate::text::key_line(text);
        let signed = text.contains("__")
            || key
                .split(' ')
                .any(|w| crate::layout::SIGN_LABELS.contains(&w));
        let sentence = !signed && words > 10
            || !signed
                && (words > 5
                    && text.ends_with(['.', '!', '?'])
                    && !text.ends_with("г.")
                    && !text.ends_with("ж."));
        let Some(d) = find_dates(text)
            .into_iter()
            .max_by(|a, b| a.coverage.total_cmp(&b.coverage))
        else {
            continue;
        };
        if d.coverage < 0.5 && sentence {
            continue;
        }
        let toks: Vec<usize> = (doc.lines[li].start..doc.lines[li].end).collect();
        let read = crate::text::conf_of(doc, &toks);
        let conf = if d.coverage >= 0.5 { 0.95 } else { 0.8 };
        return DateChoice {
            date: Some(d.iso),
            confidence: conf * (0.5 + 0.5 * read),
            toks,
        };
    }
    // No date found: the reviewer reads the page for one.
    DateChoice {
        date: None,
        confidence: 0.55,
        toks: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_and_a_year_end_a_letter() {
        assert!(month_year_line("ноябрь 2026"));
        assert!(month_year_line("Ноябрь, 2026-ж."));
        assert!(!month_year_line("2026"));
        assert!(!month_year_line("ноябрда суу келбей калды 2026-жылы"));
    }

    fn check_phone(input: &str, expected: Option<&str>) {
        assert_eq!(
            parse_phone(input).map(|p| p.value),
            expected.map(String::from),
            "{input}"
        );
    }

    #[test]
    fn phones_in_common_writings() {
        check_phone("+996 555 12-34-56", Some("+996555123456"));
        check_phone("0555 123 456", Some("+996555123456"));
        check_phone("0 (555) 12 34 56", Some("+996555123456"));
        check_phone("0555123456", Some("+996555123456"));
        check_phone("+996555123456", Some("+996555123456"));
        check_phone("тел 0555 12 34 56", Some("+996555123456"));
        check_phone("996 700 11 22 33", Some("+996700112233"));
        check_phone("(0312) 62-45-67", Some("+996312624567"));
    }

    #[test]
    fn phones_with_ocr_confusions_are_repaired_only_when_valid() {
        check_phone("О555 12З 45б", Some("+996555123456"));
        check_phone("+996 7O7 l2-34-56", Some("+996707123456"));
        check_phone("+9%6 770 42-40-37", Some("+996770424037"));
        check_phone("+906 555 01-68-36", Some("+996555016836"));
        check_phone("+0906 700 50-31-61", Some("+996700503161"));
        check_phone("0555 12", None);
        check_phone("нет", None);
        check_phone("", None);
    }

    #[test]
    fn village_landlines_kept_as_written() {
        check_phone("5-12-34", Some("5-12-34"));
        check_phone("51234", Some("51234"));
        check_phone("тел. 5-61-18 (дом.)", Some("5-61-18"));
    }

    #[test]
    fn loose_phone_in_text() {
        assert_eq!(
            find_loose_phone("чалыңыз: 0700 11 22 33, күтөбүз").map(|p| p.value),
            Some("+996700112233".into())
        );
        assert_eq!(find_loose_phone("2024-жылы 15 үй"), None);
        assert_eq!(
            find_loose_phone("Теңөө (707) 53 1401").map(|p| p.value),
            Some("+996707531401".into()),
            "the label and the leading 0 misread: the bracketed operator code is enough"
        );
        assert_eq!(find_loose_phone("(707) 53 14"), None, "too few digits");
        assert_eq!(
            find_loose_phone("(03137) 2-11-45").map(|p| p.value),
            Some("+996313721145".into()),
            "a district landline with its area code"
        );
    }

    fn check_date(input: &str, expected: Option<&str>) {
        let got = find_dates(input).into_iter().next().map(|d| d.iso);
        assert_eq!(got, expected.map(String::from), "{input}");
    }

    #[test]
    fn dates_in_all_forms() {
        check_date("2024-жылдын 2-октябры", Some("2024-10-02"));
        check_date("2023-жылдын 14-июлу", Some("2023-07-14"));
        check_date("2025-жылдын 22-сентябрь", Some("2025-09-22"));
        check_date("2024-жылдын 24-май", Some("2024-05-24"));
        check_date("2024-ж. 5-мартта", Some("2024-03-05"));
        check_date("02.10.2024-ж.", Some("2024-10-02"));
        check_date("2 октября 2024 г.", Some("2024-10-02"));
        check_date("14-июль 2023-ж.", Some("2023-07-14"));
        check_date("02.10.2024", Some("2024-10-02"));
        check_date("О2.1О.2О24", Some("2024-10-02"));
        check_date("2024-10-02", Some("2024-10-02"));
        check_date("5 мая 2023 г.", Some("2023-05-05"));
        // A Roman month, slashes with a short year, a Russian ordinal day, a Kyrgyz month
        // before its day.
        check_date("21.XI.2026", Some("2026-11-21"));
        check_date("10.XI.26", Some("2026-11-10"));
        check_date("21/11/26", Some("2026-11-21"));
        check_date("21-го ноября 2026 г.", Some("2026-11-21"));
        check_date("ноябрдын 21и, 2026", Some("2026-11-21"));
        check_date("2026-ж., ноябрдын 28и", Some("2026-11-28"));
        check_date("Класста 21 окуучу бар", None);
        check_date("17 апреля 2023г.", Some("2023-04-17"));
        check_date("17.11;2024", Some("2024-11-17"));
        check_date("17.04.2023г.", Some("2023-04-17"));
        check_date("9 ноября 20251г.", Some("2025-11-09"));
        check_date("19 хях^нваря 2024 г.", Some("2024-01-19"));
        check_date("20231-жылдын 5-мартта", Some("2023-03-05"));
        check_date("2023-жылдын В-май", Some("2023-05-08"));
        check_date("б-июнь 2023-ж.", Some("2023-06-06"));
        check_date("2023-жылдын а-май", None);
        check_date("31.02.2024", None);
        check_date("үйүм 12-көчөдө 2024", None);
    }

    #[test]
    fn fuzzing_entry_points_give_what_the_parsers_give() {
        assert_eq!(
            crate::fuzzing::parse_phone("О555 12З 45б"),
            Some(("+996555123456".into(), true, true))
        );
        assert_eq!(
            crate::fuzzing::parse_phone("5-12-34"),
            Some(("5-12-34".into(), false, false))
        );
        assert_eq!(
            crate::fuzzing::find_loose_phone("чалыңыз: 0700 11 22 33"),
            Some("+996700112233".into())
        );
        let d = crate::fuzzing::find_dates("02.10.2024-ж.");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "2024-10-02");
        assert!(d[0].1 > 0.9);
    }

    #[test]
    fn date_coverage_tells_a_date_line_from_a_sentence() {
        let d = find_dates("02.10.2024-ж.");
        assert!(d[0].coverage > 0.9, "{d:?}");
        let d = find_dates("Мен 2024-жылдын 5-мартында арыз жазгам, бирок жооп жок.");
        assert!(d[0].coverage < 0.5, "{d:?}");
    }
}
