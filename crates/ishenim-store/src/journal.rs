//! The numbered journal: approval (serial allocation), amendments, follow-up events, the
//! folded current view, deadlines lists and the act of receipt.

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

/// A journal serial: one journal per calendar year, numbers from 1, gap-free.
/// Displayed and serialised as `2026-0001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial {
    /// Registration year.
    pub year: i32,
    /// Number within the year, from 1.
    pub number: u32,
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", self.year, self.number)
    }
}

impl FromStr for Serial {
    type Err = StoreError;
    /// Parses `2026-0001` (also `2026-1`, `2026/1`, `2026-00001`).
    fn from_str(s: &str) -> Result<Self> {
        let bad = || StoreError::Invalid(format!("not a serial (expected like 2026-0001): {s:?}"));
        let t = s.trim();
        let (y, n) = t.split_once(['-', '/']).ok_or_else(bad)?;
        let year: i32 = y.trim().parse().map_err(|_| bad())?;
        let number: u32 = n.trim().parse().map_err(|_| bad())?;
        if !(1000..=9999).contains(&year) || number == 0 {
            return Err(bad());
        }
        Ok(Serial { year, number })
    }
}

impl Serialize for Serial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Serial {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

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
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Assign => "assign",
            EventKind::Measures => "measures",
            EventKind::Reply => "reply",
            EventKind::Status => "status",
            EventKind::Extend => "extend",
        }
    }
    fn parse(s: &str) -> Result<Self> {
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
    /// Name as written (None when anonymous).
    pub applicant_name: Option<String>,
    /// Anonymous appeal.
    pub anonymous: bool,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Brief content.
    pub brief: String,
    /// Category key.
    pub category: String,
    /// Corruption flag.
    pub corruption: bool,
    /// Official assigned (latest).
    pub official: Option<String>,
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

struct EntryRow {
    id: i64,
    serial: Serial,
    registered_at: String,
    box_date: String,
    opening_id: i64,
    draft_id: i64,
    page_ids: String,
    applicant_name: Option<String>,
    anonymous: bool,
    address: Option<String>,
    phone: Option<String>,
    brief: String,
    category: String,
    corruption: bool,
    official: Option<String>,
    registration_due: String,
    deadline: String,
    approved_by: String,
    hash: Vec<u8>,
}

const ENTRY_SELECT: &str = "SELECT id, year, number, registered_at, box_date, opening_id,
    draft_id, page_ids, applicant_name, anonymous, address, phone, brief, category, corruption,
    official, registration_due, deadline, approved_by, hash FROM entries";

/// An entry row of [`ENTRY_SELECT`], read by column name (the list is not restated by
/// position).
fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        id: r.get("id")?,
        serial: Serial {
            year: r.get("year")?,
            number: r.get("number")?,
        },
        registered_at: r.get("registered_at")?,
        box_date: r.get("box_date")?,
        opening_id: r.get("opening_id")?,
        draft_id: r.get("draft_id")?,
        page_ids: r.get("page_ids")?,
        applicant_name: r.get("applicant_name")?,
        anonymous: r.get("anonymous")?,
        address: r.get("address")?,
        phone: r.get("phone")?,
        brief: r.get("brief")?,
        category: r.get("category")?,
        corruption: r.get("corruption")?,
        official: r.get("official")?,
        registration_due: r.get("registration_due")?,
        deadline: r.get("deadline")?,
        approved_by: r.get("approved_by")?,
        hash: r.get("hash")?,
    })
}

const AMEND_SELECT: &str =
    "SELECT entry_id, id, seq, at, user, field, old_value, new_value, reason FROM amendments";

type RawAmend = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn amend_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAmend> {
    r.try_into()
}

fn finish_amend(t: RawAmend) -> Result<(i64, Amendment)> {
    Ok((
        t.0,
        Amendment {
            id: t.1,
            seq: t.2,
            at: parse_ts(&t.3)?,
            user: t.4,
            field: EntryField::parse(&t.5)
                .map_err(|_| StoreError::Malformed(format!("amendment field {:?}", t.5)))?,
            old_value: t.6,
            new_value: t.7,
            reason: t.8,
        },
    ))
}

