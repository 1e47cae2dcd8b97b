//! Drafting: from scanned page text to proposed journal entries.
//!
//! [`draft_letters`] groups consecutive [`PageRecord`]s into letters and extracts what the registration journal
//! needs: applicant (or anonymous), address, phone (E.164), letter date (ISO), a clerk-style summary, a category
//! and a corruption flag with the matched phrases as reasons. Every field has a confidence and a source span
//! (page stem + word box) so the review screen can highlight it. Extraction never fails: odd text gives a result
//! with warnings. The crate does no I/O except [`Models::load`]; lexicons live in `models/*.toml`.
//!
//! Invariants: pure functions over text; no network; never invents a name; appeal text is never logged.

mod address;
mod analysis;
mod applicant;
mod candidates;
mod contacts;
mod contract;
pub mod eval;
mod layout;
mod learned;
mod models;
mod names;
mod phone;
mod places;
mod receipt;
mod salience;
mod summary;
mod text;

pub use analysis::{CategoryResult, Corruption, Reason};

/// What `examples/train_corruption.rs` needs to learn the corruption weights: the features
/// of a letter's body exactly as drafting computes them. Not a stable API.
#[doc(hidden)]
pub mod training {
    pub use crate::learned::{train, Trained};
    pub use crate::summary::SentenceCandidate;

    /// The report-sentence candidates of the letter on these pages, with their features, as
    /// the summary sees them.
    pub fn summary_candidates(
        pages: &[&ishenim_page::PageRecord],
        models: &crate::Models,
    ) -> Vec<SentenceCandidate> {
        let cell = std::cell::RefCell::new(Vec::new());
        crate::draft_one(pages, models, 2, Some(&cell));
        cell.into_inner()
    }

    /// The learned category model's feature names for the letter on these pages: the
    /// words and concepts of its body widened to the subject line, and what the lexicon
    /// heard there.
    pub fn category_features(
        pages: &[&ishenim_page::PageRecord],
        models: &crate::Models,
    ) -> Vec<String> {
        let doc = crate::text::Doc::build(pages);
        let lay = crate::layout::layout(&doc);
        let body = crate::subject_from(&doc, &lay, &crate::body_range(&doc, &lay));
        crate::analysis::category_features(&doc, body, models)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    /// The learned corruption model's feature names for the letter on these pages: the
    /// words and concepts of its body as drafting finds it, and what the lexicon found.
    pub fn letter_features(
        pages: &[&ishenim_page::PageRecord],
        models: &crate::Models,
    ) -> Vec<String> {
        let doc = crate::text::Doc::build(pages);
        let lay = crate::layout::layout(&doc);
        let body = crate::body_range(&doc, &lay);
        let (lang, _) = crate::body_lang(&doc, &body);
        let scope = crate::thanks_scope(&doc, &lay, &body);
        crate::analysis::corruption_features(&doc, body, scope, lang.code(), models)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }
}

/// The private phone and date parsers, exposed only for the fuzz targets in `fuzz/`
/// (`phone_date`). Not a stable API: use [`draft_letters`], which applies them in context.
#[doc(hidden)]
pub mod fuzzing {
    /// A phone parsed from a short piece of text (what follows «Тел.:»): the value (E.164
    /// `+996XXXXXXXXX`, or a 5–6-digit village landline as written), whether look-alike
    /// letters were read as digits, and whether the value is E.164.
    pub fn parse_phone(s: &str) -> Option<(String, bool, bool)> {
        crate::contacts::parse_phone(s).map(|p| (p.value, p.repaired, p.e164))
    }

    /// An unlabelled full phone number in a line, as E.164.
    pub fn find_loose_phone(s: &str) -> Option<String> {
        crate::contacts::find_loose_phone(s).map(|p| p.value)
    }

    /// What the applicant choice saw on these pages (lines, letter parts, candidates), for
    /// the eval tool's `--explain`; contains appeal text, so never for logs.
    pub fn explain_names(pages: &[&ishenim_page::PageRecord]) -> Vec<String> {
        let doc = crate::text::Doc::build(pages);
        let lay = crate::layout::layout(&doc);
        crate::applicant::explain(&doc, &lay)
    }

