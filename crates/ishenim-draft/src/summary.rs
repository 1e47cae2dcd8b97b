//! The suggested "brief content" for the journal: extractive, deterministic, ≤ 200 characters.

use crate::text::{key_word, Doc};

/// Maximum summary length in characters.
pub const MAX_SUMMARY: usize = 200;

/// Longest village name put in a summary: real names are short, and a longer "name" (OCR
/// garbage before «айылы») would leave no room for the letter's content or push the summary
/// past [`MAX_SUMMARY`].
const MAX_PLACE: usize = 40;

const KY_REQUEST: &[&str] = &[
    "суран",
    "отун",
    "сунушта",
    "талап кылабыз",
    "талап кылам",
    "каалайбыз",
    "каалайм",
];
const RU_REQUEST: &[&str] = &[
    "прошу",
    "просим",
    "требуем",
    "требую",
    "предлагаем",
    "предлагаю",
    "ходатайствую",
];
const RU_LEADS: &[&str] = &[
    "сообщаю, что ",
    "сообщаем, что ",
    "довожу до вашего сведения, что ",
    "доводим до вашего сведения, что ",
    "обращаюсь к вам ",
    "обращаемся к вам ",
    "хочу сообщить, что ",
    "хотим сообщить, что ",
];
const KY_LEADS: &[&str] = &["силерге ", "сиздерге ", "билдиребиз, ", "билдирем, "];

/// Splits text into sentences at `.`, `!`, `?` followed by a space and a capital letter or quote.
pub(crate) fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if matches!(c, '.' | '!' | '?') {
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let word: String = cur
                .split_whitespace()
                .last()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect();
            let abbrev = [
                "с", "ул", "д", "г", "кв", "ж", "м", "т", "б", "обл", "им", "тел", "мкр", "көч",
            ]
            .contains(&word.as_str());
            // A writer who never capitalises ("… мектебинен. атымды жазбасам …") still ends
            // sentences: after a full word and a few words of sentence, a full stop ends one.
            let lower_next = c == '.'
                && after.is_some_and(char::is_lowercase)
                && word.chars().count() >= 4
                && cur.split_whitespace().count() >= 3;
            if next.is_none_or(|n| {
                n == ' '
                    && (lower_next || after.is_some_and(|a| a.is_uppercase() || "«\"(".contains(a)))
            }) && !abbrev
            {
                let s = cur.trim().to_string();
                if !s.is_empty() {
                    out.push(s);
                }
                cur.clear();
            }
        }
    }
    let s = cur.trim().to_string();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

fn is_request(s: &str, lang: &str) -> bool {
    let k = crate::text::key_line(s);
    if lang == "ru" {
        RU_REQUEST
            .iter()
            .any(|r| k.split_whitespace().any(|w| w.starts_with(r)))
    } else {
        KY_REQUEST.iter().any(|r| {
            let r = crate::text::key_line(r);
            if r.contains(' ') {
                k.contains(&r)
            } else {
                k.split_whitespace().any(|w| w.starts_with(&r))
            }
        })
    }
}

/// Shortens text to at most `max` chars by dropping whole trailing clauses (cut at ", ", "; ", " жана ",
/// " и ", ...), never mid-phrase. `None` when no clause boundary leaves a meaningful part (at least a third of
/// `max` and 20 characters) within the limit.
pub(crate) fn clip(text: &str, max: usize) -> Option<String> {
    let t = text
        .trim()
        .trim_end_matches(['.', '!', '?', ',', ';', ':'])
        .trim();
    if t.chars().count() <= max {
        return Some(t.to_string());
    }
    let prefix: String = t.chars().take(max + 1).collect();
    let min = (max / 3).max(20);
    let mut cuts: Vec<usize> = [
        ", ",
        "; ",
        " – ",
        " — ",
        " жана ",
        " бирок ",
        " и ",
        " но ",
        " а ",
    ]
    .iter()
    .flat_map(|sep| prefix.match_indices(sep).map(|(p, _)| p))
    .filter(|&p| (min..max).contains(&prefix[..p].chars().count()))
    .collect();
    cuts.sort_unstable_by(|a, b| b.cmp(a));
    cuts.into_iter()
        .map(|p| {
            prefix[..p]
                .trim_end_matches([',', ';', ':', ' '])
                .to_string()
        })
        // A clause that ends in a conjunction, a preposition or a Kyrgyz converb ("текшерип") is not a phrase.
        .find(|c| !dangling(c.split_whitespace().last().unwrap_or("")))
        .map(close_quotes)
}

