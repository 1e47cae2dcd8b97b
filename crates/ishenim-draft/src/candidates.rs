//! Who wrote the letter: name candidates from wherever people write their name, and the
//! choice among them.
//!
//! Letters name their writer in a labelled sender block ("Кимден:", "Ф.И.О.:", "От"), after
//! a place ("… айылынын тургуну Асанов Бакыт"), in the first sentence ("Мен, …, Асанов
//! Бакыт, …", "Я, Орлова Анна Сергеевна, …"), as the representative or the signers of a
//! collective letter, or only in the signature block after a polite closing. Each place is
//! a [`Source`]; candidates that share a surname are one person, and the person's fullest
//! spelling is registered. Names that stand beside an official's role ("катчысы Карыбаева
//! Элмира") or in the addressee block are never the applicant.

use crate::applicant::{father_link, name_token, take_name, NameCand};
use crate::layout::{
    address_like, has_name_marker, is_addressee, is_closing, name_label_len, starts_with_label,
    starts_with_phrase, Layout, CLOSINGS, NAME_MARKERS, SIGNER_KIN, SIGN_LABELS,
};
use crate::text::{fuzzy_eq, key_word, trim_punct, Doc};

/// Where a name candidate was read; later variants are stronger evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Source {
    /// A name-like line at the very end of the letter.
    Tail,
    /// An unlabelled name line in the sender block at the top.
    HeaderLine,
    /// A numbered signer of a collective letter.
    Signer,
    /// The signature block after a closing or a "Колу:" label.
    Signature,
    /// The writer introduces themself in the first sentence.
    Intro,
    /// After a place and "тургуну"/"жителя".
    Marker,
    /// After a sender label ("Кимден:", "Ф.И.О.:", "От").
    Label,
    /// The named representative of a collective letter.
    Representative,
}

impl Source {
    /// How much a candidate from here counts when people are compared.
    fn weight(self) -> f32 {
        match self {
            Source::Tail => 0.6,
            Source::HeaderLine => 0.7,
            Source::Signer => 0.75,
            Source::Signature => 0.85,
            Source::Intro => 0.85,
            Source::Marker => 0.9,
            // Above a writer named twice (0.85 + 0.1): "Арыз ээси: Бейшеева Зууракан" with
            // "мен, кызы Асанова Айнура … Асанова А." who writes for her.
            Source::Label => 0.96,
            Source::Representative => 0.97,
        }
    }
}

/// Role words (keys, prefixes): a name right after one is an official, not the writer.
const ROLES: &[&str] = &[
    "башчы",
    "орун басар",
    "адис",
    "катчы",
    "бухгалтер",
    "кассир",
    "торага",
    "торайым",
    "мугалим",
    "директор",
    "завуч",
    "тарбиячы",
    "дарыгер",
    "доктур",
    "врач",
    "медайым",
    "фельдшер",
    "участков",
    "милиция",
    "милиционер",
    "полиция",
    "инспектор",
    "мираб",
    "мирап",
    "кызматкер",
    "жетекчи",
    "аким",
    "депутат",
    "чиновник",
    "сотрудни",
    "специалист",
    "глав",
    "председател",
    "заместител",
    "начальник",
    "секретар",
    "учител",
    "воспитател",
    "медсестр",
    "полицейск",
    "заведующ",
    "ветеринар",
    "нотариус",
    "судья",
    "прокурор",
    "водител",
    "айдоочу",
    "агроном",
    "землеустроит",
    "инженер",
    "электрик",
    "менеджер",
    "комендант",
    "сторож",
    "кароолчу",
    "повар",
    "ашпозчу",
];
/// Words right after a name that make it someone addressed or spoken of ("Асанов мырза").
const HONORIFICS: &[&str] = &[
    "мырза",
    "мырзага",
    "айым",
    "айымга",
    "агай",
    "эжей",
    "байке",
];
/// Words after "Мен,"/"Я," that belong to a place, not a person.
const PLACE_AFTER: &[&str] = &[
    // "Ак-Сай-Булак айлында": the spoken short form, as many write it.
    "айлынын",
    "айлында",
    "айлынан",
    "айылынын",
    "айылы",
    "айылында",
    "айылынан",
    "районунун",
    "району",
    "кочосунун",
    "кочосундо",
    "кочосу",
    "шаарынын",
    "шаарында",
    "облусунун",
    "конушунун",
    "кыштагынын",
];
/// True for a word (key) that makes the word before it a place: a word of [`PLACE_AFTER`] or
/// any declined place word ("Кызыл-Эшме айылындагы", "Жибек Жолу көчөсүндөгү").
pub(crate) fn place_after(key: &str) -> bool {
    PLACE_AFTER.contains(&key) || crate::address::nominative_of(key).is_some()
}

/// Words before a Russian place name ("с. Петровка", "ул. Мира").
const PLACE_BEFORE: &[&str] = &[
    "с",
    "село",
    "села",
    "селе",
    "ул",
    "улица",
    "улицы",
    "г",
    "п",
    "пос",
];
/// Words that introduce the representative of a collective letter.
const REPRESENTATIVE: &[&str] = &[
    "лидери",
    "лидер",
    "окул",
    "окулу",
    "атынан",
    "представитель",
    "ответственный",
    "ответственная",
    "имени",
    "жооптуу",
    "уполномоченный",
    "уполномоченная",
    "поручению",
    "ыйгарым",
    "жителей",
];

/// What a signer says they are, before their name in the signature ("Ата-энелер
/// комитетинин мүчөсү", "Бабушка,", "пенсионер"), as key prefixes: not an office, so the
/// name after it is the writer's own.
const CAPACITIES: &[&str] = &[
    "мучо",
    "комитет",
    "пенсионер",
    "ардагер",
    "ветеран",
    "бабушк",
    "дедушк",
    "жител",
    "тургуну",
    "тургундар",
    "член",
    "ата-эне",
    "мать",
    "отец",
    "окуучу",
    "студент",
    "фермер",
    "дыйкан",
    "активист",
    "староста",
    "аксакал",
];

/// A capacity word with at most a short ending: a surname may start the same way
/// ("Матьякубов").
fn is_capacity(key: &str) -> bool {
    CAPACITIES
        .iter()
        .any(|c| key.starts_with(c) && key.chars().count() <= c.chars().count() + 5)
}

/// True for a word naming an official's role ("мираб", "начальник"), in any case form.
pub(crate) fn is_role(key: &str) -> bool {
    ROLES.iter().any(|r| key.starts_with(r))
}

/// True when an honorific or a role follows the name ("Асанов мырза"): someone addressed.
fn named_with_honorific(doc: &Doc, toks: &[usize]) -> bool {
    toks.last()
        .and_then(|&l| doc.toks.get(l + 1))
        .is_some_and(|t| HONORIFICS.contains(&t.key.as_str()))
}