    /// Every date in a line: ISO `YYYY-MM-DD` and the share of the line it covers (0–1).
    pub fn find_dates(line: &str) -> Vec<(String, f32)> {
        crate::contacts::find_dates(line)
            .into_iter()
            .map(|d| (d.iso, d.coverage))
            .collect()
    }
}
pub use models::{ModelError, Models, CATEGORIES_TOML, CORRUPTION_TOML};
pub use receipt::{CodeSource, ReceiptCode};
pub use summary::MAX_SUMMARY;
pub use text::Span;

use ishenim_page::PageRecord;
pub use ishenim_text::text::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use text::{spans_of, Doc};

/// The applicant: name as written, or anonymous.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Applicant {
    /// Full name as written; `null` when anonymous or not found.
    pub name: Option<String>,
    /// True when the letter is anonymous (marker, collective signature, or no name at all).
    pub anonymous: bool,
    /// The other signers of a collective letter (the applicant is its representative or
    /// first signer), for the journal's note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_signers: Vec<String>,
}

/// Per-field confidence, 0–1 (a key a stored draft lacks reads as 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Confidence {
    /// Page grouping of this letter.
    pub pages: f32,
    /// Language decision.
    pub lang: f32,
    /// Applicant name / anonymity.
    pub applicant: f32,
    /// Address.
    pub address: f32,
    /// Phone.
    pub phone: f32,
    /// Letter date.
    pub date: f32,
    /// Summary (extractive, so never high).
    pub summary: f32,
    /// Category.
    pub category: f32,
    /// Corruption flag.
    pub corruption: f32,
}

/// One proposed journal entry: the `ishenim draft --json` output contract (keys are only ever added).
///
/// It is also the draft the store keeps and the review screen edits: read back tolerantly
/// (see `contract.rs`: every key defaults, a value of the wrong shape never fails a stored
/// draft), with the reviewer's typed pages and the regroup origin as keys of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterDraft {
    /// Stems of the pages of this letter, in scan order (blank backsides included).
    #[serde(deserialize_with = "contract::lenient")]
    pub pages: Vec<String>,
    /// `ky` or `ru`, decided by the body; `None` for a draft never drafted (a regrouped
    /// letter before its redraft), stored as `""` as it always was.
    #[serde(
        deserialize_with = "contract::lenient",
        serialize_with = "contract::lang_or_empty"
    )]
    pub lang: Option<Lang>,
    /// Applicant.
    #[serde(deserialize_with = "contract::applicant")]
    pub applicant: Applicant,
    /// Address as written, or null.
    #[serde(deserialize_with = "contract::lenient")]
    pub address: Option<String>,
    /// Phone in E.164 (`+996XXXXXXXXX`), a village landline as written, or null.
    #[serde(deserialize_with = "contract::lenient")]
    pub phone: Option<String>,
    /// Letter date as ISO `YYYY-MM-DD`, or null.
    #[serde(deserialize_with = "contract::lenient")]
    pub date: Option<String>,
    /// Suggested brief content (≤ 200 characters, in the letter's language); empty when the letter needs
    /// manual transcription.
    #[serde(deserialize_with = "contract::lenient")]
    pub summary: String,
    /// Category key: land, water, roads, utilities, social_aid, education, health, documents, staff_conduct, other.
    #[serde(deserialize_with = "contract::lenient")]
    pub category: String,
    /// Corruption flag, score and reasons.
    #[serde(deserialize_with = "contract::corruption")]
    pub corruption: Corruption,
    /// Per-field confidence.
    #[serde(deserialize_with = "contract::lenient")]
    pub confidence: Confidence,
    /// True when the text is too poor to trust (low OCR confidence or garbage): type it in by hand.
    #[serde(deserialize_with = "contract::lenient")]
    pub needs_transcription: bool,
    /// Category label in the letter's language and the phrases that decided it.
    #[serde(deserialize_with = "contract::lenient")]
    pub category_detail: CategoryResult,
    /// Where each extracted value was read: field name → spans (page stem + box).
    #[serde(deserialize_with = "contract::lenient")]
    pub spans: BTreeMap<String, Vec<Span>>,
    /// Non-fatal observations (machine-readable codes).
    #[serde(deserialize_with = "contract::lenient")]
    pub warnings: Vec<String>,
    /// The receipt code of the writer's slip, from a QR symbol on the attached stub or the
    /// code written in the text (check symbol validated); null when there is none (and in
    /// drafts made before this key existed).
    #[serde(deserialize_with = "contract::lenient")]
    pub receipt_code: Option<ReceiptCode>,
    /// Text a reviewer typed for a page (page stem → text): replaces the page's OCR text
    /// when the letter is drafted again, and is what search indexes. Left out when empty,
    /// so `ishenim draft --json` prints the keys it always did.
    #[serde(
        deserialize_with = "contract::lenient",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub transcriptions: BTreeMap<String, String>,
    /// The drafts whose pages a regroup moved into this new, not yet drafted one (draft
    /// ids of the store). Left out when empty.
    #[serde(
        deserialize_with = "contract::lenient",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub regrouped_from: Vec<i64>,
}

