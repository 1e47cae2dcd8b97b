//! The applicant's address, as written, from wherever the letter gives it.
//!
//! After a label ("Дарегим:", "Турган жерим:", "Почтовый адрес:", "проживающая по адресу:"),
//! on the signature line after the name ("Осмонов Талант, Ак-Дөбө айылы, Чолпон-Ата
//! көчөсү, 11"), as an unlabelled line of the sender or signature block, or inside the
//! writer's introduction ("Мен, Тогуз-Тоо айылынын тургуну …", which the journal writes
//! "Тогуз-Тоо айылы"). A council's list of places helps to repair OCR; it is never needed.

use crate::applicant::{tidy_address, ABBREV_SPACE, HOUSE_LOOKALIKE};
use crate::layout::{address_like, starts_with_label, Layout, ADDRESS_LABELS, PHONE_LABELS};
use crate::text::{key_word, trim_punct, Doc};

/// The chosen address.
pub(crate) struct AddressChoice {
    pub address: Option<String>,
    pub toks: Vec<usize>,
    pub confidence: f32,
}

/// Words (keys) an address may hold besides names and numbers.
pub(crate) const ADDRESS_WORDS: &[&str] = &[
    "айылы",
    "айыл",
    "кочосу",
    "коч",
    "к",
    "ул",
    "улица",
    "с",
    "село",
    "села",
    "селе",
    "поселка",
    "д",
    "дом",
    "кв",
    "квартира",
    "батир",
    "уй",
    "району",
    "район",
    "р-н",
    "мкр",
    "микрорайон",
    "обл",
    "область",
    "облусу",
    "областы",
    "шаары",
    "г",
    // "Кочкор-Ата ш.": шаары.
    "ш",
    "пер",
    "переулок",
    "проспект",
    "пр",
    "тупик",
    "массиви",
    "массив",
    "конушу",
    "кыштагы",
    "аймагы",
    "а",
    "айылдык",
    "округ",
    "п",
    "пос",
    "поселок",
    "жм",
    "ж/м",
    "№",
    "проезд",
    "участок",
    "көч",
    "тамы",
];
/// Genitive and locative place words and the nominative the journal writes.
const NOMINATIVE: &[(&str, &str)] = &[
    ("айылынын", "айылы"),
    ("айылында", "айылы"),
    ("айылынан", "айылы"),
    ("көчөсүнүн", "көчөсү"),
    ("көчөсүндө", "көчөсү"),
    ("көчөсүнөн", "көчөсү"),
    ("көчөсүндөгү", "көчөсү"),
    ("айылындагы", "айылы"),
    ("районунун", "району"),
    ("районундагы", "району"),
    ("облусунун", "облусу"),
    ("шаарынын", "шаары"),
    ("шаарында", "шаары"),
    ("конушунун", "конушу"),
    ("кыштагынын", "кыштагы"),
    ("кыштагында", "кыштагы"),
    ("кыштагынан", "кыштагы"),
    // The spoken short form many write ("Ак-Сай-Булак айлында").
    ("айлынын", "айылы"),
    ("айлында", "айылы"),
    ("айлынан", "айылы"),
];
/// The nominative of a declined place word ("айылында" → "айылы"), for comparing
/// addresses whatever case the letter wrote them in.
pub(crate) fn nominative_of(word: &str) -> Option<&'static str> {
    let k = key_word(word);
    NOMINATIVE
        .iter()
        .find(|(g, _)| key_word(g) == k)
        .map(|&(_, n)| n)
}

/// Words that introduce an address in running text ("по адресу:", "дарегим:").
const INLINE: &[&str] = &[
    "адресу",
    "дарегим",
    "дареги",
    "дарегибиз",
    "адрес",
    "адресим",
    // "Жашаган жерим Кош-Терек айылы, …"
    "жерим",
];

/// True for an address word itself ("айылы", "ул.", "көчөсү", "-үй").
fn is_keyword(text: &str) -> bool {
    let k = key_word(trim_punct(text));
    // "үй", "дом", "кв." name a house only with its number, which carries the address.
    let needs_number = [
        "уй",
        "д",
        "дом",
        "кв",
        "квартира",
        "батир",
        "участок",
        "а",
        "к",
        "п",
        "г",
        "ш",
    ];
    (ADDRESS_WORDS.contains(&k.as_str()) && !needs_number.contains(&k.as_str()))
        || k.ends_with("кочосу")
        || k.ends_with("-уй")
        || k.starts_with("кочо")
        || k.starts_with("район")
        || NOMINATIVE.iter().any(|(g, _)| key_word(g) == k)
}

