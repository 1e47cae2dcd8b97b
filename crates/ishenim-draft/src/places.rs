//! The council's place names (`models/places.toml`) and the repair of their OCR misreadings
//! in addresses: "Жайы-Жол" → "Жаңы-Жол" when the council has a village «Жаңы-Жол».

use crate::models::ModelError;
use serde::Deserialize;
use std::collections::HashMap;

/// Names by their [`confusion_key`]; `None` marks a key shared by two different names (then
/// nothing is repaired). Serves the place list here and the name list in `names`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConfusionIndex {
    by_key: HashMap<String, Option<String>>,
}

impl ConfusionIndex {
    /// Adds a name (names under 3 letters are too short to repair anything).
    pub(crate) fn insert(&mut self, name: &str) {
        if name.chars().count() < 3 {
            return;
        }
        let entry = self
            .by_key
            .entry(confusion_key(name))
            .or_insert_with(|| Some(name.to_string()));
        if entry.as_deref() != Some(name) {
            *entry = None;
        }
    }

    /// The one name `word` may be a misreading of.
    pub(crate) fn get(&self, word: &str) -> Option<&str> {
        self.by_key.get(&confusion_key(word))?.as_deref()
    }

    /// Number of distinct keys.
    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }
}

/// The council's place names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    index: ConfusionIndex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    #[serde(default)]
    villages: Vec<String>,
    #[serde(default)]
    streets: Vec<String>,
}

/// A word reduced to what OCR of Kyrgyz print keeps apart: case is folded, and so are the
/// letters it swaps (ң/н/й; the rounded and front vowels ө/о/е/ё/ү/у) and a capital П
/// inside a word, which stands for a letter the scan lost ("КПк-Жар" for "Көк-Жар").
fn confusion_key(word: &str) -> String {
    let folded = crate::applicant::fold_foreign(word);
    let mut out = String::with_capacity(folded.len());
    let mut prev: Option<char> = None;
    for c in folded.chars() {
        let inner = prev.is_some_and(|p| p != '-');
        let k = match c {
            'П' if inner => 'о',
            _ => match c.to_lowercase().next().unwrap_or(c) {
                'ң' | 'й' => 'н',
                'ө' | 'е' | 'ё' | 'є' | 'ү' | 'у' => 'о',
                l => l,
            },
        };
        out.push(k);
        prev = Some(c);
    }
    out
}

impl Places {
    /// Compiles `places.toml` (`file` names it in errors).
    pub(crate) fn from_toml(text: &str, file: &str) -> Result<Places, ModelError> {
        let f: PlacesFile = toml::from_str(text).map_err(|e| ModelError::Parse {
            file: file.to_string(),
            msg: e.to_string(),
        })?;
        let mut places = Places::default();
        // Multi-word names ("Тоголок Молдо") are matched word by word.
        for word in f
            .villages
            .iter()
            .chain(&f.streets)
            .flat_map(|n| n.split_whitespace())
        {
            places.index.insert(word);
        }
        Ok(places)
    }

    /// The address with every capitalised word (or one whose small first letter looks like
    /// its capital) that is a misreading of exactly one place name written as that name;
    /// punctuation around words and all other words are kept.
    #[cfg(test)]
    pub(crate) fn repair(&self, address: &str) -> String {
        self.repair_unsure(address, |_| true)
    }