/// True when the candidate stands beside an official's role or an honorific: a named
/// official, never the writer.
fn official(doc: &Doc, toks: &[usize], signed: bool) -> bool {
    let (Some(&first), Some(&last)) = (toks.first(), toks.last()) else {
        return false;
    };
    let line = doc.toks[first].line;
    let sent = doc.toks[first].sentence;
    // "башчысына … Мен, Асанова Айгүл": a pronoun between the role and the name makes the
    // name the writer's own.
    let pronoun = (first.saturating_sub(3)..first)
        .rev()
        .find(|&i| matches!(doc.toks[i].key.as_str(), "мен" | "я" | "биз" | "мы"));
    let before = (pronoun.map_or(first.saturating_sub(3), |p| p + 1)..first)
        .filter(|&i| !signed && doc.toks[i].sentence == sent || doc.toks[i].line == line)
        // An addressee line above ("… өкмөтүнүн\nбашчысына") is a block of its own.
        .filter(|&i| doc.toks[i].line == line || !is_addressee(&doc.line_key(doc.toks[i].line)))
        .any(|i| is_role(&doc.toks[i].key));
    // Under a signature the office after the name is the signer's own ("Исмаилов Тимур
    // Русланович,\nдепутат айылного кенеша", "Подпись: Юсупова Д. Р., учитель истории").
    let own_capacity =
        |t: &crate::text::Tok| signed && (t.line != line || doc.toks[last].text.ends_with(','));
    let after = doc.toks.get(last + 1).is_some_and(|t| {
        HONORIFICS.contains(&t.key.as_str()) || is_role(&t.key) && !own_capacity(t)
    });
    before || after
}

/// Words of a Russian or Kyrgyz dative (addressee) name: "Курманбекову", "Асановага".
fn dative(word: &str) -> bool {
    let k = key_word(word);
    [
        "ову",
        "еву",
        "ину",
        "овой",
        "евой",
        "иной",
        "овго",
        "евге",
        "овко",
        "мырзага",
    ]
    .iter()
    .any(|e| k.ends_with(e))
}

/// A candidate, unless it is an official or empty.
fn cand(doc: &Doc, mut toks: Vec<usize>, source: Source) -> Option<NameCand> {
    // "мен, уулу Токтосунов Марат": a lower-case уулу/кызы first is "her son", not a name part.
    while toks.first().is_some_and(|&f| {
        let t = &doc.toks[f].text;
        t.starts_with(char::is_lowercase) && matches!(doc.toks[f].key.as_str(), "уулу" | "кызы")
    }) {
        toks.remove(0);
    }
    // Surname with initials is a whole signature ("Сатыбалдиев Ж.").
    let ok = (2..=4).contains(&toks.len());
    // After "Мен, …" or "… тургуну" a role is the writer's own ("мектептин мугалими Абдиева К.").
    // …and after a sender label ("Кимден: мектептин директору Бейшекеева М.", "Арыз ээси: …, мугалим").
    let own = matches!(source, Source::Intro | Source::Marker | Source::Label);
    // In the signature block an office on the line above is the signer's own ("Депутат
    // айылного кенеша\nСейткулов Азиз Эркинович").
    // …and so is an office after the name on a sender line of the header ("Кузнецова Ирина
    // Валерьевна, медсестра, стаж 14 лет" under the addressee).
    let signed = matches!(
        source,
        Source::Signature | Source::Tail | Source::Signer | Source::HeaderLine
    );
    let official = if own {
        named_with_honorific(doc, &toks)
    } else {
        official(doc, &toks, signed)
    };
    // "В ФАПе …", "С начала года …": a capital preposition without a stop is no initial.
    let preposition = toks.first().is_some_and(|&f| {
        let w = &doc.toks[f].text;
        w.chars().count() == 1 && "ВСКУОАИЯ".contains(w.as_str())
    });
    // "школы имени Т. Сыдыкбекова", "Токтогул атындагы мектеп": a namesake, not a person.
    let namesake = toks.first().is_some_and(|&f| {
        f > 0 && doc.toks[f - 1].key == "имени"
            || toks
                .last()
                .and_then(|&l| doc.toks.get(l + 1))
                .is_some_and(|t| t.key.starts_with("атындагы"))
    });
    let named = !toks.iter().all(|&t| initial(&doc.toks[t].text));
    (ok && !official && !preposition && !namesake && named).then_some(NameCand { toks, source })
}

/// True for an initial ("Б.", "Ж").
pub(crate) fn initial(w: &str) -> bool {
    let t = trim_punct(w);
    t.chars().count() == 1 && t.chars().all(char::is_uppercase)
        || crate::applicant::compact_initials(t)
        || crate::applicant::initials_with_case(t).is_some()
}

/// First token of the name on line `li` after skipping `skip` label words, punctuation and
/// signature strokes; the next line's first token when the line has nothing else.
fn name_start(doc: &Doc, li: usize, skip: usize) -> Option<usize> {
    let line = &doc.lines[li];
    let mut s = line.start + skip;
    // "Урматтоо менен, Баетов айылынан Жапаров Тилек": the signer's village before the name.
    while s + 2 < line.end && place_after(&doc.toks[s + 1].key) {
        s += 2;
    }
    while s < line.end && !name_token(&doc.toks[s].text) {
        let t = trim_punct(&doc.toks[s].text);
        let k = key_word(t);
        let skippable = [
            "от",
            "гр",
            "гражданина",
            "гражданки",
            "жителя",
            "жительницы",
            "мен",
            "я",
        ];
        if !(t.is_empty() || t.chars().all(|c| c == '_') || skippable.contains(&k.as_str())) {
            return None;
        }
        s += 1;
    }
    if s < line.end {
        return Some(s);
    }
    let next = doc.lines.get(li + 1)?;
    (next.start < next.end).then_some(next.start)
}

/// Sender labels in the header and at the end ("Кимден:", "Ф.И.О.:", "От").
fn from_labels(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let top = 0..lay.body_start.min(doc.lines.len());
    for li in top.chain(lay.footer_start..doc.lines.len()) {
        let k = name_label_len(&doc.line_key(li));
        if k == 0 {
            continue;
        }
        // "от председателя кооператива «Эмгек-Нуру»\nАсанбековой Гулзат Кубанычбековны": the
        // sender's office after the label, the name on the next line.
        let below = || {
            (name_start(doc, li, k).is_none()
                && li + 1 < doc.lines.len()
                && crate::layout::name_like_line(doc, li + 1))
            .then(|| doc.lines[li + 1].start)
        };
        if let Some(s) = name_start(doc, li, k).or_else(below) {
            let got = take_name(doc, s, doc.toks[s].line + 1, lay);
            let got = if got.len() < 2 {
                later_name_on_line(doc, lay, s)
            } else {
                got
            };
            out.extend(cand(doc, got, Source::Label));
        } else if k > 0 {
            // "Кимден: комитеттин мүчөсү Орозалиева Бермет": the writer's office in lower
            // case first, then the name.
            let got = later_name_on_line(doc, lay, doc.lines[li].start + k - 1);
            out.extend(cand(doc, got, Source::Label));
        }
    }
}

/// "Кимден: Кой-Таш орто мектебинин директору Бейшекеева Мээрим": the first run of two or
/// more name words later on the line of a label, after the writer's school or office.
fn later_name_on_line(doc: &Doc, lay: &Layout, from: usize) -> Vec<usize> {
    let end = doc.lines[doc.toks[from].line].end;
    let mut i = from + 1;
    while i < end {
        // "от жителя с. Мырза-Аке Ахмедова …": the word after a place abbreviation is the place.
        let place = PLACE_BEFORE.contains(&doc.toks[i - 1].key.as_str());
        if name_token(&doc.toks[i].text) && !place {
            let got = take_name(doc, i, doc.toks[i].line + 1, lay);
            if got.len() >= 2 {
                return got;
            }
        }
        i += 1;
    }
    Vec::new()
}