/// Where the address starts on a line: at its first address word, or at the capitalised
/// word just before it ("Ибраимов Р., с. Кенбулун, …" → "с."; "… Сары-Талаа айылы" →
/// "Сары-Талаа").
fn address_start(doc: &Doc, li: usize) -> Option<usize> {
    let line = &doc.lines[li];
    // "Айылы: Жети-Өгүз …": a word with a colon labels what follows.
    // "Жаңы-Талап а., Саякбай к., №15", "Кочкор-Ата ш.": "а."/"к."/"ш." after a capitalised
    // word abbreviate "айылы"/"көчөсү"/"шаары" even without a number beside them.
    let abbreviated = |i: usize| {
        let t = &doc.toks[i];
        i > line.start
            && matches!(t.text.as_str(), "а.," | "а." | "к.," | "к." | "ш.," | "ш.")
            && doc.toks[i - 1].text.starts_with(char::is_uppercase)
    };
    let k = (line.start..line.end).find(|&i| {
        (is_keyword(&doc.toks[i].text) || abbreviated(i))
            && !doc.toks[i].text.ends_with(':')
            && !crate::text::initial_beside_name(doc.line_toks(li), i - line.start)
    })?;
    // "Айыл: Сары-Камыш, Эгемендүүлүк көчөсү, 29": the village after a place label.
    let first = &doc.toks[line.start];
    if first.text.ends_with(':')
        && matches!(
            first.key.as_str(),
            "айыл" | "айылы" | "село" | "с" | "поселок"
        )
        && line.start + 1 < k
    {
        return Some(line.start + 1);
    }
    let prev = k.checked_sub(1).filter(|&p| p >= line.start);
    let capital_before = prev.filter(|&p| {
        let t = &doc.toks[p];
        trim_punct(&t.text).starts_with(char::is_uppercase)
            && !t.text.ends_with([',', '.', ':'])
            && !matches!(
                t.key.as_str(),
                "мен" | "биз" | "я" | "салам" | "урматтуу" | "уважаемый" | "мы"
            )
            && !["жител", "проживающ", "тургун"]
                .iter()
                .any(|w| t.key.starts_with(w))
    });
    // "а. Куршаб-Сай, ул. Навои, д. 27": an abbreviated village before the street.
    let village_before = prev.filter(|&p| {
        let t = &doc.toks[p];
        p > line.start
            && t.text.ends_with(',')
            && t.text.starts_with(char::is_uppercase)
            && doc.toks[p - 1].text.ends_with('.')
            && matches!(doc.toks[p - 1].key.as_str(), "а" | "с" | "г" | "п" | "пос")
    });
    Some(village_before.map_or(capital_before.unwrap_or(k), |p| p - 1))
}

/// True when a word can be part of an address.
fn address_word(text: &str) -> bool {
    let t = trim_punct(text);
    let k = key_word(t);
    let folded: String = k
        .chars()
        .map(|c| match c {
            'ө' => 'о',
            'ү' => 'у',
            c => c,
        })
        .collect();
    // An abbreviation glued to its number ("д.47", "кв.3").
    let glued = ["д.", "кв.", "уй", "дом"].iter().any(|a| {
        t.strip_prefix(a)
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
    });
    text == "№"
        || !t.is_empty()
            && (glued
                || t.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '№')
                || ADDRESS_WORDS.contains(&folded.as_str())
                || ADDRESS_WORDS.contains(&k.as_str())
                || k.ends_with("кочосу")
                || k.ends_with("-уй")
                || k.starts_with("кочо")
                || matches!(k.as_str(), "района" | "области" | "р-на" | "обл")
                || NOMINATIVE.iter().any(|(g, _)| key_word(g) == k))
}

/// True when a token starts a phone ("тел.", "0700", "+996") or a sentence of its own.
fn stops_address(doc: &Doc, i: usize) -> bool {
    let t = &doc.toks[i];
    // "…, Кайың-Ды-Сай айылы, 0 700 90 30 11": digits in groups that add up to a phone.
    let phone_digits: usize = (i..doc.lines[t.line].end)
        .map(|j| &doc.toks[j].text)
        .take_while(|w| w.chars().all(|c| c.is_ascii_digit() || "-()+".contains(c)))
        .map(|w| w.chars().filter(char::is_ascii_digit).count())
        .sum();
    let grouped_phone = t.text.starts_with(['0', '+', '(']) && phone_digits >= 9;
    grouped_phone
        || starts_with_label(&t.key, PHONE_LABELS)
        || crate::contacts::find_loose_phone(&doc.lines[t.line].text[..]).is_some_and(|_| {
            t.text.starts_with(['0', '+', '('])
                && t.text.chars().filter(char::is_ascii_digit).count() >= 3
        })
        || !address_word(&t.text)
}

