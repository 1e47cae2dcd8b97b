//! Corrections and follow-up of journal entries: `ishenim journal amend|assign|measures|
//! reply|status|extend|history|due|overdue`.
//!
//! Every change goes through the store, which appends an amendment or event row to the hash
//! chain and writes the audit record in the same transaction; nothing here edits a row.
//! Human output writes dates as `dd.mm.yyyy`; `--json` output keeps ISO dates.

use anyhow::Context;
use chrono::{Days, NaiveDate};
use ishenim_store::{
    Amendment, DeadlineUnit, EntryEvent, EntryField, EntryStatus, EntryView, EventKind, Serial,
    Store,
};
use serde_json::{json, Value};
use std::io::Write;

/// Human date format used in printouts (`21.03.2026`).
pub const HUMAN_DATE: &str = "%d.%m.%Y";

pub use ishenim_export::human;

/// Parses a date written `YYYY-MM-DD` or `dd.mm.yyyy` (clap value parser).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let trimmed = s.trim();
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(trimmed, HUMAN_DATE))
        .map_err(|_| format!("expected a date like 2026-03-21 or 21.03.2026, got {s:?}"))
}

/// Parses an amendable field name: `applicant_name`, `anonymous`, `address`, `phone`,
/// `brief`, `category`, `corruption`, `box_date` (dashes allowed for underscores).
pub fn parse_field(s: &str) -> Result<EntryField, String> {
    EntryField::parse(&s.trim().replace('-', "_")).map_err(|_| {
        format!(
            "unknown field {s:?}; one of applicant_name, anonymous, address, phone, brief, \
             category, corruption, box_date"
        )
    })
}

/// Parses a status: `registered`, `assigned`, `answered`, `redirected`, `closed`.
pub fn parse_status(s: &str) -> Result<EntryStatus, String> {
    EntryStatus::parse(s.trim()).map_err(|_| {
        let known: Vec<&str> = EntryStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown status {s:?}; one of {}", known.join(", "))
    })
}

/// Today's local date.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `journal amend`: appends an amendment and prints `old → new`.
pub fn amend(
    store: &Store,
    user: &str,
    serial: Serial,
    field: EntryField,
    value: &str,
    reason: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    // Dates may be given in the human spelling; the store wants ISO.
    let value = match field {
        EntryField::BoxDate => parse_date(value)
            .map_err(anyhow::Error::msg)?
            .format("%Y-%m-%d")
            .to_string(),
        _ => value.to_string(),
    };
    let id = store
        .amend_entry(serial, user, field, Some(&value), reason)
        .with_context(|| format!("amending {serial}"))?;
    let (amends, _) = store.entry_history(serial)?;
    match amends.iter().find(|a| a.id == id) {
        Some(a) => writeln!(
            out,
            "{serial}: amendment {id} / оңдоо {id}: {} «{}» → «{}»",
            a.field.as_str(),
            a.old_value.as_deref().unwrap_or(""),
            a.new_value.as_deref().unwrap_or("")
        )?,
        None => writeln!(out, "{serial}: amendment {id}")?,
    }
    Ok(())
}

/// A follow-up change asked for on the command line.
pub enum Change {
    /// Assign an official.
    Assign(String),
    /// Record measures taken.
    Measures(String),
    /// Record the outgoing reply.
    Reply(String, NaiveDate),
    /// Change the status.
    Status(EntryStatus, Option<String>),
    /// Extend the deadline by days, with a reason.
    Extend(u32, String),
}

/// New deadline `days` after `current`: calendar days rolled forward to a working day, or
/// working days when the council counts consideration in working days.
pub fn extended_deadline(
    store: &Store,
    current: NaiveDate,
    days: u32,
) -> anyhow::Result<NaiveDate> {
    let cal = store.calendar()?;
    let settings = store.deadline_settings()?;
    let due = match settings.consideration_unit {
        DeadlineUnit::Working => cal.add_working_days(current, days),
        DeadlineUnit::Calendar => cal.roll_forward(
            current
                .checked_add_days(Days::new(u64::from(days)))
                .context("deadline out of range")?,
        ),
    };
    Ok(due)
}