/// "… айылынын тургуну Асанов Бакыт", "от жителя с. Манас Иванова И. И." in the header
/// and in the first sentences.
fn from_markers(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let first_sentences = first_body_sentences(doc, lay, 2);
    let own = sentences_in_first_person(doc);
    for i in 0..doc.toks.len() {
        let t = &doc.toks[i];
        // …and the signature ("Кош-Дөбө айылынын тургуну Мурзаева Б. С." after the closing),
        // and a sentence anywhere that opens with "Мен"/"Я" ("… Мен Сары-Жаз-Төр айылынын
        // тургуну Карабаева Айчүрөк Шериповнамын, телефонум …" at the end of the letter).
        let in_scope = t.line < lay.body_start
            || t.line >= lay.footer_start
            || first_sentences.contains(&i)
            || own.contains(&t.sentence);
        if !in_scope || !NAME_MARKERS.iter().any(|m| fuzzy_eq(&t.key, m)) {
            continue;
        }
        let mut s = i + 1;
        if doc
            .toks
            .get(s)
            .is_some_and(|n| PLACE_BEFORE.contains(&n.key.as_str()))
        {
            s += 2;
        }
        // "… тургуну, үч баланын атасы Жээнбеков Адилеттен": the writer's own description.
        if t.text.ends_with(',') {
            let line_end = doc.lines[t.line].end;
            let lower = |j: usize| !name_token(&doc.toks[j].text) && j < line_end;
            while s < i + 5 && s < doc.toks.len() && lower(s) {
                s += 1;
            }
        }
        if s < doc.toks.len() && name_token(&doc.toks[s].text) {
            let got = take_name(doc, s, doc.toks[s].line + 2, lay);
            out.extend(cand(doc, got, Source::Marker));
        }
    }
}

/// Sentences whose first word is "Мен" or "Я": the writer speaks of themself.
fn sentences_in_first_person(doc: &Doc) -> std::collections::BTreeSet<usize> {
    doc.toks
        .iter()
        .enumerate()
        .filter(|&(i, t)| {
            (i == 0 || doc.toks[i - 1].sentence != t.sentence)
                && matches!(t.key.as_str(), "мен" | "я")
        })
        .map(|(_, t)| t.sentence)
        .collect()
}

/// Words after which a writer gives their name inside a sentence ("… жашайм, аты-жөнүм
/// Иманалиев Кубанычбек", "меня зовут …"), keys.
const NAME_IN_SENTENCE: &[&str] = &["аты-жонум", "атым", "зовут", "фамилиям", "фио"];

/// "Мен … жашайм, аты-жөнүм Иманалиев Кубанычбек": the writer names themself in one of the
/// first sentences after a name word.
fn from_name_words(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    for i in first_body_sentences(doc, lay, 3) {
        let t = &doc.toks[i];
        if !NAME_IN_SENTENCE.contains(&t.key.as_str()) {
            continue;
        }
        let s = i + usize::from(doc.toks.get(i + 1).is_some_and(|n| n.key == "менин"));
        if doc.toks.get(s + 1).is_some_and(|n| name_token(&n.text)) {
            let mut got = take_name(doc, s + 1, doc.toks[s + 1].line + 2, lay);
            // "Менин атым Айгүл, фамилиям Токтосунова": the surname given apart comes first.
            if got.len() == 1 {
                got = surname_apart(doc, i, got);
            }
            out.extend(cand(doc, got, Source::Intro));
        }
    }
}

/// A given name completed by a surname the writer gives apart in the same sentence
/// ("атым Айгүл, фамилиям Токтосунова", "зовут Анна, фамилия Орлова").
fn surname_apart(doc: &Doc, word: usize, given: Vec<usize>) -> Vec<usize> {
    let sent = doc.toks[word].sentence;
    let label = (word + 1..doc.toks.len())
        .take_while(|&j| doc.toks[j].sentence == sent)
        .find(|&j| doc.toks[j].key.starts_with("фамили"));
    match label.map(|l| l + 1).filter(|&n| {
        doc.toks
            .get(n)
            .is_some_and(|t| t.sentence == sent && name_token(&t.text))
    }) {
        Some(n) => std::iter::once(n).chain(given).collect(),
        None => given,
    }
}

/// Token indices of the first `n` sentences of the body.
fn first_body_sentences(doc: &Doc, lay: &Layout, n: usize) -> std::ops::Range<usize> {
    let start = doc
        .lines
        .get(lay.body_start)
        .map_or(doc.toks.len(), |l| l.start);
    // Sentence numbers skip at paragraph breaks: count the sentences met.
    let mut seen = 0;
    let end = (start..doc.toks.len())
        .find(|&i| {
            if i == start || doc.toks[i].sentence != doc.toks[i - 1].sentence {
                seen += 1;
            }
            seen > n
        })
        .unwrap_or(doc.toks.len());
    start..end
}

/// "Мен, Тогуз-Тоо айылынын тургуну Алымбеков Нурдин, …", "Я, Орлова Анна Сергеевна, …",
/// "Биз, төмөндө кол койгон …": the first run of name words after the pronoun that is not a
/// place.
fn from_intro(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    // A greeting and an addressee read as the body may come first ("Саламатсызбы. Мен …").
    let scope = first_body_sentences(doc, lay, 3);
    let line_start = |i: usize| doc.lines[doc.toks[i].line].start == i;
    // "Урматтуу башчы, мен Эсеналиев Тилек, …": after a greeting's comma too, or a greeting
    // closed by a smile ("саламатсызбы)) мен …").
    let sentence_start = |i: usize| {
        i > 0
            && (doc.toks[i - 1].sentence != doc.toks[i].sentence
                || doc.toks[i - 1].text.ends_with([',', ')']))
    };
    let opens = |i: &usize| {
        let i = *i;
        let k = doc.toks[i].key.as_str();
        matches!(k, "мен" | "я")
            && (doc.toks[i].text.ends_with(',') || line_start(i) || sentence_start(i))
            // "Пишет Ахмедова Зарина, …", "Обращается к вам …".
            || matches!(k, "пишет" | "пишу" | "обращается" | "обращаюсь")
                && (line_start(i) || sentence_start(i))
    };
    // "Бул катты небереме жазып жатат, мен айтып турам. Мен Сейитбеков Кубанычбек, …": a
    // later sentence that opens with "мен" and a name, when the first "мен" named no one
    // (never "…, я увидела фамилии … Осмоналиев Данияр", where others are named).
    let names_at_once = |i: &usize| {
        let i = *i;
        i == 0
            || doc.toks[i - 1].sentence != doc.toks[i].sentence
                && doc.toks.get(i + 1).is_some_and(|t| name_token(&t.text))
    };
    let mut tries = (0..scope.end).filter(opens);
    let first = tries.next();
    for p in first.into_iter().chain(tries.filter(names_at_once)) {
        if let Some(c) = intro_at(doc, lay, p) {
            out.push(c);
            return;
        }
    }
}