/// The address tokens from `from` on, across up to `lines` more lines, until a phone, a word
/// of a sentence or the end of the clause.
fn take_address(doc: &Doc, from: usize, lines: usize) -> Vec<usize> {
    let Some(first) = doc.toks.get(from) else {
        return vec![];
    };
    let last_line = first.line + lines;
    let mut out = Vec::new();
    let mut i = from;
    while i < doc.toks.len() && doc.toks[i].line <= last_line {
        let t = &doc.toks[i];
        if t.line != first.line && doc.lines[t.line].start == i {
            // A new line continues the address only after a comma or an open abbreviation.
            let prev = out
                .last()
                .map(|&p: &usize| doc.toks[p].text.as_str())
                .unwrap_or("");
            let open = prev.ends_with(',')
                || prev.ends_with('-')
                || matches!(prev, "по" | "на")
                || [
                    "ул.", "с.", "д.", "кв.", "көч.", "пер.", "мкр.", "а.", "к.", "пр.",
                ]
                .contains(&prev);
            // "… Кайырма көчөсүндө\n9-үйдө", "ул. Кенешбека\nМусаева, 22": a line that
            // brings the house number the address still lacks.
            let numbered = out
                .iter()
                .all(|&o: &usize| !doc.toks[o].text.contains(|c: char| c.is_ascii_digit()));
            let house_next = numbered
                && crate::contacts::find_dates(&doc.lines[t.line].text).is_empty()
                && (house_number(&t.text)
                    || t.text.starts_with(char::is_uppercase)
                        && doc
                            .toks
                            .get(i + 1)
                            .is_some_and(|n| n.line == t.line && house_number(&n.text)));
            // "… Көк-Жайык-Сай айылынын Байтик\nкөчөсүндө 7-үйдө": a line that opens with a
            // street or house word goes on with the address.
            let street_next = t.text.starts_with(char::is_lowercase)
                && (t.key.starts_with("кочосу") || t.key.contains("-уй") || t.key == "айылы");
            if !open
                && !street_next
                && !house_next
                && !crate::applicant::KY_STREET.is_match(trim_punct(&t.text))
            {
                break;
            }
        }
        let year_word = ["-ж", "-жыл", "-жылы", "-жылдын"]
            .iter()
            .any(|e| t.key.trim_end_matches(',').ends_with(e));
        let date = !crate::contacts::find_dates(&t.text).is_empty()
            || year_word && t.text.chars().any(|c| c.is_ascii_digit());
        let bare_preposition = t.key == "с"
            && !doc
                .toks
                .get(i + 1)
                .is_some_and(|n| n.text.chars().next().is_some_and(char::is_uppercase));
        // "Бердике баатыр көчөсү": a small word of a street's name before the street word.
        let street_part = !out.is_empty()
            && doc
                .toks
                .get(i + 1)
                .is_some_and(|n| n.line == t.line && is_keyword(&n.text))
            && t.text.chars().all(char::is_alphabetic);
        // "с. Туз-Бель по пер. Чкалова, 3": the preposition before the street.
        let to_street = !out.is_empty() && street_preposition(doc, i);
        if stops_address(doc, i) && !street_part && !to_street || date || bare_preposition {
            break;
        }
        out.push(i);
        // "…, Чолпон-Ата көчөсү, 3, Эсенкулова Бурул": two name words after the house number
        // are the signer, not the address.
        let number = t.text.chars().next().is_some_and(|c| c.is_ascii_digit());
        let name_next = (i + 1..i + 3).all(|j| {
            doc.toks.get(j).is_some_and(|n| {
                n.line <= t.line + 1
                    && crate::applicant::name_token(&n.text)
                    && !is_keyword(&n.text)
                    && !doc.toks.get(j + 1).is_some_and(|m| is_keyword(&m.text))
            })
        });
        if number && t.text.ends_with(',') && name_next {
            break;
        }
        // "Бирдик көчөсү 6. Катчыдан …": a house number with a full stop ends the sentence.
        let number_stop =
            t.text.ends_with('.') && t.text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if number_stop {
            break;
        }
        // "Ак-Кыя-Сай айылы. Эркиндик көчөсү, …": a full stop read for the comma after a place
        // word when the next part of the address follows on the line.
        let part_goes_on = matches!(t.key.as_str(), "айылы" | "кочосу")
            && doc.toks.get(i + 2).is_some_and(|n| {
                n.line == t.line
                    && is_keyword(&n.text)
                    && doc.toks[i + 1].text.starts_with(char::is_uppercase)
            });
        if t.text.ends_with(['.', ';'])
            && t.text.chars().count() > 4
            && !t.text.ends_with("-ж.")
            && !part_goes_on
        {
            break;
        }
        i += 1;
    }
    while out
        .last()
        .is_some_and(|&l| trim_punct(&doc.toks[l].text).is_empty())
    {
        out.pop();
    }
    out
}

/// "по ул. …", "на пер. …": a Russian preposition that leads from the village to its street.
fn street_preposition(doc: &Doc, i: usize) -> bool {
    matches!(doc.toks[i].key.as_str(), "по" | "на")
        && doc.toks.get(i + 1).is_some_and(|n| {
            matches!(
                n.key.as_str(),
                "ул" | "улице" | "пер" | "переулку" | "переулке" | "мкр" | "микрорайону"
            )
        })
}

