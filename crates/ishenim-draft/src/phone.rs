//! The applicant's phone: every number in the letter, scored by where it stands and whose
//! it is ("телефонум 0700 …" is the writer's; "катчысы … (тел. 0700 …)" is an official's).

use crate::contacts::{find_loose_phones, parse_phone, Phone};
use crate::layout::{starts_with_label, Layout, PHONE_LABELS};
use crate::text::{conf_of, Doc};

/// Words near a number that make it the writer's own (keys, prefixes).
const MINE: &[&str] = &[
    "менин",
    "мага",
    "телефонум",
    "номерим",
    "номериме",
    "мой",
    "мне",
    "моему",
    "мною",
    "звоните",
    "звонить",
    "связи",
    "байланыш",
    "чалыныз",
    "чалсаныз",
    "чалып койсоныз",
    "контакт",
    "уюлдук",
];
/// Words before a number in its sentence that make it someone else's (keys, prefixes).
const OTHERS: &[&str] = &[
    "анын",
    "его",
    "ее",
    "её",
    "башчынын",
    "позвонил",
    "звонил",
    "чалдым",
    "чалсак",
    "чалганда",
    "катчысынын",
    "директордун",
    "адистин",
    "кызматкердин",
    "коншу",
    "кошуна",
    "сосед",
    "жолдошу",
    // someone else's number quoted in the complaint: an acquaintance's, a firm's
    "знакомо",
    "тааныш",
    "фирма",
    "фирмы",
];

/// Words of a relative's number the writer can be reached through ("0772 … (аялымдыкы)",
/// "Телефон дочери"): the writer's contact when it is the only one, second to the writer's
/// own beside it.
const RELATIVES: &[&str] = &[
    "аялым",
    "жубайым",
    "куйоом",
    "уулум",
    "кызым",
    "неберем",
    "апам",
    "атам",
    "агам",
    "иним",
    "эжем",
    "карындашым",
    "жены",
    "мужа",
    "сына",
    "дочер",
    "брата",
    "сестры",
    "внук",
];

/// True for a word that says whose the number is: an official's or a relative's ("мирабдын
/// номери", "катчынын").
fn others(key: &str) -> bool {
    const GENITIVE: &[&str] = &[
        "нын", "нин", "дын", "дин", "тын", "тин", "нун", "дун", "тун",
    ];
    OTHERS.iter().any(|w| key.starts_with(w))
        || crate::candidates::is_role(key) && GENITIVE.iter().any(|g| key.ends_with(g))
}

/// One phone found in the letter.
struct Found {
    phone: Phone,
    line: usize,
    score: i32,
}

/// Every phone on line `li` (labelled remainder or loose numbers, a number wrapped onto the
/// next line included).
fn phones_on_line(doc: &Doc, li: usize) -> Vec<Phone> {
    let text = &doc.lines[li].text;
    let mut out = find_loose_phones(text);
    let label_at = doc
        .line_toks(li)
        .iter()
        .position(|t| starts_with_label(&t.key, PHONE_LABELS));
    if out.is_empty() && label_at.is_some() {
        let after: String = doc.line_toks(li)[label_at.unwrap_or(0)..]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let text = &after;
        let digits_from = text.find(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
        let mut rest = digits_from.map_or("", |d| &text[d..]).to_string();
        if let Some(next) = doc.lines.get(li + 1) {
            // The rest of the number on the next line, digits possibly read as look-alike
            // letters ("Өз 91" for "03 91").
            let digits_only = next
                .text
                .chars()
                .all(|c| crate::contacts::digit(c, true).is_some() || " -()".contains(c));
            let has_digit = next.text.chars().any(|c| c.is_ascii_digit());
            if parse_phone(&rest).is_none_or(|p| !p.e164) && digits_only && has_digit {
                rest = format!("{rest} {}", next.text.trim());
            }
        }
        out.extend(parse_phone(&rest));
    }
    out
}

/// With several numbers on one line ("Менин номерим 0705 …, коңшумдун номери 0555 …"),
/// the clause around each number says whose it is: +2 mine, -3 someone else's, -1 a
/// relative's, 0 neither.
fn clause_score(doc: &Doc, li: usize, phone: &Phone) -> i32 {
    let toks = doc.line_toks(li);
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        let end = i + 1 == toks.len() || t.text.ends_with([',', ';', '.', '!', '?']);
        if !end {
            continue;
        }
        let clause = &toks[start..=i];
        start = i + 1;
        let text: Vec<&str> = clause.iter().map(|t| t.text.as_str()).collect();
        if !find_loose_phones(&text.join(" "))
            .iter()
            .any(|p| p.value == phone.value)
        {
            continue;
        }
        let has = |list: &[&str]| {
            clause
                .iter()
                .any(|t| list.iter().any(|w| t.key.starts_with(w)))
        };
        return if clause.iter().any(|t| others(&t.key)) {
            -3
        } else if clause
            .iter()
            .any(|t| RELATIVES.iter().any(|w| t.key.starts_with(w)))
        {
            -1
        } else if has(MINE) {
            2
        } else {
            0
        };
    }
    0
}

