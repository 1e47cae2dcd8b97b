//! Post-OCR clean-up of Kyrgyz and Russian text, done with care so that real Russian and
//! Latin words survive.
//!
//! 1. [`fold_variants`]: Unicode look-alikes of the Kyrgyz letters (ӊ ҥ → ң, ɵ ѳ → ө,
//!    ʏ ұ → ү, …).
//! 2. [`fix_latin_in_cyrillic`]: Latin letters inside an otherwise Cyrillic word
//!    (`Манаc` → `Манас`); wholly Latin words are left alone.
//! 3. [`strip_stray_marks`]: quotes and ticks inside words, lone tick tokens.
//! 4. [`resolve_confusions`]: a word that is not in the Kyrgyz word list but becomes a listed
//!    word when its doubtful letters (ї, і, П, Ш, … the kir model's stand-ins for ө ү ң on
//!    some fonts) are replaced by ө/ү/ң is replaced by that word. Never a blind replacement.

use crate::Lexicon;

/// Folds Unicode look-alikes of ө, ү, ң to the Kyrgyz letters.
pub fn fold_variants(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ӊ' | 'ҥ' => 'ң',
            'Ӊ' | 'Ҥ' => 'Ң',
            'ɵ' | 'ѳ' | 'ӫ' => 'ө',
            'Ɵ' | 'Ѳ' | 'Ӫ' => 'Ө',
            'ʏ' | 'ұ' | 'ӱ' => 'ү',
            'Ұ' | 'Ӱ' => 'Ү',
            '\u{00AD}' => '\u{200B}',
            other => other,
        })
        .filter(|&c| c != '\u{200B}')
        .collect()
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

use ishenim_text::text::latin_print_lookalike as latin_to_cyrillic;

/// Replaces Latin look-alike letters in words that are otherwise Cyrillic.
pub fn fix_latin_in_cyrillic(word: &str) -> String {
    let cyr = word.chars().filter(|&c| is_cyrillic(c)).count();
    let lat: Vec<char> = word.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if cyr == 0 || lat.is_empty() || cyr < lat.len() {
        return word.to_string();
    }
    if lat.iter().any(|&c| latin_to_cyrillic(c).is_none()) {
        return word.to_string();
    }
    word.chars()
        .map(|c| latin_to_cyrillic(c).unwrap_or(c))
        .collect()
}

fn is_tick(c: char) -> bool {
    matches!(c, '\'' | '`' | '‘' | '’' | '‚' | '´' | 'ʼ')
}

/// Removes ticks inside Cyrillic words (`айы'лы` → `айылы`); returns `None` for a token
/// made only of ticks and commas-like specks.
pub fn strip_stray_marks(word: &str) -> Option<String> {
    if word.chars().all(|c| is_tick(c) || c == ',') {
        return None;
    }
    let chars: Vec<char> = word.chars().collect();
    let cyrillic_word = chars.iter().any(|&c| is_cyrillic(c))
        && chars
            .iter()
            .all(|&c| is_cyrillic(c) || is_tick(c) || c == '-' || c.is_ascii_punctuation());
    let mut out = String::with_capacity(word.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside =
            i > 0 && i + 1 < chars.len() && is_cyrillic(chars[i - 1]) && is_cyrillic(chars[i + 1]);
        let at_edge = i == 0 || i + 1 == chars.len();
        // Neither Kyrgyz nor Russian uses apostrophes: a tick on a Cyrillic word is a speck.
        if is_tick(c) && (inside || (at_edge && cyrillic_word)) {
            continue;
        }
        out.push(c);
    }
    Some(out)
}

/// Doubtful OCR strings and what they may stand for.
const CONFUSIONS: &[(&str, &[&str])] = &[
    ("її", &["ө", "ү", "үү", "өө"]),
    ("ії", &["ө", "ү"]),
    ("їй", &["ө", "ү"]),
    ("ї", &["ү", "ө", "ң"]),
    ("і", &["ү", "ө", "ң"]),
    ("Ї", &["Ү", "Ө", "ү", "ө"]),
    ("І", &["Ү", "Ө", "ү", "ө"]),
    ("ШЇШ", &["өө", "үү"]),
    ("ШШ", &["үү", "өө"]),
    ("Шї", &["үү", "өө"]),
    ("ПП", &["ө", "ү"]),
    ("Пї", &["Ө", "ө", "ү"]),
    ("Пй", &["ө", "ү"]),
    ("ПЙ", &["үй", "өй"]),
    ("П", &["ө", "ү", "ң"]),
    ("Ш", &["ү", "ө", "үү", "өө", "ң"]),
    ("Й", &["ү", "ө", "ң"]),
    ("й", &["ң", "ү", "ө"]),
    ("Ц", &["ү", "ө"]),
    ("Ё", &["Ө", "ө"]),
    ("ё", &["ө"]),
    ("ә", &["ө"]),
    ("Ә", &["Ө"]),
    ("©", &["ө", "ү", "с"]),
    ("°", &["ө"]),
    ("!", &["ү", "ө"]),
    ("\\!", &["ө", "ү"]),
    ("ў", &["ү"]),
    ("ÿ", &["ү"]),
    ("y", &["ү"]),
    ("v", &["ү"]),
    ("Y", &["Ү"]),
    ("0", &["ө"]),
    ("н", &["ң"]),
    ("л", &["ң"]),
    ("о", &["ө"]),
    ("у", &["ү"]),
    ("О", &["Ө"]),
    ("У", &["Ү"]),
];

