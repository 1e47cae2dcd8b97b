//! Stems: Kyrgyz suffix stripping with vowel harmony, the Snowball Russian stemmer, and the
//! [`Analyzer`] that turns a word of a document or a query into index terms.
//!
//! ## Kyrgyz
//!
//! A Kyrgyz noun is `stem + plural + possessive + case` (each optional), and every suffix
//! vowel follows the last vowel of the stem (vowel harmony: `жер-лер-и-не`,
//! `пара-лар-ы-на`, `көчө-лөр-ү-нө`). We strip the longest such ending whose vowels agree
//! with the stem left over, working on the folded word (ө→о, ү→у, ң→н, so OCR's readings
//! of those letters strip the same way). Harmony on folded vowels: after `а ы` the suffix
//! takes `а/ы`, after `е и` it takes `е/и`, after `о` (о or ө) `о/у`, after `у` (у: `суу-га`,
//! or ү: `үй-гө`) `а/у` or `о/у`. The first consonant of a suffix must fit the letter
//! before it (`пара-лар`, `айыл-дар`, `ит-тер`; `пара-нын`, `жер-дин`; `пара-сы`, `жер-и`),
//! which keeps endings from being read into stems. Stripping repeats until no ending fits; then one
//! final vowel of a stem of three letters or more is dropped, so that a stem that ends in a
//! vowel meets its forms with a possessive (`катчы` / `катчысы` → `катч`, `пара` /
//! `парасын` → `пар`, `суу` / `суусу` → `су`). A stem keeps at least two letters and a
//! vowel.
//!
//! Only nominal endings are stripped (and the past tense `-ды`, which has the accusative's
//! shape): verbs keep most of their suffixes. That is the trade-off measured by the recall
//! test (`tests/recall.rs`): every inflected form of the nouns people search for (people,
//! places, bribes, land, documents), with few false matches.
//!
//! ## Russian
//!
//! Words of a Russian document (see [`crate::text::guess_lang`]) go through Snowball's
//! Russian stemmer (`взятка`, `взятку`, `взятки` → `взятк`). A word with ө/ү/ң is always
//! treated as Kyrgyz. A query does not know its language, so each query word is looked up
//! by both stems ([`Analyzer::query_terms`]).

use crate::text::{fold, has_kyrgyz_letter, normalize_word, Lang};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Version of the analysis; stored in the index, which is rebuilt when it changes.
pub const ANALYZER_VERSION: i64 = 1;

/// Vowel pairs a suffix may take: the low vowel (`A`) and the high vowel (`I`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    /// а / ы: after а, ы (я).
    Back,
    /// о / у: after о and ө (both fold to о), and after ү (folded to у: `үй-гө`).
    RoundO,
    /// а / у: after у (`суу-га`, `уул-дар`).
    RoundA,
    /// е / и: after е, и (э).
    Front,
}

/// Suffix classes allowed after a folded vowel.
fn classes_after(c: char) -> &'static [Class] {
    match c {
        'а' | 'ы' | 'я' => &[Class::Back],
        'о' | 'ё' => &[Class::RoundO],
        'у' | 'ю' => &[Class::RoundA, Class::RoundO],
        'е' | 'и' | 'э' => &[Class::Front],
        _ => &[],
    }
}

fn is_vowel(c: char) -> bool {
    !classes_after(c).is_empty()
}

/// Suffix templates: `A` is the low vowel (а/о/е), `I` the high vowel (ы/у/и).
const PLURAL: &[&str] = &["лAр", "дAр", "тAр"];
/// Case endings after a stem or a plural (no possessive).
const CASE_PLAIN: &[&str] = &[
    "нIн", "дIн", "тIн", // genitive
    "гA", "кA", // dative
    "нI", "дI", "тI", // accusative (and the past tense -ды)
    "дA", "тA", // locative
    "дAн", "тAн", // ablative
    "дAгI", "тAгI", // locative + -гы ("айылдагы")
];
/// Case endings after the 3rd person possessive (`жер-и-не`, `пара-сы-н`).
const CASE_AFTER_3RD: &[&str] = &["нIн", "нA", "н", "ндA", "нAн", "ндAгI"];
/// Case endings after a 1st or 2nd person singular possessive (`жер-им-е`, `жер-им-ди`).
const CASE_AFTER_SG: &[&str] = &["дIн", "A", "дI", "дA", "дAн", "дAгI"];
/// Case endings after the plural possessives (`айыл-ыбыз-га`).
const CASE_AFTER_PL: &[&str] = &["дIн", "гA", "дI", "дA", "дAн", "дAгI"];
/// Possessives with the case endings that may follow them. `ң` is folded to `н`.
const POSSESSIVE: &[(&str, &[&str])] = &[
    ("I", CASE_AFTER_3RD),
    ("сI", CASE_AFTER_3RD),
    ("Iм", CASE_AFTER_SG),
    ("Iн", CASE_AFTER_SG),
    ("IбIз", CASE_AFTER_PL),
    ("бIз", CASE_AFTER_PL),
    ("IнIз", CASE_AFTER_PL),
    ("нIз", CASE_AFTER_PL),
    ("IнAр", CASE_AFTER_PL),
    ("нAр", CASE_AFTER_PL),
    ("IнIздAр", CASE_AFTER_PL),
    ("нIздAр", CASE_AFTER_PL),
];