/// "9-үйдө", "22", "4.", "№14": a house number.
fn house_number(text: &str) -> bool {
    let t = trim_punct(text).trim_start_matches('№');
    t.starts_with(|c: char| c.is_ascii_digit())
        && (t.chars().all(|c| c.is_ascii_digit() || c == '/') || t.contains("-үй"))
}

/// The address text of tokens, tidied, with genitive place words in the nominative when
/// `nominal` (an address read out of a sentence).
fn address_text(doc: &Doc, toks: &[usize], nominal: bool) -> String {
    // "Торкент айылынын … көчөсүндө 31-үйдө": a phrase declined as a whole stays as written
    // unless `nominal`; in "…, Жеңиш көчөсү, 12-үйдө жашаган" only the house is declined.
    let declined = toks.iter().any(|&t| {
        let k = key_word(trim_punct(&doc.toks[t].text));
        NOMINATIVE.iter().any(|(g, _)| key_word(g) == k)
    });
    let words: Vec<String> = toks
        .iter()
        .map(|&t| {
            let w = doc.toks[t].text.clone();
            let bare = trim_punct(&w).to_lowercase();
            // "56-үйдө", "56-үйүндө": the house number as the journal writes it.
            let house = ["-үйүндө", "-үйдө", "-үйүнөн"]
                .iter()
                .find_map(|s| bare.strip_suffix(s));
            if let Some(house) = house.filter(|_| nominal || !declined) {
                return format!("{house}-үй");
            }
            if !nominal {
                return w;
            }
            NOMINATIVE
                .iter()
                .find(|(g, _)| key_word(g) == key_word(&bare))
                .map_or(w.clone(), |(_, n)| format!("{n},"))
        })
        .collect();
    // "с. Кош-Дөбө (ул. Панфилова, 88)": a bracketed street is the next part of the address.
    let text = words
        .join(" ")
        .replace(" (", ", ")
        .replace(['(', ')'], "")
        .replace(",,", ",");
    let text =
        text.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')') || c.is_whitespace());
    let text = ABBREV_SPACE.replace_all(text, "$1 $2");
    // "Келечек к., м14": the number sign read as a letter after a comma.
    let text = NUMBER_SIGN.replace_all(&text, "$1№$2");
    // "б5-үй": a look-alike letter read for the first digit of the house number.
    let text = HOUSE_LOOKALIKE.replace_all(&text, |c: &regex::Captures| {
        let d = match &c[1] {
            "б" | "Б" => "6",
            "з" | "З" => "3",
            _ => "0",
        };
        format!("{d}{}", &c[2])
    });
    tidy_address(&text).trim_end_matches([',', ' ']).to_string()
}

static NUMBER_SIGN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(,\s*)[мМnN]°?(\d{1,4})\b").expect("static regex")
});

fn choice(doc: &Doc, toks: Vec<usize>, nominal: bool, base: f32) -> Option<AddressChoice> {
    if toks.is_empty() {
        return None;
    }
    let text = address_text(doc, &toks, nominal);
    // A place has a name or a number besides the address words ("айыл" alone is none).
    let named = toks.iter().any(|&t| {
        let w = trim_punct(&doc.toks[t].text);
        w.chars().any(|c| c.is_ascii_digit())
            || w.chars().next().is_some_and(char::is_uppercase) && !is_keyword(w)
    });
    // "Лукин, 5-47-21": a number alone is a phone, not an address.
    let worded = toks
        .iter()
        .any(|&t| doc.toks[t].text.chars().any(char::is_alphabetic));
    let keyword = toks.iter().any(|&t| is_keyword(&doc.toks[t].text))
        || toks
            .iter()
            .any(|&t| doc.toks[t].text.chars().any(|c| c.is_ascii_digit()));
    // "Токторова Айбийке, 10-класс", "Данияр Эсенов, 9 «А» класс": a pupil's class.
    let after = toks.last().map(|&l| l + 1);
    let school = toks
        .iter()
        .copied()
        .chain(after.filter(|&a| a < doc.toks.len()))
        .any(|t| doc.toks[t].key.contains("класс"));
    (named && keyword && worded && !school && !text.is_empty()).then(|| AddressChoice {
        address: Some(text),
        confidence: (base * (0.5 + 0.5 * crate::text::conf_of(doc, &toks))).min(1.0),
        toks,
    })
}

/// Lines where an address may stand: the top block and the last lines.
fn block_lines(doc: &Doc, lay: &Layout) -> Vec<usize> {
    let n = doc.lines.len();
    // A title above the addressee and sender ("Арыз / … башчысына / Кимден: … / Дареги: …"):
    // the header block runs from the title to the body.
    let title_first = lay.title.is_some_and(|t| t == lay.header_end);
    let top = if title_first {
        lay.body_start
    } else {
        lay.header_end.max(lay.title.unwrap_or(0))
    }
    .min(n);
    // The footer, and the contact lines just above it ("Дарегим: …" before "Колу: …"); never
    // the body, where a village is where things happen.
    let mut bottom = lay.footer_start.max(top).min(n);
    while bottom > top && contact_line(doc, bottom - 1) {
        bottom -= 1;
    }
    (0..top).chain(bottom..n).collect()
}