const EVENT_SELECT: &str = "SELECT entry_id, id, seq, at, user, kind, official, measures,
    reply_no, reply_date, status, deadline, reason FROM events";

type RawEvent = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    r.try_into()
}

fn finish_event(t: RawEvent) -> Result<(i64, EntryEvent)> {
    Ok((
        t.0,
        EntryEvent {
            id: t.1,
            seq: t.2,
            at: parse_ts(&t.3)?,
            user: t.4,
            kind: EventKind::parse(&t.5)?,
            official: t.6,
            measures: t.7,
            reply_no: t.8,
            reply_date: t.9.as_deref().map(parse_date).transpose()?,
            status: t
                .10
                .as_deref()
                .map(|s| {
                    EntryStatus::parse(s)
                        .map_err(|_| StoreError::Malformed(format!("status {s:?}")))
                })
                .transpose()?,
            deadline: t.11.as_deref().map(parse_date).transpose()?,
            reason: t.12,
        },
    ))
}

fn parse_bool(s: Option<&str>) -> Result<bool> {
    match s.map(str::trim) {
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        other => Err(StoreError::Invalid(format!(
            "expected true or false, got {other:?}"
        ))),
    }
}

fn fold(e: EntryRow, amends: &[Amendment], events: &[EntryEvent]) -> Result<EntryView> {
    let page_ids: Vec<PageId> = serde_json::from_str(&e.page_ids)?;
    let mut v = EntryView {
        serial: e.serial,
        registered_at: parse_ts(&e.registered_at)?,
        box_date: parse_date(&e.box_date)?,
        opening_id: OpeningId(e.opening_id),
        draft_id: DraftId(e.draft_id),
        page_ids,
        applicant: String::new(),
        applicant_name: e.applicant_name,
        anonymous: e.anonymous,
        address: e.address,
        phone: e.phone,
        brief: e.brief,
        category: e.category,
        corruption: e.corruption,
        status: if e.official.is_some() {
            EntryStatus::Assigned
        } else {
            EntryStatus::Registered
        },
        official: e.official,
        registration_due: parse_date(&e.registration_due)?,
        deadline: parse_date(&e.deadline)?,
        deadline_extended: false,
        measures: Vec::new(),
        reply_no: None,
        reply_date: None,
        approved_by: e.approved_by,
        amendments: amends.len() as u32,
        events: events.len() as u32,
        hash: hex::encode(&e.hash),
    };
    for a in amends {
        let nv = a.new_value.clone();
        match a.field {
            EntryField::ApplicantName => v.applicant_name = nv,
            EntryField::Anonymous => v.anonymous = parse_bool(nv.as_deref())?,
            EntryField::Address => v.address = nv,
            EntryField::Phone => v.phone = nv,
            EntryField::Brief => v.brief = nv.unwrap_or_default(),
            EntryField::Category => v.category = nv.unwrap_or_default(),
            EntryField::Corruption => v.corruption = parse_bool(nv.as_deref())?,
            EntryField::BoxDate => {
                v.box_date = parse_date(nv.as_deref().unwrap_or_default())?;
            }
        }
    }
    for ev in events {
        match ev.kind {
            EventKind::Assign => v.official = ev.official.clone(),
            EventKind::Measures => v.measures.extend(ev.measures.clone()),
            EventKind::Reply => {
                v.reply_no = ev.reply_no.clone();
                v.reply_date = ev.reply_date;
            }
            EventKind::Extend => {
                if let Some(d) = ev.deadline {
                    v.deadline = d;
                    v.deadline_extended = true;
                }
            }
            EventKind::Status => {}
        }
        if let Some(s) = ev.status {
            v.status = s;
        }
    }
    v.applicant = if v.anonymous {
        ANONYMOUS.to_string()
    } else {
        v.applicant_name.clone().unwrap_or_default()
    };
    Ok(v)
}

