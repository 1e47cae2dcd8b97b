//! Given names and patronymics with letters OCR confuses (ң/й, ө/е/ү) written as in the list
//! of Kyrgyz names (`models/kir-names.txt`, the list the OCR word check uses too):
//! "Жейишбек" → "Жеңишбек", "Үсенбайовна" → "Үсөнбайовна". Surnames are left as read
//! (too varied for a list), and so is every word the list does not settle.

use crate::places::ConfusionIndex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Built-in copy of `models/kir-names.txt`.
const NAMES_TXT: &str = include_str!("../../../models/kir-names.txt");

struct NameList {
    exact: HashSet<&'static str>,
    index: ConfusionIndex,
}

static NAMES: LazyLock<NameList> = LazyLock::new(|| {
    let mut list = NameList {
        exact: HashSet::new(),
        index: ConfusionIndex::default(),
    };
    for name in NAMES_TXT.lines().map(str::trim).filter(|l| !l.is_empty()) {
        list.exact.insert(name);
        list.index.insert(name);
    }
    list
});

/// True when the word is a given name of the list (as written, or its capitalised form).
pub(crate) fn is_given_name(word: &str) -> bool {
    NAMES.exact.contains(word)
}

/// Patronymic endings, longest first; the empty ending is the given name itself.
const ENDINGS: [&str; 5] = ["овна", "ович", "евна", "евич", ""];

/// One given name or patronymic, repaired when the list settles it.
fn repair_word(word: &str) -> String {
    for ending in ENDINGS {
        let Some(root) = word.strip_suffix(ending) else {
            continue;
        };
        if root.chars().count() < 3 {
            continue;
        }
        if NAMES.exact.contains(root) {
            return word.to_string();
        }
        if let Some(name) = NAMES.index.get(root) {
            if russian_spelling(root, name) {
                return word.to_string();
            }
            return format!("{name}{ending}");
        }
    }
    word.to_string()
}

/// True when `word` is `name` spelt without the Kyrgyz letters, as passports and Russian
/// schooling write it ("Женишбек", "Кенешбекович", "Усон"): a spelling, not a misreading.
/// A word that has Kyrgyz letters of its own, or a й where the name has ң, was misread.
fn russian_spelling(word: &str, name: &str) -> bool {
    const KYRGYZ: [char; 6] = ['ң', 'ө', 'ү', 'Ң', 'Ө', 'Ү'];
    if word.chars().any(|c| KYRGYZ.contains(&c)) || word.chars().count() != name.chars().count() {
        return false;
    }
    word.chars().zip(name.chars()).all(|(w, n)| {
        w == n
            || matches!(
                (w.to_lowercase().next(), n.to_lowercase().next()),
                (Some('н'), Some('ң')) | (Some('о' | 'е'), Some('ө')) | (Some('у'), Some('ү'))
            )
    })
}

/// The name with its given names and patronymic repaired: in "Surname Given Patronymic"
/// the second and third words, in "Father уулу/кызы Given" the first and the last.
pub(crate) fn repair(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let father = words.iter().position(|w| crate::applicant::father_link(w));
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let given = match father {
                Some(k) => i + 1 == k || i == k + 1,
                None => i >= 1,
            };
            if given && !w.ends_with('.') {
                repair_word(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confused_letters_in_given_names_and_patronymics_are_repaired() {
        assert_eq!(
            repair("Дөөлөтова Үмүт Үсенбайовна"),
            "Дөөлөтова Үмүт Үсөнбайовна"
        );
        assert_eq!(repair("Калыбек уулу Жейишбек"), "Калыбек уулу Жеңишбек");
        // Written the Russian way on purpose: kept.
        assert_eq!(
            repair("Акматалиев Сыймык Женишбекович"),
            "Акматалиев Сыймык Женишбекович"
        );
        assert_eq!(
            repair("Бекболотов Түлөн Калыбекович"),
            "Бекболотов Төлөн Калыбекович"
        );
    }

    #[test]
    fn surnames_initials_and_unknown_words_stay() {
        assert_eq!(
            repair("Түлөнов Б. Ж."),
            "Түлөнов Б. Ж.",
            "surname and initials"
        );
        assert_eq!(
            repair("Асанов Бакыт"),
            "Асанов Бакыт",
            "already a listed name"
        );
        assert_eq!(
            repair("Иванов Иван Иванович"),
            "Иванов Иван Иванович",
            "not in the list"
        );
        assert_eq!(repair("Асанов"), "Асанов");
    }
}