/// Letters that are suspicious at all (cheap pre-check).
fn doubtful(c: char) -> bool {
    matches!(
        c,
        'ї' | 'і'
            | 'Ї'
            | 'І'
            | 'П'
            | 'Ш'
            | 'Й'
            | 'Ц'
            | 'Ы'
            | 'ў'
            | 'ÿ'
            | 'y'
            | 'v'
            | 'Y'
            | '0'
            | '6'
    )
}

/// Replaces a word that is not in `lex` by the listed word reached with the fewest
/// substitutions of doubtful letters; returns `None` when the word is fine or nothing in
/// the list fits. `sentence_start` decides the case of a replaced first letter.
pub fn resolve_confusions(word: &str, lex: &Lexicon, sentence_start: bool) -> Option<String> {
    let start = word.find(|c: char| c.is_alphanumeric())?;
    let end = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, c)| i + c.len_utf8())?;
    let (pre, core, post) = (&word[..start], &word[start..end], &word[end..]);
    if !core.chars().any(is_cyrillic) || lex.contains(core) {
        return None;
    }
    if core.contains('-') {
        // Hyphenated names and numbers ("Жаңы-Жол", "107-үй"): resolve each part.
        let mut changed = false;
        let parts: Vec<String> = core
            .split('-')
            .enumerate()
            .map(
                |(i, part)| match resolve_confusions(part, lex, sentence_start && i == 0) {
                    Some(p) => {
                        changed = true;
                        p
                    }
                    None => part.to_string(),
                },
            )
            .collect();
        return changed.then(|| format!("{pre}{}{post}", parts.join("-")));
    }
    let hard = core.chars().any(doubtful);
    let mut search = Search {
        lex,
        hard,
        best: None,
        path: String::new(),
    };
    search.walk(core, lex.root(), 0, 0);
    let (found, _) = search.best?;
    let all_caps = core
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_uppercase())
        && core.chars().filter(|c| c.is_alphabetic()).count() > 1;
    let first_kept = core
        .chars()
        .next()
        .is_some_and(|c| !doubtful(c) && c.is_uppercase());
    let cased: String = if all_caps && !core.chars().any(doubtful) {
        found.to_uppercase()
    } else if first_kept || sentence_start {
        let mut cs = found.chars();
        cs.next()
            .map(|f| f.to_uppercase().chain(cs).collect())
            .unwrap_or_default()
    } else {
        found
    };
    if cased == core {
        return None;
    }
    Some(format!("{pre}{cased}{post}"))
}

/// Highest total cost of the substitutions in one word.
const MAX_COST: u32 = 14;

/// Depth-first search of the word list along the OCR string and its substitutions.
struct Search<'a> {
    lex: &'a Lexicon,
    hard: bool,
    best: Option<(String, u32)>,
    path: String,
}

impl Search<'_> {
    fn walk(&mut self, rest: &str, node: usize, cost: u32, subs: u32) {
        if let Some((_, bc)) = &self.best {
            if cost >= *bc {
                return;
            }
        }
        if subs > 8 {
            return;
        }
        if rest.is_empty() {
            if cost > 0 && self.lex.is_final(node) {
                self.best = Some((self.path.clone(), cost));
            }
            return;
        }
        let c = rest.chars().next().unwrap_or(' ');
        let mut options: Vec<(String, u32, usize)> = Vec::with_capacity(8);
        options.push((c.to_lowercase().collect(), 0, c.len_utf8()));
        for (from, tos) in CONFUSIONS {
            if rest.starts_with(from) {
                let soft = !from.chars().any(doubtful);
                if soft && !self.hard {
                    continue;
                }
                for to in *tos {
                    options.push((to.to_lowercase(), if soft { 3 } else { 2 }, from.len()));
                }
            }
        }
        // In a word with doubtful letters the kir model may have turned a box or a smudged
        // ө/ү/ң into anything: any one letter may stand for one of them, at a higher cost,
        // and a lone doubtful mark may be dropped.
        if self.hard && !c.is_ascii_digit() {
            for to in ["ө", "ү", "ң"] {
                options.push((to.to_string(), 4, c.len_utf8()));
            }
            if doubtful(c) || c.is_ascii_punctuation() {
                options.push((String::new(), 4, c.len_utf8()));
            }
        }
        for (txt, c2, used) in options {
            if cost + c2 > MAX_COST {
                continue;
            }
            if let Some(next) = self.lex.step(node, &txt) {
                let len = self.path.len();
                self.path.push_str(&txt);
                self.walk(&rest[used..], next, cost + c2, subs + u32::from(c2 > 0));
                self.path.truncate(len);
            }
        }
    }
}

