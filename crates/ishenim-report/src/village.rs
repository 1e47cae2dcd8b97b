//! The village (or town) named in an address as written by the applicant or the reviewer:
//! `Манас айылы, Ленин көчөсү, 5-үй`, `с. Ак-Суу, ул. Ленина, д. 3`, `Көк-Жар а.`,
//! `село Жаңы Жер`, `г. Кара-Балта`. Addresses come from OCR and from people, so this never
//! fails: what it cannot read is `None` (the report's "unknown" bucket).
//!
//! Spellings of one village are grouped by [`village_key`]: case, Latin look-alikes, ё/е and
//! the Kyrgyz letters ө ү ң that OCR and Russian keyboards lose (Көк-Жар = Кок-Жар).

/// Words that follow a village name in Kyrgyz (`Манас айылы`), lower case, without dots.
const KY_AFTER: &[&str] = &[
    "айыл",
    "айылы",
    "айылынын",
    "айылында",
    "айылынан",
    "айылына",
    "а",
    "шаары",
    "шаарынын",
    "шаарында",
    "кыштагы",
    "кыштагынын",
];

/// Words that precede a village name in Russian (`с. Ак-Суу`), lower case, without dots.
const RU_BEFORE: &[&str] = &[
    "с",
    "село",
    "села",
    "селе",
    "пос",
    "п",
    "поселок",
    "посёлок",
    "г",
    "город",
    "аил",
    "айыл",
];

/// Words that end a name (streets, houses, districts), lower case, without dots; matched as
/// prefixes.
const STOP: &[&str] = &[
    "көчө",
    "кочо",
    "ул",
    "улица",
    "пр",
    "проспект",
    "мкр",
    "д",
    "дом",
    "кв",
    "үй",
    "район",
    "облус",
    "обл",
    "өкмөт",
    "окмот",
    "аймаг",
    "дареги",
    "адрес",
];

/// The village named in `address`, as written (tidied), or `None`.
pub fn village_of(address: &str) -> Option<String> {
    let tidy = tidy(address);
    for seg in tidy.split([',', ';', '\n']) {
        let words: Vec<&str> = seg.split_whitespace().collect();
        if let Some(v) = in_segment(&words) {
            return Some(v);
        }
    }
    // No marker: a first segment of one or two capitalised words without digits
    // (`Манас, Ленин көчөсү 5`, or just `Манас`).
    let first = tidy.split([',', ';', '\n']).next().unwrap_or("");
    let words: Vec<&str> = first.split_whitespace().collect();
    if (1..=2).contains(&words.len()) && words.iter().all(|w| name_word(w)) {
        return finish(&words);
    }
    None
}

/// Grouping key: lower case, Latin look-alikes as Cyrillic, ё→е, ө→о, ү→у, ң→н, one hyphen.
pub fn village_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ё' => 'е',
            'ө' => 'о',
            'ү' => 'у',
            'ң' => 'н',
            other => ishenim_text::text::latin_to_cyrillic(other).unwrap_or(other),
        })
        .filter(|c| c.is_alphanumeric() || *c == '-')
        .collect()
}

/// Count of Kyrgyz-specific letters, to prefer `Көк-Жар` over `Кок-Жар` as the display
/// spelling when both are equally common.
pub fn kyrgyz_letters(name: &str) -> usize {
    name.chars()
        .filter(|c| matches!(c, 'ө' | 'ү' | 'ң' | 'Ө' | 'Ү' | 'Ң'))
        .count()
}

/// One kind of dash, no spaces around it, single spaces, no quotes.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => out.push('-'),
            '«' | '»' | '"' | '“' | '”' | '„' | '\'' => {}
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    // "Ак - Суу" → "Ак-Суу"
    let mut s = out;
    for pat in [" - ", " -", "- "] {
        while s.contains(pat) {
            s = s.replace(pat, "-");
        }
    }
    s
}

