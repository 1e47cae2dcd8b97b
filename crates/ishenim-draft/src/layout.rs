//! Where things are in a letter: addressee/title block, body, footer; and whether a page opens a letter.

use crate::contacts::find_dates;
use crate::text::{fuzzy_eq, key_line, key_word, Doc};

/// Title words (keys: ө→о, ү→у, ң→н).
const TITLES: &[&str] = &[
    "арыз",
    "арызы",
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
    "ыраазычылык-кат",
    "ыракмат-кат",
    "тушундурмо-кат",
    "тушундурмо",
    "сунуш",
    "сунуш-кат",
    "благодарность",
    "благодарственное-письмо",
    "объяснительная",
    "предложение",
    "письмо",
    "кат",
    "ачык-кат",
    "открытое-письмо",
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
    "мырзага",
    "айымга",
    "окмотуно",
    "окмотуна",
    "болумуно",
    "башкармалыгына",
    "кочурмосу",
    "копия",
    "прокурору",
    "депутату",
    "депутатам",
    "депутатына",
    "депутаттарына",
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
    // a writer's own standing, said of themself ("от пенсионерки …", "… ардагери …")
    "пенсионерки",
    "пенсионера",
    "ветерана",
    "инвалида",
    "вдовы",
    "студента",
    "студентки",
    "ардагери",
    "пенсионери",
];
/// Address labels (first word of the line; keys).
pub(crate) const ADDRESS_LABELS: &[&str] = &[
    "дареги",
    "дарегим",
    "дарек",
    "дареки",
    "адрес",
    "адреси",
    "адресим",
    "мекен-жайы",
    "мекен-жайым",
    "почтовый",
    "проживающий",
    "проживающая",
    "проживающего",
    "проживающей",
    "проживаю",
    "место",
    "турган",
    "жашаган",
    "жашаган-жери",
    "мекендеген",
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
    "контактный",
    "байланыштар",
    "номер",
    "номерим",
    "тел/факс",
    "уюлдук",
    "моб.тел",
];
/// Labels before the applicant's name (first words of the line; keys).
pub(crate) const NAME_LABELS: &[&str] = &[
    "кимден",
    "от",
    "арыз ээси",
    "арыз беруучу",
    "аты-жону",
    "аты жону",
    "аты-жонум",
    "фио",
    "ф.и.о",
    "ф.а.а",
    "ф а а",
    "ф и о",
    "заявитель",
    "жонотуучу",
    "кайрылуучу",
    "даттануучу",
    "автор",
    "фамилия",
    "арызчы",
    "отправитель",
    "податель",
    "жиберуучу",
    "жиберген",
    "кол коюучу",
    "арыз жазган",
    "от кого",
];
/// Polite closings and signature headings: what follows is the signature block.
pub(crate) const CLOSINGS: &[&str] = &[
    "урматтоо менен",
    "урмат менен",
    "ызаат менен",
    "ызаат-урмат менен",
    "ызат менен",
    "ызат-урмат менен",
    "терен урматта",
    "умут менен",
    "с благодарностью",
    "с признательностью",
    "с надеждой",
    "с надеждой на понимание",
    "урматым менен",
    "с почтением",
    "искренне ваш",
    "искренне ваша",
    "сый-урмат менен",
    "сый урмат менен",
    "терен урмат менен",
    "алдын ала рахмат",
    "алдын ала ыраазычылык",
    "ыраазычылык менен",
    "салам менен",
    "с уважением",
    "с глубоким уважением",
    "заранее благодарю",
    "заранее спасибо",
    "заранее благодарна",
    "заранее благодарен",
    "кол койгондор",
    "кол коюшкандар",
    "кол коюучулар",
    "подписи",
    "подписали",
];
/// Signature labels.
pub(crate) const SIGN_LABELS: &[&str] = &["колу", "кол", "подпись", "колтамга"];

/// True when the line (key) starts with one of the phrases (word by word, fuzzy for long
/// words): "урматтоо менен", "арыз ээси".
pub(crate) fn starts_with_phrase(line_key: &str, phrases: &[&str]) -> bool {
    let words: Vec<&str> = line_key
        .split([' ', ':', ',', '!'])
        .filter(|w| !w.is_empty())
        .collect();
    phrases.iter().any(|p| {
        let pw: Vec<&str> = p.split(' ').collect();
        words.len() >= pw.len() && pw.iter().zip(&words).all(|(a, b)| fuzzy_eq(b, a))
    })
}