/// The writer's name in the sentence that opens with "мен"/"я"/"пишет" at token `p`.
fn intro_at(doc: &Doc, lay: &Layout, p: usize) -> Option<NameCand> {
    let sent = doc.toks[p].sentence;
    let verb = !matches!(doc.toks[p].key.as_str(), "мен" | "я");
    let mut i = p + 1;
    while i < doc.toks.len() && i < p + 18 && doc.toks[i].sentence == sent {
        // "Обращаюсь по поводу поведения заместителя главы Абылкасымова Н.": after the verb,
        // a topic word leads to the one written about.
        if verb
            && matches!(
                doc.toks[i].key.as_str(),
                "поводу" | "насчет" | "насчёт" | "о" | "об" | "против" | "жалобой"
            )
        {
            return None;
        }
        if !name_token(&doc.toks[i].text)
            || doc
                .toks
                .get(i.wrapping_sub(1))
                .is_some_and(|b| i > p + 1 && PLACE_BEFORE.contains(&b.key.as_str()))
        {
            i += 1;
            continue;
        }
        let got = take_name(doc, i, doc.toks[i].line + 2, lay);
        let after = got.last().map_or(i + 1, |&l| l + 1);
        // "Пишу, чтобы сказать спасибо нашему фельдшеру ФАПа Айзаде Мурзакматовой": after the
        // verb a name behind an office in the dative is the one thanked or written about.
        let dative_role =
            |t: &crate::text::Tok| is_role(&t.key) && t.key.ends_with(['у', 'ю', 'е']);
        if verb && doc.toks[i.saturating_sub(2)..i].iter().any(dative_role) {
            i = after + 1;
            continue;
        }
        let place = doc.toks.get(after).is_some_and(|t| place_after(&t.key))
            || got.iter().any(|&t| place_after(&doc.toks[t].key));
        if !place {
            // "Мен, Үч-Эмчек орто мектебинин мугалими Кенжебаева Асель": a lone place word
            // before the writer's office is no name; look on.
            if let Some(c) = cand(doc, got, Source::Intro) {
                return Some(c);
            }
        }
        i = after + 1;
    }
    None
}

/// The signature block: a name after a closing or a "Колу:"/"Подпись:" label, after the
/// signature strokes and the date ("14.05.2024 ______ Кравченко О. П."), the representative
/// of a collective letter, and the numbered signers.
fn from_signature(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let mut signature_taken = false;
    for li in lay.footer_start..doc.lines.len() {
        let key = doc.line_key(li);
        let toks = doc.line_toks(li);
        if toks
            .iter()
            .any(|t| REPRESENTATIVE.contains(&t.key.as_str()))
            || scribe_line(&key)
        {
            continue;
        }
        let numbered = toks
            .first()
            .is_some_and(|t| t.text.trim_end_matches(['.', ')']).parse::<u32>().is_ok());
        let skip = if starts_with_label(&key, SIGN_LABELS) || starts_with_phrase(&key, CLOSINGS) {
            // "Колу коюлган: …", "Подпись заявителя: …": the label runs to its colon.
            let colon = toks.iter().take(3).position(|t| t.text.ends_with(':'));
            closing_words(&key).max(colon.map_or(0, |c| c + 1))
        } else {
            signature_name_at(doc, li).unwrap_or(usize::MAX)
        };
        if skip == usize::MAX {
            continue;
        }
        let Some(s) = name_start(doc, li, skip.min(toks.len())) else {
            continue;
        };
        if doc.toks[s].line != li && !crate::layout::name_like_line(doc, doc.toks[s].line) {
            continue;
        }
        let got = take_name(doc, s, doc.toks[s].line + 1, lay);
        // "Ата-энелер комитетинин төрагасы Рахимов Ж. А.": the signer's own office.
        if own_office_before(doc, s) && (2..=4).contains(&got.len()) && !signature_taken {
            signature_taken = true;
            out.push(NameCand {
                toks: got,
                source: Source::Signature,
            });
            continue;
        }
        let source = if numbered {
            Source::Signer
        } else if signature_taken {
            Source::Tail
        } else {
            Source::Signature
        };
        if let Some(c) = cand(doc, got, source) {
            signature_taken |= source == Source::Signature;
            out.push(c);
        }
    }
}

/// "Небереси Айбек жазды", "Записала внучка Айгуль", "со слов матери": the person who
/// wrote a dictated letter down signs as its scribe, not as the applicant.
fn scribe_line(line_key: &str) -> bool {
    const SCRIBE: &[&str] = &[
        "жазды",
        "жазып берди",
        "жазып бердим",
        "жазган",
        "жаздым",
        "записал",
        "записала",
        "написал",
        "написала",
        "под диктовку",
        "со слов",
        "айтуусу боюнча",
        "айтуусу менен",
    ];
    // The words before the scribe's phone, if any.
    let words: Vec<&str> = line_key
        .split_whitespace()
        .take_while(|w| !w.contains(|c: char| c.is_ascii_digit()))
        .collect();
    words.len() <= 8 && SCRIBE.iter().any(|s| starts_with_phrase_at(&words, s))
}

/// True when the words `phrase` occur in `words` in a row.
fn starts_with_phrase_at(words: &[&str], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split_whitespace().collect();
    words.windows(p.len()).any(|w| w == p.as_slice())
}

/// Where the name starts on a signature line: after a number ("1."), a date ("30/07/2025",
/// "2026-ж. 9-февраль") or signature strokes, at the first name word or initial; `None`
/// when words of a sentence come first.
pub(crate) fn signature_name_at(doc: &Doc, li: usize) -> Option<usize> {
    let toks = doc.line_toks(li);
    // A capacity label ("Ата-энеси:", "Көчө комитети:", "Сын —") is not the name.
    // (A dash after one word only: "Жапарова Бегимай — 0500 …" is a name and its phone.)
    let dash = toks
        .get(1)
        .is_some_and(|t| matches!(t.text.as_str(), "—" | "–" | "-"));
    let colon = toks
        .iter()
        .take(3)
        .position(|t| t.text.ends_with(':'))
        .or(dash.then_some(1));
    // "Мектеп директору Абдыкалыкова …": a capitalised office before the name is no name.
    let from = colon.map_or(0, |c| c + 1).max(
        toks.iter()
            .take(4)
            .rposition(|t| is_role(&t.key))
            .map_or(0, |r| r + 1),
    );
    let p = from
        + toks[from.min(toks.len())..].iter().position(|t| {
            (name_token(&t.text) || initial(&t.text))
                && !t.text.ends_with(':')
                && !is_capacity(&t.key)
        })?;
    if p == 0 {
        return Some(0);
    }
    let prefix: Vec<&str> = toks[..p].iter().map(|t| t.text.as_str()).collect();
    let prefix = prefix.join(" ");
    let plain = !prefix.chars().any(char::is_alphabetic);
    // "повар школьной столовой Исмаилова Гульшат", "Ата-энелер комитетинин мүчөсү Бектурова
    // …": the signer's own office or capacity before the name.
    let office = p <= 5
        && toks[..p]
            .iter()
            .any(|t| is_role(&t.key) || is_capacity(&t.key))
        && toks[..p].iter().all(|t| !t.text.ends_with(['.', '!', '?']));
    // "Ата-энеси: Чыныбаев Бакыт Эсенович": a short label of the signer's capacity.
    // "Сын — Бекболотов Руслан Маратович": the signer's relation to the one concerned, by a dash.
    let labelled =
        (prefix.ends_with(':') || prefix.ends_with(['—', '–']) || prefix.ends_with(" -")) && p <= 3;
    let dated = crate::contacts::find_dates(&prefix)
        .iter()
        .any(|d| d.coverage >= 0.6);
    (plain || dated || labelled || office).then_some(p)
}