/// A labelled address or phone line, or a short address line that is no sentence.
fn contact_line(doc: &Doc, li: usize) -> bool {
    let key = doc.line_key(li);
    starts_with_label(&key, ADDRESS_LABELS)
        || starts_with_label(&key, PHONE_LABELS)
        || address_like(doc, li) && !doc.lines[li].text.trim_end().ends_with('.')
}

/// After an address label at the start of a line ("Дарегим:", "Проживающая по адресу:").
fn labelled(doc: &Doc, lay: &Layout) -> Option<AddressChoice> {
    // The top block and the last lines first; then a short labelled line anywhere (a
    // collective letter's representative, address and phone above a long list of signers).
    let blocks = block_lines(doc, lay);
    let others =
        (0..doc.lines.len()).filter(|li| !blocks.contains(li) && doc.line_toks(*li).len() <= 14);
    for li in blocks.iter().copied().chain(others) {
        if !starts_with_label(&doc.line_key(li), ADDRESS_LABELS) {
            continue;
        }
        let line = &doc.lines[li];
        let colon = (line.start..line.end).find(|&i| doc.toks[i].text.ends_with(':'));
        let from = colon.map_or(line.start + 1, |c| c + 1);
        let from = if from >= line.end {
            doc.lines.get(li + 1).map_or(from, |l| l.start)
        } else {
            from
        };
        if let Some(c) = choice(doc, take_address(doc, from, 2), false, 0.92) {
            return Some(c);
        }
    }
    None
}

/// "… по адресу: с. Садовое, ул. Октябрьская, д. 17", "… дарегим: …" inside a line.
fn inline(doc: &Doc, lay: &Layout) -> Option<AddressChoice> {
    let n = doc.lines.len();
    let lines: Vec<usize> = block_lines(doc, lay)
        .into_iter()
        .chain(lay.body_start..(lay.body_start + 4).min(n))
        .collect();
    for li in lines {
        let line = &doc.lines[li];
        if let Some(i) =
            (line.start..line.end).find(|&i| INLINE.contains(&doc.toks[i].key.as_str()))
        {
            let from = if i + 1 < line.end {
                i + 1
            } else {
                doc.lines.get(li + 1).map_or(i + 1, |l| l.start)
            };
            if let Some(c) = choice(doc, take_address(doc, from, 2), false, 0.85) {
                return Some(c);
            }
        }
    }
    None
}

/// The signature or sender line after the applicant's name ("Осмонов Талант, Ак-Дөбө
/// айылы, Чолпон-Ата көчөсү, 11, тел. …"), or the address line just below the name.
fn beside_name(doc: &Doc, name: &[usize]) -> Option<AddressChoice> {
    let &last = name.last()?;
    let li = doc.toks[last].line;
    let line_end = doc.lines[li].end;
    // "Кең-Жайык айылы, Ибраим Айтматов көчөсү, 5-үй, Мырзакан уулу Талантбек.": the address
    // before the name on its line.
    let first = name[0];
    if first > doc.lines[li].start && doc.toks[first - 1].text.ends_with(',') {
        let before = address_start(doc, li)
            .filter(|&s| s < first)
            .map(|s| take_address(doc, s, 0))
            .filter(|a| a.last().is_some_and(|&l| l < first));
        if let Some(c) = before.and_then(|a| choice(doc, a, false, 0.8)) {
            return Some(c);
        }
    }
    // "1. Ниязалиев Кубанычбек — Чек-Ара көчөсү, 3 — 0702 …": a dash after the name.
    let dash = doc
        .toks
        .get(last + 1)
        .is_some_and(|t| t.line == li && matches!(t.text.as_str(), "—" | "–" | "-"));
    if last + 1 < line_end && (doc.toks[last].text.ends_with(',') || dash) {
        // "Я, Лысенко Г. Ф., жительница с. Ананьево, ул. …", "проживающая по адресу: …".
        let mut from = last + 1 + usize::from(dash);
        while from < line_end.min(last + 4)
            && ["жител", "проживающ", "по", "адресу"]
                .iter()
                .any(|p| doc.toks[from].key.starts_with(p))
        {
            from += 1;
        }
        // In a sentence ("Мен, Асанова Айгүл, Кара-Суу айылында жашайм") the place is
        // inflected: the journal writes it in the nominative.
        if let Some(c) = choice(doc, take_address(doc, from, 1), true, 0.85) {
            return Some(c);
        }
    }
    let next = li + 1;
    (next < doc.lines.len() && address_like(doc, next))
        .then(|| {
            choice(
                doc,
                take_address(doc, address_start(doc, next)?, 1),
                false,
                0.85,
            )
        })
        .flatten()
}

