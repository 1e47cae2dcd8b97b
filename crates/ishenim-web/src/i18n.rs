//! Message catalogues: every text the web pages show, in Kyrgyz (default) and Russian.
//!
//! The catalogues are flat TOML files (`i18n/ky.toml`, `i18n/ru.toml`) compiled into the
//! binary; templates read them as `m.key`. A test keeps both files on the same keys.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Interface language: the report's, so a report is rendered in the page's language as
/// it is (read from a form or cookie with [`Lang::or_kyrgyz`]).
pub use ishenim_report::Lang;

/// One language's messages.
pub type Catalogue = BTreeMap<String, String>;

fn parse(src: &str) -> Catalogue {
    toml::from_str(src).unwrap_or_default()
}

/// The catalogue of `lang`.
pub fn catalogue(lang: Lang) -> &'static Catalogue {
    static KY: OnceLock<Catalogue> = OnceLock::new();
    static RU: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Ky => KY.get_or_init(|| parse(include_str!("../i18n/ky.toml"))),
        Lang::Ru => RU.get_or_init(|| parse(include_str!("../i18n/ru.toml"))),
    }
}

/// The message `key` in `lang` (the key itself when missing, so a gap is visible).
pub fn msg(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let ky: Catalogue = toml::from_str(include_str!("../i18n/ky.toml")).expect("ky.toml");
        let ru: Catalogue = toml::from_str(include_str!("../i18n/ru.toml")).expect("ru.toml");
        let kk: Vec<_> = ky.keys().collect();
        let rk: Vec<_> = ru.keys().collect();
        let only_ky: Vec<_> = kk.iter().filter(|k| !ru.contains_key(**k)).collect();
        let only_ru: Vec<_> = rk.iter().filter(|k| !ky.contains_key(**k)).collect();
        assert!(
            only_ky.is_empty() && only_ru.is_empty(),
            "{only_ky:?} {only_ru:?}"
        );
        assert!(ky.len() > 50);
        assert!(ky.values().all(|v| !v.trim().is_empty()));
    }

    #[test]
    fn templates_only_use_known_keys() {
        let ky = catalogue(Lang::Ky);
        for (name, src) in crate::render::TEMPLATES {
            let mut rest = *src;
            while let Some(i) = rest.find("m.") {
                let before = rest[..i].chars().last();
                rest = &rest[i + 2..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(ky.contains_key(&key), "{name}: unknown message m.{key}");
            }
        }
    }
}
