//! Where things are in a letter: addressee/title block, body, footer; and whether a page opens a letter.

use crate::contacts::find_dates;
use crate::text::{fuzzy_eq, key_line, Doc};

/// Title words (keys: ө→о, ү→у, ң→н).
const TITLES: &[&str] = &[
    "арыз",
    "даттануу",
    "кайрылуу",
    "отунуч",
    "билдируу",
    "арыз-даттануу",
    "арыз-отунуч",
    "отунмо",
    "заявление",
    "жалоба",
    "обращение",
    "сообщение",
    "ходатайство",
    "ыраазычылык",
    "благодарность",
];
/// Addressee words (prefixes of keys).
const ADDRESSEE: &[&str] = &[
    "башчысына",
    "комиссиясына",
    "торагасына",
    "акимине",
    "кенешине",
    "жетекчисине",
    "главе",
    "председател",
    "акиму",
    "начальнику",
    "директору",
    "комиссию",
];
/// Words after which the applicant's name follows.
pub(crate) const NAME_MARKERS: &[&str] = &[
    "тургуну",
    "тургунунан",
    "жашоочусу",
    "жашоочусунан",
    "жителя",
    "жительницы",
    "гражданина",
    "гражданки",
];
/// Address labels.
pub(crate) const ADDRESS_LABELS: &[&str] = &[
    "дареги",
    "дарек",
    "дареки",
    "адрес",
    "адреси",
    "мекен-жайы",
    "почтовый",
];
/// Phone labels.
pub(crate) const PHONE_LABELS: &[&str] = &[
    "тел",
    "телефон",
    "телефону",
    "телефондору",
    "байланыш",
    "моб",
    "мобильный",
    "уюлдук",
    "контакт",
    "контакты",
];
/// Signature labels.
pub(crate) const SIGN_LABELS: &[&str] = &["колу", "кол", "подпись", "колтамга"];

/// True when the first word of a line (key) is one of the labels (fuzzy for long labels).
pub(crate) fn starts_with_label(line_key: &str, labels: &[&str]) -> bool {
    line_key
        .split([' ', ':', '.'])
        .find(|w| !w.is_empty())
        .is_some_and(|w| labels.iter().any(|l| fuzzy_eq(w, l)))
}

/// True when a line is a title ("АРЫЗ", "Жалоба", ...).
pub(crate) fn is_title(line_key: &str) -> bool {
    let words: Vec<&str> = line_key.split_whitespace().collect();
    if words.is_empty() || words.len() > 2 {
        return false;
    }
    let w = words.join("-");
    TITLES.iter().any(|t| fuzzy_eq(&w, t))
}

/// True when a line names the addressee ("... башчысына", "Главе ...").
pub(crate) fn is_addressee(line_key: &str) -> bool {
    line_key
        .split_whitespace()
        .any(|w| ADDRESSEE.iter().any(|a| w.starts_with(a)))
}

/// True when a line has a name marker ("тургуну", "от жителя").
pub(crate) fn has_name_marker(line_key: &str) -> bool {
    line_key
        .split_whitespace()
        .any(|w| NAME_MARKERS.iter().any(|m| fuzzy_eq(w, m)))
}

/// True when a line marks the letter anonymous.
pub(crate) fn is_anonymous_marker(line_key: &str) -> bool {
    line_key.split_whitespace().any(|w| w.starts_with("аноним"))
}

/// How strongly the first lines of a page look like the start of a letter (0 = not at all).
pub(crate) fn opening_score(text: &str) -> u32 {
    let lines: Vec<String> = text
        .lines()
        .map(key_line)
        .filter(|l| !l.is_empty())
        .take(16)
        .collect();
    let mut score = 0;
    // A page whose first line starts in lower case continues a sentence from the previous page.
    let continues = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .filter(|l| l.split_whitespace().count() >= 3)
        .and_then(|l| l.trim().chars().find(|c| c.is_alphanumeric()))
        .is_some_and(|c| c.is_lowercase());
    let title = lines.iter().take(14).any(|l| is_title(l));
    if continues {
        // Only a title line can still open a letter here (an addressee line lost to the scan).
        return if title { 2 } else { 0 };
    }
    // The addressee block is a few short lines; a full-width body line that mentions "the head of the
    // council" ("... айыл өкмөтүнүн башчысына оозеки айткам") is not one.
    if lines
        .iter()
        .take(3)
        .any(|l| is_addressee(l) && l.split_whitespace().count() <= 7)
    {
        score += 2;
    }
    if title {
        score += 2;
    }
    // Header lines are short; a body line that merely mentions residents ("... остальным
    // жителям") is no applicant line.
    let labels = lines
        .iter()
        .take(10)
        .filter(|l| {
            (has_name_marker(l) && l.split_whitespace().count() <= 6)
                || starts_with_label(l, ADDRESS_LABELS)
                || starts_with_label(l, PHONE_LABELS)
        })
        .count();
    score += labels.min(2) as u32;
    if lines
        .iter()
        .take(8)
        .any(|l| is_anonymous_marker(l) && l.split_whitespace().count() <= 2)
    {
        score += 1;
    }
    score
}