/// A clause cut inside a quotation gets its closing mark (`clip` leaves room for one).
fn close_quotes(mut text: String) -> String {
    let count = |t: &str, q: char| t.chars().filter(|&c| c == q).count();
    if count(&text, '"') % 2 == 1 {
        text.push('"');
    }
    for (open, close) in [('«', '»'), ('“', '”')] {
        if count(&text, open) > count(&text, close) {
            text.push(close);
        }
    }
    text
}

/// The words of `text` that fit in `max - 1` characters, then "…"; never a dangling last
/// word. `None` when fewer than six words fit.
fn word_clip(text: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut words = 0;
    for w in text.split_whitespace() {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        words += 1;
    }
    while out.split_whitespace().last().is_some_and(dangling) {
        let cut = out.rfind(' ')?;
        out.truncate(cut);
        words -= 1;
    }
    let out = out.trim_end_matches([',', ';', ':', '-', '—']).to_string();
    (words >= 6).then(|| format!("{out}…"))
}

/// True when a clause cannot end with this word.
fn dangling(word: &str) -> bool {
    let w = word.to_lowercase();
    DANGLING.contains(&w.as_str())
        || (w.chars().count() > 3 && ["ип", "ып", "уп", "үп"].iter().any(|e| w.ends_with(e)))
}

/// Words a clipped clause must not end with.
const DANGLING: &[&str] = &[
    "и",
    "а",
    "но",
    "в",
    "на",
    "с",
    "по",
    "от",
    "за",
    "для",
    "что",
    "о",
    "об",
    "к",
    "у",
    "из",
    "жана",
    "менен",
    "бирок",
    "деп",
    "же",
    "үчүн",
    "учун",
];

/// Turns a Kyrgyz request sentence into a noun phrase: drops the request verb and puts the last verbal noun
/// in the nominative ("... курууну суранабыз" → "... куруу").
fn ky_request_clause(s: &str) -> String {
    let mut words: Vec<&str> = s.trim_end_matches(['.', '!']).split_whitespace().collect();
    while let Some(last) = words.last() {
        let k = key_word(last);
        let is_verb = [
            "суран",
            "отун",
            "сунушта",
            "кылабыз",
            "кылам",
            "каалайбыз",
            "каалайм",
            "беруунузду",
        ]
        .iter()
        .any(|v| k.starts_with(v))
            || k == "талап"
            || k == "да"
            || k == "дагы";
        if is_verb {
            words.pop();
        } else {
            break;
        }
    }
    if let Some(last) = words.last() {
        // Verbal noun in the accusative ("-ууну", "-үүнү", "-оону", "-өөнү") or possessive ("-уусун") → nominative.
        let chars: Vec<char> = last.chars().collect();
        let n = chars.len();
        let vn = |i: usize| {
            i >= 2
                && i <= n
                && matches!(
                    (chars[i - 2], chars[i - 1]),
                    ('у', 'у') | ('ү', 'ү') | ('о', 'о') | ('ө', 'ө')
                )
        };
        let cut = [
            ("ну", 2),
            ("нү", 2),
            ("сун", 3),
            ("сүн", 3),
            ("ңуздарды", 8),
            ("ңүздөрдү", 8),
            ("ңузду", 5),
            ("ңүздү", 5),
        ]
        .iter()
        .find(|(suf, k)| last.ends_with(suf) && vn(n - k))
        .map(|(_, k)| n - k);
        if let Some(keep) = cut {
            let mut v: Vec<String> = words[..words.len() - 1]
                .iter()
                .map(|w| w.to_string())
                .collect();
            v.push(chars[..keep].iter().collect());
            return v.join(" ").trim_end_matches(',').to_string();
        }
    }
    words.join(" ").trim_end_matches(',').to_string()
}