/// Fields whose confidence is below this are marked "check against the image" on the review
/// screen; `ishenim eval` counts a wrong field above it as a calibration miss.
pub const UNSURE_BELOW: f32 = 0.6;

impl LetterDraft {
    /// The fields the reviewer is told to check (confidence below [`UNSURE_BELOW`]).
    pub fn unsure_fields(&self) -> Vec<&'static str> {
        let c = &self.confidence;
        [
            ("applicant", c.applicant),
            ("address", c.address),
            ("phone", c.phone),
            ("date", c.date),
            ("summary", c.summary),
            ("category", c.category),
            ("corruption", c.corruption),
        ]
        .into_iter()
        .filter(|(_, v)| *v < UNSURE_BELOW)
        .map(|(k, _)| k)
        .collect()
    }
}

/// Page-level quality: `true` when the page should be typed in by hand.
pub fn page_needs_transcription(page: &PageRecord) -> bool {
    // The scanner found the page handwritten (issue 14): typed in by a person even when
    // Tesseract produced nothing from it.
    if !page.blank && page.warnings.iter().any(|w| w == "handwritten") {
        return true;
    }
    if page.blank || page.text.trim().is_empty() {
        return false;
    }
    if !page.words.is_empty() && page.mean_conf < 55.0 {
        return true;
    }
    let toks: Vec<&str> = page.text.split_whitespace().collect();
    if toks.is_empty() {
        return false;
    }
    let garbage = toks
        .iter()
        .filter(|t| {
            let t = text::trim_punct(t);
            let letters = t.chars().filter(|c| c.is_alphabetic()).count();
            let cyr = t
                .chars()
                .filter(|c| ('\u{0400}'..='\u{04FF}').contains(c))
                .count();
            let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
            let odd = t
                .chars()
                .filter(|c| !(c.is_alphanumeric() || "-.,:;/()+№«»\"'!?".contains(*c)))
                .count();
            t.is_empty() && letters == 0 && digits == 0
                || odd > 0
                || (letters > 0 && cyr > 0 && cyr < letters)
                || (letters > 0
                    && digits > 0
                    && letters + digits == t.chars().count()
                    && letters > 1
                    && digits > 1)
        })
        .count();
    garbage as f32 / toks.len() as f32 > 0.35
}

/// Decides ky/ru from the body tokens; returns the language and a confidence.
fn decide_lang(doc: &Doc, range: std::ops::Range<usize>) -> (Lang, f32) {
    const KY: &[&str] = &[
        "жана",
        "менен",
        "учун",
        "деп",
        "бул",
        "бирок",
        "эле",
        "дагы",
        "жок",
        "эмес",
        "биз",
        "мен",
        "ар",
        "бир",
    ];
    const RU: &[&str] = &[
        "и", "в", "на", "что", "не", "по", "с", "для", "от", "я", "мы", "это", "как", "но", "же",
        "за",
    ];
    let (mut ky, mut ru) = (0.0f32, 0.0f32);
    for t in &doc.toks[range] {
        let n = text::norm_word(&t.text);
        if n.chars().any(|c| "өүң".contains(c)) {
            ky += 1.0;
        }
        if KY.contains(&t.key.as_str()) {
            ky += 1.0;
        }
        if RU.contains(&t.key.as_str()) {
            ru += 1.0;
        }
        if n.chars().any(|c| "щъэё".contains(c)) {
            ru += 0.3;
        }
    }
    if ky + ru == 0.0 {
        return (Lang::Ky, 0.3);
    }
    let lang = if ru > ky { Lang::Ru } else { Lang::Ky };
    (lang, ((ky - ru).abs() / (ky + ru)).clamp(0.3, 1.0))
}

