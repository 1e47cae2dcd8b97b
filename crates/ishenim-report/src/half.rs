//! [`HalfYear`]: `2026H1` (January–June) or `2026H2` (July–December).

use crate::ReportError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which half of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Half {
    /// January to June.
    H1,
    /// July to December.
    H2,
}

/// A half-year of one calendar year. Displayed, parsed and serialised as `2026H1` / `2026H2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfYear {
    /// Calendar year (1000–9999, like journal serials).
    pub year: i32,
    /// Which half.
    pub half: Half,
}

impl HalfYear {
    /// The half-year containing `date`.
    pub fn containing(date: NaiveDate) -> HalfYear {
        HalfYear {
            year: date.year(),
            half: if date.month() <= 6 {
                Half::H1
            } else {
                Half::H2
            },
        }
    }

    /// The months (1–12) of this half, in order.
    pub fn months(self) -> [u32; 6] {
        match self.half {
            Half::H1 => [1, 2, 3, 4, 5, 6],
            Half::H2 => [7, 8, 9, 10, 11, 12],
        }
    }

    /// First day: 1 January or 1 July.
    pub fn first_day(self) -> NaiveDate {
        let m = self.months()[0];
        NaiveDate::from_ymd_opt(self.year, m, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day: 30 June or 31 December.
    pub fn last_day(self) -> NaiveDate {
        let (m, d) = match self.half {
            Half::H1 => (6, 30),
            Half::H2 => (12, 31),
        };
        NaiveDate::from_ymd_opt(self.year, m, d).unwrap_or(NaiveDate::MAX)
    }

    /// True when `date` falls in this half-year.
    pub fn contains(self, date: NaiveDate) -> bool {
        HalfYear::containing(date) == self
    }

    /// Roman numeral of the half (`I`, `II`) as used in report titles.
    pub fn roman(self) -> &'static str {
        match self.half {
            Half::H1 => "I",
            Half::H2 => "II",
        }
    }
}

impl fmt::Display for HalfYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = match self.half {
            Half::H1 => 1,
            Half::H2 => 2,
        };
        write!(f, "{}H{h}", self.year)
    }
}

impl FromStr for HalfYear {
    type Err = ReportError;

    /// Parses `2026H1`, also `2026h2`, `2026-H1` and `2026 H2`.
    fn from_str(s: &str) -> Result<Self, ReportError> {
        let bad = || ReportError::InvalidHalfYear(s.chars().take(40).collect());
        let t = s.trim();
        let (y, h) = t.split_once(['H', 'h']).ok_or_else(bad)?;
        let y = y.trim_end_matches(['-', ' ']);
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let half = match h {
            "1" => Half::H1,
            "2" => Half::H2,
            _ => return Err(bad()),
        };
        if year < 1000 {
            return Err(bad());
        }
        Ok(HalfYear { year, half })
    }
}

impl Serialize for HalfYear {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HalfYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_and_formats() {
        let h1: HalfYear = "2026H1".parse().unwrap();
        assert_eq!(
            h1,
            HalfYear {
                year: 2026,
                half: Half::H1
            }
        );
        assert_eq!(h1.to_string(), "2026H1");
        for ok in ["2026h2", " 2026H2 ", "2026-H2", "2026 H2"] {
            let h: HalfYear = ok.parse().unwrap_or_else(|e| panic!("{ok:?}: {e}"));
            assert_eq!(h.to_string(), "2026H2", "{ok:?}");
        }
        for bad in [
            "", "2026", "2026H3", "2026H0", "26H1", "H1", "2026H12", "20261H1", "abcdH1", "2026H",
            "0999H1", "2026H1x",
        ] {
            assert!(bad.parse::<HalfYear>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn bounds_and_membership() {
        let h1: HalfYear = "2026H1".parse().unwrap();
        let h2: HalfYear = "2026H2".parse().unwrap();
        assert_eq!(h1.first_day(), d(2026, 1, 1));
        assert_eq!(h1.last_day(), d(2026, 6, 30));
        assert_eq!(h2.first_day(), d(2026, 7, 1));
        assert_eq!(h2.last_day(), d(2026, 12, 31));
        assert!(h1.contains(d(2026, 6, 30)));
        assert!(!h1.contains(d(2026, 7, 1)));
        assert!(!h1.contains(d(2025, 3, 1)));
        assert!(h2.contains(d(2026, 7, 1)));
        assert_eq!(HalfYear::containing(d(2026, 12, 31)), h2);
        assert_eq!(h1.months(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(h2.roman(), "II");
    }

    #[test]
    fn serde_as_string() {
        let h: HalfYear = "2027H2".parse().unwrap();
        let j = serde_json::to_string(&h).unwrap();
        assert_eq!(j, "\"2027H2\"");
        let back: HalfYear = serde_json::from_str(&j).unwrap();
        assert_eq!(back, h);
        assert!(serde_json::from_str::<HalfYear>("\"2027H5\"").is_err());
    }
}