/// An unlabelled address line in the top block or the last lines.
/// "Ош облусу, Кара-Кулжа району" above the addressee is the council's region: a line with
/// a village, street or house outranks it.
fn address_line(doc: &Doc, lay: &Layout) -> Option<AddressChoice> {
    let found: Vec<AddressChoice> = block_lines(doc, lay)
        .into_iter()
        .filter(|&li| address_like(doc, li) && !addressee_place(doc, lay, li))
        .filter_map(|li| {
            choice(
                doc,
                take_address(doc, address_start(doc, li)?, 1),
                false,
                0.58,
            )
        })
        .collect();
    let region_only = |c: &AddressChoice| {
        c.toks.iter().all(|&t| {
            let k = &doc.toks[t].key;
            !is_keyword(&doc.toks[t].text)
                || ["облус", "област", "обл", "район", "р-н"]
                    .iter()
                    .any(|r| k.starts_with(r))
        }) && !c
            .toks
            .iter()
            .any(|&t| doc.toks[t].text.contains(|c: char| c.is_ascii_digit()))
    };
    let pos = found.iter().position(|c| !region_only(c)).unwrap_or(0);
    found.into_iter().nth(pos)
}

/// True for a place line that goes on from the addressee ("Главе айыл окмоту / с.
/// Шаркыратма Тюпского района"): where the council is, not where the writer lives. Only
/// lines without a house number directly under the addressee (a sender's full address
/// there has one).
fn addressee_place(doc: &Doc, lay: &Layout, li: usize) -> bool {
    let under_addressee = |li: usize| {
        (0..li)
            .rev()
            .take_while(|&p| {
                !doc.line_toks(p)
                    .iter()
                    .any(|t| t.text.contains(|c: char| c.is_ascii_digit()))
            })
            .take(2)
            .any(|p| crate::layout::is_addressee(&doc.line_key(p)))
    };
    // "Кимден: …, Ак-Таш-Сай айылы", "… айылынын тургундарынан": the sender's line.
    let sender = |k: &str| {
        [
            "кимден",
            "от",
            "тургун",
            "жител",
            "жашоочу",
            "арыз",
            "заявит",
            "проживающ",
        ]
        .iter()
        .any(|c| k.starts_with(c))
            || [
                "дан", "ден", "тан", "тен", "нан", "нен", "дон", "тон", "нон",
            ]
            .iter()
            .any(|e| k.ends_with(e))
    };
    li > 0
        && li < lay.header_end
        && !doc
            .line_toks(li)
            .iter()
            .any(|t| t.text.contains(|c: char| c.is_ascii_digit()) || sender(&t.key))
        && under_addressee(li)
        && (1..li).all(|p| !crate::layout::name_like_line(doc, p))
}

/// End (token index) of where a writer introduces themself: the header and the first
/// lines of the body.
fn intro_end(doc: &Doc, lay: &Layout) -> usize {
    let n = doc.lines.len();
    doc.lines
        .get((lay.body_start + 3).min(n.saturating_sub(1)))
        .map_or(0, |l| l.end)
        .min(doc.toks.len())
}