/// Number of words of the name label a line starts with (0 when none).
pub(crate) fn name_label_len(line_key: &str) -> usize {
    let words: Vec<&str> = line_key
        .split([' ', ':'])
        .filter(|w| !w.is_empty())
        .collect();
    NAME_LABELS
        .iter()
        .filter_map(|p| {
            let pw: Vec<&str> = p.split(' ').collect();
            (words.len() >= pw.len() && pw.iter().zip(&words).all(|(a, b)| fuzzy_eq(b, a)))
                .then_some(pw.len())
        })
        .max()
        .unwrap_or(0)
}

/// True when the first word of a line (key) is one of the labels (fuzzy for long labels).
pub(crate) fn starts_with_label(line_key: &str, labels: &[&str]) -> bool {
    line_key
        .split([' ', ':', '.'])
        .find(|w| !w.is_empty())
        .is_some_and(|w| labels.iter().any(|l| fuzzy_eq(w, l)))
}

/// True when a short line names the letter's subject ("Жалоба на грубое обращение", "О
/// ремонте дороги", "Суу кезеги боюнча", "Мектептеги тамак жөнүндө").
pub(crate) fn subject_line(line_key: &str) -> bool {
    let words: Vec<&str> = line_key.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    let last = words
        .last()
        .copied()
        .unwrap_or("")
        .trim_end_matches(['.', ':']);
    (2..=8).contains(&words.len())
        && ([
            "жалоба на",
            "заявление о",
            "обращение о",
            "по поводу",
            "по вопросу",
            "тема",
        ]
        .iter()
        .any(|p| line_key.starts_with(p))
            || matches!(first, "о" | "об")
            || matches!(last, "боюнча" | "жонундо" | "тууралуу" | "жонуно"))
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
    let words = || line_key.split_whitespace();
    // "Кимге: Ак-Кыя айыл өкмөтүнүн башчысы", "Кому: …": the label says it.
    if words().next().is_some_and(|w| w == "кимге" || w == "кому") {
        return true;
    }
    words().any(|w| ADDRESSEE.iter().any(|a| w.starts_with(a)) || initials_dative(w))
        // "Айыл өкмөтүнүн башчысы Т. Насирдиновго": an office and a surname in the dative.
        || words().any(dative_surname) && words().any(crate::candidates::is_role)
}

/// A short line naming the council in any case ("Айыл окмоту с. Долоно", "В айыл окмоту
/// Кызыл-Жар-Сай"): at the top of a letter, its addressee.
fn names_council(line_key: &str) -> bool {
    let words: Vec<&str> = line_key.split_whitespace().collect();
    words.len() <= 7
        && words.windows(2).any(|w| {
            // "айыл өкмөткө": the short dative villagers write too.
            w[0] == "айыл" && matches!(w[1], "окмоту" | "окмотуно" | "окмотуна" | "окмотко")
                // "Айыл өкмөтүнүн архивине": one of the council's offices in the dative.
                || w[0] == "айыл" && w[1] == "окмотунун" && words.last().is_some_and(|l| dative_end(l))
        })
}

/// True when a word ends like a Kyrgyz dative ("архивине", "башчысына", "бөлүмүнө").
fn dative_end(word: &str) -> bool {
    ["на", "не", "но", "га", "ге", "го", "ка", "ке", "ко"]
        .iter()
        .any(|e| word.strip_suffix(e).is_some_and(|s| s.chars().count() >= 3))
}

/// A surname (key) in the Kyrgyz dative ("насирдиновго", "асановага", "бекова ге").
fn dative_surname(word: &str) -> bool {
    ["го", "гө", "ге", "га", "ке", "ка", "ко", "кө"]
        .iter()
        .any(|e| {
            word.strip_suffix(e)
                .is_some_and(crate::candidates::surname_like)
        })
}