/// How likely the number on line `li` is the writer's.
fn score(doc: &Doc, lay: &Layout, li: usize, name: &[usize]) -> i32 {
    let n = doc.lines.len();
    let toks = doc.line_toks(li);
    let mut s = 0;
    if li < lay.body_start || li >= lay.footer_start || li + 4 >= n {
        s += 2;
    }
    if starts_with_label(&doc.line_key(li), PHONE_LABELS) {
        s += 1;
    }
    let sentence = toks.first().map(|t| t.sentence);
    let near: Vec<&str> = doc
        .toks
        .iter()
        .filter(|t| t.line == li || Some(t.sentence) == sentence)
        .map(|t| t.key.as_str())
        .collect();
    // On a paragraph-long line the name and "мне" may be far from the number: its clause
    // decides instead (`clause_score`).
    let long = long_line(doc, li);
    if !long && near.iter().any(|k| MINE.iter().any(|m| k.starts_with(m))) {
        s += 2;
    }
    // "Мирабдын телефону 0700 …", "его номер …": a role or someone else's word before the number.
    // A number at the start of a line continues the previous line ("(анын телефону\n0700 …").
    let mut before: Vec<&crate::text::Tok> = toks
        .iter()
        .take_while(|t| !t.text.chars().any(|c| c.is_ascii_digit()))
        .collect();
    if before.is_empty() && li > 0 {
        let prev = doc.line_toks(li - 1);
        before.extend(prev.iter().rev().take(3));
    }
    // "Ата-энелер комитетинин төрайымы Абдиева Нуржан / 0 700 …": a role on the applicant's
    // own line is the writer's capacity, not someone else's number.
    let signer = |line: usize| name.iter().any(|&t| doc.toks[t].line == line);
    let own_capacity = signer(li)
        || before
            .first()
            .is_some_and(|t| t.line != li && signer(t.line));
    let role_before = !own_capacity
        && before.iter().any(|t| {
            OTHERS.iter().any(|o| t.key.starts_with(o)) || crate::candidates::is_role(&t.key)
        });
    let paren_after_name =
        doc.lines[li].text.contains("(тел") && !name.iter().any(|&t| doc.toks[t].line == li);
    if role_before || paren_after_name {
        s -= 3;
    }
    if !long && name.iter().any(|&t| doc.toks[t].line == li) {
        s += 2;
    }
    // "3. 0700 …" in a list of signers; "+996 705 …" is no list number.
    let numbered = toks.first().is_some_and(|t| {
        let n = t.text.trim_end_matches(['.', ')']);
        t.text.ends_with(['.', ')']) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    });
    if numbered {
        s -= 1;
    }
    s
}

/// The chosen phone: value, confidence and the tokens of its line.
/// A line as long as a paragraph (a letter typed without line breaks).
fn long_line(doc: &Doc, li: usize) -> bool {
    doc.line_toks(li).len() > 16
}

pub(crate) struct PhoneChoice {
    pub phone: Option<String>,
    pub confidence: f32,
    pub toks: Vec<usize>,
}

/// Chooses the applicant's phone among every number of the letter (`name` = the
/// applicant's name tokens): none when the only numbers are someone else's.
pub(crate) fn choose_phone(doc: &Doc, lay: &Layout, name: &[usize]) -> PhoneChoice {
    let mut found: Vec<Found> = Vec::new();
    for li in 0..doc.lines.len() {
        let phones = phones_on_line(doc, li);
        let several = phones.len() > 1;
        for phone in phones {
            if !found.iter().any(|f| f.phone.value == phone.value) {
                // A lone phone's clause counts only against it ("анын телефону …").
                let own = clause_score(doc, li, &phone);
                let own = if several || long_line(doc, li) {
                    own
                } else if own == -1 {
                    // A relative's number alone is how to reach the writer.
                    0
                } else {
                    own.min(0)
                };
                found.push(Found {
                    score: score(doc, lay, li, name) + own,
                    phone,
                    line: li,
                });
            }
        }
    }
    // Of equal numbers the first written ("0772 …, 0772 … (аялымдыкы)").
    let best = found
        .iter()
        .rev()
        .filter(|f| f.score >= 0)
        .max_by_key(|f| (f.score, usize::MAX - f.line));
    let Some(best) = best else {
        return PhoneChoice {
            phone: None,
            confidence: if found.is_empty() { 0.75 } else { 0.5 },
            toks: vec![],
        };
    };
    let toks: Vec<usize> = (doc.lines[best.line].start..doc.lines[best.line].end).collect();
    let rivals = found
        .iter()
        .filter(|f| f.score >= best.score - 1 && f.phone.value != best.phone.value)
        .count();
    let base = if best.phone.repaired {
        0.7
    } else if best.phone.e164 {
        0.95
    } else {
        0.6
    };
    let sure = if best.score >= 2 && rivals == 0 {
        1.0
    } else {
        0.6
    };
    PhoneChoice {
        phone: Some(best.phone.value.clone()),
        confidence: base * sure * (0.5 + 0.5 * conf_of(doc, &toks)),
        toks,
    }
}