/// Line ranges of a letter's parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// Lines `[0, header_end)` are the addressee/applicant block.
    pub header_end: usize,
    /// The title line, when found.
    pub title: Option<usize>,
    /// Body lines `[body_start, footer_start)`.
    pub body_start: usize,
    /// First footer line (date, signature).
    pub footer_start: usize,
}

/// True when every token of the line looks like part of a person's name.
pub(crate) fn name_like_line(doc: &Doc, i: usize) -> bool {
    let toks = doc.line_toks(i);
    (2..=4).contains(&toks.len()) && toks.iter().all(|t| crate::applicant::name_token(&t.text))
}

/// Finds the parts of a letter.
pub(crate) fn layout(doc: &Doc) -> Layout {
    let n = doc.lines.len();
    let first_page_lines = doc.lines.iter().take_while(|l| l.page == 0).count();
    let scan = first_page_lines.min(16);
    let keys: Vec<String> = (0..n).map(|i| doc.line_key(i)).collect();
    let title = (0..scan).find(|&i| is_title(&keys[i]));
    let header_end = match title {
        Some(t) => t,
        None => {
            let last_label = (0..scan.min(12)).rev().find(|&i| {
                let k = &keys[i];
                has_name_marker(k)
                    || starts_with_label(k, ADDRESS_LABELS)
                    || starts_with_label(k, PHONE_LABELS)
                    || (is_anonymous_marker(k) && k.split_whitespace().count() <= 2)
            });
            match last_label {
                Some(i) => {
                    // Wrapped continuation lines of the last label (short, not sentences).
                    let mut e = i + 1;
                    while e < scan
                        && doc.line_toks(e).len() <= 4
                        && !doc.lines[e].text.trim_end().ends_with(['.', '!'])
                    {
                        e += 1;
                    }
                    e
                }
                None => usize::from(n > 0 && is_addressee(&keys[0])),
            }
        }
    };
    let body_start = title.map_or(header_end, |t| t + 1).min(n);
    let mut footer_start = n;
    let mut i = n;
    while i > body_start && n - i < 6 {
        let j = i - 1;
        let k = &keys[j];
        let text = doc.lines[j].text.trim();
        let is_date = find_dates(text).iter().any(|d| d.coverage >= 0.6);
        let footerish = starts_with_label(k, SIGN_LABELS)
            || is_date
            || (is_anonymous_marker(k) && k.split_whitespace().count() <= 3)
            || name_like_line(doc, j)
            || k.starts_with("урматтоо менен")
            || k.starts_with("с уважением")
            || k.starts_with("тургундар")
            || k.starts_with("жители");
        if !footerish {
            break;
        }
        footer_start = j;
        i = j;
    }
    Layout {
        header_end,
        title,
        body_start,
        footer_start: footer_start.max(body_start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_open(text: &str, expected: bool) {
        assert_eq!(opening_score(text) >= 2, expected, "{text}");
    }

    #[test]
    fn pages_that_open_a_letter() {
        check_open("Өмүралиев айыл өкмөтүнүн башчысына\nМанас айылынын тургуну\nАсанов Бакыт\nАРЫЗ\nМен...", true);
        check_open(
            "Главе Омуралиевского айыл окмоту\nот жителя с. Манас Иванов И.И.\nЗАЯВЛЕНИЕ",
            true,
        );
        check_open(
            "Коррупциянын алдын алуу комиссиясына\nАнонимдүү\n\nДаттануу\nАйылда...",
            true,
        );
        check_open("ЖАЛОБА\nВ селе уже месяц нет воды.", true);
        check_open(
            "көрүшкөн. Ошол эле учурда мектепке көмүр ташууга машина жок\nдеп айтышат.",
            false,
        );
        check_open(
            "Прошу провести проверку и принять меры.\n02.10.2024\nПодпись: Аноним",
            false,
        );
        check_open("", false);
        // Third page of a long letter: a body line that mentions the head of the council.
        check_open(
            "Мен бул маселени айыл өкмөтүнүн башчысына оозеки түрдө эки\nжолу айткам. Ал текшеребиз деп убада берген.",
            false,
        );
        check_open(
            "пайдасына колдонууга жол бербөө керек.\nКоррупциянын алдын алуу комиссиясына кайрылып жатам.",
            false,
        );
        check_open(
            "пришлось поставить прямо в квартире.\nЖители готовы собрать необходимые подписи и помочь с\nподготовкой.",
            false,
        );
        // Last page of a long letter that starts with a full sentence and mentions the
        // residents twice in body lines.
        check_open(
            "Мы изучили, как решали подобные вопросы в других сёлах района. В\nтаких проектах. Жители готовы собрать необходимые подписи и\nиз представителей домов, которая будет знакомиться со сметой,\nприсутствовать при приёмке работ и рассказывать остальным жителям",
            false,
        );
    }

    #[test]
    fn titles_tolerate_ocr_noise() {
        assert!(is_title(&key_line("АРЫЗ")));
        assert!(is_title(&key_line("Даттануу.")));
        assert!(is_title(&key_line("ЗАЯВЛЕНИЕ")));
        assert!(is_title(&key_line("ЗАЯВЛЕНИF")));
        assert!(!is_title(&key_line("Арыз жазып жатам")));
    }
}