/// True when the words before `s` on its line are a short office ending in a role word
/// ("Ата-энелер комитетинин төрагасы", "Директор"): in the signature block, the signer's own.
fn own_office_before(doc: &Doc, s: usize) -> bool {
    let start = doc.lines[doc.toks[s].line].start;
    s > start
        && s - start <= 5
        && (is_role(&doc.toks[s - 1].key) || is_capacity(&doc.toks[s - 1].key))
        && (start..s).all(|i| !doc.toks[i].text.ends_with(['.', '!', '?']))
}

/// Number of words of the closing or signature label a line starts with.
fn closing_words(key: &str) -> usize {
    let words: Vec<&str> = key
        .split([' ', ':', ','])
        .filter(|w| !w.is_empty())
        .collect();
    CLOSINGS
        .iter()
        .map(|c| c.split(' ').collect::<Vec<_>>())
        .filter(|cw| cw.len() <= words.len() && cw.iter().zip(&words).all(|(a, b)| fuzzy_eq(b, a)))
        .map(|cw| cw.len())
        .max()
        .unwrap_or(usize::from(starts_with_label(key, SIGN_LABELS)))
}

/// The representative of a collective letter ("… атынан өкүл: Бердибеков Азамат",
/// "Представитель жителей: …") anywhere in the last lines.
fn from_representative(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let n = doc.lines.len();
    for li in n.saturating_sub(16).max(lay.body_start)..n {
        let toks = doc.line_toks(li);
        // "Көчө комитетинин төрагасы: Абдыразаков Канат": the writer's own role, as a label.
        let role_label = toks
            .iter()
            .position(|t| t.text.ends_with(':'))
            .filter(|&c| c < 5 && toks[..=c].iter().any(|t| is_role(&t.key)));
        // "имени" only as "от имени" ("школы имени Т. Сыдыкбекова" names a school).
        let is_rep = |t: &crate::text::Tok| REPRESENTATIVE.contains(&t.key.as_str());
        let rep = (0..toks.len()).find(|&i| {
            is_rep(&toks[i]) && (toks[i].key != "имени" || i > 0 && toks[i - 1].key == "от")
        });
        // "Абдылдаев Талант (өкүл)": the marker after the name names the one before it.
        if let Some(r) = rep.filter(|&r| r > 0 && toks[r].text.starts_with('(')) {
            let line_start = doc.lines[li].start;
            let end = line_start + r;
            let start = (line_start..end)
                .rev()
                .take_while(|&i| name_token(&doc.toks[i].text) || initial(&doc.toks[i].text))
                .last();
            if let Some(s) = start.filter(|&s| (2..=4).contains(&(end - s))) {
                out.push(NameCand {
                    toks: (s..end).collect(),
                    source: Source::Representative,
                });
                continue;
            }
        }
        // "От имени жителей — …": after the last word of the marker.
        let rep = rep.map(|r| r + toks[r..].iter().take_while(|t| is_rep(t)).count() - 1);
        // "Уполномоченный жителями: Воронцов Пётр Ильич": the marker's words up to its colon.
        let rep = rep.map(|r| {
            (r..toks.len().min(r + 4))
                .find(|&c| toks[c].text.ends_with(':'))
                .unwrap_or(r)
        });
        let Some(mut r) = rep.or(role_label) else {
            continue;
        };
        // "От имени родителей — Дмитриева Анна Игоревна", "По поручению соседей — …": the
        // group in the genitive first.
        if rep.is_some() && toks.get(r + 1).is_some_and(|t| !name_token(&t.text)) {
            r += 1;
        }
        if let Some(s) = name_start(doc, li, r + 1) {
            let got = take_name(doc, s, doc.toks[s].line + 1, lay);
            // The name stands alone (line end, a comma): in a sentence that goes on after it
            // ("Курулуш боюнча жооптуу Мамырбаев Канат түн ичинде …") it is someone in the story.
            let closed = got.last().is_some_and(|&l| {
                doc.toks.get(l + 1).is_none_or(|n| {
                    let word = n.text.chars().next().is_some_and(char::is_lowercase);
                    doc.toks[l].text.ends_with([',', ';', ':', '.'])
                        || n.line != doc.toks[l].line
                        || !word
                        || starts_with_label(&n.key, crate::layout::PHONE_LABELS)
                })
            });
            if (2..=4).contains(&got.len()) && closed {
                out.push(NameCand {
                    toks: got,
                    source: Source::Representative,
                });
            }
        }
    }
}

/// "Кошо кол койгондор: Абдуллаева Зарина, Маматкулов Бекжан, …": signers listed after a
/// signers' heading, one after another on the line.
fn from_signer_lists(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    /// Headings of a list of signers or participants ("Также подписали:", "Ашарга
    /// катышкандар:", "Мүчөлөр:").
    const HEADINGS: &[&str] = &[
        "кол кой",
        "кол коюш",
        "подпис",
        "катышкандар",
        "участники",
        "мучолор",
    ];
    let n = doc.lines.len();
    for li in n.saturating_sub(16).max(lay.body_start)..n {
        let key = doc.line_key(li);
        // The heading opens the line, or ends with a colon in its first words ("Также
        // подписали:"); a sentence that mentions signing ("Пишу без подписи") is no list.
        let opening: String = key.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        let colon = doc
            .line_toks(li)
            .iter()
            .take(3)
            .any(|t| t.text.ends_with(':'));
        if !HEADINGS
            .iter()
            .any(|h| key.starts_with(h) || colon && opening.contains(h))
        {
            continue;
        }
        let mut li2 = li;
        while li2 < n && li2 <= li + 3 {
            let line = &doc.lines[li2];
            let mut i = line.start;
            while i < line.end {
                if name_token(&doc.toks[i].text) && doc.toks[i].key != "кол" {
                    let got = take_name(doc, i, li2 + 1, lay);
                    i = got.last().map_or(i + 1, |&l| l + 1);
                    out.extend(cand(doc, got, Source::Signer));
                } else {
                    i += 1;
                }
            }
            li2 += 1;
            if doc.lines.get(li2).is_some_and(|l| {
                !doc.toks[l.start]
                    .text
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
            }) {
                break;
            }
        }
    }
}

/// An unlabelled sender line in the header ("Асанов Бакыт" under the addressee, above an
/// address or a phone), never the addressee's name.
fn from_header_lines(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let end = lay.header_end.min(doc.lines.len());
    for li in 0..end {
        let key = doc.line_key(li);
        if let Some(c) = ablative_sender(doc, lay, li).or_else(|| listed_sender(doc, lay, li)) {
            out.push(c);
            continue;
        }
        let named =
            crate::layout::name_like_line(doc, li) || crate::layout::signer_and_capacity(doc, li);
        if !named
            || is_addressee(&key)
            || doc.line_toks(li).iter().any(|t| dative(&t.text))
            || li > 0
                && is_addressee(&doc.line_key(li - 1))
                && !has_name_marker(&key)
                && !(li + 1 < doc.lines.len() && address_like(doc, li + 1))
        {
            continue;
        }
        let first = doc.lines[li].start;
        let capacity = crate::layout::SIGNER_CAPACITY.contains(&doc.toks[first].key.as_str());
        let got = take_name(doc, first + usize::from(capacity), li + 1, lay);
        out.extend(cand(doc, got, Source::HeaderLine));
    }
}