/// `journal assign|measures|reply|status|extend`: appends one event and prints the entry's
/// follow-up columns as they read now.
pub fn change(
    store: &Store,
    user: &str,
    serial: Serial,
    change: Change,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let id = match change {
        Change::Assign(official) => store.assign_official(serial, user, &official),
        Change::Measures(measures) => store.record_measures(serial, user, &measures),
        Change::Reply(number, date) => store.record_reply(serial, user, &number, date),
        Change::Status(status, reason) => store.set_status(serial, user, status, reason.as_deref()),
        Change::Extend(days, reason) => {
            if days == 0 {
                anyhow::bail!("--days must be at least 1");
            }
            let entry = store.entry_current_view(serial)?;
            let to = extended_deadline(store, entry.deadline, days)?;
            store.extend_deadline(serial, user, to, &reason)
        }
    }
    .with_context(|| format!("updating {serial}"))?;
    let entry = store.entry_current_view(serial)?;
    writeln!(
        out,
        "{serial}: event {id} / окуя {id}; status {}, official {}, deadline {}{}{}",
        entry.status.as_str(),
        entry.fields.official.as_deref().unwrap_or("—"),
        human(entry.deadline),
        if entry.deadline_extended {
            " (extended)"
        } else {
            ""
        },
        match (&entry.reply_no, entry.reply_date) {
            (Some(n), Some(d)) => format!(", reply № {n} of {}", human(d)),
            (Some(n), None) => format!(", reply № {n}"),
            _ => String::new(),
        }
    )?;
    Ok(())
}

/// One line of an entry's history, in chain order.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem {
    /// Chain position.
    pub seq: i64,
    /// The JSON object (`"type": "amendment"` or `"event"`).
    pub json: Value,
    /// The human line.
    pub line: String,
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// Amendments and events merged in chain order, each with the value before and after.
/// Events show the follow-up column they change (official, measures, reply, status,
/// deadline) as it read before and after: the first event of a column starts from the
/// value at registration (`registered`, from [`Store::entry_as_registered`]), which is
/// empty (`""`) for a column that had none (`«» → «first value»`). Measures accumulate,
/// so their column reads as the measures so far joined with `; `.
pub fn history(
    registered: &EntryView,
    amends: &[Amendment],
    events: &[EntryEvent],
) -> Vec<HistoryItem> {
    let mut items = Vec::with_capacity(amends.len() + events.len());
    items.extend(amends.iter().map(amendment_item));
    let mut columns = Columns::at_registration(registered);
    for event in events {
        let status_before = columns.status;
        let (field, old, new) = columns.apply(event);
        items.push(event_item(event, field, old, new, status_before));
    }
    items.sort_by_key(|i| i.seq);
    items
}

/// One amendment as a history item.
fn amendment_item(amendment: &Amendment) -> HistoryItem {
    let json = json!({
        "type": "amendment",
        "id": amendment.id,
        "seq": amendment.seq,
        "at": amendment.at,
        "user": amendment.user,
        "field": amendment.field,
        "old": amendment.old_value,
        "new": amendment.new_value,
        "reason": amendment.reason,
    });
    let line = format!(
        "{}  {}  amendment / оңдоо {}: {} «{}» → «{}»; reason / себеби: {}",
        amendment.at.format("%d.%m.%Y %H:%M"),
        amendment.user,
        amendment.id,
        amendment.field.as_str(),
        opt(&amendment.old_value),
        opt(&amendment.new_value),
        amendment.reason
    );
    HistoryItem {
        seq: amendment.seq,
        json,
        line,
    }
}

/// The follow-up columns of an entry as they read so far, replayed event by event.
struct Columns {
    official: String,
    /// Measures so far (they accumulate).
    measures: Vec<String>,
    reply: String,
    status: EntryStatus,
    deadline: String,
}

impl Columns {
    /// Each column as it read at registration; empty when it had no value.
    fn at_registration(registered: &EntryView) -> Columns {
        Columns {
            official: registered.fields.official.clone().unwrap_or_default(),
            measures: registered.measures.clone(),
            reply: String::new(),
            status: registered.status,
            deadline: human(registered.deadline),
        }
    }

    /// Applies `event`: the column it changes, as it read before and after. A status
    /// carried by an event of another kind is applied too (the caller notes it).
    fn apply(&mut self, event: &EntryEvent) -> (&'static str, String, String) {
        let status_before = self.status;
        let change = match event.kind {
            EventKind::Assign => {
                let new = event.official.clone().unwrap_or_default();
                let old = std::mem::replace(&mut self.official, new.clone());
                ("official", old, new)
            }
            EventKind::Measures => {
                let old = self.measures.join("; ");
                self.measures.extend(event.measures.clone());
                ("measures", old, self.measures.join("; "))
            }
            EventKind::Reply => {
                let new = match (&event.reply_no, event.reply_date) {
                    (Some(n), Some(d)) => format!("№ {n} {}", human(d)),
                    (Some(n), None) => format!("№ {n}"),
                    (None, _) => String::new(),
                };
                let old = std::mem::replace(&mut self.reply, new.clone());
                ("reply", old, new)
            }
            EventKind::Status => (
                "status",
                status_before.as_str().to_string(),
                event.status.unwrap_or(status_before).as_str().to_string(),
            ),
            EventKind::Extend => {
                let new = event
                    .deadline
                    .map(human)
                    .unwrap_or_else(|| self.deadline.clone());
                let old = std::mem::replace(&mut self.deadline, new.clone());
                ("deadline", old, new)
            }
        };
        if let Some(status) = event.status {
            self.status = status;
        }
        change
    }
}