/// Lower case without trailing dots or colons.
fn bare(w: &str) -> String {
    w.trim_matches(['.', ':', '(', ')'])
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_stop(w: &str) -> bool {
    let b = bare(w);
    STOP.iter().any(|s| b.starts_with(s))
}

/// A word that can be part of a village name: starts with a capital letter, no digits,
/// not a street/house word, not ending a label (`Дареги:`).
fn name_word(w: &str) -> bool {
    let t = w.trim_matches(['.', ',', '(', ')']);
    t.chars().next().is_some_and(char::is_uppercase)
        && !t.chars().any(|c| c.is_ascii_digit())
        && !w.ends_with(':')
        && !is_stop(t)
        && t.chars().count() >= 2
}

fn in_segment(words: &[&str]) -> Option<String> {
    for (i, w) in words.iter().enumerate() {
        let b = bare(w);
        // "Ак-Суу айылы" / "Көк-Жар а." (not "айыл өкмөтү", "айыл аймагы")
        if KY_AFTER.contains(&b.as_str()) && i > 0 {
            if b == "а" && !w.ends_with('.') {
                continue;
            }
            let next = words.get(i + 1).map(|n| bare(n)).unwrap_or_default();
            if next.starts_with("өкмөт") || next.starts_with("окмот") || next.starts_with("аймаг")
            {
                continue;
            }
            let mut start = i;
            while start > 0 && i - start < 3 && name_word(words[start - 1]) {
                start -= 1;
            }
            if start < i {
                if let Some(v) = finish(&words[start..i]) {
                    return Some(v);
                }
            }
        }
        // "с. Ак-Суу", "село Жаңы Жер"; also "с.Ак-Суу" written together.
        let (marker, rest) = split_glued(w);
        if RU_BEFORE.contains(&bare(marker).as_str()) {
            let mut name: Vec<&str> = Vec::new();
            if let Some(r) = rest {
                if name_word(r) {
                    name.push(r);
                }
            } else {
                // A marker only when a capitalised name follows.
                let mut j = i + 1;
                while j < words.len() && name.len() < 3 && name_word(words[j]) {
                    name.push(words[j]);
                    j += 1;
                }
            }
            if !name.is_empty() {
                if let Some(v) = finish(&name) {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// `с.Ак-Суу` → (`с.`, Some(`Ак-Суу`)); anything else → (word, None).
fn split_glued(w: &str) -> (&str, Option<&str>) {
    if let Some(pos) = w.find('.') {
        let (m, r) = w.split_at(pos + 1);
        if !r.is_empty() && m.chars().count() <= 5 {
            return (m, Some(r));
        }
    }
    (w, None)
}

fn finish(words: &[&str]) -> Option<String> {
    let name = words
        .iter()
        .map(|w| w.trim_matches(['.', ',', ':', '(', ')']))
        .collect::<Vec<_>>()
        .join(" ");
    let name = name.trim_matches('-').to_string();
    let n = name.chars().count();
    if !(2..=40).contains(&n) || name.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(address: &str, expected: Option<&str>) {
        assert_eq!(village_of(address).as_deref(), expected, "{address:?}");
    }

    #[test]
    fn kyrgyz_addresses() {
        check("Манас айылы, Ленин көчөсү, 5-үй", Some("Манас"));
        check("Кара-Суу айылы. Достук көчөсү. 107-үй", Some("Кара-Суу"));
        check("Көк-Жар а., Токтогул көчөсү 19", Some("Көк-Жар"));
        check("Жаңы Талап айылы, Ленин 4", Some("Жаңы Талап"));
        check("Дареги: Манас айылы, Ленин", Some("Манас"));
        check("Чүй облусу Аламүдүн району Ак-Суу айылы", Some("Ак-Суу"));
        check("Манас айылынын тургуну", Some("Манас"));
        check("Ак - Суу айылы", Some("Ак-Суу"));
        check("«Ак-Суу» айылы", Some("Ак-Суу"));
        check("Кара-Балта шаары, Ленин көчөсү 1", Some("Кара-Балта"));
    }

    #[test]
    fn russian_addresses() {
        check("с. Ак-Суу, ул. Ленина, д. 3", Some("Ак-Суу"));
        check("с.Ак-Суу, ул. Ленина 3", Some("Ак-Суу"));
        check("село Жаңы Жер ул. Ленина 5", Some("Жаңы Жер"));
        check("Чуйская обл., с. Манас, ул. Мира 2", Some("Манас"));
        check("г. Кара-Балта", Some("Кара-Балта"));
    }

    #[test]
    fn fallbacks_and_unknowns() {
        check("Манас, Ленин көчөсү 5", Some("Манас"));
        check("Ленин көчөсү, 5-үй", None);
        check("", None);
        check("   ", None);
        check("5-үй", None);
        check("Өмүралиев айыл өкмөтү", None);
        check("Ак-Суу айыл аймагы", None);
        check("айылы", None);
        check("<script>alert(1)</script> айылы", None);
        check("ул. Ленина 5", None);
        check("Манас", Some("Манас"));
    }

    #[test]
    fn keys_group_spellings() {
        assert_eq!(village_key("Көк-Жар"), village_key("Кок-Жар"));
        assert_eq!(village_key("КӨК-ЖАР"), village_key("көк-жар"));
        // Latin "A" and "K" read by OCR for Cyrillic ones.
        assert_eq!(village_key("Ak-Cуу"), village_key("Ак-Суу"));
        assert_ne!(village_key("Манас"), village_key("Ак-Суу"));
        assert!(kyrgyz_letters("Көк-Жар") > kyrgyz_letters("Кок-Жар"));
    }
}