/// "Мен, Тогуз-Тоо айылынын тургуну …", "житель села Садовое", "… айылынын Токтогул
/// көчөсүнүн тургундары": the place in the writer's introduction, in the nominative.
fn introduced(doc: &Doc, lay: &Layout, name: &[usize]) -> Option<AddressChoice> {
    let end = intro_end(doc, lay);
    let signed = signed_by_group(doc);
    // "Беш-Күңгөй айылынан Асанова Бурма апаңар", "Чоң-Жаргылчак айылынын тургуну
    // Бектурганов Азамат": the place before the name on the writer's own line.
    let own = name.first().map_or(0..0, |&f| own_line_before(doc, f));
    for i in (0..end).chain(signed.clone()).chain(own.clone()) {
        let k = &doc.toks[i].key;
        let place_word = NOMINATIVE.iter().any(|(g, _)| key_word(g) == *k);
        if !place_word
            || i == 0
            || !doc.toks[i - 1]
                .text
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        {
            continue;
        }
        // "Ала-Бука районундагы Кызыл-Эшме айыл өкмөтүнүн / башчысына": the council's place.
        let line_key = doc.line_key(doc.toks[i].line);
        let header = doc.toks[i].line < lay.body_start;
        // ("Айыл өкмөтүнө, Ак-Өтөк айылынан Абдыкалыков Мамасадык аксакалдан": the writer's
        // own line after the addressee is not.)
        let addressee = crate::layout::is_addressee(&line_key) || line_key.contains("окмот");
        if header && addressee && !own.contains(&i) {
            continue;
        }
        // In the body a place is the writer's only when the sentence ties it to them
        // ("… айылында жашайм"); "Кара-Жыгач айылынын борборундагы кафе" is where it happens.
        if !signed.contains(&i)
            && !own.contains(&i)
            && doc.toks[i].line >= lay.body_start
            && !writer_sentence(doc, doc.toks[i].sentence)
        {
            continue;
        }
        // The place name before it, one word or two ("Тогуз-Тоо", "Кара Суу").
        let mut from = i - 1;
        // "Мен Жолдошбаева Бурулай Тоң районунун …": the writer's name (here or where it was
        // taken from, the signature) is not the place.
        let name_word = |t: usize| name.iter().any(|&n| doc.toks[n].key == doc.toks[t].key);
        if name_word(from) {
            continue;
        }
        if let Some(p) = from.checked_sub(1).map(|f| &doc.toks[f]) {
            if !name_word(from - 1)
                && p.text.chars().next().is_some_and(char::is_uppercase)
                && !p.text.ends_with([',', '.', '!', '?', ':'])
                && !matches!(
                    p.key.as_str(),
                    "мен"
                        | "биз"
                        | "я"
                        | "биздин"
                        | "менин"
                        | "наш"
                        | "наше"
                        | "нашем"
                        | "нашего"
                )
                && p.line == doc.toks[i].line
                && !NOMINATIVE.iter().any(|(g, _)| key_word(g) == p.key)
            {
                from -= 1;
            }
        }
        let mut to = place_run_end(doc, i + 1);
        // "… көчөсүндө 31-үйдө": the house number after the street.
        if doc.toks.get(to).is_some_and(|t| {
            t.text.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.key.contains("-уй")
        }) {
            to += 1;
        }
        if workplace(doc, i, to) {
            continue;
        }
        let toks: Vec<usize> = (from..to).collect();
        return choice(doc, toks, true, 0.6);
    }
    // Russian: "житель села Садовое", "жительница с. Петровка".
    for i in 0..end.saturating_sub(1) {
        let k = doc.toks[i].key.as_str();
        if k.starts_with("жител") || k.starts_with("проживающ") {
            let j = i + 1;
            if matches!(doc.toks[j].key.as_str(), "села" | "с" | "селе" | "село")
                && j + 1 < doc.toks.len()
            {
                // "жительница с. Орто-Кашка, ул. Ленина, 45": the whole address when it goes on.
                if let Some(c) =
                    choice(doc, take_address(doc, j, 1), false, 0.6).filter(|c| c.toks.len() > 2)
                {
                    return Some(c);
                }
                let place = trim_punct(&doc.toks[j + 1].text).to_string();
                return Some(AddressChoice {
                    address: Some(format!("с. {place}")),
                    toks: vec![j, j + 1],
                    confidence: 0.55,
                });
            }
        }
    }
    None
}

/// The tokens before the name `first` on its line, or the whole line above when the name
/// opens its line and that line is a short phrase going on to it ("Ак-Жар айылындагы
/// Токтогул көчөсүндө 15-үйдө жашаган / Осмонова Бактыгүл").
fn own_line_before(doc: &Doc, first: usize) -> std::ops::Range<usize> {
    let li = doc.toks[first].line;
    let start = doc.lines[li].start;
    if start < first || li == 0 {
        return start..first;
    }
    let above = &doc.lines[li - 1];
    let short = above.end - above.start <= 9;
    let goes_on = above.end > above.start
        && !doc.toks[above.end - 1]
            .text
            .ends_with(['.', '!', '?', ':', ','])
        && doc.toks[above.end - 1].text.starts_with(char::is_lowercase);
    if short && goes_on {
        above.start..above.end
    } else {
        start..first
    }
}

/// Institutions a writer works at or a child studies at (key prefixes).
const INSTITUTIONS: &[&str] = &[
    "мектеб",
    "мектеп",
    "оорукана",
    "бакча",
    "фап",
    "цсм",
    "гсв",
    "лицей",
    "гимназия",
    "колледж",
    "дукон",
    "базар",
    "мечит",
    "клиника",
    "контора",
    "китепкана",
];

/// "Нооруз айылындагы №5 орто мектебинин мугалими": a place word in the attributive
/// (place word `i`, run ending at `to`) that names an institution, not a home.
fn workplace(doc: &Doc, i: usize, to: usize) -> bool {
    let attributive = ["дагы", "даги", "догу", "тагы", "тогу"]
        .iter()
        .any(|e| doc.toks[i].key.ends_with(e));
    attributive
        && doc.toks[to..(to + 4).min(doc.toks.len())]
            .iter()
            .take_while(|t| t.sentence == doc.toks[i].sentence)
            .any(|t| INSTITUTIONS.iter().any(|w| t.key.starts_with(w)))
}

/// Where a run of places named one after another ends, from token `to`: "Кок-Сай айылынан",
/// "Жибек Жолу көчөсүндө" (a name of one or two capitalised words, then its place word).
fn place_run_end(doc: &Doc, mut to: usize) -> usize {
    let capital = |t: usize| {
        doc.toks.get(t).is_some_and(|t| {
            t.text.chars().next().is_some_and(char::is_uppercase) && !t.text.ends_with([',', '.'])
        })
    };
    let place = |t: usize| {
        doc.toks
            .get(t)
            .is_some_and(|t| nominative_of(&t.key).is_some() || is_keyword(&t.text))
    };
    loop {
        // "Ж. Баласагын көчөсүндө": a street named after a person, with the initial.
        let initial = |t: usize| {
            doc.toks
                .get(t)
                .is_some_and(|t| crate::candidates::initial(&t.text))
        };
        if capital(to) && place(to + 1) {
            to += 2;
        } else if (capital(to) || initial(to)) && capital(to + 1) && place(to + 2) {
            to += 3;
        } else {
            return to;
        }
    }
}

