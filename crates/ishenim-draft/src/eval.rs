//! Scoring drafts against a synthetic corpus's `truth.jsonl` (see `shared/corpus/make_corpus.py`).

use crate::{Lang, LetterDraft};
use ishenim_page::{PageRecord, Word};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Errors reading a truth file.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A line is not a truth row.
    #[error("truth.jsonl line {line}: {msg}")]
    BadRow {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
}

/// One row of `truth.jsonl` (one page).
#[derive(Debug, Clone, Deserialize)]
pub struct TruthRow {
    /// Page id == file stem.
    pub id: String,
    /// Image file name.
    #[serde(default)]
    pub file: String,
    /// Letter id (null for blank backsides).
    pub letter: Option<String>,
    /// Letter key in the letters module.
    #[serde(default)]
    pub key: Option<String>,
    /// Page number inside the letter.
    #[serde(default)]
    pub page: u32,
    /// Degradation level.
    #[serde(default)]
    pub level: Option<String>,
    /// Blank backside.
    #[serde(default)]
    pub blank: bool,
    /// ky / ru.
    #[serde(default)]
    pub lang: Option<String>,
    /// Reports corruption.
    #[serde(default)]
    pub corruption: Option<bool>,
    /// Anonymous letter.
    #[serde(default)]
    pub anonymous: Option<bool>,
    /// Applicant name.
    #[serde(default)]
    pub name: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Phone, E.164.
    #[serde(default)]
    pub phone: Option<String>,
    /// Letter date, ISO.
    #[serde(default)]
    pub date: Option<String>,
    /// The other signers of a collective letter (whole-letter corpora only).
    #[serde(default)]
    pub co_signers: Vec<String>,
    /// Other spellings of the address a clerk would equally accept.
    #[serde(default)]
    pub address_alts: Vec<String>,
    /// Category key by the letter's subject (whole-letter corpora only).
    #[serde(default)]
    pub category: Option<String>,
    /// 2–4 word stems a good summary names (whole-letter corpora only).
    #[serde(default)]
    pub summary_stems: Vec<String>,
    /// Page text.
    #[serde(default)]
    pub text: String,
}

/// Parses `truth.jsonl` text.
pub fn parse_truth(truth_jsonl: &str) -> Result<Vec<TruthRow>, EvalError> {
    truth_jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::BadRow {
                line: i + 1,
                msg: e.to_string(),
            })
        })
        .collect()
}

/// Builds page records from the ground-truth text (perfect OCR), with synthetic word boxes, ordered by stem as a
/// directory listing would be. Rows of the `SEED` pseudo-letter are left out.
pub fn pages_from_truth(truth_jsonl: &str) -> Result<Vec<PageRecord>, EvalError> {
    let mut rows = parse_truth(truth_jsonl)?;
    rows.retain(|r| r.letter.as_deref() != Some("SEED"));
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows.iter().map(page_from_text_row).collect())
}

/// A page record for `text` with one synthetic box per word (line height 60 px, 24 px per character).
pub fn page_from_text(stem: &str, text: &str) -> PageRecord {
    let mut words = Vec::new();
    for (li, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let mut x = 100u32;
        let y = 100 + 60 * li as u32;
        for w in line.split_whitespace() {
            let wd = 24 * w.chars().count() as u32;
            words.push(Word {
                text: w.to_string(),
                conf: 95.0,
                bbox: [x, y, x + wd, y + 48],
                line: li as u32,
            });
            x += wd + 24;
        }
    }
    let blank = text.trim().is_empty();
    PageRecord {
        file: format!("{stem}.png"),
        page: 1,
        stem: stem.to_string(),
        blank,
        rotation: 0,
        skew_deg: 0.0,
        dpi: 300,
        lang: "kir+rus".into(),
        mean_conf: if blank { 0.0 } else { 95.0 },
        text: text.to_string(),
        words,
        timings_ms: BTreeMap::new(),
        size: [2480, 3508],
        warnings: vec![],
        unread: vec![],
        qr: Vec::new(),
    }
}