fn ru_request_clause(s: &str) -> String {
    let t = s.trim_end_matches(['.', '!']);
    let lower = t.to_lowercase();
    for r in RU_REQUEST {
        if let Some(p) = lower.find(r) {
            let after = &t[p..];
            let rest = after.split_once(' ').map_or("", |x| x.1);
            let rest = rest.strip_prefix("вас ").unwrap_or(rest);
            let rest = rest.strip_prefix("лишь ").unwrap_or(rest);
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

fn strip_leads(s: &str, lang: &str) -> String {
    let lower = s.to_lowercase();
    for l in if lang == "ru" { RU_LEADS } else { KY_LEADS } {
        if lower.starts_with(l) {
            let rest = &s[l.len()..];
            let mut c = rest.chars();
            return match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            };
        }
    }
    s.to_string()
}

fn lower_first(s: &str) -> String {
    if proper_start(s) {
        return s.to_string();
    }
    let mut c = s.chars();
    match (c.next(), c.clone().next()) {
        // Keep "ЖКХ", proper names cannot be told apart, so only lowercase ordinary capitalised words.
        (Some(f), Some(n)) if f.is_uppercase() && n.is_lowercase() => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        (Some(f), _) => f.to_string() + c.as_str(),
        _ => String::new(),
    }
}

/// True when the text starts with a proper name: "Таш-Булак айылындагы …", "Токтогулов
/// Марат …", "Кайнар айылында …" (a capital inside the word, a capitalised next word or a
/// place word after it). A surname alone cannot be told from a genitive ("Мектептин").
fn proper_start(s: &str) -> bool {
    let mut words = s.split_whitespace();
    let (Some(first), next) = (words.next(), words.next()) else {
        return false;
    };
    let inner_capital = first.chars().skip(1).any(char::is_uppercase)
        && first.chars().skip(1).any(char::is_lowercase);
    inner_capital
        || next.is_some_and(|n| {
            n.starts_with(char::is_uppercase)
                || crate::candidates::place_after(&crate::text::key_word(n))
        })
}

/// Inputs the summary needs besides the body text.
pub(crate) struct SummaryInput<'a> {
    pub lang: &'a str,
    pub corruption: bool,
    pub thanks: bool,
    /// First token of each corruption reason that counted: in a corrupt letter the sentence
    /// that tells of the money is the report.
    pub reason_toks: Vec<usize>,
    /// Token indices of the words that gave the letter its category: the sentence with the
    /// most of them is what the letter is about.
    pub topic_toks: Vec<usize>,
    /// Each ordinary word of the body with its stem and weight ([`crate::salience`]): the
    /// sentence with the letter's rare, repeated words names its subject.
    pub words: Vec<(usize, String, f32)>,
    /// Learned weights of the report sentence's features (off: the cue-word rule).
    pub selector: &'a crate::learned::Learned,
    /// Where the trainer collects every letter's candidates (`None` when drafting).
    pub trace: Option<&'a std::cell::RefCell<Vec<SentenceCandidate>>>,
    pub place: Option<String>,
}

/// Sentences about the letter rather than its subject: introductions ("… боюнча кайрылып
/// жатам", "обращаюсь"), greetings, declared anonymity, attachments.
fn meta_sentence(s: &str) -> bool {
    const META: &[&str] = &[
        "кайрылып жатам",
        "кайрылып жатабыз",
        "кайрылам",
        "кайрылабыз",
        "жазып жатам",
        "жазып жатабыз",
        "саламатсыз",
        "жазбайм",
        "жазган жокмун",
        "тиркейм",
        "тиркедим",
        "тиркеп",
        "тиркелет",
        "обращаюсь",
        "обращаемся",
        "пишу",
        "пишем",
        "прилагаю",
        "прилагается",
        "прилагаем",
        "приложение",
        "здравствуйте",
        "ассалам",
        "алейкум",
        "добрый день",
        "атымды",
        "аты-жонумду",
        "своё имя",
        "свое имя",
        "называть себя",
        "меня зовут",
        "менин атым",
    ];
    let k = crate::text::key_line(s);
    META.iter().any(|m| k.contains(&crate::text::key_line(m)))
}

/// A sentence that could tell what the letter reports, with the features the learned
/// selector weighs (`models/summary-learned.tsv`, trained by `examples/train_corruption.rs
/// --summary`).
#[derive(Debug, Clone)]
pub struct SentenceCandidate {
    /// The sentence as written.
    pub text: String,
    /// Feature names (`pos:first`, `top:2`, `w:жер`, …).
    pub feats: Vec<String>,
}

/// Every sentence `ok` accepts, in letter order, with its features; `tok_chars` maps tokens
/// to their byte offset in `body`.
fn report_candidates(
    all: &[String],
    body: &str,
    tok_chars: &[(usize, usize)],
    inp: &SummaryInput,
    ok: impl Fn(&String) -> bool,
) -> Vec<SentenceCandidate> {
    let at = |toks: &[usize]| -> Vec<usize> {
        tok_chars
            .iter()
            .filter(|(t, _)| toks.contains(t))
            .map(|&(_, c)| c)
            .collect()
    };
    let topic_at = at(&inp.topic_toks);
    let reason_at = if inp.corruption {
        at(&inp.reason_toks)
    } else {
        Vec::new()
    };
    let by_tok: std::collections::HashMap<usize, (&str, f32)> = inp
        .words
        .iter()
        .map(|w| (w.0, (w.1.as_str(), w.2)))
        .collect();
    let word_at: Vec<(usize, &str, f32)> = tok_chars
        .iter()
        .filter_map(|&(t, c)| by_tok.get(&t).map(|&(stem, w)| (c, stem, w)))
        .collect();
    let mut cursor = 0;
    let mut found: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    for s in all {
        let Some(p) = body[cursor..].find(s.as_str()) else {
            continue;
        };
        let range = cursor + p..cursor + p + s.len();
        cursor = range.end;
        if ok(s) {
            found.push((s.clone(), range));
        }
    }
    let sal: Vec<f32> = found.iter().map(|(_, r)| salience(&word_at, r)).collect();
    let n = found.len();
    found
        .iter()
        .enumerate()
        .map(|(k, (s, range))| {
            let count = |v: &[usize]| v.iter().filter(|c| range.contains(c)).count();
            let rank = sal.iter().filter(|&&x| x > sal[k]).count();
            let mut f = vec![
                format!("pos:{}", position(k, n)),
                format!(
                    "len:{}",
                    bucket(s.split_whitespace().count(), &[6, 12, 20, 35])
                ),
                format!("salrank:{}", rank.min(3)),
                format!("top:{}", count(&topic_at).min(3)),
                format!("rea:{}", count(&reason_at).min(3)),
            ];
            let flags = [
                (meta_sentence(s), "meta"),
                (self_introduction(s), "intro"),
                (s.contains('?'), "question"),
                (s.chars().any(|c| c.is_ascii_digit()), "digits"),
                (s.contains(['«', '"', '“']), "quote"),
            ];
            f.extend(flags.iter().filter(|x| x.0).map(|x| x.1.to_string()));
            let mut stems: Vec<&str> = word_at
                .iter()
                .filter(|(c, ..)| range.contains(c))
                .map(|w| w.1)
                .collect();
            stems.dedup();
            f.extend(stems.iter().map(|w| format!("w:{w}")));
            SentenceCandidate {
                text: s.clone(),
                feats: f,
            }
        })
        .collect()
}

fn position(k: usize, n: usize) -> &'static str {
    match k {
        0 => "first",
        1 => "second",
        _ if k + 1 == n => "last",
        _ if k * 2 < n => "early",
        _ => "late",
    }
}