/// The tokens of a short last line that signs the letter as a group of a place ("Тегирмен-Сай
/// айылынын малчылары", "… көчөсүнүн тургундары"): where the writers live.
fn signed_by_group(doc: &Doc) -> std::ops::Range<usize> {
    const GROUPS: &[&str] = &[
        "тургундар",
        "малчылар",
        "жашоочулар",
        "дыйкандар",
        "ата-энелер",
        "фермерлер",
        "пенсионерлер",
        "аялдар",
    ];
    let n = doc.lines.len();
    (n.saturating_sub(3)..n)
        .find(|&li| {
            let toks = doc.line_toks(li);
            toks.len() <= 8
                && toks
                    .iter()
                    .any(|t| GROUPS.iter().any(|g| t.key.starts_with(&key_word(g))))
        })
        .map_or(0..0, |li| doc.lines[li].start..doc.lines[li].end)
}

/// "Я, Ахмедов Р. К., проживаю в с. Достук-Арык, ул. Фрунзе, дом 37", "… живу одна в с.
/// Кең-Жылга по ул. Зелёной, 15": a Russian sentence saying where the writer lives, the
/// address as written after the village word.
fn lived_in(doc: &Doc) -> Option<AddressChoice> {
    // Anywhere in the letter: "Живу в с. Жалгыз-Тал, ул. Октябрьская, 51." often comes last,
    // beside the phone; a story's "живу" has no village word after it.
    let end = doc.toks.len();
    let lives = |k: &str| ["живу", "живем", "живём", "проживаю", "проживаем"].contains(&k);
    (0..end).filter(|&i| lives(&doc.toks[i].key)).find_map(|i| {
        let sent = doc.toks[i].sentence;
        let village = (i + 1..(i + 6).min(doc.toks.len()))
            .take_while(|&j| doc.toks[j].sentence == sent)
            .find(|&j| {
                // "Живу на ул. Ынтымак 33, с. Бөрү-Баш": from the street when it comes first.
                matches!(
                    doc.toks[j].key.as_str(),
                    "с" | "село"
                        | "селе"
                        | "пос"
                        | "поселке"
                        | "ул"
                        | "улице"
                        | "мкр"
                        | "пер"
                ) && doc
                    .toks
                    .get(j + 1)
                    .is_some_and(|t| trim_punct(&t.text).starts_with(char::is_uppercase))
            })?;
        choice(doc, take_address(doc, village, 1), false, 0.7)
    })
}

/// Words (key prefixes) that tie a sentence to its writer: "I", "we", "live", "resident".
const WRITER_WORDS: &[&str] = &[
    "жашайм",
    "жашайбыз",
    "жашаган",
    "жашоочу",
    "тургун",
    "турам",
    "турабыз",
    "живу",
    "живем",
    "живём",
    "жител",
    "проживаю",
    "проживающ",
    "мен",
    "биз",
    "я",
    "мы",
];

/// True when sentence `sent` has a word that ties it to the writer.
fn writer_sentence(doc: &Doc, sent: usize) -> bool {
    doc.toks.iter().filter(|t| t.sentence == sent).any(|t| {
        WRITER_WORDS.iter().any(|w| {
            if w.chars().count() <= 3 {
                t.key == *w
            } else {
                t.key.starts_with(w)
            }
        })
    })
}

/// True when a word of the letter names a settlement or a street ("… айылынан", "көчөсүндө",
/// "с. Ленинское").
fn mentions_place(doc: &Doc) -> bool {
    doc.toks.iter().any(|t| {
        let k = trim_punct(&t.key);
        crate::candidates::place_after(k) || matches!(t.text.as_str(), "с." | "ул.")
    })
}

/// Extracts the applicant's address as written (`name` = the applicant's name tokens).
pub(crate) fn choose_address(doc: &Doc, lay: &Layout, name: &[usize]) -> AddressChoice {
    labelled(doc, lay)
        .or_else(|| inline(doc, lay))
        .or_else(|| beside_name(doc, name))
        .or_else(|| address_line(doc, lay))
        .or_else(|| lived_in(doc))
        .or_else(|| introduced(doc, lay, name))
        .unwrap_or(AddressChoice {
            address: None,
            toks: vec![],
            // A signed letter without an address is rare, and a letter that names a
            // village or a street may say where the writer lives in a way not read here:
            // the reviewer looks.
            confidence: if name.is_empty() && !mentions_place(doc) {
                0.7
            } else {
                0.55
            },
        })
}