/// Initials with a Kyrgyz dative ending ("т.ге", "н.т.га"): the addressee of a letter.
fn initials_dative(word: &str) -> bool {
    let Some((initials, ending)) = word.rsplit_once('.') else {
        return false;
    };
    // "Э.-ге": the ending after a hyphen.
    let ending = ending.strip_prefix('-').unwrap_or(ending);
    let initials_only = initials
        .split('.')
        .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    initials_only
        && matches!(
            ending,
            "га" | "ге" | "ка" | "ке" | "го" | "гө" | "ко" | "кө"
        )
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

/// True when a page's first line goes on with a sentence from the page before: three or
/// more words starting in lower case, but not a place abbreviation ("с. Кара-Бак, 3 апреля").
fn starts_mid_sentence(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    // "[лаве …": a capital the OCR broke into a bracket; no sentence goes on from there.
    if first.starts_with(|c: char| !c.is_alphanumeric() && !matches!(c, '«' | '"' | '(')) {
        return false;
    }
    let abbreviation =
        first.ends_with('.') && first.chars().filter(|c| c.is_alphabetic()).count() <= 3;
    line.split_whitespace().count() >= 3
        && !abbreviation
        && line
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(char::is_lowercase)
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
        .is_some_and(starts_mid_sentence);
    let title = lines.iter().take(14).any(|l| is_title(l));
    if continues {
        // Only a title line can still open a letter here (an addressee line lost to the scan).
        return if title { 2 } else { 0 };
    }
    // The addressee block is a few short lines; a full-width body line that mentions "the head of the
    // council" ("... айыл өкмөтүнүн башчысына оозеки айткам") is not one.
    // (Below a place-and-date line too: "с. Кара-Бак, 3 апреля 2025 г." / "Главе …".)
    if lines.iter().take(4).any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        // "Лейлек районунун билим берүү бөлүмүнө жана Кош-Булак айыл өкмөтүнө": two
        // bodies addressed at once make a longer line, which ends with the council's
        // dative (a body sentence goes on to its verb).
        let council = words
            .last()
            .is_some_and(|w| *w == "окмотуно" || *w == "окмотуна")
            && !matches!(words.first().copied(), Some("мен" | "биз" | "я" | "мы"));
        is_addressee(l) && (words.len() <= 7 || council && words.len() <= 10)
    }) {
        score += 2;
    }
    // "Айыл окмоту с. Долоно", "В айыл окмоту …": the council named on a short first line
    // is the addressee, whatever its case.
    if lines.first().is_some_and(|l| names_council(l)) {
        score += 2;
    }
    // "Аты-жөнүмдү жазбайм, …": a writer who keeps their name back says so first.
    if lines
        .iter()
        .take(2)
        .any(|l| crate::applicant::ANON_PHRASES.iter().any(|p| l.contains(p)))
    {
        score += 2;
    }
    if title {
        score += 2;
    }
    // Header lines are short; a body line that merely mentions residents ("... остальным
    // жителям") is no applicant line.
    // A sender label ("Жиберген:", "От:") counts only near the top: "От этого …" also opens
    // body sentences.
    let labels = lines
        .iter()
        .take(10)
        .enumerate()
        .filter(|(i, l)| {
            (has_name_marker(l) && l.split_whitespace().count() <= 6)
                || starts_with_label(l, ADDRESS_LABELS)
                || starts_with_label(l, PHONE_LABELS)
                || *i < 3 && starts_with_label(l, NAME_LABELS)
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

/// First words that open a letter: the writer ("Мен", "Я", "Биз") or a greeting
/// ("Ассалому алейкум", "Саламатсызбы", "Здравствуйте", "Добрый день").
const LETTER_OPENINGS: &[&str] = &[
    "мен",
    "я",
    "биз",
    "мы",
    "урматтуу",
    "уважаем",
    "саламатсызбы",
    "салам",
    "ассалом",
    "ассалам",
    "здравствуй",
    "здраст",
    "добрый",
];

/// Greetings that open a letter and never go on with a sentence (keys).
const GREETINGS: &[&str] = &["саламатсыз", "салам ", "ассалом", "ассалам", "здравствуй"];

/// True when a page continues the letter of the page before rather than starting one.
pub(crate) fn continues(prev: &str, page: &str, opening: u32) -> bool {
    let first = page
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let first_key = key_line(first);
    let page_number = first.split_whitespace().count() <= 3
        && first.chars().any(|c| c.is_ascii_digit())
        && (first_key
            .split(['-', ' ', '.'])
            .any(|w| w == "бет" || w == "стр" || w == "страница")
            || first.trim_matches(['-', ' ']).parse::<u32>().is_ok());
    // A lower-case first line goes on with the page before only when that page stopped
    // mid-letter: after a signature, a phone or a finished sentence it is a new letter by
    // a writer who does not capitalise ("бир эне катары жазып жатам").
    // A greeting in lower case ("саламатсызбы)) мен …") opens a letter all the same.
    let greeting = GREETINGS.iter().any(|g| first_key.starts_with(g));
    let mid_sentence =
        starts_mid_sentence(first) && !greeting && !ended(prev) && !ends_sentence(prev);
    if page_number || mid_sentence && opening < 2 {
        return true;
    }
    let opens = opening >= 1
        || LETTER_OPENINGS.iter().any(|w| {
            first_key
                .split(' ')
                .next()
                .is_some_and(|f| f.starts_with(w))
        });
    !opens && !ended(prev)
}

/// True when the page's last line ends with a full stop, `!` or `?`.
fn ends_sentence(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .is_some_and(|l| l.ends_with(['.', '!', '?']))
}

/// True when a page ends a letter: a closing, a signature label, a date or a name in its
/// last lines.
fn ended(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let name_word = |t: &&str| crate::applicant::name_token(t) || crate::candidates::initial(t);
    // The contact block: a phone on one of the last lines ("0705 91 24 37", "P.S. Мой
    // телефон …"), or a name followed by its address ("Васильев Андрей, …, с. Кызыл-Туу").
    // Only below the body: a header's phone line above the title does not end a page.
    let below_body = |i: usize| {
        lines[i + 1..]
            .iter()
            .all(|l| !is_title(&key_line(l)) && l.split_whitespace().count() <= 8)
    };
    let contact = (lines.len().saturating_sub(3)..lines.len()).any(|i| {
        let l = lines[i];
        let phone = crate::contacts::find_loose_phone(l).is_some()
            || starts_with_label(&key_line(l), PHONE_LABELS);
        phone && l.split_whitespace().count() <= 12 && below_body(i)
    }) || lines.last().is_some_and(|l| ends_with_phone(l));
    // A name on one of the last two lines ("Хамидов Р.А." above a date the OCR garbled).
    let named = lines.iter().rev().take(2).any(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        let n = w
            .iter()
            .position(|t| t.ends_with(','))
            .map_or(w.len(), |c| c + 1);
        (2..=4).contains(&n) && w[..n].iter().all(name_word)
    });
    contact
        || named
        || lines.iter().rev().take(5).any(|l| {
            let k = key_line(l);
            let words = l.split_whitespace().count();
            is_closing(&k)
                || k.split(' ').any(|w| SIGN_LABELS.contains(&w))
                || l.contains("___")
                || words <= 8 && !find_dates(l).is_empty()
                || crate::contacts::month_year_line(l)
                || (is_anonymous_marker(&k) && words <= 3)
        })
        || lines
            .last()
            .is_some_and(|l| signer_after_role(l) || signed_wrote(l))
        || lines.iter().rev().take(2).any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let k = key_line(l);
            (2..=4).contains(&w.len()) && w.iter().all(name_word)
                // "Жители домов №4 и №6": a group signs.
                || w.len() <= 6
                    && ["жител", "тургун", "жашоочу", "родител", "ата-эне"]
                        .iter()
                        .any(|g| k.starts_with(g))
                || w.len() <= 4
                    && [
                        "тургун",
                        "жител",
                        "житель",
                        "ата-эне",
                        "родител",
                        "жашоочу",
                        "аноним",
                        // "Мать ученика", "Окуучунун апасы", "Пенсионер": who signs, unnamed.
                        "мать",
                        "отец",
                        "бабушк",
                        "дедушк",
                        "апасы",
                        "атасы",
                        "энеси",
                        "пенсионер",
                        "малчы",
                    ]
                    .iter()
                    // "Сатыбалдиева Калыйча апаңар": a grandmother signs as "your mother".
                    .chain(SIGNER_KIN)
                    .any(|g| k.contains(g))
        })
}