fn bucket(v: usize, bounds: &[usize]) -> usize {
    bounds.iter().filter(|&&b| v > b).count()
}

/// The report sentence: the learned selector's best candidate when its weights exist, else
/// the one with the most topic words (and, in a corrupt letter, corruption reasons, which
/// count twice), meta sentences and self-introductions last, the earliest on ties.
/// The candidates' texts, best first (ties keep the letter's order).
fn ranked_reports(cands: &[SentenceCandidate], selector: &crate::learned::Learned) -> Vec<String> {
    let score = |c: &SentenceCandidate| -> f32 {
        if selector.is_on() {
            let names: Vec<crate::learned::Feature> = c
                .feats
                .iter()
                .map(|n| crate::learned::Feature {
                    name: n.clone(),
                    tok: 0,
                })
                .collect();
            return selector.score(&names).0;
        }
        let num = |p: &str| {
            c.feats
                .iter()
                .find_map(|f| f.strip_prefix(p).and_then(|v| v.parse::<f32>().ok()))
                .unwrap_or(0.0)
        };
        let has = |k: &str| c.feats.iter().any(|f| f == k);
        num("top:") + 2.0 * num("rea:")
            - if has("meta") { 10.0 } else { 0.0 }
            - if has("intro") { 3.0 } else { 0.0 }
    };
    let mut scored: Vec<(f32, &SentenceCandidate)> = cands.iter().map(|c| (score(c), c)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, c)| c.text.clone()).collect()
}

