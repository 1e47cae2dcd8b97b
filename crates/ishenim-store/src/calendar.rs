//! Working-day calendar and deadline settings.
//!
//! A day is non-working when it is a Saturday or Sunday or one of the fixed Kyrgyz public
//! holidays ([`FIXED_HOLIDAYS`]), unless the admin marked it otherwise in the
//! `calendar_days` table: `holiday` adds a non-working day (Orozo Ait and Kurman Ait, set
//! each year by decree; a holiday moved to a Friday or Monday), `workday` makes a day
//! working (a Saturday worked by decree, a cancelled holiday). Overrides win.

use crate::settings::{validate_setting, write_setting};
use crate::users::audit_tx;
use crate::{fmt_date, parse_date, required, Result, Store, StoreError};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{params, Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fixed non-working days as (month, day): 1 Jan (New Year), 7 Jan (Orthodox Christmas),
/// 23 Feb (Defender of the Fatherland Day), 8 Mar (Women's Day), 21 Mar (Nooruz),
/// 1 May (Labour Day), 5 May (Constitution Day), 9 May (Victory Day),
/// 31 Aug (Independence Day), 7–8 Nov (Days of History and Memory of Ancestors).
pub const FIXED_HOLIDAYS: &[(u32, u32)] = &[
    (1, 1),
    (1, 7),
    (2, 23),
    (3, 8),
    (3, 21),
    (5, 1),
    (5, 5),
    (5, 9),
    (8, 31),
    (11, 7),
    (11, 8),
];

/// Longest run of non-working days we search through before giving up (a misconfigured
/// calendar must not hang the program).
const MAX_SCAN_DAYS: u64 = 800;

/// An admin override of one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Non-working (extra or moved holiday).
    Holiday,
    /// Working (moved working day, cancelled holiday).
    Workday,
}

impl DayKind {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "holiday" => Ok(DayKind::Holiday),
            "workday" => Ok(DayKind::Workday),
            _ => Err(StoreError::Malformed(format!("calendar day kind {s:?}"))),
        }
    }
}

/// The working-day calendar (weekends + fixed holidays + overrides).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    overrides: BTreeMap<NaiveDate, DayKind>,
}

impl Calendar {
    /// A calendar with only weekends and the fixed holidays.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add or replace an override.
    pub fn set(&mut self, day: NaiveDate, kind: DayKind) {
        self.overrides.insert(day, kind);
    }

    /// True when `day` is one of [`FIXED_HOLIDAYS`].
    pub fn is_fixed_holiday(day: NaiveDate) -> bool {
        FIXED_HOLIDAYS.contains(&(day.month(), day.day()))
    }

    /// True when `day` is a working day.
    pub fn is_working(&self, day: NaiveDate) -> bool {
        if let Some(k) = self.overrides.get(&day) {
            return *k == DayKind::Workday;
        }
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        !Self::is_fixed_holiday(day)
    }

    /// `day` itself if it is a working day, else the next working day.
    pub fn roll_forward(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        for _ in 0..MAX_SCAN_DAYS {
            if self.is_working(d) {
                return d;
            }
            match d.checked_add_days(Days::new(1)) {
                Some(n) => d = n,
                None => return d,
            }
        }
        d
    }

    /// The `n`-th working day after `day` (`n = 0`: `day` rolled forward). "Register within
    /// 1 working day of receipt" is `add_working_days(receipt, 1)`.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return self.roll_forward(day);
        }
        let mut d = day;
        let mut left = n;
        let mut scanned = 0u64;
        while left > 0 && scanned < MAX_SCAN_DAYS + u64::from(n) * 2 {
            match d.checked_add_days(Days::new(1)) {
                Some(x) => d = x,
                None => return d,
            }
            scanned += 1;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            match d.checked_add_days(Days::new(1)) {
                Some(x) => d = x,
                None => break,
            }
            if self.is_working(d) {
                n += 1;
            }
        }
        n
    }

    /// Due date of consideration for an appeal registered on `registered`.
    pub fn consideration_due(&self, registered: NaiveDate, s: &DeadlineSettings) -> NaiveDate {
        match s.consideration_unit {
            DeadlineUnit::Calendar => {
                let raw = registered
                    .checked_add_days(Days::new(u64::from(s.consideration_days)))
                    .unwrap_or(registered);
                self.roll_forward(raw)
            }
            DeadlineUnit::Working => self.add_working_days(registered, s.consideration_days),
        }
    }

    /// Latest registration date for an appeal received on `received`.
    pub fn registration_due(&self, received: NaiveDate, s: &DeadlineSettings) -> NaiveDate {
        self.add_working_days(received, s.registration_working_days)
    }
}

/// How the consideration period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    /// Calendar days; a due date on a non-working day moves to the next working day.
    Calendar,
    /// Working days.
    Working,
}