fn page_from_text_row(r: &TruthRow) -> PageRecord {
    let mut p = page_from_text(&r.id, if r.blank { "" } else { &r.text });
    p.file = r.file.clone();
    p.blank = r.blank || p.blank;
    p
}

/// Correct out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ratio {
    /// Correct cases.
    pub ok: usize,
    /// All cases.
    pub total: usize,
}

impl Ratio {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.ok += usize::from(ok);
    }
    /// Share correct, 0–1 (1 when there are no cases).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.ok as f64 / self.total as f64
        }
    }
}

/// Confusion counts of a binary flag.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// True negatives.
    pub tn: usize,
}

impl Prf {
    /// Precision (1 when nothing was flagged).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    /// Recall (1 when there is nothing to find).
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    /// F1 score.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Scores of drafts against the truth.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    /// Truth letters scored.
    pub letters: usize,
    /// Letters whose page set (blank backsides ignored) equals one draft's.
    pub grouping: Ratio,
    /// Exact phone (E.164 or null).
    pub phone: Ratio,
    /// Exact name as written (or null for anonymous).
    pub name: Ratio,
    /// Anonymous flag.
    pub anonymous: Ratio,
    /// Exact ISO date.
    pub date: Ratio,
    /// Exact address (whitespace-normalised).
    pub address: Ratio,
    /// Language.
    pub lang: Ratio,
    /// Corruption flag.
    pub corruption: Prf,
    /// Category key (letters whose truth has one).
    pub category: Ratio,
    /// The summary names the subject: at least two of the truth's stems (all when fewer) start a word of it.
    pub summary: Ratio,
    /// Collective letters (truth with co-signers) whose draft keeps every co-signer (by the
    /// first word of the name, case aside) for the journal's note.
    pub co_signers: Ratio,
    /// Calibration: letters where no field the review screen shows as sure (confidence ≥
    /// [`crate::UNSURE_BELOW`]) is wrong — `1 - rate` is the share of letters with a confidently wrong field.
    pub calibrated: Ratio,
    /// The price of calibration: letters whose applicant, address, phone and date are all
    /// shown as sure (nothing the reviewer is asked to check among them).
    pub all_sure: Ratio,
    /// One line per mismatch: `letter field: expected … got …` (synthetic corpus only).
    pub mismatches: Vec<String>,
    /// The same scores for the letters of each degradation level (`clean`, `mild`,
    /// `heavy`; a letter's level is its first page's); empty within these.
    pub by_level: BTreeMap<String, EvalReport>,
}

fn norm(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| {
            v.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end_matches(['.', ','])
                .to_string()
        })
        .filter(|v| !v.is_empty())
}

/// A phone compared as E.164, or a village landline by its digits ("2-14-56" = "21456").
fn phone_key(s: &Option<String>) -> Option<String> {
    norm(s).map(|v| {
        if v.starts_with('+') {
            v
        } else {
            v.chars().filter(char::is_ascii_digit).collect()
        }
    })
}

/// A name compared without regard to letter case ("АЛЫМБЕКОВ Нурдин" is the journal's
/// "Алымбеков Нурдин").
fn loose(s: &Option<String>) -> Option<String> {
    norm(s).map(|v| v.to_lowercase())
}