    /// [`Places::repair`] on the words `unsure` says the reader was unsure of only: a word
    /// read with confidence is the writer's spelling ("Кок-Жар" in a Russian letter), kept.
    pub(crate) fn repair_unsure(&self, address: &str, unsure: impl Fn(&str) -> bool) -> String {
        if self.index.len() == 0 {
            return address.to_string();
        }
        let mut out = String::with_capacity(address.len());
        for (i, word) in address.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            // A capital, or a small letter that looks like its capital (OCR loses the size
            // of Ө, Ү, О, С: "үмөталиев").
            let capital = core
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || crate::applicant::small_like_capital(c));
            // OCR loses ө, ү, ң and ё far more often than it adds them: a word with two or
            // more of them where the listed name has plain letters ("Бөкөнбаев" for
            // "Боконбаев") is another word, kept as written; one may be a misreading.
            let special = |c: char| "өүңёӨҮҢЁ".contains(c);
            let plausible = |name: &str| {
                let added = if name.chars().count() == core.chars().count() {
                    let pairs = name.chars().zip(core.chars());
                    pairs.filter(|&(n, w)| special(w) && !special(n)).count()
                } else {
                    let count = |s: &str| s.chars().filter(|&c| special(c)).count();
                    count(core).saturating_sub(count(name))
                };
                // "ё" is a spelling choice ("Молодёжная"), never a misreading of the list's "е".
                let yo = |w: &str| w.chars().filter(|c| "ёЁ".contains(*c)).count();
                added <= 1 && yo(core) <= yo(name)
            };
            let known = (capital && unsure(core))
                .then(|| self.index.get(core))
                .flatten()
                .filter(|name| plausible(name));
            match known {
                Some(name) if name != core => out.push_str(&word.replacen(core, name, 1)),
                _ => out.push_str(word),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places::from_toml(
            r#"villages = ["Жаңы-Жол", "Чоң-Өрүк", "Манас"]
               streets = ["Жеңиш", "Үмөталиев", "Манас", "Тоголок Молдо", "Жениш-Тоо", "Жеңиш-Тоо"]"#,
            "places.toml",
        )
        .expect("places")
    }

    #[test]
    fn misread_place_names_are_written_as_the_council_lists_them() {
        let p = places();
        assert_eq!(
            p.repair("Жайы-Жол айылы, Жейиш көчөсү, 74-үй"),
            "Жаңы-Жол айылы, Жеңиш көчөсү, 74-үй"
        );
        assert_eq!(
            p.repair("с. Чон-Орук, ул. Умоталиев, д. 5"),
            "с. Чоң-Өрүк, ул. Үмөталиев, д. 5"
        );
        assert_eq!(p.repair("ул. Тоголок Молдо, 3"), "ул. Тоголок Молдо, 3");
        assert_eq!(p.repair("Жейиш,"), "Жеңиш,", "punctuation stays");
        assert_eq!(p.repair("с. Чүң-Өрүк"), "с. Чоң-Өрүк", "ө read as ү");
        assert_eq!(
            p.repair("с. ЧПң-Өрүк"),
            "с. Чоң-Өрүк",
            "a lost letter read as П"
        );
        assert_eq!(
            p.repair("Пйурманов"),
            "Пйурманов",
            "an initial П is a letter"
        );
    }

    #[test]
    fn unknown_ambiguous_and_lowercase_words_stay() {
        let p = places();
        assert_eq!(p.repair("Кара-Суу айылы"), "Кара-Суу айылы", "not listed");
        assert_eq!(
            p.repair("Жениш-Тоо"),
            "Жениш-Тоо",
            "two listed names share the key"
        );
        assert_eq!(p.repair("Жейиш-Тоо"), "Жейиш-Тоо");
        assert_eq!(
            p.repair("жайы жол"),
            "жайы жол",
            "not capitalised: not a name"
        );
        assert_eq!(p.repair("ул. үмөталиев"), "ул. Үмөталиев", "Ү read small");
        assert_eq!(Places::default().repair("Жайы-Жол"), "Жайы-Жол");
    }

    #[test]
    fn the_built_in_list_compiles() {
        let p = Places::from_toml(crate::models::PLACES_TOML, "places.toml").expect("built in");
        assert!(p.index.len() > 50);
    }

    #[test]
    fn a_bad_file_is_an_error() {
        assert!(Places::from_toml("villages = 3", "places.toml").is_err());
        assert!(Places::from_toml("towns = []", "places.toml").is_err());
    }
}
