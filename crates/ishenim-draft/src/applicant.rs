//! Applicant name, anonymity and address.

use crate::layout::{is_anonymous_marker, starts_with_label, Layout, ADDRESS_LABELS, PHONE_LABELS};
use crate::text::{key_word, trim_punct, Doc};
use regex::Regex;
use std::sync::LazyLock;

/// Words that are capitalised but never part of a name (keys).
const NOT_NAME: &[&str] = &[
    "дареги",
    "адрес",
    "тел",
    "телефон",
    "колу",
    "подпись",
    "урматтуу",
    "уважаемый",
    "арыз",
    "заявление",
    "жалоба",
    "айыл",
    "айылы",
    "айылынын",
    "с",
    "ул",
    "село",
    "улица",
    "кочосу",
    "тургундар",
    "тургундары",
    "жители",
    "жашоочулар",
    "коллектив",
    "ата-энелер",
    // a capacity or a time word at the start of a signature line ("Ата-эне Абылкасымова
    // Сабина", "Жолчуев Асан / Бүгүн 3-декабрь")
    "ата-эне",
    "ата-энеси",
    "бугун",
    "кечээ",
    "сегодня",
    "вчера",
    // "Написала Орлова А. С.", "Жазган: …": who wrote, before the name.
    "написала",
    "написал",
    "жазган",
    "жазды",
    // Organisations that sign beside a person ("Член ревизионной комиссии АВП …"): water
    // users' associations, firms, clinics, service centres.
    "авп",
    "спов",
    "осоо",
    "жчк",
    "ип",
    "фап",
    "цсм",
    "гсв",
    "цон",
    "анонимдуу",
    "аноним",
    "анонимно",
    "даттануу",
    "кайрылуу",
    "мен",
    "я",
    "биз",
    "мы",
    "байланыш",
    "от",
    "главе",
    "дом",
    "уй",
    "кв",
    "д",
    "г",
    "менен",
    "уважением",
    "урматтоо",
    "пишет",
    "пишу",
    "обращается",
    "обращаюсь",
    // "Атым Майрамбек …", "… Абылкасымова Н. Он собрал …": words that open a sentence.
    "атым",
    "менин",
    "меня",
    "зовут",
    "он",
    "она",
    "они",
    "ал",
    "алар",
    "бул",
    "биздин",
];
/// Collective signatures that mean "no single applicant".
const COLLECTIVE: &[&str] = &[
    "тургундар",
    "тургундары",
    "жители",
    "жашоочулар",
    "коллектив",
    "ата-энелер",
    "родители",
];

/// True for the key of "уулу"/"кызы" (son/daughter of), which links a father's name to the
/// given name in "Father уулу Given".
pub(crate) fn father_link(key: &str) -> bool {
    matches!(key, "уулу" | "кызы")
}

/// True for a word that can be part of a person's name as written ("Асанов", "Жумабекович", "уулу", "Б.").
pub(crate) fn name_token(w: &str) -> bool {
    // «Жаңы-Арык», "Нур-Суу": a quoted word names a firm or an association, not a person.
    if w.contains(['«', '»', '"', '“', '”']) {
        return false;
    }
    let t = trim_punct(w);
    let k = key_word(t);
    if father_link(&k) || compact_initials(t) || initials_with_case(t).is_some() {
        return true;
    }
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let cyr = |c: char| ('\u{0400}'..='\u{04FF}').contains(&c);
    let first_ok = first.is_uppercase() && (cyr(first) || "ABEKMHOPCTXY".contains(first));
    let rest_ok = t
        .chars()
        .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        && t.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| cyr(c) || "aeopcxyABEKMHOPCTXY".contains(c));
    first_ok && rest_ok && !NOT_NAME.contains(&k.as_str()) && !declined_acronym(t)
}

/// "ФАПа", "АВПнын", "ЦСМге": an acronym with a case ending (capitals, then lower case) names
/// an institution; a name in capitals ("АСАНОВ") has no lower case.
fn declined_acronym(t: &str) -> bool {
    let caps = t.chars().take_while(|c| c.is_uppercase()).count();
    caps >= 2 && t.chars().skip(caps).any(char::is_lowercase)
}

/// Initials written together ("Р.Х", "Н.Т." — the last dot may be trimmed).
pub(crate) fn compact_initials(t: &str) -> bool {
    let parts: Vec<&str> = t.trim_end_matches('.').split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(cyrillic_capital))
}