fn instantiate(t: &str, class: Class) -> String {
    t.chars()
        .map(|c| match (c, class) {
            ('A', Class::Back) => 'а',
            ('A', Class::RoundO) => 'о',
            ('A', Class::RoundA) => 'а',
            ('A', Class::Front) => 'е',
            ('I', Class::Back) => 'ы',
            ('I', Class::RoundO | Class::RoundA) => 'у',
            ('I', Class::Front) => 'и',
            (c, _) => c,
        })
        .collect()
}

/// Voiceless consonants (after them suffixes start with т/к).
fn is_voiceless(c: char) -> bool {
    matches!(c, 'к' | 'п' | 'с' | 'т' | 'ф' | 'х' | 'ц' | 'ч' | 'ш' | 'щ')
}

/// Voiced consonants (after them suffixes start with д/г; the plural with л after р, й).
fn is_voiced(c: char) -> bool {
    matches!(
        c,
        'б' | 'в' | 'г' | 'д' | 'ж' | 'з' | 'й' | 'л' | 'м' | 'н' | 'р' | 'ң'
    )
}

/// May a suffix (template `comp`) follow the letter `prev`? The first consonant of a
/// suffix depends on the sound before it: `пара-лар`, `жер-лер`, `айыл-дар`, `ит-тер`;
/// `пара-нын`, `жер-дин`, `мектеп-тин`; `пара-га`, `мектеп-ке`; `пара-да`, `жер-де`,
/// `мектеп-те`; `пара-сы`, `жер-и`. This keeps endings from being read into stems
/// (`өкмөт-ү` is not `өкмө-тү`: after a vowel the accusative is `-нү`).
fn junction_ok(prev: char, comp: &str) -> bool {
    let vowel = is_vowel(prev);
    match comp.chars().next() {
        Some('A' | 'I') => is_voiced(prev) || is_voiceless(prev),
        Some('л') => vowel || matches!(prev, 'р' | 'й'),
        Some('д') if comp.starts_with("дAр") => is_voiced(prev) && !matches!(prev, 'р' | 'й'),
        Some('д') if comp.starts_with("дA") => vowel || is_voiced(prev),
        Some('д') => is_voiced(prev),
        Some('т' | 'к') => is_voiceless(prev),
        Some('г') => vowel || is_voiced(prev),
        Some('н' | 'с' | 'б') => vowel,
        _ => true,
    }
}

/// All endings `plural? possessive? case?`, each with the harmony class of its vowels and
/// the template of its first suffix (for [`junction_ok`] with the stem).
struct Endings {
    /// Ending (folded) → (class, first suffix template).
    map: HashMap<Vec<char>, Vec<(Class, &'static str)>>,
    /// Longest ending, in letters.
    max_len: usize,
}

fn build_endings() -> Endings {
    let mut combos: Vec<Vec<&'static str>> = Vec::new();
    for pl in std::iter::once(None).chain(PLURAL.iter().copied().map(Some)) {
        let base: Vec<&'static str> = pl.into_iter().collect();
        combos.push(base.clone());
        for case in CASE_PLAIN {
            combos.push([base.as_slice(), &[*case]].concat());
        }
        for (poss, cases) in POSSESSIVE {
            // After a plural the 3rd person possessive is only `-I` (`жер-лер-и`).
            if pl.is_some() && *poss == "сI" {
                continue;
            }
            combos.push([base.as_slice(), &[*poss]].concat());
            for case in *cases {
                combos.push([base.as_slice(), &[*poss, *case]].concat());
            }
        }
    }
    let mut map: HashMap<Vec<char>, Vec<(Class, &'static str)>> = HashMap::new();
    let mut max_len = 0;
    for class in [Class::Back, Class::RoundO, Class::RoundA, Class::Front] {
        'combo: for combo in combos.iter().filter(|c| !c.is_empty()) {
            let mut s = String::new();
            for comp in combo {
                if let Some(prev) = s.chars().last() {
                    if !junction_ok(prev, comp) {
                        continue 'combo;
                    }
                }
                s.push_str(&instantiate(comp, class));
            }
            let chars: Vec<char> = s.chars().collect();
            max_len = max_len.max(chars.len());
            let e = map.entry(chars).or_default();
            if !e.contains(&(class, combo[0])) {
                e.push((class, combo[0]));
            }
        }
    }
    Endings { map, max_len }
}

static ENDINGS: LazyLock<Endings> = LazyLock::new(build_endings);

/// Suffix classes allowed after the last vowel of `w` (none when `w` has no vowel).
fn last_classes(w: &[char]) -> &'static [Class] {
    w.iter()
        .rev()
        .find(|&&c| is_vowel(c))
        .map_or(&[], |&c| classes_after(c))
}