/// Current value of an amendable field as text (for the amendment's "old" column).
fn field_text(v: &EntryView, f: EntryField) -> Option<String> {
    match f {
        EntryField::ApplicantName => v.applicant_name.clone(),
        EntryField::Anonymous => Some(v.anonymous.to_string()),
        EntryField::Address => v.address.clone(),
        EntryField::Phone => v.phone.clone(),
        EntryField::Brief => Some(v.brief.clone()),
        EntryField::Category => Some(v.category.clone()),
        EntryField::Corruption => Some(v.corruption.to_string()),
        EntryField::BoxDate => Some(fmt_date(v.box_date)),
    }
}

/// Load views for entries matching `cond` (SQL over `entries`), ordered by serial.
pub(crate) fn load_views(
    c: &Connection,
    cond: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<EntryView>> {
    let rows: Vec<EntryRow> = {
        let mut st = c.prepare(&format!(
            "{ENTRY_SELECT} WHERE {cond} ORDER BY year, number"
        ))?;
        let it = st.query_map(p, entry_row)?;
        it.collect::<rusqlite::Result<_>>()?
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sub = format!("entry_id IN (SELECT id FROM entries WHERE {cond})");
    let mut amends: HashMap<i64, Vec<Amendment>> = HashMap::new();
    {
        let mut st = c.prepare(&format!("{AMEND_SELECT} WHERE {sub} ORDER BY seq"))?;
        let it = st.query_map(p, amend_row)?;
        for r in it {
            let (eid, a) = finish_amend(r?)?;
            amends.entry(eid).or_default().push(a);
        }
    }
    let mut events: HashMap<i64, Vec<EntryEvent>> = HashMap::new();
    {
        let mut st = c.prepare(&format!("{EVENT_SELECT} WHERE {sub} ORDER BY seq"))?;
        let it = st.query_map(p, event_row)?;
        for r in it {
            let (eid, e) = finish_event(r?)?;
            events.entry(eid).or_default().push(e);
        }
    }
    let empty_a = Vec::new();
    let empty_e = Vec::new();
    rows.into_iter()
        .map(|e| {
            let id = e.id;
            fold(
                e,
                amends.get(&id).unwrap_or(&empty_a),
                events.get(&id).unwrap_or(&empty_e),
            )
        })
        .collect()
}

pub(crate) fn entry_id_of(c: &Connection, s: Serial) -> Result<i64> {
    c.query_row(
        "SELECT id FROM entries WHERE year = ?1 AND number = ?2",
        params![s.year, s.number],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("journal entry {s}")))
}

fn view_of(c: &Connection, s: Serial) -> Result<EntryView> {
    load_views(c, "year = ?1 AND number = ?2", &[&s.year, &s.number])?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("journal entry {s}")))
}

/// What approval reads once per transaction: the calendar and the register settings.
struct Ctx {
    cal: Calendar,
    settings: DeadlineSettings,
    anonymous: AnonymousPolicy,
    categories: Option<Arc<Vec<String>>>,
}

impl Ctx {
    fn load(c: &Connection, store: &Store) -> Result<Ctx> {
        Ok(Ctx {
            cal: load_calendar(c)?,
            settings: load_settings(c)?,
            anonymous: load_anonymous_policy(c)?,
            categories: store.categories(),
        })
    }
}