/// The village for the summary, from the address or the header.
fn place_of(address: Option<&str>, doc: &Doc, header_end: usize, lang: &str) -> Option<String> {
    let mut sources: Vec<String> = address.map(|a| vec![a.to_string()]).unwrap_or_default();
    sources.extend((0..header_end.min(doc.lines.len())).map(|i| doc.lines[i].text.clone()));
    for s in sources {
        let words: Vec<&str> = s.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let k = text::key_word(w);
            if (k == "айылы" || k == "айылынын" || k == "айылында") && i > 0 {
                let v = text::trim_punct(words[i - 1]);
                if applicant::name_token(v) || v.contains('-') {
                    return Some(if lang == "ru" {
                        format!("с. {v}")
                    } else {
                        format!("{v} айылы")
                    });
                }
            }
            if (k == "с" || k == "село" || k == "села") && i + 1 < words.len() {
                let v = text::trim_punct(words[i + 1]);
                if v.chars().next().is_some_and(|c| c.is_uppercase()) {
                    return Some(if lang == "ru" {
                        format!("с. {v}")
                    } else {
                        format!("{v} айылы")
                    });
                }
            }
        }
    }
    None
}

/// Word confidence (0–100) at and above which a place name is taken as the writer's own
/// spelling, not a misreading to mend from the council's list.
const SURE_WORD: f32 = 90.0;

/// The applicant's contact fields read off the letter, with the boxes they came from.
struct Contacts {
    name: applicant::NameChoice,
    addr: address::AddressChoice,
    phone: phone::PhoneChoice,
    date: contacts::DateChoice,
    spans: BTreeMap<String, Vec<Span>>,
}

/// Name, address (places mended only where Tesseract was unsure), phone and date.
fn read_contacts(doc: &Doc, lay: &layout::Layout, models: &Models) -> Contacts {
    let name = applicant::choose_name(doc, lay);
    let mut addr = address::choose_address(doc, lay, &name.toks);
    // No name found and none declared withheld: the sender block may have been missed, so
    // "no address" is as unsure as "no name".
    if addr.address.is_none() && name.anonymous && name.confidence < UNSURE_BELOW {
        addr.confidence = addr.confidence.min(name.confidence);
    }
    let unsure: Vec<&str> = addr
        .toks
        .iter()
        .map(|&t| &doc.toks[t])
        .filter(|t| t.conf < SURE_WORD)
        .map(|t| text::trim_punct(&t.text))
        .collect();
    addr.address = addr.address.map(|a| {
        models
            .places
            .repair_unsure(&a, |w| unsure.iter().any(|u| u.contains(w)))
    });
    let phone = phone::choose_phone(doc, lay, &name.toks);
    let date = contacts::choose_date(doc, lay);
    let mut spans = BTreeMap::new();
    for (k, toks) in [
        ("applicant", &name.toks),
        ("address", &addr.toks),
        ("phone", &phone.toks),
        ("date", &date.toks),
    ] {
        let s = spans_of(doc, toks);
        if !s.is_empty() {
            spans.insert(k.to_string(), s);
        }
    }
    Contacts {
        name,
        addr,
        phone,
        date,
        spans,
    }
}

/// Token range of the body lines `[lay.body_start, lay.footer_start)`.
fn body_range(doc: &Doc, lay: &layout::Layout) -> std::ops::Range<usize> {
    let s = doc
        .lines
        .get(lay.body_start)
        .map_or(doc.toks.len(), |l| l.start);
    // A postscript is body: the whole letter from the body on (signature lines and all).
    let e = doc
        .lines
        .get(lay.footer_start)
        .filter(|_| lay.postscript.is_none())
        .map_or(doc.toks.len(), |l| l.start);
    // A layout that leaves no body (a letter read as all header or all signature) would
    // give no summary: then the whole letter is the body, so nothing the writer said is lost.
    if e <= s && !doc.toks.is_empty() {
        return 0..doc.toks.len();
    }
    s..e.max(s)
}

/// The body widened to the subject line above it ("Жалоба на грубое обращение", "Суу кезеги
/// боюнча", "По поводу …"): the writer's own word for what the letter is about, which the
/// category should hear. A title line or the body alone when there is none.
fn subject_from(
    doc: &Doc,
    lay: &layout::Layout,
    body: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let subject = (lay.body_start.saturating_sub(2)..lay.body_start)
        .rev()
        .find(|&li| layout::subject_line(&doc.line_key(li)) || lay.title == Some(li));
    match subject.and_then(|li| doc.lines.get(li)) {
        Some(l) if l.start < body.start => l.start..body.end,
        _ => body.clone(),
    }
}

