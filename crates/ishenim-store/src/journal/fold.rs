//! Entry, amendment and event rows as stored, and the fold of amendments and events into
//! the entry as it reads now.

use super::*;

pub(super) struct EntryRow {
    pub(super) id: i64,
    pub(super) serial: Serial,
    pub(super) registered_at: String,
    pub(super) box_date: String,
    pub(super) opening_id: i64,
    pub(super) draft_id: i64,
    pub(super) page_ids: String,
    /// The registration fields as written at approval (before amendments).
    pub(super) fields: ApprovedFields,
    pub(super) registration_due: String,
    pub(super) deadline: String,
    pub(super) approved_by: String,
    pub(super) hash: Vec<u8>,
}

pub(super) const ENTRY_SELECT: &str =
    "SELECT id, year, number, registered_at, box_date, opening_id,
    draft_id, page_ids, applicant_name, anonymous, address, phone, brief, category, corruption,
    official, registration_due, deadline, approved_by, hash FROM entries";

/// An entry row of [`ENTRY_SELECT`], read by column name (the list is not restated by
/// position).
pub(super) fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
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
        fields: ApprovedFields {
            applicant_name: r.get("applicant_name")?,
            anonymous: r.get("anonymous")?,
            address: r.get("address")?,
            phone: r.get("phone")?,
            brief: r.get("brief")?,
            category: r.get("category")?,
            corruption: r.get("corruption")?,
            official: r.get("official")?,
        },
        registration_due: r.get("registration_due")?,
        deadline: r.get("deadline")?,
        approved_by: r.get("approved_by")?,
        hash: r.get("hash")?,
    })
}

pub(super) const AMEND_SELECT: &str =
    "SELECT entry_id, id, seq, at, user, field, old_value, new_value, reason FROM amendments";

pub(super) type RawAmend = (
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

pub(super) fn amend_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAmend> {
    r.try_into()
}

pub(super) fn finish_amend(t: RawAmend) -> Result<(i64, Amendment)> {
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

pub(super) const EVENT_SELECT: &str =
    "SELECT entry_id, id, seq, at, user, kind, official, measures,
    reply_no, reply_date, status, deadline, reason FROM events";

pub(super) type RawEvent = (
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

pub(super) fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    r.try_into()
}

pub(super) fn finish_event(t: RawEvent) -> Result<(i64, EntryEvent)> {
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

pub(super) fn parse_bool(s: Option<&str>) -> Result<bool> {
    match s.map(str::trim) {
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        other => Err(StoreError::Invalid(format!(
            "expected true or false, got {other:?}"
        ))),
    }
}

pub(super) fn fold(e: EntryRow, amends: &[Amendment], events: &[EntryEvent]) -> Result<EntryView> {
    let page_ids: Vec<PageId> = serde_json::from_str(&e.page_ids)?;
    let mut v = EntryView {
        serial: e.serial,
        registered_at: parse_ts(&e.registered_at)?,
        box_date: parse_date(&e.box_date)?,
        opening_id: OpeningId(e.opening_id),
        draft_id: DraftId(e.draft_id),
        page_ids,
        applicant: String::new(),
        status: if e.fields.official.is_some() {
            EntryStatus::Assigned
        } else {
            EntryStatus::Registered
        },
        fields: e.fields,
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
            EntryField::ApplicantName => v.fields.applicant_name = nv,
            EntryField::Anonymous => v.fields.anonymous = parse_bool(nv.as_deref())?,
            EntryField::Address => v.fields.address = nv,
            EntryField::Phone => v.fields.phone = nv,
            EntryField::Brief => v.fields.brief = nv.unwrap_or_default(),
            EntryField::Category => v.fields.category = nv.unwrap_or_default(),
            EntryField::Corruption => v.fields.corruption = parse_bool(nv.as_deref())?,
            EntryField::BoxDate => {
                v.box_date = parse_date(nv.as_deref().unwrap_or_default())?;
            }
        }
    }
    for ev in events {
        match ev.kind {
            EventKind::Assign => v.fields.official = ev.official.clone(),
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
    v.applicant = if v.fields.anonymous {
        ANONYMOUS.to_string()
    } else {
        v.fields.applicant_name.clone().unwrap_or_default()
    };
    Ok(v)
}

/// Current value of an amendable field as text (for the amendment's "old" column).
pub(super) fn field_text(v: &EntryView, f: EntryField) -> Option<String> {
    match f {
        EntryField::ApplicantName => v.fields.applicant_name.clone(),
        EntryField::Anonymous => Some(v.fields.anonymous.to_string()),
        EntryField::Address => v.fields.address.clone(),
        EntryField::Phone => v.fields.phone.clone(),
        EntryField::Brief => Some(v.fields.brief.clone()),
        EntryField::Category => Some(v.fields.category.clone()),
        EntryField::Corruption => Some(v.fields.corruption.to_string()),
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

pub(super) fn view_of(c: &Connection, s: Serial) -> Result<EntryView> {
    load_views(c, "year = ?1 AND number = ?2", &[&s.year, &s.number])?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("journal entry {s}")))
}