/// The weight of the distinct words at byte offsets in `range`, over the square root of the
/// sentence's word count (a long sentence names more, but is clipped).
fn salience(words: &[(usize, &str, f32)], range: &std::ops::Range<usize>) -> f32 {
    let mut seen: Vec<&str> = Vec::new();
    let mut sum = 0.0;
    let mut n = 0;
    for (_, stem, w) in words.iter().filter(|(c, ..)| range.contains(c)) {
        n += 1;
        if !seen.contains(stem) {
            seen.push(stem);
            sum += w;
        }
    }
    sum / (n.max(1) as f32).sqrt()
}

/// "Я, Ибраимова Гульнара Токтогуловна, мать …", "Мен, … тургуну …,": who writes, which
/// rarely says what about.
fn self_introduction(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    if !matches!(crate::text::key_word(first).as_str(), "я" | "мен") {
        return false;
    }
    // "Мен … окуучусу Нурланов Адилетмин", "мен … айылында турам", "я проживаю в …": who and
    // where the writer is, said with "I am" or "I live".
    let last = crate::text::key_word(words.last().copied().unwrap_or(""));
    let i_am = ["мын", "мин", "мун", "мен"]
        .iter()
        .any(|e| last.ends_with(e) && last.chars().count() > 4);
    let lives = words.iter().any(|w| {
        let k = crate::text::key_word(w);
        ["турам", "жашайм", "проживаю", "живу"].contains(&k.as_str())
    });
    first.ends_with(',') || words.iter().skip(1).take(4).any(|x| x.ends_with(',')) || i_am || lives
}

/// The body text of lines `[start, end)` from the tokens (so that a token's character
/// offset is exact), the offset of the reason token, and each token's offset.
fn body_text(doc: &Doc, start: usize, end: usize) -> (String, Vec<(usize, usize)>) {
    let mut body = String::new();
    let mut tok_chars: Vec<(usize, usize)> = Vec::new();
    let first_tok = doc.lines.get(start).map_or(doc.toks.len(), |l| l.start);
    let last_tok = doc.lines.get(end).map_or(doc.toks.len(), |l| l.start);
    for i in first_tok..last_tok.max(first_tok) {
        if !body.is_empty() {
            body.push(' ');
        }
        tok_chars.push((i, body.len()));
        body.push_str(&doc.toks[i].text);
    }
    (body, tok_chars)
}

/// The main phrase: the preferred sentence if a clause of it fits `main_budget`, else the
/// next plain sentence, the request, then sentences about the letter itself ("Атымды
/// жазбайм, анткени …") that do; never a sentence cut mid-phrase. A letter written in one
/// run without punctuation has no clause to cut at: its first words, cut at a word.
fn main_phrase(
    preferred: String,
    sents: &[String],
    req_clause: Option<&str>,
    lang: &str,
    main_budget: usize,
    budget: usize,
) -> Option<String> {
    let mut candidates = vec![preferred];
    let plain = |s: &&String| !is_request(s, lang) && !meta_sentence(s);
    candidates.extend(sents.iter().filter(plain).map(|s| strip_leads(s, lang)));
    candidates.extend(req_clause.map(String::from));
    candidates.extend(
        sents
            .iter()
            .filter(|s| !is_request(s, lang) && meta_sentence(s))
            .map(|s| strip_leads(s, lang)),
    );
    candidates
        .iter()
        .filter(|c| !c.trim().is_empty())
        .find_map(|c| clip(c, main_budget))
        .or_else(|| candidates.iter().find_map(|c| clip(c, budget)))
        .or_else(|| {
            candidates
                .iter()
                .find(|c| !c.trim().is_empty())
                .and_then(|c| word_clip(c, main_budget))
        })
}