/// Where thanks (and a withdrawal) are looked for: the title ("Ыраазычылык кат",
/// "Благодарность") and the first paragraph-ish part of the body (its first third, at
/// least 40 words).
fn thanks_scope(
    doc: &Doc,
    lay: &layout::Layout,
    body: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let end = (body.start + (body.len() / 3).max(40)).min(body.end);
    let start = lay
        .title
        .and_then(|t| doc.lines.get(t))
        .map_or(body.start, |l| l.start.min(body.start));
    start..end
}

/// The letter's language, from its body (the whole letter when the body is empty).
fn body_lang(doc: &Doc, body: &std::ops::Range<usize>) -> (Lang, f32) {
    decide_lang(
        doc,
        if body.is_empty() {
            0..doc.toks.len()
        } else {
            body.clone()
        },
    )
}

/// True when the first sentence of the body (after a greeting) thanks: the summary then
/// says "Ыраазычылык"/"Благодарность".
fn opens_with_thanks(doc: &Doc, body: &std::ops::Range<usize>, models: &Models) -> bool {
    let greeting = doc.toks.get(body.start).is_some_and(|t| {
        t.key.starts_with("урматтуу") || t.key.starts_with("уважаем") || t.key.starts_with("дорог")
    });
    let first_sentence = doc
        .toks
        .get(body.start)
        .map(|t| t.sentence + usize::from(greeting));
    doc.toks[body.clone()]
        .iter()
        .take_while(|t| first_sentence.is_some_and(|f| t.sentence <= f))
        .any(|t| models::any_match(&models.corruption.thanks, &t.key))
}

/// Whether the letter must be typed by a person (most text pages read poorly), with a
/// warning per poor page and per region the reader gave up on (it may hold the date or the
/// accusation, so each is named).
fn reading_warnings(pages: &[&PageRecord]) -> (bool, Vec<String>) {
    let text_pages: Vec<&&PageRecord> = pages
        .iter()
        .filter(|p| !p.blank && !p.text.trim().is_empty())
        .collect();
    let poor: Vec<&&&PageRecord> = text_pages
        .iter()
        .filter(|p| page_needs_transcription(p))
        .collect();
    let needs_transcription = !text_pages.is_empty() && poor.len() * 2 >= text_pages.len();
    let mut warnings: Vec<String> = poor
        .iter()
        .map(|p| format!("low_quality_page:{}", p.stem))
        .collect();
    for p in pages {
        for r in &p.unread {
            let [x0, y0, x1, y1] = r.bbox;
            warnings.push(format!(
                "unread_region:{}:{x0},{y0},{x1},{y1}:{}",
                p.stem, r.reason
            ));
        }
    }
    (needs_transcription, warnings)
}

/// Per-field confidences, rounded to two places.
fn confidences(
    opening: u32,
    lang_conf: f32,
    c: &Contacts,
    summary: &str,
    cat: &analysis::CategoryResult,
    corruption: &Corruption,
) -> Confidence {
    let round = |x: f32| (x * 100.0).round() / 100.0;
    Confidence {
        pages: match opening {
            3.. => 0.95,
            2 => 0.8,
            _ => 0.5,
        },
        lang: round(lang_conf),
        applicant: round(c.name.confidence),
        address: round(c.addr.confidence),
        phone: round(if c.phone.phone.is_some() {
            c.phone.confidence
        } else {
            0.7
        }),
        date: round(c.date.confidence),
        summary: if summary.is_empty() { 0.0 } else { 0.5 },
        category: round(cat.confidence),
        corruption: round(0.5 + (corruption.score - 0.5).abs()),
    }
}

