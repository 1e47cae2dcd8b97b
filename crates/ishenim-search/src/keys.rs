//! Match keys for filters and "similar appeals": names, phones, addresses, villages and
//! officials reduced to a form in which the same thing written twice (or read twice by OCR)
//! compares equal.

use crate::text::{fold, normalize_word, tokenize, Lang};

/// Folded words of `s` (lowercase, look-alikes, ө/ү/ң folded).
fn words(s: &str) -> Vec<String> {
    tokenize(s)
        .into_iter()
        .map(|t| fold(&normalize_word(t.text), Lang::Ky))
        .collect()
}

/// The folded words of a text joined by single spaces (`None` when there is none).
pub fn text_key(s: &str) -> Option<String> {
    let w = words(s);
    (!w.is_empty()).then(|| w.join(" "))
}

/// A person's name as a key: folded words in sorted order, so `Асанов Бакыт` and
/// `Бакыт Асанов` meet. Initials (one letter) are dropped.
pub fn name_key(s: &str) -> Option<String> {
    let mut w: Vec<String> = words(s)
        .into_iter()
        .filter(|x| x.chars().count() > 1)
        .collect();
    w.sort();
    w.dedup();
    (!w.is_empty()).then(|| w.join(" "))
}

/// A phone as a key: its digits, the last nine when there are more (so `+996 700 123 456`
/// and `0700 123456` meet); `None` under five digits.
pub fn phone_key(s: &str) -> Option<String> {
    let d: Vec<char> = s.chars().filter(char::is_ascii_digit).collect();
    if d.len() < 5 {
        return None;
    }
    let from = d.len().saturating_sub(9);
    Some(d[from..].iter().collect())
}

/// Words that mark a village in an address (folded): `айылы`, `с.`, `село`, …
fn is_village_marker(w: &str) -> bool {
    w.starts_with("айыл") || matches!(w, "с" | "село" | "ауыл" | "пос" | "поселок")
}

/// The village of an address: the words next to a village marker (`Кара-Суу айылы`,
/// `с. Кара-Суу`, `село Кара-Суу`) in the comma-separated part that has one, else the
/// first part's words that are not numbers. Also used on a filter value, so `Кара-Суу`,
/// `Кара-Суу айылы` and `с. Кара-Суу` give the same key.
pub fn village_key(address: &str) -> Option<String> {
    let parts: Vec<Vec<String>> = address
        .split([',', ';', '\n'])
        .map(words)
        .filter(|p| !p.is_empty())
        .collect();
    let pick = parts
        .iter()
        .find(|p| p.iter().any(|w| is_village_marker(w)))
        .or_else(|| parts.first())?;
    let v: Vec<&str> = pick
        .iter()
        .filter(|w| !is_village_marker(w) && !w.chars().any(|c| c.is_ascii_digit()))
        .map(String::as_str)
        .collect();
    (!v.is_empty()).then(|| v.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_meet_in_any_order_and_reading() {
        assert_eq!(name_key("Асанов Бакыт"), name_key("бакыт АСАНОВ"));
        assert_eq!(name_key("Өмүрова Айгүл"), name_key("Омурова Айгул"));
        assert_eq!(name_key("Токтогулов Н."), Some("токтогулов".into()));
        assert_eq!(name_key(" . "), None);
    }

    #[test]
    fn phones_meet_with_or_without_country_code() {
        assert_eq!(phone_key("+996 700 123 456"), phone_key("0700 123-456"));
        assert_eq!(phone_key("+996 700 123 456").as_deref(), Some("700123456"));
        assert_eq!(phone_key("55-12-34").as_deref(), Some("551234"));
        assert_eq!(phone_key("12"), None);
    }

    #[test]
    fn villages_from_addresses_and_filter_values() {
        let k = Some("кара суу".to_string());
        assert_eq!(village_key("Кара-Суу айылы, Достук көчөсү, 107-үй"), k);
        assert_eq!(village_key("Достук көчөсү 5, Кара-Суу айылы"), k);
        assert_eq!(village_key("с. Кара-Суу, ул. Ленина, д. 5"), k);
        assert_eq!(village_key("село Кара-Суу"), k);
        assert_eq!(village_key("Кара-Суу"), k);
        assert_eq!(village_key("Кара-Суу айылы"), k);
        assert_eq!(village_key("Көк-Жар айылы"), village_key("Кок-Жар"));
        assert_eq!(village_key(""), None);
        assert_eq!(village_key("12"), None);
    }
}
