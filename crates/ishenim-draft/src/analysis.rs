//! Corruption flag and category: lexicon matches over the letter body, with reasons.

use crate::models::{any_match, any_match_word, Models};
use crate::text::{spans_of, Doc};
use serde::{Deserialize, Serialize};

/// Why a letter was (or was not) flagged: one matched phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The words as written in the letter.
    pub phrase: String,
    /// Page stem where the phrase starts.
    pub page: String,
    /// Union box of the phrase's words on that page (null without word boxes).
    pub bbox: Option<[u32; 4]>,
    /// The lexicon entry that matched.
    pub term: String,
    /// What the match added to the raw score.
    pub weight: f32,
    /// `negated`, `rumour` or `thanks` when the match was discounted; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// Index of the first matched token in the letter (internal).
    #[serde(skip)]
    pub(crate) tok: Option<usize>,
}

/// The corruption verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corruption {
    /// True when the letter reports corruption.
    pub flag: bool,
    /// `raw / (raw + threshold)`: 0 = nothing found, ≥ 0.5 = flagged.
    pub score: f32,
    /// Matched phrases, strongest first.
    pub reasons: Vec<Reason>,
}

fn reason(doc: &Doc, at: &[usize], term: &str, weight: f32, note: Option<&str>) -> Reason {
    let first = at.first().copied().unwrap_or(0);
    let last = at.last().copied().unwrap_or(first);
    let words: Vec<usize> = (first..=last).collect();
    let phrase = words
        .iter()
        .filter_map(|&i| doc.toks.get(i))
        .map(|t| crate::text::trim_punct(&t.text))
        .collect::<Vec<_>>()
        .join(" ");
    let page_of_first = doc.toks.get(first).map(|t| t.page);
    let on_first: Vec<usize> = words
        .into_iter()
        .filter(|&i| doc.toks.get(i).map(|t| t.page) == page_of_first)
        .collect();
    let span = spans_of(doc, &on_first).into_iter().next();
    Reason {
        phrase,
        page: span.as_ref().map(|s| s.page.clone()).unwrap_or_default(),
        bbox: span.and_then(|s| s.bbox),
        term: term.to_string(),
        weight: (weight * 100.0).round() / 100.0,
        note: note.map(String::from),
        tok: Some(first),
    }
}

/// What discounts a match: negation, rumour, innocent money, a letter of thanks.
struct Discount<'a> {
    doc: &'a Doc,
    body: std::ops::Range<usize>,
    models: &'a Models,
    innocent: Vec<bool>,
    /// Sentences that say money went without a receipt: never innocent.
    unreceipted: std::collections::BTreeSet<usize>,
    /// Sentences that report hearsay.
    rumoured: std::collections::BTreeSet<usize>,
    /// Tokens of negative idioms ("жок дегенде", at least): no negation.
    idiom: Vec<bool>,
    thanks: bool,
    /// The letter takes an earlier complaint back, and no one demands anything in it.
    withdrawn: bool,
}

impl Discount<'_> {
    /// The factor and note for a match whose words are at `at` (absolute token indices).
    fn of(&self, at: &[usize], negatable: bool) -> (f32, Option<&'static str>) {
        let m = &self.models.corruption;
        let toks = &self.doc.toks;
        let sent = toks[at[0]].sentence;
        let same = |i: usize| self.body.contains(&i) && toks[i].sentence == sent;
        // Negation after a word stops at the end of its clause ("берет 200 сом, не выдавая
        // чек" is no denial).
        let neg_after = |i: usize| !self.idiom[i] && any_match_word(&m.neg_after, &toks[i]);
        let neg_before = |i: usize| !self.idiom[i] && any_match_word(&m.neg_before, &toks[i]);
        let after_clause = |a: usize| {
            (a + 1..(a + 4).min(toks.len()))
                .take_while(|&i| i == a + 1 || !toks[i - 1].text.ends_with([',', ';', '—']))
                .any(|i| same(i) && !at.contains(&i) && neg_after(i))
        };
        // A match that is negative itself ("квитанций не выдают", "тендер болгон жок") is
        // stressed, not denied, by a negation before it ("никаких квитанций не выдают").
        let negative = at.iter().any(|&i| neg_before(i) || neg_after(i));
        let negated = at.iter().any(|&a| {
            // A negation that is a word of the match itself ("болгон жок", "без чека") is its meaning.
            !negative
                && (a.saturating_sub(2)..a).any(|i| same(i) && !at.contains(&i) && neg_before(i))
                || !toks[a].text.ends_with(',') && after_clause(a)
        });
        let rumour = self.rumoured.contains(&sent);
        if negatable && negated {
            (m.negated_factor, Some("negated"))
        } else if rumour {
            (m.rumour_factor, Some("rumour"))
        } else if self.innocent[at[0]] && !self.unreceipted.contains(&sent) {
            (m.innocent_factor, Some("innocent"))
        } else if self.thanks {
            (m.thanks_factor, Some("thanks"))
        } else if self.withdrawn {
            (m.withdrawal_factor, Some("withdrawn"))
        } else {
            (1.0, None)
        }
    }
}

