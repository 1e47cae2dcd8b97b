//! `ishenim calendar list|add|remove`: the working-day calendar used for deadlines.
//!
//! Weekends and the fixed Kyrgyz public holidays are built in. The admin adds the rest:
//! Orozo Ait and Kurman Ait (dates set each year by decree), holidays moved to a Friday or
//! Monday (`--kind holiday`) and Saturdays worked by decree or cancelled holidays
//! (`--kind workday`). Changes are audited by the store; they apply to deadlines computed
//! afterwards (existing deadlines change only by `journal extend`).

use crate::cmd::ctx::Global;
use crate::cmd::followup::{self, human};
use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use ishenim_store::calendar::FIXED_HOLIDAYS;
use ishenim_store::{Calendar, DayKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// `ishenim calendar ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Non-working days and moved working days of a year (fixed holidays and the admin's).
    List {
        /// Year (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// One JSON object per day.
        #[arg(long)]
        json: bool,
    },
    /// Mark a date as an extra holiday or as a working day (replaces an earlier mark).
    Add {
        /// The date (YYYY-MM-DD or dd.mm.yyyy).
        #[arg(value_parser = followup::parse_date)]
        date: NaiveDate,
        /// holiday (non-working) or workday (working).
        #[arg(long, value_parser = parse_kind)]
        kind: DayKind,
        /// What the day is (e.g. "Орозо айт", decree number).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove the admin's mark from a date (weekend and fixed-holiday rules apply again).
    Remove {
        /// The date (YYYY-MM-DD or dd.mm.yyyy).
        #[arg(value_parser = followup::parse_date)]
        date: NaiveDate,
    },
}

fn parse_kind(s: &str) -> Result<DayKind, String> {
    match s.trim() {
        "holiday" => Ok(DayKind::Holiday),
        "workday" => Ok(DayKind::Workday),
        other => Err(format!("--kind must be holiday or workday, not {other:?}")),
    }
}

/// Kyrgyz / Russian names of the fixed holidays, by (month, day).
fn fixed_name(month: u32, day: u32) -> &'static str {
    match (month, day) {
        (1, 1) => "Жаңы жыл / Новый год",
        (1, 7) => "Рождество / Рождество Христово",
        (2, 23) => "Ата Мекенди коргоочулар күнү / День защитника Отечества",
        (3, 8) => "Эл аралык аялдар күнү / Международный женский день",
        (3, 21) => "Нооруз / Нооруз",
        (5, 1) => "Эмгек майрамы / Праздник труда",
        (5, 5) => "Конституция күнү / День Конституции",
        (5, 9) => "Жеңиш күнү / День Победы",
        (8, 31) => "Эгемендүүлүк күнү / День независимости",
        (11, 7) | (11, 8) => {
            "Тарых жана ата-бабаларды эскерүү күндөрү / Дни истории и памяти предков"
        }
        _ => "",
    }
}

/// One listed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Day {
    date: NaiveDate,
    /// `holiday` or `workday` as the calendar now reads the day.
    kind: DayKind,
    /// `fixed` (built in) or `admin` (marked with `calendar add`).
    source: &'static str,
    /// Holiday name or the admin's note.
    note: String,
    /// Whether the day counts as a working day.
    working: bool,
}

/// The year's fixed holidays merged with the admin's marks (a mark wins), by date.
fn days_of_year(year: i32, marks: &[(NaiveDate, DayKind, String)], cal: &Calendar) -> Vec<Day> {
    let mut by_date: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for (m, d) in FIXED_HOLIDAYS {
        if let Some(date) = NaiveDate::from_ymd_opt(year, *m, *d) {
            by_date.insert(
                date,
                Day {
                    date,
                    kind: DayKind::Holiday,
                    source: "fixed",
                    note: fixed_name(*m, *d).to_string(),
                    working: cal.is_working(date),
                },
            );
        }
    }
    for (date, kind, note) in marks.iter().filter(|(d, _, _)| d.year() == year) {
        by_date.insert(
            *date,
            Day {
                date: *date,
                kind: *kind,
                source: "admin",
                note: note.clone(),
                working: cal.is_working(*date),
            },
        );
    }
    by_date.into_values().collect()
}