/// "05.05.2025 Жумабаев Чыңгыз Асылбекович, Кара-Жыгач-Сай а., Жеңижок к., 18": a header
/// line that lists the sender (after a date, if any) and then, after a comma, an address.
fn listed_sender(doc: &Doc, lay: &Layout, li: usize) -> Option<NameCand> {
    let line = &doc.lines[li];
    let s = (line.start..line.end)
        .find(|&i| crate::contacts::find_dates(&doc.toks[i].text).is_empty())?;
    if !address_like(doc, li) || is_addressee(&doc.line_key(li)) {
        return None;
    }
    let got = take_name(doc, s, li + 1, lay);
    let last = *got.last()?;
    ((2..=4).contains(&got.len()) && doc.toks[last].text.ends_with(',') && last + 1 < line.end)
        .then_some(NameCand {
            toks: got,
            source: Source::HeaderLine,
        })
}

/// The last sentence of a note written in one run, when it starts with a name followed by
/// a comma or nothing ("… Жооп берип коюңуздар. Жоомарт уулу Бекзат, 0505 12 88 40").
fn from_last_sentence(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let Some(last) = doc.toks.last() else {
        return;
    };
    let Some(s) = doc.toks.iter().position(|t| t.sentence == last.sentence) else {
        return;
    };
    if doc.lines[doc.toks[s].line].start == s || !name_token(&doc.toks[s].text) {
        return;
    }
    let got = take_name(doc, s, doc.toks[s].line + 1, lay);
    let ends = got
        .last()
        .is_some_and(|&l| l + 1 == doc.toks.len() || doc.toks[l].text.ends_with(','));
    if ends {
        out.extend(cand(doc, got, Source::Tail));
    }
}

/// Titles of respect written after a name ("аксакал", "апа", "эже"; keys, nominative).
const ELDER_TITLES: &[&str] = &[
    "аксакал",
    "апа",
    "эже",
    "байке",
    "агай",
    "карыя",
    "ата",
    "эне",
];

/// "аксакалдан", "эжеден": a title of respect in the ablative.
fn elder_title_from(key: &str) -> bool {
    ["дан", "ден", "тан", "тен", "дон", "тон", "нан", "нен"]
        .iter()
        .any(|e| {
            key.strip_suffix(e)
                .is_some_and(|k| ELDER_TITLES.contains(&k))
        })
}

/// "Мираб Жолдошбеков Кадырбек Абдиевичтен": a header line that ends in a name in the
/// Kyrgyz ablative ("from …") is the sender, after the writer's own role if any.
/// The ablative word may end the line or be followed by a comma and the writer's address
/// ("Ж. Сатаркуловдон, Үч-Эмчек айылы, Саламат көч. 8").
fn ablative_sender(doc: &Doc, lay: &Layout, li: usize) -> Option<NameCand> {
    let line = &doc.lines[li];
    let ablative = |i: usize| {
        let w = trim_punct(&doc.toks[i].text);
        let prev = (i > line.start).then(|| trim_punct(&doc.toks[i - 1].text));
        last_word_nominative(prev, w, false) != w
    };
    let early = (line.start..line.end).take(6).find(|&i| {
        (i + 1 == line.end || doc.toks[i].text.ends_with(','))
            && doc.toks[i].text.starts_with(char::is_uppercase)
            && ablative(i)
    });
    // "Үч-Кайың айылы, …, 3-үйдө жашаган Керимбаев Маратбек Жусуповичтен": the writer's
    // address first, the name in the ablative ends the line.
    let Some(end) = early else {
        let last = line.end.checked_sub(1).filter(|&e| e > line.start)?;
        // "… Абдыкалыков Мамасадык аксакалдан": an elder's title in the ablative after the
        // name in the nominative.
        let end = if elder_title_from(&doc.toks[last].key) {
            last - 1
        } else {
            Some(last).filter(|&e| ablative(e))?
        };
        let s = (line.start..end)
            .rev()
            .take_while(|&i| name_token(&doc.toks[i].text) && !doc.toks[i].text.ends_with(','))
            .last()?;
        let got = take_name(doc, s, li + 1, lay);
        return (got.last() == Some(&end) && (2..=4).contains(&got.len())).then_some(NameCand {
            toks: got,
            source: Source::Label,
        });
    };
    let s = (line.start..=end).find(|&i| !is_role(&doc.toks[i].key))?;
    let got = take_name(doc, s, li + 1, lay);
    (got.last() == Some(&end) && (2..=4).contains(&got.len())).then_some(NameCand {
        toks: got,
        source: Source::Label,
    })
}

/// The last lines of the letter, when they are a name ("Абылкасымов Ж.").
fn from_tail(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    let n = doc.lines.len();
    for li in n.saturating_sub(3).max(lay.body_start)..n {
        if is_closing(&doc.line_key(li)) {
            continue;
        }
        if let Some(s) = signature_name_at(doc, li) {
            let got = take_name(doc, doc.lines[li].start + s, li + 1, lay);
            // A name that leads a line of its own or is followed by a comma ("Акматов
            // Жолдош, мечиттин имамы"), not the first words of a sentence.
            let last = got.last().map(|&l| &doc.toks[l]);
            // "Матказиев Равшанбек жана үй-бүлөсү": the writer and their family.
            let and_family = got
                .last()
                .and_then(|&l| doc.toks.get(l + 1))
                .is_some_and(|t| matches!(t.key.as_str(), "жана" | "и" | "с") && t.line == li);
            let ends = got.last().is_some_and(|&l| l + 1 == doc.lines[li].end)
                || last.is_some_and(|t| t.text.ends_with(','))
                || and_family;
            if ends {
                out.extend(cand(doc, got, Source::Tail));
            }
        }
        out.extend(name_after_address(doc, lay, li));
        out.extend(signed_with_word(doc, lay, li));
    }
}

/// Words that say "wrote" around a signer's name (keys).
const WROTE: &[&str] = &["жазды", "жаздым", "жазган", "написал", "написала"];