/// The address as compared: lower case, no commas, and declined place words and houses in
/// the nominative ("Ак-Жар айылында 5-үйдө" = "Ак-Жар айылы 5-үй"), the other spellings a
/// clerk equally accepts by the corpus format (tests/letters/README.md, `address_alts`).
fn address_key(s: &Option<String>) -> Option<String> {
    norm(s).map(|v| {
        v.to_lowercase()
            .replace([',', ';'], " ")
            .replace(". ", " ")
            .split_whitespace()
            .map(|w| {
                let house = ["-үйүндө", "-үйдө", "-үйүнөн"]
                    .iter()
                    .find_map(|s| w.strip_suffix(s));
                match (crate::address::nominative_of(w), house) {
                    (Some(n), _) => n.to_string(),
                    (None, Some(h)) => format!("{h}-үй"),
                    (None, None) => w.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// True when the summary names the subject: at least two of the stems (all when fewer) start
/// one of its words (case and ө/ү/ң folded).
pub fn names_subject(summary: &str, stems: &[String]) -> bool {
    let words: Vec<String> = summary
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(crate::text::key_word)
        .collect();
    let hits = stems
        .iter()
        .filter(|s| {
            let s = crate::text::key_word(s);
            words.iter().any(|w| w.starts_with(&s))
        })
        .count();
    hits >= stems.len().min(2)
}

/// Scores `drafts` against `truth.jsonl` text. Drafts are mapped to truth letters by page stems.
pub fn evaluate(drafts: &[LetterDraft], truth_jsonl: &str) -> Result<EvalReport, EvalError> {
    let rows = parse_truth(truth_jsonl)?;
    let blanks: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.blank)
        .map(|r| r.id.as_str())
        .collect();
    let mut letters: BTreeMap<&str, Vec<&TruthRow>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.blank) {
        if let Some(l) = r.letter.as_deref().filter(|l| *l != "SEED") {
            letters.entry(l).or_default().push(r);
        }
    }
    let mut rep = score(drafts, &letters, &blanks);
    let mut levels: BTreeMap<&str, BTreeMap<&str, Vec<&TruthRow>>> = BTreeMap::new();
    for (lid, pages) in &letters {
        if let Some(level) = pages
            .iter()
            .min_by_key(|r| r.page)
            .and_then(|r| r.level.as_deref())
        {
            levels.entry(level).or_default().insert(lid, pages.clone());
        }
    }
    rep.by_level = levels
        .into_iter()
        .map(|(level, ls)| {
            let mut r = score(drafts, &ls, &blanks);
            r.mismatches.clear();
            (level.to_string(), r)
        })
        .collect();
    Ok(rep)
}

/// Counts one field of one letter; a miss is listed as `letter field: expected … got …`.
fn field(
    ratio: &mut Ratio,
    mismatches: &mut Vec<String>,
    lid: &str,
    name: &str,
    want: Option<String>,
    got: Option<String>,
) -> bool {
    let ok = want == got;
    ratio.add(ok);
    if !ok {
        mismatches.push(format!("{lid} {name}: expected {want:?} got {got:?}"));
    }
    ok
}

/// Scores the drafts of the given truth letters.
fn score(
    drafts: &[LetterDraft],
    letters: &BTreeMap<&str, Vec<&TruthRow>>,
    blanks: &BTreeSet<&str>,
) -> EvalReport {
    let mut rep = EvalReport {
        letters: letters.len(),
        ..Default::default()
    };
    let draft_sets: Vec<BTreeSet<&str>> = drafts
        .iter()
        .map(|d| {
            d.pages
                .iter()
                .map(|s| s.as_str())
                .filter(|s| !blanks.contains(s))
                .collect()
        })
        .collect();
    for (&lid, pages) in letters {
        let mut pages = pages.clone();
        pages.sort_by_key(|r| r.page);
        let want: BTreeSet<&str> = pages.iter().map(|r| r.id.as_str()).collect();
        let grouped = draft_sets.contains(&want);
        rep.grouping.add(grouped);
        if !grouped {
            rep.mismatches
                .push(format!("{lid} pages: expected {want:?}"));
        }
        let t = pages[0];
        let d = drafts.iter().find(|d| d.pages.contains(&t.id));
        score_contacts(&mut rep, lid, t, d);
        score_subject(&mut rep, lid, t, d);
    }
    rep
}

/// Phone, name, anonymity, date, address and language of one letter, and whether a wrong
/// one of them was marked sure (calibration).
fn score_contacts(rep: &mut EvalReport, lid: &str, t: &TruthRow, d: Option<&LetterDraft>) {
    let got = |f: &dyn Fn(&LetterDraft) -> Option<String>| d.and_then(f);
    let sure = |k: &str| d.is_some_and(|d| !d.unsure_fields().contains(&k));
    let m = &mut rep.mismatches;
    let phone_ok = field(
        &mut rep.phone,
        m,
        lid,
        "phone",
        phone_key(&t.phone),
        got(&|d| phone_key(&d.phone)),
    );
    let name_ok = field(
        &mut rep.name,
        m,
        lid,
        "name",
        loose(&t.name),
        got(&|d| loose(&d.applicant.name)),
    );
    let anon_want = t.anonymous.map(|a| a.to_string());
    field(
        &mut rep.anonymous,
        m,
        lid,
        "anonymous",
        anon_want,
        got(&|d| Some(d.applicant.anonymous.to_string())),
    );
    let anon_ok = t.anonymous.is_none() || t.anonymous == d.map(|d| d.applicant.anonymous);
    if !t.co_signers.is_empty() {
        let kept = |c: &String| {
            let first = c.split_whitespace().next().unwrap_or("").to_lowercase();
            d.is_some_and(|d| {
                d.applicant
                    .co_signers
                    .iter()
                    .chain(d.applicant.name.iter())
                    .any(|g| g.to_lowercase().contains(&first))
            })
        };
        let ok = t.co_signers.iter().all(kept);
        rep.co_signers.add(ok);
        if !ok {
            m.push(format!(
                "{lid} co_signers: expected {:?} got {:?}",
                t.co_signers,
                d.map(|d| &d.applicant.co_signers)
            ));
        }
    }
    let date_ok = field(
        &mut rep.date,
        m,
        lid,
        "date",
        norm(&t.date),
        got(&|d| norm(&d.date)),
    );
    let got_addr = got(&|d| address_key(&d.address));
    let want_addr = std::iter::once(address_key(&t.address))
        .chain(t.address_alts.iter().map(|a| address_key(&Some(a.clone()))))
        .find(|a| *a == got_addr)
        .unwrap_or_else(|| address_key(&t.address));
    let addr_ok = field(&mut rep.address, m, lid, "address", want_addr, got_addr);
    field(
        &mut rep.lang,
        m,
        lid,
        "lang",
        t.lang.clone(),
        got(&|d| Some(d.lang.map_or("", Lang::code).to_string())),
    );
    let confident_miss = !phone_ok && sure("phone")
        || !(name_ok && anon_ok) && sure("applicant")
        || !date_ok && sure("date")
        || !addr_ok && sure("address");
    rep.calibrated.add(!confident_miss);
    rep.all_sure.add(
        ["applicant", "address", "phone", "date"]
            .iter()
            .all(|k| sure(k)),
    );
    if confident_miss {
        rep.mismatches.push(format!(
            "{lid} calibration: a wrong field was not marked unsure"
        ));
    }
}

/// Category, summary and the corruption flag of one letter.
fn score_subject(rep: &mut EvalReport, lid: &str, t: &TruthRow, d: Option<&LetterDraft>) {
    if let Some(want) = &t.category {
        let got = d.map(|d| d.category.clone());
        field(
            &mut rep.category,
            &mut rep.mismatches,
            lid,
            "category",
            Some(want.clone()),
            got,
        );
    }
    if !t.summary_stems.is_empty() {
        let summary = d.map(|d| d.summary.clone()).unwrap_or_default();
        let ok = names_subject(&summary, &t.summary_stems);
        rep.summary.add(ok);
        if !ok {
            rep.mismatches.push(format!(
                "{lid} summary: expected stems {:?} got {summary:?}",
                t.summary_stems
            ));
        }
    }
    if let Some(want) = t.corruption {
        let flag = d.is_some_and(|d| d.corruption.flag);
        match (want, flag) {
            (true, true) => rep.corruption.tp += 1,
            (false, true) => rep.corruption.fp += 1,
            (true, false) => rep.corruption.fn_ += 1,
            (false, false) => rep.corruption.tn += 1,
        }
        if want != flag {
            let key = t.key.as_deref().unwrap_or("");
            rep.mismatches.push(format!(
                "{lid} corruption ({key}): expected {want} got {flag}"
            ));
        }
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<22} {:>8} {:>10}", "measure", "value", "n")?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, r: &Ratio| {
            writeln!(
                f,
                "{:<22} {:>7.1}% {:>5}/{:<4}",
                name,
                100.0 * r.rate(),
                r.ok,
                r.total
            )
        };
        row(f, "letter grouping", &self.grouping)?;
        row(f, "phone", &self.phone)?;
        row(f, "name", &self.name)?;
        row(f, "anonymous", &self.anonymous)?;
        row(f, "date", &self.date)?;
        row(f, "address", &self.address)?;
        row(f, "lang", &self.lang)?;
        if self.category.total > 0 {
            row(f, "category", &self.category)?;
        }
        if self.summary.total > 0 {
            row(f, "summary names subject", &self.summary)?;
        }
        if self.co_signers.total > 0 {
            row(f, "co-signers kept", &self.co_signers)?;
        }
        row(f, "sure fields right", &self.calibrated)?;
        row(f, "contacts all sure", &self.all_sure)?;
        let c = &self.corruption;
        writeln!(
            f,
            "{:<22} {:>8.3} {:>10}",
            "corruption precision",
            c.precision(),
            format!("tp={} fp={}", c.tp, c.fp)
        )?;
        writeln!(
            f,
            "{:<22} {:>8.3} {:>10}",
            "corruption recall",
            c.recall(),
            format!("fn={} tn={}", c.fn_, c.tn)
        )?;
        writeln!(f, "{:<22} {:>8.3}", "corruption F1", c.f1())?;
        if self.by_level.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "by level   letters grouping  phone   name   anon   date address  F1"
        )?;
        for (level, r) in &self.by_level {
            let pct = |r: &Ratio| 100.0 * r.rate();
            let c = &r.corruption;
            let f1 = if c.tp + c.fp + c.fn_ == 0 {
                "n/a".to_string()
            } else {
                format!("{:.3}", c.f1())
            };
            writeln!(
                f,
                "{:<10} {:>7} {:>7.1}% {:>5.1}% {:>5.1}% {:>5.1}% {:>5.1}% {:>6.1}% {:>5}",
                level,
                r.letters,
                pct(&r.grouping),
                pct(&r.phone),
                pct(&r.name),
                pct(&r.anonymous),
                pct(&r.date),
                pct(&r.address),
                f1
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{draft_letters, Models};

    fn row(id: &str, letter: &str, level: &str, phone: &str, text: &str) -> String {
        serde_json::json!({
            "id": id, "letter": letter, "page": 1, "level": level, "lang": "ky",
            "corruption": false, "anonymous": false, "phone": phone, "text": text,
        })
        .to_string()
    }

    #[test]
    fn scores_are_broken_down_by_level() {
        let letter = |phone: &str| {
            format!(
                "Айыл өкмөтүнүн башчысына\nМанас айылынын тургуну Асанов Бакыт\nТел.: {phone}\nАРЫЗ\n\
                 Көчөдөгү жарык күйбөй калды, оңдоп берүүнү суранам.\nКолу: Асанов Бакыт"
            )
        };
        let truth = [
            row(
                "a1",
                "A",
                "clean",
                "+996555123456",
                &letter("0555 12 34 56"),
            ),
            // The truth says another number: a phone miss on the heavy level only.
            row(
                "b1",
                "B",
                "heavy",
                "+996700000000",
                &letter("0555 12 34 56"),
            ),
        ]
        .join("\n");
        let drafts = draft_letters(
            &pages_from_truth(&truth).expect("pages"),
            &Models::embedded(),
        );
        let rep = evaluate(&drafts, &truth).expect("report");
        assert_eq!(rep.letters, 2);
        assert_eq!((rep.phone.ok, rep.phone.total), (1, 2));
        assert_eq!(rep.by_level.len(), 2);
        let (clean, heavy) = (&rep.by_level["clean"], &rep.by_level["heavy"]);
        assert_eq!((clean.letters, clean.phone.ok), (1, 1));
        assert_eq!((heavy.letters, heavy.phone.ok), (1, 0));
        assert!(heavy.mismatches.is_empty() && !rep.mismatches.is_empty());
        assert!(rep.to_string().contains("heavy"));
    }
}