/// The length of `w` without the longest ending that fits the stem left: vowels in harmony,
/// first consonant right for the stem's last letter, two letters and a vowel left at
/// least. `None` when no ending fits.
fn strip_once(w: &[char]) -> Option<usize> {
    let longest = ENDINGS.max_len.min(w.len().saturating_sub(2));
    for n in (1..=longest).rev() {
        let (rest, end) = w.split_at(w.len() - n);
        let Some(options) = ENDINGS.map.get(end) else {
            continue;
        };
        let classes = last_classes(rest);
        let Some(&prev) = rest.last() else { continue };
        if options
            .iter()
            .any(|(class, first)| classes.contains(class) && junction_ok(prev, first))
        {
            return Some(rest.len());
        }
    }
    None
}

/// Kyrgyz stem of a normalised word (lowercase, see [`normalize_word`]); the result is
/// folded (ө→о, ү→у, ң→н). Endings are stripped until none fits (so a stem that happens to
/// end like a suffix, `адам`, meets its own inflected forms, `адамдар`); then one final
/// vowel is dropped from a stem of three letters or more, and a final `г`/`б` (voiced
/// before a vowel: `кезегин`, `мектебине`) becomes `к`/`п`.
pub fn kyrgyz_stem(word: &str) -> String {
    let mut w: Vec<char> = fold(word, Lang::Ky).chars().collect();
    if w.iter().any(|c| c.is_ascii_digit()) || !w.iter().any(|&c| is_vowel(c)) {
        return w.into_iter().collect();
    }
    while let Some(n) = strip_once(&w) {
        w.truncate(n);
    }
    if w.len() >= 3 && w.last().is_some_and(|&c| is_vowel(c)) {
        w.pop();
    }
    if w.len() >= 3 {
        if let Some(last) = w.last_mut() {
            *last = match *last {
                'г' => 'к',
                'б' => 'п',
                c => c,
            };
        }
    }
    w.into_iter().collect()
}

static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Russian));

/// Russian stem of a normalised word, folded; the word itself when the stem would be
/// shorter than three letters.
pub fn russian_stem(word: &str) -> String {
    let w = fold(word, Lang::Ru);
    if w.chars().any(|c| c.is_ascii_digit()) {
        return w;
    }
    let st = RUSSIAN.stem(&w);
    // Kyrgyz words inside Russian text (`айыл` → `ай`, `адам` → `ад`) lose too much.
    if st.chars().count() < 3 {
        return w;
    }
    st.into_owned()
}

/// One analysed word: the stem term and the folded surface form (for prefix queries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analyzed {
    /// Stem (index term).
    pub stem: String,
    /// Folded word, unstemmed.
    pub surface: String,
}

/// Turns words into index terms. Stateless; cheap to copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Analyzer;

impl Analyzer {
    /// Analyses one word of a document whose language is `doc_lang`: a word with ө/ү/ң is
    /// Kyrgyz whatever the document; otherwise the document's stemmer is used. Returns
    /// `None` for a word with no letter or digit left after normalisation.
    pub fn doc_word(&self, word: &str, doc_lang: Lang) -> Option<Analyzed> {
        let n = normalize_word(word);
        if !n.chars().any(char::is_alphanumeric) {
            return None;
        }
        let lang = if has_kyrgyz_letter(&n) {
            Lang::Ky
        } else {
            doc_lang
        };
        let stem = match lang {
            Lang::Ky => kyrgyz_stem(&n),
            Lang::Ru => russian_stem(&n),
        };
        Some(Analyzed {
            stem,
            surface: fold(&n, lang),
        })
    }

