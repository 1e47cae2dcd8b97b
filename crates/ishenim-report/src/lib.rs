//! # ishenim-report — the half-year analysis of appeals
//!
//! For a half-year ([`HalfYear`], `2026H1` = January–June, `2026H2` = July–December) this
//! crate counts the journal's appeals by month, category, village (read from the address,
//! with an "unknown" bucket), signed vs anonymous, corruption-flagged share, deadline outcome
//! (answered on time, answered late, open past the deadline, open within it) and assigned
//! official, and lists the corruption-related appeals with the measures taken.
//!
//! ```text
//! Store ──Report::build──▶ Report (serde data) ──▶ html_fragment(lang)  (the web crate's layout)
//!                                              ├─▶ html_document(lang)  (standalone A4 page)
//!                                              ├─▶ to_csv(lang)
//!                                              └─▶ to_xlsx(lang)
//! ```
//!
//! ## Definitions
//!
//! - An appeal belongs to the half-year of its **registration** date (the journal's date;
//!   serials carry the same year).
//! - Statuses and deadlines are taken **as of** [`ReportOptions::as_of`] (normally the day
//!   the report is made). An appeal is *answered on time* when the date of its reply (or,
//!   without a reply, the day it was closed or redirected) is not after its consideration
//!   deadline, extensions included; *late* otherwise. An open appeal (registered or assigned)
//!   is *overdue* when its deadline is before `as_of`, like
//!   [`ishenim_store::Store::overdue`].
//! - The village comes from the address ([`village::village_of`]); spellings that differ
//!   only in case, ө/о, ү/у, ң/н or Latin look-alikes are one village. The
//!   [`ReportOptions::max_villages`] most frequent are listed, the rest are "other villages".
//!
//! ## Output safety
//!
//! Names, addresses, summaries, measures and official names come from OCR or from people:
//! they are attacker-controlled. Every such string is HTML/XML-escaped (and stripped of
//! characters XML forbids) in the HTML and the SVG charts; CSV cells that a spreadsheet would
//! read as a formula (`=`, `+`, `-`, `@`) are prefixed with `'`; XLSX cells are written as
//! strings, never formulas. The charts are hand-written SVG (no script, no external
//! resource, no inline CSS), so they pass a strict `Content-Security-Policy`.
//!
//! Nothing here logs; errors name no appeal content.

#![forbid(unsafe_code)]

mod build;
mod half;
mod html;
mod lang;
mod svg;
mod tabular;
pub mod village;

#[cfg(test)]
mod testutil;

pub use build::timeliness;
pub use half::{Half, HalfYear};
pub use html::STYLESHEET;
pub use lang::Lang;

use chrono::NaiveDate;
use ishenim_store::{ChainHead, EntryStatus, Serial, StoreError};
use serde::{Deserialize, Serialize};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the register failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the workbook failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Not a half-year such as `2026H1`.
    #[error("not a half-year (expected like 2026H1 or 2026H2): {0:?}")]
    InvalidHalfYear(String),
    /// Not `ky` or `ru`.
    #[error("not a report language (expected ky or ru): {0:?}")]
    InvalidLang(String),
}

/// Display labels of one category key (from `models/categories.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLabel {
    /// Category key stored in the journal (`land`, `water`, ..., `other`).
    pub key: String,
    /// Kyrgyz label.
    pub ky: String,
    /// Russian label.
    pub ru: String,
}

/// How a report is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// The day statuses and deadlines are judged on (normally today).
    pub as_of: NaiveDate,
    /// Category labels; a key without a label is shown as the key itself.
    pub categories: Vec<CategoryLabel>,
    /// Villages listed by name (most frequent first); the rest are "other villages".
    pub max_villages: usize,
}

impl ReportOptions {
    /// Options with the built-in category labels and 15 named villages.
    pub fn new(as_of: NaiveDate) -> Self {
        ReportOptions::with_models(as_of, &ishenim_draft::Models::embedded())
    }

    /// Options with the category labels of `models` (e.g. the commission's edited
    /// `categories.toml`).
    pub fn with_models(as_of: NaiveDate, models: &ishenim_draft::Models) -> Self {
        ReportOptions {
            as_of,
            categories: models
                .categories()
                .into_iter()
                .map(|(key, ky, ru)| CategoryLabel { key, ky, ru })
                .collect(),
            max_villages: 15,
        }
    }
}

/// A row label that is a name, the rest, or not known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Bucket {
    /// A village or an official, as written.
    Named(String),
    /// Everything beyond the named rows ("other villages").
    Other,
    /// Not known: no address or unreadable (villages), nobody assigned (officials).
    Unknown,
}

/// Deadline outcome of one appeal, as of the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Answered (or closed, redirected) no later than the deadline.
    OnTime,
    /// Answered (or closed, redirected) after the deadline.
    Late,
    /// Still open and the deadline has passed.
    OpenOverdue,
    /// Still open, deadline not yet passed.
    OpenInTime,
}