/// True when a line ends with a full phone number ("… беришиңизди суранам. Тел 0505 44 71
/// 20."): letters end with the writer's phone, stories do not.
fn ends_with_phone(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (1..=5.min(words.len())).any(|n| {
        let tail = words[words.len() - n..].join(" ");
        tail.chars().filter(char::is_ascii_digit).count() >= 9
            && crate::contacts::find_loose_phone(&tail).is_some()
    })
}

/// A last line that says who wrote ("Мал багып жүргөн Кулов Эсен жазды.", "Написала
/// Орлова А."): a name before or after "wrote".
fn signed_wrote(line: &str) -> bool {
    let w: Vec<&str> = line
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .collect();
    let wrote = |t: &str| {
        let k = key_word(t);
        ["жазды", "жаздым", "жазган", "написал", "написала"].contains(&k.as_str())
    };
    let name_word = |t: &&str| {
        t.starts_with(char::is_uppercase)
            && (crate::applicant::name_token(t) || crate::candidates::initial(t))
    };
    let named = |ws: &[&str]| (2..=3).contains(&ws.iter().filter(|t| name_word(t)).count());
    match (w.first(), w.last()) {
        (_, Some(l)) if wrote(l) && w.len() <= 8 => {
            named(&w[w.len().saturating_sub(4)..w.len() - 1])
        }
        (Some(f), _) if wrote(f) && w.len() <= 4 => named(&w[1..]),
        _ => false,
    }
}