/// True when the scope holds a word of thanks said as thanks: not in «quotes» and not in a
/// sentence about money or a euphemism ("бир ыраазычылык көрсөтсөң", «благодарность» of
/// 5,000 som is the bribe's name, not a letter of thanks).
fn thanks_letter(doc: &Doc, scope: std::ops::Range<usize>, models: &Models) -> bool {
    let m = &models.corruption;
    let quoted = quoted_tokens(doc);
    let words = &doc.toks[scope.clone()];
    let paid = concept_sentences(words, models, &["money", "euphemism"]);
    words.iter().enumerate().any(|(i, t)| {
        any_match(&m.thanks, &t.key)
            && !quoted[scope.start + i]
            && !paid.contains(&t.sentence)
            && !turns_to_complaint(doc, scope.start + i)
    })
}

/// True when a sentence after token `at` opens with a contrast ("Бирок …", "Но …", "Однако
/// …"): thanks to the neighbours followed by "but the cemetery keeper took 3,000 som" is a
/// complaint that thanks first.
fn turns_to_complaint(doc: &Doc, at: usize) -> bool {
    const CONTRAST: &[&str] = &["бирок", "но", "однако", "тилекке", "ошентсе"];
    let sent = doc.toks[at].sentence;
    doc.toks[at..].windows(2).any(|w| {
        w[1].sentence != w[0].sentence
            && w[1].sentence > sent
            && CONTRAST.contains(&w[1].key.as_str())
    })
}

/// Per token: inside «…» or "…" quotes (a quote opened on one word and closed on a later one).
fn quoted_tokens(doc: &Doc) -> Vec<bool> {
    let mut inside = false;
    doc.toks
        .iter()
        .map(|t| {
            let opens = t.text.starts_with(['«', '"', '“', '„']);
            let closes = t
                .text
                .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '"')
                .ends_with(['»', '"', '”']);
            let here = inside || opens;
            inside = (inside || opens) && !closes;
            here
        })
        .collect()
}

/// Per token (absolute): part of a negative idiom of the body.
fn idiom_tokens(doc: &Doc, body: std::ops::Range<usize>, models: &Models) -> Vec<bool> {
    let mut out = vec![false; doc.toks.len()];
    for at in phrase_hits(&doc.toks[body.clone()], &models.corruption.neg_idioms) {
        at.iter().for_each(|&i| out[i + body.start] = true);
    }
    out
}

/// Every match (token indices into `words`) of any of `phrases`.
fn phrase_hits<'a>(
    words: &'a [crate::text::Tok],
    phrases: &'a [crate::models::Phrase],
) -> impl Iterator<Item = Vec<usize>> + 'a {
    phrases.iter().flat_map(move |p| p.find_all(words))
}

/// Sentences that hold a marker of hearsay (one word or a phrase).
fn rumoured(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
) -> std::collections::BTreeSet<usize> {
    let words = &doc.toks[body];
    phrase_hits(words, &models.corruption.rumour)
        .map(|at| words[at[0]].sentence)
        .collect()
}

/// Sentences of `words` that hold a phrase of one of the named concepts.
fn concept_sentences(
    words: &[crate::text::Tok],
    models: &Models,
    names: &[&str],
) -> std::collections::BTreeSet<usize> {
    models
        .corruption
        .concepts
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .flat_map(|(_, ps)| phrase_hits(words, ps))
        .map(|at| words[at[0]].sentence)
        .collect()
}

