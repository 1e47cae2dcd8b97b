//! `ishenim_draft::draft_letters` on 1–3 pages of arbitrary text (UTF-8, invalid bytes
//! replaced), each page made by `eval::page_from_text` (one synthetic box per word). A form
//! feed (`\x0c`) separates pages; a fourth part and later stay on the third page.
//!
//! Properties: never panics; the letters take every page once, in order (none when all
//! pages are blank); the summary is at most `MAX_SUMMARY` characters; a phone is E.164 or
//! a 5–6-digit landline; a date is a real ISO date; confidences are within 0–1; spans
//! name pages of their letter; and the applicant's name is never invented: each of its
//! words occurs in the text (ignoring case, after the documented folding of other Cyrillic
//! alphabets' letters, `applicant::fold_foreign`: Җ→Ж, Қ→К, Ғ→Г, Ұ/Ї→Ү, Ӊ/Ӈ→Ң, of "пй" to
//! "ң", and of the letters OCR confuses that the name list repairs: ң/й/н, ө/е/ү/у/о).
#![no_main]

use ishenim_draft::eval::page_from_text;
use ishenim_draft::{draft_letters, Models, MAX_SUMMARY};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MODELS: LazyLock<Models> = LazyLock::new(Models::embedded);

/// The same folding as `ishenim_draft`'s `applicant::fold_foreign`, applied to names.
fn fold_foreign(a: &str) -> String {
    a.chars()
        .map(|c| match c {
            'Җ' => 'Ж',
            'җ' => 'ж',
            'Қ' => 'К',
            'қ' => 'к',
            'Ғ' => 'Г',
            'ғ' => 'г',
            'Ұ' | 'Ї' => 'Ү',
            'ұ' | 'ї' => 'ү',
            'Ӊ' | 'Ӈ' => 'Ң',
            'ӊ' | 'ӈ' => 'ң',
            _ => c,
        })
        .collect()
}

fn valid_phone(p: &str) -> bool {
    let b = p.as_bytes();
    if let Some(rest) = p.strip_prefix("+996") {
        return rest.len() == 9
            && rest.bytes().all(|c| c.is_ascii_digit())
            && matches!(rest.as_bytes()[0], b'2'..=b'9');
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    (5..=6).contains(&digits)
}

fn valid_date(d: &str) -> bool {
    let p: Vec<&str> = d.split('-').collect();
    let [y, m, day] = p[..] else { return false };
    let (Ok(y), Ok(m), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), day.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
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
    d.len() == 10 && (1..=12).contains(&m) && day >= 1 && day <= days[(m - 1) as usize]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.splitn(3, '\x0c').collect();
    let pages: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, t)| page_from_text(&format!("p{}", i + 1), t))
        .collect();
    let drafts = draft_letters(&pages, &MODELS);
    // Names are also title-cased when written in capitals, have "пй" read as "ң", and
    // given names take the name list's spelling of letters OCR confuses (ң/й/н, ө/е/ү/у/о).
    let name_key = |s: &str| -> String {
        fold_foreign(s)
            .to_lowercase()
            .replace("пй", "ң")
            .chars()
            .map(|c| match c {
                'ң' | 'й' => 'н',
                'ө' | 'е' | 'ё' | 'є' | 'ү' | 'у' => 'о',
                c => c,
            })
            .collect()
    };
    let folded = name_key(&text);

    let all: Vec<&str> = pages.iter().map(|p| p.stem.as_str()).collect();
    let taken: Vec<&str> = drafts
        .iter()
        .flat_map(|d| d.pages.iter().map(String::as_str))
        .collect();
    if pages.iter().all(|p| p.blank || p.text.trim().is_empty()) {
        assert!(drafts.is_empty(), "a letter from blank pages");
    } else {
        assert_eq!(taken, all, "pages lost, repeated or reordered");
    }
    for d in &drafts {
        assert!(!d.pages.is_empty());
        assert!(d.summary.chars().count() <= MAX_SUMMARY, "summary too long");
        if let Some(p) = &d.phone {
            assert!(valid_phone(p), "bad phone {p:?}");
        }
        if let Some(x) = &d.date {
            assert!(valid_date(x), "bad date {x:?}");
        }
        let c = &d.confidence;
        for v in [
            c.pages,
            c.lang,
            c.applicant,
            c.address,
            c.phone,
            c.date,
            c.summary,
            c.category,
            c.corruption,
        ] {
            assert!((0.0..=1.0).contains(&v), "confidence {v}");
        }
        for spans in d.spans.values() {
            for s in spans {
                assert!(
                    d.pages.contains(&s.page),
                    "span on page {} not in the letter",
                    s.page
                );
            }
        }
        if let Some(name) = &d.applicant.name {
            for w in name.split_whitespace() {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                assert!(
                    w.is_empty() || folded.contains(&name_key(w)),
                    "name word {w:?} is not in the text"
                );
            }
        }
        assert!(d.lang == "ky" || d.lang == "ru", "lang {:?}", d.lang);
    }
});
