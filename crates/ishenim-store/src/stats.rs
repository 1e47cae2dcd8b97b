//! Read-only aggregates for the half-year analysis (`ishenim-report`): what the folded
//! [`EntryView`](crate::EntryView) does not carry, fetched for a whole year in one query
//! instead of one [`Store::entry_history`] call per entry.

use crate::journal::{EntryStatus, Serial};
use crate::{parse_ts, Result, Store, StoreError};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The latest status change of one journal entry: the status it has now and when the event
/// that set it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The entry.
    pub serial: Serial,
    /// Its current status (the status of its latest status-bearing event).
    pub status: EntryStatus,
    /// When that event was recorded (local time).
    pub at: NaiveDateTime,
}

impl Store {
    /// For every entry of `year`'s journal that has at least one status-bearing event
    /// (assignment, reply, status change), its latest such event: the entry's current status
    /// and the moment it was set. Entries that never changed status are absent. Ordered by
    /// serial. This tells *when* an appeal was closed or redirected (a reply carries its own
    /// date in [`EntryView::reply_date`](crate::EntryView)).
    pub fn last_status_changes(&self, year: i32) -> Result<Vec<StatusChange>> {
        let c = self.conn()?;
        let mut st = c.prepare(
            "SELECT e.year, e.number, ev.status, ev.at
               FROM entries e JOIN events ev ON ev.entry_id = e.id
              WHERE e.year = ?1
                AND ev.seq = (SELECT MAX(e2.seq) FROM events e2
                               WHERE e2.entry_id = e.id AND e2.status IS NOT NULL)
              ORDER BY e.year, e.number",
        )?;
        let rows = st.query_map([year], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (y, n, status, at) = row?;
            out.push(StatusChange {
                serial: Serial { year: y, number: n },
                status: EntryStatus::parse(&status)
                    .map_err(|_| StoreError::Malformed(format!("status {status:?}")))?,
                at: parse_ts(&at)?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::tests::{drafts, fields};
    use crate::testutil::store;
    use crate::EntryStatus;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date")
    }

    #[test]
    fn latest_status_event_per_entry_of_the_year() {
        let (_d, s) = store();
        let d = drafts(&s, 4);
        let a = s
            .approve_draft_at(d[0], "rev", &fields("A"), at(2025, 12, 30))
            .unwrap();
        let b = s
            .approve_draft_at(d[1], "rev", &fields("B"), at(2026, 1, 5))
            .unwrap();
        let c = s
            .approve_draft_at(d[2], "rev", &fields("C"), at(2026, 1, 6))
            .unwrap();
        let e = s
            .approve_draft_at(d[3], "rev", &fields("E"), at(2026, 1, 7))
            .unwrap();
        s.set_status(a, "rev", EntryStatus::Closed, None).unwrap();
        s.assign_official(b, "rev", "Осмонов").unwrap();
        s.record_reply(b, "rev", "12", NaiveDate::from_ymd_opt(2026, 1, 9).unwrap())
            .unwrap();
        // Measures carry no status: the reply stays the latest status change.
        s.record_measures(b, "rev", "текшерилди").unwrap();
        s.set_status(c, "rev", EntryStatus::Redirected, Some("райондук"))
            .unwrap();
        s.set_status(c, "rev", EntryStatus::Assigned, Some("кайра ачылды"))
            .unwrap();
        let v = s.last_status_changes(2026).unwrap();
        let got: Vec<_> = v.iter().map(|x| (x.serial, x.status)).collect();
        assert_eq!(
            got,
            vec![(b, EntryStatus::Answered), (c, EntryStatus::Assigned)],
            "2025's entry and the entry without events are absent"
        );
        assert!(!v.iter().any(|x| x.serial == e));
        // Agrees with the folded view.
        for x in &v {
            assert_eq!(s.entry_current_view(x.serial).unwrap().status, x.status);
        }
        assert_eq!(s.last_status_changes(2025).unwrap().len(), 1);
    }
}