/// Deadline rules (settings table). Defaults follow Law No. 67 (2007): register within 1
/// working day; consider within 14 calendar days of registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineSettings {
    /// Working days allowed between receipt (box opening) and registration.
    pub registration_working_days: u32,
    /// Length of the consideration period.
    pub consideration_days: u32,
    /// Unit of `consideration_days`.
    pub consideration_unit: DeadlineUnit,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            registration_working_days: 1,
            consideration_days: 14,
            consideration_unit: DeadlineUnit::Calendar,
        }
    }
}

pub(crate) fn load_settings(c: &Connection) -> Result<DeadlineSettings> {
    let mut s = DeadlineSettings::default();
    let mut st = c.prepare_cached("SELECT key, value FROM settings")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for r in rows {
        let (k, v) = r?;
        let num = || {
            v.trim()
                .parse::<u32>()
                .map_err(|_| StoreError::Malformed(format!("setting {k} = {v:?}")))
        };
        match k.as_str() {
            "registration_working_days" => s.registration_working_days = num()?,
            "consideration_days" => s.consideration_days = num()?,
            "consideration_unit" => {
                s.consideration_unit = match v.as_str() {
                    "calendar" => DeadlineUnit::Calendar,
                    "working" => DeadlineUnit::Working,
                    _ => return Err(StoreError::Malformed(format!("setting {k} = {v:?}"))),
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

pub(crate) fn load_calendar(c: &Connection) -> Result<Calendar> {
    let mut cal = Calendar::new();
    let mut st = c.prepare_cached("SELECT day, kind FROM calendar_days")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for r in rows {
        let (d, k) = r?;
        cal.set(parse_date(&d)?, DayKind::parse(&k)?);
    }
    Ok(cal)
}

impl Store {
    /// Current deadline rules.
    pub fn deadline_settings(&self) -> Result<DeadlineSettings> {
        let c = self.conn()?;
        load_settings(&c)
    }

    /// Change the deadline rules (admin; audited). Applies to entries approved afterwards;
    /// existing deadlines change only by an extension event.
    pub fn set_deadline_settings(&self, s: DeadlineSettings, user: &str) -> Result<()> {
        let user = required("user", user)?;
        let unit = match s.consideration_unit {
            DeadlineUnit::Calendar => "calendar",
            DeadlineUnit::Working => "working",
        };
        let mut values = Vec::new();
        for (k, v) in [
            (
                "registration_working_days",
                s.registration_working_days.to_string(),
            ),
            ("consideration_days", s.consideration_days.to_string()),
            ("consideration_unit", unit.to_string()),
        ] {
            values.push((k, validate_setting(k, &v)?));
        }
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (k, v) in &values {
            write_setting(&tx, k, v.as_deref(), &user)?;
        }
        audit_tx(&tx, &user, "settings", "deadlines")?;
        tx.commit()?;
        Ok(())
    }

    /// The calendar with the admin's overrides.
    pub fn calendar(&self) -> Result<Calendar> {
        let c = self.conn()?;
        load_calendar(&c)
    }

    /// Mark `day` as an extra holiday or a moved working day (admin; audited).
    pub fn set_calendar_day(
        &self,
        day: NaiveDate,
        kind: DayKind,
        note: &str,
        user: &str,
    ) -> Result<()> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO calendar_days (day, kind, note) VALUES (?1, ?2, ?3)
             ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, note = excluded.note",
            params![fmt_date(day), kind.as_str(), note.trim()],
        )?;
        audit_tx(&tx, &user, "calendar", &fmt_date(day))?;
        tx.commit()?;
        Ok(())
    }

    /// Remove an override (the day falls back to weekend / fixed-holiday rules).
    pub fn remove_calendar_day(&self, day: NaiveDate, user: &str) -> Result<()> {
        let user = required("user", user)?;
        let mut c = self.conn()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM calendar_days WHERE day = ?1", [fmt_date(day)])?;
        audit_tx(&tx, &user, "calendar", &fmt_date(day))?;
        tx.commit()?;
        Ok(())
    }

    /// All overrides: (day, kind, note), by date.
    pub fn calendar_days(&self) -> Result<Vec<(NaiveDate, DayKind, String)>> {
        let c = self.conn()?;
        let mut st = c.prepare("SELECT day, kind, note FROM calendar_days ORDER BY day")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (d, k, n) = r?;
            out.push((parse_date(&d)?, DayKind::parse(&k)?, n));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    /// (received/registered, expected) cases, one per line.
    fn check_reg(cal: &Calendar, cases: &[(NaiveDate, NaiveDate)]) {
        let s = DeadlineSettings::default();
        for (from, want) in cases {
            assert_eq!(
                cal.registration_due(*from, &s),
                *want,
                "registration from {from}"
            );
        }
    }

    #[test]
    fn registration_within_one_working_day() {
        let cal = Calendar::new();
        check_reg(
            &cal,
            &[
                (d(2026, 3, 2), d(2026, 3, 3)),   // Mon → Tue
                (d(2026, 3, 20), d(2026, 3, 23)), // Fri → Mon (21 Mar Nooruz is a Saturday)
                (d(2026, 12, 31), d(2027, 1, 4)), // Thu → Mon: 1 Jan holiday, weekend
                (d(2027, 1, 6), d(2027, 1, 8)),   // Wed → Fri: 7 Jan Orthodox Christmas
                (d(2026, 11, 6), d(2026, 11, 9)), // Fri → Mon (7–8 Nov weekend)
                (d(2026, 5, 8), d(2026, 5, 11)),  // Fri → Mon (9 May Saturday)
                (d(2026, 5, 4), d(2026, 5, 6)),   // Mon → Wed (5 May Constitution Day)
            ],
        );
    }

    #[test]
    fn friday_6_march_2026_is_followed_by_monday_9() {
        // 2026-03-06 is a Friday; 9 March is a working Monday unless a decree moves 8 March.
        let mut cal = Calendar::new();
        assert_eq!(
            cal.registration_due(d(2026, 3, 6), &DeadlineSettings::default()),
            d(2026, 3, 9)
        );
        // A decree moves the 8 March holiday (Sunday) to Monday 9 March.
        cal.set(d(2026, 3, 9), DayKind::Holiday);
        assert_eq!(
            cal.registration_due(d(2026, 3, 6), &DeadlineSettings::default()),
            d(2026, 3, 10)
        );
    }

    #[test]
    fn overrides_win() {
        let mut cal = Calendar::new();
        assert!(!cal.is_working(d(2026, 5, 1)));
        cal.set(d(2026, 5, 1), DayKind::Workday);
        assert!(cal.is_working(d(2026, 5, 1)));
        // Orozo Ait (date set by decree) on a Friday.
        cal.set(d(2026, 3, 20), DayKind::Holiday);
        assert!(!cal.is_working(d(2026, 3, 20)));
        // A Saturday worked by decree.
        cal.set(d(2026, 3, 28), DayKind::Workday);
        assert_eq!(cal.add_working_days(d(2026, 3, 27), 1), d(2026, 3, 28));
    }

    #[test]
    fn consideration_calendar_and_working() {
        let cal = Calendar::new();
        let s = DeadlineSettings::default();
        // 14 calendar days from Tue 3 Mar 2026 = Tue 17 Mar.
        assert_eq!(cal.consideration_due(d(2026, 3, 3), &s), d(2026, 3, 17));
        // From Sat-free start: 7 Mar + 14 = 21 Mar (Nooruz, Saturday) → Mon 23 Mar.
        assert_eq!(cal.consideration_due(d(2026, 3, 7), &s), d(2026, 3, 23));
        // Year end: 18 Dec 2026 + 14 = 1 Jan 2027 (holiday, Fri) → Mon 4 Jan.
        assert_eq!(cal.consideration_due(d(2026, 12, 18), &s), d(2027, 1, 4));
        let w = DeadlineSettings {
            consideration_days: 10,
            consideration_unit: DeadlineUnit::Working,
            ..s
        };
        // 10 working days from Mon 2 Mar 2026 skipping 8 Mar (Sun) → Mon 16 Mar.
        assert_eq!(cal.consideration_due(d(2026, 3, 2), &w), d(2026, 3, 16));
        assert_eq!(cal.working_days_between(d(2026, 3, 2), d(2026, 3, 16)), 10);
    }

    #[test]
    fn all_holidays_does_not_hang() {
        let mut cal = Calendar::new();
        let mut x = d(2026, 1, 1);
        for _ in 0..1000 {
            cal.set(x, DayKind::Holiday);
            x = x.succ_opt().unwrap_or(x);
        }
        let _ = cal.add_working_days(d(2026, 1, 1), 1);
        let _ = cal.roll_forward(d(2026, 1, 1));
    }

    #[test]
    fn settings_roundtrip_in_store() {
        let (_d, s) = crate::testutil::store();
        assert_eq!(s.deadline_settings().unwrap(), DeadlineSettings::default());
        let w = DeadlineSettings {
            registration_working_days: 1,
            consideration_days: 10,
            consideration_unit: DeadlineUnit::Working,
        };
        s.set_deadline_settings(w, "admin").unwrap();
        assert_eq!(s.deadline_settings().unwrap(), w);
        assert!(s.set_setting("consideration_days", "abc", "admin").is_err());
        assert_eq!(s.deadline_settings().unwrap(), w);
        let mut bad = w;
        bad.consideration_days = 0;
        assert!(s.set_deadline_settings(bad, "admin").is_err());
        assert_eq!(s.deadline_settings().unwrap(), w);
        assert_eq!(
            s.setting("anonymous_policy").unwrap().as_deref(),
            Some("register_and_consider")
        );
        s.set_calendar_day(d(2026, 3, 20), DayKind::Holiday, "Орозо айт", "admin")
            .unwrap();
        assert!(!s.calendar().unwrap().is_working(d(2026, 3, 20)));
        assert_eq!(s.calendar_days().unwrap().len(), 1);
        s.remove_calendar_day(d(2026, 3, 20), "admin").unwrap();
        assert!(s.calendar().unwrap().is_working(d(2026, 3, 20)));
    }
}