/// A short signature line: a role or two in lower case, then a capitalised name
/// ("пенсионер мугалим Чотонов Эркинбек", "ата-эне Асанова Г.").
fn signer_after_role(line: &str) -> bool {
    let w: Vec<&str> = line.split_whitespace().collect();
    let name_word = |t: &&str| {
        t.starts_with(char::is_uppercase)
            && (crate::applicant::name_token(t) || crate::candidates::initial(t))
    };
    let names = w.iter().rev().take_while(|t| name_word(t)).count();
    (2..=3).contains(&names)
        && w.len() <= 5
        && w[..w.len() - names]
            .iter()
            .all(|t| t.starts_with(char::is_lowercase))
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
    /// First line of a postscript after the signature ("P.S. Акыры катчы … деди"): it
    /// often holds the accusation, so it is read as body, and the footer lies before it.
    pub postscript: Option<usize>,
}

/// Words an elder signs with after the name ("апаңар", "атаңар": your mother, your father).
pub(crate) const SIGNER_KIN: &[&str] = &["апанар", "атанар", "эненер", "апаныз", "атаныз"];
/// A signer's capacity written before the name (keys).
pub(crate) const SIGNER_CAPACITY: &[&str] = &["ата-эне", "ата-энеси", "родитель", "родительница"];

/// True when every token of the line looks like part of a person's name (signature
/// strokes "______" aside).
pub(crate) fn name_like_line(doc: &Doc, i: usize) -> bool {
    let mut toks: Vec<&crate::text::Tok> = doc
        .line_toks(i)
        .iter()
        .filter(|t| !t.text.chars().all(|c| c == '_' || c == '/'))
        .collect();
    // "Сатыбалдиева Калыйча апаңар": an elder signs with "your mother" after the name.
    if toks.len() > 2
        && toks
            .last()
            .is_some_and(|t| SIGNER_KIN.contains(&t.key.as_str()))
    {
        toks.pop();
    }
    // "Ата-эне Абылкасымова Сабина": a parent signs with the capacity before the name.
    if toks.len() > 2 && SIGNER_CAPACITY.contains(&toks[0].key.as_str()) {
        toks.remove(0);
    }
    (2..=4).contains(&toks.len()) && toks.iter().all(|t| crate::applicant::name_token(&t.text))
}

/// True when a line reads as an address ("Кара-Суу айылы, Ленин көчөсү, 14-үй",
/// "с. Петровка, ул. Мира, 56"): an address word or a house number, a capitalised word,
/// short, and not an addressee line.
pub(crate) fn address_like(doc: &Doc, i: usize) -> bool {
    let toks = doc.line_toks(i);
    let key = doc.line_key(i);
    if toks.is_empty() || toks.len() > 14 || is_addressee(&key) || key.contains("окмот") {
        return false;
    }
    let has_word = toks.iter().enumerate().any(|(j, t)| {
        // "Гаврилюк С. И.": initials, not "с." for a village.
        if crate::text::initial_beside_name(toks, j) {
            return false;
        }
        // "Кара-Жыгач-Сай а.,": "а." abbreviates "айылы" (bare "а" is a conjunction).
        matches!(t.text.as_str(), "а." | "а.,")
            // The address words of a sender's line, except those that need the line around
            // them ("а" is also a conjunction, "айылдык кеңеш" the village council).
            || !matches!(t.key.as_str(), "а" | "айылдык")
                && crate::address::ADDRESS_WORDS.contains(&t.key.as_str())
            || t.key.ends_with("-уй")
            || t.key.starts_with("№")
            || t.key.ends_with("кочосу")
    });
    let capital = toks
        .iter()
        .any(|t| t.text.chars().next().is_some_and(char::is_uppercase));
    let sentence = doc.lines[i].text.trim_end().ends_with(['.', '!', '?']) && toks.len() > 6;
    has_word && capital && !sentence
}