/// One event as a history item: the column it changed from `old` to `new`, and a status
/// change it carried besides (from `status_before`).
fn event_item(
    event: &EntryEvent,
    field: &str,
    old: String,
    new: String,
    status_before: EntryStatus,
) -> HistoryItem {
    let kind = event.kind.as_str();
    let json = json!({
        "type": "event",
        "id": event.id,
        "seq": event.seq,
        "at": event.at,
        "user": event.user,
        "kind": kind,
        "field": field,
        "old": old,
        "new": new,
        "official": event.official,
        "measures": event.measures,
        "reply_no": event.reply_no,
        "reply_date": event.reply_date,
        "status": event.status,
        "deadline": event.deadline,
        "reason": event.reason,
    });
    let mut line = format!(
        "{}  {}  event / окуя {} ({kind}): {field} ",
        event.at.format("%d.%m.%Y %H:%M"),
        event.user,
        event.id,
    );
    line.push_str(&format!("«{old}» → «{new}»"));
    match event.status {
        Some(status) if event.kind != EventKind::Status => line.push_str(&format!(
            "; status {} → {}",
            status_before.as_str(),
            status.as_str()
        )),
        _ => {}
    }
    if let Some(reason) = &event.reason {
        line.push_str(&format!("; reason / себеби: {reason}"));
    }
    HistoryItem {
        seq: event.seq,
        json,
        line,
    }
}

/// A due-soon / overdue row as JSON: the entry plus `days_left` (negative when overdue).
pub fn deadline_json(entry: &EntryView, today: NaiveDate) -> anyhow::Result<Value> {
    let mut row = serde_json::to_value(entry)?;
    if let Some(fields) = row.as_object_mut() {
        fields.insert(
            "days_left".into(),
            json!((entry.deadline - today).num_days()),
        );
    }
    Ok(row)
}