/// Builds the summary from body lines `[start, end)`.
pub(crate) fn summarize(doc: &Doc, start: usize, end: usize, inp: &SummaryInput) -> String {
    let ru = inp.lang == "ru";
    let (body, tok_chars) = body_text(doc, start, end);
    let all = sentences(&body);
    let keep = |s: &String| {
        let k = crate::text::key_line(s);
        s.split_whitespace().count() >= 3 && !k.starts_with("урматтуу") && !k.starts_with("уважаем")
    };
    let sents: Vec<String> = all.iter().filter(|s| keep(s)).cloned().collect();
    if sents.is_empty() {
        return String::new();
    }
    let request = sents
        .iter()
        .rev()
        .find(|s| is_request(s, inp.lang))
        .cloned();
    // The report: the sentence with the most topic words and corruption reasons, unless that
    // is the request itself; else the first sentence.
    let cands = report_candidates(&all, &body, &tok_chars, inp, |s| {
        keep(s) && !is_request(s, inp.lang)
    });
    if let Some(t) = inp.trace {
        t.borrow_mut().extend(cands.iter().cloned());
    }
    let ranked = ranked_reports(&cands, inp.selector);
    let report = ranked.first().cloned().or_else(|| sents.first().cloned());
    let kind = match (ru, inp.thanks, inp.corruption, request.is_some()) {
        (false, true, false, _) => "Ыраазычылык",
        (true, true, false, _) => "Благодарность",
        (false, _, true, _) => "Даттануу",
        (true, _, true, _) => "Жалоба",
        (false, _, _, true) => "Өтүнүч",
        (true, _, _, true) => "Просьба",
        (false, _, _, false) => "Кайрылуу",
        (true, _, _, false) => "Обращение",
    };
    let place = inp
        .place
        .as_ref()
        .filter(|p| p.chars().count() <= MAX_PLACE)
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let budget = MAX_SUMMARY.saturating_sub(place.chars().count() + kind.chars().count() + 2);
    let req_clause = request.as_ref().map(|r| {
        if ru {
            ru_request_clause(r)
        } else {
            ky_request_clause(r)
        }
    });
    // The main phrase: the preferred sentence if a clause of it fits, else the next sentence that does;
    // never a sentence cut mid-phrase.
    // What the letter is about comes first (the request alone often does not name it:
    // "сураныч, тез арада чечип бериңиздер"), what is asked after it.
    let preferred = match &report {
        Some(r) if report != request => strip_leads(r, inp.lang),
        _ => req_clause.clone().unwrap_or_default(),
    };
    let main_budget = budget.clamp(60, if req_clause.is_some() { 110 } else { 150 });
    let main_clip = main_phrase(
        preferred,
        &sents,
        req_clause.as_deref(),
        inp.lang,
        main_budget,
        budget,
    );
    let Some(main_clip) = main_clip else {
        // Nothing fits whole: say only what kind of letter it is and where.
        return format!("{kind}{place}");
    };
    // A request letter told by its report first reads "Кайрылуу: <report>; өтүнүч: <request>".
    let kind = match (
        kind,
        main_clip.as_str() == req_clause.as_deref().unwrap_or_default(),
    ) {
        ("Өтүнүч", false) => "Кайрылуу",
        ("Просьба", false) => "Обращение",
        (k, _) => k,
    };
    let mut text = format!("{kind}: {}", lower_first(&main_clip));
    // Add what is asked when the report came first and there is room.
    let mut asked = String::new();
    if let Some(rc) = req_clause.filter(|_| !inp.thanks) {
        if !rc.is_empty() && report.as_deref() != request.as_deref() {
            let label = if ru { "просьба" } else { "өтүнүч" };
            let room = MAX_SUMMARY.saturating_sub(
                text.chars().count() + place.chars().count() + label.chars().count() + 4,
            );
            if let Some(r) = clip(&rc, room).filter(|_| room >= 30) {
                asked = format!("; {label}: {}", lower_first(&r));
            }
        }
    }
    // Room left: the next best report sentence too (one sentence seldom names both what
    // happened and to what: "the firm's director is the head's nephew" and "the road").
    let room = MAX_SUMMARY
        .saturating_sub(text.chars().count() + asked.chars().count() + place.chars().count() + 2);
    let second = ranked
        .iter()
        .skip(1)
        .map(|r| strip_leads(r, inp.lang))
        .find(|r| !main_clip.contains(r.as_str()) && Some(r) != request.as_ref())
        .filter(|_| room >= 40)
        .and_then(|r| clip(&r, room).or_else(|| word_clip(&r, room)));
    if let Some(second) = second {
        // In the letter's order, as the writer told it.
        let at = |t: &str| {
            body.find(t.trim_end_matches(['.', '!', '?']))
                .unwrap_or(usize::MAX)
        };
        text = if at(&second) < at(&main_clip) {
            format!(
                "{kind}: {}; {}",
                lower_first(&second),
                lower_first(&main_clip)
            )
        } else {
            format!("{text}; {}", lower_first(&second))
        };
    }
    text.push_str(&asked);
    let out = crate::applicant::fold_foreign(&format!("{text}{place}"));
    if out.chars().count() <= MAX_SUMMARY {
        return out;
    }
    let short = format!("{kind}: {}{place}", lower_first(&main_clip));
    if short.chars().count() <= MAX_SUMMARY {
        short
    } else {
        // Lowercasing can lengthen a word by a character (`İ` → `i̇`).
        format!("{kind}{place}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learned_selector_picks_by_its_weights_and_the_rule_without_them() {
        let cand = |t: &str, f: &[&str]| SentenceCandidate {
            text: t.into(),
            feats: f.iter().map(|s| s.to_string()).collect(),
        };
        let cands = [
            cand("first", &["pos:first", "top:2"]),
            cand("second", &["pos:second", "top:1", "w:жер"]),
        ];
        let off = crate::learned::Learned::default();
        assert_eq!(ranked_reports(&cands, &off)[0], "first");
        let on = crate::learned::Learned::parse("bias\t0\npos:first\t-1\nw:жер\t1\n", "t").unwrap();
        assert_eq!(ranked_reports(&cands, &on), ["second", "first"]);
    }

    #[test]
    fn proper_names_keep_their_capital_and_cut_quotations_are_closed() {
        assert_eq!(
            lower_first("Таш-Булак айылындагы канал бүттү"),
            "Таш-Булак айылындагы канал бүттү"
        );
        assert_eq!(
            lower_first("Токтогулов Марат сказал"),
            "Токтогулов Марат сказал"
        );
        assert_eq!(
            lower_first("Мектептин жанында жол жок"),
            "мектептин жанында жол жок"
        );
        let cut = clip(
            "Прораб жумушчуларга \"айлыкты кечиктирип жатабыз, кечиргиле\" деди да кетип калды, эч ким келген жок",
            60,
        )
        .unwrap();
        assert!(cut.ends_with('"') && cut.matches('"').count() == 2, "{cut}");
        assert!(cut.chars().count() <= 60, "{cut}");
    }

    #[test]
    fn who_and_where_the_writer_is_says_little() {
        assert!(self_introduction(
            "мен Бору-Тоо мектебинин окуучусу Нурланов Адилетмин"
        ));
        assert!(self_introduction("Мен Кожо-Жар айылында турам"));
        assert!(!self_introduction("Мен 3000 сом салып бердим"));
        assert!(!self_introduction("Биз суу сурадык"));
    }

    #[test]
    fn lower_case_writers_still_end_sentences() {
        let s = sentences("мен 9-класста окуйм, мектебинен. атымды жазбасам болобу. ул. Ленина 5");
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[1].starts_with("атымды"));
        assert_eq!(s[2], "ул. Ленина 5");
    }

    #[test]
    fn a_run_on_letter_is_cut_at_a_word() {
        let run = "биз жогорку участкада жашайбыз суу келбей жатат эки жумадан бери арыкта суу жок картошка куурап калды мираб суу ачпайт";
        let c = word_clip(run, 60).expect("clip");
        assert!(c.ends_with('…') && c.chars().count() <= 60, "{c}");
        assert_eq!(word_clip("эки сөз", 60), None);
    }

    #[test]
    fn sentence_split_keeps_abbreviations() {
        let s = sentences("Мен с. Манас, ул. Ленина жашайм. Суу жок! «Пара» деп айтышат.");
        assert_eq!(s.len(), 3, "{s:?}");
    }

    #[test]
    fn kyrgyz_request_becomes_a_noun_phrase() {
        assert_eq!(
            ky_request_clause("Мектептин жанындагы бош жерге балдар аянтчасын курууну суранабыз."),
            "Мектептин жанындагы бош жерге балдар аянтчасын куруу"
        );
        assert_eq!(
            ky_request_clause("Күйүүчү майдын эсебин текшерүүнү өтүнөбүз."),
            "Күйүүчү майдын эсебин текшерүү"
        );
        assert_eq!(
            ky_request_clause("Эсебин ачык жарыялоону талап кылабыз."),
            "Эсебин ачык жарыялоо"
        );
        assert_eq!(
            ky_request_clause("Тартибин киргизүүнү да суранабыз."),
            "Тартибин киргизүү"
        );
        assert_eq!(
            ky_request_clause("Маселени чечип берүүңүздөрдү суранабыз."),
            "Маселени чечип берүү"
        );
    }

    #[test]
    fn russian_request_clause() {
        assert_eq!(
            ru_request_clause("Прошу провести проверку и принять меры."),
            "провести проверку и принять меры"
        );
    }

    /// Found by the `draft_text` fuzz target (`tests/fuzz/summary_long_village.bin`): OCR
    /// garbage of 200+ characters before «айылы» was taken for the village and the summary
    /// grew past `MAX_SUMMARY`.
    #[test]
    fn fuzz_long_village_name_keeps_the_summary_within_the_limit() {
        let bytes = include_bytes!("../tests/fuzz/summary_long_village.bin");
        let page = crate::eval::page_from_text("p1", &String::from_utf8_lossy(bytes));
        let drafts = crate::draft_letters(&[page], &crate::Models::embedded());
        assert_eq!(drafts.len(), 1);
        assert!(drafts[0].summary.chars().count() <= MAX_SUMMARY);
        assert!(!drafts[0].summary.is_empty());
        // The same with a readable letter: a short village is named, a long "village" is not.
        let letter = |village: &str| {
            let text = format!(
                "Айыл өкмөтүнүн башчысына\nДареги: {village} айылы, Ленин көчөсү\nАРЫЗ\n\
                 Көчөбүздө суу жок, балдар алыстан суу ташып жүрүшөт.\nСуу түтүгүн оңдоп берүүнү \
                 суранабыз.\nКолу: Асанов Бакыт"
            );
            let page = crate::eval::page_from_text("p1", &text);
            crate::draft_letters(&[page], &crate::Models::embedded())[0]
                .summary
                .clone()
        };
        assert!(letter("Кара-Суу").contains("Кара-Суу"));
        let long = format!("Кара-{}", "суу".repeat(70));
        let s = letter(&long);
        assert!(
            s.chars().count() <= MAX_SUMMARY && !s.contains(&long),
            "{s}"
        );
    }

    #[test]
    fn clip_cuts_at_clause_boundaries() {
        let long = "Айыл өкмөтүнүн унаасына бөлүнгөн күйүүчү май жеке максатта колдонулуп жатат, айдоочу бензинди түнкүсүн канистрлерге куюп сатып жатат";
        let c = clip(long, 90).expect("a clause fits");
        assert!(c.chars().count() <= 90 && !c.ends_with(','), "{c}");
        assert!(c.ends_with("жатат"), "{c}");
        // No clause boundary within the limit: no cut at all rather than a broken phrase.
        assert_eq!(
            clip("Бир эки үч төрт беш алты жети сегиз тогуз он", 20),
            None
        );
        assert_eq!(clip("Кыска сүйлөм.", 20).as_deref(), Some("Кыска сүйлөм"));
        // A converb before the comma leaves the clause unfinished: cut at an earlier boundary.
        assert_eq!(
            clip(
                "Жер тилкелеринин тизмесин жарыялоо, каражатты текшерип, бүт маалыматты элге ачык көрсөтүп берүү",
                50
            )
            .as_deref(),
            Some("Жер тилкелеринин тизмесин жарыялоо")
        );
    }
}