/// True when a line is a polite closing or a signature heading.
pub(crate) fn is_closing(line_key: &str) -> bool {
    starts_with_phrase(line_key, CLOSINGS) || starts_with_label(line_key, SIGN_LABELS)
}

/// True when a line of the top of a letter is part of its header block (addressee, sender,
/// labels, an address, a phone, a date) rather than the first line of the body.
fn header_line(doc: &Doc, i: usize, key: &str) -> bool {
    let toks = doc.line_toks(i);
    let text = doc.lines[i].text.trim();
    let labelled = name_label_len(key) > 0
        || starts_with_label(key, ADDRESS_LABELS)
        || starts_with_label(key, PHONE_LABELS);
    // A long line is the body (the writer's introduction, "Мен, … тургуну …, …") unless it
    // is a labelled line of the sender block.
    // "Чаткал району, Ак-Ташар айыл өкмөтүнүн / башчысына": an addressee over two lines.
    let addressee_next = i + 1 < doc.lines.len() && is_addressee(&doc.line_key(i + 1));
    if addressee_next && toks.len() <= 8 && key.ends_with("нун") {
        return true;
    }
    // An addressee line may name two bodies ("… башчысына, … башкы врачына").
    if is_addressee(key) && toks.len() <= 16 && !text.ends_with(['.', '!', '?']) {
        return true;
    }
    if names_council(key) && !text.ends_with(['.', '!', '?']) {
        return true;
    }
    // "05.05.2025 Жумабаев Чыңгыз Асылбекович, Кара-Жыгач-Сай а., Жеңижок к., 18": date,
    // sender and address squeezed into one line, listed with commas.
    let listed = text.matches(',').count() >= 2 && address_like(doc, i);
    if (toks.len() > 8 && !listed || sentence_runs_on(doc, i)) && !labelled {
        return false;
    }
    name_label_len(key) > 0
        || has_name_marker(key)
        || starts_with_label(key, ADDRESS_LABELS)
        || starts_with_label(key, PHONE_LABELS)
        || (is_anonymous_marker(key) && toks.len() <= 3)
        || name_like_line(doc, i)
        || signer_and_capacity(doc, i)
        || address_like(doc, i)
        || find_dates(text).iter().any(|d| d.coverage >= 0.5)
        || crate::contacts::find_loose_phone(text).is_some() && toks.len() <= 6
        || (toks.len() <= 4 && !text.ends_with(['.', '!', '?', ',']) && !text.ends_with(':'))
}

/// True when line `i` is the start of a sentence that runs on into a long next line
/// ("Сай-Гүл айылында аз камсыз … тизмесинде айыл / кеңешинин эки депутатынын … турат."):
/// the body, even if its first words look like an address.
fn sentence_runs_on(doc: &Doc, i: usize) -> bool {
    let text = doc.lines[i].text.trim_end();
    let Some(next) = doc.lines.get(i + 1) else {
        return false;
    };
    let next_text = next.text.trim();
    let lower_next = next_text.chars().next().is_some_and(char::is_lowercase);
    let next_toks = doc.line_toks(i + 1).len();
    // "… медсестра, стаж 14 лет / с. Жаңы-Базар, ул. Больничная, д. 2": an address listed
    // with commas below is the sender block going on, not the sentence.
    let listed_address = next_text.matches(',').count() >= 2 && address_like(doc, i + 1);
    !text.ends_with(['.', ',', ':', ';', '!', '?', ')'])
        && lower_next
        && next_toks >= 5
        && doc.line_toks(i).len() + next_toks >= 12
        && !listed_address
}