/// A Cyrillic capital letter (initials are Cyrillic; "P.S." is a postscript).
fn cyrillic_capital(c: char) -> bool {
    c.is_uppercase() && ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Initials with a Kyrgyz case ending glued on ("Н.Т.дан", "Т.ге"): the initials.
pub(crate) fn initials_with_case(t: &str) -> Option<&str> {
    let (head, ending) = t.rsplit_once('.')?;
    let case = [
        "дан", "ден", "тан", "тен", "нан", "нен", "га", "ге", "ка", "ке", "нын", "нин", "дын",
        "дин",
    ];
    (case.contains(&ending) && (compact_initials(head) || head.chars().count() == 1))
        .then(|| &t[..head.len() + 1])
}

/// A name candidate: the token indices in the doc and where it was read.
#[derive(Debug, Clone)]
pub(crate) struct NameCand {
    pub toks: Vec<usize>,
    pub source: crate::candidates::Source,
}

impl NameCand {
    pub(crate) fn text(&self, doc: &Doc) -> String {
        self.toks
            .iter()
            .map(|&i| {
                let w = trim_punct(&doc.toks[i].text);
                // Initials keep their full stop ("Ж. Сатаркулов", "А.Б. Турганбаева").
                if w.chars().count() == 1 && w.chars().all(char::is_uppercase)
                    || compact_initials(w)
                {
                    return format!("{}.", w.trim_end_matches('.'));
                }
                let w = if father_link(&doc.toks[i].key) {
                    w.to_string()
                } else {
                    capitalise_lookalike(w)
                };
                split_eng(&title_case_if_capitals(&w))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// True for a small letter that differs from its capital only in size: OCR often reads
/// one for the other ("өмүрбек", "үмөталиев").
pub(crate) fn small_like_capital(c: char) -> bool {
    "өүосжшщчзкхэ".contains(c)
}

/// A word whose first letter is a small letter that looks like its capital ("өмүрбек"),
/// with that letter made a capital; other words as they are.
fn capitalise_lookalike(w: &str) -> String {
    let mut cs = w.chars();
    match cs.next() {
        Some(c) if small_like_capital(c) => c.to_uppercase().chain(cs).collect(),
        _ => w.to_string(),
    }
}

/// "Ң" read as two letters, "Пй" ("Пйурманов" for "Ңурманов", "Жепйиш"): no Kyrgyz or
/// Russian word has "пй", so in a name it is always the misread "ң".
fn split_eng(w: &str) -> String {
    w.replacen("Пй", "Ң", 1)
        .replacen("ПЙ", "Ң", 1)
        .replace("пй", "ң")
}

/// A name word written (or read) in capitals, as the journal writes it: "ДӨӨЛӨТ" → "Дөөлөт",
/// "ЖАҢЫ-ЖОЛ" → "Жаңы-Жол". Initials ("Б.") and other words are kept.
fn title_case_if_capitals(w: &str) -> String {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || w.chars().any(|c| c.is_lowercase()) || compact_initials(w) {
        return w.to_string();
    }
    w.split('-')
        .map(|part| {
            let mut cs = part.chars();
            cs.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(cs.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join("-")
}

/// Keys of the words that end a Kyrgyz or Russian full name.
const PATRONYMIC_ENDINGS: [&str; 6] = ["ович", "овна", "евич", "евна", "уулу", "кызы"];

/// "михайловны", "петровичу": a Russian patronymic in another case (the header's genitive
/// "от … Осиповой Валентины Михайловны", the dative of an addressee).
fn russian_patronymic_case(key: &str) -> bool {
    let chars: Vec<char> = key.chars().collect();
    (1..=3).any(|cut| {
        chars.len() > cut + 4 && {
            let stem: String = chars[..chars.len() - cut].iter().collect();
            ["ович", "евич", "овн", "евн"]
                .iter()
                .any(|e| stem.ends_with(e))
        }
    })
}

/// Takes name tokens from `from` on, across lines up to `limit_line`, stopping at labels and non-name words.
pub(crate) fn take_name(doc: &Doc, from: usize, limit_line: usize, layout: &Layout) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = from;
    while i < doc.toks.len() && out.len() < 4 {
        let t = &doc.toks[i];
        if t.line >= limit_line && t.line != doc.toks[from].line {
            break;
        }
        let lk = doc.line_key(t.line);
        if t.line != doc.toks[from].line
            && (starts_with_label(&lk, ADDRESS_LABELS)
                || starts_with_label(&lk, PHONE_LABELS)
                || Some(t.line) == layout.title)
        {
            break;
        }
        // A name word read with a small first letter ("өмүрбек", "сїн"): Ө, Ү, О, С and the
        // like differ from their small forms only in size. Taken only inside a name: after
        // "уулу"/"кызы", as a patronymic, or before one.
        let patronymic = |k: &str| {
            PATRONYMIC_ENDINGS.iter().any(|e| k.ends_with(e)) || russian_patronymic_case(k)
        };
        let inside = !out.is_empty()
            && (out
                .last()
                .is_some_and(|&p: &usize| father_link(&doc.toks[p].key))
                || patronymic(&t.key)
                || doc
                    .toks
                    .get(i + 1)
                    .is_some_and(|n| name_token(&n.text) && patronymic(&n.key)));
        // "… Эргешов Алтынбек\nКимге: …": a word with a colon labels the next field.
        let label = !out.is_empty() && t.text.ends_with(':');
        let line_start = doc.lines[t.line].start;
        let initial = crate::text::initial_beside_name(doc.line_toks(t.line), i - line_start);
        let is_name = !label
            && (name_token(&t.text)
                || initial
                || inside && name_token(&capitalise_lookalike(&t.text)));
        // "Асанбаев Мелис Ак-Кыр айылы тел …": a word before a place word is the place.
        let place = doc
            .toks
            .get(i + 1)
            .is_some_and(|n| crate::candidates::place_after(trim_punct(&n.key)));
        if !is_name || !out.is_empty() && (demonym(&t.key) || out.len() >= 2 && place) {
            break;
        }
        out.push(i);
        // A case ending on a name word ends the name ("… Жээнбеков Адилеттен\nБиздин …").
        let word = trim_punct(&t.text);
        if out.len() >= 2 && crate::candidates::ky_nominative(word, false) != word {
            break;
        }
        // A patronymic at the end of a line ends the name: the next line is the address.
        let line_end = doc.toks.get(i + 1).is_none_or(|n| n.line != t.line);
        if line_end && out.len() >= 2 && patronymic(&t.key) && !father_link(&t.key) {
            break;
        }
        // A full stop ends the name unless it ends an initial ("Бекова Т. А.").
        if t.text.ends_with(['.', '!', '?']) && !crate::candidates::initial(&t.text) {
            break;
        }
        if t.text.ends_with([',', ';', ':']) {
            // OCR may put a stray comma before the patronymic ("Гүлнара, Абдыкадыровна").
            let next_patronymic = doc.toks.get(i + 1).is_some_and(|n| {
                n.line == t.line
                    && PATRONYMIC_ENDINGS
                        .iter()
                        .any(|s| n.key.trim_end_matches(',').ends_with(s))
            });
            if !next_patronymic {
                break;
            }
        }
        i += 1;
    }
    out
}

/// A Kyrgyz word for a person from a place ("Кош-Доболук", "Таластык"): a hyphenated or
/// long word with the -лык/-дык/-тык suffix says where the writer is from, not who.
fn demonym(key: &str) -> bool {
    let suffix = [
        "лык", "лик", "лук", "дык", "дик", "дук", "тык", "тик", "тук",
    ]
    .iter()
    .any(|e| key.ends_with(e));
    suffix && (key.contains('-') || key.chars().count() >= 8) && !ends_in_given_name(key)
}

/// "мамасадык", "токтосадык": a given name made of two, the last a listed name ("Садык"),
/// whatever its ending suggests.
fn ends_in_given_name(key: &str) -> bool {
    key.char_indices()
        .map(|(i, _)| &key[i..])
        .filter(|rest| rest.chars().count() >= 5)
        .any(|rest| {
            let mut c = rest.chars();
            let cap: String = c
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(c)
                .collect();
            crate::names::is_given_name(&cap)
        })
}

/// The chosen name: text, token indices, confidence, and a warning when sources disagree.
pub(crate) struct NameChoice {
    pub name: Option<String>,
    pub toks: Vec<usize>,
    pub confidence: f32,
    pub anonymous: bool,
    pub warning: Option<String>,
    /// The other signers of a collective letter, as written.
    pub co_signers: Vec<String>,
}

/// True when the letter says it is anonymous ("Анонимдүү", "аты-жөнүмдү жазбайм", "без
/// подписи"), or is signed only by a group ("Айыл тургундары", "Жители улицы …").
fn declared_anonymous(doc: &Doc, layout: &Layout) -> bool {
    let n = doc.lines.len();
    let lines = (0..layout.body_start.min(n)).chain(layout.footer_start.saturating_sub(2)..n);
    let marker = lines.clone().any(|li| {
        let k = doc.line_key(li);
        is_anonymous_marker(&k) && k.split_whitespace().count() <= 4
    });
    let group = (layout.footer_start..n).any(|li| {
        let toks = doc.line_toks(li);
        toks.len() <= 5
            && toks
                .iter()
                .any(|t| COLLECTIVE.iter().any(|c| t.key.starts_with(c)))
    });
    let said = doc.toks.iter().any(|t| t.key.starts_with("аноним"))
        || doc.lines.iter().any(|l| {
            ANON_PHRASES
                .iter()
                .any(|p| crate::text::key_line(&l.text).contains(p))
        });
    marker || group || said
}

/// How writers say they keep their name back (keys).
pub(crate) const ANON_PHRASES: &[&str] = &[
    "атымды жаз",
    "аты-жонумду жаз",
    "аты жонумду жаз",
    "атымды корсот",
    "атымды айтпай",
    "атымды атабай",
    "аты-жонумду корсот",
    "фамилию не указ",
    "имя не указ",
    "без подписи",
    "не называю",
    "не буду называть",
    "не указываю",
    "имя не пиш",
    "фамилию не пиш",
    "не пишу имя",
    "себя не назову",
];

/// What the name choice saw, for the eval tool's `--explain`: the lines, the parts of the
/// letter, and every candidate with its person's score and source. Never logged.
pub(crate) fn explain(doc: &Doc, layout: &Layout) -> Vec<String> {
    use crate::candidates::{name_candidates, people};
    let mut out: Vec<String> = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("L{i} {}", l.text))
        .collect();
    out.push(format!(
        "header_end={} body_start={} footer_start={} declared={}",
        layout.header_end,
        layout.body_start,
        layout.footer_start,
        declared_anonymous(doc, layout)
    ));
    for p in people(doc, name_candidates(doc, layout)) {
        for c in &p.cands {
            out.push(format!("{:.2} {:?} {}", p.score, c.source, c.text(doc)));
        }
    }
    out
}

/// Chooses the applicant's name from the candidates (never invents one): the person with
/// the strongest evidence, in their fullest spelling; anonymous when nobody is named.
pub(crate) fn choose_name(doc: &Doc, layout: &Layout) -> NameChoice {
    use crate::candidates::{fullest, nominative, people, Source};
    let people = people(doc, crate::candidates::name_candidates(doc, layout));
    let declared = declared_anonymous(doc, layout);
    let Some(best) = people.first() else {
        return NameChoice {
            name: None,
            toks: vec![],
            // Silently anonymous: a name may have been missed; a person looks.
            confidence: if declared { 0.9 } else { 0.55 },
            anonymous: true,
            warning: None,
            co_signers: vec![],
        };
    };
    let c = fullest(doc, best);
    let name = nominative(doc, c, &c.text(doc));
    let read = crate::text::conf_of(doc, &c.toks);
    let strong = best.score >= 0.85 || best.cands.len() > 1;
    let rival = people.get(1).is_some_and(|p| {
        p.score >= best.score - 0.1 && p.cands.iter().all(|c| c.source != Source::Signer)
    });
    let mut confidence = if strong { 0.92 } else { 0.62 } * (0.5 + 0.5 * read);
    // Initials only ("Абдиева К."): the letter may give the full name where it was not read.
    let initials = c
        .toks
        .iter()
        .any(|&t| crate::candidates::initial(&doc.toks[t].text));
    if rival || declared || initials {
        confidence = confidence.min(0.55);
    }
    let co_signers = people
        .iter()
        .skip(1)
        .filter(|p| p.cands.iter().any(|c| c.source == Source::Signer))
        .map(|p| fullest(doc, p).text(doc))
        .collect();
    NameChoice {
        name: Some(name),
        toks: c.toks.clone(),
        confidence,
        anonymous: false,
        warning: rival.then(|| "name_sources_disagree".to_string()),
        co_signers,
    }
}

pub(crate) static ABBREV_SPACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(д\.|ул\.|с\.|кв\.|г\.|мкр\.)([\dА-ЯӨҮҢ])").expect("static regex")
});
pub(crate) static HOUSE_LOOKALIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([бБзЗ])(\d{0,3}-үй)").expect("static regex"));
/// A full stop read for the comma after an address part ("Манас айылы. Ленин көчөсү. 5-үй",
/// "Ак-Тилек мкр. …"); "мкр." before the name is the Russian abbreviation ("мкр. Восточный").
static KY_PART_STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(айылы|көчөсү|кочосу|[^\s,]+\s+мкр)\s*\.\s+").expect("static regex")
});
/// A comma read for the full stop of a Russian abbreviation ("д, 56").
static RU_ABBREV_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s,])(с|ул|д|кв),\s*(\S)").expect("static regex"));
/// "көчөсү" with its rounded vowels misread (кечесу, күчөсө, көчөө, кочосу) or its ending
/// lost ("күчє"); the plain "көчө" is a word of its own and stays.
pub(crate) static KY_STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[кК][өоүуеәє][чЧ](?:[өоүуеәє][сС]?[үуөоеәє]|[оүуеәє])\b").expect("static regex")
});
/// The house suffix "-үй" misread ("-Пй", "-ПЙ", "-й", "-ү", "-Үүй", "-уй", "-йй", "-өй").
static KY_HOUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s*-\s*(?:[ПпҮүУуYyйЙөӨ]{1,2}[йЙ]|[йЙ]|[ҮүУу])(?:\b|$)")
        .expect("static regex")
});
/// A Russian address abbreviation read in capitals after a comma ("ул. Ленин, Д. 55").
static RU_ABBREV_CAPS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(,\s*)(Д|Ул|Кв)\.").expect("static regex"));
/// A full stop read for the comma before "д."/"кв." ("ул. Үмөталиев. д. 108").
static RU_PART_STOP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\w{3,})\.\s+(д|кв)\.").expect("static regex"));
/// A speck read as a lower-case letter glued to a house number ("т71-үй"); look-alike
/// digits (б, з) are turned into digits before this.
static HOUSE_LETTER_SPECK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s,])[а-яё](\d{1,4}-үй)").expect("static regex"));
/// Specks read before a house number ("°50-үй", "'12").
static NUMBER_SPECK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|\s)[°'`´*\u{2018}\u{2019}^~<>«»]+(\d)").expect("static regex")
});
/// "д." before the house number misread as another letter after the street ("ул. Ленин, В. 88").
static RU_HOUSE_ABBREV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(ул\.\s*[^,]+,\s*)[ВвБбАаО]\.(\s*\d)").expect("static regex"));

