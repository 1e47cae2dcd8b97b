//! The numbered journal: approval (serial allocation), amendments, follow-up events, the
//! folded current view, deadlines lists and the act of receipt.
//!
//! Here: the journal's public types and the reading side. `serial` is the serial,
//! `fold` the rows as stored and their fold into the current view, `approve` approval,
//! `events` amendments and follow-up events (the chained row structs are in `rows.rs`).

use crate::calendar::{load_calendar, load_settings, Calendar, DeadlineSettings};
use crate::drafts::{draft_pages, extract, Draft, DraftStatus};
use crate::rows::{append, AmendmentRecord, EntryRecord, EventRecord};
use crate::settings::{load_anonymous_policy, AnonymousPolicy, REGISTER_ONLY_REASON};
use crate::users::audit_tx;
use crate::{
    fmt_date, fmt_ts, now, opt_text, parse_date, parse_ts, required, DraftId, OpeningId, PageId,
    Result, Store, StoreError, ANONYMOUS,
};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
mod approve;
mod events;
mod fold;
mod serial;

use fold::*;
pub(crate) use fold::{
    amend_row, amend_select, event_row, event_select, finish_amend, finish_event,
};
pub(crate) use fold::{entry_id_of, load_views};
pub use serial::Serial;

/// A receipt code to link at approval: its keyed hash (64 hex digits) and its first
/// symbols for the notice board. The code itself never reaches the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLink {
    /// HMAC-SHA-256 of the code with the register's secret, hex.
    pub hash: String,
    /// The code's first symbols (`Code::prefix`).
    pub prefix: String,
}

/// The registration fields a reviewer confirms when approving a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedFields {
    /// Full name as written (required unless `anonymous`).
    pub applicant_name: Option<String>,
    /// Anonymous appeal: the journal shows «Анонимдүү».
    pub anonymous: bool,
    /// Address as written.
    pub address: Option<String>,
    /// Phone as written or normalised.
    pub phone: Option<String>,
    /// Brief content (required).
    pub brief: String,
    /// Category key (required; e.g. `land`, `other`).
    pub category: String,
    /// Corruption flag.
    pub corruption: bool,
    /// Official assigned at registration, if any (status becomes `assigned`).
    pub official: Option<String>,
}

impl ApprovedFields {
    /// Fields as proposed by the draft crate (`summary` becomes the brief content). Used
    /// for `ishenim drafts approve --all`; a draft without a summary then fails approval
    /// with [`StoreError::Invalid`] and must be transcribed by a person.
    pub fn from_draft(d: &Draft) -> Self {
        let x = extract(&d.data);
        ApprovedFields {
            applicant_name: x.applicant_name,
            anonymous: x.anonymous,
            address: x.address,
            phone: x.phone,
            brief: x.summary.unwrap_or_default(),
            category: x.category.unwrap_or_else(|| "other".to_string()),
            corruption: x.corruption,
            official: None,
        }
    }

    /// The same checks as an amendment of each field ([`check_field`]), so a value that
    /// approval refuses cannot come in later through an amendment.
    fn validated(&self, categories: Option<&[String]>) -> Result<ApprovedFields> {
        let name = opt_text(&self.applicant_name);
        if !self.anonymous && name.is_none() {
            return Err(StoreError::Invalid(
                "applicant name is required unless the appeal is anonymous".into(),
            ));
        }
        let text = |f: EntryField, v: &Option<String>| -> Result<Option<String>> {
            check_field(f, v.as_deref(), categories)
        };
        let must = |f: EntryField, v: &str| -> Result<String> {
            check_field(f, Some(v), categories)?
                .ok_or_else(|| StoreError::Invalid(format!("{} must not be empty", f.as_str())))
        };
        let official = opt_text(&self.official);
        if official
            .as_ref()
            .is_some_and(|o| o.chars().count() > MAX_LINE)
        {
            return Err(StoreError::Invalid(format!(
                "official is longer than {MAX_LINE} characters"
            )));
        }
        Ok(ApprovedFields {
            applicant_name: if self.anonymous {
                None
            } else {
                text(EntryField::ApplicantName, &name)?
            },
            anonymous: self.anonymous,
            address: text(EntryField::Address, &self.address)?,
            phone: text(EntryField::Phone, &self.phone)?,
            brief: must(EntryField::Brief, &self.brief)?,
            category: must(EntryField::Category, &self.category)?,
            corruption: self.corruption,
            official,
        })
    }
}