/// Appeals per deadline outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineCounts {
    /// Answered on time.
    pub on_time: u64,
    /// Answered late.
    pub late: u64,
    /// Open past the deadline.
    pub open_overdue: u64,
    /// Open within the deadline.
    pub open_in_time: u64,
}

impl DeadlineCounts {
    /// Count one appeal.
    pub fn add(&mut self, t: Timeliness) {
        match t {
            Timeliness::OnTime => self.on_time += 1,
            Timeliness::Late => self.late += 1,
            Timeliness::OpenOverdue => self.open_overdue += 1,
            Timeliness::OpenInTime => self.open_in_time += 1,
        }
    }

    /// All appeals counted.
    pub fn total(&self) -> u64 {
        self.on_time + self.late + self.open_overdue + self.open_in_time
    }

    /// Deadline missed: answered late or open past the deadline.
    pub fn overdue(&self) -> u64 {
        self.late + self.open_overdue
    }

    /// The four counts in display order (on time, late, open overdue, open in time).
    pub fn as_array(&self) -> [u64; 4] {
        [
            self.on_time,
            self.late,
            self.open_overdue,
            self.open_in_time,
        ]
    }
}

/// Appeals registered in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCount {
    /// Month, 1–12.
    pub month: u32,
    /// All appeals.
    pub total: u64,
    /// Of which corruption-related.
    pub corruption: u64,
}

/// Appeals of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// Category key.
    pub key: String,
    /// Kyrgyz label (the key when unknown).
    pub label_ky: String,
    /// Russian label (the key when unknown).
    pub label_ru: String,
    /// Appeals.
    pub count: u64,
}

/// Appeals from one village (or the other/unknown rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageCount {
    /// The village.
    pub village: Bucket,
    /// Appeals.
    pub count: u64,
}

/// Appeals assigned to one official (or to nobody yet: [`Bucket::Unknown`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialRow {
    /// The official as written (latest assignment).
    pub official: Bucket,
    /// Appeals.
    pub total: u64,
    /// Their deadline outcomes.
    pub deadlines: DeadlineCounts,
}

/// One corruption-related appeal and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorruptionCase {
    /// Journal serial.
    pub serial: Serial,
    /// Registration date.
    pub registered: NaiveDate,
    /// Village read from the address.
    pub village: Option<String>,
    /// Category key.
    pub category: String,
    /// Brief content as registered (attacker-controlled text).
    pub brief: String,
    /// Official assigned.
    pub official: Option<String>,
    /// Current status.
    pub status: EntryStatus,
    /// Consideration deadline (after extensions).
    pub deadline: NaiveDate,
    /// Deadline outcome.
    pub timeliness: Timeliness,
    /// Measures taken, in order.
    pub measures: Vec<String>,
    /// Outgoing reply number.
    pub reply_no: Option<String>,
    /// Outgoing reply date.
    pub reply_date: Option<NaiveDate>,
}

/// The half-year analysis: plain data (serde), rendered by [`Report::html_fragment`],
/// [`Report::html_document`], [`Report::to_csv`] and [`Report::to_xlsx`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The half-year.
    pub half: HalfYear,
    /// First day of the half-year.
    pub from: NaiveDate,
    /// Last day of the half-year.
    pub to: NaiveDate,
    /// Statuses and deadlines are as of this day.
    pub as_of: NaiveDate,
    /// Appeals registered in the half-year.
    pub total: u64,
    /// With the applicant's name.
    pub signed: u64,
    /// Anonymous.
    pub anonymous: u64,
    /// Corruption-flagged.
    pub corruption: u64,
    /// The six months of the half, in order (zeros included).
    pub by_month: Vec<MonthCount>,
    /// Categories with at least one appeal, most frequent first.
    pub by_category: Vec<CategoryCount>,
    /// Named villages (most frequent first), then other villages, then unknown (each only
    /// when non-zero).
    pub by_village: Vec<VillageCount>,
    /// Deadline outcomes of all appeals of the half.
    pub deadlines: DeadlineCounts,
    /// Officials (most appeals first), then "not assigned".
    pub by_official: Vec<OfficialRow>,
    /// Corruption-flagged appeals, by serial.
    pub corruption_cases: Vec<CorruptionCase>,
    /// Head of the journal's hash chain when the report was made.
    pub chain_head: Option<ChainHead>,
}

impl Report {
    /// Share of `n` in the half's total, in percent (0 when the half is empty).
    pub fn percent(&self, n: u64) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            n as f64 * 100.0 / self.total as f64
        }
    }

    /// Labels of a category key in `lang` (the key itself when unknown).
    pub fn category_label(&self, key: &str, lang: Lang) -> String {
        self.by_category
            .iter()
            .find(|c| c.key == key)
            .map(|c| match lang {
                Lang::Ky => c.label_ky.clone(),
                Lang::Ru => c.label_ru.clone(),
            })
            .unwrap_or_else(|| key.to_string())
    }
}