/// A short last line where the name comes with a word of its own: "Мал багып жүргөн Кулов
/// Эсен жазды.", "Беш-Күңгөй айылынан Асанова Бурма апаңар", "Написала Орлова А. С.".
fn signed_with_word(doc: &Doc, lay: &Layout, li: usize) -> Option<NameCand> {
    let line = &doc.lines[li];
    if line.end - line.start > 9 || line.end == line.start {
        return None;
    }
    let first = &doc.toks[line.start].key;
    let last = &doc.toks[line.end - 1].key;
    let s = if WROTE.contains(&first.as_str()) {
        line.start + 1
    } else if WROTE.contains(&last.as_str()) || SIGNER_KIN.contains(&last.as_str()) {
        // The name runs back from the word before "wrote"; what comes before it (the
        // signer's work or village) has no sentence end.
        let end = line.end - 1;
        let s = (line.start..end)
            .rev()
            .take_while(|&i| name_token(&doc.toks[i].text) && !is_place_word(&doc.toks[i].key))
            .last()?;
        if (line.start..s).any(|i| doc.toks[i].text.ends_with(['.', '!', '?', ','])) {
            return None;
        }
        s
    } else {
        return None;
    };
    let got = take_name(doc, s, li + 1, lay);
    let whole = got.last().is_some_and(|&l| {
        l + 1 == line.end || l + 2 == line.end && !WROTE.contains(&first.as_str())
    });
    if whole && (2..=4).contains(&got.len()) {
        cand(doc, got, Source::Tail)
    } else {
        None
    }
}

/// "Кең-Жайык айылы, Ибраим Айтматов көчөсү, 5-үй, Мырзакан уулу Талантбек.": a last line
/// that gives the address and then the name, after the house number.
fn name_after_address(doc: &Doc, lay: &Layout, li: usize) -> Option<NameCand> {
    let line = &doc.lines[li];
    let house = (line.start..line.end).rev().find(|&i| {
        let t = &doc.toks[i].text;
        t.ends_with(',') && t.chars().any(|c| c.is_ascii_digit())
    })?;
    // The part before the house number reads as an address line of its own.
    let street = (line.start..house).any(|i| {
        let k = doc.toks[i].key.as_str();
        k.ends_with("кочосу") || matches!(k, "айылы" | "ул" | "улица" | "с" | "село")
    });
    if !street || house + 5 < line.end {
        return None;
    }
    let got = take_name(doc, house + 1, li + 1, lay);
    let whole = got.last().is_some_and(|&l| l + 1 == line.end) && got.first() == Some(&(house + 1));
    if whole {
        cand(doc, got, Source::Tail)
    } else {
        None
    }
}

/// Every name candidate of the letter, in no particular order.
pub(crate) fn name_candidates(doc: &Doc, lay: &Layout) -> Vec<NameCand> {
    let mut out = Vec::new();
    from_labels(doc, lay, &mut out);
    from_markers(doc, lay, &mut out);
    from_intro(doc, lay, &mut out);
    from_name_words(doc, lay, &mut out);
    from_signature(doc, lay, &mut out);
    from_representative(doc, lay, &mut out);
    from_signer_lists(doc, lay, &mut out);
    from_header_lines(doc, lay, &mut out);
    from_tail(doc, lay, &mut out);
    from_last_sentence(doc, lay, &mut out);
    from_writer_phrase(doc, lay, &mut out);
    out
}

/// "Бул катты жазган Кош-Дөбө айылы, … жашаган Саидова Мохира", "муну жазган … айылынан
/// Жумабаева Гүлбара": the one who wrote this, named later in the same sentence after
/// their place.
fn from_writer_phrase(doc: &Doc, lay: &Layout, out: &mut Vec<NameCand>) {
    const THIS: &[&str] = &["бул", "муну", "буну", "катты", "арызды", "кайрылууну"];
    for i in 1..doc.toks.len() {
        let t = &doc.toks[i];
        if !t.key.starts_with("жазган") || !THIS.contains(&doc.toks[i - 1].key.as_str()) {
            continue;
        }
        let sentence = t.sentence;
        let found = (i + 1..(i + 14).min(doc.toks.len()))
            .take_while(|&j| doc.toks[j].sentence == sentence)
            .filter(|&j| {
                name_token(&doc.toks[j].text)
                    && !PLACE_BEFORE.contains(&doc.toks[j - 1].key.as_str())
                    && !doc.toks.get(j + 1).is_some_and(|n| is_place_word(&n.key))
            })
            .map(|j| take_name(doc, j, doc.toks[j].line + 2, lay))
            .find(|got| (2..=4).contains(&got.len()));
        if let Some(got) = found {
            out.extend(cand(doc, got, Source::Intro));
        }
    }
}

/// A word that says the word before it is a place ("айылы", "айылынан", "көчөсү", "району").
fn is_place_word(key: &str) -> bool {
    ["айыл", "кочо", "район", "облус", "шаар"]
        .iter()
        .any(|p| key.starts_with(p))
}

/// Keys of the full words of a candidate (no initials, no уулу/кызы), case endings of
/// Russian genitive and Kyrgyz ablative aside, for telling whether two candidates are one person.
fn word_keys(doc: &Doc, c: &NameCand) -> Vec<String> {
    c.toks
        .iter()
        .map(|&t| &doc.toks[t])
        .filter(|t| !initial(&t.text) && !father_link(&t.key))
        .map(|t| {
            let k = t.key.clone();
            let cut = k.chars().count().saturating_sub(2).max(4);
            k.chars().take(cut).collect()
        })
        .collect()
}

/// True when two candidates name the same person: a shared full word, or one's initials
/// fit the other's words.
fn same_person(doc: &Doc, a: &NameCand, b: &NameCand) -> bool {
    let (ka, kb) = (word_keys(doc, a), word_keys(doc, b));
    ka.iter().any(|x| {
        kb.iter()
            .any(|y| x == y || x.starts_with(y.as_str()) || y.starts_with(x.as_str()))
    })
}

/// How full a spelling is: whole words first, then letters (Kyrgyz letters kept count more).
fn fullness(doc: &Doc, c: &NameCand) -> (usize, usize, usize) {
    let words = c
        .toks
        .iter()
        .filter(|&&t| !initial(&doc.toks[t].text))
        .count();
    let text = c.text(doc);
    let ky = text.chars().filter(|ch| "өүңӨҮҢ".contains(*ch)).count();
    (words, ky, text.chars().count())
}

/// One person the letter names as its writer, with every spelling found.
pub(crate) struct Person {
    /// The spellings, strongest source first.
    pub cands: Vec<NameCand>,
    /// Evidence that this is the writer.
    pub score: f32,
}