/// Finds the parts of a letter.
pub(crate) fn layout(doc: &Doc) -> Layout {
    let n = doc.lines.len();
    let first_page_lines = doc.lines.iter().take_while(|l| l.page == 0).count();
    let scan = first_page_lines.min(18);
    let keys: Vec<String> = (0..n).map(|i| doc.line_key(i)).collect();
    let title = (0..scan).find(|&i| is_title(&keys[i]));
    let header_end = match title {
        Some(t) => t,
        None => (0..scan)
            .find(|&i| !header_line(doc, i, &keys[i]))
            .unwrap_or(0),
    };
    let mut body_start = title.map_or(header_end, |t| t + 1).min(n);
    // "Заявление / Главе … / от Хамидова Рустама …, / проживающего: …": a title above the
    // addressee; the sender block follows it.
    if title.is_some_and(|t| t + 1 == body_start && header_end == t)
        && body_start < scan
        && (is_addressee(&keys[body_start])
            || names_council(&keys[body_start])
            || name_label_len(&keys[body_start]) > 0)
    {
        body_start = (body_start..scan)
            .find(|&i| !header_line(doc, i, &keys[i]))
            .unwrap_or(body_start);
    }
    let postscript = postscript_start(doc, body_start);
    Layout {
        header_end,
        title,
        body_start,
        footer_start: footer_start(doc, &keys, body_start, postscript.unwrap_or(n)),
        postscript,
    }
}

/// The first line of a postscript among the last lines: "P.S.", "П.С.", and the OCR's
/// Cyrillic or digit look-alikes ("Р.5.").
fn postscript_start(doc: &Doc, body_start: usize) -> Option<usize> {
    let n = doc.lines.len();
    (n.saturating_sub(10).max(body_start + 1)..n).find(|&i| {
        let first = doc.line_toks(i).first().map_or("", |t| t.text.as_str());
        let latin: String = first
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| match c.to_uppercase().next().unwrap_or(c) {
                'Р' | 'П' => 'P',
                'С' | '5' => 'S',
                c => c,
            })
            .collect();
        latin == "PS" && first.contains('.')
    })
}

/// A short line that is mostly a number ("дом. 6-12-30", "моб. 0702 95 40 18"): a
/// contact line of the signature block.
fn number_line(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    digits >= 5 && letters <= 8 && text.split_whitespace().count() <= 6
}

/// "раб. тел. 0312 54-60-12 (звоню из Бишкека, …)": a phone label among the first words of
/// a line that holds a phone, however long the remark after it.
fn labelled_phone_line(doc: &Doc, i: usize) -> bool {
    let toks = doc.line_toks(i);
    toks.len() <= 16
        && toks
            .iter()
            .take(3)
            .any(|t| starts_with_label(&t.key, PHONE_LABELS))
        && crate::contacts::find_loose_phone(&doc.lines[i].text).is_some()
}

/// "Бабаджанов Ильхом Шавкатович, бывший работник водокачки": a line that opens with a full
/// name closed by a comma, then a few words on the signer.
pub(crate) fn signer_and_capacity(doc: &Doc, i: usize) -> bool {
    let toks = doc.line_toks(i);
    let run = toks
        .iter()
        .take_while(|t| crate::applicant::name_token(&t.text))
        .count();
    toks.len() <= 10
        && (2..=4).contains(&run)
        && toks[run - 1].text.ends_with(',')
        && toks[..run - 1].iter().all(|t| !t.text.ends_with(','))
}

/// "депутат айылного кенеша,": a short line naming an office, under the signer's name.
fn signers_office(doc: &Doc, i: usize) -> bool {
    let toks = doc.line_toks(i);
    toks.len() <= 6 && toks.iter().any(|t| crate::candidates::is_role(&t.key))
}

/// "жана дагы 23 үйдүн колдору тиркелди", "подписи жителей прилагаются": the writer says
/// the signatures follow on a list of their own, after the letter's last word.
fn signatures_attached(line_key: &str) -> bool {
    let has = |stems: &[&str]| {
        line_key
            .split_whitespace()
            .any(|w| stems.iter().any(|s| w.starts_with(s)))
    };
    has(&["колдор", "колу", "подпис"]) && has(&["тиркел", "прилага", "прилож", "кошо"])
}