#[cfg(test)]
mod tests {
    use crate::{draft_letters, eval::page_from_text, Models};

    fn phone_of(text: &str) -> Option<String> {
        let pages = vec![page_from_text("p1", text)];
        draft_letters(&pages, &Models::embedded()).remove(0).phone
    }

    #[test]
    fn a_number_quoted_in_a_paragraph_long_line_is_not_the_writers() {
        let text = "Председателю айыл окмоту\nЯ, Усенов Бекболот Рахатович, житель с. Ой-Малы, ул. Мусаева, 22, обращаюсь по поводу справки. Секретарь говорит «приходите завтра». На прошлой неделе она дала мне номер своего знакомого 0709 11 22 48 и сказала, что если ему перевести 1000 сомов, справка будет.\n07.10.25\nУсенов Б.Р., тел. 0551 640 093";
        assert_eq!(phone_of(text).as_deref(), Some("+996551640093"));
    }

    #[test]
    fn a_number_with_its_country_code_is_no_list_number() {
        let text = "Айыл өкмөтүнө\nАРЫЗ\nЖол бузулду.\nОкул – Асанов Бакыт\nАк-Суу айылы, 9\n+996 705 770 312\n\nКол койгондор:\nАсанов Б.\nТөлөнова Айгүл\nОморов Эрлан";
        assert_eq!(phone_of(text).as_deref(), Some("+996705770312"));
    }

    #[test]
    fn of_two_numbers_on_a_line_the_writers_own() {
        let text = "Айыл өкмөтүнүн башчысына\nАРЫЗ\nАрык жабылды. Менин номерим 0705 21 87 33, коңшумдун номери\n0555 67 12 09, экөөбүз тең келишке даярбыз.\n2025-ж. 19-май\nКенжебаев Улан";
        assert_eq!(phone_of(text).as_deref(), Some("+996705218733"));
        let text = "Айыл өкмөтүнүн башчысына\nАРЫЗ\nАрык жабылды. Коңшумдун номери 0555 67 12 09, менин номерим 0705 21 87 33.\n2025-ж. 19-май\nКенжебаев Улан";
        assert_eq!(phone_of(text).as_deref(), Some("+996705218733"));
    }

    #[test]
    fn an_officials_or_a_relatives_number_beside_the_writers_and_a_relatives_alone() {
        let letter = |contact: &str| {
            format!("Айыл өкмөтүнө\nАРЫЗ\nЖол бузулду, оңдоп бериңиздер.\n\nКолу: Алыкулов Дастан\n{contact}")
        };
        let wife = letter("0772 14 50 07, 0772 14 50 08 (аялымдыкы)");
        assert_eq!(phone_of(&wife).as_deref(), Some("+996772145007"));
        let mirab = letter("Тел.: 0555 60 20 48, мирабдын номери 0555 31 77 02");
        assert_eq!(phone_of(&mirab).as_deref(), Some("+996555602048"));
        let daughter = letter("Телефон дочери: 0 701 33 05 18");
        assert_eq!(phone_of(&daughter).as_deref(), Some("+996701330518"));
        // An official's genitive in the sentence before does not make the number theirs.
        let before = letter("Жер адисинин ишин текшериңиз. Менин номерим 0551 82 06 39, чалыңыз.");
        assert_eq!(phone_of(&before).as_deref(), Some("+996551820639"));
    }

    #[test]
    fn a_signers_own_capacity_does_not_make_the_number_an_officials() {
        let text = "АРЫЗ\n\nМектепте жылуулук жок. Казанды оңдотуп берүүнү суранабыз.\n\nАта-энелер комитетинин төрайымы Абдиева Нуржан\n0 700 55 66 01\n23-ноябрь 2026-ж.";
        assert_eq!(phone_of(text).as_deref(), Some("+996700556601"));
        // Someone else's office on the line above: still not the writer's.
        let text = "АРЫЗ\n\nМираб суу бербей жатат, ал акча сурайт. Анын номери\nмираб Токтосунов\n0 700 55 66 01\nсуранабыз.\n\nАсанов Бакыт";
        assert_eq!(phone_of(text), None);
    }

    #[test]
    fn a_signer_above_the_note_on_attached_signatures_gives_name_and_phone() {
        let text = "Чоң-Таш айыл өкмөтүнүн башчысына\nЧоң-Таш айылынын тургундарынан\n\nКөпүрөнү оңдоого цемент менен жардам беришиңиздерди суранабыз.\n\nКөчө башчысы Эркебаев Самат, тел. 0 550 12 33 09\nжана дагы 23 үйдүн колдору тиркелди";
        let d = draft_letters(&[page_from_text("p1", text)], &Models::embedded());
        assert_eq!(d[0].phone.as_deref(), Some("+996550123309"));
        assert_eq!(d[0].applicant.name.as_deref(), Some("Эркебаев Самат"));
    }
}