fn approve_in_tx(
    tx: &Transaction<'_>,
    ctx: &Ctx,
    id: DraftId,
    user: &str,
    f: &ApprovedFields,
    at: NaiveDateTime,
    receipt: Option<&ReceiptLink>,
) -> Result<Serial> {
    // Checks first: nothing is written unless all pass.
    let f = f.validated(ctx.categories.as_deref().map(Vec::as_slice))?;
    let row: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT d.opening_id, d.status, o.opened_at FROM drafts d
             JOIN openings o ON o.id = d.opening_id WHERE d.id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (opening, status, opened_at) =
        row.ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
    let status = DraftStatus::parse(&status)?;
    if status != DraftStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "draft {id} is {}, not pending",
            status.as_str()
        )));
    }
    let pages = draft_pages(tx, id)?;
    if pages.is_empty() {
        return Err(StoreError::Conflict(format!("draft {id} has no pages")));
    }
    let box_date = parse_ts(&opened_at)?.date();
    let year = at.year();
    let number: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM entries WHERE year = ?1")?
        .query_row([year], |r| r.get(0))?;
    let serial = Serial {
        year,
        number: u32::try_from(number)
            .map_err(|_| StoreError::Malformed("serial overflow".into()))?,
    };
    let registration_due = ctx.cal.registration_due(box_date, &ctx.settings);
    let deadline = ctx.cal.consideration_due(at.date(), &ctx.settings);
    let entry = EntryRecord {
        year,
        number,
        registered_at: fmt_ts(at),
        box_date: fmt_date(box_date),
        opening_id: opening,
        draft_id: id.0,
        page_ids: serde_json::to_string(&pages)?,
        applicant_name: f.applicant_name.clone(),
        anonymous: f.anonymous,
        address: f.address.clone(),
        phone: f.phone.clone(),
        brief: f.brief.clone(),
        category: f.category.clone(),
        corruption: f.corruption,
        official: f.official.clone(),
        registration_due: fmt_date(registration_due),
        deadline: fmt_date(deadline),
        approved_by: user.to_string(),
    };
    let (entry_id, _) = append(tx, &entry)?;
    if let Some(r) = receipt {
        crate::receipts::link_in_tx(tx, entry_id, &r.hash, &r.prefix, user, at)?;
    }
    if f.anonymous && ctx.anonymous == AnonymousPolicy::RegisterOnly {
        // Registered, not considered: closed at once, in the chain, naming the setting.
        let closed = EventRecord {
            entry_id,
            at: fmt_ts(at),
            user: user.to_string(),
            kind: EventKind::Status.as_str().to_string(),
            official: None,
            measures: None,
            reply_no: None,
            reply_date: None,
            status: Some(EntryStatus::Closed.as_str().to_string()),
            deadline: None,
            reason: Some(REGISTER_ONLY_REASON.to_string()),
        };
        let (ev, _) = append(tx, &closed)?;
        audit_tx(tx, user, "status", &format!("entry {serial} event {ev}"))?;
    }
    tx.prepare_cached(
        "UPDATE drafts SET status = 'approved', decided_by = ?2, decided_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id.0, user, fmt_ts(at)])?;
    audit_tx(tx, user, "approve", &format!("entry {serial} (draft {id})"))?;
    Ok(serial)
}

/// A follow-up event to append.
struct EventSpec {
    kind: EventKind,
    official: Option<String>,
    measures: Option<String>,
    reply_no: Option<String>,
    reply_date: Option<NaiveDate>,
    status: Option<EntryStatus>,
    deadline: Option<NaiveDate>,
    reason: Option<String>,
}

impl EventSpec {
    fn new(kind: EventKind) -> Self {
        EventSpec {
            kind,
            official: None,
            measures: None,
            reply_no: None,
            reply_date: None,
            status: None,
            deadline: None,
            reason: None,
        }
    }
}

impl Store {
    /// Approve a pending draft: allocate the next serial of the current year and insert the
    /// journal entry, in one `BEGIN IMMEDIATE` transaction (also marks the draft approved
    /// and writes the audit record). Safe from many threads and processes at once.
    ///
    /// Errors: [`StoreError::Conflict`] if the draft is not pending (e.g. approved by
    /// someone else a moment ago), [`StoreError::Invalid`] for missing name/brief/category.
    pub fn approve_draft(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
    ) -> Result<Serial> {
        self.approve_draft_at(id, user, fields, now())
    }