/// Longest brief content in characters (the journal column is one paragraph).
pub const MAX_BRIEF: usize = 1000;
/// Longest applicant name, address, phone or official in characters: far more than any
/// real one, small enough that a pasted page cannot end up in a one-line column.
pub const MAX_LINE: usize = 300;
/// Longest category key, and its spelling when no category list was given
/// ([`Store::set_categories`]).
const MAX_CATEGORY: usize = 40;

/// Checks and normalises one registration field, the same for approval and amendment:
/// text is trimmed (empty becomes `None`), lengths are bounded, booleans are
/// `true`/`false`, the box date `YYYY-MM-DD`, and the category must be one of
/// `categories` (the keys of the council's `categories.toml`; when the caller gave no list,
/// a lower-case key of letters, digits and `_`).
pub fn check_field(
    field: EntryField,
    value: Option<&str>,
    categories: Option<&[String]>,
) -> Result<Option<String>> {
    let value = value.map(str::trim).filter(|s| !s.is_empty());
    let too_long = |max: usize| {
        StoreError::Invalid(format!(
            "{} is longer than {max} characters",
            field.as_str()
        ))
    };
    Ok(match field {
        EntryField::Anonymous | EntryField::Corruption => Some(parse_bool(value)?.to_string()),
        EntryField::BoxDate => {
            let d = NaiveDate::parse_from_str(value.unwrap_or_default(), "%Y-%m-%d")
                .map_err(|_| StoreError::Invalid("box date must be YYYY-MM-DD".into()))?;
            Some(fmt_date(d))
        }
        EntryField::Brief => {
            let v = required(field.as_str(), value.unwrap_or_default())?;
            if v.chars().count() > MAX_BRIEF {
                return Err(too_long(MAX_BRIEF));
            }
            Some(v)
        }
        EntryField::Category => {
            let v = required(field.as_str(), value.unwrap_or_default())?;
            let known = match categories {
                Some(list) => list.contains(&v),
                None => {
                    v.len() <= MAX_CATEGORY
                        && v.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                }
            };
            if !known {
                return Err(StoreError::Invalid(format!("unknown category {v:?}")));
            }
            Some(v)
        }
        EntryField::ApplicantName | EntryField::Address | EntryField::Phone => {
            if value.is_some_and(|v| v.chars().count() > MAX_LINE) {
                return Err(too_long(MAX_LINE));
            }
            value.map(str::to_string)
        }
    })
}

/// Status of an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Registered, nobody assigned yet.
    Registered,
    /// An official is assigned.
    Assigned,
    /// A reply was sent.
    Answered,
    /// Sent on to another body.
    Redirected,
    /// Closed.
    Closed,
}

impl EntryStatus {
    /// Every status in the order the screens and messages list them (the web's status
    /// choices and the CLI's error message are built from this, not restated).
    pub const ALL: [EntryStatus; 5] = [
        EntryStatus::Registered,
        EntryStatus::Assigned,
        EntryStatus::Answered,
        EntryStatus::Redirected,
        EntryStatus::Closed,
    ];

    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Registered => "registered",
            EntryStatus::Assigned => "assigned",
            EntryStatus::Answered => "answered",
            EntryStatus::Redirected => "redirected",
            EntryStatus::Closed => "closed",
        }
    }

    /// Parse the database spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "registered" => EntryStatus::Registered,
            "assigned" => EntryStatus::Assigned,
            "answered" => EntryStatus::Answered,
            "redirected" => EntryStatus::Redirected,
            "closed" => EntryStatus::Closed,
            _ => return Err(StoreError::Invalid(format!("unknown status {s:?}"))),
        })
    }

    /// True while the appeal still awaits consideration (deadline applies).
    pub fn is_open(self) -> bool {
        matches!(self, EntryStatus::Registered | EntryStatus::Assigned)
    }
}

/// A registration field that an amendment may correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryField {
    /// Applicant name (text).
    ApplicantName,
    /// Anonymous flag (`true`/`false`).
    Anonymous,
    /// Address (text).
    Address,
    /// Phone (text).
    Phone,
    /// Brief content (text, required).
    Brief,
    /// Category key (text, required).
    Category,
    /// Corruption flag (`true`/`false`).
    Corruption,
    /// Date taken from the box (`YYYY-MM-DD`).
    BoxDate,
}