fn draft_one(
    pages: &[&PageRecord],
    models: &Models,
    opening: u32,
    trace: Option<&std::cell::RefCell<Vec<summary::SentenceCandidate>>>,
) -> LetterDraft {
    let doc = Doc::build(pages);
    let lay = layout::layout(&doc);
    let mut warnings = Vec::new();
    if lay.title.is_none() {
        warnings.push("no_title".to_string());
    }
    let body = body_range(&doc, &lay);
    let (lang, lang_conf) = body_lang(&doc, &body);
    let c = read_contacts(&doc, &lay, models);
    warnings.extend(c.name.warning.clone());
    if c.date.date.is_none() {
        warnings.push("no_date".into());
    }
    let corruption = analysis::corruption(
        &doc,
        body.clone(),
        thanks_scope(&doc, &lay, &body),
        lang.code(),
        models,
    );
    // A letter of thanks keeps its subject's category (thanks to a nurse is health): the
    // category says what a letter is about, the summary says it thanks.
    let cat = analysis::category(&doc, subject_from(&doc, &lay, &body), lang.code(), models);
    let (needs_transcription, reading) = reading_warnings(pages);
    warnings.extend(reading);
    let (receipt_code, receipt_warnings) = receipt::find(pages);
    warnings.extend(receipt_warnings);
    let summary = if needs_transcription || doc.toks.is_empty() {
        String::new()
    } else {
        let input = summary::SummaryInput {
            lang: lang.code(),
            corruption: corruption.flag,
            thanks: opens_with_thanks(&doc, &body, models),
            reason_toks: corruption
                .reasons
                .iter()
                .filter(|r| r.note.is_none())
                .filter_map(|r| r.tok)
                .collect(),
            topic_toks: cat.reasons.iter().filter_map(|r| r.tok).collect(),
            words: salience::word_weights(&doc, body.clone(), &models.word_df),
            selector: &models.summary_learned,
            trace,
            place: place_of(c.addr.address.as_deref(), &doc, lay.header_end, lang.code()),
        };
        summary::summarize(&doc, lay.body_start, lay.footer_start, &input)
    };
    if doc.toks.is_empty() {
        warnings.push("no_text".into());
    }
    let confidence = confidences(opening, lang_conf, &c, &summary, &cat, &corruption);
    let russian = lang == Lang::Ru;
    LetterDraft {
        pages: pages.iter().map(|p| p.stem.clone()).collect(),
        lang: Some(lang),
        applicant: Applicant {
            // "Айгїл": letters of other Cyrillic alphabets read for Kyrgyz ones; "Жейишбек":
            // confused letters in a given name the name list settles. A Russian letter writes
            // Kyrgyz names the Russian way ("Гулзат", "Омурбекович"): kept as written.
            name: c.name.name.map(|n| {
                let n = applicant::fold_foreign(&n);
                if russian {
                    n
                } else {
                    names::repair(&n)
                }
            }),
            anonymous: c.name.anonymous,
            co_signers: c.name.co_signers,
        },
        address: c.addr.address,
        phone: c.phone.phone,
        date: c.date.date,
        summary,
        category: cat.key.clone(),
        corruption,
        confidence,
        needs_transcription,
        category_detail: cat,
        spans: c.spans,
        warnings,
        receipt_code,
        transcriptions: BTreeMap::new(),
        regrouped_from: Vec::new(),
    }
}

/// Groups consecutive pages into letters and drafts each one.
///
/// Every page with text starts a new letter unless it continues the one before: it starts
/// in the middle of a sentence or with a page number, or the page before ended without a
/// closing, a signature or a date and this page opens nothing (no addressee, title,
/// sender block, greeting or self-introduction). Blank pages attach to the previous
/// letter; blank pages before the first letter attach to it; a stack of only blank pages
/// gives no letter. Never fails.
pub fn draft_letters(pages: &[PageRecord], models: &Models) -> Vec<LetterDraft> {
    let mut groups: Vec<(Vec<&PageRecord>, u32)> = Vec::new();
    let mut pending: Vec<&PageRecord> = Vec::new();
    let mut last_text: Option<&PageRecord> = None;
    for p in pages {
        if p.blank || p.text.trim().is_empty() {
            match groups.last_mut() {
                Some(g) => g.0.push(p),
                None => pending.push(p),
            }
            continue;
        }
        let score = layout::opening_score(&p.text);
        let continues = last_text.is_some_and(|prev| layout::continues(&prev.text, &p.text, score));
        match groups.last_mut() {
            Some(g) if continues => g.0.push(p),
            _ => {
                let mut g = std::mem::take(&mut pending);
                g.push(p);
                groups.push((g, score.max(2)));
            }
        }
        last_text = Some(p);
    }
    groups
        .into_iter()
        .map(|(g, score)| draft_one(&g, models, score, None))
        .collect()
}

#[cfg(test)]
mod tests;