/// Prints a deadline list (due soon or overdue) as a table.
pub fn print_deadlines(
    out: &mut impl Write,
    list: &[EntryView],
    today: NaiveDate,
) -> anyhow::Result<()> {
    use crate::cmd::ctx::{cell, pad};
    writeln!(
        out,
        "{:<10} {:<10} {:>5} {:<10} {} applicant",
        "serial",
        "deadline",
        "days",
        "status",
        pad("official", 24),
    )?;
    for e in list {
        writeln!(
            out,
            "{:<10} {:<10} {:>5} {:<10} {} {}",
            e.serial.to_string(),
            human(e.deadline),
            (e.deadline - today).num_days(),
            e.status.as_str(),
            pad(&cell(e.fields.official.as_deref().unwrap_or("—"), 24), 24),
            cell(&e.applicant, 40)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("ts")
    }

    fn ev(id: i64, seq: i64, kind: EventKind) -> EntryEvent {
        EntryEvent {
            id,
            seq,
            at: at("2026-03-03T10:00:00"),
            user: "u".into(),
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

    /// An entry as registered on 2 March 2026, deadline 16 March, with `official`.
    fn registered(official: Option<&str>) -> EntryView {
        EntryView {
            serial: "2026-0001".parse().expect("serial"),
            registered_at: at("2026-03-02T09:00:00"),
            box_date: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            opening_id: ishenim_store::OpeningId(1),
            draft_id: ishenim_store::DraftId(1),
            page_ids: vec![],
            applicant: "A".into(),
            fields: ishenim_store::ApprovedFields {
                applicant_name: Some("A".into()),
                anonymous: false,
                address: None,
                phone: None,
                brief: "b".into(),
                category: "other".into(),
                corruption: false,
                official: official.map(str::to_string),
            },
            registration_due: NaiveDate::from_ymd_opt(2026, 3, 3).expect("date"),
            deadline: NaiveDate::from_ymd_opt(2026, 3, 16).expect("date"),
            deadline_extended: false,
            measures: vec![],
            reply_no: None,
            reply_date: None,
            status: if official.is_some() {
                EntryStatus::Assigned
            } else {
                EntryStatus::Registered
            },
            approved_by: "r".into(),
            amendments: 0,
            events: 0,
            hash: String::new(),
        }
    }

    #[test]
    fn dates_parse_in_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 21).expect("date");
        assert_eq!(parse_date("2026-03-21"), Ok(d));
        assert_eq!(parse_date(" 21.03.2026 "), Ok(d));
        assert!(parse_date("21/03/2026").is_err());
        assert_eq!(human(d), "21.03.2026");
    }

    #[test]
    fn field_and_status_names() {
        assert_eq!(parse_field("box-date"), Ok(EntryField::BoxDate));
        assert_eq!(parse_field("brief"), Ok(EntryField::Brief));
        assert!(parse_field("serial").is_err());
        assert_eq!(parse_status("closed"), Ok(EntryStatus::Closed));
        assert_eq!(
            parse_status("lost").err().as_deref(),
            Some("unknown status \"lost\"; one of registered, assigned, answered, redirected, closed")
        );
    }

    #[test]
    fn history_is_in_chain_order_with_old_and_new() {
        let a = Amendment {
            id: 1,
            seq: 7,
            at: at("2026-03-03T11:00:00"),
            user: "r".into(),
            field: EntryField::Phone,
            old_value: Some("0555 1".into()),
            new_value: Some("0555 2".into()),
            reason: "typo".into(),
        };
        let mut e1 = ev(1, 6, EventKind::Assign);
        e1.official = Some("Асанов".into());
        e1.status = Some(EntryStatus::Assigned);
        let mut e2 = ev(2, 8, EventKind::Assign);
        e2.official = Some("Бакиев".into());
        let mut e3 = ev(3, 9, EventKind::Status);
        e3.status = Some(EntryStatus::Closed);
        e3.reason = Some("done".into());
        let h = history(&registered(None), &[a], &[e1, e2, e3]);
        let seqs: Vec<i64> = h.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![6, 7, 8, 9]);
        assert!(
            h[0].line.contains("official «» → «Асанов»"),
            "{}",
            h[0].line
        );
        assert_eq!(h[0].json["old"], "");
        assert!(h[0].line.contains("status registered → assigned"));
        assert!(h[1].line.contains("«0555 1» → «0555 2»") && h[1].line.contains("typo"));
        assert!(h[2].line.contains("«Асанов» → «Бакиев»"), "{}", h[2].line);
        assert_eq!(h[3].json["old"], "assigned");
        assert_eq!(h[3].json["new"], "closed");
        assert_eq!(h[1].json["type"], "amendment");
        assert_eq!(h[3].json["kind"], "status");
    }

    #[test]
    fn first_event_of_each_column_starts_from_the_registered_value() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let mut assign = ev(1, 2, EventKind::Assign);
        assign.official = Some("Бакиев".into());
        let mut m1 = ev(2, 3, EventKind::Measures);
        m1.measures = Some("Жер өлчөндү".into());
        let mut m2 = ev(3, 4, EventKind::Measures);
        m2.measures = Some("Акт түзүлдү".into());
        let mut x1 = ev(4, 5, EventKind::Extend);
        x1.deadline = Some(d(3, 26));
        let mut x2 = ev(5, 6, EventKind::Extend);
        x2.deadline = Some(d(4, 6));
        let mut reply = ev(6, 7, EventKind::Reply);
        reply.reply_no = Some("01-12/45".into());
        reply.reply_date = Some(d(3, 30));
        reply.status = Some(EntryStatus::Answered);
        let h = history(
            &registered(Some("Асанова")),
            &[],
            &[assign, m1, m2, x1, x2, reply],
        );
        let pairs: Vec<(String, String, String)> = h
            .iter()
            .map(|i| {
                (
                    i.json["field"].as_str().unwrap_or("?").to_string(),
                    i.json["old"].as_str().unwrap_or("null").to_string(),
                    i.json["new"].as_str().unwrap_or("null").to_string(),
                )
            })
            .collect();
        let want = [
            ("official", "Асанова", "Бакиев"),
            ("measures", "", "Жер өлчөндү"),
            ("measures", "Жер өлчөндү", "Жер өлчөндү; Акт түзүлдү"),
            ("deadline", "16.03.2026", "26.03.2026"),
            ("deadline", "26.03.2026", "06.04.2026"),
            ("reply", "", "№ 01-12/45 30.03.2026"),
        ];
        for (got, want) in pairs.iter().zip(want) {
            assert_eq!((got.0.as_str(), got.1.as_str(), got.2.as_str()), want);
        }
        assert_eq!(pairs.len(), want.len());
        // Assigned at registration: a reassignment does not claim `registered → assigned`.
        assert!(!h[0].line.contains("status"), "{}", h[0].line);
        assert!(
            h[1].line.contains("measures «» → «Жер өлчөндү»"),
            "{}",
            h[1].line
        );
        assert!(
            h[5].line.contains("status assigned → answered"),
            "{}",
            h[5].line
        );
        // A status event on an entry registered without an official starts from `registered`.
        let mut st = ev(9, 2, EventKind::Status);
        st.status = Some(EntryStatus::Redirected);
        let h = history(&registered(None), &[], &[st]);
        assert!(
            h[0].line.contains("status «registered» → «redirected»"),
            "{}",
            h[0].line
        );
    }
}