impl EntryField {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryField::ApplicantName => "applicant_name",
            EntryField::Anonymous => "anonymous",
            EntryField::Address => "address",
            EntryField::Phone => "phone",
            EntryField::Brief => "brief",
            EntryField::Category => "category",
            EntryField::Corruption => "corruption",
            EntryField::BoxDate => "box_date",
        }
    }

    /// Parse the database spelling.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "applicant_name" => EntryField::ApplicantName,
            "anonymous" => EntryField::Anonymous,
            "address" => EntryField::Address,
            "phone" => EntryField::Phone,
            "brief" => EntryField::Brief,
            "category" => EntryField::Category,
            "corruption" => EntryField::Corruption,
            "box_date" => EntryField::BoxDate,
            _ => {
                return Err(StoreError::Invalid(format!(
                    "not an amendable field: {s:?}"
                )))
            }
        })
    }
}

/// Kinds of follow-up events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Official assigned.
    Assign,
    /// Measures taken.
    Measures,
    /// Outgoing reply number and date.
    Reply,
    /// Status change.
    Status,
    /// Deadline extended, with reason.
    Extend,
}

impl EventKind {
    /// Database spelling (also the `kind` of the web's follow-up form).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Assign => "assign",
            EventKind::Measures => "measures",
            EventKind::Reply => "reply",
            EventKind::Status => "status",
            EventKind::Extend => "extend",
        }
    }
    /// Parses the database spelling: the one parser of event kinds, for the register and
    /// the web's follow-up form alike.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "assign" => EventKind::Assign,
            "measures" => EventKind::Measures,
            "reply" => EventKind::Reply,
            "status" => EventKind::Status,
            "extend" => EventKind::Extend,
            _ => return Err(StoreError::Malformed(format!("event kind {s:?}"))),
        })
    }
}

/// A stored amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// Id (named in verify reports as `amendment N`).
    pub id: i64,
    /// Chain position.
    pub seq: i64,
    /// When.
    pub at: NaiveDateTime,
    /// Who.
    pub user: String,
    /// Which field.
    pub field: EntryField,
    /// Value before.
    pub old_value: Option<String>,
    /// Value after.
    pub new_value: Option<String>,
    /// Why.
    pub reason: String,
}

/// A stored follow-up event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryEvent {
    /// Id (named in verify reports as `event N`).
    pub id: i64,
    /// Chain position.
    pub seq: i64,
    /// When.
    pub at: NaiveDateTime,
    /// Who.
    pub user: String,
    /// What kind.
    pub kind: EventKind,
    /// Official assigned (assign).
    pub official: Option<String>,
    /// Measures taken (measures).
    pub measures: Option<String>,
    /// Outgoing reply number (reply).
    pub reply_no: Option<String>,
    /// Outgoing reply date (reply).
    pub reply_date: Option<NaiveDate>,
    /// New status, when the event changes it.
    pub status: Option<EntryStatus>,
    /// New deadline (extend).
    pub deadline: Option<NaiveDate>,
    /// Reason (extend, status).
    pub reason: Option<String>,
}

/// An entry as it reads now: registration fields with amendments applied and follow-up
/// columns from events. This is one row of the printed journal (`journal list --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    /// Serial, `2026-0001`.
    pub serial: Serial,
    /// When it was registered (approved).
    pub registered_at: NaiveDateTime,
    /// Date taken from the box (the opening date, unless amended).
    pub box_date: NaiveDate,
    /// Opening it came from.
    pub opening_id: OpeningId,
    /// Draft it was approved from.
    pub draft_id: DraftId,
    /// Pages of the letter.
    pub page_ids: Vec<PageId>,
    /// Applicant as printed: the name, or «Анонимдүү».
    pub applicant: String,
    /// The registration fields as they read now: the reviewer's, with amendments applied
    /// and `official` from the latest assignment. Flattened, so `journal list --json` keeps
    /// its keys (`applicant_name` … `official`) in their place and order.
    #[serde(flatten)]
    pub fields: ApprovedFields,
    /// Latest date registration was due (receipt + working days).
    pub registration_due: NaiveDate,
    /// Consideration deadline (after extensions).
    pub deadline: NaiveDate,
    /// True when the deadline was extended.
    pub deadline_extended: bool,
    /// Measures taken, in order.
    pub measures: Vec<String>,
    /// Outgoing reply number (latest).
    pub reply_no: Option<String>,
    /// Outgoing reply date (latest).
    pub reply_date: Option<NaiveDate>,
    /// Current status.
    pub status: EntryStatus,
    /// Who approved it.
    pub approved_by: String,
    /// Number of amendments.
    pub amendments: u32,
    /// Number of events.
    pub events: u32,
    /// Hash of the entry row (hex).
    pub hash: String,
}