/// Token flags of the sentences that describe innocent money (absolute indices).
fn innocent_sentences(doc: &Doc, body: std::ops::Range<usize>, models: &Models) -> Vec<bool> {
    let words = &doc.toks[body.clone()];
    let sentences: std::collections::BTreeSet<usize> =
        phrase_hits(words, &models.corruption.innocent)
            .map(|at| words[at[0]].sentence)
            .collect();
    (0..doc.toks.len())
        .map(|i| body.contains(&i) && sentences.contains(&doc.toks[i].sentence))
        .collect()
}

/// Lexicon terms: (term index, absolute positions), strongest first, outside neutral phrases.
fn term_matches(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> Vec<(usize, Vec<usize>)> {
    let m = &models.corruption;
    let words = &doc.toks[body.clone()];
    let mut blocked = vec![false; words.len()];
    for n in &m.neutral {
        for at in n.find_all(words) {
            if let (Some(&a), Some(&b)) = (at.first(), at.last()) {
                blocked[a..=b].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    let mut cands: Vec<(usize, Vec<usize>)> = Vec::new();
    for (ti, t) in m.terms.iter().enumerate() {
        if t.lang.as_deref().is_some_and(|l| l != lang) {
            continue;
        }
        for at in t.pat.find_all(words) {
            if !blocked[at[0]] {
                cands.push((ti, at.iter().map(|&i| i + body.start).collect()));
            }
        }
    }
    cands.sort_by(|a, b| {
        let (wa, wb) = (m.terms[a.0].weight, m.terms[b.0].weight);
        wb.total_cmp(&wa)
            .then(b.1.len().cmp(&a.1.len()))
            .then(a.1[0].cmp(&b.1[0]))
    });
    cands
}

/// Where each concept occurs: per concept, the sentences and the first token of each match.
pub(crate) fn concept_hits(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
) -> Vec<Vec<(usize, usize)>> {
    let words = &doc.toks[body.clone()];
    models
        .corruption
        .concepts
        .iter()
        .map(|(_, phrases)| {
            let mut hits: Vec<(usize, usize)> = phrases
                .iter()
                .flat_map(|p| p.find_all(words))
                // Every word of a phrase: a negation inside it ("болгон жок") is its meaning.
                .flat_map(|at| at.into_iter().map(|i| (words[i].sentence, i + body.start)))
                .collect();
            hits.sort_unstable();
            hits.dedup_by_key(|h| h.1);
            hits
        })
        .collect()
}

/// Rule matches: (rule index, sentence of its `all` words, absolute token positions of the
/// words that made it), at most one per rule and sentence.
fn rule_matches(
    hits: &[Vec<(usize, usize)>],
    lang: &str,
    models: &Models,
) -> Vec<(usize, usize, Vec<usize>)> {
    let mut out = Vec::new();
    for (ri, r) in models.corruption.rules.iter().enumerate() {
        if r.lang.as_deref().is_some_and(|l| l != lang) {
            continue;
        }
        let sentences: std::collections::BTreeSet<usize> =
            hits[r.all[0]].iter().map(|h| h.0).collect();
        for s in sentences {
            let first_in = |c: usize, lo: usize, hi: usize| {
                hits[c].iter().find(|h| h.0 >= lo && h.0 <= hi).map(|h| h.1)
            };
            let Some(mut at) = r
                .all
                .iter()
                .map(|&c| first_in(c, s, s))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            if !r.any.is_empty() {
                let lo = s.saturating_sub(r.reach);
                match r.any.iter().find_map(|&c| first_in(c, lo, s + r.reach)) {
                    Some(t) => at.push(t),
                    None => continue,
                }
            }
            at.sort_unstable();
            at.dedup();
            out.push((ri, s, at));
        }
    }
    out
}

/// The lexicon's evidence of corruption before the learned model reads it.
pub(crate) struct LexiconEvidence {
    /// Each match: its reason, weight after discounts, sentence, and whether discounted.
    reasons: Vec<(Reason, f32, usize, bool)>,
    /// The summed evidence (`evidence`).
    raw: f32,
    /// The factor of the whole letter: thanks or a withdrawal (1 otherwise).
    discount: f32,
}

/// Scores corruption over the token range `body`; `thanks_scope` is the token range searched for thanks words.
///
/// Two kinds of evidence add up: lexicon terms that name corruption outright (`пара`,
/// `взятка`, `откат`) and rules of the structure of an accusation (concepts such as an
/// official, a demand and money in one sentence). Each term or rule counts fully once and
/// a little for each repeat; a negated, rumoured, innocent or thankful mention counts less.
/// The learned model then reads the letter's words together with that evidence.
pub(crate) fn corruption(
    doc: &Doc,
    body: std::ops::Range<usize>,
    thanks_scope: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> Corruption {
    let lex = lexicon_evidence(doc, body.clone(), thanks_scope, lang, models);
    let lexicon = if lex.raw > 0.0 {
        lex.raw / (lex.raw + models.corruption.threshold)
    } else {
        0.0
    };
    let learned = learned_verdict(doc, body, models, &lex);
    let mut reasons = lex.reasons;
    if let Some((_, Some(r))) = &learned {
        reasons.push((r.clone(), r.weight, usize::MAX, false));
    }
    reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
    // The model reads the lexicon's evidence too, so its verdict is the letter's (it was
    // measured alone against the lexicon and against either flagging); without the model
    // the lexicon decides.
    let score = learned.as_ref().map_or(lexicon, |l| l.0);
    Corruption {
        flag: score >= 0.5,
        score: (score * 1000.0).round() / 1000.0,
        reasons: reasons.into_iter().map(|r| r.0).collect(),
    }
}

/// The learned corruption model's features over `body`: the words and concepts, and what
/// the lexicon found (`lexicon_evidence`), as the model reads them in `corruption`.
pub(crate) fn corruption_features(
    doc: &Doc,
    body: std::ops::Range<usize>,
    thanks_scope: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> Vec<crate::learned::Feature> {
    let lex = lexicon_evidence(doc, body.clone(), thanks_scope, lang, models);
    model_features(doc, body, &lex, models)
}

/// What the learned corruption model reads: the letter's words and concepts over `body`
/// and the lexicon's evidence `lex` (one function, so training and drafting read alike).
fn model_features(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lex: &LexiconEvidence,
    models: &Models,
) -> Vec<crate::learned::Feature> {
    let mut feats = crate::learned::features(doc, body.clone(), models);
    feats.extend(evidence_features(
        lex,
        body.start,
        models.corruption.threshold,
    ));
    feats
}

/// The lexicon's evidence as features: each term or rule that counted in full (`lr:`),
/// each kind of discount that met a match (`ln:negated`, `ln:innocent`, …), and the
/// evidence's size against the threshold (`lraw:`). The model learns from letters when a
/// rule's match is an accusation and when a discount was wrong, instead of overruling the
/// lexicon blind. Each stands at its match's first word.
fn evidence_features(
    lex: &LexiconEvidence,
    start: usize,
    threshold: f32,
) -> Vec<crate::learned::Feature> {
    let feature = |name: String, tok: Option<usize>| crate::learned::Feature {
        name,
        tok: tok.unwrap_or(start),
    };
    let mut out: Vec<crate::learned::Feature> = Vec::new();
    for (r, _, _, _) in &lex.reasons {
        let name = match &r.note {
            None => format!(
                "lr:{}",
                r.term.split_whitespace().collect::<Vec<_>>().join("_")
            ),
            Some(note) => format!("ln:{note}"),
        };
        if !out.iter().any(|f| f.name == name) {
            out.push(feature(name, r.tok));
        }
    }
    let size = match lex.raw / threshold {
        x if x <= 0.0 => "none",
        x if x < 0.5 => "low",
        x if x < 1.0 => "near",
        x if x < 2.0 => "flag",
        _ => "strong",
    };
    out.push(feature(format!("lraw:{size}"), None));
    out
}

/// The lexicon's matches of terms and rules over `body`, discounted.
fn lexicon_evidence(
    doc: &Doc,
    body: std::ops::Range<usize>,
    thanks_scope: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> LexiconEvidence {
    let m = &models.corruption;
    let disc = Discount {
        doc,
        body: body.clone(),
        models,
        innocent: innocent_sentences(doc, body.clone(), models),
        unreceipted: concept_sentences(&doc.toks[body.clone()], models, &["no_receipt"]),
        rumoured: rumoured(doc, body.clone(), models),
        idiom: idiom_tokens(doc, body.clone(), models),
        thanks: thanks_letter(doc, thanks_scope.clone(), models),
        // A complaint taken back under a demand or a threat ("if you do not withdraw it …")
        // is the accusation itself.
        withdrawn: phrase_hits(&doc.toks[thanks_scope], &m.withdrawal)
            .next()
            .is_some()
            && concept_sentences(&doc.toks[body.clone()], models, &["demand"]).is_empty(),
    };
    let mut reasons = term_reasons(doc, body.clone(), lang, models, &disc);
    reasons.extend(rule_reasons(doc, body, lang, models, &disc));
    let discount = if disc.thanks {
        m.thanks_factor
    } else if disc.withdrawn {
        m.withdrawal_factor
    } else {
        1.0
    };
    LexiconEvidence {
        raw: evidence(&reasons),
        reasons,
        discount,
    }
}

/// The matches of the terms that name corruption outright, discounted.
fn term_reasons(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
    disc: &Discount,
) -> Vec<(Reason, f32, usize, bool)> {
    let m = &models.corruption;
    let mut used = vec![false; doc.toks.len()];
    let mut reasons = Vec::new();
    let mut per_term: Vec<(f32, usize)> = vec![(0.0, 0); m.terms.len()];
    for (ti, at) in term_matches(doc, body, lang, models) {
        if at.iter().any(|&i| used[i]) {
            continue;
        }
        at.iter().for_each(|&i| used[i] = true);
        let term = &m.terms[ti];
        let (factor, note) = disc.of(&at, term.negatable);
        let w = repeat_weight(&mut per_term[ti], term.weight) * factor;
        let sent = doc.toks[at[0]].sentence;
        reasons.push((
            reason(doc, &at, &term.phrase, w, note),
            w,
            sent,
            note.is_some(),
        ));
    }
    reasons
}

/// The matches of the rules (concepts of an accusation in one sentence), discounted.
fn rule_reasons(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
    disc: &Discount,
) -> Vec<(Reason, f32, usize, bool)> {
    let m = &models.corruption;
    let hits = concept_hits(doc, body, models);
    let mut reasons = Vec::new();
    let mut per_rule: Vec<(f32, usize)> = vec![(0.0, 0); m.rules.len()];
    for (ri, sent, at) in rule_matches(&hits, lang, models) {
        let rule = &m.rules[ri];
        // Every word of the rule's concepts in its sentence: a denial of any ("акча берген
        // жокмун", "никто не просил") takes the whole accusation back.
        let all_hits: Vec<usize> = rule
            .all
            .iter()
            .flat_map(|&c| hits[c].iter().filter(|h| h.0 == sent).map(|h| h.1))
            .collect();
        let (factor, note) = disc.of(&all_hits, true);
        let w = repeat_weight(&mut per_rule[ri], rule.weight) * factor;
        reasons.push((
            rule_reason(doc, &at, &rule.name, w, note),
            w,
            sent,
            note.is_some(),
        ));
    }
    reasons
}

/// The learned model's score on the lexicon's scale (`p / (p + threshold)`: 0.5 exactly at
/// the model's threshold), when the model is on, and its reason when the score is near or
/// above the flag (≥ 0.4): the words that raised the probability most, as written.
///
/// In a letter of thanks or a withdrawal the probability counts as little as a lexicon
/// match does there (`lex.discount`: `thanks_factor`, `withdrawal_factor`): the model saw
/// few such letters, and "уколы бесплатно" praised is no accusation.
fn learned_verdict(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
    lex: &LexiconEvidence,
) -> Option<(f32, Option<Reason>)> {
    let l = &models.learned;
    if !l.is_on() {
        return None;
    }
    let feats = model_features(doc, body, lex, models);
    let (p, parts) = l.score(&feats);
    let p = p * lex.discount;
    let scaled = p / (p + l.threshold);
    let reason = (scaled >= 0.4)
        .then(|| learned_reason(doc, &parts, p))
        .flatten()
        .map(|r| Reason { tok: None, ..r });
    Some((scaled, reason))
}

/// The learned model's reason: the (at most five) words of the letter that raised its
/// probability most, in letter order; none when no word raised it.
fn learned_reason(doc: &Doc, parts: &crate::learned::Shares, p: f32) -> Option<Reason> {
    let mut at: Vec<usize> = parts
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .take(5)
        .map(|(f, _)| f.tok)
        .collect();
    at.sort_unstable();
    at.dedup();
    (!at.is_empty()).then(|| rule_reason(doc, &at, LEARNED_TERM, p, None))
}

/// How the learned model's reason is named to the reviewer.
pub(crate) const LEARNED_TERM: &str = "окшош каттардан үйрөнүлгөн баа / оценка по похожим письмам";

/// The sum of the evidence, where the discounted matches of one sentence (a rumour, a
/// thanks, innocent money) count as their strongest only: a sentence that reports gossip
/// with many corruption words is still one piece of gossip.
fn evidence(reasons: &[(Reason, f32, usize, bool)]) -> f32 {
    let mut per_sentence: std::collections::BTreeMap<usize, f32> = Default::default();
    let mut sum = 0.0;
    for &(_, w, sent, discounted) in reasons {
        if discounted {
            let best = per_sentence.entry(sent).or_default();
            *best = best.max(w);
        } else {
            sum += w;
        }
    }
    sum + per_sentence.values().sum::<f32>()
}

/// What one more match of a term or rule adds: its weight the first time, a quarter for
/// each repeat, at most twice the weight in all (`acc` = sum so far, count).
fn repeat_weight(acc: &mut (f32, usize), weight: f32) -> f32 {
    let (sum, n) = *acc;
    let add = if n == 0 {
        weight
    } else {
        (weight * 0.25).min(2.0 * weight - sum).max(0.0)
    };
    *acc = (sum + add, n + 1);
    add
}

/// A rule's reason: the words that made it (not the text between them), in letter order.
fn rule_reason(doc: &Doc, at: &[usize], name: &str, weight: f32, note: Option<&str>) -> Reason {
    let mut r = reason(doc, &at[..1], name, weight, note);
    r.phrase = at
        .iter()
        .filter_map(|&i| doc.toks.get(i))
        .map(|t| crate::text::trim_punct(&t.text))
        .collect::<Vec<_>>()
        .join(" … ");
    let on_page: Vec<usize> = at
        .iter()
        .copied()
        .filter(|&i| doc.toks.get(i).map(|t| t.page) == doc.toks.get(at[0]).map(|t| t.page))
        .collect();
    r.bbox = spans_of(doc, &on_page)
        .into_iter()
        .next()
        .and_then(|s| s.bbox);
    r
}

/// The category verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryResult {
    /// Category key (`land`, `water`, `roads`, `utilities`, `social_aid`, `education`, `health`, `documents`,
    /// `staff_conduct`, `other`).
    pub key: String,
    /// Label in the letter's language.
    pub label: String,
    /// 0–1: how clearly the winner beat the runner-up.
    pub confidence: f32,
    /// Matched phrases of the winning category.
    pub reasons: Vec<Reason>,
}

/// Picks the category over the token range `body`: the lexicon's, unless it is unsure
/// (confidence below the learned model's `below`, or "other") and the learned model is on.
pub(crate) fn category(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> CategoryResult {
    let lexicon = lexicon_category(doc, body.clone(), lang, models);
    let cl = &models.category_learned;
    if !cl.is_on() || (lexicon.confidence >= cl.below && lexicon.key != "other") {
        return lexicon;
    }
    let feats = category_features(doc, body, models);
    let Some((key, p, parts)) = cl.best(&feats) else {
        return lexicon;
    };
    // The model reads what the lexicon heard too (`lexicon_features`), so its verdict
    // already weighs the word lists; an agreeing verdict keeps the lexicon's reasons.
    if key == lexicon.key {
        return lexicon;
    }
    let mut out = models
        .categories
        .categories
        .iter()
        .find(|c| c.key == key)
        .map_or_else(
            || other_category(lang),
            |c| CategoryResult {
                key: c.key.clone(),
                label: if lang == "ru" {
                    c.label_ru.clone()
                } else {
                    c.label_ky.clone()
                },
                confidence: 0.0,
                reasons: vec![],
            },
        );
    out.confidence = ((p * 0.5) * 100.0).round() / 100.0;
    out.reasons = learned_reason(doc, &parts, p).into_iter().collect();
    out
}

/// The learned category model's features over `body`: the words and concepts the
/// corruption model reads, and what the lexicon heard (at the body's first token).
pub(crate) fn category_features(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
) -> Vec<crate::learned::Feature> {
    let mut feats = crate::learned::features(doc, body.clone(), models);
    feats.extend(lexicon_features(doc, body, models));
    feats
}

/// Each category's lexicon score over the token range `body` (in the order of
/// `categories.toml`), with the phrases that made it. A phrase's words count once, for its
/// heaviest match; words inside names never count.
fn category_scores(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
) -> Vec<(f32, Vec<Reason>)> {
    let keys = &doc.toks[body.clone()];
    let proper: Vec<bool> = (body.clone()).map(|i| proper_noun(doc, i)).collect();
    let mut out = Vec::new();
    for c in &models.categories.categories {
        let mut used = vec![false; keys.len()];
        let mut score = 0.0;
        let mut reasons = Vec::new();
        let mut hits: Vec<(&str, f32, Vec<usize>)> = Vec::new();
        for (name, p, w) in &c.phrases {
            for at in p
                .find_all(keys)
                .into_iter()
                .filter(|at| !at.iter().any(|&i| proper[i]))
            {
                hits.push((name, *w, at));
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.len().cmp(&a.2.len())));
        for (name, w, at) in hits {
            if at.iter().any(|&i| used[i]) {
                continue;
            }
            at.iter().for_each(|&i| used[i] = true);
            score += w;
            let abs: Vec<usize> = at.iter().map(|&i| i + body.start).collect();
            reasons.push(reason(doc, &abs, name, w, None));
        }
        out.push((score, reasons));
    }
    out
}

/// The lexicon's category over the token range `body`: the highest score (the first listed
/// on a tie), "other" below `min_score`; confidence is the margin over the runner-up.
fn lexicon_category(
    doc: &Doc,
    body: std::ops::Range<usize>,
    lang: &str,
    models: &Models,
) -> CategoryResult {
    let cm = &models.categories;
    let mut scores = category_scores(doc, body, models);
    let Some(best) = lexicon_winner(&scores, cm.min_score) else {
        return other_category(lang);
    };
    let s = scores[best].0;
    let second = (0..scores.len())
        .filter(|&i| i != best)
        .map(|i| scores[i].0)
        .fold(0.0f32, f32::max);
    let c = &cm.categories[best];
    CategoryResult {
        key: c.key.clone(),
        label: if lang == "ru" {
            c.label_ru.clone()
        } else {
            c.label_ky.clone()
        },
        confidence: (((s - second) / (s + 1.0)).clamp(0.0, 1.0) * 100.0).round() / 100.0,
        reasons: std::mem::take(&mut scores[best].1),
    }
}

/// The index of the category with the highest score (the first listed on a tie), none
/// below `min_score` ("other").
fn lexicon_winner(scores: &[(f32, Vec<Reason>)], min_score: f32) -> Option<usize> {
    (0..scores.len())
        .reduce(|b, i| if scores[i].0 > scores[b].0 { i } else { b })
        .filter(|&b| scores[b].0 >= min_score)
}

/// What the lexicon says, as features of the learned category model: each category the
/// lexicon heard (`lh:`, with `lh2:` for a score of two or more) and its winner (`lx:`),
/// so that the model learns when the word lists are right instead of overruling them
/// blind. Each feature stands at its category's first matched word (the body's start for
/// "other"), where the review screen shows it.
fn lexicon_features(
    doc: &Doc,
    body: std::ops::Range<usize>,
    models: &Models,
) -> Vec<crate::learned::Feature> {
    let scores = category_scores(doc, body.clone(), models);
    let cats = &models.categories.categories;
    let at = |i: usize| {
        scores[i]
            .1
            .iter()
            .filter_map(|r| r.tok)
            .min()
            .unwrap_or(body.start)
    };
    let feature = |name: String, tok: usize| crate::learned::Feature { name, tok };
    let mut out = Vec::new();
    for (i, c) in cats.iter().enumerate() {
        if scores[i].0 > 0.0 {
            out.push(feature(format!("lh:{}", c.key), at(i)));
        }
        if scores[i].0 >= 2.0 {
            out.push(feature(format!("lh2:{}", c.key), at(i)));
        }
    }
    let won = lexicon_winner(&scores, models.categories.min_score);
    let key = won.map_or("other", |w| cats[w].key.as_str());
    out.push(feature(format!("lx:{key}"), won.map_or(body.start, at)));
    out
}

/// True for a name, not a word of the subject: a capitalised word inside a sentence
/// ("… жесир Мамырова Гүлсайра" is no "мамы", pole), or a capitalised compound anywhere
/// ("Арык-Башы көпүрөсү" is a bridge, not a ditch).
fn proper_noun(doc: &Doc, i: usize) -> bool {
    let t = &doc.toks[i];
    let capital = t.text.starts_with(char::is_uppercase);
    let sentence_start = i == 0 || doc.toks[i - 1].sentence != t.sentence;
    let compound = t
        .text
        .split('-')
        .filter(|p| !p.is_empty())
        .all(|p| p.starts_with(char::is_uppercase))
        && t.text.contains('-');
    capital && (!sentence_start || compound)
}

/// The category "other" (nothing matched enough).
pub(crate) fn other_category(lang: &str) -> CategoryResult {
    CategoryResult {
        key: "other".into(),
        label: if lang == "ru" {
            "Другое"
        } else {
            "Башка"
        }
        .into(),
        confidence: 0.5,
        reasons: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::page_from_text;

    fn lexicon_of(text: &str) -> Vec<(String, String)> {
        let page = page_from_text("p1", text);
        let doc = Doc::build(&[&page]);
        let models = Models::embedded();
        lexicon_features(&doc, 0..doc.toks.len(), &models)
            .into_iter()
            .map(|f| (f.name, doc.toks[f.tok].text.clone()))
            .collect()
    }

    #[test]
    fn the_lexicon_tells_the_model_what_it_heard_and_where() {
        let feats = lexicon_of(
            "Биздин көчөдөгү жол бузулуп, көпүрө кулап калды. Балдар мектепке бара албай жатат.",
        );
        let names: Vec<&str> = feats.iter().map(|(n, _)| n.as_str()).collect();
        // Roads heard in three words, the school in one: both heard, roads won.
        assert!(
            names.contains(&"lh:roads") && names.contains(&"lh2:roads"),
            "{names:?}"
        );
        assert!(names.contains(&"lh:education"), "{names:?}");
        assert!(!names.contains(&"lh:health"), "{names:?}");
        assert_eq!(names.last(), Some(&"lx:roads"));
        // Each feature stands at its category's first matched word.
        let at = |n: &str| feats.iter().find(|(f, _)| f == n).map(|(_, k)| k.clone());
        assert_eq!(at("lx:roads").as_deref(), Some("көчөдөгү"));
        assert_eq!(at("lh:education").as_deref(), Some("мектепке"));
    }

    #[test]
    fn a_letter_the_lexicon_cannot_place_is_other_at_its_first_word() {
        let feats = lexicon_of("Салам. Кечээ кечинде болгон окуя жөнүндө жазайын.");
        assert_eq!(feats, vec![("lx:other".to_string(), "Салам.".to_string())]);
    }

    fn evidence_of(text: &str) -> Vec<String> {
        let page = page_from_text("p1", text);
        let doc = Doc::build(&[&page]);
        let models = Models::embedded();
        let all = 0..doc.toks.len();
        let lex = lexicon_evidence(&doc, all.clone(), all, "ky", &models);
        evidence_features(&lex, 0, models.corruption.threshold)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn the_model_reads_what_the_lexicon_found_and_what_it_discounted() {
        let bribe = evidence_of("Жер адиси маалымкат үчүн менден пара сурады, беш миң сом.");
        assert!(bribe.iter().any(|f| f.starts_with("lr:")), "{bribe:?}");
        assert!(
            bribe.iter().any(|f| f == "lraw:flag" || f == "lraw:strong"),
            "{bribe:?}"
        );
        let denied = evidence_of("Мен эч кимге пара берген жокмун.");
        assert!(denied.contains(&"ln:negated".to_string()), "{denied:?}");
        assert!(!denied.iter().any(|f| f.starts_with("lr:")), "{denied:?}");
        let nothing = evidence_of("Көчөдөгү чырак күйбөй калды, оңдоп бериңиздер.");
        assert_eq!(nothing, vec!["lraw:none".to_string()]);
    }
}
