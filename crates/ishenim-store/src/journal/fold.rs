//! Entry, amendment and event rows as stored, and the fold of amendments and events into
//! the entry as it reads now.

use super::*;
use crate::rows::{read, select, Stored};

/// An entry row as stored (the registration, before amendments and events).
pub(super) type EntryRow = Stored<EntryRecord>;

/// `SELECT` of every stored entry column; add `WHERE …`.
pub(super) fn entry_select() -> String {
    select::<EntryRecord>()
}

/// An entry row of [`entry_select`].
pub(super) fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    read(r)
}

/// `SELECT` of every stored amendment column; add `WHERE …`.
pub(crate) fn amend_select() -> String {
    select::<AmendmentRecord>()
}

/// An amendment row of [`amend_select`].
pub(crate) fn amend_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored<AmendmentRecord>> {
    read(r)
}

/// The amendment as the API shows it, with the id of its entry.
pub(crate) fn finish_amend(row: Stored<AmendmentRecord>) -> Result<(i64, Amendment)> {
    let a = row.record;
    Ok((
        a.entry_id,
        Amendment {
            id: row.id,
            seq: row.seq,
            at: parse_ts(&a.at)?,
            user: a.user,
            field: EntryField::parse(&a.field)
                .map_err(|_| StoreError::Malformed(format!("amendment field {:?}", a.field)))?,
            old_value: a.old_value,
            new_value: a.new_value,
            reason: a.reason,
        },
    ))
}

/// `SELECT` of every stored event column; add `WHERE …`.
pub(crate) fn event_select() -> String {
    select::<EventRecord>()
}

/// An event row of [`event_select`].
pub(crate) fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored<EventRecord>> {
    read(r)
}

/// The event as the API shows it, with the id of its entry.
pub(crate) fn finish_event(row: Stored<EventRecord>) -> Result<(i64, EntryEvent)> {
    let e = row.record;
    Ok((
        e.entry_id,
        EntryEvent {
            id: row.id,
            seq: row.seq,
            at: parse_ts(&e.at)?,
            user: e.user,
            kind: EventKind::parse(&e.kind)?,
            official: e.official,
            measures: e.measures,
            reply_no: e.reply_no,
            reply_date: e.reply_date.as_deref().map(parse_date).transpose()?,
            status: e
                .status
                .as_deref()
                .map(|s| {
                    EntryStatus::parse(s)
                        .map_err(|_| StoreError::Malformed(format!("status {s:?}")))
                })
                .transpose()?,
            deadline: e.deadline.as_deref().map(parse_date).transpose()?,
            reason: e.reason,
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

pub(super) fn fold(
    row: EntryRow,
    amends: &[Amendment],
    events: &[EntryEvent],
) -> Result<EntryView> {
    let e = row.record;
    let page_ids: Vec<PageId> = serde_json::from_str(&e.page_ids)?;
    let number = u32::try_from(e.number)
        .map_err(|_| StoreError::Malformed(format!("entry number {}", e.number)))?;
    let mut v = EntryView {
        serial: Serial {
            year: e.year,
            number,
        },
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
        hash: hex::encode(&row.hash),
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
            "{} WHERE {cond} ORDER BY year, number",
            entry_select()
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
        let mut st = c.prepare(&format!("{} WHERE {sub} ORDER BY seq", amend_select()))?;
        let it = st.query_map(p, amend_row)?;
        for r in it {
            let (eid, a) = finish_amend(r?)?;
            amends.entry(eid).or_default().push(a);
        }
    }
    let mut events: HashMap<i64, Vec<EntryEvent>> = HashMap::new();
    {
        let mut st = c.prepare(&format!("{} WHERE {sub} ORDER BY seq", event_select()))?;
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