/// Repairs what the scanner typically does to an address without changing what was written: Cyrillic letters
/// of other alphabets read for Kyrgyz ones (Җ→Ж), a full stop read for a comma after "айылы"/"көчөсү", a comma
/// read for the full stop of "с."/"ул."/"д.", and specks before a number.
pub(crate) fn tidy_address(a: &str) -> String {
    let folded = fold_foreign(a);
    let s = KY_PART_STOP.replace_all(&folded, "$1, ");
    let s = RU_ABBREV_COMMA.replace_all(&s, "$1$2. $3");
    let s = RU_PART_STOP.replace_all(&s, "$1, $2.");
    let s = RU_ABBREV_CAPS.replace_all(&s, |c: &regex::Captures| {
        format!("{}{}.", &c[1], c[2].to_lowercase())
    });
    let s = NUMBER_SPECK.replace_all(&s, "$1$2");
    let s = RU_HOUSE_ABBREV.replace_all(&s, "${1}д.$2");
    let s = HOUSE_LETTER_SPECK.replace_all(&s, "$1$2");
    // Kyrgyz address words and the house suffix with ө/ү misread ("күчөсө", "19-Пй", "45-й").
    let s = if s.contains("айыл") || KY_STREET.is_match(&s) {
        let s = KY_STREET.replace_all(&s, "көчөсү");
        KY_HOUSE.replace_all(&s, "$1-үй").into_owned()
    } else {
        s.into_owned()
    };
    s.trim_end_matches(['.', ',', ';'])
        .to_string()
        .replace(" ,", ",")
}