    /// Index terms a query word may match: its Kyrgyz stem (in any document) and, unless
    /// it has a Kyrgyz letter or both stems are the same, its Russian stem (to be matched in
    /// Russian documents only). `None` for a word with no letter or digit.
    pub fn query_stems(&self, word: &str) -> Option<(String, Option<String>)> {
        let n = normalize_word(word);
        if !n.chars().any(char::is_alphanumeric) {
            return None;
        }
        let ky = kyrgyz_stem(&n);
        let ru = (!has_kyrgyz_letter(&n))
            .then(|| russian_stem(&n))
            .filter(|r| *r != ky);
        Some((ky, ru))
    }

    /// [`Analyzer::query_stems`] as a list: the Kyrgyz stem first, then the Russian one.
    pub fn query_terms(&self, word: &str) -> Vec<String> {
        match self.query_stems(word) {
            Some((ky, ru)) => std::iter::once(ky).chain(ru).collect(),
            None => Vec::new(),
        }
    }

    /// The folded surface forms a query prefix may start (Kyrgyz and Russian fold of `ё`).
    pub fn query_prefix(&self, word: &str) -> Vec<String> {
        let n = normalize_word(word);
        let mut v = vec![fold(&n, Lang::Ky)];
        let r = fold(&n, Lang::Ru);
        if !v.contains(&r) {
            v.push(r);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ky(w: &str) -> String {
        kyrgyz_stem(&normalize_word(w))
    }

    fn same(forms: &[&str]) {
        let s = ky(forms[0]);
        for f in forms {
            assert_eq!(ky(f), s, "{f} vs {}", forms[0]);
        }
    }

    #[test]
    fn kyrgyz_forms_meet() {
        same(&["пара", "парасын", "паралар", "парага", "парасы", "паранын"]);
        same(&[
            "жер",
            "жерди",
            "жерлерин",
            "жерлер",
            "жерге",
            "жерде",
            "жеринен",
        ]);
        same(&[
            "кызматкер",
            "кызматкерлер",
            "кызматкерине",
            "кызматкерлеринин",
            "кызматкердин",
        ]);
        same(&["катчы", "катчысы", "катчысына", "катчыга", "катчынын"]);
        same(&["суу", "суусу", "сууну", "суунун", "сууга"]);
        same(&["айыл", "айылы", "айылдын", "айылда", "айылдагы", "айылыбыз"]);
        same(&["көчө", "көчөсү", "көчөлөр", "көчөлөрдү", "көчөгө"]);
        same(&["үй", "үйү", "үйлөр", "үйдө", "үйүнө"]);
        same(&["мектеп", "мектепке", "мектептин", "мектептеги", "мектебине"]);
        same(&["кезек", "кезекте", "кезегим", "кезегин"]);
        same(&["адам", "адамдар", "адамдын", "адамга"]);
    }

    #[test]
    fn ocr_readings_of_kyrgyz_letters_meet() {
        assert_eq!(ky("өкмөтүнө"), ky("окмотуно"));
        assert_eq!(ky("өкмөтү"), ky("ӨКМӨТҮ"));
        assert_eq!(ky("көчөсү"), ky("кочосу"));
        assert_eq!(ky("жаңылары"), ky("жанылары"));
        assert_eq!(ky("кɵчɵлɵр"), ky("көчө"));
    }

    #[test]
    fn harmony_blocks_foreign_endings() {
        // -лер does not follow a back vowel, -лар does not follow a front one.
        assert_eq!(ky("жерлар"), "жерлар");
        assert_ne!(ky("паралер"), ky("пара"));
        // Short words keep two letters.
        assert_eq!(ky("ата"), "ат");
        assert_eq!(ky("ал"), "ал");
        assert_eq!(ky("2023"), "2023");
    }

    #[test]
    fn russian_stems() {
        let a = Analyzer;
        let stem = |w: &str| a.doc_word(w, Lang::Ru).unwrap().stem;
        assert_eq!(stem("взятка"), stem("взятку"));
        assert_eq!(stem("взятки"), stem("взятка"));
        assert_eq!(stem("Земельного"), stem("земельный"));
        // Kyrgyz words in Russian text keep at least three letters.
        assert_eq!(stem("айыл"), "айыл");
        // A Kyrgyz letter wins over the document's language.
        assert_eq!(stem("өкмөтү"), ky("өкмөтү"));
    }

    #[test]
    fn query_terms_cover_both_languages() {
        let a = Analyzer;
        let t = a.query_terms("взятку");
        assert!(t.contains(&a.doc_word("взятки", Lang::Ru).unwrap().stem));
        let t = a.query_terms("паралар");
        assert!(t.contains(&a.doc_word("парага", Lang::Ky).unwrap().stem));
        assert_eq!(a.query_terms("көчөсү").len(), 1);
        assert!(a.query_terms("—").is_empty());
        assert_eq!(a.query_prefix("Кызмат"), vec!["кызмат".to_string()]);
    }
}