    /// [`Store::approve_draft`] with an explicit registration time (tests, imports of a
    /// paper journal). The serial's year is `at`'s year.
    pub fn approve_draft_at(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        at: NaiveDateTime,
    ) -> Result<Serial> {
        self.approve_coded_at(id, user, fields, at, None)
    }

    /// [`Store::approve_draft`] that also links the receipt code the reviewer confirmed,
    /// in the same transaction (a crash leaves both or neither). A code never issued here
    /// or already linked to another entry is linked all the same: the caller warns (see
    /// [`Store::receipt_check`]).
    pub fn approve_draft_with_receipt(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        receipt: Option<&ReceiptLink>,
    ) -> Result<Serial> {
        self.approve_coded_at(id, user, fields, now(), receipt)
    }

    fn approve_coded_at(
        &self,
        id: DraftId,
        user: &str,
        fields: &ApprovedFields,
        at: NaiveDateTime,
        receipt: Option<&ReceiptLink>,
    ) -> Result<Serial> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ctx = Ctx::load(&tx, self)?;
        let s = approve_in_tx(&tx, &ctx, id, user.as_str(), fields, at, receipt)?;
        tx.commit()?;
        Ok(s)
    }

    /// Approve many drafts in one transaction (fast path for `drafts approve --all`).
    /// Returns one result per item, in order; an item that fails its checks (not pending,
    /// missing brief, ...) is skipped without consuming a serial. A database error aborts
    /// the whole batch (nothing registered) and is returned as the outer error.
    pub fn approve_drafts(
        &self,
        items: &[(DraftId, ApprovedFields)],
        user: &str,
    ) -> Result<Vec<Result<Serial>>> {
        let user = required("user", user)?;
        let at = now();
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ctx = Ctx::load(&tx, self)?;
        let mut out = Vec::with_capacity(items.len());
        for (id, f) in items {
            match approve_in_tx(&tx, &ctx, *id, &user, f, at, None) {
                Ok(s) => out.push(Ok(s)),
                Err(
                    e
                    @ (StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::NotFound(_)),
                ) => out.push(Err(e)),
                Err(e) => return Err(e),
            }
        }
        tx.commit()?;
        Ok(out)
    }

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
                &format!("{ENTRY_SELECT} WHERE year = ?1 AND number = ?2"),
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
            let mut st = c.prepare(&format!("{AMEND_SELECT} WHERE entry_id = ?1 ORDER BY seq"))?;
            for r in st.query_map([eid], amend_row)? {
                a.push(finish_amend(r?)?.1);
            }
        }
        let mut e = Vec::new();
        {
            let mut st = c.prepare(&format!("{EVENT_SELECT} WHERE entry_id = ?1 ORDER BY seq"))?;
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

    /// Correct a registration field: appends an amendment (who, when, why, old → new).
    /// `new_value` is text; booleans are `true`/`false`, the box date `YYYY-MM-DD`.
    /// Returns the amendment id.
    pub fn amend_entry(
        &self,
        serial: Serial,
        user: &str,
        field: EntryField,
        new_value: Option<&str>,
        reason: &str,
    ) -> Result<i64> {
        let user = required("user", user)?;
        let reason = required("amendment reason", reason)?;
        // The same checks as approval.
        let categories = self.categories();
        let new_value = check_field(field, new_value, categories.as_deref().map(Vec::as_slice))?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid = entry_id_of(&tx, serial)?;
        let view = view_of(&tx, serial)?;
        let old = field_text(&view, field);
        if old == new_value {
            return Err(StoreError::Invalid(format!(
                "{} already has this value",
                field.as_str()
            )));
        }
        let amendment = AmendmentRecord {
            entry_id: eid,
            at: fmt_ts(now()),
            user: user.clone(),
            field: field.as_str().to_string(),
            old_value: old,
            new_value,
            reason,
        };
        let (id, _) = append(&tx, &amendment)?;
        audit_tx(
            &tx,
            &user,
            "amend",
            &format!("entry {serial} amendment {id}"),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn add_event(&self, serial: Serial, user: &str, spec: EventSpec) -> Result<i64> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let eid = entry_id_of(&tx, serial)?;
        let view = view_of(&tx, serial)?;
        let mut spec = spec;
        match spec.kind {
            EventKind::Assign => {
                if view.status == EntryStatus::Registered {
                    spec.status = Some(EntryStatus::Assigned);
                }
            }
            EventKind::Extend => {
                let d = spec
                    .deadline
                    .ok_or_else(|| StoreError::Invalid("new deadline missing".into()))?;
                if d <= view.deadline {
                    return Err(StoreError::Invalid(format!(
                        "the new deadline must be after the current one ({})",
                        view.deadline
                    )));
                }
            }
            EventKind::Status => {
                if spec.status == Some(view.status) {
                    return Err(StoreError::Invalid(
                        "the entry already has this status".into(),
                    ));
                }
            }
            EventKind::Measures | EventKind::Reply => {}
        }
        let event = EventRecord {
            entry_id: eid,
            at: fmt_ts(now()),
            user: user.clone(),
            kind: spec.kind.as_str().to_string(),
            official: spec.official,
            measures: spec.measures,
            reply_no: spec.reply_no,
            reply_date: spec.reply_date.map(fmt_date),
            status: spec.status.map(|s| s.as_str().to_string()),
            deadline: spec.deadline.map(fmt_date),
            reason: spec.reason,
        };
        let (id, _) = append(&tx, &event)?;
        audit_tx(
            &tx,
            &user,
            spec.kind.as_str(),
            &format!("entry {serial} event {id}"),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Assign (or reassign) the official responsible; a `registered` entry becomes
    /// `assigned`. Returns the event id.
    pub fn assign_official(&self, serial: Serial, user: &str, official: &str) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Assign);
        s.official = Some(required("official", official)?);
        self.add_event(serial, user, s)
    }

    /// Record measures taken (appended to the "measures taken" column).
    pub fn record_measures(&self, serial: Serial, user: &str, measures: &str) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Measures);
        s.measures = Some(required("measures", measures)?);
        self.add_event(serial, user, s)
    }

    /// Record the outgoing reply number and date; the entry becomes `answered`.
    pub fn record_reply(
        &self,
        serial: Serial,
        user: &str,
        reply_no: &str,
        reply_date: NaiveDate,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Reply);
        s.reply_no = Some(required("reply number", reply_no)?);
        s.reply_date = Some(reply_date);
        s.status = Some(EntryStatus::Answered);
        self.add_event(serial, user, s)
    }

    /// Change the status (e.g. `redirected`, `closed`), with an optional reason.
    pub fn set_status(
        &self,
        serial: Serial,
        user: &str,
        status: EntryStatus,
        reason: Option<&str>,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Status);
        s.status = Some(status);
        s.reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        self.add_event(serial, user, s)
    }

    /// Extend the consideration deadline to `new_deadline` (must be later), with a reason.
    pub fn extend_deadline(
        &self,
        serial: Serial,
        user: &str,
        new_deadline: NaiveDate,
        reason: &str,
    ) -> Result<i64> {
        let mut s = EventSpec::new(EventKind::Extend);
        s.deadline = Some(new_deadline);
        s.reason = Some(required("extension reason", reason)?);
        self.add_event(serial, user, s)
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
            address: v.address,
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
            (v.brief.chars().count(), v.category.as_str()),
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
        assert!(v.corruption);
        assert_eq!(v.official.as_deref(), Some("Токтогулов Н."));
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
        assert_eq!(r.official.as_deref(), Some("Бекова"));
        assert_eq!(r.status, EntryStatus::Assigned);
        assert_eq!(r.deadline, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        assert_eq!(r.phone.as_deref(), Some("+996700123456"));
        assert_eq!((r.amendments, r.events), (0, 0));
        let now = s.entry_current_view(a).unwrap();
        assert_eq!(now.official.as_deref(), Some("Токтогулов"));
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