/// Letters that OCR puts into numbers, and the digit each stands for.
fn digit_lookalike(c: char) -> Option<char> {
    Some(match c {
        'О' | 'о' | 'O' | 'o' | '©' => '0',
        'З' | 'з' => '3',
        'б' => '6',
        'l' | 'I' | '|' => '1',
        _ => return None,
    })
}

/// In a token that is clearly a number (at least two digits and nothing but digits, number
/// punctuation and digit look-alikes), turns the look-alikes into digits: `О55о` → `0555`.
pub fn fix_letters_in_numbers(word: &str) -> String {
    let digits = word.chars().filter(|c| c.is_ascii_digit()).count();
    let numeric = word
        .chars()
        .all(|c| c.is_ascii_digit() || digit_lookalike(c).is_some() || "+-.,:;/()".contains(c));
    if digits < 2 || !numeric {
        return word.to_string();
    }
    word.chars()
        .map(|c| digit_lookalike(c).unwrap_or(c))
        .collect()
}

/// Runs all word-level steps on one word; `None` drops the token.
pub fn normalize_word(word: &str, lex: &Lexicon, sentence_start: bool) -> Option<String> {
    let w = fold_variants(word);
    let w = fix_latin_in_cyrillic(&w);
    let w = strip_stray_marks(&w)?;
    let w = fix_letters_in_numbers(&w);
    Some(resolve_confusions(&w, lex, sentence_start).unwrap_or(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::from_words([
            "көчөсү",
            "өкмөтүнүн",
            "үй",
            "мүчөлөрү",
            "жеткирүү",
            "манас",
            "бүбүсара",
            "ленин",
            "өмүралиев",
        ])
    }

    #[test]
    fn variants_fold() {
        assert_eq!(fold_variants("ӊ ҥ ɵ ʏ Ұ"), "ң ң ө ү Ү");
    }

    #[test]
    fn latin_inside_cyrillic_only() {
        assert_eq!(fix_latin_in_cyrillic("Манаc"), "Манас");
        assert_eq!(fix_latin_in_cyrillic("WhatsApp"), "WhatsApp");
        assert_eq!(fix_latin_in_cyrillic("email"), "email");
        assert_eq!(fix_latin_in_cyrillic("ИНН"), "ИНН");
    }

    #[test]
    fn letters_inside_numbers() {
        assert_eq!(fix_letters_in_numbers("О55о"), "0550");
        assert_eq!(fix_letters_in_numbers("(55О)"), "(550)");
        assert_eq!(fix_letters_in_numbers("Об"), "Об", "too few digits");
        assert_eq!(fix_letters_in_numbers("5-үй"), "5-үй");
    }

    #[test]
    fn stray_ticks() {
        assert_eq!(strip_stray_marks("айы'лы").as_deref(), Some("айылы"));
        assert_eq!(strip_stray_marks("‘"), None);
        assert_eq!(
            strip_stray_marks("'Тургундар").as_deref(),
            Some("Тургундар")
        );
        assert_eq!(strip_stray_marks("don't").as_deref(), Some("don't"));
        assert_eq!(strip_stray_marks("«Манас»").as_deref(), Some("«Манас»"));
    }

    #[test]
    fn confusions_resolved_by_the_word_list() {
        let l = lex();
        assert_eq!(
            resolve_confusions("кїчїсї,", &l, false).as_deref(),
            Some("көчөсү,")
        );
        assert_eq!(
            resolve_confusions("Пкмїтїнїн", &l, false).as_deref(),
            Some("өкмөтүнүн")
        );
        assert_eq!(
            resolve_confusions("жеткирШ", &l, false).as_deref(),
            Some("жеткирүү")
        );
        assert_eq!(
            resolve_confusions("Бїбїсара", &l, false).as_deref(),
            Some("Бүбүсара")
        );
        assert_eq!(
            resolve_confusions("ШмПралиев", &l, true).as_deref(),
            Some("Өмүралиев")
        );
    }

    #[test]
    fn real_words_are_left_alone() {
        let l = lex();
        assert_eq!(resolve_confusions("Ленин", &l, true), None);
        assert_eq!(
            resolve_confusions("Пушкин", &l, false),
            None,
            "unknown but no candidate"
        );
        assert_eq!(resolve_confusions("2024", &l, false), None);
    }
}