const WEEKDAYS: [&str; 7] = ["Дш", "Шш", "Шр", "Бш", "Жм", "Иш", "Жк"];

/// Runs the command.
pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let user = global.user();
    match cmd {
        Command::List { year, json } => {
            let store = global.existing_store()?;
            let year = year.unwrap_or_else(|| followup::today().year());
            let days = days_of_year(year, &store.calendar_days()?, &store.calendar()?);
            if json {
                for d in &days {
                    serde_json::to_writer(&mut out, d)?;
                    writeln!(out)?;
                }
            } else {
                for d in &days {
                    writeln!(
                        out,
                        "{} {} {:<7} {:<5} {}{}",
                        human(d.date),
                        WEEKDAYS[d.date.weekday().num_days_from_monday() as usize],
                        d.kind.as_str(),
                        d.source,
                        d.note,
                        if d.kind == DayKind::Holiday && d.working {
                            " (working)"
                        } else {
                            ""
                        }
                    )?;
                }
                let admin = days.iter().filter(|d| d.source == "admin").count();
                writeln!(
                    out,
                    "{year}: {} days listed, {admin} marked by the admin; weekends are non-working \
                     unless marked workday / ишемби-жекшемби дем алыш күндөр",
                    days.len()
                )?;
            }
        }
        Command::Add { date, kind, note } => {
            let store = global.store()?;
            store
                .set_calendar_day(date, kind, &note, &user)
                .with_context(|| format!("marking {}", human(date)))?;
            let cal = store.calendar()?;
            writeln!(
                out,
                "{} marked {} ({})",
                human(date),
                kind.as_str(),
                if cal.is_working(date) {
                    "working day / иш күнү"
                } else {
                    "non-working day / дем алыш күнү"
                }
            )?;
        }
        Command::Remove { date } => {
            let store = global.existing_store()?;
            if !store.calendar_days()?.iter().any(|(d, _, _)| *d == date) {
                anyhow::bail!(
                    "{} has no mark to remove (fixed holidays are built in; mark one \
                     `--kind workday` to make it a working day)",
                    human(date)
                );
            }
            store
                .remove_calendar_day(date, &user)
                .with_context(|| format!("unmarking {}", human(date)))?;
            let cal = store.calendar()?;
            writeln!(
                out,
                "{} unmarked; now a {}",
                human(date),
                if cal.is_working(date) {
                    "working day / иш күнү"
                } else {
                    "non-working day / дем алыш күнү"
                }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn year_lists_fixed_holidays_and_marks_with_marks_winning() {
        let marks = vec![
            (d(2026, 3, 20), DayKind::Holiday, "Орозо айт".to_string()),
            (d(2026, 3, 21), DayKind::Workday, "decree".to_string()),
            (d(2027, 1, 2), DayKind::Holiday, "other year".to_string()),
        ];
        let mut cal = Calendar::new();
        for (day, k, _) in &marks {
            cal.set(*day, *k);
        }
        let days = days_of_year(2026, &marks, &cal);
        assert_eq!(days.len(), FIXED_HOLIDAYS.len() + 1);
        let nooruz = days
            .iter()
            .find(|x| x.date == d(2026, 3, 21))
            .expect("21 Mar");
        assert_eq!(nooruz.kind, DayKind::Workday);
        assert_eq!(nooruz.source, "admin");
        assert!(nooruz.working);
        let orozo = days
            .iter()
            .find(|x| x.date == d(2026, 3, 20))
            .expect("20 Mar");
        assert!(!orozo.working);
        assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        assert!(days.iter().all(|x| x.date.year() == 2026));
        let ny = &days[0];
        assert_eq!(
            (ny.source, ny.note.as_str()),
            ("fixed", "Жаңы жыл / Новый год")
        );
    }

    #[test]
    fn kind_parses() {
        assert_eq!(parse_kind("holiday"), Ok(DayKind::Holiday));
        assert_eq!(parse_kind("workday"), Ok(DayKind::Workday));
        assert!(parse_kind("weekend").is_err());
    }
}
