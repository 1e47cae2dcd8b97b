//! Read-only data for the half-year analysis (`ishenim-report`): the journal entries
//! registered in a date range, reduced to the columns an analysis counts, with amendments
//! and follow-up events folded in exactly as [`Store::entry_current_view`] folds them, plus
//! the moment each entry last changed status (which the view does not carry).
//!
//! Why not [`Store::journal_list`]: that builds the full printed row (page ids parsed from
//! JSON, the row hash, every text column) for the whole year and takes about 1.8 s for
//! 100,000 entries on the 2-core office PC, most of the report's 2 s budget; this reads
//! the range only: the entries' narrow columns, then their amendments and events as the
//! same typed rows the view reads (`amend_row`/`event_row`, `finish_amend`/`finish_event`).
//! The fold below is the one in `journal/fold.rs` restricted to these fields;
//! `facts_agree_with_the_current_view` keeps the two in step.

use crate::journal::{
    amend_row, amend_select, event_row, event_select, finish_amend, finish_event, EntryField,
    EntryStatus, EventKind, Serial,
};
use crate::{parse_date, parse_ts, Result, Store, StoreError, TS_FMT};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One journal entry as an analysis sees it now (amendments and events applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFacts {
    /// Serial.
    pub serial: Serial,
    /// When it was registered.
    pub registered_at: NaiveDateTime,
    /// Anonymous appeal.
    pub anonymous: bool,
    /// Address as written.
    pub address: Option<String>,
    /// Brief content.
    pub brief: String,
    /// Category key.
    pub category: String,
    /// Corruption flag.
    pub corruption: bool,
    /// Official assigned (latest).
    pub official: Option<String>,
    /// Consideration deadline (after extensions).
    pub deadline: NaiveDate,
    /// Current status.
    pub status: EntryStatus,
    /// When the latest status-bearing event (assignment, reply, status change) was
    /// recorded; `None` when the status is still the one given at registration.
    pub status_at: Option<NaiveDateTime>,
    /// Measures taken, in order.
    pub measures: Vec<String>,
    /// Outgoing reply number (latest).
    pub reply_no: Option<String>,
    /// Outgoing reply date (latest).
    pub reply_date: Option<NaiveDate>,
}

fn parse_flag(s: Option<&str>) -> Result<bool> {
    match s.map(str::trim) {
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        other => Err(StoreError::Malformed(format!(
            "amendment flag {other:?} is not true or false"
        ))),
    }
}

type RawEntry = (
    i64,
    i32,
    u32,
    String,
    bool,
    Option<String>,
    String,
    String,
    bool,
    Option<String>,
    String,
);

impl Store {
    /// The entries registered from `from` to `to` (both days included, local dates),
    /// ordered by serial, with amendments and follow-up events folded in.
    pub fn entry_facts_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EntryFacts>> {
        if to < from {
            return Ok(Vec::new());
        }
        let start = from
            .and_time(chrono::NaiveTime::MIN)
            .format(TS_FMT)
            .to_string();
        let end = to
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX)
            .and_time(chrono::NaiveTime::MIN)
            .format(TS_FMT)
            .to_string();
        let (y0, y1) = (from.year(), to.year());
        let cond = "year BETWEEN ?1 AND ?2 AND registered_at >= ?3 AND registered_at < ?4";
        let p = rusqlite::params![y0, y1, start, end];
        let c = self.conn()?;

        let mut out: Vec<EntryFacts> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        {
            let mut st = c.prepare(&format!(
                "SELECT id, year, number, registered_at, anonymous, address, brief, category,
                        corruption, official, deadline
                   FROM entries WHERE {cond} ORDER BY year, number"
            ))?;
            let rows = st.query_map(p, |r| RawEntry::try_from(r))?;
            for row in rows {
                let t = row?;
                index.insert(t.0, out.len());
                out.push(EntryFacts {
                    serial: Serial {
                        year: t.1,
                        number: t.2,
                    },
                    registered_at: parse_ts(&t.3)?,
                    anonymous: t.4,
                    address: t.5,
                    brief: t.6,
                    category: t.7,
                    corruption: t.8,
                    status: if t.9.is_some() {
                        EntryStatus::Assigned
                    } else {
                        EntryStatus::Registered
                    },
                    official: t.9,
                    deadline: parse_date(&t.10)?,
                    status_at: None,
                    measures: Vec::new(),
                    reply_no: None,
                    reply_date: None,
                });
            }
        }
        if out.is_empty() {
            return Ok(out);
        }
        let sub = format!("entry_id IN (SELECT id FROM entries WHERE {cond})");
        {
            let mut st = c.prepare(&format!(
                "{} WHERE {sub}
                  AND field IN ('anonymous', 'address', 'brief', 'category', 'corruption')
                  ORDER BY entry_id, seq",
                amend_select()
            ))?;
            for row in st.query_map(p, amend_row)? {
                let (eid, a) = finish_amend(row?)?;
                let Some(f) = index.get(&eid).and_then(|&i| out.get_mut(i)) else {
                    continue;
                };
                let nv = a.new_value;
                match a.field {
                    EntryField::Anonymous => f.anonymous = parse_flag(nv.as_deref())?,
                    EntryField::Corruption => f.corruption = parse_flag(nv.as_deref())?,
                    EntryField::Address => f.address = nv,
                    EntryField::Brief => f.brief = nv.unwrap_or_default(),
                    EntryField::Category => f.category = nv.unwrap_or_default(),
                    EntryField::ApplicantName | EntryField::Phone | EntryField::BoxDate => {}
                }
            }
        }
        {
            let mut st = c.prepare(&format!(
                "{} WHERE {sub} ORDER BY entry_id, seq",
                event_select()
            ))?;
            for row in st.query_map(p, event_row)? {
                let (eid, ev) = finish_event(row?)?;
                let Some(f) = index.get(&eid).and_then(|&i| out.get_mut(i)) else {
                    continue;
                };
                match ev.kind {
                    EventKind::Assign => f.official = ev.official,
                    EventKind::Measures => f.measures.extend(ev.measures),
                    EventKind::Reply => {
                        f.reply_no = ev.reply_no;
                        f.reply_date = ev.reply_date;
                    }
                    EventKind::Extend => {
                        if let Some(d) = ev.deadline {
                            f.deadline = d;
                        }
                    }
                    EventKind::Status => {}
                }
                if let Some(s) = ev.status {
                    f.status = s;
                    f.status_at = Some(ev.at);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;
    use crate::{EntryField, EntryStatus, EntryView};
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn facts_agree_with_the_current_view() {
        let (_d, s) = store();
        let d = drafts(&s, 6);
        let mut with_official = fields("F");
        with_official.official = Some("Асанова".into());
        let reg = [
            (at(2025, 12, 31), fields("A")),
            (at(2026, 1, 1), fields("B")),
            (at(2026, 3, 10), with_official),
            (at(2026, 6, 30), fields("C")),
            (at(2026, 7, 1), fields("D")),
            (at(2026, 2, 2), fields("E")),
        ];
        let serials: Vec<_> = reg
            .iter()
            .zip(&d)
            .map(|((t, f), id)| s.approve_draft_at(*id, "rev", f, *t).unwrap())
            .collect();
        let b = serials[1];
        s.amend_entry(b, "rev", EntryField::Category, Some("water"), "typo")
            .unwrap();
        s.amend_entry(b, "rev", EntryField::Corruption, Some("true"), "пара")
            .unwrap();
        s.amend_entry(b, "rev", EntryField::Address, None, "not an address")
            .unwrap();
        s.amend_entry(b, "rev", EntryField::Brief, Some("Жаңы мазмун"), "fix")
            .unwrap();
        s.assign_official(b, "rev", "Осмонов").unwrap();
        s.record_measures(b, "rev", "текшерүү").unwrap();
        s.record_measures(b, "rev", "эскертүү").unwrap();
        s.extend_deadline(b, "rev", day(2026, 2, 20), "суроо")
            .unwrap();
        s.record_reply(b, "rev", "7", day(2026, 2, 18)).unwrap();
        s.set_status(serials[2], "rev", EntryStatus::Redirected, Some("район"))
            .unwrap();
        s.assign_official(serials[2], "rev", "Бекова").unwrap();
        s.amend_entry(serials[5], "rev", EntryField::Anonymous, Some("true"), "x")
            .unwrap();

        let facts = s
            .entry_facts_between(day(2026, 1, 1), day(2026, 6, 30))
            .unwrap();
        let got: Vec<String> = facts.iter().map(|f| f.serial.to_string()).collect();
        assert_eq!(
            got,
            vec!["2026-0001", "2026-0002", "2026-0003", "2026-0005"],
            "31 Dec and 1 Jul are outside; ordered by serial"
        );
        for f in &facts {
            let v: EntryView = s.entry_current_view(f.serial).unwrap();
            assert_eq!(f.registered_at, v.registered_at);
            assert_eq!(f.anonymous, v.fields.anonymous, "{}", f.serial);
            assert_eq!(f.address, v.fields.address, "{}", f.serial);
            assert_eq!(f.brief, v.fields.brief);
            assert_eq!(f.category, v.fields.category);
            assert_eq!(f.corruption, v.fields.corruption);
            assert_eq!(f.official, v.fields.official, "{}", f.serial);
            assert_eq!(f.deadline, v.deadline);
            assert_eq!(f.status, v.status, "{}", f.serial);
            assert_eq!(f.measures, v.measures);
            assert_eq!(f.reply_no, v.reply_no);
            assert_eq!(f.reply_date, v.reply_date);
        }
        let fb = &facts[0];
        assert_eq!(fb.category, "water");
        assert!(fb.corruption && fb.address.is_none());
        assert_eq!(fb.status, EntryStatus::Answered);
        assert!(fb.status_at.is_some());
        // Redirected, then an assignment (no status change for a non-registered entry).
        assert_eq!(facts[1].status, EntryStatus::Redirected);
        assert_eq!(facts[1].official.as_deref(), Some("Бекова"));
        assert!(facts[3].anonymous);
        assert_eq!(facts[3].status_at, None);
        assert!(s
            .entry_facts_between(day(2026, 7, 2), day(2026, 12, 31))
            .unwrap()
            .is_empty());
        assert!(s
            .entry_facts_between(day(2026, 6, 30), day(2026, 1, 1))
            .unwrap()
            .is_empty());
    }
}