/// Groups the candidates into people, strongest first.
pub(crate) fn people(doc: &Doc, mut cands: Vec<NameCand>) -> Vec<Person> {
    cands.sort_by(|a, b| b.source.cmp(&a.source).then(a.toks[0].cmp(&b.toks[0])));
    let mut out: Vec<Person> = Vec::new();
    for c in cands {
        match out
            .iter_mut()
            .find(|p| p.cands.iter().any(|x| same_person(doc, x, &c)))
        {
            Some(p) => {
                if !p.cands.iter().any(|x| x.toks == c.toks) {
                    p.score += 0.1;
                    p.cands.push(c);
                }
            }
            None => out.push(Person {
                score: c.source.weight(),
                cands: vec![c],
            }),
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// The fullest spelling of a person ("Алымбеков Нурдин Таалайбекович" over "Алымбеков Н. Т.").
pub(crate) fn fullest<'a>(doc: &Doc, p: &'a Person) -> &'a NameCand {
    p.cands
        .iter()
        .max_by_key(|c| fullness(doc, c))
        .unwrap_or(&p.cands[0])
}

/// Russian genitive endings of name words and their nominative ("Виктора" → "Виктор"),
/// female forms first. Applied only after "от", "жителя" and the like.
fn ru_nominative(words: &[String]) -> Vec<String> {
    // A patronymic in the nominative ("Ахмаджановна") says the name is not declined.
    let nominative = words.iter().any(|w| {
        let k = key_word(w);
        ["овна", "евна", "ична", "ович", "евич"]
            .iter()
            .any(|e| k.ends_with(e))
    });
    if nominative {
        return words.to_vec();
    }
    let female = words.iter().any(|w| {
        w.ends_with("овны") || w.ends_with("евны") || w.ends_with("ичны") || w.ends_with("ой")
    });
    words
        .iter()
        .map(|w| {
            if initial(w) || w.chars().count() < 3 {
                return w.clone();
            }
            let rules: &[(&str, &str)] = if female {
                &[
                    ("овны", "овна"),
                    ("евны", "евна"),
                    ("ичны", "ична"),
                    ("овой", "ова"),
                    ("евой", "ева"),
                    ("иной", "ина"),
                    ("ской", "ская"),
                    ("цкой", "цкая"),
                    ("ьи", "ья"),
                    ("ии", "ия"),
                    ("ги", "га"),
                    ("ки", "ка"),
                    ("хи", "ха"),
                    ("ы", "а"),
                ]
            } else {
                &[
                    ("ича", "ич"),
                    ("ова", "ов"),
                    ("ева", "ев"),
                    ("ёва", "ёв"),
                    ("ина", "ин"),
                    ("ского", "ский"),
                    ("цкого", "цкий"),
                    ("ея", "ей"),
                    ("ая", "ай"),
                    ("ия", "ий"),
                ]
            };
            for (from, to) in rules {
                if let Some(stem) = w.strip_suffix(from) {
                    return format!("{stem}{to}");
                }
            }
            // A male given name in the genitive: "Бакыта", "Ивана".
            if !female {
                if let Some(stem) = w.strip_suffix('а') {
                    if stem
                        .chars()
                        .last()
                        .is_some_and(|c| !"аеёиоуыэюяьй".contains(c))
                        && (crate::names::is_given_name(stem) || words.len() > 1)
                    {
                        return stem.to_string();
                    }
                }
            }
            w.clone()
        })
        .collect()
}

/// Kyrgyz ablative on the last word of a sender line ("… Саматовичтен", "… Нурлановнадан",
/// "… уулунан"): the nominative, when what is left is a patronymic, a surname or a listed
/// given name. In a sentence in the first person (`first_person`: "Мен … Айпериймин") the
/// predicative ending ("I am …") comes off any name of four letters or more; elsewhere
/// only as a case ending does, so that "Абдымомун" under a signature stays whole.
pub(crate) fn ky_nominative(word: &str, first_person: bool) -> String {
    if let Some(initials) = crate::applicant::initials_with_case(word) {
        return initials.to_string();
    }
    // A listed given name that merely ends like a case ("Нурдин") is whole.
    if crate::names::is_given_name(word) {
        return word.to_string();
    }
    let fits = |stem: &str| {
        let k = key_word(stem);
        [
            "ович", "евич", "овна", "евна", "ична", "ов", "ев", "ова", "ева", "уулу", "кызы",
        ]
        .iter()
        .any(|e| k.ends_with(e))
            || crate::names::is_given_name(stem)
    };
    for suf in ["мын", "мин", "мун", "мүн", "пын", "пин", "пун", "пүн"] {
        if let Some(stem) = word.strip_suffix(suf) {
            if first_person && stem.chars().count() >= 4 || fits(stem) {
                return stem.to_string();
            }
        }
    }
    // Ablative ("from …") and genitive ("… тургуну Нурбектин арызы") endings.
    for suf in [
        "нан", "нен", "дан", "ден", "тан", "тен", "дон", "дөн", "тон", "төн", "нын", "нин", "нун",
        "нүн", "дын", "дин", "дун", "дүн", "тын", "тин", "тун", "түн",
    ] {
        if let Some(stem) = word.strip_suffix(suf) {
            if fits(stem) {
                return stem.to_string();
            }
        }
    }
    word.to_string()
}

/// The last word of a name in the nominative: [`ky_nominative`], and the ablative of a
/// given name the lists do not know after a surname ("Өмүрзаков Талгардан").
fn last_word_nominative(prev: Option<&str>, word: &str, first_person: bool) -> String {
    let nom = ky_nominative(word, first_person);
    if nom != word || !prev.is_some_and(surname_like) || crate::names::is_given_name(word) {
        return nom;
    }
    [
        "нан", "нен", "дан", "ден", "тан", "тен", "дон", "дөн", "тон", "төн",
    ]
    .iter()
    .filter_map(|suf| word.strip_suffix(suf))
    .find(|stem| stem.chars().count() >= 4)
    .map_or(nom, String::from)
}

/// A surname by its ending ("Өмүрзаков", "Асанова", "Жоомарт уулу").
pub(crate) fn surname_like(word: &str) -> bool {
    let k = key_word(word);
    ["ов", "ев", "ова", "ева", "ин", "ина", "уулу", "кызы"]
        .iter()
        .any(|e| k.ends_with(e))
}

/// The candidate's name in the nominative, as the journal writes it: Russian genitive after
/// "от"/"жителя", Kyrgyz ablative on the last word.
pub(crate) fn nominative(doc: &Doc, c: &NameCand, text: &str) -> String {
    let words: Vec<String> = text.split(' ').map(String::from).collect();
    // "От жителя с. Мырза-Аке Ахмедова Рустама": the case word may stand before the place.
    let genitive = c.toks.first().is_some_and(|&f| {
        let line_start = doc.lines[doc.toks[f].line].start;
        // …but not across a label's colon ("От имени жителей: Маматкулова Дилноза").
        // "от: Шевченко Оксаны Игоревны": the colon of "от:" itself keeps the genitive.
        let after_colon = (line_start..f)
            .rev()
            .find(|&b| doc.toks[b].text.ends_with(':'))
            .map_or(line_start, |b| b + usize::from(doc.toks[b].key != "от"));
        let case_word = |b: usize| {
            matches!(
                doc.toks[b].key.as_str(),
                "от" | "жителя" | "жительницы" | "гражданина" | "гражданки" | "заявителя"
            )
        };
        // "от председателя кооператива «…»\nАсанбековой Гулзат …": "от" opened the line above.
        let from_above = f == line_start
            && doc.toks[f].line > 0
            && doc.lines[doc.toks[f].line - 1].start < f
            && doc.toks[doc.lines[doc.toks[f].line - 1].start].key == "от";
        from_above || (f.saturating_sub(4).max(after_colon)..f).any(case_word)
    });
    let mut words = if genitive {
        ru_nominative(&words)
    } else {
        words
    };
    // "Мен … тургуну Карабаева Айчүрөк Шериповнамын": the writer speaks of themself.
    let first_person = c.toks.first().is_some_and(|&f| {
        let sent = doc.toks[f].sentence;
        doc.toks
            .iter()
            .any(|t| t.sentence == sent && matches!(t.key.as_str(), "мен" | "менин"))
    });
    let n = words.len();
    if n > 0 {
        let prev = (n > 1).then(|| words[n - 2].clone());
        words[n - 1] = last_word_nominative(prev.as_deref(), &words[n - 1], first_person);
    }
    words.join(" ")
}