/// Cyrillic letters of other alphabets that the scanner reads for Kyrgyz ones (Җ for Ж, Қ for К).
pub(crate) fn fold_foreign(a: &str) -> String {
    a.chars()
        .map(|c| match c {
            'Җ' => 'Ж',
            'җ' => 'ж',
            'Қ' => 'К',
            'қ' => 'к',
            'Ғ' => 'Г',
            'ғ' => 'г',
            'Ұ' => 'Ү',
            'ұ' => 'ү',
            'Ї' => 'Ү',
            'ї' => 'ү',
            'Ӊ' | 'Ӈ' => 'Ң',
            'ӊ' | 'ӈ' => 'ң',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_tidied_of_scan_noise() {
        for (input, want) in [
            (
                "Кара-Суу айылы. Достук көчөсү. 107-үй",
                "Кара-Суу айылы, Достук көчөсү, 107-үй",
            ),
            (
                "Көк-Җар айылы, Достук көчөсү, 27-үй",
                "Көк-Жар айылы, Достук көчөсү, 27-үй",
            ),
            ("с. Манас, ул. Ленина, д, 56", "с. Манас, ул. Ленина, д. 56"),
            (
                "Манас айылы, Манас көчөсү, °50-үй",
                "Манас айылы, Манас көчөсү, 50-үй",
            ),
            (
                "с. Манас, ул. Ленина, д. 5, кв. 3",
                "с. Манас, ул. Ленина, д. 5, кв. 3",
            ),
            (
                "Күк-Жар айылы, Токтогул күчөсө, 19-Пй",
                "Күк-Жар айылы, Токтогул көчөсү, 19-үй",
            ),
            (
                "Манас айылы, Ленин көчөсү, 99-ПЙ",
                "Манас айылы, Ленин көчөсү, 99-үй",
            ),
            (
                "Манас айылы, Жейиш күчөсө, 45-й",
                "Манас айылы, Жейиш көчөсү, 45-үй",
            ),
            (
                "Манас айылы, Манас көчөсү, 75-Үүй",
                "Манас айылы, Манас көчөсү, 75-үй",
            ),
            (
                "с. Кара-Суу, ул. Ленин, Д. 55",
                "с. Кара-Суу, ул. Ленин, д. 55",
            ),
            (
                "с. Манас, ул. Үмөталиев. д. 108",
                "с. Манас, ул. Үмөталиев, д. 108",
            ),
            (
                "с. Ак-Таш, ул. Үмөталиев, В. 88",
                "с. Ак-Таш, ул. Үмөталиев, д. 88",
            ),
            (
                "Жаңы-Жол айылы, Жеңиш көчөсү, <51-үй",
                "Жаңы-Жол айылы, Жеңиш көчөсү, 51-үй",
            ),
            (
                "Ак-Таш айылы, Достук күчє, 6-йй",
                "Ак-Таш айылы, Достук көчөсү, 6-үй",
            ),
            (
                "Ак-Таш айылы, Достук көчө, 6-өй",
                "Ак-Таш айылы, Достук көчө, 6-үй",
            ),
            (
                "Манас айылы, Ленин көчөсү, т71-үй",
                "Манас айылы, Ленин көчөсү, 71-үй",
            ),
            // A one-letter word before the house number stays.
            (
                "Манас айылы, Ленин көчөсү, 71-үй",
                "Манас айылы, Ленин көчөсү, 71-үй",
            ),
        ] {
            assert_eq!(tidy_address(input), want);
        }
    }

    #[test]
    fn names_in_capitals_are_written_as_the_journal_does() {
        assert_eq!(split_eng("Пйурманов"), "Ңурманов");
        assert_eq!(split_eng("Жепйиш"), "Жеңиш");
        assert_eq!(split_eng("Асанов"), "Асанов");
        assert_eq!(title_case_if_capitals("ДӨӨЛӨТ"), "Дөөлөт");
        assert_eq!(title_case_if_capitals("ЖАҢЫ-ЖОЛ"), "Жаңы-Жол");
        assert_eq!(title_case_if_capitals("Б."), "Б.");
        assert_eq!(title_case_if_capitals("Асанов"), "Асанов");
        assert_eq!(title_case_if_capitals("уулу"), "уулу");
    }

    #[test]
    fn name_tokens() {
        for w in [
            "Асанов",
            "Бакыт",
            "Жумабекович,",
            "уулу",
            "кызы",
            "Төлөгөнов",
            "Кара-Суу",
            "Ңурманов",
        ] {
            assert!(name_token(w), "{w}");
        }
        for w in ["ФАПа", "АВПнын", "ЦСМге"] {
            assert!(!name_token(w), "{w}");
        }
        for w in [
            "асанов",
            "Дареги:",
            "0555",
            "Урматтуу",
            "Тургундар",
            "Asanov",
            "",
        ] {
            assert!(!name_token(w), "{w}");
        }
    }
}