/// First line of the footer: the last closing line in the last part of the letter, else the
/// run of date, signature, name, address and phone lines at its end.
fn footer_start(doc: &Doc, keys: &[String], body_start: usize, end: usize) -> usize {
    let n = end;
    let from = n.saturating_sub(14).max(body_start);
    if let Some(c) = (from..n).find(|&i| is_closing(&keys[i])) {
        return c;
    }
    let mut start = n;
    while start > body_start && n - start < 8 {
        let j = start - 1;
        let k = &keys[j];
        let text = doc.lines[j].text.trim();
        let footerish = starts_with_label(k, SIGN_LABELS)
            || name_label_len(k) > 0
            // "Депутат Сейткулов Азиз": the signer's office before the name, on a short line
            // (a body sentence may open the same way: "Айыл өкмөтүнүн жер адиси Жусупов …").
            || crate::candidates::signature_name_at(doc, j).is_some_and(|s| s > 0)
                && doc.line_toks(j).len() <= 10
            || find_dates(text).iter().any(|d| d.coverage >= 0.4)
            || !find_dates(text).is_empty() && doc.line_toks(j).len() <= 8
            || crate::contacts::month_year_line(text)
            || (is_anonymous_marker(k) && k.split_whitespace().count() <= 3)
            || name_like_line(doc, j)
            || has_name_marker(k) && doc.line_toks(j).len() <= 8
            // "Сарыбаева Жаңыл Мукашевна, 0556 02 08 44": a signer with their phone.
            || crate::candidates::signature_name_at(doc, j) == Some(0)
                && crate::contacts::find_loose_phone(text).is_some()
                && doc.line_toks(j).len() <= 10
            || address_like(doc, j)
            || starts_with_label(k, PHONE_LABELS)
            || crate::contacts::find_loose_phone(text).is_some() && doc.line_toks(j).len() <= 6
            || text.chars().all(|c| c == '_' || c.is_whitespace())
            || number_line(text)
            || labelled_phone_line(doc, j)
            || signer_and_capacity(doc, j)
            || j > 0 && signer_and_capacity(doc, j - 1) && signers_office(doc, j)
            || signatures_attached(k) && doc.line_toks(j).len() <= 8
            // "Жители" under the text signs it; "Жители домов … просят …" opens a sentence.
            || (k.starts_with("тургундар") || k.starts_with("жители"))
                && doc.line_toks(j).len() <= 6;
        if !footerish {
            break;
        }
        start = j;
    }
    start.max(body_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_open(text: &str, expected: bool) {
        assert_eq!(opening_score(text) >= 2, expected, "{text}");
    }

    #[test]
    fn a_grandmother_signing_as_your_mother_has_ended_and_a_short_dative_opens() {
        let prev = "Күзөтчүнү чакырып, улууларды сыйлоону үйрөтүп койгулачы.\n\nСатыбалдиева Калыйча апаңар\nТемир айылы, Ысык-Көл району";
        assert!(ended(prev));
        let page = "айыл окмотко арыз\nмен Эргешов Бакыт Ак-Сай-Булак айлында жашаим справка керек";
        assert!(!continues(prev, page, opening_score(page)));
        assert!(names_council(&key_line("айыл окмотко арыз")));
    }

    #[test]
    fn a_letter_signed_by_an_unnamed_mother_has_ended() {
        assert!(ended("Прошу разобраться.\nМать ученика"));
        assert!(ended("Текшериңиздер.\nОкуучунун апасы"));
        assert!(!ended("Прошу разобраться, потому что мать ученика"));
        assert!(ended("Просим наладить вывоз.\n\nЖители домов №4 и №6"));
        assert!(!ended(
            "Просим наладить вывоз, потому что жители домов страдают"
        ));
    }

    #[test]
    fn a_name_that_says_it_wrote_ends_a_letter() {
        assert!(ended(
            "Жайытты кайтарып берүүнү суранабыз.\nМал багып жүргөн Кулов Эсен жазды."
        ));
        assert!(ended("Прошу разобраться.\nНаписала Орлова А. С."));
        assert!(!ended(
            "Прошу разобраться.\nОб этом уже писали в газете и никто не ответил"
        ));
    }

    #[test]
    fn a_greeting_in_lower_case_and_a_council_office_open_a_letter() {
        let prev = "Контейнеры переполнены.\n\nЖители домов на углу улицы Советской и переулка";
        let page =
            "саламатсызбы)) мен Эсенбек кызы Мээрим, Чаек айылынан.\nпаспортумду жоготуп алдым";
        assert!(!continues(prev, page, opening_score(page)));
        let page = "Айыл өкмөтүнүн архивине\nЖиберген: Кудайбергенов Токтосун, Кара-Жар айылы\n\nМен пенсияга чыгыш үчүн";
        check_open(page, true);
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