/// Data for the printed act of receipt of one appeal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActOfReceipt {
    /// Serial.
    pub serial: Serial,
    /// Registration time.
    pub registered_at: NaiveDateTime,
    /// Date taken from the box.
    pub box_date: NaiveDate,
    /// Opening id.
    pub opening_id: OpeningId,
    /// Opening time (the act refers to the opening protocol).
    pub opened_at: NaiveDateTime,
    /// Pages (sheet sides) in the letter, blank backsides included.
    pub pages: u32,
    /// Pages with text.
    pub text_pages: u32,
    /// Applicant as printed (name or «Анонимдүү»).
    pub applicant: String,
    /// Address.
    pub address: Option<String>,
    /// Consideration deadline.
    pub deadline: NaiveDate,
    /// Who registered it.
    pub approved_by: String,
    /// Hash of the entry row (hex), to print on the act.
    pub hash: String,
}
impl Store {
    /// The entry as it reads now (amendments and events folded in).
    pub fn entry_current_view(&self, serial: Serial) -> Result<EntryView> {
        let c = self.conn()?;
        view_of(&c, serial)
    }

    /// The entry as it read when it was registered: the registration row alone, before any
    /// amendment or event (`amendments` and `events` are 0). The starting point of every
    /// column in the entry's history.
    pub fn entry_as_registered(&self, serial: Serial) -> Result<EntryView> {
        let c = self.conn()?;
        let row = c
            .query_row(
                &format!("{} WHERE year = ?1 AND number = ?2", entry_select()),
                params![serial.year, serial.number],
                entry_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("journal entry {serial}")))?;
        fold(row, &[], &[])
    }

    /// Amendments and events of an entry, in chain order.
    pub fn entry_history(&self, serial: Serial) -> Result<(Vec<Amendment>, Vec<EntryEvent>)> {
        let c = self.conn()?;
        let eid = entry_id_of(&c, serial)?;
        let mut a = Vec::new();
        {
            let mut st = c.prepare(&format!(
                "{} WHERE entry_id = ?1 ORDER BY seq",
                amend_select()
            ))?;
            for r in st.query_map([eid], amend_row)? {
                a.push(finish_amend(r?)?.1);
            }
        }
        let mut e = Vec::new();
        {
            let mut st = c.prepare(&format!(
                "{} WHERE entry_id = ?1 ORDER BY seq",
                event_select()
            ))?;
            for r in st.query_map([eid], event_row)? {
                e.push(finish_event(r?)?.1);
            }
        }
        Ok((a, e))
    }

    /// The journal as it reads now, ordered by serial; `year` limits it to one year's journal.
    pub fn journal_list(&self, year: Option<i32>) -> Result<Vec<EntryView>> {
        let c = self.conn()?;
        match year {
            Some(y) => load_views(&c, "year = ?1", &[&y]),
            None => load_views(&c, "1 = 1", &[]),
        }
    }

    /// Number of entries in the journal.
    pub fn journal_count(&self) -> Result<u64> {
        let c = self.conn()?;
        let n: i64 = c.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Open entries (registered or assigned) whose deadline falls within `days` days from
    /// `today` (inclusive, not yet overdue), earliest deadline first.
    pub fn due_soon(&self, today: NaiveDate, days: u32) -> Result<Vec<EntryView>> {
        let until = today
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .unwrap_or(today);
        let mut v: Vec<EntryView> = self
            .open_entries()?
            .into_iter()
            .filter(|e| e.deadline >= today && e.deadline <= until)
            .collect();
        v.sort_by_key(|e| (e.deadline, e.serial));
        Ok(v)
    }

    /// Open entries whose deadline is before `today`, earliest first.
    pub fn overdue(&self, today: NaiveDate) -> Result<Vec<EntryView>> {
        let mut v: Vec<EntryView> = self
            .open_entries()?
            .into_iter()
            .filter(|e| e.deadline < today)
            .collect();
        v.sort_by_key(|e| (e.deadline, e.serial));
        Ok(v)
    }

    fn open_entries(&self) -> Result<Vec<EntryView>> {
        let c = self.conn()?;
        // Entries whose latest status event (if any) leaves them open.
        let cond = "NOT EXISTS (SELECT 1 FROM events ev WHERE ev.entry_id = entries.id
            AND ev.status IN ('answered', 'redirected', 'closed')
            AND ev.seq = (SELECT MAX(seq) FROM events e2 WHERE e2.entry_id = entries.id
                          AND e2.status IS NOT NULL))";
        Ok(load_views(&c, cond, &[])?
            .into_iter()
            .filter(|e| e.status.is_open())
            .collect())
    }

    /// Data for the act of receipt of one appeal.
    pub fn act_of_receipt(&self, serial: Serial) -> Result<ActOfReceipt> {
        let c = self.conn()?;
        let v = view_of(&c, serial)?;
        let opened_at: String = c.query_row(
            "SELECT opened_at FROM openings WHERE id = ?1",
            [v.opening_id.0],
            |r| r.get(0),
        )?;
        let mut text_pages = 0u32;
        for p in &v.page_ids {
            let blank: bool = c
                .query_row("SELECT blank FROM pages WHERE id = ?1", [p.0], |r| r.get(0))
                .optional()?
                .unwrap_or(false);
            if !blank {
                text_pages += 1;
            }
        }
        Ok(ActOfReceipt {
            serial: v.serial,
            registered_at: v.registered_at,
            box_date: v.box_date,
            opening_id: v.opening_id,
            opened_at: parse_ts(&opened_at)?,
            pages: v.page_ids.len() as u32,
            text_pages,
            applicant: v.applicant,
            address: v.fields.address,
            deadline: v.deadline,
            approved_by: v.approved_by,
            hash: v.hash,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::drafts::{DraftScope, NewDraft};
    use crate::intake::page;
    use crate::openings::sample_opening;
    use crate::testutil::store;
    use serde_json::json;

    pub(crate) fn fields(name: &str) -> ApprovedFields {
        ApprovedFields {
            applicant_name: Some(name.to_string()),
            anonymous: false,
            address: Some("Ак-Суу айылы".into()),
            phone: Some("+996700123456".into()),
            brief: "Жер тилкеси боюнча".into(),
            category: "land".into(),
            corruption: false,
            official: None,
        }
    }

    #[test]
    fn every_status_and_event_kind_parses_back_from_its_spelling() {
        for st in EntryStatus::ALL {
            assert_eq!(EntryStatus::parse(st.as_str()).ok(), Some(st));
        }
        let spellings: Vec<&str> = EntryStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            spellings,
            ["registered", "assigned", "answered", "redirected", "closed"]
        );
        assert!(EntryStatus::parse("open").is_err());
        for k in ["assign", "measures", "reply", "status", "extend"] {
            assert_eq!(EventKind::parse(k).map(EventKind::as_str).ok(), Some(k));
        }
        assert!(EventKind::parse("Assign").is_err());
    }

    /// `n` pending drafts of one page each.
    pub(crate) fn drafts(s: &Store, n: u32) -> Vec<DraftId> {
        let o = s.new_opening(sample_opening()).unwrap();
        let f = s
            .add_file(
                o,
                "batch.pdf",
                format!("batch-{n}-{}", s.data_dir().display()).as_bytes(),
            )
            .unwrap()
            .id();
        let recs: Vec<_> = (1..=n).map(|i| page("batch", i, "текст")).collect();
        let pages = s.save_pages(f, &recs).unwrap();
        let nd: Vec<_> = pages
            .iter()
            .map(|p| NewDraft {
                page_ids: vec![*p],
                data: ishenim_draft::LetterDraft::from_stored(json!({"applicant": {"name": "Асанов", "anonymous": false}, "summary": "Суроо", "category": "roads"})),
            })
            .collect();
        s.save_drafts(DraftScope::File(f), &nd)
            .unwrap()
            .into_iter()
            .map(|o| o.id())
            .collect()
    }

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|x| x.and_hms_opt(9, 0, 0))
            .unwrap()
    }

    #[test]
    fn serial_display_parse() {
        let s = Serial {
            year: 2026,
            number: 42,
        };
        assert_eq!(s.to_string(), "2026-0042");
        assert_eq!("2026-0042".parse::<Serial>().unwrap(), s);
        assert_eq!("2026/42".parse::<Serial>().unwrap(), s);
        assert_eq!(
            Serial {
                year: 2026,
                number: 12345
            }
            .to_string(),
            "2026-12345"
        );
        for bad in ["", "2026", "2026-0", "x-1", "26-1", "2026-"] {
            assert!(bad.parse::<Serial>().is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"2026-0042\"");
    }

    #[test]
    fn amendments_are_checked_like_approvals() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        s.set_categories(vec!["land".into(), "roads".into(), "other".into()]);
        let long = "ж".repeat(MAX_BRIEF + 1);
        // Approval and amendment refuse the same values.
        let mut f = fields("A");
        f.brief = long.clone();
        assert!(matches!(
            s.approve_draft(d[0], "rev", &f),
            Err(StoreError::Invalid(_))
        ));
        let mut f = fields("A");
        f.category = "bribes_and_more".into();
        assert!(matches!(
            s.approve_draft(d[0], "rev", &f),
            Err(StoreError::Invalid(_))
        ));
        let serial = s.approve_draft(d[0], "rev", &fields("A")).unwrap();
        let refused = [
            (EntryField::Brief, long.as_str()),
            (EntryField::Brief, " "),
            (EntryField::Category, "bribes_and_more"),
            (EntryField::Category, "<b>x</b>"),
            (EntryField::Address, &"ж".repeat(MAX_LINE + 1)),
        ];
        for (field, v) in refused {
            let r = s.amend_entry(serial, "rev", field, Some(v), "typo");
            assert!(matches!(r, Err(StoreError::Invalid(_))), "{field:?} {r:?}");
        }
        let ok = "ж".repeat(MAX_BRIEF);
        s.amend_entry(serial, "rev", EntryField::Brief, Some(&ok), "typo")
            .unwrap();
        s.amend_entry(serial, "rev", EntryField::Category, Some(" roads "), "typo")
            .unwrap();
        let v = s.entry_current_view(serial).unwrap();
        assert_eq!(
            (v.fields.brief.chars().count(), v.fields.category.as_str()),
            (MAX_BRIEF, "roads")
        );
        // A category the council adds to its file is taken once the list says so.
        assert!(s
            .amend_entry(serial, "rev", EntryField::Category, Some("pastures"), "new")
            .is_err());
        s.set_categories(vec!["land".into(), "pastures".into(), "other".into()]);
        s.amend_entry(serial, "rev", EntryField::Category, Some("pastures"), "new")
            .unwrap();
        // Without a list a category must still look like a key.
        assert!(check_field(EntryField::Category, Some("water_2"), None).is_ok());
        assert!(check_field(EntryField::Category, Some("Water supply"), None).is_err());
    }

    #[test]
    fn approve_numbers_per_year_and_rejects_twice() {
        let (_d, s) = store();
        let d = drafts(&s, 4);
        assert_eq!(
            s.approve_draft_at(d[0], "rev", &fields("A"), at(2026, 12, 31))
                .unwrap()
                .to_string(),
            "2026-0001"
        );
        assert_eq!(
            s.approve_draft_at(d[1], "rev", &fields("B"), at(2026, 12, 31))
                .unwrap()
                .to_string(),
            "2026-0002"
        );
        // New year, new journal.
        assert_eq!(
            s.approve_draft_at(d[2], "rev", &fields("C"), at(2027, 1, 4))
                .unwrap()
                .to_string(),
            "2027-0001"
        );
        assert!(matches!(
            s.approve_draft(d[0], "rev", &fields("A")),
            Err(StoreError::Conflict(_))
        ));
        let mut bad = fields("");
        bad.applicant_name = None;
        assert!(matches!(
            s.approve_draft(d[3], "rev", &bad),
            Err(StoreError::Invalid(_))
        ));
        bad.anonymous = true;
        let serial = s
            .approve_draft_at(d[3], "rev", &bad, at(2027, 1, 5))
            .unwrap();
        assert_eq!(serial.to_string(), "2027-0002");
        let v = s.entry_current_view(serial).unwrap();
        assert_eq!(v.applicant, ANONYMOUS);
        assert_eq!(s.journal_list(Some(2026)).unwrap().len(), 2);
        assert_eq!(s.journal_count().unwrap(), 4);
        let r = s.verify().unwrap();
        assert!(r.ok, "{r:?}");
        assert_eq!(r.rows_checked, 4);
        assert_eq!(r.head.unwrap().label, "serial 2027-0002");
        assert_eq!(s.get_draft(d[3]).unwrap().serial, Some(serial));
    }

    #[test]
    fn amendments_and_events_fold_and_chain() {
        let (_d, s) = store();
        let d = drafts(&s, 1);
        let serial = s
            .approve_draft_at(d[0], "rev", &fields("Асанов"), at(2026, 3, 2))
            .unwrap();
        let v0 = s.entry_current_view(serial).unwrap();
        assert_eq!(v0.box_date, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        assert_eq!(
            v0.registration_due,
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
        );
        assert_eq!(v0.deadline, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        assert_eq!(v0.status, EntryStatus::Registered);
        s.amend_entry(
            serial,
            "rev",
            EntryField::ApplicantName,
            Some("Асанова Айгүл"),
            "OCR misread",
        )
        .unwrap();
        assert!(s
            .amend_entry(
                serial,
                "rev",
                EntryField::ApplicantName,
                Some("Асанова Айгүл"),
                "again"
            )
            .is_err());
        assert!(s
            .amend_entry(serial, "rev", EntryField::Brief, Some("x"), " ")
            .is_err());
        s.amend_entry(
            serial,
            "rev",
            EntryField::Corruption,
            Some("true"),
            "reviewer saw bribe",
        )
        .unwrap();
        s.assign_official(serial, "admin", "Токтогулов Н.").unwrap();
        s.record_measures(serial, "clerk", "Жер өлчөндү").unwrap();
        let new_deadline = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert!(s
            .extend_deadline(serial, "admin", v0.deadline, "x")
            .is_err());
        s.extend_deadline(serial, "admin", new_deadline, "needs site visit")
            .unwrap();
        s.record_reply(
            serial,
            "clerk",
            "01-12/45",
            NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(),
        )
        .unwrap();
        let v = s.entry_current_view(serial).unwrap();
        assert_eq!(v.applicant, "Асанова Айгүл");
        assert!(v.fields.corruption);
        assert_eq!(v.fields.official.as_deref(), Some("Токтогулов Н."));
        assert_eq!(v.measures, vec!["Жер өлчөндү".to_string()]);
        assert_eq!(v.deadline, new_deadline);
        assert!(v.deadline_extended);
        assert_eq!(v.reply_no.as_deref(), Some("01-12/45"));
        assert_eq!(v.status, EntryStatus::Answered);
        assert_eq!((v.amendments, v.events), (2, 4));
        let (a, e) = s.entry_history(serial).unwrap();
        assert_eq!(a[0].old_value.as_deref(), Some("Асанов"));
        assert_eq!(e.len(), 4);
        s.set_status(serial, "admin", EntryStatus::Closed, Some("done"))
            .unwrap();
        let r = s.verify().unwrap();
        assert!(r.ok, "{r:?}");
        assert_eq!(r.rows_checked, 8);
        let head = s.chain_head().unwrap().unwrap();
        assert_eq!(r.head.as_ref(), Some(&head));
        assert!(head.label.starts_with("event "));
        assert!(s.verify_against(&head.hash).unwrap().ok);
        assert!(!s.verify_against(&"0".repeat(64)).unwrap().ok);
        let act = s.act_of_receipt(serial).unwrap();
        assert_eq!(act.pages, 1);
        assert_eq!(act.applicant, "Асанова Айгүл");
        // The triggers refuse direct edits.
        let c = s.conn().unwrap();
        assert!(c.execute("UPDATE entries SET brief = 'x'", []).is_err());
        assert!(c.execute("DELETE FROM amendments", []).is_err());
        assert!(c.execute("DELETE FROM audit", []).is_err());
    }

    #[test]
    fn due_soon_and_overdue() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        let a = s
            .approve_draft_at(d[0], "rev", &fields("A"), at(2026, 3, 2))
            .unwrap(); // due 16 Mar
        let b = s
            .approve_draft_at(d[1], "rev", &fields("B"), at(2026, 3, 10))
            .unwrap(); // due 24 Mar
        let c = s
            .approve_draft_at(d[2], "rev", &fields("C"), at(2026, 3, 2))
            .unwrap();
        s.set_status(c, "rev", EntryStatus::Closed, None).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
        let over: Vec<_> = s
            .overdue(today)
            .unwrap()
            .into_iter()
            .map(|e| e.serial)
            .collect();
        assert_eq!(over, vec![a]);
        let soon: Vec<_> = s
            .due_soon(today, 7)
            .unwrap()
            .into_iter()
            .map(|e| e.serial)
            .collect();
        assert_eq!(soon, vec![b]);
        assert!(s.due_soon(today, 3).unwrap().is_empty());
        s.extend_deadline(
            a,
            "admin",
            NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            "reason",
        )
        .unwrap();
        assert!(s.overdue(today).unwrap().is_empty());
    }

    #[test]
    fn deadlines_at_approval_follow_the_settings() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        // Defaults: 14 calendar days from Mon 2 Mar 2026 = Mon 16 Mar.
        let a = s
            .approve_draft_at(d[0], "rev", &fields("A"), at(2026, 3, 2))
            .unwrap();
        assert_eq!(
            s.entry_current_view(a).unwrap().deadline,
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
        // The proposed 10 working days: from Fri 6 Mar 2026, skipping 8 Mar (Sunday)
        // and the admin's Orozo Ait on Fri 20 Mar → Mon 23 Mar.
        s.set_setting("consideration_days", "10", "admin").unwrap();
        s.set_setting("consideration_unit", "working", "admin")
            .unwrap();
        s.set_calendar_day(
            NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            crate::DayKind::Holiday,
            "Орозо айт",
            "admin",
        )
        .unwrap();
        let b = s
            .approve_draft_at(d[1], "rev", &fields("B"), at(2026, 3, 6))
            .unwrap();
        assert_eq!(
            s.entry_current_view(b).unwrap().deadline,
            NaiveDate::from_ymd_opt(2026, 3, 23).unwrap()
        );
        // Registration within 2 working days of the box opening (opening = approval day
        // here: Fri 6 Mar → Tue 10 Mar).
        s.set_setting("registration_working_days", "2", "admin")
            .unwrap();
        let c = s
            .approve_draft_at(d[2], "rev", &fields("C"), at(2026, 3, 6))
            .unwrap();
        let v = s.entry_current_view(c).unwrap();
        assert_eq!(
            v.registration_due,
            s.calendar().unwrap().add_working_days(v.box_date, 2)
        );
        // Existing deadlines are not touched by a settings change.
        assert_eq!(
            s.entry_current_view(a).unwrap().deadline,
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
        assert!(s.verify().unwrap().ok);
    }

    #[test]
    fn anonymous_register_only_is_closed_at_once_and_chained() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        let mut anon = fields("");
        anon.applicant_name = None;
        anon.anonymous = true;
        // Default: register and consider.
        let a = s
            .approve_draft_at(d[0], "rev", &anon, at(2026, 3, 2))
            .unwrap();
        assert_eq!(
            s.entry_current_view(a).unwrap().status,
            EntryStatus::Registered
        );
        s.set_setting("anonymous_policy", "register_only", "admin")
            .unwrap();
        let b = s
            .approve_draft_at(d[1], "rev", &anon, at(2026, 3, 2))
            .unwrap();
        let named = s
            .approve_draft_at(d[2], "rev", &fields("Асанов"), at(2026, 3, 2))
            .unwrap();
        assert_eq!(b.number, 2, "still gets a serial");
        let v = s.entry_current_view(b).unwrap();
        assert_eq!(v.status, EntryStatus::Closed);
        let (_, ev) = s.entry_history(b).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].kind, EventKind::Status);
        assert_eq!(ev[0].reason.as_deref(), Some(REGISTER_ONLY_REASON));
        assert_eq!(
            s.entry_current_view(named).unwrap().status,
            EntryStatus::Registered,
            "only anonymous appeals"
        );
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let over: Vec<_> = s.overdue(today).unwrap().iter().map(|e| e.serial).collect();
        assert_eq!(
            over,
            vec![a, named],
            "no deadline for a register-only appeal"
        );
        let r = s.verify().unwrap();
        assert!(r.ok, "{r:?}");
        assert_eq!(r.rows_checked, 4);
        assert!(s
            .list_audit(100)
            .unwrap()
            .iter()
            .any(|x| x.action == "status" && x.object.starts_with(&format!("entry {b}"))));
    }

    #[test]
    fn as_registered_ignores_later_amendments_and_events() {
        let (_d, s) = store();
        let d = drafts(&s, 1);
        let mut f = fields("Асанов");
        f.official = Some("Бекова".into());
        let a = s.approve_draft_at(d[0], "rev", &f, at(2026, 3, 2)).unwrap();
        s.assign_official(a, "admin", "Токтогулов").unwrap();
        s.extend_deadline(
            a,
            "admin",
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            "site visit",
        )
        .unwrap();
        s.amend_entry(a, "rev", EntryField::Phone, Some("0555 1"), "typo")
            .unwrap();
        let r = s.entry_as_registered(a).unwrap();
        assert_eq!(r.fields.official.as_deref(), Some("Бекова"));
        assert_eq!(r.status, EntryStatus::Assigned);
        assert_eq!(r.deadline, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        assert_eq!(r.fields.phone.as_deref(), Some("+996700123456"));
        assert_eq!((r.amendments, r.events), (0, 0));
        let now = s.entry_current_view(a).unwrap();
        assert_eq!(now.fields.official.as_deref(), Some("Токтогулов"));
        assert!(s
            .entry_as_registered(Serial {
                year: 2026,
                number: 9
            })
            .is_err());
    }

    #[test]
    fn batch_approve_skips_bad_items() {
        let (_d, s) = store();
        let d = drafts(&s, 3);
        let drafts_now: Vec<_> = d.iter().map(|id| s.get_draft(*id).unwrap()).collect();
        let mut items: Vec<_> = drafts_now
            .iter()
            .map(|x| (x.id, ApprovedFields::from_draft(x)))
            .collect();
        items[1].1.brief = String::new();
        let res = s.approve_drafts(&items, "rev").unwrap();
        assert!(res[0].is_ok() && res[1].is_err() && res[2].is_ok());
        assert_eq!(res[2].as_ref().unwrap().number, 2);
        assert!(s.verify().unwrap().ok);
    }
}
